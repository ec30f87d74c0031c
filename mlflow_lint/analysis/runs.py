"""The runs a module starts, and the code that runs inside each of them."""

from __future__ import annotations

import ast
import bisect
import itertools
from collections.abc import Callable
from dataclasses import dataclass, field

from mlflow_lint.analysis import api
from mlflow_lint.analysis.api import is_mlflow
from mlflow_lint.analysis.call_frames import called_name
from mlflow_lint.analysis.calls import terminal_name
from mlflow_lint.analysis.effects import (
    CREATE_RUN,
    NO_EFFECTS,
    START_RUN,
    Effects,
    TagKeys,
    calls_in,
    effects_of,
    resolve_called_function,
    tag_keys_of,
)
from mlflow_lint.analysis.memo import MemoKey
from mlflow_lint.analysis.module import AnalysedModule
from mlflow_lint.analysis.semantic import _own_returns

# What is memoised on a module (analysis.memo): its new runs, and its resumed runs (set with
# them); per new run, the resumed runs that continue it, and the runs by block (_RUN_INDEX,
# for the run an active_run() is in); the starts of the runs that
# share an end, by block and end (set with the runs, read by _statements_effects); per run,
# its effects, and per block and end the effects of the runs sharing it; per block, where
# its end_run() calls are; whether it turns autologging on.
_NEW_RUNS: MemoKey[list[RunScope]] = MemoKey("new_runs")
_RESUMED_RUNS: MemoKey[list[RunScope]] = MemoKey("resumed_runs")
_RESUMPTIONS: MemoKey[dict[ast.Call, list[RunScope]]] = MemoKey("resumptions")
_CLIENT_CALLS_BY_RUN: MemoKey[dict[ast.Call, list[ast.Call]]] = MemoKey("client_calls_by_run")
_RUN_GROUPS: MemoKey[dict[tuple[int, int], list[int]]] = MemoKey("run_groups")
_RUN_EFFECTS: MemoKey[dict[ast.Call, Effects]] = MemoKey("run_effects")
_SHARED_RUN_EFFECTS: MemoKey[dict[tuple[int, int], dict[int, Effects]]] = MemoKey("shared_run_effects")
_RUN_ENDS: MemoKey[dict[int, _EndScan]] = MemoKey("run_ends")
_ENABLES_AUTOLOG: MemoKey[bool] = MemoKey("enables_autolog")
_TURNS_AUTOLOG_ON: MemoKey[bool] = MemoKey("turns_autolog_on")


@dataclass(frozen=True)
class RunScope:
    """A new run: the call that starts it and the statements that execute inside it,
    ``block[start:end]`` (a ``with`` body, or what follows ``start_run()`` in its block)."""

    call: ast.Call
    label: str  # for messages: "mlflow.start_run()" / "MlflowClient.create_run()" / "tracking.start_run()"
    block: list[ast.stmt] = field(repr=False, compare=False)
    start: int
    end: int
    # A run entered through a project context manager (``with tracking.start_run() as
    # run:``): what the helper's own ``start_run`` and its code around the ``yield`` give
    # the run (its tags, its logging), in place of ``call``'s own arguments.
    entered: Effects | None = field(default=None, compare=False)

    @property
    def body(self) -> tuple[ast.stmt, ...]:
        return tuple(self.block[self.start : self.end])

    def effects(self, module: AnalysedModule) -> Effects:
        """What the run's code does to it, and the code of the module that resumes it
        (``start_run(run_id=<its id>)``, see :func:`resumptions`); computed once per run,
        every check and the audit ask."""
        known = module.memo_table(_RUN_EFFECTS)
        found = known.get(self.call)
        if found is None:
            found = self._own_effects(module)
            for resumed in resumptions(module, self):
                found = found | resumed._own_effects(module)
            for call in module.memo(_CLIENT_CALLS_BY_RUN, _client_calls_by_run).get(self.call, ()):
                found = found | effects_of(module, [call])
            known[self.call] = found
        return found

    def _own_effects(self, module: AnalysedModule) -> Effects:
        initial = self.entered if self.entered is not None else Effects(tags=tag_keys_of(module, _tags_argument(module, self.call)))
        return initial | _statements_effects(module, self)


