"""MLF901 removed-in-mlflow-3 and MLF902 deprecated-in-mlflow-3.

Both read only the MLflow API table (analysis/mlflow_api.json, generated from a pinned
MLflow release with its curated deprecation rows) and the target: the
``target-mlflow-version`` option, else the MLflow releases the project declares
(sources/requirements.py), else the table's release. A removal applies when some release
the project may run on has it (``mlflow>=2.9`` installs 3.x too); a deprecation, and its
fix, only when every release it may run on has it (``name=`` breaks on 2.x).
"""

from __future__ import annotations

import ast
import functools

from mlflow_lint.analysis import api
from mlflow_lint.analysis.calls import terminal_name
from mlflow_lint.analysis.mlflow_calls import consumer, display_api, logged_model_names
from mlflow_lint.analysis.mlflow_target import mlflow_target
from mlflow_lint.checks.base import Check, FileContext
from mlflow_lint.sources.requirements import DeclaredMlflow, release

# MLflow 3 stores a model logged with ``name=`` under its LoggedModel, not among the run's
# artifacts (https://mlflow.org/docs/latest/ml/mlflow-3): ``get_artifact_uri("model")`` of
# the run that logged it names nothing.
_ARTIFACT_URI_MOVED_IN = "3.0.0"


@functools.cache
def _rows_by_name() -> dict[str, tuple[api.Deprecation, ...]]:
    rows: dict[str, list[api.Deprecation]] = {}
    for row in api.table().deprecations:
        rows.setdefault(row.name, []).append(row)
    return {name: tuple(found) for name, found in rows.items()}


def _calls() -> frozenset[str]:
    """The calls the table has rows for, what a flavor module is called for (its removed
    modules too: any call into one is reported), and the loads whose URI may be a logged
    model's run-artifact location."""
    table = api.table()
    names = {row.name for row in table.deprecations if row.kind != "module"}
    names |= {call for function in ("load_model", "log_model", "save_model") for call in api.flavor_calls(function)}
    names |= {f"{row.name}.autolog" for row in table.deprecations if row.kind == "module"}
    return frozenset(names | {"mlflow.pyfunc.load_pyfunc", "mlflow.pyfunc.spark_udf"})


def _removed_module(callee: str) -> api.Deprecation | None:
    for row in api.table().deprecations:
        if row.kind == "module" and callee.startswith(row.name + "."):
            return row
    return None


