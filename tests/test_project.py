"""The project's shape and its quality gates (ruff, mypy, migrations, system checks)."""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_choice, env_int, env_json_records, env_list, env_str

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def test_platform_import_is_the_standard_library_module():
    import platform

    stdlib = Path(sysconfig.get_paths()["stdlib"]).resolve()
    assert Path(platform.__file__).resolve().parent == stdlib
    assert callable(platform.python_version)
    assert not (ROOT / "platform" / "__init__.py").exists()


def test_apps_in_the_platform_folder_import_by_their_own_names():
    import accounts.models
    import agreements.models

    assert Path(accounts.models.__file__).is_relative_to(ROOT / "platform")
    assert Path(agreements.models.__file__).is_relative_to(ROOT / "platform")


def test_every_app_and_source_folder_is_packaged():
    """`pip install .` must carry every app: a folder missing from the include list would
    be left out of the wheel and the installed site would not start."""
    import tomllib

    include = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"][
        "packages"
    ]["find"]["include"]
    packaged = {pattern.rstrip("*") for pattern in include}
    apps = {path.parent.name for path in (ROOT / "platform").glob("*/apps.py")}
    top = {p.parent.name for p in ROOT.glob("*/__init__.py") if p.parent.name not in {"tests"}}
    missing = (apps | top) - packaged
    assert not missing, f"add to [tool.setuptools.packages.find] include: {sorted(missing)}"


def test_web_tier_does_not_import_torch():
    # The web process must start without the gpu extra.
    code = (
        "import sys, django; sys.path.insert(0, 'platform');"
        "import os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'config.settings');"
        "django.setup(); import config.urls;"
        "bad = [m for m in ('torch', 'diffusers', 'transformers') if m in sys.modules];"
        "assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True, env=os.environ.copy())


def _run(*command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)


def test_ruff_lint_is_clean():
    result = _run(str(BIN / "ruff"), "check", ".")
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_format_is_clean():
    result = _run(str(BIN / "ruff"), "format", "--check", ".")
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_is_clean():
    result = _run(str(BIN / "mypy"), ".")
    assert result.returncode == 0, result.stdout + result.stderr


def test_migrations_match_the_models():
    result = _run(sys.executable, "manage.py", "makemigrations", "--check", "--dry-run")
    assert result.returncode == 0, result.stdout + result.stderr


def test_django_system_checks_pass():
    result = _run(sys.executable, "manage.py", "check", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr


class TestEnvironmentParsing:
    def test_unset_values_take_the_default(self):
        assert env_str("X", "d", environ={}) == "d"
        assert env_bool("X", True, environ={}) is True
        assert env_int("X", 7, environ={}) == 7
        assert env_list("X", ["a"], environ={}) == ["a"]

    def test_values_are_parsed(self):
        assert env_bool("X", False, environ={"X": "Yes"}) is True
        assert env_bool("X", True, environ={"X": "off"}) is False
        assert env_int("X", 1, environ={"X": " 42 "}) == 42
        assert env_list("X", [], environ={"X": "a.example, b.example"}) == [
            "a.example",
            "b.example",
        ]

    @pytest.mark.parametrize(
        ("parse", "message"),
        [
            (
                lambda: env_bool("DJANGO_DEBUG", False, environ={"DJANGO_DEBUG": "maybe"}),
                "DJANGO_DEBUG",
            ),
            (lambda: env_int("PORT", 1, environ={"PORT": "eighty"}), "not an integer"),
            (lambda: env_int("PORT", 1, minimum=1, environ={"PORT": "0"}), "below the minimum"),
            (lambda: env_int("N", 1, maximum=9, environ={"N": "10"}), "above the maximum"),
            (lambda: env_list("HOSTS", [], environ={"HOSTS": "a,,b"}), "empty item"),
            (lambda: env_choice("MODE", "a", ["a", "b"], environ={"MODE": "c"}), "not one of"),
        ],
    )
    def test_malformed_values_fail_with_the_variable_named(self, parse, message):
        with pytest.raises(ImproperlyConfigured, match=message):
            parse()

    def test_json_record_files_are_checked(self, tmp_path):
        good = tmp_path / "good.json"
        good.write_text('[{"code": "x", "label": "X"}]')
        assert env_json_records("F", [], keys={"code", "label"}, environ={"F": str(good)}) == [
            {"code": "x", "label": "X"}
        ]
        assert env_json_records("F", [{"d": "1"}], keys={"d"}, environ={}) == [{"d": "1"}]
        cases = {"[1, 2]": "item 1 needs", "{}": "non-empty JSON list", "[": "can't be read"}
        for text, message in cases.items():
            bad = tmp_path / "bad.json"
            bad.write_text(text)
            with pytest.raises(ImproperlyConfigured, match=message):
                env_json_records("F", [], keys={"code"}, environ={"F": str(bad)})
        with pytest.raises(ImproperlyConfigured, match="can't be read"):
            env_json_records("F", [], keys={"code"}, environ={"F": str(tmp_path / "missing.json")})

    def test_bad_setting_stops_start_up(self, tmp_path):
        env = {**os.environ, "DJANGO_DEBUG": "sometimes", "VERNISSAGE_DATA_DIR": str(tmp_path)}
        result = subprocess.run(
            [sys.executable, "manage.py", "check"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode != 0
        assert "DJANGO_DEBUG='sometimes' is not a boolean" in result.stderr

    def test_embedded_default_runs_with_nothing_set(self, tmp_path):
        # No DATABASE_URL, REDIS_URL or secret: SQLite in the data folder, a generated key.
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("DATABASE_URL", "REDIS_URL", "DJANGO_", "VERNISSAGE_"))
        }
        env["VERNISSAGE_DATA_DIR"] = str(tmp_path)
        result = subprocess.run(
            [sys.executable, "manage.py", "migrate", "--noinput"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0, result.stderr
        assert (tmp_path / "db.sqlite3").exists()
        assert len((tmp_path / "secret_key").read_text()) >= 50
        demo = subprocess.run(
            [sys.executable, "manage.py", "demo_setup"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        assert demo.returncode == 0, demo.stderr
        assert (
            "Invitation for artist@vernissage.test: http://127.0.0.1:8000/invitations/"
            in demo.stdout
        )


def test_workers_take_one_job_at_a_time_and_ack_late():
    from config.celery import app
    from jobs.tasks import run_job

    assert app.conf.worker_prefetch_multiplier == 1
    assert app.conf.task_acks_late is True
    assert app.conf.task_reject_on_worker_lost is True
    assert run_job.acks_late is True and run_job.reject_on_worker_lost is True
