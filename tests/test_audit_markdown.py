"""The Markdown audit report (format 2): verdicts, top risks, quick wins, the backlog, the
register's ids, statuses and fixes, justified deviations, waivers and the audit's limits.

Each fixture project is audited once to JSON by the command line; the Markdown is rendered
from that document (``render(document, "markdown")``), as the CLI does, so the assertions
can name the ids and facts the JSON holds instead of copying them.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from mlflow_lint.audit import markdown, render
from mlflow_lint.audit.markdown import code, rich, text

from .conftest import FIXTURES, run_cli

# Every test here runs the installed console script (run_cli): the integration tier (docs/development.md).
pytestmark = pytest.mark.integration

AUDIT = FIXTURES / "audit"
EPOCH = "1735689600"  # 2025-01-01T00:00:00Z


def _copy(name: str, destination: Path) -> Path:
    target = destination / name
    shutil.copytree(AUDIT / name, target, ignore=shutil.ignore_patterns("__pycache__", ".mlflow_lint_cache"))
    return target


def _audit(project: Path, *args: str) -> str:
    result = run_cli("audit", ".", *args, cwd=project, env={"SOURCE_DATE_EPOCH": EPOCH})
    assert result.returncode in (0, 1), result.stderr
    return result.stdout


def _document(project: Path, *args: str) -> dict[str, Any]:
    return json.loads(_audit(project, *args, "--format", "json"))


@pytest.fixture(scope="module")
def waivers(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], str]:
    project = _copy("waivers", tmp_path_factory.mktemp("md-waivers"))
    document = _document(project, "--baseline", "baseline.json")
    return document, render(document, "markdown")


@pytest.fixture(scope="module")
def gaps(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], str]:
    project = _copy("gaps", tmp_path_factory.mktemp("md-gaps"))
    document = _document(project)
    return document, render(document, "markdown")


def _section(report: str, heading: str) -> str:
    """The text under ``heading`` up to the next heading of the same or a higher level."""
    level = len(heading) - len(heading.lstrip("#"))
    start = report.index(f"\n{heading}\n") + 1
    following = re.compile(rf"^#{{1,{level}}} ", re.M)
    end = following.search(report, start + len(heading) + 1)
    return report[start : end.start() if end else len(report)]


def _row(report: str, *needles: str, start: str = "| ") -> str:
    """The one table row that starts with ``start`` and holds every needle."""
    rows = [line for line in report.splitlines() if line.startswith(start) and all(n in line for n in needles)]
    assert len(rows) == 1, (needles, rows)
    return rows[0]


def _all_gaps(document: dict[str, Any]) -> list[dict[str, Any]]:
    gaps = [gap for pillar in document["pillars"] for gap in (*pillar["gaps"], *pillar["deviations"])]
    return gaps + document["analysis_findings"] + document["migration_findings"]


# ---------------------------------------------------------------------------- order and verdict
def test_verdict_and_top_risks_come_first(waivers: tuple[dict[str, Any], str]) -> None:
    document, report = waivers
    headings = [
        "## Scorecard",
        "## Top risks",
        "### Quick wins",
        "## Since the baseline",
        "## Prioritised backlog",
        "## 1. Centralised tracking",
        "## 8. Data & model lineage",
        "## Waivers and deviations",
        "## What this audit cannot see",
        "## Inventory",
    ]
    positions = [report.index(f"\n{heading}\n") for heading in headings]
    assert positions == sorted(positions)
    overall = report.index("**Overall: ❌ ")
    assert overall < positions[0]
    summary = document["summary"]
    assert f"{summary['open_gaps']} open gaps" in report[overall : positions[0]]
    assert f"{summary['justified_deviations']} justified deviations (not counted)" in report[overall : positions[0]]
    for sentence in document["headline"]:
        assert f"\n- {rich(sentence)}\n" in report[overall : positions[0]]


def test_deviation_justified_verdict_and_its_reasons(waivers: tuple[dict[str, Any], str]) -> None:
    document, report = waivers
    pillar = document["pillars"][5]
    assert pillar["verdict"] == "deviation-justified"
    assert "☑️ deviation-justified" in _row(_section(report, "## Scorecard"), start="| 6 | [")
    section = _section(report, "## 6. Consume via alias/version")
    assert section.count("**☑️ deviation-justified**") == 1
    deviations = _section(section, f"### Justified deviations ({len(pillar['deviations'])})")
    for gap in pillar["deviations"]:
        row = _row(deviations, code(gap["id"]))
        assert text(gap["waiver"]["reason"]) in row and code(f"{gap['path']}:{gap['line']}") in row
    # The waived evidence rows carry their reasons too.
    evidence = _section(section, "### Evidence")
    waived = [row for row in pillar["evidence"]["model_load"] if row["status"] == "waived"]
    assert waived and all(f"☑️ waived with a reason MLF601: {text(row['waived'])}" in evidence for row in waived)


def test_unexplained_noqa_is_a_gap_with_its_id_and_comment(waivers: tuple[dict[str, Any], str]) -> None:
    document, report = waivers
    (gap,) = [g for g in _all_gaps(document) if g.get("waiver", {}).get("kind") == "noqa" and not g["waiver"]["reason"]]
    assert gap["status"] == "unexplained waiver" and gap["rule"] == "MLF402"
    row = _row(_section(report, "## 4. Registry as promotion boundary"), code(gap["id"]))
    assert f"**⚠️ Waived without a reason** by {code(gap['waiver']['source'])}: counts as a gap." in row
    assert "❌ error" in row and text(gap["fix"]["here"]) in row
    # ...in the waivers section, and first among the top risks.
    waiver = _row(_section(report, "## Waivers and deviations"), code(gap["id"]))
    assert "noqa comment" in waiver and "no reason given: counts as a gap" in waiver
    top = _section(report, "## Top risks")
    assert top.index(code(gap["id"])) < top.index("2. ")
    assert f"by {code(gap['waiver']['source'])}: counts as a gap" in top


def test_baseline_and_shadow_statuses_are_marked(waivers: tuple[dict[str, Any], str]) -> None:
    document, report = waivers
    (gap,) = [g for g in _all_gaps(document) if g.get("baseline") == "accepted"]
    row = _row(_section(report, "## 6. Consume via alias/version"), code(gap["id"]))
    assert "_Accepted in the baseline" in row and "_Shadow rule: reported, never failing CI._" in row
    backlog = _row(_section(report, "## Prioritised backlog"), code(gap["id"]))
    assert "| accepted in the baseline, shadow rule (never fails CI) |" in backlog


def test_waivers_section_lists_every_kind_of_waiver(waivers: tuple[dict[str, Any], str]) -> None:
    document, report = waivers
    section = _section(report, "## Waivers and deviations")
    entries = document["waivers"]["entries"]
    assert f"### Waivers ({len(entries)})" in section
    for entry in entries:
        row = _row(section, *(code(i) for i in entry["ids"]))
        assert (f"☑️ {text(entry['reason'])}" if entry["justified"] else "**⚠️ no reason given: counts as a gap**") in row
    per_file = _section(section, "### Per-file-ignores configured (2)")
    assert "⚠️ no reason given" in _row(per_file, code("scratch/*.py"))
    assert "offline evaluation notebooks" in _row(per_file, code("notebooks/eval_*.py"))
    assert "Reported, never failing CI: [MLF603](" in section and "(1 open gap in this report)" in section
    not_audited = _section(section, "### Not audited")
    assert f"Configured exclusions: {code('legacy/')} (in {code('pyproject.toml')})" in not_audited
    assert f"(1 path, not audited): {code('legacy')}" in not_audited
    assert (
        "2 findings in 1 test file are not governance targets, by policy; "
        f"{code('mlflow-lint check --include-tests')} shows them. By rule: MLF101 ×1, MLF501 ×1." in section
    )
    assert "### Baseline" in section and "a baseline records debt, it does not justify it" in section


def test_cannot_see_lists_both_kinds_of_limit(waivers: tuple[dict[str, Any], str]) -> None:
    document, report = waivers
    section = _section(report, "## What this audit cannot see")
    limits = document["cannot_see"]
    assert limits["this_run"] and limits["always"]
    assert section.index("**In this run**") < section.index("**Never, by static analysis**")
    for line in limits["this_run"] + limits["always"]:
        assert f"- {rich(line)}\n" in section
    assert f"left out by {code('exclude')}" in section


# ---------------------------------------------------------------------------- backlog
def test_backlog_is_in_risk_order_with_the_formula(gaps: tuple[dict[str, Any], str]) -> None:
    document, report = gaps
    section = _section(report, "## Prioritised backlog")
    assert code(document["scoring"]["risk_formula"]) in section
    rows = [line for line in section.splitlines() if re.match(r"\| \d+ \| \d+ \|", line)]
    assert [row.split(" | ")[0] for row in rows] == [f"| {item['rank']}" for item in document["backlog"]]
    risks = [int(row.split(" | ")[1]) for row in rows]
    assert risks == [item["risk"] for item in document["backlog"]] and risks == sorted(risks, reverse=True)
    grouped = next(item for item in document["backlog"] if item["count"] > 1)
    row = rows[grouped["rank"] - 1]
    assert f"{code(grouped['where'])} ×{grouped['count']}" in row
    assert all(code(gap_id) in row for gap_id in grouped["ids"][: markdown.IDS_SHOWN])


def test_group_whose_gaps_need_different_fixes_shows_theirs(gaps: tuple[dict[str, Any], str]) -> None:
    document, report = gaps
    item = next(i for i in document["backlog"] if i["key"] == "MLF401 pipelines/")
    members = [g for g in _all_gaps(document) if g["id"] in item["ids"]]
    assert len({g["fix"]["here"] for g in members}) == 2 and (item["autofix"], item["autofixes"]) == ("unsafe", 1)
    row = _row(_section(report, "## Prioritised backlog"), code(item["ids"][0]))
    assert all(text(g["fix"]["here"]) in row for g in members) and text(item["fix"]) in row
    assert row.endswith("| autofix (unsafe: review) for 1 of 2 |")


def test_top_risks_and_quick_wins(gaps: tuple[dict[str, Any], str]) -> None:
    document, report = gaps
    items = {item["key"]: item for item in document["backlog"]}
    top = _section(report, "## Top risks")
    numbered = re.findall(r"^(\d)\. \*\*(.+?)\*\* (.+?): (.+)$", top, flags=re.M)
    assert [number for number, *_ in numbered] == ["1", "2", "3"]
    for (_, rule, where, facts), key in zip(numbered, document["top_risks"], strict=True):
        item = items[key]
        assert rule.startswith(f"[{item['rule']}](") and code(item["locations"][0]) in where
        assert f"risk {item['risk']}" in facts and "❌ error" in facts
        assert f"Gap: {code(item['ids'][0])}" in top and f"Fix: {text(item['fix'])}" in top
    wins = _section(report, "### Quick wins")
    lines = [line for line in wins.splitlines() if line.startswith("- **")]
    assert len(lines) == len(document["quick_wins"])
    for line, key in zip(lines, document["quick_wins"], strict=True):
        assert f"(rank {items[key]['rank']}, risk {items[key]['risk']}; {code(items[key]['ids'][0])}" in line
    by_rule = {line.split("]")[0].removeprefix("- **["): line for line in lines}
    assert f"autofix (unsafe: review): {code('mlflow-lint check --unsafe-fixes')} makes the change" in by_rule["MLF502"]
    assert "a one-line edit at the flagged place, no decision outside the code" in by_rule["MLF801"]


def test_gap_rows_show_the_autofix_diff(gaps: tuple[dict[str, Any], str]) -> None:
    document, report = gaps
    fixed = [g for g in _all_gaps(document) if g["fix"].get("autofix")]
    assert fixed
    for gap in fixed:
        row = _row(report, code(f"{gap['path']}:{gap['line']}"), start=f"| {code(gap['id'])} | ")  # the gaps table
        diff = " ".join(code(line) for line in gap["fix"]["autofix"]["diff"])
        assert f"autofix (unsafe: review): {diff}" in row
        assert any(line.startswith("+ ") for line in gap["fix"]["autofix"]["diff"])
    gaps_table = _section(report, "## 4. Registry as promotion boundary")
    assert "| ID | Rule | Severity | Location | Message | Fix here |" in gaps_table
    assert "[use instead]" not in report


def test_tables_are_capped(gaps: tuple[dict[str, Any], str], monkeypatch: pytest.MonkeyPatch) -> None:
    document, _ = gaps
    monkeypatch.setattr(markdown, "MAX_ROWS", 2)
    report = render(document, "markdown")
    backlog = _section(report, "## Prioritised backlog")
    assert len([line for line in backlog.splitlines() if re.match(r"\| \d+ \| \d+ \|", line)]) == 2
    assert f"… {len(document['backlog']) - 2} more groups (see the JSON report)." in backlog
    assert "… 4 more gaps (see the JSON report)." in _section(report, "## 4. Registry as promotion boundary")


def test_healthy_project_says_there_is_nothing_to_rank(tmp_path: Path) -> None:
    report = _audit(_copy("healthy", tmp_path))  # Markdown on standard output
    assert "_No open gap: nothing to rank, no backlog._" in report and "## Prioritised backlog" not in report
    assert "_Nothing is waived: no `noqa` comment" in report
    assert "**Overall: ✅ 100/100 — compliant** · 0 open gaps" in report


def test_cli_markdown_is_the_rendered_json(tmp_path: Path) -> None:
    project = _copy("waivers", tmp_path)
    document = _document(project, "--baseline", "baseline.json")
    assert _audit(project, "--baseline", "baseline.json") == render(document, "markdown")


# ---------------------------------------------------------------------------- not assessed, outside the pillars
def test_not_assessed_pillars_say_why(tmp_path: Path) -> None:
    project = _copy("gaps", tmp_path)
    report = _audit(project, "--select", "MLF6")
    reason = "no rule of this pillar is enabled"
    assert f"➖ not assessed: {reason}" in _row(_section(report, "## Scorecard"), start="| 1 | [")
    assert f"**➖ not assessed** ({reason}) · 4 sites found, not judged" in report
    assert f"_Not assessed: {reason}._" in _section(report, "## 1. Centralised tracking")
    assert "| MLF101 | `local-tracking-uri` | 1 |" in _section(report, "### Disabled rules")


def test_migration_and_analysis_findings_have_ids_fixes_and_deviations(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "train.py").write_text(
        "import mlflow\n\n\ndef evaluate(uri, data):\n"
        "    return mlflow.models.evaluate(uri, data, targets='y', model_type='classifier', baseline_model=uri)\n\n\n"
        "def legacy(uri, data):\n"
        "    return mlflow.models.evaluate(uri, data, targets='y', model_type='classifier', baseline_model=uri)"
        "  # noqa: MLF901 -- pinned below MLF 3 until Q3\n"
    )
    (tmp_path / "broken.py").write_text("import mlflow\ndef broken(:\n")
    document = _document(tmp_path)
    report = render(document, "markdown")
    migration = _section(report, "## MLflow-version migration (outside the pillars)")
    opened, justified = document["migration_findings"]
    assert (opened["status"], justified["status"]) == ("open", "justified deviation")
    assert text(opened["fix"]["here"]) in _row(migration, code(opened["id"]))
    assert "pinned below MLF 3 until Q3" in _row(migration, code(justified["id"]))
    (problem,) = document["analysis_findings"]
    row = _row(_section(report, "## Analysis findings (outside the pillars)"), code(problem["id"]))
    assert text(problem["fix"]["here"]) in row
    assert "(production code, outside the pillars)" in _section(report, "## Top risks")
    assert "1 file that could not be analysed (MLF000)." in _section(report, "## What this audit cannot see")


# ---------------------------------------------------------------------------- --compare and --baseline
def test_compare_and_baseline_sections_name_the_gaps_by_id(tmp_path: Path) -> None:
    project = _copy("gaps", tmp_path)
    old = tmp_path / "old.json"
    old.write_text(_audit(project, "--format", "json"))
    written = run_cli("check", ".", "--write-baseline", "baseline.json", cwd=project)
    assert written.returncode == 0, written.stderr
    app = project / "serving" / "app.py"
    app.write_text(app.read_text().replace('load_model(f"runs:/{RUN_ID}/model")', 'load_model("models:/m@champion")'))
    promote = project / "pipelines" / "promote.py"
    promote.write_text(promote.read_text() + '\n\ndef force_release(version):\n    client.set_registered_model_alias(MODEL, "prod", version)\n')
    document = _document(project, "--compare", str(old), "--baseline", "baseline.json")
    report = render(document, "markdown")
    changed = _section(report, "## What changed since the last audit")
    assert "gaps matched by their register id" in changed
    (new,), (fixed,) = document["comparison"]["new_gaps"], document["comparison"]["fixed_gaps"]
    assert "| 🆕 new | MLF402 |" in _row(changed, code(new["id"]))
    assert "| ✅ fixed | MLF601 |" in _row(changed, code(fixed["id"]))
    since = _section(report, "## Since the baseline")
    (baseline_new,) = document["baseline"]["new_gaps"]
    assert baseline_new["id"] == new["id"] and "| 🆕 new | MLF402 |" in _row(since, code(new["id"]))


# ---------------------------------------------------------------------------- hostile waivers
HOSTILE_REASON = "<script>alert(1)</script> | **bold** `tick` [x](javascript:alert(2)) ~~s~~"


def test_hostile_waivers_render_as_text_with_intact_tables(tmp_path: Path) -> None:
    from markdown_it import MarkdownIt

    project = tmp_path / "hostile"
    (project / ".git").mkdir(parents=True)
    (project / "pyproject.toml").write_text(
        '[project]\nname = "h"\n\n[tool.mlflow-lint]\nexclude = ["old|<b>x/"]\n\n'
        "[tool.mlflow-lint.per-file-ignores]\n"
        f'"jobs/<i>*|.py" = {{ codes = ["MLF101"], reason = {json.dumps(HOSTILE_REASON)} }}\n'
    )
    (project / "jobs").mkdir()
    (project / "jobs" / "<i>a|.py").write_text('import mlflow\nmlflow.set_tracking_uri("./mlruns")\n')
    (project / "old|<b>x").mkdir()
    (project / "old|<b>x" / "a.py").write_text('import mlflow\nmlflow.set_tracking_uri("./mlruns")\n')
    (project / "serve.py").write_text(
        "import mlflow\n"
        f'model = mlflow.pyfunc.load_model("runs:/abc/model")  # noqa: MLF601 -- {HOSTILE_REASON}\n'
    )
    document = _document(project)
    assert document["waivers"]["justified"] == 2 and document["waivers"]["excluded_paths"] == ["old|<b>x"]
    report = render(document, "markdown")
    html = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"]).render(report)
    assert not re.search(r"<(script|i|s|del)\b", html) and "<b>x" not in html
    assert 'href="javascript' not in html.lower()
    assert html.count("&lt;script&gt;alert(1)&lt;/script&gt; | **bold** `tick` [x](javascript:alert(2)) ~~s~~") >= 4
    for table in re.findall(r"<table>.*?</table>", html, flags=re.S):
        header = len(re.findall(r"<th[ >]", table))
        for cells in re.findall(r"<tr>(.*?)</tr>", table.split("</thead>")[-1], flags=re.S):
            assert len(re.findall(r"<td[ >]", cells)) == header


def test_a_hostile_previous_report_is_escaped(gaps: tuple[dict[str, Any], str]) -> None:
    from mlflow_lint.audit.compare import compare

    document, _ = gaps
    previous = json.loads(json.dumps(document))
    previous["summary"]["score"] = "<b>99</b>"
    previous["pillars"][0]["score"] = "<script>|x|</script>"
    previous["pillars"][0]["verdict"] = "**fine**"
    previous["pillars"][1]["gaps"] = [{"rule": "<i>R</i>", "path": "a|b.py", "line": 1, "message": "[x](javascript:y)"}]
    current = dict(document, comparison=compare(document, previous))
    section = _section(render(current, "markdown"), "## What changed since the last audit")
    assert "<b>" not in section and "<script>" not in section and "**fine**" not in section
    assert "\\<script\\>\\|x\\|\\</script\\> → 68/100" in section and "\\*\\*fine\\*\\* → critical gaps" in section
    assert "| – | ✅ fixed | \\<i\\>R\\</i\\> |" in section and "\\[x\\](javascript:y)" in section
