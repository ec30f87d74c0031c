"""Metric gates: is this statement reached only after a comparison of values?

A gate is an ordering comparison (``new_auc > champion_auc``), a call to a configured
gate function, or a same-module function that returns such a comparison. A statement
is gated when an enclosing ``if``/``elif``/ternary tests a gate, when an earlier
``assert gate`` or ``if gate: return/raise`` in the same function guards it, when an
earlier statement calls a raising gate (``mlflow.validate_evaluation_results``, a
configured gate function), or when its function has callers and every one is gated: the
calls in the module, and, given a caller search (analysis.callers), those in the project's
other modules, each gated in its own module's analysis. A flag variable is a gate when
every value it is given is a gate test, ``False``, or ``True`` where that is itself gated or
is the first-model branch of a ``try`` (an ``except`` clause); ``ok = ok and other`` only
narrows what passes, so it keeps the flag a gate. A verdict a gate chose (``"promote" if new
> old else "skip"``) may be held by a local name, a parameter, or an attribute of an object
of a class of the module (``result.decision``: every value the module gives an attribute of
that name). An approval read back from what a validation step wrote is a gate: a test on
a model version's or run's tags (``mv.tags.get("validation") == "passed"``) or on
``dbutils.jobs.taskValues.get(...)`` (a Databricks job's validation task). MLflow's own
GenAI verdicts are gates too: ``result.passed`` of ``mlflow.genai.evaluate()``, and
``compare_evaluations(...).assert_improved()`` as a raising gate. A bare flag
(``if args.promote:``), ``len(x) > 0``, ``is None`` and other equality tests are not
gates, and ``gate or flag`` is bypassable, so it is not one either.

The first model of a registered model has no champion to be compared with: a promotion
in the ``except`` clause of a ``try`` that reads the current alias (a load by
``models:/<name>@<alias>`` too, or a project function that reads it), under ``if
current is None`` (``not current``) where ``current`` holds such a read, under ``if not
champion_exists()`` (a project predicate on such a read), or under a flag that only such
tests and a failed read set, is a bootstrap (:meth:`GateAnalysis.is_bootstrap`), not an
unguarded promotion.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from mlflow_lint.analysis.calls import argument, dotted_name
from mlflow_lint.analysis.effects import resolve_called_function
from mlflow_lint.analysis.flow import bind_arguments, function_of_parameter, parameter_default
from mlflow_lint.analysis.memo import MemoKey
from mlflow_lint.analysis.mlflow_calls import calls_mlflow, returned_by
from mlflow_lint.analysis.module import AnalysedModule
from mlflow_lint.analysis.semantic import Binding, SemanticModel, _own_returns
from mlflow_lint.analysis.uris import UriKind, classify, parse_models_uri

_ORDERING = (ast.Lt, ast.LtE, ast.Gt, ast.GtE)
_EXITS = (ast.Return, ast.Raise, ast.Continue, ast.Break)
_EXIT_CALLS = frozenset({"sys.exit", "exit", "quit", "os._exit"})
# Reads of the model a protected alias points at now (the champion a candidate is compared
# with), or of the prompt that exists now (MLflow 3.18.0's prompt registry: load_prompt with
# allow_missing=True returns None for a prompt never registered).
ALIAS_READS = frozenset(
    {
        "get_model_version_by_alias", "get_latest_versions", "search_model_versions", "get_registered_model",
        "load_prompt", "get_prompt", "get_prompt_version_by_alias", "search_prompts",
    }
)  # fmt: skip
_TASK_VALUES_GET = "jobs.taskValues.get"
# What returns a model version (its tags record a validation step's verdict), or a run.
_VERSION_GETTERS = frozenset({"get_model_version", "get_model_version_by_alias", "get_latest_versions", "search_model_versions"})
_RUN_GETTERS = frozenset({"get_run", "search_runs", "last_active_run"})
RAISING_GATES = frozenset({"mlflow.validate_evaluation_results", "mlflow.models.evaluation.validation.validate_evaluation_results"})
# MLflow 3.18.0's GenAI evaluation verdicts: ``mlflow.genai.evaluate()`` returns an
# ``EvaluationResult`` whose ``passed`` is true when every scorer passed on every row (its
# ``metrics["<scorer>/mean"]`` are compared like any metric), and the ``ComparisonResult``
# of ``mlflow.genai.compare_evaluations()`` has ``assert_improved()``, which raises unless
# the candidate run significantly beats the baseline run (mlflow/genai/evaluation/).
_GENAI_EVALUATE = frozenset({"mlflow.genai.evaluate", "mlflow.genai.evaluation.evaluate", "mlflow.genai.evaluation.base.evaluate"})
_GENAI_COMPARE = frozenset(
    {
        "mlflow.genai.compare_evaluations",
        "mlflow.genai.evaluation.compare_evaluations",
        "mlflow.genai.evaluation.comparison.compare_evaluations",
        "mlflow.genai.evaluation.comparison.comparison.compare_evaluations",
    }
)
_MAX_DEPTH = 4
_BOOTSTRAP_READ_LEVELS = 2  # get_champion_metrics() -> get_champion() -> the alias read
# Methods that normalise a string read back (``tags.get("approval").lower() == "approved"``).
_TEXT_NORMALISERS = frozenset({"lower", "upper", "casefold", "strip", "lstrip", "rstrip"})

FunctionNode = ast.FunctionDef | ast.AsyncFunctionDef
# The calls of a function in the project's other modules, each with its module.
CallerSearch = Callable[[AnalysedModule, FunctionNode], list[tuple[AnalysedModule, ast.Call]]]
_GATES: MemoKey[GateAnalysis] = MemoKey("gates")


def gate_analysis(module: AnalysedModule, gate_functions: Sequence[str], callers_elsewhere: CallerSearch | None = None) -> GateAnalysis:
    """The gate analysis of the module as written, made once per module: gates are read
    from the code as written, the same under any call of its functions (analysis.flow)."""
    module = module.base
    gates = module.memo_get(_GATES)
    if gates is None:
        gates = module.memo_set(_GATES, GateAnalysis(module, gate_functions, callers_elsewhere))
    return gates


class GateAnalysis:
    """Gate questions about one module, with the configured gate functions; with
    ``callers_elsewhere``, a function's callers in other modules count too."""

    def __init__(self, module: AnalysedModule, gate_functions: Sequence[str], callers_elsewhere: CallerSearch | None = None) -> None:
        self.module = module
        self.model = module.model
        self.gate_functions = tuple(gate_functions)
        self.callers_elsewhere = callers_elsewhere
        # Per statement list: how far it has been scanned for a guard, and the first guard.
        self._scans: dict[int, _GuardScan] = {}
        # Calls by the name they call (``f()``, ``self.f()``, ``cls.f()``), built on first need.
        self._calls_by_name: dict[str, list[ast.Call]] | None = None
        self._callers_gated: dict[tuple[ast.AST, int, bool], bool] = {}
        self._flags_in_progress: set[int] = set()
        # Per statement list: each statement's index, and the first ``if current is not
        # None: continue`` in it (every promotion of a long block asks: computed once).
        self._block_positions: dict[int, dict[int, int]] = {}
        self._first_champion_exit: dict[int, int | None] = {}
        self._attribute_values: dict[str, list[ast.expr] | None] = {}

    # -- tests ------------------------------------------------------------------------------
    def is_gate_test(self, expr: ast.AST, depth: int = 0, negated: bool = False) -> bool:
        """Whether ``expr`` holding is a gate passed; ``negated``: whether it *not* holding is
        (the test of ``if ...: raise``, after which the code goes on only when it is false)."""
        if depth > _MAX_DEPTH * 2:
            return False
        if isinstance(expr, ast.Compare):
            operands = (expr.left, *expr.comparators)
            if any(self._is_approval_read(operand) for operand in operands):
                return True  # mv.tags.get("validation") == "passed"
            if self._is_verdict_test(expr, depth, negated):
                return True  # decision = "promote" if new > old else "skip"; if decision == "promote":
            if any(self._holds_configured_verdict(operand) for operand in operands):
                return True  # verdict = gate(...); if verdict["verdict"] == "blocked": return
            return any(isinstance(op, _ORDERING) for op in expr.ops) and not any(_is_len_call(operand) for operand in operands)
        if self._is_approval_read(expr):
            return True  # if dbutils.jobs.taskValues.get(taskKey="validate", key="passed"):
        if isinstance(expr, ast.Attribute) and expr.attr == "passed" and self._holds_result_of(expr.value, _GENAI_EVALUATE):
            return True  # if mlflow.genai.evaluate(...).passed:
        if isinstance(expr, ast.BoolOp):
            # Passing "a and b" needs both: one gate is enough. Passing "a or b" needs either:
            # every part must be a gate ("gate or force" is bypassable). Negated, the other
            # way round: "if failed and not force: raise" lets force through.
            results = [self.is_gate_test(value, depth + 1, negated) for value in expr.values]
            if isinstance(expr.op, ast.And) != negated:
                return any(results)
            if negated:
                return all(results)
            # "champion is None or new > champion": a part that holds only when there is no
            # champion to compare with is the first model's way through, not a bypass.
            return any(results) and all(passed or self._tests_no_champion(value) for passed, value in zip(results, expr.values, strict=True))
        if isinstance(expr, ast.UnaryOp) and isinstance(expr.op, ast.Not):
            return self.is_gate_test(expr.operand, depth + 1, not negated)
        if isinstance(expr, ast.Call):
            return self._is_gate_call(expr, depth)
        if isinstance(expr, ast.Name):
            return self._is_gate_flag(expr, depth)
        return False

    def _is_verdict_test(self, test: ast.Compare, depth: int, negated: bool) -> bool:
        """``name == "promote"`` (or ``!=``) where the name holds a verdict a gate chose:
        every value of it that makes the test pass (the test failing, when ``negated``) is
        the gated branch of ``"promote" if new > old else "skip"``, and at least one is. A
        parameter holds what every call of its function in this module passes it."""
        if len(test.ops) != 1 or not isinstance(test.ops[0], (ast.Eq, ast.NotEq)):
            return False
        left, right = test.left, test.comparators[0]
        name, constant = (left, right) if isinstance(right, ast.Constant) else (right, left)
        if not isinstance(name, (ast.Name, ast.Attribute)) or not isinstance(constant, ast.Constant):
            return False
        # The values under which the guarded code runs: equal to the constant, or not.
        equal = isinstance(test.ops[0], ast.Eq) != negated
        verdict = self._verdict_values_gate(name, constant.value, equal, depth + 1)
        return verdict is True

    def _verdict_values_gate(self, name: ast.Name | ast.Attribute, wanted: object, equal: bool, depth: int) -> bool | None:
        """True: every value of ``name`` that passes is gated, and one does; None: none
        passes; False: a value passes ungated, or a value is not known."""
        if depth > _MAX_DEPTH * 2:
            return False
        if isinstance(name, ast.Attribute):
            written = self._attribute_values_of(name)
            return self._verdicts_gate(written, wanted, equal, depth) if written else False
        bindings = self.model.bindings_of(name.id, name)
        if not bindings:
            return False
        values: list[ast.expr] = []
        for binding in bindings:
            if binding.kind == "param":
                passed = self._passed_to(binding)
                if passed is None:
                    return False
                values.extend(passed)
            elif binding.kind == "assign" and binding.value is not None:
                values.append(binding.value)
            else:
                return False
        return self._verdicts_gate(values, wanted, equal, depth)

    def _verdicts_gate(self, values: list[ast.expr], wanted: object, equal: bool, depth: int) -> bool | None:
        verdicts = [self._verdict_value_gates(value, wanted, equal, depth + 1) for value in values]
        if any(verdict is False for verdict in verdicts):
            return False
        return True if any(verdicts) else None

    def _verdict_value_gates(self, value: ast.expr, wanted: object, equal: bool, depth: int) -> bool | None:
        if isinstance(value, ast.Constant):
            return None if (value.value == wanted) != equal else False  # passes, ungated
        if isinstance(value, ast.IfExp) and isinstance(value.body, ast.Constant) and isinstance(value.orelse, ast.Constant):
            body_passes = (value.body.value == wanted) == equal
            orelse_passes = (value.orelse.value == wanted) == equal
            if body_passes and orelse_passes:
                return False
            if body_passes:
                return self.is_gate_test(value.test, depth + 1)
            if orelse_passes:
                return self.is_gate_test(value.test, depth + 1, negated=True)
            return None
        if isinstance(value, (ast.Name, ast.Attribute)):
            return self._verdict_values_gate(value, wanted, equal, depth + 1)
        return False

    def _attribute_values_of(self, expr: ast.Attribute) -> list[ast.expr] | None:
        """The values ``obj.attr`` may hold, when ``obj`` is an instance of a class of this
        module (``self``, a parameter annotated with the class, a name assigned a call of
        it): every value the module gives an attribute so named. None otherwise, or when a
        value cannot be known. Other modules' writes are not seen, as a parameter holds
        what the calls of this module pass it."""
        owner = expr.value
        if not isinstance(owner, ast.Name) or self._local_class_of(owner) is None:
            return None
        if expr.attr not in self._attribute_values:
            self._attribute_values[expr.attr] = self._attribute_writes(expr.attr)
        return self._attribute_values[expr.attr]

    def _local_class_of(self, name: ast.Name) -> ast.ClassDef | None:
        own = self.model._class_of_self(name)
        if own is not None:
            return own
        binding = self.model.lookup(name.id, name)
        if binding is None:
            return None
        if binding.kind == "param":
            named = binding.annotation
        elif binding.kind == "assign" and isinstance(binding.value, ast.Call):
            named = binding.value.func
        else:
            return None
        if not isinstance(named, ast.Name):
            return None
        found = self.model.lookup(named.id, named)
        return found.node if found is not None and found.kind == "class" else None  # type: ignore[return-value]

    def _attribute_writes(self, attr: str) -> list[ast.expr] | None:
        """Every value the module gives an attribute named ``attr`` of any object:
        ``x.attr = v``, a keyword ``attr=v`` of any call (a constructor, ``replace()``), a
        class-level default. None when a write cannot be read: augmented or unpacked,
        ``setattr()``, or a constructor of a class that declares ``attr`` called with
        positional or unpacked arguments."""
        model = self.model
        values: list[ast.expr] = []
        declaring: set[ast.AST] = set()
        assignments: list[ast.Assign | ast.AnnAssign] = [*model.nodes_of(ast.Assign), *model.nodes_of(ast.AnnAssign)]
        for node in assignments:
            value = node.value
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                if isinstance(target, ast.Attribute) and target.attr == attr:
                    if value is not None:
                        values.append(value)
                elif isinstance(target, ast.Name) and target.id == attr and isinstance(parent := model.parent(node), ast.ClassDef):
                    declaring.add(parent)
                    if value is not None:
                        values.append(value)  # a class-level default
                elif any(isinstance(part, ast.Attribute) and part.attr == attr for part in ast.walk(target)):
                    return None  # unpacked into it
        for kind in (ast.AugAssign, ast.For, ast.AsyncFor, ast.withitem):
            for other in model.nodes_by_type.get(kind, ()):
                bound = getattr(other, "target", None) or getattr(other, "optional_vars", None)
                if bound is not None and any(isinstance(part, ast.Attribute) and part.attr == attr for part in ast.walk(bound)):
                    return None
        for call in model.nodes_of(ast.Call):
            if isinstance(call.func, ast.Name) and call.func.id == "setattr":
                return None
            values.extend(keyword.value for keyword in call.keywords if keyword.arg == attr)
            if declaring and (call.args or any(keyword.arg is None for keyword in call.keywords)):
                constructed = self._local_function_or_class(call)
                if constructed in declaring:
                    return None  # the value may be passed by position or unpacked
        return values

    def _local_function_or_class(self, call: ast.Call) -> ast.AST | None:
        if isinstance(call.func, ast.Name):
            binding = self.model.lookup(call.func.id, call.func)
            if binding is not None and binding.kind in ("def", "class"):
                return binding.node
        return None

    def _passed_to(self, parameter: Binding) -> list[ast.expr] | None:
        """What every call of the parameter's function in this module passes it (its
        default where a call leaves it out); None when a call cannot be followed."""
        function = function_of_parameter(self.module, parameter)
        if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
            return None
        callers = self._callers(function)
        if not callers:
            return None
        passed = []
        for call in callers:
            arguments, opaque = bind_arguments(call, function, method=not isinstance(call.func, ast.Name))
            value = arguments.get(parameter.name)
            if value is None:
                argument = next((a for a in (*function.args.args, *function.args.kwonlyargs) if a.arg == parameter.name), None)
                value = parameter_default(function, argument) if argument is not None and not opaque else None
            if value is None:
                return None
            passed.append(value)
        return passed

    def _is_gate_flag(self, name: ast.Name, depth: int) -> bool:
        """A variable that holds a gate's outcome: every value it is given is a gate test,
        ``False``, or ``True`` where that is gated or is a ``try``'s first-model branch;
        and at least one is a gate test."""
        bindings = self.model.bindings_of(name.id, name)
        if not bindings or any(binding.kind != "assign" or binding.value is None for binding in bindings):
            return False
        key = id(bindings[0].node)
        if key in self._flags_in_progress:  # ``if flag: flag = True``: asked again from inside
            return False
        self._flags_in_progress.add(key)
        try:
            return self._flag_values_gate(bindings, depth)
        finally:
            self._flags_in_progress.discard(key)

    def _flag_values_gate(self, bindings: list[Binding], depth: int) -> bool:
        tested = False
        for binding in bindings:
            value = binding.value
            if isinstance(value, ast.Constant) and value.value is False:
                continue
            if _narrows(value, binding.name):
                continue  # ok = ok and other: passes only where the earlier value passed
            if isinstance(value, ast.Constant) and value.value is True:
                if self.is_gated(binding.node, _MAX_DEPTH):
                    tested = True  # ok = False; if new > old: ok = True
                    continue
                if self._in_except(binding.node) or self.is_bootstrap(binding.node):
                    continue  # the first model: nothing to compare with
                return False
            if not self.is_gate_test(value, depth + 1):  # type: ignore[arg-type]
                return False
            tested = True
        return tested

    def _holds_result_of(self, expr: ast.AST, callees: frozenset[str]) -> bool:
        """``expr`` is a call of one of ``callees`` (canonical names), or a local name every
        value of which is one."""
        return self._holds_call(expr, lambda call: self.model.callee(call) in callees)

    def _holds_call(self, expr: ast.AST, made_by: Callable[[ast.Call], bool], parts: bool = False, depth: int = 0) -> bool:
        """``expr`` is a call ``made_by`` accepts, or a local name every value of which is one;
        with ``parts``, also a part of one (``verdict["status"]``, ``result.passed``)."""
        if depth > _MAX_DEPTH:
            return False
        while parts and isinstance(expr, (ast.Subscript, ast.Attribute)):
            expr = expr.value
        if isinstance(expr, ast.Call):
            return made_by(expr)
        if isinstance(expr, ast.Name):
            bindings = self.model.bindings_of(expr.id, expr)
            return bool(bindings) and all(
                binding.kind == "assign" and binding.value is not None and self._holds_call(binding.value, made_by, parts, depth + 1)
                for binding in bindings
            )
        return False

    def _in_except(self, node: ast.AST) -> bool:
        """Inside an ``except`` clause (of the same function)."""
        for ancestor in self.model.ancestors(node):
            if isinstance(ancestor, ast.ExceptHandler):
                return True
            if isinstance(ancestor, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
                return False
        return False

    def _is_approval_read(self, expr: ast.AST, depth: int = 0) -> bool:
        """A value a validation step wrote, read back: a model version's or run's tag
        (``mv.tags["validation"]``, ``mv.tags.get(...)``, ``run.data.tags[...]``) or
        ``dbutils.jobs.taskValues.get(...)``; through a local name."""
        if depth > _MAX_DEPTH:
            return False
        if isinstance(expr, ast.Subscript):
            return self._registry_tags(expr.value)
        if isinstance(expr, ast.Call):
            func = expr.func
            if isinstance(func, ast.Attribute) and func.attr == "get" and self._registry_tags(func.value):
                return True
            if isinstance(func, ast.Attribute) and func.attr in _TEXT_NORMALISERS and not expr.args:
                return self._is_approval_read(func.value, depth + 1)  # tags.get("approval").lower()
            # ``dbutils`` is a notebook global: bound nowhere, so its dotted name as written.
            name = self.model.qualified_name(func) or dotted_name(func) or ""
            return name == "dbutils." + _TASK_VALUES_GET or name.endswith("." + _TASK_VALUES_GET)
        if isinstance(expr, ast.Name):
            binding = self.model.lookup(expr.id, expr)
            if binding is not None and binding.kind == "assign" and binding.value is not None:
                return self._is_approval_read(binding.value, depth + 1)
        return False

    def _registry_tags(self, expr: ast.AST | None, depth: int = 0) -> bool:
        """The tags of a model version or a run MLflow returned: ``mv.tags`` where ``mv``
        comes from ``get_model_version``/``get_model_version_by_alias``/a search (also an
        element or a loop over its results), or ``run.data.tags`` of ``get_run``. Any
        other ``.tags`` (a configuration's, say) records no validation."""
        if isinstance(expr, ast.Name):  # tags = client.get_model_version(name, version).tags
            binding = self.model.lookup(expr.id, expr)
            return depth < _MAX_DEPTH and binding is not None and binding.kind == "assign" and self._registry_tags(binding.value, depth + 1)
        if not isinstance(expr, ast.Attribute) or expr.attr != "tags":
            return False
        owner = expr.value
        if isinstance(owner, ast.Attribute) and owner.attr == "data":
            return self._returned_by(owner.value, _RUN_GETTERS)
        return self._returned_by(owner, _VERSION_GETTERS)

    def _returned_by(self, expr: ast.AST, getters: frozenset[str]) -> bool:
        return returned_by(self.model, expr, getters)

    def _calls_mlflow(self, call: ast.Call, methods: frozenset[str]) -> bool:
        return calls_mlflow(self.model, call, methods)

    # -- the first model --------------------------------------------------------------------
    def is_bootstrap(self, node: ast.AST) -> bool:
        """``node`` runs only when the registered model has no current champion: in the
        ``except`` clause of a ``try`` whose body reads the alias, under ``if current is
        None`` / ``if not current`` where ``current`` holds such a read, or after
        ``if current is not None: continue`` (``return``, ``break``, ``raise``) in its block."""
        child: ast.AST = node
        for ancestor in self.model.ancestors(node):
            if isinstance(ancestor, ast.ExceptHandler) and self._handles_missing_champion(ancestor):
                return True
            if isinstance(ancestor, ast.If) and child in ancestor.body and self._tests_no_champion(ancestor.test):
                return True
            if self._after_champion_exit(ancestor, child):
                return True
            if isinstance(ancestor, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.Module)):
                return False
            child = ancestor
        return False

    def _after_champion_exit(self, parent: ast.AST, child: ast.AST) -> bool:
        """``child`` follows an ``if current is not None: continue`` in the block of
        ``parent`` that holds it."""
        for field in ("body", "orelse", "finalbody"):
            block = getattr(parent, field, None)
            if not isinstance(block, list) or not block:
                continue
            positions = self._block_positions.get(id(block))
            if positions is None:
                positions = self._block_positions[id(block)] = {id(statement): i for i, statement in enumerate(block)}
            where = positions.get(id(child))
            if where is None:
                continue
            if id(block) not in self._first_champion_exit:
                self._first_champion_exit[id(block)] = next(
                    (i for i, statement in enumerate(block) if self._exits_when_champion(statement)), None
                )
            first = self._first_champion_exit[id(block)]
            return first is not None and first < where
        return False

    def _exits_when_champion(self, statement: ast.stmt) -> bool:
        """``if current is not None: continue`` (or ``if current:``), ``current`` holding a
        read of the champion: what follows runs only for the first model."""
        if not isinstance(statement, ast.If) or statement.orelse or not statement.body or not isinstance(statement.body[-1], _EXITS):
            return False
        subject = _compared_with_none(statement.test, (ast.IsNot, ast.NotEq)) or statement.test
        return isinstance(subject, ast.Name) and self._holds_champion_read(subject, 0)

    def _reads_alias(self, nodes: Sequence[ast.AST]) -> bool:
        return any(
            isinstance(node, ast.Call) and (self._calls_mlflow(node, ALIAS_READS) or self._loads_by_alias(node))
            for statement in nodes
            for node in ast.walk(statement)
        )

    def _loads_by_alias(self, call: ast.Call) -> bool:
        """``mlflow.<flavor>.load_model("models:/<name>@<alias>")``: a read of the model the
        alias points at now, which raises when there is none."""
        callee = self.model.callee(call)
        if callee is None or not callee.startswith("mlflow.") or not callee.endswith(".load_model"):
            return False
        uri = argument(call, 0, "model_uri")
        return uri is not None and any(
            classify(value) is UriKind.MODELS and parse_models_uri(value).kind == "alias" for value in self.module.values.evaluate(uri)
        )

    def _handles_missing_champion(self, handler: ast.ExceptHandler) -> bool:
        """An ``except`` clause of a ``try`` whose body reads the current alias, directly or
        through a project function (``self.registry.load_champion()``)."""
        parent = self.model.parent(handler)
        if not isinstance(parent, ast.Try):
            return False
        if self._reads_alias(parent.body):
            return True
        return any(
            isinstance(node, ast.Call) and self._reads_alias_value(node) for statement in parent.body for node in ast.walk(statement)
        )

    def _tests_no_champion(self, test: ast.expr, depth: int = 0) -> bool:
        """``current is None`` / ``not current`` (``current`` holding a read of the alias),
        ``not champion_exists()`` (a project predicate on that read), or a flag every value
        of which is such a test or ``True`` where the read failed (``needs_bootstrap``)."""
        if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
            subject: ast.expr | None = test.operand
            if isinstance(subject, ast.Call) and self._says_champion_exists(subject):
                return True
        else:
            subject = _compared_with_none(test, (ast.Is, ast.Eq))
        if isinstance(test, ast.Name) and self._flags_no_champion(test, depth):
            return True
        return isinstance(subject, ast.Name) and self._holds_champion_read(subject, 0)

    def _says_champion_exists(self, call: ast.Call) -> bool:
        """A project function that reads the current alias and returns whether it found one:
        each return value is ``True``/``False`` or a ``... is not None`` test."""
        function = self._local_function(call)
        home = self
        if function is None:
            target = resolve_called_function(self.module, call)
            if target is None:
                return False
            home, function = self._gates_of(target[0]), target[1]
        returns = [node.value for node in _own_returns(function)]
        if not returns or not all(value is not None and _tells_existence(value) for value in returns):
            return False
        return home._function_reads_alias(function, 0)

    def _flags_no_champion(self, name: ast.Name, depth: int) -> bool:
        """Every value of ``name`` says there is no current champion (a test as
        :meth:`_tests_no_champion` reads it, or ``True`` in an ``except`` clause of a try that
        reads the alias) or is ``False``; and one at least is not ``False``."""
        if depth > _MAX_DEPTH:
            return False
        bindings = self.model.bindings_reaching(name.id, name)
        says = False
        for binding in bindings:
            value = _assigned(binding)
            if isinstance(value, ast.Constant) and value.value is False:
                continue
            if isinstance(value, ast.Constant) and value.value is True:
                handler = next((a for a in self.model.ancestors(binding.node) if isinstance(a, ast.ExceptHandler)), None)
                if handler is None or not self._handles_missing_champion(handler):
                    return False
            elif value is None or not self._tests_no_champion(value, depth + 1):
                return False
            says = True
        return says

    def _holds_champion_read(self, name: ast.Name, depth: int) -> bool:
        """Every value ``name`` is given reads the current alias (directly, or through a
        function of this module that does: ``_, current = get_champion(client)``) or is
        None (a try's fallback); and at least one does. A parameter holds what every call
        of its function in this module passes it."""
        if depth > _MAX_DEPTH:
            return False
        bindings = self.model.bindings_reaching(name.id, name)
        if len(bindings) == 1 and bindings[0].kind == "param":
            return self._parameter_holds_champion_read(bindings[0], depth)
        reads = [b for b in bindings if (value := _assigned(b)) is not None and self._reads_alias_value(value, depth)]
        others = [b for b in bindings if b not in reads]
        return bool(reads) and all(isinstance(b.value, ast.Constant) and b.value.value is None for b in others)

    def _reads_alias_value(self, value: ast.AST, depth: int = 0) -> bool:
        """``value`` is a read of the current alias: the call itself, a name holding one, an
        item of one (``versions[0]``), or a version a loop takes from one (``for mv in
        client.search_model_versions(...): if mv.current_stage == "Production": current
        = mv``), or a project function that reads it."""
        if self._reads_alias([value]):
            return True
        if isinstance(value, ast.Subscript):
            value = value.value
        if isinstance(value, ast.Name):
            return self._name_reads_alias(value, depth + 1)
        if isinstance(value, ast.Call):
            function = self._local_function(value)
            if function is not None:
                return self._reads_alias(function.body)
            # A project function or method elsewhere: registry.get_champion_metrics(),
            # which returns None when get_champion() finds no champion.
            target = resolve_called_function(self.module, value)
            return target is not None and self._gates_of(target[0])._function_reads_alias(target[1], 0)
        return False

    def _name_reads_alias(self, name: ast.Name, depth: int) -> bool:
        """Every binding of ``name`` gives it a read of the current alias, or an element of
        one as a ``for`` loop's variable."""
        if depth > _MAX_DEPTH:
            return False
        bindings = self.model.bindings_reaching(name.id, name)
        for binding in bindings:
            loop = self.model.loop_of(binding)
            source = loop.iter if loop is not None else _assigned(binding)
            if source is None or not self._reads_alias_value(source, depth):
                return False
        return bool(bindings)

    def _function_reads_alias(self, function: FunctionNode, depth: int) -> bool:
        """``function``'s own body reads the current alias, or a project function it calls
        does (two levels: a metrics helper over a champion getter)."""
        if self._reads_alias(function.body):
            return True
        if depth >= _BOOTSTRAP_READ_LEVELS:
            return False
        for node in ast.walk(function):
            if isinstance(node, ast.Call):
                target = resolve_called_function(self.module, node)
                if target is not None and target[1] is not function and self._gates_of(target[0])._function_reads_alias(target[1], depth + 1):
                    return True
        return False

    def _parameter_holds_champion_read(self, parameter: Binding, depth: int) -> bool:
        function = function_of_parameter(self.module, parameter)
        if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
            return False
        passed = []
        for call in self._callers(function):
            arguments, _ = bind_arguments(call, function, method=not isinstance(call.func, ast.Name))
            value = arguments.get(parameter.name)
            if value is None:
                return False  # left to its default, or passed in a way not followed
            passed.append(value)
        return bool(passed) and all(isinstance(value, ast.Name) and self._holds_champion_read(value, depth + 1) for value in passed)

    def _holds_configured_verdict(self, expr: ast.AST) -> bool:
        """``expr`` is what a configured gate function returned, or a part of it
        (``verdict["verdict"]``, ``result.status``, through local names): the project says
        that function is its gate, so a test of its answer is the gate's decision, whichever
        value means "pass"."""
        return bool(self.gate_functions) and self._holds_call(expr, self.is_configured_gate, parts=True)

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

    def validates(self) -> bool:
        """Whether the module fails when a candidate does not pass a gate: ``assert <gate
        test>``, ``if <failed gate test>: raise ...``, or a raising gate called as a
        statement (a validation task of a job, whose failure stops the tasks after it)."""
        for node in ast.walk(self.module.tree):
            if isinstance(node, ast.Assert) and self.is_gate_test(node.test):
                return True
            if isinstance(node, ast.If) and node.body and _fails(node.body[-1], self.model) and self.is_gate_test(node.test, negated=True):
                return True
            if isinstance(node, ast.Expr) and self.is_raising_gate(node):
                return True
        return False

    def is_raising_gate(self, statement: ast.stmt) -> bool:
        """``validate_evaluation_results(...)`` or a configured gate called as a statement."""
        if not isinstance(statement, ast.Expr) or not isinstance(statement.value, ast.Call):
            return False
        call = statement.value
        if isinstance(call.func, ast.Attribute) and call.func.attr == "assert_improved" and self._holds_result_of(call.func.value, _GENAI_COMPARE):
            return True  # comparison.assert_improved()
        return self.model.callee(call) in RAISING_GATES or self.is_configured_gate(call)

    # -- statements -------------------------------------------------------------------------
    def is_gated(self, node: ast.AST, depth: int = 0, project_wide: bool = True) -> bool:
        """Whether ``node`` is reached only through a gate (see the module docstring).
        ``project_wide=False``: its function's callers in other modules are not searched
        (the value flow asks under one call, whose own gate it checks itself)."""
        child: ast.AST = node
        for ancestor in self.model.ancestors(node):
            if isinstance(ancestor, (ast.If, ast.IfExp)) and child is not ancestor.test and self.is_gate_test(ancestor.test):
                return True
            if isinstance(ancestor, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.Module)):
                if isinstance(ancestor, ast.Module):
                    return self._guarded_by_earlier(child, ancestor)
                if self._guarded_by_earlier(child, ancestor):
                    return True
                if isinstance(ancestor, ast.Lambda):
                    return False
                return depth < _MAX_DEPTH and self._all_callers_gated(ancestor, depth, project_wide)
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
        if isinstance(earlier, ast.If):
            # "if <test>: raise" lets the code after it run when the test is false.
            if _always_exits(earlier.body, self.model) and self.is_gate_test(earlier.test, negated=True):
                return True
            if _always_exits(earlier.orelse, self.model) and self.is_gate_test(earlier.test):
                return True
        return self.is_raising_gate(earlier)

    def _all_callers_gated(self, function: FunctionNode, depth: int, project_wide: bool) -> bool:
        """``function`` has a caller, and every caller is gated: in this module, then (only
        when those leave the answer open: the search reads the project) in the others."""
        # Remembered per function and depth, from calls grouped by name once: scanning every
        # call of the module per question cost N² (N functions, or N promotions in one).
        key = (function, depth, project_wide)
        known = self._callers_gated.get(key)
        if known is None:
            callers = self._callers(function)
            known = all(self._caller_passes(call, depth, project_wide) for call in callers)
            if known and project_wide and self.callers_elsewhere is not None:
                elsewhere = self.callers_elsewhere(self.module, function)
                known = all(self._gates_of(module)._caller_passes(call, depth, True) for module, call in elsewhere)
                callers = [*callers, *(call for _, call in elsewhere)]
            known = self._callers_gated[key] = known and bool(callers)
        return known

    def _caller_passes(self, call: ast.Call, depth: int, project_wide: bool) -> bool:
        """A call of the function is gated, or runs only for the first model (in the
        ``except`` of a read of the current champion): the function's code then does too."""
        return self.is_gated(call, depth + 1, project_wide) or self.is_bootstrap(call)

    def _gates_of(self, module: AnalysedModule) -> GateAnalysis:
        """Another module's analysis, with this one's gate functions and caller search."""
        return gate_analysis(module, self.gate_functions, self.callers_elsewhere)

    def _callers(self, function: ast.FunctionDef | ast.AsyncFunctionDef) -> list[ast.Call]:
        """The calls of ``function`` in this module: ``f()`` where ``f`` is it, and
        ``self.f()`` / ``cls.f()``."""
        callers = []
        for call in self._calls_named(function.name):
            func = call.func
            if isinstance(func, ast.Name):
                binding = self.model.lookup(func.id, func)
                if binding is not None and binding.node is function:
                    callers.append(call)
            else:  # self.name() / cls.name()
                callers.append(call)
        return callers

    def _calls_named(self, name: str) -> list[ast.Call]:
        """Calls of ``name()``, ``self.name()`` and ``cls.name()``, in source order."""
        if self._calls_by_name is None:
            grouped: dict[str, list[ast.Call]] = {}
            for call in self.model.nodes_of(ast.Call):
                func = call.func
                if isinstance(func, ast.Name):
                    grouped.setdefault(func.id, []).append(call)
                elif isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id in ("self", "cls"):
                    grouped.setdefault(func.attr, []).append(call)
            self._calls_by_name = grouped
        return self._calls_by_name.get(name, [])


