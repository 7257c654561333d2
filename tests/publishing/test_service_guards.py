"""Guards in ``publishing.services`` that no other test defended (docs/mutation.md):
which review, which publication, whose video, in which state, under which lock. Each test
names its guard; taking the guard away (tools/guard_mutants.py) makes it fail."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from audit.models import AuditEvent
from domain.errors import InvalidTransition, NotAllowed
from jobs.models import Output
from ledger.services import rate_card_create, rate_card_publish
from moderation.models import ReviewItem, ReviewStatus
from moderation.services import review_approve, review_claim, review_revoke_approval
from publishing.errors import NotApproved
from publishing.models import Publication, PublicationStatus, Takedown
from publishing.services import (
    publication_create,
    publication_showcase,
    publication_takedown,
    publication_unpublish,
)
from tests.concurrency import Racer, RowLock, finish, start_and_wait_until_blocked
from tests.held_rows import RowChangeInProgress

REASON = "Rights holder complaint about the soundtrack"


def approve(output: Output, reviewer) -> None:
    review_approve(item=review_claim(item=output.review, reviewer=reviewer), reviewer=reviewer)


@pytest.fixture
def approved(artist, reviewer, make_output):
    """Make an approved output of ``artist``'s."""

    def make(prompt: str = "a quiet harbour at dawn") -> Output:
        output = make_output(artist, prompt=prompt)
        approve(output, reviewer)
        return output

    return make


# --- publishing ----------------------------------------------------------------------


@pytest.mark.django_db
def test_an_unknown_visibility_is_refused(artist, approved):
    """The guard: ``visibility not in Visibility.values``."""
    with pytest.raises(ValidationError) as error:
        publication_create(output=approved(), artist=artist, visibility="everyone")
    assert "visibility" in error.value.message_dict
    assert not Publication.objects.exists()


@pytest.mark.django_db
def test_another_outputs_approval_does_not_approve_this_one(artist, approved, make_output):
    """The guard: the review row read (and locked) is this output's
    (``filter(output=output)``), not the first approved one."""
    approved("approved first")
    pending = make_output(artist, prompt="still waiting for review")
    with pytest.raises(NotApproved):
        publication_create(output=pending, artist=artist, visibility="gallery")
    assert not Publication.objects.filter(output=pending).exists()


@pytest.mark.django_db
def test_an_output_without_a_review_item_is_not_approved(artist, make_output):
    """The guard: ``review is None`` (an output made before review existed, or whose
    item an operator removed) is a refusal, not a server error."""
    output = make_output(artist)
    ReviewItem.objects.filter(output=output).delete()
    output = Output.objects.get(pk=output.pk)
    with pytest.raises(NotApproved):
        publication_create(output=output, artist=artist, visibility="gallery")


@pytest.mark.django_db(transaction=True)
def test_a_publish_waiting_on_a_revocation_in_progress_is_refused(artist, reviewer, approved):
    """The guard: ``publication_create`` reads the review under its row lock, so an
    approval revoked while it waited counts. Without the lock it publishes on the stale
    (approved) row, and the video is public after its approval was withdrawn."""
    output = approved()
    review = ReviewItem.objects.get(output=output)

    with RowChangeInProgress(
        ReviewItem, review.pk, status=ReviewStatus.REJECTED, reason_code="nda_risk"
    ):
        racer = Racer(
            lambda: publication_create(output=output, artist=artist, visibility="gallery")
        )
        start_and_wait_until_blocked([racer])
    finish([racer])

    assert isinstance(racer.error, NotApproved), racer.error
    assert not Publication.objects.filter(output=output).exists()


@pytest.mark.django_db
def test_publishing_a_second_video_leaves_the_first_published(artist, approved):
    """The guard: "already published?" looks at this output's publications
    (``filter(output=output, …)``), not the artist's other videos."""
    first = publication_create(output=approved("one"), artist=artist, visibility="gallery")
    second = publication_create(output=approved("two"), artist=artist, visibility="gallery")
    assert second.pk != first.pk
    statuses = dict(Publication.objects.values_list("pk", "status"))
    assert statuses == {first.pk: PublicationStatus.ACTIVE, second.pk: PublicationStatus.ACTIVE}


@pytest.mark.django_db
def test_only_its_artist_unpublishes_a_video(artist, other_artist, approved):
    """The guard: ``publication_unpublish`` refuses anyone but the video's artist."""
    publication = publication_create(output=approved(), artist=artist, visibility="gallery")
    with pytest.raises(NotAllowed):
        publication_unpublish(publication=publication, artist=other_artist)
    publication.refresh_from_db()
    assert publication.status == PublicationStatus.ACTIVE


@pytest.mark.django_db
def test_a_stale_unpublish_does_not_rewrite_a_takedown(artist, reviewer, approved):
    """The guard: ``_end`` ends only an active publication (``status=ACTIVE``). The
    artist's page loaded the publication before staff took it down; unpublishing from
    it afterwards must leave the takedown, and its reason, as staff wrote them."""
    publication = publication_create(output=approved(), artist=artist, visibility="gallery")
    stale = Publication.objects.get(pk=publication.pk)
    publication_takedown(publication=publication, staff=reviewer, reason=REASON)
    publication_unpublish(publication=stale, artist=artist)
    publication.refresh_from_db()
    assert publication.status == PublicationStatus.TAKEN_DOWN
    assert publication.end_reason == REASON


