"""The ledger over the API: the caller's own entries and balance, and the rate card.
Default permissions apply (signed in, agreement accepted)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.http import signed_in_user
from accounts.scopes import ANYONE_READ, ARTIST_READ
from ledger.errors import NoRateCard
from ledger.models import LedgerEntry, RateCard
from ledger.rates import RATE_LABELS
from ledger.selectors import (
    ZERO,
    ledger_balances,
    ledger_currency,
    ledger_entries_of,
    rate_card_in_force,
)


class LedgerEntrySerializer(serializers.ModelSerializer):
    reversed_by = serializers.SerializerMethodField()

    class Meta:
        model = LedgerEntry
        fields = [
            "id", "created_at", "kind", "amount", "currency", "reason", "reverses", "reversed_by",
        ]  # fmt: skip

    def get_reversed_by(self, entry: LedgerEntry) -> int | None:
        try:
            return entry.reversed_by.pk
        except LedgerEntry.DoesNotExist:
            return None


class BalanceSerializer(serializers.Serializer):
    currency = serializers.CharField()
    balance = serializers.DecimalField(max_digits=14, decimal_places=2)


class LedgerSerializer(serializers.Serializer):
    currency = serializers.CharField(help_text="The ledger's currency (the rate card's).")
    balance = serializers.DecimalField(
        max_digits=14, decimal_places=2, help_text="Sum of your entries in that currency."
    )
    balances = BalanceSerializer(many=True, help_text="Per currency, if ever more than one.")
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = LedgerEntrySerializer(many=True, help_text="Your entries, newest first.")


class LedgerApi(GenericAPIView):
    """Your own ledger: balance and entries (paginated, newest first). Nobody else's."""

    serializer_class = LedgerEntrySerializer
    token_scopes = {"GET": ARTIST_READ}

    @extend_schema(
        responses=LedgerSerializer,
        parameters=[
            OpenApiParameter("limit", int, description="Entries per page (default 50)."),
            OpenApiParameter("offset", int, description="Entries to skip."),
        ],
    )
    def get(self, request: Request) -> Response:
        me = signed_in_user(request)
        currency = ledger_currency()
        page = self.paginate_queryset(ledger_entries_of(artist=me))
        response = self.get_paginated_response(LedgerEntrySerializer(page, many=True).data)
        balances = ledger_balances(artist=me)
        balances.setdefault(currency, ZERO)
        body: dict[str, Any] = {
            "currency": currency,
            "balance": f"{balances[currency]:.2f}",
            "balances": [
                {"currency": cur, "balance": f"{total:.2f}"}
                for cur, total in sorted(balances.items())
            ],
            **response.data,
        }
        response.data = body
        return response


class RateCardSerializer(serializers.ModelSerializer):
    rates = serializers.SerializerMethodField()

    class Meta:
        model = RateCard
        fields = ["version", "currency", "effective_at", "published_at", "rates", "note"]

    def get_rates(self, card: RateCard) -> dict[str, str]:
        """Every rate key with what it earns; "0.00" where the card pays nothing."""
        return {key: f"{card.rate_for(key) or 0:.2f}" for key in RATE_LABELS}


class RateCardApi(APIView):
    """The rate card in force. 404 ``no_rate_card`` before one is published and effective."""

    token_scopes = {"GET": ANYONE_READ}

    @extend_schema(responses=RateCardSerializer)
    def get(self, request: Request) -> Response:
        card = rate_card_in_force()
        if card is None:
            raise NoRateCard(_("No rate card is in force yet."))
        return Response(RateCardSerializer(card).data)
