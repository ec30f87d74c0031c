"""MLF502 fix: an environment read used as a tag value gets the default ``"unknown"``."""

from __future__ import annotations

import libcst as cst

from mlflow_lint.findings import Finding
from mlflow_lint.fixes.base import Fix, code_of, string_literal

_ENV_READS = frozenset({"os.environ.get", "os.getenv", "environ.get", "getenv"})
DEFAULT = "unknown"


class TagEnvDefault(Fix):
    """``os.environ.get("GIT_COMMIT")`` -> ``os.environ.get("GIT_COMMIT", "unknown")``, also
    inside ``str(...)``; an explicit ``None`` default (``os.getenv("X", None)``,
    ``default=None``) becomes ``"unknown"`` in place. A value read through a variable is not
    rewritten (the variable may serve other purposes), nor a default that is a name."""

    rule = "MLF502"
    safety = "unsafe"

    def rewrite(self, original: cst.CSTNode, updated: cst.CSTNode, finding: Finding) -> cst.CSTNode | None:
        if not isinstance(updated, cst.Call):
            return None
        if code_of(updated.func) == "str" and len(updated.args) == 1 and not updated.args[0].keyword and not updated.args[0].star:
            inner = self._with_default(updated.args[0].value)
            return None if inner is None else updated.with_changes(args=[updated.args[0].with_changes(value=inner)])
        return self._with_default(updated)

    @staticmethod
    def _with_default(call: cst.BaseExpression) -> cst.Call | None:
        if not isinstance(call, cst.Call) or code_of(call.func) not in _ENV_READS:
            return None
        if any(arg.star for arg in call.args):
            return None
        if len(call.args) == 2 and call.args[0].keyword is None:
            # An explicit None default (positional or ``default=None``) is no default:
            # it is replaced where it is written. A name bound to None is left alone.
            key, default = call.args
            if not _is_none_literal(default.value) or (default.keyword is not None and default.keyword.value != "default"):
                return None
            return call.with_changes(args=[key, default.with_changes(value=string_literal(DEFAULT, key.value))])
        if len(call.args) != 1:
            return None
        (arg,) = call.args
        if arg.keyword is not None:
            return None
        space = cst.SimpleWhitespace(" ")
        if isinstance(arg.comma, cst.Comma):  # a trailing comma stays after the new argument
            first = arg.with_changes(comma=arg.comma.with_changes(whitespace_after=space))
            added = cst.Arg(string_literal(DEFAULT, arg.value), comma=arg.comma.with_changes(whitespace_before=cst.SimpleWhitespace("")))
        else:
            first = arg.with_changes(comma=cst.Comma(whitespace_after=space))
            added = cst.Arg(string_literal(DEFAULT, arg.value))
        return call.with_changes(args=[first, added])


def _is_none_literal(node: cst.BaseExpression) -> bool:
    """The literal ``None`` (a name bound to None may serve other purposes)."""
    return isinstance(node, cst.Name) and node.value == "None"
