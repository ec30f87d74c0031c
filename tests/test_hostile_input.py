"""Hostile and broken input: one table of files and setups, each with its expected outcome.

The contract under test (README, "Exit codes"): no traceback ever reaches the user; a file
that cannot be analysed is an ``MLF000`` finding naming the reason, and every other file of
the same run is still linted; a bad configuration, rule code or path is exit 2 with a
message naming the file, line, key or code.

Three layers, so that the whole file stays fast:

- ``FILE_ROWS``: every hostile file is linted through the engine API, alone beside a normal
  file with a known finding (so a failure is pinned on its row), and then all of them
  together through the installed ``mlflow-lint`` console script, as JSON and as SARIF
  (validated against the SARIF 2.1.0 schema), enough files for the process pool.
- ``EXIT_2_ROWS``: configurations, rule codes and paths that must stop the run with exit 2;
  the console-script runs are started concurrently.
- setups that need the engine API (a file deleted between discovery and reading, a read
  that fails, a check that crashes) or the file system (symbolic-link loops, unreadable
  files, a read-only working directory).
- ``--fix`` on hostile input: a file name that is not UTF-8, a notebook whose cells bind
  ``os`` to something else.
- ``IGNORE_ROWS``: ignore patterns (``.gitignore``, ``exclude``, ``per-file-ignores``) that a
  backtracking regex needs minutes for, and a ``.gitignore`` of a million lines: the console
  script must finish (a subprocess timeout, never a benchmark; see benchmarks/hostile.py).
- ``SCALING_ROWS`` and the tests after them: inputs under the size limit that made a step of
  the analysis quadratic; the work of each step is counted (never timed) at two sizes.

Big and binary inputs are generated here, in ``tmp_path``; nothing large is committed.
"""

from __future__ import annotations

import ast
import contextlib
import json
import os
import random
import subprocess
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from mlflow_lint import engine
from mlflow_lint.checks.local_tracking_uri import LocalTrackingUri
from mlflow_lint.config import Config
from mlflow_lint.engine import LintResult, lint_paths
from mlflow_lint.findings import Finding
from mlflow_lint.ignore_patterns import MAX_PATTERNS

from .conftest import all_rules, run_cli
from .sarif_tools import schema_errors

# The normal file every run holds: its one finding must survive whatever sits beside it.
KNOWN_BAD = 'import mlflow\nmlflow.set_tracking_uri("./mlruns")\n'
KNOWN_NAME = "known_bad.py"
KNOWN_FINDING = ("MLF101", 2, 25)
# A project root of its own, so that project-wide facts (MLF102) scan the hostile files too.
PYPROJECT = '[project]\nname = "hostile"\n'
TRACKING = 'mlflow.set_tracking_uri("./mlruns")'  # MLF101; the URI starts at column 25 of its line


# ---------------------------------------------------------------------------- the console script
_BYTECODE: dict[str, str] = {}
_WARM_UP: dict[str, Path] = {}  # the empty directory of the first run, until it has run
_WARM_UP_LOCK = threading.Lock()


@pytest.fixture(scope="module", autouse=True)
def _private_bytecode_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The console script runs some 35 times here. Where bytecode is not written
    (PYTHONDONTWRITEBYTECODE), every run would compile mlflow-lint afresh; a pycache
    directory of this module's own (never the checkout's) keeps the file fast. The first
    run is alone (:func:`_warm_up`), so that the concurrent ones find the bytecode written;
    it waits for the first test that needs the console script (the in-process tests here
    are in the fast tier, which starts no process)."""
    _BYTECODE.update(PYTHONDONTWRITEBYTECODE="", PYTHONPYCACHEPREFIX=str(tmp_path_factory.mktemp("pycache")))
    _WARM_UP["directory"] = tmp_path_factory.mktemp("warm-up")
    yield
    _BYTECODE.clear()
    _WARM_UP.clear()


def _warm_up() -> None:
    with _WARM_UP_LOCK:
        directory = _WARM_UP.pop("directory", None)
        if directory is not None:
            run_cli("check", ".", cwd=directory, env=_BYTECODE)


def _cli(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    _warm_up()
    return run_cli(*args, cwd=cwd, env={**_BYTECODE, **(env or {})})


# ---------------------------------------------------------------------------- the file rows
@dataclass(frozen=True)
class Expect:
    """A finding the row's file must have: rule, line and column (None: any), message part."""

    rule: str
    line: int | None = None
    column: int | None = None
    text: str = ""
    cell: int | None = None


@dataclass(frozen=True)
class FileRow:
    id: str
    name: str  # path inside the project
    content: Callable[[], bytes]
    expect: tuple[Expect, ...] = ()
    exact: bool = True  # the file has exactly these findings (else: at least these, and no MLF000)


def _text(text: str) -> Callable[[], bytes]:
    return lambda: text.encode("utf-8")


def _bytes(data: bytes) -> Callable[[], bytes]:
    return lambda: data


def _blob(with_nul: bool) -> bytes:
    """Random bytes with "mlflow" in the middle (so the prefilter lets them through)."""
    rng = random.Random(20240601)
    alphabet = range(256) if with_nul else range(1, 256)
    half = bytes(rng.choice(alphabet) for _ in range(4096))
    data = half + b" mlflow " + half[::-1]
    assert (b"\x00" in data) == with_nul
    return data


