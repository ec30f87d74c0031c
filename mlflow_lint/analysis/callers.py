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
(``DependencyLog.callers``, re-checked by ``caller_candidates.candidates_digest``, which
reads text only and so needs no analysis in a warm run): a caller added, removed,
or a file that starts or stops naming the function invalidates the finding; the candidates
parsed are logged by ``module_at`` as every module read is.
"""

from __future__ import annotations

import ast
import os
from pathlib import Path

from mlflow_lint.analysis.caller_candidates import CallerScope, candidates, candidates_digest_of
from mlflow_lint.analysis.effects import resolve_called_function
from mlflow_lint.analysis.module import AnalysedModule

__all__ = ["Caller", "CallerScope", "callers_elsewhere"]

FunctionNode = ast.FunctionDef | ast.AsyncFunctionDef
Caller = tuple[AnalysedModule, ast.Call]


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
    named_by = candidates(project, scope, name)
    if project.log is not None:
        project.log.callers.add((scope.key, name, candidates_digest_of(named_by)))
    wanted = (home, _qualified_name(module, function))
    found: list[Caller] = []
    for path in named_by:
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


def _qualified_name(module: AnalysedModule, function: FunctionNode) -> str:
    """``Service.promote``: the function's name inside its module (names, not nodes: the
    module a caller resolves to may be another parse of the same file)."""
    names = [function.name]
    for ancestor in module.model.ancestors(function):
        if isinstance(ancestor, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            names.append(ancestor.name)
    return ".".join(reversed(names))
