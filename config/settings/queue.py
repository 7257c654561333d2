"""Celery: the broker that carries jobs to GPU workers.

Embedded default: Kombu's filesystem transport (folders under DATA_DIR), so nothing needs a
server. Production: CELERY_BROKER_URL=redis://... (or amqp://...). PostgreSQL stays the
source of truth for jobs; the broker only wakes workers (see docs/decisions/0005).
"""

from __future__ import annotations

from config.env import env_str
from config.settings.base import DATA_DIR

CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "filesystem://")
_broker_folder = DATA_DIR / "broker"
if CELERY_BROKER_URL.startswith("filesystem://"):
    for _sub in ("out", "processed", "control"):
        (_broker_folder / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_folder / "out"),
        "data_folder_out": str(_broker_folder / "out"),
        "processed_folder": str(_broker_folder / "processed"),
        # Kombu's exchange tables: runtime state, kept with the rest (its default is
        # ./control, relative to wherever a process starts).
        "control_folder": str(_broker_folder / "control"),
        "store_processed": False,
        "polling_interval": 0.1,
    }
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = {}

CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_DEFAULT_QUEUE = "default"
# One job at a time per worker process, acknowledged only when done; a worker that dies
# mid-job leaves its message to be redelivered (the lease in PostgreSQL decides who runs it).
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_TIMEZONE = "UTC"
