"""Guards of the status fast path (decision 0018) that its behaviour tests left alive
(docs/mutation.md): when the fast path may answer at all. Each test names its guard;
taking the guard away (tools/guard_mutants.py) makes it fail."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.contrib.auth.hashers import make_password
from django.db import connection
from django.test import Client
from django.utils import timezone

from accounts.authentication import LAST_USED_RESOLUTION
from accounts.models import ApiToken, User
from accounts.services import api_token_create
from jobs.models import Job, JobStatus
from studio import status_fast_path
from tests.api.test_status_fast_path import FAST_QUERIES, ask, both, make_job, signed_in, url


@pytest.fixture
def usable_again() -> Iterator[None]:
    """``_usable`` keeps its answer until settings change; ask it afresh, and leave it
    fresh for the next test."""
    status_fast_path._usable.cache_clear()
    yield
    status_fast_path._usable.cache_clear()


def test_the_fast_path_stands_down_when_sessions_are_not_in_the_database(usable_again, settings):
    """The guard: ``_usable``'s ``settings.SESSION_ENGINE == _SESSION_ENGINE``: its query
    reads the session table, so sessions kept anywhere else (cache, signed cookies) leave
    every poll to the whole stack."""
    assert status_fast_path._usable() is True  # the suite's shape: database sessions, PostgreSQL
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.signed_cookies"
    assert status_fast_path._usable() is False


def test_the_fast_path_stands_down_on_another_database(usable_again, monkeypatch):
    """The guard: ``_usable``'s ``connection.vendor == "postgresql"``: its query is
    PostgreSQL's; the embedded SQLite shape answers every poll through the whole stack."""
    monkeypatch.setattr(connection, "vendor", "sqlite")
    assert status_fast_path._usable() is False


@pytest.mark.django_db
@pytest.mark.parametrize("scheme", ["Basic", "Token"])
def test_a_valid_token_under_another_scheme_is_not_a_bearer_token(artist, settings, scheme):
    """The guard: ``status_answer``'s ``parts[0].lower() != "bearer"``. A real, fresh
    token sent as ``Basic``/``Token`` authenticates nothing in the whole stack (401);
    the fast path must not answer it as if it were ``Bearer``."""
    assert artist.cohort is not None
    job = Job.objects.create(
        artist=artist, cohort=artist.cohort, prompt="a red bird over the sea",
        duration_seconds=2, resolution="480p", aspect_ratio="16:9", seed=7, model="tiny-wan",
        num_frames=9, width=64, height=64, fps=8, steps=4, guidance=5.0,
    )  # fmt: skip
    secret = api_token_create(user=artist, name="script", scope="read").secret
    bearer = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert bearer.get("/api/v1/me/").status_code == 200  # first use: recorded, fresh
    settings.API_STATUS_FAST_PATH = True
    assert bearer.get(f"/api/v1/generations/{job.pk}/").status_code == 200

    other = Client(HTTP_AUTHORIZATION=f"{scheme} {secret}")
    assert other.get(f"/api/v1/generations/{job.pk}/").status_code == 401


@pytest.mark.django_db
def test_a_deactivated_account_with_a_live_session_gets_the_whole_stacks_answer(artist):
    """The guard: ``_artist_may_see``'s ``row["is_active"]``. An account deactivated
    directly (not through a suspension, which also ends its sessions) still has a fresh
    session row: the whole stack signs nobody in with it (401), and so must the fast
    path."""
    job = make_job(artist)
    client = signed_in(artist)
    User.objects.filter(pk=artist.pk).update(is_active=False)

    fast, _, _ = both(client, url(job))

    assert fast.status_code == 401


@pytest.mark.django_db
def test_a_polled_job_that_already_has_a_video_gets_the_whole_stacks_answer(artist, make_output):
    """The guard: ``_artist_may_see``'s ``not row["has_output"]``. The fast path's answer
    has no output fields; a job still queued or running that has a video (requeued after
    its output was written) is answered by the whole stack, output and all."""
    output = make_output(artist)
    Job.objects.filter(pk=output.job_id).update(
        status=JobStatus.QUEUED, started_at=None, finished_at=None, progress=0.0, attempt=0
    )
    client = signed_in(artist)

    fast, queries, _ = both(client, f"/api/v1/generations/{output.job_id}/")

    assert fast.status_code == 200 and queries > FAST_QUERIES


@pytest.mark.django_db
@pytest.mark.parametrize("flag", ["is_staff", "is_superuser"])
def test_an_account_with_a_staff_flag_but_no_staff_role_gets_the_whole_stacks_answer(artist, flag):
    """The guards: ``_artist_may_see``'s ``not row["is_staff"]`` and ``not
    row["is_superuser"]``, each beside ``has_staff_role``. An artist given the staff flag
    or superuser status without a staff group is staff all the same to the whole stack
    (it asks for their second factor): the fast path, which answers only plain artists,
    stands down."""
    job = make_job(artist)
    client = signed_in(artist)
    User.objects.filter(pk=artist.pk).update(**{flag: True})

    fast, queries, _ = both(client, url(job))

    assert queries > FAST_QUERIES, fast.status_code


