"""Agreement pages: read and sign the current version, see what you signed, and (staff)
who has signed which version."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language, gettext

from accounts.http import signed_in_user
from agreements.errors import AgreementChanged, NoAgreementPublished
from agreements.forms import AcceptAgreementForm
from agreements.models import AgreementVersion
from agreements.selectors import (
    agreement_acceptances_of,
    agreement_status,
    agreement_translation_for,
    agreement_version_report,
    agreement_versions_published,
)
from agreements.services import agreement_accept
from web.http import client_ip, error_text, safe_next_url
from web.refusals import refusal_to_form


def _next_url(request: HttpRequest) -> str:
    return safe_next_url(request, default="/")


@login_required
def agreement_current_page(request: HttpRequest) -> HttpResponse:
    status = agreement_status(user=signed_in_user(request))
    form = AcceptAgreementForm(
        request.POST or None,
        initial={"text_sha256": status.current.text_sha256 if status.current else ""},
    )
    if request.method == "POST" and status.current is not None and form.is_valid():
        try:
            agreement_accept(
                user=signed_in_user(request),
                typed_full_name=form.cleaned_data["full_name"],
                ip_address=client_ip(request),
                user_agent=request.headers.get("user-agent", ""),
                seen_sha256=form.cleaned_data["text_sha256"],
            )
        except ValidationError as error:
            refusal_to_form(form, error, field="full_name")
        except (AgreementChanged, NoAgreementPublished) as error:
            messages.warning(request, error_text(error))
            return redirect(request.get_full_path())
        else:
            messages.success(request, gettext("Thank you. You have accepted the agreement."))
            return redirect(_next_url(request))
    return render(
        request,
        "agreements/current.html",
        {
            "status": status,
            "form": form,
            "next": _next_url(request),
            # For reading only: the form above signs the binding text's hash, always.
            "translation": status.current
            and agreement_translation_for(version=status.current, language=get_language()),
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
def agreement_signed_list(request: HttpRequest) -> HttpResponse:
    acceptances = agreement_acceptances_of(user=signed_in_user(request))
    return render(request, "agreements/signed_list.html", {"acceptances": acceptances})


@login_required
def agreement_signed_detail(request: HttpRequest, pk: int) -> HttpResponse:
    # Only your own: another person's acceptance is a 404, not a 403, so ids reveal nothing.
    acceptance = get_object_or_404(agreement_acceptances_of(user=signed_in_user(request)), pk=pk)
    translation = agreement_translation_for(version=acceptance.version, language=get_language())
    return render(
        request,
        "agreements/signed_detail.html",
        {"acceptance": acceptance, "translation": translation},
    )


@permission_required("agreements.view_agreementacceptance", raise_exception=True)
def staff_agreement_list(request: HttpRequest) -> HttpResponse:
    versions = agreement_versions_published()
    return render(request, "agreements/staff_list.html", {"versions": versions})


@permission_required("agreements.view_agreementacceptance", raise_exception=True)
def staff_agreement_detail(request: HttpRequest, pk: int) -> HttpResponse:
    version = get_object_or_404(AgreementVersion, pk=pk, published_at__isnull=False)
    report = agreement_version_report(version=version)
    return render(request, "agreements/staff_detail.html", {"report": report})
