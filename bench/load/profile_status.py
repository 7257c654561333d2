"""Where a status poll's time goes inside one web process: the WSGI application called
directly (no HTTP, no gunicorn) for one simulated artist's poll, timed and profiled.
Run inside a stack started by run_stack.py, which supplies the settings and the artists:

    .venv/bin/python bench/load/run_stack.py --artists 1 -- \\
        .venv/bin/python bench/load/profile_status.py --requests 3000

PROFILE_FAST_PATH=false compares the whole stack.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT), str(ROOT / "platform")]
# One artist polls thousands of times a minute here: lift the account's API budget (the
# budget is still counted, which is part of what is measured).
os.environ["VERNISSAGE_API_RATE_ACCOUNT_PER_MINUTE"] = "100000"
if "PROFILE_FAST_PATH" in os.environ:
    os.environ["VERNISSAGE_STATUS_FAST_PATH"] = os.environ["PROFILE_FAST_PATH"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--top", type=int, default=30)
    args = parser.parse_args()

    from config.wsgi import application

    artist = json.loads(Path(os.environ["LOAD_ARTISTS_FILE"]).read_text())[0]
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": f"/api/v1/generations/{artist['job_id']}/",
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": "127.0.0.1",
        "HTTP_X_FORWARDED_FOR": "127.0.0.1",
        "HTTP_X_FORWARDED_PROTO": "https",
        "HTTP_ACCEPT": "application/json",
        "HTTP_USER_AGENT": "profile_status",
        "HTTP_COOKIE": f"sessionid={artist['session']}",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(),
        "wsgi.errors": sys.stderr,
    }
    statuses: list[str] = []

    def start_response(status: str, headers: list[tuple[str, str]], *_: object) -> Any:
        statuses.append(status)

    def poll() -> None:
        body = application(dict(environ), start_response)
        b"".join(body)
        body.close()

    for _ in range(50):  # the first poll records the session's address; warm caches
        poll()
    assert statuses[-1].startswith("200"), statuses[-5:]
    started = time.perf_counter()
    for _ in range(args.requests):
        poll()
    took = time.perf_counter() - started
    assert all(status.startswith("200") for status in statuses), set(statuses)
    print(f"{args.requests} polls: {took / args.requests * 1000:.3f} ms each (wall, in-process)")

    profile = cProfile.Profile()
    profile.enable()
    for _ in range(args.requests):
        poll()
    profile.disable()
    out = io.StringIO()
    pstats.Stats(profile, stream=out).sort_stats(
        os.environ.get("PROFILE_SORT", "cumulative")
    ).print_stats(args.top)
    print(out.getvalue())


if __name__ == "__main__":
    main()
