"""MLflow 3 facts in three existing rules.

- MLF401 is an error, not a warning, where the registry is Unity Catalog (its stores raise
  on every stage API; MLflow 3.18.0): known from a three-level model name, the file's own
  registry URI, or the project's registry URIs (project facts, invalidated in the cache).
  A configured ``[severity]`` override still wins.
- MLF101 reports ``MLFLOW_ALLOW_FILE_STORE`` turned on (the file store raises without it
  since MLflow 3.13); ``false``/``0`` are clean.
- MLF201 says that ``sqlite:///mlflow.db`` is MLflow's local default (since 3.7).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mlflow_lint.config import Config
from mlflow_lint.engine import lint_paths

from .conftest import FIXTURES, all_rules, lint_source, run_cli, write_files

UC_STAGES = FIXTURES / "projects" / "mlflow3" / "uc_stages"
FILE_STORE = FIXTURES / "projects" / "mlflow3" / "file_store"

STAGE_CALLS = """\
from mlflow import MlflowClient

client = MlflowClient()


def production_version(name: str) -> str:
    return client.get_latest_versions(name, stages=["Production"])[0].version
"""


def _json(project: Path, *args: str) -> list[dict]:
    result = run_cli("check", ".", "--format", "json", *args, cwd=project)
    assert result.returncode in (0, 1), result.stderr
    return json.loads(result.stdout)["findings"]


def _levels(project: Path, rule: str = "MLF401", **kwargs: object) -> list[tuple[str, int, str]]:
    """(path, line, level) of ``rule``'s findings, linted in-process (level None: the rule's)."""
    result = lint_paths([project], Config(root=project), all_rules(), cwd=project, **kwargs)  # type: ignore[arg-type]
    return [(f.path, f.line, f.level or "default") for f in result.findings if f.rule == rule]


# ------------------------------------------------------------------ MLF401 on Unity Catalog
@pytest.mark.integration
def test_the_uc_fixture_reports_every_stage_finding_as_an_error_in_json_sarif_and_text() -> None:
    rows = [f for f in _json(UC_STAGES) if f["rule"] == "MLF401"]
    assert len(rows) == 5
    assert {f["severity"] for f in rows} == {"error"}
    assert all("raise on Unity Catalog" in f["message"] or "always None on Unity Catalog" in f["message"] for f in rows)

    sarif = json.loads(run_cli("check", ".", "--format", "sarif", cwd=UC_STAGES).stdout)
    run = sarif["runs"][0]
    assert {r["level"] for r in run["results"] if r["ruleId"] == "MLF401"} == {"error"}
    descriptor = next(d for d in run["tool"]["driver"]["rules"] if d["id"] == "MLF401")
    assert descriptor["defaultConfiguration"]["level"] == "warning"  # the rule's default is unchanged

    text = run_cli("check", ".", "--select", "MLF401", cwd=UC_STAGES).stdout
    assert "(5 errors)" in text


@pytest.mark.integration
def test_evidence_is_named_in_the_message() -> None:
    messages = {(f["path"], f["line"]): f["message"] for f in _json(UC_STAGES, "--select", "MLF401")}
    assert "(registry URI 'databricks-uc' at churn/registry.py:10)" in messages[("churn/promote.py", 7)]
    assert "(model name 'main.ml.churn')" in messages[("churn/serve.py", 7)]
    assert "(model name 'main.ml.churn')" in messages[("scripts/serve_production.sh", 4)]


@pytest.mark.integration
def test_a_configured_severity_override_wins_over_the_escalation(tmp_path: Path) -> None:
    project = write_files(tmp_path / "p", {".mlflow-lint.yaml": "severity: {MLF401: note}\n"})
    for path in UC_STAGES.rglob("*"):
        if path.is_file():
            write_files(project, {path.relative_to(UC_STAGES).as_posix(): path.read_bytes()})
    rows = [f for f in _json(project) if f["rule"] == "MLF401"]
    assert len(rows) == 5 and {f["severity"] for f in rows} == {"note"}
    sarif = json.loads(run_cli("check", ".", "--format", "sarif", cwd=project).stdout)
    assert {r["level"] for r in sarif["runs"][0]["results"] if r["ruleId"] == "MLF401"} == {"note"}


@pytest.mark.parametrize(
    ("name", "escalated"),
    [
        ('"main.ml.churn"', True),
        ('f"{catalog}.{schema}.churn"', True),
        ('CATALOG + ".ml.churn"', True),
        ('"churn"', False),
        ('"ml.churn"', False),  # two levels: the workspace registry or a UC default catalog
        ('"a.b.c.d"', False),
        ('"main.ml.churn-v2"', False),  # not an identifier: not a Unity Catalog name
        ("name", False),  # unknown
    ],
)
def test_a_three_level_model_name_is_evidence_of_unity_catalog(name: str, escalated: bool) -> None:
    source = f"""\
