"""Running fixes on files: Python modules and the code cells of Jupyter notebooks.

Per file, until nothing changes: lint, let the first fix that has something to rewrite
rewrite it, check the result (it must parse and must not add findings), re-lint for fresh
positions. A fix whose result fails the check is dropped for that file and reported.
Idempotent by construction: a fixed finding is gone, so a second run has nothing to do.
"""

from __future__ import annotations

import ast
import copy
import difflib
import json
import os
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mlflow_lint.config import Config, ConfigResolver, RuleOptions
from mlflow_lint.findings import Finding
from mlflow_lint.fixes.base import Fix, Parses, Program, run_fix
from mlflow_lint.fixes.mlflow3 import MovedApi, RenamedKeyword
from mlflow_lint.fixes.secrets import SecretFromEnvironment
from mlflow_lint.fixes.stage_aliases import LatestVersionToAlias, StageUriToAlias, TransitionToAlias
from mlflow_lint.fixes.tag_default import TagEnvDefault
from mlflow_lint.paths import file_path
from mlflow_lint.sources.notebook import Cell, python_lines, virtual_source

# Every fix, in the order they are tried.
ALL_FIXES: tuple[type[Fix], ...] = (
    StageUriToAlias,
    TransitionToAlias,
    LatestVersionToAlias,
    TagEnvDefault,
    SecretFromEnvironment,
    RenamedKeyword,
    MovedApi,
)
_MAX_PASSES = 50  # each pass fixes at least one finding; a bound against a fix that loops

Lint = Callable[[bytes], list[Finding]]


@dataclass
class FileFixes:
    """What fixing one file did."""

    shown: str
    original: bytes
    fixed: bytes
    applied: list[Finding] = field(default_factory=list)  # findings fixed (positions of their pass)
    dropped: list[str] = field(default_factory=list)  # fixes refused: why
    more_with_unsafe: int = 0  # a safe-only run: findings --unsafe-fixes would also fix
    fixes_used: set[str] = field(default_factory=set)  # names of the fixes applied
    path: Path | None = None  # the file to write ``fixed`` to (``shown`` is for people)

    @property
    def changed(self) -> bool:
        return self.fixed != self.original

    def diff(self) -> str:
        before = self.original.decode("utf-8", errors="replace").splitlines(keepends=True)
        after = self.fixed.decode("utf-8", errors="replace").splitlines(keepends=True)
        lines = difflib.unified_diff(before, after, f"a/{self.shown}", f"b/{self.shown}")
        return "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in lines)


class _PythonFile:
    """A module: one unit of source (key None)."""

    UNREADABLE = "not fixed: the file is not UTF-8 (fixes rewrite UTF-8 source only)"

    def __init__(self, text: str, bom: bool) -> None:
        self.text, self.bom = text, bom

    @classmethod
    def read(cls, data: bytes) -> _PythonFile | None:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            return None  # another declared encoding: not rewritten
        bom = text.startswith("\ufeff")
        return cls(text[1:] if bom else text, bom)

    def units(self) -> dict[int | None, str]:
        return {None: self.text}

    def program(self, key: int | None) -> Program:
        return Program((self.text,))

    def replace(self, key: int | None, text: str) -> _PythonFile:
        return _PythonFile(text, self.bom)

    def to_bytes(self) -> bytes:
        return (("\ufeff" if self.bom else "") + self.text).encode("utf-8")


class _Notebook:
    """A Jupyter notebook: one unit per code cell (key: the cell's index). Outputs, metadata
    and markdown are carried over untouched; a cell with IPython magics is not rewritten."""

    UNREADABLE = "not fixed: the file is not a notebook that can be read (UTF-8 JSON with a list of cells)"

    def __init__(self, document: dict[str, Any], indent: int | None, newline_at_end: bool) -> None:
        self.document, self.indent, self.newline_at_end = document, indent, newline_at_end

    @classmethod
    def read(cls, data: bytes) -> _Notebook | None:
        try:
            text = data.decode("utf-8")
            document = json.loads(text)
        except (UnicodeDecodeError, ValueError):
            return None
        if not isinstance(document, dict) or not isinstance(document.get("cells"), list):
            return None
        second = text.split("\n", 2)[1] if text.count("\n") >= 2 else ""
        indent = len(second) - len(second.lstrip(" ")) if second.strip() else None
        return cls(document, indent or None, text.endswith("\n"))

    def _code_cells(self) -> list[tuple[int, str, bool]]:
        """(index, source, whole) of every code cell the analysis reads, in run order. As
        there, a list source is read without its items that are not text; ``whole``: none
        were left out (only then can the cell be written back)."""
        cells = []
        for index, cell in enumerate(self.document["cells"]):
            if not isinstance(cell, dict) or cell.get("cell_type") != "code":
                continue
            source = cell.get("source", "")
            if isinstance(source, str):
                cells.append((index, source, True))
            elif isinstance(source, list):
                parts = [part for part in source if isinstance(part, str)]
                cells.append((index, "".join(parts), len(parts) == len(source)))
        return cells

    def units(self) -> dict[int | None, str]:
        units: dict[int | None, str] = {}
        for index, source, whole in self._code_cells():
            lines = tuple(source.splitlines())
            if not whole or virtual_source([Cell(index, lines)]).text != "\n".join(lines) + "\n":
                continue  # magics were neutralised for analysis: positions would not round-trip
            units[index] = source
        return units

    def program(self, key: int | None) -> Program:
        """Every code cell as the analysis reads it (magics neutralised), in run order."""
        assert key is not None  # a notebook's units are its code cells, by index
        cells = self._code_cells()
        texts = tuple(virtual_source([Cell(index, tuple(python_lines(source)))]).text for index, source, _ in cells)
        return Program(texts, [index for index, _, _ in cells].index(key))

    def replace(self, key: int | None, text: str) -> _Notebook:
        document = copy.deepcopy(self.document)
        cell = document["cells"][key]
        cell["source"] = text.splitlines(keepends=True) if isinstance(cell.get("source"), list) else text
        return _Notebook(document, self.indent, self.newline_at_end)

    def to_bytes(self) -> bytes:
        text = json.dumps(self.document, indent=self.indent, ensure_ascii=False)
        return (text + ("\n" if self.newline_at_end else "")).encode("utf-8")


