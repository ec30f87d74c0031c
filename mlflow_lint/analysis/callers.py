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

from mlflow_lint.analysis.call_frames import is_method_call
from mlflow_lint.analysis.caller_candidates import (
    MENTION_SEARCH,
    SUBCLASS_SEARCH,
    CallerScope,
    candidates,
    candidates_digest_of,
    mention_candidates,
    subclass_candidates,
)
from mlflow_lint.analysis.calls import terminal_name
from mlflow_lint.analysis.definitions import project_class, project_definition
from mlflow_lint.analysis.effects import resolve_called_function
from mlflow_lint.analysis.flow import bind_arguments
from mlflow_lint.analysis.memo import MemoKey
from mlflow_lint.analysis.module import AnalysedModule

__all__ = ["Caller", "CallerScope", "callers_elsewhere", "default_never_used"]

FunctionNode = ast.FunctionDef | ast.AsyncFunctionDef
Caller = tuple[AnalysedModule, ast.Call]


def callers_elsewhere(module: AnalysedModule, function: FunctionNode, scope: CallerScope) -> list[Caller]:
    """The calls of ``function`` (defined in ``module``) in the project's other modules,
    test code left out, each with its module. Empty when the module belongs to no project,
    is not a Python file (a notebook is imported by nobody) or is test code."""
    wanted = (str(module.path.resolve()), _qualified_name(module, function))
    found: list[Caller] = []
    for other in _modules_naming(module, function.name, scope) or []:
        for call in other.model.calls_named(frozenset({function.name})):
            target = resolve_called_function(other, call)
            if target is not None and (str(target[0].path.resolve()), _qualified_name(*target)) == wanted:
                found.append((other, call))
    return found


def _modules_naming(
    module: AnalysedModule, name: str, scope: CallerScope, limit: int | None = None, mentions: bool = False
) -> list[AnalysedModule] | None:
    """The project's other production modules whose text may call ``name`` (``mentions``:
    or names it at all), parsed (its own module's calls are the caller's to read); None
    when more than ``limit`` files name it. Empty when the module belongs to no project,
    is not a Python file (a notebook is imported by nobody) or is test code. The search is
    logged for the result cache."""
    project = module.project
    if project is None or project.root is None or module.path.suffix != ".py":
        return []
    home = str(module.path.resolve())
    if scope.is_test(home, str(project.root)):
        return []
    named_by = mention_candidates(project, scope, name) if mentions else candidates(project, scope, name)
    if project.log is not None:
        project.log.callers.add((scope.key, MENTION_SEARCH + name if mentions else name, candidates_digest_of(named_by)))
    paths = [path for path in named_by if os.path.realpath(path) != home]
    if limit is not None and len(paths) > limit:
        return None
    found = []
    for path in paths:
        other = project.module_at(Path(path))
        if other is not None:
            found.append(other)
    return found


# (function, parameter name) -> whether every call passes it; on the module as written.
_DEFAULT_NEVER_USED: MemoKey[dict[tuple[ast.AST, str], bool]] = MemoKey("default_never_used")
# Decorators that leave a function called by its callers as written (any other may call it
# itself, with its defaults: a CLI command, a task, a route).
_PLAIN_DECORATORS = frozenset({"staticmethod", "classmethod"})
# How many other files naming a function are parsed to find its calls: a function named in
# more (a library's API) keeps its default, which is also what bounds the search's cost.
_MAX_CALLER_FILES = 8


def default_never_used(module: AnalysedModule, function: FunctionNode, parameter: ast.arg, scope: CallerScope) -> bool:
    """Whether ``parameter``'s default is never what the project's code gets: the function
    is called (in its own module or the project's other production modules), and every
    call that is, or may be, a call of it passes the argument (``ModelMonitor(uri=uri)``
    for ``def __init__(self, uri="http://mlflow:5000")``). Policy: a function no project
    code calls keeps its default (a library's API, an entry point), as does one that is
    decorated (a framework may call it), passed somewhere as a value in its own module,
    named in more than ``_MAX_CALLER_FILES`` other files, or a class's ``__init__`` when
    the class is subclassed; a call that unpacks ``*args``/``**kwargs`` may leave the
    argument out. A call whose callee cannot be resolved but bears the function's name may
    be a call of it that the analysis does not follow: the default stands."""
    base = module.base
    memo = base.memo_table(_DEFAULT_NEVER_USED)
    key = (function, parameter.arg)
    found = memo.get(key)
    if found is None:
        found = memo[key] = _default_never_used(base, function, parameter.arg, scope)
    return found


