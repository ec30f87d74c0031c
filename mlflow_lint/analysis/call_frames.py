"""The project functions a module's calls reach, and the frames that bind their arguments.

A call of a project function (``setup_tracking(uri)``, ``self.promote(...)``,
``Service().run(...)``, a ``functools.partial`` of one) is followed into the callee with
its parameters bound to the call's arguments (analysis.flow), through up to
``MAX_CALL_LEVELS`` calls. What is looked for in the callee is a :class:`SinkSelector`'s
business: the checks' nodes (checks.through_calls), or the tracking URIs a helper sets
(analysis.uri_flow). This module decides which calls are worth following at all: most
calls start from a builtin, the standard library or a package and are passed over before
anything is resolved, and a callee none of whose parameters reach a sink within the
levels left is never bound.
"""

from __future__ import annotations

import ast
from collections.abc import Hashable, Iterator
from typing import TYPE_CHECKING, Protocol

from mlflow_lint.analysis.annotations import annotated_class
from mlflow_lint.analysis.api import is_mlflow
from mlflow_lint.analysis.definitions import project_class
from mlflow_lint.analysis.effects import resolve_called_function, resolve_initializer
from mlflow_lint.analysis.flow import (
    Frame,
    bind_arguments,
    bound_module,
    dispose,
    literal_keywords,
    parameter_dependent_nodes,
)
from mlflow_lint.analysis.instances import instance_of
from mlflow_lint.analysis.limits import MAX_CALL_LEVELS
from mlflow_lint.analysis.memo import MemoKey, SyntaxKey
from mlflow_lint.analysis.module import AnalysedModule
from mlflow_lint.analysis.semantic import Binding

if TYPE_CHECKING:
    from mlflow_lint.project import ProjectIndex

FunctionNode = ast.FunctionDef | ast.AsyncFunctionDef

# What is memoised on a module (analysis.memo). On the module as written (``base``): the
# calls worth following, each call's effective call and project callee.
_CALLS_WORTH_FOLLOWING: MemoKey[list[ast.Call]] = MemoKey("calls_worth_following")
_EFFECTIVE_CALLS: MemoKey[dict[ast.Call, ast.Call]] = MemoKey("effective_calls")
_CALLED_FUNCTIONS: MemoKey[dict[ast.Call, tuple[AnalysedModule, FunctionNode] | None]] = MemoKey("called_functions")
# On the module asked (a bound copy has its own).
_SINK_DISTANCE: MemoKey[dict[tuple[ast.AST, Hashable], tuple[int, int]]] = MemoKey("sink_distance")  # (distance, budget searched)
_PROJECT_NAMES: MemoKey[dict[str, bool]] = MemoKey("project_names")
_FUNCTIONS_CALLING_PROJECT_CODE: MemoKey[frozenset[ast.AST]] = MemoKey("functions_calling_project_code")
_BINDINGS_BY_NAME: SyntaxKey[dict[str, list[Binding]]] = SyntaxKey("bindings_by_name")


class SinkSelector(Protocol):
    """What a walk through calls looks for in each function it reaches."""

    @property
    def key(self) -> Hashable:
        """Identifies the selector in per-module caches (two equal keys select alike)."""

    def sinks(self, module: AnalysedModule, function: FunctionNode) -> list[ast.AST]:
        """The parameter-dependent nodes of ``function`` (as written) worth analysing
        under a frame."""


