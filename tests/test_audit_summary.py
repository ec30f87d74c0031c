"""``mlflow-lint audit --summary``: a Markdown summary that always fits a pull-request
comment (at most 60,000 characters), however large the project.

A generated 2,000-file project proves the bound and the truncation notes while the full
JSON report keeps every gap; the gaps fixture, changed after a first audit, proves the
content and the new/fixed gap ids of ``--compare``; a synthetic document with far too
much to say proves the last guard; a hostile directory name proves the escaping.
"""

from __future__ import annotations

import json
import re
import shutil
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from mlflow_lint.audit.markdown import code
from mlflow_lint.audit.summary import MAX_CHARS, fit, render_summary

from .conftest import FIXTURES, run_cli

EPOCH = "1735689600"  # 2025-01-01T00:00:00Z
FILES = 2_000
DIRECTORIES = 20  # 100 files each: every backlog group has more ids than a top risk shows
# Each file: MLF101 (local tracking URI), MLF601 (model from a run), MLF401 (a stage API)
# and MLF402 (a version moved into Production with no metric gate).
MODULE = (
    "import mlflow\n"
    "from mlflow import MlflowClient\n\n"
    'mlflow.set_tracking_uri("./mlruns")\n'
    'model = mlflow.pyfunc.load_model("runs:/{run}/model")\n'
    "client = MlflowClient()\n"
    'client.transition_model_version_stage("model-{index}", 1, "Production")\n'
)
RULES = ("MLF101", "MLF401", "MLF402", "MLF601")


def _audit(project: Path, *args: str, expect: int = 0) -> str:
    result = run_cli("audit", *args, cwd=project, env={"SOURCE_DATE_EPOCH": EPOCH})
    assert result.returncode == expect, result.stderr
    return result.stderr


def _large_project(root: Path) -> Path:
    (root / ".git").mkdir(parents=True)
    for index in range(FILES):
        directory = root / "services" / f"team_{index % DIRECTORIES:02d}" / ("feature_pipeline_components_" * 4 + "stage")
        directory.mkdir(parents=True, exist_ok=True)
        module = MODULE.format(run=f"{index:032x}", index=index)
        (directory / f"module_with_a_long_descriptive_name_number_{index:04d}.py").write_text(module, encoding="utf-8")
    return root


def _all_gaps(document: dict[str, Any]) -> list[dict[str, Any]]:
    gaps = [gap for pillar in document["pillars"] for gap in pillar["gaps"]]
    return gaps + document["analysis_findings"] + document["migration_findings"]


@pytest.mark.integration
def test_summary_of_a_2000_file_project_fits_a_comment_and_the_json_keeps_everything(tmp_path: Path) -> None:
    project = _large_project(tmp_path / "large")
    stderr = _audit(project, ".", "--jobs", "2", "--summary", "summary.md", "--output", "report.json")
    assert "wrote summary.md" in stderr and "wrote report.json" in stderr
    summary = (project / "summary.md").read_text(encoding="utf-8")
    document = json.loads((project / "report.json").read_text(encoding="utf-8"))

    assert len(summary) <= MAX_CHARS
    # The full JSON is complete: every gap of every file, each in exactly one backlog group.
    gaps = _all_gaps(document)
    assert Counter(gap["rule"] for gap in gaps) == dict.fromkeys(RULES, FILES)
    assert len({gap["path"] for gap in gaps}) == FILES
    grouped = [gap_id for group in document["backlog"] for gap_id in group["ids"]]
    assert sorted(grouped) == sorted(gap["id"] for gap in gaps)
    assert document["summary"]["open_gaps"] == len(gaps) == FILES * len(RULES)

    # The top risks are there, each with its first ids, and what was left out is said.
    groups = {group["key"]: group for group in document["backlog"]}
    assert len(document["top_risks"]) == 3
    for position, key in enumerate(document["top_risks"], start=1):
        group = groups[key]
        assert group["count"] == FILES // DIRECTORIES
        line = next(line for line in summary.splitlines() if line.startswith(f"{position}. "))
        assert group["rule"] in line and code(group["where"]) in line
        assert all(gap_id in summary for gap_id in group["ids"][:10])
        assert group["ids"][10] not in summary
    assert summary.count(f"… and {FILES // DIRECTORIES - 10} more\n") == 3
    assert f"… and {len(groups) - 3} more backlog groups in the full report." in summary
    assert summary.rstrip().endswith("Full report: `report.json`.")


