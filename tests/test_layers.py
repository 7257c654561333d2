"""The layers, pinned (issue 15): read from the source by ``tools/import_graph.py``.

- ``generation/`` imports no Django and no app: the GPU side runs and is benchmarked alone.
- No app imports another app's views, APIs or URL maps (``config/`` composes them).
- Every app imports only apps below it (``LAYERS``), so no import cycle between apps,
  counting imports inside functions, except the short allow-list below; an entry that is
  no longer needed fails too, so the list only shrinks.
- An import of a project module inside a function says why, on its line or in the comment
  block right above it (``# local import: ...``): keeping the GPU extra out of the web
  process, two modules of one app that need each other, an allow-listed upward edge.

The figures: ``.venv/bin/python tools/import_graph.py`` (docs/architecture.md, "Layers").
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))

from import_graph import ImportSite, Project, read_project  # noqa: E402

# Each entry: (importing module, imported module prefix, why the edge points upward).
# docs/architecture.md ("Layers") explains each one in words.
ALLOWED_UPWARD = [
    (
        "jobs.worker",
        "moderation.services",
        "the worker's success transaction puts the output in the review queue in the same "
        "transaction as the output row (decision 0005): no output without its review item",
    ),
    (
        "moderation.services",
        "publishing.services",
        "revoking an approval on appeal ends the output's publications in the same "
        "transaction: nothing stays public once its approval is gone",
    ),
    (
        "containment.switches",
        "jobs.services",
        "a kill switch or a suspension (automatic containment included) stops the jobs it "
        "covers in the same transaction, and only jobs.services changes a job's state",
    ),
]

# The apps from the bottom layer up: each imports only apps before it (docs/architecture.md
# lists them in this order; decision 0029). ``config`` composes them all.
LAYERS = [
    "domain", "generation", "audit", "web",
    "accounts",
    "agreements", "cohorts", "notifications", "announcements", "provenance",
    "api", "containment", "ledger",
    "invitations", "uploads", "screening", "jobs",
    "feedback", "moderation", "publishing",
    "studio", "tracing", "observability", "analytics", "portal",
]  # fmt: skip

VIEW_MODULES = re.compile(r"^[a-z_]+\.(views|apis|urls|[a-z_]+_views)(\.|$)")
DJANGO_FREE = "generation"
LOCAL_IMPORT_REASON = re.compile(r"#\s*local import:\s*\S")


@pytest.fixture(scope="module")
def project() -> Project:
    return read_project()


def _allowed(site: ImportSite) -> bool:
    return any(
        site.importer == importer and site.target.startswith(target)
        for importer, target, _why in ALLOWED_UPWARD
    )


def test_generation_imports_no_django_and_no_app(project: Project) -> None:
    offending = [
        f"{site.where()} imports {site.target}"
        for site in project.sites
        if project.app_of(site.importer) == DJANGO_FREE
        and (
            site.target.split(".")[0] in {"django", "rest_framework", "celery"}
            or project.app_of(site.target) not in {None, DJANGO_FREE}
        )
    ]
    assert offending == []


def test_no_app_imports_another_apps_views_apis_or_urls(project: Project) -> None:
    offending = [
        f"{site.where()}: {site.importer} imports {site.target}"
        for source, target, site in project.app_sites()
        if source != "config" and VIEW_MODULES.match(site.target)
    ]
    assert offending == [], "share a selector, service, form or serializer module instead"


def test_no_import_cycle_between_apps_outside_the_allow_list(project: Project) -> None:
    kept = Project(
        apps=project.apps - {"config"},
        sites=[site for site in project.sites if not _allowed(site)],
    )
    cycles = kept.cycles()
    detail = []
    for group in cycles:
        members = set(group)
        detail += [
            f"{site.where()}: {site.importer} -> {site.target}"
            for source, target, site in kept.app_sites()
            if source in members and target in members
        ]
    assert cycles == [], "apps in a cycle:\n" + "\n".join(sorted(detail))


def test_every_app_imports_only_apps_below_it(project: Project) -> None:
    assert sorted(LAYERS) == sorted(project.apps - {"config"}), "place every app in LAYERS"
    upward = sorted(
        f"{site.where()}: {site.importer} -> {site.target}"
        for source, target, site in project.app_sites()
        if "config" not in (source, target)
        and LAYERS.index(target) > LAYERS.index(source)
        and not _allowed(site)
    )
    assert upward == [], "an import up the layers (LAYERS, docs/architecture.md)"


def test_every_allow_list_entry_is_needed(project: Project) -> None:
    """Each entry closes a cycle that the others leave open: an entry that could go is a
    cycle nobody needs to live with any more."""
    needless = []
    for entry in ALLOWED_UPWARD:
        others = [other for other in ALLOWED_UPWARD if other is not entry]
        kept = Project(
            apps=project.apps - {"config"},
            sites=[
                site
                for site in project.sites
                if not any(
                    site.importer == importer and site.target.startswith(target)
                    for importer, target, _why in others
                )
            ],
        )
        if not kept.cycles():
            needless.append(entry[:2])
    assert needless == []


def test_every_allow_list_entry_still_matches_an_import(project: Project) -> None:
    stale = [
        (importer, target)
        for importer, target, _why in ALLOWED_UPWARD
        if not any(
            site.importer == importer and site.target.startswith(target) for site in project.sites
        )
    ]
    assert stale == [], "drop these entries from ALLOWED_UPWARD (and the docs)"


def test_every_import_inside_a_function_says_why(project: Project) -> None:
    missing = []
    for site in project.function_level():
        if project.app_of(site.importer) == "config" or site.path.name == "apps.py":
            continue  # AppConfig.ready: Django's own start-up order
        lines = site.path.read_text().splitlines()
        said = [lines[site.line - 1]]
        above = site.line - 2  # the comment block right above the import statement
        while above >= 0 and lines[above].lstrip().startswith(("#", "from ", "import ")):
            said.append(lines[above])
            above -= 1
        if not any(LOCAL_IMPORT_REASON.search(line) for line in said):
            missing.append(f"{site.where()} {site.target}")
    assert missing == [], "move these to the top of the module, or say why they can't be"


def test_the_reader_sees_imports_in_functions_and_skips_type_checking() -> None:
    """The graph itself can be wrong: check it against a module we write here."""
    source = (
        "from typing import TYPE_CHECKING\n"
        "from jobs.models import Job\n"
        "if TYPE_CHECKING:\n"
        "    from publishing.models import Publication\n"
        "def f():\n"
        "    from moderation.services import review_item_create\n"
        "    from .selectors import x\n"
    )
    import ast

    from import_graph import _Collector

    collector = _Collector(ROOT / "platform/feedback/example.py", "feedback.example", False)
    collector.visit(ast.parse(source))
    seen = {(site.target, site.in_function) for site in collector.sites}
    assert ("jobs.models.Job", False) in seen
    assert ("moderation.services.review_item_create", True) in seen
    assert ("feedback.selectors.x", True) in seen
    assert not any(target.startswith("publishing") for target, _ in seen)
