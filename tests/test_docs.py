"""The documentation points at things that exist: every relative link names a file, every
repository path written in backticks (`platform/jobs/worker.py`, `tests/conftest.py`,
`api/errors.py` for an app's file) exists, and docs/configuration.md lists exactly the
environment variables the code reads. Files move (issue 15); this is what catches the
sentence that didn't follow."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = sorted([ROOT / "README.md", *(ROOT / "docs").rglob("*.md"), *(ROOT / "deploy").glob("*.md")])
# Top-level folders a backticked path may start with; app folders (`jobs/…`) are looked up
# under platform/ as well.
ROOT_FOLDERS = {
    "bench", "config", "deploy", "docs", "generation", "locale", "moderation", "platform",
    "static", "templates", "tests", "tools",
}  # fmt: skip
APPS = {path.name for path in (ROOT / "platform").iterdir() if path.is_dir()}
# Backticked text that looks like a path but names something else, and why.
NOT_PATHS: dict[str, str] = {}

_FENCE = re.compile(r"^```.*?^```", re.MULTILINE | re.DOTALL)
_LINK = re.compile(r"\]\(([^)\s]+)\)")
_CODE = re.compile(r"`([^`\n]+)`")
_PATHLIKE = re.compile(r"^[\w.*@-]+(?:/[\w.*@-]*)+$")
_MIGRATION = re.compile(r"^(\w+)/(\d{4})$")  # `agreements/0002`: that app's migration


def _doc_id(path: Path) -> str:
    return str(path.relative_to(ROOT))


def _prose(path: Path) -> str:
    return _FENCE.sub("", path.read_text())


def _exists(candidate: str) -> bool:
    if "*" in candidate:
        return any(ROOT.glob(candidate))
    return (ROOT / candidate).exists()


def _path_exists(text: str, doc: Path) -> bool:
    migration = _MIGRATION.match(text)
    if migration and migration.group(1) in APPS:
        app, number = migration.groups()
        return any((ROOT / "platform" / app / "migrations").glob(f"{number}_*.py"))
    candidates = [text, f"platform/{text}", str((doc.parent / text).relative_to(ROOT))]
    return any(_exists(candidate) for candidate in candidates)


def _repository_paths(doc: Path) -> list[str]:
    """Backticked paths in the prose that start at a folder of this repository."""
    found = []
    for match in _CODE.finditer(_prose(doc)):
        # `tests/production/seed.py:seed_artists`, `platform/jobs/services.py::job_cancel`
        text = match.group(1).split(":")[0].rstrip("/")
        if not _PATHLIKE.match(text) or text in NOT_PATHS:
            continue
        if text.split("/")[0] in ROOT_FOLDERS | APPS:
            found.append(text)
    return found


@pytest.mark.parametrize("doc", DOCS, ids=_doc_id)
def test_relative_links_point_at_files(doc: Path) -> None:
    broken = []
    for match in _LINK.finditer(_prose(doc)):
        target = match.group(1).split("#")[0]
        if not target or re.match(r"^[a-z][a-z0-9+.-]*:", target):  # anchors, https:, mailto:
            continue
        if not (doc.parent / target).exists():
            broken.append(match.group(1))
    assert not broken, f"{_doc_id(doc)} links to missing files: {broken}"


@pytest.mark.parametrize("doc", DOCS, ids=_doc_id)
def test_backticked_repository_paths_exist(doc: Path) -> None:
    missing = sorted({text for text in _repository_paths(doc) if not _path_exists(text, doc)})
    assert not missing, f"{_doc_id(doc)} names paths that don't exist: {missing}"


def test_the_path_check_sees_paths_and_only_paths() -> None:
    """The check above would pass vacuously if it found nothing: it finds the files the
    architecture page names, and leaves hub ids, MIME types and networks alone."""
    architecture = _repository_paths(ROOT / "docs" / "architecture.md")
    assert "tests/conftest.py" in architecture and "tests/test_layers.py" in architecture
    rules = _repository_paths(ROOT / "docs" / "rules.md")
    assert "config/env.py" in rules and "containment/throttles.py" in rules
    readme = _repository_paths(ROOT / "README.md")
    assert "Wan-AI/Wan2.1-T2V-1.3B-Diffusers" not in readme and "10.0.0.0/8" not in readme
    assert not _path_exists("platform/nowhere/gone.py", ROOT / "README.md")


# Environment variables: a string literal that is one whole name, in the code that reads them.
_VARIABLE = re.compile(
    r"""["']((?:VERNISSAGE|DJANGO|DATABASE|REDIS|CELERY)_[A-Z0-9_]*[A-Z0-9])["']"""
)
_READERS = [
    *(ROOT / "config").rglob("*.py"),
    *(ROOT / "platform").rglob("*.py"),
    *(ROOT / "generation").rglob("*.py"),
    *(ROOT / "moderation").rglob("*.py"),
    ROOT / "manage.py",
    ROOT / "deploy" / "gunicorn.conf.py",
]


