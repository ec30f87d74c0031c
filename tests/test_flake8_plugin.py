"""The flake8 plugin, run as flake8 runs it: real flake8 in a subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from mlflow_lint.engine import display_path

from .conftest import FIXTURES, TRACKING_URI_MODULE, file_line, inconsistent_uri_project, ipynb, run_cli

# Every test here runs real flake8 and the installed console script: the integration tier (docs/development.md).
pytestmark = pytest.mark.integration

pytest.importorskip("flake8")

# The fixture roots with Python files: flake8 reads nothing else (compose_build is all
# Compose files and Dockerfiles).
ROOTS = [
    root
    for root in [FIXTURES / "python", *sorted(p for p in (FIXTURES / "projects").iterdir() if p.is_dir())]
    if any(root.rglob("*.py"))
]


def flake8(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    # --isolated: no user or project flake8 configuration; the plugin reads its own.
    command = [sys.executable, "-m", "flake8", "--isolated", "--format=%(path)s\t%(row)d\t%(col)d\t%(code)s\t%(text)s", *args]
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=300)


def flake8_rows(result: subprocess.CompletedProcess[str]) -> list[tuple[str, int, int, str, str]]:
    assert result.returncode in (0, 1), result.stderr
    rows = []
    for line in result.stdout.splitlines():
        path, row, col, code, text = line.split("\t")
        rows.append((Path(path).as_posix().removeprefix("./"), int(row), int(col), code, text))
    return sorted(rows)


def cli_findings(root: Path, *args: str) -> list[dict]:  # type: ignore[type-arg]
    result = run_cli("check", "--format", "json", *args, cwd=root)
    assert result.returncode in (0, 1), result.stderr
    return json.loads(result.stdout)["findings"]


def python_files(root: Path) -> list[str]:
    return sorted(display_path(path, root) for path in root.rglob("*.py"))


@pytest.mark.parametrize("root", ROOTS, ids=lambda root: root.name)
def test_same_findings_as_the_cli_on_every_fixture_file(root: Path) -> None:
    files = python_files(root)
    # -j 2: flake8 splits the files across processes; project-wide facts must not care.
    rows = flake8_rows(flake8("-j", "2", "--select", "MLF,E999", *files, cwd=root))
    cli = cli_findings(root, *files)
    assert files
    # flake8 runs no plugin on a file it cannot parse (E999, with flake8's own column); the
    # CLI reports MLF000 there, and analyses the other cells of a broken notebook.
    unparsable = {(path, line) for path, line, _, code, _ in rows if code == "E999"}
    assert unparsable <= {(f["path"], f["line"]) for f in cli if f["rule"] == "MLF000"}
    skipped = {path for path, _ in unparsable}
    from_flake8 = [(path, line, col, code) for path, line, col, code, _ in rows if code != "E999"]
    from_cli = sorted((f["path"], f["line"], f["column"], f["rule"]) for f in cli if f["path"] not in skipped)
    assert from_flake8 == from_cli  # flake8 adds 1 to the plugin's 0-based columns
    # The message is the CLI's, after the code.
    messages = {(f["path"], f["line"], f["rule"]): f["message"] for f in cli}
    for path, line, _, code, text in rows:
        if code.startswith("MLF"):
            assert text == messages[(path, line, code)]


def test_project_wide_facts_when_flake8_sees_one_file() -> None:
    """MLF501 follows tag-setting helpers into other modules, and MLF102 compares tracking
    URIs with the rest of the project, even when flake8 is given a single file."""
    root = FIXTURES / "projects" / "governance"
    whole = {(f["path"], f["line"], f["rule"]) for f in cli_findings(root, ".")}
    for path in ("src/pipeline/train.py", "src/security.py"):
        alone = {(p, row, code) for p, row, _, code, _ in flake8_rows(flake8("--select", "MLF", path, cwd=root))}
        expected = {finding for finding in whole if finding[0] == path}
        assert alone == expected and {"MLF501", "MLF102"} & {code for *_, code in alone}, path


def test_a_helpers_callers_in_other_modules_when_flake8_sees_only_the_helper() -> None:
    """MLF402 searches the project for a helper's callers (analysis.callers) whichever
    files flake8 names: the helper alone gets the whole tree's answer."""
    root = FIXTURES / "projects" / "cross_module_gates"
    path = "releases/registry.py"
    whole = {(f["path"], f["line"], f["rule"]) for f in cli_findings(root, ".") if f["path"] == path}
    alone = {(p, row, code) for p, row, _, code, _ in flake8_rows(flake8("--select", "MLF", path, cwd=root))}
    # The helpers' markers in the fixture: each promotion some caller leaves ungated.
    marked = {(path, line, "MLF402") for line, text in enumerate((root / path).read_text().splitlines(), 1) if "# error: MLF402" in text}
    assert alone == whole == marked and len(marked) >= 4


def write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")


LOAD = 'model = mlflow.pyfunc.load_model("runs:/0a1b2c/model")'


