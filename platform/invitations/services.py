"""Writes about invitations: create (one or a batch), resend, revoke, accept."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User, normalize_email
from accounts.permissions import RUN_PROGRAM, require
from accounts.roles import Role
from accounts.services import user_set_role
from audit.services import audit_record
from cohorts.models import Cohort
from domain.errors import InvalidTransition
from domain.text import clean_text
from invitations.errors import (
    CohortFull,
    EmailMismatch,
    InvitationError,
    InvitationExpired,
    InvitationRevoked,
    InvitationUnknown,
    InvitationUsed,
)
from invitations.models import (
    WAVE_NAME_MAX,
    Invitation,
    InvitationState,
    InvitationStatus,
    InvitationWave,
)
from invitations.tokens import hash_token, new_token


@dataclass(frozen=True)
class IssuedInvitation:
    """A new invitation and its secret link. The link can't be recovered later."""

    invitation: Invitation
    token: str

    @property
    def link(self) -> str:
        return invitation_link(token=self.token)


def invitation_link(*, token: str) -> str:
    return settings.SITE_URL + reverse("invitations:landing", kwargs={"token": token})


# Anyone but a program admin is refused; no actor is the system itself (a management
# command, the operator's shell): full authority, hence missing="system" below.
_ONLY_ADMINS = gettext_lazy("Only program admins may invite artists.")


def invitation_validate_email(*, email: str) -> str:
    """Normalise ``email`` and check that it may be invited. Raises ValidationError."""
    address = normalize_email(email)
    try:
        validate_email(address)
    except ValidationError:
        raise ValidationError(
            {
                "email": ValidationError(
                    _("%(email)r is not a valid email address.") % {"email": email}, code="invalid"
                )
            }
        ) from None
    if User.objects.filter(email__iexact=address).exists():
        raise ValidationError(
            {
                "email": ValidationError(
                    _("%(address)s already has an account.") % {"address": address},
                    code="email_taken",
                )
            }
        )
    pending = Invitation.objects.filter(
        email__iexact=address, status=InvitationStatus.PENDING, expires_at__gt=timezone.now()
    )
    if pending.exists():
        raise ValidationError(
            {
                "email": ValidationError(
                    _("%(address)s already has a pending invitation; revoke it to send a new one.")
                    % {"address": address},
                    code="already_invited",
                )
            }
        )
    return address


WAVE_NOTE_MAX = 2000


def invitation_wave_create(
    *, actor: User | None, name: str, cohort: Cohort | None = None, note: str = ""
) -> InvitationWave:
    """Name a new wave of invitations. Raises ValidationError on ``new_wave`` for an empty
    name or one already used (whatever the case), and on ``note`` for a bad note."""
    require(actor=actor, perm=RUN_PROGRAM, missing="system", message=_ONLY_ADMINS)
    name = clean_text(
        name, field="new_wave", max_length=WAVE_NAME_MAX, required=True,
        required_message=_("Name the new wave."),
    )  # fmt: skip
    note = clean_text(note, field="note", max_length=WAVE_NOTE_MAX, multiline=True)
    with transaction.atomic():
        # The unique index decides under a race; this check gives the usual answer a message.
        if InvitationWave.objects.filter(name__iexact=name).exists():
            raise ValidationError(
                {
                    "new_wave": ValidationError(
                        _("A wave named %(name)s exists already; choose it from the list.")
                        % {"name": name},
                        code="wave_taken",
                    )
                }
            )
        wave = InvitationWave.objects.create(name=name, cohort=cohort, created_by=actor, note=note)
        audit_record(
            actor=actor, action="invitation_wave.create", target=wave,
            data={"name": name, "cohort": cohort.name if cohort else None},
        )  # fmt: skip
    return wave


def _wave_for(
    *, actor: User | None, wave: InvitationWave | None, new_wave: str, cohort: Cohort
) -> InvitationWave | None:
    """The wave an invitation goes into: an existing one, or a new one named here."""
    if wave is not None and new_wave.strip():
        raise ValidationError(
            {
                "new_wave": ValidationError(
                    _("Choose an existing wave or name a new one, not both."), code="both"
                )
            }
        )
    if new_wave.strip():
        return invitation_wave_create(actor=actor, name=new_wave, cohort=cohort)
    return wave


def invitation_create(
    *,
    inviter: User | None,
    email: str,
    cohort: Cohort,
    expires_in_days: int | None = None,
    send_email: bool = True,
    wave: InvitationWave | None = None,
    new_wave: str = "",
) -> IssuedInvitation:
    """Invite ``email`` into ``cohort`` and (after commit) email the sign-up link, as part
    of ``wave`` or of a new wave named ``new_wave`` (created in the same transaction).

    Raises NotAllowed when ``inviter`` is not a program admin and ValidationError (per
    field) for a bad or already-invited address or a bad wave.
    """
    require(actor=inviter, perm=RUN_PROGRAM, missing="system", message=_ONLY_ADMINS)
    days = settings.INVITATION_EXPIRY_DAYS if expires_in_days is None else expires_in_days
    if not 1 <= days <= 90:
        raise ValidationError(
            {"expires_in_days": ValidationError(_("Choose 1 to 90 days."), code="out_of_range")}
        )
    with transaction.atomic():
        address = invitation_validate_email(email=email)
        into = _wave_for(actor=inviter, wave=wave, new_wave=new_wave, cohort=cohort)
        issued = _issue(inviter=inviter, address=address, cohort=cohort, days=days,
                        send_email=send_email, wave=into)  # fmt: skip
        audit_record(
            actor=inviter, action="invitation.create", target=issued.invitation,
            data={"email": address, "cohort": cohort.name, "wave": into.name if into else None},
        )  # fmt: skip
    return issued


