"""The program admins' rate card pages (/staff/rate-cards/): every version, a new draft
from a form with one amount per known rate key, editing a draft, publishing it. A
published card is frozen (``ledger.services``); its page only shows it."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.http import signed_in_user
from accounts.permissions import RUN_PROGRAM
from domain.errors import DomainError
from ledger.models import RateCard
from ledger.rates import RATE_LABELS
from ledger.selectors import rate_card_in_force
from ledger.services import rate_card_create, rate_card_publish, rate_card_update
from ledger.staff_forms import RateCardForm
from web.http import error_text
from web.refusals import refusal_to_form


def _rate_rows(card: RateCard) -> list[dict[str, object]]:
    return [
        {"key": key, "label": label, "amount": card.rate_for(key)}
        for key, label in RATE_LABELS.items()
    ]


@permission_required(RUN_PROGRAM, raise_exception=True)
def rate_card_list(request: HttpRequest) -> HttpResponse:
    in_force = rate_card_in_force()
    return render(
        request,
        "ledger/staff_rate_cards.html",
        {"cards": RateCard.objects.order_by("-version"), "in_force": in_force},
    )


def _form_page(
    request: HttpRequest, form: RateCardForm, card: RateCard | None = None
) -> HttpResponse:
    return render(
        request,
        "ledger/staff_rate_card.html",
        {"form": form, "card": card, "rate_rows": _rate_rows(card) if card else []},
        status=400 if form.errors else 200,
    )


@permission_required(RUN_PROGRAM, raise_exception=True)
def rate_card_new(request: HttpRequest) -> HttpResponse:
    """A new draft, starting from the newest card's rates."""
    if request.method != "POST":
        start = RateCard.objects.order_by("-version").first()
        initial = RateCardForm.initial_from(start, effective_at=timezone.now())
        return _form_page(request, RateCardForm(initial=initial))
    form = RateCardForm(request.POST)
    if form.is_valid():
        try:
            card = rate_card_create(
                admin=signed_in_user(request),
                effective_at=form.cleaned_data["effective_at"],
                rates=form.cleaned_data["rates"],
                currency=form.cleaned_data["currency"],
                note=form.cleaned_data["note"],
            )
        except (DomainError, ValidationError) as error:
            refusal_to_form(form, error)
        else:
            messages.success(request, f"Drafted rate card v{card.version}.")
            return redirect("staff_rate_cards:detail", card_id=card.pk)
    return _form_page(request, form)


@permission_required(RUN_PROGRAM, raise_exception=True)
def rate_card_detail(request: HttpRequest, card_id: int) -> HttpResponse:
    """A draft's form (POST saves it), or a published card's rates."""
    card = get_object_or_404(RateCard, pk=card_id)
    if request.method != "POST":
        form = RateCardForm(initial=RateCardForm.initial_from(card, effective_at=card.effective_at))
        return _form_page(request, form, card)
    form = RateCardForm(request.POST)
    if form.is_valid():
        try:
            rate_card_update(
                admin=signed_in_user(request),
                card=card,
                effective_at=form.cleaned_data["effective_at"],
                rates=form.cleaned_data["rates"],
                currency=form.cleaned_data["currency"],
                note=form.cleaned_data["note"],
            )
        except (DomainError, ValidationError) as error:
            refusal_to_form(form, error)
        else:
            messages.success(request, f"Saved draft v{card.version}.")
            return redirect("staff_rate_cards:detail", card_id=card.pk)
    return _form_page(request, form, card)


@permission_required(RUN_PROGRAM, raise_exception=True)
@require_POST
def rate_card_publish_view(request: HttpRequest, card_id: int) -> HttpResponse:
    card = get_object_or_404(RateCard, pk=card_id)
    try:
        rate_card_publish(admin=signed_in_user(request), card=card)
    except DomainError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, f"Published rate card v{card.version}; it can't change now.")
    return redirect("staff_rate_cards:detail", card_id=card.pk)
