"""Watch each artist's traffic and contain one account the moment it looks shared.

``activity_observe`` runs after every signed-in request (middleware); ``submission_observe``
runs inside every generation submission. Crossing any threshold calls ``account_contain``:
that account's generation is paused, its tokens revoked and its sessions ended (the same
one-step suspension an operator uses), the artist is told why, program admins are alerted
and the audit log records the findings. Nobody else is touched.
"""

from __future__ import annotations

import hashlib
import logging
import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.urls import reverse

from accounts.models import User
from accounts.permissions import RUN_PROGRAM, has_staff_flag, users_with_perm
from audit.services import audit_record
from containment.rules import (
    Finding,
    Thresholds,
    cadence_finding,
    distinct_ips_finding,
    distinct_user_agents_finding,
    submission_rate_finding,
)
from containment.switches import account_suspend
from containment.throttles import (
    budgets_spend,
    budgets_spend_finish,
    budgets_spend_queue,
    request_budgets,
)
from containment.windows import RedisWindowStore, redis_client, window_store
from containment.windows import now as clock
from notifications.services import notify

log = logging.getLogger(__name__)

# One containment per account at a time, however many requests cross the line at once.
CONTAIN_LOCK_SECONDS = 60


def _watched(user: User) -> bool:
    """Artists are watched, paused ones too (a paused account may still sign in and
    stream its videos). Staff are not: they sign in with MFA, and locking the operators
    out in the middle of an incident would help the leak, not stop it."""
    return bool(
        settings.ANOMALY_DETECTION
        and user.is_authenticated
        and user.is_active
        and not has_staff_flag(user)
        and not user.is_superuser
        # Artists belong to a cohort; staff don't. Checked from the row already loaded:
        # a permission lookup here would cost two queries on every request.
        and user.cohort_id is not None
        # A benchmark's own account submits at machine pace on purpose (bench/).
        and not user.is_benchmark_account
    )


