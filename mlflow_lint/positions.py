"""Position conversion: ``ast`` gives UTF-8 byte columns, users see characters."""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass

_LINE_BREAK = re.compile(r"(?<=\r\n)|(?<=\r)(?!\n)|(?<=\n)")


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
        self._source = source
        self._split: list[str] | None = None  # split on first use: most files report nothing
        self._encoded: dict[int, bytes] = {}

    @property
    def _lines(self) -> list[str]:
        """The lines, each with its line break. Python's line breaks only (\r\n, \r, \n):
        str.splitlines also breaks at form feeds, \x1c-\x1e, \x85, \u2028..., which would
        shift every later line number."""
        if self._split is None:
            source = self._source
            if "\r" in source:
                lines = _LINE_BREAK.split(source)
                if lines and lines[-1] == "":
                    lines.pop()
            else:  # the common case, without the regex's lookbehind at every character
                parts = source.split("\n")
                last = parts.pop()
                lines = [part + "\n" for part in parts]
                if last:
                    lines.append(last)
            self._split = lines
        return self._split

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

    def segment(self, node: ast.AST) -> str | None:
        """The source text of ``node`` (like ``ast.get_source_segment``, without re-splitting
        the whole file on every call: that made reporting quadratic in large files)."""
        line, end_line = getattr(node, "lineno", None), getattr(node, "end_lineno", None)
        col, end_col = getattr(node, "col_offset", None), getattr(node, "end_col_offset", None)
        if line is None or end_line is None or col is None or end_col is None:
            return None
        if line < 1 or end_line > len(self._lines):
            return None
        chunk = [text.encode("utf-8", errors="surrogatepass") for text in self._lines[line - 1 : end_line]]
        if not chunk:
            return None
        if len(chunk) == 1:
            return chunk[0][col:end_col].decode("utf-8", errors="replace")
        chunk[0] = chunk[0][col:]
        chunk[-1] = chunk[-1][:end_col]
        return b"".join(chunk).decode("utf-8", errors="replace")

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
