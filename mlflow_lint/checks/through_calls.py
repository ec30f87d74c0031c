"""Findings a call causes in the project functions it calls.

``setup_tracking("./mlruns")`` is wrong because ``setup_tracking`` passes its argument to
``mlflow.set_tracking_uri``; the place to fix it is the call. For each call of a project
function, the checks run again over the callee's parameter-dependent nodes (its summary,
analysis.flow) with the parameters bound to the call's arguments, through up to
``MAX_CALL_LEVELS`` calls. A finding the callee does not have on its own is the call's: it
is reported at the argument it owes to (at the call when it owes to several), names the
function and the MLflow call it reaches, and carries the path (SARIF ``codeFlows``).
"""

from __future__ import annotations

import ast
from typing import Iterable

from mlflow_lint.analysis.effects import resolve_called_function
from mlflow_lint.analysis.flow import MAX_CALL_LEVELS, Frame, bind_arguments, bound_module, parameter_dependent_nodes
from mlflow_lint.analysis.module import AnalysedModule
from mlflow_lint.checks.base import Check, FileContext
from mlflow_lint.findings import Finding, FlowStep
from mlflow_lint.positions import LineIndex

FunctionNode = ast.FunctionDef | ast.AsyncFunctionDef
_Key = tuple[str, int, int, str]  # rule, line, column, message


def report_through_calls(ctx: FileContext, checks: list[Check]) -> None:
    """Add to ``ctx`` the findings its module's calls of project functions cause there."""
    module = ctx.python
    if module.project is None:
        return  # a lone buffer: its own functions still count (they resolve in-module)
    flowing = [check for check in checks if not check.reads_project_facts]
    node_types = tuple(sorted({t for check in flowing for t in check.node_types}, key=lambda t: t.__name__))
    seen: set[tuple[str, int, int, int, int, str]] = set()
    for call in module.model.nodes_by_type.get(ast.Call, ()):
        assert isinstance(call, ast.Call)
        if not (call.args or call.keywords):
            continue
        for finding, frame, steps in _through(module, call, None, flowing, node_types, ctx):
            placed = _place(ctx, finding, frame, steps)
            key = (placed.rule, placed.line, placed.column, placed.end_line, placed.end_column, placed.message)
            if key not in seen:
                seen.add(key)
                ctx.findings.append(placed)


def _through(
    caller: AnalysedModule,
    call: ast.Call,
    parent: Frame | None,
    checks: list[Check],
    node_types: tuple[type[ast.AST], ...],
    ctx: FileContext,
) -> Iterable[tuple[Finding, Frame, list[FlowStep]]]:
    target = resolve_called_function(caller, call)
    if target is None:
        return
    module, function = target
    if any(frame.function is function for frame in (parent.chain() if parent else [])):
        return  # recursion: the values it could add are already followed
    nodes = parameter_dependent_nodes(module, function, node_types)
    if not nodes:
        return
    arguments, opaque = bind_arguments(call, function, _is_method_call(caller, call))
    frame = Frame(caller, call, function, arguments, opaque, parent)
    top = frame.top
    bound = bound_module(module, frame)
    here = FileContext(
        module=bound,
        display_path=ctx.display(str(module.path)),
        rules=ctx.rules,
        lines=_lines(module),
        options=ctx.options,
        display_root=ctx.display_root,
    )
    own = _own_findings(module, function, nodes, checks, here)
    for node in nodes:
        for check in checks:
            if not _wants(check, node, module):
                continue
            top.reads.clear()
            before = len(here.findings)
            check.visit(node, here)
            reads = set(top.reads)
            for finding in here.findings[before:]:
                if reads and _key(finding) not in own and not _gated(check, frame, ctx):
                    yield finding, _with_reads(frame, reads), [
                        *_call_steps(frame, ctx),
                        FlowStep(finding.path, finding.line, finding.column, finding.message),
                    ]
        if isinstance(node, ast.Call) and frame.level < MAX_CALL_LEVELS:
            yield from _through(bound, node, frame, checks, node_types, ctx)


