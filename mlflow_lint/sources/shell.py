"""Shell command lines (scripts, Makefile recipes, Procfiles, CI ``run:`` blocks).

``shlex`` splits words but forgets where they were; this tokenizer follows the same
POSIX quoting rules (single quotes, double quotes, backslashes, ``\\`` continuations,
``#`` comments) and keeps each word's line and column, so findings point at the flag.
It never runs anything: ``$VAR`` and ``$(...)`` stay unknown parts of a value.
"""

from __future__ import annotations

import contextvars
import re
from collections.abc import Callable
from dataclasses import dataclass, replace

from mlflow_lint.sources.containers import ContainerCommand, container_command
from mlflow_lint.sources.facts import Command, Copy, EmbeddedPython, Position, Setting, ShellWord, SourceFacts, UnparsableText, Word

_OPERATORS = ("&&", "||", ";;", ";", "|", "&", "(", ")")
_ASSIGNMENT = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)=(.*)$", re.S)
# Words that may run mlflow for the user: "uv run mlflow", "python -m mlflow", "exec mlflow".
LAUNCHERS = frozenset(
    {
        "exec", "nohup", "uv", "uvx", "poetry", "pipenv", "conda", "mamba", "micromamba", "pixi",
        "hatch", "pdm", "rye", "env", "sudo", "time", "python", "python3", "dumb-init", "tini",
        "gosu", "su-exec", "runuser", "pipx", "stdbuf", "timeout", "xvfb-run",
    }
)  # fmt: skip


@dataclass(frozen=True)
class _Token:
    text: str
    position: Position
    operator: bool = False
    quoted: bool = False  # the word begins with a quote (its text starts one column later)
    heredoc: bool = False  # the body of a here-document (``text``), fed to the command's stdin
    # The shell expands $x in it: a here-document whose delimiter is unquoted, a word that
    # begins with a double quote ("...$x...") or with none.
    expands: bool = False
    # A word that is one double-quoted string whose only backslashes continue lines: the
    # text between its quotes as written (``sh -c "..."`` reads it with its continuations,
    # so that each inner word keeps its line and column).
    raw: str | None = None


_HEREDOC = re.compile(r"<<(-?)[ \t]*(?:'([^'\n]*)'|\"([^\"\n]*)\"|\\?([A-Za-z0-9_.-]+))")


