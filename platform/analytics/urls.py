"""Mounted at /staff/cohorts/<cohort_id>/analytics/ (config/urls.py): one cohort's
analytics page and its CSV, for program admins."""

from django.urls import path

from analytics import views

app_name = "staff_analytics"

urlpatterns = [
    path("", views.cohort_analytics_page, name="cohort"),
    path("export.csv", views.cohort_analytics_export, name="cohort_csv"),
]
