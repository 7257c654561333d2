"""ASGI entry point."""

import os

import config  # noqa: F401  (puts platform/ on the import path)
from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_asgi_application()
