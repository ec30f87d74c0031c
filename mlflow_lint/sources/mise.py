"""mise task-runner configuration (``mise.toml``, ``.mise.toml``, ``mise.<env>.toml``):
``[env]`` variables and the tasks' ``run`` commands and ``env`` tables.

The values come from ``tomllib``; where each sits in the file is found by a line scan
(``tomllib`` keeps no positions): a setting at its key's line, a ``run`` string parsed
as shell from where its text starts. A value whose text cannot be found there (escapes,
a multi-line string) is reported at its key's line or its table's header.
"""

from __future__ import annotations

import re
import sys

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

from mlflow_lint.sources.facts import Command, Position, Setting, SourceFacts, UnparsableText, Word
from mlflow_lint.sources.shell import parse_shell

_HEADER = re.compile(r"^\s*\[\s*([^\]]+?)\s*\]")


def parse_mise(text: str, where: str) -> SourceFacts:
    try:
        document = tomllib.loads(text)
    except (tomllib.TOMLDecodeError, RecursionError) as error:
        raise UnparsableText(f"not valid TOML ({error})") from None
    lines = text.splitlines()
    facts = SourceFacts()
    for number, raw in enumerate(lines, start=1):
        if raw.lstrip().startswith("#"):
            facts.comment_lines[number] = raw.strip()
    environment = _settings(document.get("env"), lines, _header_line(lines, "env"), where)
    facts.settings.extend(environment)
    tasks = document.get("tasks")
    if isinstance(tasks, dict):
        for name, task in tasks.items():
            header = _header_line(lines, f"tasks.{name}") or _header_line(lines, "tasks")
            task_env: list[Setting] = []
            runs: object = task
            if isinstance(task, dict):
                task_env = _settings(task.get("env"), lines, header, where)
                facts.settings.extend(task_env)
                runs = task.get("run")
            for script in runs if isinstance(runs, list) else [runs]:
                if isinstance(script, str):
                    _add_script(facts, script, lines, header, where, tuple(environment) + tuple(task_env))
    return facts


def _header_line(lines: list[str], table: str) -> int:
    """The 1-based line of ``[table]`` (quotes around a dotted part allowed), or 0."""
    wanted = table.replace('"', "")
    for number, raw in enumerate(lines, start=1):
        match = _HEADER.match(raw)
        if match is not None and match.group(1).replace('"', "").replace(" ", "") == wanted:
            return number
    return 0


def _find(lines: list[str], needle: str, after: int) -> tuple[int, int] | None:
    """(line, column), 1-based, of ``needle`` on one line from line ``after`` on."""
    for number in range(max(after, 1), len(lines) + 1):
        column = lines[number - 1].find(needle)
        if column >= 0:
            return number, column + 1
    return None


def _settings(table: object, lines: list[str], header: int, where: str) -> list[Setting]:
    if not isinstance(table, dict):
        return []
    found = []
    for name, value in table.items():
        if not isinstance(value, str):
            continue  # _.file / _.path directives, numbers, booleans
        key = _find(lines, name, header) or (header or 1, 1)
        at = _find(lines, value, key[0]) if value and "\n" not in value else None
        if at is not None and at[0] == key[0]:
            position = Position(at[0], at[1], at[0], at[1] + len(value))
        else:
            position = Position(key[0], key[1], key[0], key[1] + len(name))
        found.append(Setting(name, Word(value, position), position, f"{name} in {where}"))
    return found


def _add_script(facts: SourceFacts, script: str, lines: list[str], header: int, where: str, environment: tuple[Setting, ...]) -> None:
    at = _verbatim(lines, script, header)
    if at is not None:
        parsed = parse_shell(script, where, at[0], at[1])
    else:  # escapes or a multi-line string: where each word is is not known, only the task
        line = header or 1
        parsed = parse_shell(script, where).moved(lambda p: Position(line, 1, line, 1 + max(0, p.end_column - p.column)))
    facts.settings.extend(parsed.settings)
    for command in parsed.commands:  # (a container's command keeps the container's environment)
        facts.commands.append(command if command.in_container else Command(command.argv, command.position, environment + command.environment, True, expands=True))


def _verbatim(lines: list[str], script: str, after: int) -> tuple[int, int] | None:
    """Where ``script`` is written as it is (one line, inside quotes, no escape), else None."""
    if "\n" in script or not script.strip():
        return None
    for number in range(max(after, 1), len(lines) + 1):
        raw = lines[number - 1]
        column = raw.find(script)
        while column > 0:
            before, end = raw[column - 1], column + len(script)
            if before in "\"'" and raw[end : end + 1] == before and (before == "'" or "\\" not in script):
                return number, column + 1
            column = raw.find(script, column + 1)
    return None
