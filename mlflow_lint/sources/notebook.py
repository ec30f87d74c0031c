"""Notebooks: Jupyter ``.ipynb`` and Databricks source notebooks, as one virtual module.

Code cells are concatenated into one Python source (so constants resolve across cells)
with a map from each virtual line back to (cell index, line in cell). IPython magics
(``%pip``, ``!cmd``, ``%%bash`` cells, ``?`` help) become ``pass`` lines, so they are
neither parse errors nor findings. Markdown cells and outputs are never read. A cell
that does not parse is reported (MLF000) and blanked, and the rest is still analysed.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

DATABRICKS_HEADER = "# Databricks notebook source"
_DATABRICKS_CELL = re.compile(r"^# COMMAND -{5,}\s*$")
_LINE_MAGIC = re.compile(r"^(\s*)(%|!|\?|[A-Za-z_][\w.]*\?{1,2}\s*$)")
# IPython "automagic": magics and shell aliases that work without % (``ls "/tmp"``,
# ``cd data``, ``pip install x``). Only a line that is not Python with them is neutralised.
_AUTOMAGIC = re.compile(
    r"^(\s*)(ls|ll|cd|pwd|cat|cp|mv|rm|rmdir|mkdir|pip|conda|mamba|env|who|whos|history|clear|less|more|"
    r"man|alias|pycat|load_ext|matplotlib|lsmagic|pushd|popd|dirs|bookmark|reset|store|xdel)"
    r"(\s+(?![=(\[.,:+\-*/%<>!&|^]|is\b|in\b|and\b|or\b|if\b|for\b)\S.*)?\s*$"
)
_PYTHON_CELL_MAGICS = frozenset({"%%time", "%%timeit", "%%capture", "%%python", "%%prun", "%%debug"})


# Python's line breaks only. str.splitlines also breaks at \x0b, \x0c, \x1c-\x1e, \x85,
# \u2028 and \u2029, which inside a string literal or a comment are part of the line: a
# cell split there no longer parses, and later line numbers shift.
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def python_lines(text: str) -> list[str]:
    """``text`` split into lines as Python's tokenizer counts them (no line ends kept)."""
    lines = _LINE_BREAK.split(text)
    if lines[-1] == "":
        lines.pop()
    return lines


class CorruptNotebook(Exception):
    """The file is not a notebook we can read (the reason is the message; ``line`` and
    ``column``, 1-based, where in the file the JSON went wrong)."""

    def __init__(self, reason: str, line: int = 1, column: int = 1) -> None:
        super().__init__(reason)
        self.line = max(line, 1)
        self.column = max(column, 1)


@dataclass(frozen=True)
class Cell:
    index: int  # 0-based index among all cells of the notebook
    lines: tuple[str, ...]


@dataclass
class VirtualSource:
    """Concatenated code cells and the way back to positions users see.

    ``origins`` maps each virtual line (0-based) to (cell index, 1-based line in that
    cell); for Databricks source notebooks, which are .py files in the repository, the
    cell is None and the line is the file's own line.
    """

    text: str
    origins: list[tuple[int | None, int]]
    cells: list[Cell]

    def origin(self, line: int) -> tuple[int | None, int]:
        if 1 <= line <= len(self.origins):
            return self.origins[line - 1]
        return self.origins[-1] if self.origins else (None, max(line, 1))

    def cell_of(self, line: int) -> int | None:
        """The index (into ``cells``) of the cell holding a 1-based virtual line."""
        if not 1 <= line <= len(self.cell_numbers):
            return None
        return self.cell_numbers[line - 1]

    @property
    def cell_numbers(self) -> list[int]:
        return self.__dict__.setdefault("_cell_numbers", [])


