"""MLF704 disabled-server-security."""

from __future__ import annotations

from mlflow_lint.analysis.commands import interpret
from mlflow_lint.checks.base import Check, FileContext
from mlflow_lint.sources.facts import Command, Setting, Word

_TRUE = frozenset({"true", "1", "yes", "on"})
_WILDCARD_VARIABLES = {
    "MLFLOW_SERVER_ALLOWED_HOSTS": "allowed hosts",
    "MLFLOW_SERVER_CORS_ALLOWED_ORIGINS": "CORS origins",
}
_WILDCARD_OPTIONS = {"--allowed-hosts": "allowed hosts", "--cors-allowed-origins": "CORS origins"}


def _is_wildcard(word: Word) -> bool:
    value = word.value
    return value.complete and "*" in [item.strip() for item in value.text.split(",")]


class DisabledServerSecurity(Check):
    """A tracking server with its security middleware off or accepting any host/origin."""

    rules = ("MLF704",)
    node_types = ()

    def visit_setting(self, setting: Setting, ctx: FileContext) -> None:
        if setting.value is None:
            return
        value = setting.value
        if setting.name == "MLFLOW_SERVER_DISABLE_SECURITY_MIDDLEWARE":
            if value.value.complete and value.text.strip().lower() in _TRUE:
                ctx.report_at("MLF704", setting.position, value.text, what=f"{setting.where} turns the security middleware off")
        elif setting.name in _WILDCARD_VARIABLES and _is_wildcard(value):
            ctx.report_at("MLF704", setting.position, value.text, what=f"{setting.where} allows any {_WILDCARD_VARIABLES[setting.name]}")

    def visit_command(self, command: Command, ctx: FileContext) -> None:
        invocation = interpret(command)
        if invocation is None or not invocation.is_server:
            return
        server = f"mlflow {invocation.subcommand[0]}"
        flag = invocation.has("--disable-security-middleware")
        if flag is not None:
            ctx.report_at("MLF704", flag.position, flag.text, what=f"{server} --disable-security-middleware turns the security middleware off")
        for option, label in _WILDCARD_OPTIONS.items():
            for found in invocation.options.get(option, []):
                if found.value is not None and _is_wildcard(found.value):
                    ctx.report_at("MLF704", found.value.position, found.value.text, what=f"{server} {option} allows any {label}")
