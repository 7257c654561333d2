"""Mounted at /staff/announcements/ (config/urls.py): the program admins' pages."""

from django.urls import path

from announcements import staff_views

app_name = "staff_announcements"

urlpatterns = [
    path("", staff_views.announcement_list, name="list"),
    path("new/", staff_views.announcement_new, name="new"),
    path("<int:announcement_id>/", staff_views.announcement_detail, name="detail"),
    path("<int:announcement_id>/edit/", staff_views.announcement_edit, name="edit"),
    path("<int:announcement_id>/publish/", staff_views.announcement_publish_view, name="publish"),
]
