"""MLF402 unguarded-promotion."""

from __future__ import annotations

import ast
import functools
from pathlib import Path

from mlflow_lint.analysis.callers import CallerScope, callers_elsewhere
from mlflow_lint.analysis.calls import argument
from mlflow_lint.analysis.flow import function_of_parameter
from mlflow_lint.analysis.gates import GateAnalysis, gate_analysis
from mlflow_lint.analysis.mlflow_calls import display_api
from mlflow_lint.analysis.module import AnalysedModule
from mlflow_lint.analysis.promotions import ALIAS_CALLS, MODEL_COPIES, STAGE_ARGUMENT, STAGE_TRANSITION, Argument, protected_model
from mlflow_lint.checks.base import Check, FileContext


class UnguardedPromotion(Check):
    """A protected alias moved (or the Production stage entered, or a version copied into a
    protected model) with no metric gate."""

    calls = ALIAS_CALLS.keys() | MODEL_COPIES.keys() | {STAGE_TRANSITION}

    def visit_call(self, node: ast.Call, ctx: FileContext) -> None:
        callee = ctx.python.model.callee(node)
        found = self._promotion(node, callee, ctx) if callee is not None else None
        if callee is None or found is None or ctx.in_paths(ctx.options.gate_modules):
            return  # a gate module only runs after validation (a job's deploy task, say)
        target_expr, action = found
        gates = _gates(ctx.python, ctx)
        # Under a call of the value flow, that call's own gate is checked (guards_call): the
        # function's other callers (a project-wide search) cannot change the answer.
        project_wide = ctx.python.frame is None
        if gates.is_gated(node, project_wide=project_wide) or _chosen_by_a_gate(ctx.python, target_expr, ctx) or gates.is_bootstrap(node):
            return
        if _runs_after_validation(ctx.python, ctx):
            return
        ctx.report("MLF402", node, api=display_api(callee), action=action)

    def _promotion(self, call: ast.Call, callee: str, ctx: FileContext) -> tuple[ast.expr, str] | None:
        """The argument that makes ``call`` a promotion and what it does (for the message);
        None when it is not one, or not known to be."""
        alias_call = ALIAS_CALLS.get(callee)
        if alias_call is not None:
            verb = "moves" if alias_call.version is not None else "removes"
            return self._alias_move(call, alias_call.alias, set(ctx.options.protected_aliases), verb, ctx)
        if callee == STAGE_TRANSITION:
            return self._alias_move(call, STAGE_ARGUMENT, {"production"}, "moves", ctx, what="a version into the stage")
        destination = MODEL_COPIES.get(callee)
        if destination is not None:
            return self._model_copy(call, destination, ctx)
        return None

    def _alias_move(
        self, call: ast.Call, where: Argument, protected: set[str], verb: str, ctx: FileContext, what: str = "the protected alias"
    ) -> tuple[ast.expr, str] | None:
        alias_expr = argument(call, *where)
        alias = self._protected_alias(ctx, alias_expr, protected) if alias_expr is not None else None
        if alias_expr is None or alias is None:
            return None
        return alias_expr, f"{verb} {what} '{alias}'"

    @staticmethod
    def _model_copy(call: ast.Call, where: Argument, ctx: FileContext) -> tuple[ast.expr, str] | None:
        """``copy_model_version(src, "prod.ml.churn")``: a new version of a protected model
        (option ``protected-models``), the promotion of a Unity Catalog registry."""
        name_expr = argument(call, *where)
        model = protected_model(ctx.python.values.evaluate(name_expr), ctx.options.protected_models) if name_expr is not None else None
        if name_expr is None or model is None:
            return None
        return name_expr, f"copies a model version into the protected model '{model}'"

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
    """The module's gate analysis (one for the module as written, whatever call of its
    functions the value flow binds), which also asks a function's callers in the project's
    other modules (analysis.callers)."""
    return gate_analysis(module, ctx.options.gate_functions, functools.partial(callers_elsewhere, scope=CallerScope.of(ctx.options)))


def _chosen_by_a_gate(module: AnalysedModule, expr: ast.expr, ctx: FileContext) -> bool:
    """The protected value is picked by a gated conditional (``alias = "champion" if new >
    old else "challenger"``): here, or, for a parameter under a call of the value flow, where
    that call passes it (``register(..., alias=alias)`` after such a choice)."""
    if _gates(module, ctx).choosing_test(expr) is not None:
        return True
    frame = module.frame
    written = module.model.assigned_value(expr, 4)
    if frame is None or not isinstance(written, ast.Name):
        return False
    binding = module.model.lookup(written.id, written)
    if binding is None or binding.kind != "param" or function_of_parameter(module, binding) is not frame.function:
        return False
    passed = frame.arguments.get(written.id)
    return passed is not None and _chosen_by_a_gate(frame.caller, passed, ctx)


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
