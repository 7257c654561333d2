"""Program admins refuse a public credit (issue 11): what public surfaces (the gallery,
unlisted pages, the visible watermark, the C2PA author) may call an artist. The artist
chooses the credit in ``accounts``; refusing it tells them why, so it lives here, above
``notifications``."""

from __future__ import annotations

from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.language import language_for
from accounts.models import User
from accounts.permissions import RUN_PROGRAM, require
from accounts.selectors import NEUTRAL_BYLINE
from audit.services import audit_record
from domain.errors import DomainError
from domain.text import clean_text
from notifications.services import notify


def user_refuse_public_credit(*, actor: User, user: User, reason: str) -> User:
    """Refuse ``user``'s public credit (it impersonates someone, say). From now on it is
    shown nowhere: bylines fall back to the neutral label and videos signed from now on
    carry no author; videos already signed keep theirs. The artist is told why (a
    notification and email, and on /account/credit/) and may choose another; the credit
    stays reserved so nobody else takes it. Audited. Refusing twice is a no-op."""
    require(
        actor=actor,
        perm=RUN_PROGRAM,
        missing="refuse",
        message=_("Only program admins may refuse a public credit."),
    )
    reason = clean_text(
        reason,
        field="reason",
        max_length=500,
        required=True,
        required_message=_("Say why the credit is refused; the artist sees it."),
    )
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        if not locked.public_credit:
            raise DomainError(_("This account has no public credit."), code="no_public_credit")
        if locked.public_credit_refused_at is not None:
            return locked
        locked.public_credit_refused_at = timezone.now()
        locked.public_credit_refusal = reason
        locked.save(update_fields=["public_credit_refused_at", "public_credit_refusal"])
        with translation.override(language_for(locked)):
            notify(
                user=locked,
                message=_(
                    "The program team refused your public credit “%(credit)s”: %(reason)s "
                    "Until you choose another, you are shown as “%(byline)s”."
                )
                % {"credit": locked.public_credit, "reason": reason, "byline": _(NEUTRAL_BYLINE)},
                link=reverse("accounts:credit"),
                email_subject=_("[Vernissage] Your public credit was refused"),
            )
        audit_record(
            actor=actor,
            action="account.credit_refuse",
            target=locked,
            data={"credit": locked.public_credit, "reason": reason},
        )
    user.public_credit_refused_at = locked.public_credit_refused_at
    user.public_credit_refusal = reason
    return user