def _ten_megabytes() -> bytes:
    line = b"mlflow.log_metric('loss', 0.1)  # generated\n"
    return b"import mlflow\n" + line * (10_000_000 // len(line) + 1)


def _notebook(document: Any) -> Callable[[], bytes]:
    return lambda: json.dumps(document).encode("utf-8")


NOT_ANALYSED = "File could not be analysed"

FILE_ROWS = [
    FileRow("syntax-error", "syntax_error.py", _text("import mlflow\ndef f(:\n    pass\n"),
            (Expect("MLF000", 2, 7, "syntax error"),)),
    FileRow("nul-bytes", "nul_bytes.py", _bytes(b"import mlflow\x00\n" + KNOWN_BAD.encode()),
            (Expect("MLF000", 1, 1, "NUL bytes"),)),
    FileRow("invalid-utf8", "invalid_utf8.py", _bytes(b'import mlflow\nx = "\xff\xfe"\n'),
            (Expect("MLF000", 2, 6, "cannot decode file as utf-8: invalid byte 0xff"),)),
    FileRow("utf8-declared-but-latin1", "declared_utf8.py",
            _bytes(b'# -*- coding: utf-8 -*-\nimport mlflow\nname = "caf\xe9"\n'),
            (Expect("MLF000", 3, 12, "cannot decode file as utf-8: invalid byte 0xe9"),)),
    FileRow("unknown-coding-cookie", "unknown_cookie.py", _bytes(b"# coding: klingon\nimport mlflow\n"),
            (Expect("MLF000", 1, 1, "unknown encoding: klingon"),)),
    # Positions are characters, not bytes: 'é' is one column in latin-1 and in the report.
    FileRow("latin1-cookie", "latin1_cookie.py",
            _bytes('# -*- coding: latin-1 -*-\nimport mlflow\nx = "été"; mlflow.set_tracking_uri("./données")\n'.encode("latin-1")),
            (Expect("MLF101", 3, 36, "'./données'"),), exact=False),
    # tokenize.detect_encoding gives up on a first line that is not UTF-8, even when that very
    # line declares latin-1; CPython runs the file, so it is analysed.
    FileRow("latin1-cookie-on-a-latin1-line", "latin1_first_line.py",
            _bytes('# -*- coding: latin-1 -*- café\nimport mlflow\nmlflow.set_tracking_uri("./données")\n'.encode("latin-1")),
            (Expect("MLF101", 3, 25, "'./données'"),), exact=False),
    FileRow("utf8-bom", "bom.py", _bytes(b"\xef\xbb\xbf" + KNOWN_BAD.encode()), (Expect(*KNOWN_FINDING),), exact=False),
    FileRow("bom-and-cookie", "bom_cookie.py", _bytes(b"\xef\xbb\xbf# coding: utf-8\n" + KNOWN_BAD.encode()),
            (Expect("MLF101", 3, 25),), exact=False),
    FileRow("crlf", "crlf.py", _bytes(b"import mlflow\r\n\r\n" + TRACKING.encode() + b"\r\n"),
            (Expect("MLF101", 3, 25),), exact=False),
    FileRow("mixed-line-endings", "mixed_endings.py",
            _bytes(b"import mlflow\r\nx = 1\ny = 2\r\n\n" + TRACKING.encode() + b"\r\n"),
            (Expect("MLF101", 5, 25),), exact=False),
    FileRow("cr-only-line-endings", "cr_endings.py", _bytes(b"import mlflow\rx = 1\r" + TRACKING.encode() + b"\r"),
            (Expect("MLF101", 3, 25),), exact=False),
    FileRow("tabs", "tabs.py", _text(f"import mlflow\nif True:\n\t{TRACKING}\n"), (Expect("MLF101", 3, 26),), exact=False),
    FileRow("tabs-and-spaces", "tab_error.py", _text(f"import mlflow\nif True:\n\tx = 1\n        {TRACKING}\n"),
            (Expect("MLF000", 4, None, "inconsistent use of tabs"),)),
    FileRow("long-line-50k", "long_line.py", _text(f"import mlflow\nx = '{'a' * 50_000}'; {TRACKING}\n"),
            (Expect("MLF101", 2, 50_000 + 33),), exact=False),
    FileRow("ten-megabytes", "generated_10mb.py", _ten_megabytes,
            (Expect("MLF000", 1, 1, "too large to analyse (10.0 MB; the limit is 2 MB)"),)),
    # Too large, and never a word of MLflow (a vendored operator manifest): no rule could
    # fire in it, so it is not a file that was left unchecked.
    FileRow("ten-megabytes-without-mlflow", "operator.yaml", _bytes(b"kind: ConfigMap\ndata:\n" + b"  key: value\n" * 900_000),
            ()),
    # The word past the first chunk read is still found.
    FileRow("ten-megabytes-mlflow-at-the-end", "operator_end.yaml",
            _bytes(b"kind: ConfigMap\ndata:\n" + b"  key: value\n" * 900_000 + b"  tracking: mlflow\n"),
            (Expect("MLF000", 1, 1, "too large to analyse"),)),
    FileRow("nested-calls-1k", "nested_calls_1k.py", _text("import mlflow\n" + "mlflow.x(" * 1000 + ")" * 1000 + "\n"),
            (Expect("MLF000", 2, None, "nested"),)),
    FileRow("nested-calls-100k", "nested_calls_100k.py", _text("import mlflow\n" + "mlflow.x(" * 100_000 + ")" * 100_000 + "\n"),
            (Expect("MLF000", 2, None, "nested"),)),
    FileRow("nested-lists-1k", "nested_lists_1k.py", _text("import mlflow\nx = " + "[" * 1000 + "]" * 1000 + "\n"),
            (Expect("MLF000", 2, None, "nested"),)),
    FileRow("binop-chain-10k", "binop_10k.py", _text("import mlflow\nx = " + " + ".join(["mlflow.a"] * 10_000) + "\n"),
            (Expect("MLF000", 1, 1, "nesting too deep"),)),
    FileRow("unary-chain-100k", "unary_100k.py", _text("import mlflow\nx = " + "-" * 100_000 + "1\n"),
            (Expect("MLF000", 1, 1, "nesting too deep"),)),
    FileRow("attribute-chain-10k", "attributes_10k.py", _text("import mlflow\nx = mlflow" + ".a" * 10_000 + "\n"),
            (Expect("MLF000", 1, 1, "nesting too deep"),)),
    # Deep, but within what Python itself accepts: analysed, findings and all.
    FileRow("binop-chain-1k", "binop_1k.py",
            _text("import mlflow\nx = " + " + ".join(["mlflow.a"] * 1000) + f"\n{TRACKING}\n"),
            (Expect("MLF101", 3, 25),), exact=False),
    FileRow("nested-ifs-99", "nested_ifs.py",
            _text("import mlflow\n" + "".join(" " * i + "if x:\n" for i in range(99)) + " " * 99 + TRACKING + "\n"),
            (Expect("MLF101", 101, 124),), exact=False),
    FileRow("nested-parentheses-190", "nested_parens.py",
            _text("import mlflow\n" + "mlflow.set_tracking_uri(" * 190 + "'./mlruns'" + ")" * 190 + "\n"),
            (Expect("MLF101", 2, 190 * 24 + 1),), exact=False),
    FileRow("binary-blob-with-nul", "blob_nul.py", lambda: _blob(True), (Expect("MLF000", 1, 1, "NUL bytes"),)),
    FileRow("binary-blob-no-nul", "blob.py", lambda: _blob(False), (Expect("MLF000", None, None, "cannot decode file as utf-8: invalid byte"),)),
    FileRow("empty-file", "empty.py", _bytes(b"")),
    FileRow("only-a-bom", "only_bom.py", _bytes(b"\xef\xbb\xbf")),
    FileRow("notebook-invalid-json", "broken.ipynb", _bytes(b'{"cells": [mlflow'),
            (Expect("MLF000", 1, 12, "invalid JSON at line 1, column 12"),)),
    FileRow("notebook-truncated", "truncated.ipynb",
            _bytes(b'{\n "cells": [\n  {"cell_type": "code", "source": ["import mlflow\\n"'),
            (Expect("MLF000", 3, None, "invalid JSON at line 3"),)),
    FileRow("notebook-not-utf8", "latin1.ipynb", _bytes(b'{"cells": [], "metadata": {"x": "mlflow caf\xe9"}}'),
            (Expect("MLF000", 1, 1, "not UTF-8"),)),
    FileRow("notebook-top-level-list", "list.ipynb", _notebook(["mlflow", 1]), (Expect("MLF000", 1, 1, "no list of cells"),)),
    FileRow("notebook-cells-not-a-list", "cells_map.ipynb", _notebook({"cells": {"0": "import mlflow"}}),
            (Expect("MLF000", 1, 1, "no list of cells"),)),
    # Wrong shapes inside: metadata a string, cells that are not objects, sources that are
    # not text. What can be read is still analysed.
    FileRow("notebook-wrong-shapes", "shapes.ipynb",
            _notebook({
                "metadata": "mlflow",
                "cells": [
                    1, None, {"cell_type": "code", "source": 5}, {"cell_type": "code"},
                    {"cell_type": "code", "source": ["import mlflow\n", 3, TRACKING + "\n"]},
                ],
            }),
            (Expect("MLF101", 2, 25, cell=4),), exact=False),
    FileRow("notebook-wrong-kernelspec", "kernelspec.ipynb",
            _notebook({
                "metadata": {"kernelspec": ["python"], "language_info": "python"},
                "cells": [{"cell_type": "code", "source": KNOWN_BAD}],
            }),
            (Expect("MLF101", 2, 25, cell=0),), exact=False),
    FileRow("notebook-nested-100k", "nested.ipynb",
            _bytes(b'{"metadata": "mlflow", "cells": [' + b"[" * 100_000 + b"]" * 100_000 + b"]}"),
            (Expect("MLF000", 1, 1, "nesting too deep"),)),
    # Billion laughs: nine levels of nine aliases. Read as a graph, never expanded.
    FileRow("yaml-bomb", "docker-compose.yml",
            _text("x: &x {MLFLOW_TRACKING_URI: ./mlruns}\n"
                  + "".join(f"l{i}: &l{i} [" + ", ".join([f"*{'x' if i == 0 else f'l{i - 1}'}"] * 9) + "]\n" for i in range(9))
                  + "services:\n  web:\n    environment: *l8\n    command: *l8\n"),
            (Expect("MLF101", 1, 29),), exact=False),
    FileRow("yaml-nested-3k", "nested.yaml", _text("mlflow: " + "[" * 3000 + "]" * 3000 + "\n")),
    FileRow("yaml-mappings-nested-3k", "values.yaml", _text("env: " + "{MLFLOW_X: " * 3000 + "1" + "}" * 3000 + "\n")),
    FileRow("dockerfile-exec-form-nested", "Dockerfile", _text('FROM python\nCMD ["mlflow", ' + "[" * 10_000 + "]" * 10_000 + "]\n")),
    FileRow("env-file-nested-substitutions", ".env", _text("MLFLOW_TRACKING_URI=" + "$(" * 10_000 + "x" + ")" * 10_000 + "\n")),
    # An explicit None default is no default, also spelled as a keyword or behind ``or None``.
    FileRow("tag-env-none-default", "tag_none_default.py",
            _text('import os\nimport mlflow\nmlflow.set_tag("c", os.environ.get("C", None))\n'
                  'mlflow.set_tag("d", os.getenv("D", default=None) or None)\n'),
            (Expect("MLF502", 3, 21, "os.environ.get('C', None)"), Expect("MLF502", 4, 21, "os.getenv('D', default=None)"))),
]  # fmt: skip


def _write_project(root: Path, rows: list[FileRow]) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "pyproject.toml").write_text(PYPROJECT)
    (root / KNOWN_NAME).write_text(KNOWN_BAD)
    for row in rows:
        path = root / row.name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(row.content())
    return root


