"""MLF401 deprecated-stage-api."""

from __future__ import annotations

import ast

from mlflow_lint.analysis import api
from mlflow_lint.analysis.mlflow_calls import CONSUMER_CALL_NAMES
from mlflow_lint.analysis.uris import UriKind, classify, parse_models_uri
from mlflow_lint.checks.base import Check, FileContext
from mlflow_lint.checks.model_loads import consumed_uri
from mlflow_lint.analysis.commands import consumed_model
from mlflow_lint.sources.facts import Command

STAGES = frozenset({"production", "staging", "archived", "none"})
_STAGE_METHODS = {
    f"{api.MLFLOW_CLIENT}.transition_model_version_stage": (
        "MlflowClient.transition_model_version_stage",
        "set an alias with MlflowClient.set_registered_model_alias(name, alias, version)",
    ),
    f"{api.MLFLOW_CLIENT}.get_latest_versions": (
        "MlflowClient.get_latest_versions",
        "read the version behind an alias with MlflowClient.get_model_version_by_alias(name, alias)",
    ),
}


class DeprecatedStageApi(Check):
    """Stage transitions, stage lookups, ``current_stage`` selections and stage URIs."""

    rules = ("MLF401",)
    node_types = (ast.Call, ast.Compare)
    call_names = CONSUMER_CALL_NAMES | {"transition_model_version_stage", "get_latest_versions"}

    def visit(self, node: ast.AST, ctx: FileContext) -> None:
        if isinstance(node, ast.Compare):
            self._compare(node, ctx)
            return
        assert isinstance(node, ast.Call)
        callee = ctx.python.model.callee(node)
        if callee in _STAGE_METHODS:
            what, instead = _STAGE_METHODS[callee]
            ctx.report("MLF401", node, what=what, instead=instead)
            return
        consumed = consumed_uri(node, ctx)
        if consumed is None:
            return
        for value in consumed.values:
            if classify(value) is UriKind.MODELS and parse_models_uri(value).kind == "stage":
                ctx.report(
                    "MLF401",
                    consumed.expr,
                    what=f"{consumed.api} with the stage URI {value.render()}",
                    instead="load models:/<name>@<alias>",
                )
                return

    def visit_command(self, command: Command, ctx: FileContext) -> None:
        found = consumed_model(command)
        if found is None:
            return
        api, word = found
        if classify(word.value) is UriKind.MODELS and parse_models_uri(word.value).kind == "stage":
            what = f"{api} with the stage URI {word.value.render()}"
            ctx.report_at("MLF401", word.position, word.text, what=what, instead="serve models:/<name>@<alias>")

    def may_report(self, node: ast.AST) -> bool:
        return not isinstance(node, ast.Compare) or any(
            isinstance(o, ast.Attribute) and o.attr == "current_stage" for o in (node.left, *node.comparators)
        )

    def _compare(self, node: ast.Compare, ctx: FileContext) -> None:
        operands = [node.left, *node.comparators]
        if not any(isinstance(o, ast.Attribute) and o.attr == "current_stage" for o in operands):
            return
        for operand in operands:
            for stage in _stage_literals(ctx, operand):
                ctx.report(
                    "MLF401",
                    node,
                    what=f"selecting model versions by current_stage == {stage!r}",
                    instead="select versions by alias (MlflowClient.get_model_version_by_alias) or by tag",
                )
                return


def _stage_literals(ctx: FileContext, operand: ast.AST) -> list[str]:
    elements = operand.elts if isinstance(operand, (ast.Tuple, ast.List, ast.Set)) else [operand]
    found = []
    for element in elements:
        for value in ctx.python.values.evaluate(element):
            if value.complete and value.text.lower() in STAGES:
                found.append(value.text)
    return found
