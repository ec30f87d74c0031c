"""Metric gates: is this statement reached only after a comparison of values?

A gate is an ordering comparison (``new_auc > champion_auc``), a call to a configured
gate function, or a same-module function that returns such a comparison. A statement
is gated when an enclosing ``if``/``elif``/ternary tests a gate, when an earlier
``assert gate`` or ``if gate: return/raise`` in the same function guards it, when an
earlier statement calls a raising gate (``mlflow.validate_evaluation_results``, a
configured gate function), or when every call site of its function in the module is
gated. A bare flag (``if args.promote:``), ``len(x) > 0``, ``is None`` and equality
tests are not gates, and ``gate or flag`` is bypassable, so it is not one either.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import Sequence

from mlflow_lint.analysis.module import AnalysedModule

_ORDERING = (ast.Lt, ast.LtE, ast.Gt, ast.GtE)
_EXITS = (ast.Return, ast.Raise, ast.Continue, ast.Break)
_EXIT_CALLS = frozenset({"sys.exit", "exit", "quit", "os._exit"})
RAISING_GATES = frozenset({"mlflow.validate_evaluation_results", "mlflow.models.evaluation.validation.validate_evaluation_results"})
_MAX_DEPTH = 4


class GateAnalysis:
    """Gate questions about one module, with the configured gate functions."""

    def __init__(self, module: AnalysedModule, gate_functions: Sequence[str]) -> None:
        self.module = module
        self.model = module.model
        self.gate_functions = tuple(gate_functions)
        # Per statement list: how far it has been scanned for a guard, and the first guard.
        self._scans: dict[int, _GuardScan] = {}
        # Calls by the name they call (``f()``, ``self.f()``, ``cls.f()``), built on first need.
        self._calls_by_name: dict[str, list[ast.Call]] | None = None
        self._callers_gated: dict[tuple[ast.AST, int], bool] = {}

    # -- tests ------------------------------------------------------------------------------
    def is_gate_test(self, expr: ast.AST, depth: int = 0) -> bool:
        if depth > _MAX_DEPTH * 2:
            return False
        if isinstance(expr, ast.Compare):
            return any(isinstance(op, _ORDERING) for op in expr.ops) and not any(
                _is_len_call(operand) for operand in (expr.left, *expr.comparators)
            )
        if isinstance(expr, ast.BoolOp):
            results = [self.is_gate_test(value, depth + 1) for value in expr.values]
            return any(results) if isinstance(expr.op, ast.And) else all(results)
        if isinstance(expr, ast.UnaryOp) and isinstance(expr.op, ast.Not):
            return self.is_gate_test(expr.operand, depth + 1)
        if isinstance(expr, ast.Call):
            return self._is_gate_call(expr, depth)
        if isinstance(expr, ast.Name):
            binding = self.model.lookup(expr.id, expr)
            if binding is not None and binding.kind == "assign" and binding.value is not None:
                return self.is_gate_test(binding.value, depth + 1)
        return False

    def _is_gate_call(self, call: ast.Call, depth: int) -> bool:
        if self.is_configured_gate(call):
            return True
        name = self.model.qualified_name(call.func)
        if name in ("all", "any") and call.args:
            return any(self.is_gate_test(node, depth + 1) for node in ast.walk(call.args[0]) if isinstance(node, ast.Compare))
        function = self._local_function(call)
        if function is not None:
            returns = [node.value for node in ast.walk(function) if isinstance(node, ast.Return) and node.value is not None]
            return bool(returns) and all(self.is_gate_test(value, depth + 1) for value in returns)
        return False

    def is_configured_gate(self, call: ast.Call) -> bool:
        if not self.gate_functions:
            return False
        func = call.func
        terminal = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
        qualified = self.model.qualified_name(func)
        for entry in self.gate_functions:
            if "." in entry:
                if qualified is not None and (qualified == entry or qualified.endswith("." + entry)):
                    return True
            elif terminal == entry:
                return True
        return False

    def _local_function(self, call: ast.Call) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
        if isinstance(call.func, ast.Name):
            binding = self.model.lookup(call.func.id, call.func)
            if binding is not None and binding.kind == "def":
                return binding.node  # type: ignore[return-value]
        return None

    def choosing_test(self, expr: ast.AST) -> ast.expr | None:
        """The gate test of a ternary that picks a value, directly or through a local name
        (``alias = "champion" if new > old else "challenger"``); None if no gate picks it."""
        chosen = self.model.assigned_value(expr, 4)
        if isinstance(chosen, ast.IfExp) and self.is_gate_test(chosen.test):
            return chosen.test
        return None

    def is_raising_gate(self, statement: ast.stmt) -> bool:
        """``validate_evaluation_results(...)`` or a configured gate called as a statement."""
        if not isinstance(statement, ast.Expr) or not isinstance(statement.value, ast.Call):
            return False
        call = statement.value
        return self.model.callee(call) in RAISING_GATES or self.is_configured_gate(call)

    # -- statements -------------------------------------------------------------------------
    def is_gated(self, node: ast.AST, depth: int = 0) -> bool:
        """Whether ``node`` is reached only through a gate (see the module docstring)."""
        child: ast.AST = node
        for ancestor in self.model.ancestors(node):
            if isinstance(ancestor, (ast.If, ast.IfExp)) and child is not ancestor.test:
                if self.is_gate_test(ancestor.test):
                    return True
            if isinstance(ancestor, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.Module)):
                if isinstance(ancestor, ast.Module):
                    return self._guarded_by_earlier(child, ancestor)
                if self._guarded_by_earlier(child, ancestor):
                    return True
                if isinstance(ancestor, ast.Lambda):
                    return False
                return depth < _MAX_DEPTH and self._all_callers_gated(ancestor, depth)
            if isinstance(child, ast.stmt) and self._guarded_by_earlier(child, ancestor):
                return True
            child = ancestor
        return False

    def _guarded_by_earlier(self, statement: ast.AST, parent: ast.AST) -> bool:
        """An earlier sibling statement of ``statement`` in ``parent`` guards it.

        Whether a statement guards what follows it does not depend on what follows, so each
        block is scanned once, up to its first guard, however many statements of it ask:
        scanning every earlier statement per asking statement cost N² (N promotions in one
        block)."""
        found = self.model.block_of(statement)
        if found is None:
            return False
        block, index = found
        if block is getattr(parent, "handlers", None):  # except clauses do not run in sequence
            return False
        scan = self._scans.get(id(block))
        if scan is None:
            scan = self._scans[id(block)] = _GuardScan(block)
        while scan.first_guard is None and scan.scanned < index:
            if self._guards_what_follows(block[scan.scanned]):
                scan.first_guard = scan.scanned
            scan.scanned += 1
        return scan.first_guard is not None and scan.first_guard < index

    def _guards_what_follows(self, earlier: ast.stmt) -> bool:
        if isinstance(earlier, ast.Assert) and self.is_gate_test(earlier.test):
            return True
        if isinstance(earlier, ast.If) and self.is_gate_test(earlier.test):
            if _always_exits(earlier.body, self.model) or _always_exits(earlier.orelse, self.model):
                return True
        return self.is_raising_gate(earlier)

    def _all_callers_gated(self, function: ast.FunctionDef | ast.AsyncFunctionDef, depth: int) -> bool:
        # Remembered per function and depth, from calls grouped by name once: scanning every
        # call of the module per question cost N² (N functions, or N promotions in one).
        key = (function, depth)
        known = self._callers_gated.get(key)
        if known is None:
            callers = []
            for call in self._calls_named(function.name):
                func = call.func
                if isinstance(func, ast.Name):
                    binding = self.model.lookup(func.id, func)
                    if binding is not None and binding.node is function:
                        callers.append(call)
                else:  # self.name() / cls.name()
                    callers.append(call)
            known = self._callers_gated[key] = bool(callers) and all(self.is_gated(call, depth + 1) for call in callers)
        return known

    def _calls_named(self, name: str) -> list[ast.Call]:
        """Calls of ``name()``, ``self.name()`` and ``cls.name()``, in source order."""
        if self._calls_by_name is None:
            grouped: dict[str, list[ast.Call]] = {}
            for call in self.model.nodes_by_type.get(ast.Call, ()):
                func = call.func  # type: ignore[attr-defined]
                if isinstance(func, ast.Name):
                    grouped.setdefault(func.id, []).append(call)  # type: ignore[arg-type]
                elif isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id in ("self", "cls"):
                    grouped.setdefault(func.attr, []).append(call)  # type: ignore[arg-type]
            self._calls_by_name = grouped
        return self._calls_by_name.get(name, [])


@dataclass
class _GuardScan:
    """How far one statement list has been scanned for a statement that guards the rest."""

    block: list[ast.stmt]  # kept, so that the id it is filed under stays its own
    scanned: int = 0  # statements [0, scanned) are tested
    first_guard: int | None = None


def _is_len_call(expr: ast.AST) -> bool:
    return isinstance(expr, ast.Call) and isinstance(expr.func, ast.Name) and expr.func.id == "len"


def _always_exits(block: list[ast.stmt], model) -> bool:  # type: ignore[no-untyped-def]
    if not block:
        return False
    last = block[-1]
    if isinstance(last, _EXITS):
        return True
    if isinstance(last, ast.Expr) and isinstance(last.value, ast.Call):
        return model.qualified_name(last.value.func) in _EXIT_CALLS
    if isinstance(last, ast.If):
        return _always_exits(last.body, model) and _always_exits(last.orelse, model)
    return False
