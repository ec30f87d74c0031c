"""Tracking and registry URIs a module sets through project functions.

``init_mlflow("http://mlflow-staging:5000")`` hard-codes a tracking URI as surely as
``mlflow.set_tracking_uri("http://mlflow-staging:5000")`` when ``init_mlflow`` passes its
parameter on to the setter: the value is written at the call, so that is where it counts
(MLF102's comparison, the project facts) and where it is reported. The callee is analysed
with its parameters bound to the call's arguments (analysis.call_frames), through up to
``MAX_CALL_LEVELS`` calls.

The same policy as for a setter called directly: only a complete value counts, and a value
chosen by an explicit switch (the branches of an ``if`` that each set the URI, in the
helper or around the calls) is one configuration, not several hard-coded URIs.
"""

from __future__ import annotations

import ast
from collections.abc import Hashable
from dataclasses import dataclass

from mlflow_lint.analysis.call_frames import called_function, called_name, calls_worth_following, effective_call, sink_distance, walk_frames
from mlflow_lint.analysis.flow import Frame, parameter_dependent_nodes
from mlflow_lint.analysis.limits import MAX_CALL_LEVELS
from mlflow_lint.analysis.memo import MemoKey
from mlflow_lint.analysis.mlflow_calls import SINK_CALL_NAMES, uri_sinks
from mlflow_lint.analysis.module import AnalysedModule
from mlflow_lint.analysis.values import StrValue

FunctionNode = ast.FunctionDef | ast.AsyncFunctionDef

# What is memoised on a module (analysis.memo).
_URIS_THROUGH_CALLS: MemoKey[list[UriThroughCall]] = MemoKey("uris_through_calls")
_URI_SETTING_FUNCTIONS: MemoKey[list[str]] = MemoKey("uri_setting_functions")
_FUNCTIONS_SETTING_URIS: MemoKey[frozenset[FunctionNode]] = MemoKey("functions_setting_uris")
_URI_SETTERS: MemoKey[list[ast.AST]] = MemoKey("uri_setters")
_SWITCHED_SETTERS: MemoKey[set[ast.AST]] = MemoKey("switched_setters")
_URI_SETTER_SINKS: MemoKey[dict[ast.AST, list[ast.AST]]] = MemoKey("uri_setter_sinks")  # per function


@dataclass(frozen=True)
class UriThroughCall:
    """A URI a call of a project function sets: ``value`` reaches the ``role`` URI setter
    inside ``function``; ``node`` is where the call writes it (the one argument it owes
    to, else the call)."""

    node: ast.expr
    call: ast.Call
    role: str  # "tracking" or "registry"
    value: StrValue
    function: str  # the called function, as written at the call


class _UriSetters:
    """The URI setters (``set_tracking_uri``, ``MlflowClient(tracking_uri=...)``,
    ``os.environ["MLFLOW_TRACKING_URI"] = ...``) a function's parameters may feed."""

    @property
    def key(self) -> Hashable:
        return "uri-setters"

    def sinks(self, module: AnalysedModule, function: FunctionNode) -> list[ast.AST]:
        cache = module.memo_table(_URI_SETTER_SINKS)
        found = cache.get(function)
        if found is None:
            setters = set(_setters(module)) if function in _functions_setting_uris(module) else set()
            found = cache[function] = [node for node in parameter_dependent_nodes(module, function) if node in setters] if setters else []
        return found


URI_SETTERS = _UriSetters()


def uris_through_calls(module: AnalysedModule) -> list[UriThroughCall]:
    """Every complete URI ``module``'s calls of project functions set, in source order
    (the switch policy around the calls is the caller's: see project_facts). Computed once
    per module (MLF102, MLF401 and the project facts ask)."""
    return module.memo(_URIS_THROUGH_CALLS, _uris_through_calls)


def _uris_through_calls(module: AnalysedModule) -> list[UriThroughCall]:
    found: list[UriThroughCall] = []
    for call in calls_worth_following(module):
        for frame, bound in walk_frames(module, call, URI_SETTERS):
            found.extend(_set_under(frame, bound))
    return found