def _statements_effects(module: AnalysedModule, run: RunScope) -> Effects:
    """Effects of ``run.block[run.start:run.end]``.

    Runs started by ``start_run()`` calls in one block, with no ``end_run()`` between them,
    run to the same end: each one's statements are the next one's and more. Taken one run
    at a time that was N² for N such runs (and N copies of the rest of the block); here
    each statement's effects are computed once, in source order as before (what a
    recursive helper yields can depend on which is asked first), and each run's are
    gathered from the end back, an unchanged result shared with the run after it."""
    groups = module.memo_get(_RUN_GROUPS)
    starts = groups.get((id(run.block), run.end)) if groups is not None else None
    if starts is None or len(starts) < 2 or run.start >= run.end:
        # (A run with no statements after it, ``start_run()`` last in a ``with`` body, is in
        # no group even when a run of the same block and end is.)
        return effects_of(module, run.block[run.start : run.end])
    shared = module.memo_table(_SHARED_RUN_EFFECTS)
    by_start = shared.get((id(run.block), run.end))
    if by_start is None:
        by_start = shared[(id(run.block), run.end)] = {}
        each = [effects_of(module, (statement,)) for statement in itertools.islice(run.block, starts[0], run.end)]
        keys: set[str] = set()
        does: set[str] = set()
        unknown = changed = False
        gathered = NO_EFFECTS
        wanted = set(starts)
        for index in range(run.end - 1, starts[0] - 1, -1):
            part = each[index - starts[0]]
            if not part.tags.keys <= keys:
                keys.update(part.tags.keys)
                changed = True
            if not part.does <= does:
                does.update(part.does)
                changed = True
            if part.tags.unknown and not unknown:
                unknown = changed = True
            if index in wanted:
                if changed:
                    gathered = Effects(TagKeys(frozenset(keys), unknown), frozenset(does))
                    changed = False
                by_start[index] = gathered
    return by_start[run.start]


def _tags_argument(module: AnalysedModule, call: ast.Call) -> ast.expr | None:
    """The ``tags`` of ``start_run`` or ``MlflowClient.create_run``, placed by MLflow's signature."""
    callee = module.model.callee(call)
    return api.argument_of(call, CREATE_RUN if callee == CREATE_RUN else "mlflow.start_run", "tags")


def _reopens_run(call: ast.Call) -> bool:
    """``start_run(run_id=...)`` (first positional too) resumes an existing run."""
    run_id = api.argument_of(call, "mlflow.start_run", "run_id")
    return run_id is not None and not (isinstance(run_id, ast.Constant) and run_id.value is None)


def new_runs(module: AnalysedModule) -> list[RunScope]:
    """Every new run in the module (computed once per module)."""
    return module.memo(_NEW_RUNS, _new_runs)


def _resumed_runs(module: AnalysedModule) -> list[RunScope]:
    """Every ``mlflow.start_run(run_id=...)`` of the module: the code that runs in a run
    it resumes (found with the new runs)."""
    new_runs(module)
    return module.memo_get(_RESUMED_RUNS) or []


