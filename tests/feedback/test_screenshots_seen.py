"""Bug-report screenshots are seen by the reporter and staff, through the media door, and
by nobody else (issue 14.3)."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from audit.models import AuditEvent
from feedback.services import feedback_submit
from tests.feedback.conftest import BUG

pytestmark = pytest.mark.django_db


@pytest.fixture
def report(artist, png_upload):
    return feedback_submit(
        reporter=artist, kind="bug", data=dict(BUG), screenshots=[png_upload(), png_upload()]
    )


def shot_links(html: str) -> list[str]:
    return [link.replace("&amp;", "&") for link in re.findall(r'<img src="([^"]+)"', html)]


def test_the_reporter_sees_thumbnails_that_open_full_size(client, artist, report):
    client.force_login(artist)
    page = client.get(f"/feedback/{report.pk}/").content.decode()
    links = shot_links(page)
    assert len(links) == 2 and all(link.startswith("/m/screenshots/") for link in links)
    assert 'alt="Screenshot 1 of 2' in page
    image = client.get(links[0])
    assert image.status_code == 200 and image["Content-Type"] == "image/png"
    assert b"".join(image.streaming_content).startswith(b"\x89PNG")


def test_staff_see_them_on_triage_and_it_is_audited(client, reviewer, report):
    client.force_login(reviewer)
    links = shot_links(client.get(f"/feedback/staff/{report.pk}/").content.decode())
    assert len(links) == 2
    assert client.get(links[1]).status_code == 200
    assert AuditEvent.objects.filter(action="media.staff_access").count() == 1


def test_nobody_else_gets_them(client, artist, other_artist, report):
    client.force_login(artist)
    link = shot_links(client.get(f"/feedback/{report.pk}/").content.decode())[0]
    # Another artist of the cohort may read the report, but sees no screenshots...
    other = Client()
    other.force_login(other_artist)
    page = other.get(f"/feedback/{report.pk}/")
    assert page.status_code == 200 and shot_links(page.content.decode()) == []
    # ...and the reporter's link is no use to them, nor to anyone signed out.
    assert other.get(link).status_code == 404
    assert Client().get(link).status_code == 404
    tampered = link.replace(
        f"/m/screenshots/{report.attachments.first().pk}/", "/m/screenshots/999/"
    )
    assert client.get(tampered).status_code == 404
