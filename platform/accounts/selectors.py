"""Reads about people."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils.translation import gettext, gettext_noop

from accounts.models import User

# How public surfaces name an artist who has no credit to show. In English where it is
# data (the visible mark, Content Credentials, the API); a page shows it in the reader's
# language (``user_public_byline_shown``).
NEUTRAL_BYLINE = gettext_noop("An invited artist")


def user_public_credit(*, user: User) -> str | None:
    """The artist's chosen public credit, or None: none set, or refused by a program
    admin. This is the only thing about an artist that may leave the program (the C2PA
    author, the byline); never the name signed on the NDA, never the email address."""
    if user.public_credit_refused_at is not None:
        return None
    return user.public_credit.strip() or None


def user_public_byline(*, user: User) -> str:
    """How every public surface names the artist: the gallery, unlisted pages, the
    gallery API, the visible watermark. Their public credit, else a neutral label."""
    return user_public_credit(user=user) or NEUTRAL_BYLINE


def user_public_byline_shown(*, user: User) -> str:
    """``user_public_byline`` as a page shows it: the neutral label in the page's language."""
    return user_public_credit(user=user) or gettext(NEUTRAL_BYLINE)


def public_credits_for_staff(*, search: str = "") -> QuerySet[User]:
    """Accounts with a public credit (refused ones included), for program admins to
    check for impersonation; ``search`` matches the credit or the email."""
    queryset = User.objects.exclude(public_credit="").select_related("cohort")
    if search.strip():
        term = search.strip()
        queryset = queryset.filter(Q(public_credit__icontains=term) | Q(email__icontains=term))
    return queryset.order_by("public_credit", "pk")