def walk_frames(
    caller: AnalysedModule, call: ast.Call, selector: SinkSelector, parent: Frame | None = None
) -> Iterator[tuple[Frame, AnalysedModule]]:
    """Each project function ``call`` leads to, with its parameters bound: the callee
    itself, then (depth first) the project functions it passes parameters to. Each bound
    module is yielded while it is alive and disposed of when the walk leaves it. Calls
    whose callee cannot reach one of ``selector``'s sinks within the levels left, that
    pass nothing known, or that recurse are not followed (unknown stays unknown)."""
    level = 1 if parent is None else parent.level + 1
    effective = effective_call(caller, call)
    target = called_function(caller, effective)
    if target is None:
        return
    module, function = target
    if sink_distance(module, function, selector) > MAX_CALL_LEVELS - level:
        return  # no call of it can lead to a sink: not worth binding
    if not passes_something_known(caller, effective):
        return  # binding it would find nothing the callee does not find on its own
    if parent is not None and any(frame.function is function for frame in parent.chain()):
        return  # recursion: the values it could add are already followed
    # The frame keeps the call as written (where a finding is placed, what a gate guards);
    # its arguments are those of the call it makes (a partial's, then the call's own).
    arguments, opaque = bind_arguments(effective, function, is_method_call(function, module, effective, caller))
    frame = Frame(caller, call, function, arguments, opaque, parent)
    bound = bound_module(module, frame)
    try:
        yield frame, bound
        if frame.level < MAX_CALL_LEVELS:
            for node in parameter_dependent_nodes(module, function):
                if isinstance(node, ast.Call):
                    yield from walk_frames(bound, node, selector, frame)
    finally:
        dispose(bound)


def calls_worth_following(module: AnalysedModule) -> list[ast.Call]:
    """The calls of ``module`` that may call project code with arguments, in source order
    (memoised on the module as written: the checks, the URI flow and the facts all ask)."""
    return module.base.memo(_CALLS_WORTH_FOLLOWING, _calls_worth_following)


def _calls_worth_following(base: AnalysedModule) -> list[ast.Call]:
    return [
        call
        for call in base.model.nodes_of(ast.Call)
        # Most calls stop at the first test, before anything is resolved.
        if root_may_be_project(base, call) and _has_arguments(effective_call(base, call))
    ]


def _has_arguments(call: ast.Call) -> bool:
    return bool(call.args or call.keywords)


def called_name(module: AnalysedModule, call: ast.Call) -> str:
    """How messages name the function ``call`` calls: as written (``setup_tracking``,
    ``self.registry.move``), and for a ``functools.partial`` object the function it wraps
    with the name it is called by (``setup_tracking (as use_local_store)``)."""
    written = _unparsed(call.func)
    effective = effective_call(module, call)
    return written if effective is call else f"{_unparsed(effective.func)} (as {written})"


def _unparsed(expr: ast.expr) -> str:
    try:
        return ast.unparse(expr)
    except Exception:  # noqa: BLE001 - naming is best effort
        return "the function"


FAR = MAX_CALL_LEVELS + 1


def sink_distance(module: AnalysedModule, function: FunctionNode, selector: SinkSelector) -> int:
    """How many calls a parameter of ``function`` needs to reach one of ``selector``'s
    sinks: 0 when the function holds one, 1 when it passes a parameter to a function that
    does, ...; ``FAR`` beyond the levels followed. One number per function and selector,
    whatever level asks."""
    return _distance_within(module, function, selector, MAX_CALL_LEVELS)


def _distance_within(module: AnalysedModule, function: FunctionNode, selector: SinkSelector, budget: int) -> int:
    """The distance when it is at most ``budget`` calls, else ``FAR``: a function of the code
    alone, whatever was asked before (a worker's files come in any order, and a recursion
    ends with the budget instead of with a provisional answer that would stick). Memoised
    as the answer and the budget it was found with: a distance found holds for every larger
    budget, and FAR for every smaller one."""
    cache = module.memo_table(_SINK_DISTANCE)
    key = (function, selector.key)
    known = cache.get(key)
    if known is not None:
        distance, searched = known
        if distance < FAR:
            return distance if distance <= budget else FAR
        if searched >= budget:
            return FAR
    distance = 0 if selector.sinks(module, function) else FAR
    if distance and budget > 0 and function in functions_calling_project_code(module):
        for node in parameter_dependent_nodes(module, function):
            if isinstance(node, ast.Call):
                target = called_function(module, effective_call(module, node))
                if target is not None:
                    found = _distance_within(target[0], target[1], selector, budget - 1)
                    if found < FAR:
                        distance = min(distance, 1 + found)
                        if distance == 1:
                            break
    cache[key] = (distance, budget)
    return distance


_MAX_PARTIAL_LEVELS = 3  # partial(partial(f, a), b): as deep as anyone writes it