def _new_runs(module: AnalysedModule) -> list[RunScope]:
    runs: list[RunScope] = []
    resumed: list[RunScope] = []
    model = module.model
    in_with: set[ast.Call] = set()
    for node in model.nodes_by_type.get(ast.With, []) + model.nodes_by_type.get(ast.AsyncWith, []):
        assert isinstance(node, (ast.With, ast.AsyncWith))
        for item in node.items:
            opened = item.context_expr
            if not isinstance(opened, ast.Call):
                continue
            body = node.body
            opens_run = model.callee(opened) == START_RUN
            if opens_run:
                in_with.add(opened)
            if _yielded_by_context_manager(module, node):
                continue  # a context manager's run is the code that enters it (judged there)
            if opens_run:
                (resumed if _reopens_run(opened) else runs).append(RunScope(opened, "mlflow.start_run()", body, 0, len(body)))
            elif terminal_name(opened.func) is not None and (given := _entered_run(module, opened)) is not None and not given[1]:
                runs.append(RunScope(opened, f"{called_name(module, opened)}()", body, 0, len(body), given[0]))
    for call in model.nodes_by_type.get(ast.Call, []):
        assert isinstance(call, ast.Call)
        if call in in_with:
            continue
        # Cheap syntactic test first; a bare name may be an alias (from mlflow import start_run as sr).
        if terminal_name(call.func) not in ("start_run", "create_run") and not isinstance(call.func, ast.Name):
            continue
        callee = model.callee(call)
        if callee not in (START_RUN, CREATE_RUN):
            continue
        if callee == START_RUN and _returned_by_function(module, call):
            continue
        label = "mlflow.start_run()" if callee == START_RUN else "MlflowClient.create_run()"
        found = resumed if callee == START_RUN and _reopens_run(call) else runs
        entered = _with_entering(module, call) if callee == START_RUN else None
        if entered is not None:  # run_ctx = mlflow.start_run(...) ... with run_ctx:
            found.append(RunScope(call, label, entered.body, 0, len(entered.body)))
            continue
        block, start, end = _following_statements(module, call)
        found.append(RunScope(call, label, block, start, end))
    runs.sort(key=lambda run: (run.call.lineno, run.call.col_offset))
    module.memo_set(_RESUMED_RUNS, resumed)
    # Runs whose statements run to the same end of the same block (see _statements_effects);
    # a resumed run's statements are gathered the same way.
    groups: dict[tuple[int, int], list[int]] = {}
    for run in itertools.chain(runs, resumed):
        if run.start < run.end:
            groups.setdefault((id(run.block), run.end), []).append(run.start)
    for starts in groups.values():
        starts.sort()
    module.memo_set(_RUN_GROUPS, groups)
    return runs


_CONTEXT_MANAGERS = frozenset({"contextlib.contextmanager", "contextlib.asynccontextmanager"})


def _is_context_manager(module: AnalysedModule, function: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """A generator function made a context manager (``@contextlib.contextmanager``)."""
    return any(module.model.qualified_name(d) in _CONTEXT_MANAGERS for d in function.decorator_list)


def _yields(nodes: list[ast.stmt]) -> bool:
    """Whether the statements yield (not in a nested definition)."""
    stack: list[ast.AST] = list(nodes)
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.Yield, ast.YieldFrom)):
            return True
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            stack.extend(ast.iter_child_nodes(node))
    return False


def _yielded_by_context_manager(module: AnalysedModule, node: ast.With | ast.AsyncWith) -> bool:
    """``with mlflow.start_run() as run: ... yield run`` (or ``with`` another run context
    manager) in a ``@contextmanager`` function: the run's body is the code of whoever
    enters the context manager."""
    function = next((a for a in module.model.ancestors(node) if isinstance(a, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))), None)
    return isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)) and _is_context_manager(module, function) and _yields(node.body)


def enters_run(module: AnalysedModule, call: ast.Call) -> bool:
    """``call`` (a ``with`` item) makes a run active in its body: ``mlflow.start_run()``
    (new or resumed), or a project context manager that yields inside one."""
    if module.model.callee(call) == START_RUN:
        return True
    return terminal_name(call.func) is not None and _entered_run(module, call) is not None


# How many project context managers deep a run is followed (``with tracking.run():`` whose
# helper yields inside ``with tracker.start_run():``, whose helper yields inside the run).
_MAX_CONTEXT_MANAGERS = 3


