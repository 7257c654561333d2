"""A cohort's generation rules (issue 17): which modes, how many variations per submission
and shots per storyboard; set by the service or Django's admin, field-checked, audited."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from audit.models import AuditEvent
from cohorts.services import cohort_set_generation_limits
from domain.errors import NotAllowed

pytestmark = pytest.mark.django_db


def test_limits_are_checked_per_field_and_audited(cohort, program_admin, reviewer):
    assert (cohort.max_variations, cohort.max_shots) == (4, 6)
    for variations, shots, field in ((0, 6, "max_variations"), (5, 6, "max_variations"),
                                     (4, 1, "max_shots"), (4, 7, "max_shots")):  # fmt: skip
        with pytest.raises(ValidationError) as refused:
            cohort_set_generation_limits(
                actor=program_admin, cohort=cohort, max_variations=variations, max_shots=shots
            )
        assert list(refused.value.message_dict) == [field]
    with pytest.raises(NotAllowed):
        cohort_set_generation_limits(actor=reviewer, cohort=cohort, max_variations=1, max_shots=2)
    cohort.refresh_from_db()
    assert (cohort.max_variations, cohort.max_shots) == (4, 6)
    cohort_set_generation_limits(actor=program_admin, cohort=cohort, max_variations=2, max_shots=3)
    cohort_set_generation_limits(actor=program_admin, cohort=cohort, max_variations=2, max_shots=3)
    cohort.refresh_from_db()
    assert (cohort.max_variations, cohort.max_shots) == (2, 3)
    [event] = AuditEvent.objects.filter(action="cohort.generation_rules")
    assert (event.actor_id, event.data) == (
        program_admin.pk,
        {"max_variations": {"from": 4, "to": 2}, "max_shots": {"from": 6, "to": 3}},
    )


def test_an_admin_edit_of_the_rules_is_audited(client, admin_user, cohort):
    client.force_login(admin_user)
    form = {
        "name": cohort.name, "capacity": str(cohort.capacity),
        "daily_generation_quota": str(cohort.daily_generation_quota),
        "allowed_durations": "[2, 5, 10]", "allowed_resolutions": '["480p", "720p"]',
        "allowed_modes": '["text", "storyboard"]', "max_variations": "2", "max_shots": "6",
        "review_sla_hours": str(cohort.review_sla_hours),
        "scheduling_weight": str(cohort.scheduling_weight),
        "second_opinion_share": str(cohort.second_opinion_share),
        "download_policy": cohort.download_policy, "paused_reason": "", "_save": "Save",
    }  # fmt: skip
    bad = client.post(f"/admin/cohorts/cohort/{cohort.pk}/change/", {**form, "max_shots": "9"})
    assert bad.status_code == 200 and "max_shots" in bad.context["adminform"].form.errors
    saved = client.post(f"/admin/cohorts/cohort/{cohort.pk}/change/", form)
    assert saved.status_code == 302, saved.content[:500]
    [event] = AuditEvent.objects.filter(action="cohort.generation_rules")
    assert (event.actor_id, event.data) == (
        admin_user.pk,
        {
            "allowed_modes": {"from": ["text"], "to": ["text", "storyboard"]},
            "max_variations": {"from": 4, "to": 2},
        },
    )
