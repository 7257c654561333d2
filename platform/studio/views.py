"""Artist pages: create, my generations, compare, a job's live page."""

from __future__ import annotations

import secrets
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from accounts.http import signed_in_user
from accounts.models import User
from accounts.permissions import CREATE_GENERATIONS
from domain.errors import DomainError
from jobs.errors import IdempotencyKeyReused
from jobs.estimates import queue_estimate
from jobs.forms import GenerationFilterForm, GenerationForm, SubmissionForm, shot_field
from jobs.models import GenerationMode, Job, JobStatus
from jobs.modes import extension_defaults
from jobs.selectors import (
    job_variation_ids,
    job_visible_to,
    jobs_of,
    jobs_to_compare,
    quota_remaining_today,
)
from jobs.services import job_cancel, job_submit_once, modes_offered
from moderation.forms import AppealForm
from moderation.selectors import review_for_artist
from publishing.downloads import download_refusal
from publishing.selectors import publication_active_for, takedown_in_force
from studio.listing import generation_rows
from web.http import error_text
from web.media_links import input_image_url, media_url, shots_shown


def _job_or_404(request: HttpRequest, pk: int) -> Job:
    job = job_visible_to(user=signed_in_user(request), job_id=pk)
    if job is None:
        raise Http404
    return job


def _remix_initial(request: HttpRequest, *, remix_of: str) -> tuple[Job | None, dict[str, object]]:
    remix_id = request.GET.get("remix") or remix_of
    if not remix_id or not str(remix_id).isdigit():
        return None, {}
    source = job_visible_to(user=signed_in_user(request), job_id=int(remix_id))
    if source is None:
        return None, {}
    initial: dict[str, object] = {
        "prompt": source.prompt,
        "negative_prompt": source.negative_prompt,
        "duration_seconds": source.duration_seconds,
        "resolution": source.resolution,
        "aspect_ratio": source.aspect_ratio,
        "seed": source.seed,
    }
    if source.mode == GenerationMode.STORYBOARD:  # its shots again (their images can't be)
        initial |= {"mode": source.mode, "prompt": "", "duration_seconds": None}
        for shot in source.shots.all():
            initial[shot_field(shot.position, "prompt")] = shot.prompt
            initial[shot_field(shot.position, "duration_seconds")] = shot.duration_seconds
    return source, initial


def _extend_parent(request: HttpRequest, *, artist: User, extends: str) -> Job | None:
    """The artist's finished video named by ``?extend=`` (its page's "Extend this video")
    or by the form's ``extends``, to show and prefill; None for anything else (a POST
    still sends what it named, and the service answers for it)."""
    parent_id = request.GET.get("extend") or extends
    if not parent_id or not str(parent_id).isdigit():
        return None
    parent = job_visible_to(user=artist, job_id=int(parent_id))
    if parent is None or parent.artist_id != artist.pk or parent.status != JobStatus.SUCCEEDED:
        return None
    return parent if hasattr(parent, "output") else None


def _extend_initial(parent: Job) -> dict[str, object]:
    """An extension's form: its video's settings, as the service defaults them (a
    storyboard's last shot's prompt and length); a new seed: the service picks one."""
    prompt, negative_prompt, duration_seconds = extension_defaults(parent)
    return {
        "mode": GenerationMode.EXTEND.value,
        "extends": str(parent.pk),
        "prompt": prompt,
        "negative_prompt": negative_prompt,
        "duration_seconds": duration_seconds,
        "resolution": parent.resolution,
        "aspect_ratio": parent.aspect_ratio,
    }


def _submit_once(
    *, artist: User, key: str, remix_of: Job | None, fields: dict[str, Any]
) -> tuple[Job, bool]:
    try:
        return job_submit_once(artist=artist, idempotency_key=key, remix_of=remix_of, **fields)
    except IdempotencyKeyReused:
        # The form was changed after it was sent (Back, edit, Generate): a new request.
        key = secrets.token_urlsafe(16)
        return job_submit_once(artist=artist, idempotency_key=key, remix_of=remix_of, **fields)


