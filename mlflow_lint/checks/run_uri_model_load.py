"""MLF601 run-uri-model-load."""

from __future__ import annotations

import ast

from mlflow_lint.analysis.commands import consumed_model
from mlflow_lint.analysis.mlflow_calls import CONSUMER_CALL_NAMES, run_reads
from mlflow_lint.analysis.uris import UriKind, classify
from mlflow_lint.checks.base import Check, FileContext
from mlflow_lint.sources.facts import Command


class RunUriModelLoad(Check):
    """A model consumed from a run: a ``runs:/`` URI given to a loader, or a download of a
    run's model directory or model file (other artifacts read from a run are MLF604).

    The run the same code just created (``run.info.run_id`` of its ``start_run``,
    ``mlflow.active_run()``, a ``log_model`` result, a helper returning one of those) is
    not a finding.
    """

    rules = ("MLF601",)
    call_names = CONSUMER_CALL_NAMES

    def visit(self, node: ast.AST, ctx: FileContext) -> None:
        assert isinstance(node, ast.Call)
        for read in run_reads(ctx.python, node):
            if read.model:
                ctx.report("MLF601", read.expr, api=read.api, what="a model", source=read.source)

    def visit_command(self, command: Command, ctx: FileContext) -> None:
        found = consumed_model(command)
        if found is not None and classify(found[1].value) is UriKind.RUNS:
            api, word = found
            ctx.report_at("MLF601", word.position, word.text, api=api, what="a model", source=word.value.render())
