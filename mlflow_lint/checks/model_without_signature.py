"""MLF801 model-without-signature."""

from __future__ import annotations

import ast

from mlflow_lint.analysis import api
from mlflow_lint.analysis.api import flavor_of_log_model
from mlflow_lint.analysis.calls import has_unpacked_keywords
from mlflow_lint.analysis.genai import SELF_INFERRING_FLAVORS, sets_its_own_signature
from mlflow_lint.checks.base import Check, FileContext

_MAX_POSITIONAL = 2  # beyond this, signature= may be passed positionally


class ModelWithoutSignature(Check):
    """``mlflow.<flavor>.log_model(...)`` with neither ``signature`` nor ``input_example``."""

    calls = api.flavor_calls("log_model")

    def visit_call(self, node: ast.Call, ctx: FileContext) -> None:
        callee = ctx.python.model.callee(node)
        flavor = flavor_of_log_model(callee) if callee is not None else None
        if callee is None or flavor is None or flavor in SELF_INFERRING_FLAVORS:
            return
        if has_unpacked_keywords(node) or len(node.args) > _MAX_POSITIONAL:
            return
        if any(isinstance(arg, ast.Starred) for arg in node.args):
            return
        if {kw.arg for kw in node.keywords} & {"signature", "input_example"}:
            return
        if sets_its_own_signature(ctx.python, node):
            return  # a model from code, an agent, a type-hinted model: MLflow sets its signature
        ctx.report("MLF801", node, api=callee)
