"""The runs a module starts, and the code that runs inside each of them."""

from __future__ import annotations

import ast
from dataclasses import dataclass

from mlflow_lint.analysis.calls import argument
from mlflow_lint.analysis.effects import CREATE_RUN, START_RUN, Effects, effects_of, tag_keys_of
from mlflow_lint.analysis.module import AnalysedModule


@dataclass(frozen=True)
class RunScope:
    """A new run: the call that starts it and the statements that execute inside it."""

    call: ast.Call
    label: str  # for messages: "mlflow.start_run()" / "MlflowClient.create_run()"
    body: tuple[ast.stmt, ...]

    def effects(self, module: AnalysedModule) -> Effects:
        initial = Effects(tags=tag_keys_of(module, _tags_argument(module, self.call)))
        return initial | effects_of(module, self.body)


def _tags_argument(module: AnalysedModule, call: ast.Call) -> ast.expr | None:
    if module.model.callee(call) == CREATE_RUN:
        return argument(call, 2, "tags")
    return argument(call, 5, "tags")


def _reopens_run(call: ast.Call) -> bool:
    """``start_run(run_id=...)`` (first positional too) resumes an existing run."""
    run_id = argument(call, 0, "run_id")
    return run_id is not None and not (isinstance(run_id, ast.Constant) and run_id.value is None)


def new_runs(module: AnalysedModule) -> list[RunScope]:
    """Every new run in the module (computed once per module)."""
    cached = module.cache.get("new_runs")
    if cached is not None:
        return cached  # type: ignore[return-value]
    runs: list[RunScope] = []
    model = module.model
    in_with: set[ast.Call] = set()
    for node in model.nodes_by_type.get(ast.With, []) + model.nodes_by_type.get(ast.AsyncWith, []):
        for item in node.items:  # type: ignore[attr-defined]
            call = item.context_expr
            if isinstance(call, ast.Call) and model.callee(call) == START_RUN:
                in_with.add(call)
                if not _reopens_run(call):
                    runs.append(RunScope(call, "mlflow.start_run()", tuple(node.body)))  # type: ignore[attr-defined]
    for call in model.nodes_by_type.get(ast.Call, []):
        assert isinstance(call, ast.Call)
        if call in in_with:
            continue
        # Cheap syntactic test first; a bare name may be an alias (from mlflow import start_run as sr).
        if _terminal(call) not in ("start_run", "create_run") and not isinstance(call.func, ast.Name):
            continue
        callee = model.callee(call)
        if callee not in (START_RUN, CREATE_RUN):
            continue
        if callee == START_RUN and _reopens_run(call):
            continue
        label = "mlflow.start_run()" if callee == START_RUN else "MlflowClient.create_run()"
        runs.append(RunScope(call, label, _following_statements(module, call)))
    runs.sort(key=lambda run: (run.call.lineno, run.call.col_offset))
    module.cache["new_runs"] = runs
    return runs


def _terminal(call: ast.Call) -> str | None:
    func = call.func
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)


def _following_statements(module: AnalysedModule, call: ast.Call) -> tuple[ast.stmt, ...]:
    """The statements after the one holding ``call``, in its block, up to ``end_run()``."""
    statement: ast.AST = call
    parent = module.model.parent(statement)
    while parent is not None and not isinstance(statement, ast.stmt):
        statement, parent = parent, module.model.parent(parent)
    if parent is None:
        return ()
    for field in ("body", "orelse", "finalbody", "handlers"):
        block = getattr(parent, field, None)
        if isinstance(block, list) and statement in block:
            following = []
            for sibling in block[block.index(statement) + 1 :]:
                if _ends_run(module, sibling):
                    break
                following.append(sibling)
            return tuple(following)
    return ()


def _ends_run(module: AnalysedModule, statement: ast.stmt) -> bool:
    return (
        isinstance(statement, ast.Expr)
        and isinstance(statement.value, ast.Call)
        and module.model.callee(statement.value) in ("mlflow.end_run", "mlflow.MlflowClient.set_terminated")
    )
