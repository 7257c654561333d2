"""Guard mutation testing: does a test fail when a guard is taken away?

A *guard* is code that refuses, raises, filters or locks (docs/mutation.md). For each
module named in ``tools/guard_mutants.toml`` this finds the guards with ``ast``, makes one
mutant at a time in a private copy of the tree (never in the working tree others test
in), runs the tests mapped to that module and records whether they failed (killed) or
still passed (survived). Plain Python: no dependency beyond pytest, which the suite has.

    python tools/guard_mutants.py --sync                    # refresh the private copy
    python tools/guard_mutants.py --list --module jobs/services.py
    python tools/guard_mutants.py --module jobs/services.py --module publishing/media.py
    python tools/guard_mutants.py --only 'jobs/services.py::job_cancel:drop-filter-arg:status'

Operators (each mutant is one of these, at one place):

- ``if-false``: the test of an ``if`` whose body raises or refuses (returns None, False,
  an empty queryset, a refusal response or a member of a refusal enumeration) becomes
  ``False``: the guard never fires.
- ``drop-clause``: one operand of an ``and``/``or`` in such a test, or in what a
  ``-> bool`` function returns, becomes the neutral ``True``/``False``: that condition
  no longer counts.
- ``cmp-invert``: an ``==``, ``!=``, ``in``, ``is`` (…) that is one operand of such a
  condition is inverted.
- ``cmp-boundary``: an ordering comparison in such a condition moves its boundary
  (``>=`` ↔ ``>``, ``<=`` ↔ ``<``): an off-by-one in a cap, quota or lease.
- ``drop-lock``: ``.select_for_update(…)`` is removed.
- ``drop-filter``: a ``.filter(…)``/``.exclude(…)`` narrowing by one condition is removed.
- ``drop-filter-arg``: one condition of a ``.filter/.exclude/.get(…)`` with several is
  removed (the state comparison of a conditional UPDATE, the owner of a lookup).
- ``drop-q-arg``: one condition of a ``Q(…)`` with several is removed.

Narrowing by identity alone (``pk=``, ``id=``, ``pk__in=``) is not a guard and is left
alone. Before running any mutant of a module the mapped tests run once unmutated (they
must pass) under a line tracer; a mutant on a statement those tests never execute can't
be killed by them and is recorded as ``not-covered`` without a run (``--no-trace`` turns
this off; it is off for modules whose code runs in child processes, e.g. the worker).
"""

from __future__ import annotations

import argparse
import ast
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import tomllib
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
CONFIG = Path(__file__).with_suffix(".toml")
DEFAULT_COPY = Path("/tmp/mutation-copy")  # noqa: S108 (a private copy, replaced by --sync)
# Never copied into the private tree: the virtualenv (the copy runs the main one's
# interpreter), local data and test output, and git's own folder.
COPY_IGNORE = (".venv", "var", "test-artifacts", ".git", ".mypy_cache", ".ruff_cache")
PYTEST_ARGS = ("-x", "-q", "-p", "no:cacheprovider")
TRACE_ENV = "GUARD_MUTANTS_TRACE"  # "<target file>\n<output json>" for the tracer plugin
FAST_ENV = "GUARD_MUTANTS_FAST_HASHER"
# Plugins are not auto-loaded (hypothesis, schemathesis, faker, playwright: seconds per
# run); the two the mapped tests need are named, and this module for the hasher and
# the tracer. tests.servers comes from pyproject's addopts as always.
PLUGINS = ("-p", "pytest_django.plugin", "-p", "pytest_timeout", "-p", "tools.guard_mutants")

