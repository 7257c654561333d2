"""Mounted at /announcements/ (config/urls.py): the artist's cohort announcements."""

from django.urls import path

from announcements import views

app_name = "announcements"

urlpatterns = [
    path("", views.announcement_list, name="list"),
    path("<int:announcement_id>/", views.announcement_detail, name="detail"),
]