def _assert_row(row: FileRow, findings: list[dict[str, Any]]) -> None:
    """``findings``: the JSON findings of the row's file."""
    for wanted in row.expect:
        matching = [
            f
            for f in findings
            if f["rule"] == wanted.rule
            and (wanted.line is None or f["line"] == wanted.line)
            and (wanted.column is None or f["column"] == wanted.column)
            and wanted.text in f["message"]
            and f.get("cell") == wanted.cell
        ]
        assert matching, f"{row.id}: expected {wanted}, got {findings}"
    if row.exact:
        assert len(findings) == len(row.expect), f"{row.id}: {findings}"
    else:
        assert not [f for f in findings if f["rule"] == "MLF000"], f"{row.id}: {findings}"
    for finding in findings:
        assert "internal error" not in finding["message"], f"{row.id}: {finding}"
        assert finding["line"] >= 1 and finding["column"] >= 1


def _as_dict(finding: Finding) -> dict[str, Any]:
    return {"rule": finding.rule, "line": finding.line, "column": finding.column, "message": finding.message, "cell": finding.cell}


def _lint(root: Path, *paths: Path) -> LintResult:
    return lint_paths(list(paths) or [root], Config(root=root), all_rules(), jobs=1, cwd=root)


def _of(result: LintResult, shown: str) -> list[dict[str, Any]]:
    return [_as_dict(f) for f in result.findings if f.path == shown]


def _assert_known_finding(findings: list[dict[str, Any]]) -> None:
    rule, line, column = KNOWN_FINDING
    assert [(f["rule"], f["line"], f["column"]) for f in findings] == [(rule, line, column)], findings


@pytest.mark.parametrize("row", FILE_ROWS, ids=[row.id for row in FILE_ROWS])
def test_file_row_through_the_engine(row: FileRow, tmp_path: Path) -> None:
    """The row's file alone beside the known-bad file: its outcome, and the other file's."""
    root = _write_project(tmp_path / "project", [row])
    result = _lint(root)
    _assert_row(row, _of(result, row.name))
    _assert_known_finding(_of(result, KNOWN_NAME))
    assert result.files_checked == 2


# ---------------------------------------------------------------------------- every file row, one CLI run
@pytest.fixture(scope="module")
def hostile_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _write_project(tmp_path_factory.mktemp("hostile") / "project", FILE_ROWS)


def _no_traceback(result: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in result.stderr, result.stderr
    assert "Traceback" not in result.stdout
    assert "internal error" not in result.stderr, result.stderr


def _run_console_script(root: Path, timeout: float, *args: str) -> subprocess.CompletedProcess[str]:
    """The installed mlflow-lint on ``root``, failing the test if it outlives ``timeout``
    seconds or prints a traceback."""
    from .conftest import console_script

    _warm_up()
    try:
        result = subprocess.run(
            [console_script(), *args], cwd=root, env={**os.environ, "NO_COLOR": "1", **_BYTECODE},
            capture_output=True, text=True, timeout=timeout,
        )  # fmt: skip
    except subprocess.TimeoutExpired:
        pytest.fail(f"mlflow-lint {' '.join(args)} did not finish within {timeout:g} s")
    _no_traceback(result)
    return result


@pytest.fixture(scope="module")
def cli_reports(hostile_project: Path) -> dict[str, subprocess.CompletedProcess[str]]:
    """The installed console script over all rows at once (enough files for the process
    pool), as JSON and as SARIF, run side by side: one without the result cache, one with
    it (cold: the cache is keyed by the working directory)."""
    runs = {"json": ("--format", "json", "--no-cache"), "sarif": ("--format", "sarif")}
    with ThreadPoolExecutor(len(runs)) as pool:
        done = pool.map(lambda args: _cli("check", ".", *args, cwd=hostile_project), runs.values())
        return dict(zip(runs, done, strict=True))


@pytest.mark.integration
def test_cli_json_report_holds_every_row(cli_reports: dict[str, subprocess.CompletedProcess[str]]) -> None:
    result = cli_reports["json"]
    _no_traceback(result)
    assert result.returncode == 1, result.stderr
    document = json.loads(result.stdout)
    assert set(document) == {"version", "findings", "summary"}
    assert document["summary"]["files_checked"] == len(FILE_ROWS) + 1
    by_path: dict[str, list[dict[str, Any]]] = {}
    for finding in document["findings"]:
        by_path.setdefault(finding["path"], []).append(finding)
    _assert_known_finding(by_path.get(KNOWN_NAME, []))
    for row in FILE_ROWS:
        _assert_row(row, by_path.get(row.name, []))


@pytest.mark.integration
def test_cli_sarif_report_is_valid(cli_reports: dict[str, subprocess.CompletedProcess[str]]) -> None:
    result = cli_reports["sarif"]
    _no_traceback(result)
    assert result.returncode == 1, result.stderr
    document = json.loads(result.stdout)
    assert schema_errors(document) == []
    results = document["runs"][0]["results"]
    located = {(r["ruleId"], r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]) for r in results}
    assert ("MLF101", KNOWN_NAME) in located
    assert ("MLF000", "generated_10mb.py") in located and ("MLF000", "nested.ipynb") in located


def test_ten_megabytes_do_not_hang(tmp_path: Path) -> None:
    """Skipped by size, not parsed: well under a second even alone (the limit is 2 MB)."""
    import time

    root = _write_project(tmp_path / "project", [row for row in FILE_ROWS if row.id == "ten-megabytes"])
    started = time.monotonic()
    result = _lint(root)
    assert time.monotonic() - started < 3
    assert [f.rule for f in result.findings] == ["MLF000", "MLF101"]


# ---------------------------------------------------------------------------- exit 2: configuration, codes, paths
def _deep_toml() -> str:
    return "[tool.mlflow-lint]\nselect = " + "[" * 100_000 + "]" * 100_000 + "\n"


def _yaml_bomb_config() -> str:
    aliases = "".join(f"k{i}: &k{i} [" + ", ".join([f"*{'x' if i == 0 else f'k{i - 1}'}"] * 9) + "]\n" for i in range(9))
    return "x: &x MLF6\n" + aliases + "select: *k8\n"


@dataclass(frozen=True)
class Exit2Row:
    id: str
    files: dict[str, str | bytes]
    args: tuple[str, ...]  # after ``check``
    needles: tuple[str, ...]  # all of them in standard error


