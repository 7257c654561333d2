"""/healthz and /readyz: open to probes, honest about what is down, never hanging."""

from __future__ import annotations

import socket
import threading
import time

import pytest
from django.db import connections
from django.db.utils import ConnectionHandler

from observability import health

pytestmark = pytest.mark.django_db


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_healthz_answers_json_without_touching_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_probes_pass_the_nda_gate_for_a_signed_in_unsigned_artist(client, unsigned_artist):
    client.force_login(unsigned_artist)
    assert client.get("/healthz").status_code == 200
    assert client.get("/readyz").status_code == 200


def test_readyz_checks_database_broker_and_storage(client):
    response = client.get("/readyz")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "ok" and "failing" not in body
    assert set(body["checks"]) == {"database", "broker", "storage"}
    assert all(check["ok"] for check in body["checks"].values())


def test_readyz_names_an_unreachable_broker_and_no_secrets(client, settings):
    settings.CELERY_BROKER_URL = f"redis://:hunter2secret@127.0.0.1:{_closed_port()}/0"
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {}
    started = time.monotonic()
    response = client.get("/readyz")
    assert time.monotonic() - started < settings.OBSERVABILITY_READY_TIMEOUT_SECONDS + 1.5
    assert response.status_code == 503
    body = response.json()
    assert body["failing"] == ["broker"]
    assert body["checks"]["broker"]["ok"] is False and body["checks"]["database"]["ok"] is True
    assert b"hunter2secret" not in response.content and b"127.0.0.1" not in response.content


def test_readyz_works_with_the_embedded_filesystem_broker(client, settings, tmp_path):
    settings.CELERY_BROKER_URL = "filesystem://"
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(tmp_path),
        "data_folder_out": str(tmp_path),
    }
    response = client.get("/readyz")
    assert response.status_code == 200, response.content


def test_readyz_names_an_unreachable_database(client, monkeypatch):
    # The probe's own view of the databases: "default" on a port nobody listens on. The
    # test's connection (sessions, the test transaction) is left alone.
    broken = dict(connections["default"].settings_dict)
    broken.update(HOST="127.0.0.1", PORT=str(_closed_port()), OPTIONS={"connect_timeout": 1})
    monkeypatch.setattr(health, "connections", ConnectionHandler({"default": broken}))
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["failing"] == ["database"]
    assert response.json()["checks"]["database"]["error"] == "OperationalError"


def test_readyz_names_unwritable_storage(client, settings, tmp_path):
    not_a_folder = tmp_path / "file"
    not_a_folder.write_text("in the way")
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {
            "BACKEND": "jobs.storage.PrivateFileSystemStorage",
            "OPTIONS": {"location": str(not_a_folder / "private")},
        },
    }
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["failing"] == ["storage"]


def test_readyz_leaves_no_probe_files(client, settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {
            "BACKEND": "jobs.storage.PrivateFileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    assert client.get("/readyz").status_code == 200
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []


def test_a_hung_check_fails_on_time(client, settings, monkeypatch):
    settings.OBSERVABILITY_READY_TIMEOUT_SECONDS = 1
    # The check hangs until the test has its answer (at most a minute, then the check
    # passes): an answer that waited for it would come a minute late, naming nothing.
    answered = threading.Event()
    monkeypatch.setitem(health.CHECKS, "broker", lambda: answered.wait(60))
    started = time.monotonic()
    try:
        response = client.get("/readyz")
        took = time.monotonic() - started
    finally:
        answered.set()
    # Its deadline is the timeout and half a second of grace; a bound, with room for load.
    assert took < settings.OBSERVABILITY_READY_TIMEOUT_SECONDS + 0.5 + 2
    assert response.status_code == 503
    assert response.json()["checks"]["broker"]["error"] == "timeout"


def test_probes_and_metrics_are_not_redirected_to_https(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/gallery/").status_code == 301
    assert client.get("/healthz").status_code == 200
    assert client.get("/readyz").status_code == 200
    assert client.get("/metrics").status_code == 200
