"""Staff can read the log in the admin, and nobody can change it there."""

from __future__ import annotations

import pytest
from django.urls import reverse

from audit.services import audit_record

pytestmark = pytest.mark.django_db


def test_the_admin_lists_events_read_only(admin_client):
    event = audit_record(actor=None, action="job.reap", data={"reaped": 2})

    listing = admin_client.get(reverse("admin:audit_auditevent_changelist"))
    detail = admin_client.get(reverse("admin:audit_auditevent_change", args=[event.pk]))

    assert listing.status_code == 200
    assert b"job.reap" in listing.content
    assert b"delete_selected" not in listing.content
    assert detail.status_code == 200
    assert b'name="_save"' not in detail.content


def test_the_admin_offers_no_add_or_delete(admin_client):
    event = audit_record(actor=None, action="job.reap")

    add = admin_client.get(reverse("admin:audit_auditevent_add"))
    delete = admin_client.post(
        reverse("admin:audit_auditevent_delete", args=[event.pk]), {"post": "yes"}
    )

    assert add.status_code == 403
    assert delete.status_code == 403


def test_an_event_whose_actor_was_deleted_still_displays(admin_client, outsider):
    from accounts.models import User

    event = audit_record(actor=outsider, action="account.sign_in")
    User.objects.filter(pk=outsider.pk).delete()

    detail = admin_client.get(reverse("admin:audit_auditevent_change", args=[event.pk]))

    assert detail.status_code == 200
    assert b"mallory@example.com" in detail.content
