"""MLF802 run-without-input-dataset."""

from __future__ import annotations

import ast

from mlflow_lint.analysis.runs import enables_autolog, new_runs
from mlflow_lint.checks.base import Check, FileContext


class RunWithoutInputDataset(Check):
    """A run that logs a model fitted on data but never logs the dataset it was trained on.

    Modules that turn autologging on are skipped: autologging logs datasets itself. Runs
    that log only GenAI models (LLM flavors, models from code, agents, type-hinted
    models; see analysis/genai.py) train on no dataset and are not reported.
    """

    rules = ("MLF802",)
    node_types = (ast.Module,)

    def visit(self, node: ast.AST, ctx: FileContext) -> None:
        if enables_autolog(ctx.python):
            return
        for run in new_runs(ctx.python):
            effects = run.effects(ctx.python)
            if effects.logs_fitted_model and not effects.logs_input:
                ctx.report("MLF802", run.call, run=run.label)
