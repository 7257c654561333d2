"""Who is who (issue 15): every way the project decides who is staff, a reviewer, a
program admin or an artist gives the same answer, for every role (active and suspended),
a superuser, an account with no role and an anonymous visitor."""

from __future__ import annotations

from dataclasses import dataclass
from types import SimpleNamespace

import pytest
from django.contrib.auth.models import AnonymousUser, Group
from django.db import connection
from django.test import RequestFactory
from django.utils import timezone
from django.utils.translation import gettext_lazy

from accounts.mfa import user_needs_mfa
from accounts.models import TokenScope, User
from accounts.permissions import (
    CREATE_GENERATIONS,
    REVIEW_OUTPUTS,
    RUN_PROGRAM,
    artist_accounts,
    has_staff_flag,
    is_artist,
    is_program_admin,
    is_reviewer,
    is_staff_member,
    require,
    staff_member_sql,
    staff_roles,
    users_with_perm,
)
from accounts.roles import ROLE_PERMISSIONS, Role, role_of
from accounts.scopes import token_scopes_for
from accounts.services import user_create
from api.permissions import IsProgramAdmin, IsReviewer
from domain.errors import NotAllowed
from ledger.admin import _is_program_admin
from portal.context_processors import navigation
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

# The truth, written out: which roles are staff and run the program.
STAFF = {Role.REVIEWER, Role.PROGRAM_ADMIN}


@dataclass(frozen=True)
class Case:
    name: str
    role: Role | None = None
    active: bool = True
    superuser: bool = False
    anonymous: bool = False

    def make(self) -> User | AnonymousUser:
        if self.anonymous:
            return AnonymousUser()
        email = f"{self.name}@example.com"
        if self.superuser:
            return User.objects.create_superuser(email=email, password=PASSWORD)
        if self.role is None:
            user = User.objects.create_user(email=email, password=PASSWORD)
        else:
            user = user_create(email=email, password=PASSWORD, role=self.role)
        if not self.active:
            User.objects.filter(pk=user.pk).update(is_active=False)
        return User.objects.get(pk=user.pk)  # fresh: no permission cache

    @property
    def staff(self) -> bool:
        return self.active and not self.anonymous and (self.superuser or self.role in STAFF)

    @property
    def program_admin(self) -> bool:
        return (
            self.active
            and not self.anonymous
            and (self.superuser or self.role == Role.PROGRAM_ADMIN)
        )

    @property
    def artist(self) -> bool:
        """An artist's account, suspended or not."""
        return self.role == Role.ARTIST


CASES = [
    *(Case(name=role.value, role=role) for role in Role),
    *(Case(name=f"suspended-{role.value}", role=role, active=False) for role in Role),
    Case(name="root", superuser=True),
    Case(name="no-role"),
    Case(name="anonymous", anonymous=True),
]


def _staff_by_sql(user: User | AnonymousUser) -> bool:
    """The status fast path's condition, evaluated by PostgreSQL."""
    if user.pk is None:
        return False
    with connection.cursor() as cursor:
        staff = staff_member_sql(user_alias="u")
        table = User._meta.db_table
        cursor.execute(f"SELECT {staff} FROM {table} u WHERE u.id = %s", [user.pk])  # noqa: S608
        return bool(cursor.fetchone()[0])


def _holders(perm: str) -> set[int]:
    return set(users_with_perm(perm).values_list("pk", flat=True))


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_every_way_of_deciding_who_is_who_agrees(case: Case) -> None:
    user = case.make()
    request = RequestFactory().get("/")
    request.user = user
    api_request = SimpleNamespace(user=user)
    nav = navigation(request)
    role = role_of(user) if isinstance(user, User) else None

    staff_answers = {
        "is_staff_member": is_staff_member(user),
        "MFA gate (user_needs_mfa)": user_needs_mfa(user),
        "fast path SQL (staff_member_sql)": _staff_by_sql(user),
        "review token scopes": TokenScope.REVIEW_WRITE in token_scopes_for(user),  # type: ignore[arg-type]
        "role_of in staff_roles()": role in staff_roles(),
        "header (nav_is_staff)": nav["nav_is_staff"],
        "is_reviewer": is_reviewer(user),
        "DRF IsReviewer": IsReviewer().has_permission(api_request, None),  # type: ignore[arg-type]
        "users_with_perm(REVIEW_OUTPUTS)": user.pk in _holders(REVIEW_OUTPUTS),
    }
    if case.active:
        # An inactive account signs in nowhere, so nothing asks its row's flag.
        staff_answers["has_staff_flag"] = has_staff_flag(user)
    assert staff_answers == dict.fromkeys(staff_answers, case.staff)

    admin_answers = {
        "is_program_admin": is_program_admin(user),
        "DRF IsProgramAdmin": IsProgramAdmin().has_permission(api_request, None),  # type: ignore[arg-type]
        "ledger admin": _is_program_admin(request),
        "users_with_perm(RUN_PROGRAM)": user.pk in _holders(RUN_PROGRAM),
        "role_of == PROGRAM_ADMIN": role == Role.PROGRAM_ADMIN,
        "header (nav_is_program_admin)": nav["nav_is_program_admin"],
    }
    assert admin_answers == dict.fromkeys(admin_answers, case.program_admin)

    artist_answers = {
        "is_artist": is_artist(user),
        "artist_accounts()": user.pk in set(artist_accounts().values_list("pk", flat=True)),
        "in the artist group": isinstance(user, User)
        and user.groups.filter(name=Role.ARTIST.value).exists(),
    }
    assert artist_answers == dict.fromkeys(artist_answers, case.artist)
    # Generating needs the role and an active account (a superuser holds everything).
    may_generate = (case.artist and case.active) or (case.superuser and case.active)
    assert user.has_perm(CREATE_GENERATIONS) == may_generate
    assert (user.pk in _holders(CREATE_GENERATIONS)) == may_generate


