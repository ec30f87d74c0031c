"""MLF802 run-without-input-dataset."""

from __future__ import annotations

import ast

from mlflow_lint.analysis.runs import new_runs
from mlflow_lint.checks.base import Check, FileContext


class RunWithoutInputDataset(Check):
    """A run that logs a model but never logs the dataset it was trained on.

    Modules that turn autologging on are skipped: autologging logs datasets itself.
    """

    rules = ("MLF802",)
    node_types = (ast.Module,)

    def visit(self, node: ast.AST, ctx: FileContext) -> None:
        if _enables_autolog(ctx):
            return
        for run in new_runs(ctx.python):
            effects = run.effects(ctx.python)
            if effects.logs_model and not effects.logs_input:
                ctx.report("MLF802", run.call, run=run.label)


def _enables_autolog(ctx: FileContext) -> bool:
    model = ctx.python.model
    for call in model.nodes_by_type.get(ast.Call, ()):
        func = call.func  # type: ignore[attr-defined]
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
        if name == "autolog" or name in model.name_aliases:
            callee = model.callee(call)  # type: ignore[arg-type]
            if callee is not None and callee.startswith("mlflow") and callee.endswith(".autolog"):
                return True
    return False
