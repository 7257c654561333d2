"""Second-opinion pages (decision 0036): the queue, the blind page a second reviewer
decides on, and the program admin's settle page. Thin: ``moderation.second_opinions``
decides."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.http import signed_in_user
from accounts.permissions import REVIEW_OUTPUTS, RUN_PROGRAM
from domain.errors import DomainError
from moderation.forms import ReviewDecisionForm
from moderation.models import DecisionOutcome, ReviewStatus, SecondOpinion, SecondOpinionStatus
from moderation.second_opinion_forms import (
    SecondOpinionApproveForm,
    SecondOpinionRejectForm,
    SettleForm,
)
from moderation.second_opinion_selectors import (
    reviewer_agreement,
    second_opinion_disagreements,
    second_opinion_for_staff,
    second_opinion_next,
    second_opinion_queue,
)
from moderation.second_opinions import (
    second_opinion_claim,
    second_opinion_decide,
    second_opinion_release,
    second_opinion_settle,
)
from web.media_links import input_image_url, media_url, shots_shown
from web.periods import Period
from web.refusals import refusal_to_form


def _opinion_or_404(opinion_id: int) -> SecondOpinion:
    opinion = second_opinion_for_staff(opinion_id=opinion_id)
    if opinion is None:
        raise Http404
    return opinion


@permission_required(REVIEW_OUTPUTS, raise_exception=True)
def queue(request: HttpRequest) -> HttpResponse:
    me = signed_in_user(request)
    return render(
        request,
        "moderation/second_opinions.html",
        {
            "opinions": second_opinion_queue(reviewer=me),
            "disagreements": (second_opinion_disagreements() if me.has_perm(RUN_PROGRAM) else None),
        },
    )


def _watch(request: HttpRequest, opinion: SecondOpinion) -> dict[str, object]:
    """What the video was made from, as the first reviewer saw it."""
    me = signed_in_user(request)
    output = opinion.item.output
    job = output.job
    return {
        "item": opinion.item,
        "job": job,
        "video_url": media_url(output=output, kind="video", viewer=me),
        "poster_url": media_url(output=output, kind="poster", viewer=me),
        "filmstrip_url": (
            media_url(output=output, kind="filmstrip", viewer=me) if output.filmstrip else None
        ),
        "start_image_url": (
            input_image_url(image=job.start_image, viewer=me) if job.start_image else None
        ),
        "end_image_url": input_image_url(image=job.end_image, viewer=me) if job.end_image else None,
        "shots": shots_shown(job=job, viewer=me),
    }


def _render_blind(
    request: HttpRequest,
    opinion: SecondOpinion,
    *,
    reject_form: SecondOpinionRejectForm | None = None,
    approve_form: SecondOpinionApproveForm | None = None,
    error: str | None = None,
    status: int = 200,
) -> HttpResponse:
    """The blind page: the output and its prompt, never the first decision, its note, or
    the item's staff notes (written after the decision, they may give it away)."""
    me = signed_in_user(request)
    return render(
        request,
        "moderation/second_opinion.html",
        {
            **_watch(request, opinion),
            "opinion": opinion,
            "reject_form": reject_form or SecondOpinionRejectForm(),
            "approve_form": approve_form or SecondOpinionApproveForm(),
            "mine": opinion.claimed_by_id == me.pk and opinion.status == "claimed",
            "first_reviewer": opinion.first_reviewer_id == me.pk,
            "error": error,
            "next_opinion": second_opinion_next(opinion=opinion, reviewer=me),
        },
        status=status,
    )


@permission_required(REVIEW_OUTPUTS, raise_exception=True)
def opinion_page(request: HttpRequest, opinion_id: int) -> HttpResponse:
    return _render_blind(request, _opinion_or_404(opinion_id))


