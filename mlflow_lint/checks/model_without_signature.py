"""MLF801 model-without-signature."""

from __future__ import annotations

import ast

from mlflow_lint.analysis.api import flavor_of_log_model
from mlflow_lint.analysis.calls import has_unpacked_keywords
from mlflow_lint.analysis.genai import sets_its_own_signature
from mlflow_lint.checks.base import Check, FileContext

# Flavors that infer a signature themselves when none is given.
SELF_INFERRING_FLAVORS = frozenset(
    {"transformers", "sentence_transformers", "langchain", "openai", "llama_index", "dspy"}
)
_MAX_POSITIONAL = 2  # beyond this, signature= may be passed positionally


class ModelWithoutSignature(Check):
    """``mlflow.<flavor>.log_model(...)`` with neither ``signature`` nor ``input_example``."""

    rules = ("MLF801",)
    call_names = frozenset({"log_model"})

    def visit(self, node: ast.AST, ctx: FileContext) -> None:
        assert isinstance(node, ast.Call)
        callee = ctx.python.model.callee(node)
        flavor = flavor_of_log_model(callee) if callee is not None else None
        if flavor is None or flavor in SELF_INFERRING_FLAVORS:
            return
        if has_unpacked_keywords(node) or len(node.args) > _MAX_POSITIONAL:
            return
        if any(isinstance(arg, ast.Starred) for arg in node.args):
            return
        if {kw.arg for kw in node.keywords} & {"signature", "input_example"}:
            return
        if sets_its_own_signature(ctx.python, node):
            return  # a model from code, an agent, a type-hinted model: MLflow sets its signature
        ctx.report("MLF801", node, api=callee)  # type: ignore[arg-type]
