from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class AgreementVersion(models.Model):
    """One version of the NDA.

    A draft may be edited; ``publish`` freezes it: its title and body can never change
    again (a database trigger refuses, see migration 0002) and ``text_sha256`` is the
    SHA-256 of the exact body. The current version is the newest published one whose
    ``effective_at`` has arrived.
    """

    title = models.CharField(max_length=200)
    body = models.TextField(help_text="Markdown. Rendered safely; raw HTML is stripped.")
    effective_at = models.DateTimeField(help_text="From when this version must be accepted.")
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True, editable=False)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    text_sha256 = models.CharField(max_length=64, blank=True, editable=False)
    # The language of ``body``: the binding text, the one that is hashed and signed.
    # Translations (AgreementTranslation) are for reading only. Frozen with the text.
    language = models.CharField(
        max_length=8,
        choices=settings.LANGUAGES,
        default="en",
        help_text="The language of the binding text above.",
    )

    class Meta:
        ordering = ["-effective_at", "-published_at"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(published_at__isnull=True) & Q(text_sha256=""))
                | (Q(published_at__isnull=False) & Q(text_sha256__regex=r"^[0-9a-f]{64}$")),
                name="agreement_published_has_hash",
            ),
        ]

    def __str__(self) -> str:
        state = "draft" if self.published_at is None else "published"
        return f"{self.title} ({state})"

    @property
    def is_published(self) -> bool:
        return self.published_at is not None


class AgreementAcceptance(models.Model):
    """Evidence that a person accepted one exact agreement text."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="agreement_acceptances"
    )
    version = models.ForeignKey(
        AgreementVersion, on_delete=models.PROTECT, related_name="acceptances"
    )
    typed_full_name = models.CharField(max_length=200)
    accepted_at = models.DateTimeField()
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=500, blank=True)
    text_sha256 = models.CharField(max_length=64)

    class Meta:
        ordering = ["-accepted_at"]
        constraints = [
            models.UniqueConstraint(fields=["user", "version"], name="acceptance_once_per_version"),
        ]

    def __str__(self) -> str:
        return f"{self.user} accepted {self.version.title}"


class AgreementTranslation(models.Model):
    """A version's text in another language, for reading only: nobody signs it, it has
    no hash, and it may be corrected after publication. The agreement page shows it
    beside the binding text, labelled as such (decision 0025)."""

    version = models.ForeignKey(
        AgreementVersion, on_delete=models.CASCADE, related_name="translations"
    )
    language = models.CharField(max_length=8, choices=settings.LANGUAGES)
    title = models.CharField(max_length=200)
    body = models.TextField(help_text="Markdown, like the binding text.")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["language"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "language"], name="agreement_translation_once_per_language"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.version.title} ({self.language}, for reading)"

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if self.version_id is not None and self.language == self.version.language:
            raise ValidationError({"language": "The binding text is already in this language."})
