"""No portal text left in English, found by comparing the languages (issue 14).

``tests/test_translations.py`` checks the catalogues and lints the templates, but it can't
see a Python string that was never marked (a form's help text set in ``__init__``, a
message built in a view): that one reaches the page in English whatever the language.
Here every page a portal role reaches (the route walk's routes and world,
``tests/security/test_route_walk.py``) and the form states that show help and errors are
rendered in English and in each other language, and any visible text of two words or
more that reads the same in both fails, naming page, role, language and text, unless
``SAME_IN_EVERY_LANGUAGE`` says why it may.

Visible text: the text nodes outside ``<script>``/``<style>``, the attributes a person
reads or hears (``placeholder``, ``title``, ``aria-label``, ``alt``, …), the words
scripts put on the page (``data-label-*``, decision 0025) and the label of an
``<input type=submit>``. Staff-only pages stay English (decision 0025): only the
anonymous visitor, the artist who hasn't signed the NDA and the artist are walked, and
not the Django admin nor the API (``/admin/``, ``/api/``).

Signed out, the language is the browser's (``Accept-Language``); signed in, the account's
stored language wins (``accounts.language.UserLanguageMiddleware``), so it is set on the
account for each language (and sent as ``Accept-Language`` too).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from html.parser import HTMLParser
from typing import Any

import pytest
from django.core import mail
from django.db import transaction
from django.test import Client
from django.utils import translation

from accounts.models import User
from tests.feedback.conftest import BUG
from tests.security import test_route_walk as walk
from tests.security.test_route_walk import BROWSER_ACCEPT, EXPECTED, all_routes, route_url

pytestmark = pytest.mark.django_db

# The route walk's fixtures: one of each object a route names, and its cast of users.
world = walk.world
cast = walk.cast

ROLES = ("anonymous", "unsigned_artist", "artist")  # staff pages stay English (0025)
OTHER_LANGUAGES = ("fr", "id")
NOT_OURS = ("admin/", "api/")  # Django's admin, the API and Swagger UI

# Text that reads the same in English and in another language, and why. Keep it short:
# each entry is a claim that nobody needs it translated.
SAME_IN_EVERY_LANGUAGE: dict[str, str] = {
    "Bahasa Indonesia": "Indonesian's own name, in the language switcher",
    "Authorization: Bearer vrn_…": "the HTTP header to type, on the tokens page",
}
SAME_PATTERNS: dict[str, str] = {
    r"Your video #\d+ was approved\. You can publish it now\.": (
        "the walk's notification, written when the artist had no language yet: a stored "
        "notification is not translated again (decision 0025)"
    ),
}
# What people wrote, shown as written: the fixtures' content (tests/conftest.py, the
# walk's world). Text inside one of these, or holding one, is theirs.
PEOPLE_WROTE = (
    "a quiet harbour at dawn",  # the prompt (make_output)
    "Alice Artist",  # the name the artist signed with
    "Preview NDA v1",  # the agreement's title and binding text, signed in English
    "## Confidentiality Keep **unpublished** outputs private.",
    "Keep unpublished outputs private.",
    *(BUG[field] for field in ("title", "steps", "expected", "actual")),  # a bug report
    "Studio hours",  # the walk's announcement, written by staff in one language
    "Open on Friday.",
)
# Words that are the same in every language: they don't make a phrase.
NAMES = {"Vernissage", "UTC"}

VISIBLE_ATTRIBUTES = {"placeholder", "title", "aria-label", "alt", "aria-description"}
BUTTON_INPUTS = {"submit", "button", "reset"}
HIDDEN = {"script", "style"}
_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")
_PUNCTUATION = "\"'“”‘’«»()[]{}.,;:!?¿¡…·—–-/*#%"


class VisibleText(HTMLParser):
    """The pieces of an HTML page a person reads or hears, whitespace folded."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._hidden = 0

    def _add(self, text: str | None) -> None:
        folded = " ".join((text or "").split())
        if folded:
            self.found.append(folded)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in HIDDEN:
            self._hidden += 1
        values = dict(attrs)
        for name, value in attrs:
            if name in VISIBLE_ATTRIBUTES or name.startswith("data-label-"):
                self._add(value)
        if tag == "input" and (values.get("type") or "").lower() in BUTTON_INPUTS:
            self._add(values.get("value"))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in HIDDEN:  # ``<script/>`` opens nothing
            self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag in HIDDEN and self._hidden:
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self._add(data)


def visible_text(html: str) -> list[str]:
    parser = VisibleText()
    parser.feed(html)
    parser.close()
    return parser.found


def is_phrase(text: str) -> bool:
    """At least two words of letters (not ``SHA-256``, an address, a number, a unit like
    ``s``, or the names in ``NAMES``)."""
    words = [token.strip(_PUNCTUATION) for token in text.split()]
    return sum(1 for w in words if len(w) > 1 and w not in NAMES and _WORD.fullmatch(w)) >= 2