from mlflow import MlflowClient

CATALOG = "main"
client = MlflowClient()


def stage(name: str, catalog: str, schema: str) -> None:
    client.transition_model_version_stage({name}, "3", "Staging")
"""
    found = [f for f in lint_source(source) if f.rule == "MLF401"]
    assert len(found) == 1
    assert found[0].level == ("error" if escalated else None)


def test_stage_uris_read_the_model_name_and_current_stage_reads_only_the_registry() -> None:
    source = """\
import mlflow

model = mlflow.pyfunc.load_model("models:/main.ml.churn/Production")
other = mlflow.pyfunc.load_model("models:/churn/Production")
"""
    assert [(f.line, f.level) for f in lint_source(source) if f.rule == "MLF401"] == [(3, "error"), (4, None)]
    compare = 'import mlflow\n\nselected = [v for v in mlflow.search_model_versions() if v.current_stage == "Production"]\n'
    assert [f.level for f in lint_source(compare) if f.rule == "MLF401"] == [None]


@pytest.mark.parametrize(
    ("registry", "escalated"),
    [
        ('mlflow.set_registry_uri("databricks-uc")', True),
        ('mlflow.set_registry_uri("databricks-uc://prod-profile")', True),
        ('mlflow.set_registry_uri("uc:http://localhost:8080")', True),  # OSS Unity Catalog
        ('client = MlflowClient(registry_uri="databricks-uc")', True),
        ('os.environ["MLFLOW_REGISTRY_URI"] = "databricks-uc"', True),
        ('mlflow.set_registry_uri("databricks")', False),  # the workspace registry
        ('mlflow.set_tracking_uri("databricks")', False),  # the registry may be set elsewhere
        ('os.environ.get("MLFLOW_REGISTRY_URI", "databricks-uc")', False),  # read, not set
        ('mlflow.set_registry_uri("databricks-uc" if on_uc else "databricks")', False),  # a choice
    ],
)
def test_a_registry_uri_set_in_the_same_file(registry: str, escalated: bool) -> None:
    source = f"import os\n\nimport mlflow\nfrom mlflow import MlflowClient\n\non_uc = True\n{registry}\n\n{STAGE_CALLS}"
    found = [f for f in lint_source(source) if f.rule == "MLF401"]
    assert [f.level for f in found] == ["error" if escalated else None]


def test_project_registry_uris_escalate_only_when_all_are_unity_catalog(tmp_path: Path) -> None:
    project = write_files(
        tmp_path / "p",
        {
            "pyproject.toml": "[project]\nname = 'p'\n",
            "setup_registry.py": 'import mlflow\n\nmlflow.set_registry_uri("databricks-uc")\n',
            "promote.py": STAGE_CALLS,
        },
    )
    assert _levels(project) == [("promote.py", 7, "error")]
    (project / "legacy.py").write_text('import mlflow\n\nmlflow.set_registry_uri("databricks")\n')
    assert _levels(project) == [("promote.py", 7, "default")]  # either registry: not known


def test_a_stage_uri_passed_to_a_helper_keeps_its_escalation_at_the_call(tmp_path: Path) -> None:
    project = write_files(
        tmp_path / "p",
        {
            "pyproject.toml": "[project]\nname = 'p'\n",
            "loader.py": "import mlflow\n\n\ndef load(uri: str):\n    return mlflow.pyfunc.load_model(uri)\n",
            "serve.py": 'from loader import load\n\nmodel = load("models:/main.ml.churn/Production")\n',
        },
    )
    result = lint_paths([project], Config(root=project), all_rules(), cwd=project, jobs=1)
    found = [(f.path, f.line, f.level) for f in result.findings if f.rule == "MLF401"]
    assert found == [("serve.py", 3, "error")]


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_warm_run_flips_when_another_file_starts_setting_a_unity_catalog_registry(tmp_path: Path, jobs: int) -> None:
    project = write_files(
        tmp_path / "p",
        {
            "pyproject.toml": "[project]\nname = 'p'\n",
            "config.py": 'import mlflow\n\nmlflow.set_tracking_uri("databricks")\n',
            "promote.py": STAGE_CALLS,
        },
    )
    cache = tmp_path / "cache"
    assert _levels(project, cache_dir=cache, jobs=jobs) == [("promote.py", 7, "default")]
    (project / "config.py").write_text('import mlflow\n\nmlflow.set_tracking_uri("databricks")\nmlflow.set_registry_uri("databricks-uc")\n')
    assert _levels(project, cache_dir=cache, jobs=jobs) == [("promote.py", 7, "error")]
    (project / "config.py").write_text('import mlflow\n\nmlflow.set_registry_uri("databricks")\n')
    assert _levels(project, cache_dir=cache, jobs=jobs) == [("promote.py", 7, "default")]


@pytest.mark.integration
def test_selecting_only_mlf401_still_reads_the_project_facts(tmp_path: Path) -> None:
    project = write_files(
        tmp_path / "p",
        {
            "pyproject.toml": "[project]\nname = 'p'\n",
            "setup_registry.py": 'import mlflow\n\nmlflow.set_registry_uri("databricks-uc")\n',
            "promote.py": STAGE_CALLS,
        },
    )
    for args in (["--no-cache"], ["--jobs", "2"], []):
        rows = _json(project, "--select", "MLF401", *args)
        assert [(f["path"], f["line"], f["severity"]) for f in rows] == [("promote.py", 7, "error")], args


# ------------------------------------------------------------------ MLF101 MLFLOW_ALLOW_FILE_STORE
@pytest.mark.parametrize(
    ("value", "flagged"),
    [("true", True), ("TRUE", True), ("1", True), ("false", False), ("0", False), ("yes", False), ("", False)],
)
def test_allow_file_store_is_reported_only_when_it_turns_the_file_store_on(value: str, flagged: bool) -> None:
    env = f"MLFLOW_ALLOW_FILE_STORE={value}\n"
    python = f'import os\n\nimport mlflow\n\nos.environ["MLFLOW_ALLOW_FILE_STORE"] = "{value}"\n'
    for source, filename in ((env, ".env"), (python, "jobs.py")):
        found = [f for f in lint_source(source, filename) if f.rule == "MLF101"]
        assert len(found) == (1 if flagged else 0), (filename, value)
        if flagged:
            assert "raises without it since MLflow 3.13" in found[0].message


def test_reading_allow_file_store_or_an_unknown_value_is_clean() -> None:
    source = """\
