from django.apps import AppConfig


class ObservabilityConfig(AppConfig):
    name = "observability"
    verbose_name = "Observability"

    def ready(self) -> None:
        # Worker heartbeats: Celery signals, connected in every process (harmless on web).
        from observability import signals  # noqa: F401
