"""The HTML audit report as an audit: the verdict and the top risks first, the prioritised
backlog, gap tables with ids and fixes (autofix diffs included), justified deviations,
the waivers as evidence and the limits of the audit.

The pages are built by the command line from the fixture projects ``waivers`` (a reasoned
and an unreasoned ``# noqa``, per-file ignores with and without a reason, a baseline, a
shadow rule, an exclusion, test-only findings) and ``gaps`` (gaps in every pillar, autofix
diffs), and checked against the JSON document of the same run. A project whose waiver
reasons and autofix diff carry markup proves they are escaped; headless Chromium renders
the pages without a console error when it is installed.
"""

from __future__ import annotations

import copy
import html
import json
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from mlflow_lint.audit.html import fix_text, render_html, segmented_path

from .chromium import Browser, chromium_or_skip
from .conftest import FIXTURES, run_cli, write_files

AUDIT = FIXTURES / "audit"
EPOCH = {"SOURCE_DATE_EPOCH": "1735689600"}
ARGUMENTS = {"waivers": ("--baseline", "baseline.json"), "gaps": ()}
DOCS = "https://mlflow-lint.github.io/mlflow-lint/rules/"  # + "<ID>/": pyproject.toml [project.urls] Documentation


# ---------------------------------------------------------------------------- the pages
class _Page(HTMLParser):
    """Tags, attributes, text per section, and table rows (cells as text) per section."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attributes: list[tuple[str, str, str | None]] = []
        self.ids: list[str] = []
        self.text: list[str] = []
        self.section_text: dict[str, list[str]] = {}
        self.rows: list[dict[str, Any]] = []  # {"section", "attrs", "cells"}
        self._section: str | None = None
        self._row: dict[str, Any] | None = None
        self._cell: list[str] | None = None
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attributes.extend((tag, name, value) for name, value in attrs)
        values = dict(attrs)
        if values.get("id"):
            self.ids.append(str(values["id"]))
        if tag == "section":
            self._section = values.get("id")
        self._in_style = tag == "style"
        if tag == "tr":
            self._row = {"section": self._section, "attrs": values, "cells": []}
        if tag == "td" and self._row is not None:
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "style":
            self._in_style = False
        if tag == "td" and self._row is not None and self._cell is not None:
            self._row["cells"].append(" ".join("".join(self._cell).split()))
            self._cell = None
        if tag == "tr" and self._row is not None:
            if self._row["cells"]:
                self.rows.append(self._row)
            self._row = None
        if tag == "section":
            self._section = None

    def handle_data(self, data: str) -> None:
        if self._in_style:
            return
        self.text.append(data)
        if self._section:
            self.section_text.setdefault(self._section, []).append(data)
        if self._cell is not None:
            self._cell.append(data)

    def body(self) -> str:
        return "".join(self.text)

    def section(self, name: str) -> str:
        return " ".join("".join(self.section_text.get(name, [])).split())

    def table(self, section: str) -> list[dict[str, Any]]:
        return [row for row in self.rows if row["section"] == section]

    def row(self, row_id: str) -> dict[str, Any]:
        found = [row for row in self.rows if row["attrs"].get("id") == row_id]
        assert len(found) == 1, f"{row_id}: {len(found)} rows"
        return found[0]


def _parse(page: str) -> _Page:
    parser = _Page()
    parser.feed(page)
    parser.close()
    return parser


def _audit(project: Path, *arguments: str) -> tuple[dict[str, Any], str]:
    """The JSON document and the HTML page of one run (the suffix picks the format)."""
    json_out, html_out = project.parent / f"{project.name}.json", project.parent / f"{project.name}.html"
    result = run_cli("audit", ".", *arguments, "--output", str(json_out), "--output", str(html_out), cwd=project, env=EPOCH)
    assert result.returncode == 0, result.stderr
    return json.loads(json_out.read_text(encoding="utf-8")), html_out.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[dict[str, Any], str]]:
    base = tmp_path_factory.mktemp("audit-html")
    out = {}
    for name, arguments in ARGUMENTS.items():
        project = base / name
        shutil.copytree(AUDIT / name, project, ignore=shutil.ignore_patterns("__pycache__", ".mlflow_lint_cache"))
        out[name] = _audit(project, *arguments)
    return out


def _pillar(document: dict[str, Any], number: int) -> dict[str, Any]:
    return next(p for p in document["pillars"] if p["pillar"] == number)


def _row_html(page: str, row_id: str) -> str:
    found = re.findall(rf'<tr id="{re.escape(row_id)}"[^>]*>.*?</tr>', page, flags=re.S)
    assert len(found) == 1, row_id
    return found[0]


# ---------------------------------------------------------------------------- structure
@pytest.mark.integration
def test_the_judgement_comes_first_then_the_pillars_then_the_evidence_of_the_audit(built: dict[str, Any]) -> None:
    document, page = built["waivers"]
    ids = _parse(page).ids
    order = ["top-risks", "quick-wins", "scorecard", "backlog", "baseline"]
    order += [f"pillar-{n}" for n in range(1, 9)] + ["waivers", "cannot-see", "inventory"]
    positions = [ids.index(name) for name in order]
    assert positions == sorted(positions), [ids[p] for p in sorted(positions)]
    # The header (verdict, score, headline) precedes the first section.
    assert page.index('class="verdict-badge') < page.index('id="top-risks"')
    assert page.index('class="headline') < page.index('id="top-risks"')
    assert document["summary"]["verdict"] == "critical gaps"


@pytest.mark.integration
def test_the_header_states_the_verdict_and_the_headline_sentences(built: dict[str, Any]) -> None:
    document, page = built["waivers"]
    parsed = _parse(page)
    body = " ".join(parsed.body().split())
    summary = document["summary"]
    assert f"{summary['score']}/100" in body
    assert f"{summary['open_gaps']} open gaps" in body
    assert f"{summary['unexplained_waivers']} unexplained waivers (counted as gaps)" in body
    assert f"{summary['justified_deviations']} justified deviations" in body
    assert f"{summary['hidden_in_tests']} findings in test code (not gaps)" in body
    # Each headline sentence, its backticks turned into <code>.
    for sentence in document["headline"]:
        assert sentence.replace("`", "") in body
    assert "<code>unguarded-promotion</code>" in page


@pytest.mark.integration
def test_top_risks_are_the_first_backlog_groups_with_ids_where_and_fix(built: dict[str, Any]) -> None:
    for name in ("waivers", "gaps"):
        document, page = built[name]
        backlog = {item["key"]: item for item in document["backlog"]}
        cards = re.findall(r'<article class="risk-card[^"]*">.*?</article>', page, flags=re.S)
        assert len(cards) == len(document["top_risks"]) == 3
        for card, key in zip(cards, document["top_risks"], strict=True):
            item = backlog[key]
            text = " ".join(_parse(card).body().split())
            assert text.startswith(f"#{item['rank']} risk {item['risk']} {item['severity']}")
            assert all(gap_id in text for gap_id in item["ids"])
            assert item["locations"][0] in text
            assert f'href="{DOCS}{item["rule"]}/"' in card


@pytest.mark.integration
def test_quick_wins_say_how_they_close(built: dict[str, Any]) -> None:
    document, page = built["gaps"]
    rows = _parse(page).table("quick-wins")
    assert [row["cells"][0] for row in rows] == [
        str(item["rank"]) for key in document["quick_wins"] for item in document["backlog"] if item["key"] == key
    ]
    how = [row["cells"][-1] for row in rows]
    assert "unsafe autofix mlflow-lint check --unsafe-fixes" in how and "one-line edit" in how
    assert "No quick win" in _parse(built["waivers"][1]).section("quick-wins")


@pytest.mark.integration
def test_backlog_rows_follow_the_document_order_with_rules_linked(built: dict[str, Any]) -> None:
    for name in ("waivers", "gaps"):
        document, page = built[name]
        rows = _parse(page).table("backlog")
        items = document["backlog"]
        assert len(rows) == len(items)
        ranks = [int(row["cells"][0]) for row in rows]
        risks = [int(row["cells"][1]) for row in rows]
        assert ranks == list(range(1, len(items) + 1)) and risks == sorted(risks, reverse=True)
        for row, item in zip(rows, items, strict=True):
            assert row["cells"][2] == f"{item['rule']}{item['name']}"
            assert all(gap_id in row["cells"][6] for gap_id in item["ids"][:6])
        section = re.search(r'<section[^>]*id="backlog".*?</section>', page, flags=re.S)
        assert section is not None
        assert f'href="{DOCS}{items[0]["rule"]}/"' in section.group()
    # An unexplained waiver and a baseline-accepted gap are flagged on their group.
    rows = _parse(built["waivers"][1]).table("backlog")
    assert "1 unexplained waiver" in rows[0]["cells"][6]
    assert "1 accepted in the baseline" in rows[2]["cells"][6]


@pytest.mark.integration
def test_scorecard_shows_the_deviation_justified_verdict_of_pillar_6(built: dict[str, Any]) -> None:
    document, page = built["waivers"]
    pillar = _pillar(document, 6)
    assert pillar["verdict"] == "deviation-justified"
    sixth = _parse(page).table("scorecard")[5]
    assert sixth["cells"][2] == f"deviation-justified{len(pillar['deviations'])} justified deviations"
    assert re.search(r'<section class="panel pillar note" id="pillar-6">', page)
    assert '<span class="pill note">deviation-justified</span>' in page


# ---------------------------------------------------------------------------- gaps and deviations
@pytest.mark.integration
def test_gap_tables_have_ids_and_the_fix_here(built: dict[str, Any]) -> None:
    document, page = built["gaps"]
    parsed = _parse(page)
    for pillar in (p for p in document["pillars"] if p["gaps"]):
        heads = re.search(rf'id="pillar-{pillar["pillar"]}".*?<h3>Gaps.*?<thead><tr>(.*?)</tr>', page, flags=re.S)
        assert heads is not None
        assert re.findall(r"<th>(.*?)</th>", heads.group(1)) == ["ID", "Rule", "Severity", "Location", "Message", "Fix here"]
        for gap in pillar["gaps"]:
            row = parsed.row(gap["id"])
            assert row["section"] == f"pillar-{pillar['pillar']}"
            assert row["cells"][0] == gap["id"] and row["cells"][1] == f"{gap['rule']}{gap['name']}"
            assert row["cells"][2] == gap["severity"]
            assert " ".join(gap["fix"]["here"].split()) in row["cells"][5]


@pytest.mark.integration
def test_an_autofix_shows_its_diff_labelled_with_its_safety(built: dict[str, Any]) -> None:
    document, page = built["gaps"]
    fixed = [gap for p in document["pillars"] for gap in p["gaps"] if gap["fix"].get("autofix", {}).get("diff")]
    assert fixed
    for gap in fixed:
        row = _row_html(page, gap["id"])
        autofix = gap["fix"]["autofix"]
        assert f">{autofix['safety']} autofix</span>" in row
        diff = re.search(r'<pre class="diff"><code>(.*?)</code></pre>', row, flags=re.S)
        assert diff is not None
        lines = re.findall(r'<span class="(?:del|ins|ctx)"><span class="sign">(.)</span>(.*?)</span>', diff.group(1))
        assert [f"{sign} {html.unescape(rest)}" for sign, rest in lines] == autofix["diff"]


@pytest.mark.integration
def test_an_autofix_without_a_diff_is_labelled_without_an_empty_block(built: dict[str, Any]) -> None:
    document = copy.deepcopy(built["gaps"][0])
    gap = next(g for p in document["pillars"] for g in p["gaps"] if g["fix"].get("autofix"))
    gap["fix"]["autofix"] = {"safety": "safe", "diff": []}
    row = _row_html(render_html(document), gap["id"])
    assert ">safe autofix</span>" in row and "<pre" not in row


@pytest.mark.integration
def test_backlog_autofix_says_how_many_of_a_group_it_fixes(built: dict[str, Any]) -> None:
    document, page = built["gaps"]
    rows = _parse(page).table("backlog")
    for row, item in zip(rows, document["backlog"], strict=True):
        autofix = row["cells"][8]
        if item["autofix"] is None:
            assert autofix in ("–", "one-line edit")
        elif 0 < item.get("autofixes", item["count"]) < item["count"]:
            assert autofix == f"{item['autofix']} ({item['autofixes']} of {item['count']})"
        else:
            assert autofix == item["autofix"]
    # A group where one gap of three has an autofix says so.
    document = copy.deepcopy(document)
    item = document["backlog"][0]
    item.update(autofix="unsafe", autofixes=1, count=3)
    assert '>unsafe</span> <span class="muted">(1 of 3)</span>' in render_html(document)


@pytest.mark.integration
def test_the_unexplained_waiver_is_a_gap_of_its_pillar(built: dict[str, Any]) -> None:
    document, page = built["waivers"]
    gap = next(g for g in _pillar(document, 4)["gaps"] if g["status"] == "unexplained waiver")
    row = _parse(page).row(gap["id"])
    assert row["section"] == "pillar-4" and "unexplained" in row["attrs"]["class"]
    assert "Unexplained waiver: # noqa: MLF402 (line 6) gives no reason, so this counts as a gap." in row["cells"][4]
    assert 'class="flag bad"' in _row_html(page, gap["id"])
    # The per-file-ignores entry without a reason, too.
    scratch = next(g for g in _pillar(document, 1)["gaps"] if g["status"] == "unexplained waiver")
    assert "per-file-ignores 'scratch/*.py' = MLF101 in pyproject.toml gives no reason" in _parse(page).row(scratch["id"])["cells"][4]


@pytest.mark.integration
def test_baseline_accepted_gaps_are_marked_and_still_open(built: dict[str, Any]) -> None:
    document, page = built["waivers"]
    accepted = [gap for p in document["pillars"] for gap in p["gaps"] if gap.get("baseline") == "accepted"]
    assert accepted
    for gap in accepted:
        assert "accepted in the baseline (still open)" in _parse(page).row(gap["id"])["cells"][4]


@pytest.mark.integration
def test_justified_deviations_have_their_own_table_with_the_reasons(built: dict[str, Any]) -> None:
    document, page = built["waivers"]
    parsed = _parse(page)
    deviations = _pillar(document, 6)["deviations"]
    assert len(deviations) == 2 and "deviations-6" in parsed.ids
    table = re.search(r'id="deviations-6".*?<thead><tr>(.*?)</tr>', page, flags=re.S)
    assert table is not None and "<th>Why it is waived</th>" in table.group(1)
    for gap in deviations:
        row = parsed.row(gap["id"])
        assert row["section"] == "pillar-6" and gap["waiver"]["reason"] in row["cells"][5]
    # The evidence rows they waive show the reason as well.
    for gap in deviations:
        place = f"{gap['path']}:{gap['line']}"
        evidence = [row for row in parsed.table("pillar-6") if row["cells"][1] == place and "gap" not in row["attrs"].get("class", "")]
        assert len(evidence) == 1 and evidence[0]["cells"][0].startswith("☑ waived with a reason")
        assert evidence[0]["cells"][0].endswith(gap["waiver"]["reason"])


# ---------------------------------------------------------------------------- waivers and limits
@pytest.mark.integration
def test_waivers_section_lists_every_waiver_and_its_reason_or_the_warning(built: dict[str, Any]) -> None:
    document, page = built["waivers"]
    parsed = _parse(page)
    waivers = document["waivers"]
    rows = parsed.table("waivers")
    entries = rows[: len(waivers["entries"])]
    for row, entry in zip(entries, waivers["entries"], strict=True):
        assert row["attrs"]["class"] == ("justified" if entry["justified"] else "unexplained")
        expected = entry["reason"] if entry["justified"] else "⚠ no reason given: counts as a gap"
        assert expected in row["cells"][3]
        assert all(gap_id in row["cells"][4] for gap_id in entry["ids"])
    text = parsed.section("waivers")
    assert f"{waivers['justified']} justified deviations" in text and f"{waivers['unexplained']} unexplained waivers" in text
    for entry in waivers["per_file_ignores"]:
        assert entry["pattern"] in text
    assert "MLF603: reported without failing mlflow-lint check" in text  # the shadow rule
    assert "Not audited legacy" in text and "Excluded by exclude: legacy/ (in pyproject.toml)" in text
    tests = waivers["test_code"]
    assert f"{tests['findings']} findings in {tests['files']} test file are not gaps" in text
    # The ids link to the rows of their pillar.
    assert all(f'href="#{gap_id}"' in page for entry in waivers["entries"] for gap_id in entry["ids"])


@pytest.mark.integration
def test_what_the_audit_cannot_see(built: dict[str, Any]) -> None:
    document, page = built["waivers"]
    text = _parse(page).section("cannot-see")
    for line in document["cannot_see"]["this_run"] + document["cannot_see"]["always"]:
        assert " ".join(line.replace("`", "").split()) in text


# ---------------------------------------------------------------------------- escaping
HOSTILE_FILES = {
    ".git/HEAD": "ref: refs/heads/main\n",
    "pyproject.toml": (
        '[project]\nname = "hostile-waivers"\n\n[tool.mlflow-lint.per-file-ignores]\n'
        '"scratch/*.py" = { codes = ["MLF101"], reason = "<img src=x onerror=alert(2)> & \\"quoted\\"" }\n'
    ),
    "serve.py": 'import mlflow\n\nmodel = mlflow.pyfunc.load_model("runs:/abc/model")  # noqa: MLF601 -- <script>alert(1)</script>\n',
    "scratch/local.py": 'import mlflow\n\nmlflow.set_tracking_uri("./mlruns")\n',
    "promote.py": (
        "from mlflow import MlflowClient\n\nclient = MlflowClient()\n"
        'client.transition_model_version_stage("</pre><script>alert(3)</script>", "1", "Production")\n'
    ),
}


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], str]:
    project = write_files(tmp_path_factory.mktemp("hostile-html") / "hostile", HOSTILE_FILES)
    return _audit(project)


def _assert_inert(page: str) -> _Page:
    parsed = _parse(page)
    assert not {"script", "img", "iframe", "object", "embed", "link"} & set(parsed.tags)
    assert not [a for a in parsed.attributes if a[1].startswith("on") or a[1] in ("src", "srcset")]
    assert parsed.tags.count("pre") == page.count("</pre>")  # no </pre> from the code closed ours
    return parsed


@pytest.mark.integration
def test_hostile_waiver_reasons_and_diffs_are_escaped(hostile: tuple[dict[str, Any], str]) -> None:
    document, page = hostile
    reasons = {entry["reason"] for entry in document["waivers"]["entries"]}
    assert reasons == {"<script>alert(1)</script>", '<img src=x onerror=alert(2)> & "quoted"'}
    parsed = _assert_inert(page)
    for reason in reasons:
        assert reason in parsed.section("waivers")  # shown as text
    assert "<script>alert(1)</script>" in " ".join(parsed.section("pillar-6").split())  # the deviations table
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert(1)" not in page
    assert "&lt;img src=x onerror=alert(2)&gt; &amp; &quot;quoted&quot;" in page
    fixed = next(gap for p in document["pillars"] for gap in p["gaps"] if "autofix" in gap["fix"])
    assert any("</pre><script>alert(3)</script>" in line for line in fixed["fix"]["autofix"]["diff"])
    assert "&quot;&lt;/pre&gt;&lt;script&gt;alert(3)&lt;/script&gt;&quot;" in _row_html(page, fixed["id"])


@pytest.mark.integration
def test_every_new_field_of_the_document_is_escaped(built: dict[str, Any]) -> None:
    """Markup put into each string the document's new parts carry renders as text."""
    document = copy.deepcopy(built["waivers"][0])
    mark = "<i>x</i>"
    document["headline"] = [f"{mark} `{mark}`"]
    for item in document["backlog"]:
        item.update(fix=mark, where=mark + "/", locations=[mark], title=mark, context=mark)
    for pillar in document["pillars"]:
        pillar["not_assessed"] = mark
        for gap in pillar["gaps"] + pillar["deviations"]:
            gap["fix"] = {"here": mark, "autofix": {"safety": mark, "diff": [f"- {mark}", f"+ {mark}"]}}
            if "waiver" in gap:
                gap["waiver"].update(reason=mark, source=mark)
    waivers = document["waivers"]
    for entry in waivers["entries"]:
        entry.update(where=mark, comment=mark, reason=mark, paths=[mark])
    for entry in waivers["per_file_ignores"]:
        entry.update(pattern=mark, configuration=mark, reason=mark)
    waivers.update(shadow_rules=[mark], excluded_paths=[mark], exclude=[{"pattern": mark, "configuration": mark}])
    waivers["test_code"]["by_rule"] = {mark: 1}
    waivers["disabled_rules"] = [{"rule": mark, "name": mark, "pillar": mark}]
    document["cannot_see"] = {"always": [mark], "this_run": [f"`{mark}`"]}
    page = render_html(document)
    parsed = _parse(page)
    assert "i" not in parsed.tags
    assert parsed.body().count(mark) > 20