def _with_reads(frame: Frame, reads: set[str]) -> Frame:
    """The outermost frame, carrying the parameters one finding owes to."""
    top = frame.top
    return Frame(top.caller, top.call, top.function, top.arguments, top.opaque, None, set(reads))


def _own_findings(
    module: AnalysedModule, function: FunctionNode, nodes: list[ast.AST], checks: list[Check], like: FileContext
) -> set[_Key]:
    """What the checks find in ``nodes`` with no call bound (the callee's own findings,
    reported in its own file): a bound run that finds the same owes nothing to the call."""
    cache: dict[tuple[ast.AST, frozenset[str]], set[_Key]] = module.cache.setdefault("own_findings", {})  # type: ignore[assignment]
    key = (function, frozenset(like.rules))
    found = cache.get(key)
    if found is None:
        plain = FileContext(
            module=module, display_path=like.display_path, rules=like.rules, lines=like.lines, options=like.options
        )
        for node in nodes:
            for check in checks:
                if _wants(check, node, module):
                    check.visit(node, plain)
        found = cache[key] = {_key(f) for f in plain.findings}
    return found


def _key(finding: Finding) -> _Key:
    return (finding.rule, finding.line, finding.column, finding.message)


def _wants(check: Check, node: ast.AST, module: AnalysedModule) -> bool:
    """Whether the engine would hand ``node`` to ``check`` (its types and call names)."""
    if not isinstance(node, check.node_types):
        return False
    if isinstance(node, ast.Call) and check.call_names is not None:
        named: dict[frozenset[str], set[ast.Call]] = module.cache.setdefault("calls_named", {})  # type: ignore[assignment]
        calls = named.get(check.call_names)
        if calls is None:
            calls = named[check.call_names] = set(module.model.calls_named(check.call_names))
        return node in calls
    return True


def _gated(check: Check, frame: Frame, ctx: FileContext) -> bool:
    """Whether a caller on the path guards the call that leads to the finding."""
    return any(check.guards_call(f.caller, f.call, ctx) for f in frame.chain())


def _is_method_call(module: AnalysedModule, call: ast.Call) -> bool:
    func = call.func
    return isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and module.model._class_of_self(func.value) is not None


def _lines(module: AnalysedModule) -> LineIndex:
    found = module.cache.get("line_index")
    if not isinstance(found, LineIndex):
        found = module.cache["line_index"] = LineIndex(module.source)
    return found


def _call_steps(frame: Frame, ctx: FileContext) -> list[FlowStep]:
    """The calls between the outermost one and the function holding the finding."""
    steps = []
    for inner in frame.chain()[1:]:
        position = _lines(inner.caller).span(inner.call)
        name = _function_name(inner.call)
        steps.append(FlowStep(ctx.display(str(inner.caller.path)), position.line, position.column, f"passed on to {name}()"))
    return steps


def _function_name(call: ast.Call) -> str:
    try:
        return ast.unparse(call.func)
    except Exception:  # noqa: BLE001 - naming is best effort
        return "the function"


def _place(ctx: FileContext, finding: Finding, frame: Frame, steps: list[FlowStep]) -> Finding:
    """The callee's finding, moved to the call in this file: at the one argument it owes
    to, else at the call; its message names the function and where MLflow is reached."""
    call = frame.call
    owed = [frame.arguments[name] for name in sorted(frame.reads) if name in frame.arguments]
    # An argument that is an MLflow object (a client) is not the value to fix: the call is.
    node: ast.AST = owed[0] if len(owed) == 1 and frame.caller.model.instance_class(owed[0]) is None else call
    sink = steps[-1]
    message = f"{finding.message} (through {_function_name(call)}() at {sink.path}:{sink.line})"
    position = ctx.lines.span(node)
    rule = ctx.rules[finding.rule]
    snippet = ctx.lines.segment(node)
    return Finding(
        path=ctx.display_path,
        line=position.line,
        column=position.column,
        rule=finding.rule,
        end_line=position.end_line,
        end_column=position.end_column,
        message=message,
        snippet=ctx.masked_snippet(snippet),
        context="test" if rule.hidden_in(ctx.context) else None,
        flow=tuple(steps),
        precision=finding.precision,
    )