def _entered_run(module: AnalysedModule, call: ast.Call, depth: int = 0) -> tuple[Effects, bool] | None:
    """When ``call`` enters a project ``@contextmanager`` that yields inside a run (``with
    tracking.start_run("train") as run:``), directly or through another such context
    manager: what the helpers give that run (the ``start_run`` tags, the effects of their
    code around the ``yield``) and whether that ``start_run`` resumes an existing run."""
    target = resolve_called_function(module, call)
    if target is None or depth >= _MAX_CONTEXT_MANAGERS:
        return None
    home, function = target
    if not _is_context_manager(home, function):
        return _returned_run(home, function)
    for node in ast.walk(function):
        if not isinstance(node, (ast.With, ast.AsyncWith)) or not _yields(node.body):
            continue
        for item in node.items:
            start = item.context_expr
            if not isinstance(start, ast.Call):
                continue
            around = effects_of(home, node.body)
            if home.model.callee(start) == START_RUN:
                return Effects(tags=tag_keys_of(home, _tags_argument(home, start))) | around, _reopens_run(start)
            inner = _entered_run(home, start, depth + 1)
            if inner is not None:
                return inner[0] | around, inner[1]
    return None


def _returned_run(module: AnalysedModule, function: ast.FunctionDef | ast.AsyncFunctionDef) -> tuple[Effects, bool] | None:
    """A project function that returns ``mlflow.start_run(...)`` (``def open_run(self):
    return mlflow.start_run(run_name=...)``), entered by ``with tracker.open_run():``: its
    ``start_run`` tags and its code before the ``return``; None unless its one ``return``
    gives a ``start_run`` call."""
    returns = [node.value for node in _own_returns(function)]
    start = returns[0] if len(returns) == 1 else None
    if not isinstance(start, ast.Call) or module.model.callee(start) != START_RUN:
        return None
    return Effects(tags=tag_keys_of(module, _tags_argument(module, start))) | effects_of(module, function.body), _reopens_run(start)


def _returned_by_function(module: AnalysedModule, call: ast.Call) -> bool:
    """``return mlflow.start_run(...)``: the run is entered, and judged, where the function's
    caller enters it."""
    parent = module.model.parent(call)
    return isinstance(parent, ast.Return)


_NO_STATEMENTS: list[ast.stmt] = []


def _with_entering(module: AnalysedModule, call: ast.Call) -> ast.With | ast.AsyncWith | None:
    """The ``with`` that enters the run ``call`` starts when a name holds it first
    (``run_ctx = mlflow.start_run(...)`` under a condition, ``with run_ctx:`` later, as
    distributed training code does for its main process): its body is the run's."""
    return module.memo(_ENTERED, _entered_by_name).get(call)


# Per module: the call each ``with <name>:`` enters, by the assignments of the name that
# reach it (found once: asked per start_run it was N withs for each of N runs).
_ENTERED: MemoKey[dict[ast.AST, ast.With | ast.AsyncWith]] = MemoKey("entered_by_name")


def _entered_by_name(module: AnalysedModule) -> dict[ast.AST, ast.With | ast.AsyncWith]:
    model = module.model
    found: dict[ast.AST, ast.With | ast.AsyncWith] = {}
    withs: list[ast.With | ast.AsyncWith] = [*model.nodes_of(ast.With), *model.nodes_of(ast.AsyncWith)]
    for node in withs:
        for item in node.items:
            if isinstance(item.context_expr, ast.Name):
                for binding in model.bindings_reaching(item.context_expr.id, item.context_expr):
                    if isinstance(binding.value, ast.Call):
                        found.setdefault(binding.value, node)
    return found


def _following_statements(module: AnalysedModule, call: ast.Call) -> tuple[list[ast.stmt], int, int]:
    """The statements after the one holding ``call``, in its block, up to ``end_run()``:
    the block, and where they start and end in it."""
    statement: ast.AST = call
    parent = module.model.parent(statement)
    while parent is not None and not isinstance(statement, ast.stmt):
        statement, parent = parent, module.model.parent(parent)
    if parent is None:
        return _NO_STATEMENTS, 0, 0
    # The statement's index from the model's per-block index, and no copy of the rest of
    # the block: ``block.index`` and a slice per run cost N² for N runs in one block.
    found = module.model.block_of(statement)
    if found is None:
        return _NO_STATEMENTS, 0, 0
    block, index = found
    # The ``end_run()`` calls of the block, each statement looked at once however many runs
    # start in it (looking from each run on to its end was N² for N runs).
    scans = module.memo_table(_RUN_ENDS)
    scan = scans.get(id(block))
    if scan is None:
        scan = scans[id(block)] = _EndScan(block, index + 1, index + 1)
    return block, index + 1, scan.end_after(module, index)


