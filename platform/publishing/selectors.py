"""Reads about publications."""

from __future__ import annotations

from django.db.models import QuerySet

from jobs.models import Output
from moderation.models import ReviewStatus
from publishing.models import Publication, PublicationStatus, Takedown, Visibility


def publication_active_for(*, output: Output) -> Publication | None:
    return Publication.objects.filter(output=output, status=PublicationStatus.ACTIVE).first()


def takedown_in_force(*, output: Output) -> Takedown | None:
    """The takedown that bars publishing ``output`` now, if any (decision 0019)."""
    return Takedown.objects.filter(output=output, lifted_at__isnull=True).first()


def takedowns_in_force() -> QuerySet[Takedown]:
    """Every takedown still in force, newest first, for the staff page."""
    return Takedown.objects.filter(lifted_at__isnull=True).select_related(
        "output__job__artist", "publication", "taken_down_by"
    )


def is_publicly_visible(*, output: Output) -> bool:
    """Published (gallery or link) and still approved: anyone may watch it."""

    review = getattr(output, "review", None)
    return (
        review is not None
        and review.status == ReviewStatus.APPROVED
        and Publication.objects.filter(output=output, status=PublicationStatus.ACTIVE).exists()
    )


def gallery_publications() -> QuerySet[Publication]:
    """Active gallery publications of approved outputs, newest first, with the artist."""
    return (
        Publication.objects.filter(
            status=PublicationStatus.ACTIVE,
            visibility=Visibility.GALLERY,
            output__review__status="approved",
        )
        .select_related("output__job__artist")
        .order_by("-published_at", "-id")
    )


def publication_by_slug(*, slug: str) -> Publication | None:
    return (
        Publication.objects.filter(
            slug=slug, status=PublicationStatus.ACTIVE, output__review__status="approved"
        )
        .select_related("output__job__artist")
        .first()
    )
