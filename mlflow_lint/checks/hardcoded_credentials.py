"""MLF701 hardcoded-credentials (Python forms). Messages never echo the secret."""

from __future__ import annotations

import ast
from collections.abc import Iterable

from mlflow_lint.analysis.calls import argument
from mlflow_lint.analysis.commands import interpret
from mlflow_lint.analysis.mlflow_calls import URI_SINK_CALLS, env_assignments, uri_sinks
from mlflow_lint.analysis.secrets import (
    SECRET_VARIABLES,
    has_literal_password,
    is_literal_secret,
    is_real_token,
    known_default,
    uri_has_real_token,
)
from mlflow_lint.analysis.values import StrValue
from mlflow_lint.checks.base import Check, FileContext
from mlflow_lint.sources.facts import Command, Setting

_HOST_CREDS = "mlflow.utils.rest_utils.MlflowHostCreds"


def _known_default(setting: str, values: Iterable[StrValue]) -> str | None:
    """What the setting's value is when one value it may take is MLflow's publicly known
    default for it (``password1234`` as the admin password), else None."""
    for value in values:
        if value.complete:
            found = known_default(setting, value.text)
            if found is not None:
                return found
    return None


class HardcodedCredentials(Check):
    """Literal secrets in MLflow-related environment variables, URIs and host credentials."""

    calls = URI_SINK_CALLS | {_HOST_CREDS}

    # A real token (its shape says so) is reported in test code too; a throwaway password in
    # a test is not a governance finding (context policy in the catalog).
    def visit_call(self, node: ast.Call, ctx: FileContext) -> None:
        self._assigned_or_passed(node, ctx)
        module = ctx.python
        if module.model.callee(node) == _HOST_CREDS:
            for position, keyword in ((2, "password"), (3, "token")):
                expr = argument(node, position, keyword)
                secrets = [v for v in module.values.evaluate(expr) if is_literal_secret(v)] if expr is not None else []
                if expr is not None and secrets:
                    real = any(is_real_token(v.text) for v in secrets)
                    ctx.report("MLF701", expr, secret=True, everywhere=real, where=f"MlflowHostCreds({keyword}=...)")

    def visit_assign(self, node: ast.Assign, ctx: FileContext) -> None:
        self._assigned_or_passed(node, ctx)

    def _assigned_or_passed(self, node: ast.Call | ast.Assign, ctx: FileContext) -> None:
        """A secret variable set to a literal; a URI with a password given to MLflow."""
        module = ctx.python
        for assignment in env_assignments(module, node):
            if assignment.variable in SECRET_VARIABLES:
                values = module.values.evaluate(assignment.value)
                default = _known_default(assignment.variable, values)
                secrets = [v for v in values if is_literal_secret(v)]
                if default is not None:
                    ctx.report("MLF701", assignment.value, secret=True, everywhere=True, where=f"{assignment.api} ({default})")
                elif secrets:
                    real = any(is_real_token(v.text, assignment.variable) for v in secrets)
                    ctx.report("MLF701", assignment.value, secret=True, everywhere=real, where=assignment.api)
        for sink in uri_sinks(module, node):
            uris = [v for v in module.values.evaluate(sink.value) if has_literal_password(v)]
            if uris:
                real = any(uri_has_real_token(v.prefix) for v in uris)
                ctx.report("MLF701", sink.value, everywhere=real, where=f"the {sink.role} URI given to {sink.api}")

    def visit_setting(self, setting: Setting, ctx: FileContext) -> None:
        if setting.value is None:  # secretKeyRef, valueFrom: not a literal
            return
        # MLflow's publicly known defaults first: no placeholder rule or test context excuses them.
        secret = setting.secret or setting.name in SECRET_VARIABLES
        default = _known_default(setting.name, setting.value.values) if secret else None
        if default is not None:
            ctx.report_at("MLF701", setting.position, None, everywhere=True, where=f"{setting.where} ({default})")
            return
        # Each value the setting may take: a ${PG_PASSWORD:-mlflow} fallback is a literal.
        for value in setting.value.values:
            if secret and is_literal_secret(value):
                real = is_real_token(value.text, setting.name)
            elif has_literal_password(value):
                real = uri_has_real_token(value.prefix)
            else:
                continue
            ctx.report_at("MLF701", setting.position, None, everywhere=real, where=setting.where)
            return

    def visit_command(self, command: Command, ctx: FileContext) -> None:
        invocation = interpret(command)
        if invocation is None:
            return
        for option in ("--backend-store-uri", "--registry-store-uri", "--default-artifact-root", "--artifacts-destination"):
            for found in invocation.options.get(option, []):
                word = found.value
                if word is None:
                    continue
                for value in word.values:
                    if has_literal_password(value):
                        where = f"mlflow {' '.join(invocation.subcommand)} {option}"
                        real = uri_has_real_token(value.prefix)
                        ctx.report_at("MLF701", word.position, None, everywhere=real, where=where)
                        break
