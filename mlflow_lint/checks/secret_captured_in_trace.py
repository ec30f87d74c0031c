"""MLF705 secret-captured-in-trace: a credential recorded as a span input (facts read from
MLflow 3.18.0's mlflow/tracing/, see analysis.tracing)."""

from __future__ import annotations

import ast
import os

from mlflow_lint.analysis.calls import terminal_name
from mlflow_lint.analysis.secrets import is_secret_name
from mlflow_lint.analysis.tracing import (
    SPAN_SET_INPUTS,
    TRACE_DECORATORS,
    inputs_replaced_in_body,
    is_span,
    span_processor_configurations,
    traced_by_decorator,
    wrapped_function,
)
from mlflow_lint.checks.base import Check, FileContext
from mlflow_lint.context import file_context

# Annotations under which a parameter can hold the secret's text: a ``SecretStr``, a client
# or a credentials object is stored as its ``str()`` (TraceJSONEncoder), which is not known.
_TEXT_ANNOTATION_NAMES = frozenset({"str", "bytes", "Optional", "Union", "Any", "typing", "t"})
_MAX_DEPTH = 4


class SecretCapturedInTrace(Check):
    """A secret-named argument recorded in a trace while no span processor is configured.

    Reported on the parameter of an ``@mlflow.trace`` function (or one ``mlflow.trace(fn)``
    wraps), and on the entry of a ``span.set_inputs({...})`` dict that names a secret.
    """

    calls = TRACE_DECORATORS | {SPAN_SET_INPUTS}
    reads_project_facts = True

    def visit_function(self, node: ast.FunctionDef | ast.AsyncFunctionDef, ctx: FileContext) -> None:
        found = _traced_parameters(node, ctx) if traced_by_decorator(ctx.python, node) is not None else []
        self._report(found, ctx)

    def visit_call(self, node: ast.Call, ctx: FileContext) -> None:
        found = _span_inputs(node, ctx) if terminal_name(node.func) == "set_inputs" else _wrapped(node, ctx)
        self._report(found, ctx)

    @staticmethod
    def _report(found: list[tuple[ast.AST, str]], ctx: FileContext) -> None:
        if not found or _spans_processed(ctx):
            return
        for where, subject in found:
            ctx.report("MLF705", where, subject=subject)


def _wrapped(call: ast.Call, ctx: FileContext) -> list[tuple[ast.AST, str]]:
    function = wrapped_function(ctx.python, call)
    return _traced_parameters(function, ctx) if function is not None else []


def _traced_parameters(function: ast.FunctionDef | ast.AsyncFunctionDef, ctx: FileContext) -> list[tuple[ast.AST, str]]:
    """The secret-named parameters whose arguments ``@mlflow.trace`` records: every bound
    argument, defaults included, but ``self``; none when the body replaces the inputs."""
    arguments = function.args
    parameters = [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs]
    parameters += [extra for extra in (arguments.vararg, arguments.kwarg) if extra is not None]
    secret = [p for p in parameters if p.arg != "self" and is_secret_name(p.arg) and _may_be_text(p.annotation)]
    if not secret or inputs_replaced_in_body(ctx.python, function):
        return []
    return [(p, f"parameter '{p.arg}' of traced function '{function.name}'") for p in secret]


def _may_be_text(annotation: ast.expr | None) -> bool:
    """No annotation, or one that says text (``str``, ``str | None``, ``Optional[str]``)."""
    if annotation is None:
        return True
    if isinstance(annotation, ast.Constant) and isinstance(annotation.value, str):
        try:
            annotation = ast.parse(annotation.value, mode="eval").body
        except SyntaxError:
            return False
    for node in ast.walk(annotation):
        if isinstance(node, ast.Name) and node.id not in _TEXT_ANNOTATION_NAMES:
            return False
        if isinstance(node, ast.Attribute) and node.attr not in _TEXT_ANNOTATION_NAMES:
            return False
        if isinstance(node, ast.Constant) and node.value is not None:
            return False
    return True


def _span_inputs(call: ast.Call, ctx: FileContext) -> list[tuple[ast.AST, str]]:
    """Entries of ``span.set_inputs({...})`` / ``set_inputs(dict(...))`` on an MLflow span
    that name a secret, by key or by the variable passed; a literal value is no capture."""
    module = ctx.python
    if not isinstance(call.func, ast.Attribute) or not call.args or not is_span(module, call.func.value):
        return []
    payload = module.model.assigned_value(call.args[0], _MAX_DEPTH)
    entries: list[tuple[ast.expr | None, str | None, ast.expr]] = []
    if isinstance(payload, ast.Dict):
        for key, value in zip(payload.keys, payload.values, strict=True):
            text = key.value if isinstance(key, ast.Constant) and isinstance(key.value, str) else None
            entries.append((key, text, value))
    elif isinstance(payload, ast.Call) and isinstance(payload.func, ast.Name) and payload.func.id == "dict":
        entries.extend((keyword.value, keyword.arg, keyword.value) for keyword in payload.keywords if keyword.arg)
    where = _scope_name(module.model.enclosing_function(call))
    found: list[tuple[ast.AST, str]] = []
    for key, text, value in entries:
        if isinstance(value, ast.Constant):
            continue  # a written value ("[REDACTED]", None): nothing captured
        variable = _variable_name(value)
        if text is not None and is_secret_name(text):
            found.append((key or value, f"span input '{text}' set {where}"))
        elif variable is not None and is_secret_name(variable):
            named = f"span input '{text}' (from '{variable}')" if text is not None else f"span input from '{variable}'"
            found.append((value, f"{named} set {where}"))
    return found


def _variable_name(value: ast.expr) -> str | None:
    if isinstance(value, ast.Name):
        return value.id
    if isinstance(value, ast.Attribute):
        return value.attr
    return None


def _scope_name(function: ast.FunctionDef | ast.AsyncFunctionDef | None) -> str:
    return f"in '{function.name}'" if function is not None else "at module level"


def _spans_processed(ctx: FileContext) -> bool:
    """Whether the project configures span processors: in this module, else in any Python
    file of the project that is not test code (a processor a test installs does not run in
    production)."""
    if span_processor_configurations(ctx.python):
        return True
    facts = ctx.project_facts()
    return any(not _in_test_code(ctx, configuration.path) for configuration in facts.span_processor_configurations)


def _in_test_code(ctx: FileContext, path: str) -> bool:
    project = ctx.python.project
    bases = [base for base in (ctx.options.root, str(project.root) if project and project.root else "") if base]
    for base in bases:
        relative = os.path.relpath(path, base)
        if not relative.startswith(".."):
            return file_context(relative.replace(os.sep, "/"), ctx.options.test_paths) == "test"
    return False
