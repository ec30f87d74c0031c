"""MLF601 run-uri-model-load."""

from __future__ import annotations

import ast

from mlflow_lint.analysis.commands import consumed_model
from mlflow_lint.analysis.logged_models import logged_models_exist
from mlflow_lint.analysis.mlflow_calls import CONSUMER_CALLS, names_current_run, run_reads
from mlflow_lint.analysis.uris import UriKind, classify
from mlflow_lint.checks.base import Check, FileContext
from mlflow_lint.sources.facts import Command

_FROM_RUN = "a model from a run"
_LOGGED_MODEL = "a LoggedModel by id, outside the registry"


class RunUriModelLoad(Check):
    """A model consumed from a run: a ``runs:/`` URI given to a loader, or a download of a
    run's model directory or model file (other artifacts read from a run are MLF604).

    The run the same code just created (``run.info.run_id`` of its ``start_run``,
    ``mlflow.active_run()``, a ``log_model`` result, a helper returning one of those) is
    not a finding.

    MLflow 3: a LoggedModel consumed by id (``models:/<model_id>``) bypasses the registry
    the same way. A literal id is reported; an interpolated one only when its value is
    known to be the id of a model this code did not log (``search_logged_models()``,
    ``get_logged_model()``, an ``m-<hex>`` constant): ``models:/{model_info.model_id}``
    and ``models:/{model_id}`` with an unknown ``model_id`` are not.
    """

    calls = CONSUMER_CALLS

    def visit_call(self, node: ast.Call, ctx: FileContext) -> None:
        for read in run_reads(ctx.python, node):
            if read.logged_model and not logged_models_exist(ctx.python, ctx.options.target_mlflow_version):
                continue  # MLflow 2 has no LoggedModels
            if read.model:
                what = _LOGGED_MODEL if read.logged_model else _FROM_RUN
                ctx.report("MLF601", read.expr, api=read.api, what=what, source=read.source)

    def visit_command(self, command: Command, ctx: FileContext) -> None:
        found = consumed_model(command)
        # A command Python starts may serve the run the same code just created.
        if found is not None and classify(found[1].value) is UriKind.RUNS and not names_current_run(found[1].value):
            api, word = found
            ctx.report_at("MLF601", word.position, word.text, api=api, what=_FROM_RUN, source=word.value.render())
