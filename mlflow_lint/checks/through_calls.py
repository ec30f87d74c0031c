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

from mlflow_lint.analysis.api import is_mlflow
from mlflow_lint.analysis.effects import resolve_called_function
from mlflow_lint.analysis.flow import (
    MAX_CALL_LEVELS,
    Frame,
    bind_arguments,
    bound_module,
    dispose,
    literal_keywords,
    parameter_dependent_nodes,
)
from mlflow_lint.analysis.module import AnalysedModule
from mlflow_lint.analysis.semantic import Binding
from mlflow_lint.checks.base import Check, FileContext
from mlflow_lint.findings import Finding, FlowStep
from mlflow_lint.positions import LineIndex
from mlflow_lint.project import ProjectIndex

FunctionNode = ast.FunctionDef | ast.AsyncFunctionDef
_Key = tuple[str, int, int]  # rule, line, column


def report_through_calls(ctx: FileContext, checks: list[Check]) -> None:
    """Add to ``ctx`` the findings its module's calls of project functions cause there."""
    module = ctx.python
    flowing = tuple(check for check in checks if not check.reads_project_facts)
    if not flowing:
        return
    # One finding per rule and place, as for any check: a value that reaches two sinks of
    # the same rule in a helper (both branches of an if, say) is one thing to fix at the
    # call; the first sink in the helper's order is the one named.
    seen = {_place_key(finding) for finding in ctx.findings}
    for call in module.model.nodes_by_type.get(ast.Call, ()):
        assert isinstance(call, ast.Call)
        if not _root_may_be_project(module, call):
            continue  # decided before a generator is made: most calls stop here
        effective = _effective_call(module, call)
        if not (effective.args or effective.keywords):
            continue
        for finding, frame, steps in _through(module, call, None, flowing, ctx):
            placed = _place(ctx, finding, frame, steps)
            key = _place_key(placed)
            if key not in seen:
                seen.add(key)
                ctx.findings.append(placed)


def _place_key(finding: Finding) -> tuple[str, int, int, int, int, int | None]:
    return finding.rule, finding.line, finding.column, finding.end_line, finding.end_column, finding.cell


def _through(
    caller: AnalysedModule, call: ast.Call, parent: Frame | None, checks: tuple[Check, ...], ctx: FileContext
) -> Iterable[tuple[Finding, Frame, list[FlowStep]]]:
    level = 1 if parent is None else parent.level + 1
    effective = _effective_call(caller, call)
    target = _called_function(caller, effective)
    if target is None:
        return
    module, function = target
    if not _reaches_checks(module, function, checks, MAX_CALL_LEVELS - level):
        return  # no call of it can lead to a finding: not worth binding
    if not _passes_something_known(caller, effective):
        return  # unknown stays unknown: binding it would find nothing the callee does not
    if parent is not None and any(frame.function is function for frame in parent.chain()):
        return  # recursion: the values it could add are already followed
    # The frame keeps the call as written (where a finding is placed, what a gate guards);
    # its arguments are those of the call it makes (a partial's, then the call's own).
    arguments, opaque = bind_arguments(effective, function, _is_method_call(function, module, effective))
    frame = Frame(caller, call, function, arguments, opaque, parent)
    bound = bound_module(module, frame)
    here = FileContext(
        module=bound,
        display_path=ctx.display(str(module.path)),
        rules=ctx.rules,
        lines=_lines(module),
        options=ctx.options,
        display_root=ctx.display_root,
    )
    try:
        yield from _findings_under(frame, bound, here, module, function, checks, ctx)
    finally:
        dispose(bound)


def _findings_under(
    frame: Frame,
    bound: AnalysedModule,
    here: FileContext,
    module: AnalysedModule,
    function: FunctionNode,
    checks: tuple[Check, ...],
    ctx: FileContext,
) -> Iterable[tuple[Finding, Frame, list[FlowStep]]]:
    """The checks' findings in ``function`` analysed under ``frame``, then in the project
    functions it passes parameters to."""
    top = frame.top
    own = _own_findings(module, function, checks, here)
    for node, wanting in _sinks(module, function, checks):
        for check in wanting:
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
    if frame.level < MAX_CALL_LEVELS:
        for node in parameter_dependent_nodes(module, function):
            if isinstance(node, ast.Call):
                yield from _through(bound, node, frame, checks, ctx)


