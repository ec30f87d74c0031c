"""MLF101 local-tracking-uri: a local tracking store, or the opt-in that keeps one working.

``MLFLOW_ALLOW_FILE_STORE`` (MLflow 3.18.0, mlflow/environment_variables.py; absent from
3.12.0, present from 3.13.0): without it, MLflow's file stores raise on construction
(mlflow/store/tracking/file_store.py, mlflow/store/model_registry/file_store.py). It is
a boolean variable: ``true``/``1`` (any case) opt in, ``false``/``0`` do not.
"""

from __future__ import annotations

import ast

from mlflow_lint.analysis.mlflow_calls import env_assignments, uri_sinks
from mlflow_lint.analysis.uris import UriKind, classify
from mlflow_lint.analysis.values import StrValue
from mlflow_lint.checks.base import FileContext, UriSetterCheck
from mlflow_lint.sources.facts import Setting

_LOCAL = (UriKind.LOCAL_PATH, UriKind.FILE)
ALLOW_FILE_STORE = "MLFLOW_ALLOW_FILE_STORE"
# What MLflow's _BooleanEnvironmentVariable.get() reads as true (other text raises).
_TRUE = frozenset({"true", "1"})
_LOCAL_STORE = "sets a local tracking store ({value})"
_SHARED_SERVER = "point it at the shared tracking server"
_OPTS_IN = "opts back into the local file store ({value}), which raises without it since MLflow 3.13"
_MIGRATE = "migrate the runs to the shared tracking server (mlflow migrate-filestore)"


class LocalTrackingUri(UriSetterCheck):
    """A tracking URI that resolves to a local path or a ``file:`` URI."""

    def visit_uri_setter(self, node: ast.Call | ast.Assign, ctx: FileContext) -> None:
        """A tracking or registry URI, or an environment variable, the call or assignment sets."""
        for sink in uri_sinks(ctx.python, node):
            if sink.role != "tracking":
                continue
            for value in ctx.python.values.evaluate(sink.value):
                # A pathlib object can only name a local store, whatever its text.
                if classify(value) in _LOCAL or value.path_object:
                    does = _LOCAL_STORE.format(value=value.render())
                    ctx.report("MLF101", sink.value, api=sink.api, does=does, instead=_SHARED_SERVER)
                    break
        for assignment in env_assignments(ctx.python, node):
            if assignment.variable == ALLOW_FILE_STORE:
                opted = _opts_in(ctx.python.values.evaluate(assignment.value))
                if opted is not None:
                    ctx.report("MLF101", assignment.value, api=assignment.api, does=_OPTS_IN.format(value=opted), instead=_MIGRATE)

    def visit_setting(self, setting: Setting, ctx: FileContext) -> None:
        if setting.value is None:
            return
        if setting.name == "MLFLOW_TRACKING_URI":
            # ${MLFLOW_TRACKING_URI:-./mlruns}: the fallback is the store when it is unset.
            for value in setting.value.values:
                if classify(value) in _LOCAL:
                    does = _LOCAL_STORE.format(value=value.render())
                    ctx.report_at("MLF101", setting.position, setting.value.text, api=setting.where, does=does, instead=_SHARED_SERVER)
                    break
        elif setting.name == ALLOW_FILE_STORE:
            opted = _opts_in(setting.value.values)  # a ${VAR:-true} fallback too
            if opted is not None:
                does = _OPTS_IN.format(value=opted)
                ctx.report_at("MLF101", setting.position, setting.value.text, api=setting.where, does=does, instead=_MIGRATE)


def _opts_in(values: tuple[StrValue, ...] | list[StrValue]) -> str | None:
    """The rendered value that turns ``MLFLOW_ALLOW_FILE_STORE`` on, if one can (unknown
    values and ``false``/``0`` cannot)."""
    for value in values:
        if value.complete and value.text.strip().lower() in _TRUE:
            return value.render()
    return None
