"""The production shape, end to end over HTTPS through nginx (tests/production/stack.py):
invite → sign up → NDA → generate → review (staff with MFA) → approve → publish → gallery,
and private media leaves only through nginx, after Django authorised the request."""

from __future__ import annotations

import json
import os
import re
import time
from collections.abc import Iterator

import pytest
import requests

from tests.conftest import totp_code
from tests.production.browser import Browser
from tests.production.stack import Stack

pytestmark = [pytest.mark.production, pytest.mark.timeout(240)]

PROMPT = "a paper boat crossing a puddle at dawn"


@pytest.fixture(scope="module")
def stack(tiny_model: str) -> Iterator[Stack]:
    started = Stack(
        database_server_url=os.environ["DATABASE_URL"], redis_server_url=os.environ["REDIS_URL"]
    )
    try:
        started.start()
        yield started
    except BaseException:
        print(started.logs())
        raise
    finally:
        started.stop()


@pytest.fixture(scope="module")
def program(stack: Stack) -> dict[str, dict[str, str]]:
    out = stack.manage("shell", "-c", "from tests.production.seed import seed; seed()")
    return json.loads(out.strip().splitlines()[-1])


def browser(stack: Stack) -> Browser:
    return Browser(stack.base_url, certificate=str(stack.certificate))


def staff_sign_in(stack: Stack, person: dict[str, str]) -> Browser:
    """Password, then the authenticator app's code (staff must have one: decision 0013)."""
    client = browser(stack)
    client.get("/accounts/login/")
    client.submit("login", login=person["email"], password=person["password"])
    assert "/2fa/authenticate" in client.page.url, client.page.url  # type: ignore[union-attr]
    done = client.submit(code=totp_code(person["totp_secret"]))
    assert done.status_code == 200 and "Welcome" in done.text, done.url
    return client


