"""What the three model-consumption rules share: find the URI a consumer call loads."""

from __future__ import annotations

import ast
from dataclasses import dataclass

from mlflow_lint.analysis.calls import argument
from mlflow_lint.analysis.mlflow_calls import Consumer, consumer, display_api
from mlflow_lint.analysis.values import StrValue
from mlflow_lint.checks.base import FileContext


@dataclass(frozen=True)
class ConsumedUri:
    api: str
    consumer: Consumer
    expr: ast.expr  # the argument holding the URI
    values: tuple[StrValue, ...]


def consumed_uri(call: ast.Call, ctx: FileContext) -> ConsumedUri | None:
    """The model/artifact URI a consumer call loads, evaluated; None for other calls."""
    callee = ctx.python.model.callee(call)
    if callee is None:
        return None
    found = consumer(callee)
    if found is None or found.uri_position is None and found.uri_keyword is None:
        return None
    expr = argument(call, found.uri_position, found.uri_keyword)
    if expr is None:
        return None
    return ConsumedUri(display_api(callee), found, expr, ctx.python.values.evaluate(expr))
