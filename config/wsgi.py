"""WSGI entry point (gunicorn config.wsgi)."""

import os

import config  # noqa: F401  (puts platform/ on the import path)
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()
