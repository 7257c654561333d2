"""Writes about people."""

from __future__ import annotations

from django.contrib.auth.models import Group
from django.db import transaction

from accounts.models import User, normalize_email
from accounts.roles import Role, sync_role_groups
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
    from django.core.exceptions import ValidationError

    from audit.services import audit_record
    from domain.errors import NotAllowed

    if actor is not None and not actor.has_perm("accounts.run_program"):
        raise NotAllowed("Only program admins may pause an account.")
    if paused and not reason.strip():
        raise ValidationError(
            {"paused_reason": "Say why the account is paused; the artist sees it."}
        )
    with transaction.atomic():
        user.is_paused = paused
        user.paused_reason = reason.strip() if paused else ""
        user.save(update_fields=["is_paused", "paused_reason"])
        audit_record(
            actor=actor,
            action="account.pause" if paused else "account.resume",
            target=user,
            data={"reason": user.paused_reason},
        )
    return user
