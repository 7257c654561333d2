"""The request id and job id that every log line carries (decision 0015).

A web request gets its id in ``web.request_ids``; a job remembers the id of the
request that submitted it (``Job.request_id``), and the worker puts it back while it runs
that job, so one ``grep`` finds the API line and the worker lines.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import ParamSpec, TypeVar

request_id_var: ContextVar[str] = ContextVar("request_id", default="")
job_id_var: ContextVar[str] = ContextVar("job_id", default="")

# Ids from outside are written to logs and stored on jobs: letters, digits and a few
# separators only, so nobody can forge log lines or fill a column with junk.
_SANE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{7,63}")

P = ParamSpec("P")
R = TypeVar("R")


def request_id_new() -> str:
    return uuid.uuid4().hex


def request_id_accept(incoming: str | None) -> str:
    """The incoming ``X-Request-ID`` if it looks like an id (8 to 64 characters of
    ``[A-Za-z0-9._:-]``), else a fresh one."""
    if incoming and _SANE_ID.fullmatch(incoming):
        return incoming
    return request_id_new()


def current_request_id() -> str:
    """The id of the request (or job) being handled here; empty outside one. Also the
    default of ``Job.request_id``, so a job remembers the request that created it."""
    return request_id_var.get()


@contextmanager
def log_context(
    *, request_id: str | None = None, job_id: int | str | None = None
) -> Iterator[None]:
    """Set the ids for the log lines written inside the block; restored after it."""
    tokens = []
    if request_id is not None:
        tokens.append((request_id_var, request_id_var.set(request_id)))
    if job_id is not None:
        tokens.append((job_id_var, job_id_var.set(str(job_id))))
    try:
        yield
    finally:
        for var, token in reversed(tokens):
            var.reset(token)