def fix_file(
    shown: str,
    data: bytes,
    kind: str,
    lint: Lint,
    options: RuleOptions,
    *,
    unsafe: bool,
    fixes: Sequence[type[Fix]] = ALL_FIXES,
) -> FileFixes:
    """Fix one file's bytes (nothing is written). ``lint`` lints bytes of this file."""
    reader = _Notebook if kind == "notebook" else _PythonFile
    document = reader.read(data)
    result = FileFixes(shown, data, data)
    if document is None:
        result.dropped.append(reader.UNREADABLE)
        return result
    cache: dict[bytes, list[Finding]] = {}

    def cached(content: bytes) -> list[Finding]:
        if content not in cache:
            cache[content] = lint(content)
        return cache[content]

    allowed = [fix for fix in fixes if unsafe or fix.safety == "safe"]
    parses = Parses()
    document = _fix_loop(document, allowed, cached, options, result, parses)
    result.fixed = document.to_bytes()
    if not unsafe:
        trial = FileFixes(shown, result.fixed, result.fixed)
        _fix_loop(document, list(fixes), cached, options, trial, parses)
        result.more_with_unsafe = len(trial.applied)
    return result


# A file being fixed: its units (the module, or each code cell) and how to write it back.
_Document = _PythonFile | _Notebook


def _fix_loop(
    document: _Document, fixes: list[type[Fix]], lint: Lint, options: RuleOptions, result: FileFixes, parses: Parses
) -> _Document:
    dropped: set[type[Fix]] = set()
    for _ in range(_MAX_PASSES):
        findings = lint(document.to_bytes())
        for fix in fixes:
            if fix in dropped or not any(f.rule == fix.rule for f in findings):
                continue
            candidate, applied = _apply(document, fix, findings, options, parses)
            if not applied:
                continue
            problem = _problem(candidate, findings, lint)
            if problem is not None:
                dropped.add(fix)
                result.dropped.append(f"{fix.rule} fix {fix.__name__} not applied: {problem}")
                continue
            document = candidate
            parses.retain(document.units().values())  # the old texts are never asked for again
            result.applied.extend(applied)
            result.fixes_used.add(fix.__name__)
            break  # positions moved: lint again
        else:
            return document
    return document


def _apply(
    document: _Document, fix: type[Fix], findings: list[Finding], options: RuleOptions, parses: Parses
) -> tuple[_Document, list[Finding]]:
    applied: list[Finding] = []
    for key, text in document.units().items():
        mine = [f for f in findings if f.cell == key and f.rule == fix.rule]
        if not mine:
            continue
        try:
            new_text, done = run_fix(fix, text, mine, options, document.program(key), parses)
        except Exception:  # noqa: BLE001 - a unit libcst cannot parse is left as it is
            continue
        if done:
            document = document.replace(key, new_text)
            applied.extend(done)
    return document, applied


def _problem(document: _Document, before: list[Finding], lint: Lint) -> str | None:
    """Why a fixed document must not be kept (None: it is fine)."""
    for text in document.units().values():
        try:
            ast.parse(text)
        except SyntaxError as error:
            return f"the result is not valid Python ({error.msg}, line {error.lineno})"
    after = lint(document.to_bytes())
    if any(f.rule == "MLF000" for f in after) and not any(f.rule == "MLF000" for f in before):
        return "the result could not be analysed"
    grown = sorted(rule for rule, count in Counter(f.rule for f in after).items() if count > Counter(f.rule for f in before)[rule])
    if grown:
        return f"the result has new findings ({', '.join(grown)})"
    return None


