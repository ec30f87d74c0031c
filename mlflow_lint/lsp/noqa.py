"""The "Suppress MLFnnn on this line" edit: a reasoned ``# noqa`` comment where it works.

The comment syntax is :mod:`mlflow_lint.suppressions`' (flake8's): ``# noqa: MLF601 --
reason``. The edit goes on the finding's line, or, when that line cannot end in a comment
(it ends inside a multi-line string, or continues with a backslash), on the last line of
the statement, which a suppression covers too. An existing ``# noqa: ...`` there (ours or
another tool's) gets the code added to its list, so one comment keeps every code and the
reason already written; a bare ``# noqa`` (which never suppresses mlflow-lint findings)
is made explicit. The same ``#`` comments serve YAML, ``.env``, shell scripts and
Makefiles. The server still checks the result by linting it before it offers the edit.
"""

from __future__ import annotations

import io
import tokenize
from dataclasses import dataclass

from mlflow_lint.lsp.documents import split_lines
from mlflow_lint.lsp.edits import TextChange
from mlflow_lint.suppressions import NOQA, comment_start

REASON_SEPARATOR = " -- "


@dataclass(frozen=True)
class Suppression:
    """The edit, and whether it ends where the reason is to be written (after ``-- ``)."""

    change: TextChange
    asks_reason: bool


@dataclass(frozen=True)
class _Layout:
    """What a Python text's tokens say about where comments may go."""

    comments: dict[int, tuple[int, str]]  # line -> (0-based column, comment text)
    statements: list[tuple[int, int]]  # (first, last) line of every multi-line statement
    open_lines: set[int]  # lines whose end is inside a token (a string spanning lines)


def suppression(text: str, kind: str, rule: str, line: int) -> Suppression | None:
    """The edit that suppresses ``rule`` on 1-based ``line`` of ``text`` (None when no
    comment can go there, or the line's comment already names the code)."""
    lines = split_lines(text)
    if not 1 <= line <= len(lines):
        return None
    found = _python_place(text, lines, line) if kind in ("python", "notebook") else _text_place(lines, line)
    if found is None:
        return None
    target, comment = found
    content = lines[target - 1].rstrip("\r\n")
    if comment is not None:
        column, comment_text = comment
        merged = _merge(comment_text, rule)
        if merged is None:
            return None
        start, end, new_text, asks = merged
        return Suppression(TextChange((target - 1, column + start), (target - 1, column + end), new_text), asks)
    stripped = content.rstrip()
    new_text = f"  # noqa: {rule}{REASON_SEPARATOR}"
    return Suppression(TextChange((target - 1, len(stripped)), (target - 1, len(content)), new_text), True)


def _merge(comment: str, rule: str) -> tuple[int, int, str, bool] | None:
    """How to add ``rule`` to an existing comment: (start, end, replacement, asks_reason)
    within the comment's text; None when it already suppresses the rule."""
    match = NOQA.search(comment)
    if match is None:  # a comment of another kind: the suppression goes after it
        return len(comment.rstrip()), len(comment), f"  # noqa: {rule}{REASON_SEPARATOR}", True
    codes = match.group("codes")
    if codes is None:  # a bare noqa comment: name the code
        return match.start(), match.end(), f"# noqa: {rule}", False
    named = [code.upper() for code in codes.replace(",", " ").split()]
    if any(rule.startswith(code) for code in named):
        return None
    end = match.start("codes") + len(codes.rstrip(", \t"))
    return end, end, f", {rule}", False


def _python_place(text: str, lines: list[str], line: int) -> tuple[int, tuple[int, str] | None] | None:
    layout = _python_layout(text)
    target = line
    if target in layout.open_lines or _continues(lines[target - 1]):
        statement = next((s for s in layout.statements if s[0] <= line <= s[1]), None)
        if statement is None:
            return None
        target = statement[1]
        if target in layout.open_lines or _continues(lines[target - 1]):
            return None
    return target, layout.comments.get(target)


def _python_layout(text: str) -> _Layout:
    comments: dict[int, tuple[int, str]] = {}
    statements: list[tuple[int, int]] = []
    open_lines: set[int] = set()
    first: int | None = None
    layout_only = (tokenize.NL, tokenize.INDENT, tokenize.DEDENT, tokenize.ENCODING, tokenize.ENDMARKER)
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            if token.type == tokenize.COMMENT:
                comments[token.start[0]] = (token.start[1], token.string)
            elif token.type == tokenize.NEWLINE:
                if first is not None and token.start[0] > first:
                    statements.append((first, token.start[0]))
                first = None
                continue
            elif first is None and token.type not in layout_only:
                first = token.start[0]
            if token.end[0] > token.start[0] and token.type not in layout_only:
                open_lines.update(range(token.start[0], token.end[0]))
    except (tokenize.TokenError, SyntaxError):
        pass  # what came before the error is known; the server's check catches the rest
    return _Layout(comments, statements, open_lines)


def _text_place(lines: list[str], line: int) -> tuple[int, tuple[int, str] | None] | None:
    """YAML, .env, shell, Makefile: the comment goes on the last line of a command
    continued with backslashes (which covers the whole command)."""
    target = line
    while _continues(lines[target - 1]) and target < len(lines):
        target += 1
    content = lines[target - 1].rstrip("\r\n")
    start = comment_start(content, "#")
    return target, ((start, content[start:]) if start is not None else None)


def _continues(line: str) -> bool:
    return line.rstrip("\r\n").endswith("\\")
