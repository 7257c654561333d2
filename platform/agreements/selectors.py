"""Reads about agreements and who accepted them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from accounts.permissions import has_staff_flag
from agreements.models import AgreementAcceptance, AgreementTranslation, AgreementVersion

if TYPE_CHECKING:
    from accounts.models import User


def agreement_current(*, now: datetime | None = None) -> AgreementVersion | None:
    """The version everyone must have accepted: the newest published, already effective."""
    moment = now or timezone.now()
    return (
        AgreementVersion.objects.filter(published_at__isnull=False, effective_at__lte=moment)
        .order_by("-effective_at", "-published_at", "-pk")
        .first()
    )


@dataclass(frozen=True)
class AgreementStatus:
    current: AgreementVersion | None
    acceptance: AgreementAcceptance | None
    # Whether the gate holds this user back: pages redirect, the API answers 403.
    required: bool

    @property
    def accepted(self) -> bool:
        return self.acceptance is not None


def agreement_status(*, user: User) -> AgreementStatus:
    """Where ``user`` stands with the current agreement.

    Staff (reviewers, program admins) work under their employment terms and are not
    gated. With no agreement published yet, artists are held at the agreement page.
    """
    current = agreement_current()
    acceptance = None
    if current is not None:
        acceptance = AgreementAcceptance.objects.filter(user=user, version=current).first()
    required = not has_staff_flag(user) and acceptance is None
    return AgreementStatus(current=current, acceptance=acceptance, required=required)


def agreement_required(*, user: User) -> bool:
    """The gate's question alone (``agreement_status(user=user).required``) in one small
    query: it runs on every page and API request, so it loads neither the agreement's text
    nor the acceptance row."""
    if has_staff_flag(user):
        return False
    accepted = AgreementAcceptance.objects.filter(user=user, version=OuterRef("pk"))
    current = (
        AgreementVersion.objects.filter(
            published_at__isnull=False, effective_at__lte=timezone.now()
        )
        .order_by("-effective_at", "-published_at", "-pk")
        .annotate(accepted=Exists(accepted))
        .values_list("accepted", flat=True)
        .first()
    )
    return not current  # None (nothing published yet) or False (not accepted)


def agreement_acceptances_of(*, user: User) -> QuerySet[AgreementAcceptance]:
    return AgreementAcceptance.objects.filter(user=user).select_related("version")


@dataclass(frozen=True)
class VersionReport:
    version: AgreementVersion
    acceptances: list[AgreementAcceptance]
    not_accepted: list[User]


def agreement_version_report(*, version: AgreementVersion) -> VersionReport:
    """Who accepted ``version``, and which active artists (non-staff users) have not."""
    acceptances = list(version.acceptances.select_related("user", "user__cohort"))
    accepted_ids = {a.user_id for a in acceptances}
    user_model = get_user_model()
    not_accepted = list(
        user_model.objects.filter(is_active=True, is_staff=False)
        .exclude(pk__in=accepted_ids)
        .select_related("cohort")
        .order_by("email")
    )
    return VersionReport(version=version, acceptances=acceptances, not_accepted=not_accepted)


def agreement_versions_published() -> QuerySet[AgreementVersion]:
    return AgreementVersion.objects.filter(published_at__isnull=False)


def agreement_translation_for(
    *, version: AgreementVersion, language: str
) -> AgreementTranslation | None:
    """``version``'s text in ``language``, for reading; None when there is none, or when
    the binding text is already in that language."""
    if language == version.language:
        return None
    return AgreementTranslation.objects.filter(version=version, language=language).first()
