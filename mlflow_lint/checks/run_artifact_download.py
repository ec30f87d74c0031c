"""MLF604 run-artifact-download."""

from __future__ import annotations

import ast

from mlflow_lint.analysis.mlflow_calls import CONSUMER_CALL_NAMES, run_reads
from mlflow_lint.checks.base import Check, FileContext


class RunArtifactDownload(Check):
    """An artifact other than a model (a config, a data file, a plot, a whole run) read
    from a run: a lineage risk auditors want to see, never an error. Models consumed from
    a run are MLF601; the run the same code created is never a finding."""

    rules = ("MLF604",)
    call_names = CONSUMER_CALL_NAMES

    def visit(self, node: ast.AST, ctx: FileContext) -> None:
        assert isinstance(node, ast.Call)
        for read in run_reads(ctx.python, node):
            if not read.model:
                ctx.report("MLF604", read.expr, api=read.api, source=read.source)