def _passes_something_known(module: AnalysedModule, call: ast.Call) -> bool:
    """Whether an argument of ``call`` holds something the analysis knows: a constant
    (``None`` too: a tag value), text with a literal part, or an MLflow object (a client).
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
    return False


_MAX_PARTIAL_LEVELS = 3  # partial(partial(f, a), b): as deep as anyone writes it


def _effective_call(module: AnalysedModule, call: ast.Call) -> ast.Call:
    """The call ``call`` makes: itself, or, when it calls a ``functools.partial`` object
    assigned in this module (``release = partial(promote, alias="champion")``), the
    partial's function with the partial's arguments first and the call's after them (a
    keyword the call repeats overrides the partial's, as Python does). Memoised on the
    module as written: what a name denotes does not depend on a frame."""
    base = module.base
    known: dict[ast.Call, ast.Call] = base.cache.setdefault("effective_calls", {})  # type: ignore[assignment]
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


def _called_function(module: AnalysedModule, call: ast.Call) -> tuple[AnalysedModule, FunctionNode] | None:
    """The project function ``call`` calls (memoised on the module as written: what a name
    denotes does not depend on a frame)."""
    base = module.base
    known: dict[ast.Call, tuple[AnalysedModule, FunctionNode] | None] = base.cache.setdefault("called_functions", {})  # type: ignore[assignment]
    if call not in known:
        if _root_may_be_project(base, call):
            known[call] = resolve_called_function(base, call)
        else:
            known[call] = None  # a builtin, the standard library, a package, MLflow
    return known[call]


def _may_denote_project_code(module: AnalysedModule, name: str) -> bool:
    """Whether ``name`` may denote the project's own code somewhere in ``module``: one of
    its definitions, a name imported from a project module, ``self`` or ``cls``. Most calls
    start from another name (a builtin, the standard library, a package, MLflow) and are
    passed over without resolving them. Memoised per name."""
    memo: dict[str, bool] = module.cache.setdefault("project_names", {})  # type: ignore[assignment]
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
    (by its name only: a cheap first look; ``_effective_call`` resolves it)."""
    func = call.func
    named = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None
    return call.args[0] if named == "partial" and call.args and not isinstance(call.args[0], ast.Starred) else None


def _bindings_by_name(module: AnalysedModule) -> dict[str, list[Binding]]:
    found = module.syntax.get("bindings_by_name")
    if not isinstance(found, dict):
        found = {}
        for scope in module.model.scopes.values():
            for name, bindings in scope.bindings.items():
                found.setdefault(name, []).extend(bindings)
        module.syntax["bindings_by_name"] = found
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


def _sinks(module: AnalysedModule, function: FunctionNode, checks: tuple[Check, ...]) -> list[tuple[ast.AST, list[Check]]]:
    """The parameter-dependent nodes of ``function`` some check reads, with those checks."""
    cache: dict[tuple[ast.AST, tuple[Check, ...]], list[tuple[ast.AST, list[Check]]]] = module.cache.setdefault("flow_sinks", {})  # type: ignore[assignment]
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
    cache: dict[tuple[Check, ...], frozenset[ast.AST]] = module.syntax.setdefault("functions_with_sinks", {})  # type: ignore[assignment]
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
        for node in model.nodes_by_type.get(ast.Assign, ()):
            if any(isinstance(target, ast.Subscript) for target in node.targets):  # type: ignore[attr-defined]
                holders.add(model.enclosing_function(node))
        found = cache[checks] = frozenset(f for f in holders if f is not None)
    return found


def _functions_calling_project_code(module: AnalysedModule) -> frozenset[ast.AST]:
    """The functions of ``module`` holding a call that may be of the project's code."""
    found = module.cache.get("functions_calling_project_code")
    if not isinstance(found, frozenset):
        model = module.model
        holders = {
            model.enclosing_function(call)
            for call in model.nodes_by_type.get(ast.Call, ())
            if _root_may_be_project(module, call)  # type: ignore[arg-type]
        }
        found = module.cache["functions_calling_project_code"] = frozenset(f for f in holders if f is not None)
    return found


def _root_may_be_project(module: AnalysedModule, call: ast.Call) -> bool:
    """Whether the name a call starts from (``f`` in ``f(x)``, ``svc`` in ``svc.run(x)``,
    ``Service`` in ``Service().run(x)``) may denote the project's code."""
    root = _root_name(call.func)
    return root is not None and _may_denote_project_code(module, root)


def _root_name(expr: ast.expr) -> str | None:
    while isinstance(expr, (ast.Attribute, ast.Call)):
        expr = expr.value if isinstance(expr, ast.Attribute) else expr.func
    return expr.id if isinstance(expr, ast.Name) else None


_FAR = MAX_CALL_LEVELS + 1


