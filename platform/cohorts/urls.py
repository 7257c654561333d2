"""Mounted at /staff/cohorts/ (config/urls.py): the program admins' cohort pages."""

from django.urls import path

from cohorts import staff_views

app_name = "staff_cohorts"

urlpatterns = [
    path("", staff_views.cohort_list, name="list"),
    path("<int:cohort_id>/", staff_views.cohort_detail, name="detail"),
]
