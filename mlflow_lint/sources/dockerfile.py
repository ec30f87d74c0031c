"""Dockerfiles: ``ENV``/``ARG`` settings, ``RUN``/``CMD``/``ENTRYPOINT`` commands, ``COPY``/``ADD``."""

from __future__ import annotations

import json
import re
from dataclasses import replace

from mlflow_lint.sources.facts import Command, Copy, Position, Setting, SourceFacts, Word
from mlflow_lint.sources.shell import _words, inline_script_at, mlflow_argv, parse_shell, split_commands, tokenize

_INSTRUCTION = re.compile(r"^(\s*)([A-Za-z]+)(\s+)(.*)$", re.S)


def _logical_lines(text: str) -> list[tuple[int, int, str]]:
    """(first line, column where the arguments start, joined text) per instruction."""
    out: list[tuple[int, int, str]] = []
    lines = text.splitlines()
    index = 0
    while index < len(lines):
        first = index
        chunk = lines[index]
        while chunk.rstrip().endswith("\\") and index + 1 < len(lines):
            index += 1
            following = lines[index]
            if following.lstrip().startswith("#"):  # comments inside continuations are dropped
                chunk = chunk.rstrip()[:-1] + "\\"
                continue
            chunk = chunk.rstrip()[:-1] + "\\\n" + following
        out.append((first + 1, 1, chunk))
        index += 1
    return out


def parse_dockerfile(text: str, where: str) -> SourceFacts:
    facts = SourceFacts()
    environment: list[Setting] = []
    entrypoint: list[Word] | None = None
    # Where the exec-form ENTRYPOINT's own mlflow command is in facts.commands: a CMD after
    # it gives the command a container runs, ENTRYPOINT + CMD, which takes its place.
    entrypoint_command: int | None = None
    for line, _, chunk in _logical_lines(text):
        stripped = chunk.strip()
        if not stripped:
            continue
        if stripped.startswith("#"):
            facts.comment_lines[line] = stripped
            continue
        match = _INSTRUCTION.match(chunk)
        if match is None:
            continue
        instruction = match.group(2).upper()
        arguments = match.group(4)
        column = len(match.group(1)) + len(match.group(2)) + len(match.group(3)) + 1
        if instruction in ("ENV", "ARG"):
            for setting in _settings(arguments, line, column, instruction, where):
                environment.append(setting)
                facts.settings.append(setting)
        elif instruction in ("CMD", "ENTRYPOINT", "RUN"):
            in_image = instruction != "RUN"  # what a container of the image runs, not a build step
            words = _exec_form(arguments, line, column)
            if words is None:  # shell form
                script = parse_shell(arguments, where, line, column)
                facts.settings.extend(script.settings)
                for command in script.commands:
                    facts.commands.append(
                        command if command.in_container else Command(
                            command.argv, command.position, tuple(environment) + command.environment,
                            open_environment=True, expands=True, variables=command.variables, in_image=in_image,
                        )
                    )
                if instruction == "ENTRYPOINT":
                    entrypoint, entrypoint_command = None, None
                continue
            if instruction == "ENTRYPOINT":
                entrypoint, entrypoint_command = words, None
            argv = mlflow_argv(words) if words else None
            combined = argv is None and instruction == "CMD" and bool(entrypoint) and mlflow_argv(entrypoint or []) is not None
            if combined:
                argv = (mlflow_argv(entrypoint or []) or []) + words  # ENTRYPOINT ["mlflow"] + CMD ["server", ...]
            at = inline_script_at([word.text for word in words]) if argv is None else None
            if at is not None:  # ["sh", "-c", "mlflow server ..."], ["su", "mlflow", "-c", "..."]
                inner = parse_shell(words[at].text, where, words[at].position.line, words[at].position.column)
                for command in inner.commands:
                    facts.commands.append(
                        command if command.in_container
                        else Command(command.argv, command.position, tuple(environment), open_environment=True, expands=True, in_image=in_image)
                    )
                continue
            if argv and len(argv) > 1:  # ENTRYPOINT ["mlflow"] alone runs nothing yet
                runs = Command(tuple(argv), argv[0].position, tuple(environment), open_environment=True, in_image=in_image)
                if combined and entrypoint_command is not None:
                    facts.commands[entrypoint_command] = runs  # only ENTRYPOINT + CMD runs (the last CMD's)
                    continue
                if instruction == "ENTRYPOINT" or combined:
                    entrypoint_command = len(facts.commands)
                facts.commands.append(runs)
        elif instruction in ("COPY", "ADD"):
            words = _exec_form(arguments, line, column)
            if words is None:
                words = [w for command in split_commands(tokenize(arguments, line, column)) for w in _words(command)]
            paths = [w for w in words if not w.text.startswith("--")]
            for source in paths[:-1]:
                facts.copies.append(Copy(source))
    return facts


