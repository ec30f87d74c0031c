"""MLF902 safe fixes: MLflow 3's renamed keywords and moved APIs, read from the API table.

- ``log_model(model, artifact_path="model")`` and ``log_model(model, "model")`` ->
  ``log_model(model, name="model")``, ``client.start_span(..., request_id=t)`` ->
  ``client.start_span(..., trace_id=t)`` (``rename-keyword`` rows);
- ``mlflow.evaluate(...)`` -> ``mlflow.models.evaluate(...)``, ``mlflow.load_prompt(...)`` ->
  ``mlflow.genai.load_prompt(...)`` (``rename-callee`` rows).

A keyword is renamed where the check promised it (``Finding.fix == "safe"``: it resolved
the callee, and the new keyword is not given already); the new name is the one every row
for that keyword of a callable of that name agrees on. A callee, or a positional argument
made a keyword, is rewritten only in a call written through the ``mlflow`` module name
(nothing in the program rebinding it), so the table's canonical names can be matched on
the source text; and only when the table says the new spelling accepts the call as written.
"""

from __future__ import annotations

import libcst as cst
from libcst.metadata import PositionProvider

from mlflow_lint.analysis import api
from mlflow_lint.findings import Finding
from mlflow_lint.fixes.base import Fix, code_of


def _rows(callee: str, fix: str) -> list[api.Deprecation]:
    return [row for row in api.table().deprecations if row.name == callee and row.fix == fix]


def _renamed_keyword(call: cst.Call, keyword: str) -> str | None:
    """What ``keyword`` becomes in a call of a callable named like ``call``'s (its last
    name: the check resolved the receiver), when every rename-keyword row for it agrees."""
    func = call.func
    name = func.attr.value if isinstance(func, cst.Attribute) else func.value if isinstance(func, cst.Name) else None
    found = {
        row.replacement
        for row in api.table().deprecations
        if row.fix == "rename-keyword" and row.keyword == keyword and row.name.rpartition(".")[2] == name
    }
    return found.pop() if len(found) == 1 else None


def _accepts_same_call(old: str, new: str, call: cst.Call) -> bool:
    if any(arg.star for arg in call.args):
        return False
    positional = sum(arg.keyword is None for arg in call.args)
    return api.accepts_same_call(old, new, positional, [arg.keyword.value for arg in call.args if arg.keyword is not None])


class RenamedKeyword(Fix):
    """``artifact_path=`` (or the positional artifact path) -> ``name=``."""

    rule = "MLF902"
    safety = "safe"

    def leave_Arg(self, original_node: cst.Arg, updated_node: cst.Arg) -> cst.Arg:
        finding = self._finding_at_value(original_node)
        call = self.parent(original_node)
        if finding is None or finding.fix != "safe" or not isinstance(call, cst.Call):
            return updated_node
        if original_node.keyword is not None:
            replacement = _renamed_keyword(call, original_node.keyword.value)
        else:
            replacement = self._positional_replacement(call, original_node)
        if replacement is None or any(
            arg.star == "**" or (arg.keyword is not None and arg.keyword.value == replacement) for arg in call.args
        ):
            return updated_node  # both given (MLflow raises: a person must choose), or **kwargs that may hold it
        self.applied.append(finding)
        equal = updated_node.equal if original_node.keyword is not None else cst.AssignEqual(
            whitespace_before=cst.SimpleWhitespace(""), whitespace_after=cst.SimpleWhitespace("")
        )
        return updated_node.with_changes(keyword=cst.Name(replacement), equal=equal)

    def _positional_replacement(self, call: cst.Call, arg: cst.Arg) -> str | None:
        """The keyword a deprecated positional argument becomes (the artifact path of
        ``mlflow.<flavor>.log_model``), read from the table by the call's written name."""
        callee = code_of(call.func)
        if not callee.startswith("mlflow.") or not self.names_module(self._module, "mlflow"):
            return None
        for row in _rows(callee, "rename-keyword"):
            if self._is_last_positional(call, arg, callee, row.keyword or ""):
                return row.replacement
        return None

    def visit_Module(self, node: cst.Module) -> bool:
        self._module = node
        return True

    def _finding_at_value(self, arg: cst.Arg) -> Finding | None:
        """A finding whose range ends where this argument's value ends and starts at the
        argument (its keyword, or the value itself)."""
        try:
            value = self.get_metadata(PositionProvider, arg.value)
            start = self.get_metadata(PositionProvider, arg.keyword if arg.keyword is not None else arg.value)
        except KeyError:
            return None
        return self.targets.get((start.start.line, start.start.column, value.end.line, value.end.column))

    @staticmethod
    def _is_last_positional(call: cst.Call, arg: cst.Arg, callee: str, parameter: str) -> bool:
        positional = [item for item in call.args if item.keyword is None and not item.star]
        found = api.signature(callee)
        index = found.position(parameter) if found is not None else None
        return index is not None and index < len(positional) and positional[index] is arg and index == len(positional) - 1


class MovedApi(Fix):
    """``mlflow.evaluate`` -> ``mlflow.models.evaluate``; top-level prompt APIs -> ``mlflow.genai``."""

    rule = "MLF902"
    safety = "safe"

    def visit_Module(self, node: cst.Module) -> bool:
        self._module = node
        return True

    def rewrite(self, original: cst.CSTNode, updated: cst.CSTNode, finding: Finding) -> cst.CSTNode | None:
        if not isinstance(updated, cst.Attribute):
            return None
        callee = code_of(updated)
        call = self.parent(original)
        if not isinstance(call, cst.Call) or not callee.startswith("mlflow.") or not self.names_module(self._module, "mlflow"):
            return None
        for row in _rows(callee, "rename-callee"):
            if row.replacement and _accepts_same_call(callee, row.replacement, call):
                return cst.parse_expression(row.replacement)
        return None