@permission_required(REVIEW_OUTPUTS, raise_exception=True)
@require_POST
def act(request: HttpRequest, opinion_id: int, action: str) -> HttpResponse:
    if action not in ("claim", "release", "approve", "reject"):
        raise Http404
    opinion = _opinion_or_404(opinion_id)
    me = signed_in_user(request)
    form = ReviewDecisionForm(request.POST)
    form.is_valid()  # reads the fields; the service checks them
    sent = form.cleaned_data
    try:
        if action == "claim":
            second_opinion_claim(opinion=opinion, reviewer=me)
        elif action == "release":
            second_opinion_release(opinion=opinion, reviewer=me)
        else:
            given = second_opinion_decide(
                opinion=opinion,
                reviewer=me,
                decision=ReviewStatus.APPROVED if action == "approve" else ReviewStatus.REJECTED,
                reason_code=sent["reason_code"],
                note=sent["note"],
                claim_if_free=True,
            )
            if given.status == SecondOpinionStatus.AGREED:
                said = _("Second opinion recorded: agreed.")
            elif given.status == SecondOpinionStatus.MOOT:
                said = _("Second opinion recorded: the artist's appeal had already approved it.")
            else:
                said = _("Second opinion recorded: a program admin will settle the disagreement.")
            messages.success(request, said)
    except (DomainError, ValidationError) as error:
        # The page again, with what was typed kept and the refusal on its field (of the
        # form that was sent).
        status = error.http_status if isinstance(error, DomainError) else 400
        if action == "approve":
            approve_form = SecondOpinionApproveForm(request.POST)
            approve_form.is_valid()
            refusal_to_form(approve_form, error)
            return _render_blind(request, opinion, approve_form=approve_form, status=status)
        reject_form = SecondOpinionRejectForm(request.POST)
        reject_form.is_valid()
        refusal_to_form(reject_form, error)
        return _render_blind(request, opinion, reject_form=reject_form, status=status)
    if action in ("approve", "reject"):
        following = second_opinion_next(opinion=opinion, reviewer=me)
        if following is not None and sent["then"] == "next":
            return redirect("moderation:second_opinion", opinion_id=following.pk)
        return redirect("moderation:second_opinions")
    return redirect("moderation:second_opinion", opinion_id=opinion.pk)


def _on_rejection(opinion: SecondOpinion) -> bool:
    return opinion.first_decision.outcome == DecisionOutcome.REJECTED


def _render_settle(
    request: HttpRequest, opinion: SecondOpinion, form: SettleForm, status: int = 200
) -> HttpResponse:
    return render(
        request,
        "moderation/second_opinion_settle.html",
        {**_watch(request, opinion), "opinion": opinion, "form": form},
        status=status,
    )


@permission_required(RUN_PROGRAM, raise_exception=True)
def settle(request: HttpRequest, opinion_id: int) -> HttpResponse:
    """Both decisions side by side; uphold the first decision or overturn it (revoke an
    approval, approve a rejection)."""
    opinion = _opinion_or_404(opinion_id)
    if request.method != "POST":
        return _render_settle(request, opinion, SettleForm(on_rejection=_on_rejection(opinion)))
    form = SettleForm(request.POST, on_rejection=_on_rejection(opinion))
    form.is_valid()  # reads the fields; the service checks them
    sent = form.cleaned_data
    try:
        settled = second_opinion_settle(
            opinion=opinion,
            admin=signed_in_user(request),
            settlement=sent.get("settlement", ""),
            reason_code=sent.get("reason_code") or request.POST.get("reason_code", ""),
            note=sent.get("note", ""),
        )
    except (DomainError, ValidationError) as error:
        form = SettleForm(request.POST, on_rejection=_on_rejection(opinion))
        form.is_valid()
        refusal_to_form(form, error)
        status = error.http_status if isinstance(error, DomainError) else 400
        return _render_settle(request, opinion, form, status=status)
    if settled.status == SecondOpinionStatus.MOOT:
        messages.success(
            request,
            _(
                "The artist's appeal approved this output first: the disagreement is closed "
                "as moot, nothing else changed."
            ),
        )
    else:
        messages.success(request, _("Disagreement settled."))
    return redirect("moderation:second_opinions")


def agreement_context(period: Period | None) -> dict[str, object]:
    """The SLA page's agreement block (``moderation/_agreement.html``) over the page's one
    period (``web.periods``, shared with its charts); nothing when the period was refused."""
    report = reviewer_agreement(since=period.first_day, until=period.last_day) if period else None
    return {"agreement_report": report, "agreement_period": period}
