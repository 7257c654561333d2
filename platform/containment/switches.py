"""Kill switches: global, per cohort, per account. Pausing refuses new submissions at once
and can also stop running jobs at their next denoising step. Nothing is deleted."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.language import language_for
from accounts.models import ApiToken, User
from accounts.permissions import RUN_PROGRAM, require
from accounts.services import user_sessions_end_all, user_set_paused
from audit.services import audit_record
from cohorts.models import Cohort
from containment.models import GenerationSwitch
from domain.text import clean_text
from notifications.services import notify


def _jobs_stop(
    *, artist: User | None = None, cohort: Cohort | None = None, everyone: bool = False
) -> int:
    """``jobs.services.jobs_stop_by_operator``: queued jobs cancelled, running ones told to stop."""
    # local import: the one allow-listed upward edge from containment (tests/test_layers.py):
    # a switch stops jobs and only jobs.services changes a job's state; jobs.services
    # imports this app at its top, so this import waits until a switch is thrown.
    from jobs.services import jobs_stop_by_operator

    return jobs_stop_by_operator(artist=artist, cohort=cohort, everyone=everyone)


def global_switch() -> GenerationSwitch:
    switch, _ = GenerationSwitch.objects.get_or_create(pk=1)
    return switch


_ONLY_ADMINS = "Only program admins use the kill switches."


def _require_program_admin(actor: User) -> None:
    require(actor=actor, perm=RUN_PROGRAM, missing="refuse", message=_ONLY_ADMINS)


def generation_pause_all(
    *, admin: User, paused: bool, reason: str = "", stop_running: bool = False
) -> GenerationSwitch:
    """The global switch, for when nothing narrower will do."""
    _require_program_admin(admin)
    reason = clean_text(
        reason if paused else "",
        field="reason",
        max_length=300,
        required=paused,
        required_message="Say why generation is paused; every artist sees it.",
    )
    with transaction.atomic():
        switch = GenerationSwitch.objects.select_for_update().get_or_create(pk=1)[0]
        switch.paused, switch.reason = paused, reason
        switch.changed_at, switch.changed_by = timezone.now(), admin
        switch.save()
        stopped = _jobs_stop(everyone=True) if paused and stop_running else 0
        audit_record(
            actor=admin, action="switch.global." + ("pause" if paused else "resume"), target=switch,
            data={"reason": switch.reason, "stopped_jobs": stopped},
        )  # fmt: skip
    return switch


def cohort_stop_running(*, admin: User, cohort: Cohort) -> int:
    _require_program_admin(admin)
    stopped = _jobs_stop(cohort=cohort)
    audit_record(
        actor=admin, action="switch.cohort.stop_jobs", target=cohort, data={"stopped_jobs": stopped}
    )
    return stopped


def account_suspend(
    *, admin: User | None, user: User, reason: str, stop_running: bool = True
) -> User:
    """Contain one account in one step: signing in barred (decision 0021), generation
    paused, every API token revoked, every session ended, its running jobs stopped.
    Nobody else is touched. Only ``account_restore`` lets the person back in."""

    # No admin is automatic containment (containment.services): the system itself acts.
    require(actor=admin, perm=RUN_PROGRAM, missing="system", message=_ONLY_ADMINS)
    with transaction.atomic():
        user_set_paused(actor=admin, user=user, paused=True, reason=reason)
        # Inactive: no password, session or token of this account authenticates any more.
        User.objects.filter(pk=user.pk).update(is_active=False)
        revoked = ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        user_sessions_end_all(user=user)
        stopped = _jobs_stop(artist=user) if stop_running else 0
        audit_record(
            actor=admin, action="account.suspend", target=user,
            data={"reason": user.paused_reason, "tokens_revoked": revoked, "stopped_jobs": stopped},
        )  # fmt: skip
        with translation.override(language_for(user)):
            notify(
                user=user,
                message=_("Your account was suspended: %(reason)s. Contact the program team.")
                % {"reason": user.paused_reason},
                email_subject=_("[Vernissage] Your account was suspended"),
            )
    user.refresh_from_db()
    return user


def account_restore(*, admin: User, user: User) -> User:
    """Lift a suspension: the person may sign in and generate again. Revoked tokens stay
    revoked: the artist makes new ones."""

    _require_program_admin(admin)
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(is_active=True)
        user.is_active = True
        user_set_paused(actor=admin, user=user, paused=False)
        audit_record(actor=admin, action="account.restore", target=user)
    return user
