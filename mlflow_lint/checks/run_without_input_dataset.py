"""MLF802 run-without-input-dataset."""

from __future__ import annotations

import ast

from mlflow_lint.analysis.logged_models import logged_models_exist, runless_models
from mlflow_lint.analysis.runs import enables_autolog, new_runs
from mlflow_lint.checks.base import Check, FileContext

_RUN_FIX = 'call mlflow.log_input(mlflow.data.from_pandas(df, ...), context="training")'
_MODEL_FIX = (
    "log it inside a run that calls mlflow.log_input(...), or link a dataset to its LoggedModel "
    "with mlflow.log_metric(..., dataset=..., model_id=model_info.model_id)"
)


class RunWithoutInputDataset(Check):
    """A run that logs a model fitted on data but never logs the dataset it was trained on.

    Modules that turn autologging on are skipped: autologging logs datasets itself. Runs
    that log only GenAI models (LLM flavors, models from code, agents, type-hinted
    models; see analysis/genai.py) train on no dataset and are not reported. What a
    resumption of a run in the same module logs is the run's (analysis/runs.py).

    MLflow 3: a ``log_model`` of a fitted model with no active run makes a LoggedModel
    that no run holds (analysis/logged_models.py); it is reported at the ``log_model``
    call unless a dataset is linked to that model.
    """


    def visit_module(self, node: ast.Module, ctx: FileContext) -> None:
        # Autologging is asked only of a module with something to report (it may read the
        # project modules this one imports).
        unlogged = [run for run in new_runs(ctx.python) if (effects := run.effects(ctx.python)).logs_fitted_model and not effects.logs_input]
        if unlogged and enables_autolog(ctx.python):
            return
        for run in unlogged:
            ctx.report("MLF802", run.call, run=run.label, remedy=_RUN_FIX)
        runless = runless_models(ctx.python)
        if not runless or not logged_models_exist(ctx.python, ctx.options.target_mlflow_version):
            return  # asked only where a model is logged with no run: the target may read files
        for logged in runless:
            if logged.fitted and not logged.links_dataset:
                where = f"mlflow.{logged.flavor}.log_model(), outside any run,"
                ctx.report("MLF802", logged.call, run=where, remedy=_MODEL_FIX)