def allowed(text: str) -> bool:
    return (
        text in SAME_IN_EVERY_LANGUAGE
        or any(re.fullmatch(pattern, text) for pattern in SAME_PATTERNS)
        or any(text in wrote or wrote in text for wrote in PEOPLE_WROTE)
    )


def same_as_english(english_html: str, other_html: str) -> list[str]:
    """The phrases ``other_html`` shows exactly as ``english_html`` does, in page order,
    less the allowed ones."""
    english = set(visible_text(english_html))
    found: list[str] = []
    for text in visible_text(other_html):
        if text in english and is_phrase(text) and not allowed(text) and text not in found:
            found.append(text)
    return found


# Asking for pages.

Ask = Callable[[Client], Any]  # the test client's response


def _rolled_back(client: Client, ask: Ask, user: User | None, language: str) -> Any:
    """One request in ``language`` (the account's stored one, for a signed-in ``user``);
    whatever it changed is rolled back, so every page sees the same world."""
    with transaction.atomic():
        if user is not None:
            User.objects.filter(pk=user.pk).update(language=language)
        answer = ask(client)
        transaction.set_rollback(True)
    return answer


def _get(url: str, **extra: Any) -> Ask:
    return lambda client: client.get(url, HTTP_ACCEPT=BROWSER_ACCEPT, **extra)


def _post(url: str, data: dict[str, Any], *, follow: bool = False) -> Ask:
    return lambda client: client.post(url, data, HTTP_ACCEPT=BROWSER_ACCEPT, follow=follow)


def clients(user: User | None) -> dict[str, Client]:
    """One client per language whose browser asks for it, signed in as ``user`` if any."""
    made = {}
    for language in ("en", *OTHER_LANGUAGES):
        client = Client(HTTP_ACCEPT_LANGUAGE=language)
        if user is not None:
            client.force_login(user)
        made[language] = client
    return made


def walked_pages(role: str, world: dict[str, str]) -> Iterator[tuple[str, Ask]]:
    """Each route the walk expects to answer ``role`` with ok, asked with a GET."""
    column = walk.ROLES.index(role)
    for route in all_routes():
        if route.startswith(NOT_OURS) or EXPECTED.get(route, "o" * len(walk.ROLES))[column] != "o":
            continue
        url = route_url(route, world)
        yield url, _get(url)
    if role != "unsigned_artist":  # who hasn't signed is sent to the NDA first
        yield "404 page", _get("/nothing-here/")


SHOWS_ERRORS = r'class="[^"]*errorlist|aria-invalid="true"|role="alert"'


def form_states(role: str, world: dict[str, str]) -> Iterator[tuple[str, Ask, int]]:
    """Pages showing a form's help or its errors: (name, request, expected status)."""
    if role == "anonymous":
        invitation = f"/invitations/{world['invitation_token']}/"

        def signup(client: Client) -> Any:
            client.get(invitation)  # remembers the invitation in the session
            return client.get("/accounts/signup/", HTTP_ACCEPT=BROWSER_ACCEPT)

        def signup_refused(client: Client) -> Any:
            client.get(invitation)
            data = {"email": "someone.else@example.com", "password1": "x", "password2": "y"}
            return client.post("/accounts/signup/", data, HTTP_ACCEPT=BROWSER_ACCEPT)

        yield "sign-up form (invitation link)", signup, 200
        yield "sign-up form with errors", signup_refused, 200
        login = {"login": "nobody@example.com", "password": "not the password"}
        yield "sign-in form with errors", _post("/accounts/login/", login), 200
    if role == "unsigned_artist":
        yield "agreement form with errors", _post("/agreement/", {"full_name": ""}), 400
    if role == "artist":
        yield "create form with errors", _post("/generations/new/", {"prompt": ""}), 400
        bad_filter = "/generations/?status=nonsense&submitted_from=yesterday"
        yield "generations list with a bad filter", _get(bad_filter), 400
        bad_pick = f"/generations/compare/?job=abc&job={world['job']}&job={world['job']}"
        yield "compare page with errors", _get(bad_pick), 400
        bad_box = {"email_on_video_ready": "maybe"}
        yield "notification settings with errors", _post("/account/notifications/", bad_box), 400
        no_credit = _post("/account/credit/", {"public_credit": ""}, follow=True)
        yield "credit page after saving (its message)", no_credit, 200


