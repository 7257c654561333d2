"""Writes about publications: publish, unpublish, take down, lift a takedown."""

from __future__ import annotations

import secrets

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.language import language_for
from accounts.models import User
from accounts.permissions import REVIEW_OUTPUTS, RUN_PROGRAM
from audit.services import audit_record
from domain.errors import InvalidTransition, NotAllowed
from domain.text import clean_text
from jobs.models import Output
from ledger.models import LedgerEntry
from ledger.services import ledger_credit
from moderation.models import ReviewItem, ReviewStatus
from notifications.services import notify
from publishing.errors import NotApproved, TakedownInForce
from publishing.models import Publication, PublicationStatus, Takedown, Visibility
from publishing.selectors import takedown_in_force

# Takedown reasons are one line the artist reads, stored in 300-character columns.
MAX_REASON = 300


def publication_create(*, output: Output, artist: User, visibility: str) -> Publication:
    """Publish an approved output of the artist's own. Publishing again with the same
    visibility is a no-op; with another, the old publication ends and a new one starts.
    A takedown in force refuses it (``TakedownInForce``), gallery and link alike."""
    if visibility not in Visibility.values:
        raise ValidationError(
            {"visibility": ValidationError(_("Choose gallery or link."), code="invalid_choice")}
        )
    if output.job.artist_id != artist.pk:
        raise NotAllowed(_("You can only publish your own videos."))
    with transaction.atomic():
        # Lock the review row: an approval being revoked right now can't slip past.

        review = ReviewItem.objects.select_for_update().filter(output=output).first()
        if review is None or review.status != ReviewStatus.APPROVED:
            raise NotApproved("Only approved videos can be published; this one isn't approved.")
        # Under the same lock as publication_takedown, so a takedown can't be slipped past.
        hold = takedown_in_force(output=output)
        if hold is not None:
            raise TakedownInForce(
                f"The review team took this video down ({hold.reason}). It can't be "
                "published again unless they lift the takedown."
            )
        current = Publication.objects.filter(output=output, status=PublicationStatus.ACTIVE).first()
        if current is not None and current.visibility == visibility:
            return current
        if current is not None:
            _end(
                current,
                status=PublicationStatus.UNPUBLISHED,
                actor=artist,
                reason="visibility changed",
            )
        try:
            with transaction.atomic():
                publication = Publication.objects.create(
                    output=output,
                    visibility=visibility,
                    slug=secrets.token_urlsafe(16),
                    published_at=timezone.now(),
                )
        except IntegrityError:
            raise InvalidTransition(
                _("This video was just published by another request.")
            ) from None
        audit_record(
            actor=artist,
            action="publication.publish",
            target=publication,
            data={"visibility": visibility},
        )
    return publication


def _end(
    publication: Publication, *, status: PublicationStatus, actor: User | None, reason: str
) -> None:
    Publication.objects.filter(pk=publication.pk, status=PublicationStatus.ACTIVE).update(
        status=status, ended_at=timezone.now(), ended_by=actor, end_reason=reason[:300]
    )


def publication_unpublish(*, publication: Publication, artist: User) -> Publication:
    """The artist takes their video down. Unpublishing twice is a no-op."""
    if publication.output.job.artist_id != artist.pk:
        raise NotAllowed(_("You can only unpublish your own videos."))
    if publication.status == PublicationStatus.ACTIVE:
        _end(
            publication,
            status=PublicationStatus.UNPUBLISHED,
            actor=artist,
            reason="unpublished by the artist",
        )
        audit_record(actor=artist, action="publication.unpublish", target=publication)
    return Publication.objects.get(pk=publication.pk)


