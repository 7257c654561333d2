"""The fixed cast, so permission tests read like sentences."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from accounts.models import User
from accounts.roles import Role
from accounts.services import user_create
from agreements.models import AgreementVersion
from agreements.services import (
    agreement_accept,
    agreement_version_create,
    agreement_version_publish,
)
from cohorts.models import Cohort
from cohorts.services import cohort_create
from ledger.models import RateCard
from ledger.services import rate_card_create, rate_card_publish
from tests.workers import WorkerProcess

PASSWORD = "correct horse battery staple 42"


@pytest.fixture
def cohort(db: None) -> Cohort:
    return cohort_create(actor=None, name="Wave 1", capacity=5, daily_generation_quota=7)


@pytest.fixture
def nda(db: None) -> AgreementVersion:
    version = agreement_version_create(
        actor=None,
        title="Preview NDA v1",
        body="## Confidentiality\n\nKeep **unpublished** outputs private.",
        effective_at=timezone.now() - timedelta(minutes=1),
    )
    return agreement_version_publish(actor=None, version=version)


def _artist(email: str, cohort: Cohort, nda: AgreementVersion | None, name: str) -> User:
    user = user_create(email=email, password=PASSWORD, role=Role.ARTIST, cohort=cohort)
    if nda is not None:
        agreement_accept(
            user=user, typed_full_name=name, ip_address="127.0.0.1", user_agent="pytest"
        )
    return user


@pytest.fixture
def artist(cohort: Cohort, nda: AgreementVersion) -> User:
    """An artist in ``cohort`` who has accepted the current NDA."""
    return _artist("alice@example.com", cohort, nda, "Alice Artist")


@pytest.fixture
def other_artist(cohort: Cohort, nda: AgreementVersion) -> User:
    return _artist("bob@example.com", cohort, nda, "Bob Painter")


@pytest.fixture
def unsigned_artist(cohort: Cohort, nda: AgreementVersion) -> User:
    """An artist who has not accepted the current NDA."""
    return _artist("carol@example.com", cohort, None, "")


def give_totp(user: User) -> str:
    """Turn on an authenticator app for ``user`` (staff must have one: decision 0013);
    returns its secret, from which ``totp_code`` makes the app's codes."""
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    RecoveryCodes.activate(user)
    return secret


@pytest.fixture
def admin_user(db: None) -> User:
    """pytest-django's superuser, with the authenticator every staff account must have."""
    user = User.objects.create_superuser(email="root@studio.example", password=PASSWORD)
    give_totp(user)
    return user


def totp_secret(user: User) -> str:
    from allauth.mfa.models import Authenticator
    from allauth.mfa.utils import decrypt

    authenticator = Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP)
    return decrypt(authenticator.data["secret"])


def totp_code(secret: str, *, at: float | None = None) -> str:
    """The code an authenticator app shows for ``secret`` now (or at time ``at``)."""
    from allauth.mfa import app_settings
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    counter = int(time.time() if at is None else at) // app_settings.TOTP_PERIOD
    return format_hotp_value(hotp_value(secret, counter))


@pytest.fixture
def reviewer(db: None) -> User:
    """Staff: has an authenticator app, as every staff account must."""
    user = user_create(email="rey@studio.example", password=PASSWORD, role=Role.REVIEWER)
    give_totp(user)
    return user


@pytest.fixture
def program_admin(db: None) -> User:
    user = user_create(email="ada@studio.example", password=PASSWORD, role=Role.PROGRAM_ADMIN)
    give_totp(user)
    return user


@pytest.fixture
def outsider(db: None) -> User:
    """Has an account but no role and no cohort (e.g. removed from the program)."""
    return User.objects.create_user(email="mallory@example.com", password=PASSWORD)


# The one rate card the ledger and feedback tests pay from (each amount below is asserted
# somewhere: bug:high 40.00 by both suites, showcase 40.00 by the showcase credit,
# safety:medium pays nothing and safety:low is missing, for the "credits nothing" cases).
RATES = {
    "bug:low": "5.00",
    "bug:medium": "12.00",
    "bug:high": "40.00",
    "bug:critical": "100.00",
    "safety:medium": "0",
    "safety:high": "60.00",
    "feature": "25.50",
    "survey": "5.00",
    "showcase": "40.00",
}


@pytest.fixture
def rate_card(program_admin: User) -> RateCard:
    """A published card (version 1, EUR), in force since an hour ago."""
    draft = rate_card_create(
        admin=program_admin,
        effective_at=timezone.now() - timedelta(hours=1),
        rates=RATES,
        note="Launch rates.",
    )
    return rate_card_publish(admin=program_admin, card=draft)


def record_full_sign_in(client: Client, user: User) -> None:
    """Record in the client's session what a full sign-in records: the password, and the
    second factor when the account has one (accounts.mfa.session_passed_mfa)."""
    from allauth.account.internal.flows.login import (
        _AUTHENTICATION_METHODS_USER_SESSION_KEY,
        AUTHENTICATION_METHODS_SESSION_KEY,
    )
    from allauth.account.internal.userkit import user_id_to_str

    from accounts.services import user_has_mfa

    now = time.time()
    records: list[dict[str, object]] = [{"method": "password", "at": now}]
    if user_has_mfa(user):
        records.append({"method": "mfa", "at": now, "type": "totp"})
    session = client.session
    session[AUTHENTICATION_METHODS_SESSION_KEY] = records
    session[_AUTHENTICATION_METHODS_USER_SESSION_KEY] = user_id_to_str(user)
    session.save()


def force_login_password_only(client: Client, user: User) -> None:
    """A session made from the password alone (e.g. Django's admin sign-in before it was
    routed through allauth): what the per-session second-factor rule must refuse."""
    _django_force_login(client, user)


