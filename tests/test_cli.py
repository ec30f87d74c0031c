"""The installed ``mlflow-lint`` console script, end to end, as users run it."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from mlflow_lint import __version__
from mlflow_lint.catalog import load_catalog

from .conftest import ipynb, run_cli

# Every test here runs the installed console script (run_cli): the integration tier (docs/development.md).
pytestmark = pytest.mark.integration

BAD = 'import mlflow\nmodel = mlflow.pyfunc.load_model("runs:/0a1b2c/model")\n'
GOOD = 'import mlflow\nmodel = mlflow.pyfunc.load_model("models:/churn@champion")\n'
LOCAL = 'import mlflow\nmlflow.set_tracking_uri("./mlruns")\n'


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    (tmp_path / "serve.py").write_text(BAD)
    (tmp_path / "good.py").write_text(GOOD)
    (tmp_path / "train.py").write_text(LOCAL)
    (tmp_path / "unrelated.py").write_text("print('hello')\n")
    return tmp_path


def test_findings_exit_1_with_text_lines_and_summary(project: Path) -> None:
    result = run_cli("check", ".", cwd=project)
    assert result.returncode == 1, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("serve.py:2:34: MLF601 mlflow.pyfunc.load_model consumes a model from a run")
    assert lines[1].startswith("train.py:2:25: MLF101 ")
    assert lines[-1] == "Found 2 findings (2 errors) in 2 files; 4 files checked."
    assert result.stderr == ""


def test_clean_exit_0(project: Path) -> None:
    result = run_cli("check", "good.py", "unrelated.py", cwd=project)
    assert result.returncode == 0
    assert result.stdout == "All checks passed (2 files checked).\n"


def test_default_path_is_current_directory(project: Path) -> None:
    assert run_cli("check", cwd=project).stdout == run_cli("check", ".", cwd=project).stdout


def test_exit_zero(project: Path) -> None:
    result = run_cli("check", ".", "--exit-zero", cwd=project)
    assert result.returncode == 0 and "MLF601" in result.stdout


def test_json_contract(project: Path) -> None:
    result = run_cli("check", ".", "--format", "json", cwd=project)
    assert result.returncode == 1
    document = json.loads(result.stdout)
    assert set(document) == {"version", "findings", "summary"}
    assert document["version"] == __version__
    first = document["findings"][0]
    assert first == {
        "rule": "MLF601",
        "name": "run-uri-model-load",
        "pillar": 6,
        "severity": "error",
        "path": "serve.py",
        "line": 2,
        "column": 34,
        "end_line": 2,
        "end_column": 54,  # exclusive, like SARIF
        "message": first["message"],
        "id": first["id"],
    }
    assert re.fullmatch(r"MLF-[0-9a-f]{6}", first["id"])  # the audit's register id
    assert document["summary"]["findings"] == 2
    assert document["summary"]["files_checked"] == 4
    assert document["summary"]["files_analysed"] == 3  # unrelated.py never mentions mlflow
    assert document["summary"]["by_rule"] == {"MLF101": 1, "MLF601": 1}


def test_output_file(project: Path, tmp_path: Path) -> None:
    target = tmp_path / "out" / "report.json"
    result = run_cli("check", ".", "--format", "json", "--output", str(target), cwd=project)
    assert result.returncode == 1
    assert result.stdout == ""
    assert len(json.loads(target.read_text())["findings"]) == 2


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        (["--select", "MLF6"], {"MLF601"}),
        (["--select", "MLF101"], {"MLF101"}),
        (["--ignore", "MLF601"], {"MLF101"}),
        (["--ignore", "MLF"], set()),
        (["--select", "MLF1,MLF6"], {"MLF101", "MLF601"}),
        (["--select", "MLF2", "--extend-select", "MLF101"], {"MLF101"}),
        (["--ignore", "MLF6", "--select", "MLF601"], {"MLF601"}),  # more specific wins
    ],
)
def test_select_and_ignore(project: Path, options: list[str], expected: set[str]) -> None:
    result = run_cli("check", ".", "--format", "json", *options, cwd=project)
    assert {f["rule"] for f in json.loads(result.stdout)["findings"]} == expected
    assert result.returncode == (1 if expected else 0)


def test_config_selection_and_cli_override(project: Path) -> None:
    (project / "pyproject.toml").write_text('[tool.mlflow-lint]\nignore = ["MLF101"]\n')
    result = run_cli("check", ".", "--format", "json", cwd=project)
    assert {f["rule"] for f in json.loads(result.stdout)["findings"]} == {"MLF601"}
    result = run_cli("check", ".", "--format", "json", "--select", "MLF1", cwd=project)
    assert {f["rule"] for f in json.loads(result.stdout)["findings"]} == set()  # config ignore still applies


def test_yaml_config_and_per_file_ignores(project: Path) -> None:
    (project / ".mlflow-lint.yaml").write_text("per-file-ignores:\n  'serve.py': [MLF6]\nexclude: ['train.py']\n")
    result = run_cli("check", ".", cwd=project)
    assert result.returncode == 0, result.stdout
    assert "(3 files checked)" in result.stdout  # train.py excluded


@pytest.mark.parametrize(
    ("config", "needle"),
    [
        ('[tool.mlflow-lint]\nselct = ["MLF6"]\n', "selct"),
        ('[tool.mlflow-lint]\nselect = ["MLF999"]\n', "MLF999"),
        ('[tool.mlflow-lint]\nignore = "E501x"\n', "E501x"),
        ('[tool.mlflow-lint]\nselect = 6\n', "'select'"),
        ("[tool.mlflow-lint\nselect = 1\n", "invalid TOML"),
    ],
)
def test_bad_config_exits_2_naming_the_problem(project: Path, config: str, needle: str) -> None:
    (project / "pyproject.toml").write_text(config)
    result = run_cli("check", ".", cwd=project)
    assert result.returncode == 2
    assert needle in result.stderr
    assert "pyproject.toml" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_bad_yaml_config_names_line(project: Path) -> None:
    (project / ".mlflow-lint.yaml").write_text("select: [MLF6\nignore: x\n")
    result = run_cli("check", ".", cwd=project)
    assert result.returncode == 2
    assert ".mlflow-lint.yaml: invalid YAML at line" in result.stderr


def test_unknown_cli_code_and_missing_path_exit_2(project: Path) -> None:
    result = run_cli("check", ".", "--select", "MLF99", cwd=project)
    assert result.returncode == 2 and "MLF99" in result.stderr
    result = run_cli("check", "does-not-exist.py", cwd=project)
    assert result.returncode == 2 and "does-not-exist.py" in result.stderr


def test_syntax_error_among_good_files(project: Path) -> None:
    (project / "broken.py").write_text("import mlflow\ndef f(:\n    pass\n")
    (project / "latin.py").write_bytes(b"import mlflow\nx = '\xff\xfe'\n")
    result = run_cli("check", ".", "--format", "json", cwd=project)
    assert result.returncode == 1
    findings = json.loads(result.stdout)["findings"]
    by_path = {(f["path"], f["rule"]) for f in findings}
    assert ("broken.py", "MLF000") in by_path
    assert ("latin.py", "MLF000") in by_path
    assert ("serve.py", "MLF601") in by_path and ("train.py", "MLF101") in by_path
    broken = next(f for f in findings if f["path"] == "broken.py")
    assert broken["line"] == 2 and "syntax error" in broken["message"]


@pytest.mark.parametrize(("requires", "named"), [(">=3.99", True), ("~=3.99.1", True), (">=3.8", False), (None, False)])
def test_syntax_error_names_the_newer_python_the_project_requires(tmp_path: Path, requires: str | None, named: bool) -> None:
    # A file in newer syntax (a 3.12 `type` statement, on a 3.11 mlflow-lint) is not a broken
    # file: say which Python the project needs; a project that allows this Python gets the
    # plain syntax error. Cached runs give the same message, and follow pyproject.toml.
    (tmp_path / ".git").mkdir()
    project_table = f'[project]\nname = "p"\nrequires-python = "{requires}"\n' if requires else '[project]\nname = "p"\n'
    (tmp_path / "pyproject.toml").write_text(project_table)
    # Invalid in every Python, so the test does not depend on the one running it.
    (tmp_path / "config.py").write_text("import mlflow\n\ntype Alias[T] = = T\n")
    messages = []
    for _ in range(2):
        result = run_cli("check", ".", "--format", "json", "--cache-dir", str(tmp_path / "cache"), cwd=tmp_path)
        assert result.returncode == 1 and "Traceback" not in result.stderr
        [finding] = json.loads(result.stdout)["findings"]
        messages.append(finding["message"])
        assert finding["rule"] == "MLF000" and finding["line"] == 3
    assert messages[0] == messages[1]
    assert (f"the project requires Python {requires}" in messages[0]) is named
    if named:
        (tmp_path / "pyproject.toml").write_text('[project]\nname = "p"\nrequires-python = ">=3.8"\n')
        result = run_cli("check", ".", "--format", "json", "--cache-dir", str(tmp_path / "cache"), cwd=tmp_path)
        assert "requires Python" not in json.loads(result.stdout)["findings"][0]["message"]


@pytest.mark.parametrize(
    ("source", "newer", "since"),
    [
        ("def retry[T](call: T) -> T:\n    return call\n", "generic type syntax (PEP 695)", (3, 12)),
        ("type Ids = list[int]\n", "generic type syntax (PEP 695)", (3, 12)),
        ('row = {"a": 1}\nprint(f"{row["a"]}")\n', "f-string syntax (PEP 701", (3, 12)),
        ("try:\n    pass\nexcept ValueError, TypeError:\n    pass\n", "unparenthesised exception types (PEP 758)", (3, 14)),
        ("x = (\n", None, None),  # broken in every Python: no hint
    ],
)
def test_a_syntax_error_at_newer_syntax_says_so_without_requires_python(tmp_path: Path, source: str, newer: str | None, since: tuple[int, int] | None) -> None:
    """No requires-python to name: the line itself says which newer Python it may be written for."""
    (tmp_path / ".git").mkdir()
    (tmp_path / "config.py").write_text("import mlflow\n" + source)
    (tmp_path / "nb.ipynb").write_text(ipynb("import mlflow", source))  # a cell says the same
    findings = json.loads(run_cli("check", ".", "--format", "json", "--no-cache", cwd=tmp_path).stdout)["findings"]
    if since is not None and sys.version_info[:2] >= since:
        assert findings == []  # this Python parses it
        return
    assert sorted(finding["path"] for finding in findings) == ["config.py", "nb.ipynb"]
    running = "{}.{}".format(*sys.version_info[:2])
    for finding in findings:
        assert finding["rule"] == "MLF000"
        if newer is None:
            assert "may use" not in finding["message"]
        else:
            assert f"the line may use Python {since[0]}.{since[1]}'s {newer}" in finding["message"]  # type: ignore[index]
            assert f"mlflow-lint runs on Python {running}" in finding["message"]


def test_statistics(project: Path) -> None:
    result = run_cli("check", ".", "--statistics", cwd=project)
    assert "1  MLF601  error    run-uri-model-load" in result.stdout


def test_colour_only_when_forced(project: Path) -> None:
    plain = run_cli("check", ".", cwd=project)
    assert "\x1b[" not in plain.stdout
    forced = run_cli("check", ".", cwd=project, env={"NO_COLOR": "", "FORCE_COLOR": "1"})
    assert "\x1b[" in forced.stdout


def test_rules_and_explain() -> None:
    catalog = load_catalog()
    result = run_cli("rules")
    assert result.returncode == 0
    for rule in catalog:
        assert rule.id in result.stdout and rule.name in result.stdout
    rows = json.loads(run_cli("rules", "--format", "json").stdout)
    assert [row["id"] for row in rows] == [rule.id for rule in catalog]
    explained = run_cli("explain", "MLF601")
    assert explained.returncode == 0
    for heading in ("## What it does", "## Why is this bad?", "## Example", "## Use instead", "## References"):
        assert heading in explained.stdout
    assert run_cli("explain", "run-uri-model-load").stdout == explained.stdout
    unknown = run_cli("explain", "MLF999")
    assert unknown.returncode == 2 and "MLF999" in unknown.stderr


def test_version_and_module_entry_point() -> None:
    assert run_cli("--version").stdout.strip() == f"mlflow-lint, version {__version__}"
    module = subprocess.run([sys.executable, "-m", "mlflow_lint", "--version"], capture_output=True, text=True)
    assert module.returncode == 0 and __version__ in module.stdout


def test_output_is_deterministic(project: Path) -> None:
    first = run_cli("check", ".", "--format", "json", cwd=project).stdout
    second = run_cli("check", ".", "--format", "json", "--jobs", "2", cwd=project).stdout
    assert first == second


def test_parallel_run_matches_serial(tmp_path: Path) -> None:
    for index in range(40):
        (tmp_path / f"m{index:02d}.py").write_text(BAD if index % 2 else LOCAL)
    serial = run_cli("check", ".", "--format", "json", "--jobs", "1", cwd=tmp_path)
    parallel = run_cli("check", ".", "--format", "json", "--jobs", "2", cwd=tmp_path)
    assert serial.stdout == parallel.stdout
    assert len(json.loads(serial.stdout)["findings"]) == 40


def test_named_unsupported_file_is_not_a_silent_pass(project: Path) -> None:
    (project / "notes.txt").write_text("mlflow.set_tracking_uri('./mlruns')\n")
    result = run_cli("check", "notes.txt", "good.py", cwd=project)
    assert result.returncode == 0
    assert "notes.txt was not checked: not a file type mlflow-lint reads" in result.stderr
    assert "(1 file checked)" in result.stdout


@pytest.mark.parametrize("output_format", ["text", "json", "sarif", "github"])
def test_file_name_that_is_not_utf8(tmp_path: Path, output_format: str) -> None:
    import os

    name = os.fsdecode(b"scoring\xff.py")
    (tmp_path / name).write_text('import mlflow\nmlflow.set_tracking_uri("./mlruns")\n')
    result = run_cli("check", ".", "--format", output_format, "--output", str(tmp_path / "report.out"), cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    assert "internal error" not in result.stderr
    report = (tmp_path / "report.out").read_text(encoding="utf-8")
    if output_format == "json":
        assert json.loads(report)["findings"][0]["path"] == "scoring\\xff.py"
    elif output_format == "sarif":
        assert '"uri": "scoring%FF.py"' in report  # the name's own byte, percent-encoded (RFC 3986)
    else:
        assert "scoring\\xff.py" in report


@pytest.mark.parametrize("how", ["flag", "config", "select"])
def test_mlf000_is_a_rule_like_any_other(tmp_path: Path, how: str) -> None:
    """--ignore MLF000 (or ignore = ["MLF000"], or a --select without it) hides files that
    could not be analysed; it used to be silently a no-op."""
    (tmp_path / "bad.py").write_text("import mlflow\nx = (\n", encoding="utf-8")
    (tmp_path / "good.py").write_text('import mlflow\nmlflow.set_tracking_uri("./mlruns")\n', encoding="utf-8")
    shown = json.loads(run_cli("check", "--format", "json", "--no-cache", cwd=tmp_path).stdout)["findings"]
    assert sorted(f["rule"] for f in shown) == ["MLF000", "MLF101"]
    args = {"flag": ["--ignore", "MLF000"], "config": [], "select": ["--select", "MLF1"]}[how]
    if how == "config":
        (tmp_path / ".mlflow-lint.yaml").write_text("ignore: [MLF000]\n", encoding="utf-8")
    hidden = json.loads(run_cli("check", "--format", "json", "--no-cache", *args, cwd=tmp_path).stdout)["findings"]
    assert [f["rule"] for f in hidden] == ["MLF101"]


def test_a_notebook_cell_in_newer_syntax_names_the_python_the_project_requires(tmp_path: Path) -> None:
    # Databricks notebook sources are parsed cell by cell: a bad cell gets the same reason.
    (tmp_path / ".git").mkdir()
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "p"\nrequires-python = ">=3.99"\n')
    (tmp_path / "evals.py").write_text(
        "# Databricks notebook source\nimport mlflow\n\n# COMMAND ----------\n\ntype Alias[T] = = T\n"
    )
    result = run_cli("check", ".", "--format", "json", cwd=tmp_path)
    [finding] = json.loads(result.stdout)["findings"]
    assert finding["rule"] == "MLF000"
    assert "the project requires Python >=3.99" in finding["message"] and "the rest of the notebook was analysed" in finding["message"]