def publication_takedown(*, publication: Publication, staff: User, reason: str) -> Publication:
    """Staff remove a publication, with a reason the artist is told. The output can't be
    published again (gallery or link) until staff lift the takedown
    (``publication_takedown_lift``; decision 0019).

    A showcase credit already paid for the output stays on the artist's ledger: a takedown
    may be lifted, and the credit's ``source_key`` could never pay again once reversed. A
    program admin who finds it unearned reverses it on the ledger (``ledger_reverse``);
    the audit event names the entry."""

    if not staff.has_perm(REVIEW_OUTPUTS):
        raise NotAllowed(_("Only staff may take a publication down."))
    text = clean_text(
        reason,
        field="reason",
        max_length=MAX_REASON,
        required=True,
        required_message=_("Give a reason for the takedown."),
    )
    with transaction.atomic():
        # The review row is the lock publication_create takes: a publish waiting on it
        # sees the hold once this commits.
        ReviewItem.objects.select_for_update().filter(output_id=publication.output_id).first()
        if not Publication.objects.filter(
            pk=publication.pk, status=PublicationStatus.ACTIVE
        ).exists():
            raise InvalidTransition(_("This publication is not active."))
        _end(publication, status=PublicationStatus.TAKEN_DOWN, actor=staff, reason=text)
        hold = Takedown.objects.create(
            output_id=publication.output_id,
            publication=publication,
            reason=text[:300],
            taken_down_by=staff,
            taken_down_at=timezone.now(),
        )
        showcase = LedgerEntry.objects.filter(
            source_key=f"showcase:{publication.output_id}"
        ).first()
        audit_record(
            actor=staff,
            action="publication.takedown",
            target=publication,
            data={
                "reason": text,
                "takedown": hold.pk,
                "showcase_credit_kept": showcase.pk if showcase is not None else None,
            },
        )
        artist = publication.output.job.artist
        with translation.override(language_for(artist)):
            notify(
                user=artist,
                message=_("Your published video #%(number)s was taken down: %(reason)s")
                % {"number": publication.output.job_id, "reason": text},
                link=f"/generations/{publication.output.job_id}/",
                email_subject=_("[Vernissage] Publication taken down"),
            )
    return Publication.objects.get(pk=publication.pk)


def publication_takedown_lift(*, takedown: Takedown, staff: User, reason: str) -> Takedown:
    """Staff lift a takedown, with a reason: the artist may publish the output again
    (nothing is republished for them). Lifting twice is refused (``InvalidTransition``)."""
    if not staff.has_perm(REVIEW_OUTPUTS):
        raise NotAllowed(_("Only staff may lift a takedown."))
    text = clean_text(
        reason,
        field="reason",
        max_length=MAX_REASON,
        required=True,
        required_message=_("Give a reason for lifting the takedown."),
    )
    with transaction.atomic():
        if not Takedown.objects.filter(pk=takedown.pk, lifted_at__isnull=True).update(
            lifted_at=timezone.now(), lifted_by=staff, lift_reason=text[:300]
        ):
            raise InvalidTransition(_("This takedown has already been lifted."))
        lifted = Takedown.objects.select_related("output__job__artist").get(pk=takedown.pk)
        audit_record(
            actor=staff,
            action="publication.takedown_lift",
            target=lifted.publication,
            data={"reason": text, "takedown": lifted.pk},
        )
        job = lifted.output.job
        with translation.override(language_for(job.artist)):
            notify(
                user=job.artist,
                message=_(
                    "The takedown of your video #%(number)s was lifted: %(reason)s "
                    "You may publish it again."
                )
                % {"number": job.pk, "reason": text},
                link=f"/generations/{job.pk}/",
                email_subject=_("[Vernissage] Takedown lifted"),
            )
    return lifted


def publications_end_for_output(*, output: Output, actor: User | None, reason: str) -> int:
    """Take down whatever is published of ``output`` (e.g. its approval was revoked)."""
    ended = 0
    for publication in Publication.objects.filter(output=output, status=PublicationStatus.ACTIVE):
        _end(publication, status=PublicationStatus.TAKEN_DOWN, actor=actor, reason=reason)
        audit_record(
            actor=actor, action="publication.takedown", target=publication, data={"reason": reason}
        )
        ended += 1
    return ended


def publication_showcase(*, admin: User, publication: Publication) -> Publication:
    """Select a published video for the showcase: credited to its artist once, at the
    showcase rate of the card in force. Selecting again changes nothing."""

    if not admin.has_perm(RUN_PROGRAM):
        raise NotAllowed(_("Only program admins select videos for the showcase."))
    if publication.status != PublicationStatus.ACTIVE:
        raise InvalidTransition(_("Only a published video can be selected for the showcase."))
    with transaction.atomic():
        ledger_credit(
            artist=publication.output.job.artist,
            source_key=f"showcase:{publication.output_id}",
            rate_key="showcase",
            reason=f"Video #{publication.output.job_id} selected for the showcase",
        )
        audit_record(actor=admin, action="publication.showcase", target=publication)
    return publication
