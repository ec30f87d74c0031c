"""Models that MLflow 3 logs with no active run: LoggedModels that belong to no run.

In MLflow 2, ``mlflow.<flavor>.log_model()`` with no active run started one. From MLflow
3.0.0 on (read from MLflow 3.18.0's mlflow/models/model.py ``Model.log``), it takes the
active run if there is one and otherwise none: ``_create_logged_model(source_run_id=None,
tags=<its tags=>, params=...)`` makes a LoggedModel that no run holds. Such a model has no
run for MLF501 (tags) and MLF802 (input dataset) to look at, so what counts is what the
model itself receives:

- tags: ``log_model(..., tags=...)``, ``mlflow.set_logged_model_tags(model_id, tags)``,
  ``MlflowClient.set_logged_model_tags(model_id, tags)``, or the ``tags=`` of the model a
  ``log_model(model_id=...)`` fills (``initialize_logged_model``, ``create_external_model``,
  ``MlflowClient.create_logged_model``);
- a dataset: MLflow 3.18.0 links datasets to a LoggedModel through its metrics
  (``mlflow.log_metric(s)(..., dataset=..., model_id=...)``; ``mlflow.models.evaluate``
  of the model with ``data=`` does the same), or pairs them as inputs of one run
  (``mlflow.log_input(dataset, model=LoggedModelInput(model_id))``). ``mlflow.log_input``
  has no ``model_id`` parameter: a plain ``log_input`` after a run-less ``log_model``
  starts a new run the model is not part of.

"No active run" is decided only where it can be: the code a module runs from its top
level (module statements, ``if __name__ == "__main__":``, and the project functions they
call, followed into other modules), in source order, outside every ``with start_run()``
and before any call that leaves a run active (``start_run()`` as a statement, or one of
the fluent APIs that start a run when none is active). A function no top-level code of
its module calls may run inside a caller's run: its ``log_model`` is not reported.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass, field

from mlflow_lint.analysis import api
from mlflow_lint.analysis.calls import argument, has_unpacked_keywords
from mlflow_lint.analysis.effects import (
    LOGS_FITTED_MODEL,
    START_RUN,
    TagKeys,
    _model_logging,
    resolve_called_function,
    tag_keys_of,
)
from mlflow_lint.analysis.memo import MemoKey
from mlflow_lint.analysis.mlflow_target import mlflow_target
from mlflow_lint.analysis.module import AnalysedModule
from mlflow_lint.analysis.runs import enables_autolog, enters_run

_MAX_DEPTH = 6
_FIRST_WITH_LOGGED_MODELS = (3, 0, 0)
# Fluent APIs that call ``_get_or_start_run()`` in MLflow 3.18.0 (mlflow/tracking/fluent.py):
# with no active run they start one and leave it active.
_STARTS_RUN = frozenset(
    {
        f"mlflow.{name}"
        for name in (
            "log_param", "log_params", "log_metric", "log_metrics", "set_tag", "set_tags", "delete_tag",
            "log_input", "log_inputs", "log_artifact", "log_artifacts", "log_text", "log_dict",
            "log_stream", "log_figure", "log_image", "log_table", "log_outputs", "get_artifact_uri",
        )
    }
)  # fmt: skip
# Flavors whose log_model still calls ``_get_or_start_run()`` (3.18.0 mlflow/spark/__init__.py,
# mlflow/johnsnowlabs/__init__.py): their models always belong to a run.
_RUN_BOUND_FLAVORS = frozenset({"spark", "johnsnowlabs"})
_SET_MODEL_TAGS = frozenset({"mlflow.set_logged_model_tags", f"{api.MLFLOW_CLIENT}.set_logged_model_tags"})
_METRICS = frozenset({"mlflow.log_metric", "mlflow.log_metrics"})
_INPUTS = frozenset({"mlflow.log_input", "mlflow.log_inputs"})
_MODEL_FACTORIES = frozenset(
    {"mlflow.initialize_logged_model", "mlflow.create_external_model", f"{api.MLFLOW_CLIENT}.create_logged_model"}
)
# ``mlflow.models.evaluate`` (``mlflow.evaluate`` is its deprecated alias) logs its metrics
# to the evaluated model with ``dataset=data`` (3.18.0 mlflow/models/evaluation/base.py).
_EVALUATE = frozenset({"mlflow.evaluate", "mlflow.models.evaluate"})
_LAST = "last"  # an id that names the model logged last (``mlflow.last_logged_model()``)


@dataclass
class RunlessModel:
    """A ``log_model`` call that runs with no active run, and what its LoggedModel receives."""

    module: AnalysedModule = field(repr=False)
    call: ast.Call
    flavor: str
    fitted: bool  # a model fitted on data (MLF802 skips GenAI models and checkpoints)
    tags: TagKeys
    links_dataset: bool = False
    origin: ast.Call | None = field(default=None, repr=False)  # the call that created the model


@dataclass(frozen=True)
class _Event:
    module: AnalysedModule
    call: ast.Call
    in_run: bool  # inside a ``with start_run()`` (of this code or of a caller)


def logged_models_exist(module: AnalysedModule, configured_target: str) -> bool:
    """LoggedModels exist from MLflow 3.0.0 on: code that may run on 3.x has them. A target
    of 2.x only (the option, a notebook's pin, the project's requirement) logs every model
    in a run (MLflow 2.22.5's ``Model.log`` calls ``_get_or_start_run()``) and has no
    ``models:/<model_id>`` URIs."""
    return mlflow_target(module, configured_target).may_run_on(_FIRST_WITH_LOGGED_MODELS)


_RUNLESS_MODELS: MemoKey[list[RunlessModel]] = MemoKey("runless_models")


def runless_models(module: AnalysedModule) -> list[RunlessModel]:
    """The run-less ``log_model`` calls written in ``module`` and reached from its top
    level (computed once per module)."""
    return module.memo(_RUNLESS_MODELS, _runless_models)


def _runless_models(module: AnalysedModule) -> list[RunlessModel]:
    # Only this module's own log_model calls are reported: without one, no scan (which
    # would follow every call of the module's top-level code into the project).
    logs_here = any(
        (callee := module.model.callee(call)) is not None and api.flavor_of_log_model(callee) is not None
        for call in module.model.calls_named(frozenset({"log_model"}))
    )
    return [] if not logs_here or enables_autolog(module) else [m for m in _scan(module) if m.module is module]


def _scan(module: AnalysedModule) -> list[RunlessModel]:
    """Every run-less model the module's top-level code logs (in any module it calls), and
    what the code after each one gives it."""
    models: list[RunlessModel] = []
    run_active = False
    for event in _events(module, module.tree.body, in_run=False, depth=0, stack=()):
        callee = event.module.model.callee(event.call)
        if callee is None:
            continue
        flavor = api.flavor_of_log_model(callee)
        if flavor is not None:
            if event.in_run or run_active:
                continue
            if flavor in _RUN_BOUND_FLAVORS:
                run_active = True
            elif not _given(argument(event.call, None, "run_id")):
                models.append(_runless_log(event, flavor))
            continue
        if models:
            _receive(event, callee, models)
        if not event.in_run and (callee in _STARTS_RUN or _starts_run_statement(event, callee)):
            run_active = True
    return models


def _runless_log(event: _Event, flavor: str) -> RunlessModel:
    call, module = event.call, event.module
    tags = tag_keys_of(module, argument(call, None, "tags"))
    if has_unpacked_keywords(call):
        tags = tags | TagKeys(unknown=True)
    fitted = LOGS_FITTED_MODEL in _model_logging(module, call, flavor)
    logged = RunlessModel(module, call, flavor, fitted, tags, origin=call)
    model_id = argument(call, None, "model_id")
    if _given(model_id):
        # ``log_model(model_id=...)`` fills a model created before: that model's tags= count.
        creator = _creator(module, model_id)  # type: ignore[arg-type]
        factory = module.model.callee(creator) if isinstance(creator, ast.Call) else None
        if isinstance(creator, ast.Call) and factory in _MODEL_FACTORIES:
            logged.tags = logged.tags | tag_keys_of(module, api.argument_of(creator, factory, "tags"))
            logged.origin = creator
        else:
            logged.tags = logged.tags | TagKeys(unknown=True)  # a model we cannot see
    return logged


def _receive(event: _Event, callee: str, models: list[RunlessModel]) -> None:
    """Tags and dataset links that ``event`` gives to the run-less models logged before it."""
    call, module = event.call, event.module
    if callee in _SET_MODEL_TAGS:
        tags = tag_keys_of(module, api.argument_of(call, callee, "tags"))
        for model in _targets(module, api.argument_of(call, callee, "model_id"), models):
            model.tags = model.tags | tags
    elif callee in _METRICS and _given(argument(call, None, "dataset")):
        for model in _targets(module, argument(call, None, "model_id"), models, unknown_matches=False):
            model.links_dataset = True
    elif callee in _INPUTS:
        for model in _input_models(module, call, models):
            model.links_dataset = True
    elif callee in _EVALUATE and _given(api.argument_of(call, callee, "data")):
        target = api.argument_of(call, callee, "model_id") or api.argument_of(call, callee, "model")
        for model in _targets(module, target, models, unknown_matches=False):
            model.links_dataset = True


def _input_models(module: AnalysedModule, call: ast.Call, models: list[RunlessModel]) -> Iterator[RunlessModel]:
    """``log_input(dataset, model=LoggedModelInput(model_id))``: the run pairs the dataset
    with the model. ``log_inputs(datasets=[...], models=[...])`` the same."""
    single = module.model.callee(call) == "mlflow.log_input"
    callee = "mlflow.log_input" if single else "mlflow.log_inputs"
    dataset = api.argument_of(call, callee, "dataset" if single else "datasets")
    inputs = api.argument_of(call, callee, "model" if single else "models")
    if not _given(dataset) or not _given(inputs):
        return
    for node in ast.walk(inputs):  # type: ignore[arg-type]
        if isinstance(node, ast.Call) and (module.model.callee(node) or "").endswith(".LoggedModelInput"):
            yield from _targets(module, argument(node, 0, "model_id"), models, unknown_matches=False)


def _targets(
    module: AnalysedModule, model_id: ast.expr | None, models: list[RunlessModel], *, unknown_matches: bool = True
) -> list[RunlessModel]:
    """The run-less models an id (or a ``ModelInfo.model_uri``) names: the one whose
    ``log_model`` result it reads, the last one for ``last_logged_model()``; an id that
    cannot be traced names every one when ``unknown_matches`` (a tag set on an unknown
    model may be on ours: unknown is never a finding)."""
    if not _given(model_id):
        return []
    creator = _creator(module, model_id)  # type: ignore[arg-type]
    if creator == _LAST:
        return models[-1:]
    if isinstance(creator, ast.Call):
        return [model for model in models if creator in (model.call, model.origin)]
    return list(models) if unknown_matches else []


def _creator(module: AnalysedModule, expr: ast.expr, depth: int = 0) -> ast.Call | str | None:
    """The call that created the model ``expr`` (an id, a ``model_uri``, a ModelInfo or a
    LoggedModel) names, ``_LAST`` for ``last_logged_model()``, or None when unknown."""
    if depth > _MAX_DEPTH:
        return None
    if isinstance(expr, ast.Attribute) and expr.attr in ("model_id", "model_uri"):
        return _creator(module, expr.value, depth + 1)
    if isinstance(expr, ast.Name):
        binding = module.model.lookup(expr.id, expr)
        if binding is not None and binding.kind in ("assign", "with") and binding.value is not None:
            return _creator(module, binding.value, depth + 1)
        return None
    if isinstance(expr, ast.Call):
        callee = module.model.callee(expr)
        if callee == "mlflow.last_logged_model":
            return _LAST
        if callee is not None and (api.flavor_of_log_model(callee) is not None or callee in _MODEL_FACTORIES):
            return expr
    return None


def _given(expr: ast.expr | None) -> bool:
    return expr is not None and not (isinstance(expr, ast.Constant) and expr.value is None)


def _starts_run_statement(event: _Event, callee: str) -> bool:
    """``mlflow.start_run()`` outside a ``with``: the run stays active after it."""
    if callee != START_RUN:
        return False
    parent = event.module.model.parent(event.call)
    return not isinstance(parent, ast.withitem)


def _events(
    module: AnalysedModule, statements: list[ast.stmt], in_run: bool, depth: int, stack: tuple[ast.AST, ...]
) -> Iterator[_Event]:
    """The calls ``statements`` execute, in source order, entering project functions."""
    for statement in statements:
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        if isinstance(statement, (ast.With, ast.AsyncWith)):
            # A run, also one a project context manager starts (``with tracking.run():``).
            opens = any(isinstance(item.context_expr, ast.Call) and enters_run(module, item.context_expr) for item in statement.items)
            for item in statement.items:
                yield from _expression_events(module, item.context_expr, in_run, depth, stack)
            yield from _events(module, statement.body, in_run or opens, depth, stack)
            continue
        compound = [getattr(statement, name, None) for name in ("body", "orelse", "finalbody")]
        handlers = getattr(statement, "handlers", None) or getattr(statement, "cases", None) or []
        blocks = [block for block in compound if isinstance(block, list)] + [h.body for h in handlers]
        if blocks:
            for child in ast.iter_child_nodes(statement):
                if isinstance(child, ast.expr):
                    yield from _expression_events(module, child, in_run, depth, stack)
            for block in blocks:
                yield from _events(module, block, in_run, depth, stack)
            continue
        yield from _expression_events(module, statement, in_run, depth, stack)


def _expression_events(
    module: AnalysedModule, node: ast.AST, in_run: bool, depth: int, stack: tuple[ast.AST, ...]
) -> Iterator[_Event]:
    calls = [n for n in ast.walk(node) if isinstance(n, ast.Call) and not _in_lambda(module, n, node)]
    # Arguments are evaluated before the call that receives them.
    calls.sort(key=lambda call: (call.end_lineno or 0, call.end_col_offset or 0))
    for call in calls:
        yield _Event(module, call, in_run)
        callee = module.model.callee(call)
        if (callee is not None and api.is_mlflow(callee)) or depth >= _MAX_DEPTH:
            continue
        target = resolve_called_function(module, call)
        if target is None or target[1] in stack:
            continue
        defining, function = target
        yield from _events(defining, function.body, in_run, depth + 1, (*stack, function))


def _in_lambda(module: AnalysedModule, call: ast.Call, root: ast.AST) -> bool:
    parent = module.model.parent(call)
    while parent is not None and parent is not root:
        if isinstance(parent, ast.Lambda):
            return True
        parent = module.model.parent(parent)
    return False