@pytest.mark.integration
def test_summary_content_and_what_changed_since_the_compared_report(tmp_path: Path) -> None:
    project = tmp_path / "gaps"
    shutil.copytree(FIXTURES / "audit" / "gaps", project, ignore=shutil.ignore_patterns("__pycache__"))
    _audit(project, ".", "--output", str(tmp_path / "old.json"))
    app = project / "serving" / "app.py"  # fix the run-URI load (MLF601), add a promotion (MLF402)
    app.write_text(app.read_text().replace('load_model(f"runs:/{RUN_ID}/model")', 'load_model("models:/demand-forecaster@champion")'))
    promote = project / "pipelines" / "promote.py"
    promote.write_text(promote.read_text() + '\n\ndef force_release(version):\n    client.set_registered_model_alias(MODEL, "prod", version)\n')
    _audit(project, ".", "--compare", str(tmp_path / "old.json"), "-o", "audit.html", "-o", "audit.json", "--summary", "summary.md")
    summary = (project / "summary.md").read_text(encoding="utf-8")
    document = json.loads((project / "audit.json").read_text(encoding="utf-8"))

    score, verdict = document["summary"]["score"], document["summary"]["verdict"]
    assert summary.startswith(f"## MLflow governance audit: legacy-forecasting — ❌ {score}/100, {verdict}\n")
    assert "27 open gaps (11 errors, 14 warnings, 2 notes)" in summary
    assert "- 11 critical gaps (errors) decide the verdict: fix them first." in summary  # the headline
    rows = [line for line in summary.splitlines() if re.match(r"\| [1-8] \| ", line)]
    assert len(rows) == 8
    for row, pillar in zip(rows, document["pillars"], strict=True):
        counts = pillar["by_severity"]
        assert row.endswith(f"| {pillar['score']}/100 | {counts['error']} | {counts['warning']} | {counts['note']} |")
        assert pillar["verdict"] in row

    groups = {group["key"]: group for group in document["backlog"]}
    risks = summary.split("### Top risks")[1].split("###")[0]
    for key in document["top_risks"]:
        group = groups[key]
        assert f"**{group['rule']} `{group['name']}`**" in risks and ", ".join(group["ids"]) in risks
        assert f"risk {group['risk']}" in risks
    wins = summary.split("### Quick wins")[1].split("###")[0]
    listed = [line for line in wins.splitlines() if line.startswith("- ")]
    assert len(listed) == len(document["quick_wins"]) > 0
    for line, key in zip(listed, document["quick_wins"], strict=True):
        assert line.startswith(f"- {groups[key]['rule']} `{groups[key]['name']}` ")
    assert "`mlflow-lint check --unsafe-fixes`" in wins

    comparison = document["comparison"]
    [new] = comparison["new_gaps"]
    [fixed] = comparison["fixed_gaps"]
    assert (new["rule"], fixed["rule"]) == ("MLF402", "MLF601")
    assert f"- {new['id']} new: MLF402 `unguarded-promotion` at `pipelines/promote.py:{new['line']}`" in summary
    assert f"- {fixed['id']} fixed: MLF601 `run-uri-model-load` at `serving/app.py:{fixed['line']}`" in summary
    assert "1 new gap, 1 fixed gap, 26 unchanged" in summary
    assert "**Waivers:** 0 justified deviations" in summary
    assert summary.rstrip().endswith("Full report: `audit.html`, `audit.json`.")


@pytest.mark.integration
def test_summary_counts_waivers_and_names_the_baseline(tmp_path: Path) -> None:
    project = tmp_path / "waivers"
    shutil.copytree(FIXTURES / "audit" / "waivers", project, ignore=shutil.ignore_patterns("__pycache__"))
    _audit(project, ".", "--baseline", "baseline.json", "--summary", "out/summary.md", "-o", "out/audit.md")
    summary = (project / "out" / "summary.md").read_text(encoding="utf-8")
    assert "**Waivers:** 2 justified deviations (waived with a reason, not counted), 2 unexplained waivers" in summary
    assert "Since the baseline `baseline.json`: 0 new gaps, 1 accepted in it" in summary
    assert "☑️ deviation-justified" in summary
    assert "### Quick wins" not in summary  # none in this project: no empty section


@pytest.mark.integration
def test_summary_escapes_what_comes_from_the_linted_code(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "p<b>@octo-org/admins"\n')
    _audit(tmp_path, ".", "-o", "old.json")
    hostile = tmp_path / "x<img src=y onerror=alert(1)>@octo-org|_*evil*_"
    hostile.mkdir()
    (hostile / "serve.py").write_text('import mlflow\n\nmodel = mlflow.pyfunc.load_model("runs:/abc/model<b>x</b>@octo-org")\n')
    _audit(tmp_path, ".", "--compare", "old.json", "--summary", "summary.md", "-o", "audit.json")
    summary = (tmp_path / "summary.md").read_text(encoding="utf-8")
    assert summary.startswith("## MLflow governance audit: p\\<b\\>\\@octo-org/admins — ")
    assert " new: MLF601 `run-uri-model-load` at `x<img" in summary  # a path: a code span, literal
    assert "model\\<b\\>x\\</b\\>\\@octo-org" in summary  # the message, escaped
    outside_code = re.sub(r"(`+)(?:(?!\1).)+\1", "", summary)  # code spans are literal text
    assert not re.search(r"(?<!\\)[<>@]", outside_code)  # no HTML, no mention: every one escaped
    assert "\\_\\*evil\\*\\_" in outside_code  # no emphasis either (in the headline's location)
    assert "\\|" in summary  # the pipe cannot end a table cell


def test_the_last_guard_cuts_at_a_line_boundary_with_a_note() -> None:
    # No real audit has 5,000 pillars or a 10 kB headline; a document that does must still fit.
    pillar = {"pillar": 1, "name": "n" * 500, "verdict": "gaps", "score": 50, "by_severity": {"error": 1}}
    document = {
        "header": {"project": "p" * 10_000, "files_checked": 1},
        "summary": {"score": 50, "verdict": "gaps", "by_severity": {}},
        "headline": ["`" + "h" * 10_000 + "`"] * 100,
        "pillars": [pillar] * 5_000,
        "backlog": [],
        "top_risks": [],
        "quick_wins": [],
    }
    summary = render_summary(document, ["r" * 10_000] * 100)
    assert len(summary) <= MAX_CHARS
    assert summary.endswith("full report lists everything._\n")
    body = summary.rsplit("\n\n", 1)[0]
    assert body.endswith(" |")  # whole table rows only, then a blank line before the note
    assert fit("short", 100) == "short"
    one_line = fit("x" * 500, 200)  # no line break at all: cut inside the line
    assert len(one_line) <= 200 and one_line.startswith("xxx") and "cut here" in one_line
