"""Mounted at /staff/rate-cards/ (config/urls.py)."""

from django.urls import path

from ledger import staff_views

app_name = "staff_rate_cards"

urlpatterns = [
    path("", staff_views.rate_card_list, name="list"),
    path("new/", staff_views.rate_card_new, name="new"),
    path("<int:card_id>/", staff_views.rate_card_detail, name="detail"),
    path("<int:card_id>/publish/", staff_views.rate_card_publish_view, name="publish"),
]
