"""Status polling answered in one query (decision 0018).

A job page polls ``GET /api/v1/generations/<id>/`` twice a second while its job is queued
or running; with 200 artists that is most of the platform's traffic. Through the whole
stack (17 middlewares, DRF, serializers) each poll costs about ten milliseconds of CPU and
five queries. This middleware, placed after the request id, the trusted proxy, the HTTPS
rules and the database-outage 503, answers the common case itself with one SQL statement
and no ORM, and sets the headers the later middlewares would have set:

    the caller is an artist (not staff, not paused, in a cohort), signed in by a session
    or a Bearer token that is valid right now, has accepted the current agreement, owns
    the job, and the job is queued or running with no output yet.

Everything it is not sure of goes down the whole stack, which stays the only place that
refuses: the fast path never answers anything but a 200 it has fully checked. Whatever
would make the whole stack write (a session's "last seen" a minute old, a token's last use
from a new address, a session signed with a fallback key) is also left to it. The budgets
(429) and the shared-account watch count fast answers exactly as they count the others.
``tests/api/test_status_fast_path.py`` asks both paths the same questions and compares the
answers byte for byte.
"""

from __future__ import annotations

import contextlib
import json
import logging
import re
import time
from collections.abc import Callable
from datetime import datetime
from functools import cache
from typing import Any

from csp.constants import HEADER as CSP_HEADER
from csp.constants import HEADER_REPORT_ONLY as CSP_HEADER_REPORT_ONLY
from csp.utils import build_policy
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.core.exceptions import DisallowedHost, FieldDoesNotExist
from django.core.signals import setting_changed
from django.db import DatabaseError, connection
from django.db.models import Field
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation
from django.utils.crypto import constant_time_compare
from rest_framework.exceptions import Throttled

from accounts.api_tokens import token_hash, token_well_formed
from accounts.authentication import LAST_USED_RESOLUTION
from accounts.language import portal_language
from accounts.models import ApiToken, User, session_auth_hash
from accounts.permissions import staff_member_sql
from accounts.scopes import ARTIST_SCOPES
from accounts.sessions import SEEN_KEY, session_client, session_seen_lately
from agreements.models import AgreementAcceptance, AgreementVersion
from containment.services import api_poll_observe
from jobs.estimates import (
    ESTIMATE_COLUMNS,
    estimate_from_row,
    estimate_json,
    estimate_now,
    estimate_sql,
    estimate_sql_params,
)
from jobs.models import GenerationMode, Job, JobStatus, Output, WorkerHeartbeat
from publishing.downloads import DownloadRefusal
from studio.apis import JobDetailSerializer
from web.http import client_ip

log = logging.getLogger(__name__)

_POLL_PREFIX = "/api/v1/generations/"
_PATH = re.compile(_POLL_PREFIX + r"([1-9][0-9]{0,17})/\Z")
# What DRF's content negotiation answers with JSON (anything else may want the
# browsable API).
_JSON_ACCEPTS = frozenset({"", "*/*", "application/json"})
_POLLED = (JobStatus.QUEUED, JobStatus.RUNNING)
_SESSION_ENGINE = "django.contrib.sessions.backends.db"

# The answer's keys, in order: those of studio.apis.JobDetailSerializer, what
# studio.apis.GenerationDetailApi answers (tests/api/test_status_fast_path_tripwire.py).
_ANSWER = tuple(JobDetailSerializer.Meta.fields)
# The serializer's computed fields, which _body answers for an artist's own job while it
# is queued or running with no output; every other key is a column of the job.
_COMPUTED = frozenset(
    {"error", "output", "review", "publication", "takedown", "download_url",
     "download_refusal", "queue", "shots", "variations"}
)  # fmt: skip
# Columns DRF renders as the database gives them (a foreign key as its id); datetimes it
# writes as _drf_datetime does.
_AS_IS = frozenset(
    {"AutoField", "BigAutoField", "BigIntegerField", "BooleanField", "CharField",
     "FloatField", "ForeignKey", "IntegerField", "PositiveIntegerField",
     "PositiveSmallIntegerField", "SmallIntegerField", "TextField"}
)  # fmt: skip


