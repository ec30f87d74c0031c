"""MLF502 tag-value-may-be-none."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from mlflow_lint.analysis import api
from mlflow_lint.analysis.effects import CLIENT_SET_TAG, CREATE_RUN, SET_TAG, SET_TAGS, START_RUN
from mlflow_lint.analysis.module import AnalysedModule
from mlflow_lint.checks.base import Check, FileContext

_ENV_GETTERS = frozenset({"os.environ.get", "os.getenv"})
_MAX_DEPTH = 6


class TagValueMayBeNone(Check):
    """A tag value read from ``os.environ.get(X)`` / ``os.getenv(X)`` without a default."""

    calls = SET_TAG | SET_TAGS | {CLIENT_SET_TAG, START_RUN, CREATE_RUN}

    def visit_call(self, node: ast.Call, ctx: FileContext) -> None:
        for key, value in _tag_values(ctx.python, node):
            source = _env_read_without_default(ctx.python, value, 0)
            if source is not None:
                ctx.report("MLF502", value, key=key, source=source)


def _tag_values(module: AnalysedModule, call: ast.Call) -> Iterator[tuple[str, ast.expr]]:
    callee = module.model.callee(call)
    if callee is None:
        return
    if callee in SET_TAG or callee == CLIENT_SET_TAG:
        key, value = api.argument_of(call, callee, "key"), api.argument_of(call, callee, "value")
        if value is not None:
            yield _key_text(module, key), value
    elif callee in SET_TAGS or callee in (START_RUN, CREATE_RUN):
        mapping = api.argument_of(call, callee, "tags")
        if isinstance(mapping, ast.Dict):
            for key, value in zip(mapping.keys, mapping.values, strict=True):
                if key is not None:
                    yield _key_text(module, key), value


def _key_text(module: AnalysedModule, key: ast.expr | None) -> str:
    values = module.values.evaluate(key) if key is not None else ()
    return values[0].text if len(values) == 1 and values[0].complete else "?"


def _env_read_without_default(module: AnalysedModule, expr: ast.AST, depth: int) -> str | None:
    """The environment read that makes ``expr`` None when its variable is unset, as source
    text: ``os.getenv('X')`` (or with an explicit None default) directly, inside ``str()``,
    as the last resort of an ``or`` chain, or through local variables; None otherwise."""
    if depth > _MAX_DEPTH:
        return None
    if isinstance(expr, ast.Call):
        name = module.model.qualified_name(expr.func)
        if name in _ENV_GETTERS:
            return ast.unparse(expr) if _default_may_be_none(module, expr, depth) else None
        if name == "str" and len(expr.args) == 1 and not expr.keywords:
            return _env_read_without_default(module, expr.args[0], depth + 1)
        return None
    if isinstance(expr, ast.BoolOp) and isinstance(expr.op, ast.Or):
        # ``a or b`` is ``b`` whenever ``a`` is falsy (None included): only the last operand
        # decides whether the chain can end in None. ``os.getenv("X") or None`` ends in an
        # explicit None, so the read before it is what leaves the tag empty.
        *earlier, last = expr.values
        source = _env_read_without_default(module, last, depth + 1)
        if source is not None or not _is_none(module, last, depth + 1):
            return source
        for operand in reversed(earlier):
            source = _env_read_without_default(module, operand, depth + 1)
            if source is not None:
                return source
            if not _is_none(module, operand, depth + 1):
                return None  # a real fallback (``or "dev" or None``) ends the chain first
        return None
    if isinstance(expr, ast.Name):
        binding = module.model.lookup(expr.id, expr)
        if binding is not None and binding.kind == "assign" and binding.value is not None:
            return _env_read_without_default(module, binding.value, depth + 1)
    return None


def _default_may_be_none(module: AnalysedModule, call: ast.Call, depth: int) -> bool:
    """Whether an ``os.environ.get`` / ``os.getenv`` call gives None for an unset variable:
    no default, or a default that is None (``None``, ``default=None``, a name bound to None).
    A call whose arguments cannot be read (``*args``, ``**kwargs``) is given the benefit."""
    if any(isinstance(arg, ast.Starred) for arg in call.args) or any(kw.arg is None for kw in call.keywords):
        return False
    defaults = call.args[1:] + [kw.value for kw in call.keywords if kw.arg == "default"]
    if len(call.args) > 2 or len(defaults) > 1:
        return False  # not a valid call: nothing to say about its value
    return not defaults or _is_none(module, defaults[0], depth + 1)


def _is_none(module: AnalysedModule, expr: ast.AST, depth: int) -> bool:
    """``None`` itself, or a local variable assigned ``None`` (followed like the reads)."""
    if depth > _MAX_DEPTH:
        return False
    if isinstance(expr, ast.Constant):
        return expr.value is None
    if isinstance(expr, ast.Name):
        binding = module.model.lookup(expr.id, expr)
        if binding is not None and binding.kind == "assign" and binding.value is not None:
            return _is_none(module, binding.value, depth + 1)
    return False
