"""200 artists watching their work: mostly polling the status endpoint, as the job page
does twice a second, and now and then opening a portal page. Start the stack and this
together with bench/load/run_stack.py (see docs/benchmarks.md for the exact command).

LOAD_ARTISTS_FILE: the signed-in artists made by run_stack.py (session + job id each).
LOAD_PACE=max: no think time, to find the most requests per second the stack serves.
LOAD_MIX=status: status polls only (no portal pages), to measure that endpoint alone.
LOAD_WARMUP_SECONDS=N: forget the statistics N seconds after the start, so they describe
the steady state: in the first seconds every artist's browser makes its TLS connection and
every session's first poll records where it is seen (a write), all at once.
"""

from __future__ import annotations

import itertools
import json
import os
import random

import gevent
from locust import FastHttpUser, between, constant, events

_ARTISTS = json.loads(open(os.environ["LOAD_ARTISTS_FILE"]).read())  # noqa: SIM115
_NEXT = itertools.count()


@events.test_start.add_listener
def _warm_up(environment: object, **_: object) -> None:
    seconds = float(os.environ.get("LOAD_WARMUP_SECONDS", "0"))
    if seconds > 0:
        gevent.spawn_later(seconds, environment.stats.reset_all)  # type: ignore[attr-defined]


@events.init_command_line_parser.add_listener
def _default_host(parser: object) -> None:
    parser.set_defaults(host=os.environ.get("LOAD_BASE_URL", ""))  # type: ignore[attr-defined]


class Artist(FastHttpUser):
    # The job page polls every 500 ms; a little jitter, as browsers have, keeps the
    # traffic from looking machine-made to the containment rules (decision 0014).
    wait_time = constant(0) if os.environ.get("LOAD_PACE") == "max" else between(0.35, 0.65)
    insecure = True  # the stack's certificate is a throwaway self-signed one

    def on_start(self) -> None:
        me = _ARTISTS[next(_NEXT) % len(_ARTISTS)]
        self.job_id = me["job_id"]
        self.headers = {"Cookie": f"sessionid={me['session']}", "Accept": "application/json"}

    def status(self) -> None:
        self.client.get(
            f"/api/v1/generations/{self.job_id}/",
            headers=self.headers,
            name="/api/v1/generations/[id]/",
        )

    def portal_page(self) -> None:
        path, name = random.choice(  # noqa: S311
            [
                ("/", "/ (dashboard)"),
                ("/generations/", "/generations/"),
                (f"/generations/{self.job_id}/", "/generations/[id]/"),
            ]
        )
        self.client.get(path, headers={**self.headers, "Accept": "text/html"}, name=name)

    # 20 polls to 1 page, unless LOAD_MIX=status.
    tasks = {status: 20, portal_page: 1}  # type: ignore[assignment]  # locust takes weights too
    if os.environ.get("LOAD_MIX") == "status":
        tasks = {status: 1}  # type: ignore[assignment]
