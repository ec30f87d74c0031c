"""Context-aware precision, through the installed console script: test code, CI jobs,
severity overrides and shadow mode, internal hosts, Databricks notebooks and switches.

Each policy is tested in both directions: what disappears by default comes back with
``--include-tests``, and the look-alike outside test code is still reported.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from mlflow_lint.context import file_context, is_test_file, relative_to_configuration

from .conftest import run_cli, write_files

LOCAL_STORE = 'import mlflow\nmlflow.set_tracking_uri("./mlruns")\n'  # MLF101 at 2:25
RUN_LOAD = 'import mlflow\nmodel = mlflow.pyfunc.load_model("runs:/0a1b2c/model")\n'  # MLF601 at 2:34
THROWAWAY_PASSWORD = 'import os\nimport mlflow\nos.environ["MLFLOW_TRACKING_PASSWORD"] = "test-password"\n'
REAL_TOKEN = 'import os\nimport mlflow\nos.environ["DATABRICKS_TOKEN"] = "dapi0123456789abcdef0123456789abcdef"\n'
PYPROJECT = "[project]\nname = 'demo'\n"


def findings(project: Path, *args: str) -> tuple[set[tuple[str, str]], dict]:
    result = run_cli("check", "--format", "json", "--no-cache", *args, cwd=project)
    assert result.returncode in (0, 1) and "Traceback" not in result.stderr, result.stderr
    document = json.loads(result.stdout)
    return {(f["path"], f["rule"]) for f in document["findings"]}, document


@pytest.mark.parametrize(
    ("path", "context"),
    [
        ("tests/test_train.py", "test"),
        ("src/pkg/tests/helpers.py", "test"),
        ("test/fixtures/serve.py", "test"),
        ("test_serve.py", "test"),
        ("serve_test.py", "test"),
        ("conftest.py", "test"),
        ("notebooks/test_registry.ipynb", "test"),  # nbval and testbook run notebooks as tests
        ("model_test.ipynb", "test"),
        ("test.ipynb", None),  # as test.py: no runner collects it
        ("conftest.ipynb", None),
        ("test_train.txt", None),
        ("docker-compose.test.yml", "test"),
        ("compose-tests.yaml", "test"),
        (".github/workflows/train.yml", "ci"),
        (".gitlab-ci.yml", "ci"),
        ("integration_tests/train.py", "test"),
        ("deploy/k8s/smoke/mlflow.yaml", "test"),  # a smoke test's throwaway server
        ("deploy/mlflow-smoke.yaml", "test"),
        ("smoke-tests/run.sh", "test"),
        ("latest.yaml", None),  # "test" inside a word is not a test file
        ("latest/serve.py", None),
        ("smokehouse/serve.py", None),
        ("examples/rf_test/train.py", None),  # an example named after what it tries
        ("src/test_data_pipeline/train.py", None),
        ("e2e-tests/train.py", "test"),
        ("contest.py", None),
        ("src/testing_utils.py", None),
        ("attestation/serve.py", None),
        ("src/serve.py", None),
    ],
)
def test_what_is_test_code(path: str, context: str | None) -> None:
    assert file_context(path) == context


def test_configured_test_paths() -> None:
    assert file_context("integration/smoke.py", ("integration/",)) == "test"
    assert file_context("src/integration.py", ("integration/",)) is None


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    return write_files(
        tmp_path / "project",
        {
            "pyproject.toml": PYPROJECT,
            "src/serve.py": RUN_LOAD,
            "src/train.py": LOCAL_STORE,
            "tests/test_serve.py": RUN_LOAD,
            "tests/test_train.py": LOCAL_STORE,
            "tests/conftest.py": THROWAWAY_PASSWORD,
            "tests/test_token.py": REAL_TOKEN,
            "src/settings.py": THROWAWAY_PASSWORD,
        },
    )


@pytest.mark.integration
def test_test_code_findings_are_counted_not_shown(project: Path) -> None:
    found, document = findings(project)
    assert found == {
        ("src/serve.py", "MLF601"),
        ("src/train.py", "MLF101"),
        ("src/settings.py", "MLF701"),
        ("tests/test_token.py", "MLF701"),  # a real token is reported in test code too
    }
    # The governance findings in tests/ and the throwaway password are counted.
    assert document["summary"]["hidden_in_tests"] == 3
    text = run_cli("check", "--no-cache", cwd=project)
    assert "3 findings in test code not shown (--include-tests)." in text.stdout


@pytest.mark.integration
def test_include_tests_shows_them_marked(project: Path) -> None:
    for args, config in ((["--include-tests"], PYPROJECT), ([], PYPROJECT + "[tool.mlflow-lint]\ninclude-tests = true\n")):
        (project / "pyproject.toml").write_text(config, encoding="utf-8")
        found, document = findings(project, *args)
        assert {("tests/test_serve.py", "MLF601"), ("tests/test_train.py", "MLF101"), ("tests/conftest.py", "MLF701")} <= found
        marked = {f["path"] for f in document["findings"] if f.get("context") == "test"}
        assert marked == {"tests/test_serve.py", "tests/test_train.py", "tests/conftest.py"}
        assert document["summary"]["hidden_in_tests"] == 0
    text = run_cli("check", "--no-cache", "--include-tests", cwd=project).stdout
    assert "tests/test_serve.py:2:34: MLF601" in text and "[test code]" in text


@pytest.mark.integration
def test_sarif_carries_the_count_and_the_marks(project: Path) -> None:
    hidden = json.loads(run_cli("check", "--format", "sarif", "--no-cache", cwd=project).stdout)["runs"][0]
    assert hidden["invocations"][0]["properties"]["hiddenInTests"] == 3
    shown = json.loads(run_cli("check", "--format", "sarif", "--no-cache", "--include-tests", cwd=project).stdout)["runs"][0]
    contexts = [r.get("properties", {}).get("context") for r in shown["results"]]
    assert contexts.count("test") == 3


@pytest.mark.integration
def test_configured_test_paths_through_the_cli(tmp_path: Path) -> None:
    project = write_files(
        tmp_path / "p",
        {"pyproject.toml": PYPROJECT + "[tool.mlflow-lint]\ntest-paths = ['qa/']\n", "qa/smoke.py": RUN_LOAD, "src/serve.py": RUN_LOAD},
    )
    found, document = findings(project)
    assert found == {("src/serve.py", "MLF601")} and document["summary"]["hidden_in_tests"] == 1


@pytest.mark.integration
def test_a_ci_job_store_is_test_context_for_local_stores_only(tmp_path: Path) -> None:
    workflow = (
        "on: [push]\njobs:\n  t:\n    runs-on: ubuntu-latest\n    env:\n"
        "      MLFLOW_TRACKING_URI: sqlite:///mlflow.db\n"
        "      MLFLOW_TRACKING_TOKEN: dapi0123456789abcdef0123456789abcdef\n"
        "    steps:\n      - run: mlflow server --host 0.0.0.0\n"
    )
    project = write_files(tmp_path / "p", {"pyproject.toml": PYPROJECT, ".github/workflows/test.yml": workflow})
    found, document = findings(project)
    rules = {rule for _, rule in found}
    assert "MLF201" not in rules  # the job's throwaway SQLite store
    assert {"MLF701", "MLF703"} <= rules  # security findings stay
    assert document["summary"]["hidden_in_tests"] >= 1


# ------------------------------------------------------------------- severity and shadow mode
@pytest.mark.integration
def test_severity_overrides_every_report(tmp_path: Path) -> None:
    config = PYPROJECT + '[tool.mlflow-lint.severity]\nMLF601 = "warning"\n'
    project = write_files(tmp_path / "p", {"pyproject.toml": config, "serve.py": RUN_LOAD})
    _, document = findings(project)
    assert [f["severity"] for f in document["findings"]] == ["warning"]
    sarif = json.loads(run_cli("check", "--format", "sarif", "--no-cache", cwd=project).stdout)["runs"][0]
    assert [r["level"] for r in sarif["results"]] == ["warning"]
    text = run_cli("check", "--no-cache", cwd=project).stdout
    assert "(1 warning)" in text
    audit = json.loads(run_cli("audit", "--format", "json", "--date", "2024-01-01", ".", cwd=project).stdout)
    gaps = [gap for pillar in audit["pillars"] for gap in pillar["gaps"]]
    assert [gap["severity"] for gap in gaps] == ["warning"]


@pytest.mark.integration
def test_shadow_mode_reports_without_failing(tmp_path: Path) -> None:
    config = PYPROJECT + '[tool.mlflow-lint]\nshadow = ["MLF6"]\n'
    project = write_files(tmp_path / "p", {"pyproject.toml": config, "serve.py": RUN_LOAD})
    result = run_cli("check", "--no-cache", cwd=project)
    assert result.returncode == 0, result.stdout  # reported, never failing
    assert "serve.py:2:34: MLF601" in result.stdout and "[shadow]" in result.stdout
    assert "1 in shadow mode" in result.stdout
    _, document = findings(project)
    assert document["findings"][0]["shadow"] is True
    github = run_cli("check", "--format", "github", "--no-cache", cwd=project).stdout
    assert github.startswith("::notice ")
    # A finding of another rule still fails the run.
    (project / "train.py").write_text(LOCAL_STORE, encoding="utf-8")
    assert run_cli("check", "--no-cache", cwd=project).returncode == 1


@pytest.mark.integration
@pytest.mark.parametrize(
    ("config", "needle"),
    [
        ('[tool.mlflow-lint.severity]\nMLF999 = "note"\n', "unknown rule code 'MLF999'"),
        ('[tool.mlflow-lint.severity]\nMLF601 = "fatal"\n', "'MLF601' must be error, warning or note"),
        ('[tool.mlflow-lint]\nshadow = ["XYZ"]\n', "key 'shadow': 'XYZ' is not a rule code"),
        ('[tool.mlflow-lint]\ninclude-tests = "yes"\n', "key 'include-tests' must be true or false"),
        ('[tool.mlflow-lint]\ntest-paths = 3\n', "key 'test-paths' must be a list of strings"),
    ],
)
def test_bad_context_settings_exit_2(tmp_path: Path, config: str, needle: str) -> None:
    project = write_files(tmp_path / "p", {"pyproject.toml": PYPROJECT + config, "serve.py": RUN_LOAD})
    result = run_cli("check", cwd=project)
    assert result.returncode == 2 and needle in result.stderr, result.stderr


# ------------------------------------------------------------------- the flake8 plugin agrees
@pytest.mark.integration
def test_flake8_hides_test_code_findings_like_the_cli(project: Path) -> None:
    command = [sys.executable, "-m", "flake8", "--select", "MLF", "--format", "%(path)s:%(code)s", "src", "tests"]
    done = subprocess.run(command, cwd=project, capture_output=True, text=True, timeout=120)
    got = {tuple(line.split(":")) for line in done.stdout.splitlines()}
    assert got == {("src/serve.py", "MLF601"), ("src/train.py", "MLF101"), ("src/settings.py", "MLF701"), ("tests/test_token.py", "MLF701")}


@pytest.mark.integration
def test_a_ci_job_that_publishes_its_store_is_reported(tmp_path: Path) -> None:
    workflow = (
        "on: [push]\njobs:\n  t:\n    runs-on: ubuntu-latest\n    env:\n      MLFLOW_TRACKING_URI: ./mlruns\n"
        "    steps:\n      - run: python train.py\n"
        "      - uses: actions/upload-artifact@v4\n        with:\n          name: runs\n          path: |\n"
        "            reports/\n            mlruns\n"
        "      - run: |\n          git add mlflow.db\n          git commit -m 'results'\n"
    )
    project = write_files(tmp_path / "p", {"pyproject.toml": PYPROJECT, ".github/workflows/train.yml": workflow, "train.py": "import mlflow\n"})
    result = run_cli("check", "--format", "json", "--no-cache", cwd=project)
    found = sorted((f["line"], f["rule"], f["message"].split(";")[0]) for f in json.loads(result.stdout)["findings"])
    assert found == [
        (14, "MLF103", "the local store mlruns/ is uploaded as a workflow artifact"),
        (16, "MLF103", "the SQLite tracking store mlflow.db is committed by this script"),
    ], result.stdout
    assert json.loads(result.stdout)["summary"]["hidden_in_tests"] == 1  # the job's ./mlruns itself


@pytest.mark.integration
def test_a_value_reaching_two_sinks_of_a_helper_is_one_finding_at_the_call() -> None:
    # The fixture markers count rules per line, not findings: this counts them.
    project = Path(__file__).parent / "fixtures" / "projects" / "context"
    result = run_cli(
        "check", "src/shop/serving/score.py", "--format", "json", "--no-cache", "--select", "MLF601,MLF604", cwd=project
    )
    findings = json.loads(result.stdout)["findings"]
    places = [(f["line"], f["column"], f["rule"]) for f in findings]
    assert len(places) == len(set(places)) == 4, places
    [model] = [f for f in findings if f["rule"] == "MLF601" and "through download()" in f["message"]]
    assert "score.py:24)" in model["message"]  # the helper's first sink


@pytest.mark.integration
def test_a_bundles_include_globs_are_relative_to_the_bundle_even_under_a_bracketed_path(tmp_path: Path) -> None:
    # "[x]" in the project's own path is not a glob character class: resources/*.yml is found,
    # so the release job's promotion stays gated, as in the fixture.
    import shutil

    project = tmp_path / "team[x]" / "context"
    shutil.copytree(Path(__file__).parent / "fixtures" / "projects" / "context", project)
    result = run_cli("check", "bundle", "--format", "json", "--no-cache", "--select", "MLF402", cwd=project)
    flagged = sorted(f["path"] for f in json.loads(result.stdout)["findings"])
    assert flagged == ["bundle/notebooks/promote_soft.py", "bundle/notebooks/promote_unchecked.py"]


def test_paths_are_read_relative_to_the_configuration(tmp_path: Path) -> None:
    """The one reading of a file's path that option globs and test code use (the checks,
    the audit's evidence and the caller search all call it)."""
    root = tmp_path / "project"
    (root / "tests").mkdir(parents=True)
    (root / "tests" / "helpers.py").write_text("")
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "linked_tests").symlink_to(root / "tests")
    assert relative_to_configuration(str(root / "tests" / "helpers.py"), str(root), "shown") == "tests/helpers.py"
    # Reached through a link from outside the project: judged where the link leads.
    assert relative_to_configuration(str(outside / "linked_tests" / "helpers.py"), str(root), "shown") == "tests/helpers.py"
    assert relative_to_configuration(str(outside / "other.py"), str(root), "../elsewhere/other.py") == "../elsewhere/other.py"
    assert relative_to_configuration(str(root / "tests" / "helpers.py"), "", "as shown") == "as shown"
    assert is_test_file(str(outside / "linked_tests" / "helpers.py"), str(root), "x.py")
    assert is_test_file(str(root / "src" / "integration" / "smoke.py"), str(root), "x.py", ("integration/",))
    assert not is_test_file(str(root / "src" / "serve.py"), str(root), "src/serve.py")