def test_columns_codes_select_and_noqa(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "pyproject.toml": "[project]\nname = 'demo'\n",
            "serve.py": f"import mlflow\n\n{LOAD}\nother = mlflow.pyfunc.load_model('runs:/0a1b2c/model')  # noqa: MLF601\n",
        },
    )
    selected = flake8_rows(flake8("--select", "MLF", "serve.py", cwd=tmp_path))
    assert [(row, col, code) for _, row, col, code, _ in selected] == [(3, 34, "MLF601")]
    assert selected[0][4].startswith("mlflow.pyfunc.load_model consumes a model from a run")
    # The default selection includes plugin codes; --extend-select MLF keeps them with pycodestyle's.
    extended = flake8_rows(flake8("--extend-select", "MLF", "--max-line-length", "60", "serve.py", cwd=tmp_path))
    assert {code for *_, code, _ in extended} == {"MLF601", "E501"}
    assert flake8_rows(flake8("--extend-ignore", "MLF6", "serve.py", cwd=tmp_path)) == []


def test_reads_pyproject_configuration_and_enables_mlf001_when_flake8_names_it(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "pyproject.toml": '[tool.mlflow-lint]\nignore = ["MLF6"]\nrequired-tags = ["owner"]\n',
            "train.py": "import mlflow\n\nwith mlflow.start_run(tags={'team': 'ml'}):\n    mlflow.log_metric('x', 1)  # noqa: MLF802\n",
        },
    )
    rows = flake8_rows(flake8("--select", "MLF", "train.py", cwd=tmp_path))
    assert [(row, code) for _, row, _, code, _ in rows] == [(3, "MLF501")]
    assert "'owner'" in rows[0][4]
    strict = flake8_rows(flake8("--select", "MLF", "--extend-select", "MLF001", "train.py", cwd=tmp_path))
    assert [(row, code) for _, row, _, code, _ in strict] == [(3, "MLF501"), (4, "MLF001")]


def test_parse_errors_and_bad_configuration_never_abort_flake8(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "ok/.mlflow-lint.yaml": "select: [MLF6]\n",
            "ok/broken.py": "import mlflow\ndef f(:\n",
            "ok/serve.py": f"import mlflow\n{LOAD}\n",
            "bad/.mlflow-lint.yaml": "selct: [MLF6]\n",
            "bad/serve.py": f"import mlflow\n{LOAD}\n",
        },
    )
    result = flake8("--select", "MLF,E999", "ok", "bad", cwd=tmp_path)
    rows = flake8_rows(result)
    assert [(path, row, code) for path, row, _, code, _ in rows] == [
        ("bad/serve.py", 1, "MLF000"),
        ("ok/broken.py", 2, "E999"),
        ("ok/serve.py", 2, "MLF601"),
    ]
    assert "unknown configuration key(s): selct" in rows[0][4]


def test_a_databricks_notebook_that_runs_a_jupyter_setup_notebook(tmp_path: Path) -> None:
    """The notebook never names MLflow: flake8's text prefilter must see its ``%run`` as the
    CLI does, and the finding's path point at the .ipynb file's lines."""
    write(
        tmp_path,
        {
            "pyproject.toml": "[project]\nname = 'demo'\n",
            "setup.ipynb": ipynb("import mlflow\n", "def load(uri):\n    return mlflow.pyfunc.load_model(uri)\n"),
            "job.py": "# Databricks notebook source\n# MAGIC %run ./setup\n\n# COMMAND ----------\n\nmodel = load('runs:/0a1b2c/model')\n",
        },
    )
    rows = flake8_rows(flake8("--select", "MLF", "job.py", cwd=tmp_path))
    sink = file_line(tmp_path / "setup.ipynb", "return mlflow")
    assert [(path, row, col, code) for path, row, col, code, _ in rows] == [("job.py", 6, 14, "MLF601")]
    assert rows[0][4].endswith(f"(through load() at setup.ipynb:{sink})")
    assert [(f["path"], f["line"], f["message"]) for f in cli_findings(tmp_path, "job.py")] == [("job.py", 6, rows[0][4])]


def test_plugin_is_registered_under_mlf() -> None:
    result = subprocess.run([sys.executable, "-m", "flake8", "--version"], capture_output=True, text=True, timeout=60)
    assert "mlflow-lint" in result.stdout


def test_project_facts_come_from_the_result_cache_and_follow_changes(tmp_path: Path) -> None:
    # flake8 names one file; MLF102 needs every file's tracking URI. The plugin keeps them in
    # the CLI's result cache, so a second flake8 run re-reads only what changed.
    project = inconsistent_uri_project(tmp_path / "project")
    uri = TRACKING_URI_MODULE
    assert [row[3] for row in flake8_rows(flake8("--select", "MLF102", "a.py", "c.py", cwd=project))] == ["MLF102"]
    cache_files = list(Path(os.environ["MLFLOW_LINT_CACHE_DIR"]).glob("results-*.json"))
    assert any(str(project / "b.py") in path.read_text() for path in cache_files)
    (project / "b.py").write_text(uri.format("https://c.example.com"))  # c's URI is now the primary one
    rows = flake8_rows(flake8("--select", "MLF102", "a.py", "c.py", cwd=project))
    assert [(row[0], row[3]) for row in rows] == [("a.py", "MLF102")]
