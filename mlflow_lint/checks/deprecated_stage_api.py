"""MLF401 deprecated-stage-api.

A warning by default; an error where the registry is Unity Catalog, whose stores raise on
every stage API (MLflow 3.18.0, mlflow/store/_unity_catalog/registry/rest_store.py:
``transition_model_version_stage`` and ``get_latest_versions`` raise, and a stage URI
``models:/name/Production`` is resolved through ``get_latest_versions``).
"""

from __future__ import annotations

import ast
import re
from typing import TypedDict

from mlflow_lint.analysis import api
from mlflow_lint.analysis.commands import consumed_model
from mlflow_lint.analysis.mlflow_calls import CONSUMER_CALLS, consumed_uris
from mlflow_lint.analysis.mlflow_target import mlflow_target
from mlflow_lint.analysis.semantic import SemanticModel
from mlflow_lint.analysis.uri_uses import registry_uri_uses
from mlflow_lint.analysis.uris import models_uri_kind
from mlflow_lint.analysis.values import Hole, StrValue
from mlflow_lint.checks.base import Check, FileContext
from mlflow_lint.project_facts import is_unity_catalog_uri
from mlflow_lint.sources.facts import Command
from mlflow_lint.sources.requirements import release

# The release that added registered model aliases (set_registered_model_alias, models:/name@alias).
ALIASES_SINCE = "2.3.0"
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
_DEPRECATED = "deprecated model registry stages"
_RAISE_ON_UC = "model registry stages: stage APIs raise on Unity Catalog ({evidence})"
_NONE_ON_UC = "model registry stages: current_stage is always None on Unity Catalog ({evidence})"
# A Unity Catalog model name: catalog.schema.model, each level a plain identifier or a hole
# (f"{catalog}.{schema}.churn"). _HOLE stands for a part whose text is not known.
_HOLE = "\0"
_THREE_LEVELS = re.compile(r"(?:[A-Za-z0-9_]|\0)+(?:\.(?:[A-Za-z0-9_]|\0)+){2}")


class DeprecatedStageApi(Check):
    """Stage transitions, stage lookups, ``current_stage`` selections and stage URIs."""

    calls = CONSUMER_CALLS | _STAGE_METHODS.keys()
    # Reads the project's facts only for a finding the file's own text does not decide, so
    # it does not declare ``reads_project_facts``: that would also keep it out of the value
    # flow through project helpers (through_calls), where stage URIs are found too. A
    # FactsDeferred it raises still sends the file to the engine's second round.
    consults_project_facts = True

    def visit_call(self, node: ast.Call, ctx: FileContext) -> None:
        callee = ctx.python.model.callee(node)
        if callee in _STAGE_METHODS:
            what, instead = _STAGE_METHODS[callee]
            names = ctx.python.values.evaluate(api.argument_of(node, callee, "name"))
            evidence = _unity_catalog_evidence(ctx, names)
            ctx.report("MLF401", node, what=what, **_with_aliases(ctx, instead), **_stages(evidence, _RAISE_ON_UC))
            return
        for consumed in consumed_uris(ctx.python, node):
            value = next((v for v in consumed.values if models_uri_kind(v) == "stage"), None)
            if value is not None:
                evidence = _unity_catalog_evidence(ctx, (value,), uri=True)
                ctx.report(
                    "MLF401",
                    consumed.expr,
                    what=f"{consumed.api} with the stage URI {value.render()}",
                    **_with_aliases(ctx, "load models:/<name>@<alias>"),
                    **_stages(evidence, _RAISE_ON_UC),
                )

    def visit_command(self, command: Command, ctx: FileContext) -> None:
        found = consumed_model(command)
        if found is None:
            return
        api, word = found
        if models_uri_kind(word.value) == "stage":
            what = f"{api} with the stage URI {word.value.render()}"
            # Outside Python the only evidence is the name (no project facts for scripts).
            name = _uri_model_name(word.value)
            evidence = f"model name {_shown(name)}" if name is not None and _is_three_level(name) else None
            fields = _stages(evidence, _RAISE_ON_UC)
            ctx.report_at("MLF401", word.position, word.text, what=what, instead="serve models:/<name>@<alias>", **fields)

    def may_report(self, node: ast.AST) -> bool:
        return not isinstance(node, ast.Compare) or any(_reads_current_stage(o) for o in (node.left, *node.comparators))

    def visit_compare(self, node: ast.Compare, ctx: FileContext) -> None:
        operands = [node.left, *node.comparators]
        if not any(_reads_current_stage(o, ctx.python.model) for o in operands):
            return
        for operand in operands:
            for stage in _stage_literals(ctx, operand):
                evidence = _unity_catalog_evidence(ctx, ())
                ctx.report(
                    "MLF401",
                    node,
                    what=f"selecting model versions by current_stage == {stage!r}",
                    **_with_aliases(ctx, "select versions by alias (MlflowClient.get_model_version_by_alias) or by tag"),
                    **_stages(evidence, _NONE_ON_UC),
                )
                return


