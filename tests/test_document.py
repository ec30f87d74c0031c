"""sources.document: one file of any kind read into the one form the engine and the project
index analyse."""

from __future__ import annotations

import json
from pathlib import Path

from mlflow_lint.sources import MAX_ANALYSED_BYTES
from mlflow_lint.sources.document import read_document


def _ipynb(*cells: str) -> bytes:
    return json.dumps(
        {"cells": [{"cell_type": "code", "metadata": {}, "source": source.splitlines(keepends=True)} for source in cells]}, indent=1
    ).encode()


def test_python() -> None:
    document = read_document(Path("train.py"), b"import mlflow\nmlflow.set_tag('a', 1)\n")
    assert document.kind == "python" and document.tree is not None and document.virtual is None
    assert document.text == "import mlflow\nmlflow.set_tag('a', 1)\n"
    assert document.failure is None and document.syntax_error is None and document.file_lines is None


def test_an_extension_less_script_is_python_unless_a_kind_is_given() -> None:
    assert read_document(Path("bin/train"), b"x = 1\n").kind == "python"
    assert read_document(Path("bin/train"), b"X: 1\n", kind="yaml").facts is not None


def test_python_that_does_not_parse_is_a_syntax_error_not_a_failure() -> None:
    document = read_document(Path("bad.py"), b"x = 1\ndef f(:\n")
    assert document.tree is None and document.failure is None
    assert document.syntax_error is not None and document.syntax_error.reason.startswith("syntax error")
    assert document.syntax_error.line == 2


def test_undecodable_python_is_a_failure_where_the_byte_is() -> None:
    document = read_document(Path("latin.py"), b"x = 1\ny = '\xff'\n")
    assert document.tree is None and document.syntax_error is None and document.failure is not None
    assert (document.failure.reason, document.failure.line, document.failure.column) == (
        "cannot decode file as utf-8: invalid byte 0xff",
        2,
        6,
    )


def test_a_file_too_large_is_a_failure_but_a_notebook_counts_its_cells() -> None:
    big = b"x = 1\n" * (MAX_ANALYSED_BYTES // 6 + 1)
    failure = read_document(Path("big.py"), big).failure
    assert failure is not None and failure.reason.startswith("file too large to analyse") and (failure.line, failure.column) == (1, 1)
    failure = read_document(Path("big.yaml"), big).failure
    assert failure is not None and failure.reason.startswith("file too large to analyse")
    notebook = _ipynb("x = 1\n" * (MAX_ANALYSED_BYTES // 6 + 1))
    failure = read_document(Path("big.ipynb"), notebook).failure
    assert failure is not None and failure.reason.startswith("code cells too large to analyse")
    outputs = json.dumps({"cells": [{"cell_type": "code", "source": "x = 1", "outputs": ["y" * MAX_ANALYSED_BYTES]}]}).encode()
    assert read_document(Path("outputs.ipynb"), outputs).tree is not None


def test_notebook_cells_as_one_module_with_their_lines_in_the_file() -> None:
    data = _ipynb("import mlflow\n%pip install x\n", "def f(:\n", "mlflow.set_tag('a', 1)\n")
    document = read_document(Path("nb.ipynb"), data)
    assert document.kind == "notebook" and document.tree is not None and document.virtual is not None
    assert document.text == "import mlflow\npass\n\nmlflow.set_tag('a', 1)\n"  # the bad cell blanked
    assert [(error.reason, document.virtual.origin(error.line)) for error in document.cell_errors] == [
        ("syntax error: invalid syntax", (1, 1))
    ]
    assert document.file_lines is not None and document.file_lines.origin(4) == (2, 1)
    assert document.file_lines.of_cell(2, 1) == data.decode().splitlines().index('    "mlflow.set_tag(\'a\', 1)\\n"') + 1


def test_a_notebook_is_read_again_when_asked() -> None:
    asked: list[str] = []

    def reread() -> bytes:
        asked.append("read")
        return _ipynb("x = 1\n")

    document = read_document(Path("nb.ipynb"), _ipynb("x = 1\n"), reread=reread)
    assert asked == [] and document.file_lines is not None
    assert document.file_lines.of_cell(0, 1) is not None and asked == ["read"]


def test_a_corrupt_notebook_is_a_failure_where_the_json_breaks() -> None:
    document = read_document(Path("nb.ipynb"), b'{"cells": [\n  {"cell_type": }\n]}')
    assert document.tree is None and document.failure is not None
    assert document.failure.reason.startswith("not a valid notebook (invalid JSON at line 2, column 17")
    assert (document.failure.line, document.failure.column) == (2, 17)


def test_databricks_source_cells_keep_the_file_lines() -> None:
    data = b"# Databricks notebook source\nimport mlflow\n\n# COMMAND ----------\n\n# MAGIC %run ./setup\n\n# COMMAND ----------\n\nx = (\n"
    document = read_document(Path("job.py"), data)
    assert document.kind == "databricks" and document.tree is not None and document.virtual is not None
    assert document.file_lines is None and document.syntax_error is None
    assert "from .setup import *" in document.text
    assert [document.virtual.origin(error.line) for error in document.cell_errors] == [(None, 10)]


def test_cells_limit_holds_databricks_sources_too() -> None:
    data = b"# Databricks notebook source\n" + b"# MAGIC %run ./a\n" * 10
    assert read_document(Path("job.py"), data).tree is not None
    failure = read_document(Path("job.py"), data, cells_limit=100).failure
    assert failure is not None and failure.reason.startswith("code cells too large to analyse")
    assert read_document(Path("nb.ipynb"), _ipynb("x = 1\n" * 100), cells_limit=100).failure is not None


def test_text_sources() -> None:
    document = read_document(Path("run.sh"), b"export MLFLOW_TRACKING_URI=./mlruns\npython - <<'EOF'\nimport mlflow\nEOF\n")
    assert document.kind == "shell" and document.tree is None and document.facts is not None
    assert [setting.name for setting in document.facts.settings] == ["MLFLOW_TRACKING_URI"]
    assert [embedded.text for embedded in document.facts.python] == ["import mlflow\n"]
    unparsable = read_document(Path("compose.yaml"), b"a: [\n", shown="deploy/compose.yaml")
    assert unparsable.unparsable is not None and unparsable.facts is None and unparsable.failure is None
    failure = read_document(Path(".env"), b"A=\xff\n").failure
    assert failure is not None and failure.reason == "cannot decode file as UTF-8"
