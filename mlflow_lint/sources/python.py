"""Python source files: decoding (PEP 263, BOM) and parsing, with failures as reasons."""

from __future__ import annotations

import ast
import io
import tokenize
import warnings


class UnanalysableSource(Exception):
    """The file cannot be analysed; ``reason`` is what the user is told (MLF000)."""

    def __init__(self, reason: str, line: int = 1, column: int = 1) -> None:
        super().__init__(reason)
        self.reason = reason
        self.line = max(line, 1)
        self.column = max(column, 1)


def decode_python(data: bytes) -> str:
    """Decode as Python does: BOM, then a PEP 263 coding cookie, else UTF-8."""
    if b"\x00" in data:
        raise UnanalysableSource("file contains NUL bytes (binary file?)")
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as exc:
        raise UnanalysableSource(f"invalid encoding declaration: {exc.msg}") from None
    try:
        text = data.decode(encoding)
    except (UnicodeDecodeError, LookupError) as exc:
        where = getattr(exc, "start", None)
        line = data[:where].count(b"\n") + 1 if isinstance(where, int) else 1
        raise UnanalysableSource(f"cannot decode file as {encoding}: {exc.__class__.__name__}", line) from None
    if text.startswith("\ufeff"):
        text = text[1:]
    return text


def parse_python(source: str, filename: str) -> ast.Module:
    """``ast.parse`` with every failure turned into :class:`UnanalysableSource`."""
    try:
        with warnings.catch_warnings():
            # Invalid escape sequences etc. are the user's business, not ours.
            warnings.simplefilter("ignore")
            return ast.parse(source, filename=filename, type_comments=False)
    except SyntaxError as exc:
        message = exc.msg or "invalid syntax"
        raise UnanalysableSource(f"syntax error: {message}", exc.lineno or 1, exc.offset or 1) from None
    except (RecursionError, MemoryError):
        raise UnanalysableSource("expression nesting too deep to analyse") from None
    except ValueError as exc:  # e.g. "source code string cannot contain null bytes"
        raise UnanalysableSource(str(exc)) from None
