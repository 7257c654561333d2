"""Mounted at /staff/surveys/ (config/urls.py)."""

from django.urls import path

from feedback import staff_views

app_name = "staff_surveys"

urlpatterns = [
    path("", staff_views.survey_list, name="list"),
    path("new/", staff_views.survey_new, name="new"),
    path("<int:survey_id>/", staff_views.survey_detail, name="detail"),
    path("<int:survey_id>/send/", staff_views.survey_send_view, name="send"),
]
