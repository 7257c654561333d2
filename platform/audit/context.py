"""Where the current action comes from, so services can audit it without a request.

Services take no ``request`` argument (they are called from views, the API, commands and
tasks alike), so the client's IP travels in a context variable: the middleware sets it for
the duration of a request, ``audit_context`` does the same for commands and tests, and it
is None everywhere else.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_client_ip: ContextVar[str | None] = ContextVar("audit_client_ip", default=None)


def normalize_ip(value: object) -> str | None:
    """Return ``value`` as a canonical IP address string, or None when it is not one.

    Canonical means Python's own spelling (``ipaddress``), so the same address always
    hashes the same, whatever form the client, the proxy or the database wrote it in.
    """
    if value is None:
        return None
    try:
        return str(ipaddress.ip_address(str(value).strip()))
    except ValueError:
        return None


def current_client_ip() -> str | None:
    """The client IP of the request (or ``audit_context``) being handled; else None."""
    return _client_ip.get()


@contextmanager
def audit_context(*, ip: str | None) -> Iterator[None]:
    """Attribute audit events recorded inside the block to ``ip`` (validated; invalid → None).

    The previous value is restored on exit, so blocks nest and never leak into whatever
    runs next on the same thread.
    """
    token = _client_ip.set(normalize_ip(ip))
    try:
        yield
    finally:
        _client_ip.reset(token)