def _reads_current_stage(operand: ast.AST, model: SemanticModel | None = None) -> bool:
    """``mv.current_stage``, or ``getattr(mv, "current_stage", None)`` (the same attribute);
    with ``model``, ``getattr`` must be the builtin (the syntactic test is the prefilter's)."""
    if isinstance(operand, ast.Attribute):
        return operand.attr == "current_stage"
    return (
        isinstance(operand, ast.Call)
        and isinstance(operand.func, ast.Name)
        and operand.func.id == "getattr"
        and (model is None or model.qualified_name(operand.func) == "getattr")
        and len(operand.args) >= 2
        and isinstance(operand.args[1], ast.Constant)
        and operand.args[1].value == "current_stage"
    )


def _stage_literals(ctx: FileContext, operand: ast.AST) -> list[str]:
    elements = operand.elts if isinstance(operand, (ast.Tuple, ast.List, ast.Set)) else [operand]
    found = []
    for element in elements:
        for value in ctx.python.values.evaluate(element):
            if value.complete and value.text.lower() in STAGES:
                found.append(value.text)
    return found


class _Advice(TypedDict, total=False):
    """What _with_aliases adds to a report: the advice, and ``fix="none"`` when no fix applies."""

    instead: str
    fix: str


def _with_aliases(ctx: FileContext, instead: str) -> _Advice:
    """The advice, when every MLflow release the file's code may run on has aliases; else
    the advice with the upgrade it needs first, and no fix (policy): the fixes write alias
    APIs that an older release does not have (``mlflow==2.1.1`` would raise on
    ``set_registered_model_alias``). The stages are still reported: they remain the
    deprecated way to promote, and the upgrade is the remedy."""
    target = mlflow_target(ctx.python, ctx.options.target_mlflow_version)
    if target.always_runs_on(release(ALIASES_SINCE)):
        return {"instead": instead}
    return {
        "instead": f"{instead}, after upgrading MLflow to {ALIASES_SINCE} or later (the first release with aliases; target {target.describe()})",
        "fix": "none",
    }


class _StageFields(TypedDict, total=False):
    """What _stages adds to a report: a message field, and a level (a keyword of report)."""

    stages: str
    level: str


def _stages(evidence: str | None, on_unity_catalog: str) -> _StageFields:
    """The message's ``stages`` field, and the finding's level: an error where the registry
    is Unity Catalog (``evidence`` says why we know), else the rule's default."""
    if evidence is None:
        return {"stages": _DEPRECATED}
    return {"stages": on_unity_catalog.format(evidence=evidence), "level": "error"}


def _unity_catalog_evidence(ctx: FileContext, names: tuple[StrValue, ...], *, uri: bool = False) -> str | None:
    """Why the registry this code talks to is Unity Catalog, for the message; None when not
    known. In order: a three-level model name (``catalog.schema.model``: the name itself, or
    the name in a ``models:/`` URI when ``uri``); a Unity Catalog registry URI set in this
    file, or in the project, when every registry URI set there is one. The project's facts
    are read last, so a file whose own text decides does not depend on other files."""
    for value in names:
        name = _uri_model_name(value) if uri else _template(value)
        if name is not None and _is_three_level(name):
            return f"model name {_shown(name)}"
    # The file's own registry URI, as written: under a call of one of its functions
    # (checks.through_calls) it does not depend on the call's arguments.
    own = registry_uri_uses(ctx.python.base)
    if own and all(is_unity_catalog_uri(uri_text) for _, uri_text, _ in own):
        node, _, shown = own[0]
        cell, line = ctx.python.base.shown_line(node.lineno)
        return f"registry URI {shown} at line {line}" + ("" if cell is None else f" of cell {cell}")
    project = ctx.project_facts().unity_catalog_registry()
    if project is not None:
        return f"registry URI {project.shown} at {project.location(ctx.display(project.path))}"
    return None


def _template(value: StrValue) -> str:
    """The value's text with each unknown part as ``_HOLE``."""
    return "".join(_HOLE if isinstance(part, Hole) else part for part in value.parts)


def _uri_model_name(value: StrValue) -> str | None:
    """The model name of a ``models:/<name>/<stage>`` value, as a template; None if the
    URI's shape is not known."""
    text = _template(value)
    if not text.lower().startswith("models:"):
        return None
    body = text[len("models:") :].lstrip("/")
    name, slash, _ = body.rpartition("/")
    return name if slash and name else None


def _is_three_level(name: str) -> bool:
    """A Unity Catalog model name: ``catalog.schema.model``, each level an identifier or an
    unknown part. MLflow's Unity Catalog store takes a name of three or more levels as
    given (MLflow 3.18.0, mlflow/utils/_unity_catalog_utils.py: get_full_name_from_sc);
    a workspace registry name rarely has that shape, so it is read as evidence (policy)."""
    return _THREE_LEVELS.fullmatch(name) is not None


def _shown(name: str) -> str:
    return repr(name.replace(_HOLE, "{…}"))
