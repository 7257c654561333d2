"""Staff review pages: the queue, one item (with its private staff notes), SLA figures.
Thin: services decide."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.http import signed_in_user
from accounts.permissions import REVIEW_OUTPUTS
from cohorts.models import Cohort
from domain.errors import DomainError
from jobs.selectors import job_visible_to
from moderation.forms import (
    AppealForm,
    BulkApproveForm,
    RejectForm,
    ReviewDecisionForm,
    StaffNoteForm,
)
from moderation.models import ReviewItem, ReviewStatus
from moderation.second_opinion_selectors import second_opinion_blind_for
from moderation.second_opinion_views import agreement_context
from moderation.selectors import (
    QUEUE_SORTS,
    SCREEN_FILTERS,
    QueuePage,
    decode_cursor,
    decode_risk_cursor,
    queue_artist_ids,
    review_history_of_artist,
    review_item_for_staff,
    review_queue,
    review_sla_report,
    staff_notes_of,
)
from moderation.services import (
    review_appeal,
    review_bulk_approve,
    review_claim,
    review_decide,
    review_release,
    review_revoke_approval,
    staff_note_add,
)
from moderation.trends import review_trends
from web.http import error_text
from web.media_links import input_image_url, media_url, shots_shown
from web.periods import period_form
from web.refusals import errors_by_field, refusal_to_form


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


def _filters(request: HttpRequest) -> dict[str, object]:
    return {
        "cohort_id": _int(request.GET.get("cohort")),
        "overdue": request.GET.get("overdue") == "1",
        "appeals": request.GET.get("appeals") == "1",
        # Pre-screening (issue 18): flagged / not screened only; highest risk first.
        "screen": _choice(request.GET.get("screen"), SCREEN_FILTERS),
        "sort": _choice(request.GET.get("sort"), QUEUE_SORTS),
    }


def _choice(value: str | None, choices: tuple[str, ...]) -> str:
    return value if value in choices else choices[0]


@permission_required(REVIEW_OUTPUTS, raise_exception=True)
def queue(request: HttpRequest) -> HttpResponse:
    filters = _filters(request)
    cursor = request.GET.get("after")
    after = decode_cursor(cursor) if cursor and filters["sort"] == "due" else None
    after_risk = decode_risk_cursor(cursor) if cursor and filters["sort"] == "risk" else None
    # The artist filter as typed (an email, a name, or an id from an older link).
    artist = request.GET.get("artist", "")
    artist_error = None
    try:
        artist_ids = queue_artist_ids(text=artist)
    except ValidationError as error:
        artist_error = error_text(error)
        page = QueuePage(items=[], next_cursor=None)
    else:
        page = review_queue(after=after, after_risk=after_risk, artist_ids=artist_ids, **filters)  # type: ignore[arg-type]
    query = request.GET.copy()
    query.pop("after", None)
    if page.next_cursor:
        query["after"] = page.next_cursor
    template = (
        "moderation/_queue_rows.html" if request.GET.get("fragment") else "moderation/queue.html"
    )
    return render(
        request,
        template,
        {
            "page": page,
            "filters": filters,
            "cohorts": Cohort.objects.order_by("name"),
            "next_query": query.urlencode() if page.next_cursor else None,
            "me": signed_in_user(request),
            "artist": artist,
            "artist_error": artist_error,
            # An empty page then says the filters found nothing, not that all is done.
            "filtered": bool(artist)
            or any(filters[key] for key in ("cohort_id", "overdue", "appeals", "screen")),
        },
        status=400 if artist_error else 200,
    )


@permission_required(REVIEW_OUTPUTS, raise_exception=True)
@require_POST
def bulk_approve(request: HttpRequest) -> HttpResponse:
    form = BulkApproveForm(request.POST)
    form.is_valid()  # reads the ticked items; the service decides each one
    result = review_bulk_approve(
        item_ids=form.cleaned_data["items"], reviewer=signed_in_user(request)
    )
    if result.approved:
        messages.success(
            request, _("Approved %(count)s item(s).") % {"count": len(result.approved)}
        )
    for pk, reason in result.refused.items():
        messages.warning(
            request, _("Item %(pk)s not approved: %(reason)s") % {"pk": pk, "reason": reason}
        )
    return redirect("moderation:queue")


def _item_or_404(item_id: int) -> ReviewItem:
    item = review_item_for_staff(item_id=item_id)
    if item is None:
        raise Http404
    return item


@permission_required(REVIEW_OUTPUTS, raise_exception=True)
def item_page(request: HttpRequest, item_id: int) -> HttpResponse:
    item = _item_or_404(item_id)
    # Blind second opinions (decision 0036): while one is open, a reviewer who could give
    # it sees the item only on its blind page.
    blind = second_opinion_blind_for(item=item, viewer=signed_in_user(request))
    if blind is not None:
        return redirect("moderation:second_opinion", opinion_id=blind.pk)
    return _render_item(request, item, reject_form=RejectForm())


def _render_item(
    request: HttpRequest,
    item: ReviewItem,
    *,
    reject_form: RejectForm,
    note_form: StaffNoteForm | None = None,
    status: int = 200,
) -> HttpResponse:
    me = signed_in_user(request)
    output = item.output
    next_item = review_queue(after=(item.due_at, item.pk), limit=1).items
    return render(
        request,
        "moderation/item.html",
        {
            "item": item,
            "job": output.job,
            "video_url": media_url(output=output, kind="video", viewer=me),
            "poster_url": media_url(output=output, kind="poster", viewer=me),
            # The player's scrubbing strip (none for outputs made before filmstrips).
            "filmstrip_url": (
                media_url(output=output, kind="filmstrip", viewer=me) if output.filmstrip else None
            ),
            # What the video was made from, beside it (image to video: the start image).
            "start_image_url": (
                input_image_url(image=output.job.start_image, viewer=me)
                if output.job.start_image is not None
                else None
            ),
            "end_image_url": (
                input_image_url(image=output.job.end_image, viewer=me)
                if output.job.end_image is not None
                else None
            ),
            # A storyboard: its shot list beside the video (decided on as a whole).
            "shots": shots_shown(job=output.job, viewer=me),
            # The side panel: this artist's earlier decided items, this one left out.
            "history": review_history_of_artist(artist_id=item.artist_id, exclude_item_id=item.pk),
            # Private to staff: never in anything the artist is sent.
            "staff_notes": staff_notes_of(item=item),
            "note_form": note_form or StaffNoteForm(),
            "reject_form": reject_form,
            "mine": item.claimed_by_id == me.pk and item.status == "claimed",
            "next_item": next_item[0] if next_item else None,
        },
        status=status,
    )


def _refused_decision(
    request: HttpRequest, item_id: int, error: ValidationError | DomainError
) -> HttpResponse:
    """A reject or revoke that was refused: the page again, with the reason and note
    the reviewer chose still there and the error on its field (nothing is lost)."""
    form = RejectForm(request.POST)
    form.is_valid()  # binds the choices; the service's verdict is what counts
    refusal_to_form(form, error)
    status = error.http_status if isinstance(error, DomainError) else 400
    return _render_item(request, _item_or_404(item_id), reject_form=form, status=status)


def _act(request: HttpRequest, item_id: int, action: str) -> HttpResponse:
    item = _item_or_404(item_id)
    me = signed_in_user(request)
    form = ReviewDecisionForm(request.POST)
    form.is_valid()  # reads the fields; the services check them
    sent = form.cleaned_data
    try:
        if action == "claim":
            review_claim(item=item, reviewer=me)
            messages.success(request, _("Claimed. It's yours for the next few minutes."))
        elif action == "release":
            review_release(item=item, reviewer=me)
            messages.info(request, _("Released back to the queue."))
        elif action == "approve":
            # The page's one click: claimed here if the reviewer doesn't hold it yet.
            review_decide(
                item=item,
                reviewer=me,
                decision=ReviewStatus.APPROVED,
                note=sent["note"],
                claim_if_free=True,
            )
            messages.success(request, _("Approved."))
        elif action == "reject":
            review_decide(
                item=item,
                reviewer=me,
                decision=ReviewStatus.REJECTED,
                reason_code=sent["reason_code"],
                note=sent["note"],
                claim_if_free=True,  # a reason key, the note, Ctrl+Enter: no claim step
            )
            messages.success(request, _("Rejected; the artist has been told why."))
        elif action == "revoke":
            review_revoke_approval(
                item=item, admin=me, reason_code=sent["reason_code"], note=sent["note"]
            )
            messages.success(request, _("Approval revoked; any publication is down."))
    except (DomainError, ValidationError) as error:
        if action in ("reject", "revoke"):
            return _refused_decision(request, item_id, error)
        messages.error(request, error_text(error))
    else:
        if action in ("approve", "reject") and sent["then"] == "next":
            following = review_queue(after=(item.due_at, item.pk), limit=1).items
            if following:
                return redirect("moderation:item", item_id=following[0].pk)
            return redirect("moderation:queue")
    return redirect("moderation:item", item_id=item_id)


@permission_required(REVIEW_OUTPUTS, raise_exception=True)
@require_POST
def act(request: HttpRequest, item_id: int, action: str) -> HttpResponse:
    if action not in ("claim", "release", "approve", "reject", "revoke"):
        raise Http404
    return _act(request, item_id, action)


@permission_required(REVIEW_OUTPUTS, raise_exception=True)
@require_POST
def note_add(request: HttpRequest, item_id: int) -> HttpResponse:
    """A private staff note on the item; a refused one re-shows the page, text kept."""
    item = _item_or_404(item_id)
    form = StaffNoteForm(request.POST)
    form.is_valid()  # reads the text; the service checks it
    try:
        staff_note_add(item=item, author=signed_in_user(request), body=form.cleaned_data["body"])
    except (DomainError, ValidationError) as error:
        refusal_to_form(form, error, field="body")
        form.fields["body"].widget.attrs["autofocus"] = True  # straight back to the fix
        status = error.http_status if isinstance(error, DomainError) else 400
        return _render_item(request, item, reject_form=RejectForm(), note_form=form, status=status)
    messages.success(request, _("Note added. Only staff can read it."))
    return redirect(reverse("moderation:item", kwargs={"item_id": item.pk}) + "#notes-heading")


@permission_required(REVIEW_OUTPUTS, raise_exception=True)
def sla(request: HttpRequest) -> HttpResponse:
    """The SLA table, then one period (``web.periods``) for the charts by day and the
    second-opinion agreement (decision 0036) alike."""
    form, period = period_form(request.GET)
    context = {
        "rows": review_sla_report(),
        "period_form": form,
        "period_errors": errors_by_field(form),
        "period": period,
        "trends": review_trends(period=period) if period else None,
        **agreement_context(period),
    }
    return render(request, "moderation/sla.html", context, status=200 if period else 400)


@login_required
@require_POST
def appeal(request: HttpRequest, job_id: int) -> HttpResponse:
    """The artist's appeal against a rejection (from their job page)."""
    job = job_visible_to(user=signed_in_user(request), job_id=job_id)
    review = getattr(getattr(job, "output", None), "review", None) if job is not None else None
    if job is None or review is None or job.artist_id != signed_in_user(request).pk:
        raise Http404
    form = AppealForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Write a statement for your appeal (up to 2000 characters)."))
    else:
        try:
            review_appeal(
                item=review,
                artist=signed_in_user(request),
                statement=form.cleaned_data["statement"],
            )
        except (DomainError, ValidationError) as error:
            messages.error(request, error_text(error))
        else:
            messages.success(request, _("Appeal sent. A different reviewer will decide it."))
    return redirect(reverse("jobs:detail", kwargs={"pk": job_id}))