EXIT_2_ROWS = [
    Exit2Row("pyproject-unclosed-array", {"pyproject.toml": '[tool.mlflow-lint]\nselect = ["MLF6"\nignore = []\n'}, (".",),
             ("pyproject.toml", "invalid TOML", "line 3")),
    Exit2Row("pyproject-table-twice", {"pyproject.toml": '[tool.mlflow-lint]\nselect = ["MLF6"]\n[tool.mlflow-lint]\n'}, (".",),
             ("pyproject.toml", "invalid TOML", "line 3")),
    Exit2Row("pyproject-not-utf8", {"pyproject.toml": b'[tool.mlflow-lint]\nselect = ["MLF6"]\nx = "caf\xe9"\n'}, (".",),
             ("pyproject.toml", "not valid UTF-8 at line 3")),
    Exit2Row("pyproject-nested-100k", {"pyproject.toml": _deep_toml()}, (".",), ("pyproject.toml", "nested too deep")),
    Exit2Row("pyproject-table-is-a-number", {"pyproject.toml": "[tool]\nmlflow-lint = 3\n"}, (".",),
             ("pyproject.toml", "must be a table")),
    Exit2Row("pyproject-inline-table", {"pyproject.toml": '[tool]\nmlflow-lint = { select = ["MLF999"] }\n'}, (".",),
             ("pyproject.toml", "MLF999")),
    Exit2Row("pyproject-unknown-key", {"pyproject.toml": '[tool.mlflow-lint]\nselct = ["MLF6"]\n'}, (".",),
             ("pyproject.toml", "unknown configuration key", "selct")),
    Exit2Row("pyproject-unknown-rule", {"pyproject.toml": '[tool.mlflow-lint]\nselect = ["MLF999"]\n'}, (".",),
             ("pyproject.toml", "'select'", "MLF999")),
    Exit2Row("pyproject-wrong-type", {"pyproject.toml": "[tool.mlflow-lint]\nignore = 6\n"}, (".",),
             ("pyproject.toml", "'ignore'", "list of strings")),
    Exit2Row("yaml-unclosed-list", {".mlflow-lint.yaml": "select: [MLF6\nignore: x\n"}, (".",),
             (".mlflow-lint.yaml", "invalid YAML at line 2")),
    Exit2Row("yaml-bad-indentation", {".mlflow-lint.yaml": "select:\n  - MLF6\n bad: 1\n"}, (".",),
             (".mlflow-lint.yaml", "invalid YAML at line 3")),
    Exit2Row("yaml-duplicate-key", {".mlflow-lint.yaml": "select: [MLF6]\nignore: []\nselect: [MLF1]\n"}, (".",),
             (".mlflow-lint.yaml", "line 3", "duplicate key 'select'", "first given at line 1")),
    Exit2Row("yaml-not-utf8", {".mlflow-lint.yaml": b"select: [MLF6]\n# caf\xe9\n"}, (".",),
             (".mlflow-lint.yaml", "not valid UTF-8 at line 2")),
    Exit2Row("yaml-python-tag", {".mlflow-lint.yaml": 'select: !!python/object/apply:os.system ["true"]\n'}, (".",),
             (".mlflow-lint.yaml", "invalid YAML at line 1")),
    Exit2Row("yaml-nested-5k", {".mlflow-lint.yaml": "select: " + "[" * 5000 + "]" * 5000 + "\n"}, (".",),
             (".mlflow-lint.yaml", "nested too deep")),
    Exit2Row("yaml-bomb", {".mlflow-lint.yaml": _yaml_bomb_config()}, (".",), (".mlflow-lint.yaml", "unknown configuration key")),
    Exit2Row("yaml-not-a-mapping", {".mlflow-lint.yaml": "- select\n- MLF6\n"}, (".",), (".mlflow-lint.yaml", "mapping")),
    Exit2Row("yaml-unknown-key", {".mlflow-lint.yaml": "select: [MLF6]\nbogus-key: 1\n"}, (".",),
             (".mlflow-lint.yaml", "unknown configuration key", "bogus-key")),
    Exit2Row("yaml-unknown-rule-per-file", {".mlflow-lint.yaml": 'per-file-ignores:\n  "tests/**": [MLF998]\n'}, (".",),
             (".mlflow-lint.yaml", "per-file-ignores", "MLF998")),
    Exit2Row("yaml-not-a-code", {".mlflow-lint.yaml": "ignore: [E501]\n"}, (".",), (".mlflow-lint.yaml", "'ignore'", "E501")),
    Exit2Row("select-unknown-code", {}, ("--select", "MLF9999", "."), ("--select", "MLF9999")),
    Exit2Row("select-unknown-prefix", {}, ("--select", "MLF99", "."), ("--select", "MLF99")),
    Exit2Row("ignore-not-a-code", {}, ("--ignore", "MLF6,nonsense", "."), ("--ignore", "nonsense")),
    Exit2Row("extend-select-unknown", {}, ("--extend-select", "MLF0001", "."), ("--extend-select", "MLF0001")),
    Exit2Row("path-does-not-exist", {}, ("does-not-exist.py",), ("does-not-exist.py",)),
    Exit2Row("one-of-two-paths-missing", {}, (KNOWN_NAME, "gone/"), ("gone/",)),
    Exit2Row("explicit-config-broken", {"lint.yaml": "select: [MLF6\n"}, ("--config", "lint.yaml", "."),
             ("lint.yaml", "invalid YAML at line 2")),
    Exit2Row("config-does-not-exist", {}, ("--config", "nope.toml", "."), ("nope.toml",)),
    Exit2Row("baseline-nested-100k", {"baseline.json": "[" * 100_000 + "]" * 100_000}, ("--baseline", "baseline.json", "."),
             ("baseline.json", "nested too deep")),
]  # fmt: skip


@pytest.fixture(scope="module")
def exit_2_runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, subprocess.CompletedProcess[str]]:
    """Every row through the console script, started side by side (each is ~0.5 s alone)."""
    base = tmp_path_factory.mktemp("exit2")

    def run(row: Exit2Row) -> subprocess.CompletedProcess[str]:
        root = base / row.id
        root.mkdir()
        (root / KNOWN_NAME).write_text(KNOWN_BAD)
        for name, content in row.files.items():
            if isinstance(content, bytes):
                (root / name).write_bytes(content)
            else:
                (root / name).write_text(content, encoding="utf-8")
        return _cli("check", *row.args, cwd=root)

    with ThreadPoolExecutor(4) as pool:
        return dict(zip((row.id for row in EXIT_2_ROWS), pool.map(run, EXIT_2_ROWS), strict=True))


@pytest.mark.integration
@pytest.mark.parametrize("row", EXIT_2_ROWS, ids=[row.id for row in EXIT_2_ROWS])
def test_exit_2_names_the_problem(row: Exit2Row, exit_2_runs: dict[str, subprocess.CompletedProcess[str]]) -> None:
    result = exit_2_runs[row.id]
    _no_traceback(result)
    assert result.returncode == 2, (result.returncode, result.stdout, result.stderr)
    for needle in row.needles:
        assert needle in result.stderr, (needle, result.stderr)
    assert result.stdout == ""  # no report: the run did not happen


# ---------------------------------------------------------------------------- ignore patterns
# Compiled naively into a backtracking regex (pathspec did), this pattern takes minutes
# against the 33-character names below: every way of placing 20 "a"s before a "b" is tried.
EXPONENTIAL_PATTERN = "*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b"
LONG_NAME = "a" * 33


@dataclass(frozen=True)
class IgnoreRow:
    id: str
    files: dict[str, str]  # beside known_bad.py and the files with long names
    linted: tuple[str, ...]  # the files that must still be reported (the pattern ignores none of them)
    stderr: str = ""  # with --verbose


