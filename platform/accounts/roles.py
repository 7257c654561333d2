"""The three roles, carried by Django groups with permissions.

Services check permissions (``user.has_perm``), never group names, so a role's powers
are defined once, here; who counts as staff, artist, reviewer or program admin is asked of
``accounts.permissions``, which reads these definitions.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib.auth.models import Group, Permission
from django.db import models

from accounts.permissions import CREATE_GENERATIONS, REVIEW_OUTPUTS, RUN_PROGRAM

if TYPE_CHECKING:
    from accounts.models import User


class Role(models.TextChoices):
    ARTIST = "artist", "Artist"
    REVIEWER = "reviewer", "Reviewer"
    PROGRAM_ADMIN = "program_admin", "Program admin"


# "app_label.codename" for every permission a role's group holds.
ROLE_PERMISSIONS: dict[Role, list[str]] = {
    Role.ARTIST: [CREATE_GENERATIONS],
    # Reviewers don't list people: the review queue shows what a decision needs.
    Role.REVIEWER: [
        REVIEW_OUTPUTS,
        "cohorts.view_cohort",
    ],
    Role.PROGRAM_ADMIN: [
        REVIEW_OUTPUTS,
        RUN_PROGRAM,
        "accounts.view_user",
        "accounts.change_user",
        "cohorts.view_cohort",
        "cohorts.add_cohort",
        "cohorts.change_cohort",
        "invitations.view_invitation",
        "invitations.add_invitation",
        "invitations.change_invitation",
        "agreements.view_agreementversion",
        "agreements.add_agreementversion",
        "agreements.change_agreementversion",
        "agreements.view_agreementacceptance",
    ],
}

# Strongest first: a user in several groups has the strongest role.
_ROLE_ORDER = [Role.PROGRAM_ADMIN, Role.REVIEWER, Role.ARTIST]


def role_of(user: User) -> Role | None:
    if not user.is_authenticated or not user.is_active:
        return None
    if user.is_superuser:
        return Role.PROGRAM_ADMIN
    names = set(user.groups.values_list("name", flat=True))
    for role in _ROLE_ORDER:
        if role.value in names:
            return role
    return None


def sync_role_groups(**_: Any) -> None:
    """Create or update the role groups so that each holds exactly its permissions."""
    for role, perms in ROLE_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=role.value)
        wanted = []
        for dotted in perms:
            app_label, codename = dotted.split(".")
            permission = Permission.objects.filter(
                content_type__app_label=app_label, codename=codename
            ).first()
            if permission is None:  # the app defining it has not migrated yet
                continue
            wanted.append(permission)
        group.permissions.set(wanted)
