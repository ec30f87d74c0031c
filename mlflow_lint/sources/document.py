"""One file as the analysis reads it, whatever its kind: a :class:`Document`.

:func:`read_document` is the one place a file's kind decides how it is read, for the
engine (a file linted) and the project index (a module another file imports or ``%run``\\ s):

- Python: decoded as Python does (PEP 263, BOM) and parsed;
- a Jupyter notebook: its code cells as one module (magics neutralised, ``%run`` lines as
  imports, a cell that does not parse blanked and reported), its lines mapped back to the
  cells and, on first ask, to the lines of the ``.ipynb`` file (:class:`IpynbLines`);
- a Databricks source notebook (a ``.py`` file that starts ``# Databricks notebook source``):
  its cells likewise, its lines the file's own;
- a text source (YAML, .env, shell, Dockerfile, Makefile, ...): its settings, commands and
  copies, and the Python code it runs (:class:`SourceFacts`);

or why the file cannot be analysed (too large, a corrupt notebook, undecodable, Python that
does not parse), and where. What to do with it stays the reader's: the engine reports
MLF000, the project index finds no module there.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from mlflow_lint.sources import MAX_ANALYSED_BYTES, TEXT_SOURCES, is_template, read_text_source, script_kind, source_kind, too_large
from mlflow_lint.sources.encoding import decode_text
from mlflow_lint.sources.notebook import (
    CorruptNotebook,
    IpynbLines,
    VirtualSource,
    is_databricks_source,
    parse_cells,
    read_databricks,
    read_ipynb,
    virtual_source,
)
from mlflow_lint.sources.python import UnanalysableSource, decode_python, parse_python

if TYPE_CHECKING:
    from mlflow_lint.sources.facts import SourceFacts, UnparsableText
    from mlflow_lint.sources.helm_values import ValuesFile


@dataclass
class Document:
    """One file, read by its kind (:func:`read_document`). ``tree`` is None when there is
    no Python to analyse: a text source, a failure, a notebook none of whose cells parse."""

    kind: str  # "python", "databricks" (a Databricks source notebook), "notebook" (.ipynb), or a text source's (TEXT_SOURCES)
    # The text analysed: a Python file's source; a notebook's code cells as one module,
    # those that do not parse blanked; a text source's decoded text.
    text: str = ""
    tree: ast.Module | None = None
    # A notebook's cells (Databricks sources too): each line of ``text`` back to its cell
    # and line there (VirtualSource.origin); for a Databricks source, to the file's line.
    virtual: VirtualSource | None = None
    # An .ipynb notebook's: where its cells' lines sit in the file (None for other kinds).
    file_lines: IpynbLines | None = None
    # A notebook's cells that do not parse (left out of ``tree``), at their lines of ``text``.
    cell_errors: list[UnanalysableSource] = field(default_factory=list)
    # A text source's settings, commands and copies, and the Python code it runs (facts.python).
    facts: SourceFacts | None = None
    # A text source that does not parse (templated or broken YAML, invalid TOML): skipped, not reported.
    unparsable: UnparsableText | None = None
    # Why the file cannot be analysed, as the user is told (MLF000), and where: too large,
    # a corrupt notebook, not decodable.
    failure: UnanalysableSource | None = None
    # A Python file (not a notebook's cell) that does not parse: a failure too, whose
    # reason the reader may complete with the project's requires-python
    # (sources.python.syntax_error_reason).
    syntax_error: UnanalysableSource | None = None


def read_document(
    path: Path,
    data: bytes,
    *,
    kind: str | None = None,
    shown: str | None = None,
    reread: Callable[[], bytes] | None = None,
    cells_limit: int | None = None,
    values: ValuesFile | None = None,
) -> Document:
    """``data``, the bytes of the file at ``path``, as a :class:`Document`.

    ``kind``: the source kind (default: from the file name; an extension-less script by
    its shebang (``sources.script_kind``), else Python). ``shown``: the file's name as reported (text sources' messages name it; the
    parser's file name), default ``str(path)``. ``reread``: how an .ipynb notebook's bytes
    are got again when a position in the file is asked for (default: ``data``, kept).
    ``cells_limit``: the most Python text a notebook's code cells may make, beyond which
    the notebook is too large; default :data:`MAX_ANALYSED_BYTES` for an .ipynb notebook,
    whose file size (outputs included) says nothing of its code, and none for a Databricks
    source, which the file's own limit holds. ``values``: a YAML file is a Helm values file
    (with the chart beside it: ``ProjectIndex.helm_values``). Raises only for a bug (of ours
    or of a parser we call)."""
    kind = kind or source_kind(path) or script_kind(path, data) or "python"
    shown = str(path) if shown is None else shown
    if kind != "notebook" and len(data) > MAX_ANALYSED_BYTES:  # a notebook's outputs do not count
        return Document(kind, failure=UnanalysableSource(too_large(len(data))))
    if kind in TEXT_SOURCES:
        return _text_source(kind, data, shown, is_template(path), values)
    if kind == "notebook":
        try:
            cells = read_ipynb(data)
        except CorruptNotebook as error:
            return Document(kind, failure=UnanalysableSource(str(error), error.line, error.column))
        virtual = virtual_source(cells)
        limit = MAX_ANALYSED_BYTES if cells_limit is None else cells_limit
        if len(virtual.text) > limit:
            return Document(kind, failure=UnanalysableSource(too_large(len(virtual.text), "code cells")))
        file_lines = IpynbLines(reread or (lambda: data), virtual.origins)
        return _cells(kind, virtual, shown, file_lines)
    try:
        source = decode_python(data)
    except UnanalysableSource as error:
        return Document(kind, failure=error)
    if is_databricks_source(source):  # its own ``# MAGIC %run`` lines include others
        virtual = virtual_source(read_databricks(source), file_lines=True)
        if cells_limit is not None and len(virtual.text) > cells_limit:
            return Document("databricks", failure=UnanalysableSource(too_large(len(virtual.text), "code cells")))
        return _cells("databricks", virtual, shown, None)
    try:
        tree = parse_python(source, shown)
    except UnanalysableSource as error:
        return Document(kind, source, syntax_error=error)
    return Document(kind, source, tree)


def _cells(kind: str, virtual: VirtualSource, shown: str, file_lines: IpynbLines | None) -> Document:
    """A notebook's code cells as one module; a cell that does not parse is left out
    (blanked) and reported (sources.notebook.parse_cells)."""
    parsed = parse_cells(virtual, shown)
    return Document(kind, parsed.virtual.text, parsed.tree, parsed.virtual, file_lines, parsed.errors)


def _text_source(kind: str, data: bytes, shown: str, template: bool, values: ValuesFile | None = None) -> Document:
    """YAML, .env, shell, Dockerfile, ...: their settings, commands and copies."""
    from mlflow_lint.sources.facts import UnparsableText

    try:
        text = decode_text(data)
    except UnicodeDecodeError:
        return Document(kind, failure=UnanalysableSource("cannot decode file as UTF-8"))
    try:
        facts = read_text_source(kind, text, shown, template, values)
    except UnparsableText as error:
        return Document(kind, text, unparsable=error)
    return Document(kind, text, facts=facts)
