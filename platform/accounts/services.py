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
