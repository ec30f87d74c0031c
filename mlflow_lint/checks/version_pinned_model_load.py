"""MLF603 version-pinned-model-load."""

from __future__ import annotations

import ast

from mlflow_lint.analysis.commands import consumed_model
from mlflow_lint.analysis.mlflow_calls import CONSUMER_CALLS, consumed_uris
from mlflow_lint.analysis.uris import models_uri_kind
from mlflow_lint.checks.base import Check, FileContext
from mlflow_lint.sources.facts import Command


class VersionPinnedModelLoad(Check):
    """``models:/name/3``: a pinned registry version where an alias would allow rollback."""

    calls = CONSUMER_CALLS

    def visit_call(self, node: ast.Call, ctx: FileContext) -> None:
        for consumed in consumed_uris(ctx.python, node):
            if not consumed.consumer.loads_model:
                return  # downloads of a pinned version's files are not loads
            value = next((v for v in consumed.values if models_uri_kind(v) == "version"), None)
            if value is not None:
                ctx.report("MLF603", consumed.expr, api=consumed.api, value=value.render())

    def visit_command(self, command: Command, ctx: FileContext) -> None:
        found = consumed_model(command)
        if found is None:
            return
        api, word = found
        if models_uri_kind(word.value) == "version":
            ctx.report_at("MLF603", word.position, word.text, api=api, value=word.value.render())
