from django.urls import path

from tracing import views

app_name = "tracing"

urlpatterns = [
    path("", views.trace, name="trace"),
]
