from django.urls import path

from accounts import credit_views, views

app_name = "accounts"

urlpatterns = [
    path("credit/", credit_views.credit, name="credit"),
    path("tokens/", views.tokens, name="tokens"),
    path("tokens/<int:pk>/revoke/", views.token_revoke, name="token_revoke"),
    path("sessions/<int:pk>/end/", views.session_end, name="session_end"),
]
