"""Project configuration: settings, URL map, WSGI/ASGI entry points."""

from config.paths import add_platform_to_path

add_platform_to_path()

# Celery finds its app as config.celery_app (celery -A config ...).
from config.celery import app as celery_app  # noqa: E402

__all__ = ["celery_app"]
