"""Accounts: custom user model, django-allauth, invitation-only sign-up."""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured

from config.env import env_int, env_list
from config.settings.base import embedded_secret

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# How passwords are stored: Django's default list (PBKDF2, a million rounds, first) unless
# VERNISSAGE_PASSWORD_HASHERS names others (e.g. Argon2 first). The test suite names a fast
# one (tests/servers.py): a million rounds per made-up user was minutes of every run.
PASSWORD_HASHERS = env_list(
    "VERNISSAGE_PASSWORD_HASHERS",
    [
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
        "django.contrib.auth.hashers.Argon2PasswordHasher",
        "django.contrib.auth.hashers.BCryptSHA256PasswordHasher",
        "django.contrib.auth.hashers.ScryptPasswordHasher",
    ],
)
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "portal:dashboard"

ACCOUNT_FORMS = {
    "signup": "invitations.forms.InvitedSignupForm",
    # The current password is checked through the sign-in limits (accounts.forms).
    "change_password": "accounts.forms.LimitedChangePasswordForm",
}
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_UNIQUE_EMAIL = True
# The invitation link proves the inbox, so an invited address starts verified; any
# other address (a later change) must be confirmed by email.
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
# A password change or reset ends every session (this one too) and revokes every API token
# (accounts.services.user_credentials_changed, decision 0021).
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = True
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Vernissage] "
ACCOUNT_PREVENT_ENUMERATION = True
# Our adapter adds sign-in rate limits per (address, IP) and reads the client IP the one
# way the rest of the program does (see accounts/adapter.py).
# Sign-up only with an invitation, on top of our sign-in rules (accounts.adapter).
ACCOUNT_ADAPTER = "invitations.adapter.InvitationOnlyAccountAdapter"

# Client addresses: web.middleware.TrustedProxyMiddleware has already put the real
# client in REMOTE_ADDR (believing X-Forwarded-For only from configured proxies).
# allauth must not read X-Forwarded-For or another header on its own: zero proxies.
ALLAUTH_TRUSTED_PROXY_COUNT = 0
ALLAUTH_TRUSTED_CLIENT_IP_HEADER = None

# Failed sign-ins (decision 0013). allauth's default also limits failures per address
# alone, which lets a stranger lock an artist out by typing wrong passwords for her;
# our adapter keys that limit on (address, client IP) instead. The per-IP limit is
# generous because a studio's artists may share one address.
LOGIN_FAILURE_WINDOW_SECONDS = env_int(
    "VERNISSAGE_LOGIN_FAILURE_WINDOW_SECONDS", 300, minimum=10, maximum=86400
)
LOGIN_FAILURES_PER_IP = env_int("VERNISSAGE_LOGIN_FAILURES_PER_IP", 30, minimum=1)
LOGIN_FAILURES_PER_ACCOUNT_AND_IP = env_int(
    "VERNISSAGE_LOGIN_FAILURES_PER_ACCOUNT_AND_IP", 5, minimum=1
)
ACCOUNT_RATE_LIMITS = {
    # "key" here is (address, IP): accounts.adapter.AccountAdapter. The same limit guards
    # the two-factor step, keyed by the account there (only someone who knows the
    # password reaches it).
    "login_failed": (
        f"{LOGIN_FAILURES_PER_IP}/{LOGIN_FAILURE_WINDOW_SECONDS}s/ip,"
        f"{LOGIN_FAILURES_PER_ACCOUNT_AND_IP}/{LOGIN_FAILURE_WINDOW_SECONDS}s/key"
    ),
    # Kept at allauth's defaults, stated here so that a reader sees them: password reset
    # mails per IP and per address.
    "reset_password": "20/m/ip,5/m/key",
}

# Two-factor authentication (allauth.mfa): an authenticator app (TOTP) with recovery
# codes. Required for staff (accounts.mfa.StaffMfaMiddleware), available to artists.
# Each staff *session* must pass it (decision 0020).
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Vernissage"
# A code typed in the last seconds of its 30-second period reaches us in the next one: the
# neighbouring period is accepted too (RFC 6238 section 5.2's "one step" of delay). Each code
# is still accepted once, and failures still count against the sign-in limits.
MFA_TOTP_TOLERANCE = 1
MFA_ADAPTER = "accounts.mfa_adapter.MfaAdapter"
MFA_FORMS = {
    "activate_totp": "accounts.mfa_forms.StableSecretActivateTOTPForm",
    "deactivate_totp": "accounts.mfa_forms.CodeConfirmedDeactivateTOTPForm",
    "generate_recovery_codes": "accounts.mfa_forms.CodeConfirmedGenerateRecoveryCodesForm",
}


# Authenticator secrets are encrypted with these (accounts.secret_box): the first
# encrypts, every one decrypts. Rotation: deploy/RUNBOOK.md.
MFA_ENCRYPTION_KEYS = env_list("VERNISSAGE_MFA_ENCRYPTION_KEYS", []) or [
    embedded_secret("mfa_key", nbytes=32)
]
if any(len(key) < 32 for key in MFA_ENCRYPTION_KEYS):
    raise ImproperlyConfigured(
        "VERNISSAGE_MFA_ENCRYPTION_KEYS: each key must be at least 32 random characters "
        "(e.g. `python -c 'import secrets; print(secrets.token_urlsafe(32))'`)."
    )

# Each person sees their signed-in sessions (IP, browser, last seen) and can end them.
USERSESSIONS_TRACK_ACTIVITY = True
