"""Ledger pages: the artist's own ledger, the rate card, and the program admins' page.
Thin: services and selectors decide."""

from __future__ import annotations

import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.http import signed_in_user
from accounts.permissions import RUN_PROGRAM, is_program_admin
from audit.services import audit_record
from domain.errors import DomainError
from ledger.export import PeriodError, ledger_export_csv, period_parse
from ledger.forms import ManualEntryForm, ReverseEntryForm
from ledger.models import LedgerEntry, RateCard
from ledger.rates import RATE_LABELS
from ledger.selectors import (
    ledger_artist_balances,
    ledger_balance,
    ledger_balances,
    ledger_currency,
    ledger_entries_of,
    ledger_entries_recent,
    rate_card_in_force,
)
from ledger.services import ledger_manual_entry, ledger_reverse
from web.http import error_text


def _rate_rows(card: RateCard) -> list[dict[str, object]]:
    return [
        {"key": key, "label": label, "amount": card.rate_for(key)}
        for key, label in RATE_LABELS.items()
    ]


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The signed-in person's own ledger. There is no way to ask for anyone else's."""
    me = signed_in_user(request)
    card = rate_card_in_force()
    currency = ledger_currency()
    balances = ledger_balances(artist=me)
    page = Paginator(ledger_entries_of(artist=me), 100).get_page(request.GET.get("page"))
    return render(
        request,
        "ledger/mine.html",
        {
            "page": page,
            "currency": currency,
            "balance": ledger_balance(artist=me, currency=currency),
            "other_balances": {c: b for c, b in balances.items() if c != currency},
            "card": card,
            "rate_rows": _rate_rows(card) if card is not None else [],
            "is_program_admin": is_program_admin(me),
        },
    )


@login_required
def rates(request: HttpRequest) -> HttpResponse:
    card = rate_card_in_force()
    return render(
        request,
        "ledger/rates.html",
        {"card": card, "rate_rows": _rate_rows(card) if card is not None else []},
    )


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


@login_required
@permission_required(RUN_PROGRAM, raise_exception=True)
def staff(request: HttpRequest) -> HttpResponse:
    artist_id = _int(request.GET.get("artist"))
    page = Paginator(ledger_entries_recent(artist_id=artist_id), 50).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "ledger/staff.html",
        {
            "balances": ledger_artist_balances(),
            "page": page,
            "artist_id": artist_id,
            "form": ManualEntryForm(),
        },
    )


@login_required
@permission_required(RUN_PROGRAM, raise_exception=True)
@require_POST
def manual_entry(request: HttpRequest) -> HttpResponse:
    form = ManualEntryForm(request.POST)
    if not form.is_valid():
        problems = [
            f"{form.fields[name].label}: {' '.join(str(e) for e in errs)}"
            for name, errs in form.errors.items()
        ]
        messages.error(request, "Entry not added. " + " ".join(problems))
        return redirect("ledger:staff")
    try:
        entry = ledger_manual_entry(
            admin=signed_in_user(request),
            artist=form.cleaned_data["artist"],
            amount=form.cleaned_data["amount"],
            reason=form.cleaned_data["reason"],
        )
    except (DomainError, ValidationError) as error:
        messages.error(request, "Entry not added. " + error_text(error))
    else:
        messages.success(
            request, f"Added {entry.amount:.2f} {entry.currency} for {entry.artist.email}."
        )
    return redirect("ledger:staff")


@login_required
@permission_required(RUN_PROGRAM, raise_exception=True)
@require_POST
def reverse_entry(request: HttpRequest, entry_id: int) -> HttpResponse:
    entry = get_object_or_404(LedgerEntry, pk=entry_id)
    form = ReverseEntryForm(request.POST)
    form.is_valid()  # reads the field; the service checks it
    try:
        reversal = ledger_reverse(
            admin=signed_in_user(request), entry=entry, reason=form.cleaned_data["reason"]
        )
    except (DomainError, ValidationError) as error:
        messages.error(request, f"Entry #{entry_id} not reversed. " + error_text(error))
    else:
        messages.success(
            request,
            _("Entry #%(entry_id)s reversed by entry #%(pk)s.")
            % {"entry_id": entry_id, "pk": reversal.pk},
        )
    return redirect("ledger:staff")


@login_required
@permission_required(RUN_PROGRAM, raise_exception=True)
@require_GET
def export_csv(request: HttpRequest) -> HttpResponse:
    try:
        period = period_parse(start=request.GET.get("from"), end=request.GET.get("to"))
    except PeriodError as error:
        return HttpResponseBadRequest(str(error), content_type="text/plain; charset=utf-8")
    buffer = io.StringIO()
    ledger_export_csv(period=period, out=buffer)
    audit_record(
        actor=signed_in_user(request),
        action="ledger.export",
        data={"from": period.first_day.isoformat(), "to": period.end_day.isoformat()},
    )
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{period.filename}"'
    response["Cache-Control"] = "no-store"
    return response