def _variables_read() -> set[str]:
    names: set[str] = set()
    for path in _READERS:
        if "migrations" not in path.parts:
            names.update(_VARIABLE.findall(path.read_text()))
    return names


def test_every_environment_variable_is_documented_once_in_configuration_md() -> None:
    page = (ROOT / "docs" / "configuration.md").read_text()
    rows = re.findall(r"^\|(.*?)\|", page, re.MULTILINE)
    documented = set(re.findall(r"`([A-Z][A-Z0-9_]+)`", "\n".join(rows)))
    read = _variables_read()
    assert {"VERNISSAGE_DATA_DIR", "DATABASE_URL", "VERNISSAGE_WEB_WORKERS"} <= read
    assert read - documented == set(), "read by the code, missing from docs/configuration.md"
    assert documented - read == set(), "in docs/configuration.md, read by nothing"


# Dotted names in the pages that describe the code as it is now (decision records are
# history and may name what was moved since): each must still resolve.
_CURRENT_PAGES = [
    "docs/architecture.md",
    "docs/rules.md",
    "docs/subsystems.md",
    "docs/configuration.md",
    "docs/api-tokens.md",
]
_DOTTED = re.compile(r"^([a-z_]+)\.([A-Za-z_][\w.]*?)(?:\(\))?$")


def _dotted_names(doc: Path) -> list[str]:
    import sys

    sys.path.insert(0, str(ROOT / "tools"))
    from import_graph import read_project

    apps = read_project().apps
    found = []
    for text in _CODE.findall(_prose(doc)):
        match = _DOTTED.match(text.strip())
        if match and match.group(1) in apps and not text.endswith((".py", ".html", ".md")):
            found.append(text.strip().removesuffix("()"))
    return found


def _resolves(name: str) -> bool:
    import importlib

    from django.apps import apps as django_apps
    from django.contrib.auth.models import Permission

    parts = name.split(".")
    app_label, rest = parts[0], parts[1:]
    if len(rest) == 1:
        try:  # a model label: `notifications.Notification`
            django_apps.get_model(app_label, rest[0])
            return True
        except (LookupError, ValueError):
            pass
        if Permission.objects.filter(content_type__app_label=app_label, codename=rest[0]).exists():
            return True  # a permission: `accounts.run_program`
    for cut in range(len(parts), 0, -1):
        try:
            target: object = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for attribute in parts[cut:]:
            if not hasattr(target, attribute):
                return False
            target = getattr(target, attribute)
        return True
    return False


@pytest.mark.django_db
@pytest.mark.parametrize("page", _CURRENT_PAGES)
def test_dotted_code_names_in_current_pages_resolve(page: str) -> None:
    names = _dotted_names(ROOT / page)
    assert names, "the check would pass vacuously"
    assert [name for name in names if not _resolves(name)] == []


@pytest.mark.django_db
def test_the_dotted_name_check_tells_a_moved_name_from_a_present_one() -> None:
    assert _resolves("jobs.services.job_submit")
    assert _resolves("notifications.Notification") and _resolves("accounts.run_program")
    assert not _resolves("portal.services.notify")  # moved to notifications in issue 15
    assert not _resolves("jobs.services.no_such_function")
