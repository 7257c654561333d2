"""Start the production smoke stack by hand (tests/production/stack.py) with simulated
artists, for the load test; optionally run a command against it, then stop everything.

    .venv/bin/python bench/load/run_stack.py --artists 200 -- \\
        .venv/bin/locust -f bench/load/locustfile.py --headless -u 200 -r 50 -t 60s

    .venv/bin/python bench/load/run_stack.py --smoke   # tests/test_benchmarks.py

The command gets LOAD_BASE_URL and LOAD_ARTISTS_FILE in its environment (locust's --host
defaults to the former). Without a command the stack stays up until Ctrl-C. ``--smoke``
runs every piece of bench/load briefly against a stack of 3 artists and 2 web workers:
per_core.sh (locust, 3 users for 3 s, and cpu_seconds.py around it), then
profile_status.py (20 polls); it fails if any of them fails (locust: any failed request). Throwaway
PostgreSQL and Redis come from tests/servers.py, as in the test suite. No GPU worker runs:
each artist's job stays queued, which is what the job page polls for most of its life.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT), str(ROOT / "platform")]

import tests.servers  # noqa: E402, F401  (starts PostgreSQL and Redis, sets their URLs)
from tests.production.stack import Stack  # noqa: E402

SMOKE = [
    ["bench/load/per_core.sh"],
    [sys.executable, "bench/load/profile_status.py", "--requests", "20", "--top", "5"],
]
SMOKE_ENVIRONMENT = {"LOAD_USERS": "3", "LOAD_SECONDS": "3"}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--artists", type=int, default=200)
    parser.add_argument("--web-workers", type=int, default=(os.cpu_count() or 1) * 2 + 1)
    parser.add_argument("--smoke", action="store_true", help="every piece briefly, 3 artists")
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if args.smoke:
        if command:
            parser.error("--smoke runs its own commands")
        args.artists, args.web_workers = 3, 2

    stack = Stack(
        database_server_url=os.environ["DATABASE_URL"],
        redis_server_url=os.environ["REDIS_URL"],
        web_workers=args.web_workers,
    )
    try:
        stack.start(worker=False)
        seed = f"from tests.production.seed import seed; seed(artists={args.artists})"
        stack.manage("shell", "-c", seed)
        artists = stack.root / "artists.json"
        stack.manage(
            "shell", "-c",
            "from tests.production.seed import seed_artists; "
            f"seed_artists(count={args.artists}, out={str(artists)!r})",
            timeout=600,
        )  # fmt: skip
        # The stack's own settings too, so a command can run manage.py against it.
        env = {**stack.environment(), "LOAD_BASE_URL": stack.base_url,
               "LOAD_ARTISTS_FILE": str(artists)}  # fmt: skip
        print(stack.describe(), flush=True)
        if args.smoke:
            for step in SMOKE:
                print(f"smoke: {' '.join(step)}", flush=True)
                done = subprocess.run(step, env={**env, **SMOKE_ENVIRONMENT}, check=False)  # noqa: S603
                if done.returncode != 0:
                    return done.returncode
            return 0
        if command:
            return subprocess.run(command, env=env, check=False).returncode  # noqa: S603
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        return 0
    finally:
        stack.stop()


if __name__ == "__main__":
    raise SystemExit(main())
