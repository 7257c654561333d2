"""Every API route answers a browser (HTML) as well as a JSON client (issue 14): the
browsable API must never be a 500 where JSON works."""

from __future__ import annotations

import pytest

from tests.faults.conftest import protection_params
from tests.security.test_route_walk import all_routes, ask_raw, cast, route_url, world  # noqa: F401

pytestmark = pytest.mark.django_db

API_ROUTES = [route for route in all_routes() if route.startswith("api/v1/")]
HTML = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


@pytest.mark.parametrize("role", ["anonymous", "artist", "staff", "superuser"])
def test_every_api_route_answers_html_and_json(role, world, cast):  # noqa: F811
    broken = {}
    for route in API_ROUTES:
        url = route_url(route, world)
        html = ask_raw(role, cast, url, accept=HTML)
        data = ask_raw(role, cast, url, accept="application/json")
        if html.status_code >= 500 or data.status_code >= 500:
            broken[route] = (html.status_code, data.status_code)
            continue
        # The same decision either way; only the rendering differs.
        if html.status_code != data.status_code:
            broken[route] = (html.status_code, data.status_code)
        elif html.status_code == 200:
            assert html["Content-Type"].startswith("text/html"), route
            assert data["Content-Type"].startswith("application/json"), route
    assert not broken, broken


@pytest.mark.parametrize(
    "protection", protection_params(reason="list pages in a browser were 500s")
)
def test_list_pages_render_in_a_browser(protection, world, cast, monkeypatch):  # noqa: F811
    """The protection: ``api.renderers.BrowsableApiRenderer.get_filter_form``."""
    if protection == "off":
        from rest_framework.renderers import BrowsableAPIRenderer

        monkeypatch.setattr(
            "api.renderers.BrowsableApiRenderer.get_filter_form",
            BrowsableAPIRenderer.get_filter_form,
        )
    for route in ("api/v1/gallery/", "api/v1/feedback/", "api/v1/ledger/"):
        page = ask_raw("artist", cast, route_url(route, world), accept=HTML)
        assert page.status_code == 200, route
