from django.urls import path

from invitations import views

app_name = "invitations"

urlpatterns = [
    path("<str:token>/", views.invitation_landing, name="landing"),
]