def read_ipynb(data: bytes) -> list[Cell]:
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise CorruptNotebook(f"not a valid notebook (not UTF-8: invalid byte at line {line})", line) from None
    except json.JSONDecodeError as exc:
        where = f"line {exc.lineno}, column {exc.colno}"
        raise CorruptNotebook(f"not a valid notebook (invalid JSON at {where}: {exc.msg})", exc.lineno, exc.colno) from None
    except RecursionError:  # arrays or objects nested thousands deep
        raise CorruptNotebook("not a valid notebook (invalid JSON: nesting too deep)") from None
    if not isinstance(document, dict) or not isinstance(document.get("cells", []), list):
        raise CorruptNotebook("not a valid notebook (no list of cells)")
    # Any of these may have the wrong shape in a hand-edited or generated file: ignore it then.
    metadata = _mapping(document.get("metadata"))
    language = _mapping(metadata.get("kernelspec")).get("language") or _mapping(metadata.get("language_info")).get("name")
    if isinstance(language, str) and language.lower() not in ("python", "python3", "ipython", ""):
        return []  # an R or Scala notebook: nothing for a Python analyser
    cells = []
    for index, cell in enumerate(document.get("cells", [])):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        if isinstance(source, list):
            source = "".join(part for part in source if isinstance(part, str))
        if not isinstance(source, str):
            continue
        cells.append(Cell(index, tuple(python_lines(source))))
    return cells


def _mapping(value: object) -> dict:  # type: ignore[type-arg]
    return value if isinstance(value, dict) else {}


def is_databricks_source(text: str) -> bool:
    return text.lstrip("\ufeff").startswith(DATABRICKS_HEADER)


def read_databricks(text: str) -> list[Cell]:
    """Cells of a Databricks source notebook; separator lines stay (as blank lines) in the
    following cell, so that concatenating the cells gives back the file line for line."""
    cells: list[Cell] = []
    current: list[str] = []
    for line in python_lines(text):
        if _DATABRICKS_CELL.match(line):
            cells.append(Cell(len(cells), tuple(current)))
            current = [""]
            continue
        current.append("" if line.lstrip("\ufeff").startswith(DATABRICKS_HEADER) else line)
    cells.append(Cell(len(cells), tuple(current)))
    return cells


def virtual_source(cells: list[Cell], file_lines: bool = False) -> VirtualSource:
    """Concatenate cells; with ``file_lines`` (Databricks .py) positions stay file lines."""
    text_lines: list[str] = []
    origins: list[tuple[int | None, int]] = []
    numbers: list[int] = []
    for position, cell in enumerate(cells):
        for number, line in enumerate(_neutralise(cell.lines), start=1):
            text_lines.append(line)
            origins.append((None, len(origins) + 1) if file_lines else (cell.index, number))
            numbers.append(position)
    source = VirtualSource("\n".join(text_lines) + "\n", origins, list(cells))
    source.cell_numbers.extend(numbers)
    return source


def _neutralise(lines: tuple[str, ...]) -> list[str]:
    """Magics become ``pass`` at the same indentation; non-Python cell magics blank the cell."""
    if lines and lines[0].startswith("%%") and lines[0].split()[0] not in _PYTHON_CELL_MAGICS:
        return [""] * len(lines)  # %%bash, %%sql, %%sh ...: not Python
    out = []
    for index, line in enumerate(lines):
        if index == 0 and line.startswith("%%"):
            out.append("")
            continue
        if line.lstrip().startswith("# MAGIC"):
            out.append("")
            continue
        match = _LINE_MAGIC.match(line) or _AUTOMAGIC.match(line)
        if match is not None and not line.lstrip().startswith("#"):
            out.append(f"{match.group(1)}pass")
            continue
        if re.match(r"^\s*[A-Za-z_][\w.]*\s*=\s*(%|!)", line):  # files = !ls, x = %env
            indent = line[: len(line) - len(line.lstrip())]
            out.append(f"{indent}pass")
            continue
        out.append(line)
    return out


def blank_cell(source: VirtualSource, position: int) -> VirtualSource:
    """The same source with one cell (by position in ``cells``) emptied after it failed to parse."""
    lines = source.text.split("\n")
    for number, cell_position in enumerate(source.cell_numbers):
        if cell_position == position:
            lines[number] = ""
    blanked = VirtualSource("\n".join(lines), source.origins, source.cells)
    blanked.cell_numbers.extend(source.cell_numbers)
    return blanked