def _issue(
    *,
    inviter: User | None,
    address: str,
    cohort: Cohort,
    days: int,
    send_email: bool,
    wave: InvitationWave | None = None,
) -> IssuedInvitation:
    """The new row and its link, emailed after commit; the caller validates and audits."""
    token = new_token()
    now = timezone.now()
    invitation = Invitation.objects.create(
        email=address,
        cohort=cohort,
        inviter=inviter,
        token_hash=hash_token(token),
        created_at=now,
        expires_at=now + timedelta(days=days),
        wave=wave,
    )
    issued = IssuedInvitation(invitation=invitation, token=token)
    if send_email:
        # In the inviter's language (their portal language, or the default for the
        # invite command): the invitee has no account, so no language of their own yet.
        language = translation.get_language() or settings.LANGUAGE_CODE
        transaction.on_commit(lambda: _send_invitation_email(issued, language=language))
    return issued


def invitation_resend(
    *, actor: User | None, invitation: Invitation, send_email: bool = True
) -> IssuedInvitation:
    """Send a new link for a pending (possibly expired) invitation: the old link stops
    working and a new invitation to the same address and cohort replaces it, with a fresh
    expiry. One transaction, audited once as ``invitation.resend``.

    Raises InvalidTransition for a used or revoked invitation, and ValidationError when
    the address has meanwhile got an account.
    """
    require(actor=actor, perm=RUN_PROGRAM, missing="system", message=_ONLY_ADMINS)
    with transaction.atomic():
        old = Invitation.objects.select_for_update().select_related("cohort").get(pk=invitation.pk)
        if old.status == InvitationStatus.ACCEPTED:
            raise InvalidTransition(_("This invitation was already used; it can't be resent."))
        if old.status == InvitationStatus.REVOKED:
            raise InvalidTransition(
                _("This invitation was revoked; invite the address again instead.")
            )
        old.status = InvitationStatus.REVOKED
        old.revoked_at = timezone.now()
        old.save(update_fields=["status", "revoked_at"])
        address = invitation_validate_email(email=old.email)
        issued = _issue(
            inviter=actor, address=address, cohort=old.cohort,
            days=settings.INVITATION_EXPIRY_DAYS, send_email=send_email, wave=old.wave,
        )  # fmt: skip
        audit_record(
            actor=actor, action="invitation.resend", target=issued.invitation,
            data={"email": address, "cohort": old.cohort.name, "replaces": old.pk},
        )  # fmt: skip
    return issued


@dataclass(frozen=True)
class BatchRow:
    """One row of an invitation upload: its number in the file, as it was written."""

    number: int
    email: str
    cohort_name: str = ""


@dataclass(frozen=True)
class BatchResult:
    """What became of one row: the new invitation, or why there is none."""

    number: int
    email: str
    invitation: Invitation | None = None
    reason: str = ""


def invitation_create_batch(
    *,
    inviter: User | None,
    rows: list[BatchRow],
    default_cohort: Cohort,
    wave: InvitationWave | None = None,
    new_wave: str = "",
) -> list[BatchResult]:
    """Invite each row's address into its named cohort (``default_cohort`` when the row
    names none), each in its own savepoint: a refused row is named with its reason and
    does not undo the others. A later row repeating an address is refused as a duplicate.

    Every invitation goes into ``wave``, or into a new wave named ``new_wave``; a bad wave
    raises ValidationError before any row. A new wave is kept only if some row was invited.
    """
    require(actor=inviter, perm=RUN_PROGRAM, missing="system", message=_ONLY_ADMINS)
    with transaction.atomic():
        into = _wave_for(actor=inviter, wave=wave, new_wave=new_wave, cohort=default_cohort)
        results = _batch_rows(inviter=inviter, rows=rows, default_cohort=default_cohort, wave=into)
        if new_wave.strip() and not any(result.invitation for result in results):
            transaction.set_rollback(True)
    return results


