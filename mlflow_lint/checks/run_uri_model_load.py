"""MLF601 run-uri-model-load."""

from __future__ import annotations

import ast
import re

from mlflow_lint.analysis.calls import argument
from mlflow_lint.analysis.mlflow_calls import CONSUMER_CALL_NAMES, consumer, display_api, is_current_run_id
from mlflow_lint.analysis.uris import UriKind, classify, runs_uri_run_id
from mlflow_lint.analysis.values import Hole, StrValue
from mlflow_lint.checks.base import Check, FileContext
from mlflow_lint.checks.model_loads import consumed_uri
from mlflow_lint.analysis.commands import consumed_model
from mlflow_lint.sources.facts import Command

# Reading a run's plain data files (metrics.json, a plot) is not consuming a model.
_DATA_FILE = re.compile(
    r"\.(json|txt|csv|tsv|png|jpe?g|svg|gif|html?|ya?ml|md|log|parquet|npy|npz|pdf)$", re.IGNORECASE
)


class RunUriModelLoad(Check):
    """A model or artifact consumed from a run: a ``runs:/`` URI or a ``run_id=`` argument.

    The run the same code just created (``run.info.run_id`` of its ``start_run``,
    ``mlflow.active_run()``, a ``log_model`` result, a helper returning one of those) is
    not a finding, and neither is reading a run's plain data files (``metrics.json``).
    """

    rules = ("MLF601",)
    call_names = CONSUMER_CALL_NAMES

    def visit(self, node: ast.AST, ctx: FileContext) -> None:
        assert isinstance(node, ast.Call)
        consumed = consumed_uri(node, ctx)
        if consumed is not None:
            what = "a model" if consumed.consumer.loads_model else "run artifacts"
            for value in consumed.values:
                if classify(value) is not UriKind.RUNS or self._current_run(value):
                    continue
                if not consumed.consumer.loads_model and _names_data_file(value):
                    continue
                ctx.report("MLF601", consumed.expr, api=consumed.api, what=what, source=value.render())
                return
        callee = ctx.python.model.callee(node)
        found = consumer(callee) if callee is not None else None
        if found is None or found.run_id_position is None:
            return
        run_id_expr = argument(node, found.run_id_position, found.run_id_keyword)
        if run_id_expr is None or (isinstance(run_id_expr, ast.Constant) and run_id_expr.value is None):
            return
        if is_current_run_id(ctx.python, run_id_expr):
            return
        path_expr = argument(node, found.path_position, found.path_keyword)
        if path_expr is not None and any(_names_data_file(v) for v in ctx.python.values.evaluate(path_expr)):
            return
        assert callee is not None
        ctx.report(
            "MLF601", run_id_expr, api=display_api(callee), what="run artifacts", source=f"run_id={_short(run_id_expr)}"
        )

    def visit_command(self, command: Command, ctx: FileContext) -> None:
        found = consumed_model(command)
        if found is not None and classify(found[1].value) is UriKind.RUNS:
            api, word = found
            ctx.report_at("MLF601", word.position, word.text, api=api, what="a model", source=word.value.render())

    @staticmethod
    def _current_run(value: StrValue) -> bool:
        run_id = runs_uri_run_id(value)
        if isinstance(run_id, Hole) and run_id.expr is not None and run_id.module is not None:
            return is_current_run_id(run_id.module, run_id.expr)
        return False


def _names_data_file(value: StrValue) -> bool:
    tail = value.parts[-1] if value.parts else ""
    return isinstance(tail, str) and bool(_DATA_FILE.search(tail.rstrip("/")))


def _short(expr: ast.expr) -> str:
    text = ast.unparse(expr)
    return text if len(text) <= 40 else text[:39] + "…"
