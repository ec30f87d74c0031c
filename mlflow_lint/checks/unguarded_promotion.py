"""MLF402 unguarded-promotion."""

from __future__ import annotations

import ast

from mlflow_lint.analysis.mlflow_calls import display_api
from mlflow_lint.analysis.module import AnalysedModule
from mlflow_lint.analysis.promotion_gates import chosen_by_a_gate, exemption, gates_of, promotion
from mlflow_lint.analysis.promotions import ALIAS_CALLS, MODEL_COPIES, STAGE_TRANSITION
from mlflow_lint.checks.base import Check, FileContext


class UnguardedPromotion(Check):
    """A protected alias moved (or the Production stage entered, or a version copied into a
    protected model) with no metric gate."""

    calls = ALIAS_CALLS.keys() | MODEL_COPIES.keys() | {STAGE_TRANSITION}
    reports_operations = True

    def visit_call(self, node: ast.Call, ctx: FileContext) -> None:
        callee = ctx.python.model.callee(node)
        found = promotion(node, callee, ctx.python.values.evaluate, ctx.options) if callee is not None else None
        if callee is None or found is None or found.protected is None:
            return
        # Under a call of the value flow, that call's own gate is checked (guards_call): the
        # function's other callers (a project-wide search) cannot change the answer.
        project_wide = ctx.python.frame is None
        if gates_of(ctx.python, ctx.options).is_gated(node, project_wide=project_wide) or chosen_by_a_gate(ctx.python, found.target, ctx.options):
            return
        if exemption(ctx.python, node, ctx.relative_path(), ctx.options) is not None:
            return
        ctx.report("MLF402", node, api=display_api(callee), action=found.action)

    def guards_call(self, module: AnalysedModule, call: ast.Call, ctx: FileContext) -> bool:
        """``if auc > threshold: promote(client, "champion")`` gates the helper's move,
        and so does what MLF402 exempts (``promotion_gates.exemption``): the first-model
        branch, a gate module, a job task after validation."""
        return gates_of(module, ctx.options).is_gated(call) or exemption(module, call, ctx.relative_path(), ctx.options) is not None
