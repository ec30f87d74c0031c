"""Callers of a project function in the project's other modules (MLF402's gate may sit in
the caller: ``tracking.promote()`` moves ``champion`` and ``loop.py`` calls it only after a
metric comparison).

The question is rare (a promotion in a function that is not gated where it is written), so
nothing is read until it is asked. Then the project's Python files are listed as the
project facts list them (.gitignore and the configured excludes honoured), each file's
bytes are read once per process, and only the files whose text may call the function (its
name followed by ``(``, or imported under another name) are parsed, through
``ProjectIndex.module_at``. A call counts only when ``resolve_called_function`` says it
calls this very function: a same-named function elsewhere is not a caller.

Test code is no caller: a test that calls ``promote()`` says nothing about how production
code gates it. A function that is itself test code is not searched for (production code
does not call tests).

For the result cache, each search logs the set of files whose text may call the function
(``DependencyLog.callers``, re-checked by ``candidates_digest``): a caller added, removed,
or a file that starts or stops naming the function invalidates the finding; the candidates
parsed are logged by ``module_at`` as every module read is.
"""

from __future__ import annotations

import ast
import hashlib
import json
import os
import re
import weakref
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from mlflow_lint.analysis.effects import resolve_called_function
from mlflow_lint.analysis.module import AnalysedModule
from mlflow_lint.context import file_context
from mlflow_lint.safe_io import within

if TYPE_CHECKING:
    from mlflow_lint.config import RuleOptions
    from mlflow_lint.project import ProjectIndex

FunctionNode = ast.FunctionDef | ast.AsyncFunctionDef
Caller = tuple[AnalysedModule, ast.Call]
_MAX_FILE_BYTES = 2_000_000  # as the project facts and ProjectIndex.module_at read files


@dataclass(frozen=True)
class CallerScope:
    """Which files are searched for callers: the configuration's excludes (relative to its
    directory, ``root``) and test paths. Part of a logged search, as its ``key``."""

    exclude: tuple[str, ...] = ()
    root: str = ""
    test_paths: tuple[str, ...] = ()

    @classmethod
    def of(cls, options: RuleOptions) -> CallerScope:
        return cls(options.exclude, options.root, options.test_paths)

    @property
    def key(self) -> str:
        return json.dumps([list(self.exclude), self.root, list(self.test_paths)], separators=(",", ":"))

    @classmethod
    def from_key(cls, key: str) -> CallerScope:
        exclude, root, test_paths = json.loads(key)
        return cls(tuple(exclude), root, tuple(test_paths))

    def is_test(self, path: str, project_root: str) -> bool:
        """Whether ``path`` (absolute) is test code, as ``FileContext.context`` decides."""
        root = self.root or project_root
        relative = os.path.relpath(path, root) if within(path, root) else path
        return file_context(relative.replace(os.sep, "/"), self.test_paths) == "test"


@dataclass
class _ProjectText:
    """The bytes of the project's non-test Python files in one scope, read once, and the
    files that may call each name asked so far."""

    files: list[tuple[str, bytes]]
    candidates: dict[str, tuple[str, ...]] = field(default_factory=dict)


# Per project index (one per root and process; ``engine.forget_projects`` drops it when
# files may have changed, and these go with it), per scope.
_TEXTS: weakref.WeakKeyDictionary[ProjectIndex, dict[CallerScope, _ProjectText]] = weakref.WeakKeyDictionary()


def callers_elsewhere(module: AnalysedModule, function: FunctionNode, scope: CallerScope) -> list[Caller]:
    """The calls of ``function`` (defined in ``module``) in the project's other modules,
    test code left out, each with its module. Empty when the module belongs to no project,
    is not a Python file (a notebook is imported by nobody) or is test code."""
    project = module.project
    if project is None or project.root is None or module.path.suffix != ".py":
        return []
    home = str(module.path.resolve())
    if scope.is_test(home, str(project.root)):
        return []
    name = function.name
    candidates = _candidates(project, scope, name)
    if project.log is not None:
        project.log.callers.add((scope.key, name, _digest(candidates)))
    wanted = (home, _qualified_name(module, function))
    found: list[Caller] = []
    for path in candidates:
        if os.path.realpath(path) == home:
            continue  # its own module's calls are GateAnalysis._callers
        other = project.module_at(Path(path))
        if other is None:
            continue
        for call in other.model.calls_named(frozenset({name})):
            target = resolve_called_function(other, call)
            if target is not None and (str(target[0].path.resolve()), _qualified_name(*target)) == wanted:
                found.append((other, call))
    return found


def candidates_digest(project: ProjectIndex, scope_key: str, name: str) -> str:
    """The digest a search of ``name``'s callers logs now (the result cache compares it)."""
    return _digest(_candidates(project, CallerScope.from_key(scope_key), name))


def _candidates(project: ProjectIndex, scope: CallerScope, name: str) -> tuple[str, ...]:
    """The project's non-test files whose text may call ``name``: ``name(`` (also
    ``x.name(``), or ``name as`` (imported under another name). Memoised per process."""
    text = _text(project, scope)
    found = text.candidates.get(name)
    if found is None:
        pattern = re.compile(rb"\b" + re.escape(name.encode()) + rb"(?:\s*\(|\s+as\b)")
        found = text.candidates[name] = tuple(path for path, data in text.files if pattern.search(data))
    return found


def _text(project: ProjectIndex, scope: CallerScope) -> _ProjectText:
    texts = _TEXTS.setdefault(project, {})
    text = texts.get(scope)
    if text is None:
        text = texts[scope] = _ProjectText(_read_files(project, scope))
    return text


def _read_files(project: ProjectIndex, scope: CallerScope) -> list[tuple[str, bytes]]:
    root = str(project.root)
    files = []
    for path in project.python_files(scope.exclude, scope.root):
        text = str(path)
        if scope.is_test(text, root):
            continue  # test code calls no production function in a way that gates it
        try:
            if project.boundary is not None and not within(os.path.realpath(text), project.boundary):
                continue  # a link to a file outside the project: not the project's code
            if os.stat(text).st_size > _MAX_FILE_BYTES:
                continue
            with open(text, "rb") as handle:
                files.append((text, handle.read()))
        except OSError:
            continue
    return files


def _digest(candidates: tuple[str, ...]) -> str:
    return hashlib.sha256("\n".join(candidates).encode("utf-8", "surrogateescape")).hexdigest()[:16]


def _qualified_name(module: AnalysedModule, function: FunctionNode) -> str:
    """``Service.promote``: the function's name inside its module (names, not nodes: the
    module a caller resolves to may be another parse of the same file)."""
    names = [function.name]
    for ancestor in module.model.ancestors(function):
        if isinstance(ancestor, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            names.append(ancestor.name)
    return ".".join(reversed(names))
