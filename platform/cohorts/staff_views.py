"""The cohorts' program pages for program admins (issue 18): every cohort with its caps,
and one cohort's settings, edited through ``cohorts.services``."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from accounts.http import signed_in_user
from accounts.permissions import RUN_PROGRAM
from cohorts.forms import CohortPauseForm, CohortSettingsForm, settings_options
from cohorts.models import Cohort
from cohorts.selectors import cohort_seats_taken, cohorts_with_seats_taken
from cohorts.services import cohort_set_paused, cohort_update_settings
from domain.errors import DomainError
from web.refusals import errors_by_field, refusal_to_form


@permission_required(RUN_PROGRAM, raise_exception=True)
def cohort_list(request: HttpRequest) -> HttpResponse:
    return render(request, "cohorts/staff_list.html", {"cohorts": cohorts_with_seats_taken()})


@permission_required(RUN_PROGRAM, raise_exception=True)
def cohort_detail(request: HttpRequest, cohort_id: int) -> HttpResponse:
    cohort = get_object_or_404(Cohort, pk=cohort_id)
    settings_form = CohortSettingsForm(initial=_initial(cohort))
    pause_form = CohortPauseForm()
    if request.method == "POST":
        if "pause" in request.POST or "resume" in request.POST:
            pause_form = CohortPauseForm(request.POST)
            pause_form.is_valid()  # reads the reason; the service checks it
            paused = "pause" in request.POST
            try:
                cohort_set_paused(
                    actor=signed_in_user(request), cohort=cohort, paused=paused,
                    reason=pause_form.cleaned_data.get("reason", ""),
                )  # fmt: skip
            except (DomainError, ValidationError) as error:
                refusal_to_form(pause_form, error, field="reason")
                return _page(request, cohort, settings_form, pause_form)
            messages.success(request, "Cohort paused." if paused else "Cohort resumed.")
            return redirect("staff_cohorts:detail", cohort_id=cohort.pk)
        settings_form = CohortSettingsForm(request.POST)
        if settings_form.is_valid():
            try:
                cohort_update_settings(
                    actor=signed_in_user(request), cohort=cohort, **settings_form.cleaned_data
                )
            except (DomainError, ValidationError) as error:
                refusal_to_form(settings_form, error)
            else:
                messages.success(request, "Settings saved. They apply from the next request.")
                return redirect("staff_cohorts:detail", cohort_id=cohort.pk)
        return _page(request, cohort, settings_form, pause_form)
    return _page(request, cohort, settings_form, pause_form)


LISTS = ("allowed_durations", "allowed_resolutions", "allowed_modes")


def _initial(cohort: Cohort) -> dict[str, object]:
    return {field: getattr(cohort, field) for field in CohortSettingsForm.base_fields}


def _page(
    request: HttpRequest, cohort: Cohort, settings_form: CohortSettingsForm,
    pause_form: CohortPauseForm,
) -> HttpResponse:  # fmt: skip
    """The cohort's page; a refused form comes back with what was sent and each error on
    its field (400)."""
    if settings_form.is_bound:
        data = request.POST
        values: dict[str, object] = {name: data.get(name, "") for name in data}
        values["visible_watermark"] = bool(data.get("visible_watermark"))
        picked = {name: {str(v) for v in data.getlist(name)} for name in LISTS}
    else:
        values = _initial(cohort)
        picked = {name: {str(v) for v in values[name]} for name in LISTS}  # type: ignore[attr-defined]
    options = settings_options()
    boxes = {
        name: [(str(value), label, str(value) in picked[name]) for value, label in options[key]]
        for name, key in zip(LISTS, ("durations", "resolutions", "modes"), strict=True)
    }
    errors = errors_by_field(settings_form)
    pause_errors = errors_by_field(pause_form)
    return render(
        request,
        "cohorts/staff_detail.html",
        {
            "cohort": cohort,
            "seats_taken": cohort_seats_taken(cohort=cohort),
            "values": values,
            "boxes": boxes,
            "policies": options["policies"],
            "errors": errors,
            "pause_errors": pause_errors,
            "pause_reason": pause_form["reason"].value() or "",
        },
        status=400 if errors or pause_errors else 200,
    )