# ``FROM [--platform=...] IMAGE [AS NAME]``
_FROM = re.compile(r"^(?:--\S+\s+)*(\S+)(?:\s+as\s+(\S+))?\s*$", re.IGNORECASE)


def image_entrypoint(text: str, target: str | None = None) -> list[str] | None:
    """The exec-form ENTRYPOINT (``ENTRYPOINT ["mlflow"]``) of the image a Dockerfile
    builds: its last stage's, or the ``target`` stage's; a stage built ``FROM`` an earlier
    one inherits that one's. None when it is not known: a stage that sets none on a base
    image of a registry (whose own is not read), a shell-form ENTRYPOINT (which ignores
    the command's arguments), no such stage."""
    stages: dict[str, list[str] | None] = {}  # each named stage's, once it is over
    current: list[str] | None = None
    name: str | None = None
    started = False
    for _, _, chunk in _logical_lines(text):
        match = _INSTRUCTION.match(chunk)
        if match is None or chunk.lstrip().startswith("#"):
            continue
        instruction, arguments = match.group(2).upper(), match.group(4).strip()
        if instruction == "FROM":
            if name is not None:
                stages[name] = current
            started = True
            stage = _FROM.match(arguments)
            name = stage.group(2).lower() if stage and stage.group(2) else None
            current = stages.get(stage.group(1).lower()) if stage else None  # an earlier stage's, else unknown
        elif instruction == "ENTRYPOINT" and started:
            words = _exec_form(arguments, 1, 1)
            current = [word.text for word in words] if words is not None else None
    if name is not None:
        stages[name] = current
    if not started:
        return None
    return current if target is None else stages.get(target.lower())


def through_entrypoint(command: Command, entrypoint: list[str]) -> Command | None:
    """A Compose service's arguments (``Command.entrypoint_of``) as the image's ENTRYPOINT
    runs them: ``["mlflow"]`` + ``["server", "--host", ...]``, each entrypoint word placed
    where the arguments start (the Compose file is where they are given). None when the
    two make no mlflow command line."""
    anchor = command.argv[0].position if command.argv else command.position
    argv = mlflow_argv([Word(text, anchor, literal=True) for text in entrypoint] + list(command.argv))
    if argv is None or len(argv) < 2:
        return None
    return replace(command, argv=tuple(argv), position=argv[0].position, entrypoint_of=None)


def _settings(arguments: str, line: int, column: int, instruction: str, where: str) -> list[Setting]:
    words = [w for command in split_commands(tokenize(arguments, line, column)) for w in _words(command)]
    if not words:
        return []
    settings = []
    if "=" in words[0].text or instruction == "ARG":
        for word in words:
            name, equals, value = word.text.partition("=")
            if not equals:
                continue  # ARG NAME without a default
            value_column = word.position.column + len(name) + 1
            value_word = Word(value, Position(word.position.line, value_column, word.position.end_line, word.position.end_column))
            settings.append(Setting(name, value_word, value_word.position, f"{instruction} {name} in {where}"))
        return settings
    # Legacy form: ENV NAME value with spaces
    name = words[0].text
    rest = words[1:]
    if rest:
        value = " ".join(w.text for w in rest)
        position = Position(rest[0].position.line, rest[0].position.column, rest[-1].position.end_line, rest[-1].position.end_column)
        settings.append(Setting(name, Word(value, position), position, f"{instruction} {name} in {where}"))
    return settings


def _exec_form(arguments: str, line: int, column: int) -> list[Word] | None:
    """``["mlflow", "server"]``: JSON array words, positioned by searching the line."""
    stripped = arguments.strip()
    if not stripped.startswith("["):
        return None
    try:
        items = json.loads(stripped.replace("\\\n", " "))
    except (ValueError, RecursionError):  # not JSON (the shell form), or nested thousands deep
        return None
    if not isinstance(items, list) or not all(isinstance(item, str) for item in items):
        return None
    words = []
    offset = 0
    for item in items:
        encoded = json.dumps(item)
        found = arguments.find(encoded, offset)
        if found < 0:
            found = max(offset, 0)
        offset = found + len(encoded)
        start = column + found + 1  # after the opening quote
        words.append(Word(item, Position(line, start, line, start + len(item)), literal=True))  # no shell expands them
    return words
