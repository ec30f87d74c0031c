"""MLF701 hardcoded-credentials (Python forms). Messages never echo the secret."""

from __future__ import annotations

import ast
from collections.abc import Iterable

from mlflow_lint.analysis.calls import argument
from mlflow_lint.analysis.commands import interpret
from mlflow_lint.analysis.mlflow_calls import ENV_READERS, URI_SINK_CALLS, EnvAssignment, env_assignments, env_read_default, uri_sinks
from mlflow_lint.analysis.module import AnalysedModule
from mlflow_lint.analysis.secrets import (
    SECRET_VARIABLES,
    has_literal_password,
    is_literal_secret,
    is_real_token,
    known_default,
    uri_has_real_token,
)
from mlflow_lint.analysis.settings_classes import fields_read, settings_fields
from mlflow_lint.analysis.values import StrValue, same_text_operand
from mlflow_lint.analysis.variable_reads import literal_read
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


def _secret_variable(variables: Iterable[str]) -> str | None:
    """The first of ``variables`` (in name order) that holds a credential."""
    return next((variable for variable in sorted(variables) if variable in SECRET_VARIABLES), None)


def _reported_where_written(module: AnalysedModule, expr: ast.expr, depth: int = 0) -> bool:
    """Whether ``expr`` reads a secret variable whose fallback is judged where it is written
    (``os.getenv("DATABRICKS_TOKEN", "...")``, a settings field read from one, through a name
    assigned once or ``.get_secret_value()``): passing it on (into the environment, to
    ``MlflowHostCreds``) is not a second finding."""
    if depth > 4:
        return False
    if isinstance(expr, ast.Call):
        operand = same_text_operand(module.model, expr)  # settings.password.get_secret_value()
        if operand is not None:
            return _reported_where_written(module, operand, depth + 1)
        read = env_read_default(module, expr)
        return read is not None and read.variable in SECRET_VARIABLES
    if isinstance(expr, ast.Name):
        binding = module.model.lookup(expr.id, expr)
        return binding is not None and binding.kind == "assign" and binding.value is not None and _reported_where_written(module, binding.value, depth + 1)
    fields = fields_read(module, expr)
    return fields is not None and all(_secret_variable(field.variables) is not None for field in fields)




class HardcodedCredentials(Check):
    """Literal secrets in MLflow-related environment variables, URIs and host credentials."""

    calls = URI_SINK_CALLS | ENV_READERS | {_HOST_CREDS}

    # A real token (its shape says so) is reported in test code too; a throwaway password in
    # a test is not a governance finding (context policy in the catalog).
    def visit_call(self, node: ast.Call, ctx: FileContext) -> None:
        self._assigned_or_passed(node, ctx)
        module = ctx.python
        read = env_read_default(module, node)
        if read is not None and read.variable in SECRET_VARIABLES:
            self._judge(read, ctx)  # the fallback the variable takes when it is unset
        if module.model.callee(node) == _HOST_CREDS:
            for position, keyword in ((2, "password"), (3, "token")):
                expr = argument(node, position, keyword)
                secrets = [v for v in module.values.evaluate(expr) if is_literal_secret(v)] if expr is not None else []
                if expr is not None and secrets and not _reported_where_written(module, expr):
                    real = any(is_real_token(v.text) for v in secrets)
                    ctx.report("MLF701", expr, secret=True, everywhere=real, where=f"MlflowHostCreds({keyword}=...)")

    def visit_assign(self, node: ast.Assign, ctx: FileContext) -> None:
        self._assigned_or_passed(node, ctx)

    def visit_module(self, node: ast.Module, ctx: FileContext) -> None:
        """Settings classes: a field read from a secret variable, with a literal default, is
        that variable's committed value (pydantic reads the environment first)."""
        for field in settings_fields(ctx.python):
            variable = _secret_variable(field.variables)
            if variable is not None and field.default is not None:
                where = f"the default of settings field {field.cls.name}.{field.name} ({variable})"
                self._judge(EnvAssignment(variable, field.default.expr, where), ctx)

    def _assigned_or_passed(self, node: ast.Call | ast.Assign, ctx: FileContext) -> None:
        """A secret variable set to a literal; a URI with a password given to MLflow."""
        module = ctx.python
        for assignment in env_assignments(module, node):
            if assignment.variable in SECRET_VARIABLES and not _reported_where_written(module, assignment.value):
                self._judge(assignment, ctx)
        for sink in uri_sinks(module, node):
            uris = [v for v in module.values.evaluate(sink.value) if has_literal_password(v)]
            if uris:
                real = any(uri_has_real_token(v.prefix) for v in uris)
                ctx.report("MLF701", sink.value, everywhere=real, where=f"the {sink.role} URI given to {sink.api}")

    @staticmethod
    def _judge(assignment: EnvAssignment, ctx: FileContext) -> None:
        """A secret variable given a value: MLflow's publicly known default for it, or a
        literal secret (a placeholder, a reference or an empty string is none)."""
        values = ctx.python.values.evaluate(assignment.value)
        default = _known_default(assignment.variable, values)
        secrets = [v for v in values if is_literal_secret(v)]
        if default is not None:
            ctx.report("MLF701", assignment.value, secret=True, everywhere=True, where=f"{assignment.api} ({default})")
        elif secrets:
            real = any(is_real_token(v.text, assignment.variable) for v in secrets)
            ctx.report("MLF701", assignment.value, secret=True, everywhere=real, where=assignment.api)

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
        self._through_reference(setting, secret, ctx)

    def _through_reference(self, setting: Setting, secret: bool, ctx: FileContext) -> None:
        """A credential that reads another variable (analysis.variable_reads): the literal it
        holds is reported where it is written in the same file, or (a Compose file's, from
        the committed .env beside it) at the setting itself, naming the variable."""
        if ctx.facts is None:
            return
        read = literal_read(setting, secret, ctx.facts, ctx.path, ctx.project, ctx.options)
        if read is None or read.source.value is None:
            return
        real = is_real_token(read.source.value.value.text, read.variable)
        if read.in_env_file:
            where = f"{setting.where} (its ${{{read.variable}}} is set in .env)"
            ctx.report_at("MLF701", setting.position, None, everywhere=real, where=where)
        else:
            ctx.report_at("MLF701", read.source.position, None, everywhere=real, where=f"{read.source.where} (read by {setting.name})")

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