IDENTITY_KEYWORDS = frozenset({"pk", "id", "pk__in", "id__in"})
NARROWING_METHODS = frozenset({"filter", "exclude"})
REFUSAL_CALL = re.compile(r"refuse|forbidden|unsatisfiable|denied|not_?found", re.IGNORECASE)
INVERSE: dict[type[ast.cmpop], type[ast.cmpop]] = {
    ast.Eq: ast.NotEq,
    ast.NotEq: ast.Eq,
    ast.In: ast.NotIn,
    ast.NotIn: ast.In,
    ast.Is: ast.IsNot,
    ast.IsNot: ast.Is,
}
BOUNDARY: dict[type[ast.cmpop], type[ast.cmpop]] = {
    ast.Lt: ast.LtE,
    ast.LtE: ast.Lt,
    ast.Gt: ast.GtE,
    ast.GtE: ast.Gt,
}


# --------------------------------------------------------------------------------------
# Finding guards


@dataclass
class Mutant:
    id: str
    module: str  # path relative to the tree root
    line: int
    op: str
    original: str  # the source line(s) as written
    mutated: str  # the same line(s) after the mutation
    start: int = field(repr=False)  # byte span replaced in the file
    end: int = field(repr=False)
    replacement: str = field(repr=False)
    statement: tuple[int, int] = field(repr=False)  # lines of the enclosing statement


def _returns_refusal(statement: ast.stmt) -> bool:
    if not isinstance(statement, ast.Return):
        return False
    value = statement.value
    if value is None:
        return True
    if isinstance(value, ast.Constant) and value.value in (None, False):
        return True
    if isinstance(value, ast.Call):
        func = value.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        return name == "none" or bool(REFUSAL_CALL.search(name))
    if isinstance(value, ast.Attribute) and isinstance(value.value, ast.Name):
        # A member of a refusal enumeration (``return DownloadRefusal.NOT_OWNER``).
        return "refusal" in value.value.id.lower()
    return False


def _is_guard_if(node: ast.If) -> bool:
    """An ``if`` that refuses: its own body raises or returns a refusal."""
    for statement in node.body:
        if isinstance(statement, ast.Raise) or _returns_refusal(statement):
            return True
    return False


def _call_name(node: ast.Call) -> str:
    func = node.func
    if isinstance(func, ast.Attribute):
        return func.attr
    return func.id if isinstance(func, ast.Name) else ""


