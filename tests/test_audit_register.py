"""The audit's judgement: register ids, waivers as evidence, verdicts, risk and the backlog.

The fixture ``tests/fixtures/audit/waivers`` holds one of each waiver: a reasoned and an
unreasoned ``# noqa``, per-file ignores with and without a reason, a baseline entry, a
shadow-mode rule, an excluded directory, test-only gaps, and a site decided at run time.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from mlflow_lint.audit import scoring
from mlflow_lint.context import code_context
from mlflow_lint.findings import register_ids

from .conftest import FIXTURES, run_cli

AUDIT = FIXTURES / "audit"
EPOCH = {"SOURCE_DATE_EPOCH": "1735689600"}


def _copy(name: str, destination: Path) -> Path:
    target = destination / name
    shutil.copytree(AUDIT / name, target, ignore=shutil.ignore_patterns("__pycache__", ".mlflow_lint_cache"))
    return target


def _audit(project: Path, *args: str) -> dict[str, Any]:
    result = run_cli("audit", ".", "--format", "json", *args, cwd=project, env=EPOCH)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def _pillar(document: dict[str, Any], number: int) -> dict[str, Any]:
    return next(p for p in document["pillars"] if p["pillar"] == number)


def _gaps(document: dict[str, Any]) -> list[dict[str, Any]]:
    gaps = [gap for p in document["pillars"] for gap in (*p["gaps"], *p["deviations"])]
    return gaps + document["analysis_findings"] + document["migration_findings"]


@pytest.fixture(scope="module")
def waivers(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    project = _copy("waivers", tmp_path_factory.mktemp("register"))
    return _audit(project, "--baseline", "baseline.json")


# ---------------------------------------------------------------------------- verdicts
@pytest.mark.integration
def test_reasoned_waivers_make_a_pillar_deviation_justified(waivers: dict[str, Any]) -> None:
    consume = _pillar(waivers, 6)
    assert consume["verdict"] == scoring.DEVIATION
    reasons = sorted(gap["waiver"]["reason"] for gap in consume["deviations"])
    assert reasons == [
        "offline evaluation notebooks compare candidate runs before registration",
        "shadow traffic scores the candidate run before it is registered",
    ]
    assert all(gap["status"] == "justified deviation" for gap in consume["deviations"])
    # The pinned version the baseline accepted (a note, in shadow mode) is still open.
    assert [(gap["rule"], gap.get("baseline")) for gap in consume["gaps"]] == [("MLF603", "accepted")]


@pytest.mark.integration
def test_an_unexplained_waiver_is_a_gap(waivers: dict[str, Any]) -> None:
    registry = _pillar(waivers, 4)
    assert registry["verdict"] == scoring.CRITICAL
    [gap] = registry["gaps"]
    assert (gap["rule"], gap["status"], gap["waiver"]["source"]) == ("MLF402", "unexplained waiver", "# noqa: MLF402")
    tracking = _pillar(waivers, 1)  # per-file-ignores "scratch/*.py" = ["MLF101"]: no reason
    assert [(g["rule"], g["status"], g["waiver"]["kind"]) for g in tracking["gaps"]] == [
        ("MLF101", "unexplained waiver", "per-file-ignore")
    ]
    assert waivers["summary"]["unexplained_waivers"] == 2 and waivers["summary"]["justified_deviations"] == 2


@pytest.mark.integration
def test_a_pillar_decided_at_run_time_is_not_assessed(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n', encoding="utf-8")
    (tmp_path / "track.py").write_text('import os\n\nimport mlflow\n\nmlflow.set_tracking_uri(os.environ["MLFLOW_TRACKING_URI"])\n', encoding="utf-8")
    document = _audit(tmp_path)
    tracking = _pillar(document, 1)
    assert tracking["verdict"] == scoring.NOT_ASSESSED and tracking["score"] is None
    assert tracking["not_assessed"] == "every site is decided at run time" and tracking["runtime_sites"] == 1
    assert any("decided at run time" in line for line in document["cannot_see"]["this_run"])
    # The same project with a literal URI is judged.
    (tmp_path / "track.py").write_text('import mlflow\n\nmlflow.set_tracking_uri("https://mlflow.example.com")\n', encoding="utf-8")
    assert _pillar(_audit(tmp_path), 1)["verdict"] == scoring.COMPLIANT


@pytest.mark.integration
def test_a_pillar_of_what_the_project_never_does_is_not_assessed(tmp_path: Path) -> None:
    """No registry operation: pillar 4 has nothing to judge (not "compliant 100/100"); where
    the code sets no URI and starts no server, pillars 1 and 7 are still judged."""
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n', encoding="utf-8")
    (tmp_path / "train.py").write_text(
        'import mlflow\n\nwith mlflow.start_run(tags={"team": "a"}):\n    mlflow.log_metric("x", 1.0)\n', encoding="utf-8"
    )
    document = _audit(tmp_path)
    registry, consumption = _pillar(document, 4), _pillar(document, 6)
    assert registry["verdict"] == scoring.NOT_ASSESSED and registry["not_assessed"] == "no registry operation found"
    assert consumption["not_assessed"] == "no model or artifact is loaded or served and no prompt is loaded from the registry"
    assert _pillar(document, 1)["verdict"] == _pillar(document, 7)["verdict"] == scoring.COMPLIANT
    # A run that logs a metric logs no model and no data: nothing of lineage to judge.
    lineage = _pillar(document, 8)
    assert lineage["verdict"] == scoring.NOT_ASSESSED
    assert lineage["not_assessed"] == "no model is logged in code and no run logs a model or an input dataset"
    (tmp_path / "promote.py").write_text(
        'from mlflow import MlflowClient\n\nMlflowClient().set_registered_model_alias("churn", "challenger", "3")\n', encoding="utf-8"
    )
    assert _pillar(_audit(tmp_path), 4)["verdict"] == scoring.COMPLIANT
    (tmp_path / "fit.py").write_text(
        "import mlflow\n\nmlflow.autolog()\nwith mlflow.start_run():\n    model.fit(X, y)\n", encoding="utf-8"
    )
    lineage = _pillar(_audit(tmp_path), 8)
    [row] = lineage["evidence"]["run_lineage"]
    assert (row["path"], row["logs_model"], row["logs_input"]) == ("fit.py", "autolog", "autolog")


def test_verdict_order() -> None:
    assert scoring.verdict({"warning": 1}, True, {"error": 1}) == scoring.GAPS
    assert scoring.verdict({"note": 2}, True, {"warning": 1}) == scoring.DEVIATION
    assert scoring.verdict({"note": 2}, True, {"note": 1}) == scoring.COMPLIANT
    assert scoring.verdict({}, False, {"error": 1}) == scoring.NOT_ASSESSED


# ---------------------------------------------------------------------------- waivers
@pytest.mark.integration
def test_every_waiver_is_listed(waivers: dict[str, Any]) -> None:
    section = waivers["waivers"]
    entries = {(e["kind"], e["where"]): e for e in section["entries"]}
    assert set(entries) == {
        ("noqa", "src/recsys/promote.py:6"),
        ("noqa", "src/recsys/serve.py:4"),
        ("per-file-ignore", "per-file-ignores 'notebooks/eval_*.py' = MLF601 in pyproject.toml"),
        ("per-file-ignore", "per-file-ignores 'scratch/*.py' = MLF101 in pyproject.toml"),
    }
    assert entries[("noqa", "src/recsys/promote.py:6")]["justified"] is False
    assert entries[("noqa", "src/recsys/serve.py:4")]["reason"] == "shadow traffic scores the candidate run before it is registered"
    assert section["shadow_rules"] == ["MLF603"]
    assert section["excluded_paths"] == ["legacy"] and section["exclude"] == [{"pattern": "legacy/", "configuration": "pyproject.toml"}]
    assert section["test_code"] == {"findings": 2, "files": 1, "by_rule": {"MLF101": 1, "MLF501": 1}}
    assert waivers["baseline"]["accepted"] == 1 and waivers["baseline"]["new_gaps"] == [
        {key: gap[key] for key in ("id", "rule", "name", "severity", "path", "line", "message", "fingerprint")}
        for gap in _gaps(waivers)
        if gap["status"] != "justified deviation" and "waiver" not in gap and not gap.get("baseline")
    ]


@pytest.mark.integration
def test_the_audit_reports_what_check_reports(tmp_path: Path, waivers: dict[str, Any]) -> None:
    project = _copy("waivers", tmp_path)
    check = run_cli("check", ".", "--format", "json", cwd=project)
    found = json.loads(check.stdout)["findings"]
    open_ids = {gap["id"] for gap in _gaps(waivers) if "waiver" not in gap}
    assert {finding["id"] for finding in found} == open_ids  # the same ids in both
    assert len(found) == waivers["summary"]["findings"]


# ---------------------------------------------------------------------------- ids
@pytest.mark.integration
def test_ids_survive_inserted_lines_and_name_fixed_and_new_gaps(tmp_path: Path) -> None:
    project = _copy("gaps", tmp_path)
    before = _audit(project)
    (project / "before.json").write_text(json.dumps(before), encoding="utf-8")
    ids = sorted(gap["id"] for gap in _gaps(before))
    assert all(re.fullmatch(r"MLF-[0-9a-f]{6,}", gap_id) for gap_id in ids) and len(set(ids)) == len(ids)
    for name in ("pipelines/promote.py", "pipelines/train.py", "serving/app.py"):
        path = project / name
        path.write_text("# moved down by a line\n" + path.read_text(encoding="utf-8"), encoding="utf-8")
    assert sorted(gap["id"] for gap in _gaps(_audit(project))) == ids
    # Load the forecaster by alias instead of from its run, and load another run: one gap
    # fixed, one new, each named by its id.
    app = project / "serving" / "app.py"
    text = app.read_text(encoding="utf-8")
    gone = next(gap for gap in _gaps(before) if gap["path"] == "serving/app.py" and gap["rule"] == "MLF601")
    fixed = text.replace('f"runs:/{RUN_ID}/model"', '"models:/demand-forecaster@champion"')
    assert fixed != text
    app.write_text(fixed + 'mlflow.pyfunc.load_model("runs:/abc/model")\n', encoding="utf-8")
    after = _audit(project, "--compare", "before.json")
    comparison = after["comparison"]
    assert comparison["matched_by"] == "id"
    assert gone["id"] in [gap["id"] for gap in comparison["fixed_gaps"]]
    new = list(comparison["new_gaps"])
    assert [(gap["rule"], gap["path"]) for gap in new] == [("MLF601", "serving/app.py")] and new[0]["id"] not in ids


def test_colliding_ids_are_lengthened() -> None:
    prints = ["abcdef01" + "0" * 24, "abcdef02" + "0" * 24, "123456" + "0" * 26]
    assert register_ids(prints) == ["MLF-abcdef01", "MLF-abcdef02", "MLF-123456"]


# ---------------------------------------------------------------------------- risk and backlog
@pytest.mark.integration
def test_backlog_is_ordered_by_risk_and_groups_identical_gaps(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n', encoding="utf-8")
    models = tmp_path / "src" / "models"
    models.mkdir(parents=True)
    for index in range(3):
        (models / f"m{index}.py").write_text(
            "import mlflow\n\n\ndef log(model):\n    with mlflow.start_run():\n"
            "        mlflow.sklearn.log_model(model, name='model')\n",
            encoding="utf-8",
        )
    (tmp_path / "scripts").mkdir()
    (tmp_path / "scripts" / "load.py").write_text('import mlflow\n\nm = mlflow.pyfunc.load_model("runs:/abc/model")\n', encoding="utf-8")
    (tmp_path / "serve.py").write_text('import mlflow\n\nm = mlflow.pyfunc.load_model("runs:/abc/model")\n', encoding="utf-8")
    document = _audit(tmp_path)
    backlog = document["backlog"]
    risks = [item["risk"] for item in backlog]
    assert risks == sorted(risks, reverse=True) and [item["rank"] for item in backlog] == list(range(1, len(backlog) + 1))
    first = backlog[0]  # a runs:/ load in production code: error × pillar 6 × production
    assert (first["rule"], first["where"], first["risk"]) == ("MLF601", "./", 10 * 2 * 2)
    script = next(item for item in backlog if item["rule"] == "MLF601" and item["where"] == "scripts/")
    assert script["risk"] == 10 * 2 * 1 and script["context"] == "script"
    grouped = next(item for item in backlog if item["rule"] == "MLF801")
    assert grouped["count"] == 3 and grouped["where"] == "src/models/" and grouped["title"].endswith("×3 in src/models/")
    assert grouped["quick_win"] and grouped["key"] in document["quick_wins"]
    assert document["top_risks"] == [item["key"] for item in backlog[:3]]


@pytest.mark.integration
def test_gaps_say_what_to_change_here_with_the_autofix_diff(tmp_path: Path) -> None:
    document = _audit(_copy("gaps", tmp_path))
    by_rule = {gap["rule"]: gap for gap in _gaps(document)}
    tag = by_rule["MLF502"]["fix"]
    assert tag["autofix"] == {
        "safety": "unsafe",
        "diff": ['- mlflow.set_tag("git_commit", os.getenv("GIT_SHA"))', '+ mlflow.set_tag("git_commit", os.getenv("GIT_SHA", "unknown"))'],
    }
    assert by_rule["MLF101"]["fix"] == {"here": "point it at the shared tracking server"}
    assert by_rule["MLF402"]["fix"]["here"].startswith("compare the candidate with the current version")


@pytest.mark.integration
def test_the_headline_explains_a_high_score_with_a_critical_gap(waivers: dict[str, Any]) -> None:
    assert waivers["summary"]["score"] >= 70 and waivers["summary"]["verdict"] == scoring.CRITICAL
    assert waivers["headline"][0].startswith(f"The score is high ({waivers['summary']['score']}/100)")
    assert "MLF402" in waivers["headline"][0]
    assert len(waivers["cannot_see"]["always"]) >= 5


@pytest.mark.parametrize(
    ("path", "notebook", "context"),
    [
        ("src/churn/train.py", False, "production"),
        ("deploy/docker-compose.yml", False, "production"),
        ("scripts/backfill.py", False, "script"),
        ("examples/quickstart/train.py", False, "script"),
        ("notebooks/explore.py", False, "notebook"),
        ("analysis.ipynb", False, "notebook"),
        ("jobs/train.py", True, "notebook"),
    ],
)
def test_code_context(path: str, notebook: bool, context: str) -> None:
    assert code_context(path, notebook) == context


def test_a_databricks_notebook_source_is_a_notebook_for_the_risk(tmp_path: Path) -> None:
    """Its findings name file lines (no cell), yet it is a notebook, as an .ipynb is."""
    from mlflow_lint.audit.register import Register
    from mlflow_lint.catalog import load_catalog
    from mlflow_lint.config import ConfigResolver
    from mlflow_lint.engine import lint_paths
    from mlflow_lint.findings import Finding

    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n')
    (tmp_path / "jobs").mkdir()
    (tmp_path / "jobs" / "explore.py").write_text("# Databricks notebook source\nimport mlflow\n")
    (tmp_path / "jobs" / "train.py").write_text("import mlflow\n")
    findings = [Finding(f"jobs/{name}.py", 2, 1, "MLF501", 2, 5, "m") for name in ("explore", "train")]
    # What the lint read as a notebook, as its evidence says (the audit reads nothing again).
    result = lint_paths([tmp_path], ConfigResolver(load_catalog()), frozenset({"MLF501"}), cwd=tmp_path, jobs=1, evidence=True)
    notebooks = frozenset(module.path for module in result.evidence if module.notebook)
    assert notebooks == {"jobs/explore.py"}
    register = Register(findings, load_catalog(), notebooks=notebooks)
    assert [register.gap(finding)["context"] for finding in findings] == ["notebook", "production"]


@pytest.mark.integration
def test_the_inventory_lists_mlflow_not_the_projects_mlflow_named_code(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n', encoding="utf-8")
    (tmp_path / "mlflow_helpers").mkdir()
    (tmp_path / "mlflow_helpers" / "__init__.py").write_text('import mlflow\n\n\ndef track(x):\n    mlflow.log_metric("x", x)\n', encoding="utf-8")
    (tmp_path / "job.py").write_text(
        "import mlflow\nimport mlflow_helpers\nfrom mlflow_helpers import track as mlflow_track\n\n\n"
        "def mlflow_log(value):\n    return value\n\n\nmlflow_helpers.track(1)\nmlflow_track(2)\nmlflow_log(3)\n"
        'mlflow.log_param("a", 1)\n',
        encoding="utf-8",
    )
    totals = _audit(tmp_path)["inventory"]["api_totals"]
    assert totals == [{"api": "mlflow.log_metric", "count": 1}, {"api": "mlflow.log_param", "count": 1}]


@pytest.mark.integration
def test_a_reason_is_never_read_as_codes(tmp_path: Path) -> None:
    (tmp_path / "serve.py").write_text(
        'import mlflow\n\nm = mlflow.pyfunc.load_model("runs:/abc/model")  # noqa: MLF601: MLF9 review pending, see #12\n',
        encoding="utf-8",
    )
    result = run_cli("check", ".", "--extend-select", "MLF001", "--format", "json", cwd=tmp_path)
    assert result.returncode == 0 and json.loads(result.stdout)["findings"] == []


@pytest.mark.integration
def test_two_identical_comments_are_two_waivers(tmp_path: Path) -> None:
    load = 'mlflow.pyfunc.load_model("runs:/abc/model")  # noqa: MLF601 -- shadow scoring\n'
    (tmp_path / "serve.py").write_text(f"import mlflow\n\na = {load}b = {load}", encoding="utf-8")
    entries = _audit(tmp_path)["waivers"]["entries"]
    assert [(e["where"], len(e["ids"]), e["justified"]) for e in entries] == [("serve.py:3", 1, True), ("serve.py:4", 1, True)]


# ---------------------------------------------------------------------------- the diff of a large fixed file
def _apply_replacements(old: list[str], new: list[str], blocks: list[tuple[int, int, int, int]]) -> list[str]:
    result, at = [], 0
    for i1, i2, j1, j2 in blocks:
        result += old[at:i1] + new[j1:j2]
        at = i2
    return result + old[at:]


def test_the_replaced_ranges_of_a_small_file_are_difflibs() -> None:
    import difflib

    from mlflow_lint.audit.autofix import _replaced

    old = ["import mlflow", "a = 1", "b = 2", "a = 1", "c = 3"]
    new = ["import os", "import mlflow", "a = 1", "b = 20", "a = 1", "c = 3"]
    expected = [(i1, i2, j1, j2) for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes() if tag != "equal"]
    assert _replaced(old, new) == expected
    # What a small file's blocks say: applied to the old lines, they give the new ones.
    assert _apply_replacements(old, new, _replaced(old, new)) == new
    assert _replaced(old, new) == [(0, 0, 0, 1), (2, 3, 3, 4)]  # the added import, then b = 2 -> 20


def test_only_the_window_between_the_equal_head_and_tail_is_matched() -> None:
    """The matcher is given the lines between the equal head and tail (over a whole file
    it compared every pair of its blank lines): the ranges are the file's, and they give
    the new lines back."""
    import difflib

    from mlflow_lint.audit.autofix import _replaced

    body = [line for i in range(300) for line in (f"def f{i}():", "    return mlflow.active_run()", "")]
    old = ["import mlflow", "", *body, "client.transition_model_version_stage('m', 1, 'Production')", "", *body]
    new = ["import mlflow", "", *body, "client.set_registered_model_alias('m', 'production', 1)", "", *body]
    blocks = _replaced(old, new)
    assert blocks == [(902, 903, 902, 903)]
    assert _apply_replacements(old, new, blocks) == new
    whole = [(i1, i2, j1, j2) for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes() if tag != "equal"]
    assert blocks == whole


def test_a_large_repetitive_file_is_aligned_line_by_line() -> None:
    """Thousands of repeated lines made difflib's matcher take minutes (the hostile
    benchmark's 25k-finding audit); past a size the lines are paired in place, the lines a
    fix adds at the top taken where the difference starts."""
    from mlflow_lint.audit.autofix import _replaced

    patterns = ["client.transition_model_version_stage('m', 1, 'Production')", "mlflow.set_tag('a', 'b')", "x = 1"]
    old = ["import mlflow"] + [patterns[i % 3] for i in range(6_000)]
    new = ["import mlflow", "import os"] + [
        "client.set_registered_model_alias('m', 'production', 1)" if i % 3 == 0 else patterns[i % 3] for i in range(6_000)
    ]
    blocks = _replaced(old, new)
    assert _apply_replacements(old, new, blocks) == new
    assert blocks[0] == (1, 2, 1, 3)  # the import, with the rewrite on the next line
    assert len(blocks) == 2_000 and all(i2 - i1 == 1 for i1, i2, _, _ in blocks)


def test_the_autofix_column_runs_within_a_budget_of_files_and_findings() -> None:
    """In the order of their names, a file's fixes run while the run stays within 20
    files and 1,000 fixable findings: a generated module of thousands of findings is left
    out (the report names the command instead), and the smaller files after it are not."""
    from mlflow_lint.audit.autofix import MAX_FIXED_FILES, MAX_FIXED_FINDINGS, _left_out
    from mlflow_lint.findings import Finding

    def findings(path: str, count: int) -> list[Finding]:
        return [Finding(path, line, 1, "MLF902", line, 2, "m") for line in range(1, count + 1)]

    small = {f"src/m{i:02d}.py": findings(f"src/m{i:02d}.py", 3) for i in range(MAX_FIXED_FILES + 5)}
    assert _left_out(small) == sorted(small)[MAX_FIXED_FILES:]
    generated = {"a_generated.py": findings("a_generated.py", MAX_FIXED_FINDINGS + 1), "b.py": findings("b.py", 2)}
    assert _left_out(generated) == ["a_generated.py"]
    both = {"a.py": findings("a.py", MAX_FIXED_FINDINGS - 1), "b.py": findings("b.py", 2), "c.py": findings("c.py", 1)}
    assert _left_out(both) == ["b.py"]
