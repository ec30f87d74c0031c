"""MLF201 non-sql-backend-store (Python forms: SQLite tracking and registry URIs)."""

from __future__ import annotations

import ast

from mlflow_lint.analysis.mlflow_calls import SINK_CALL_NAMES, uri_sinks
from mlflow_lint.analysis.uris import UriKind, classify
from mlflow_lint.checks.base import Check, FileContext


class NonSqlBackendStore(Check):
    """A tracking or registry URI that resolves to a ``sqlite:`` store."""

    rules = ("MLF201",)
    node_types = (ast.Call, ast.Assign)
    call_names = SINK_CALL_NAMES

    def visit(self, node: ast.AST, ctx: FileContext) -> None:
        for sink in uri_sinks(ctx.module, node):
            for value in ctx.module.values.evaluate(sink.value):
                if classify(value) is UriKind.SQLITE:
                    ctx.report("MLF201", sink.value, api=sink.api, value=value.render())
                    break