@pytest.mark.parametrize("role", ROLES)
def test_no_portal_text_stays_english(role: str, world, cast, settings) -> None:
    settings.API_RATE_ACCOUNT_PER_MINUTE = 100_000
    user = None if role == "anonymous" else cast[role]
    by_language = clients(user)
    asked: list[tuple[str, Ask, int]] = [(url, ask, 200) for url, ask in walked_pages(role, world)]
    asked += list(form_states(role, world))
    found: list[str] = []
    pages = 0
    for name, ask, status in asked:
        answers = {
            language: _rolled_back(client, ask, user, language)
            for language, client in by_language.items()
        }
        english = answers["en"]
        if name.startswith("/") and (
            english.status_code != 200 or not english["Content-Type"].startswith("text/html")
        ):
            continue  # a download, a feed, a redirect: not a page
        pages += 1
        for language, answer in answers.items():
            expected = 404 if name == "404 page" else status
            assert answer.status_code == expected, f"{name} ({role}, {language})"
            assert answer["Content-Language"] == language, f"{name} ({role})"
            if "errors" in name or "bad" in name:  # the state asked for is the one shown
                assert re.search(SHOWS_ERRORS, answer.content.decode()), f"{name} ({language})"
        for language in OTHER_LANGUAGES:
            html = answers[language].content.decode()
            found += [
                f"{name} ({role}, {language}): {text!r}"
                for text in same_as_english(english.content.decode(), html)
            ]
    assert pages > 5, f"{role}: only {pages} pages were compared"
    assert not found, "Text left in English:\n" + "\n".join(found)


# Emails to artists and invitees.


@pytest.mark.parametrize("language", OTHER_LANGUAGES)
def test_invitation_and_video_ready_emails_are_translated(
    language: str, artist: User, cohort, make_output, django_capture_on_commit_callbacks
) -> None:
    """The invitation (in the inviter's language) and the video-ready email (in the
    artist's): no line of two words or more reads as in English."""
    from invitations.services import invitation_create
    from notifications.models import Notification
    from notifications.services import notification_preferences_set, video_ready_notify

    notification_preferences_set(
        user=artist, email_on_video_ready=True, email_on_review_decision=False
    )
    job = make_output(artist).job

    def emails(code: str) -> list[str]:
        mail.outbox.clear()
        Notification.objects.filter(job=job).delete()  # once per job: ask again
        User.objects.filter(pk=artist.pk).update(language=code)
        with django_capture_on_commit_callbacks(execute=True):
            with translation.override(code):  # the inviter's language
                invitation_create(inviter=None, email=f"{code}@example.com", cohort=cohort)
            video_ready_notify(job=job)
        assert len(mail.outbox) == 2, [m.subject for m in mail.outbox]
        return [f"{m.subject}\n{m.body}" for m in mail.outbox]

    found = []
    for english, other in zip(emails("en"), emails(language), strict=True):
        english_lines = {" ".join(line.split()) for line in english.splitlines()}
        for line in other.splitlines():
            text = " ".join(line.split())
            if text in english_lines and is_phrase(text) and not allowed(text):
                found.append(text)
    assert not found, f"Email text left in English ({language}): {found}"


# The check itself.


def test_the_comparison_reports_a_planted_english_string() -> None:
    """A template with one string marked and one not, rendered in English and in French
    through the same helpers: the unmarked one is reported, the marked one, markup,
    single words, codes and allowed text are not."""
    from django.template import engines

    template = engines["django"].from_string(
        "{% load i18n %}<h1>{% translate 'Create a video' %}</h1>"
        "<p>The address your invitation was sent to.</p>"
        '<input placeholder="Describe the scene" type="text">'
        '<input type="submit" value="{% translate \'Generate\' %}">'
        '<button aria-label="Close this panel">×</button>'
        "<script>const hint = 'Not shown to anyone';</script>"
        "<p>Vernissage</p><p>SHA-256: 9f86d08</p><p>a quiet harbour at dawn</p>"
    )
    with translation.override("en"):
        english = template.render({})
    with translation.override("fr"):
        french = template.render({})
    assert "Créer une vidéo" in french
    assert same_as_english(english, french) == [
        "The address your invitation was sent to.",
        "Describe the scene",
        "Close this panel",
    ]


def test_visible_text_reads_what_a_person_reads() -> None:
    html = (
        '<title>Page title</title><style>p { color: red }</style><p title="Hint text">A'
        ' <b>bold</b>  word</p><img alt="A picture"><span data-label-copied="Copied it">'
        '</span><input type="submit" value="Send now"><input type="hidden" value="secret key">'
        "<select><option>First choice</option></select><script>var x = 'no no';</script>"
    )
    assert visible_text(html) == [
        "Page title", "Hint text", "A", "bold", "word", "A picture", "Copied it", "Send now",
        "First choice",
    ]  # fmt: skip
    assert [is_phrase(t) for t in ("Send now", "SHA-256", "a@b.c d", "Vernissage", "2 videos")] == [
        True, False, False, False, False,
    ]  # fmt: skip