import os

import mlflow

allowed = os.environ.get("MLFLOW_ALLOW_FILE_STORE", "true")
os.environ["MLFLOW_ALLOW_FILE_STORE"] = os.environ["LEGACY_FLAG"]
"""
    assert [f for f in lint_source(source) if f.rule == "MLF101"] == []


def test_a_shell_fallback_that_turns_it_on_is_reported() -> None:
    script = "#!/bin/sh\nexport MLFLOW_ALLOW_FILE_STORE=${MLFLOW_ALLOW_FILE_STORE:-true}\nmlflow run .\n"
    assert [(f.line, f.rule) for f in lint_source(script, "train.sh") if f.rule == "MLF101"] == [(2, "MLF101")]


@pytest.mark.integration
def test_the_file_store_fixture_messages() -> None:
    rows = [f for f in _json(FILE_STORE) if f["rule"] == "MLF101"]
    assert [(f["path"], f["line"]) for f in rows] == [(".env", 2), ("docker-compose.yml", 12), ("jobs/backfill.py", 6)]
    assert all("file store" in f["message"] and "3.13" in f["message"] for f in rows)


# ------------------------------------------------------------------ MLF201 local default
def test_mlf201_says_when_the_store_is_mlflows_local_default() -> None:
    default = lint_source('import mlflow\n\nmlflow.set_tracking_uri("sqlite:///mlflow.db")\n')
    other = lint_source('import mlflow\n\nmlflow.set_tracking_uri("sqlite:////srv/mlflow/runs.db")\n')
    assert "MLflow's local default since 3.7, not a shared store" in next(f.message for f in default if f.rule == "MLF201")
    assert "a local file, not a shared store" in next(f.message for f in other if f.rule == "MLF201")
    server = lint_source("#!/bin/sh\nmlflow server --host 127.0.0.1 --port 5000\n", "serve.sh")
    message = next(f.message for f in server if f.rule == "MLF201")
    assert "MLflow's local default (./mlruns before 3.7, sqlite:///mlflow.db since)" in message  # whichever release serves


@pytest.mark.parametrize("flag", ["--backend-store-uri=${STORE}", "--backend-store-uri ${STORE}"])
def test_a_flag_given_a_variable_is_named_once_in_the_message(flag: str) -> None:
    """``--flag=$X`` is one word: the message names it as written, not the reference twice."""
    dockerfile = f"FROM ghcr.io/mlflow/mlflow:v3.4.0\nENV STORE=sqlite:////m.db\nCMD mlflow server --host 127.0.0.1 {flag}\n"
    [finding] = [f for f in lint_source(dockerfile, "Dockerfile") if f.rule == "MLF201"]
    assert f"mlflow server {flag} uses a SQLite store ('sqlite:////m.db')" in finding.message
