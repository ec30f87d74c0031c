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
from collections.abc import Hashable, Iterable
from dataclasses import dataclass

from mlflow_lint.analysis.call_frames import called_name, calls_worth_following, walk_frames
from mlflow_lint.analysis.flow import Frame, parameter_dependent_nodes
from mlflow_lint.analysis.memo import MemoKey, SyntaxKey
from mlflow_lint.analysis.module import AnalysedModule
from mlflow_lint.checks.base import Check, FileContext
from mlflow_lint.findings import Finding, FlowStep
from mlflow_lint.positions import LineIndex

FunctionNode = ast.FunctionDef | ast.AsyncFunctionDef
_Key = tuple[str, int, int]  # rule, line, column

# What is memoised on a module (analysis.memo): per function and checks, its nodes the
# checks read (found under the module's frame) and the functions holding one (its text
# alone); per function and rules, the findings with no call bound; per call names, the calls.
_FLOW_SINKS: MemoKey[dict[tuple[ast.AST, tuple[Check, ...]], list[tuple[ast.AST, list[Check]]]]] = MemoKey("flow_sinks")
_FUNCTIONS_WITH_SINKS: SyntaxKey[dict[tuple[Check, ...], frozenset[ast.AST]]] = SyntaxKey("functions_with_sinks")
_OWN_FINDINGS: MemoKey[dict[tuple[ast.AST, frozenset[str]], set[_Key]]] = MemoKey("own_findings")
_Place = tuple[str, int, int]  # a function: its module's path, its line and column
_REACHED: MemoKey[dict[tuple[ast.Call, _Place, tuple[Check, ...], frozenset[str]], set[_Key]]] = MemoKey("reached")
_CALLS_NAMED: SyntaxKey[dict[frozenset[str], set[ast.Call]]] = SyntaxKey("calls_named")
_LINE_INDEX: SyntaxKey[LineIndex] = SyntaxKey("line_index")


@dataclass(frozen=True)
class _CheckSinks:
    """The nodes the flowing checks read: what a walk through calls looks for."""

    checks: tuple[Check, ...]

    @property
    def key(self) -> Hashable:
        return self.checks

    def sinks(self, module: AnalysedModule, function: FunctionNode) -> list[ast.AST]:
        return [node for node, _ in _sinks(module, function, self.checks)]


def report_through_calls(ctx: FileContext, checks: list[Check]) -> None:
    """Add to ``ctx`` the findings its module's calls of project functions cause there."""
    module = ctx.python
    flowing = tuple(check for check in checks if not check.reads_project_facts)
    if not flowing:
        return
    selector = _CheckSinks(flowing)
    # One finding per rule and place, as for any check: a value that reaches two sinks of
    # the same rule in a helper (both branches of an if, say) is one thing to fix at the
    # call; the first sink in the helper's order is the one named.
    seen = {_place_key(finding) for finding in ctx.findings}
    for call in calls_worth_following(module):
        for finding, frame, steps, check in _through(module, call, selector, ctx):
            placed = _place(ctx, finding, frame, steps, check.reports_operations)
            key = _place_key(placed)
            if key not in seen:
                seen.add(key)
                ctx.findings.append(placed)


def _place_key(finding: Finding) -> tuple[str, int, int, int, int, int | None]:
    return finding.rule, finding.line, finding.column, finding.end_line, finding.end_column, finding.cell


def _through(
    caller: AnalysedModule, call: ast.Call, selector: _CheckSinks, ctx: FileContext
) -> Iterable[tuple[Finding, Frame, list[FlowStep], Check]]:
    """The checks' findings in each project function ``call`` leads to, analysed with its
    parameters bound to the values the call passes."""
    for frame, bound in walk_frames(caller, call, selector):
        module = bound.base
        here = FileContext(
            module=bound,
            display_path=ctx.display(str(module.path)),
            rules=ctx.rules,
            lines=_lines(module),
            options=ctx.options,
            display_root=ctx.display_root,
        )
        yield from _findings_under(frame, here, module, frame.function, selector.checks, ctx)


def _findings_under(
    frame: Frame,
    here: FileContext,
    module: AnalysedModule,
    function: FunctionNode,
    checks: tuple[Check, ...],
    ctx: FileContext,
) -> Iterable[tuple[Finding, Frame, list[FlowStep], Check]]:
    """The checks' findings in ``function`` analysed under ``frame`` that the callee does
    not have on its own and no caller on the path guards against."""
    top = frame.top
    own = _own_findings(module, function, checks, here)
    for node, wanting in _sinks(module, function, checks):
        for check in wanting:
            top.reads.clear()
            before = len(here.findings)
            check.dispatch(node, here)
            reads = set(top.reads)
            for finding in here.findings[before:]:
                if (
                    reads
                    and _key(finding) not in own
                    and _key(finding) not in _owned_on_the_way(frame, module, function, checks, here)
                    and not _gated(check, frame, ctx)
                ):
                    steps = [*_call_steps(frame, ctx), _step(ctx, module, finding.line, finding.column, finding.message)]
                    yield finding, _with_reads(frame, reads), steps, check


