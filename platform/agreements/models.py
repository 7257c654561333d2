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
