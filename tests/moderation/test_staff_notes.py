"""Private staff notes on a review item (issue 18): reviewers and program admins write and
read them on the item page and in the staff API; the artist never meets them, on no page,
in no API answer and in no data export."""

from __future__ import annotations

import io
import re
import zipfile

import pytest
from django.core.exceptions import ValidationError

from audit.models import AuditEvent
from domain.errors import NotAllowed
from moderation.models import StaffNote
from moderation.services import review_claim, review_reject, staff_note_add

pytestmark = pytest.mark.django_db

SECRET = "Same face as the takedown last week; check item 41 before deciding"


def notes_block(html: str) -> str:
    match = re.search(r'<section aria-labelledby="notes-heading".*?</section>', html, re.S)
    assert match, "the item page has no staff notes section"
    return match.group(0)


def test_a_reviewer_adds_notes_and_reads_them_newest_first_with_author_and_time(
    client, reviewer, program_admin, artist, make_output
):
    item = make_output(artist).review
    client.force_login(reviewer)
    page = client.get(f"/staff/review/{item.pk}/").content.decode()
    block = notes_block(page)
    assert '<label for="staff-note-body">Private staff note</label>' in block
    assert f'action="/staff/review/{item.pk}/notes/"' in block
    assert '<button type="submit" id="add-note-button"' in block and "No notes yet." in block

    response = client.post(f"/staff/review/{item.pk}/notes/", {"body": "First look: fine."})
    assert response.status_code == 302
    assert response["Location"] == f"/staff/review/{item.pk}/#notes-heading"
    client.force_login(program_admin)
    page = client.post(
        f"/staff/review/{item.pk}/notes/", {"body": "Line one\nline <b>two</b>"}, follow=True
    ).content.decode()

    assert "Note added. Only staff can read it." in page
    block = notes_block(page)
    newest, oldest = (
        block.index("Line one<br>line &lt;b&gt;two&lt;/b&gt;"),
        block.index("First look: fine."),
    )
    assert newest < oldest  # newest first, escaped, line breaks kept
    assert block.index(program_admin.email) < block.index(reviewer.email)
    assert re.search(r'<time datetime="\d{4}-\d\d-\d\dT[^"]+">\d{4}-\d\d-\d\d \d\d:\d\d UTC', block)
    assert list(StaffNote.objects.values_list("author__email", flat=True)) == [
        program_admin.email,
        reviewer.email,
    ]


def test_a_note_is_written_on_a_decided_item_too(client, reviewer, artist, make_output):
    item = review_reject(
        item=review_claim(item=make_output(artist).review, reviewer=reviewer),
        reviewer=reviewer, reason_code="other", note="Not this one.",
    )  # fmt: skip
    client.force_login(reviewer)
    client.post(f"/staff/review/{item.pk}/notes/", {"body": "Expect an appeal."})
    assert StaffNote.objects.get().item_id == item.pk


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("", "Write the note first."),
        ("   \n ", "Write the note first."),
        ("x" * 2001, "Keep it to 2000 characters (this is 2001)."),
        ("a\x00b", "Remove the control characters (U+0000)."),
    ],
)
def test_a_blank_or_too_long_note_is_a_field_error_and_the_text_is_kept(
    client, reviewer, artist, make_output, body, message
):
    item = make_output(artist).review
    client.force_login(reviewer)
    response = client.post(f"/staff/review/{item.pk}/notes/", {"body": body})
    assert response.status_code == 400
    block = notes_block(response.content.decode())
    assert f'<p class="error" id="staff-note-body-error">{message}</p>' in block
    assert 'aria-invalid="true"' in block and "autofocus" in block
    if body.strip() and "\x00" not in body:
        assert body in block  # what was typed is still there to fix
    assert not StaffNote.objects.exists()


def test_a_note_of_exactly_2000_characters_is_kept_whole(reviewer, artist, make_output):
    note = staff_note_add(item=make_output(artist).review, author=reviewer, body="y" * 2000)
    assert len(StaffNote.objects.get(pk=note.pk).body) == 2000


def test_only_reviewers_and_program_admins_may_write_a_note(
    artist, other_artist, outsider, reviewer, program_admin, make_output
):
    item = make_output(artist).review
    for who in (artist, other_artist, outsider):
        with pytest.raises(NotAllowed):
            staff_note_add(item=item, author=who, body="I should not be able to.")
    staff_note_add(item=item, author=reviewer, body="Reviewer.")
    staff_note_add(item=item, author=program_admin, body="Admin.")
    assert StaffNote.objects.filter(item=item).count() == 2
    with pytest.raises(ValidationError) as refused:
        staff_note_add(item=item, author=reviewer, body=" ")
    assert set(refused.value.error_dict) == {"body"}


def test_a_note_is_audited_without_its_text(reviewer, artist, make_output):
    item = make_output(artist).review
    note = staff_note_add(item=item, author=reviewer, body=SECRET)
    event = AuditEvent.objects.get(action="review.note")
    assert event.actor == reviewer
    assert (event.object_type, event.object_id) == ("moderation.reviewitem", str(item.pk))
    assert event.data == {"note": note.pk}
    assert SECRET not in str(event.data)