def _sinks(module: AnalysedModule, function: FunctionNode, checks: tuple[Check, ...]) -> list[tuple[ast.AST, list[Check]]]:
    """The parameter-dependent nodes of ``function`` some check reads, with those checks."""
    cache = module.memo_table(_FLOW_SINKS)
    key = (function, checks)
    found = cache.get(key)
    if found is None:
        found = []
        if function not in _functions_with_sinks(module, checks):
            cache[key] = found
            return found  # no node a check reads: no need to find what depends on parameters
        for node in parameter_dependent_nodes(module, function):
            if isinstance(node, ast.Assign) and not any(isinstance(t, ast.Subscript) for t in node.targets):
                continue  # only ``os.environ[...] = value`` assignments reach MLflow
            wanting = [check for check in checks if _wants(check, node, module) and check.may_report(node)]
            if wanting:
                found.append((node, wanting))
        cache[key] = found
    return found


def _functions_with_sinks(module: AnalysedModule, checks: tuple[Check, ...]) -> frozenset[ast.AST]:
    """The functions of ``module`` holding a node some check reads, from one look at the
    module's calls, comparisons and assignments (its text alone: kept across files)."""
    cache = module.syntax_table(_FUNCTIONS_WITH_SINKS)
    found = cache.get(checks)
    if found is None:
        model = module.model
        holders: set[ast.AST | None] = set()
        for check in checks:
            if ast.Call in check.node_types:
                calls = model.calls_named(check.call_names) if check.call_names is not None else model.nodes_by_type.get(ast.Call, ())
                holders.update(model.enclosing_function(call) for call in calls)
            if ast.Compare in check.node_types:
                holders.update(model.enclosing_function(node) for node in model.nodes_by_type.get(ast.Compare, ()) if check.may_report(node))
        for node in model.nodes_of(ast.Assign):
            if any(isinstance(target, ast.Subscript) for target in node.targets):
                holders.add(model.enclosing_function(node))
        found = cache[checks] = frozenset(f for f in holders if f is not None)
    return found


def _with_reads(frame: Frame, reads: set[str]) -> Frame:
    """The outermost frame, carrying the parameters one finding owes to."""
    top = frame.top
    return Frame(top.caller, top.call, top.function, top.arguments, top.opaque, None, set(reads))


def _own_findings(module: AnalysedModule, function: FunctionNode, checks: tuple[Check, ...], like: FileContext) -> set[_Key]:
    """What the checks find in the function's nodes with no call bound (the callee's own
    findings, reported in its own file): a bound run that finds the same owes nothing to
    the call."""
    cache = module.memo_table(_OWN_FINDINGS)
    key = (function, frozenset(like.rules))
    found = cache.get(key)
    if found is None:
        plain = FileContext(
            module=module, display_path=like.display_path, rules=like.rules, lines=like.lines, options=like.options
        )
        for node, wanting in _sinks(module, function, checks):
            for check in wanting:
                check.dispatch(node, plain)
        found = cache[key] = {_key(f) for f in plain.findings}
    return found


def _owned_on_the_way(frame: Frame, module: AnalysedModule, function: FunctionNode, checks: tuple[Check, ...], like: FileContext) -> set[_Key]:
    """What the checks find in ``function`` through a function between the outermost call
    and it, on that function's own: ``load_bundle(featureset)`` choosing a run and calling
    ``fetch(f"model/gru_{featureset}.pt")`` downloads a model from a run whatever its caller
    passes. That finding is ``load_bundle``'s (reported at its call of ``fetch``), not each
    caller's, even though the argument fills in part of the path."""
    owned: set[_Key] = set()
    for step in frame.chain()[1:]:
        owned |= _reached_from(step.caller.base, step.call, module, function, checks, like)
    return owned


def _reached_from(
    caller: AnalysedModule, call: ast.Call, module: AnalysedModule, function: FunctionNode, checks: tuple[Check, ...], like: FileContext
) -> set[_Key]:
    """What the checks find in ``function`` (of ``module``) where ``call``, in ``caller`` as
    written (its own parameters unknown), leads to it."""
    cache = caller.memo_table(_REACHED)
    place = (str(module.path), function.lineno, function.col_offset)
    key = (call, place, checks, frozenset(like.rules))
    found = cache.get(key)
    if found is None:
        found = cache[key] = set()  # a recursion back here adds nothing
        for frame, bound in walk_frames(caller, call, _CheckSinks(checks)):
            reached = bound.base
            if (str(reached.path), frame.function.lineno, frame.function.col_offset) != place:
                continue
            here = FileContext(module=bound, display_path=like.display_path, rules=like.rules, lines=_lines(reached), options=like.options)
            for node, wanting in _sinks(reached, frame.function, checks):
                for check in wanting:
                    check.dispatch(node, here)
            found.update(_key(finding) for finding in here.findings)
    return found


