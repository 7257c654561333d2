"""Who is who: the one place that says who is staff, an artist, a reviewer or a program
admin, and what an action without an acting person means (issue 15).

A role (``accounts.roles``) is a Django group holding permissions. Code asks about the
permissions below, never about group names; the roles say who holds them.

"Is this person staff?" has two answers here, and they agree for every account the
program makes (``tests/accounts/test_permissions.py`` holds them to it):

- ``is_staff_member``: the full answer: an active account with the staff flag, a
  superuser, or a staff role. Who must pass two-factor authentication, who holds the
  review token scopes; ``staff_member_sql`` is the same question in SQL (the status fast
  path asks it in its one statement).
- ``has_staff_flag``: Django's ``is_staff`` on the row already loaded, without a query.
  ``accounts.services.user_set_role`` keeps it in step with the staff roles and
  ``create_superuser`` sets it. The checks that run on every request (the NDA gate, what
  a list shows) ask this one.

Services that may run without a person (a management command, a task) say what that
means with ``require(..., missing=...)``: ``"system"`` (the system itself acts: allowed)
or ``"refuse"``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.db.models import Field, Q, QuerySet
from django.utils.functional import Promise

from accounts.models import User
from domain.errors import NotAllowed

if TYPE_CHECKING:
    # local import: accounts.roles builds the roles from this module's constants
    from accounts.roles import Role

# The capabilities code checks ("app_label.codename"; the roles hold them).
CREATE_GENERATIONS = "accounts.create_generations"  # artists
REVIEW_OUTPUTS = "accounts.review_outputs"  # reviewers and program admins
RUN_PROGRAM = "accounts.run_program"  # program admins

Missing = Literal["system", "refuse"]


def staff_roles() -> tuple[Role, ...]:
    """The roles that make someone staff: those whose group may review outputs."""
    # local import: accounts.roles builds the roles from this module's constants
    from accounts.roles import ROLE_PERMISSIONS

    return tuple(role for role, perms in ROLE_PERMISSIONS.items() if REVIEW_OUTPUTS in perms)


def is_staff_member(user: object) -> bool:
    """An active account with staff powers: the staff flag (an operator the admin site
    lets in), a superuser, or a staff role (even with the flag cleared)."""
    # local import: accounts.roles builds the roles from this module's constants
    from accounts.roles import role_of

    return bool(
        isinstance(user, User)
        and user.is_active
        and (user.is_staff or user.is_superuser or role_of(user) in staff_roles())
    )


def has_staff_flag(user: object) -> bool:
    """The row's own answer, no query: Django's ``is_staff`` (see the module docstring)."""
    return bool(getattr(user, "is_staff", False))


def _holds(user: object, perm: str) -> bool:
    # has_perm answers no for inactive accounts, yes for active superusers.
    return bool(isinstance(user, User) and user.has_perm(perm))


def is_reviewer(user: object) -> bool:
    """May review outputs (the review queue, takedowns, staff media access): reviewers,
    program admins and superusers, while active."""
    return _holds(user, REVIEW_OUTPUTS)


def is_program_admin(user: object) -> bool:
    """May run the program (cohorts, invitations, agreements, ledger, switches): program
    admins and superusers, while active."""
    return _holds(user, RUN_PROGRAM)


def is_artist(user: object) -> bool:
    """Whose account is an artist's: one of ``artist_accounts``. A suspended artist still
    is one (the ledger still pays them); whether they may generate right now is
    ``user.has_perm(CREATE_GENERATIONS)``."""
    if not isinstance(user, User) or user.pk is None:
        return False
    return artist_accounts().filter(pk=user.pk).exists()


def users_with_perm(
    perm: str, *, include_inactive: bool = False, include_superusers: bool = True
) -> QuerySet[User]:
    """The accounts holding ``perm``, through a role's group or a direct grant. By default
    exactly those ``user.has_perm(perm)`` says yes for: active ones, superusers included.
    Each account once, unordered."""
    app_label, codename = perm.split(".", 1)
    granted = Permission.objects.filter(content_type__app_label=app_label, codename=codename)
    holders = Q(groups__permissions__in=granted) | Q(user_permissions__in=granted)
    if include_superusers:
        holders |= Q(is_superuser=True)
    matching = User.objects.filter(holders)
    if not include_inactive:
        matching = matching.filter(is_active=True)
    return User.objects.filter(pk__in=matching.values("pk"))


def artist_accounts() -> QuerySet[User]:
    """Every artist's account: holders of ``CREATE_GENERATIONS`` (through the artist role
    or a direct grant), suspended ones too; a superuser is not an artist."""
    return users_with_perm(CREATE_GENERATIONS, include_inactive=True, include_superusers=False)


def require(*, actor: User | None, perm: str, missing: Missing, message: str | Promise) -> None:
    """Raise NotAllowed(``message``) unless ``actor`` holds ``perm``. ``missing`` says what
    no actor (None) means: ``"system"``, the system itself acts (a management command, a
    task, the operator's shell) and may; ``"refuse"``, refused like anyone without ``perm``.
    """
    if actor is None:
        if missing == "system":
            return
        if missing != "refuse":
            raise ValueError(f"missing must be 'system' or 'refuse', not {missing!r}")
        raise NotAllowed(str(message))
    if not actor.has_perm(perm):
        raise NotAllowed(str(message))


def staff_member_sql(*, user_alias: str) -> str:
    """``is_staff_member`` as one PostgreSQL boolean over the user row aliased
    ``user_alias``. Group names come from ``staff_roles``, table and column names from
    the models: nothing in it comes from a request."""
    quote = connection.ops.quote_name

    def column(name: str) -> str:
        field = User._meta.get_field(name)
        assert isinstance(field, Field) and field.column is not None
        return f"{user_alias}.{quote(field.column)}"

    memberships = quote(User.groups.through._meta.db_table)
    groups = quote(Group._meta.db_table)
    names = ", ".join(f"'{role.value}'" for role in staff_roles())
    in_staff_role = (
        f"EXISTS (SELECT 1 FROM {memberships} m JOIN {groups} g ON g.id = m.group_id "  # noqa: S608
        f"WHERE m.user_id = {column('id')} AND g.name IN ({names}))"
    )
    return (
        f"({column('is_active')} AND ({column('is_staff')} OR {column('is_superuser')} "
        f"OR {in_staff_role}))"
    )
