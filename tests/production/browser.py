"""A cookie-keeping HTTP client that fills in forms the way a browser would (no JavaScript):
it reads each form's fields and defaults from the page, so tests name only what a person
types. Used by the production smoke test over real HTTPS through nginx."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin

import requests


@dataclass
class Form:
    action: str
    method: str
    fields: dict[str, str] = field(default_factory=dict)
    buttons: dict[str, str] = field(default_factory=dict)


class _FormParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self._select: str | None = None
        self._first_option: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.forms.append(Form(action=a.get("action", ""), method=a.get("method", "get")))
            return
        if not self.forms:
            return
        form, name = self.forms[-1], a.get("name", "")
        if tag == "input" and name:
            kind = a.get("type", "text").lower()
            if kind in {"checkbox", "radio"}:
                if "checked" in a:
                    form.fields[name] = a.get("value", "on")
            elif kind == "submit":
                form.buttons[name] = a.get("value", "")
            else:
                form.fields[name] = a.get("value", "")
        elif tag == "button" and name:
            form.buttons[name] = a.get("value", "")
        elif tag == "select" and name:
            self._select, self._first_option = name, None
        elif tag == "option" and self._select:
            value = a.get("value", "")
            if self._first_option is None:
                self._first_option = value
                form.fields.setdefault(self._select, value)
            if "selected" in a:
                form.fields[self._select] = value
        elif tag == "textarea" and name:
            self._textarea = name
            form.fields[name] = ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._textarea and self.forms:
            self.forms[-1].fields[self._textarea] += data


def forms_in(html: str) -> list[Form]:
    parser = _FormParser()
    parser.feed(html)
    return parser.forms


class Browser:
    """One person's cookies, over HTTPS checked against the stack's certificate."""

    def __init__(self, base_url: str, *, certificate: str) -> None:
        self.base_url = base_url
        self.http = requests.Session()
        # Per request: requests prefers REQUESTS_CA_BUNDLE from the environment over a
        # session-wide setting.
        self.certificate = certificate
        self.http.headers["User-Agent"] = "vernissage-smoke/1 (like a browser, no JS)"
        self.page: requests.Response | None = None

    def url(self, path: str) -> str:
        return urljoin(self.base_url, path)

    def get(self, path: str, **kwargs: object) -> requests.Response:
        response = self.http.get(self.url(path), timeout=30, verify=self.certificate, **kwargs)  # type: ignore[arg-type]
        self.page = response
        return response

    def form(self, action_contains: str = "") -> Form:
        assert self.page is not None, "open a page first"
        for candidate in forms_in(self.page.text):
            if action_contains in (candidate.action or self.page.url):
                return candidate
        raise AssertionError(f"no form posting to *{action_contains}* on {self.page.url}")

    def submit(
        self, action_contains: str = "", *, button: str | None = None, **values: str
    ) -> requests.Response:
        """Fill the matching form on the current page and send it, as a browser would:
        same-origin Origin and Referer headers, the form's CSRF token included."""
        assert self.page is not None
        form = self.form(action_contains)
        data = {**form.fields, **values}
        if button is not None:
            data[button] = form.buttons.get(button, "")
        target = urljoin(self.page.url, form.action or self.page.url)
        headers = {"Origin": self.base_url, "Referer": self.page.url}
        if form.method.lower() == "post":
            response = self.http.post(
                target, data=data, headers=headers, timeout=30, verify=self.certificate
            )
        else:
            response = self.http.get(
                target, params=data, headers=headers, timeout=30, verify=self.certificate
            )
        self.page = response
        return response

    def api(self, method: str, path: str, **kwargs: object) -> requests.Response:
        headers = {"Accept": "application/json"}
        if method.upper() not in {"GET", "HEAD"}:
            headers.update(
                {"X-CSRFToken": self.http.cookies.get("csrftoken") or "", "Origin": self.base_url,
                 "Referer": self.base_url + "/"}
            )  # fmt: skip
        return self.http.request(
            method,
            self.url(path),
            headers=headers,
            timeout=30,
            verify=self.certificate,
            **kwargs,  # type: ignore[arg-type]
        )