_django_force_login = Client.force_login


@pytest.fixture(autouse=True)
def _force_login_is_a_full_sign_in(monkeypatch: pytest.MonkeyPatch) -> None:
    """``client.force_login`` stands for a completed sign-in, second factor included, as
    it did before staff sessions had to pass it themselves (decision 0020). Tests of
    sessions that did *not* pass it use ``force_login_password_only``."""

    def force_login(self: Client, user: User, backend: str | None = None) -> None:
        _django_force_login(self, user, backend)
        record_full_sign_in(self, user)

    monkeypatch.setattr(Client, "force_login", force_login)


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    """The cache is a real Redis shared by the whole run; rate limits must not leak
    from one test into the next."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def invite(cohort: Cohort):
    """Issue an invitation into ``cohort`` (or another) and return (invitation, token)."""
    from invitations.services import invitation_create

    def make(
        email: str = "newcomer@example.com", into: Cohort | None = None, days: int | None = None
    ):
        issued = invitation_create(
            inviter=None, email=email, cohort=into or cohort, expires_in_days=days
        )
        return issued.invitation, issued.token

    return make


@pytest.fixture(scope="session")
def tiny_model() -> str:
    """The tiny Wan pipeline, built once per run with the project's own command."""
    import os
    from pathlib import Path

    from django.core.management import call_command

    path = os.environ["VERNISSAGE_TINY_MODEL_PATH"]
    if not (Path(path) / "model_index.json").exists():
        call_command("build_tiny_model", path)
    return path


@pytest.fixture(scope="session")
def gpu_worker(django_db_setup, django_db_blocker, tiny_model) -> Iterator[WorkerProcess]:
    """One real worker on the ``gpu`` queue for the whole run (loads the model once)."""
    with django_db_blocker.unblock():
        name = connection.settings_dict["NAME"]
    worker = WorkerProcess(queue="gpu", database_name=name, name="session-gpu").start()
    yield worker
    worker.stop()


@pytest.fixture
def start_worker(django_db_setup, tiny_model, settings) -> Iterator[Callable[..., WorkerProcess]]:
    """Start workers on a queue of this test's own, so the session worker can't interfere."""
    settings.GENERATION_QUEUE = f"gpu-test-{time.monotonic_ns()}"
    started: list[WorkerProcess] = []

    def start(*, launcher: tuple[str, ...] = ()) -> WorkerProcess:
        worker = WorkerProcess(
            queue=settings.GENERATION_QUEUE,
            database_name=connection.settings_dict["NAME"],
            name=f"faults-{len(started)}",
            launcher=launcher,
        ).start()
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.stop()


@pytest.fixture
def make_output(db: None):
    """A succeeded job with a real (tiny) H.264 output and its review item, made without
    a worker: for review, publishing and access tests."""
    import tempfile
    from pathlib import Path

    import numpy as np
    from django.core.files import File

    from generation.encoding import encode_mp4, probe, sha256_of, write_filmstrip, write_poster
    from jobs.models import Job, JobStatus, Output
    from moderation.services import review_item_create

    def make(artist: User, prompt: str = "a quiet harbour at dawn") -> Output:
        now = timezone.now()
        assert artist.cohort is not None
        job = Job.objects.create(
            artist=artist, cohort=artist.cohort, prompt=prompt, duration_seconds=2,
            resolution="480p", aspect_ratio="16:9", seed=1, model="tiny-wan", num_frames=9,
            width=80, height=48, fps=8, steps=4, guidance=5.0, status=JobStatus.SUCCEEDED,
            progress=1.0, attempt=1, started_at=now, finished_at=now,
        )  # fmt: skip
        frames = np.tile(
            np.linspace(0, 255, 80, dtype=np.uint8)[None, None, :, None], (9, 48, 1, 3)
        )
        with tempfile.TemporaryDirectory() as folder:
            video, poster = Path(folder) / "v.mp4", Path(folder) / "p.jpg"
            encode_mp4(frames, fps=8, path=video)
            write_poster(frames, path=poster)
            strip = write_filmstrip(frames, path=Path(folder) / "f.jpg")
            info = probe(video)
            output = Output(
                job=job, width=80, height=48, fps=8, frame_count=info.frame_count,
                duration_seconds=info.duration_seconds, codec=info.codec,
                size_bytes=video.stat().st_size, sha256=sha256_of(video),
            )  # fmt: skip
            with video.open("rb") as handle:
                output.video.save(f"job-{job.pk}.mp4", File(handle), save=False)
            with poster.open("rb") as handle:
                output.poster.save(f"job-{job.pk}.jpg", File(handle), save=False)
            with (Path(folder) / "f.jpg").open("rb") as handle:
                output.filmstrip.save(f"job-{job.pk}-filmstrip.jpg", File(handle), save=False)
            output.filmstrip_frames, output.filmstrip_tile_width = strip.frames, strip.tile_width
            output.save()
        review_item_create(output=output)
        return output

    return make


@pytest.fixture
def second_reviewer(db: None) -> User:
    user = user_create(email="sam@studio.example", password=PASSWORD, role=Role.REVIEWER)
    give_totp(user)
    return user


def old_token(user: User, scope: str) -> str:
    """A token as issued before the scope rules (any scope, for anyone: staff could hold
    ``generate``), written directly since ``api_token_create`` now refuses it."""
    from accounts.api_tokens import token_display, token_generate, token_hash
    from accounts.models import ApiToken

    secret = token_generate()
    now = timezone.now()
    ApiToken.objects.create(
        user=user, name="old", token_hash=token_hash(secret), display=token_display(secret),
        scope=scope, created_at=now, expires_at=now + timedelta(days=30),
    )  # fmt: skip
    return secret