def _answer_columns() -> tuple[dict[str, str], frozenset[str], bool]:
    """Each serialized column's key -> its name in the statement's row, the datetime keys,
    and whether the fast path can write every key of the answer (else it stays off and
    the whole stack answers every poll)."""
    columns: dict[str, str] = {}
    datetimes: set[str] = set()
    # Every computed field still in the answer, and no column the serializer renders itself.
    known = set(_ANSWER) >= _COMPUTED and set(JobDetailSerializer._declared_fields) <= _COMPUTED
    for name in _ANSWER:
        if name in _COMPUTED:
            continue
        try:
            field = Job._meta.get_field(name)
        except FieldDoesNotExist:
            known = False
            continue
        if not isinstance(field, Field):  # a reverse relation: not a column of the job
            known = False
            continue
        kind = field.get_internal_type()
        if kind == "DateTimeField":
            datetimes.add(name)
        elif kind not in _AS_IS:
            known = False
        columns[name] = field.attname
    return columns, frozenset(datetimes), known


_SERIALIZED, _DATETIMES, _ANSWER_KNOWN = _answer_columns()
# What jobs.estimates also needs of the job itself.
_JOB_FIELDS = (
    *_SERIALIZED.values(), "error_code", "error_message", "first_step_at", "steps",
    "variation_count",
)  # fmt: skip


class StatusFastPathMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if settings.API_STATUS_FAST_PATH and request.method == "GET":
            match = _PATH.fullmatch(request.path_info)
            if match is not None and _usable():
                try:
                    answer = status_answer(request, job_id=int(match[1]))
                except Throttled:
                    answer = None  # the whole stack answers the 429, with its body
                if answer is not None:
                    return answer
        return self.get_response(request)


@cache
def _csp_headers() -> list[tuple[str, str]]:
    """What csp.middleware.CSPMiddleware (after this one in the stack) sets on a response
    that used no nonce and no per-view policy: the same every time, so built once."""
    headers = []
    for header, report_only, setting in (
        (CSP_HEADER, False, "CONTENT_SECURITY_POLICY"),
        (CSP_HEADER_REPORT_ONLY, True, "CONTENT_SECURITY_POLICY_REPORT_ONLY"),
    ):
        policy = build_policy(report_only=report_only)
        excluded = (getattr(settings, setting, None) or {}).get("EXCLUDE_URL_PREFIXES") or ()
        if policy and not _POLL_PREFIX.startswith(tuple(excluded)):
            headers.append((header, policy))
    return headers


@receiver(setting_changed)
def _settings_changed(**_: Any) -> None:
    _csp_headers.cache_clear()
    _usable.cache_clear()


@cache
def _usable() -> bool:
    """Sessions in the database and PostgreSQL (the shape that needs the speed; the
    embedded SQLite default answers everything through the whole stack), and an answer
    whose every field the fast path knows how to write."""
    return (
        _ANSWER_KNOWN
        and settings.SESSION_ENGINE == _SESSION_ENGINE
        and connection.vendor == "postgresql"
    )


