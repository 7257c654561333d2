"""Log records with the request and job ids; JSON lines for production (decision 0015)."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

from web.context import job_id_var, request_id_var

# Attributes every LogRecord has; anything else passed in ``extra=`` goes into the JSON.
_STANDARD = set(logging.LogRecord("", 0, "", 0, "", None, None).__dict__) | {
    "message",
    "asctime",
    "request_id",
    "job_id",
    "context",
}


class ContextFilter(logging.Filter):
    """Adds ``request_id`` and ``job_id`` (empty outside a request or job) to every record,
    and ``context``: both as `` [<request id> job <id>]`` for text formats, or empty.
    Attach it to handlers: a logger's filters miss records from its children."""

    def filter(self, record: logging.LogRecord) -> bool:
        request_id, job_id = request_id_var.get(), job_id_var.get()
        record.request_id, record.job_id = request_id, job_id
        parts = [request_id] if request_id else []
        if job_id:
            parts.append(f"job {job_id}")
        record.context = f" [{' '.join(parts)}]" if parts else ""
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC, ISO 8601), level, logger, message, the ids
    when set, ``extra=`` fields, and the traceback as one string."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key in ("request_id", "job_id"):
            value = getattr(record, key, "")
            if value:
                entry[key] = value
        for key, value in record.__dict__.items():
            if key not in _STANDARD and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            entry["exc_info"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack_info"] = self.formatStack(record.stack_info)
        return json.dumps(entry, default=str, ensure_ascii=False)
