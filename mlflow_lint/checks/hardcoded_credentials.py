"""MLF701 hardcoded-credentials (Python forms). Messages never echo the secret."""

from __future__ import annotations

import ast
import re

from mlflow_lint.analysis.calls import argument
from mlflow_lint.analysis.mlflow_calls import SINK_CALL_NAMES, env_assignments, uri_sinks
from mlflow_lint.analysis.values import StrValue, uri_password
from mlflow_lint.analysis.commands import interpret
from mlflow_lint.checks.base import Check, FileContext
from mlflow_lint.sources.facts import Command, Setting

SECRET_VARIABLES = frozenset(
    {
        "MLFLOW_TRACKING_PASSWORD",
        "MLFLOW_TRACKING_TOKEN",
        "DATABRICKS_TOKEN",
        "DATABRICKS_CLIENT_SECRET",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AZURE_STORAGE_ACCESS_KEY",
        "AZURE_STORAGE_CONNECTION_STRING",
        "AZURE_CLIENT_SECRET",
    }
)
_HOST_CREDS = "mlflow.utils.rest_utils.MlflowHostCreds"
# Template values in example files: "<your-token>", "changeme", "xxx", "***".
_PLACEHOLDER = re.compile(
    r"^(<[^>]*>|\*+|x{3,}|\.{3}|change[-_ ]?me|replace[-_ ]?me|your[-_ ].*|todo|tbd|placeholder|dummy|none|null)$",
    re.IGNORECASE,
)
_REFERENCE = re.compile(r"^\$(\{[A-Za-z_][A-Za-z0-9_]*(:?-[^}]*)?\}|[A-Za-z_][A-Za-z0-9_]*)$")


def is_literal_secret(value: StrValue) -> bool:
    """A complete, non-empty literal that is not a ``${VAR}`` / ``$VAR`` reference."""
    if not value.complete:
        return False
    text = value.text.strip()
    return bool(text) and not _REFERENCE.match(text) and not _PLACEHOLDER.match(text)


def has_literal_password(value: StrValue) -> bool:
    """``scheme://user:password@host`` with the password written out (not a hole)."""
    password = uri_password(value.prefix)
    return password is not None and not _REFERENCE.match(password) and not _PLACEHOLDER.match(password)


class HardcodedCredentials(Check):
    """Literal secrets in MLflow-related environment variables, URIs and host credentials."""

    rules = ("MLF701",)
    node_types = (ast.Call, ast.Assign)
    call_names = SINK_CALL_NAMES | {"MlflowHostCreds"}

    def visit(self, node: ast.AST, ctx: FileContext) -> None:
        module = ctx.python
        for assignment in env_assignments(module, node):
            if assignment.variable in SECRET_VARIABLES:
                if any(is_literal_secret(v) for v in module.values.evaluate(assignment.value)):
                    ctx.report("MLF701", assignment.value, where=assignment.api)
        for sink in uri_sinks(module, node):
            if any(has_literal_password(v) for v in module.values.evaluate(sink.value)):
                ctx.report("MLF701", sink.value, where=f"the {sink.role} URI given to {sink.api}")
        if isinstance(node, ast.Call) and module.model.callee(node) == _HOST_CREDS:
            for position, keyword in ((2, "password"), (3, "token")):
                expr = argument(node, position, keyword)
                if expr is not None and any(is_literal_secret(v) for v in module.values.evaluate(expr)):
                    ctx.report("MLF701", expr, where=f"MlflowHostCreds({keyword}=...)")

    def visit_setting(self, setting: Setting, ctx: FileContext) -> None:
        if setting.value is None:  # secretKeyRef, valueFrom: not a literal
            return
        value = setting.value.value
        if setting.name in SECRET_VARIABLES and is_literal_secret(value) or has_literal_password(value):
            ctx.report_at("MLF701", setting.position, None, where=setting.where)

    def visit_command(self, command: Command, ctx: FileContext) -> None:
        invocation = interpret(command)
        if invocation is None:
            return
        for option in ("--backend-store-uri", "--registry-store-uri", "--default-artifact-root", "--artifacts-destination"):
            for found in invocation.options.get(option, []):
                if found.value is not None and has_literal_password(found.value.value):
                    where = f"mlflow {' '.join(invocation.subcommand)} {option}"
                    ctx.report_at("MLF701", found.value.position, None, where=where)
