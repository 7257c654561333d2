from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "People"

    def ready(self) -> None:
        import accounts.language  # (connects the sign-in language receiver)
        import accounts.schema  # noqa: F401  (registers the OpenAPI auth extension)
        from accounts.roles import sync_role_groups

        # Permissions exist only after every app has migrated, so the role groups are
        # (re)built after each migrate, idempotently.
        post_migrate.connect(sync_role_groups, dispatch_uid="accounts.sync_role_groups")
        # Second-factor secrets written before encryption existed are encrypted at once.
        from accounts.secret_box import authenticator_secrets_encrypt

        post_migrate.connect(
            authenticator_secrets_encrypt, sender=self, dispatch_uid="accounts.mfa_encrypt"
        )
