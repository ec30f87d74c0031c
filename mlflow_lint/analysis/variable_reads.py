"""A credential that reads another variable: where the literal it holds is written.

``.env`` files and shell scripts expand ``${VAR}`` from what the file set before;
Compose interpolates a Compose file's ``${VAR}`` from the ``.env`` beside it. A credential
written as one such variable (``MLFLOW_TRACKING_PASSWORD=${DB_PASS}``, or a URI whose
password is one: ``postgresql://mlflow:${PG_PASSWORD}@db/mlflow``) holds what that
variable is set to: a literal there is the committed credential (MLF701's policy). The
check reports it and the audit's credential row says so, from this one answer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from mlflow_lint.analysis.secrets import is_literal_secret
from mlflow_lint.sources import source_kind
from mlflow_lint.sources.facts import Setting, SourceFacts, referenced_variable

if TYPE_CHECKING:
    from mlflow_lint.config import RuleOptions
    from mlflow_lint.project import ProjectIndex

# File kinds that expand ``${VAR}`` from the variables set before in the same file: a
# ``.env`` file (Compose and python-dotenv interpolate it) and a shell script.
_EXPANDING_KINDS = frozenset({"dotenv", "shell"})
# A URI whose password is one variable: ``postgresql://user:${PG_PASSWORD}@db/mlflow``.
_URI_PASSWORD_REFERENCE = re.compile(r"://[^:/@\s]*:(?:\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*))@")


@dataclass(frozen=True)
class LiteralRead:
    """The literal a credential reads through ``variable``: ``source`` sets it, in the same
    file, or (``in_env_file``) in the committed ``.env`` beside a Compose file."""

    variable: str
    source: Setting
    in_env_file: bool


def literal_read(
    setting: Setting,
    secret: bool,
    facts: SourceFacts,
    path: Path | None,
    project: ProjectIndex | None,
    options: RuleOptions,
) -> LiteralRead | None:
    """What ``setting`` (a credential variable when ``secret``, else any whose value may be
    a URI) of the file at ``path`` (whose facts are ``facts``) reads through one variable,
    when that is a literal."""
    if path is None or setting.value is None:
        return None
    compose = facts.compose  # a YAML document with a top-level services: mapping, by any name
    if source_kind(path) not in _EXPANDING_KINDS and not compose:
        return None
    text = setting.value.text.strip().strip("\"'")
    name = referenced_variable(text) if secret else None
    if name is None:
        match = _URI_PASSWORD_REFERENCE.search(text)
        name = match.group(1) or match.group(2) if match is not None else None
    if name is None:
        return None
    if compose:
        found = project.compose_env(path, options.exclude, options.root).get(name) if project is not None else None
    else:
        here = (setting.position.line, setting.position.column)
        earlier = [s for s in facts.settings if s.name == name and s.value is not None and (s.position.line, s.position.column) < here]
        found = earlier[-1] if earlier else None
    if found is None or found.value is None or not is_literal_secret(found.value.value):
        return None
    return LiteralRead(name, found, compose)
