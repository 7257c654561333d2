"""Writes about people."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.api_tokens import token_display, token_generate, token_hash
from accounts.models import ApiToken, User, normalize_email, public_credit_key
from accounts.permissions import RUN_PROGRAM, has_staff_flag, require
from accounts.roles import Role, sync_role_groups
from accounts.scopes import token_scopes_for
from audit.services import audit_record
from domain.errors import DomainError, NotAllowed
from domain.text import clean_text

if TYPE_CHECKING:
    from cohorts.models import Cohort


@transaction.atomic
def user_set_role(*, user: User, role: Role) -> User:
    """Give ``user`` exactly one role. Reviewers and program admins are staff."""
    groups = {g.name: g for g in Group.objects.filter(name__in=Role.values)}
    if len(groups) != len(Role.values):
        sync_role_groups()
        groups = {g.name: g for g in Group.objects.filter(name__in=Role.values)}
    user.groups.remove(*groups.values())
    user.groups.add(groups[role.value])
    user.is_staff = role != Role.ARTIST
    user.save(update_fields=["is_staff"])
    # Django caches permissions on the instance; the role just changed them.
    for cache in ("_perm_cache", "_user_perm_cache", "_group_perm_cache"):
        user.__dict__.pop(cache, None)
    return user


@transaction.atomic
def user_create(
    *,
    email: str,
    password: str | None,
    role: Role,
    full_name: str = "",
    cohort: Cohort | None = None,
) -> User:
    """Create an account with a role (used by set-up commands and tests; artists normally
    arrive through an invitation)."""
    user = User.objects.create_user(
        email=normalize_email(email), password=password, full_name=full_name, cohort=cohort
    )
    return user_set_role(user=user, role=role)


def user_set_paused(*, actor: User | None, user: User, paused: bool, reason: str = "") -> User:
    """Pause (or resume) one account's generation without touching anyone else.
    Pausing needs a reason; the artist sees it."""

    require(
        actor=actor,
        perm=RUN_PROGRAM,
        missing="system",  # automatic containment, the operator's shell
        message=_("Only program admins may pause an account."),
    )
    reason = clean_text(
        reason if paused else "",
        field="paused_reason",
        max_length=300,
        required=paused,
        required_message=_("Say why the account is paused; the artist sees it."),
    )
    with transaction.atomic():
        user.is_paused = paused
        user.paused_reason = reason
        user.save(update_fields=["is_paused", "paused_reason"])
        audit_record(
            actor=actor,
            action="account.pause" if paused else "account.resume",
            target=user,
            data={"reason": user.paused_reason},
        )
    return user


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    secret: str  # shown once


def user_set_language(*, user: User, language: str) -> User:
    """Store the portal language a person chose ("" for their browser's): pages follow it
    once signed in, and emails to them go out in it (accounts.language)."""
    if language and language not in dict(settings.LANGUAGES):
        raise ValueError(f"not a portal language: {language!r}")
    if user.language != language:
        user.language = language
        User.objects.filter(pk=user.pk).update(language=language)
    return user


def user_has_mfa(user: User) -> bool:
    """Whether the account has an active second factor (an authenticator app). Recovery
    codes alone don't count: they only back one up."""
    from allauth.mfa.models import Authenticator
    from allauth.mfa.utils import is_mfa_enabled

    return is_mfa_enabled(user, [Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN])


def user_sessions_end_all(*, user: User) -> int:
    """Sign ``user`` out everywhere at once and return how many listed sessions ended.

    Bumping ``session_epoch`` (part of every session's auth hash) ends every session,
    listed or not; the session list (allauth.usersessions) is then emptied too, with the
    sessions' stored data."""
    from allauth.usersessions.adapter import get_adapter
    from allauth.usersessions.models import UserSession

    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(session_epoch=F("session_epoch") + 1)
        sessions = list(UserSession.objects.filter(user=user))
        get_adapter().end_sessions(sessions)
    user.refresh_from_db(fields=["session_epoch"])
    return len(sessions)


def user_credentials_changed(*, user: User) -> None:
    """The password changed (or was reset): end every session, this one too, and revoke
    every API token, so nothing obtained with the old password outlives it."""

    with transaction.atomic():
        revoked = ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        ended = user_sessions_end_all(user=user)
        audit_record(
            actor=None,
            action="account.password_changed",
            target=user,
            data={"tokens_revoked": revoked, "sessions_ended": ended},
        )


def user_session_end(*, user: User, session_id: int, current_session_key: str | None) -> None:
    """End one of ``user``'s own sessions (another device). Ending the session in use
    is signing out, which has its own button."""
    from allauth.usersessions.adapter import get_adapter
    from allauth.usersessions.models import UserSession

    session = UserSession.objects.filter(pk=session_id, user=user).first()
    if session is None:
        raise DomainError(_("That session has already ended."), code="not_found")
    if session.session_key == current_session_key:
        raise NotAllowed(_("This is the session you are using: sign out instead."))
    get_adapter().end_sessions([session])
    audit_record(
        actor=user,
        action="account.session_end",
        target=user,
        data={"ip": session.ip, "user_agent": session.user_agent[:200]},
    )


def api_token_create(
    *, user: User, name: str, scope: str, expires_in_days: int = 90
) -> IssuedToken:
    """Issue a personal token. The secret is returned once and never stored."""
    from django.core.exceptions import ValidationError

    if has_staff_flag(user) and not user_has_mfa(user):
        raise NotAllowed(
            _("Staff accounts need two-factor authentication before they can hold API tokens.")
        )
    errors: dict[str, str | ValidationError] = {}
    try:
        name = clean_text(
            name,
            field="name",
            max_length=100,
            required=True,
            required_message=_("Name the token after what uses it, e.g. 'render script'."),
        )
    except ValidationError as error:
        errors["name"] = error.error_dict["name"][0]
    allowed = token_scopes_for(user)
    if scope not in allowed:
        # Artists read and generate; staff review. Neither holds the other's scopes.
        errors["scope"] = "Choose one of: " + ", ".join(allowed) + "."
    if not 1 <= expires_in_days <= 365:
        errors["expires_in_days"] = "Choose 1 to 365 days."
    if errors:
        raise ValidationError(errors)
    secret = token_generate()
    now = timezone.now()
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user,
            name=name,
            token_hash=token_hash(secret),
            display=token_display(secret),
            scope=scope,
            created_at=now,
            expires_at=now + timedelta(days=expires_in_days),
        )
        audit_record(actor=user, action="token.create", target=token, data={"scope": scope})
    return IssuedToken(token=token, secret=secret)