class Mlflow3Migration(Check):
    """Calls of MLflow APIs removed (MLF901) or deprecated (MLF902) by the target release."""

    rule_names = ("removed-in-mlflow-3", "deprecated-in-mlflow-3")
    calls = _calls()

    def visit_call(self, node: ast.Call, ctx: FileContext) -> None:
        callee = ctx.python.model.callee(node)
        if callee is None or not api.is_mlflow(callee):
            return
        module_row = _removed_module(callee)
        rows = _rows_by_name().get(callee, ())
        found = consumer(callee)
        if module_row is None and not rows and (found is None or not found.loads_model):
            return
        target = mlflow_target(ctx.python, ctx.options.target_mlflow_version)
        shown = display_api(callee)
        if module_row is not None and module_row.removed_in and target.may_run_on(release(module_row.removed_in)):
            ctx.report(
                "MLF901", node.func, what=f"`{shown}` (module `{module_row.name}`)", removed_in=module_row.removed_in,
                target=target.describe(), replacement=_advice(module_row),
            )  # fmt: skip
            return
        for row in rows:
            self._row(row, node, shown, target, ctx)
        self._artifact_uri_load(node, callee, shown, target, ctx)

    def visit_module(self, node: ast.Module, ctx: FileContext) -> None:
        """A class of the module that subclasses a deprecated or removed MLflow class
        (``class Agent(mlflow.pyfunc.ChatModel)``): such a class is only ever used by
        subclassing, and MLflow warns on every instance (its ``__init__`` is wrapped)."""
        model = ctx.python.model
        target = None
        for cls in model.nodes_of(ast.ClassDef):
            for base in cls.bases:
                name = model.qualified_name(base)
                # (a name a class derives from is a class: the table's rows say "function")
                rows = [row for row in _rows_by_name().get(name, ()) if row.keyword is None and row.kind != "module"] if name else []
                if not rows:
                    continue
                target = target or mlflow_target(ctx.python, ctx.options.target_mlflow_version)
                for row in rows:
                    self._subclassed(row, base, target, ctx)

    def _subclassed(self, row: api.Deprecation, base: ast.expr, target: DeclaredMlflow, ctx: FileContext) -> None:
        what = f"`{display_api(row.name)}` (subclassed)"
        if row.removed_in is not None and target.may_run_on(release(row.removed_in)):
            ctx.report("MLF901", base, what=what, removed_in=str(row.removed_in), target=target.describe(), replacement=_advice(row))
        elif row.deprecated_since is not None and target.always_runs_on(release(row.deprecated_since)):
            ctx.report("MLF902", base, what=what, since=str(row.deprecated_since), target=target.describe(), replacement=_advice(row))

    def _row(self, row: api.Deprecation, call: ast.Call, shown: str, target: DeclaredMlflow, ctx: FileContext) -> None:
        removed = row.removed_in is not None and target.may_run_on(release(row.removed_in))
        deprecated = row.deprecated_since is not None and target.always_runs_on(release(row.deprecated_since))
        target_text = target.describe()
        if row.keyword is None:
            if removed:
                ctx.report("MLF901", call.func, what=f"`{shown}`", removed_in=str(row.removed_in), target=target_text, replacement=_advice(row))
            elif deprecated:
                ctx.report(
                    "MLF902", call.func, what=f"`{shown}`", since=str(row.deprecated_since), target=target_text,
                    replacement=_advice(row), fix="safe" if _callee_fixable(call, row) else None,
                )  # fmt: skip
            return
        where = _keyword_or_position(call, row)
        if where is None:
            return
        if not removed and _compatibility_fallback(ctx, call, row):
            return
        passed = "" if isinstance(where, ast.keyword) else " (passed positionally)"
        what = f"`{row.keyword}`{passed} of `{shown}`"
        if removed:
            ctx.report("MLF901", where, what=what, removed_in=str(row.removed_in), target=target_text, replacement=_advice(row))
        elif deprecated:
            ctx.report(
                "MLF902", where, what=what, since=str(row.deprecated_since), target=target_text,
                replacement=_advice(row), fix="safe" if _keyword_fixable(call, where, row) else None,
            )  # fmt: skip

    def _artifact_uri_load(self, call: ast.Call, callee: str, shown: str, target: DeclaredMlflow, ctx: FileContext) -> None:
        """``load_model(mlflow.get_artifact_uri("model"))`` where the module logs "model"; the
        model the call is about (a removed ``baseline_model=`` is reported as removed)."""
        found = consumer(callee)
        if found is None or not found.loads_model or not found.uris or not target.may_run_on(release(_ARTIFACT_URI_MOVED_IN)):
            return
        uri = api.argument_of(call, callee, found.uris[0][1])
        source = _artifact_uri_call(ctx, uri)
        if uri is None or source is None:  # (no source without a uri)
            return
        path = api.argument_of(source, "mlflow.get_artifact_uri", "artifact_path")
        names = logged_model_names(ctx.python)
        for value in ctx.python.values.evaluate(path) if path is not None else ():
            if value.complete and value.text.strip("/") in names:
                ctx.report(
                    "MLF901", uri,
                    what=f"the run-artifact location of a logged model (`mlflow.get_artifact_uri({value.text!r})`, loaded by `{shown}`)",
                    removed_in=_ARTIFACT_URI_MOVED_IN, target=target.describe(),
                    replacement="load `model_info.model_uri` (the `log_model` result) or a registry alias: "
                    "MLflow 3 stores logged models outside the run's artifacts",
                )  # fmt: skip
                return


