"""MLF604 run-artifact-download."""

from __future__ import annotations

import ast

from mlflow_lint.analysis.mlflow_calls import CONSUMER_CALLS, run_reads
from mlflow_lint.checks.base import Check, FileContext


class RunArtifactDownload(Check):
    """An artifact other than a model (a config, a data file, a plot, a whole run) read
    from a run: a lineage risk auditors want to see, never an error. Models consumed from
    a run are MLF601; the run the same code created is never a finding."""

    calls = CONSUMER_CALLS

    def visit_call(self, node: ast.Call, ctx: FileContext) -> None:
        for read in run_reads(ctx.python, node):
            if not read.model:
                ctx.report("MLF604", read.expr, api=read.api, source=read.source)