def _batch_rows(
    *,
    inviter: User | None,
    rows: list[BatchRow],
    default_cohort: Cohort,
    wave: InvitationWave | None,
) -> list[BatchResult]:
    names = {row.cohort_name for row in rows if row.cohort_name}
    cohorts = {c.name: c for c in Cohort.objects.filter(name__in=names)}
    seen: set[str] = set()
    results = []
    for row in rows:
        address = normalize_email(row.email)
        if address in seen:
            reason = _("%(address)s appears earlier in the file.") % {"address": address}
            results.append(BatchResult(number=row.number, email=row.email, reason=reason))
            continue
        seen.add(address)
        cohort = cohorts.get(row.cohort_name) if row.cohort_name else default_cohort
        if cohort is None:
            reason = _("No cohort is named %(name)s.") % {"name": row.cohort_name}
            results.append(BatchResult(number=row.number, email=row.email, reason=reason))
            continue
        try:
            issued = invitation_create(inviter=inviter, email=row.email, cohort=cohort, wave=wave)
        except ValidationError as error:
            reason = " ".join(error.messages)
            results.append(BatchResult(number=row.number, email=row.email, reason=reason))
        else:
            results.append(
                BatchResult(number=row.number, email=row.email, invitation=issued.invitation)
            )
    return results


def _send_invitation_email(issued: IssuedInvitation, *, language: str) -> None:
    context = {"invitation": issued.invitation, "link": issued.link}
    with translation.override(language):
        send_mail(
            subject=_("You're invited to the Vernissage preview (%(cohort)s)")
            % {"cohort": issued.invitation.cohort.name},
            message=render_to_string("invitations/email/invitation.txt", context),
            from_email=None,
            recipient_list=[issued.invitation.email],
        )


def invitation_revoke(*, actor: User | None, invitation: Invitation) -> Invitation:
    """Withdraw a pending invitation. Revoking twice is a no-op; a used one can't be revoked."""
    require(actor=actor, perm=RUN_PROGRAM, missing="system", message=_ONLY_ADMINS)
    with transaction.atomic():
        locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if locked.status == InvitationStatus.REVOKED:
            return locked
        if locked.status == InvitationStatus.ACCEPTED:
            raise InvalidTransition(_("This invitation was already used; it can't be revoked."))
        locked.status = InvitationStatus.REVOKED
        locked.revoked_at = timezone.now()
        locked.save(update_fields=["status", "revoked_at"])
        audit_record(actor=actor, action="invitation.revoke", target=locked)
    return locked


_STATE_ERRORS: dict[InvitationState, type[InvitationError]] = {
    InvitationState.ACCEPTED: InvitationUsed,
    InvitationState.REVOKED: InvitationRevoked,
    InvitationState.EXPIRED: InvitationExpired,
}

_STATE_MESSAGES: dict[InvitationState, str] = {
    InvitationState.ACCEPTED: "Each invitation works once, and this one has been used. "
    "If that was you, sign in instead.",
    InvitationState.REVOKED: "The program team withdrew this invitation. "
    "Ask them if you think that's a mistake.",
    InvitationState.EXPIRED: "Invitations are valid for a limited time. "
    "Ask the program team for a new one.",
}


def _ensure_usable(invitation: Invitation) -> Invitation:
    state = invitation.state
    if state != InvitationState.PENDING:
        raise _STATE_ERRORS[state](_STATE_MESSAGES[state])
    return invitation


def invitation_for_token(*, token: str, lock: bool = False) -> Invitation:
    """The usable invitation behind ``token``, or the specific reason it can't be used."""
    queryset = Invitation.objects.select_related("cohort")
    if lock:
        queryset = queryset.select_for_update(of=("self",))
    invitation = queryset.filter(token_hash=hash_token(token)).first() if token else None
    if invitation is None:
        raise InvitationUnknown(
            _("Check that you copied the whole link from your invitation email.")
        )
    return _ensure_usable(invitation)


def invitation_accept(*, token: str, user: User) -> Invitation:
    """Use the invitation behind ``token`` for ``user``: join the cohort as an artist.

    Runs in one transaction with the invitation and then the cohort row locked, so two
    people accepting at once can't both take the last seat, and one link can't be used
    twice. Raises an InvitationError subclass and changes nothing on failure.
    """
    with transaction.atomic():
        invitation = invitation_for_token(token=token, lock=True)
        if normalize_email(user.email) != invitation.email:
            raise EmailMismatch(
                _("This invitation is for %(email)s; sign up with that address.")
                % {"email": invitation.email},
                field="email",
            )
        cohort = Cohort.objects.select_for_update().get(pk=invitation.cohort_id)
        if cohort.members.count() >= cohort.capacity:
            raise CohortFull(
                _(
                    "All %(capacity)s seats in %(name)s are taken. Ask the "
                    "program team to add seats or move you to another cohort."
                )
                % {"capacity": cohort.capacity, "name": cohort.name}
            )
        user.cohort = cohort
        user.save(update_fields=["cohort"])
        user_set_role(user=user, role=Role.ARTIST)
        invitation.status = InvitationStatus.ACCEPTED
        invitation.accepted_at = timezone.now()
        invitation.accepted_by = user
        invitation.save(update_fields=["status", "accepted_at", "accepted_by"])
        audit_record(
            actor=user, action="invitation.accept", target=invitation, data={"cohort": cohort.name}
        )
    return invitation
