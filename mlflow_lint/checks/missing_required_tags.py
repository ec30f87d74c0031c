"""MLF501 missing-required-tags."""

from __future__ import annotations

import ast
import functools
from collections.abc import Callable

from mlflow_lint.analysis.effects import TagKeys
from mlflow_lint.analysis.logged_models import logged_models_exist, runless_models
from mlflow_lint.analysis.runs import new_runs, trains_model
from mlflow_lint.checks.base import Check, FileContext

_RUN_FIX = "set them with tags= or mlflow.set_tags() (or a helper that does)"
_MODEL_FIX = (
    "its LoggedModel belongs to no run: pass tags= to log_model() or call "
    "mlflow.set_logged_model_tags(model_info.model_id, ...)"
)


class MissingRequiredTags(Check):
    """A new run that does not receive every ``required-tags`` key; unconfigured, a training
    run (one that logs or registers a model, or fits one under autologging) with no tag.

    Evaluation, tracing, LLM-call and bookkeeping runs are left to ``required-tags``: a
    project that wants them tagged says which keys. Tags count from ``tags=``, ``set_tag``/``set_tags`` in the run body, and project helpers
    called in the run (transitively, across modules). Keys that cannot be known (a tags
    parameter, ``**kwargs``) are taken to satisfy the rule: unknown is never a finding.
    A run resumed in the same module (``start_run(run_id=run.info.run_id)``) is the run
    that created the id: what the resumption does counts for it (analysis/runs.py).

    MLflow 3: a ``log_model`` with no active run makes a LoggedModel that no run holds
    (analysis/logged_models.py); it is checked the same way, at the ``log_model`` call,
    with the tags the model itself receives.
    """


    def visit_module(self, node: ast.Module, ctx: FileContext) -> None:
        for run in new_runs(ctx.python):
            missing = _missing(run.effects(ctx.python).tags, ctx, functools.partial(trains_model, ctx.python, run))
            if missing is not None:
                ctx.report("MLF501", run.call, run=run.label, missing=missing, remedy=_RUN_FIX)
        runless = runless_models(ctx.python)
        if not runless or not logged_models_exist(ctx.python, ctx.options.target_mlflow_version):
            return  # asked only where a model is logged with no run: the target may read files
        for logged in runless:
            missing = _missing(logged.tags, ctx, lambda: True)
            if missing is not None:
                where = f"mlflow.{logged.flavor}.log_model() outside any run"
                ctx.report("MLF501", logged.call, run=where, missing=missing, remedy=_MODEL_FIX)


def _missing(tags: TagKeys, ctx: FileContext, trains: Callable[[], bool]) -> str | None:
    """The required keys ``tags`` lacks, for the message; None when nothing is missing."""
    if tags.unknown:
        return None
    required = ctx.options.required_tags
    if required:
        missing = [key for key in required if key not in tags.keys]
        return ", ".join(repr(k) for k in missing) if missing else None
    return "(any tag)" if not tags.keys and trains() else None
