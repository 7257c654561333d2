"""Database: DATABASE_URL (PostgreSQL in production), SQLite in DATA_DIR by default."""

from __future__ import annotations

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from config.env import env_int, env_str
from config.settings.base import DATA_DIR

_url = env_str("DATABASE_URL", f"sqlite:///{DATA_DIR / 'db.sqlite3'}")
try:
    _database = dj_database_url.parse(
        _url, conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0, minimum=0)
    )
except ValueError as error:
    raise ImproperlyConfigured(
        f"DATABASE_URL is not a database URL we understand: {error}"
    ) from None
if _database.get("ENGINE") not in {
    "django.db.backends.postgresql",
    "django.db.backends.sqlite3",
}:
    raise ImproperlyConfigured("DATABASE_URL must point at PostgreSQL or SQLite.")
if _database["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded default has several writers at once (web threads, the worker writing
    # progress, the housekeeper). Without these, one person clicking while a job ran saw
    # 503 "database is locked" (issue 14):
    # - WAL: readers never wait for the writer, nor the writer for readers;
    # - a busy timeout: a writer waits its turn instead of failing at once;
    # - IMMEDIATE transactions: a transaction takes the write lock when it begins. A
    #   deferred one that reads, then writes, can't wait for the lock (SQLite refuses at
    #   once to avoid a deadlock), whatever the timeout.
    _database.setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )

# A connection kept between requests is checked before reuse, so the first request after
# a database restart reconnects instead of failing on the dead connection.
_database["CONN_HEALTH_CHECKS"] = True
DATABASES = {"default": _database}
