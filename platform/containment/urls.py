"""Mounted at /staff/switches/ (config/urls.py)."""

from django.urls import path

from containment import views

urlpatterns = [
    path("", views.switches, name="switches"),
]
