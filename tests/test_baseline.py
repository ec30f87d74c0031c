"""Baselines: ``--write-baseline`` records, ``--baseline`` reports only what is new."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mlflow_lint.baseline import BaselineError, load_baseline, render_baseline
from mlflow_lint.findings import Finding

from .conftest import run_cli

BASELINE = ".mlflow-lint-baseline.json"
SERVE = """import mlflow

model = mlflow.pyfunc.load_model("runs:/0a1b2c/model")
pinned = mlflow.pyfunc.load_model("models:/churn/3")
"""


def write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")


def findings(root: Path, *args: str) -> list[tuple[str, int, str]]:
    result = run_cli("check", "--format", "json", *args, cwd=root)
    assert result.returncode in (0, 1), result.stderr
    return [(f["path"], f["line"], f["rule"]) for f in json.loads(result.stdout)["findings"]]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    write(tmp_path, {"pyproject.toml": "[project]\nname = 'demo'\n", "src/serve.py": SERVE})
    written = run_cli("check", "--write-baseline", BASELINE, cwd=tmp_path)
    assert written.returncode == 0, written.stderr
    assert "recorded 2 findings in the baseline" in written.stderr and written.stdout == ""
    return tmp_path


@pytest.mark.integration
def test_baseline_file_is_sorted_readable_json(project: Path) -> None:
    text = (project / BASELINE).read_text(encoding="utf-8")
    assert text == (
        "{\n"
        '  "tool": "mlflow-lint",\n'
        '  "version": 3,\n'
        '  "findings": [\n'
        '    {"path": "src/serve.py", "rule": "MLF601", "count": 1, "code": "9e118970f62bbe993390300c1d14cc6c"},\n'
        '    {"path": "src/serve.py", "rule": "MLF603", "count": 1, "code": "7de9a674573ba73b9ce55ca3fcde4f90"}\n'
        "  ]\n"
        "}\n"
    )
    assert json.loads(text)["version"] == 3


@pytest.mark.integration
def test_baselined_findings_are_not_reported(project: Path) -> None:
    result = run_cli("check", "--baseline", BASELINE, cwd=project)
    assert result.returncode == 0, result.stdout
    assert "2 findings in the baseline not reported" in result.stderr


@pytest.mark.integration
def test_moving_code_and_inserting_lines_keeps_it_baselined(project: Path) -> None:
    moved = SERVE.replace("model =", "# the scorer\n\n\nmodel =").replace("import mlflow\n", "import mlflow\nimport os\n")
    moved += '\n\ndef reload():\n    return mlflow.pyfunc.load_model(\n        "runs:/0a1b2c/model",\n    )\n'
    write(project, {"src/serve.py": moved})
    # The first identical finding stays accepted; the second one (count 1 in the baseline) is new.
    assert findings(project, "--baseline", BASELINE) == [("src/serve.py", 13, "MLF601")]


@pytest.mark.integration
def test_a_second_identical_violation_in_the_same_file_is_new(project: Path) -> None:
    write(project, {"src/serve.py": SERVE + 'again = mlflow.pyfunc.load_model("runs:/0a1b2c/model")\n'})
    assert findings(project, "--baseline", BASELINE) == [("src/serve.py", 5, "MLF601")]
    write(project, {"src/other.py": SERVE})  # the same code in another file is new too
    assert [f for f in findings(project, "--baseline", BASELINE) if f[0] == "src/other.py"] == [
        ("src/other.py", 3, "MLF601"),
        ("src/other.py", 4, "MLF603"),
    ]


@pytest.mark.integration
def test_rewriting_drops_fixed_findings(project: Path) -> None:
    write(project, {"src/serve.py": SERVE.replace("runs:/0a1b2c/model", "models:/churn@champion")})
    assert run_cli("check", "--write-baseline", BASELINE, cwd=project).returncode == 0
    entries = json.loads((project / BASELINE).read_text(encoding="utf-8"))["findings"]
    assert [entry["rule"] for entry in entries] == ["MLF603"]


@pytest.mark.integration
def test_paths_are_relative_to_the_baseline_file(project: Path) -> None:
    """The baseline written at the root also works from a subdirectory."""
    result = run_cli("check", "--baseline", f"../{BASELINE}", ".", cwd=project / "src")
    assert result.returncode == 0, result.stdout


@pytest.mark.integration
def test_baselined_findings_leave_every_format_and_keep_sarif_fingerprints(project: Path) -> None:
    write(project, {"src/serve.py": SERVE + 'again = mlflow.pyfunc.load_model("runs:/0a1b2c/model")\n'})
    full = json.loads(run_cli("check", "--format", "sarif", cwd=project).stdout)["runs"][0]["results"]
    new = json.loads(run_cli("check", "--format", "sarif", "--baseline", BASELINE, cwd=project).stdout)["runs"][0]["results"]
    assert [r["locations"][0]["physicalLocation"]["region"]["startLine"] for r in new] == [5]
    # The remaining result keeps the fingerprint it has without the baseline (occurrence 2
    # of that code), so code scanning does not mistake it for the accepted first one.
    assert new[0]["partialFingerprints"] == full[2]["partialFingerprints"]
    assert full[0]["partialFingerprints"] != new[0]["partialFingerprints"]
    github = run_cli("check", "--format", "github", "--baseline", BASELINE, cwd=project).stdout
    assert github.count("::error") == 1 and "line=5," in github
    text = run_cli("check", "--baseline", BASELINE, cwd=project).stdout
    assert "src/serve.py:5:" in text and "src/serve.py:3:" not in text


CORRUPT = [
    ("{not json", "is not valid JSON"),
    ('{"tool": "mlflow-lint", "version": 4, "findings": []}', "has version 4; this mlflow-lint reads versions 1 to 3"),
    ('{"results": []}', "is not an mlflow-lint baseline file"),
    ('{"tool": "mlflow-lint", "version": 1, "findings": [{"rule": "MLF601", "path": "a.py", "count": 0, "snippet": "x"}]}', "entry 1 needs"),
    ('{"tool": "mlflow-lint", "version": 1, "findings": {}}', "'findings' must be a list"),
    ("[]", "is not an mlflow-lint baseline file"),
]


@pytest.mark.parametrize(("content", "problem"), CORRUPT)
def test_corrupt_or_wrong_version_baseline_is_an_error_naming_the_file(tmp_path: Path, content: str, problem: str) -> None:
    path = tmp_path / "broken.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(BaselineError, match=r"broken\.json") as raised:
        load_baseline(path)
    assert problem in str(raised.value) and "--write-baseline" in str(raised.value)


@pytest.mark.integration
def test_corrupt_baseline_is_exit_2_on_the_command_line(project: Path) -> None:
    for content, problem in CORRUPT[:2]:
        (project / "broken.json").write_text(content, encoding="utf-8")
        result = run_cli("check", "--baseline", "broken.json", cwd=project)
        assert result.returncode == 2
        assert "broken.json" in result.stderr and problem in result.stderr
        assert "Traceback" not in result.stderr


@pytest.mark.integration
def test_missing_baseline_and_conflicting_flags(project: Path) -> None:
    missing = run_cli("check", "--baseline", "nope.json", cwd=project)
    assert missing.returncode == 2 and "nope.json not found" in missing.stderr and "--write-baseline" in missing.stderr
    both = run_cli("check", "--baseline", BASELINE, "--write-baseline", BASELINE, cwd=project)
    assert both.returncode == 2 and "cannot be combined" in both.stderr


def test_findings_without_a_snippet_are_keyed_by_message(tmp_path: Path) -> None:
    finding = Finding("bad.py", 2, 5, "MLF000", 2, 5, "File could not be analysed: syntax error: invalid syntax")
    text = render_baseline([finding, finding], tmp_path / "b.json", tmp_path)
    (tmp_path / "b.json").write_text(text, encoding="utf-8")
    assert json.loads(text)["findings"] == [
        {"path": "bad.py", "rule": "MLF000", "count": 2, "message": finding.message}
    ]
    baseline = load_baseline(tmp_path / "b.json")
    assert baseline.split([finding, finding, finding], tmp_path) == ([finding], [finding, finding])


@pytest.mark.integration
def test_a_version_1_baseline_with_verbatim_code_is_still_read(project: Path) -> None:
    # Version 1 recorded the flagged code itself; it still baselines the same findings.
    (project / BASELINE).write_text(
        '{"tool": "mlflow-lint", "version": 1, "findings": ['
        '{"path": "src/serve.py", "rule": "MLF601", "count": 1, "snippet": "\\"runs:/0a1b2c/model\\""},'
        '{"path": "src/serve.py", "rule": "MLF603", "count": 1, "snippet": "\\"models:/churn/3\\""}]}',
        encoding="utf-8",
    )
    result = run_cli("check", "--baseline", BASELINE, cwd=project)
    assert result.returncode == 0, result.stdout + result.stderr