# What an applied fix asks of the user (printed once per fix after a run that applied it).
NOTES: dict[str, str] = {
    "StageUriToAlias": "rewritten models:/<name>@<alias> URIs load only once the alias exists: set it in the registry first",
    "TransitionToAlias": "set_registered_model_alias moves the alias; code that still reads stages will not see the change",
    "LatestVersionToAlias": "get_model_version_by_alias fails until the alias exists: set it in the registry first",
    "TagEnvDefault": "tags now record 'unknown' when the variable is unset",
    "SecretFromEnvironment": "the secrets are now read from the environment: set them at run time, and rotate the exposed values",
}


def fix_paths(
    findings: Sequence[Finding],
    config: Config | ConfigResolver,
    selected: frozenset[str] | Callable[[Config], frozenset[str]],
    *,
    unsafe: bool,
    cwd: Path | None = None,
    fixes: Sequence[type[Fix]] = ALL_FIXES,
    jobs: int | None = 1,
) -> list[FileFixes]:
    """Fix every Python file and notebook with a finding some fix handles; nothing is written.

    Each file is linted with the same rules, options and per-file ignores as ``check`` (its
    own configuration's, when ``config`` resolves one per file). A file that cannot be fixed
    at all is a result with nothing applied and the reason in ``dropped``. Files are fixed
    independently, spread over ``jobs`` worker processes (None: one per CPU) when there are
    enough of them to pay for a pool; results come in the order of the files' names."""
    from mlflow_lint.catalog import load_catalog
    from mlflow_lint.engine import per_file_ignores
    from mlflow_lint.sources import script_kind, source_kind

    cwd = (cwd or Path.cwd()).resolve()
    fixable_rules = {fix.rule for fix in fixes}
    shown_paths = sorted({f.path for f in findings if f.rule in fixable_rules})
    resolver = config if isinstance(config, ConfigResolver) else ConfigResolver(load_catalog(), fixed=config)
    planned: list[FileFixes | _FileTask] = []
    for shown in shown_paths:
        path = file_path(shown, cwd)
        if not os.path.lexists(path):
            planned.append(FileFixes(shown, b"", b"", dropped=["not fixed: the file is not there any more"]))
            continue
        if path.is_symlink():  # fix the file it names, if that is linted: never write through a link
            planned.append(FileFixes(shown, b"", b"", dropped=["not fixed: a symbolic link (fixes are never written through one)"]))
            continue
        kind = source_kind(path) or script_kind(path) or "python"
        if kind not in ("python", "notebook"):
            continue
        file_config = resolver.for_file(path)
        ignored = per_file_ignores(file_config)(path)
        enabled = selected(file_config) if callable(selected) else selected
        rules = frozenset(rule for rule in enabled if not (ignored and rule.startswith(ignored)))
        planned.append(_FileTask(shown, path, kind, file_config.rule_options(), rules))
    tasks = [item for item in planned if isinstance(item, _FileTask)]
    done = iter(_fixed_in_workers(tasks, _Run(unsafe, tuple(fixes), cwd), jobs))
    return [next(done) if isinstance(item, _FileTask) else item for item in planned]


@dataclass(frozen=True)
class _FileTask:
    """One file to fix, with what its configuration decided (picklable: it goes to a worker)."""

    shown: str
    path: Path
    kind: str
    options: RuleOptions
    rules: frozenset[str]


@dataclass(frozen=True)
class _Run:
    """What every file of a run is fixed with."""

    unsafe: bool
    fixes: tuple[type[Fix], ...]
    cwd: Path


# A file's fixes take tens of milliseconds (libcst, a lint per pass): a few files already
# pay for starting the worker processes.
_POOL_FROM = 4


def _fixed_in_workers(tasks: list[_FileTask], run: _Run, jobs: int | None) -> list[FileFixes]:
    from mlflow_lint.engine.tasks import load_analysis
    from mlflow_lint.workers import WorkerPool

    if len(tasks) >= _POOL_FROM:
        load_analysis()  # before the pool forks: the workers inherit it instead of importing it each
    workers = WorkerPool(jobs)
    interrupted = False
    try:
        return list(workers.map(_fix_task, tasks, run, minimum=_POOL_FROM))
    except KeyboardInterrupt:
        interrupted = True
        raise
    finally:
        workers.close(interrupted)


def _fix_task(task: _FileTask, run: _Run) -> FileFixes:
    from mlflow_lint.engine import lint_bytes

    try:
        data = task.path.read_bytes()
    except OSError as error:
        return FileFixes(task.shown, b"", b"", dropped=[f"not fixed: cannot read the file ({error.strerror or error})"])

    def lint(content: bytes) -> list[Finding]:
        return lint_bytes(content, task.shown, task.rules, path=task.path, options=task.options, display_root=str(run.cwd), kind=task.kind)

    result = fix_file(task.shown, data, task.kind, lint, task.options, unsafe=run.unsafe, fixes=run.fixes)
    result.path = task.path
    return result
