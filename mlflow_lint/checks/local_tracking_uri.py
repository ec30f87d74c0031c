"""MLF101 local-tracking-uri."""

from __future__ import annotations

import ast

from mlflow_lint.analysis.mlflow_calls import SINK_CALL_NAMES, uri_sinks
from mlflow_lint.analysis.uris import UriKind, classify
from mlflow_lint.checks.base import Check, FileContext

_LOCAL = (UriKind.LOCAL_PATH, UriKind.FILE)


class LocalTrackingUri(Check):
    """A tracking URI that resolves to a local path or a ``file:`` URI."""

    rules = ("MLF101",)
    node_types = (ast.Call, ast.Assign)
    call_names = SINK_CALL_NAMES

    def visit(self, node: ast.AST, ctx: FileContext) -> None:
        for sink in uri_sinks(ctx.module, node):
            if sink.role != "tracking":
                continue
            for value in ctx.module.values.evaluate(sink.value):
                # A pathlib object can only name a local store, whatever its text.
                if classify(value) in _LOCAL or value.path_object:
                    ctx.report("MLF101", sink.value, api=sink.api, value=value.render())
                    break