def _short(node: ast.AST, limit: int = 50) -> str:
    text = " ".join(ast.unparse(node).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


class _Finder(ast.NodeVisitor):
    """Walks a module, remembering the enclosing function and statement."""

    def __init__(self) -> None:
        self.scope: list[str] = []
        self.statement: ast.stmt | None = None
        # (node to replace, replacement text, op, detail, enclosing statement)
        self.sites: list[tuple[ast.AST, str, str, str, ast.stmt, str]] = []
        self._in_bool_function: list[bool] = []

    # scopes ---------------------------------------------------------------------------
    def _visit_function(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        self.scope.append(node.name)
        returns_bool = isinstance(node.returns, ast.Name) and node.returns.id == "bool"
        if isinstance(node.returns, ast.Constant) and node.returns.value == "bool":
            returns_bool = True
        self._in_bool_function.append(returns_bool)
        for child in node.body:
            self.visit(child)
        self._in_bool_function.pop()
        self.scope.pop()

    visit_FunctionDef = _visit_function
    visit_AsyncFunctionDef = _visit_function

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        self.scope.append(node.name)
        for child in node.body:
            self.visit(child)
        self.scope.pop()

    def generic_visit(self, node: ast.AST) -> None:
        if isinstance(node, ast.stmt):
            outer, self.statement = self.statement, node
            super().generic_visit(node)
            self.statement = outer
        else:
            super().generic_visit(node)

    def _add(self, node: ast.AST, replacement: str, op: str, detail: str) -> None:
        assert self.statement is not None
        where = ".".join(self.scope) or "<module>"
        self.sites.append((node, replacement, op, detail, self.statement, where))

    # guards ---------------------------------------------------------------------------
    def visit_If(self, node: ast.If) -> None:
        outer, self.statement = self.statement, node
        if _is_guard_if(node):
            self._add(node.test, "False", "if-false", _short(node.test))
            self._condition(node.test)
        self.visit(node.test)
        self.statement = outer
        for child in (*node.body, *node.orelse):
            self.visit(child)

    def visit_Return(self, node: ast.Return) -> None:
        outer, self.statement = self.statement, node
        value = node.value
        if self._in_bool_function and self._in_bool_function[-1] and value is not None:
            # ``return bool(a and b)`` reads as ``return a and b``.
            if isinstance(value, ast.Call) and _call_name(value) == "bool" and value.args:
                value = value.args[0]
            if isinstance(value, ast.BoolOp | ast.Compare | ast.UnaryOp):
                self._condition(value)
        super().generic_visit(node)
        self.statement = outer

    def _condition(self, test: ast.expr, *, whole: bool = True) -> None:
        if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
            self._condition(test.operand, whole=whole)
        elif isinstance(test, ast.BoolOp):
            neutral = "True" if isinstance(test.op, ast.And) else "False"
            for operand in test.values:
                self._add(operand, neutral, "drop-clause", _short(operand))
                self._condition(operand, whole=False)
        elif isinstance(test, ast.Compare):
            self._compare(test, whole=whole)
        elif isinstance(test, ast.Call) and _call_name(test) == "bool" and test.args:
            self._condition(test.args[0], whole=whole)

    def _compare(self, node: ast.Compare, *, whole: bool) -> None:
        if len(node.ops) != 1:
            # A chained range check (1 <= x <= 365): move each boundary in turn.
            for index, chained in enumerate(node.ops):
                if type(chained) in BOUNDARY:
                    ops = list(node.ops)
                    ops[index] = BOUNDARY[type(chained)]()
                    mutated = ast.Compare(left=node.left, ops=ops, comparators=node.comparators)
                    self._add(node, f"({ast.unparse(mutated)})", "cmp-boundary", _short(node))
            return
        op = type(node.ops[0])
        if op in BOUNDARY:
            mutated = ast.Compare(
                left=node.left, ops=[BOUNDARY[op]()], comparators=node.comparators
            )
            self._add(node, f"({ast.unparse(mutated)})", "cmp-boundary", _short(node))
        elif op in INVERSE and not whole:
            # A whole test inverted only refuses the valid case too: ``if-false`` and the
            # happy-path tests already cover both halves of that.
            mutated = ast.Compare(left=node.left, ops=[INVERSE[op]()], comparators=node.comparators)
            self._add(node, f"({ast.unparse(mutated)})", "cmp-invert", _short(node))

    # locks and narrowing --------------------------------------------------------------
    def visit_Call(self, node: ast.Call) -> None:
        name = _call_name(node)
        func = node.func
        if name == "select_for_update" and isinstance(func, ast.Attribute):
            self._add(node, _Segment(func.value).marker, "drop-lock", "select_for_update")
        elif name in NARROWING_METHODS | {"get"} and isinstance(func, ast.Attribute):
            self._narrowing(node, func, name)
        elif name == "Q":
            keywords = [k for k in node.keywords if k.arg is not None]
            if len(keywords) > 1:
                for keyword in keywords:
                    if keyword.arg in IDENTITY_KEYWORDS:
                        continue
                    mutated = ast.Call(
                        func=node.func,
                        args=node.args,
                        keywords=[k for k in node.keywords if k is not keyword],
                    )
                    self._add(node, f"({ast.unparse(mutated)})", "drop-q-arg", f"Q:{keyword.arg}")
        super().generic_visit(node)

    def _narrowing(self, node: ast.Call, func: ast.Attribute, name: str) -> None:
        # Model.objects.get(pk=…, owner=…): keywords only (dict.get and QueryDict.get take
        # positional arguments and guard nothing).
        if name == "get" and (node.args or len(node.keywords) < 2):
            return
        conditions: list[tuple[ast.expr | ast.keyword, str]] = [
            (arg, _short(arg, 40)) for arg in node.args
        ]
        conditions += [(k, str(k.arg)) for k in node.keywords if k.arg is not None]
        guarding = [
            (c, label)
            for c, label in conditions
            if not (isinstance(c, ast.keyword) and c.arg in IDENTITY_KEYWORDS)
        ]
        if not guarding:
            return
        if len(conditions) == 1 and name in NARROWING_METHODS:
            self._add(node, _Segment(func.value).marker, "drop-filter", f"{name}:{guarding[0][1]}")
            return
        for condition, label in guarding:
            mutated = ast.Call(
                func=node.func,
                args=[a for a in node.args if a is not condition],
                keywords=[k for k in node.keywords if k is not condition],
            )
            self._add(node, f"({ast.unparse(mutated)})", "drop-filter-arg", f"{name}:{label}")


class _Segment:
    """A replacement that is another node's own source text (kept as written)."""

    registry: dict[str, ast.AST] = {}

    def __init__(self, node: ast.AST) -> None:
        self.marker = f"\0segment{id(node)}\0"
        _Segment.registry[self.marker] = node


def _line_offsets(source: bytes) -> list[int]:
    offsets = [0]
    for index, byte in enumerate(source):
        if byte == 0x0A:
            offsets.append(index + 1)
    return offsets


def _span(node: ast.AST, offsets: list[int]) -> tuple[int, int]:
    start = offsets[node.lineno - 1] + node.col_offset  # type: ignore[attr-defined]
    end = offsets[node.end_lineno - 1] + node.end_col_offset  # type: ignore[attr-defined]
    return start, end


def find_mutants(root: Path, module: str) -> list[Mutant]:
    """Every guard mutant of ``module`` (a path relative to ``root``), in file order."""
    source = (root / module).read_bytes()
    tree = ast.parse(source, filename=module)
    finder = _Finder()
    finder.visit(tree)
    offsets = _line_offsets(source)
    lines = source.decode().splitlines()
    mutants: list[Mutant] = []
    seen: dict[str, int] = {}
    for node, replacement, op, detail, statement, where in finder.sites:
        start, end = _span(node, offsets)
        if replacement in _Segment.registry:
            inner = _span(_Segment.registry[replacement], offsets)
            replacement = source[inner[0] : inner[1]].decode()
        mutated_source = source[:start] + replacement.encode() + source[end:]
        try:
            ast.parse(mutated_source)
        except SyntaxError:
            continue
        base = f"{module}::{where}:{op}:{detail}"
        seen[base] = seen.get(base, 0) + 1
        mutant_id = base if seen[base] == 1 else f"{base}#{seen[base]}"
        first, last = node.lineno, node.end_lineno or node.lineno  # type: ignore[attr-defined]
        # What must run for the mutant to matter: a simple statement, or the header of a
        # compound one (an ``if``'s test, a ``for``'s iterable), not its whole body.
        body = getattr(statement, "body", None)
        if body and isinstance(body, list) and body[0].lineno > statement.lineno:
            lines_run = (statement.lineno, body[0].lineno - 1)
        else:
            lines_run = (statement.lineno, statement.end_lineno or statement.lineno)
        original = "\n".join(line.strip() for line in lines[first - 1 : last])
        after = mutated_source.decode().splitlines()
        shift = len(after) - len(lines)
        mutated = "\n".join(line.strip() for line in after[first - 1 : last + shift])
        mutants.append(
            Mutant(
                id=mutant_id,
                module=module,
                line=first,
                op=op,
                original=original,
                mutated=mutated,
                start=start,
                end=end,
                replacement=replacement,
                statement=lines_run,
            )
        )
    # Mutated ids repeat a previous one only if the same site appears twice in the walk.
    unique: dict[str, Mutant] = {}
    for mutant in mutants:
        unique.setdefault(mutant.id, mutant)
    return sorted(unique.values(), key=lambda m: (m.line, m.op, m.id))


def apply(mutant: Mutant, source: bytes) -> bytes:
    return source[: mutant.start] + mutant.replacement.encode() + source[mutant.end :]


# --------------------------------------------------------------------------------------
# The line tracer (loaded into the baseline pytest run with ``-p tools.guard_mutants``)

_traced: set[int] = set()


def _start_tracing(target: str) -> None:
    import threading

    def local(frame: FrameType, event: str, arg: Any) -> Any:
        if event == "line":
            _traced.add(frame.f_lineno)
        return local

    def global_trace(frame: FrameType, event: str, arg: Any) -> Any:
        if frame.f_code.co_filename == target:
            _traced.add(frame.f_lineno)
            return local
        return None

    sys.settrace(global_trace)
    threading.settrace(global_trace)


@pytest.hookimpl(trylast=True)
def pytest_configure(config: Any) -> None:
    if os.environ.get(FAST_ENV):
        # Django's default hasher (PBKDF2, a million rounds) is most of the suite's time
        # on a small machine; no guard here depends on how a password is hashed.
        from django.conf import settings

        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    spec = os.environ.get(TRACE_ENV)
    if spec:
        target, _ = spec.split("\n", 1)
        _start_tracing(os.path.realpath(target))


def pytest_unconfigure(config: Any) -> None:
    spec = os.environ.get(TRACE_ENV)
    if spec:
        sys.settrace(None)
        _, output = spec.split("\n", 1)
        Path(output).write_text(json.dumps(sorted(_traced)))


# --------------------------------------------------------------------------------------
# Running


@dataclass
class Outcome:
    id: str
    module: str
    line: int
    op: str
    original: str
    mutated: str
    outcome: str  # killed | timeout | survived | not-covered | equivalent
    seconds: float
    rc: int | None
    failed: str = ""  # the first failing test, when killed


def load_config() -> dict[str, Any]:
    with CONFIG.open("rb") as handle:
        return tomllib.load(handle)


def module_key(config: dict[str, Any], name: str) -> str:
    """The configured module whose path ends with ``name`` (``jobs/services.py``)."""
    name = name.replace("::", "/").strip("/")
    if not name.endswith(".py"):
        name += ".py"
    matches = [m for m in config["modules"] if m == name or m.endswith("/" + name)]
    if len(matches) != 1:
        known = ", ".join(config["modules"])
        raise SystemExit(f"--module {name!r} matches {matches or 'nothing'}; known: {known}")
    return str(matches[0])


def sync_copy(copy: Path, *, overlay: list[str], worktree: bool) -> None:
    """Make ``copy`` a fresh private tree: the last commit (``git archive HEAD``: others'
    half-done edits in the working tree can't break the baseline), with this tool and
    ``overlay`` (working-tree paths, e.g. a new test file) laid over it; or, with
    ``worktree``, the working tree as it is (``rsync -a --delete --exclude .venv …``)."""
    import io
    import tarfile

    if copy.resolve() == ROOT:
        raise SystemExit("The copy must not be the working tree.")
    if copy.exists():
        shutil.rmtree(copy)
    if worktree:
        ignore = shutil.ignore_patterns(*COPY_IGNORE, "__pycache__")
        shutil.copytree(ROOT, copy, ignore=ignore, symlinks=True)
        return
    archive = subprocess.run(  # noqa: S603 (a fixed git command)
        ["git", "-C", str(ROOT), "archive", "--format=tar", "HEAD"],  # noqa: S607
        check=True,
        capture_output=True,
    ).stdout
    copy.mkdir(parents=True)
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(copy, filter="data")
    for relative in ["tools/guard_mutants.py", "tools/guard_mutants.toml", *overlay]:
        source, target = ROOT / relative, copy / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, target, dirs_exist_ok=True)
        else:
            shutil.copy2(source, target)


def _run_pytest(
    copy: Path,
    tests: list[str],
    *,
    timeout: float,
    deselect: list[str],
    env_extra: dict[str, str] | None = None,
) -> tuple[int | None, str, float]:
    env = dict(
        os.environ,
        PYTHONDONTWRITEBYTECODE="1",
        PYTEST_DISABLE_PLUGIN_AUTOLOAD="1",
        **{FAST_ENV: "1"},
        **(env_extra or {}),
    )
    command = [sys.executable, "-m", "pytest", *PYTEST_ARGS, *PLUGINS, *tests]
    command += [f"--deselect={test}" for test in deselect]
    started = time.monotonic()
    process = subprocess.Popen(  # noqa: S603 (our interpreter, our configured test paths)
        command,
        cwd=copy,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        output, _ = process.communicate(timeout=timeout)
        return process.returncode, output, time.monotonic() - started
    except subprocess.TimeoutExpired:
        # SIGINT first: pytest then stops the PostgreSQL and Redis it started.
        process.send_signal(signal.SIGINT)
        try:
            output, _ = process.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            output, _ = process.communicate()
        return None, output, time.monotonic() - started


def _first_failure(output: str) -> str:
    for line in output.splitlines():
        if line.startswith(("FAILED ", "ERROR ")):
            return line.split(" - ")[0][:160]
    return ""


def _purge_bytecode(path: Path) -> None:
    cache = path.parent / "__pycache__"
    for stale in cache.glob(path.stem + ".*.pyc") if cache.exists() else ():
        stale.unlink()


def _source_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16]


class Results:
    """results.json in the results folder: one record per mutant id, kept between runs."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.path = folder / "results.json"
        folder.mkdir(parents=True, exist_ok=True)
        self.data: dict[str, dict[str, Any]] = (
            json.loads(self.path.read_text()) if self.path.exists() else {}
        )

    def put(self, outcome: Outcome, digest: str) -> None:
        self.data[outcome.id] = {**asdict(outcome), "digest": digest}
        self.path.write_text(json.dumps(self.data, indent=1, sort_keys=True))

    def get(self, mutant_id: str, digest: str) -> dict[str, Any] | None:
        record = self.data.get(mutant_id)
        return record if record and record.get("digest") == digest else None


def run_module(
    *,
    config: dict[str, Any],
    module: str,
    copy: Path,
    results: Results,
    only: set[str],
    trace: bool,
    resume: bool,
    deadline: float,
    tests_override: list[str],
) -> bool:
    """Run every mutant of ``module``; False when the time budget ran out."""
    settings = config["modules"][module]
    tests: list[str] = tests_override or settings["tests"]
    deselect: list[str] = settings.get("deselect", [])
    timeout = float(settings.get("timeout", config.get("timeout", 300)))
    equivalent: dict[str, str] = {e["mutant"]: e["reason"] for e in config.get("equivalent", [])}
    target = copy / module
    original = target.read_bytes()
    if original != (ROOT / module).read_bytes():
        print(f"note: {module} in the copy differs from the working tree (run --sync)")
    digest = _source_digest(target) + ":" + hashlib.sha256(" ".join(tests).encode()).hexdigest()[:8]
    mutants = [
        m
        for m in find_mutants(copy, module)
        if not only or any(m.id == o or m.id.endswith("/" + o) for o in only)
    ]
    todo = [m for m in mutants if not (resume and results.get(m.id, digest))]
    if not todo:
        print(f"{module}: nothing to run ({len(mutants)} mutants already recorded)")
        return True
    print(f"{module}: {len(todo)} mutants; tests: {' '.join(tests)}", flush=True)

    covered: set[int] | None = None
    trace = trace and settings.get("trace", True)
    trace_file = results.folder / (module.replace("/", "__") + ".lines.json")
    env = {TRACE_ENV: f"{target}\n{trace_file}"} if trace else None
    rc, output, seconds = _run_pytest(
        copy, tests, timeout=timeout * 3, deselect=deselect, env_extra=env
    )
    if rc != 0:
        print(output[-3000:])
        print(f"{module}: the unmutated tests do not pass (rc {rc}); skipping this module.")
        return True
    print(f"  baseline passed in {seconds:.0f} s", flush=True)
    if trace:
        covered = set(json.loads(trace_file.read_text()))

    for index, mutant in enumerate(todo, 1):
        if time.monotonic() > deadline:
            print(f"time budget spent: {len(todo) - index + 1} mutants of {module} not run")
            return False
        record = Outcome(
            id=mutant.id,
            module=module,
            line=mutant.line,
            op=mutant.op,
            original=mutant.original,
            mutated=mutant.mutated,
            outcome="",
            seconds=0.0,
            rc=None,
        )
        first, last = mutant.statement
        if mutant.id in equivalent:
            record.outcome = "equivalent"
            record.failed = equivalent[mutant.id]
        elif covered is not None and not covered & set(range(first, last + 1)):
            record.outcome = "not-covered"
        else:
            try:
                target.write_bytes(apply(mutant, original))
                _purge_bytecode(target)
                rc, output, seconds = _run_pytest(copy, tests, timeout=timeout, deselect=deselect)
            finally:
                target.write_bytes(original)
                _purge_bytecode(target)
            record.rc, record.seconds = rc, round(seconds, 1)
            if rc is None:
                record.outcome = "timeout"
            elif rc == 0:
                record.outcome = "survived"
            else:
                record.outcome = "killed"
                record.failed = _first_failure(output) or f"rc {rc}"
        results.put(record, digest)
        print(
            f"  [{index}/{len(todo)}] {record.outcome:<11} {module}:{mutant.line} "
            f"{mutant.op} {mutant.id.split(':', 3)[-1]} ({record.seconds:.0f} s)",
            flush=True,
        )
    return True


def summarise(results: Results, modules: list[str], copy: Path) -> str:
    """The score table and the survivors, as Markdown."""
    rows = [
        "| module | killed | survived | not covered | equivalent | score |",
        "|---|---|---|---|---|---|",
    ]
    survivors: list[str] = []
    for module in modules:
        current = {m.id for m in find_mutants(copy, module)}
        records = [r for i, r in results.data.items() if r["module"] == module and i in current]
        if not records:
            continue
        count: dict[str, int] = {}
        for record in records:
            count[record["outcome"]] = count.get(record["outcome"], 0) + 1
        killed = count.get("killed", 0) + count.get("timeout", 0)
        survived = count.get("survived", 0)
        uncovered = count.get("not-covered", 0)
        equivalent = count.get("equivalent", 0)
        scored = killed + survived + uncovered
        rows.append(
            f"| {module} | {killed} | {survived} | {uncovered} | {equivalent} | {killed}/{scored} |"
        )
        for record in sorted(records, key=lambda r: r["line"]):
            if record["outcome"] in ("survived", "not-covered"):
                mutated = record["mutated"].replace("\n", " ")
                survivors.append(
                    f"{module}:{record['line']}  {record['outcome']}  {record['op']}  "
                    f"`{record['id']}`\n    - {record['original'].replace(chr(10), ' ')}\n"
                    f"    + {mutated}"
                )
    text = "\n".join(rows) + "\n"
    if survivors:
        text += "\nSurvivors (file:line, outcome, operator, id, line before and after):\n\n"
        text += "\n".join(survivors) + "\n"
    return text


def _iter_modules(config: dict[str, Any], names: list[str]) -> Iterator[str]:
    if not names:
        yield from config["modules"]
        return
    for name in names:
        yield module_key(config, name)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--module", action="append", default=[], help="e.g. jobs/services.py")
    parser.add_argument("--list", action="store_true", help="list the mutants, run nothing")
    parser.add_argument("--only", action="append", default=[], help="run only this mutant id")
    parser.add_argument(
        "--tests",
        action="append",
        default=[],
        help="run these tests instead of the module's (e.g. to ask a whole folder about a "
        "survivor)",
    )
    parser.add_argument("--copy", type=Path, default=DEFAULT_COPY, help="the private tree")
    parser.add_argument("--sync", action="store_true", help="copy HEAD (+ --overlay) first")
    parser.add_argument(
        "--overlay", action="append", default=[], help="with --sync: a working-tree path to add"
    )
    parser.add_argument(
        "--worktree", action="store_true", help="with --sync: copy the working tree instead"
    )
    parser.add_argument(
        "--results", type=Path, help="default: <copy>-results, beside the copy (kept by --sync)"
    )
    parser.add_argument("--no-trace", action="store_true", help="run even uncovered mutants")
    parser.add_argument("--resume", action="store_true", help="skip mutants already recorded")
    parser.add_argument(
        "--unrecorded",
        action="store_true",
        help="run only mutants with no record yet (new code since the last run)",
    )
    parser.add_argument(
        "--survivors",
        action="store_true",
        help="run again only the mutants recorded as survived or not covered (after adding "
        "tests: the score before is kept in results-before.json)",
    )
    parser.add_argument("--minutes", type=float, default=75.0, help="stop starting mutants after")
    parser.add_argument("--summary", action="store_true", help="print the table, run nothing")
    parser.add_argument(
        "--merge",
        action="append",
        type=Path,
        default=[],
        help="add the records of another results folder (a second copy run at the same "
        "time, or a rerun of survivors); they replace this folder's records of the same "
        "mutants, in the order given",
    )
    args = parser.parse_args(argv)

    config = load_config()
    if args.sync:
        sync_copy(args.copy, overlay=args.overlay, worktree=args.worktree)
    modules = list(_iter_modules(config, args.module))
    if args.only:
        modules = sorted({module_key(config, o.split("::")[0]) for o in args.only})
    root = args.copy if args.copy.exists() else ROOT
    if args.list:
        for module in modules:
            found = find_mutants(root, module)
            print(f"{module}: {len(found)} mutants")
            for mutant in found:
                print(f"  {module}:{mutant.line}  {mutant.op:<15} {mutant.id}")
                print(f"      - {mutant.original.splitlines()[0]}")
                print(f"      + {mutant.mutated.splitlines()[0] if mutant.mutated else ''}")
        return 0
    if not args.copy.exists():
        raise SystemExit(f"No copy at {args.copy}: run with --sync first.")
    results = Results(args.results or args.copy.with_name(args.copy.name + "-results"))
    for folder in args.merge:
        results.data.update(json.loads((folder / "results.json").read_text()))
        results.path.write_text(json.dumps(results.data, indent=1, sort_keys=True))
    only = set(args.only)
    if args.survivors:
        before = results.folder / "results-before.json"
        if not before.exists():
            before.write_text(results.path.read_text() if results.path.exists() else "{}")
        only |= {
            mutant_id
            for mutant_id, record in results.data.items()
            if record["outcome"] in ("survived", "not-covered") and record["module"] in modules
        }
        if not only:
            raise SystemExit("No survivors recorded for these modules.")
    if args.unrecorded:
        only |= {
            mutant.id
            for module in modules
            for mutant in find_mutants(args.copy, module)
            if mutant.id not in results.data
        }
        if not only:
            raise SystemExit("Every mutant of these modules has a record.")
    if not args.summary:
        deadline = time.monotonic() + args.minutes * 60
        for module in modules:
            if not run_module(
                config=config,
                module=module,
                copy=args.copy,
                results=results,
                only=only,
                trace=not args.no_trace,
                resume=args.resume,
                deadline=deadline,
                tests_override=args.tests,
            ):
                break
    summary = summarise(results, modules, args.copy)
    before = results.folder / "results-before.json"
    if before.exists():
        earlier = Results(results.folder)
        earlier.data = json.loads(before.read_text())
        table = summarise(earlier, modules, args.copy).split("\n\n")[0]
        summary = f"Before the survivors were run again:\n\n{table}\n\nNow:\n\n{summary}"
    (results.folder / "summary.md").write_text(summary)
    print(summary)
    return 0


if __name__ == "__main__":
    sys.exit(main())