def test_html_helpers_escape_and_break_only_where_meant() -> None:
    assert fix_text("use `a<b>` here") == "use <code>a&lt;b&gt;</code> here"
    assert fix_text("give 'x<y>' a default; `odd") == "give <code>&#x27;x&lt;y&gt;&#x27;</code> a default; `odd"
    path = segmented_path("deploy/docker-compose.yml:4")
    assert path == '<code class="path"><span class="nw">deploy</span>/<wbr><span class="nw">docker-compose.yml:4</span></code>'
    assert "&lt;img" in segmented_path("<img src=x>/a.py")


@pytest.mark.integration
def test_gap_row_message_leaves_the_fix_to_its_column(built: dict[str, Any]) -> None:
    document, page = built["gaps"]
    gap = next(g for p in document["pillars"] for g in p["gaps"] if g["message"].endswith("; " + g["fix"]["here"]))
    cells = _parse(page).row(gap["id"])["cells"]
    assert cells[4] == " ".join(gap["message"][: -len(gap["fix"]["here"]) - 2].split())
    assert cells[5].startswith(" ".join(gap["fix"]["here"].split()))


# ---------------------------------------------------------------------------- Chromium
DOM_CHECKS = {
    "cards": "document.querySelectorAll('#top-risks .risk-card').length",
    "backlog": "document.querySelectorAll('#backlog tbody tr').length",
    "diffs": "document.querySelectorAll('pre.diff').length",
    "flags": "document.querySelectorAll('.flag.bad').length",
    "active": "document.querySelectorAll('script,img,iframe,object,embed,link').length",
    "overflowing": "[...document.querySelectorAll('.scroll')].filter(s => s.scrollWidth > s.clientWidth).length",
    "cards_side_by_side": "new Set([...document.querySelectorAll('#top-risks .risk-card')].map(c => Math.round(c.getBoundingClientRect().top))).size",
}


