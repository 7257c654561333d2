"""An S3-compatible server on loopback for tests: moto's server mode (``moto[server]``,
the ``dev`` extra), started in a process of its own, in memory, gone when it stops.

What it does and doesn't check (probed against moto 5.2; decision 0032): it keeps
objects, their ACL and headers (``Cache-Control``), answers ``response-content-disposition``,
and refuses an unsigned GET of a private object (403). It does **not** check signatures:
a presigned URL that was tampered with, signed with a wrong or unknown key, or expired is
served all the same (with ``INITIAL_NO_AUTH_ACTION_COUNT`` it checks header signatures,
but then answers every presigned URL with a 500). Expiry and signing are held by
tests/deploy/test_storage_settings.py (botocore signs offline) and by the real bucket.
"""

from __future__ import annotations

import os
import shutil
import socket
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import boto3

from tests.production.stack import Service, free_port

BUCKET = "vernissage-private"
REGION = "us-east-1"
# Any key works (moto checks none); the same pair goes to the web tier and the workers.
ACCESS_KEY = "AKIAVERNISSAGETEST"
SECRET_KEY = "scaleout-test-secret-not-for-production"


class S3Server:
    """``python -m moto.server`` on 127.0.0.1:<free port>, with one private bucket."""

    def __init__(self) -> None:
        self.port = free_port()
        self.root = Path(tempfile.mkdtemp(prefix="vernissage-s3-"))
        self.service = Service(
            "s3",
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.port)],
            # Without INITIAL_NO_AUTH_ACTION_COUNT: its IAM mode breaks presigned URLs.
            env={k: v for k, v in os.environ.items() if k != "INITIAL_NO_AUTH_ACTION_COUNT"},
            logs=self.root,
        )

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 60) -> S3Server:
        self.service.start()
        self.service.wait_for(self._listening, timeout, "listening socket")
        self.client().create_bucket(Bucket=BUCKET)
        return self

    def _listening(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                return True
        except OSError:
            time.sleep(0.05)
            return False

    def client(self) -> Any:
        return boto3.client(
            "s3", endpoint_url=self.endpoint, region_name=REGION,
            aws_access_key_id=ACCESS_KEY, aws_secret_access_key=SECRET_KEY,
        )  # fmt: skip

    def environment(self) -> dict[str, str]:
        """``VERNISSAGE_STORAGE=s3`` pointed at this server (config/settings/storage.py)."""
        return {
            "VERNISSAGE_STORAGE": "s3",
            "VERNISSAGE_S3_BUCKET": BUCKET,
            "VERNISSAGE_S3_ACCESS_KEY_ID": ACCESS_KEY,
            "VERNISSAGE_S3_SECRET_ACCESS_KEY": SECRET_KEY,
            "VERNISSAGE_S3_ENDPOINT_URL": self.endpoint,
            "VERNISSAGE_S3_REGION": REGION,
        }

    def keys(self) -> list[str]:
        """Every object's key in the bucket."""
        pages = self.client().get_paginator("list_objects_v2").paginate(Bucket=BUCKET)
        return sorted(item["Key"] for page in pages for item in page.get("Contents", []))

    def read(self, key: str) -> bytes:
        return bytes(self.client().get_object(Bucket=BUCKET, Key=key)["Body"].read())

    def stop(self) -> None:
        self.service.stop()
        shutil.rmtree(self.root, ignore_errors=True)
