"""MLF704 disabled-server-security.

What switches a protection off is ``analysis.server_security``'s (the audit's server rows
read the same); basic_auth.ini's default permission is this rule's own.
"""

from __future__ import annotations

from mlflow_lint.analysis.commands import interpret
from mlflow_lint.analysis.server_security import command_weakenings, setting_weakening
from mlflow_lint.checks.base import Check, FileContext
from mlflow_lint.sources import source_kind
from mlflow_lint.sources.facts import Command, Setting, Word

# basic_auth.ini's default_permission: what every user gets on resources nobody granted them.
# MLflow's PERMISSION_PRIORITY (mlflow/server/auth/permissions.py) ranks USE, EDIT and MANAGE
# above READ; names are matched as MLflow does (get_permission is case-sensitive).
_ABOVE_READ = {
    "USE": "use every gateway secret and endpoint and create resources",
    "EDIT": "edit every experiment, model and prompt",
    "MANAGE": "edit, delete and grant permissions on every experiment, model and prompt",
}


class DisabledServerSecurity(Check):
    """A tracking server with one of its protections switched off."""


    def visit_setting(self, setting: Setting, ctx: FileContext) -> None:
        if setting.value is None:
            return
        weakening = setting_weakening(setting)
        if weakening is not None:
            ctx.report_at("MLF704", setting.position, setting.value.text, what=weakening.what, instead=weakening.instead)
        elif setting.name == "default_permission" and source_kind(ctx.display_path) == "auth_ini":
            self._default_permission(setting, setting.value, ctx)

    @staticmethod
    def _default_permission(setting: Setting, value: Word, ctx: FileContext) -> None:
        grant = _ABOVE_READ.get(value.text.strip()) if value.value.complete else None
        if grant is not None:
            what = f"{setting.where} lets every user {grant} without a grant"
            ctx.report_at("MLF704", setting.position, value.text, what=what, instead="set READ (or NO_PERMISSIONS) and grant more per resource")

    def visit_command(self, command: Command, ctx: FileContext) -> None:
        invocation = interpret(command)
        if invocation is None:
            return
        for weakening in command_weakenings(invocation):
            ctx.report_at("MLF704", weakening.word.position, weakening.word.text, what=weakening.what, instead=weakening.instead)