def tokenize(text: str, first_line: int = 1, first_column: int = 1, indent: int = 0) -> list[_Token]:
    """Words and operators of shell ``text`` with 1-based positions (newline = ``;``).

    ``indent`` is added to the columns of every line after the first (the text of a YAML
    block scalar has its indentation removed)."""
    tokens: list[_Token] = []
    line, column = first_line, first_column
    i, n = 0, len(text)
    buffer: list[str] = []
    start: tuple[int, int] | None = None
    quoted = expands = False
    pending: list[tuple[str, bool, bool]] = []  # here-documents whose bodies follow this line

    raw: str | None = None  # the raw text of a word that is one double-quoted string

    def flush(end_line: int, end_column: int) -> None:
        nonlocal buffer, start, quoted, expands, raw
        if start is not None:
            position = Position(start[0], start[1], end_line, end_column)
            whole = raw if len(buffer) == 1 else None
            tokens.append(_Token("".join(buffer), position, quoted=quoted, expands=expands, raw=whole))
        buffer, start, quoted, expands, raw = [], None, False, False, None

    while i < n:
        char = text[i]
        if char == "\\" and i + 1 < n and text[i + 1] == "\n":  # continuation
            i += 2
            line, column = line + 1, 1 + indent
            continue
        if char == "\n":
            flush(line, column)
            i += 1
            line, column = line + 1, 1 + indent
            # The bodies of the line's here-documents: words of the command, not commands.
            for delimiter, strip_tabs, expands in pending:
                body_line = line
                body, i, line = _heredoc_body(text, i, line, delimiter, strip_tabs)
                tokens.append(_Token(body, Position(body_line, 1 + indent, line, 1 + indent), heredoc=True, expands=expands))
            pending.clear()
            tokens.append(_Token(";", Position(line - 1, column, line - 1, column + 1), operator=True))
            continue
        if char == "<" and start is None and text.startswith("<<", i) and not text.startswith("<<<", i):
            match = _HEREDOC.match(text, i)
            if match is not None:
                delimiter = next(group for group in match.groups()[1:] if group is not None)
                # <<EOF expands $x, $(...) and `...` in the body; <<'EOF', <<"EOF" and <<\EOF do not.
                expands = match.group(4) is not None and text[match.start(4) - 1] != "\\"
                pending.append((delimiter, match.group(1) == "-", expands))
                tokens.append(_Token("<<", Position(line, column, line, column + 2), operator=False))
                column += match.end() - i
                i = match.end()
                continue
        if char in " \t\r":
            flush(line, column)
            i += 1
            column += 1
            continue
        if char == "#" and start is None:  # a comment runs to the end of the line
            while i < n and text[i] != "\n":
                i += 1
                column += 1
            continue
        if (char == "$" and i + 1 < n and text[i + 1] in "({") or char == "`":
            # $(command), ${VAR}, `command`: one piece of the current word, however nested.
            end = _substitution_end(text, i)
            if start is None:
                start, expands = (line, column), True
            buffer.append(text[i:end])
            line, column = _advance(line, column, text[i:end])
            i = end
            continue
        operator = next((op for op in _OPERATORS if text.startswith(op, i)), None)
        if operator is not None:  # unquoted ; | & ( ) end a word in POSIX shells
            flush(line, column)
            tokens.append(_Token(operator, Position(line, column, line, column + len(operator)), operator=True))
            i += len(operator)
            column += len(operator)
            continue
        if start is None:
            start = (line, column)
            quoted, expands = char in "'\"", char != "'"
        if char == "'":
            end = text.find("'", i + 1)
            end = n if end < 0 else end
            chunk = text[i + 1 : end]
            buffer.append(chunk)
            line, column = _advance(line, column, text[i : end + 1])
            i = end + 1
            continue
        if char == '"':
            j = i + 1
            chunk_chars: list[str] = []
            while j < n and text[j] != '"':
                if text[j] == "\\" and j + 1 < n and text[j + 1] in '"\\$`\n':
                    if text[j + 1] != "\n":
                        chunk_chars.append(text[j + 1])
                    j += 2
                    continue
                chunk_chars.append(text[j])
                j += 1
            written = text[i + 1 : j]
            if not buffer and "\\" not in written.replace("\\\n", ""):
                raw = written
            buffer.append("".join(chunk_chars))
            line, column = _advance(line, column, text[i : j + 1])
            i = j + 1
            continue
        if char == "\\" and i + 1 < n:
            buffer.append(text[i + 1])
            i += 2
            column += 2
            continue
        buffer.append(char)
        i += 1
        column += 1
    flush(line, column)
    return tokens


def _heredoc_body(text: str, i: int, line: int, delimiter: str, strip_tabs: bool) -> tuple[str, int, int]:
    """The body of a here-document starting at ``i``: (body, index after its delimiter line,
    the line number after it). An unterminated one runs to the end of the text."""
    lines: list[str] = []
    n = len(text)
    while i < n:
        end = text.find("\n", i)
        end = n if end < 0 else end
        raw = text[i:end]
        i = end + 1 if end < n else n
        line += 1
        if (raw.lstrip("\t") if strip_tabs else raw).rstrip("\r") == delimiter:
            break
        lines.append(raw.lstrip("\t") if strip_tabs else raw)
    return "\n".join(lines) + ("\n" if lines else ""), i, line


def _substitution_end(text: str, start: int) -> int:
    """The index just after the ``$(...)``, ``${...}`` or backquoted part starting at ``start``."""
    if text[start] == "`":
        end = text.find("`", start + 1)
        return len(text) if end < 0 else end + 1
    opening = text[start + 1]
    closing = ")" if opening == "(" else "}"
    depth = 0
    for index in range(start + 1, len(text)):
        if text[index] == opening:
            depth += 1
        elif text[index] == closing:
            depth -= 1
            if depth == 0:
                return index + 1
    return len(text)


def _advance(line: int, column: int, consumed: str) -> tuple[int, int]:
    newlines = consumed.count("\n")
    if newlines:
        return line + newlines, len(consumed) - consumed.rfind("\n")
    return line, column + len(consumed)


