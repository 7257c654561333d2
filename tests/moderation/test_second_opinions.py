"""Second opinions (issue 18 point 3, decision 0036): a cohort's share of first-review
approvals and rejections goes blind to a different reviewer; a disagreement is settled by
a program admin (uphold, or overturn: revoke the approval, approve the rejected output as
an appeal would); the SLA page shows each reviewer's agreement and kappa over a chosen
period. Everything audited."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from accounts.models import User
from accounts.roles import Role
from accounts.services import user_create
from audit.models import AuditEvent
from cohorts.models import Cohort
from cohorts.services import cohort_set_second_opinion_share
from domain.errors import InvalidTransition
from moderation.errors import SameReviewer
from moderation.models import (
    ReviewDecision,
    ReviewItem,
    ReviewStage,
    ReviewStatus,
    SecondOpinion,
    SecondOpinionStatus,
)
from moderation.second_opinion_selectors import reviewer_agreement
from moderation.second_opinions import (
    second_opinion_claim,
    second_opinion_decide,
    second_opinion_settle,
)
from moderation.services import (
    review_appeal,
    review_approve,
    review_claim,
    review_reject,
    second_opinion_sampled,
)
from publishing.models import Publication
from publishing.services import publication_create
from tests.conftest import PASSWORD, give_totp

pytestmark = pytest.mark.django_db

FIRST_NOTE = "Lovely light; nothing of concern at all"
REJECT_NOTE = "The logo on the van is a real brand."


def _signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _share(cohort: Cohort, share: int) -> None:
    cohort_set_second_opinion_share(actor=None, cohort=cohort, share=share)


def _approved(make_output, artist: User, reviewer: User) -> ReviewItem:
    item = make_output(artist).review
    return review_approve(
        item=review_claim(item=item, reviewer=reviewer), reviewer=reviewer, note=FIRST_NOTE
    )


def _rejected(make_output, artist: User, reviewer: User) -> ReviewItem:
    item = make_output(artist).review
    return review_reject(
        item=review_claim(item=item, reviewer=reviewer),
        reviewer=reviewer,
        reason_code="third_party_ip",
        note=REJECT_NOTE,
    )


def _invalid(html: str, element_id: str) -> bool:
    """Whether the element with ``element_id`` is marked invalid."""
    tag = re.search(rf'<[a-z]+ [^>]*id="{element_id}"[^>]*>', html)
    return tag is not None and 'aria-invalid="true"' in tag.group(0)


def _actions(opinion: SecondOpinion) -> list[str]:
    return list(
        AuditEvent.objects.filter(object_type="moderation.secondopinion", object_id=str(opinion.pk))
        .order_by("pk")
        .values_list("action", flat=True)
    )


@pytest.fixture
def opinion(cohort, make_output, artist, reviewer) -> SecondOpinion:
    _share(cohort, 100)
    item = _approved(make_output, artist, reviewer)
    return SecondOpinion.objects.get(item=item)


def _disagreed(opinion: SecondOpinion, second_reviewer: User) -> SecondOpinion:
    return second_opinion_decide(
        opinion=opinion,
        reviewer=second_reviewer,
        decision=ReviewStatus.REJECTED,
        reason_code="real_person",
        note="This is a well-known actor's face.",
        claim_if_free=True,
    )


# Sampling


def test_at_100_percent_every_first_approval_opens_one_and_the_approval_stands(
    cohort, make_output, artist, reviewer, client
):
    _share(cohort, 100)
    client.force_login(reviewer)
    item = make_output(artist).review
    client.post(f"/staff/review/{item.pk}/approve/", {"then": "next"})
    item.refresh_from_db()
    assert item.status == ReviewStatus.APPROVED  # not held: it may be published meanwhile
    opinion = SecondOpinion.objects.get(item=item)
    assert opinion.status == SecondOpinionStatus.PENDING
    assert opinion.first_reviewer == reviewer and opinion.first_decision.outcome == "approved"
    assert _actions(opinion) == ["second_opinion.open"]


def test_at_0_percent_none_and_appeals_never(
    cohort, make_output, artist, reviewer, second_reviewer
):
    _share(cohort, 0)
    _approved(make_output, artist, reviewer)
    item = _rejected(make_output, artist, reviewer)
    assert not SecondOpinion.objects.exists()
    _share(cohort, 100)
    review_appeal(item=item, artist=artist, statement="Please look again.")
    review_approve(item=review_claim(item=item, reviewer=second_reviewer), reviewer=second_reviewer)
    assert not SecondOpinion.objects.exists()  # an appeal already had a second reviewer


def test_at_100_percent_every_first_rejection_opens_one_too_blind(
    cohort, make_output, artist, reviewer, second_reviewer, client
):
    _share(cohort, 100)
    client.force_login(reviewer)
    item = make_output(artist).review
    client.post(
        f"/staff/review/{item.pk}/reject/",
        {"reason_code": "third_party_ip", "note": REJECT_NOTE, "then": "next"},
    )
    item.refresh_from_db()
    assert (item.status, item.stage) == (ReviewStatus.REJECTED, ReviewStage.REVIEW)
    opinion = SecondOpinion.objects.get(item=item)
    assert opinion.status == SecondOpinionStatus.PENDING
    assert opinion.first_decision.outcome == "rejected" and opinion.first_reviewer == reviewer
    assert _actions(opinion) == ["second_opinion.open"]
    second = _signed_in(second_reviewer)
    page = second.get(f"/staff/review/second-opinions/{opinion.pk}/").content.decode()
    assert 'id="approve-button"' in page and 'id="reject-form"' in page
    for leak in (reviewer.email, REJECT_NOTE, "Rejected", "not approved"):
        assert leak not in page, leak
    answer = second.get(f"/staff/review/{item.pk}/")
    assert answer["Location"] == f"/staff/review/second-opinions/{opinion.pk}/"


def test_the_sample_is_the_share_asked_and_the_same_every_time():
    picked = [second_opinion_sampled(decision_id=n, share=5) for n in range(1, 20_001)]
    assert 0.04 < sum(picked) / len(picked) < 0.06
    assert picked == [second_opinion_sampled(decision_id=n, share=5) for n in range(1, 20_001)]
    assert all(second_opinion_sampled(decision_id=n, share=100) for n in range(1, 500))
    assert not any(second_opinion_sampled(decision_id=n, share=0) for n in range(1, 500))


# Blind, and never the first reviewer


def test_the_second_reviewer_sees_the_output_but_not_the_first_decision(
    opinion, reviewer, second_reviewer
):
    client = _signed_in(second_reviewer)
    queue = client.get("/staff/review/second-opinions/").content.decode()
    assert f'href="/staff/review/second-opinions/{opinion.pk}/"' in queue
    answer = client.get(f"/staff/review/second-opinions/{opinion.pk}/")
    page = answer.content.decode()
    assert answer.status_code == 200
    assert 'id="review-video"' in page and "a quiet harbour at dawn" in page
    assert 'id="approve-button"' in page and 'id="reject-form"' in page
    for leak in (reviewer.email, FIRST_NOTE, "Approved", "approved by"):
        assert leak not in page, leak
    # The item's own page would show the decision: it sends them to the blind page.
    answer = client.get(f"/staff/review/{opinion.item_id}/")
    assert answer.status_code == 302
    assert answer["Location"] == f"/staff/review/second-opinions/{opinion.pk}/"


def test_program_admins_and_the_first_reviewer_still_see_the_item_page(
    opinion, reviewer, program_admin
):
    for user in (reviewer, program_admin):
        assert _signed_in(user).get(f"/staff/review/{opinion.item_id}/").status_code == 200


def test_the_first_reviewer_cannot_take_it(opinion, reviewer):
    client = _signed_in(reviewer)
    queue = client.get("/staff/review/second-opinions/").content.decode()
    assert f"/staff/review/second-opinions/{opinion.pk}/" not in queue
    page = client.get(f"/staff/review/second-opinions/{opinion.pk}/").content.decode()
    assert "a different reviewer must give the second opinion" in page
    assert 'id="approve-button"' not in page
    for action in ("claim", "approve"):
        answer = client.post(f"/staff/review/second-opinions/{opinion.pk}/{action}/")
        assert answer.status_code == 403
        assert "You decided this output first; a different reviewer" in answer.content.decode()
    with pytest.raises(SameReviewer):
        second_opinion_claim(opinion=opinion, reviewer=reviewer)
    opinion.refresh_from_db()
    assert (opinion.status, opinion.claimed_by_id) == (SecondOpinionStatus.PENDING, None)
    assert _actions(opinion) == ["second_opinion.open"]


# Deciding


def test_agreeing_closes_it_in_one_keystroke(opinion, second_reviewer):
    answer = _signed_in(second_reviewer).post(
        f"/staff/review/second-opinions/{opinion.pk}/approve/", {"then": "next"}
    )
    assert answer.status_code == 302
    opinion.refresh_from_db()
    assert opinion.status == SecondOpinionStatus.AGREED
    assert (opinion.second_reviewer, opinion.second_outcome) == (second_reviewer, "approved")
    assert _actions(opinion) == [
        "second_opinion.open",
        "second_opinion.claim",
        "second_opinion.agree",
    ]


def test_a_rejection_needs_a_reason_and_a_note_on_their_fields(opinion, second_reviewer):
    answer = _signed_in(second_reviewer).post(
        f"/staff/review/second-opinions/{opinion.pk}/reject/",
        {"reason_code": "nope", "note": "  ", "then": "next"},
    )
    html = answer.content.decode()
    assert answer.status_code == 400
    assert _invalid(html, "id_reason_code")
    assert "Say why, for the program admin who settles it." in html
    opinion.refresh_from_db()
    assert (opinion.status, opinion.claimed_by_id) == (SecondOpinionStatus.PENDING, None)


def test_a_rejection_is_a_disagreement_the_artist_never_hears_of(opinion, second_reviewer, artist):
    notices = artist.notifications.count()
    answer = _signed_in(second_reviewer).post(
        f"/staff/review/second-opinions/{opinion.pk}/reject/",
        {"reason_code": "real_person", "note": "A famous actor.", "then": "next"},
    )
    assert answer.status_code == 302
    opinion.refresh_from_db()
    assert opinion.status == SecondOpinionStatus.DISAGREED
    assert (opinion.reason_code, opinion.note) == ("real_person", "A famous actor.")
    assert artist.notifications.count() == notices
    assert opinion.item.status == ReviewStatus.APPROVED
    assert _actions(opinion)[-1] == "second_opinion.disagree"


# Settling


def test_only_program_admins_settle(opinion, second_reviewer, reviewer):
    _disagreed(opinion, second_reviewer)
    url = f"/staff/review/second-opinions/{opinion.pk}/settle/"
    for user in (reviewer, second_reviewer):
        client = _signed_in(user)
        assert client.get(url).status_code == 403
        assert client.post(url, {"settlement": "uphold"}).status_code == 403
    opinion.refresh_from_db()
    assert opinion.status == SecondOpinionStatus.DISAGREED


def test_a_program_admin_upholds_the_approval(opinion, second_reviewer, program_admin):
    _disagreed(opinion, second_reviewer)
    client = _signed_in(program_admin)
    queue = client.get("/staff/review/second-opinions/").content.decode()
    assert f'href="/staff/review/second-opinions/{opinion.pk}/settle/"' in queue
    page = client.get(f"/staff/review/second-opinions/{opinion.pk}/settle/").content.decode()
    assert FIRST_NOTE in page and "well-known actor" in page  # both decisions, side by side
    answer = client.post(
        f"/staff/review/second-opinions/{opinion.pk}/settle/",
        {"settlement": "uphold", "note": "Not him: a lookalike."},
    )
    assert answer.status_code == 302
    opinion.refresh_from_db()
    assert opinion.status == SecondOpinionStatus.UPHELD and opinion.settled_by == program_admin
    assert opinion.item.status == ReviewStatus.APPROVED
    event = AuditEvent.objects.get(action="second_opinion.settle", object_id=str(opinion.pk))
    assert event.actor_id == program_admin.pk and event.data["settlement"] == "uphold"
    # Settled once: a second try is refused.
    again = client.post(
        f"/staff/review/second-opinions/{opinion.pk}/settle/", {"settlement": "uphold"}
    )
    assert again.status_code == 409


def test_revoking_takes_the_publication_down_and_tells_the_artist(
    opinion, second_reviewer, program_admin, artist
):
    publication = publication_create(output=opinion.item.output, artist=artist, visibility="link")
    _disagreed(opinion, second_reviewer)
    client = _signed_in(program_admin)
    url = f"/staff/review/second-opinions/{opinion.pk}/settle/"
    refused = client.post(url, {"settlement": "revoke", "reason_code": "real_person", "note": ""})
    assert refused.status_code == 400
    assert "Tell the artist why the approval is withdrawn." in refused.content.decode()
    opinion.refresh_from_db()
    assert opinion.status == SecondOpinionStatus.DISAGREED  # nothing half-written
    answer = client.post(
        url,
        {"settlement": "revoke", "reason_code": "real_person", "note": "It depicts an actor."},
    )
    assert answer.status_code == 302
    opinion.refresh_from_db()
    item = opinion.item
    assert opinion.status == SecondOpinionStatus.OVERTURNED
    assert (item.status, item.reason_code) == (ReviewStatus.REJECTED, "real_person")
    assert Publication.objects.get(pk=publication.pk).status != "active"
    assert "withdrawn" in artist.notifications.latest("pk").message
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"second_opinion.settle", "review.revoke"} <= actions
    # The artist's history says what happened to the first-review approval: they never
    # appealed, so the revocation is not shown as "(Appeal)".
    revoked = ReviewDecision.objects.get(item=item, outcome="revoked")
    assert revoked.stage == "review"
    page = _signed_in(artist).get(f"/generations/{item.output.job_id}/").content.decode()
    assert "Approval revoked (First review)" in page and "(Appeal)" not in page


def test_a_bad_settlement_is_a_field_error(opinion, second_reviewer, program_admin):
    _disagreed(opinion, second_reviewer)
    answer = _signed_in(program_admin).post(
        f"/staff/review/second-opinions/{opinion.pk}/settle/", {"settlement": "maybe"}
    )
    assert answer.status_code == 400 and "Choose uphold or revoke." in answer.content.decode()


# The SLA page


def _second(opinion: SecondOpinion, reviewer: User, outcome: ReviewStatus) -> SecondOpinion:
    """The blind second outcome; a note with every one (needed on some disagreements)."""
    return second_opinion_decide(
        opinion=opinion,
        reviewer=reviewer,
        decision=outcome,
        reason_code="other" if outcome == ReviewStatus.REJECTED else "",
        note="Second look.",
        claim_if_free=True,
    )


def _pair(make_output, artist, first_reviewer, first, second_reviewer, second) -> None:
    made = _approved if first == ReviewStatus.APPROVED else _rejected
    opinion = SecondOpinion.objects.get(item=made(make_output, artist, first_reviewer))
    _second(opinion, second_reviewer, second)


A, R = ReviewStatus.APPROVED, ReviewStatus.REJECTED


@pytest.fixture
def both_categories(cohort, make_output, artist, reviewer, second_reviewer) -> None:
    """rey decides first 5 times: (A,A) x2, (A,R), (R,A), (R,R): pₒ 3/5, pₑ (3·3+2·2)/25
    = 13/25, κ = (15/25 - 13/25) / (12/25) = 1/6. sam decides first twice: (A,A), (R,R):
    κ 1. All 7: (A,A) x3, (A,R), (R,A), (R,R) x2: pₒ 5/7, pₑ 25/49, κ 10/24 = 5/12."""
    _share(cohort, 100)
    for first, second in ((A, A), (A, A), (A, R), (R, A), (R, R)):
        _pair(make_output, artist, reviewer, first, second_reviewer, second)
    for first, second in ((A, A), (R, R)):
        _pair(make_output, artist, second_reviewer, first, reviewer, second)


def test_kappa_per_reviewer_is_over_their_first_decisions(
    both_categories, reviewer, second_reviewer
):
    today = timezone.now().date()
    report = reviewer_agreement(since=today, until=today)
    rey, sam = report.rows
    assert (rey.reviewer, sam.reviewer) == (reviewer, second_reviewer)
    assert (rey.pairs, rey.agreed, rey.given) == (5, 3, 2)
    assert rey.kappa == pytest.approx(1 / 6)
    assert (sam.pairs, sam.agreed, sam.given, sam.kappa) == (2, 2, 5, pytest.approx(1.0))
    assert (report.pairs, report.agreed) == (7, 5)
    assert report.kappa == pytest.approx(5 / 12)


def test_the_sla_page_shows_pairs_agreement_kappa_and_the_overall_row(
    both_categories, reviewer, second_reviewer, program_admin
):
    page = _signed_in(program_admin).get("/staff/review/sla/").content.decode()
    table = re.search(r'<table id="agreement-table">.*?</table>', page, re.S)
    assert table, "no agreement table"
    cells = [
        re.sub(r"\s*(\|\s*)+", "|", re.sub(r"<[^>]+>", "|", row)).strip("|")
        for row in re.findall(r"<tr[^>]*>\s*<t[dh][^>]*>.*?</tr>", table.group(0), re.S)[1:]
    ]
    assert cells == [
        f"{reviewer.email}|5|60 %|0.17|2",
        f"{second_reviewer.email}|2|100 %|1.00|5",
        "All reviewers|7|71 %|0.42|7",
    ]


def test_one_category_throughout_shows_a_dash_and_why(
    cohort, make_output, artist, reviewer, second_reviewer
):
    _share(cohort, 100)
    _pair(make_output, artist, reviewer, A, second_reviewer, A)
    page = _signed_in(reviewer).get("/staff/review/sla/").content.decode()
    table = re.search(r'<table id="agreement-table">.*?</table>', page, re.S)
    assert table
    # rey's kappa and the overall one: one category on both sides; sam decided none first.
    assert table.group(0).count("(every decision the same on both sides)") == 2
    assert table.group(0).count("(no pairs)") == 1
    assert "both sides decided the same way every time" in page


def test_only_approvals_checked_make_kappa_zero_or_undefined_not_a_figure(
    cohort, make_output, artist, reviewer, second_reviewer
):
    """Why rejections are sampled too (decision 0036): with approvals alone, kappa over
    (first, second) is 0 whenever anyone disagreed and undefined otherwise."""
    _share(cohort, 100)
    for second in (A, A, R):
        _pair(make_output, artist, reviewer, A, second_reviewer, second)
    today = timezone.now().date()
    assert reviewer_agreement(since=today, until=today).rows[0].kappa == pytest.approx(0.0)


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("start=2026-13-01&end=2026-01-10", "start", "Enter a valid date."),
        (
            "start=2026-02-10&end=2026-02-01",
            "end",
            "The last day can&#x27;t come before the first.",
        ),
        ("start=2024-01-01&end=2026-01-01", "start", "Choose at most 366 days."),
    ],
)
def test_a_bad_period_is_a_field_error(reviewer, query, field, message):
    # One period for the whole SLA page: its charts and the agreement table alike.
    answer = _signed_in(reviewer).get(f"/staff/review/sla/?{query}")
    html = answer.content.decode()
    assert answer.status_code == 400
    assert _invalid(html, f"p-{field}")
    assert message in html and 'id="agreement-table"' not in html
    assert 'class="chart' not in html


def test_the_period_counts_opinions_given_in_it(
    cohort, make_output, artist, reviewer, second_reviewer
):
    _share(cohort, 100)
    opinion = SecondOpinion.objects.get(item=_approved(make_output, artist, reviewer))
    _second(opinion, second_reviewer, A)
    SecondOpinion.objects.filter(pk=opinion.pk).update(
        decided_at=timezone.now() - timedelta(days=40)
    )
    client = _signed_in(reviewer)
    assert "No second opinions were given" in client.get("/staff/review/sla/").content.decode()
    day = (timezone.now() - timedelta(days=40)).date().isoformat()
    page = client.get(f"/staff/review/sla/?start={day}&end={day}").content.decode()
    table = re.search(r'<table id="agreement-table">.*?</table>', page, re.S)
    assert table and reviewer.email in table.group(0)


# The cohort setting


def test_the_share_is_set_on_the_cohort_page_audited_and_checked(cohort, program_admin):
    from tests.jobs.test_cohort_staff_pages import _good

    client = _signed_in(program_admin)
    answer = client.post(f"/staff/cohorts/{cohort.pk}/", _good(second_opinion_share="101"))
    assert answer.status_code == 400
    assert _invalid(answer.content.decode(), "c-second_opinion_share")
    cohort.refresh_from_db()
    assert cohort.second_opinion_share == 5 and cohort.capacity != 9  # nothing saved
    answer = client.post(f"/staff/cohorts/{cohort.pk}/", _good(second_opinion_share="20"))
    assert answer.status_code == 302
    cohort.refresh_from_db()
    assert cohort.second_opinion_share == 20
    event = AuditEvent.objects.get(action="cohort.second_opinion_share")
    assert event.data == {"from": 5, "to": 20} and event.actor_id == program_admin.pk


# The staff API


def _post(client: Client, path: str, data: dict[str, str] | None = None):
    return client.post(path, data or {}, content_type="application/json")


def test_the_api_is_blind_and_two_person_too(opinion, reviewer, second_reviewer, artist):
    base = f"/api/v1/review/second-opinions/{opinion.pk}/"
    first = _signed_in(reviewer)
    assert first.get("/api/v1/review/second-opinions/").json() == []  # not their own
    refused = _post(first, f"{base}claim/")
    assert refused.status_code == 403 and refused.json()["code"] == "same_reviewer"

    second = _signed_in(second_reviewer)
    listed = second.get("/api/v1/review/second-opinions/").json()
    assert [row["id"] for row in listed] == [opinion.pk]
    shown = second.get(base)
    assert shown.status_code == 200
    body = shown.content.decode()
    for leak in (reviewer.email, FIRST_NOTE, "approved"):
        assert leak not in body, leak
    assert shown.json()["status"] == "pending" and shown.json()["video_url"].startswith("/m/")
    assert _post(second, f"{base}reject/", {"reason_code": "other", "note": "x"}).json()[
        "code"
    ] == ("claim_required")
    assert _post(second, f"{base}claim/").status_code == 200
    missing = _post(second, f"{base}reject/", {"reason_code": "other", "note": " "})
    assert missing.status_code == 400 and "note" in missing.json()["fields"]
    done = _post(second, f"{base}reject/", {"reason_code": "other", "note": "A real logo."})
    assert done.status_code == 200 and done.json()["status"] == "disagreed"
    assert _signed_in(artist).get(base).status_code == 403


# Second opinions on rejections


@pytest.fixture
def on_rejection(cohort, make_output, artist, reviewer) -> SecondOpinion:
    _share(cohort, 100)
    return SecondOpinion.objects.get(item=_rejected(make_output, artist, reviewer))


@pytest.fixture
def third_reviewer(db) -> User:
    user = user_create(email="tia@studio.example", password=PASSWORD, role=Role.REVIEWER)
    give_totp(user)
    return user


def _approve_rejection(opinion: SecondOpinion, reviewer: User) -> SecondOpinion:
    return second_opinion_decide(
        opinion=opinion,
        reviewer=reviewer,
        decision=ReviewStatus.APPROVED,
        note="Generic van, no brand I can see.",
        claim_if_free=True,
    )


def test_approving_a_rejection_is_a_disagreement_and_needs_no_note(
    on_rejection, second_reviewer, artist
):
    # An approval never needs a note: asking only on a disagreement would tell the blind
    # reviewer that the first decision was a rejection.
    notices = artist.notifications.count()
    client = _signed_in(second_reviewer)
    page = client.get(f"/staff/review/second-opinions/{on_rejection.pk}/").content.decode()
    assert "Optional." in page
    url = f"/staff/review/second-opinions/{on_rejection.pk}/approve/"
    answer = client.post(url, {"then": "next"})
    assert answer.status_code == 302
    on_rejection.refresh_from_db()
    assert on_rejection.status == SecondOpinionStatus.DISAGREED
    assert (on_rejection.second_outcome, on_rejection.reason_code, on_rejection.note) == (
        "approved",
        "",
        "",
    )
    assert on_rejection.item.status == ReviewStatus.REJECTED  # stands until settled
    assert artist.notifications.count() == notices
    assert _actions(on_rejection)[-1] == "second_opinion.disagree"


def test_rejecting_a_rejection_agrees(on_rejection, second_reviewer):
    opinion = _second(on_rejection, second_reviewer, R)
    assert (opinion.status, opinion.second_outcome) == (SecondOpinionStatus.AGREED, "rejected")


def test_a_program_admin_overturns_a_rejection_as_an_appeal_approves(
    on_rejection, second_reviewer, program_admin, artist, reviewer
):
    _approve_rejection(on_rejection, second_reviewer)
    client = _signed_in(program_admin)
    url = f"/staff/review/second-opinions/{on_rejection.pk}/settle/"
    page = client.get(url).content.decode()
    assert REJECT_NOTE in page and "Generic van" in page and 'id="overturn-button"' in page
    wrong = client.post(url, {"settlement": "revoke", "reason_code": "other", "note": "x"})
    assert wrong.status_code == 400 and "Choose uphold or approve." in wrong.content.decode()
    answer = client.post(url, {"settlement": "approve", "note": "No brand visible."})
    assert answer.status_code == 302
    on_rejection.refresh_from_db()
    item = on_rejection.item
    assert on_rejection.status == SecondOpinionStatus.OVERTURNED
    assert on_rejection.settled_by == program_admin
    assert (item.status, item.stage, item.decided_by) == (
        ReviewStatus.APPROVED,
        ReviewStage.APPEAL,
        program_admin,
    )
    assert item.rejected_by == reviewer and item.note == "No brand visible."
    last = ReviewDecision.objects.filter(item=item).latest("pk")
    assert (last.outcome, last.stage, last.reviewer) == ("approved", "appeal", program_admin)
    assert "was approved" in artist.notifications.latest("pk").message
    item_actions = list(
        AuditEvent.objects.filter(object_type="moderation.reviewitem", object_id=str(item.pk))
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert item_actions[-2:] == ["review.claim", "review.approve"]
    event = AuditEvent.objects.get(action="second_opinion.settle", object_id=str(on_rejection.pk))
    assert event.data["settlement"] == "approve" and event.data["first_outcome"] == "rejected"
    assert client.post(url, {"settlement": "approve"}).status_code == 409  # once


def test_a_program_admin_upholds_a_rejection(on_rejection, second_reviewer, program_admin):
    _approve_rejection(on_rejection, second_reviewer)
    answer = _signed_in(program_admin).post(
        f"/staff/review/second-opinions/{on_rejection.pk}/settle/", {"settlement": "uphold"}
    )
    assert answer.status_code == 302
    on_rejection.refresh_from_db()
    assert on_rejection.status == SecondOpinionStatus.UPHELD
    item = on_rejection.item
    assert (item.status, item.stage) == (ReviewStatus.REJECTED, ReviewStage.REVIEW)
    assert item.appealable  # the artist may still appeal


def test_an_appeal_approved_first_makes_the_settlement_moot(
    on_rejection, second_reviewer, program_admin, artist, third_reviewer
):
    _approve_rejection(on_rejection, second_reviewer)
    item = review_appeal(item=on_rejection.item, artist=artist, statement="No brand there.")
    review_approve(item=review_claim(item=item, reviewer=third_reviewer), reviewer=third_reviewer)
    client = _signed_in(program_admin)
    url = f"/staff/review/second-opinions/{on_rejection.pk}/settle/"
    assert 'id="settle-moot"' in client.get(url).content.decode()
    answer = client.post(url, {"settlement": "approve"}, follow=True)
    assert "closed as moot" in answer.content.decode()
    on_rejection.refresh_from_db()
    assert on_rejection.status == SecondOpinionStatus.MOOT
    approvals = ReviewDecision.objects.filter(item=item, outcome="approved")
    assert [d.reviewer for d in approvals] == [third_reviewer]  # no second transition
    assert _actions(on_rejection)[-1] == "second_opinion.moot"


def test_overturning_while_the_appeal_is_open_decides_it_and_the_appeal_sees_that(
    on_rejection, second_reviewer, program_admin, artist, third_reviewer
):
    _approve_rejection(on_rejection, second_reviewer)
    item = review_appeal(item=on_rejection.item, artist=artist, statement="No brand there.")
    # An open appeal: the item page is the appeal's, for everyone (not the blind page).
    assert _signed_in(third_reviewer).get(f"/staff/review/{item.pk}/").status_code == 200
    second_opinion_settle(opinion=on_rejection, admin=program_admin, settlement="approve")
    item.refresh_from_db()
    assert (item.status, item.decided_by) == (ReviewStatus.APPROVED, program_admin)
    with pytest.raises(InvalidTransition):
        review_claim(item=item, reviewer=third_reviewer)


def test_an_appeal_rejected_meanwhile_cannot_be_overturned_only_upheld(
    on_rejection, second_reviewer, program_admin, artist, third_reviewer
):
    _approve_rejection(on_rejection, second_reviewer)
    item = review_appeal(item=on_rejection.item, artist=artist, statement="No brand there.")
    review_reject(
        item=review_claim(item=item, reviewer=third_reviewer),
        reviewer=third_reviewer,
        reason_code="third_party_ip",
        note="It is the brand.",
    )
    client = _signed_in(program_admin)
    url = f"/staff/review/second-opinions/{on_rejection.pk}/settle/"
    refused = client.post(url, {"settlement": "approve"})
    assert refused.status_code == 409 and "that decision is final" in refused.content.decode()
    on_rejection.refresh_from_db()
    assert on_rejection.status == SecondOpinionStatus.DISAGREED
    assert client.post(url, {"settlement": "uphold"}).status_code == 302


def test_a_pending_opinion_on_a_rejection_the_appeal_approved_closes_as_moot(
    on_rejection, second_reviewer, artist, third_reviewer
):
    item = review_appeal(item=on_rejection.item, artist=artist, statement="No brand there.")
    review_approve(item=review_claim(item=item, reviewer=third_reviewer), reviewer=third_reviewer)
    opinion = _approve_rejection(on_rejection, second_reviewer)
    assert (opinion.status, opinion.second_outcome) == (SecondOpinionStatus.MOOT, "approved")
    assert _actions(opinion)[-2:] == ["second_opinion.disagree", "second_opinion.moot"]
    # The appeal's reviewer can't also give the second opinion.
    with pytest.raises(SameReviewer):
        second_opinion_claim(opinion=opinion, reviewer=third_reviewer)


def test_the_api_approves_a_rejection_blind(on_rejection, second_reviewer, reviewer):
    base = f"/api/v1/review/second-opinions/{on_rejection.pk}/"
    client = _signed_in(second_reviewer)
    body = client.get(base).content.decode()
    for leak in (reviewer.email, REJECT_NOTE, "rejected"):
        assert leak not in body, leak
    assert _post(client, f"{base}claim/").status_code == 200
    too_long = _post(client, f"{base}approve/", {"note": "x" * 5001})
    assert too_long.status_code == 400 and "note" in too_long.json()["fields"]
    done = _post(client, f"{base}approve/", {"note": "No brand in sight."})
    assert done.status_code == 200
    assert (done.json()["status"], done.json()["second_outcome"]) == ("disagreed", "approved")