IGNORE_ROWS = [
    IgnoreRow("gitignore-exponential-pattern", {".gitignore": EXPONENTIAL_PATTERN + "\n"},
              (KNOWN_NAME, f"{LONG_NAME}.py", f"{LONG_NAME}/{LONG_NAME}.py")),
    IgnoreRow("exclude-exponential-pattern", {".mlflow-lint.yaml": f'exclude: ["{EXPONENTIAL_PATTERN}"]\n'},
              (KNOWN_NAME, f"{LONG_NAME}.py", f"{LONG_NAME}/{LONG_NAME}.py")),
    IgnoreRow("per-file-ignores-exponential-pattern",
              {".mlflow-lint.yaml": f'per-file-ignores:\n  "{EXPONENTIAL_PATTERN}": [MLF101]\n'},
              (KNOWN_NAME, f"{LONG_NAME}.py", f"{LONG_NAME}/{LONG_NAME}.py")),
    # Lines git accepts that pathspec raised on (a reversed range, a trailing backslash,
    # "**\/"), and an unclosed bracket, which matches nothing.
    IgnoreRow("gitignore-lines-a-regex-translation-rejects", {".gitignore": "[z-a]\nodd\\\n**\\/x\n[unclosed\n"},
              (KNOWN_NAME, f"{LONG_NAME}.py", f"{LONG_NAME}/{LONG_NAME}.py")),
    # Past the limits nothing more is read or compiled; the run says so (--verbose).
    IgnoreRow("gitignore-million-lines",
              {".gitignore": "ignored_dir/\n" + "".join(f"generated_{i}/**/*.py[cod]\n" for i in range(1_000_000)),
               "ignored_dir/x.py": KNOWN_BAD},
              (KNOWN_NAME, f"{LONG_NAME}.py", f"{LONG_NAME}/{LONG_NAME}.py"),
              f"skipped .gitignore: not honoured past {MAX_PATTERNS:,} patterns"),
]  # fmt: skip


@pytest.mark.integration
@pytest.mark.parametrize("row", IGNORE_ROWS, ids=[row.id for row in IGNORE_ROWS])
def test_hostile_ignore_patterns_do_not_hang(row: IgnoreRow, tmp_path: Path) -> None:
    root = _write_project(tmp_path / "project", [])
    (root / ".git").mkdir()
    for name, content in {f"{LONG_NAME}.py": KNOWN_BAD, f"{LONG_NAME}/{LONG_NAME}.py": KNOWN_BAD, **row.files}.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(content)
    result = _run_console_script(root, 20, "check", "--format", "json", "--no-cache", "--verbose", ".")
    assert result.returncode == 1, result.stderr
    reported = {f["path"] for f in json.loads(result.stdout)["findings"] if f["rule"] == "MLF101"}
    assert reported == set(row.linted), reported
    assert row.stderr in result.stderr, result.stderr


# ---------------------------------------------------------------------------- the file system
@pytest.mark.integration
def test_directory_symlink_loops_and_file_symlink_loops(tmp_path: Path) -> None:
    root = _write_project(tmp_path / "project", [])
    (root / "pkg" / "sub").mkdir(parents=True)
    (root / "pkg" / "sub" / "up").symlink_to("../..", target_is_directory=True)  # back to the project
    (root / "pkg" / "self").symlink_to(".", target_is_directory=True)
    (root / "a").mkdir()
    (root / "b").mkdir()
    (root / "a" / "to_b").symlink_to("../b", target_is_directory=True)
    (root / "b" / "to_a").symlink_to("../a", target_is_directory=True)
    (root / "a" / "inner.py").write_text(KNOWN_BAD)
    (root / "x.py").symlink_to("y.py")  # file symlinks that resolve to each other
    (root / "y.py").symlink_to("x.py")
    (root / "self.py").symlink_to("self.py")
    result = _cli("check", ".", "--format", "json", cwd=root)
    _no_traceback(result)
    assert result.returncode == 1
    findings = json.loads(result.stdout)["findings"]
    # Each real file once: no path through a loop is linted a second time.
    assert [(f["path"], f["rule"]) for f in findings if f["rule"] == "MLF101"] == [("a/inner.py", "MLF101"), (KNOWN_NAME, "MLF101")]
    # A looping link is never analysed; if it is reported at all, it is as unreadable.
    for finding in findings:
        if finding["path"] in ("x.py", "y.py", "self.py"):
            assert finding["rule"] == "MLF000" and "cannot read" in finding["message"], finding
    # Named on the command line, a loop is a path that does not exist: exit 2.
    named = _cli("check", "x.py", cwd=root)
    _no_traceback(named)
    assert named.returncode == 2 and "x.py" in named.stderr


def test_dangling_symlink_among_good_files(tmp_path: Path) -> None:
    root = _write_project(tmp_path / "project", [])
    (root / "gone.py").symlink_to("nowhere.py")
    result = _lint(root)
    _assert_known_finding(_of(result, KNOWN_NAME))
    # Not analysed; either passed over or reported as unreadable (MLF000), never a crash.
    for finding in _of(result, "gone.py"):
        assert finding["rule"] == "MLF000" and "cannot read file" in finding["message"]