def _words(tokens: list[_Token]) -> list[Word]:
    return [ShellWord(t.text, t.position) for t in tokens if not t.heredoc and t.text != "<<"]


# Commands that run the Python code they are given: an interpreter, possibly launched.
_PYTHON = re.compile(r"^python(\d+(\.\d+)?)?$")


def _embedded_python(tokens: list[_Token], indent: int) -> list[EmbeddedPython]:
    """``python - <<'EOF' ... EOF`` and ``python3 -c "..."`` (also ``uv run python``):
    the code, where it sits in the file."""
    words = [t for t in tokens if not t.heredoc]
    at = next((i for i, t in enumerate(words) if _PYTHON.match(t.text.rsplit("/", 1)[-1])), None)
    if at is None or (at > 0 and not _launched(_words(words[:at]))):
        return []
    found: list[EmbeddedPython] = []
    arguments = words[at + 1 :]
    for index, token in enumerate(arguments[:-1]):
        if token.text == "-c":
            argument = arguments[index + 1]
            column = argument.position.column + (1 if argument.quoted else 0)
            code = _blank_expansions(argument.text) if argument.expands else argument.text
            found.append(EmbeddedPython(code, argument.position.line, column, indent))
            return found
    module_or_script = [t for t in arguments if t.text not in ("-", "<<") and not t.text.startswith("-")]
    if module_or_script:
        return found  # python script.py <<EOF: the heredoc is the script's input, not code
    for token in tokens:
        if token.heredoc:
            code = _blank_expansions(token.text) if token.expands else token.text
            found.append(EmbeddedPython(code, token.position.line, token.position.column, indent))
    return found


# What the shell substitutes in an unquoted here-document before Python reads it.
_EXPANSION = re.compile(r"(?<!\\)(?:\$\{[^}\n]*\}|\$\([^()\n]*\)|\$[A-Za-z_][A-Za-z0-9_]*|\$[0-9@*#?$!-]|`[^`\n]*`)")


def _blank_expansions(code: str) -> str:
    """``code`` with each ``$x``, ``${x}``, ``$(cmd)`` and backquoted command, which the
    shell replaces before Python reads the code, made a value the analysis does not know,
    at the same columns: in code an identifier of the same length (``total = $TOTAL`` is
    ``total = ______``), so that the Python around it parses; inside a string literal a
    ``${…}`` placeholder (``"$URI"`` is ``"${_}"``), which no rule takes for a path."""
    strings = _string_spans(code)

    def blank(match: re.Match[str]) -> str:
        size = len(match.group())
        if not any(start <= match.start() < end for start, end in strings):
            return "_" * size
        return "${" + "_" * (size - 3) + "}" if size >= 3 else "$_"

    return _EXPANSION.sub(blank, code)


def _string_spans(code: str) -> list[tuple[int, int]]:
    """Where Python string literals are in ``code`` (start, end offsets), found by their
    quotes alone: the code may hold what Python cannot tokenize (the shell's ``$x``)."""
    spans: list[tuple[int, int]] = []
    i, n = 0, len(code)
    while i < n:
        char = code[i]
        if char == "#":
            end = code.find("\n", i)
            i = n if end < 0 else end
        elif char in "'\"":
            quote = code[i : i + 3] if code.startswith(char * 3, i) else char
            j = i + len(quote)
            while j < n and not code.startswith(quote, j):
                if code[j] == "\n" and len(quote) == 1:
                    break  # an unterminated one-line string ends with its line
                j += 2 if code[j] == "\\" else 1
            end = min(n, j + len(quote))
            spans.append((i, end))
            i = end
        else:
            i += 1
    return spans


def first_words(text: str, first_line: int = 1, first_column: int = 1, indent: int = 0) -> list[Word]:
    """The words of the first command of shell ``text`` (``bash -c "..."``'s three), at
    their places (as ``tokenize`` places them)."""
    commands = split_commands(tokenize(text, first_line, first_column, indent))
    return _words(commands[0]) if commands else []


