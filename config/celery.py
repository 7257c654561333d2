"""The Celery application. Workers: celery -A config worker -Q gpu --pool solo"""

from __future__ import annotations

import os

from celery import Celery

import config  # noqa: F401  (puts platform/ on the import path)

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("vernissage")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
