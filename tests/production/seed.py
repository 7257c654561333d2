"""The program a production smoke run starts from, made with the project's services:
a cohort, a published NDA, and two staff accounts that already set up their authenticator
app (decision 0013). Run inside the stack:
``manage.py shell -c "from tests.production.seed import seed; seed()"``; prints JSON."""

from __future__ import annotations

import json
import secrets
from datetime import timedelta

from django.utils import timezone

from accounts.roles import Role
from accounts.services import user_create
from agreements.services import agreement_version_create, agreement_version_publish
from cohorts.services import cohort_create

STAFF = {"admin": ("ada@studio.example", Role.PROGRAM_ADMIN),
         "reviewer": ("rey@studio.example", Role.REVIEWER)}  # fmt: skip


def seed(*, artists: int = 0) -> None:
    from allauth.account.models import EmailAddress
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    cohort = cohort_create(
        actor=None, name="Wave 1", capacity=max(10, artists + 10), daily_generation_quota=50
    )
    version = agreement_version_create(
        actor=None,
        title="Preview NDA v1",
        body="## Confidentiality\n\nKeep **unpublished** outputs private.",
        effective_at=timezone.now() - timedelta(minutes=1),
    )
    agreement_version_publish(actor=None, version=version)
    report: dict[str, dict[str, str]] = {}
    for key, (email, role) in STAFF.items():
        password = secrets.token_urlsafe(16)
        user = user_create(email=email, password=password, role=role)
        EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
        secret = generate_totp_secret()
        TOTP.activate(user, secret)
        RecoveryCodes.activate(user)
        report[key] = {"email": email, "password": password, "totp_secret": secret}
    report["cohort"] = {"name": cohort.name}
    print(json.dumps(report))


def seed_artists(*, count: int, out: str) -> None:
    """``count`` artists who accepted the NDA, each signed in (a session, as after the
    login page) with one queued generation: the load test's simulated artists. Writes
    ``[{"session": ..., "job_id": ...}, ...]`` to ``out``. Sessions are made directly so
    that 200 password hashes don't dominate the run."""
    from django.test import Client

    from agreements.services import agreement_accept
    from cohorts.models import Cohort
    from jobs.services import job_submit

    cohort = Cohort.objects.get(name="Wave 1")
    artists = []
    for number in range(count):
        user = user_create(
            email=f"artist{number}@load.example",
            password=None,
            role=Role.ARTIST,
            cohort=cohort,
            full_name=f"Load Artist {number}",
        )
        agreement_accept(
            user=user, typed_full_name=user.full_name, ip_address="127.0.0.1", user_agent="seed"
        )
        job = job_submit(
            artist=user,
            prompt=f"a slow pan across painting number {number}",
            duration_seconds=cohort.allowed_durations[0],
            resolution=cohort.allowed_resolutions[0],
            aspect_ratio="16:9",
        )
        client = Client()
        client.force_login(user)
        artists.append({"session": client.cookies["sessionid"].value, "job_id": job.pk})
    with open(out, "w") as handle:
        json.dump(artists, handle)