def split_commands(tokens: list[_Token]) -> list[list[_Token]]:
    commands: list[list[_Token]] = []
    current: list[_Token] = []
    for token in tokens:
        if token.operator:
            if current:
                commands.append(current)
            current = []
        else:
            current.append(token)
    if current:
        commands.append(current)
    return commands


# A CI step's file of settings for the steps after it: GitHub Actions' $GITHUB_ENV (and
# $GITHUB_OUTPUT), written with echo/printf and an append redirection.
_CI_ENVIRONMENT_FILE = re.compile(r"^>>?\s*\$\{?(GITHUB_ENV|GITHUB_OUTPUT)\}?$|^\$\{?(GITHUB_ENV|GITHUB_OUTPUT)\}?$")


def _ci_environment_writes(words: list[Word], where: str) -> list[Setting]:
    """``echo "MLFLOW_TRACKING_URI=./mlruns" >> $GITHUB_ENV``: a setting of the later steps."""
    if not words or words[0].text not in ("echo", "printf"):
        return []
    texts = [word.text for word in words]
    target = next((i for i, text in enumerate(texts) if _CI_ENVIRONMENT_FILE.match(text)), None)
    if target is None or not (texts[target].startswith(">") or (target > 0 and texts[target - 1] in (">>", ">"))):
        return []
    variable = next(group for group in _CI_ENVIRONMENT_FILE.match(texts[target]).groups() if group)  # type: ignore[union-attr]
    settings = []
    for word in words[1:target]:
        match = _ASSIGNMENT.match(word.text)
        if match is None or (words[0].text == "printf" and "%" in word.text):
            continue  # printf 'NAME=%s': the value is an argument, unknown here
        name, value = match.group(1), match.group(2)
        settings.append(Setting(name, replace(word, text=value), word.position, f"{name} written to ${variable} in {where}"))
    return settings


def mlflow_argv(words: list[Word]) -> list[Word] | None:
    """The ``mlflow ...`` part of a command line, if it runs mlflow (``uv run mlflow server``).
    A user named ``mlflow`` that a launcher runs the command as (``gosu mlflow mlflow
    server``, ``sudo -u mlflow bash -c ...``) is the launcher's argument, not the command."""
    names = [word.text.rsplit("/", 1)[-1] for word in words]
    for index, name in enumerate(names):
        if name == "mlflow":
            before = words[:index]
            if before and not _launched(before):
                return None
            if index and (words[index - 1].text in _USER_OPTIONS or names[index - 1] in _USER_FIRST):
                continue
            return words[index:]
    return None


# A launcher's options whose value is a user or group (sudo, runuser), and the launchers
# whose first operand is the user (gosu, su-exec).
_USER_OPTIONS = frozenset({"-u", "--user", "-g", "--group"})
_USER_FIRST = frozenset({"gosu", "su-exec"})


def started_container(words: list[Word]) -> ContainerCommand | None:
    """What ``words`` start in a container (sources.containers), a launcher's too (``sudo
    docker run ...``), as ``mlflow_argv`` reads a launched ``mlflow``: a script's line and
    a list of words Python runs are read alike."""
    return container_command(words, bool(words) and _launcher(words[0].text))


def _launched(before: list[Word]) -> bool:
    return _launcher(before[0].text)


def _launcher(text: str) -> bool:
    """A first word that may run the command after it (``uv``, ``sudo``, ``X=1``)."""
    first = text.rsplit("/", 1)[-1]
    return first in LAUNCHERS or first.startswith("python") or bool(_ASSIGNMENT.match(text))


