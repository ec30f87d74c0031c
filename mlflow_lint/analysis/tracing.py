"""MLflow Tracing: which functions record their arguments in a trace, and where a project
configures span processors.

Read from MLflow 3.18.0's source (mlflow/tracing/):

- ``@mlflow.trace`` (``mlflow.tracing.fluent.trace``; also ``mlflow.trace(fn)`` as a
  wrapper) stores every bound argument of a call as the span's inputs, defaults applied
  (``capture_function_input_args`` in mlflow/tracing/utils/__init__.py); only ``self``,
  and a first ``cls`` holding a class, are left out. None of its parameters (``name``,
  ``span_type``, ``attributes``, ``output_reducer``, ``trace_destination``,
  ``sampling_ratio_override``, ``log_level``, ``links``, ``description``) excludes or
  masks an input. The inputs are set before the body runs, so a ``set_inputs(...)`` on the
  function's own span in its body replaces them (a comment in ``_wrap_function`` says so).
- ``LiveSpan.set_inputs(...)`` stores what it is given (mlflow/entities/span.py).
- ``mlflow.tracing.configure(span_processors=[...])`` (mlflow/tracing/config.py; absent
  from MLflow 3.0.0) installs functions that ``LiveSpan.end`` applies to every span before
  export (``apply_span_processors``): the documented place to mask sensitive inputs.
"""

from __future__ import annotations

import ast

from mlflow_lint.analysis import api
from mlflow_lint.analysis.memo import MemoKey
from mlflow_lint.analysis.module import AnalysedModule

TRACE_DECORATORS = frozenset({"mlflow.trace", "mlflow.tracing.fluent.trace"})
CONFIGURE = frozenset({"mlflow.tracing.configure", "mlflow.tracing.config.configure"})
# Calls that give an MLflow span: a ``with ... as span`` target or an assigned value.
SPAN_FACTORIES = frozenset(
    {
        "mlflow.start_span", "mlflow.tracing.fluent.start_span",
        "mlflow.start_span_no_context", "mlflow.tracing.fluent.start_span_no_context",
        "mlflow.get_current_active_span", "mlflow.tracing.fluent.get_current_active_span",
    }
)  # fmt: skip
# A span's method, matched by its receiver (is_span), not resolved: named for MLF705's calls.
SPAN_SET_INPUTS = "mlflow.entities.LiveSpan.set_inputs"
ACTIVE_SPAN = frozenset({"mlflow.get_current_active_span", "mlflow.tracing.fluent.get_current_active_span"})
_MAX_DEPTH = 4


def traced_by_decorator(module: AnalysedModule, function: ast.FunctionDef | ast.AsyncFunctionDef) -> ast.expr | None:
    """The ``@mlflow.trace`` / ``@mlflow.trace(...)`` decorator of ``function``, if any."""
    for decorator in function.decorator_list:
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        if module.model.qualified_name(target) in TRACE_DECORATORS:
            return decorator
    return None


def wrapped_function(module: AnalysedModule, call: ast.Call) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
    """For ``mlflow.trace(fn)``, the function ``fn`` names when this module defines it."""
    callee = module.model.callee(call)
    if callee not in TRACE_DECORATORS:
        return None
    wrapped = api.argument_of(call, "mlflow.trace", "func")
    if not isinstance(wrapped, ast.Name):
        return None
    binding = module.model.lookup(wrapped.id, wrapped)
    if binding is not None and binding.kind == "def" and isinstance(binding.node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return binding.node
    return None


def inputs_replaced_in_body(module: AnalysedModule, function: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """Whether the function's body replaces the inputs the decorator recorded:
    ``mlflow.get_current_active_span().set_inputs(...)`` (or through a variable) outside
    any nested function, class or ``with mlflow.start_span()`` block (another span)."""
    for node in _own_nodes(module, function):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "set_inputs":
            receiver = module.model.assigned_value(node.func.value, _MAX_DEPTH)
            if isinstance(receiver, ast.Call) and module.model.callee(receiver) in ACTIVE_SPAN:
                return True
    return False


def _own_nodes(module: AnalysedModule, function: ast.FunctionDef | ast.AsyncFunctionDef) -> list[ast.AST]:
    found: list[ast.AST] = []
    stack: list[ast.AST] = list(function.body)
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            continue
        if isinstance(node, (ast.With, ast.AsyncWith)) and any(_starts_span(module, item.context_expr) for item in node.items):
            continue
        found.append(node)
        stack.extend(ast.iter_child_nodes(node))
    return found


def _starts_span(module: AnalysedModule, expr: ast.expr) -> bool:
    return isinstance(expr, ast.Call) and module.model.callee(expr) in SPAN_FACTORIES


def is_span(module: AnalysedModule, receiver: ast.expr) -> bool:
    """Whether ``receiver`` is an MLflow span: ``mlflow.get_current_active_span()``, or a
    name bound by ``with mlflow.start_span(...) as span`` or assigned one of those."""
    model = module.model
    expr: ast.AST = receiver
    if isinstance(receiver, ast.Name):
        binding = model.lookup(receiver.id, receiver)
        if binding is None or binding.kind not in ("with", "assign") or binding.value is None:
            return False
        expr = model.assigned_value(binding.value, _MAX_DEPTH)
    return isinstance(expr, ast.Call) and model.callee(expr) in SPAN_FACTORIES


_SPAN_PROCESSOR_CONFIGURATIONS: MemoKey[list[ast.Call]] = MemoKey("span_processor_configurations")


def span_processor_configurations(module: AnalysedModule) -> list[ast.Call]:
    """The ``mlflow.tracing.configure(...)`` calls of a module that install span processors:
    ``span_processors=`` (or the first positional argument) given and not ``None`` nor an
    empty list literal (which clears them). What the processors do is not known: any counts.
    Computed once per module (MLF705 and the project facts both ask)."""
    return module.memo(_SPAN_PROCESSOR_CONFIGURATIONS, _span_processor_configurations)


def _span_processor_configurations(module: AnalysedModule) -> list[ast.Call]:
    return [call for call in module.model.calls_named(frozenset({"configure"})) if _installs_processors(module, call)]


def _installs_processors(module: AnalysedModule, call: ast.Call) -> bool:
    if module.model.callee(call) not in CONFIGURE:
        return False
    processors = api.argument_of(call, "mlflow.tracing.configure", "span_processors")
    if processors is None or (isinstance(processors, ast.Constant) and processors.value is None):
        return False
    return not (isinstance(processors, (ast.List, ast.Tuple)) and not processors.elts)
