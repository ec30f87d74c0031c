"""MLF101 local-tracking-uri."""

from __future__ import annotations

import ast

from mlflow_lint.analysis.mlflow_calls import SINK_CALL_NAMES, uri_sinks
from mlflow_lint.analysis.uris import UriKind, classify
from mlflow_lint.checks.base import Check, FileContext
from mlflow_lint.sources.facts import Setting

_LOCAL = (UriKind.LOCAL_PATH, UriKind.FILE)


class LocalTrackingUri(Check):
    """A tracking URI that resolves to a local path or a ``file:`` URI."""

    rules = ("MLF101",)
    node_types = (ast.Call, ast.Assign)
    call_names = SINK_CALL_NAMES

    def visit(self, node: ast.AST, ctx: FileContext) -> None:
        for sink in uri_sinks(ctx.python, node):
            if sink.role != "tracking":
                continue
            for value in ctx.python.values.evaluate(sink.value):
                # A pathlib object can only name a local store, whatever its text.
                if classify(value) in _LOCAL or value.path_object:
                    ctx.report("MLF101", sink.value, api=sink.api, value=value.render())
                    break

    def visit_setting(self, setting: Setting, ctx: FileContext) -> None:
        if setting.name == "MLFLOW_TRACKING_URI" and setting.value is not None:
            # ${MLFLOW_TRACKING_URI:-./mlruns}: the fallback is the store when it is unset.
            for value in setting.value.values:
                if classify(value) in _LOCAL:
                    ctx.report_at("MLF101", setting.position, setting.value.text, api=setting.where, value=value.render())
                    break