def test_file_deleted_between_discovery_and_reading(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = _write_project(tmp_path / "project", [])
    (root / "vanishing.py").write_text(KNOWN_BAD)
    real_discover = engine.run.discover

    def discover_then_delete(*args: Any, **kwargs: Any) -> Any:
        found = real_discover(*args, **kwargs)
        (root / "vanishing.py").unlink()
        return found

    monkeypatch.setattr(engine.run, "discover", discover_then_delete)
    result = _lint(root)
    assert [(f["rule"], f["line"]) for f in _of(result, "vanishing.py")] == [("MLF000", 1)]
    assert "cannot read file: No such file or directory" in _of(result, "vanishing.py")[0]["message"]
    _assert_known_finding(_of(result, KNOWN_NAME))


def test_file_that_cannot_be_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Simulated, since root reads a ``chmod 000`` file anyway; the real one follows."""
    root = _write_project(tmp_path / "project", [])
    (root / "locked.py").write_text(KNOWN_BAD)
    import mlflow_lint.engine.tasks

    real_read = mlflow_lint.engine.tasks.read_bounded

    def read_bounded(path: Path, limit: int) -> tuple[bytes, int]:
        if path.name == "locked.py":
            raise PermissionError(13, "Permission denied", str(path))
        return real_read(path, limit)

    monkeypatch.setattr(mlflow_lint.engine.tasks, "read_bounded", read_bounded)
    result = _lint(root)
    locked = _of(result, "locked.py")
    assert [f["rule"] for f in locked] == ["MLF000"] and "cannot read file: Permission denied" in locked[0]["message"]
    _assert_known_finding(_of(result, KNOWN_NAME))


@pytest.mark.integration
@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root reads a chmod 000 file anyway")
def test_chmod_000_file_through_the_cli(tmp_path: Path) -> None:
    root = _write_project(tmp_path / "project", [])
    locked = root / "locked.py"
    locked.write_text(KNOWN_BAD)
    locked.chmod(0)
    try:
        result = _cli("check", ".", "--format", "json", cwd=root)
    finally:
        locked.chmod(0o644)
    _no_traceback(result)
    assert result.returncode == 1
    findings = json.loads(result.stdout)["findings"]
    assert {(f["path"], f["rule"]) for f in findings} == {("locked.py", "MLF000"), (KNOWN_NAME, "MLF101")}


@contextlib.contextmanager
def _read_only(directory: Path) -> Iterator[bool]:
    """Make ``directory`` read-only for the duration; yields whether that worked.

    File modes do not bind root, so as root the directory is made immutable (``chattr +i``)
    where the file system allows it."""
    undo: list[str] = []
    if os.geteuid() != 0:
        directory.chmod(0o555)
        undo = ["chmod"]
    else:
        try:
            if subprocess.run(["chattr", "+i", str(directory)], capture_output=True, check=False).returncode == 0:
                undo = ["chattr"]
        except OSError:
            pass
    try:
        yield bool(undo) and not _writable(directory)
    finally:
        if undo == ["chmod"]:
            directory.chmod(0o755)
        elif undo == ["chattr"]:
            subprocess.run(["chattr", "-i", str(directory)], capture_output=True, check=True)


def _writable(directory: Path) -> bool:
    probe = directory / ".probe"
    try:
        probe.write_text("")
    except OSError:
        return False
    probe.unlink()
    return True


@pytest.mark.integration
def test_read_only_working_directory(tmp_path: Path) -> None:
    """The result cache (by default beside the configuration, here the working directory)
    cannot be written: it is turned off with a note on standard error, and the run succeeds."""
    root = _write_project(tmp_path / "project", [])
    with _read_only(root) as read_only:
        result = _cli("check", ".", "--format", "json", cwd=root, env={"MLFLOW_LINT_CACHE_DIR": ""})
    _no_traceback(result)
    assert result.returncode == 1, result.stderr
    _assert_known_finding([f for f in json.loads(result.stdout)["findings"] if f["path"] == KNOWN_NAME])
    if not read_only:
        pytest.skip("cannot make a directory read-only here (root without chattr); test_cache covers an unwritable cache directory")
    assert "mlflow-lint: note: result cache disabled: cannot create" in result.stderr, result.stderr


# ---------------------------------------------------------------------------- internal errors
CRASHING = KNOWN_BAD + 'model = mlflow.pyfunc.load_model("runs:/0a1b2c/model")\n'  # MLF101 on line 2, MLF601 on line 3


def test_internal_error_in_one_check_on_one_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The check's bug is an MLF000 naming it, for that file only; the file's other checks
    and the other files still report."""
    root = _write_project(tmp_path / "project", [])
    (root / "crash.py").write_text(CRASHING)
    real_visit = LocalTrackingUri.visit_call

    def visit(self: LocalTrackingUri, node: Any, ctx: Any) -> None:
        if ctx.display_path == "crash.py":
            raise ValueError("boom")
        real_visit(self, node, ctx)

    monkeypatch.setattr(LocalTrackingUri, "visit_call", visit)
    result = _lint(root)
    crash = _of(result, "crash.py")
    assert [(f["rule"], f["line"]) for f in crash] == [("MLF000", 1), ("MLF601", 3)], crash
    assert "internal error in the MLF101 check (ValueError: boom); please report it" in crash[0]["message"]
    _assert_known_finding(_of(result, KNOWN_NAME))


@pytest.mark.parametrize(
    ("error", "text"),
    [
        (RuntimeError("kaput"), "internal error while analysing the file (RuntimeError: kaput); please report it"),
        (RecursionError("maximum recursion depth exceeded"), "nesting too deep to analyse"),
    ],
    ids=["exception", "recursion"],
)
def test_internal_error_outside_the_checks(error: Exception, text: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A failure in the shared analysis (not in one check) loses that file, not the run."""
    root = _write_project(tmp_path / "project", [])
    (root / "crash.py").write_text(CRASHING)
    real_module = engine.documents.AnalysedModule

    def analysed_module(path: Path, *args: Any) -> Any:
        if path.name == "crash.py":
            raise error
        return real_module(path, *args)

    monkeypatch.setattr(engine.documents, "AnalysedModule", analysed_module)
    result = _lint(root)
    crash = _of(result, "crash.py")
    assert [(f["rule"], f["line"], f["column"]) for f in crash] == [("MLF000", 1, 1)], crash
    assert text in crash[0]["message"]
    _assert_known_finding(_of(result, KNOWN_NAME))


def test_a_large_file_is_reported_from_its_size_without_being_read_whole(tmp_path: Path) -> None:
    root = _write_project(tmp_path / "project", [])
    big = root / "generated.py"
    big.write_bytes(b"import mlflow\n" + b"x = 1\n" * 1_000_000)  # 6 MB
    locked = _of(_lint(root), "generated.py")
    assert [f["rule"] for f in locked] == ["MLF000"] and "(6.0 MB; the limit is 2 MB)" in locked[0]["message"]


# ---------------------------------------------------------------------------- --fix on hostile input
TAG_FROM_ENV = 'import os\nimport mlflow\nmlflow.set_tag("c", os.environ.get("C"))\n'


@pytest.mark.integration
def test_file_name_that_is_not_utf8_is_reported_and_fixed(tmp_path: Path) -> None:
    """Linux file names are bytes. Reports show such a name with escapes, SARIF names the
    very bytes in its URI, and ``--fix`` rewrites the file (not a file named with escapes)."""
    root = _write_project(tmp_path / "project", [])
    name = os.fsdecode(b"train_\xff.py")
    (root / name).write_text(TAG_FROM_ENV)
    report = _cli("check", ".", "--format", "json", cwd=root)
    _no_traceback(report)
    assert ("train_\\xff.py", "MLF502") in {(f["path"], f["rule"]) for f in json.loads(report.stdout)["findings"]}
    sarif = _cli("check", ".", "--format", "sarif", cwd=root)
    _no_traceback(sarif)
    document = json.loads(sarif.stdout)
    assert schema_errors(document) == []
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in document["runs"][0]["results"]}
    assert uris == {"train_%FF.py", KNOWN_NAME}
    fixed = _cli("check", "--unsafe-fixes", ".", cwd=root)
    _no_traceback(fixed)
    assert "Fixed 1 finding." in fixed.stdout, fixed.stdout + fixed.stderr
    assert (root / name).read_text() == TAG_FROM_ENV.replace('"C")', '"C", "unknown")')
    assert sorted(os.listdir(os.fsencode(root))) == sorted([b"train_\xff.py", KNOWN_NAME.encode(), b"pyproject.toml"])


@pytest.mark.integration
def test_fix_leaves_a_notebook_whose_cells_rebind_os(tmp_path: Path) -> None:
    """One cell binds ``os`` with ``except ... as os`` (which also unbinds it when the handler
    ends), another holds a secret: ``import os`` added to the secret's cell would change what
    ``os`` means for the cells after it, so the secret is left for a person to move."""
    root = _write_project(tmp_path / "project", [])
    cells = [
        "%pip install ujson\nimport os\nfrom mlflow.utils.rest_utils import MlflowHostCreds\n",
        "try:\n    import ujson as json\nexcept ImportError as os:\n    import json\n",
        'creds = MlflowHostCreds("https://mlflow.internal.example.com", "svc", "example-password-0000")\n',
    ]
    notebook = json.dumps({"cells": [{"cell_type": "code", "metadata": {}, "outputs": [], "source": c} for c in cells], "metadata": {}})
    (root / "explore.ipynb").write_text(notebook)
    for _ in range(2):
        result = _cli("check", "--unsafe-fixes", ".", "--format", "json", cwd=root)
        _no_traceback(result)
        assert result.returncode == 1
        assert ("explore.ipynb", "MLF701") in {(f["path"], f["rule"]) for f in json.loads(result.stdout)["findings"]}
        assert (root / "explore.ipynb").read_text() == notebook


# ---------------------------------------------------------------------------- quadratic analysis
# Inputs far below the 2 MB limit that made a step of the analysis quadratic (issue 19, item
# 11): a name bound and used N times, N tags set in one run, N runs or N promotions in one
# block, N functions that promote, N uses of a re-exported name, N attributes of a class, a
# notebook with many bad cells, an audit of N findings in one file. Each test counts the work
# of its step at sizes N and 2N (calls, comparisons, characters parsed; never time): linear
# work doubles, the old work quadrupled. They also pin the findings, which the fixes must not
# change. benchmarks/hostile.py times the big inputs through the console script.
def _python_calls(run: Callable[[], Any]) -> tuple[int, Any]:
    """Python function calls made by ``run()``, and what it returned."""
    import sys

    calls = 0

    def profile(frame: Any, event: str, arg: Any) -> None:
        nonlocal calls
        calls += event == "call"

    sys.setprofile(profile)
    try:
        result = run()
    finally:
        sys.setprofile(None)
    return calls, result


def _statement_comparisons(run: Callable[[], Any]) -> tuple[int, Any]:
    """Equality tests of expression statements made by ``run()`` (``list.index`` and ``in``
    over a block of statements make them; a dictionary of statements does not)."""
    import ast

    compared = 0

    def equal(self: ast.AST, other: object) -> bool:
        nonlocal compared
        compared += 1
        return self is other

    ast.Expr.__eq__ = equal  # type: ignore[method-assign, assignment]
    try:
        result = run()
    finally:
        del ast.Expr.__eq__
    return compared, result


def _tag_keys_built(run: Callable[[], Any], monkeypatch: pytest.MonkeyPatch) -> tuple[int, Any]:
    """Tag keys put into the key sets built by ``run()`` (folding N sets with ``|`` builds
    N sets of up to N keys)."""
    from mlflow_lint.analysis import effects

    built = 0

    class Counted(effects.TagKeys):  # type: ignore[misc]
        def __init__(self, keys: frozenset[str] = frozenset(), unknown: bool = False) -> None:
            nonlocal built
            built += len(keys)
            super().__init__(keys, unknown)

    with monkeypatch.context() as patch:
        patch.setattr(effects, "TagKeys", Counted)
        result = run()
    return built, result


def _characters_parsed(run: Callable[[], Any], monkeypatch: pytest.MonkeyPatch) -> tuple[int, Any]:
    import ast

    parsed = 0
    real_parse = ast.parse

    def parse(source: str, *args: Any, **kwargs: Any) -> Any:
        nonlocal parsed
        parsed += len(source)
        return real_parse(source, *args, **kwargs)

    with monkeypatch.context() as patch:
        patch.setattr(ast, "parse", parse)
        result = run()
    return parsed, result


def _lint_text(text: str, name: str = "train.py") -> list[tuple[str, int]]:
    """(rule, line) of every finding of one file, every rule on, no project around it."""
    from mlflow_lint.engine import lint_bytes
    from mlflow_lint.project import ProjectIndex

    findings = lint_bytes(text.encode(), name, all_rules(), path=Path("/nonexistent") / name, project=ProjectIndex(None))
    return [(f.rule, f.line) for f in findings]


def _scales_linearly(work: int, twice: int) -> bool:
    """Twice the input, at most 2.5 times the work (linear: 2; the quadratic steps: 4)."""
    return twice <= 2.5 * work + 1000


@dataclass(frozen=True)
class ScalingRow:
    id: str
    counter: str  # calls | comparisons | tag keys
    source: Callable[[int], str]
    findings: Callable[[int], list[tuple[str, int]]]  # the findings of source(n)


PROMOTION = "client.set_registered_model_alias('m', 'champion', '1')\n"
CLIENT = "from mlflow import MlflowClient\nclient = MlflowClient()\n"

SCALING_ROWS = [
    # A use picked its binding by scanning every binding of the name.
    ScalingRow("name-bound-and-used-n-times", "calls",
               lambda n: "".join(f"import mlflow\nmlflow.set_tag('k{i}', 'v')\n" for i in range(n)), lambda n: []),
    # The run's tag keys were folded with |, one new set per set_tag.
    ScalingRow("n-tags-in-one-run", "tag keys",
               lambda n: "import mlflow\nwith mlflow.start_run():\n" + "".join(f"    mlflow.set_tag('k{i}', 'v')\n" for i in range(n)),
               lambda n: []),
    # Each run found its statement with list.index and copied the rest of the block.
    ScalingRow("n-runs-started-and-ended-in-one-block", "comparisons",
               lambda n: "import mlflow\n" + "mlflow.start_run()\nmlflow.set_tag('k', 'v')\nmlflow.end_run()\n" * n, lambda n: []),
    # Runs with no end_run() in between: each one's statements are the next one's and more.
    ScalingRow("n-runs-left-open-in-one-block", "calls",
               lambda n: "import mlflow\n" + "mlflow.start_run()\nmlflow.register_model('runs:/0a1b/model', 'm')\n" * (n // 4),
               lambda n: [("MLF501", 2 + 2 * i) for i in range(n // 4)]),
    # Each hard-coded tracking URI asked for the project's primary one, reading every use (MLF102).
    ScalingRow("n-tracking-uris-in-one-file", "calls",
               lambda n: "import mlflow\n" + "".join(f"mlflow.set_tracking_uri('https://{'b' if i % 3 == 0 else 'a'}.example.com')\n" for i in range(n)),
               lambda n: [("MLF102", 2 + i) for i in range(n) if i % 3 == 0]),
    # Each promotion looked for a gate in every statement before it.
    ScalingRow("n-promotions-in-one-block", "comparisons", lambda n: CLIENT + PROMOTION * n,
               lambda n: [("MLF402", 3 + i) for i in range(n)]),
    ScalingRow("n-promotions-in-one-block-calls", "calls", lambda n: CLIENT + PROMOTION * n,
               lambda n: [("MLF402", 3 + i) for i in range(n)]),
    # Each promoting function scanned every call of the module for its callers.
    ScalingRow("n-functions-that-promote", "calls",
               lambda n: CLIENT + "".join(f"def promote_{i}(v):\n    client.set_registered_model_alias('m', 'champion', v)\n\n\npromote_{i}('1')\n" for i in range(n)),
               lambda n: [("MLF402", 4 + 5 * i) for i in range(n)]),
    # Each use of self.client read every ``self.client = ...`` of the class.
    ScalingRow("n-assignments-and-uses-of-one-attribute", "calls",
               lambda n: "import mlflow\nclass Trainer:\n" + "".join(f"    def step_{i}(self):\n        self.client = make_{i}()\n        self.client.transition_model_version_stage('m', {i}, 'Production')\n" for i in range(n)),
               # make_i() is unknown, but only an MLflow client has this method (a stage
               # transition to Production, unguarded: MLF402 too).
               lambda n: [(rule, 5 + 3 * i) for rule in ("MLF401", "MLF402") for i in range(n)]),
    # A field read through self.<attr> N times, the attribute assigned N + 1 times (N
    # placeholders, one object from a factory): the object is found once per class.
    ScalingRow("n-reads-of-a-factory-made-attribute", "calls",
               lambda n: "import mlflow\nclass Settings:\n    uri = './mlruns'\ndef get_settings():\n    return Settings()\nclass Trainer:\n"
               + "".join(f"    def reset_{i}(self):\n        self.settings = None\n" for i in range(n))
               + "    def __init__(self):\n        self.settings = get_settings()\n"
               + "".join(f"    def step_{i}(self):\n        mlflow.set_tracking_uri(self.settings.uri)\n" for i in range(n)),
               lambda n: [("MLF101", 10 + 2 * n + 2 * i) for i in range(n)]),
    # Each args.<option> read every add_argument call of the module.
    ScalingRow("n-command-line-options-each-read", "calls",
               lambda n: "import argparse\nimport mlflow\nparser = argparse.ArgumentParser()\n"
               + "".join(f"parser.add_argument('--uri-{i}', default='./mlruns-{i}')\n" for i in range(n))
               + "args = parser.parse_args()\n" + "".join(f"mlflow.set_tracking_uri(args.uri_{i})\n" for i in range(n)),
               lambda n: [("MLF101", 5 + n + i) for i in range(n)]),
]  # fmt: skip


@pytest.mark.parametrize("row", SCALING_ROWS, ids=[row.id for row in SCALING_ROWS])
def test_analysis_work_grows_linearly(row: ScalingRow, monkeypatch: pytest.MonkeyPatch) -> None:
    counters: dict[str, Callable[[Callable[[], Any]], tuple[int, Any]]] = {
        "calls": _python_calls,
        "comparisons": _statement_comparisons,
        "tag keys": lambda run: _tag_keys_built(run, monkeypatch),
    }
    count = counters[row.counter]
    _lint_text(row.source(8))  # imports and caches warmed outside the count
    work, findings = count(lambda: _lint_text(row.source(100)))
    twice, twice_findings = count(lambda: _lint_text(row.source(200)))
    assert sorted(findings) == row.findings(100)
    assert sorted(twice_findings) == row.findings(200)
    assert _scales_linearly(work, twice), f"{row.id}: {row.counter} {work} for N, {twice} for 2N"


def test_a_name_re_exported_n_times_costs_linear_work(tmp_path: Path) -> None:
    """``from helpers import mlflow`` where helpers.py binds ``mlflow`` N times: each use asked
    the project for the re-export, which read every binding of the name there."""

    def lint(n: int) -> list[tuple[str, int]]:
        root = tmp_path / str(n)
        _write_project(root, [])
        (root / "helpers.py").write_text("import mlflow\n" * n)
        (root / "train.py").write_text("from helpers import mlflow\n" + "mlflow.pyfunc.load_model('runs:/0a1b2c/model')\n" * n)
        result = lint_paths([root / "train.py"], Config(root=root), all_rules(), jobs=1, cwd=root)
        return [(f.rule, f.line) for f in result.findings]

    lint(8)
    work, findings = _python_calls(lambda: lint(300))
    twice, twice_findings = _python_calls(lambda: lint(600))
    assert findings == [("MLF601", 2 + i) for i in range(300)]
    assert twice_findings == [("MLF601", 2 + i) for i in range(600)]
    assert _scales_linearly(work, twice), (work, twice)


def _cells_parsed(text: str) -> tuple[list[str], list[int], list[str] | None]:
    """Each code cell's neutralised source, the positions of the cells reported, and each
    cell's source after parsing (None: no tree)."""
    from mlflow_lint.sources.notebook import parse_cells, read_ipynb, virtual_source

    virtual = virtual_source(read_ipynb(text.encode()))
    parsed = parse_cells(virtual, "nb.ipynb")

    def cells(source: str) -> list[str]:
        lines = source.split("\n")
        return ["\n".join(line for line, at in zip(lines, virtual.cell_numbers, strict=False) if at == position) for position in range(len(virtual.cells))]

    reported = [virtual.cell_of(error.line) for error in parsed.errors]
    assert None not in reported
    return cells(virtual.text), reported, cells(parsed.virtual.text) if parsed.tree is not None else None  # type: ignore[return-value]


def _notebook_of(cells: list[str]) -> str:
    return json.dumps({"cells": [{"cell_type": "code", "metadata": {}, "outputs": [], "source": c} for c in cells], "metadata": {}})


GOOD_CELLS = ["import mlflow\nmlflow.set_tracking_uri('./mlruns')", "x = 1\ny = x * 2", "def f(a):\n    return a + 1",
              "for i in range(3):\n    print(i)", "%pip install x", "result = f(\n    1,\n)", "s = '''doc\nstring'''",
              "if x:\n    y = 1\nelse:\n    y = 2", "try:\n    z = 1\nexcept Exception:\n    z = 2", "    indented = 1", ""]
BAD_CELLS = ["def broken(:\n    pass", "x = = 1", "print 'hello'", "foo(", "x = [1, 2", "s = 'unterminated", "if x\n    y = 1",
             "return 5", "1abc = 2", "y = )", "def f():\nreturn 1", "  x = 1\n y = 2", "else:\n    pass", "x = '''open", "f'{x'",
             "\tz = 1", ")))", "(((", "x = (", "1)", "elif y:", "@decorator", "case 1:"]  # fmt: skip


def test_notebook_with_bad_cells_is_parsed_in_linear_work(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every bad cell made the engine parse the whole notebook again: N bad cells × the notebook."""

    def notebook(n: int) -> str:
        return _notebook_of([("x = = 1" if i % 10 == 3 else "print 'hello'") if i % 10 in (3, 7) else GOOD_CELLS[0] for i in range(n)])

    work, findings = _characters_parsed(lambda: _lint_text(notebook(300), "nb.ipynb"), monkeypatch)
    twice, _ = _characters_parsed(lambda: _lint_text(notebook(600), "nb.ipynb"), monkeypatch)
    assert _scales_linearly(work, twice), (work, twice)
    assert sorted(rule for rule, _ in findings) == ["MLF000"] * 60 + ["MLF101"] * 240


def _starts_statement(source: str) -> bool:
    code = [line for line in source.split("\n") if line.strip() and not line.lstrip().startswith("#")]
    return not code or not (code[0][0].isspace() or code[0].split(":")[0].split()[0] in ("else", "elif", "except", "finally"))


def test_notebook_cells_that_do_not_parse_are_blanked_and_only_they() -> None:
    """Random notebooks, mostly good cells and then mostly bad ones (open brackets and
    strings, stray brackets, bad indentation). A cell that stands alone (it starts a
    statement, and so does the next cell) is blanked and reported exactly when it does not
    parse on its own, as IPython would run it; every other cell is left as it was or blanked
    and reported; what is left parses."""
    for seed in range(300):
        rng = random.Random(seed)
        rate = (0.05, 0.2, 0.6)[seed % 3]
        cells = ["\n".join(rng.choice(BAD_CELLS if rng.random() < rate else GOOD_CELLS) for _ in range(rng.randint(1, 2)))
                 for _ in range(rng.randint(3, 40))]  # fmt: skip
        before, reported, after = _cells_parsed(_notebook_of(cells))
        assert after is not None, f"seed {seed}: {cells}"
        assert len(reported) == len(set(reported)), f"seed {seed}: a cell reported twice"
        for position, (source, left) in enumerate(zip(before, after, strict=True)):
            blanked = position in reported
            assert left == (source if not blanked else "\n".join("" for _ in source.split("\n"))), f"seed {seed}, cell {position}"
            alone = _starts_statement(source) and (position + 1 == len(before) or _starts_statement(before[position + 1]))
            if alone and source.strip():
                try:
                    ast.parse(source + "\n")
                    parses = True
                except SyntaxError:
                    parses = False
                assert blanked != parses, f"seed {seed}, cell {position}: {source!r}"
        ast.parse("\n".join(after))


def test_notebook_whose_bad_cells_leave_brackets_open_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each ``def f(:`` leaves a bracket open, so that CPython, parsing the whole text, puts
    the next error wherever the rest of the notebook closes it: each bad cell is reported
    on its own, the work stays linear, and every other cell is analysed."""
    from mlflow_lint.engine import lint_bytes
    from mlflow_lint.project import ProjectIndex

    cells = [f"def broken_{i}(:\n    pass" if i % 10 == 7 else "import mlflow\nmlflow.pyfunc.load_model('runs:/0a1b2c/model')" for i in range(3000)]
    data = _notebook_of(cells).encode()
    path = Path("/nonexistent/nb.ipynb")
    work, findings = _characters_parsed(lambda: lint_bytes(data, "nb.ipynb", all_rules(), path=path, project=ProjectIndex(None)), monkeypatch)
    assert work <= 4 * sum(len(cell) + 1 for cell in cells), work
    bad = {i for i in range(3000) if i % 10 == 7}
    assert {f.cell for f in findings if f.rule == "MLF000"} == bad
    assert {f.cell for f in findings if f.rule == "MLF601"} == set(range(3000)) - bad


@pytest.mark.integration
def test_audit_of_many_findings_in_one_file_finishes(tmp_path: Path) -> None:
    """Each evidence row of a file filtered every finding of the file: a 20k-line .env took
    about two minutes to audit."""
    root = _write_project(tmp_path / "project", [])
    (root / ".env").write_text("".join(f"MLFLOW_TRACKING_URI=./mlruns{i}\n" for i in range(20_000)))
    result = _run_console_script(root, 60, "audit", "--format", "json", "--date", "2024-01-01", ".")
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    gaps = [gap for pillar in document["pillars"] for gap in pillar["gaps"]]
    assert sum(gap["rule"] == "MLF101" and gap["path"] == ".env" for gap in gaps) == 20_000
    rows = [row for pillar in document["pillars"] for rows in pillar["evidence"].values() for row in rows if row["path"] == ".env"]
    assert rows and all(row["status"] == "error" and row["rules"] == ["MLF101"] for row in rows if "MLF101" in row["rules"])
    assert sum("MLF101" in row["rules"] for row in rows) == 20_000


def test_start_run_last_in_a_with_body_next_to_another() -> None:
    """Found by the long fuzz run: two ``start_run()`` statements ending a ``with`` run's
    body, the last with no statement after it, made the shared run effects fail (KeyError)."""
    source = (
        "import mlflow\n"
        "with mlflow.start_run() as run:\n"
        "    mlflow.start_run(**kwargs)\n"
        "    mlflow.start_run(**kwargs)\n"
        "mlflow.set_tracking_uri('./mlruns')\n"
    )
    assert _lint_text(source) == [("MLF101", 5)]