def test_whole_flow_over_nginx(stack: Stack, program: dict[str, dict[str, str]]) -> None:
    # The program admin invites an artist from the operator's shell.
    out = stack.manage("invite", "--cohort", "Wave 1", "nia@example.com")
    link = re.search(r"https://\S+/invitations/\S+/", out)
    assert link, out
    assert link.group(0).startswith(stack.base_url)

    # The artist signs up from the link, then must accept the NDA before anything else.
    nia = browser(stack)
    landing = nia.get(link.group(0))
    assert landing.url == f"{stack.base_url}/accounts/signup/", landing.url
    # Production mode: the session cookie is Secure and HttpOnly, and HSTS is on.
    assert "max-age=" in landing.headers["Strict-Transport-Security"]
    cookie = next(c for c in nia.http.cookies if c.name == "sessionid")
    assert cookie.secure
    secret = "correct horse battery staple 42"
    nda = nia.submit("signup", password1=secret, password2=secret)
    assert nda.url.startswith(f"{stack.base_url}/agreement/"), nda.url
    # A spoofed X-Forwarded-For is overwritten by nginx; the NDA records the real peer.
    nia.http.headers["X-Forwarded-For"] = "203.0.113.9"
    dashboard = nia.submit("agreement", full_name="Nia Newcomer", confirm="on")
    del nia.http.headers["X-Forwarded-For"]
    assert "Welcome, Nia Newcomer" in dashboard.text, dashboard.url

    # Generate; the worker renders with the tiny model; the status endpoint reports it.
    nia.get("/generations/new/")
    created = nia.submit("new", prompt=PROMPT)
    found = re.search(r"/generations/(\d+)/$", created.url)
    assert found, (created.url, created.text[:2000])
    job_id = int(found.group(1))
    deadline, status = time.monotonic() + 90, {}
    while time.monotonic() < deadline:
        status = nia.api("GET", f"/api/v1/generations/{job_id}/").json()
        if status["status"] in {"succeeded", "failed", "canceled"}:
            break
        time.sleep(0.5)
    assert status.get("status") == "succeeded", (status, stack.logs())
    video_url = status["output"]["video_url"]

    # Private media: the bytes come from nginx, after Django said yes.
    video = nia.get(video_url)
    assert video.status_code == 200
    assert video.content[4:8] == b"ftyp"
    assert video.headers["Server"].startswith("nginx")
    assert video.headers["Content-Type"] == "video/mp4"
    assert video.headers["Cache-Control"] == "private, no-store"
    assert video.headers["X-Content-Type-Options"] == "nosniff"
    assert "X-Accel-Redirect" not in video.headers
    ranged = nia.get(video_url, headers={"Range": "bytes=0-99"})
    assert ranged.status_code == 206 and len(ranged.content) == 100
    # Django itself (asked directly, as nginx asks it) answers with the redirect only.
    direct = requests.get(
        stack.web_url + video_url,
        cookies={"sessionid": nia.http.cookies.get("sessionid") or ""},
        headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": "127.0.0.1"},
        timeout=10,
        allow_redirects=False,
    )
    assert direct.status_code == 200, direct.status_code
    accel = direct.headers["X-Accel-Redirect"]
    assert accel.startswith("/_private/outputs/") and accel.endswith(".mp4")
    assert direct.content == b""
    # The internal location can't be asked for from outside, even with the exact path.
    assert nia.get(accel).status_code == 404
    # Nobody else may use the artist's URL: an anonymous visitor gets a 404.
    assert browser(stack).get(video_url).status_code == 404

    # A reviewer (password + authenticator code) claims and approves it.
    rey = staff_sign_in(stack, program["reviewer"])
    queue = rey.get("/staff/review/")
    item = re.search(r'href="/staff/review/(\d+)/"', queue.text)
    assert item, queue.text[:3000]
    item_id = item.group(1)
    rey.get(f"/staff/review/{item_id}/")
    claimed = rey.submit(f"/staff/review/{item_id}/claim/")
    assert "Being reviewed by rey@studio.example" in claimed.text
    approved = rey.submit(f"/staff/review/{item_id}/approve/")
    assert approved.status_code == 200
    assert nia.api("GET", f"/api/v1/generations/{job_id}/").json()["review"]["status"] == (
        "approved"
    )

    # Approved, so the cohort's default policy lets the artist download it: the stored
    # file, through nginx, as an attachment (nginx keeps Django's Content-Disposition).
    download = nia.get(f"/generations/{job_id}/download/")
    assert download.status_code == 200 and download.content == video.content
    assert download.headers["Server"].startswith("nginx")
    disposition = download.headers["Content-Disposition"]
    assert disposition == f'attachment; filename="vernissage-{job_id}.mp4"'

    # The artist publishes to the gallery; a visitor watches it there, through nginx.
    nia.get(f"/generations/{job_id}/")
    published = nia.submit("publish", visibility="gallery")
    assert "Published (Public gallery)" in published.text
    gallery = browser(stack).get("/gallery/")
    assert PROMPT in gallery.text
    public_url = re.search(r'src="(/m/\d+/video/\?t=[^"]+)"', gallery.text)
    assert public_url, gallery.text[:3000]
    public = browser(stack).get(public_url.group(1).replace("&amp;", "&"))
    assert public.status_code == 200 and public.content == video.content
    assert public.headers["Server"].startswith("nginx")

    # Static files come from nginx's own location, collected beforehand.
    css = browser(stack).get("/static/css/site.css")
    assert css.status_code == 200 and "public" in css.headers["Cache-Control"]

    # What the server recorded: the real client address, an intact audit chain.
    recorded = stack.manage(
        "shell", "-c",
        "from agreements.models import AgreementAcceptance as A; "
        "print(A.objects.get(user__email='nia@example.com').ip_address)",
    )  # fmt: skip
    assert recorded.strip().splitlines()[-1] == "127.0.0.1"
    stack.manage("verify_audit_chain")


def test_plain_http_only_answers_health_checks(stack: Stack) -> None:
    base = f"http://127.0.0.1:{stack.http_port}"
    assert requests.get(f"{base}/healthz", timeout=10).status_code == 200
    moved = requests.get(f"{base}/gallery/", timeout=10, allow_redirects=False)
    assert moved.status_code == 301
    assert moved.headers["Location"].startswith("https://127.0.0.1/gallery/")


def test_probes_and_metrics_through_nginx(stack: Stack) -> None:
    """Readiness checks the real database, broker and storage; Prometheus on the same
    network scrapes /metrics through nginx (the view sees the client address nginx passed)."""
    ready = browser(stack).get("/readyz")
    assert ready.status_code == 200, ready.text
    metrics = browser(stack).get("/metrics")
    assert metrics.status_code == 200
    assert "vernissage_metrics_ok 1.0" in metrics.text
    assert "vernissage_jobs_queued" in metrics.text