def parse_shell(
    text: str, where: str, first_line: int = 1, first_column: int = 1, indent: int = 0, facts: SourceFacts | None = None
) -> SourceFacts:
    """Settings (``export X=...``, ``X=... cmd``) and mlflow command lines of a script."""
    facts = facts if facts is not None else SourceFacts()
    if first_line == 1 and first_column == 1 and indent == 0:
        for number, raw in enumerate(text.splitlines(), start=1):
            if raw.lstrip().startswith("#") or " #" in raw:
                facts.comment_lines[number] = raw[raw.find("#") :]
    exported: list[Setting] = []
    assigned: list[Setting] = []  # NAME=value alone on a line: the script's own variables
    for command_tokens in split_commands(tokenize(text, first_line, first_column, indent)):
        words = _words(command_tokens)
        prefix: list[Setting] = []
        if words and words[0].text in ("export", "declare", "readonly", "local") and len(words) > 1:
            for word in words[1:]:
                setting = _assignment(word, where)
                if setting is not None:
                    exported.append(setting)
                    facts.settings.append(setting)
            continue
        words = _take_assignments(words, where, prefix, facts)
        if not words:
            assigned.extend(prefix)
            continue
        if words[0].text == "env":  # env A=1 B=2 command
            words = _take_assignments(words[1:], where, prefix, facts)
        facts.settings.extend(_ci_environment_writes(words, where))
        if len(words) > 2 and words[0].text.rsplit("/", 1)[-1] == "git" and words[1].text == "add":
            # git add <paths>: what the script commits (MLF103 reads local tracking stores).
            facts.copies.extend(Copy(word, "committed by this script") for word in words[2:] if not word.text.startswith("-"))
        facts.python.extend(_embedded_python(command_tokens, indent))
        _nested(lambda: _add_written_file(facts, command_tokens, words, where, indent))  # noqa: B023 - called at once
        _nested(lambda: _add_shell_heredoc(facts, command_tokens, words, where, indent))  # noqa: B023 - called at once
        _nested(lambda: _add_echoed_file(facts, words, where))  # noqa: B023 - called at once
        container = started_container(words)
        if container is not None:  # docker run ... IMAGE mlflow server ...
            _add_container_command(facts, container, command_tokens, where, indent, exported + prefix, assigned)
            continue
        argv = mlflow_argv(words)
        if argv is not None:
            facts.commands.append(Command(tuple(argv), argv[0].position, tuple(exported + prefix), expands=True, variables=tuple(assigned)))
        elif (at := inline_script_at([word.text for word in words])) is not None:
            inner = _inline_script(command_tokens, words[at], where, indent)
            facts.settings.extend(inner.settings)
            facts.commands.extend(inner.commands)
    return facts


def _inline_script(tokens: list[_Token], word: Word, where: str, indent: int) -> SourceFacts:
    """The facts of ``sh -c "mlflow server ..."``'s script, the token of ``word``. On one
    line its words are at their columns (after the quote); over several (continued) lines,
    where each word is is not known, and its findings point at the script."""
    script = next((token for token in tokens if token.position == word.position and not token.heredoc), None)
    if script is None:  # a word cut from another (``--opt=...``): read as it is, where it is
        return parse_shell(word.text, where, word.position.line, word.position.column)
    place = script.position
    if script.raw is not None:  # continuations kept: every inner word at its place
        return parse_shell(script.raw, where, place.line, place.column + 1, indent)
    inner = parse_shell(script.text, where, place.line, place.column + (1 if script.quoted else 0))
    return inner.moved(lambda _: place) if place.end_line != place.line else inner


def _add_container_command(
    facts: SourceFacts, container: ContainerCommand, tokens: list[_Token], where: str, indent: int,
    host: list[Setting], assigned: list[Setting],
) -> None:  # fmt: skip
    """What ``docker run ... IMAGE <command>`` runs in the container: an mlflow command
    line, or one a shell runs (``IMAGE bash -c "mlflow server ..."``). Its environment is
    the ``-e`` options (``-e NAME`` passes the variable the script exported), not the
    script's own; the script's shell still expands ``$VAR`` in the words after the image.
    A ``-e NAME=value`` is a setting the script writes, whatever the container runs."""
    environment: list[Setting] = []
    for word in container.environment:
        setting = _assignment(word, where)
        if setting is not None:
            facts.settings.append(setting)
            environment.append(setting)
            continue
        passed = next((found for found in reversed(host) if found.name == word.text), None)
        environment.append(passed if passed is not None else Setting(word.text, None, word.position, f"{word.text} in {where}"))
    run = Command((), Position(1, 1, 1, 1), tuple(environment), container.open_environment, container.published, expands=True, in_container=True)
    argv = mlflow_argv(container.words)
    if argv is not None:
        facts.commands.append(replace(run, argv=tuple(argv), position=argv[0].position, variables=tuple(assigned + host)))
    elif container.words and (at := inline_script_at([word.text for word in container.words])) is not None:
        inner = _inline_script(tokens, container.words[at], where, indent)
        facts.settings.extend(inner.settings)
        for command in inner.commands:
            facts.commands.append(replace(run, argv=command.argv, position=command.position,
                                          environment=run.environment + command.environment, variables=command.variables))  # fmt: skip