def status_answer(request: HttpRequest, *, job_id: int) -> HttpResponse | None:
    """The whole stack's 200 for this poll, or None when only the whole stack may answer."""
    meta = request.META
    if meta.get("QUERY_STRING") or meta.get("HTTP_ACCEPT", "").strip() not in _JSON_ACCEPTS:
        return None
    try:
        request.get_host()  # the whole stack answers 400 to a Host not in ALLOWED_HOSTS
    except DisallowedHost:
        return None
    authorization = meta.get("HTTP_AUTHORIZATION")
    session_key = request.COOKIES.get(settings.SESSION_COOKIE_NAME)
    raw_token = None
    if authorization is not None:
        parts = authorization.split()
        if len(parts) != 2 or parts[0].lower() != "bearer" or not token_well_formed(parts[1]):
            return None
        raw_token = parts[1]
    elif not session_key:
        return None

    now = timezone.now()
    # The queue estimate's clock (jobs.estimates.clock: the tests hold it).
    estimated_at = estimate_now()
    row = _fetch(
        job_id=job_id, token=raw_token, session_key=session_key, now=now, estimated_at=estimated_at
    )
    if row is None or not _artist_may_see(row):
        return None
    ip = client_ip(request)
    agent = meta.get("HTTP_USER_AGENT", "")
    if raw_token is not None:
        if not _token_fresh(row, now=now, ip=ip):
            return None
    elif not _session_fresh(row, session_key=session_key or "", ip=ip, agent=agent):
        return None

    # The whole stack's throttles and activity watch, in one Redis round trip.
    user = User(
        pk=row["user_id"], is_active=True, is_staff=False, is_superuser=False,
        is_paused=False, cohort_id=row["cohort_id"],
        is_benchmark_account=row["is_benchmark_account"],
    )  # fmt: skip
    token_id = row["token_id"] if raw_token is not None else None
    try:
        api_poll_observe(user=user, token_id=token_id, ip=ip, user_agent=agent[:500])
    except Throttled:
        raise
    except Exception:  # Redis unreachable: the whole stack answers as it does then
        log.exception("status fast path: budgets or activity watch failed")
        return None
    body = _body(row, estimated_at=estimated_at)
    response = HttpResponse(body, content_type="application/json")
    response["Content-Length"] = str(len(body))
    response["Vary"] = "Accept, Accept-Language, Cookie"
    # LocaleMiddleware's and accounts.language's choice: a session's stored language,
    # else the cookie or Accept-Language.
    stored = portal_language(row["language"]) if raw_token is None else None
    response["Content-Language"] = stored or translation.get_language_from_request(request)
    response["Allow"] = "GET, HEAD, OPTIONS"
    response["X-Frame-Options"] = settings.X_FRAME_OPTIONS
    for header, value in _csp_headers():
        response[header] = value
    return response


def _artist_may_see(row: dict[str, Any]) -> bool:
    """The artist's own unfinished job that the fast path can answer in full: not a
    storyboard (its shots) nor one of several variations (their ids); the whole stack
    answers those."""
    return bool(
        row["status"] in _POLLED
        and row["mode"] != GenerationMode.STORYBOARD
        and row["variation_count"] == 1
        and not row["has_output"]
        and row["is_active"]
        and not row["is_staff_member"]
        and not row["is_paused"]
        and row["cohort_id"] is not None
        and row["agreement_accepted"]
    )


def _token_fresh(row: dict[str, Any], *, now: datetime, ip: str | None) -> bool:
    """Valid, of a scope an artist holds, and its last use needs no update
    (accounts.authentication)."""
    return bool(
        row["token_id"] is not None
        and row["token_scope"] in ARTIST_SCOPES
        and row["revoked_at"] is None
        and row["expires_at"] > now
        and row["last_used_at"] is not None
        and now - row["last_used_at"] <= LAST_USED_RESOLUTION
        and row["last_used_ip"] is not None
        and str(row["last_used_ip"]) == ip
    )


def _session_fresh(row: dict[str, Any], *, session_key: str, ip: str | None, agent: str) -> bool:
    """Signed in as the job's artist with the current key and auth hash, and seen from
    here within the minute (accounts.sessions), so nothing about the session changes."""
    if row["session_data"] is None:
        return False
    data = SessionStore().decode(row["session_data"])
    if (
        data.get("_auth_user_id") != str(row["user_id"])
        or data.get("_auth_user_backend") not in settings.AUTHENTICATION_BACKENDS
    ):
        return False
    expected = session_auth_hash(password=row["password"], epoch=row["session_epoch"])
    if not constant_time_compare(data.get("_auth_user_hash", ""), expected):
        return False
    return session_seen_lately(
        seen=data.get(SEEN_KEY),
        client=session_client(session_key=session_key, ip=ip, agent=agent),
        now=int(time.time()),
    )


