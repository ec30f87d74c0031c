"""MLF403 destructive-registry-call."""

from __future__ import annotations

import ast

from mlflow_lint.analysis import api
from mlflow_lint.analysis.mlflow_calls import display_api
from mlflow_lint.checks.base import Check, FileContext

# From the API model's roles (scripts/mlflow_roles.yaml): model versions, registered models,
# runs, experiments, LoggedModels, prompts and prompt versions, traces and evaluation
# datasets. ``mlflow.delete_prompt(name, version)`` is there though MLflow 3.18.0 removed it
# (MLF901's concern): code written for 2.22.5 or 3.0.0 still deletes with it.
DESTRUCTIVE_CALLS = frozenset(api.role("deletes"))


class DestructiveRegistryCall(Check):
    """Deleting model versions, registered models, prompts, runs or experiments outside admin modules."""

    rules = ("MLF403",)
    call_names = frozenset(name.rpartition(".")[2] for name in DESTRUCTIVE_CALLS)

    def visit(self, node: ast.AST, ctx: FileContext) -> None:
        assert isinstance(node, ast.Call)
        callee = ctx.python.model.callee(node)
        if callee not in DESTRUCTIVE_CALLS or _is_admin_module(ctx) or ctx.python.model.implements_mlflow:
            return  # MLflow's own package implements these APIs (mlflow.genai.delete_dataset): no user deletes
        ctx.report("MLF403", node, api=display_api(callee))


def _is_admin_module(ctx: FileContext) -> bool:
    return ctx.in_paths(ctx.options.registry_admin_modules)
