"""Mounted at /staff/invitations/ (config/urls.py)."""

from django.urls import path

from invitations import staff_views

app_name = "staff_invitations"

urlpatterns = [
    path("", staff_views.staff_invitations, name="list"),
    path("invite/", staff_views.staff_invite_one, name="invite"),
    path("upload/", staff_views.staff_invite_upload, name="upload"),
    path("<int:invitation_id>/revoke/", staff_views.staff_invitation_revoke, name="revoke"),
    path("<int:invitation_id>/resend/", staff_views.staff_invitation_resend, name="resend"),
]