def _default_never_used(module: AnalysedModule, function: FunctionNode, name: str, scope: CallerScope) -> bool:
    if any(terminal_name(d.func if isinstance(d, ast.Call) else d) not in _PLAIN_DECORATORS for d in function.decorator_list):
        return False
    owner = module.model.parents.get(function)
    if function.name == "__init__" and isinstance(owner, ast.ClassDef):
        if _subclassed(module, owner, scope):
            return False
        called, wanted = owner.name, (str(module.path.resolve()), _qualified_name(module, owner))
    elif isinstance(owner, (ast.Module, ast.ClassDef)):
        called, wanted = function.name, (str(module.path.resolve()), _qualified_name(module, function))
        if _passed_on_from(module, function.name, wanted):
            return False
    else:
        return False  # a nested function: what its enclosing function does with it is not followed
    constructor = called != function.name
    own = list(module.model.calls_named(frozenset({called})))
    if constructor:
        own += [call for call in module.model.calls_named(frozenset({"cls"})) if owner in module.model.ancestors(call)]
    # Its own module first: a call there that leaves the argument out spares the project search.
    verdicts = [_passes(module, module, call, function, name, wanted, constructor) for call in own]
    if False in verdicts:
        return False
    # A function's every mention: a module that passes it on as a value (``typer.run(main)``,
    # ``Thread(target=train)``) hands it to code that may call it with its defaults.
    others = _modules_naming(module, called, scope, _MAX_CALLER_FILES, mentions=not constructor)
    if others is None:
        return False
    for other in others:
        if not constructor and _passed_on_from(other, function.name, wanted):
            return False
        for call in other.model.calls_named(frozenset({called})):
            verdict = _passes(module, other, call, function, name, wanted, constructor)
            if verdict is False:
                return False
            verdicts.append(verdict)
    return True in verdicts


def _passes(
    home: AnalysedModule, caller: AnalysedModule, call: ast.Call, function: FunctionNode, name: str, wanted: tuple[str, str], constructor: bool
) -> bool | None:
    """Whether ``call`` (in ``caller``) passes the parameter ``name`` of ``function`` (of
    ``home``): True; False when it leaves it out, may (``*args``/``**kwargs``), or may be a
    call of it that the analysis cannot follow; None when it calls another function."""
    if constructor and isinstance(call.func, ast.Name) and call.func.id == "cls":
        return name in bind_arguments(call, function, True)[0]  # cls(...) in one of its methods
    target: tuple[AnalysedModule, FunctionNode | ast.ClassDef] | None = (
        project_class(caller, call.func) if constructor else resolve_called_function(caller, call)
    )
    if target is None:
        return False  # an untyped receiver, a module imported at run time: judged nowhere
    if (str(target[0].path.resolve()), _qualified_name(*target)) != wanted:
        return None
    return name in bind_arguments(call, function, constructor or is_method_call(function, home, call, caller))[0]


def _passed_on_from(other: AnalysedModule, name: str, wanted: tuple[str, str]) -> bool:
    """Whether ``other`` (its own module included) names the project function ``wanted``
    (path, qualified name) other than to call it: ``executor.submit(train, ...)``,
    ``run(main)`` after ``from app.cli import main``, ``cli.main`` as a value. Whoever
    receives it may call it with its defaults."""
    parents = other.model.parents
    names: list[ast.Name | ast.Attribute] = [*other.model.nodes_of(ast.Name), *other.model.nodes_of(ast.Attribute)]
    for node in names:
        if (node.id if isinstance(node, ast.Name) else node.attr) != name or not isinstance(node.ctx, ast.Load):
            continue
        parent = parents.get(node)
        if isinstance(parent, ast.Call) and parent.func is node:
            continue
        found = project_definition(other, node)
        if found is None or not isinstance(found[1].node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        if (str(found[0].path.resolve()), _qualified_name(found[0], found[1].node)) == wanted:
            return True
    return False


def _subclassed(module: AnalysedModule, cls: ast.ClassDef, scope: CallerScope) -> bool:
    """Whether a class of the module or, by its text, of the project's other production
    code may derive from ``cls`` (a subclass's instances run its ``__init__`` too)."""
    for other in module.model.nodes_of(ast.ClassDef):
        if any(isinstance(base, ast.Name) and base.id == cls.name for base in other.bases):
            return True
    project = module.project
    if project is None or project.root is None or module.path.suffix != ".py":
        return False
    home = str(module.path.resolve())
    found = subclass_candidates(project, scope, cls.name)
    if project.log is not None:  # a subclass added in a file that never calls the class re-judges
        project.log.callers.add((scope.key, SUBCLASS_SEARCH + cls.name, candidates_digest_of(found)))
    return any(os.path.realpath(path) != home for path in found)


def _qualified_name(module: AnalysedModule, function: FunctionNode | ast.ClassDef) -> str:
    """``Service.promote``: the function's name inside its module (names, not nodes: the
    module a caller resolves to may be another parse of the same file)."""
    names = [function.name]
    for ancestor in module.model.ancestors(function):
        if isinstance(ancestor, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            names.append(ancestor.name)
    return ".".join(reversed(names))
