"""Public pages (gallery, share links) and the media door."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from accounts.http import signed_in_user
from accounts.permissions import REVIEW_OUTPUTS, RUN_PROGRAM
from accounts.selectors import user_public_byline_shown
from domain.errors import DomainError
from jobs.selectors import job_visible_to
from publishing.downloads import download_refusal
from publishing.forms import PublishForm, ReasonForm
from publishing.media import (
    KINDS,
    download_authorise,
    download_response,
    input_image_authorise,
    media_authorise,
    media_response,
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
from web.http import error_text, safe_next_url
from web.media_links import download_url, media_url


def media(request: HttpRequest, output_id: int, kind: str) -> HttpResponseBase:
    output = media_authorise(request=request, output_id=output_id, kind=kind)
    if output is None:
        raise Http404
    return media_response(request=request, file=getattr(output, kind), content_type=KINDS[kind])


def media_download(request: HttpRequest, output_id: int) -> HttpResponseBase:
    """The artist's own MP4 as a file, through the same door (issue 14; decision 0027)."""
    output = download_authorise(request=request, output_id=output_id)
    if output is None:
        raise Http404
    return download_response(request=request, output=output)


@login_required
def download(request: HttpRequest, job_id: int) -> HttpResponse:
    """The job page's Download button: a fresh download link, or back to the page with
    the reason it is refused. Someone who can't see the job gets a 404."""
    viewer = signed_in_user(request)
    job = job_visible_to(user=viewer, job_id=job_id)
    if job is None:
        raise Http404
    refusal = download_refusal(job=job, viewer=viewer)
    if refusal is not None:
        messages.error(request, refusal.label)
        return redirect("jobs:detail", pk=job_id)
    return HttpResponseRedirect(download_url(output=job.output, viewer=viewer))


def screenshot(request: HttpRequest, attachment_id: int) -> HttpResponseBase:
    """A bug-report screenshot, through the same door as videos (decision 0007)."""
    attachment = screenshot_authorise(request=request, attachment_id=attachment_id)
    if attachment is None:
        raise Http404
    return media_response(
        request=request, file=attachment.image, content_type=attachment.content_type
    )


def input_image(request: HttpRequest, image_id: int) -> HttpResponseBase:
    """A job's input image (its start image), through the same door (decision 0007)."""
    image = input_image_authorise(request=request, image_id=image_id)
    if image is None:
        raise Http404
    return media_response(request=request, file=image.file, content_type=image.content_type)


def _card(publication: Publication, viewer: object) -> dict[str, object]:
    output = publication.output
    artist = output.job.artist
    return {
        "publication": publication,
        "job": output.job,
        "credit": user_public_byline_shown(user=artist),
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


def _fresh_links(publication: Publication | None, viewer: object) -> JsonResponse:
    # Public pages' players ask for new signed links before theirs expire
    # (static/js/media-refresh.js); only while the publication is still public.
    if publication is None:
        raise Http404
    output = publication.output
    response = JsonResponse(
        {
            "video_url": media_url(output=output, kind="video", viewer=viewer),
            "poster_url": media_url(output=output, kind="poster", viewer=viewer),
        }
    )
    add_never_cache_headers(response)
    return response


def gallery_media(request: HttpRequest, publication_id: int) -> JsonResponse:
    """Fresh media links for one gallery card (never for an unlisted link: its slug is
    the secret, so it is asked for by slug)."""
    return _fresh_links(gallery_publications().filter(pk=publication_id).first(), request.user)


def shared_media(request: HttpRequest, slug: str) -> JsonResponse:
    """Fresh media links for an unlisted page."""
    return _fresh_links(publication_by_slug(slug=slug), request.user)


@login_required
@require_POST
def publish(request: HttpRequest, job_id: int) -> HttpResponse:
    job = job_visible_to(user=signed_in_user(request), job_id=job_id)
    output = getattr(job, "output", None) if job is not None else None
    if output is None:
        raise Http404
    form = PublishForm(request.POST)
    form.is_valid()  # reads the field; the service checks it
    try:
        publication_create(
            output=output,
            artist=signed_in_user(request),
            visibility=form.cleaned_data["visibility"],
        )
    except (DomainError, ValidationError) as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, gettext("Published."))
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
        messages.error(request, error_text(error))
    else:
        messages.success(request, gettext("Unpublished."))
    return redirect("jobs:detail", pk=job_id)


@permission_required(REVIEW_OUTPUTS, raise_exception=True)
@require_POST
def takedown(request: HttpRequest, publication_id: int) -> HttpResponse:
    publication = get_object_or_404(Publication, pk=publication_id)
    form = ReasonForm(request.POST)
    form.is_valid()  # reads the field; the service checks it
    try:
        publication_takedown(
            publication=publication,
            staff=signed_in_user(request),
            reason=form.cleaned_data["reason"],
        )
    except (DomainError, ValidationError) as error:
        messages.error(request, error_text(error))
    else:
        messages.success(
            request, "Taken down. It stays down until lifted under Takedowns in force."
        )
    return HttpResponseRedirect(safe_next_url(request, default="publishing:gallery"))


@permission_required(REVIEW_OUTPUTS, raise_exception=True)
def takedowns(request: HttpRequest) -> HttpResponse:
    """Staff: every takedown still in force, each with a control to lift it."""
    return render(request, "publishing/takedowns.html", {"takedowns": takedowns_in_force()})


@permission_required(REVIEW_OUTPUTS, raise_exception=True)
@require_POST
def takedown_lift(request: HttpRequest, takedown_id: int) -> HttpResponse:
    takedown = get_object_or_404(Takedown, pk=takedown_id)
    form = ReasonForm(request.POST)
    form.is_valid()  # reads the field; the service checks it
    try:
        publication_takedown_lift(
            takedown=takedown, staff=signed_in_user(request), reason=form.cleaned_data["reason"]
        )
    except (DomainError, ValidationError) as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, "Takedown lifted: the artist may publish the video again.")
    return redirect("publishing:takedowns")


@permission_required(RUN_PROGRAM, raise_exception=True)
@require_POST
def showcase(request: HttpRequest, publication_id: int) -> HttpResponse:
    publication = get_object_or_404(Publication, pk=publication_id)
    try:
        publication_showcase(admin=signed_in_user(request), publication=publication)
    except DomainError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, "Selected for the showcase; the artist is credited.")
    return redirect("publishing:gallery")
