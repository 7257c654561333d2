"""The project's URLs plus the ledger's API routes, for tests that run before
config/api_urls.py lists them (the project's own routes win when both exist)."""

from django.urls import path

from config.urls import urlpatterns as project_urlpatterns
from ledger.apis import LedgerApi, RateCardApi

urlpatterns = [
    *project_urlpatterns,
    path("api/v1/ledger/", LedgerApi.as_view(), name="ledger-test"),
    path("api/v1/rate-card/", RateCardApi.as_view(), name="rate-card-test"),
]