@permission_required(CREATE_GENERATIONS, raise_exception=True)
def generation_create(request: HttpRequest) -> HttpResponse:
    artist = signed_in_user(request)
    submission = SubmissionForm(request.POST)
    submission.is_valid()  # reads the hidden fields
    remix_of, initial = _remix_initial(request, remix_of=submission.cleaned_data["remix_of"])
    extend_parent = _extend_parent(request, artist=artist, extends=request.POST.get("extends", ""))
    if extend_parent is not None:
        initial = _extend_initial(extend_parent)
    form = GenerationForm(
        request.POST or None,
        request.FILES or None,
        cohort=artist.cohort,
        extend_parent=extend_parent,
        initial=initial,
    )
    # One key per showing of the form: sending the same form twice (Back, then Generate;
    # a double click) makes one job (jobs.services.job_submit_once).
    submission_key = submission.cleaned_data["submission_key"] or secrets.token_urlsafe(16)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            # Images go to the service as files: it stores them once every rule passed
            # (nothing is left behind on a refusal, and the same form sent twice is one job).
            try:
                job, replayed = _submit_once(
                    artist=artist,
                    key=submission_key,
                    remix_of=remix_of,
                    fields=form.submission(),
                )
            except (DomainError, ValidationError) as error:
                form.refusal(error)
                if isinstance(error, DomainError):
                    status = error.http_status
            else:
                if replayed:
                    messages.info(
                        request, gettext("You had already sent this; here is that video.")
                    )
                elif job.variation_count > 1:
                    messages.success(
                        request,
                        gettext("Your %(count)s videos are queued.")
                        % {"count": job.variation_count},
                    )
                else:
                    messages.success(request, gettext("Your video is queued."))
                return redirect("jobs:detail", pk=job.pk)
    return render(
        request,
        "jobs/create.html",
        {
            "form": form,
            "remix_of": remix_of,
            "extend_parent": form.extend_parent,
            "extend_poster_url": media_url(
                output=form.extend_parent.output, kind="poster", viewer=artist
            )
            if form.extend_parent is not None
            else None,
            "cohort": artist.cohort,
            "quota_remaining": quota_remaining_today(user=artist),
            "submission_key": submission_key,
        },
        status=status,
    )


@login_required
def generation_list(request: HttpRequest) -> HttpResponse:
    viewer = signed_in_user(request)
    filters = GenerationFilterForm(request.GET)
    if not filters.is_valid():
        return render(request, "jobs/list.html", {"filters": filters}, status=400)
    page = Paginator(jobs_of(artist=viewer, **filters.cleaned_data), 25).get_page(
        request.GET.get("page")
    )
    rows = generation_rows(jobs=page.object_list, viewer=viewer)
    return render(
        request,
        "jobs/list.html",
        {
            "filters": filters,
            "filtered": any(filters.cleaned_data.values()),
            "page": page,
            "rows": rows,
            "comparable": any(row.comparable for row in rows),
        },
    )


# Artists only: staff have no generations of their own to compare (their way into an
# artist's video is the job page, which audits media access).
@permission_required(CREATE_GENERATIONS, raise_exception=True)
def generation_compare(request: HttpRequest) -> HttpResponse:
    viewer = signed_in_user(request)
    try:
        jobs = jobs_to_compare(artist=viewer, job_ids=request.GET.getlist("job"))
    except ValidationError as error:
        return render(request, "jobs/compare.html", {"errors": error.messages}, status=400)
    rows = generation_rows(jobs=jobs, viewer=viewer, videos=True)
    return render(
        request,
        "jobs/compare.html",
        {"rows": rows, "longest": max(row.duration_seconds for row in rows)},
    )


@login_required
def generation_detail(request: HttpRequest, pk: int) -> HttpResponse:

    job = _job_or_404(request, pk)
    viewer = signed_in_user(request)
    output = getattr(job, "output", None) if job.status == "succeeded" else None
    review = getattr(output, "review", None) if output is not None else None
    is_owner = job.artist_id == viewer.pk
    context: dict[str, object] = {"job": job, "is_owner": is_owner}
    # Continue it: the owner's finished video, where the cohort offers extend.
    context["can_extend"] = (
        is_owner
        and output is not None
        and GenerationMode.EXTEND.value in modes_offered(cohort=viewer.cohort)
    )
    # Place in the queue and estimated times while queued or running (jobs.estimates).
    context["queue"] = queue_estimate(job=job)
    if job.start_image is not None:
        context["start_image_url"] = input_image_url(image=job.start_image, viewer=viewer)
    if job.end_image is not None:
        context["end_image_url"] = input_image_url(image=job.end_image, viewer=viewer)
    context["shots"] = shots_shown(job=job, viewer=viewer)
    context["variation_ids"] = job_variation_ids(job=job) if job.variation_count > 1 else []
    if output is not None:
        context |= {
            "video_url": media_url(output=output, kind="video", viewer=viewer),
            "poster_url": media_url(output=output, kind="poster", viewer=viewer),
            "publication": publication_active_for(output=output),
            # A takedown in force replaces the Publish control with its reason.
            "takedown": takedown_in_force(output=output),
            # The Download link, or the sentence saying why not (publishing.downloads).
            "download_refusal": download_refusal(job=job, viewer=viewer),
        }
    if review is not None:
        context |= {
            "review": review,
            "review_view": review_for_artist(item=review),
            "appeal_form": AppealForm(),
        }
    return render(request, "jobs/detail.html", context)


@login_required
@require_POST
def generation_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        job_cancel(job=_job_or_404(request, pk), actor=signed_in_user(request))
    except DomainError as error:
        messages.warning(request, error_text(error))
    else:
        messages.success(request, gettext("Cancel requested."))
    return redirect("jobs:detail", pk=pk)
