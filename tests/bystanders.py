"""'Nobody else is touched', checked on everybody else: every other account's jobs, quota,
tokens, sessions and publications, its pause and its cohort's, and the global switch,
snapshotted before an action and compared after, not just the next request a bystander
happens to make.

    give_everything(other_artist, reviewer=reviewer, make_output=make_output)
    bystanders = Bystanders.snapshot(except_for=[artist])
    account_suspend(admin=program_admin, user=artist, reason="Leak")
    bystanders.assert_untouched()
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime

from allauth.usersessions.models import UserSession
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone

from accounts.models import ApiToken, User
from accounts.services import api_token_create
from containment.models import GenerationSwitch
from jobs.models import Job, JobStatus, Output
from jobs.selectors import quota_used_today
from jobs.worker import job_claim
from moderation.services import review_approve, review_claim
from publishing.models import Publication, PublicationStatus
from publishing.services import publication_create


@dataclass(frozen=True)
class AccountState:
    """What an action aimed at someone else must leave as it was on this account."""

    is_active: bool
    is_paused: bool
    paused_reason: str
    cohort_paused: bool | None
    session_epoch: int
    password: str  # a changed password ends every session and token
    # (id, status, cancel_requested_at, quota_refunded) of every job
    jobs: tuple[tuple[int, str, datetime | None, bool], ...]
    quota_used_today: int
    active_tokens: tuple[int, ...]
    sessions: tuple[str, ...]  # keys of the stored sessions signed in as this account
    listed_sessions: tuple[str, ...]  # the account's session list (allauth.usersessions)
    active_publications: tuple[int, ...]

    @property
    def has_everything(self) -> bool:
        """Whether there is something of each kind to lose: a snapshot of nothing proves
        nothing."""
        statuses = {status for _, status, _, _ in self.jobs}
        return bool(
            {JobStatus.QUEUED, JobStatus.RUNNING} <= statuses
            and self.quota_used_today
            and self.active_tokens
            and self.sessions
            and self.active_publications
        )


def _session_keys_by_user() -> dict[str, list[str]]:
    keys: dict[str, list[str]] = {}
    for session in Session.objects.filter(expire_date__gt=timezone.now()).order_by("pk"):
        user_id = session.get_decoded().get("_auth_user_id")
        if user_id is not None:
            keys.setdefault(str(user_id), []).append(session.session_key)
    return keys


def account_state(user: User, *, sessions: dict[str, list[str]] | None = None) -> AccountState:
    user = User.objects.select_related("cohort").get(pk=user.pk)
    if sessions is None:
        sessions = _session_keys_by_user()
    jobs = Job.objects.filter(artist=user).order_by("pk")
    return AccountState(
        is_active=user.is_active,
        is_paused=user.is_paused,
        paused_reason=user.paused_reason,
        cohort_paused=None if user.cohort is None else user.cohort.is_paused,
        session_epoch=user.session_epoch,
        password=user.password,
        jobs=tuple(jobs.values_list("pk", "status", "cancel_requested_at", "quota_refunded")),
        quota_used_today=quota_used_today(user=user),
        active_tokens=tuple(
            ApiToken.objects.filter(
                user=user, revoked_at__isnull=True, expires_at__gt=timezone.now()
            )
            .order_by("pk")
            .values_list("pk", flat=True)
        ),
        sessions=tuple(sessions.get(str(user.pk), [])),
        listed_sessions=tuple(
            UserSession.objects.filter(user=user)
            .order_by("session_key")
            .values_list("session_key", flat=True)
        ),
        active_publications=tuple(
            Publication.objects.filter(output__job__artist=user, status=PublicationStatus.ACTIVE)
            .order_by("pk")
            .values_list("pk", flat=True)
        ),
    )


@dataclass(frozen=True)
class Bystanders:
    """Every account but ``except_for``, and the global switch, at one moment."""

    except_for: frozenset[int]
    accounts: dict[str, AccountState] = field(default_factory=dict)
    generation_paused_for_everyone: bool = False

    @classmethod
    def snapshot(cls, *, except_for: Iterable[User]) -> Bystanders:
        excluded = frozenset(user.pk for user in except_for)
        sessions = _session_keys_by_user()
        accounts = {
            user.email: account_state(user, sessions=sessions)
            for user in User.objects.exclude(pk__in=excluded).order_by("pk")
        }
        return cls(
            except_for=excluded,
            accounts=accounts,
            generation_paused_for_everyone=GenerationSwitch.objects.filter(paused=True).exists(),
        )

    def of(self, user: User) -> AccountState:
        return self.accounts[user.email]

    def assert_untouched(self) -> None:
        now = Bystanders.snapshot(except_for=User.objects.filter(pk__in=self.except_for))
        assert now.generation_paused_for_everyone == self.generation_paused_for_everyone
        assert set(now.accounts) == set(self.accounts), "accounts appeared or disappeared"
        for email, before in self.accounts.items():
            after = now.accounts[email]
            changed = {
                name: (getattr(before, name), getattr(after, name))
                for name in before.__dataclass_fields__
                if getattr(before, name) != getattr(after, name)
            }
            assert not changed, f"{email} was touched: {changed} (before, after)"


def give_everything(user: User, *, reviewer: User, make_output: Callable[..., Output]) -> Client:
    """Give ``user`` one of everything an action aimed at someone else could wrongly
    touch: a queued and a running job (today's quota used), a published video, an active
    API token and a signed-in browser session (returned)."""
    assert user.cohort is not None
    for _ in range(2):
        queued = Job.objects.create(
            artist=user, cohort=user.cohort, prompt="a lighthouse in fog", duration_seconds=2,
            resolution="480p", aspect_ratio="16:9", seed=3, model="tiny-wan", num_frames=9,
            width=80, height=48, fps=8, steps=4, guidance=5.0,
        )  # fmt: skip
    assert job_claim(job_id=queued.pk) is not None  # the second one is running
    output = make_output(user)
    review_approve(item=review_claim(item=output.review, reviewer=reviewer), reviewer=reviewer)
    publication_create(output=output, artist=user, visibility="gallery")
    api_token_create(user=user, name="studio", scope="generate")
    client = Client()
    client.force_login(user)
    return client