def effective_call(module: AnalysedModule, call: ast.Call) -> ast.Call:
    """The call ``call`` makes: itself, or, when it calls a ``functools.partial`` object
    assigned in this module (``release = partial(promote, alias="champion")``), the
    partial's function with the partial's arguments first and the call's after them (a
    keyword the call repeats overrides the partial's, as Python does). Memoised on the
    module as written: what a name denotes does not depend on a frame."""
    base = module.base
    known = base.memo_table(_EFFECTIVE_CALLS)
    found = known.get(call)
    if found is None:
        found = known[call] = _through_partials(base, call)
    return found


def _through_partials(module: AnalysedModule, call: ast.Call) -> ast.Call:
    effective = call
    for _ in range(_MAX_PARTIAL_LEVELS):
        func = effective.func
        if not isinstance(func, ast.Name):
            break
        binding = module.model.lookup(func.id, func)
        if binding is None or binding.kind != "assign" or not isinstance(binding.value, ast.Call):
            break
        partial = binding.value
        if not partial.args or isinstance(partial.args[0], ast.Starred) or module.model.callee(partial) != "functools.partial":
            break
        effective = ast.Call(
            func=partial.args[0],
            args=[*partial.args[1:], *effective.args],
            keywords=[*partial.keywords, *effective.keywords],
        )
        ast.copy_location(effective, call)
    return effective


def called_function(module: AnalysedModule, call: ast.Call) -> tuple[AnalysedModule, FunctionNode] | None:
    """The project function ``call`` calls, a class's ``__init__`` for a call of the class
    (memoised on the module as written: what a name denotes does not depend on a frame)."""
    base = module.base
    known = base.memo_table(_CALLED_FUNCTIONS)
    if call not in known:
        if root_may_be_project(base, call):
            known[call] = resolve_called_function(base, call) or resolve_initializer(base, call)
        else:
            known[call] = None  # a builtin, the standard library, a package, MLflow
    return known[call]


def _may_denote_project_code(module: AnalysedModule, name: str) -> bool:
    """Whether ``name`` may denote the project's own code somewhere in ``module``: one of
    its definitions, a name imported from a project module, ``self`` or ``cls``. Most calls
    start from another name (a builtin, the standard library, a package, MLflow) and are
    passed over without resolving them. Memoised per name."""
    memo = module.memo_table(_PROJECT_NAMES)
    known = memo.get(name)
    if known is None:
        bindings = _bindings_by_name(module).get(name, [])
        # A name bound nowhere may come from ``from helpers import *`` (or a %run include).
        star = not bindings and any(scope.star_imports for scope in module.model.scopes.values())
        memo[name] = False  # a name assigned from itself adds nothing
        known = memo[name] = name in ("self", "cls") or star or any(
            binding.kind in ("def", "class")
            or (  # svc = Service(...): an instance of a project class; or partial(helper, ...)
                binding.kind == "assign"
                and isinstance(binding.value, ast.Call)
                and (root := _root_name(_partial_function(binding.value) or binding.value.func)) is not None
                and _may_denote_project_code(module, root)
            )
            or (  # def run(registry: ModelRegistry): an instance of a project class
                binding.kind == "param"
                and binding.annotation is not None
                and (annotated := annotated_class(binding.annotation)) is not None
                and (root := _root_name(annotated)) is not None
                and _may_denote_project_code(module, root)
            )
            or (
                binding.kind == "import"
                and binding.qualified_name is not None
                and module.project is not None
                and _is_project_import(module.project, module, binding.qualified_name)
            )
            for binding in bindings
        )
    return known


def _partial_function(call: ast.Call) -> ast.expr | None:
    """The function of what looks like ``partial(f, ...)`` / ``functools.partial(f, ...)``
    (by its name only: a cheap first look; ``effective_call`` resolves it)."""
    func = call.func
    named = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None
    return call.args[0] if named == "partial" and call.args and not isinstance(call.args[0], ast.Starred) else None


def _bindings_by_name(module: AnalysedModule) -> dict[str, list[Binding]]:
    return module.syntax_memo(_BINDINGS_BY_NAME, _gather_bindings)


