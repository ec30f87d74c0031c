"""``.env`` files: ``KEY=value`` lines, ``export``, quotes, inline comments."""

from __future__ import annotations

import re

from mlflow_lint.sources.facts import Position, Setting, SourceFacts, Word

_LINE = re.compile(r"^(\s*)(export\s+)?([A-Za-z_][A-Za-z0-9_.\-]*)\s*=\s*(.*)$")


def parse_dotenv(text: str, where: str) -> SourceFacts:
    facts = SourceFacts()
    for number, raw in enumerate(text.splitlines(), start=1):
        stripped = raw.strip()
        if stripped.startswith("#"):
            facts.comment_lines[number] = stripped
            continue
        match = _LINE.match(raw)
        if match is None:
            continue
        name, rest = match.group(3), match.group(4)
        value_start = match.start(4)
        value, comment = _value(rest)
        if comment:
            facts.comment_lines[number] = comment
        column = value_start + 1 + (1 if rest[:1] in "'\"" and rest else 0)
        position = Position(number, column, number, column + len(value))
        facts.settings.append(Setting(name, Word(value, position), position, f"{name} in {where}"))
    return facts


def _value(rest: str) -> tuple[str, str]:
    """The value and any trailing comment (dotenv rules: quotes keep '#')."""
    if rest[:1] in ("'", '"'):
        quote = rest[0]
        end = rest.find(quote, 1)
        while end > 0 and quote == '"' and rest[end - 1] == "\\":
            end = rest.find(quote, end + 1)
        if end < 0:
            return rest[1:], ""
        tail = rest[end + 1 :].strip()
        return rest[1:end], tail if tail.startswith("#") else ""
    match = re.search(r"\s#", rest)
    if match is None:
        return rest.strip(), ""
    return rest[: match.start()].strip(), rest[match.start() :].strip()
