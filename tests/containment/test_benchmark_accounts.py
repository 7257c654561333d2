"""Benchmark accounts (issue 16): a benchmark's own synthetic artist submits and polls at
machine pace, so it is exempted, per account, from the shared-account watch and the
per-account API budget (``containment.services.benchmark_account_exempt``). Nothing else
is lifted, no setting does it, and every other account keeps every protection: an
ordinary artist beside it is still contained and still throttled."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings

from accounts.models import User
from accounts.roles import Role
from accounts.services import api_token_create, user_create
from agreements.services import agreement_accept
from audit.models import AuditEvent
from cohorts.models import Cohort
from containment.services import activity_observe, benchmark_account_exempt, submission_observe
from jobs.models import Job
from tests.clocks import hold_clocks

pytestmark = pytest.mark.django_db


@pytest.fixture
def bench_artist(cohort: Cohort, nda: object) -> User:
    """As the benchmarks make theirs: no password (the script signs it in itself)."""
    user = user_create(email="bench@example.com", password=None, role=Role.ARTIST, cohort=cohort)
    benchmark_account_exempt(user=user)
    agreement_accept(user=user, typed_full_name="Bench Artist", ip_address=None, user_agent="")
    return user


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def queued_job(artist: User) -> Job:
    assert artist.cohort is not None
    return Job.objects.create(
        artist=artist, cohort=artist.cohort, prompt="a red bird over the sea",
        duration_seconds=2, resolution="480p", aspect_ratio="16:9", seed=7, model="tiny-wan",
        num_frames=9, width=64, height=64, fps=8, steps=4, guidance=5.0,
    )  # fmt: skip


def test_every_account_is_made_without_it_and_no_form_sets_it(artist, reviewer):
    assert not artist.is_benchmark_account
    assert not reviewer.is_benchmark_account
    field = User._meta.get_field("is_benchmark_account")
    assert field.default is False
    assert not field.editable  # no ModelForm, hence no admin or portal form, shows it
    model_admin = admin.site._registry[User]
    shown = {name for _, options in model_admin.fieldsets or () for name in options["fields"]}
    assert "is_benchmark_account" not in shown


def test_only_an_account_nobody_can_sign_in_to_with_a_password_may_be_exempted(
    artist, reviewer, cohort
):
    for person in (artist, reviewer):
        with pytest.raises(ValueError, match="not a benchmark's own account"):
            benchmark_account_exempt(user=person)
        person.refresh_from_db()
        assert not person.is_benchmark_account
    staff = user_create(email="ops@example.com", password=None, role=Role.REVIEWER)
    with pytest.raises(ValueError, match="not a benchmark's own account"):
        benchmark_account_exempt(user=staff)
    assert not AuditEvent.objects.filter(action="containment.benchmark_account").exists()


def test_the_exemption_is_stored_and_audited(bench_artist):
    bench_artist.refresh_from_db()
    assert bench_artist.is_benchmark_account
    event = AuditEvent.objects.get(action="containment.benchmark_account")
    assert (event.object_type, event.object_id) == ("accounts.user", str(bench_artist.pk))


def test_machine_cadence_contains_an_ordinary_artist_not_a_benchmark_account(
    artist, bench_artist, settings
):
    settings.ANOMALY_CADENCE_SAMPLES = 5
    found = []
    for n in range(12):
        assert submission_observe(user=bench_artist, at=1000.0 + 4.0 * n) == []
        found += submission_observe(user=artist, at=1000.0 + 4.0 * n)
    assert [finding.rule for finding in found] == ["cadence"]  # then it is contained
    artist.refresh_from_db()
    bench_artist.refresh_from_db()
    assert artist.is_paused and not artist.is_active
    assert not bench_artist.is_paused and bench_artist.is_active


def test_many_addresses_contain_an_ordinary_artist_not_a_benchmark_account(
    artist, bench_artist, settings
):
    settings.ANOMALY_MAX_DISTINCT_IPS = 3
    for n in range(6):
        assert activity_observe(user=bench_artist, ip=f"10.0.0.{n}", user_agent="ua") == []
        activity_observe(user=artist, ip=f"10.0.0.{n}", user_agent="ua")
    artist.refresh_from_db()
    bench_artist.refresh_from_db()
    assert artist.is_paused
    assert not bench_artist.is_paused


def test_the_account_budget_throttles_an_ordinary_artist_not_a_benchmark_account(
    artist, bench_artist, settings, monkeypatch
):
    settings.API_RATE_LIMIT_ACCOUNT_PER_MINUTE = 3
    hold_clocks(monkeypatch)  # every request in one budget minute
    bench, ordinary = signed_in(bench_artist), signed_in(artist)
    assert [bench.get("/api/v1/me/").status_code for _ in range(10)] == [200] * 10
    codes = [ordinary.get("/api/v1/me/").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]


def test_a_benchmark_accounts_tokens_keep_their_budget(bench_artist, settings, monkeypatch):
    settings.API_RATE_LIMIT_TOKEN_PER_MINUTE = 3
    hold_clocks(monkeypatch)
    secret = api_token_create(user=bench_artist, name="bench", scope="read").secret
    client = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    codes = [client.get("/api/v1/me/").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]


@override_settings(API_STATUS_FAST_PATH=True, API_RATE_LIMIT_ACCOUNT_PER_MINUTE=3)
def test_the_status_fast_path_knows_a_benchmark_account(artist, bench_artist, monkeypatch):
    """The job page's poll is answered in one statement (decision 0018); it spends the
    account budget as the whole stack does, so it must know the exemption too."""
    hold_clocks(monkeypatch)
    for user, expected in ((bench_artist, [200] * 8), (artist, [200, 200, 429])):
        client, job = signed_in(user), queued_job(user)
        client.get(f"/api/v1/generations/{job.pk}/")  # the whole stack records the session
        codes = []
        for _ in range(len(expected)):
            with CaptureQueriesContext(connection) as queries:
                response = client.get(f"/api/v1/generations/{job.pk}/")
            codes.append(response.status_code)
            if response.status_code == 200:
                assert len(queries) == 1  # answered by the fast path
        assert codes == expected, user.email
