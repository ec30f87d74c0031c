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

from mlflow_lint.analysis.caller_candidates import CallerScope, candidates, candidates_digest_of, subclass_candidates
from mlflow_lint.analysis.definitions import project_definition
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


# (function, parameter name) -> whether every call passes it; on the module as written.
_DEFAULT_NEVER_USED: MemoKey[dict[tuple[ast.AST, str], bool]] = MemoKey("default_never_used")
# Decorators that leave a function called by its callers as written (any other may call it
# itself, with its defaults: a CLI command, a task, a route).
_PLAIN_DECORATORS = frozenset({"staticmethod", "classmethod"})


def default_never_used(module: AnalysedModule, function: FunctionNode, parameter: ast.arg, scope: CallerScope) -> bool:
    """Whether ``parameter``'s default is never what the project's code gets: the function
    is called (in its own module or the project's other production modules), and every
    call that is, or may be, a call of it passes the argument (``ModelMonitor(uri=uri)``
    for ``def __init__(self, uri="http://mlflow:5000")``). Policy: a function no project
    code calls keeps its default (a library's API, an entry point), as does one that is
    decorated (a framework may call it), passed somewhere as a value in its own module,
    or a class's ``__init__`` when the class is subclassed; a call that unpacks
    ``*args``/``**kwargs`` may leave the argument out. A call whose callee cannot be
    resolved but bears the function's name may be a call of it that the analysis does not
    follow: the default stands."""
    base = module.base
    memo = base.memo_table(_DEFAULT_NEVER_USED)
    key = (function, parameter.arg)
    found = memo.get(key)
    if found is None:
        found = memo[key] = _default_never_used(base, function, parameter.arg, scope)
    return found


def _default_never_used(module: AnalysedModule, function: FunctionNode, name: str, scope: CallerScope) -> bool:
    if any(_decorator_name(d) not in _PLAIN_DECORATORS for d in function.decorator_list):
        return False
    owner = module.model.parents.get(function)
    constructor = function.name == "__init__" and isinstance(owner, ast.ClassDef)
    if constructor:
        assert isinstance(owner, ast.ClassDef)
        if _subclassed(module, owner, scope):
            return False
        called = owner.name
    elif isinstance(owner, (ast.Module, ast.ClassDef)):
        called = function.name
        if _passed_as_value(module, function):
            return False
    else:
        return False  # a nested function: what its enclosing function does with it is not followed
    calls = [(module, call) for call in module.model.calls_named(frozenset({called}))]
    if constructor:
        calls += [(module, call) for call in module.model.calls_named(frozenset({"cls"})) if owner in module.model.ancestors(call)]
    for other in _modules_naming(module, called, scope):
        calls += [(other, call) for call in other.model.calls_named(frozenset({called}))]
    home = str(module.path.resolve())
    wanted = (home, _qualified_name(module, owner) if constructor else _qualified_name(module, function))  # type: ignore[arg-type]
    seen = False
    for caller, call in calls:
        target = _constructed_class(caller, call) if constructor else resolve_called_function(caller, call)
        if target is None:
            # Maybe a call of it the analysis cannot follow (an untyped receiver, a module
            # imported at run time): what it passes is judged nowhere, so the default stands.
            return False
        if (str(target[0].path.resolve()), _qualified_name(*target)) != wanted:
            continue  # a call of another function of that name
        seen = True
        method = constructor or (isinstance(call.func, ast.Attribute) and isinstance(owner, ast.ClassDef) and not _is_static(function))
        bound, _opaque = bind_arguments(call, function, method)
        if name not in bound:
            return False  # this call gets the default (or may: it unpacks *args/**kwargs)
    return seen


def _decorator_name(decorator: ast.expr) -> str | None:
    target = decorator.func if isinstance(decorator, ast.Call) else decorator
    return target.id if isinstance(target, ast.Name) else target.attr if isinstance(target, ast.Attribute) else None


def _is_static(function: FunctionNode) -> bool:
    return any(_decorator_name(d) == "staticmethod" for d in function.decorator_list)


def _passed_as_value(module: AnalysedModule, function: FunctionNode) -> bool:
    """Whether the module names a module-level function other than to call it
    (``executor.submit(train, ...)``, ``typer.run(main)``): whoever receives it may call
    it with its defaults."""
    parents = module.model.parents
    for node in module.model.nodes_of(ast.Name):
        if node.id == function.name and isinstance(node.ctx, ast.Load):
            parent = parents.get(node)
            if not (isinstance(parent, ast.Call) and parent.func is node):
                return True
    return False


def _constructed_class(module: AnalysedModule, call: ast.Call) -> tuple[AnalysedModule, ast.ClassDef] | None:
    """The project class ``call`` instantiates (``Monitor(...)``, ``cls(...)`` in one of its
    methods), or None."""
    func = call.func
    if isinstance(func, ast.Name) and func.id == "cls":
        for ancestor in module.model.ancestors(call):
            if isinstance(ancestor, ast.ClassDef):
                return module, ancestor
        return None
    found = project_definition(module, func)
    if found is None or not isinstance(found[1].node, ast.ClassDef):
        return None
    return found[0], found[1].node


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
    return any(os.path.realpath(path) != home for path in subclass_candidates(project, scope, cls.name))


def _modules_naming(module: AnalysedModule, name: str, scope: CallerScope) -> list[AnalysedModule]:
    """The project's other production modules whose text may call ``name``, parsed; the
    search is logged for the result cache as ``callers_elsewhere`` logs its own."""
    project = module.project
    if project is None or project.root is None or module.path.suffix != ".py":
        return []
    if scope.is_test(str(module.path.resolve()), str(project.root)):
        return []
    named_by = candidates(project, scope, name)
    if project.log is not None:
        project.log.callers.add((scope.key, name, candidates_digest_of(named_by)))
    home = str(module.path.resolve())
    found = []
    for path in named_by:
        if os.path.realpath(path) != home:
            other = project.module_at(Path(path))
            if other is not None:
                found.append(other)
    return found


def _qualified_name(module: AnalysedModule, function: FunctionNode | ast.ClassDef) -> str:
    """``Service.promote``: the function's name inside its module (names, not nodes: the
    module a caller resolves to may be another parse of the same file)."""
    names = [function.name]
    for ancestor in module.model.ancestors(function):
        if isinstance(ancestor, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            names.append(ancestor.name)
    return ".".join(reversed(names))
