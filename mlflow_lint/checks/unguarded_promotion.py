"""MLF402 unguarded-promotion."""

from __future__ import annotations

import ast
from pathlib import Path

from mlflow_lint.analysis import api
from mlflow_lint.analysis.calls import argument
from mlflow_lint.analysis.gates import GateAnalysis
from mlflow_lint.analysis.mlflow_calls import display_api
from mlflow_lint.analysis.module import AnalysedModule
from mlflow_lint.checks.base import Check, FileContext

# callee -> (position, keyword) of the alias or stage argument
_PROMOTIONS: dict[str, tuple[int, str]] = {
    f"{api.MLFLOW_CLIENT}.set_registered_model_alias": (1, "alias"),
    f"{api.MLFLOW_CLIENT}.delete_registered_model_alias": (1, "alias"),
    f"{api.MLFLOW_CLIENT}.transition_model_version_stage": (2, "stage"),
}
_STAGE_CALL = f"{api.MLFLOW_CLIENT}.transition_model_version_stage"


class UnguardedPromotion(Check):
    """A protected alias moved (or the Production stage entered) with no metric gate."""

    rules = ("MLF402",)
    call_names = frozenset(name.rpartition(".")[2] for name in _PROMOTIONS)

    def visit(self, node: ast.AST, ctx: FileContext) -> None:
        assert isinstance(node, ast.Call)
        callee = ctx.python.model.callee(node)
        spec = _PROMOTIONS.get(callee) if callee is not None else None
        if spec is None:
            return
        alias_expr = argument(node, *spec)
        if alias_expr is None or ctx.in_paths(ctx.options.gate_modules):
            return  # a gate module only runs after validation (a job's deploy task, say)
        protected = {"production"} if callee == _STAGE_CALL else set(ctx.options.protected_aliases)
        alias = self._protected_alias(ctx, alias_expr, protected)
        if alias is None:
            return
        gates = _gates(ctx.python, ctx)
        if gates.is_gated(node) or gates.choosing_test(alias_expr) is not None or gates.is_bootstrap(node):
            return
        if _runs_after_validation(ctx.python, ctx):
            return
        ctx.report("MLF402", node, api=display_api(callee), alias=alias)  # type: ignore[arg-type]

    def guards_call(self, module: AnalysedModule, call: ast.Call, ctx: FileContext) -> bool:
        """``if auc > threshold: promote(client, "champion")`` gates the helper's move,
        and so does any call from a gate module; a call in the first-model branch is a
        bootstrap (no champion to compare with)."""
        gates = _gates(module, ctx)
        return (
            ctx.in_paths(ctx.options.gate_modules)
            or gates.is_gated(call)
            or gates.is_bootstrap(call)
            or _runs_after_validation(module, ctx)
        )

    @staticmethod
    def _protected_alias(ctx: FileContext, expr: ast.expr, protected: set[str]) -> str | None:
        for value in ctx.python.values.evaluate(expr):
            if value.complete and value.text.strip().lower() in protected:
                return value.text.strip()
        return None



def _gates(module: AnalysedModule, ctx: FileContext) -> GateAnalysis:
    """The module's gate analysis. Gates are read from the code as written, the same under
    any call of its functions (analysis.flow): one analysis serves them all."""
    module = module.base
    gates = module.cache.get("gates")
    if not isinstance(gates, GateAnalysis):
        gates = module.cache["gates"] = GateAnalysis(module, ctx.options.gate_functions)
    return gates


def _runs_after_validation(module: AnalysedModule, ctx: FileContext) -> bool:
    """Whether the file is a task of a Databricks bundle job that runs only after a task
    whose file fails when the candidate does not pass a gate (``promotion`` depends on
    ``validation``, which asserts ``new_accuracy >= champion_accuracy``)."""
    project = module.project
    if project is None or project.root is None:
        return False
    for path in project.bundle_of(module.path).upstream_files(str(module.path)):
        upstream = project.module_at(Path(path))
        if upstream is not None and _gates(upstream, ctx).validates():
            return True
    return False
