"""Python source files: decoding (PEP 263, BOM) and parsing, with failures as reasons."""

from __future__ import annotations

import ast
import codecs
import io
import os
import re
import sys
import tokenize
import warnings
from collections.abc import Callable

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

# PEP 263, as the tokenize module spells it, on bytes.
_COOKIE = re.compile(rb"^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)")
_BLANK_OR_COMMENT = re.compile(rb"^[ \t\f]*(?:[#\r\n]|$)")


class UnanalysableSource(Exception):
    """The file cannot be analysed; ``reason`` is what the user is told (MLF000)."""

    def __init__(self, reason: str, line: int = 1, column: int = 1, newer_syntax: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.line = max(line, 1)
        self.column = max(column, 1)
        # A syntax error at syntax a newer Python accepts: which (``syntax_error_reason``).
        self.newer_syntax = newer_syntax


def decode_python(data: bytes) -> str:
    """Decode as Python does: BOM, then a PEP 263 coding cookie, else UTF-8."""
    if b"\x00" in data:
        raise UnanalysableSource("file contains NUL bytes (binary file?)")
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as exc:
        if "invalid or missing" not in exc.msg:
            raise UnanalysableSource(f"invalid encoding declaration: {exc.msg}") from None
        # One of the first two lines is not UTF-8: detect_encoding gives up even when that
        # line itself declares the encoding, which CPython honours. Else: say which byte.
        encoding = _declared_encoding(data) or "utf-8"
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        line_start = data.rfind(b"\n", 0, exc.start) + 1
        line = data.count(b"\n", 0, exc.start) + 1
        column = len(data[line_start : exc.start].decode(encoding, "replace")) + 1
        raise UnanalysableSource(f"cannot decode file as {encoding}: invalid byte {data[exc.start]:#04x}", line, column) from None
    except LookupError:  # unreachable: detect_encoding has already looked the codec up
        raise UnanalysableSource(f"cannot decode file as {encoding}: unknown encoding") from None
    if text.startswith("\ufeff"):
        text = text[1:]
    return text


def _declared_encoding(data: bytes) -> str | None:
    """The PEP 263 declaration of the first two lines, read from their bytes."""
    for line in data.splitlines()[:2]:
        cookie = _COOKIE.match(line)
        if cookie is not None:
            name = cookie.group(1).decode("ascii")
            try:
                return codecs.lookup(name).name
            except LookupError:
                raise UnanalysableSource(f"invalid encoding declaration: unknown encoding: {name}") from None
        if not _BLANK_OR_COMMENT.match(line) or not _is_utf8(line):  # as CPython: no later declaration counts
            return None
    return None


def _is_utf8(line: bytes) -> bool:
    try:
        line.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def parse_python(source: str, filename: str) -> ast.Module:
    """``ast.parse`` with every failure turned into :class:`UnanalysableSource`."""
    try:
        with warnings.catch_warnings():
            # Invalid escape sequences etc. are the user's business, not ours.
            warnings.simplefilter("ignore")
            return ast.parse(source, filename=filename, type_comments=False)
    except SyntaxError as exc:
        message = exc.msg or "invalid syntax"
        raise UnanalysableSource(f"syntax error: {message}", exc.lineno or 1, exc.offset or 1, _newer_syntax(exc)) from None
    except (RecursionError, MemoryError):
        raise UnanalysableSource("expression nesting too deep to analyse") from None
    except ValueError as exc:  # e.g. "source code string cannot contain null bytes"
        raise UnanalysableSource(str(exc)) from None


# Syntax later Pythons accept that the running one rejects, recognised on the line the
# parser stopped at: (minimum version, what it is, the test). Only the line is read, so an
# error there of another kind reads as "may be".
_GENERICS = re.compile(r"^\s*(?:(?:async\s+)?def|class)\s+\w+\s*\[|^\s*type\s+\w+\s*(?:\[[^\]]*\])?\s*=")
_UNPARENTHESISED_EXCEPT = re.compile(r"^\s*except\*?\s+[\w.]+\s*,")
_NEWER_SYNTAX: tuple[tuple[tuple[int, int], str, Callable[[SyntaxError], bool]], ...] = (
    ((3, 12), "generic type syntax (PEP 695)", lambda exc: bool(_GENERICS.match(exc.text or ""))),
    ((3, 12), "f-string syntax (PEP 701: nested quotes, backslashes, comments)", lambda exc: (exc.msg or "").startswith("f-string")),
    ((3, 14), "unparenthesised exception types (PEP 758)", lambda exc: bool(_UNPARENTHESISED_EXCEPT.match(exc.text or ""))),
)


def _newer_syntax(exc: SyntaxError) -> str | None:
    """``"Python 3.12's generic type syntax (PEP 695)"`` when the line ``exc`` stopped at
    uses syntax a newer Python than this one accepts; None otherwise."""
    for version, what, matches in _NEWER_SYNTAX:
        if sys.version_info[:2] < version and matches(exc):
            return f"Python {version[0]}.{version[1]}'s {what}"
    return None


# The lowest version a ``requires-python`` specifier allows: ">=3.12", "~=3.12", "==3.12.*",
# ">3.11" (read as 3.12). Enough to tell a user why code for a newer Python does not parse.
_MAX_PYPROJECT_BYTES = 1_000_000
_LOWER_BOUND = re.compile(r"(>=|~=|==|>)\s*(\d+)\.(\d+)")


def newer_python_required(project_root: str) -> str | None:
    """The project's ``requires-python`` when its lowest allowed version is newer than the
    Python running mlflow-lint (a syntax error is then most likely newer syntax, such as a
    3.12 ``type`` statement, not a broken file)."""
    try:
        with open(os.path.join(project_root, "pyproject.toml"), "rb") as handle:
            text = handle.read(_MAX_PYPROJECT_BYTES).decode("utf-8", "replace")
        required = tomllib.loads(text).get("project", {}).get("requires-python")
    except (OSError, tomllib.TOMLDecodeError, RecursionError, AttributeError):
        return None
    if not isinstance(required, str):
        return None
    floors = []
    for operator, major, minor in _LOWER_BOUND.findall(required):
        floor = (int(major), int(minor) + (1 if operator == ">" else 0))
        floors.append(floor)
    if not floors or max(floors) <= sys.version_info[:2]:
        return None
    return required.strip()


def syntax_error_reason(error: UnanalysableSource, required: str | None) -> str:
    """The MLF000 reason for a file that does not parse; ``required``: the project's
    ``requires-python`` when it asks for a newer Python than this one
    (:func:`newer_python_required`), which the reason then names."""
    if not error.reason.startswith("syntax error"):
        return error.reason
    running = "{}.{}".format(*sys.version_info[:2])
    if required is not None:
        return f"{error.reason} (the project requires Python {required}; mlflow-lint runs on Python {running}, which cannot parse newer syntax: run it under a Python the project supports)"
    if error.newer_syntax is not None:
        return f"{error.reason} (the line may use {error.newer_syntax}; mlflow-lint runs on Python {running}, which cannot parse it: run it under a newer Python)"
    return error.reason
