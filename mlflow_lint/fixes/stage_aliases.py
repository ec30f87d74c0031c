"""MLF401 fixes: registry stages become aliases (unsafe: the alias must exist)."""

from __future__ import annotations

import re

import libcst as cst

from mlflow_lint.findings import Finding
from mlflow_lint.fixes.base import Fix, plain_string_value, string_literal

_STAGE = r"(production|staging|archived|none)"
# The literal body of a stage URI: models:/<name>/<Stage> (no escapes, no '@', one '/').
_STAGE_URI = re.compile(rf"^(models:/[^/@\\]+)/{_STAGE}$", re.IGNORECASE)
_STAGE_TAIL = re.compile(rf"^([^/@\\{{}}]*)/{_STAGE}$", re.IGNORECASE)


class StageUriToAlias(Fix):
    """``"models:/churn/Production"`` -> ``"models:/churn@production"`` (also f-strings)."""

    rule = "MLF401"
    safety = "unsafe"

    def rewrite(self, original: cst.CSTNode, updated: cst.CSTNode, finding: Finding) -> cst.CSTNode | None:
        if isinstance(updated, cst.SimpleString):
            prefix = updated.prefix.lower()
            if "b" in prefix or "f" in prefix:
                return None
            body = updated.raw_value
            match = _STAGE_URI.match(body)
            alias = self.options.alias_for_stage(match.group(2)) if match else None
            if match is None or alias is None:
                return None
            return updated.with_changes(value=f"{updated.prefix}{updated.quote}{match.group(1)}@{alias}{updated.quote}")
        if isinstance(updated, cst.FormattedString) and len(updated.parts) >= 2:
            first, last = updated.parts[0], updated.parts[-1]
            if not (isinstance(first, cst.FormattedStringText) and isinstance(last, cst.FormattedStringText)):
                return None
            if not first.value.startswith("models:/") or any(c in first.value[len("models:/") :] for c in "/@\\"):
                return None
            middle = [p for p in updated.parts[1:-1] if isinstance(p, cst.FormattedStringText)]
            if any(c in p.value for p in middle for c in "/@\\"):
                return None
            match = _STAGE_TAIL.match(last.value)
            alias = self.options.alias_for_stage(match.group(2)) if match else None
            if match is None or alias is None:
                return None
            parts = [*updated.parts[:-1], last.with_changes(value=f"{match.group(1)}@{alias}")]
            return updated.with_changes(parts=parts)
        return None


def _method_call(node: cst.CSTNode, method: str) -> cst.Call | None:
    if isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) and node.func.attr.value == method:
        return node
    return None


def _bind(call: cst.Call, names: tuple[str, ...]) -> dict[str, cst.Arg] | None:
    """Arguments by parameter name, when every one is named or positional (no * / **)."""
    bound: dict[str, cst.Arg] = {}
    for index, arg in enumerate(call.args):
        if arg.star:
            return None
        if arg.keyword is None:
            if index >= len(names):
                return None
            bound[names[index]] = arg
        elif arg.keyword.value in names and arg.keyword.value not in bound:
            bound[arg.keyword.value] = arg
        else:
            return None
    return bound if len(bound) == len(names) else None


def _as_keyword(arg: cst.Arg, keyword: str) -> cst.Arg:
    if arg.keyword is not None:
        return arg.with_changes(keyword=cst.Name(keyword))
    no_space = cst.SimpleWhitespace("")
    return arg.with_changes(keyword=cst.Name(keyword), equal=cst.AssignEqual(whitespace_before=no_space, whitespace_after=no_space))


def _as_positional(arg: cst.Arg) -> cst.Arg:
    return arg.with_changes(keyword=None, equal=cst.MaybeSentinel.DEFAULT)


class TransitionToAlias(Fix):
    """``client.transition_model_version_stage(name, v, "Production")`` as a statement ->
    ``client.set_registered_model_alias(name, "production", v)``.

    Only as a statement: the transition returns the model version, setting an alias returns
    None. Never with ``archive_existing_versions``, whose effect has no alias equivalent."""

    rule = "MLF401"
    safety = "unsafe"

    def rewrite(self, original: cst.CSTNode, updated: cst.CSTNode, finding: Finding) -> cst.CSTNode | None:
        call = _method_call(updated, "transition_model_version_stage")
        if call is None or not isinstance(self.parent(original), cst.Expr):
            return None
        bound = _bind(call, ("name", "version", "stage"))
        if bound is None:
            return None
        stage = plain_string_value(bound["stage"].value)
        alias = self.options.alias_for_stage(stage) if stage is not None else None
        if alias is None:
            return None
        alias_value = string_literal(alias, bound["stage"].value)
        args = list(call.args)
        if all(arg.keyword is None for arg in args):
            args = [args[0], args[1].with_changes(value=alias_value), args[2].with_changes(value=args[1].value)]
        else:
            args = [
                arg
                if arg is bound["name"]
                else _as_keyword(arg, "version")
                if arg is bound["version"]
                else _as_keyword(arg, "alias").with_changes(value=alias_value)
                for arg in args
            ]
        func = call.func.with_changes(attr=cst.Name("set_registered_model_alias"))
        return call.with_changes(func=func, args=args)


class LatestVersionToAlias(Fix):
    """``client.get_latest_versions(name, stages=["Production"])[0]`` ->
    ``client.get_model_version_by_alias(name, "production")`` (both give one ModelVersion)."""

    rule = "MLF401"
    safety = "unsafe"

    def leave_Subscript(self, original_node: cst.Subscript, updated_node: cst.Subscript) -> cst.BaseExpression:
        finding = self.target(original_node.value)
        call = _method_call(updated_node.value, "get_latest_versions")
        if finding is None or call is None or len(updated_node.slice) != 1:
            return updated_node
        index = updated_node.slice[0].slice
        if not (isinstance(index, cst.Index) and isinstance(index.value, cst.Integer) and index.value.value == "0"):
            return updated_node
        bound = _bind(call, ("name", "stages"))
        if bound is None:
            return updated_node
        stages = bound["stages"].value
        if not isinstance(stages, (cst.List, cst.Tuple)) or len(stages.elements) != 1:
            return updated_node
        element = stages.elements[0]
        stage = plain_string_value(element.value) if isinstance(element, cst.Element) else None
        alias = self.options.alias_for_stage(stage) if stage is not None else None
        if alias is None:
            return updated_node
        name_arg = bound["name"]
        alias_arg = bound["stages"].with_changes(value=string_literal(alias, element.value))
        alias_arg = _as_keyword(alias_arg, "alias") if name_arg.keyword is not None else _as_positional(alias_arg)
        func = call.func.with_changes(attr=cst.Name("get_model_version_by_alias"))
        args = [name_arg, alias_arg] if call.args[0] is name_arg else [alias_arg, name_arg]
        self.applied.append(finding)
        return call.with_changes(
            func=func, args=args, lpar=[*updated_node.lpar, *call.lpar], rpar=[*call.rpar, *updated_node.rpar]
        )
