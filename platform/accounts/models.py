from __future__ import annotations

import hashlib
import unicodedata
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy

if TYPE_CHECKING:
    from accounts.roles import Role


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create(self, email: str, password: str | None, **fields: object) -> User:
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=normalize_email(email), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **fields: object) -> User:
        fields.setdefault("is_staff", False)
        fields.setdefault("is_superuser", False)
        return self._create(email, password, **fields)

    def create_superuser(self, email: str, password: str | None = None, **fields: object) -> User:
        fields["is_staff"] = True
        fields["is_superuser"] = True
        return self._create(email, password, **fields)


def normalize_email(email: str) -> str:
    """Addresses compare case-insensitively everywhere in the program."""
    return email.strip().lower()


# Letters of other scripts drawn like Latin ones (lower case, or as capitals), folded for
# comparison only; the credit itself keeps what the artist typed. Enough to stop "Alice"
# spelt with a Cyrillic A (U+0410) passing for "Alice"; not Unicode's whole confusables
# table: staff refuse what slips through.
_LOOKALIKES = str.maketrans(
    "авекмнорстухіјѕԁһԛԝαβεζηικμνορτυχϲϳ", "abekmhopctyxijsdhqwabezhikmnoptyxcj"
)


def public_credit_key(credit: str) -> str:
    """The form in which public credits are compared, so that look-alike variants collide:
    compatibility forms folded (NFKC: full-width letters, ligatures), case folded, invisible
    format characters (zero-width joiners, soft hyphens) dropped, the look-alikes above
    folded, spacing collapsed. Stored as its SHA-256 (NFKC may lengthen a text many
    times); "" for no credit."""
    text = unicodedata.normalize("NFKC", credit)
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Cf")
    text = unicodedata.normalize("NFKC", text.casefold()).translate(_LOOKALIKES)
    text = " ".join(text.split())
    return hashlib.sha256(text.encode()).hexdigest() if text else ""


def session_auth_hash(*, password: str, epoch: int, secret: str | None = None) -> str:
    """What every session of a user carries. Django's hash covers the password; ours also
    covers ``session_epoch``, so that suspending an account ends all its sessions without
    a password change."""
    return salted_hmac(
        "accounts.User.session_auth_hash",
        f"{password}:{epoch}",
        secret=secret,
        algorithm="sha256",
    ).hexdigest()


class User(AbstractBaseUser, PermissionsMixin):
    """A person with an account. Signs in with their email address.

    The role is carried by group membership (see accounts.roles); ``cohort`` is set when
    an artist accepts an invitation.
    """

    email = models.EmailField(unique=True)
    full_name = models.CharField(max_length=200, blank=True)
    # The only personal data in a published video's C2PA manifest (decision 0012).
    public_credit = models.CharField(
        max_length=100,
        blank=True,
        help_text="How you want to be credited on published videos; leave blank to stay "
        "uncredited.",
    )
    # public_credit_key(public_credit): unique, so no two artists share a credit or two
    # that look alike, whoever saves first (accounts.services.user_set_public_credit).
    public_credit_key = models.CharField(max_length=64, blank=True, editable=False)
    # A program admin refused the credit (impersonation, say): it is shown nowhere until
    # the artist chooses another; the artist sees why (user_refuse_public_credit).
    public_credit_refused_at = models.DateTimeField(null=True, blank=True, editable=False)
    public_credit_refusal = models.CharField(max_length=500, blank=True, editable=False)
    cohort = models.ForeignKey(
        "cohorts.Cohort",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members",
    )
    is_staff = models.BooleanField(
        default=False, help_text="Reviewers and program admins: may use staff pages."
    )
    is_active = models.BooleanField(default=True)
    # Contains one account (e.g. a leaked credential) without touching anyone else.
    is_paused = models.BooleanField(default=False, help_text="Paused accounts can't generate.")
    paused_reason = models.CharField(max_length=300, blank=True)
    # Part of every session's auth hash: bumping it signs the account out everywhere.
    session_epoch = models.PositiveIntegerField(default=0, editable=False)
    date_joined = models.DateTimeField(default=timezone.now)
    # The portal's language for this person (the switcher sets it; empty: the browser's).
    # It wins over the browser's once signed in, and emails to them go out in it.
    language = models.CharField(max_length=8, blank=True, default="", choices=settings.LANGUAGES)
    # A benchmark's own synthetic account (bench/, in its throwaway database): no
    # shared-account watch and no per-account API budget. Set only by
    # containment.services.benchmark_account_exempt; no page, API or admin form shows it.
    is_benchmark_account = models.BooleanField(default=False, editable=False)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = []  # sign-in by email alone

    class Meta:
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_ci_unique"),
            models.UniqueConstraint(
                fields=["public_credit_key"],
                condition=~models.Q(public_credit_key=""),
                name="user_public_credit_unique",
            ),
            # A credit without its key would escape the uniqueness above.
            models.CheckConstraint(
                condition=models.Q(public_credit="", public_credit_key="")
                | (~models.Q(public_credit="") & ~models.Q(public_credit_key="")),
                name="user_public_credit_has_key",
            ),
            models.CheckConstraint(
                condition=models.Q(public_credit_refused_at__isnull=True, public_credit_refusal="")
                | (
                    models.Q(public_credit_refused_at__isnull=False)
                    & ~models.Q(public_credit_refusal="")
                ),
                name="user_public_credit_refusal_has_reason",
            ),
        ]
        permissions = [
            ("create_generations", "Artist: may submit generations"),
            ("review_outputs", "Reviewer: may work the review queue"),
            ("run_program", "Program admin: may invite, publish agreements, pause"),
        ]

    def __str__(self) -> str:
        return self.email

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Every path that changes a password (allauth's change and reset, the admin, the
        # changepassword command, demo_setup) ends here: whoever held the old one must
        # keep nothing it gave them (decision 0021).
        # Django's AbstractBaseUser.set_password keeps the new raw password here until save.
        password_changed = getattr(self, "_password", None) is not None and self.pk is not None
        super().save(*args, **kwargs)
        if password_changed:
            # local import: accounts.services imports this module
            from accounts.services import user_credentials_changed

            user_credentials_changed(user=self)

    def _get_session_auth_hash(self, secret: str | None = None) -> str:
        return session_auth_hash(password=self.password, epoch=self.session_epoch, secret=secret)

    @property
    def role(self) -> Role | None:
        # local import: accounts.roles imports this module
        from accounts.roles import role_of

        return role_of(self)


class TokenScope(models.TextChoices):
    READ = "read", gettext_lazy("Read only")
    GENERATE = "generate", gettext_lazy("Read and generate")
    REVIEW_READ = "review:read", gettext_lazy("Staff: read the review queue")
    REVIEW_WRITE = "review:write", gettext_lazy("Staff: review (read and decide)")


class ApiToken(models.Model):
    """A personal API token. The secret is shown once; only its SHA-256 is kept."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    display = models.CharField(max_length=20, editable=False)
    scope = models.CharField(max_length=20, choices=TokenScope.choices, default=TokenScope.READ)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    last_used_ip = models.GenericIPAddressField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(expires_at__gt=models.F("created_at")),
                name="api_token_expires_after_creation",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.display})"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()
