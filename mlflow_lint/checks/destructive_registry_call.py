"""MLF403 destructive-registry-call."""

from __future__ import annotations

import ast

from mlflow_lint.analysis import api
from mlflow_lint.analysis.mlflow_calls import display_api
from mlflow_lint.checks.base import Check, FileContext

_CLIENT_DELETES = (
    "delete_model_version",
    "delete_registered_model",
    "delete_run",
    "delete_experiment",
    "delete_logged_model",
    # The prompt registry (MLflow 3.18.0 mlflow/tracking/client.py): a whole prompt, one
    # version. Neither has an ``mlflow.genai`` form.
    "delete_prompt",
    "delete_prompt_version",
    # GenAI evidence (MLflow 3.18.0): the traces an evaluation judged and the evaluation
    # datasets it ran on.
    "delete_traces",
    "delete_dataset",
)
# ``mlflow.delete_prompt(name, version)`` deleted a prompt version in MLflow 2.22.5 and 3.0.0
# (mlflow/tracking/_model_registry/fluent.py); 3.18.0 no longer has it (MLF901's concern).
_FLUENT_DELETES = ("mlflow.delete_run", "mlflow.delete_experiment", "mlflow.delete_prompt", "mlflow.genai.delete_dataset")
DESTRUCTIVE_CALLS = frozenset({f"{api.MLFLOW_CLIENT}.{name}" for name in _CLIENT_DELETES} | set(_FLUENT_DELETES))


class DestructiveRegistryCall(Check):
    """Deleting model versions, registered models, prompts, runs or experiments outside admin modules."""

    rules = ("MLF403",)
    call_names = frozenset(_CLIENT_DELETES)

    def visit(self, node: ast.AST, ctx: FileContext) -> None:
        assert isinstance(node, ast.Call)
        callee = ctx.python.model.callee(node)
        if callee not in DESTRUCTIVE_CALLS or _is_admin_module(ctx) or ctx.python.model.implements_mlflow:
            return  # MLflow's own package implements these APIs (mlflow.genai.delete_dataset): no user deletes
        ctx.report("MLF403", node, api=display_api(callee))


def _is_admin_module(ctx: FileContext) -> bool:
    return ctx.in_paths(ctx.options.registry_admin_modules)
