from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "jobs"
    verbose_name = "Generation jobs"

    def ready(self) -> None:
        # Worker heartbeats: Celery signals, connected in every process (harmless on web).
        from jobs import signals  # noqa: F401
