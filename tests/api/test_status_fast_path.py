"""The status fast path (decision 0018) against the whole stack: the same question gets
the same answer, byte for byte, and only the plain 200 of an artist's own queued or
running job is answered fast (one query); everything else goes down the whole stack."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.utils import timezone

from accounts.models import ApiToken, User
from accounts.roles import Role
from accounts.services import (
    api_token_create,
    api_token_revoke,
    user_create,
    user_sessions_end_all,
    user_set_paused,
)
from accounts.sessions import SEEN_KEY
from agreements.services import agreement_version_create, agreement_version_publish
from jobs.models import GenerationMode, Job, JobStatus, Shot
from studio import status_fast_path
from tests.clocks import hold_clocks
from tests.faults.conftest import protection_params

pytestmark = pytest.mark.django_db

FAST_QUERIES = 1


def make_job(artist: User, **fields: object) -> Job:
    assert artist.cohort is not None
    values: dict[str, object] = {
        "artist": artist, "cohort": artist.cohort, "prompt": "a red bird over the sea",
        "duration_seconds": 2, "resolution": "480p", "aspect_ratio": "16:9", "seed": 7,
        "model": "tiny-wan", "num_frames": 9, "width": 64, "height": 64, "fps": 8,
        "steps": 4, "guidance": 5.0,
    }  # fmt: skip
    values.update(fields)
    return Job.objects.create(**values)


def url(job: Job) -> str:
    return f"/api/v1/generations/{job.pk}/"


def ask(client: Client, path: str, *, fast: bool, **extra: Any) -> tuple[Any, int]:
    with (
        override_settings(API_STATUS_FAST_PATH=fast),
        CaptureQueriesContext(connection) as queries,
    ):
        response = client.get(path, **extra)
    return response, len(queries)


def same_answer(fast: Any, slow: Any) -> None:
    assert fast.status_code == slow.status_code
    assert fast.content == slow.content
    headers = {k: v for k, v in fast.headers.items() if k != "X-Request-ID"}
    expected = {k: v for k, v in slow.headers.items() if k != "X-Request-ID"}
    assert headers == expected
    assert fast.headers["X-Request-ID"]


def both(client: Client, path: str, **extra: Any) -> tuple[Any, int, Any]:
    """The fast path's answer, how many queries it made, and the whole stack's answer."""
    fast, count = ask(client, path, fast=True, **extra)
    slow, _ = ask(client, path, fast=False, **extra)
    same_answer(fast, slow)
    return fast, count, slow


def signed_in(user: User) -> Client:
    """A browser session, seen once by the whole stack (which records where from)."""
    client = Client()
    client.force_login(user)
    client.get("/api/v1/me/")
    return client


def with_token(user: User) -> tuple[Client, str]:
    secret = api_token_create(user=user, name="script", scope="read").secret
    client = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    client.get("/api/v1/me/")  # first use: the whole stack records it
    return client, secret


# --- what the fast path answers ------------------------------------------------------


def test_a_queued_job_is_answered_in_one_query_exactly_as_the_whole_stack(artist) -> None:
    job = make_job(artist)
    fast, queries, _ = both(signed_in(artist), url(job))
    assert fast.status_code == 200
    assert queries == FAST_QUERIES
    body = fast.json()
    assert (body["id"], body["status"], body["progress"]) == (job.pk, "queued", 0.0)
    assert body["output"] is None and body["review"] is None and body["publication"] is None
    # Nothing to download yet: the same null link and reason on both paths.
    assert (body["download_url"], body["download_refusal"]) == (None, "not_ready")


def test_a_running_job_with_progress_times_an_error_and_a_remix(artist) -> None:
    now = timezone.now()
    source = make_job(artist, status=JobStatus.FAILED, finished_at=now, error_code="timeout")
    job = make_job(
        artist,
        status=JobStatus.RUNNING,
        progress=0.4375,
        started_at=now - timedelta(seconds=3, microseconds=123),
        lease_expires_at=now + timedelta(minutes=5),
        remix_of=source,
        attempt=2,
        error_code="worker_lost",
        error_message="The worker stopped answering; retried.",
        seed=2**40 + 3,
    )
    fast, queries, _ = both(signed_in(artist), url(job))
    assert queries == FAST_QUERIES
    body = fast.json()
    assert body["remix_of"] == source.pk and body["seed"] == 2**40 + 3
    assert body["error"] == {
        "code": "worker_lost",
        "message": "The worker stopped answering; retried.",
    }
    assert body["started_at"].endswith("Z")


@pytest.mark.parametrize(
    "prompt",
    [
        'café \u2028 line\u2029para "quoted" \\ back',
        "🧑‍🎨 paints 👩🏽‍🚀 in 東京",
        "\u202eoverride\u202c and <script>alert(1)</script>",
    ],
)
def test_prompts_are_encoded_exactly_as_the_whole_stack_encodes_them(artist, prompt) -> None:
    job = make_job(artist, prompt=prompt, negative_prompt=prompt[::-1])
    fast, queries, _ = both(signed_in(artist), url(job))
    assert queries == FAST_QUERIES
    assert fast.json()["prompt"] == prompt


def test_a_token_is_answered_fast_once_its_last_use_is_recorded(artist) -> None:
    job = make_job(artist)
    client, _ = with_token(artist)
    fast, queries, _ = both(client, url(job))
    assert fast.status_code == 200 and queries == FAST_QUERIES


@pytest.mark.parametrize("accept", ["*/*", "application/json"])
def test_json_accept_headers_are_answered_fast(artist, accept) -> None:
    fast, queries, _ = both(signed_in(artist), url(make_job(artist)), HTTP_ACCEPT=accept)
    assert fast.status_code == 200 and queries == FAST_QUERIES


# --- what only the whole stack answers -----------------------------------------------


def test_another_artists_job_is_the_whole_stacks_404(artist, other_artist) -> None:
    job = make_job(other_artist)
    fast, queries, _ = both(signed_in(artist), url(job))
    assert fast.status_code == 404 and queries > FAST_QUERIES
    client, _ = with_token(artist)
    fast, queries, _ = both(client, url(job))
    assert fast.status_code == 404 and queries > FAST_QUERIES


def test_a_missing_job_and_an_absurd_id_are_the_whole_stacks(artist) -> None:
    client = signed_in(artist)
    for path in ["/api/v1/generations/999999/", f"/api/v1/generations/{'9' * 30}/"]:
        fast, queries, _ = both(client, path)
        assert fast.status_code == 404 and queries > FAST_QUERIES


def test_anonymous_callers_get_the_whole_stacks_refusal(artist) -> None:
    job = make_job(artist)
    fast, _, _ = both(Client(), url(job))
    assert fast.status_code in (401, 403)
    stranger = Client()
    stranger.cookies["sessionid"] = "not-a-session-key-at-all"
    fast, _, _ = both(stranger, url(job))
    assert fast.status_code in (401, 403)


def test_a_finished_job_goes_down_the_whole_stack(artist, make_output, monkeypatch) -> None:
    # Its media URLs are signed with the current second: both answers sign in the same one.
    hold_clocks(monkeypatch)
    output = make_output(artist)
    fast, queries, _ = both(signed_in(artist), url(output.job))
    assert fast.status_code == 200 and queries > FAST_QUERIES
    assert fast.json()["output"]["video_url"]


def test_a_storyboard_and_a_batch_of_variations_go_down_the_whole_stack(
    artist, make_output
) -> None:
    """Their shots and their variations' ids are the whole stack's to answer (rows the
    fast path's one statement does not read), queued or running."""
    board = make_job(
        artist, mode=GenerationMode.STORYBOARD, prompt="a harbour / gulls", num_frames=18,
        duration_seconds=4, status=JobStatus.RUNNING, progress=0.3,
        started_at=timezone.now(), lease_expires_at=timezone.now() + timedelta(minutes=5),
        attempt=1,
    )  # fmt: skip
    Shot.objects.bulk_create(
        Shot(job=board, position=n, prompt=p, duration_seconds=2, num_frames=9, model="tiny-wan")
        for n, p in enumerate(["a harbour", "gulls"])
    )
    first = make_job(artist, variation_count=3)
    rest = [
        make_job(artist, seed=7 + n, variation_of=first, variation_index=n, variation_count=3)
        for n in (1, 2)
    ]
    session = signed_in(artist)
    token, _ = with_token(artist)
    for client in (session, token):
        fast, queries, _ = both(client, url(board))
        assert fast.status_code == 200 and queries > FAST_QUERIES
        body = fast.json()
        assert [(s["position"], s["prompt"], s["num_frames"]) for s in body["shots"]] == [
            (0, "a harbour", 9),
            (1, "gulls", 9),
        ]
        assert body["variations"] == [board.pk] and body["mode"] == "storyboard"
        for job in (first, *rest):
            fast, queries, _ = both(client, url(job))
            assert fast.status_code == 200 and queries > FAST_QUERIES
            body = fast.json()
            assert body["variations"] == [first.pk, *(job.pk for job in rest)]
            assert body["shots"] == []
            assert body["variation_of"] == (None if job == first else first.pk)
    # A job of a one-variation submission in another mode is still answered fast.
    parent = make_output(artist).job
    single = make_job(artist, mode=GenerationMode.EXTEND, extends=parent, model="tiny-wan-i2v")
    fast, queries, _ = both(session, url(single))
    assert queries == FAST_QUERIES
    body = fast.json()
    assert (body["extends"], body["shots"], body["variations"]) == (parent.pk, [], [single.pk])


@pytest.mark.parametrize("status", [JobStatus.FAILED, JobStatus.CANCELED])
def test_other_finished_states_go_down_the_whole_stack(artist, status) -> None:
    job = make_job(artist, status=status, finished_at=timezone.now(), error_code="timeout")
    fast, queries, _ = both(signed_in(artist), url(job))
    assert fast.status_code == 200 and queries > FAST_QUERIES


def test_a_new_agreement_not_yet_accepted_is_the_whole_stacks_403(artist) -> None:
    job = make_job(artist)
    client = signed_in(artist)
    version = agreement_version_create(
        actor=None, title="NDA v2", body="New terms.", effective_at=timezone.now()
    )
    agreement_version_publish(actor=None, version=version)
    fast, _, _ = both(client, url(job))
    assert fast.status_code == 403 and fast.json()["code"] == "agreement_required"


@pytest.mark.parametrize(
    "protection",
    protection_params(reason="the fast path took 'no agreement published' for accepted"),
)
def test_no_agreement_published_yet_is_the_whole_stacks_403(cohort, monkeypatch, protection):
    """The protection: ``COALESCE(..., false) AS agreement_accepted`` in the fast path's
    query. With no agreement published the gate holds artists back (agreements.selectors),
    so the fast path must not answer their polls."""
    if protection == "off":
        real_sql = status_fast_path._sql

        def sql_without_the_default(*, by_token: bool) -> str:
            text = real_sql(by_token=by_token)
            changed = text.replace(
                "), false) AS agreement_accepted", "), true) AS agreement_accepted"
            )
            assert changed != text
            return changed

        monkeypatch.setattr(status_fast_path, "_sql", sql_without_the_default)
    artist = user_create(
        email="dora@example.com", password="x" * 20, role=Role.ARTIST, cohort=cohort
    )
    job = make_job(artist)
    fast, _, _ = both(signed_in(artist), url(job))
    assert fast.status_code == 403 and fast.json()["code"] == "agreement_required"
    client, _ = with_token(artist)
    fast, _, _ = both(client, url(job))
    assert fast.status_code == 403 and fast.json()["code"] == "agreement_required"


def test_ended_sessions_changed_passwords_and_revoked_tokens_are_refused(artist) -> None:
    job = make_job(artist)
    ended = signed_in(artist)
    token_client, _ = with_token(artist)
    user_sessions_end_all(user=artist)
    assert both(ended, url(job))[0].status_code in (401, 403)

    again = signed_in(artist)
    artist.set_password("a whole new password 77")
    artist.save()
    assert both(again, url(job))[0].status_code in (401, 403)

    token = ApiToken.objects.get(user=artist)
    api_token_revoke(actor=artist, token=token)
    fast, _, _ = both(token_client, url(job))
    assert fast.status_code == 401


def test_an_expired_token_and_a_malformed_header_are_the_whole_stacks_401(artist) -> None:
    job = make_job(artist)
    client, _ = with_token(artist)
    ApiToken.objects.filter(user=artist).update(
        created_at=timezone.now() - timedelta(days=2), expires_at=timezone.now()
    )
    assert both(client, url(job))[0].status_code == 401
    for header in ["Bearer", "Bearer vrn_nope", "Bearer a b", "Token abc"]:
        fast, _, _ = both(Client(HTTP_AUTHORIZATION=header), url(job))
        assert fast.status_code in (401, 403)


def test_a_session_cookie_beside_someone_elses_token_follows_the_token(
    artist, other_artist
) -> None:
    job = make_job(artist)
    _, secret = with_token(other_artist)
    client = signed_in(artist)
    fast, _, _ = both(client, url(job), HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert fast.status_code == 404


def test_paused_artists_inactive_accounts_and_staff_go_down_the_whole_stack(
    artist, reviewer
) -> None:
    job = make_job(artist)
    client = signed_in(artist)
    user_set_paused(actor=None, user=artist, paused=True, reason="checking something")
    fast, queries, _ = both(client, url(job))
    assert fast.status_code == 200 and queries > FAST_QUERIES

    staff_client = signed_in(reviewer)  # a reviewer with TOTP may look at any job
    fast, queries, _ = both(staff_client, url(job))
    assert fast.status_code == 200 and queries > FAST_QUERIES

    no_mfa = user_create(email="rita@studio.example", password="x" * 20, role=Role.REVIEWER)
    fast, _, _ = both(signed_in(no_mfa), url(job))
    assert fast.status_code == 403 and fast.json()["code"] == "mfa_required"

    # An artist who also holds a staff role (a group, without is_staff) needs MFA too.
    from django.contrib.auth.models import Group

    user_set_paused(actor=None, user=artist, paused=False)
    artist.groups.add(Group.objects.get(name=Role.REVIEWER.value))
    fast, _, _ = both(signed_in(artist), url(job))
    assert fast.status_code == 403 and fast.json()["code"] == "mfa_required"

    User.objects.filter(pk=artist.pk).update(is_active=False, is_paused=False)
    assert both(client, url(job))[0].status_code in (401, 403)


@pytest.mark.parametrize(
    "extra",
    [
        {"HTTP_ACCEPT": "text/html"},
        {"QUERY_STRING": "format=json"},
    ],
)
def test_other_representations_go_down_the_whole_stack(artist, extra) -> None:
    response, queries = ask(signed_in(artist), url(make_job(artist)), fast=True, **extra)
    assert response.status_code == 200 and queries > FAST_QUERIES


def test_a_host_not_allowed_is_the_whole_stacks_400(artist) -> None:
    fast, queries, _ = both(signed_in(artist), url(make_job(artist)), HTTP_HOST="evil.example")
    assert fast.status_code == 400 and queries == 0


def test_a_new_address_is_recorded_on_the_session_list_by_the_whole_stack(artist) -> None:
    from allauth.usersessions.models import UserSession

    job = make_job(artist)
    client = signed_in(artist)
    _, queries = ask(client, url(job), fast=True, REMOTE_ADDR="203.0.113.9")
    assert queries > FAST_QUERIES
    assert UserSession.objects.filter(user=artist, ip="203.0.113.9").exists()
    _, queries = ask(client, url(job), fast=True, REMOTE_ADDR="203.0.113.9")
    assert queries == FAST_QUERIES


def test_a_session_not_seen_for_two_minutes_is_refreshed_by_the_whole_stack(artist) -> None:
    job = make_job(artist)
    client = signed_in(artist)
    session = Session.objects.get(session_key=client.session.session_key)
    data = session.get_decoded()
    data[SEEN_KEY][3] -= 120
    Session.objects.filter(pk=session.pk).update(session_data=client.session.encode(data))
    _, queries = ask(client, url(job), fast=True)
    assert queries > FAST_QUERIES
    _, queries = ask(client, url(job), fast=True)
    assert queries == FAST_QUERIES


# --- budgets and the shared-account watch count fast answers ------------------------


@override_settings(API_RATE_LIMIT_ACCOUNT_PER_MINUTE=4)
def test_fast_answers_spend_the_accounts_budget_and_the_429_is_the_whole_stacks(
    artist, monkeypatch
) -> None:
    from django.core.cache import cache

    # One budget minute for the whole test, and a Retry-After that doesn't count down
    # between the two 429s compared byte for byte.
    hold_clocks(monkeypatch)
    job = make_job(artist)
    client = signed_in(artist)  # 1 request (/me)
    codes = [ask(client, url(job), fast=True) for _ in range(4)]
    assert [(r.status_code, q) for r, q in codes[:3]] == [(200, FAST_QUERIES)] * 3
    limited = codes[3][0]
    assert limited.status_code == 429
    assert limited.json()["code"] == "rate_limited"
    assert int(limited.headers["Retry-After"]) >= 1
    cache.clear()
    for _ in range(4):
        ask(client, url(job), fast=False)
    same_answer(ask(client, url(job), fast=True)[0], ask(client, url(job), fast=False)[0])


@override_settings(ANOMALY_MAX_DISTINCT_USER_AGENTS=3)
def test_fast_answers_feed_the_shared_account_watch(artist) -> None:
    job = make_job(artist)
    client, _ = with_token(artist)
    answers = [
        ask(client, url(job), fast=True, HTTP_USER_AGENT=f"agent/{n}")[0].status_code
        for n in range(1, 6)
    ]
    artist.refresh_from_db()
    assert artist.is_paused, answers
    assert answers[-1] == 401  # its tokens were revoked when it was contained


# --- faults ----------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_connection_killed_under_it_is_closed_and_the_whole_stack_answers(artist) -> None:
    """The fast path skips Django's per-request health check: a stale connection must
    show itself by failing the query, be closed, and the poll still be answered."""
    import psycopg

    job = make_job(artist)
    client = signed_in(artist)
    assert ask(client, url(job), fast=True)[0].status_code == 200
    pid = connection.connection.info.backend_pid
    settings_dict = connection.settings_dict
    with psycopg.connect(
        host=settings_dict["HOST"], port=settings_dict["PORT"], user=settings_dict["USER"],
        password=settings_dict["PASSWORD"], dbname=settings_dict["NAME"], autocommit=True,
    ) as admin:  # fmt: skip
        admin.execute("SELECT pg_terminate_backend(%s)", [pid])
    response, _ = ask(client, url(job), fast=True)
    assert response.status_code == 200, response.content
    assert response.json()["id"] == job.pk
    assert connection.connection.info.backend_pid != pid


def test_a_staff_scope_held_by_an_artist_is_the_whole_stacks_403(artist) -> None:
    """A reviewer made an artist keeps a review:read token that now reaches nothing."""
    job = make_job(artist)
    client, _ = with_token(artist)
    ApiToken.objects.filter(user=artist).update(scope="review:read")
    fast, queries, _ = both(client, url(job))
    assert (fast.status_code, fast.json()["code"]) == (403, "token_scope")
    assert queries > FAST_QUERIES