def api_token_revoke(*, actor: User, token: ApiToken) -> ApiToken:
    """Revoke one token. Revoking twice is a no-op."""

    if token.user_id != actor.pk and not actor.has_perm(RUN_PROGRAM):
        raise NotAllowed(_("You can only revoke your own tokens."))
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(actor=actor, action="token.revoke", target=token)
    return token


CREDIT_TAKEN = (
    "Another artist is already credited as this, or as something that looks like it: "
    "choose another."
)


def user_set_public_credit(*, user: User, credit: str) -> User:
    """Set how the artist is named in public: the byline of their published videos and
    the C2PA author of videos signed from now on (decision 0012); blank means uncredited.
    The credit is public, so it may not be an email address and may not hold control
    characters; it is unique among artists, compared in a normalised form
    (``public_credit_key``) so that look-alikes collide, and held by a unique constraint
    whoever saves first. A credit a program admin refused can't be set again."""
    import re
    import unicodedata

    from django.core.exceptions import ValidationError

    # Controls are refused before whitespace is folded: str.split() counts some of them
    # (NEL, the separators U+001C-U+001F) as spaces and would quietly drop them.
    if any(unicodedata.category(ch) == "Cc" and ch not in "\t\n\r" for ch in credit):
        raise ValidationError({"public_credit": _("Use letters, digits and punctuation only.")})
    credit = " ".join(credit.split())
    if len(credit) > 100:
        raise ValidationError({"public_credit": _("At most 100 characters.")})
    # Control, private-use and unassigned characters, and bidi overrides that could make
    # the credit read as something else; joiners (needed by some scripts) stay allowed.
    if any(
        unicodedata.category(ch) in {"Cc", "Cs", "Co", "Cn"}
        or unicodedata.bidirectional(ch)
        in {"LRE", "RLE", "LRO", "RLO", "PDF", "LRI", "RLI", "FSI", "PDI"}
        for ch in credit
    ):
        raise ValidationError({"public_credit": _("Use letters, digits and punctuation only.")})
    if re.search(r"\S+@\S+\.\S+", credit):
        raise ValidationError(
            {
                "public_credit": _(
                    "Use a name or handle, not an email address: the credit is public."
                )
            }
        )
    # Then the rule every free-text field follows (NFC; no other format characters).
    credit = clean_text(credit, field="public_credit", max_length=100)
    from django.db import IntegrityError

    key = public_credit_key(credit)
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        refused = locked.public_credit_refused_at is not None
        if key and refused and key == locked.public_credit_key:
            why = locked.public_credit_refusal
            raise ValidationError(
                {"public_credit": _("The program team refused this credit: %(why)s") % {"why": why}}
            )
        if credit == locked.public_credit and not refused:
            return user
        if key and public_credit_taken(key=key, by_other_than=locked):
            raise ValidationError({"public_credit": CREDIT_TAKEN})
        changes = {
            "public_credit": credit,
            "public_credit_key": key,
            "public_credit_refused_at": None,
            "public_credit_refusal": "",
        }
        try:
            with transaction.atomic():  # a savepoint: a racing artist may have saved first
                User.objects.filter(pk=locked.pk).update(**changes)
        except IntegrityError as error:
            raise ValidationError({"public_credit": CREDIT_TAKEN}) from error
        audit_record(
            actor=user, action="account.credit_set", target=locked, data={"credit": credit}
        )
    for field, value in changes.items():
        setattr(user, field, value)
    return user


def public_credit_taken(*, key: str, by_other_than: User) -> bool:
    """Whether another account holds a credit with this key (a courtesy check for a clear
    message; the unique constraint is what holds under concurrency)."""
    return User.objects.filter(public_credit_key=key).exclude(pk=by_other_than.pk).exists()