@pytest.mark.parametrize(
    ("who", "status", "location"),
    [
        # As every staff review URL: refused, whoever's item it is.
        ("artist", 403, None),
        ("other_artist", 403, None),
        ("outsider", 302, "/agreement/"),  # no role, no NDA: held at the agreement first
        ("anonymous", 403, None),  # a POST signed out: refused (a GET: asked to sign in)
    ],
)
def test_no_one_but_staff_may_post_to_the_notes_url(
    client, request, who, status, location, artist, make_output
):
    item = make_output(artist).review
    if who != "anonymous":
        client.force_login(request.getfixturevalue(who))
    response = client.post(f"/staff/review/{item.pk}/notes/", {"body": "Let me in."})
    assert response.status_code == status
    if location:
        assert response["Location"].startswith(location)
    assert not StaffNote.objects.exists()


def test_the_notes_url_takes_only_a_post_to_an_existing_item(client, reviewer, artist, make_output):
    item = make_output(artist).review
    client.force_login(reviewer)
    assert client.get(f"/staff/review/{item.pk}/notes/").status_code == 405
    assert client.post("/staff/review/999999/notes/", {"body": "Nobody."}).status_code == 404
    client.logout()
    signed_out = client.get(f"/staff/review/{item.pk}/notes/")
    assert signed_out.status_code == 302 and signed_out["Location"].startswith("/accounts/login/")


def test_the_artist_never_sees_a_note_on_their_page_api_or_data_export(
    client, reviewer, artist, make_output
):
    """Rejected with a note to the artist (so the review the artist sees is full: reason,
    note, history), and a private staff note beside it: the artist gets the first, never
    the second."""
    output = make_output(artist)
    item = review_reject(
        item=review_claim(item=output.review, reviewer=reviewer), reviewer=reviewer,
        reason_code="real_person", note="Looks like a famous actor.",
    )  # fmt: skip
    staff_note_add(item=item, author=reviewer, body=SECRET)
    client.force_login(artist)

    page = client.get(f"/generations/{output.job_id}/")
    assert page.status_code == 200 and "Looks like a famous actor." in page.content.decode()
    detail = client.get(f"/api/v1/generations/{output.job_id}/")
    assert detail.status_code == 200 and detail.json()["review"]["note"] == (
        "Looks like a famous actor."
    )
    listing = client.get("/api/v1/generations/")
    export = client.get("/my-data.zip")
    assert export.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(export.content))
    exported = {name: archive.read(name) for name in archive.namelist()}
    assert "Looks like a famous actor." in exported["reviews.json"].decode()

    for answer in (page, detail, listing):
        assert SECRET not in answer.content.decode()
        assert "staff_notes" not in answer.content.decode()
    for name, content in exported.items():
        assert SECRET.encode() not in content, name


def test_staff_api_shows_notes_on_the_item_and_takes_new_ones(
    client, reviewer, artist, make_output
):
    item = make_output(artist).review
    client.force_login(reviewer)
    assert client.get(f"/api/v1/review/{item.pk}/").json()["staff_notes"] == []

    added = client.post(
        f"/api/v1/review/{item.pk}/notes/", {"body": "Older."}, content_type="application/json"
    )
    assert added.status_code == 200 and added.json()["id"] == item.pk
    client.post(
        f"/api/v1/review/{item.pk}/notes/", {"body": "Newer."}, content_type="application/json"
    )
    notes = client.get(f"/api/v1/review/{item.pk}/").json()["staff_notes"]
    assert [n["body"] for n in notes] == ["Newer.", "Older."]
    assert notes[0]["author"] == reviewer.email and set(notes[0]) == {
        "id", "author", "body", "created_at",
    }  # fmt: skip

    blank = client.post(
        f"/api/v1/review/{item.pk}/notes/", {"body": " "}, content_type="application/json"
    )
    assert blank.status_code == 400 and set(blank.json()["fields"]) == {"body"}
    # The queue's rows stay lean: notes are read one item at a time.
    rows = client.get("/api/v1/review/queue/").json()["results"]
    assert rows and "staff_notes" not in rows[0]
    assert client.get("/api/v1/review/999999/").status_code == 404


@pytest.mark.parametrize("who", ["artist", "other_artist"])
def test_artists_get_nothing_from_the_staff_item_api(
    client, request, who, reviewer, artist, make_output
):
    item = make_output(artist).review
    staff_note_add(item=item, author=reviewer, body=SECRET)
    client.force_login(request.getfixturevalue(who))
    read = client.get(f"/api/v1/review/{item.pk}/")
    write = client.post(
        f"/api/v1/review/{item.pk}/notes/", {"body": "x"}, content_type="application/json"
    )
    assert read.status_code == 403 and SECRET not in read.content.decode()
    assert write.status_code == 403
    assert StaffNote.objects.count() == 1
