"""MLF602 storage-path-model-load."""

from __future__ import annotations

import ast

from mlflow_lint.analysis.commands import consumed_model
from mlflow_lint.analysis.mlflow_calls import CONSUMER_CALLS, consumed_uris, registry_download_destination
from mlflow_lint.analysis.uris import UriKind, classify, is_path_like
from mlflow_lint.analysis.values import StrValue
from mlflow_lint.checks.base import Check, FileContext
from mlflow_lint.sources.facts import Command

_RAW_STORAGE = (UriKind.OBJECT_STORE, UriKind.FILE, UriKind.MLFLOW_ARTIFACTS)


def is_raw_storage(value: StrValue) -> bool:
    kind = classify(value)
    return kind in _RAW_STORAGE or (kind is UriKind.LOCAL_PATH and is_path_like(value))


class StoragePathModelLoad(Check):
    """A model loaded from a raw storage location instead of the registry."""

    calls = CONSUMER_CALLS

    def visit_call(self, node: ast.Call, ctx: FileContext) -> None:
        for consumed in consumed_uris(ctx.python, node):
            if not consumed.consumer.loads_model:
                return
            value = next((v for v in consumed.values if is_raw_storage(v)), None)
            # A local copy of what the registry served is not a storage path (policy).
            if value is not None and not registry_download_destination(ctx.python, consumed.expr):
                ctx.report("MLF602", consumed.expr, api=consumed.api, value=value.render())

    def visit_command(self, command: Command, ctx: FileContext) -> None:
        found = consumed_model(command)
        if found is not None and is_raw_storage(found[1].value):
            api, word = found
            ctx.report_at("MLF602", word.position, word.text, api=api, value=word.value.render())