def test_the_staff_roles_are_the_roles_that_review() -> None:
    assert set(staff_roles()) == STAFF
    for perm in (CREATE_GENERATIONS, REVIEW_OUTPUTS, RUN_PROGRAM):
        assert any(perm in perms for perms in ROLE_PERMISSIONS.values()), perm


def test_users_with_perm_lists_each_account_once() -> None:
    both = user_create(email="both@example.com", password=PASSWORD, role=Role.REVIEWER)
    both.groups.add(Group.objects.get(name=Role.PROGRAM_ADMIN.value))
    assert list(users_with_perm(REVIEW_OUTPUTS).filter(pk=both.pk)) == [both]


def test_users_with_perm_says_who_to_include() -> None:
    root = User.objects.create_superuser(email="root@example.com", password=PASSWORD)
    artist = user_create(email="artist@example.com", password=PASSWORD, role=Role.ARTIST)
    User.objects.filter(pk=artist.pk).update(is_active=False)
    assert set(users_with_perm(CREATE_GENERATIONS)) == {root}
    assert set(users_with_perm(CREATE_GENERATIONS, include_inactive=True)) == {root, artist}
    assert set(users_with_perm(CREATE_GENERATIONS, include_superusers=False)) == set()
    assert set(artist_accounts()) == {artist}


# require: the caller states what no actor means.


def test_require_lets_the_system_act_when_told_so() -> None:
    require(actor=None, perm=RUN_PROGRAM, missing="system", message="no")


def test_require_refuses_no_actor_when_told_so() -> None:
    with pytest.raises(NotAllowed, match="Only program admins") as refused:
        require(actor=None, perm=RUN_PROGRAM, missing="refuse", message="Only program admins.")
    assert refused.value.code == "permission_denied"


@pytest.mark.parametrize("missing", ["system", "refuse"])
def test_require_asks_a_person_for_the_permission_whatever_missing_says(
    missing, artist, program_admin
) -> None:
    require(actor=program_admin, perm=RUN_PROGRAM, missing=missing, message="no")
    with pytest.raises(NotAllowed, match=r"^no$"):
        require(actor=artist, perm=RUN_PROGRAM, missing=missing, message="no")


def test_require_writes_a_lazy_message_when_it_refuses(artist) -> None:
    with pytest.raises(NotAllowed) as refused:
        require(
            actor=artist,
            perm=RUN_PROGRAM,
            missing="refuse",
            message=gettext_lazy("Only program admins may invite artists."),
        )
    assert refused.value.message == "Only program admins may invite artists."
    assert type(refused.value.message) is str


def test_require_knows_only_two_meanings_of_no_actor() -> None:
    with pytest.raises(ValueError, match="missing"):
        require(actor=None, perm=RUN_PROGRAM, missing="allow", message="no")  # type: ignore[arg-type]


def test_each_service_says_what_no_actor_means(cohort) -> None:
    """Set-up commands run without a person (full authority); the ledger's money moves
    only for a program admin, never for nobody."""
    from agreements.services import agreement_version_create
    from invitations.services import invitation_create
    from ledger.services import rate_card_create

    agreement_version_create(actor=None, title="T", body="B", effective_at=timezone.now())
    invitation_create(inviter=None, email="new@example.com", cohort=cohort, send_email=False)
    with pytest.raises(NotAllowed):
        rate_card_create(admin=None, effective_at=timezone.now(), rates={})  # type: ignore[arg-type]