def _body(row: dict[str, Any], *, estimated_at: datetime) -> bytes:
    """What rest_framework's JSONRenderer makes of studio.apis.JobDetailSerializer."""
    computed: dict[str, Any] = {
        "error": (
            {"code": row["error_code"], "message": row["error_message"]}
            if row["error_code"]
            else None
        ),
        "output": None,
        "review": None,
        "publication": None,
        "takedown": None,
        # Only a job of a one-variation submission, not a storyboard (see _artist_may_see).
        "shots": [],
        "variations": [row["id"]],
        # The artist's own unfinished job (publishing.downloads asks: owner, active, finished).
        "download_url": None,
        "download_refusal": DownloadRefusal.NOT_READY.value,
        "queue": estimate_json(
            estimate_from_row(row, now=estimated_at), datetime_text=_drf_datetime
        ),
    }
    body: dict[str, Any] = {}
    for name in _ANSWER:
        if name in _COMPUTED:
            body[name] = computed[name]
            continue
        value = row[_SERIALIZED[name]]
        if name in _DATETIMES and value is not None:
            value = _drf_datetime(value)
        body[name] = value
    text = json.dumps(body, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    return text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029").encode()


def _drf_datetime(value: datetime) -> str:
    text = timezone.localtime(value).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def _fetch(
    *,
    job_id: int,
    token: str | None,
    session_key: str | None,
    now: datetime,
    estimated_at: datetime,
) -> dict[str, Any] | None:
    estimate_params = estimate_sql_params(now=estimated_at)
    if token is not None:
        params: list[Any] = [now, token_hash(token), *estimate_params, job_id]
    else:
        params = [now, session_key, now, *estimate_params, job_id]
    # Django checks a reused connection with an extra round trip before a request's first
    # query (CONN_HEALTH_CHECKS). Here the query itself is the check: if the connection
    # went stale (the database restarted), it fails, is closed, and the whole stack
    # answers on a new one.
    connection.health_check_done = True  # type: ignore[attr-defined]
    try:
        with connection.cursor() as cursor:
            cursor.execute(_sql(by_token=token is not None), params)
            found = cursor.fetchone()
            columns = [column.name for column in cursor.description]
    except DatabaseError:
        log.warning("status fast path: query failed; closing the connection", exc_info=True)
        with contextlib.suppress(Exception):
            connection.close()
        return None
    return None if found is None else dict(zip(columns, found, strict=True))


@cache
def _sql(*, by_token: bool) -> str:
    """One statement: the job, its artist, what the gate and the MFA rule ask of them, the
    session or token, and what the queue estimate needs (jobs.estimates.estimate_sql).
    Table and column names come from the models."""

    def table(model: Any) -> str:
        return connection.ops.quote_name(model._meta.db_table)

    def column(model: Any, field: str) -> str:
        return connection.ops.quote_name(model._meta.get_field(field).column)

    job, user, output = table(Job), table(User), table(Output)
    version, acceptance = table(AgreementVersion), table(AgreementAcceptance)
    job_columns = ", ".join(f"j.{column(Job, name)} AS {name}" for name in _JOB_FIELDS)
    if by_token:
        credential = (
            f"LEFT JOIN {table(ApiToken)} t ON t.{column(ApiToken, 'token_hash')} = %s "
            f"AND t.{column(ApiToken, 'user')} = u.id"
        )
        credential_columns = (
            "t.id AS token_id, t.revoked_at, t.expires_at, t.last_used_at, t.last_used_ip, "
            f"t.{column(ApiToken, 'scope')} AS token_scope"
        )
    else:
        credential = (
            "LEFT JOIN django_session s ON s.session_key = %s AND s.expire_date > %s::timestamptz"
        )
        credential_columns = "s.session_data"
    # Every name interpolated here comes from the models; values go in as parameters.
    return f"""
        SELECT {job_columns},
            u.id AS user_id, u.password, u.session_epoch, u.is_active, u.is_paused,
            u.cohort_id, u.{column(User, "language")} AS language,
            u.{column(User, "is_benchmark_account")} AS is_benchmark_account,
            {staff_member_sql(user_alias="u")} AS is_staff_member,
            EXISTS (SELECT 1 FROM {output} o WHERE o.{column(Output, "job")} = j.id) AS has_output,
            COALESCE((
                SELECT EXISTS (
                    SELECT 1 FROM {acceptance} a WHERE a.user_id = u.id AND a.version_id = v.id
                )
                FROM {version} v
                WHERE v.published_at IS NOT NULL AND v.effective_at <= %s
                ORDER BY v.effective_at DESC, v.published_at DESC, v.id DESC
                LIMIT 1
            ), false) AS agreement_accepted,
            {credential_columns},
            {ESTIMATE_COLUMNS}
        FROM {job} j JOIN {user} u ON u.id = j.{column(Job, "artist")}
        {credential}
        {estimate_sql(job_table=job, heartbeat_table=table(WorkerHeartbeat))}
        WHERE j.id = %s
    """  # noqa: S608