def _set_under(frame: Frame, bound: AnalysedModule) -> list[UriThroughCall]:
    """The URIs the bound function sets that it owes to the outermost call's arguments."""
    module = bound.base
    sinks = URI_SETTERS.sinks(module, frame.function)
    switched = _switched_setters(module)
    top = frame.top
    found = []
    for node in sinks:
        if node in switched:
            continue  # a choice between configurations in the helper itself
        for sink in uri_sinks(bound, node):
            if sink.api.startswith("os.environ.setdefault"):
                continue  # a default, not the value
            top.reads.clear()
            values = bound.values.evaluate(sink.value)
            if not top.reads or len(values) != 1 or not values[0].complete or not values[0].text.strip():
                continue  # the callee's own value (counted in its file), or not one known value
            owed = [top.arguments[name] for name in sorted(top.reads) if name in top.arguments]
            placed: ast.expr = owed[0] if len(owed) == 1 else top.call
            found.append(UriThroughCall(placed, top.call, sink.role, values[0], called_name(top.caller, top.call)))
    return found


def uri_setting_functions(module: AnalysedModule) -> list[str]:
    """The names of ``module``'s functions (methods too) a parameter of which reaches a
    URI setter, in it or through the project functions it calls, within the levels a call
    of it is followed: a call of one of these names elsewhere may set a URI (the project
    facts read the files that say one)."""
    return module.memo(_URI_SETTING_FUNCTIONS, _uri_setting_functions)


def _uri_setting_functions(module: AnalysedModule) -> list[str]:
    candidates = set(_functions_setting_uris(module))
    for call in calls_worth_following(module):
        holder = module.model.enclosing_function(call)
        if holder is None or holder in candidates:
            continue
        # The callee's distance first (the walks through calls know most of them):
        # what a function passes its parameters on to is worked out only for the few
        # functions that call a URI setter at all.
        target = called_function(module, effective_call(module, call))
        if target is not None and sink_distance(target[0], target[1], URI_SETTERS) < MAX_CALL_LEVELS - 1:
            candidates.add(holder)
    return sorted({f.name for f in candidates if sink_distance(module, f, URI_SETTERS) < MAX_CALL_LEVELS})


def _functions_setting_uris(module: AnalysedModule) -> frozenset[FunctionNode]:
    """The functions of ``module`` holding a URI setter (what ``uri_sinks`` reads in it as
    written: the setter is named by the code, not by a caller's value)."""
    return module.memo(_FUNCTIONS_SETTING_URIS, _find_functions_setting_uris)


def _find_functions_setting_uris(module: AnalysedModule) -> frozenset[FunctionNode]:
    return frozenset(f for f in (module.model.enclosing_function(node) for node in _setters(module)) if f is not None)


def _setters(module: AnalysedModule) -> list[ast.AST]:
    """The module's URI setters, parameter-fed or not, in source order of their kind."""
    return module.memo(_URI_SETTERS, _find_setters)


def _find_setters(module: AnalysedModule) -> list[ast.AST]:
    return [node for node in (*module.model.calls_named(SINK_CALL_NAMES), *_subscript_assignments(module)) if uri_sinks(module, node)]


def _switched_setters(module: AnalysedModule) -> set[ast.AST]:
    """The module's URI setters that one ``if`` chooses between."""
    return module.memo(_SWITCHED_SETTERS, _find_switched_setters)


def _find_switched_setters(module: AnalysedModule) -> set[ast.AST]:
    return switched_nodes(module, _setters(module))


def _subscript_assignments(module: AnalysedModule) -> list[ast.Assign]:
    return [node for node in module.model.nodes_of(ast.Assign) if any(isinstance(target, ast.Subscript) for target in node.targets)]


def switched_nodes(module: AnalysedModule, nodes: list[ast.AST]) -> set[ast.AST]:
    """Nodes in the branches of an ``if`` whose other branch holds one of ``nodes`` too:
    ``if on_databricks: set("databricks") else: set("https://...")`` (``elif`` chains
    included) is one choice between configurations, not two hard-coded URIs."""
    branches: dict[ast.AST, list[tuple[ast.If, str]]] = {}
    for node in nodes:
        child: ast.AST = node
        for ancestor in module.model.ancestors(node):
            if isinstance(ancestor, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Module)):
                break
            if isinstance(ancestor, ast.If) and child is not ancestor.test:
                branches.setdefault(node, []).append((ancestor, "body" if child in ancestor.body else "orelse"))
            child = ancestor
    sides: dict[ast.If, set[str]] = {}
    for found in branches.values():
        for statement, side in found:
            sides.setdefault(statement, set()).add(side)
    return {node for node, found in branches.items() if any(sides[statement] == {"body", "orelse"} for statement, _ in found)}
