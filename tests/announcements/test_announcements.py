"""Announcements to a cohort (issue 18, point 4): program admins write a draft, publish it
once (portal + one email per active member, in each member's language), and see who has
read it; artists see their own cohort's, and opening one marks it read."""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from django.core.mail import EmailMessage
from django.core.mail.backends import locmem
from django.test import Client

from accounts.models import User
from accounts.roles import Role
from accounts.services import user_create
from agreements.services import agreement_accept
from announcements.models import Announcement, AnnouncementRead, AnnouncementStatus
from announcements.services import announcement_create, announcement_publish
from audit.models import AuditEvent
from cohorts.models import Cohort
from cohorts.services import cohort_create
from containment.switches import account_suspend
from domain.errors import InvalidTransition
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

STAFF = "/staff/announcements/"


def signed_in(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def published(
    cohort: Cohort, title: str = "Studio hours", body: str = "Open on Friday."
) -> Announcement:
    draft = announcement_create(actor=None, cohort=cohort, title=title, body=body)
    return announcement_publish(actor=None, announcement=draft)


@pytest.fixture
def stranger(nda) -> User:
    """An artist in another cohort."""
    elsewhere = cohort_create(actor=None, name="Wave 2", capacity=5)
    user = user_create(
        email="dan@example.com", password=PASSWORD, role=Role.ARTIST, cohort=elsewhere
    )
    agreement_accept(user=user, typed_full_name="Dan", ip_address="127.0.0.1", user_agent="t")
    return user


@pytest.mark.parametrize("who", ["anonymous", "artist", "reviewer"])
def test_only_program_admins_reach_the_staff_pages_and_actions(request, who, cohort):
    user = None if who == "anonymous" else request.getfixturevalue(who)
    draft = announcement_create(actor=None, cohort=cohort, title="Draft", body="Not yet.")
    client = signed_in(user)
    answers = [
        client.get(STAFF),
        client.get(f"{STAFF}new/"),
        client.post(f"{STAFF}new/", {"cohort": cohort.pk, "title": "T", "body": "B"}),
        client.get(f"{STAFF}{draft.pk}/"),
        client.post(f"{STAFF}{draft.pk}/edit/", {"title": "Changed", "body": "B"}),
        client.post(f"{STAFF}{draft.pk}/publish/"),
    ]
    # Signed out, a page sends you to sign in; an action is refused.
    expected = [302, 302, 403, 302, 403, 403] if who == "anonymous" else [403] * 6
    assert [a.status_code for a in answers] == expected
    draft.refresh_from_db()
    assert (draft.title, draft.status) == ("Draft", AnnouncementStatus.DRAFT)
    assert Announcement.objects.count() == 1


def test_the_new_form_names_each_bad_field_and_saves_nothing(program_admin, cohort):
    client = signed_in(program_admin)
    page = client.post(f"{STAFF}new/", {"cohort": "", "title": "  ", "body": ""})
    assert page.status_code == 400
    form = page.context["form"]
    assert set(form.errors) == {"cohort", "title", "body"}
    too_long = client.post(
        f"{STAFF}new/", {"cohort": cohort.pk, "title": "x" * 201, "body": "fine\x00"}
    )
    assert too_long.status_code == 400
    errors = too_long.context["form"].errors
    assert "200" in errors["title"][0]
    assert "U+0000" in errors["body"][0]
    assert 'aria-invalid="true"' in too_long.content.decode()
    # What was typed comes back.
    assert "x" * 201 in too_long.content.decode()
    assert Announcement.objects.count() == 0
    assert not AuditEvent.objects.filter(action__startswith="announcement.").exists()


def test_a_program_admin_drafts_edits_and_publishes_one_email_per_member(
    program_admin, artist, other_artist, unsigned_artist, stranger, cohort, mailoutbox,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    User.objects.filter(pk=other_artist.pk).update(language="fr")
    User.objects.filter(pk=unsigned_artist.pk).update(language="id")
    client = signed_in(program_admin)
    answer = client.post(
        f"{STAFF}new/",
        {
            "cohort": cohort.pk,
            "title": "Studio hours",
            "body": "Open on Friday.\n\nBring <b>tea</b>.",
        },
    )
    announcement = Announcement.objects.get()
    assert answer.status_code == 302
    assert answer["Location"] == f"{STAFF}{announcement.pk}/"
    assert (announcement.status, announcement.created_by) == ("draft", program_admin)
    # A draft reaches nobody yet.
    assert signed_in(artist).get(f"/announcements/{announcement.pk}/").status_code == 404
    form = client.get(f"{STAFF}{announcement.pk}/edit/")
    assert form.status_code == 200
    assert "Bring &lt;b&gt;tea&lt;/b&gt;." in form.content.decode()
    assert 'name="cohort"' not in form.content.decode()  # a draft keeps its cohort
    refused = client.post(f"{STAFF}{announcement.pk}/edit/", {"title": "", "body": "x"})
    assert refused.status_code == 400
    assert set(refused.context["form"].errors) == {"title"}
    edited = client.post(
        f"{STAFF}{announcement.pk}/edit/",
        {"title": "Studio hours (Friday)", "body": "Open on Friday.\n\nBring <b>tea</b>."},
    )
    assert edited.status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(f"{STAFF}{announcement.pk}/publish/")
    assert answer.status_code == 302
    announcement.refresh_from_db()
    assert announcement.status == AnnouncementStatus.PUBLISHED
    assert announcement.published_at is not None
    # One email to each member of the cohort, none to another cohort's artist.
    by_address = {mail.to[0]: mail for mail in mailoutbox}
    assert sorted(by_address) == sorted([artist.email, other_artist.email, unsigned_artist.email])
    assert len(mailoutbox) == 3
    assert announcement.emailed_count == 3
    english, french, indonesian = (
        by_address[u.email] for u in (artist, other_artist, unsigned_artist)
    )
    assert english.subject == "[Vernissage] Announcement: Studio hours (Friday)"
    assert french.subject == "[Vernissage] Annonce : Studio hours (Friday)"
    assert indonesian.subject == "[Vernissage] Pengumuman: Studio hours (Friday)"
    assert "Bring <b>tea</b>." in english.body  # plain text mail: the text as written
    assert f"/announcements/{announcement.pk}/" in english.body
    assert "nouvelle annonce pour votre cohorte, Wave 1" in french.body
    assert "pengumuman baru untuk kohort Anda" in indonesian.body
    actions = list(
        AuditEvent.objects.filter(action__startswith="announcement.", actor=program_admin)
        .order_by("pk")
        .values_list("action", "data")
    )
    assert [a for a, _ in actions] == [
        "announcement.create", "announcement.update", "announcement.publish"
    ]  # fmt: skip
    assert actions[2][1] == {"cohort": cohort.pk, "recipients": 3}
    page = client.get(f"{STAFF}{announcement.pk}/").content.decode()
    assert "3 emails sent" in page


def test_a_suspended_member_is_neither_emailed_nor_counted(
    program_admin, artist, other_artist, cohort, mailoutbox, django_capture_on_commit_callbacks
):
    account_suspend(admin=program_admin, user=other_artist, reason="Leaked password")
    with django_capture_on_commit_callbacks(execute=True):
        announcement = published(cohort)
    assert [mail.to for mail in mailoutbox] == [[artist.email]]
    page = signed_in(program_admin).get(STAFF).content.decode()
    assert "0 / 1" in page
    assert Announcement.objects.get(pk=announcement.pk).emailed_count == 1


def test_a_published_announcement_is_never_changed_or_sent_twice(
    program_admin, artist, cohort, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        announcement = published(cohort)
    with pytest.raises(InvalidTransition):
        announcement_publish(actor=program_admin, announcement=announcement)
    client = signed_in(program_admin)
    with django_capture_on_commit_callbacks(execute=True):
        again = client.post(f"{STAFF}{announcement.pk}/publish/", follow=True)
    assert "already published" in again.content.decode()
    edit = client.post(f"{STAFF}{announcement.pk}/edit/", {"title": "New", "body": "New"})
    assert edit.status_code == 302
    announcement.refresh_from_db()
    assert (announcement.title, announcement.body) == ("Studio hours", "Open on Friday.")
    assert len(mailoutbox) == 1


def test_artists_see_their_cohorts_announcements_and_opening_one_marks_it_read(
    artist, other_artist, program_admin, cohort
):
    first = published(cohort, title="First news")
    second = published(cohort, title="Second news", body="Line one\nLine two <script>x</script>")
    announcement_create(actor=None, cohort=cohort, title="Still a draft", body="Hidden.")
    client = signed_in(artist)
    listing = client.get("/announcements/")
    text = listing.content.decode()
    assert listing.status_code == 200
    assert "Still a draft" not in text
    assert text.index("Second news") < text.index("First news")  # newest first
    assert text.count("New:") == 2
    assert 'id="nav-announcements"' in text
    assert '<span class="badge">2<span class="visually-hidden"> unread' in text
    page = client.get(f"/announcements/{second.pk}/")
    body = page.content.decode()
    assert page.status_code == 200
    assert page["Cache-Control"] == "no-store"
    assert "Line one<br>Line two &lt;script&gt;x&lt;/script&gt;" in body
    read = AnnouncementRead.objects.get(user=artist)
    assert read.announcement == second
    # Again: still one row, the first time kept.
    client.get(f"/announcements/{second.pk}/")
    assert list(AnnouncementRead.objects.values_list("read_at")) == [(read.read_at,)]
    after = client.get("/announcements/").content.decode()
    assert after.count("New:") == 1
    assert '<span class="badge">1<span class="visually-hidden"> unread' in after
    # The program admin sees who read it and who hasn't.
    staff = signed_in(program_admin)
    assert "1 / 2" in staff.get(STAFF).content.decode()
    detail = staff.get(f"{STAFF}{second.pk}/").content.decode()
    readers, not_yet = detail.split('id="not-readers"')
    assert artist.email in readers and other_artist.email not in readers
    assert other_artist.email in not_yet
    assert "Read by 1 of 2" in detail
    assert first.pk != second.pk


@pytest.mark.parametrize(
    ("header", "value"),
    [("Sec-Purpose", "prefetch"), ("Sec-Purpose", "prefetch;prerender"), ("Purpose", "prefetch")],
)
def test_a_prefetch_shows_the_page_but_marks_nothing_read(artist, cohort, header, value):
    announcement = published(cohort)
    page = signed_in(artist).get(f"/announcements/{announcement.pk}/", headers={header: value})
    assert page.status_code == 200
    assert not AnnouncementRead.objects.exists()


def test_nobody_outside_the_cohort_sees_it(stranger, outsider, program_admin, cohort):
    announcement = published(cohort, title="Members only")
    for user in (stranger, program_admin):
        client = signed_in(user)
        assert client.get(f"/announcements/{announcement.pk}/").status_code == 404, user
        assert "Members only" not in client.get("/announcements/").content.decode()
    # No role, no cohort: held at the agreement, like on every portal page.
    held = signed_in(outsider).get(f"/announcements/{announcement.pk}/")
    assert held.status_code == 302 and held["Location"].startswith("/agreement/")
    assert not AnnouncementRead.objects.exists()


def test_the_artist_pages_speak_the_artists_language(artist, cohort):
    User.objects.filter(pk=artist.pk).update(language="fr")
    announcement = published(cohort)
    client = signed_in(artist)
    text = client.get("/announcements/").content.decode()
    assert "Annonces" in text and "Nouveau :" in text
    detail = client.get(f"/announcements/{announcement.pk}/").content.decode()
    assert "Toutes les annonces" in detail


class RefusingBackend(locmem.EmailBackend):
    """Django's test backend, but the mail server refuses one address."""

    def send_messages(self, messages: Sequence[EmailMessage]) -> int:
        if any("bob@" in address for m in messages for address in m.to):
            raise OSError("550 mailbox unavailable")
        return super().send_messages(messages)


def test_a_refused_email_is_logged_and_the_others_still_go(
    artist, other_artist, cohort, mailoutbox, settings, django_capture_on_commit_callbacks, caplog
):
    settings.EMAIL_BACKEND = f"{__name__}.RefusingBackend"
    with django_capture_on_commit_callbacks(execute=True):
        announcement = published(cohort)
    assert [mail.to for mail in mailoutbox] == [[artist.email]]
    announcement.refresh_from_db()
    assert announcement.status == AnnouncementStatus.PUBLISHED
    assert announcement.emailed_count == 1
    assert f"the email to user {other_artist.pk} failed" in caplog.text
