"""MLflow's authentication configuration (``basic_auth.ini``, read by ``mlflow server
--app-name basic-auth`` through ``MLFLOW_AUTH_CONFIG_PATH``): its ``[mlflow]`` section's
``key = value`` lines, as settings.

``admin_password`` holds a secret wherever it is written; ``database_uri`` and
``read_database_uri`` (a read replica, MLflow 3.18.0's mlflow/server/auth/config.py) are
URIs that may carry one (``postgresql://auth:pw@db/auth``); ``default_permission`` is what
every user gets on resources nobody granted them. INI syntax as ``configparser`` reads it:
``=`` or ``:``, ``#`` and ``;`` comment lines, values continued on indented lines (kept
to their first line here).
"""

from __future__ import annotations

import re

from mlflow_lint.sources.facts import Position, Setting, SourceFacts, Word

_SECTION = re.compile(r"^\s*\[([^\]]*)\]")
_ENTRY = re.compile(r"^([A-Za-z_][\w.-]*)\s*[=:]\s*(.*?)\s*$")
_SECRET_KEYS = frozenset({"admin_password"})
_READ_KEYS = frozenset(
    {"admin_password", "admin_username", "database_uri", "read_database_uri", "default_permission", "authorization_function"}
)


def parse_auth_ini(text: str, where: str) -> SourceFacts:
    facts = SourceFacts()
    section = None
    for number, raw in enumerate(text.splitlines(), start=1):
        stripped = raw.strip()
        if stripped.startswith(("#", ";")):
            facts.comment_lines[number] = stripped
            continue
        header = _SECTION.match(raw)
        if header is not None:
            section = header.group(1).strip()
            continue
        entry = _ENTRY.match(raw)
        if entry is None or section != "mlflow" or entry.group(1).lower() not in _READ_KEYS:
            continue
        name, value = entry.group(1).lower(), entry.group(2)
        column = entry.start(2) + 1
        position = Position(number, column, number, column + len(value))
        facts.settings.append(Setting(name, Word(value, position), position, f"{name} in {where}", secret=name in _SECRET_KEYS))
    return facts
