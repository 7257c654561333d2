"""The cohorts' program pages (issue 18 point 4): /staff/cohorts/ lists every cohort,
/staff/cohorts/<id>/ edits one through ``cohorts.services``. Only program admins; each
bad field is an error on that field and nothing is saved; a good edit is audited."""

from __future__ import annotations

import pytest
from django.test import Client

from accounts.models import User
from audit.models import AuditEvent
from cohorts.models import Cohort

pytestmark = pytest.mark.django_db


def _page(cohort: Cohort) -> str:
    return f"/staff/cohorts/{cohort.pk}/"


def _signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _good(**changes: object) -> dict[str, object]:
    """The form as a program admin sends it: everything filled in, then ``changes``."""
    data: dict[str, object] = {
        "capacity": "9",
        "daily_generation_quota": "12",
        "review_sla_hours": "24",
        "scheduling_weight": "3",
        "allowed_durations": ["2", "4", "8"],
        "allowed_resolutions": ["480p", "1080p"],
        "allowed_modes": ["text", "storyboard"],
        "max_variations": "2",
        "max_shots": "3",
        "visible_watermark": "on",
        "download_policy": "always",
        "save": "1",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


@pytest.mark.parametrize("role", ["anonymous", "artist", "reviewer"])
def test_only_program_admins_reach_the_pages(role, cohort, artist, reviewer) -> None:
    client = (
        Client() if role == "anonymous" else _signed_in(artist if role == "artist" else reviewer)
    )
    for url in ("/staff/cohorts/", _page(cohort)):
        answer = client.get(url)
        assert answer.status_code in (302, 403), (role, url)
        if answer.status_code == 302:
            assert answer["Location"].startswith(("/accounts/login/", "/agreement/"))
    answer = client.post(_page(cohort), _good())
    assert answer.status_code in (302, 403)
    if answer.status_code == 302:
        assert answer["Location"].startswith(("/accounts/login/", "/agreement/"))
    cohort.refresh_from_db()
    assert cohort.capacity == 5
    assert not AuditEvent.objects.filter(action__startswith="cohort.").exists()


def test_the_list_shows_each_cohort(cohort, artist, other_artist, program_admin) -> None:
    answer = _signed_in(program_admin).get("/staff/cohorts/")
    assert answer.status_code == 200
    text = answer.content.decode()
    assert "Wave 1" in text
    assert "2 / 5" in text  # two artists of five seats
    assert "48 h" in text
    assert _page(cohort) in text


def test_a_good_edit_is_saved_and_audited(cohort, artist, program_admin) -> None:
    client = _signed_in(program_admin)
    assert client.get(_page(cohort)).status_code == 200
    answer = client.post(_page(cohort), _good())
    assert answer.status_code == 302
    assert answer["Location"] == _page(cohort)
    cohort.refresh_from_db()
    assert (cohort.capacity, cohort.daily_generation_quota) == (9, 12)
    assert (cohort.review_sla_hours, cohort.scheduling_weight) == (24, 3)
    assert cohort.allowed_durations == [2, 4, 8]
    assert cohort.allowed_resolutions == ["480p", "1080p"]
    assert cohort.allowed_modes == ["text", "storyboard"]
    assert (cohort.max_variations, cohort.max_shots) == (2, 3)
    assert cohort.visible_watermark is True
    assert cohort.download_policy == "always"
    [limits] = AuditEvent.objects.filter(action="cohort.limits")
    assert limits.actor_id == program_admin.pk
    assert limits.data["capacity"] == {"from": 5, "to": 9}
    assert limits.data["allowed_durations"] == {"from": [2, 5, 10], "to": [2, 4, 8]}
    assert limits.data["visible_watermark"] == {"from": False, "to": True}
    [modes] = AuditEvent.objects.filter(action="cohort.allowed_modes")
    assert modes.data == {"from": ["text"], "to": ["text", "storyboard"]}
    assert AuditEvent.objects.filter(action="cohort.generation_rules").count() == 1
    [policy] = AuditEvent.objects.filter(action="cohort.download_policy")
    assert policy.data == {"from": "after_approval", "to": "always"}
    # The page shows what was saved; saving it again unchanged records nothing more.
    text = client.get(_page(cohort)).content.decode()
    assert 'name="allowed_durations" value="4" checked' in text
    before = AuditEvent.objects.count()
    assert client.post(_page(cohort), _good()).status_code == 302
    assert AuditEvent.objects.count() == before


# Each bad field, alone in an otherwise good form.
BAD_FIELDS = [
    ("capacity", {"capacity": "0"}),
    ("capacity", {"capacity": "1"}),  # below the two seats taken
    ("capacity", {"capacity": "many"}),
    ("capacity", {"capacity": None}),
    ("daily_generation_quota", {"daily_generation_quota": "-1"}),
    ("daily_generation_quota", {"daily_generation_quota": "10001"}),
    ("review_sla_hours", {"review_sla_hours": "0"}),
    ("review_sla_hours", {"review_sla_hours": "721"}),
    ("scheduling_weight", {"scheduling_weight": "0"}),
    ("scheduling_weight", {"scheduling_weight": "101"}),
    ("allowed_durations", {"allowed_durations": None}),
    ("allowed_durations", {"allowed_durations": ["11"]}),
    ("allowed_durations", {"allowed_durations": ["two"]}),
    ("allowed_durations", {"allowed_durations": ["2", "2"]}),
    ("allowed_resolutions", {"allowed_resolutions": None}),
    ("allowed_resolutions", {"allowed_resolutions": ["4k"]}),
    ("allowed_modes", {"allowed_modes": None}),
    ("allowed_modes", {"allowed_modes": ["dream"]}),
    ("max_variations", {"max_variations": "5"}),
    ("max_shots", {"max_shots": "1"}),
    ("download_policy", {"download_policy": "sometimes"}),
]


@pytest.mark.parametrize(("field", "changes"), BAD_FIELDS)
def test_each_bad_field_is_an_error_and_nothing_is_saved(
    field, changes, cohort, artist, other_artist, program_admin
) -> None:
    before = {f.name: getattr(cohort, f.name) for f in Cohort._meta.concrete_fields}
    events = AuditEvent.objects.count()
    answer = _signed_in(program_admin).post(_page(cohort), _good(**changes))
    assert answer.status_code == 400
    text = answer.content.decode()
    assert f'id="c-{field}-error"' in text
    # Only that field is marked, and what was typed comes back.
    assert text.count('class="error" id="c-') == 1
    assert 'name="scheduling_weight" value="3"' in text or field == "scheduling_weight"
    cohort.refresh_from_db()
    assert {f.name: getattr(cohort, f.name) for f in Cohort._meta.concrete_fields} == before
    assert AuditEvent.objects.count() == events


def test_several_bad_fields_are_all_shown(cohort, artist, program_admin) -> None:
    answer = _signed_in(program_admin).post(
        _page(cohort), _good(capacity="0", allowed_modes=None, download_policy="x")
    )
    assert answer.status_code == 400
    text = answer.content.decode()
    for field in ("capacity", "allowed_modes", "download_policy"):
        assert f'id="c-{field}-error"' in text
    cohort.refresh_from_db()
    assert cohort.capacity == 5
    assert cohort.allowed_durations == [2, 5, 10]


def test_pause_needs_a_reason_and_resume_clears_it(cohort, artist, program_admin) -> None:
    client = _signed_in(program_admin)
    answer = client.post(_page(cohort), {"pause": "1", "reason": "  "})
    assert answer.status_code == 400
    assert 'id="c-reason-error"' in answer.content.decode()
    cohort.refresh_from_db()
    assert not cohort.is_paused
    answer = client.post(_page(cohort), {"pause": "1", "reason": "Model update tonight"})
    assert answer.status_code == 302
    cohort.refresh_from_db()
    assert (cohort.is_paused, cohort.paused_reason) == (True, "Model update tonight")
    assert AuditEvent.objects.filter(action="cohort.pause").count() == 1
    assert "Resume cohort" in client.get(_page(cohort)).content.decode()
    assert client.post(_page(cohort), {"resume": "1"}).status_code == 302
    cohort.refresh_from_db()
    assert (cohort.is_paused, cohort.paused_reason) == (False, "")
    assert AuditEvent.objects.filter(action="cohort.resume").count() == 1


def test_an_unknown_cohort_is_not_found(program_admin) -> None:
    assert _signed_in(program_admin).get("/staff/cohorts/999999/").status_code == 404
