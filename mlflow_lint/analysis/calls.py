"""Argument lookup that respects Python's call semantics."""

from __future__ import annotations

import ast
from collections.abc import Iterable


def argument(call: ast.Call, position: int | None, keyword: str | None) -> ast.expr | None:
    """The expression passed for a parameter, by keyword or by position.

    A positional argument after ``*args`` cannot be attributed to a position, so it is
    not returned (unknown is never a finding).
    """
    if keyword is not None:
        for kw in call.keywords:
            if kw.arg == keyword:
                return kw.value
    if position is not None and position < len(call.args):
        if any(isinstance(arg, ast.Starred) for arg in call.args[: position + 1]):
            return None
        return call.args[position]
    return None


def has_unpacked_keywords(call: ast.Call) -> bool:
    """``f(**kwargs)``: any keyword may be hidden in the mapping."""
    return any(kw.arg is None for kw in call.keywords)


def terminal_name(func: ast.AST) -> str | None:
    """The name a call is made by, as written: ``load_model`` in ``a.b.load_model(...)``,
    ``f`` in ``f(...)``; None for anything else (``fs[0](...)``)."""
    return func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else None


def call_names_of(qualified: Iterable[str]) -> frozenset[str]:
    """The terminal names of qualified call names (``load_model`` of
    ``mlflow.pyfunc.load_model``): what a call is pre-selected by before resolution."""
    return frozenset(name.rpartition(".")[2] for name in qualified)


def dotted_name(expr: ast.AST) -> str | None:
    """``a.b.c`` as written (no resolution: for names bound nowhere, such as a notebook's
    ``dbutils`` or an ``os`` a ``%run`` brought in), or None for anything else."""
    if isinstance(expr, ast.Name):
        return expr.id
    if isinstance(expr, ast.Attribute):
        base = dotted_name(expr.value)
        return f"{base}.{expr.attr}" if base is not None else None
    return None
