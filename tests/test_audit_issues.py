"""``mlflow-lint audit --issues``: one issue per backlog group, as JSON for a script (valid
against ``schemas/audit-issues.schema.json``) or as Markdown.

The gaps fixture gives the issues' labels, ids, evidence and closing criteria, checked
against the backlog and against ``check --format json``'s ids; a line inserted at the top
of a file changes no id and no key; a synthetic group of 20,000 gaps with hostile
messages proves the body's cap and its escaping.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from mlflow_lint.audit.issues import KEY_PREFIX, MAX_BODY, build_issues, render_issues

from .conftest import FIXTURES, ROOT, run_cli

EPOCH = "1735689600"  # 2025-01-01T00:00:00Z
SCHEMA = json.loads((ROOT / "schemas" / "audit-issues.schema.json").read_text(encoding="utf-8"))


def _copy(name: str, destination: Path) -> Path:
    target = destination / name
    shutil.copytree(FIXTURES / "audit" / name, target, ignore=shutil.ignore_patterns("__pycache__"))
    return target


def _audit(project: Path, *args: str, expect: int = 0) -> str:
    result = run_cli("audit", *args, cwd=project, env={"SOURCE_DATE_EPOCH": EPOCH})
    assert result.returncode == expect, result.stderr
    return result.stderr


def _validate(exported: dict[str, Any]) -> None:
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    jsonschema.Draft202012Validator(SCHEMA).validate(exported)


@pytest.fixture(scope="module")
def gaps(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any], dict[str, Any]]:
    """The gaps fixture audited once: the project, the issues export and the audit JSON."""
    project = _copy("gaps", tmp_path_factory.mktemp("issues"))
    stderr = _audit(project, ".", "--issues", "out/issues.json", "-o", "out/audit.json")
    assert "wrote out/issues.json" in stderr
    exported = json.loads((project / "out" / "issues.json").read_text(encoding="utf-8"))
    return project, exported, json.loads((project / "out" / "audit.json").read_text(encoding="utf-8"))


@pytest.mark.integration
def test_export_validates_and_has_one_issue_per_backlog_group(gaps: tuple[Path, dict[str, Any], dict[str, Any]]) -> None:
    _, exported, document = gaps
    _validate(exported)
    assert (exported["format"], exported["format_version"]) == ("mlflow-lint-audit-issues", 1)
    assert exported["project"] == "legacy-forecasting" and exported["date"] == "2025-01-01T00:00:00Z"
    backlog = document["backlog"]
    assert len(exported["issues"]) == len(backlog) == 23
    for issue, group in zip(exported["issues"], backlog, strict=True):
        assert (issue["key"], issue["ids"], issue["rank"], issue["risk"]) == (group["key"], group["ids"], group["rank"], group["risk"])
        assert issue["labels"] == ["mlflow-lint", f"pillar-{group['pillar']}", f"severity-{group['severity']}"]
        assert issue["title"] == f"[mlflow-lint] {group['title']}"
        assert len(issue["body"]) < 65_536


@pytest.mark.integration
def test_issue_body_has_the_evidence_the_fix_and_the_closing_criteria(gaps: tuple[Path, dict[str, Any], dict[str, Any]]) -> None:
    _, exported, document = gaps
    gaps_by_id = {gap["id"]: gap for pillar in document["pillars"] for gap in pillar["gaps"]}
    issue = next(issue for issue in exported["issues"] if issue["key"] == "MLF402 pipelines/")
    assert issue["title"] == "[mlflow-lint] MLF402 unguarded-promotion ×2 in pipelines/"
    assert (issue["pillar"], issue["pillar_name"], issue["severity"]) == (4, "registry as promotion boundary", "error")
    body = issue["body"]
    assert body.startswith("**MLF402 `unguarded-promotion`** · pillar 4, registry as promotion boundary · ❌ error")
    assert "**What:** Protected alias moved, or a version copied into a protected model, without a metric gate." in body
    assert "https://mlflow-lint.github.io/mlflow-lint/rules/MLF402/" in body  # the rule's documentation
    for gap_id in issue["ids"]:
        gap = gaps_by_id[gap_id]
        assert f"- `{gap['path']}:{gap['line']}` · {gap_id} — " in body
    assert "At each site: compare the candidate with the current version" in body
    assert "Use instead:\n\n```python\n" in body
    assert f"`mlflow-lint check --format json` reports none of: {', '.join(issue['ids'])} (each finding's `id`)." in body
    assert body.endswith(f"```text\n{KEY_PREFIX}MLF402 pipelines/\n```")
    # A site with an automatic fix shows its change.
    stages = next(issue for issue in exported["issues"] if issue["key"] == "MLF401 pipelines/")["body"]
    assert "  ```diff\n  - client.transition_model_version_stage(" in stages
    assert "1 of these 2 sites has an automatic fix" in stages  # get_latest_versions has none
    tags = next(issue for issue in exported["issues"] if issue["key"] == "MLF502 pipelines/")["body"]
    assert "There is an automatic fix: `mlflow-lint check --unsafe-fixes` (review the change)." in tags


@pytest.mark.integration
def test_closing_criteria_name_the_ids_check_prints(gaps: tuple[Path, dict[str, Any], dict[str, Any]]) -> None:
    project, exported, _ = gaps
    check = json.loads(run_cli("check", ".", "--format", "json", cwd=project).stdout)
    assert sorted(finding["id"] for finding in check["findings"]) == sorted(
        gap_id for issue in exported["issues"] for gap_id in issue["ids"]
    )


@pytest.mark.integration
def test_markdown_variant_renders_each_issue_under_its_heading(tmp_path: Path) -> None:
    project = _copy("gaps", tmp_path)
    assert "wrote issues.md" in _audit(project, ".", "--issues", "issues.md", "-o", "audit.json")
    markdown = (project / "issues.md").read_text(encoding="utf-8")
    exported = build_issues(json.loads((project / "audit.json").read_text(encoding="utf-8")))
    assert markdown.startswith("# mlflow-lint audit: 23 issues for legacy-forecasting\n")
    headings = re.findall(r"^## (.+)$", markdown, flags=re.M)
    assert len(headings) == len(exported["issues"]) == markdown.count("\n---\n\n## ")
    assert headings[5] == "\\[mlflow-lint\\] MLF402 unguarded-promotion ×2 in pipelines/"
    for section, issue in zip(markdown.split("\n---\n\n## ")[1:], exported["issues"], strict=True):
        labels = ", ".join(f"`{label}`" for label in issue["labels"])
        assert section.split("\n\n", 2)[1:] == [f"Labels: {labels}", issue["body"] + "\n"]


@pytest.mark.integration
def test_ids_and_keys_survive_a_line_inserted_at_the_top(tmp_path: Path) -> None:
    project = _copy("gaps", tmp_path)
    _audit(project, ".", "--issues", str(tmp_path / "before.json"))
    for name in ("pipelines/promote.py", "pipelines/train.py", "serving/app.py"):
        path = project / name
        path.write_text("# a comment moves every line down\n" + path.read_text(encoding="utf-8"), encoding="utf-8")
    _audit(project, ".", "--issues", str(tmp_path / "after.json"))
    before, after = (json.loads((tmp_path / f"{n}.json").read_text(encoding="utf-8"))["issues"] for n in ("before", "after"))
    assert [(i["key"], i["ids"]) for i in before] == [(i["key"], i["ids"]) for i in after]
    moved = next(i for i in after if i["key"] == "MLF402 pipelines/")["body"]
    assert "`pipelines/promote.py:10` · " in moved  # line 9 before: the evidence follows the code


@pytest.mark.integration
def test_unexplained_waivers_are_named_in_the_closing_criteria(tmp_path: Path) -> None:
    project = _copy("waivers", tmp_path)
    _audit(project, ".", "--baseline", "baseline.json", "--issues", "issues.json")
    exported = json.loads((project / "issues.json").read_text(encoding="utf-8"))
    _validate(exported)
    issue = next(issue for issue in exported["issues"] if issue["key"] == "MLF402 src/recsys/")
    assert f"· {issue['ids'][0]} (unexplained waiver) — " in issue["body"]
    assert f"already hidden from `check` but still gaps in the audit: {issue['ids'][0]}." in issue["body"]
    assert "`# noqa: MLF402 -- why`" in issue["body"]


@pytest.mark.integration
def test_migration_issue_takes_its_summary_from_the_catalog(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "train.py").write_text(
        "import mlflow\n\n\ndef evaluate(uri, data):\n"
        "    return mlflow.models.evaluate(uri, data, targets='y', model_type='classifier', baseline_model=uri)\n"
    )
    _audit(tmp_path, ".", "--issues", "issues.json")
    exported = json.loads((tmp_path / "issues.json").read_text(encoding="utf-8"))
    _validate(exported)
    [issue] = exported["issues"]
    assert (issue["rule"], issue["pillar"], issue["pillar_name"]) == ("MLF901", 0, "MLflow-version migration")
    assert issue["labels"] == ["mlflow-lint", "pillar-0", "severity-error"]
    assert "**What:** An MLflow API or keyword that the target MLflow release has removed." in issue["body"]


@pytest.mark.integration
def test_an_unsupported_suffix_or_a_shared_file_is_a_usage_error(tmp_path: Path) -> None:
    stderr = _audit(tmp_path, ".", "--issues", "issues.txt", expect=2)
    assert "'.txt'" in stderr and ".json or .md" in stderr
    assert "names the same file as --output" in _audit(tmp_path, ".", "-o", "a.md", "--summary", "a.md", expect=2)
    assert "names the same file as --summary" in _audit(tmp_path, ".", "--summary", "a.md", "--issues", "a.md", expect=2)
    assert not list(tmp_path.iterdir())  # refused before any analysis or write


@pytest.mark.integration
def test_unwritable_issues_file_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "blocker").write_text("a file, not a directory")
    stderr = _audit(tmp_path, ".", "--issues", "blocker/issues.json", expect=2)
    assert "cannot write issues to blocker/issues.json" in stderr and "Traceback" not in stderr


def _synthetic(count: int) -> dict[str, Any]:
    hostile = "<img src=x onerror=alert(1)> @octo-org/admins [link](http://evil) `tick` |pipe| " * 20
    gaps = [
        {
            "id": f"MLF-{index:08x}",
            "rule": "MLF601",
            "name": "run-uri-model-load",
            "pillar": 6,
            "severity": "error",
            "path": f"src/<b>{index}</b>.py",
            "line": index + 1,
            "message": hostile,
            "status": "open",
            "fix": {"here": hostile, "autofix": {"safety": "unsafe", "diff": ["- ```" + hostile, "+ x"]}},
        }
        for index in range(count)
    ]
    group = {
        "key": "MLF601 src/<b>/", "title": "MLF601 run-uri-model-load ×many in src/<b>/", "rule": "MLF601",
        "name": "run-uri-model-load", "pillar": 6, "severity": "error", "risk": 40, "context": "production",
        "where": "src/<b>/", "count": count, "ids": [gap["id"] for gap in gaps], "fix": "load it by alias",
        "autofix": "unsafe", "rank": 1,
    }  # fmt: skip
    pillar = {"pillar": 6, "name": "consume via alias/version", "principle": "Consumers load `models:/<name>@<alias>`.", "gaps": gaps, "deviations": [], "fix_hints": {}}
    return {"header": {"project": "p", "commit": None, "date": None}, "pillars": [pillar], "backlog": [group]}


def test_a_huge_group_stays_under_the_body_limit_and_is_escaped() -> None:
    exported = build_issues(_synthetic(20_000))
    _validate(exported)
    body = exported["issues"][0]["body"]
    assert len(body) <= MAX_BODY
    assert re.search(r"^- … and \d+ more: the export's `ids` lists every one\.$", body, flags=re.M)
    assert re.search(r"reports none of this issue's 20000 ids .*, MLF-[0-9a-f]{8} … and \d+ more\.$", body, flags=re.M)
    assert body.endswith(f"```text\n{KEY_PREFIX}MLF601 src/<b>/\n```")
    assert len(exported["issues"][0]["ids"]) == 20_000  # the export keeps them all
    prose = re.sub(r"(`+)[^`]*?\1|^ *`{3,}.*?^ *`{3,}$", "", body, flags=re.M | re.S)  # code is literal
    prose = prose.replace("[Rule documentation](", "")  # our own link, the only one
    assert not re.search(r"(?<!\\)[<>@\[\]|]", prose)
    assert "````diff" in body  # the fence outgrows the backticks of the diff
    markdown = render_issues(_synthetic(3), "markdown")
    assert "## \\[mlflow-lint\\] MLF601 run-uri-model-load ×many in src/\\<b\\>/" in markdown


@pytest.mark.integration
def test_a_healthy_project_has_no_issue_and_its_summary_no_risk(tmp_path: Path) -> None:
    project = _copy("healthy", tmp_path)
    _audit(project, ".", "--issues", "issues.json", "--summary", "summary.md")
    exported = json.loads((project / "issues.json").read_text(encoding="utf-8"))
    _validate(exported)
    assert exported["issues"] == []
    summary = (project / "summary.md").read_text(encoding="utf-8")
    assert "✅ 100/100, compliant" in summary and "### Top risks\n\nNo open gap." in summary
    assert "Full report: not written to a file" in summary
    markdown = render_issues(json.loads(json.dumps({"header": {"project": "p"}, "backlog": []})), "markdown")
    assert "No open gap: no issue to create." in markdown