@pytest.mark.integration
def test_chromium_renders_the_pages_without_errors(
    built: dict[str, Any], hostile: tuple[dict[str, Any], str], tmp_path: Path
) -> None:
    binary = chromium_or_skip()
    pages = {"waivers": built["waivers"], "gaps": built["gaps"], "hostile": hostile}
    with Browser(binary) as browser:
        for name, (document, text) in pages.items():
            page = tmp_path / f"{name}.html"
            page.write_text(text, encoding="utf-8")
            for scheme in ("light", "dark"):
                result = browser.render(page, color_scheme=scheme, evaluate=DOM_CHECKS, screenshot=False, pdf=scheme == "light")
                assert result.problems() == [], f"{name} ({scheme})"
                assert result.requests == [page.resolve().as_uri()], "the page requested something besides itself"
                checks = result.evaluations
                assert checks["active"] == 0 and checks["overflowing"] == 0, (name, checks)
                assert checks["cards"] == len(document["top_risks"]) and checks["backlog"] == len(document["backlog"])
                assert checks["cards_side_by_side"] <= 1  # one row of cards at 1280 px
                assert checks["diffs"] == sum(1 for p in document["pillars"] for g in p["gaps"] if g["fix"].get("autofix", {}).get("diff"))
                if name == "waivers":
                    assert checks["flags"] == 5  # two gaps, two waiver entries, one per-file ignore without a reason
                if result.pdf:
                    assert result.pdf.startswith(b"%PDF")
