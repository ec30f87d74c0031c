"""MLF704 disabled-server-security.

Every setting here was read from MLflow 3.18.0's source (mlflow/environment_variables.py,
mlflow/utils/cli_args.py, mlflow/server/security.py, mlflow/server/auth/): its name, what
turns the protection off, and how MLflow parses the value.
"""

from __future__ import annotations

from dataclasses import dataclass

from mlflow_lint.analysis.commands import interpret
from mlflow_lint.checks.base import Check, FileContext
from mlflow_lint.sources import source_kind
from mlflow_lint.sources.facts import Command, Setting, Word

# click's flag values (MLFLOW_SERVER_DISABLE_SECURITY_MIDDLEWARE is the envvar of a click flag).
_TRUE = frozenset({"true", "1", "yes", "on"})
# MLflow's _BooleanEnvironmentVariable accepts exactly these (case-insensitive) as false; any
# other value makes MLflow raise, so it switches nothing off.
_MLFLOW_FALSE = frozenset({"false", "0"})
_WILDCARD_VARIABLES = {
    "MLFLOW_SERVER_ALLOWED_HOSTS": "allowed hosts",
    "MLFLOW_SERVER_CORS_ALLOWED_ORIGINS": "CORS origins",
}
_WILDCARD_OPTIONS = {"--allowed-hosts": "allowed hosts", "--cors-allowed-origins": "CORS origins"}
_KEEP_MIDDLEWARE = "keep the middleware on and list the hosts and origins that may reach the server"
# basic_auth.ini's default_permission: what every user gets on resources nobody granted them.
# MLflow's PERMISSION_PRIORITY (mlflow/server/auth/permissions.py) ranks USE, EDIT and MANAGE
# above READ; names are matched as MLflow does (get_permission is case-sensitive).
_ABOVE_READ = {
    "USE": "use every gateway secret and endpoint and create resources",
    "EDIT": "edit every experiment, model and prompt",
    "MANAGE": "edit, delete and grant permissions on every experiment, model and prompt",
}


@dataclass(frozen=True)
class _Switch:
    """An environment variable whose value turns one server protection off."""

    disabling: frozenset[str]  # the values (lower-cased) that turn it off
    what: str  # "... turns basic-auth fail-closed off"
    instead: str


_SWITCHES = {
    "MLFLOW_SERVER_DISABLE_SECURITY_MIDDLEWARE": _Switch(_TRUE, "turns the security middleware off", _KEEP_MIDDLEWARE),
    "MLFLOW_BASIC_AUTH_FAIL_CLOSED": _Switch(
        _MLFLOW_FALSE,
        "turns basic-auth fail-closed off: requests to routes with no authorization rule are let through",
        "leave it unset (fail-closed is the default)",
    ),
    "MLFLOW_SERVER_ENABLE_GRAPHQL_AUTH": _Switch(
        _MLFLOW_FALSE,
        "turns authorization of GraphQL queries off: any logged-in user reads every experiment, run and model version through /graphql",
        "leave it unset (GraphQL authorization is the default)",
    ),
    "MLFLOW_SERVER_X_FRAME_OPTIONS": _Switch(
        frozenset({"none"}),
        "drops the X-Frame-Options header, so any site may frame the MLflow UI (clickjacking)",
        "keep SAMEORIGIN (the default) or DENY",
    ),
}


def _is_wildcard(word: Word) -> bool:
    value = word.value
    return value.complete and "*" in [item.strip() for item in value.text.split(",")]


def _turns_off(word: Word, switch: _Switch) -> bool:
    value = word.value
    return value.complete and value.text.strip().lower() in switch.disabling


class DisabledServerSecurity(Check):
    """A tracking server with one of its protections switched off."""


    def visit_setting(self, setting: Setting, ctx: FileContext) -> None:
        if setting.value is None:
            return
        value = setting.value
        switch = _SWITCHES.get(setting.name)
        if switch is not None and _turns_off(value, switch):
            ctx.report_at("MLF704", setting.position, value.text, what=f"{setting.where} {switch.what}", instead=switch.instead)
        elif setting.name in _WILDCARD_VARIABLES and _is_wildcard(value):
            label = _WILDCARD_VARIABLES[setting.name]
            ctx.report_at("MLF704", setting.position, value.text, what=f"{setting.where} allows any {label}", instead=_KEEP_MIDDLEWARE)
        elif setting.name == "default_permission" and source_kind(ctx.display_path) == "auth_ini":
            self._default_permission(setting, value, ctx)

    @staticmethod
    def _default_permission(setting: Setting, value: Word, ctx: FileContext) -> None:
        grant = _ABOVE_READ.get(value.text.strip()) if value.value.complete else None
        if grant is not None:
            what = f"{setting.where} lets every user {grant} without a grant"
            ctx.report_at("MLF704", setting.position, value.text, what=what, instead="set READ (or NO_PERMISSIONS) and grant more per resource")

    def visit_command(self, command: Command, ctx: FileContext) -> None:
        invocation = interpret(command)
        if invocation is None or not invocation.is_server:
            return
        server = f"mlflow {invocation.subcommand[0]}"
        flag = invocation.has("--disable-security-middleware")
        if flag is not None:
            what = f"{server} --disable-security-middleware turns the security middleware off"
            ctx.report_at("MLF704", flag.position, flag.text, what=what, instead=_KEEP_MIDDLEWARE)
        for option, label in _WILDCARD_OPTIONS.items():
            for found in invocation.options.get(option, []):
                if found.value is not None and _is_wildcard(found.value):
                    what = f"{server} {option} allows any {label}"
                    ctx.report_at("MLF704", found.value.position, found.value.text, what=what, instead=_KEEP_MIDDLEWARE)
        frame = _SWITCHES["MLFLOW_SERVER_X_FRAME_OPTIONS"]
        for found in invocation.options.get("--x-frame-options", []):
            if found.value is not None and _turns_off(found.value, frame):
                what = f"{server} --x-frame-options {frame.what}"
                ctx.report_at("MLF704", found.value.position, found.value.text, what=what, instead=frame.instead)
