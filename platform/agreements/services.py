"""Writes about agreements: drafting, publishing, accepting."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.permissions import RUN_PROGRAM, require
from agreements.errors import AgreementChanged, AgreementFrozen, NoAgreementPublished
from agreements.models import AgreementAcceptance, AgreementTranslation, AgreementVersion
from agreements.rendering import text_sha256
from agreements.selectors import agreement_current
from audit.services import audit_record
from domain.text import clean_text

if TYPE_CHECKING:
    from accounts.models import User

MAX_USER_AGENT = 500
MAX_BODY = 200_000


# Anyone but a program admin is refused; no actor is the system itself (a management
# command, the operator's shell): full authority, hence missing="system" below.
_ONLY_ADMINS = gettext_lazy("Only program admins may edit or publish agreements.")


def _check_text(*, title: str, body: str) -> tuple[str, str]:
    """The title and body as they will be stored; both follow ``domain.text.clean_text``."""
    errors: dict[str, ValidationError] = {}
    rules = {
        "title": (title, False, 200, "Give the agreement a title."),
        "body": (body, True, MAX_BODY, "The agreement text can't be empty."),
    }
    clean: dict[str, str] = {}
    for field, (value, multiline, limit, missing) in rules.items():
        try:
            clean[field] = clean_text(
                value,
                field=field,
                max_length=limit,
                multiline=multiline,
                required=True,
                required_message=missing,
            )
        except ValidationError as error:
            errors[field] = error.error_dict[field][0]
    if errors:
        raise ValidationError(errors)
    # The body is checked by the same rule but stored exactly as written: its SHA-256 is
    # what people sign.
    return clean["title"], body


def agreement_version_create(
    *, actor: User | None, title: str, body: str, effective_at: datetime
) -> AgreementVersion:
    """Create a draft. Drafts bind nobody until published."""
    require(actor=actor, perm=RUN_PROGRAM, missing="system", message=_ONLY_ADMINS)
    title, body = _check_text(title=title, body=body)
    return AgreementVersion.objects.create(title=title, body=body, effective_at=effective_at)


def agreement_version_update(
    *, actor: User | None, version: AgreementVersion, title: str, body: str, effective_at: datetime
) -> AgreementVersion:
    """Edit a draft. A published version is frozen: raises AgreementFrozen."""
    require(actor=actor, perm=RUN_PROGRAM, missing="system", message=_ONLY_ADMINS)
    title, body = _check_text(title=title, body=body)
    with transaction.atomic():
        locked = AgreementVersion.objects.select_for_update().get(pk=version.pk)
        if locked.is_published:
            raise AgreementFrozen(
                _("This version is published; its text can't change. Draft a new one.")
            )
        locked.title, locked.body, locked.effective_at = title, body, effective_at
        locked.save(update_fields=["title", "body", "effective_at"])
    return locked


def agreement_version_publish(*, actor: User | None, version: AgreementVersion) -> AgreementVersion:
    """Freeze the text and make it binding from ``effective_at``: from then on everyone
    (artists) must accept it, even those who accepted an earlier version.
    Publishing twice is a no-op."""
    require(actor=actor, perm=RUN_PROGRAM, missing="system", message=_ONLY_ADMINS)
    with transaction.atomic():
        locked = AgreementVersion.objects.select_for_update().get(pk=version.pk)
        if locked.is_published:
            return locked
        locked.published_at = timezone.now()
        locked.published_by = actor
        locked.text_sha256 = text_sha256(locked.body)
        locked.save(update_fields=["published_at", "published_by", "text_sha256"])
        audit_record(
            actor=actor,
            action="agreement.publish",
            target=locked,
            data={"sha256": locked.text_sha256},
        )
    return locked


def agreement_translation_save(
    *, actor: User | None, version: AgreementVersion, language: str, title: str, body: str
) -> AgreementTranslation:
    """Add or correct ``version``'s translation into ``language``, for reading only: it is
    never signed or hashed, so it may change after publication (decision 0025)."""
    require(actor=actor, perm=RUN_PROGRAM, missing="system", message=_ONLY_ADMINS)
    if language not in dict(settings.LANGUAGES):
        raise ValidationError({"language": _("Not a portal language.")})
    if language == version.language:
        raise ValidationError({"language": _("The binding text is already in this language.")})
    title, body = _check_text(title=title, body=body)
    with transaction.atomic():
        translation, _created = AgreementTranslation.objects.update_or_create(
            version=version, language=language, defaults={"title": title, "body": body}
        )
        audit_record(
            actor=actor, action="agreement.translation", target=version,
            data={"language": language},
        )  # fmt: skip
    return translation


def agreement_accept(
    *,
    user: User,
    typed_full_name: str,
    ip_address: str | None,
    user_agent: str,
    seen_sha256: str | None = None,
) -> AgreementAcceptance:
    """Record that ``user`` accepts the current version by typing their full name.

    ``seen_sha256`` is the digest of the text the person was shown; if the current text
    differs they must read it again (AgreementChanged). Accepting twice returns the
    first record.
    """
    name = clean_text(typed_full_name, field="full_name", max_length=200)
    if len(name) < 2:
        raise ValidationError({"full_name": _("Type your full name to sign.")})
    version = agreement_current()
    if version is None:
        raise NoAgreementPublished(_("No agreement has been published yet."))
    if seen_sha256 is not None and seen_sha256 != version.text_sha256:
        raise AgreementChanged(
            _("The agreement changed while you were reading it. Please read the current version.")
        )
    existing = AgreementAcceptance.objects.filter(user=user, version=version).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            acceptance = AgreementAcceptance.objects.create(
                user=user,
                version=version,
                typed_full_name=name,
                accepted_at=timezone.now(),
                ip_address=ip_address,
                user_agent=user_agent[:MAX_USER_AGENT],
                text_sha256=version.text_sha256,
            )
            if not user.full_name:
                user.full_name = name
                user.save(update_fields=["full_name"])
            audit_record(
                actor=user, action="agreement.accept", target=acceptance,
                data={"version": version.pk, "sha256": version.text_sha256},
            )  # fmt: skip
    except IntegrityError:
        # The same person submitted twice at once; the other request recorded it.
        return AgreementAcceptance.objects.get(user=user, version=version)
    return acceptance