@dataclass
class _GuardScan:
    """How far one statement list has been scanned for a statement that guards the rest."""

    block: list[ast.stmt]  # kept, so that the id it is filed under stays its own
    scanned: int = 0  # statements [0, scanned) are tested
    first_guard: int | None = None


def _narrows(value: ast.AST | None, name: str) -> bool:
    """``name and ...`` (``ok = ok and within_budget``): true only where ``name`` was."""
    return (
        isinstance(value, ast.BoolOp)
        and isinstance(value.op, ast.And)
        and any(isinstance(part, ast.Name) and part.id == name for part in value.values)
    )


def _is_len_call(expr: ast.AST) -> bool:
    return isinstance(expr, ast.Call) and isinstance(expr.func, ast.Name) and expr.func.id == "len"


def _always_exits(block: list[ast.stmt], model: SemanticModel) -> bool:
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


def _tells_existence(value: ast.expr) -> bool:
    """``True``/``False``, or ``x is not None`` / ``x != None``: what an existence predicate returns."""
    if isinstance(value, ast.Constant) and isinstance(value.value, bool):
        return True
    return _compared_with_none(value, (ast.IsNot, ast.NotEq)) is not None


def _assigned(binding: Binding) -> ast.expr | None:
    """The value a binding assigns: its own, or, for a name unpacked from a call's result
    (``version, accuracy = current_champion(...)``), the call."""
    if binding.kind == "assign":
        return binding.value
    if binding.kind == "other" and isinstance(binding.node, ast.Assign):
        return binding.node.value
    return None


def _fails(statement: ast.stmt, model: SemanticModel) -> bool:
    """``raise ...`` or ``sys.exit(<not 0>)``: the task fails. (``dbutils.notebook.exit``
    ends a notebook task successfully: the tasks after it still run.)"""
    if isinstance(statement, ast.Raise):
        return True
    if isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Call):
        call = statement.value
        if model.qualified_name(call.func) in _EXIT_CALLS:
            code = call.args[0] if call.args else None
            return not (code is None or (isinstance(code, ast.Constant) and code.value in (0, None)))
    return False


def _compared_with_none(test: ast.expr, operators: tuple[type[ast.cmpop], ...]) -> ast.expr | None:
    """``x is None`` (with ``operators`` such as ``Is``/``Eq``, or ``IsNot``/``NotEq``): ``x``."""
    if (
        isinstance(test, ast.Compare)
        and len(test.ops) == 1
        and isinstance(test.ops[0], operators)
        and isinstance(test.comparators[0], ast.Constant)
        and test.comparators[0].value is None
    ):
        return test.left
    return None