# The shell option that runs its script argument: ``-c``, or grouped with others that
# take no argument (``-lc``, ``-ec``, ``-xec``, ``-cx``).
_SHELL_SCRIPT_OPTION = re.compile(r"^-[a-z]*c[a-z]*$")
# Commands that run a shell command line as another user: ``su mlflow -c "..."``,
# ``su - mlflow --command="..."``, ``runuser -u mlflow -c "..."``.
_SWITCH_USER = frozenset({"su", "runuser"})


def inline_script_at(words: list[str]) -> int | None:
    """Where the script is among the words of a command that runs one: ``sh -c "..."``,
    also launched (``sudo -u mlflow bash -lc "..."``, ``exec sh -c``), and ``su``'s
    ``-c``/``--command``. A shell command line, a Dockerfile's or a compose file's exec form."""
    names = [word.rsplit("/", 1)[-1] for word in words]
    if names and names[0] in _SWITCH_USER:
        return next((index + 1 for index, word in enumerate(words[1:-1], start=1) if word in ("-c", "--command")), None)
    for index, name in enumerate(names):
        if name in _SHELLS:
            if index and not _launcher(words[0]):
                return None
            for option in range(index + 1, len(words) - 1):  # bash --login -e -c "..."
                if not words[option].startswith("-"):
                    return None
                if _SHELL_SCRIPT_OPTION.match(words[option]):
                    return option + 1
            return None
    return None


# How deep here-documents are read inside here-documents (a script written by a script run
# by a shell ...): a bound, so that hostile nesting cannot exhaust the stack.
_NESTING: contextvars.ContextVar[int] = contextvars.ContextVar("heredoc_nesting", default=0)
_MAX_NESTING = 8


def _nested(read: Callable[[], None]) -> None:
    depth = _NESTING.get()
    if depth >= _MAX_NESTING:
        return
    token = _NESTING.set(depth + 1)
    try:
        read()
    finally:
        _NESTING.reset(token)


# Commands that write their standard input to a file named by a redirection or argument.
_WRITERS = frozenset({"cat", "tee"})
_UNESCAPE = re.compile(r"\\([$`\\])")


def _add_written_file(facts: SourceFacts, tokens: list[_Token], words: list[Word], where: str, indent: int) -> None:
    """``cat <<EOF > docker-compose.yml`` (or ``tee compose.yml <<EOF``): the here-document
    is that file's content, read as that kind of file (a compose file, a .env, a Dockerfile,
    Python) with its findings on this file's lines. In an unquoted here-document ``\\$``
    is a literal ``$`` (columns after one shift by a character)."""
    if not words or words[0].text.rsplit("/", 1)[-1] not in _WRITERS:
        return
    body = next((token for token in tokens if token.heredoc), None)
    target = _written_target(words)
    if body is None or target is None:
        return
    text = _UNESCAPE.sub(r"\1", body.text) if body.expands else body.text
    if _written_kind(target) == "python":
        facts.python.append(EmbeddedPython(text, body.position.line, body.position.column, indent))
        return
    shift = body.position.line - 1
    _add_file_content(facts, target, text, where, lambda p: Position(p.line + shift, p.column, p.end_line + shift, p.end_column))


def _add_echoed_file(facts: SourceFacts, words: list[Word], where: str) -> None:
    """``echo '#!/bin/bash ... mlflow server --host 0.0.0.0 ...' > /usr/bin/start.sh``: the
    echoed text is that file's content, read as that kind of file (a shell script, a .env,
    a compose file). Its facts point at the echoed text: an escape it holds (``\\n``, which
    ``sh``'s echo turns into a line break) makes the columns inside it unknowable."""
    if not words or words[0].text.rsplit("/", 1)[-1] != "echo":
        return
    target = _written_target(words)
    if target is None or _written_kind(target) == "python":
        return
    operands: list[Word] = []
    for word in words[1:]:
        if word.text in (">", ">>") or word.text.startswith(">"):
            break
        if not operands and re.fullmatch(r"-[neE]+", word.text):
            continue  # echo -e, -n
        operands.append(word)
    if not operands:
        return
    text = " ".join(word.text for word in operands).replace("\\n", "\n").replace("\\t", "\t")
    anchor = operands[0].position
    _add_file_content(facts, target, text, where, lambda _: anchor)