@dataclass
class _EndScan:
    """Where the ``end_run()`` calls of a block are, in the part looked at so far."""

    block: list[ast.stmt]
    low: int  # statements [low, high) are looked at
    high: int
    stops: list[int] = field(default_factory=list)  # the end_run() statements among them, in order

    def end_after(self, module: AnalysedModule, index: int) -> int:
        """The first ``end_run()`` after statement ``index``, or the end of the block."""
        if index + 1 > self.high:  # past what was looked at: look from here (runs come in order)
            self.low = self.high = index + 1
            self.stops = []
        elif index + 1 < self.low:
            earlier = [at for at in range(index + 1, self.low) if _ends_run(module, self.block[at])]
            self.stops[:0] = earlier
            self.low = index + 1
        after = bisect.bisect_right(self.stops, index)
        if after < len(self.stops):
            return self.stops[after]
        while self.high < len(self.block):
            at, self.high = self.high, self.high + 1
            if _ends_run(module, self.block[at]):
                self.stops.append(at)
                return at
        return len(self.block)


def _ends_run(module: AnalysedModule, statement: ast.stmt) -> bool:
    return (
        isinstance(statement, ast.Expr)
        and isinstance(statement.value, ast.Call)
        and module.model.callee(statement.value) in ("mlflow.end_run", "mlflow.MlflowClient.set_terminated")
    )


def enables_autolog(module: AnalysedModule) -> bool:
    """Autologging is on for the module's runs: it turns it on (``mlflow.autolog()``,
    ``mlflow.<flavor>.autolog()``), or a project module it imports does (up to three
    levels: ``from app.clients import MLFlowClient``, whose ``__post_init__`` calls
    ``mlflow.autolog()``). One answer for every rule and the audit."""
    # On the module as written: imports do not depend on a frame.
    return module.base.memo(_ENABLES_AUTOLOG, lambda m: _autolog_in_reach(m, _AUTOLOG_IMPORT_LEVELS, set()))


def _turns_autolog_on(module: AnalysedModule) -> bool:
    """The module's own code calls an MLflow ``autolog()``."""
    return module.memo(_TURNS_AUTOLOG_ON, _own_autolog_calls)


def _own_autolog_calls(module: AnalysedModule) -> bool:
    model = module.model
    return any(
        (callee := model.callee(call)) is not None and is_mlflow(callee) and callee.endswith(".autolog")
        for call in model.calls_named(frozenset({"autolog"}))
    )


# How many levels of project imports are followed to find autologging turned on.
_AUTOLOG_IMPORT_LEVELS = 3


def _autolog_in_reach(module: AnalysedModule, levels: int, seen: set[str]) -> bool:
    if _turns_autolog_on(module):
        return True
    project = module.project
    if levels <= 0 or project is None or not _imports_say_autolog(module):
        return False
    seen.add(str(module.path))
    for bindings in module.model.scopes[module.tree].bindings.values():
        for binding in bindings:
            if binding.kind != "import" or not binding.qualified_name or is_mlflow(binding.qualified_name):
                continue
            found = project.resolve_binding(module.path, binding.qualified_name)
            imported = found[0] if found is not None else None
            if imported is None:  # ``import app.clients``: the module itself
                path = project.module_file(module.path, binding.qualified_name)
                imported = project.module_at(path) if path is not None else None
            if imported is not None and str(imported.path) not in seen and _autolog_in_reach(imported, levels - 1, seen):
                return True
    return False


def _imports_say_autolog(module: AnalysedModule) -> bool:
    """Whether a project module the module imports (at any depth) names ``autolog`` (a
    text look, logged for the result cache): when none does, no import can turn
    autologging on, and none is parsed to find out. The imports' text, not the whole
    project's: a pre-commit run on five files of a large tree reads what they import."""
    project = module.project
    return project is not None and project.root is not None and project.imports_saying(module.path, b"autolog")


# Calls that fit a model, which autologging logs: a run that makes one trains a model.
_FIT_METHODS = frozenset({"fit", "fit_transform", "train", "fit_generator", "partial_fit"})