def _compatibility_fallback(ctx: FileContext, call: ast.Call, row: api.Deprecation) -> bool:
    """A call with the old keyword in the ``except`` of a ``try`` that makes the same call
    with the new one (``try: log_model(name=...) except TypeError: log_model(artifact_path=...)``):
    the fallback for older MLflow releases, which the target never runs (policy: not
    reported; renaming it would retry the call that just failed)."""
    if row.replacement is None or not row.replacement.isidentifier():
        return False
    model = ctx.python.model
    callee = model.callee(call)
    child: ast.AST = call
    for ancestor in model.ancestors(call):
        if isinstance(ancestor, ast.Try) and isinstance(child, ast.ExceptHandler):
            return any(
                isinstance(node, ast.Call) and model.callee(node) == callee and any(k.arg == row.replacement for k in node.keywords)
                for statement in ancestor.body
                for node in ast.walk(statement)
            )
        if isinstance(ancestor, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            return False
        child = ancestor
    return False


def _artifact_uri_call(ctx: FileContext, expr: ast.expr | None, depth: int = 0) -> ast.Call | None:
    """The ``mlflow.get_artifact_uri(...)`` call ``expr`` is, directly or through a name."""
    if expr is None or depth > 4:
        return None
    if isinstance(expr, ast.Call):
        return expr if ctx.python.model.callee(expr) == "mlflow.get_artifact_uri" else None
    if isinstance(expr, ast.Name):
        binding = ctx.python.model.lookup(expr.id, expr)
        if binding is not None and binding.kind == "assign" and binding.value is not None:
            return _artifact_uri_call(ctx, binding.value, depth + 1)
    return None


def _keyword_or_position(call: ast.Call, row: api.Deprecation) -> ast.AST | None:
    """The keyword argument a row names, or the positional argument that fills it. A
    renamed keyword (``@deprecated_parameter``) is deprecated as a keyword only: MLflow's
    wrapper warns about, and forwards, a keyword argument; a positional argument fills the
    new parameter, or (``search_traces(experiment_ids)``, still in the signature) is taken
    as it always was, without a warning."""
    for keyword in call.keywords:
        if keyword.arg == row.keyword:
            return keyword
    if row.removed_in is not None or row.keyword is None or row.kind == "renamed-keyword":
        return None  # a removed parameter has no position in the pinned signature
    found = api.signature(row.name)
    position = found.position(row.keyword) if found is not None else None
    if position is None or position >= len(call.args):
        return None
    if any(isinstance(argument, ast.Starred) for argument in call.args[: position + 1]):
        return None
    return call.args[position]


# What the safe fixes (mlflow_lint.fixes.mlflow3) rewrite: a keyword of a call this check
# resolved (the fix renames the keyword it is pointed at); a callee, or a positional
# argument made a keyword, only in a call written through the ``mlflow`` module's own name,
# so that the source text is the canonical name the table knows.
def _written_as(call: ast.Call, name: str) -> bool:
    return ast.unparse(call.func) == name


def _keyword_fixable(call: ast.Call, where: ast.AST, row: api.Deprecation) -> bool:
    if row.fix != "rename-keyword" or row.replacement is None:
        return False
    if any(k.arg is None or k.arg == row.replacement for k in call.keywords):
        return False  # both given (MLflow raises), or **kwargs that may hold it
    found = api.signature(row.name)
    position = found.position(row.replacement) if found is not None else None
    if position is not None and (position < len(call.args) or any(isinstance(a, ast.Starred) for a in call.args)):
        return False  # the new parameter is (or may be) filled positionally already: MLflow raises
    if isinstance(where, ast.keyword):
        return terminal_name(call.func) == row.name.rpartition(".")[2]  # (the fix finds the row by it: not an alias)
    positional = list(call.args)
    return _written_as(call, row.name) and not any(isinstance(a, ast.Starred) for a in positional) and positional[-1] is where


def _callee_fixable(call: ast.Call, row: api.Deprecation) -> bool:
    if row.fix != "rename-callee" or row.replacement is None or not _written_as(call, row.name):
        return False
    if any(isinstance(a, ast.Starred) for a in call.args) or any(k.arg is None for k in call.keywords):
        return False
    return api.accepts_same_call(row.name, row.replacement, len(call.args), [k.arg for k in call.keywords if k.arg])


def _advice(row: api.Deprecation) -> str:
    if row.replacement is None:
        return "see MLflow's release notes" + (f" ({row.reference})" if row.reference else "")
    if row.fix == "rename-keyword" or (row.keyword is not None and row.replacement.isidentifier()):
        return f"use `{row.replacement}=`"
    if row.fix == "rename-callee" or (row.replacement.startswith("mlflow.") and " " not in row.replacement) or row.replacement.isidentifier():
        return f"use `{row.replacement}`"
    return row.replacement
