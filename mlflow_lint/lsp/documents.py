"""What the server lints: an immutable snapshot of one open document or notebook.

A snapshot is taken on the event loop (where pygls keeps the buffers) and handed to the
worker thread, so the lint never reads a buffer while the next edit is applied to it, and
its version tells whether its result still describes what the editor shows.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from mlflow_lint.sources import script_kind, source_kind

# The LSP's line breaks, which are Python's (str.splitlines also breaks at \x0c, \x1c,
# \u2028..., which would shift every later line against the editor's).
_LINE_BREAK = re.compile(r"\r\n|\r|\n")

# Editors' language ids for files whose name does not tell their kind (an untitled
# buffer, ``bin/deploy`` with a shebang, a ``compose.override`` file...).
_LANGUAGE_KINDS = {
    "python": "python",
    "yaml": "yaml",
    "dockercompose": "yaml",
    "dockerfile": "dockerfile",
    "shellscript": "shell",
    "sh": "shell",
    "bash": "shell",
    "zsh": "shell",
    "dotenv": "dotenv",
    "makefile": "makefile",
    "make": "makefile",
}
PYTHON_LANGUAGE = "python"


def split_lines(text: str) -> list[str]:
    """``text`` as lines, each with its line break: the lines LSP positions count."""
    lines: list[str] = []
    start = 0
    for match in _LINE_BREAK.finditer(text):
        lines.append(text[start : match.end()])
        start = match.end()
    if start < len(text):
        lines.append(text[start:])
    return lines


def kind_of(path: Path, language_id: str | None, text: str) -> str | None:
    """The engine's source kind of an open document: from its name, as ``check`` reads
    it; a file without a suffix (``bin/deploy``) by the editor's language id or its
    shebang (``sources.script_kind``). None when mlflow-lint reads no such file (``.pyi``, ``notes.txt``...)."""
    kind = source_kind(path)
    if kind is not None or path.suffix:
        return kind
    if language_id and language_id.lower() in _LANGUAGE_KINDS:
        return _LANGUAGE_KINDS[language_id.lower()]
    return script_kind(path, text.split("\n", 1)[0].encode("utf-8", "surrogatepass"))


@dataclass(frozen=True)
class CellText:
    """One cell of a notebook document, in notebook order."""

    uri: str
    text: str
    version: int | None
    code: bool  # a Python code cell; markdown and cells of other languages are not read


@dataclass(frozen=True)
class Snapshot:
    """One document (or notebook document) as the editor holds it at ``version``."""

    uri: str  # the key diagnostics are kept under: the document's or the notebook's URI
    version: int | None
    path: Path  # the file on disk it is (the configuration and project are found from it)
    kind: str  # the engine's source kind: python, notebook, yaml, dotenv, shell, ...
    text: str = ""  # the buffer; empty for a notebook document (see ``cells``)
    cells: tuple[CellText, ...] = ()  # a notebook document's cells (LSP 3.17)

    @property
    def is_notebook_document(self) -> bool:
        return bool(self.cells)

    def data(self) -> bytes:
        """The bytes the engine reads: the buffer, or a notebook document's cells as an
        ``.ipynb`` (its cell indices are the notebook's, so each finding maps back to the
        cell document it is in)."""
        if not self.is_notebook_document:
            return self.text.encode("utf-8", "surrogatepass")
        return notebook_json(self.cells).encode("utf-8", "surrogatepass")

    def text_of(self, uri: str) -> str | None:
        """The text of the document ``uri`` (this document, or one of its cells)."""
        if uri == self.uri and not self.is_notebook_document:
            return self.text
        return next((cell.text for cell in self.cells if cell.uri == uri), None)

    def cell_index(self, uri: str) -> int | None:
        return next((index for index, cell in enumerate(self.cells) if cell.uri == uri), None)


def notebook_json(cells: tuple[CellText, ...]) -> str:
    """Cells as a minimal nbformat 4 document (code cells other than Python as ``raw``,
    which the analysis never reads, as it never reads markdown)."""
    document = {
        "cells": [
            {"cell_type": "code" if cell.code else "raw", "metadata": {}, "source": cell.text, **({"outputs": [], "execution_count": None} if cell.code else {})}
            for cell in cells
        ],
        "metadata": {},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    return json.dumps(document, ensure_ascii=False)


def cells_of_notebook_json(text: str) -> list[str] | None:
    """The sources of the cells of a document :func:`notebook_json` wrote (after a fix
    rewrote some of them), in order; None when it is not such a document."""
    try:
        document = json.loads(text)
    except ValueError:
        return None
    cells = document.get("cells") if isinstance(document, dict) else None
    if not isinstance(cells, list):
        return None
    sources = []
    for cell in cells:
        source = cell.get("source", "") if isinstance(cell, dict) else ""
        sources.append("".join(source) if isinstance(source, list) else str(source))
    return sources
