"""MLF301 hardcoded-artifact-location."""

from __future__ import annotations

import ast

from mlflow_lint.analysis.calls import argument
from mlflow_lint.analysis.commands import SERVER_ENVIRONMENT, interpret, passes_local_text, read_by_a_server
from mlflow_lint.analysis.mlflow_calls import ARTIFACT_ARGUMENTS, display_api
from mlflow_lint.analysis.uris import UriKind, classify
from mlflow_lint.analysis.values import StrValue
from mlflow_lint.checks.base import Check, FileContext
from mlflow_lint.sources.facts import Command, Setting, Word

_STORAGE = (UriKind.OBJECT_STORE, UriKind.FILE, UriKind.MLFLOW_ARTIFACTS)
_LEAVE_TO_THE_SERVER = "let the tracking server's artifact store decide (mlflow server --artifacts-destination)"
# A server's local artifact location: what to do instead, by option. A local default root
# is a path clients write to on their own machines; a local destination is the server's disk.
_SERVER_OPTIONS = {
    "--default-artifact-root": "leave it unset, so that clients upload through the server (mlflow-artifacts:/), "
    "and give --artifacts-destination an object store (s3://, gs://, wasbs://)",
    "--artifacts-destination": "use an object store (s3://, gs://, wasbs://) that outlives the server's machine",
}
# Their environment variables (click envvar=): judged at the file's server command that reads
# one, else where it is set (a Kubernetes container running its image's own entrypoint).
_SERVER_VARIABLES = {SERVER_ENVIRONMENT[option]: option for option in _SERVER_OPTIONS}


class HardcodedArtifactLocation(Check):
    """A storage URI or local path hard-coded as an experiment's or run's artifact location."""

    calls = ARTIFACT_ARGUMENTS.keys()

    def visit_command(self, command: Command, ctx: FileContext) -> None:
        """A tracking server whose artifact root or destination is a local path."""
        invocation = interpret(command)
        if invocation is None or not invocation.is_server:
            return
        for option, instead in _SERVER_OPTIONS.items():
            found = invocation.value(option)
            if found is not None:
                _report_local(found[0], f"mlflow {invocation.subcommand[0]} {found[1]}", instead, ctx)

    def visit_setting(self, setting: Setting, ctx: FileContext) -> None:
        """``MLFLOW_DEFAULT_ARTIFACT_ROOT`` / ``MLFLOW_ARTIFACTS_DESTINATION`` set to a local path."""
        option = _SERVER_VARIABLES.get(setting.name)
        if option is not None and setting.value is not None and not read_by_a_server(setting, ctx.facts):
            _report_local(setting.value, setting.where, _SERVER_OPTIONS[option], ctx)

    def visit_call(self, node: ast.Call, ctx: FileContext) -> None:
        callee = ctx.python.model.callee(node)
        spec = ARTIFACT_ARGUMENTS.get(callee) if callee is not None else None
        if callee is None or spec is None:
            return
        position, keyword, role = spec
        expr = argument(node, position, keyword)
        if expr is None:
            return
        for value in ctx.python.values.evaluate(expr):
            if _hard_codes_storage(value, role):
                ctx.report("MLF301", expr, api=display_api(callee), value=value.render(), instead=_LEAVE_TO_THE_SERVER)
                return


def _report_local(word: Word, api: str, instead: str, ctx: FileContext) -> None:
    """A server's artifact root that is a local path or ``file:`` URI, as written or as the
    fallback of a ``${VAR:-file:///mlruns}`` reference, or a reference an exec-form command
    passes unexpanded (the server gets its text: a relative directory). An object-store URI
    with an unexpanded part (``s3://${BUCKET}/mlflow``) still names an object store."""
    if passes_local_text(word):
        ctx.report_at("MLF301", word.position, word.text, api=api, value=f"{word.text!r}, not expanded by the exec form", instead=instead)
        return
    for value in word.values:
        if classify(value) in (UriKind.LOCAL_PATH, UriKind.FILE):
            ctx.report_at("MLF301", word.position, word.text, api=api, value=value.render(), instead=instead)
            return


def _hard_codes_storage(value: StrValue, role: str) -> bool:
    kind = classify(value)
    if kind is UriKind.MLFLOW_ARTIFACTS and role == "location":
        # An experiment under the server's proxied store: the server still decides where its
        # artifacts live, and clients reach them through it (policy).
        return False
    if kind in _STORAGE:
        return True
    if kind is UriKind.LOCAL_PATH:
        if role == "location":
            return True
        return value.local_path or value.prefix.startswith(("/", "~", "\\\\")) or _is_drive(value.prefix)
    return False


def _is_drive(prefix: str) -> bool:
    return len(prefix) >= 3 and prefix[0].isalpha() and prefix[1] == ":" and prefix[2] in "\\/"