def trains_model(module: AnalysedModule, run: RunScope) -> bool:
    """A training run: it logs or registers a model, or fits one under autologging (in its
    own body or the body of a resumption of it: a fit in a nested run it opens is that
    run's, as what it logs is)."""
    if run.effects(module).trains_model:
        return True
    if not enables_autolog(module):
        return False
    return any(
        isinstance(call.func, ast.Attribute) and call.func.attr in _FIT_METHODS
        for scope in (run, *resumptions(module, run))
        for call in calls_in(scope.body, module)
    )


# -- runs resumed by id -------------------------------------------------------------------------
# ``with mlflow.start_run() as run: run_id = run.info.run_id`` in one notebook cell, ``with
# mlflow.start_run(run_id=run_id): mlflow.sklearn.log_model(...)`` in a later one: one run,
# created where its tags belong and continued where its model is logged. What the resumption
# does is the creating run's, when the id it resumes is known to be that run's in the same
# module; an id from anywhere else (a parameter, sys.argv, a search, another module) leaves
# the resumption judged by no one, as before.

_RUN_READS = frozenset({"mlflow.get_run", f"{api.MLFLOW_CLIENT}.get_run"})
_ACTIVE_RUN = "mlflow.active_run"
_MAX_RUN_ID_STEPS = 8  # names, helpers and re-reads followed from a run id to its run


def resumptions(module: AnalysedModule, run: RunScope) -> list[RunScope]:
    """The ``mlflow.start_run(run_id=...)`` runs of the module that resume ``run`` (its id
    read as ``run.info.run_id``, ``mlflow.active_run().info.run_id`` inside it, or through
    names and same-module helpers that hold or return one of these)."""
    return module.memo(_RESUMPTIONS, _resumptions_by_run).get(run.call, [])


def _resumptions_by_run(module: AnalysedModule) -> dict[ast.Call, list[RunScope]]:
    created = _run_index(module).created
    found: dict[ast.Call, list[RunScope]] = {}
    for resumed in _resumed_runs(module):
        creator = _resumed_run(module, resumed.call, 0)
        if creator is not None and creator in created:
            found.setdefault(creator, []).append(resumed)
    return found


# MlflowClient calls that tag a run or log its inputs by its id: what they do is the run's
# wherever they are (a later notebook cell: ``client.set_tag(run.info.run_id, ...)``).
_CLIENT_RUN_CALLS = frozenset({f"{api.MLFLOW_CLIENT}.set_tag", f"{api.MLFLOW_CLIENT}.log_inputs", f"{api.MLFLOW_CLIENT}.log_input"})
_CLIENT_RUN_CALL_NAMES = frozenset(name.rpartition(".")[2] for name in _CLIENT_RUN_CALLS)


def _client_calls_by_run(module: AnalysedModule) -> dict[ast.Call, list[ast.Call]]:
    """The module's ``MlflowClient`` tag and input calls, by the call that created the run
    whose id they name (when known, as for a resumption: :func:`_run_of_id`)."""
    found: dict[ast.Call, list[ast.Call]] = {}
    for call in module.model.calls_named(_CLIENT_RUN_CALL_NAMES):
        callee = module.model.callee(call)
        if callee not in _CLIENT_RUN_CALLS:
            continue
        run_id = api.argument_of(call, callee, "run_id")
        creator = _run_of_id(module, run_id, 0) if run_id is not None else None
        if creator is not None:
            found.setdefault(creator, []).append(call)
    return found


def _resumed_run(module: AnalysedModule, call: ast.Call, depth: int) -> ast.Call | None:
    """The call that created the run ``start_run(run_id=...)`` resumes, when known."""
    run_id = api.argument_of(call, START_RUN, "run_id")
    return _run_of_id(module, run_id, depth + 1) if run_id is not None else None


