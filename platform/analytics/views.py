"""One cohort's analytics for program admins (issue 18): the page (figures, charts and
the numbers behind them) and the same period as CSV. Thin: ``analytics.selectors``."""

from __future__ import annotations

from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from accounts.http import signed_in_user
from accounts.permissions import RUN_PROGRAM
from analytics.export import analytics_csv, analytics_filename
from analytics.selectors import cohort_analytics
from audit.services import audit_record
from cohorts.models import Cohort
from web.periods import period_form
from web.refusals import errors_by_field


@permission_required(RUN_PROGRAM, raise_exception=True)
@require_GET
def cohort_analytics_page(request: HttpRequest, cohort_id: int) -> HttpResponse:
    cohort = get_object_or_404(Cohort, pk=cohort_id)
    form, period = period_form(request.GET)
    return render(
        request,
        "staff/cohort_analytics.html",
        {
            "cohort": cohort,
            "form": form,
            "errors": errors_by_field(form),
            "analytics": cohort_analytics(cohort=cohort, period=period) if period else None,
            "query": request.GET.urlencode(),
        },
        status=200 if period else 400,
    )


@permission_required(RUN_PROGRAM, raise_exception=True)
@require_GET
def cohort_analytics_export(request: HttpRequest, cohort_id: int) -> HttpResponse:
    cohort = get_object_or_404(Cohort, pk=cohort_id)
    form, period = period_form(request.GET)
    if period is None:
        errors = "\n".join(f"{name}: {text}" for name, text in errors_by_field(form).items())
        return HttpResponse(errors, status=400, content_type="text/plain; charset=utf-8")
    analytics = cohort_analytics(cohort=cohort, period=period)
    audit_record(
        actor=signed_in_user(request),
        action="analytics.export",
        target=cohort,
        data={"from": period.first_day.isoformat(), "to": period.last_day.isoformat()},
    )
    response = HttpResponse(analytics_csv(analytics), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{analytics_filename(analytics)}"'
    response["Cache-Control"] = "no-store"
    return response
