"""MLF403 destructive-registry-call."""

from __future__ import annotations

import ast

from mlflow_lint.analysis.mlflow_calls import DESTRUCTIVE_CALLS, display_api
from mlflow_lint.checks.base import Check, FileContext


class DestructiveRegistryCall(Check):
    """Deleting model versions, registered models, prompts, runs or experiments outside admin modules."""

    calls = DESTRUCTIVE_CALLS

    def visit_call(self, node: ast.Call, ctx: FileContext) -> None:
        callee = ctx.python.model.callee(node)
        if callee is None or callee not in DESTRUCTIVE_CALLS or _is_admin_module(ctx) or ctx.python.model.implements_mlflow:
            return  # MLflow's own package implements these APIs (mlflow.genai.delete_dataset): no user deletes
        ctx.report("MLF403", node, api=display_api(callee))


def _is_admin_module(ctx: FileContext) -> bool:
    return ctx.in_paths(ctx.options.registry_admin_modules)