@pytest.mark.django_db
def test_an_artist_taken_out_of_their_cohort_gets_the_whole_stacks_answer(artist):
    """The guard: ``_artist_may_see``'s ``row["cohort_id"] is not None``: the fast path
    answers only artists in a cohort; one taken out of it (no longer an artist of the
    program) is answered by the whole stack and its checks."""
    job = make_job(artist)
    client = signed_in(artist)
    User.objects.filter(pk=artist.pk).update(cohort=None)

    fast, queries, _ = both(client, url(job))

    assert queries > FAST_QUERIES, fast.status_code


@pytest.mark.django_db
def test_a_token_expiring_at_this_instant_is_not_answered_fast(artist, settings, monkeypatch):
    """The guard's boundary: ``_token_fresh``'s ``row["expires_at"] > now``: a token is
    expired at its instant (as in accounts.authentication), so the fast path, its clock
    held at that instant, leaves the poll to the whole stack (401)."""
    job = make_job(artist)
    token = api_token_create(user=artist, name="script", scope="read")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token.secret}")
    assert client.get("/api/v1/me/").status_code == 200  # first use: recorded, fresh
    moment = timezone.now()
    ApiToken.objects.filter(pk=token.token.pk).update(expires_at=moment)
    monkeypatch.setattr(
        status_fast_path,
        "timezone",
        SimpleNamespace(now=lambda: moment, localtime=timezone.localtime),
    )
    settings.API_STATUS_FAST_PATH = True

    assert client.get(url(job)).status_code == 401


def fresh_token(artist: User) -> tuple[Client, ApiToken]:
    created = api_token_create(user=artist, name="script", scope="read")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {created.secret}")
    assert client.get("/api/v1/me/").status_code == 200  # first use: recorded, fresh
    return client, created.token


@pytest.mark.django_db
def test_a_token_never_used_before_is_answered_by_the_whole_stack(artist, settings):
    """The guard: ``_token_fresh``'s ``row["last_used_at"] is not None``: a token's first
    use is recorded by the whole stack (200), not a server error in the fast path."""
    job = make_job(artist)
    secret = api_token_create(user=artist, name="script", scope="read").secret
    settings.API_STATUS_FAST_PATH = True

    response = Client(HTTP_AUTHORIZATION=f"Bearer {secret}").get(url(job))

    assert response.status_code == 200
    assert ApiToken.objects.get(user=artist).last_used_at is not None


@pytest.mark.django_db
def test_a_token_last_used_long_ago_has_its_use_recorded(artist, settings):
    """The guard: ``now - row["last_used_at"] <= LAST_USED_RESOLUTION``: a poll with a
    token last used an hour ago goes down the whole stack, which records the use."""
    job = make_job(artist)
    client, token = fresh_token(artist)
    an_hour_ago = timezone.now() - timedelta(hours=1)
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=an_hour_ago)
    settings.API_STATUS_FAST_PATH = True

    assert client.get(url(job)).status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None and token.last_used_at > an_hour_ago


@pytest.mark.django_db
def test_a_token_used_from_a_new_address_has_the_address_recorded(artist, settings):
    """The guard: ``str(row["last_used_ip"]) == ip``: a poll from another address than
    the token's last goes down the whole stack, which records the new address (what the
    shared-token watch and the token page show)."""
    job = make_job(artist)
    client, token = fresh_token(artist)
    ApiToken.objects.filter(pk=token.pk).update(last_used_ip="198.51.100.7")
    settings.API_STATUS_FAST_PATH = True

    assert client.get(url(job)).status_code == 200
    token.refresh_from_db()
    assert str(token.last_used_ip) == "127.0.0.1"


@pytest.mark.django_db
def test_a_session_whose_password_changed_is_signed_out(artist):
    """The guard: ``_session_fresh``'s ``constant_time_compare(…_auth_user_hash…)``: the
    password changed elsewhere, so the session's hash no longer matches: the whole stack
    signs it out (401), and so must the fast path."""
    job = make_job(artist)
    client = signed_in(artist)
    # Straight to the row: the services would also end the sessions, and this session
    # must still exist for its hash to be what refuses it.
    User.objects.filter(pk=artist.pk).update(password=make_password("another passphrase 42"))

    fast, _, _ = both(client, url(job))

    assert fast.status_code == 401


@pytest.mark.django_db
def test_a_session_from_a_backend_no_longer_configured_is_signed_out(artist):
    """The guard: ``_session_fresh``'s ``_auth_user_backend not in
    AUTHENTICATION_BACKENDS``: Django signs such a session out (401); so must the fast
    path."""
    job = make_job(artist)
    client = signed_in(artist)
    session = client.session
    session["_auth_user_backend"] = "retired.backends.Backend"
    session.save()

    fast, _, _ = both(client, url(job))

    assert fast.status_code == 401


@pytest.mark.django_db
def test_a_token_last_used_exactly_the_resolution_ago_is_still_answered_fast(artist, monkeypatch):
    """The guard's boundary: ``now - row["last_used_at"] <= LAST_USED_RESOLUTION``, as in
    accounts.authentication (a use that recent needs no update): exactly at the
    resolution the poll is still answered fast, in one query."""
    job = make_job(artist)
    client, token = fresh_token(artist)
    token.refresh_from_db()
    assert token.last_used_at is not None
    moment = token.last_used_at + LAST_USED_RESOLUTION
    monkeypatch.setattr(
        status_fast_path,
        "timezone",
        SimpleNamespace(now=lambda: moment, localtime=timezone.localtime),
    )

    response, queries = ask(client, url(job), fast=True)

    assert response.status_code == 200 and queries == FAST_QUERIES