def _gather_bindings(module: AnalysedModule) -> dict[str, list[Binding]]:
    found: dict[str, list[Binding]] = {}
    for scope in module.model.scopes.values():
        for name, bindings in scope.bindings.items():
            found.setdefault(name, []).extend(bindings)
    return found


def _is_project_import(project: ProjectIndex, module: AnalysedModule, qualified_name: str) -> bool:
    """Whether an imported name comes from a project module (``pkg.utils.load`` or the
    module ``pkg.utils`` itself)."""
    if is_mlflow(qualified_name):
        return False
    parent = qualified_name.rpartition(".")[0]
    return project.module_file(module.path, qualified_name) is not None or (
        bool(parent.strip(".")) and project.module_file(module.path, parent) is not None
    )


def functions_calling_project_code(module: AnalysedModule) -> frozenset[ast.AST]:
    """The functions of ``module`` holding a call that may be of the project's code."""
    return module.memo(_FUNCTIONS_CALLING_PROJECT_CODE, _functions_calling_project_code)


def _functions_calling_project_code(module: AnalysedModule) -> frozenset[ast.AST]:
    model = module.model
    holders = {
        model.enclosing_function(call)
        for call in model.nodes_of(ast.Call)
        if root_may_be_project(module, call)
    }
    return frozenset(f for f in holders if f is not None)


def root_may_be_project(module: AnalysedModule, call: ast.Call) -> bool:
    """Whether the name a call starts from (``f`` in ``f(x)``, ``svc`` in ``svc.run(x)``,
    ``Service`` in ``Service().run(x)``) may denote the project's code."""
    root = _root_name(call.func)
    return root is not None and _may_denote_project_code(module, root)


def _root_name(expr: ast.expr) -> str | None:
    while isinstance(expr, (ast.Attribute, ast.Call)):
        expr = expr.value if isinstance(expr, ast.Attribute) else expr.func
    return expr.id if isinstance(expr, ast.Name) else None


def passes_something_known(module: AnalysedModule, call: ast.Call) -> bool:
    """Whether an argument of ``call`` holds something the analysis knows: a constant
    (``None`` too: a tag value), text with a literal part, an MLflow object (a client), or
    an object of a project class (``setup(Settings())``: its fields have values).
    Deciding this first spares resolving the many calls that pass only unknowns."""
    arguments = [a for a in call.args if not isinstance(a, ast.Starred)]
    for keyword in call.keywords:
        unpacked = literal_keywords(keyword.value) if keyword.arg is None else None
        if unpacked is None:
            arguments.append(keyword.value)
        else:
            arguments.extend(value for _, value in unpacked)  # **{"alias": "champion"}
    if any(isinstance(argument, ast.Constant) for argument in arguments):
        return True
    for argument in arguments:
        if any(value.prefix or len(value.parts) > 1 or value.local_path for value in module.values.evaluate(argument)):
            return True
        if module.model.instance_class(argument) is not None:
            return True
        if instance_of(module, argument) is not None:
            return True
    return False


def is_method_call(function: FunctionNode, module: AnalysedModule, call: ast.Call, caller: AnalysedModule) -> bool:
    """Whether ``call`` (in ``caller``) reaches ``function`` (of ``module``) through an
    instance (``self.f(x)``, ``Service().f(x)``, ``Service(x)`` for its ``__init__``), so
    that its first parameter is the instance, not an argument."""
    owner = module.model.parents.get(function)
    if not isinstance(owner, ast.ClassDef):
        return False
    if isinstance(call.func, ast.Name):
        return function.name == "__init__"  # the class called by its name
    if not isinstance(call.func, ast.Attribute):
        return False
    decorators = {d.id if isinstance(d, ast.Name) else getattr(d, "attr", None) for d in function.decorator_list}
    if project_class(caller, call.func.value) is not None:
        # Called on a class (``Base.__init__(self, uri)``, ``Builder.setup(uri)``, the class
        # imported under any name): the instance, if any, is an argument written out; a
        # class method still gets its class.
        return "classmethod" in decorators
    return "staticmethod" not in decorators
