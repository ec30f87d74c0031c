"""Position conversion: ``ast`` gives UTF-8 byte columns, users see characters."""

from __future__ import annotations

import ast
from dataclasses import dataclass


@dataclass(frozen=True)
class Span:
    """1-based line and column, inclusive start, exclusive end, in characters."""

    line: int
    column: int
    end_line: int
    end_column: int


class LineIndex:
    """Converts ``ast`` node positions of one source text into character spans."""

    def __init__(self, source: str) -> None:
        self._lines = source.splitlines(keepends=True)
        self._encoded: dict[int, bytes] = {}

    def char_column(self, line: int, byte_offset: int) -> int:
        """0-based character column of a 0-based UTF-8 byte offset on a 1-based line."""
        if line < 1 or line > len(self._lines):
            return byte_offset
        text = self._lines[line - 1]
        if text.isascii():
            return byte_offset
        encoded = self._encoded.get(line)
        if encoded is None:
            encoded = self._encoded[line] = text.encode("utf-8", errors="surrogatepass")
        return len(encoded[:byte_offset].decode("utf-8", errors="replace"))

    def span(self, node: ast.AST) -> Span:
        line = getattr(node, "lineno", 1) or 1
        col = getattr(node, "col_offset", 0) or 0
        end_line = getattr(node, "end_lineno", None) or line
        end_col = getattr(node, "end_col_offset", None)
        if end_col is None:
            end_col = col
        return Span(
            line=line,
            column=self.char_column(line, col) + 1,
            end_line=end_line,
            end_column=self.char_column(end_line, end_col) + 1,
        )
