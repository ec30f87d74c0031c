"""The composite GitHub Action (``action.yml``): its shape, and its shell steps run for real.

The steps are taken out of ``action.yml`` and run the way a runner runs ``shell: bash``
(``bash --noprofile --norc -eo pipefail``), against a fake ``mlflow-lint`` that records
its arguments, writes a chosen SARIF report and exits with a chosen code.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from .conftest import ROOT

ACTION = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
STEPS = ACTION["runs"]["steps"]
BASH = ["bash", "--noprofile", "--norc", "-eo", "pipefail"]

FAKE_MLFLOW_LINT = """#!/usr/bin/env bash
printf '%s\\n' "$@" > "$FAKE_ARGS"
out=""
previous=""
for argument in "$@"; do
  if [ "$previous" = "--output" ]; then out="$argument"; fi
  previous="$argument"
done
if [ -n "$FAKE_SARIF" ] && [ -n "$out" ]; then cp "$FAKE_SARIF" "$out"; fi
exit "$FAKE_EXIT"
"""


def _step(key: str) -> dict[str, Any]:
    return next(step for step in STEPS if step.get("id") == key or step.get("name") == key)


def _sarif(*levels: str) -> dict[str, Any]:
    results = [
        {
            "ruleId": "MLF601",
            "level": level,
            "message": {"text": f"a {level}."},
            "locations": [{"physicalLocation": {"artifactLocation": {"uri": "serve.py"}, "region": {"startLine": 2, "startColumn": 34}}}],
        }
        for level in levels
    ]
    return {"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "mlflow-lint"}}, "results": results}]}


class Runner:
    """Runs one step's script with the environment the action gives it."""

    def __init__(self, tmp_path: Path) -> None:
        self.tmp = tmp_path
        self.bin = tmp_path / "bin"
        self.bin.mkdir()
        fake = self.bin / "mlflow-lint"
        fake.write_text(FAKE_MLFLOW_LINT)
        fake.chmod(0o755)
        self.args_file = tmp_path / "args.txt"
        self.output_file = tmp_path / "github_output.txt"
        self.sarif_file = tmp_path / "mlflow-lint.sarif"

    def run(self, step: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
        script = self.tmp / f"{step}.sh"
        script.write_text(_step(step)["run"])
        self.output_file.write_text("")
        environment = {
            "PATH": f"{self.bin}{os.pathsep}{os.environ['PATH']}",
            "HOME": str(self.tmp),
            "GITHUB_OUTPUT": str(self.output_file),
            "FAKE_ARGS": str(self.args_file),
            **env,
        }
        return subprocess.run([*BASH, str(script)], cwd=self.tmp, env=environment, capture_output=True, text=True, timeout=120)

    def lint(
        self, exit_code: int, sarif: dict[str, Any] | None = None, **inputs: str
    ) -> subprocess.CompletedProcess[str]:
        source = self.tmp / "canned.sarif"
        if sarif is not None:
            source.write_text(json.dumps(sarif))
        env = {
            "MLFLOW_LINT": "",  # not installed by the install step: use mlflow-lint on PATH
            "PYTHON": sys.executable,
            "INPUT_PATHS": inputs.get("paths", "."),
            "INPUT_CONFIG": inputs.get("config", ""),
            "INPUT_ARGS": inputs.get("args", ""),
            "INPUT_FAIL_ON": inputs.get("fail_on", "error"),
            "INPUT_UPLOAD_SARIF": inputs.get("upload_sarif", "true"),
            "SARIF_FILE": str(self.sarif_file),
            "FAKE_SARIF": str(source) if sarif is not None else "",
            "FAKE_EXIT": str(exit_code),
        }
        return self.run("run", env)

    def outputs(self) -> dict[str, str]:
        return dict(line.split("=", 1) for line in self.output_file.read_text().splitlines() if line)

    def arguments(self) -> list[str]:
        return self.args_file.read_text().splitlines() if self.args_file.exists() else []


@pytest.fixture()
def runner(tmp_path: Path) -> Runner:
    return Runner(tmp_path)


# ---------------------------------------------------------------------------- shape
def test_action_is_a_composite_with_the_documented_inputs() -> None:
    assert ACTION["runs"]["using"] == "composite"
    assert ACTION["name"] and ACTION["description"]
    inputs = ACTION["inputs"]
    defaults = {name: spec.get("default") for name, spec in inputs.items()}
    assert defaults == {
        "paths": ".",
        "config": "",
        "upload-sarif": "true",
        "fail-on": "error",
        "sarif-file": "mlflow-lint.sarif",
        "category": "mlflow-lint",
        "version": "",
        "args": "",
        "python": "python3",
    }
    assert all(spec.get("description") for spec in inputs.values())
    assert set(ACTION["outputs"]) == {"exit-code", "sarif-file", "errors", "warnings", "notes"}
    assert all(spec["value"].startswith("${{ steps.run.outputs.") for spec in ACTION["outputs"].values())


def test_steps_run_lint_then_upload_then_fail_on() -> None:
    names = [step.get("id") or step["name"] for step in STEPS]
    assert names == ["install", "run", "Upload SARIF to code scanning", "Apply fail-on"]
    upload = _step("Upload SARIF to code scanning")
    assert upload["uses"] == "github/codeql-action/upload-sarif@v4"
    assert upload["if"] == "inputs.upload-sarif == 'true'"
    assert upload["with"] == {"sarif_file": "${{ steps.run.outputs.sarif-file }}", "category": "${{ inputs.category }}"}
    assert "if" not in _step("run") and "if" not in _step("Apply fail-on")


def test_scripts_never_interpolate_expressions() -> None:
    """Inputs reach scripts as environment variables only (no script injection)."""
    for step in STEPS:
        if "run" in step:
            assert step["shell"] == "bash"
            assert "${{" not in step["run"], step.get("name")


def test_readme_documents_the_workflow() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = [block.split("\n", 1)[1] for block in readme.split("```")[1::2] if block.startswith("yaml")]
    workflows = [yaml.safe_load(block) for block in blocks if "mlflow-lint/mlflow-lint@" in block]
    assert workflows, "README has no example workflow using the action"
    workflow = workflows[0]
    assert workflow["permissions"]["security-events"] == "write"
    steps = next(iter(workflow["jobs"].values()))["steps"]
    assert any(step.get("uses", "").startswith("mlflow-lint/mlflow-lint@") for step in steps)
    for name in ("paths", "config", "upload-sarif", "fail-on"):
        assert f"`{name}`" in readme


# ---------------------------------------------------------------------------- run step
def test_clean_run(runner: Runner) -> None:
    result = runner.lint(0, _sarif())
    assert result.returncode == 0, result.stdout + result.stderr
    assert runner.outputs() == {
        "exit-code": "0", "sarif-file": str(runner.sarif_file), "errors": "0", "warnings": "0", "notes": "0", "fail": "false",
    }  # fmt: skip
    assert "mlflow-lint: 0 errors, 0 warnings, 0 notes (fail-on: error)" in result.stdout


@pytest.mark.parametrize(
    ("levels", "fail_on", "fail"),
    [
        (("error",), "error", "true"),
        (("warning", "note"), "error", "false"),
        (("warning", "note"), "warning", "true"),
        (("note",), "warning", "false"),
        (("note",), "note", "true"),
        (("error", "warning"), "none", "false"),
    ],
)
def test_findings_exit_1_is_a_result_and_fail_on_decides(runner: Runner, levels: tuple[str, ...], fail_on: str, fail: str) -> None:
    result = runner.lint(1, _sarif(*levels), fail_on=fail_on)
    assert result.returncode == 0, result.stdout + result.stderr  # the upload step must still run
    outputs = runner.outputs()
    assert outputs["exit-code"] == "1"
    assert outputs["fail"] == fail
    assert int(outputs["errors"]) + int(outputs["warnings"]) + int(outputs["notes"]) == len(levels)
    assert "serve.py:2:34: MLF601 a " in result.stdout


def workflow_commands(log: str) -> list[str]:
    """The lines of a step's log that a runner would execute as workflow commands: those
    starting with "::", except between ``::stop-commands::<token>`` and ``::<token>::``."""
    commands: list[str] = []
    stopped: str | None = None
    for line in log.splitlines():
        if stopped is not None:
            if line == f"::{stopped}::":
                stopped = None
            continue
        if line.startswith("::stop-commands::"):
            stopped = line[len("::stop-commands::") :]
        elif line.startswith("::"):
            commands.append(line)
    return commands


def test_messages_and_file_names_cannot_forge_workflow_commands(runner: Runner) -> None:
    forged = _sarif("error")
    result_entry = forged["runs"][0]["results"][0]
    result_entry["message"]["text"] = "bad\n::add-mask::hunter2\n::warning file=x.py::forged by a message"
    result_entry["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] = "::error::forged by a file name\n.py"
    result = runner.lint(1, forged)
    assert result.returncode == 0, result.stdout + result.stderr
    assert workflow_commands(result.stdout) == [], result.stdout
    findings = [line for line in result.stdout.splitlines() if "MLF601" in line]
    assert len(findings) == 1 and "forged by a message" in findings[0]  # one line, still readable


def test_usage_error_exit_2_fails_the_step_even_with_fail_on_none(runner: Runner) -> None:
    result = runner.lint(2, None, fail_on="none")
    assert result.returncode == 2
    assert "::error title=mlflow-lint::mlflow-lint exited with 2" in result.stdout
    assert runner.outputs() == {"exit-code": "2", "sarif-file": str(runner.sarif_file)}


@pytest.mark.parametrize("code", [3, 127, 137])
def test_a_crash_fails_the_step(runner: Runner, code: int) -> None:
    result = runner.lint(code, _sarif("error"), fail_on="none")
    assert result.returncode == code
    assert "fail" not in runner.outputs()


def test_findings_without_a_report_fail_the_step(runner: Runner) -> None:
    result = runner.lint(1, None)
    assert result.returncode == 2
    assert "wrote no report" in result.stdout


def test_unreadable_report_fails_the_step(runner: Runner) -> None:
    result = runner.lint(1, {"runs": []})
    assert result.returncode == 2
    assert "cannot read the SARIF report" in result.stdout


def test_stale_report_is_removed_before_the_run(runner: Runner) -> None:
    runner.sarif_file.write_text(json.dumps(_sarif("error")))
    assert runner.lint(1, None).returncode == 2  # the old report is not mistaken for this run's


@pytest.mark.parametrize(("name", "value"), [("fail_on", "errors"), ("upload_sarif", "yes")])
def test_invalid_inputs_fail_before_linting(runner: Runner, name: str, value: str) -> None:
    result = runner.lint(0, _sarif(), **{name: value})
    assert result.returncode == 2
    assert "::error title=mlflow-lint::" in result.stdout
    assert runner.arguments() == []


def test_inputs_become_arguments_without_shell_evaluation(runner: Runner) -> None:
    result = runner.lint(
        0, _sarif(), paths="src notebooks/*.py $(touch pwned)", config="cfg/pyproject.toml", args="--select MLF6 --ignore MLF603"
    )
    assert result.returncode == 0, result.stderr
    assert runner.arguments() == [
        "check", "--format", "sarif", "--output", str(runner.sarif_file),
        "--config", "cfg/pyproject.toml", "--select", "MLF6", "--ignore", "MLF603",
        "--", "src", "notebooks/*.py", "$(touch", "pwned)",
    ]  # fmt: skip
    assert not (runner.tmp / "pwned").exists()


def test_empty_paths_lint_the_default(runner: Runner) -> None:
    assert runner.lint(0, _sarif(), paths="").returncode == 0
    assert runner.arguments()[-1] == "--"


# ---------------------------------------------------------------------------- fail-on step
@pytest.mark.parametrize(("fail", "code"), [("true", 1), ("false", 0), ("", 0)])
def test_fail_on_step(runner: Runner, fail: str, code: int) -> None:
    env = {"FAIL": fail, "INPUT_FAIL_ON": "warning", "ERRORS": "0", "WARNINGS": "2", "NOTES": "1"}
    result = runner.run("Apply fail-on", env)
    assert result.returncode == code
    if code:
        assert "::error title=mlflow-lint::findings at or above fail-on 'warning': 0 errors, 2 warnings, 1 notes" in result.stdout


# ---------------------------------------------------------------------------- end to end
def test_install_and_run_steps_with_the_real_tool(runner: Runner, tmp_path: Path) -> None:
    """The install step builds a venv from this checkout; the run step lints with it."""
    install = runner.run(
        "install",
        {"INPUT_PYTHON": sys.executable, "INPUT_VERSION": "", "GITHUB_ACTION_PATH": str(ROOT), "RUNNER_TEMP": str(tmp_path)},
    )
    assert install.returncode == 0, install.stdout + install.stderr
    installed = runner.outputs()
    assert Path(installed["executable"]).is_file() and Path(installed["python"]).is_file()

    project = tmp_path / "project"
    project.mkdir()
    (project / "serve.py").write_text('import mlflow\nmodel = mlflow.pyfunc.load_model("runs:/0a1b2c/model")\n')
    script = tmp_path / "run.sh"
    script.write_text(_step("run")["run"])
    env = {
        "PATH": os.environ["PATH"],
        "HOME": str(tmp_path),
        "GITHUB_OUTPUT": str(runner.output_file),
        "MLFLOW_LINT": installed["executable"],
        "PYTHON": installed["python"],
        "INPUT_PATHS": ".",
        "INPUT_CONFIG": "",
        "INPUT_ARGS": "",
        "INPUT_FAIL_ON": "error",
        "INPUT_UPLOAD_SARIF": "true",
        "SARIF_FILE": "mlflow-lint.sarif",
    }
    runner.output_file.write_text("")
    result = subprocess.run([*BASH, str(script)], cwd=project, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    outputs = runner.outputs()
    assert (outputs["exit-code"], outputs["errors"], outputs["fail"]) == ("1", "1", "true")
    document = json.loads((project / "mlflow-lint.sarif").read_text())
    assert [r["ruleId"] for r in document["runs"][0]["results"]] == ["MLF601"]
