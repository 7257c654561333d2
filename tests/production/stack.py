"""The production shape on loopback: nginx (TLS) → gunicorn → PostgreSQL + Redis, a Celery
GPU worker with the tiny model, and the housekeeper, all with production settings.

Used by the smoke test (tests/production/test_smoke.py) and by hand for the load test
(bench/load/run_stack.py). nginx runs ``deploy/nginx.conf`` itself: only the ports, the
data folder, the certificate and the include path are substituted, and each substitution
must find its line, so a change to the real file can't silently leave the test behind.

HTTPS is real: nginx terminates TLS with a throwaway self-signed certificate for
127.0.0.1, and the app runs in production mode (``VERNISSAGE_HTTPS=true``: secure
cookies, HSTS, redirect). The one concession: C2PA signing uses the development chain
(``VERNISSAGE_C2PA_ALLOW_DEV_CERT=true``), as no real signing certificate exists here.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
NGINX_SITE = ROOT / "deploy" / "nginx.conf"
NGINX_PROXY = ROOT / "deploy" / "nginx-proxy.conf"
GUNICORN_CONF = ROOT / "deploy" / "gunicorn.conf.py"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def nginx_binary() -> str:
    found = shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if os.path.exists(p)), None
    )
    if found is None:
        raise RuntimeError("nginx is not installed: run `make test`, which installs it.")
    return found


class Service:
    """One long-running process of the stack, its output kept in a log file."""

    def __init__(self, name: str, command: list[str], *, env: dict[str, str], logs: Path):
        self.name = name
        self.command = command
        self.env = env
        self.log_path = logs / f"{name}.log"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> Service:
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                self.command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip
        return self

    def log(self, lines: int = 40) -> str:
        if not self.log_path.exists():
            return ""
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def wait_for(self, condition: Callable[[], bool], timeout: float, what: str) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if condition():
                return
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited ({self.process.returncode}):\n{self.log()}")
            time.sleep(0.1)
        raise TimeoutError(f"{self.name}: no {what} within {timeout:.0f}s:\n{self.log()}")

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        # gunicorn's and nginx's own children are in the same session: signal the group.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)


@dataclass
class Stack:
    """Start with :meth:`start`, stop with :meth:`stop` (idempotent)."""

    database_server_url: str  # e.g. postgres://postgres@127.0.0.1:5432/postgres
    redis_server_url: str  # e.g. redis://127.0.0.1:6379/0
    web_workers: int = 2
    root: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="vernissage-prod-")))
    database_name: str = field(default_factory=lambda: f"vernissage_prod_{secrets.token_hex(4)}")
    https_port: int = field(default_factory=free_port)
    http_port: int = field(default_factory=free_port)
    web_port: int = field(default_factory=free_port)
    services: list[Service] = field(default_factory=list)
    # One set of secrets for every process of the stack, shell commands included.
    secret_key: str = field(default_factory=lambda: secrets.token_urlsafe(50))
    watermark_key: str = field(default_factory=lambda: secrets.token_hex(32))

    @property
    def base_url(self) -> str:
        return f"https://127.0.0.1:{self.https_port}"

    @property
    def web_url(self) -> str:
        """gunicorn itself, behind nginx: only the proxy (loopback) should talk to it."""
        return f"http://127.0.0.1:{self.web_port}"

    @property
    def data_dir(self) -> Path:
        return self.root / "var"

    @property
    def certificate(self) -> Path:
        return self.root / "tls" / "cert.pem"

    # -- set-up --------------------------------------------------------------------

    def environment(self) -> dict[str, str]:
        redis = self.redis_server_url.rsplit("/", 1)[0]
        server = self.database_server_url.rsplit("/", 1)[0]
        env = {
            key: value
            for key, value in os.environ.items()
            # Nothing test-only or from the developer's shell leaks into production mode.
            if not key.startswith(("DJANGO_", "VERNISSAGE_", "CELERY_", "PYTEST", "GUNICORN"))
            and key not in {"DATABASE_URL", "REDIS_URL"}
        }
        env.update(
            DJANGO_SETTINGS_MODULE="config.settings",
            DATABASE_URL=f"{server}/{self.database_name}",
            DATABASE_CONN_MAX_AGE="60",
            # Database indexes of the test Redis that the rest of the suite doesn't use.
            REDIS_URL=f"{redis}/10",
            CELERY_BROKER_URL=f"{redis}/11",
            DJANGO_SECRET_KEY=self.secret_key,
            DJANGO_DEBUG="false",
            DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
            DJANGO_CSRF_TRUSTED_ORIGINS=self.base_url,
            VERNISSAGE_HTTPS="true",
            VERNISSAGE_TRUSTED_PROXY="true",
            VERNISSAGE_TRUSTED_PROXY_ADDRESSES="127.0.0.1",
            VERNISSAGE_MEDIA_ACCEL_PREFIX="/_private/",
            VERNISSAGE_DATA_DIR=str(self.data_dir),
            VERNISSAGE_SITE_URL=self.base_url,
            VERNISSAGE_WATERMARK_KEY=self.watermark_key,
            VERNISSAGE_C2PA_ALLOW_DEV_CERT="true",
            VERNISSAGE_TINY_MODEL_PATH=os.environ.get(
                "VERNISSAGE_TINY_MODEL_PATH", str(ROOT / "var" / "models" / "tiny-wan")
            ),
            VERNISSAGE_REAPER_INTERVAL_SECONDS="2",
            VERNISSAGE_WEB_BIND=f"127.0.0.1:{self.web_port}",
            VERNISSAGE_WEB_WORKERS=str(self.web_workers),
            HF_HUB_OFFLINE="1",
        )
        return env

    def manage(self, *args: str, timeout: float = 120) -> str:
        """``manage.py`` with the stack's environment; its stdout."""
        result = subprocess.run(
            [sys.executable, "manage.py", *args], cwd=ROOT, env=self.environment(),
            capture_output=True, text=True, timeout=timeout, check=False,
        )  # fmt: skip
        if result.returncode != 0:
            raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result.stderr[-4000:]}")
        return result.stdout

    def _create_database(self) -> None:
        import psycopg

        with psycopg.connect(self.database_server_url, autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{self.database_name}"')

    def _drop_database(self) -> None:
        import psycopg

        with (
            contextlib.suppress(psycopg.Error),
            psycopg.connect(self.database_server_url, autocommit=True) as connection,
        ):
            connection.execute(f'DROP DATABASE IF EXISTS "{self.database_name}" WITH (FORCE)')

    def _make_certificate(self) -> None:
        folder = self.certificate.parent
        folder.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
             "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
             "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
             "-keyout", str(folder / "key.pem"), "-out", str(self.certificate)],
            check=True, capture_output=True,
        )  # fmt: skip

    def nginx_site(self) -> str:
        """deploy/nginx.conf with this stack's ports, folders and certificate."""
        site = NGINX_SITE.read_text()
        for old, new in (
            ("server 127.0.0.1:8000;", f"server 127.0.0.1:{self.web_port};"),
            ("listen 80;", f"listen 127.0.0.1:{self.http_port};"),
            ("listen 443 ssl;", f"listen 127.0.0.1:{self.https_port} ssl;"),
            ("/srv/vernissage/var/", f"{self.data_dir}/"),
            ("/etc/ssl/vernissage/fullchain.pem", str(self.certificate)),
            ("/etc/ssl/vernissage/privkey.pem", str(self.certificate.parent / "key.pem")),
            ("/etc/nginx/vernissage_proxy.conf", str(self.root / "nginx" / "proxy.conf")),
        ):
            if old not in site:
                raise AssertionError(f"deploy/nginx.conf no longer contains {old!r}")
            site = site.replace(old, new)
        return site

    def _write_nginx_config(self) -> Path:
        folder = self.root / "nginx"
        for sub in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
            (folder / "temp" / sub).mkdir(parents=True, exist_ok=True)
        (folder / "site.conf").write_text(self.nginx_site())
        shutil.copy(NGINX_PROXY, folder / "proxy.conf")
        temp = folder / "temp"
        # As root, nginx's workers would drop to "nobody", who can't read our temp folders.
        user = "user root;\n" if os.geteuid() == 0 else ""
        main = f"""{user}worker_processes 1;
pid {folder}/nginx.pid;
error_log stderr warn;
events {{ worker_connections 2048; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    sendfile on;
    # Times in seconds: the whole request as nginx saw it, and gunicorn's part of it.
    log_format timed '$msec $remote_addr "$request" $status $body_bytes_sent '
                     'rt=$request_time urt=$upstream_response_time uct=$upstream_connect_time';
    access_log {self.root}/logs/nginx-access.log timed;
    client_body_temp_path {temp}/body;
    proxy_temp_path {temp}/proxy;
    fastcgi_temp_path {temp}/fastcgi;
    uwsgi_temp_path {temp}/uwsgi;
    scgi_temp_path {temp}/scgi;
    include {folder}/site.conf;
}}
"""
        (folder / "nginx.conf").write_text(main)
        return folder

    def start(self, *, worker: bool = True, housekeeping: bool = True) -> Stack:
        (self.root / "logs").mkdir(parents=True, exist_ok=True)
        self.data_dir.mkdir(parents=True, exist_ok=True)
        env = self.environment()
        self._create_database()
        self._make_certificate()
        folder = self._write_nginx_config()
        self.manage("migrate", "--noinput", timeout=300)
        # A deploy runs `manage.py collectstatic` (deploy/RUNBOOK.md); compressing every
        # package's files takes a minute on a small machine, so the smoke run copies only
        # the project's own files, which is all its pages and checks use.
        shutil.copytree(ROOT / "static", self.data_dir / "staticfiles", dirs_exist_ok=True)
        if worker and not (Path(env["VERNISSAGE_TINY_MODEL_PATH"]) / "model_index.json").exists():
            self.manage("build_tiny_model", env["VERNISSAGE_TINY_MODEL_PATH"], timeout=300)

        logs = self.root / "logs"
        python = sys.executable
        web = Service("gunicorn", [python, "-m", "gunicorn", "-c", str(GUNICORN_CONF)],
                      env=env, logs=logs)  # fmt: skip
        self.services.append(web.start())
        if worker:
            gpu = Service(
                "gpu-worker",
                [python, "-m", "celery", "-A", "config", "worker", "-Q", "gpu", "--pool", "solo",
                 "--concurrency", "1", "--loglevel", "INFO", "--hostname", "smoke-gpu0@%h",
                 "--without-gossip", "--without-mingle"],
                env={**env, "CUDA_VISIBLE_DEVICES": ""}, logs=logs,
            )  # fmt: skip
            self.services.append(gpu.start())
        if housekeeping:
            keeper = Service("housekeeping", [python, "manage.py", "housekeeping"],
                             env=env, logs=logs)  # fmt: skip
            self.services.append(keeper.start())
        nginx = Service(
            "nginx",
            [nginx_binary(), "-p", str(folder), "-c", str(folder / "nginx.conf"),
             "-e", "stderr", "-g", "daemon off;"],
            env=env, logs=logs,
        )  # fmt: skip
        self.services.append(nginx.start())

        nginx.wait_for(lambda: self._answers(f"{self.base_url}/healthz"), 60, "/healthz")
        if worker:
            gpu.wait_for(lambda: " ready." in gpu.log(200), 120, "'ready' line")
        return self

    def _answers(self, url: str) -> bool:
        context = ssl.create_default_context(cafile=str(self.certificate))
        try:
            with urllib.request.urlopen(url, timeout=2, context=context) as response:  # noqa: S310
                return bool(response.status == 200)
        except (OSError, urllib.error.URLError):
            return False

    def service(self, name: str) -> Service:
        return next(s for s in self.services if s.name == name)

    def logs(self) -> str:
        return "\n".join(f"--- {s.name}\n{s.log()}" for s in self.services)

    def stop(self) -> None:
        while self.services:
            self.services.pop().stop()
        self._drop_database()
        shutil.rmtree(self.root, ignore_errors=True)

    def describe(self) -> str:
        return json.dumps(
            {"url": self.base_url, "gunicorn": self.web_url, "certificate": str(self.certificate),
             "database": self.database_name, "root": str(self.root)},
            indent=2,
        )  # fmt: skip