def _reaches_checks(module: AnalysedModule, function: FunctionNode, checks: tuple[Check, ...], levels: int) -> bool:
    """Whether some parameter of ``function`` reaches a node a check reads, in it or in the
    project functions it passes parameters to, within ``levels`` more calls."""
    return _sink_distance(module, function, checks) <= levels


def _sink_distance(module: AnalysedModule, function: FunctionNode, checks: tuple[Check, ...]) -> int:
    """How many calls a parameter of ``function`` needs to reach a node a check reads: 0
    when the function holds one, 1 when it passes a parameter to a function that does, ...;
    ``_FAR`` beyond the levels followed. One number per function, whatever level asks."""
    cache: dict[tuple[ast.AST, tuple[Check, ...]], int] = module.cache.setdefault("sink_distance", {})  # type: ignore[assignment]
    key = (function, checks)
    known = cache.get(key)
    if known is not None:
        return known
    cache[key] = _FAR  # recursion adds nothing
    distance = 0 if _sinks(module, function, checks) else _FAR
    if distance and function in _functions_calling_project_code(module):
        for node in parameter_dependent_nodes(module, function):
            if isinstance(node, ast.Call):
                target = _called_function(module, _effective_call(module, node))
                if target is not None:
                    distance = min(distance, 1 + _sink_distance(target[0], target[1], checks))
                    if distance == 1:
                        break
    cache[key] = distance
    return distance


def _with_reads(frame: Frame, reads: set[str]) -> Frame:
    """The outermost frame, carrying the parameters one finding owes to."""
    top = frame.top
    return Frame(top.caller, top.call, top.function, top.arguments, top.opaque, None, set(reads))


def _own_findings(module: AnalysedModule, function: FunctionNode, checks: tuple[Check, ...], like: FileContext) -> set[_Key]:
    """What the checks find in the function's nodes with no call bound (the callee's own
    findings, reported in its own file): a bound run that finds the same owes nothing to
    the call."""
    cache: dict[tuple[ast.AST, frozenset[str]], set[_Key]] = module.cache.setdefault("own_findings", {})  # type: ignore[assignment]
    key = (function, frozenset(like.rules))
    found = cache.get(key)
    if found is None:
        plain = FileContext(
            module=module, display_path=like.display_path, rules=like.rules, lines=like.lines, options=like.options
        )
        for node, wanting in _sinks(module, function, checks):
            for check in wanting:
                check.visit(node, plain)
        found = cache[key] = {_key(f) for f in plain.findings}
    return found


def _key(finding: Finding) -> _Key:
    """A finding's rule and place. Not its message: the callee's own finding names the
    value as the callee writes it (``models:/{name}/production``), the bound one as the
    call passes it; both are the one problem, fixed in the callee."""
    return (finding.rule, finding.line, finding.column)


def _wants(check: Check, node: ast.AST, module: AnalysedModule) -> bool:
    """Whether the engine would hand ``node`` to ``check`` (its types and call names)."""
    if not isinstance(node, check.node_types):
        return False
    if isinstance(node, ast.Call) and check.call_names is not None:
        named: dict[frozenset[str], set[ast.Call]] = module.syntax.setdefault("calls_named", {})  # type: ignore[assignment]
        calls = named.get(check.call_names)
        if calls is None:
            calls = named[check.call_names] = set(module.model.calls_named(check.call_names))
        return node in calls
    return True


def _gated(check: Check, frame: Frame, ctx: FileContext) -> bool:
    """Whether a caller on the path guards the call that leads to the finding."""
    return any(check.guards_call(f.caller, f.call, ctx) for f in frame.chain())


def _is_method_call(function: FunctionNode, module: AnalysedModule, call: ast.Call) -> bool:
    """Whether ``call`` reaches ``function`` through an instance (``self.f(x)``,
    ``Service().f(x)``), so that its first parameter is the instance, not an argument."""
    if not isinstance(call.func, ast.Attribute) or not isinstance(module.model.parents.get(function), ast.ClassDef):
        return False
    decorators = {d.id if isinstance(d, ast.Name) else getattr(d, "attr", None) for d in function.decorator_list}
    return "staticmethod" not in decorators


def _lines(module: AnalysedModule) -> LineIndex:
    found = module.syntax.get("line_index")
    if not isinstance(found, LineIndex):
        found = module.syntax["line_index"] = LineIndex(module.source)
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
        remedy=finding.remedy,
        snippet=ctx.masked_snippet(snippet),
        context="test" if rule.hidden_in(ctx.context) else None,
        flow=tuple(steps),
        precision=finding.precision,
        level=finding.level,
    )

