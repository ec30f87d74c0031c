"""MLF201 non-sql-backend-store.

``sqlite:///mlflow.db`` is MLflow's local default tracking URI, and the backend store of
``mlflow server`` run without ``--backend-store-uri``, from MLflow 3.7.0 on (MLflow 3.18.0,
mlflow/store/tracking/__init__.py: DEFAULT_TRACKING_URI; absent from 3.6.0): a default
is still one machine's file, not a shared store.
"""

from __future__ import annotations

import ast

from mlflow_lint.analysis.commands import (
    LOCAL_DEFAULT_STORE,
    SERVER_ENVIRONMENT,
    interpret,
    passes_local_text,
    read_by_a_server,
    runs_on_default_store,
)
from mlflow_lint.analysis.mlflow_calls import uri_sinks
from mlflow_lint.analysis.uris import UriKind, classify
from mlflow_lint.analysis.values import StrValue
from mlflow_lint.checks.base import FileContext, UriSetterCheck
from mlflow_lint.sources.facts import Command, Setting

_URI_VARIABLES = ("MLFLOW_TRACKING_URI", "MLFLOW_REGISTRY_URI")
# What `mlflow server` reads for its stores when no flag gives them (click envvar=). Set in an
# environment no server command of the file reads, each says what store a server started
# elsewhere runs on (a Kubernetes container running its image's own entrypoint, a .env that
# compose passes on); one the file's server command reads is judged at that command.
_BACKEND_VARIABLE = SERVER_ENVIRONMENT["--backend-store-uri"]
_REGISTRY_VARIABLE = SERVER_ENVIRONMENT["--registry-store-uri"]
_FILE_STORES = (UriKind.FILE, UriKind.LOCAL_PATH)
_DEFAULT = "MLflow's local default since 3.7, not a shared store"
_SQLITE_FILE = "a local file, not a shared store"
_DIRECTORY = "a local directory, not a shared store"
_UNEXPANDED = "an exec-form command runs without a shell, so MLflow receives this text itself, a local directory, not the variable's value"
# The server's own default, whichever release runs it (an image tag may pin a 2.x server):
# ./mlruns before 3.7; sqlite:///mlflow.db from 3.7, unless ./mlruns already holds runs.
_NO_STORE = f"{LOCAL_DEFAULT_STORE}, not a shared store"


def _why_sqlite(value: StrValue) -> str:
    """``sqlite:///mlflow.db`` (also ``sqlite:///./mlflow.db``) is MLflow's own default."""
    if value.complete:
        scheme, _, path = value.text.strip().partition(":///")
        if scheme.lower() == "sqlite" and path.removeprefix("./") == "mlflow.db":
            return _DEFAULT
    return _SQLITE_FILE


class NonSqlBackendStore(UriSetterCheck):
    """SQLite tracking/registry stores, and servers on a file or SQLite backend (or none)."""

    def visit_uri_setter(self, node: ast.Call | ast.Assign, ctx: FileContext) -> None:
        """A tracking or registry URI, or an environment variable, the call or assignment sets."""
        for sink in uri_sinks(ctx.python, node):
            for value in ctx.python.values.evaluate(sink.value):
                if classify(value) is UriKind.SQLITE:
                    ctx.report("MLF201", sink.value, api=sink.api, store="SQLite", value=value.render(), why=_why_sqlite(value))
                    break

    def visit_setting(self, setting: Setting, ctx: FileContext) -> None:
        if setting.value is None:
            return
        server_backend = setting.name == _BACKEND_VARIABLE
        server_registry = setting.name == _REGISTRY_VARIABLE
        if not (server_backend or server_registry or setting.name in _URI_VARIABLES):
            return
        if (server_backend or server_registry) and read_by_a_server(setting, ctx.facts):
            return
        for value in setting.value.values:  # a ${VAR:-sqlite:///mlflow.db} fallback too
            kind = classify(value)
            if kind is UriKind.SQLITE:
                store, why = "SQLite", _why_sqlite(value)
            elif server_backend and kind in _FILE_STORES:
                store, why = "file", _DIRECTORY
            else:
                continue
            ctx.report_at("MLF201", setting.position, setting.value.text, api=setting.where, store=store, value=value.render(), why=why)
            break

    def visit_command(self, command: Command, ctx: FileContext) -> None:
        invocation = interpret(command)
        if invocation is None or not invocation.is_server or invocation.artifacts_only:
            return  # an artifacts-only server keeps no runs: it has no backend store
        api = f"mlflow {invocation.subcommand[0]}"
        found = invocation.value("--backend-store-uri")
        if runs_on_default_store(command, invocation):
            anchor = invocation.anchor
            ctx.report_at(
                "MLF201", anchor.position, " ".join(w.text for w in command.argv[:3]),
                api=api, store="local", value="no --backend-store-uri", why=_NO_STORE,
            )
        elif found is not None:
            word, origin = found
            # CMD ["mlflow", "server", "--backend-store-uri", "$URI"]: MLflow gets the text, a
            # relative directory; "postgresql://${USER}@db/m" still names a SQL store.
            if passes_local_text(word):
                ctx.report_at(
                    "MLF201", word.position, word.text, api=f"{api} {origin}", store="file", value=repr(word.text), why=_UNEXPANDED
                )
                return
            for value in word.values:
                kind = classify(value)
                if kind is UriKind.SQLITE or kind in _FILE_STORES:
                    store, why = ("SQLite", _why_sqlite(value)) if kind is UriKind.SQLITE else ("file", _DIRECTORY)
                    ctx.report_at(
                        "MLF201", word.position, word.text, api=f"{api} {origin}", store=store, value=value.render(), why=why
                    )
                    break
        registry = invocation.value("--registry-store-uri")
        if registry is not None:
            word = registry[0]
            for value in word.values:
                if classify(value) is UriKind.SQLITE:
                    ctx.report_at(
                        "MLF201", word.position, word.text,
                        api=f"{api} {registry[1]}", store="SQLite", value=value.render(), why=_why_sqlite(value),
                    )  # fmt: skip
                    break
