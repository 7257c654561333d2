"""Public pages (gallery, share links) and the media door."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from accounts.selectors import user_public_byline
from domain.errors import DomainError
from jobs.selectors import job_visible_to
from portal.http import error_text, safe_next_url, signed_in_user
from publishing.media import (
    KINDS,
    media_authorise,
    media_response,
    media_url,
    screenshot_authorise,
)
from publishing.models import Publication, Takedown
from publishing.selectors import (
    gallery_publications,
    publication_active_for,
    publication_by_slug,
    takedowns_in_force,
)
from publishing.services import (
    publication_create,
    publication_showcase,
    publication_takedown,
    publication_takedown_lift,
    publication_unpublish,
)


def media(request: HttpRequest, output_id: int, kind: str) -> HttpResponseBase:
    output = media_authorise(request=request, output_id=output_id, kind=kind)
    if output is None:
        raise Http404
    return media_response(request=request, file=getattr(output, kind), content_type=KINDS[kind])


def screenshot(request: HttpRequest, attachment_id: int) -> HttpResponseBase:
    """A bug-report screenshot, through the same door as videos (decision 0007)."""
    attachment = screenshot_authorise(request=request, attachment_id=attachment_id)
    if attachment is None:
        raise Http404
    return media_response(
        request=request, file=attachment.image, content_type=attachment.content_type
    )


def _card(publication: Publication, viewer: object) -> dict[str, object]:
    output = publication.output
    artist = output.job.artist
    return {
        "publication": publication,
        "job": output.job,
        "credit": user_public_byline(user=artist),
        "video_url": media_url(output=output, kind="video", viewer=viewer),
        "poster_url": media_url(output=output, kind="poster", viewer=viewer),
    }


def gallery(request: HttpRequest) -> HttpResponse:
    page = Paginator(gallery_publications(), 24).get_page(request.GET.get("page"))
    cards = [_card(p, request.user) for p in page.object_list]
    return render(request, "publishing/gallery.html", {"page": page, "cards": cards})


def shared(request: HttpRequest, slug: str) -> HttpResponse:
    publication = publication_by_slug(slug=slug)
    if publication is None:
        raise Http404
    return render(request, "publishing/shared.html", {"card": _card(publication, request.user)})


@login_required
@require_POST
def publish(request: HttpRequest, job_id: int) -> HttpResponse:
    job = job_visible_to(user=signed_in_user(request), job_id=job_id)
    output = getattr(job, "output", None) if job is not None else None
    if output is None:
        raise Http404
    try:
        publication_create(
            output=output,
            artist=signed_in_user(request),
            visibility=request.POST.get("visibility", ""),
        )
    except (DomainError, ValidationError) as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, "Published.")
    return redirect("jobs:detail", pk=job_id)


@login_required
@require_POST
def unpublish(request: HttpRequest, job_id: int) -> HttpResponse:
    job = job_visible_to(user=signed_in_user(request), job_id=job_id)
    output = getattr(job, "output", None) if job is not None else None
    publication = publication_active_for(output=output) if output is not None else None
    if publication is None:
        raise Http404
    try:
        publication_unpublish(publication=publication, artist=signed_in_user(request))
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "Unpublished.")
    return redirect("jobs:detail", pk=job_id)


@permission_required("accounts.review_outputs", raise_exception=True)
@require_POST
def takedown(request: HttpRequest, publication_id: int) -> HttpResponse:
    publication = get_object_or_404(Publication, pk=publication_id)
    try:
        publication_takedown(
            publication=publication,
            staff=signed_in_user(request),
            reason=request.POST.get("reason", ""),
        )
    except (DomainError, ValidationError) as error:
        messages.error(request, error_text(error))
    else:
        messages.success(
            request, "Taken down. It stays down until lifted under Takedowns in force."
        )
    return HttpResponseRedirect(safe_next_url(request, default="publishing:gallery"))


@permission_required("accounts.review_outputs", raise_exception=True)
def takedowns(request: HttpRequest) -> HttpResponse:
    """Staff: every takedown still in force, each with a control to lift it."""
    return render(request, "publishing/takedowns.html", {"takedowns": takedowns_in_force()})


@permission_required("accounts.review_outputs", raise_exception=True)
@require_POST
def takedown_lift(request: HttpRequest, takedown_id: int) -> HttpResponse:
    takedown = get_object_or_404(Takedown, pk=takedown_id)
    try:
        publication_takedown_lift(
            takedown=takedown, staff=signed_in_user(request), reason=request.POST.get("reason", "")
        )
    except (DomainError, ValidationError) as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, "Takedown lifted: the artist may publish the video again.")
    return redirect("publishing:takedowns")


@permission_required("accounts.run_program", raise_exception=True)
@require_POST
def showcase(request: HttpRequest, publication_id: int) -> HttpResponse:
    publication = get_object_or_404(Publication, pk=publication_id)
    try:
        publication_showcase(admin=signed_in_user(request), publication=publication)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "Selected for the showcase; the artist is credited.")
    return redirect("publishing:gallery")