def _written_kind(target: str) -> str | None:
    from mlflow_lint.sources import source_kind  # (the package imports us lazily)

    return source_kind(target.rsplit("/", 1)[-1])


def _add_file_content(facts: SourceFacts, target: str, text: str, where: str, place: Callable[[Position], Position]) -> None:
    """``text``, the content a script writes to ``target``, read as that kind of file (not
    Python nor a notebook: the caller reads embedded Python itself), its facts moved to
    this file by ``place``. A templated file that does not parse is skipped, as when it is
    committed."""
    from mlflow_lint.sources import is_template, read_text_source  # (the package imports us lazily)

    kind = _written_kind(target)
    if kind is None or kind in ("python", "notebook"):
        return
    try:
        written = read_text_source(kind, text, f"{target} written by {where}", is_template(target.rsplit("/", 1)[-1]))
    except UnparsableText:
        return
    facts.add(written.moved(place))


_SHELLS = frozenset({"sh", "bash", "zsh", "dash"})


def _add_shell_heredoc(facts: SourceFacts, tokens: list[_Token], words: list[Word], where: str, indent: int) -> None:
    """``bash -s <<EOF``, ``ssh host "bash -s" <<EOF``, ``sh <<EOF``: a script run by another
    shell, read as shell at its own lines (the files it writes included)."""
    body = next((token for token in tokens if token.heredoc), None)
    if body is None or not _reads_script_from_stdin(words):
        return
    text = _UNESCAPE.sub(r"\1", body.text) if body.expands else body.text
    facts.add(parse_shell(text, where, body.position.line, body.position.column, indent))


def _reads_script_from_stdin(words: list[Word]) -> bool:
    """A shell reading its script from standard input: ``bash``/``sh`` with options only, or
    a word that is such a command line (``ssh host "bash -s"``)."""
    if words and words[0].text.rsplit("/", 1)[-1] in _SHELLS:
        return all(word.text.startswith("-") or word.text == "<<" for word in words[1:])
    for word in words[1:]:
        parts = word.text.split()
        if len(parts) >= 2 and parts[0].rsplit("/", 1)[-1] in _SHELLS and "-s" in parts[1:]:
            return True
    return False


def _written_target(words: list[Word]) -> str | None:
    """The file a ``cat``/``tee`` writes: after ``>``/``>>`` (or glued to it), else ``tee``'s
    first operand."""
    for index, word in enumerate(words[1:], start=1):
        text = word.text
        if text in (">", ">>") and index + 1 < len(words):
            return words[index + 1].text
        if text.startswith(">") and text.strip(">"):
            return text.lstrip(">")
    if words[0].text.rsplit("/", 1)[-1] == "tee":
        operands = [word.text for word in words[1:] if not word.text.startswith("-") and word.text != "<<"]
        return operands[0] if operands else None
    return None


def _take_assignments(words: list[Word], where: str, into: list[Setting], facts: SourceFacts) -> list[Word]:
    """Consume leading ``NAME=value`` words (settings for this command only)."""
    while words and _ASSIGNMENT.match(words[0].text):
        setting = _assignment(words[0], where)
        if setting is not None:
            into.append(setting)
            facts.settings.append(setting)
        words = words[1:]
    return words


def _assignment(word: Word, where: str) -> Setting | None:
    match = _ASSIGNMENT.match(word.text)
    if match is None:
        return None
    name, value = match.group(1), match.group(2)
    start = word.position
    # The value starts after "NAME=" (quotes around the value shift it by one at most).
    value_column = start.column + len(name) + 1
    value_word = replace(word, text=value, position=Position(start.line, value_column, start.end_line, start.end_column))
    return Setting(name, value_word, value_word.position, f"{name} in {where}")