def _fingerprint(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8", "replace"), digest_size=12).hexdigest()


def activity_observe(
    *, user: User, ip: str | None, user_agent: str, at: float | None = None
) -> list[Finding]:
    """Count the distinct addresses and user agents behind this account in the window;
    contain it if either is over its limit. Returns the findings (empty when all is well)."""
    if not _watched(user):
        return []
    limits = Thresholds.from_settings()
    store, at = window_store(), clock() if at is None else at
    window = limits.window_seconds
    ips, agents = store.add_and_count_each(
        _activity_entries(user=user, ip=ip, user_agent=user_agent), now=at, window=window
    )
    return _activity_judge(user=user, ips=ips, agents=agents, limits=limits)


def _activity_entries(*, user: User, ip: str | None, user_agent: str) -> list[tuple[str, str]]:
    return [(f"ip:{user.pk}", ip or "unknown"), (f"ua:{user.pk}", _fingerprint(user_agent))]


def _activity_judge(*, user: User, ips: int, agents: int, limits: Thresholds) -> list[Finding]:
    findings = [
        distinct_ips_finding(ips, limits),
        distinct_user_agents_finding(agents, limits),
    ]
    found = [finding for finding in findings if finding is not None]
    if found:
        account_contain(user=user, findings=found)
    return found


def api_poll_observe(*, user: User, token_id: int | None, ip: str | None, user_agent: str) -> None:
    """One status poll's API budgets and shared-account watch, in one Redis round trip
    (the status fast path, decision 0018): what the DRF throttles and
    ``activity_observe`` do for any other request. Raises ``RateLimited`` past a budget,
    after the activity has been recorded (as the whole stack records it after a 429)."""
    benchmark = user.is_benchmark_account
    budgets = request_budgets(user_id=user.pk, token_id=token_id, benchmark_account=benchmark)
    store, client = window_store(), redis_client()
    if client is None or not isinstance(store, RedisWindowStore):
        activity_observe(user=user, ip=ip, user_agent=user_agent)
        budgets_spend(user_id=user.pk, token_id=token_id, benchmark_account=benchmark)
        return
    at, limits = clock(), Thresholds.from_settings()
    watched = _watched(user)
    pipe = client.pipeline(transaction=True)
    spent = budgets_spend_queue(pipe, budgets, now=at)
    if watched:
        entries = _activity_entries(user=user, ip=ip, user_agent=user_agent)
        store.add_and_count_queue(pipe, entries, now=at, window=limits.window_seconds)
    results = pipe.execute()
    if watched:
        ips, agents = store.add_and_count_finish(results[spent:])
        try:
            _activity_judge(user=user, ips=ips, agents=agents, limits=limits)
        except Exception:
            log.exception("activity watch failed for user %s", user.pk)
    budgets_spend_finish(budgets, results[:spent], now=at)


def submission_observe(*, user: User, at: float | None = None) -> list[Finding]:
    """Record a submission attempt; contain the account if its rate is far above its
    cohort's or its cadence is machine-regular. Returns the findings."""
    if not _watched(user) or user.cohort_id is None:
        return []
    limits = Thresholds.from_settings()
    store, at = window_store(), clock() if at is None else at
    window = limits.window_seconds
    mine = store.add_and_recent(f"sub:{user.pk}", uuid.uuid4().hex, now=at, window=window)
    # The cohort window holds "artist:attempt" members, so counting per artist needs no
    # extra key per artist.
    store.add_and_count(
        f"subc:{user.cohort_id}", f"{user.pk}:{uuid.uuid4().hex}", now=at, window=window
    )
    per_artist = _cohort_counts(cohort_id=user.cohort_id, at=at, window=window)
    others = [count for artist_id, count in per_artist.items() if artist_id != user.pk]
    findings = [
        submission_rate_finding(len(mine), others, limits),
        cadence_finding(mine, limits),
    ]
    found = [finding for finding in findings if finding is not None]
    if found:
        account_contain(user=user, findings=found)
    return found


def _cohort_counts(*, cohort_id: int, at: float, window: float) -> dict[int, int]:
    counts: dict[int, int] = {}
    for member in window_store().members(f"subc:{cohort_id}", now=at, window=window):
        artist_id = int(member.split(":", 1)[0])
        counts[artist_id] = counts.get(artist_id, 0) + 1
    return counts


def benchmark_account_exempt(*, user: User) -> None:
    """Make ``user`` a benchmark's own account (bench/): not watched for signs of sharing
    (``activity_observe``, ``submission_observe``, the status poll's watch) and without the
    per-account API budget, so a benchmark may submit a backlog at machine pace. Token
    budgets, pauses, kill switches, the daily quota and every other rule still hold.

    Only the benchmarks call this, on accounts they made in their own throwaway database;
    no page, API, admin form or setting sets it, so every real account keeps every
    protection. Refuses staff and any account that can sign in with a password (a
    benchmark's accounts have none: it signs them in itself). Audited."""
    if user.has_usable_password() or has_staff_flag(user) or user.is_superuser:
        raise ValueError(
            f"account {user.pk} is staff or can sign in with a password: "
            "not a benchmark's own account"
        )
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(is_benchmark_account=True)
        audit_record(actor=None, action="containment.benchmark_account", target=user)
    user.is_benchmark_account = True


def _program_admins() -> list[User]:
    return list(users_with_perm(RUN_PROGRAM))


def account_contain(*, user: User, findings: list[Finding]) -> bool:
    """Suspend this account's generation, tokens and sessions because of ``findings``;
    tell the artist why, alert program admins, audit it. Returns False when the account
    was already contained (by another request, or by an operator)."""

    if not cache.add(f"containment:lock:{user.pk}", 1, timeout=CONTAIN_LOCK_SECONDS):
        return False
    why = "; ".join(finding.explanation for finding in findings)
    reason = f"Automatic containment: {why}"[:290]
    with transaction.atomic():
        current = User.objects.select_for_update().get(pk=user.pk)
        if not current.is_active:  # already suspended; a mere pause doesn't count
            return False
        account_suspend(admin=None, user=current, reason=reason, stop_running=True)
        audit_record(
            actor=None,
            action="containment.anomaly",
            target=current,
            data={"findings": [finding.as_dict() for finding in findings]},
        )
        for admin in _program_admins():
            notify(
                user=admin,
                message=f"{current.email} was contained automatically: {why}.",
                link=reverse("switches"),
                email_subject="[Vernissage] An account was contained automatically",
            )
    log.warning("contained account %s: %s", user.pk, why)
    user.is_paused, user.is_active = True, False
    return True