def _run_of_id(module: AnalysedModule, expr: ast.AST, depth: int) -> ast.Call | None:
    """The call that created the run whose id ``expr`` is: ``<run>.info.run_id`` (or
    ``run_uuid``), through names and same-module helpers that return it."""
    if depth > _MAX_RUN_ID_STEPS:
        return None
    if isinstance(expr, ast.Attribute) and expr.attr in ("run_id", "run_uuid"):
        info = expr.value
        return _run_of_object(module, info.value, depth + 1) if isinstance(info, ast.Attribute) and info.attr == "info" else None
    return _through_names(module, expr, depth, _run_of_id)


def _run_of_object(module: AnalysedModule, expr: ast.AST, depth: int) -> ast.Call | None:
    """The call that created the run object ``expr``: ``start_run()`` / ``create_run()``
    (also a project context manager's run), the run a ``start_run(run_id=...)`` resumes,
    ``mlflow.active_run()`` inside a run, ``get_run(<its id>)``."""
    if depth > _MAX_RUN_ID_STEPS:
        return None
    if isinstance(expr, ast.Call):
        callee = module.model.callee(expr)
        if callee == START_RUN and _reopens_run(expr):
            return _resumed_run(module, expr, depth)
        if callee in (START_RUN, CREATE_RUN) or expr in _run_index(module).created:
            return expr
        if callee == _ACTIVE_RUN:
            return _run_around(module, expr, depth)
        if callee in _RUN_READS:
            run_id = api.argument_of(expr, callee, "run_id")
            return _run_of_id(module, run_id, depth + 1) if run_id is not None else None
    return _through_names(module, expr, depth, _run_of_object)


def _through_names(
    module: AnalysedModule, expr: ast.AST, depth: int, follow: Callable[[AnalysedModule, ast.AST, int], ast.Call | None]
) -> ast.Call | None:
    """``follow`` through a name to the value last assigned to it (``with ... as`` too), or
    through a helper of the same module every ``return`` of which leads to one run."""
    if isinstance(expr, ast.Name):
        binding = module.model.lookup(expr.id, expr)
        if binding is not None and binding.kind in ("assign", "with") and binding.value is not None:
            return follow(module, binding.value, depth + 1)
        return None
    if not isinstance(expr, ast.Call):
        return None
    target = resolve_called_function(module, expr)
    if target is None or target[0] is not module:
        return None  # another module's run is judged there, with what its own module does
    returns = [node.value for node in _own_returns(target[1]) if node.value is not None]
    found = {follow(module, value, depth + 1) for value in returns}
    return found.pop() if len(found) == 1 and len(returns) > 0 else None


def _run_around(module: AnalysedModule, node: ast.AST, depth: int) -> ast.Call | None:
    """The run active where ``node`` runs: the innermost run, new or resumed, whose
    statements hold it in the same function (a function's body runs where it is called)."""
    scopes = _run_index(module).active_by_block
    for ancestor in module.model.ancestors(node):
        if isinstance(ancestor, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            return None
        if not isinstance(ancestor, ast.stmt):
            continue
        place = module.model.block_of(ancestor)
        if place is None:
            continue
        block, index = place
        holding = [run for run in scopes.get(id(block), []) if run.block is block and run.start <= index < run.end]
        if holding:
            innermost = max(holding, key=lambda run: run.start)
            return _run_of_object(module, innermost.call, depth + 1)
    return None


@dataclass(frozen=True)
class _RunIndex:
    """The calls that start the module's new runs, and the runs that make a run active
    (``create_run()`` makes none), new or resumed, by the block their statements are in."""

    created: frozenset[ast.Call]
    active_by_block: dict[int, list[RunScope]]


_RUN_INDEX: MemoKey[_RunIndex] = MemoKey("run_index")


def _run_index(module: AnalysedModule) -> _RunIndex:
    return module.memo(_RUN_INDEX, _index_runs)


def _index_runs(module: AnalysedModule) -> _RunIndex:
    scopes: dict[int, list[RunScope]] = {}
    for run in itertools.chain(new_runs(module), _resumed_runs(module)):
        if module.model.callee(run.call) != CREATE_RUN:
            scopes.setdefault(id(run.block), []).append(run)
    return _RunIndex(frozenset(run.call for run in new_runs(module)), scopes)