# --- taking down ---------------------------------------------------------------------


@pytest.mark.django_db
def test_only_staff_who_review_take_a_video_down(artist, other_artist, approved):
    """The guard: ``accounts.review_outputs`` for ``publication_takedown``."""
    publication = publication_create(output=approved(), artist=artist, visibility="gallery")
    for someone in (artist, other_artist):
        with pytest.raises(NotAllowed):
            publication_takedown(publication=publication, staff=someone, reason=REASON)
    publication.refresh_from_db()
    assert publication.status == PublicationStatus.ACTIVE
    assert not Takedown.objects.exists()


@pytest.mark.django_db
def test_an_ended_publication_cannot_be_taken_down(artist, reviewer, approved):
    """The guard: the takedown's "is it active?" check (``status=ACTIVE``): an
    unpublished video gets no takedown, no hold and no notice."""
    publication = publication_create(output=approved(), artist=artist, visibility="gallery")
    publication_unpublish(publication=publication, artist=artist)
    with pytest.raises(InvalidTransition):
        publication_takedown(publication=publication, staff=reviewer, reason=REASON)
    publication.refresh_from_db()
    assert publication.status == PublicationStatus.UNPUBLISHED
    assert not Takedown.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_takedown_waits_for_a_publish_in_progress_on_the_same_video(
    artist, reviewer, approved, make_output
):
    """The guard: ``publication_takedown`` locks this output's review row, the lock
    ``publication_create`` holds, so the two never interleave (a publish that swapped
    the publication would otherwise escape the takedown). Another output's review row
    comes first in the queue, so locking the wrong row is seen too."""
    make_output(artist, prompt="an earlier video, first in the queue")
    publication = publication_create(output=approved(), artist=artist, visibility="gallery")
    review = ReviewItem.objects.get(output_id=publication.output_id)

    with RowLock(ReviewItem, review.pk):
        racer = Racer(
            lambda: publication_takedown(publication=publication, staff=reviewer, reason=REASON)
        )
        start_and_wait_until_blocked([racer])
    finish([racer])

    assert racer.error is None, racer.error
    assert Takedown.objects.filter(output_id=publication.output_id).count() == 1


# --- what an approval's revocation ends ----------------------------------------------


@pytest.mark.django_db
def test_revoking_one_approval_ends_only_that_videos_publication(artist, program_admin, approved):
    """The guards: ``publications_end_for_output`` ends this output's *active*
    publications: the artist's other video stays up, and an earlier, unpublished
    publication of this one keeps how it ended."""
    revoked = approved("to be revoked")
    earlier = publication_create(output=revoked, artist=artist, visibility="link")
    publication_unpublish(publication=earlier, artist=artist)
    current = publication_create(output=revoked, artist=artist, visibility="gallery")
    other = publication_create(output=approved("stays up"), artist=artist, visibility="gallery")

    review_revoke_approval(
        item=revoked.review, admin=program_admin, reason_code="nda_risk", note="Rights issue."
    )

    statuses = dict(Publication.objects.values_list("pk", "status"))
    assert statuses[current.pk] == PublicationStatus.TAKEN_DOWN
    assert statuses[other.pk] == PublicationStatus.ACTIVE
    earlier.refresh_from_db()
    assert earlier.status == PublicationStatus.UNPUBLISHED
    assert earlier.end_reason == "unpublished by the artist"
    taken_down = AuditEvent.objects.filter(action="publication.takedown")
    assert list(taken_down.values_list("object_id", flat=True)) == [str(current.pk)]


@pytest.mark.django_db
def test_a_takedown_names_this_videos_showcase_credit_only(
    artist, reviewer, program_admin, approved
):
    """The guard: the showcase credit a takedown reports as kept is this output's
    (``source_key=showcase:<output>``), not whichever entry the ledger holds."""
    card = rate_card_create(
        admin=program_admin,
        effective_at=timezone.now() - timedelta(hours=1),
        rates={"showcase": "40.00"},
    )
    rate_card_publish(admin=program_admin, card=card)
    showcased = publication_create(output=approved("one"), artist=artist, visibility="gallery")
    publication_showcase(admin=program_admin, publication=showcased)
    plain = publication_create(output=approved("two"), artist=artist, visibility="gallery")

    publication_takedown(publication=plain, staff=reviewer, reason=REASON)

    event = AuditEvent.objects.get(action="publication.takedown", object_id=str(plain.pk))
    assert event.data["showcase_credit_kept"] is None


# --- the showcase --------------------------------------------------------------------


@pytest.mark.django_db
def test_only_program_admins_select_for_the_showcase(artist, reviewer, approved):
    """The guard: ``accounts.run_program`` for ``publication_showcase``."""
    publication = publication_create(output=approved(), artist=artist, visibility="gallery")
    for someone in (reviewer, artist):
        with pytest.raises(NotAllowed):
            publication_showcase(admin=someone, publication=publication)
