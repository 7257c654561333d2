"""Compare (issue 14): two to four of one's own succeeded videos side by side, with their settings
and a Remix link each; anything else is a clear 400 that never shows someone else's video."""

from __future__ import annotations

import html
import re

import pytest
from django.test import Client

from jobs.models import JobStatus
from tests.jobs.test_generation_list import make_job

pytestmark = pytest.mark.django_db


def compare(client: Client, *ids: object):
    query = "&".join(f"job={i}" for i in ids)
    return client.get(f"/generations/compare/?{query}")


def errors_of(response) -> list[str]:
    block = response.content.decode().split('id="compare-errors"')[1].split("</ul>")[0]
    return [html.unescape(item) for item in re.findall(r"<li>(.*?)</li>", block)]


@pytest.fixture
def pair(artist, make_output):
    first = make_output(artist, prompt="a red kite over dunes")
    second = make_output(artist, prompt="a blue kite over snow")
    return first, second


def test_two_videos_side_by_side_with_their_settings_and_remix(client, artist, pair):
    first, second = pair
    client.force_login(artist)
    response = compare(client, second.job_id, first.job_id)
    assert response.status_code == 200
    page = response.content.decode()
    # In the order picked, each with its video, prompt, settings and a Remix link.
    assert page.index(f'id="compare-job-{second.job_id}"') < page.index(
        f'id="compare-job-{first.job_id}"'
    )
    for output in (first, second):
        job = output.job
        article = page.split(f'id="compare-job-{job.pk}"')[1].split("</article>")[0]
        video = re.search(r'<video class="compare-video"[^>]*src="([^"]+)"', article)
        assert video, article
        fetched = client.get(html.unescape(video.group(1)), HTTP_RANGE="bytes=0-99")
        assert fetched.status_code == 206 and fetched["Content-Type"] == "video/mp4"
        assert f'data-media-refresh-url="/api/v1/generations/{job.pk}/"' in article
        assert job.prompt in article
        for label, value in (
            ("Seed", job.seed), ("Model", job.model), ("Steps", job.steps),
            ("Guidance", job.guidance), ("Aspect ratio", job.aspect_ratio),
        ):  # fmt: skip
            assert f"<dt>{label}</dt><dd>{value}</dd>" in article
        assert f"<dt>Resolution</dt><dd>{job.resolution} (" in article
        assert "<dt>Negative prompt</dt>" in article and "<dt>Duration</dt>" in article
        assert f'href="/generations/new/?remix={job.pk}"' in article
    # One control set (shown by the script) and the scripts, as static files.
    assert 'id="compare-play"' in page and 'id="compare-scrubber"' in page
    assert "/static/js/compare-sync.js" in page and "/static/js/media-refresh.js" in page
    assert "<script>" not in page


def test_four_is_the_most(client, artist, pair, make_output):
    more = [make_output(artist, prompt=f"kite {n}") for n in range(3)]
    client.force_login(artist)
    ids = [pair[0].job_id, pair[1].job_id, more[0].job_id, more[1].job_id]
    assert compare(client, *ids).status_code == 200
    response = compare(client, *ids, more[2].job_id)
    assert response.status_code == 400
    assert errors_of(response) == ["Pick at most 4 videos to compare."]
    assert "<video" not in response.content.decode()


@pytest.mark.parametrize(
    ("ids", "expected"),
    [
        ((), ["Pick at least 2 of your videos to compare."]),
        (("first",), ["Pick at least 2 of your videos to compare."]),
        (("first", "first"), ["Job #{first} is picked twice: pick each video once."]),
        (("first", "kite"), ["“kite” is not a job number."]),
        (("first", "999999"), ["You have no job #999999."]),
    ],
)
def test_bad_picks_are_a_clear_400(client, artist, pair, ids, expected):
    first = pair[0].job_id
    client.force_login(artist)
    response = compare(client, *(str(first) if i == "first" else i for i in ids))
    assert response.status_code == 400
    assert errors_of(response) == [message.format(first=first) for message in expected]
    assert "<video" not in response.content.decode()


def test_someone_elses_video_reads_as_nonexistent_and_is_never_shown(
    client, artist, other_artist, pair, make_output
):
    theirs = make_output(other_artist, prompt="bob's unreleased teaser")
    client.force_login(artist)
    response = compare(client, pair[0].job_id, theirs.job_id)
    assert response.status_code == 400
    assert errors_of(response) == [f"You have no job #{theirs.job_id}."]
    page = response.content.decode()
    assert "unreleased teaser" not in page and f"/m/{theirs.pk}/" not in page
    # Word for word what an id that doesn't exist gets.
    missing = compare(client, pair[0].job_id, 999999)
    assert errors_of(missing) == ["You have no job #999999."]


def test_only_succeeded_jobs_can_be_compared(client, artist, pair):
    queued = make_job(artist)
    failed = make_job(artist, status=JobStatus.FAILED)
    client.force_login(artist)
    response = compare(client, pair[0].job_id, queued.pk, failed.pk)
    assert response.status_code == 400
    assert errors_of(response) == [
        f"Job #{queued.pk} has no video to compare (it is queued).",
        f"Job #{failed.pk} has no video to compare (it is failed).",
    ]


def test_compare_is_for_artists(client, reviewer, pair):
    anonymous = compare(Client(), pair[0].job_id, pair[1].job_id)
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/accounts/login/")
    client.force_login(reviewer)
    assert compare(client, pair[0].job_id, pair[1].job_id).status_code == 403


def test_the_list_picks_for_compare(client, artist, pair):
    """The list's checkboxes make the compare URL: a GET form of ``job`` values."""
    client.force_login(artist)
    page = client.get("/generations/").content.decode()
    form = page.split('id="compare-form"')[1].split("</form>")[0]
    assert 'action="/generations/compare/"' in page.split('id="compare-form"')[0][-80:]
    assert sorted(re.findall(r'name="job" value="(\d+)"', form)) == sorted(
        str(output.job_id) for output in pair
    )