def _key(finding: Finding) -> _Key:
    """A finding's rule and place. Not its message: the callee's own finding names the
    value as the callee writes it (``models:/{name}/production``), the bound one as the
    call passes it; both are the one problem, fixed in the callee."""
    return (finding.rule, finding.line, finding.column)


def _wants(check: Check, node: ast.AST, module: AnalysedModule) -> bool:
    """Whether the engine would hand ``node`` to ``check`` (the node classes of its hooks, its
    call names)."""
    if not isinstance(node, check.node_types):
        return False
    if isinstance(node, ast.Call) and check.call_names is not None:
        named = module.syntax_table(_CALLS_NAMED)
        calls = named.get(check.call_names)
        if calls is None:
            calls = named[check.call_names] = set(module.model.calls_named(check.call_names))
        return node in calls
    return True


def _gated(check: Check, frame: Frame, ctx: FileContext) -> bool:
    """Whether a caller on the path guards the call that leads to the finding."""
    return any(check.guards_call(f.caller, f.call, ctx) for f in frame.chain())


def _lines(module: AnalysedModule) -> LineIndex:
    return module.syntax_memo(_LINE_INDEX, _line_index)


def _line_index(module: AnalysedModule) -> LineIndex:
    return LineIndex(module.source)


def _call_steps(frame: Frame, ctx: FileContext) -> list[FlowStep]:
    """The calls between the outermost one and the function holding the finding."""
    steps = []
    for inner in frame.chain()[1:]:
        position = _lines(inner.caller).span(inner.call)
        steps.append(_step(ctx, inner.caller, position.line, position.column, f"passed on to {_through_name(inner.caller, inner.call)}"))
    return steps


def _step(ctx: FileContext, module: AnalysedModule, line: int, column: int, message: str) -> FlowStep:
    """A step at a place of ``module``, in lines of its file. An .ipynb notebook's source
    is its cells, concatenated: the step names the file line holding the place (1 when not
    known), and its column, inside a JSON string there, only in the message, with the cell."""
    path = ctx.display(str(module.path))
    lines = module.file_lines
    origin = lines.origin(line) if lines is not None else None
    if lines is None or origin is None:  # a Python file, a Databricks source: its own lines
        return FlowStep(path, line, column, message)
    cell, in_cell = origin
    return FlowStep(path, lines.of_cell(cell, in_cell) or 1, 1, f"{message} (cell {cell}, line {in_cell}, column {column})")


def _through_name(module: AnalysedModule, call: ast.Call) -> str:
    """``setup_tracking()``, or ``setup_tracking() (as use_local_store)`` for a partial."""
    name = called_name(module, call)
    head, _, alias = name.partition(" (as ")
    return f"{head}() (as {alias}" if alias else f"{name}()"


def _written_in(node: ast.AST, call: ast.Call) -> bool:
    """``node`` is part of ``call``'s own source (not an argument a partial supplies)."""
    return (node.lineno, node.col_offset) >= (call.lineno, call.col_offset) and (node.end_lineno or 0, node.end_col_offset or 0) <= (  # type: ignore[attr-defined]
        call.end_lineno or 0,
        call.end_col_offset or 0,
    )


def _place(ctx: FileContext, finding: Finding, frame: Frame, steps: list[FlowStep], operation: bool = False) -> Finding:
    """The callee's finding, moved to the call in this file: at the one argument it owes
    to, else at the call; its message names the function and where MLflow is reached. An
    operation's finding stays on the call unless the argument is written in it (not in a
    ``functools.partial`` made elsewhere, whose other calls may be guarded)."""
    call = frame.call
    owed = [frame.arguments[name] for name in sorted(frame.reads) if name in frame.arguments]
    # An argument that is an MLflow object (a client) is not the value to fix: the call is.
    node: ast.AST = call
    if len(owed) == 1 and frame.caller.model.instance_class(owed[0]) is None and (not operation or _written_in(owed[0], call)):
        node = owed[0]
    sink = steps[-1]
    message = f"{finding.message} (through {_through_name(frame.caller, call)} at {sink.path}:{sink.line})"
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
        remedy=finding.remedy,
        snippet=ctx.masked_snippet(snippet),
        context="test" if rule.hidden_in(ctx.context) else None,
        flow=tuple(steps),
        precision=finding.precision,
        level=finding.level,
    )

