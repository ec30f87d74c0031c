"""The audit as one self-contained HTML page.

Inline CSS only: no script, no font, no image fetched from anywhere (a Content Security
Policy in the page forbids it), light and dark colour schemes (``prefers-color-scheme``),
a print stylesheet, and the scorecard drawn as inline SVG (a radar of the eight pillars
and a bar per pillar). Every string from the linted code goes through :func:`esc`.

The page reads as an audit report, the judgement first: the verdict and the sentences
that explain it, the top risks and quick wins, the scorecard and the prioritised backlog;
then each pillar with its evidence, its gaps (id, status, the fix at that place) and its
justified deviations; the waivers, the findings outside the pillars, what the audit
cannot see, and the inventory.
"""

from __future__ import annotations

import html
import math
import re
from dataclasses import dataclass
from typing import Any

from mlflow_lint.audit import scoring
from mlflow_lint.audit.register import JUSTIFIED, UNEXPLAINED, gaps_by_id
from mlflow_lint.audit.text import (
    MAX_ROWS,
    QUOTED,
    STATUS_WORDS,
    commit_text,
    files_line,
    kind_of,
    location,
    one_line,
    options_lines,
    plural,
    score_text,
    severity_counts,
    title_case,
    without_controls,
)
from mlflow_lint.catalog import rule_docs_uri

_VERDICT_CLASS = {
    scoring.COMPLIANT: "ok",
    scoring.GAPS: "warn",
    scoring.DEVIATION: "note",
    scoring.CRITICAL: "bad",
    scoring.NOT_ASSESSED: "na",
}
_STATUS_CLASS = {"ok": "ok", "error": "bad", "warning": "warn", "note": "note", "unassessed": "na", "waived": "note"}
_STATUS_GLYPH = {"ok": "✓", "error": "✗", "warning": "!", "note": "i", "unassessed": "–", "waived": "☑"}
_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"

_CONTEXT_WORDS = {"production": "production code", "script": "script", "notebook": "notebook"}
_AUTOFIX = {
    "safe": ("ok", "safe autofix", "mlflow-lint check --fix"),
    "unsafe": ("warn", "unsafe autofix", "mlflow-lint check --unsafe-fixes"),
}
_SHADOW = "its rule is in shadow mode: reported, never failing mlflow-lint check; still a gap here"
_SHOWN_IDS = 6  # ids per backlog row; the JSON report lists them all
_SHOWN_LOCATIONS = 3  # locations per backlog row
_RULE_ID = re.compile(r"MLF\d{3}")


def esc(value: object) -> str:
    """Text for HTML text and attribute values: escaped, line breaks shown as ↵."""
    flat = one_line(value)
    return html.escape(flat, quote=True)


def breakable(value: object) -> str:
    """Escaped, with line-break opportunities after ``/`` and ``.`` (long names and URIs)."""
    return esc(value).replace("/", "/<wbr>").replace(".", ".<wbr>")


def path_text(value: object) -> str:
    """A path (``src/a.py:12``): escaped, breakable after each ``/`` only."""
    return esc(value).replace("/", "/<wbr>")


_SHORT_PATH = 40  # characters: a location (or an API name) this short is never wrapped


def code(value: object, path: bool = False) -> str:
    """``<code>``: a short path or API name on one line, anything else breakable at ``/`` (and ``.``)."""
    text = str(value)
    if path and len(text) <= _SHORT_PATH:
        return f'<code class="nw">{esc(text)}</code>'
    return f"<code>{breakable(text) if not path or '/' not in text else path_text(text)}</code>"


def esc_block(value: str) -> str:
    """Multi-line text for <pre>: escaped, line breaks kept."""
    return html.escape(without_controls(value), quote=True)


def rich(value: str) -> str:
    """Our own text, with `backticked` parts as <code>."""
    parts = value.split("`")
    return "".join(f"<code>{esc(part)}</code>" if index % 2 else esc(part) for index, part in enumerate(parts))


def message(value: str) -> str:
    out = []
    position = 0
    for match in QUOTED.finditer(value):
        out.append(esc(value[position : match.start()]))
        out.append(f"<code>{esc(match.group())}</code>")
        position = match.end()
    out.append(esc(value[position:]))
    return "".join(out)


def fix_text(value: str) -> str:
    """A fix: the catalog's descriptions mark code with backticks, a finding's remedy
    quotes the values of its site (which may hold stray backticks). Escaped either way."""
    ticks = value.count("`")
    return rich(value) if ticks and ticks % 2 == 0 else message(value)


@dataclass(frozen=True)
class _Links:
    """Where the page can link to: each rule's documentation, and the gap ids that have
    a row of their own (tables are capped at MAX_ROWS, so not every id has one)."""

    docs: dict[str, str]
    rows: frozenset[str]

    def rule(self, rule_id: str, name: str = "") -> str:
        """The rule id, linked to its documentation."""
        uri = self.docs.get(rule_id) or _docs_uri(rule_id)
        return f'<a href="{esc(uri)}">{esc(rule_id)}</a>' if uri else esc(rule_id)

    def gap_id(self, gap_id: str) -> str:
        shown = f'<code class="nw">{esc(gap_id)}</code>'
        return f'<a class="gid" href="#{esc(gap_id)}">{shown}</a>' if gap_id in self.rows else shown

    def gap_ids(self, ids: list[str], limit: int = _SHOWN_IDS) -> str:
        shown = " ".join(self.gap_id(gap_id) for gap_id in ids[:limit])
        return (shown + _more(len(ids) - limit)) or '<span class="muted">–</span>'


def _docs_uri(rule_id: str) -> str | None:
    """The documentation of a rule neither a fix hint nor a backlog group names (a justified
    MLF000 or MLF9xx): the rule's page, only for ids of the catalog's shape."""
    return rule_docs_uri(rule_id) if _RULE_ID.fullmatch(rule_id) else None


def _register_tables(document: dict[str, Any]) -> list[list[dict[str, Any]]]:
    """The tables the page shows the register in: each pillar's gaps and deviations, then
    the analysis and migration findings (register.all_gaps, table by table)."""
    tables = [table for p in document["pillars"] for table in (p["gaps"], p.get("deviations", []))]
    return tables + [document.get("analysis_findings", []), document.get("migration_findings", [])]


def _links(document: dict[str, Any]) -> _Links:
    docs = {item["rule"]: item["docs"] for item in document.get("backlog", []) if item.get("docs")}
    docs |= {rule: hint["docs"] for p in document["pillars"] for rule, hint in p.get("fix_hints", {}).items()}
    rows = frozenset(gap["id"] for table in _register_tables(document) for gap in table[:MAX_ROWS] if gap.get("id"))
    return _Links(docs, rows)


def render_html(document: dict[str, Any]) -> str:
    header = document["header"]
    links = _links(document)
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta name="color-scheme" content="light dark">',
        f"<title>MLflow governance audit: {esc(header['project'])}</title>",
        f"<style>{_CSS}</style>",
        "</head>",
        "<body>",
        '<main class="page">',
        _masthead(document),
        _contents(document),
        _top_risks(document, links),
        _quick_wins(document, links),
        _scorecard(document),
        _backlog(document, links),
    ]
    if document.get("comparison"):
        parts.append(_comparison(document["comparison"], links))
    if document.get("baseline"):
        parts.append(_baseline(document["baseline"], document, links))
    parts.extend(_pillar(pillar, links) for pillar in document["pillars"])
    if document.get("waivers"):
        parts.append(_waivers(document["waivers"], links))
    if document.get("migration_findings"):
        parts.append(_migration(document["migration_findings"], links))
    if document.get("analysis_findings") or document.get("skipped"):
        parts.append(_problems(document, links))
    if document.get("cannot_see"):
        parts.append(_cannot_see(document["cannot_see"]))
    parts.append(_inventory(document["inventory"]))
    parts.append(_footer(document))
    parts += ["</main>", "</body>", "</html>", ""]
    return "\n".join(parts)


# -- header --------------------------------------------------------------------------------------
def _masthead(document: dict[str, Any]) -> str:
    header, summary = document["header"], document["summary"]
    verdict = summary["verdict"]
    cls = _VERDICT_CLASS[verdict]
    meta = [
        ("Commit", f"<code>{esc(commit_text(header))}</code>" if header.get("commit") else esc(commit_text(header))),
        ("Date", esc(header["date"])),
        ("mlflow-lint", esc(header["version"])),
        ("Paths", " ".join(f"<code>{esc(p)}</code>" for p in header.get("paths", []))),
        ("Files", esc(files_line(header))),
        ("Rules enabled", _rules(header)),
        (
            "Configuration",
            f"<code>{esc(header['config'])}</code>" if header.get("config") else "defaults (no configuration file)",
        ),
    ]
    meta += [(label, f"<code>{esc(value)}</code>") for label, value in options_lines(header)]
    # The rule list is long: it takes the width of both columns rather than eight lines.
    rows = "".join(
        f'<div{" class=wide" if label == "Rules enabled" else ""}><dt>{esc(label)}</dt><dd>{value}</dd></div>'
        for label, value in meta
    )
    counts = summary["by_severity"]
    chips = "".join(
        f'<span class="chip {cls_}"><b>{counts.get(sev, 0)}</b> {esc(sev if counts.get(sev, 0) == 1 else sev + "s")}</span>'
        for sev, cls_ in (("error", "bad"), ("warning", "warn"), ("note", "note"))
    )
    by_verdict = summary.get("pillars_by_verdict", {})
    pills = "".join(
        f'<span class="chip {_VERDICT_CLASS[v]}"><b>{by_verdict.get(v, 0)}</b> {esc(v)}</span>'
        for v in scoring.VERDICTS
        if by_verdict.get(v) or v not in (scoring.NOT_ASSESSED, scoring.DEVIATION)
    )
    return f"""<header class="masthead {cls}">
<div class="masthead-text">
<p class="kicker">MLflow governance audit</p>
<h1>{esc(header["project"])}</h1>
<p class="lede">Static analysis of <code>{esc(header["root"])}</code> against the eight MLflow governance pillars.</p>
{_verdict_line(summary, chips)}
{_headline(document.get("headline", []), cls)}
<p class="chips"><span class="chips-label">Pillars</span>{pills}</p>
<dl class="meta">{rows}</dl>
</div>
<div class="masthead-visuals">
{_gauge(summary["score"], verdict)}
{_radar(document["pillars"])}
</div>
</header>"""


def _verdict_line(summary: dict[str, Any], chips: str) -> str:
    """The verdict as a badge with the score and the open gaps by severity (``chips``);
    under it the counts that qualify them: deviations, waivers, test code."""
    verdict = summary["verdict"]
    open_gaps = summary.get("open_gaps", summary.get("findings", 0))
    unexplained = summary.get("unexplained_waivers", 0)
    figures = [f"<b>{plural(open_gaps, 'open gap')}</b>"]
    figures.append(plural(summary.get("justified_deviations", 0), "justified deviation"))
    waivers = plural(unexplained, "unexplained waiver")
    figures.append(f'<span class="bad-text">{waivers} (counted as gaps)</span>' if unexplained else waivers)
    if summary.get("hidden_in_tests"):
        figures.append(f"{plural(summary['hidden_in_tests'], 'finding')} in test code (not gaps)")
    return (
        f'<p class="verdict-line"><span class="chips-label">Overall verdict</span>'
        f'<span class="verdict-badge {_VERDICT_CLASS[verdict]}">{esc(verdict)}</span>'
        f'<span class="verdict-score">{esc(score_text(summary["score"]))}</span><span class="sep"></span>{chips}</p>'
        f'<p class="verdict-figures">{" · ".join(figures)}</p>'
    )


def _headline(sentences: list[str], cls: str) -> str:
    """What the score does not say (a critical gap behind a high score, what is waived,
    what was not assessed): report.headline's sentences, backticks marking code."""
    if not sentences:
        return ""
    items = "".join(f"<li>{rich(sentence)}</li>" for sentence in sentences)
    return f'<ul class="headline {cls}" aria-label="Headline">{items}</ul>'


def _rules(header: dict[str, Any]) -> str:
    enabled = header.get("rules_enabled", [])
    listed = f'<br><span class="rule-list">{esc(", ".join(enabled))}</span>' if enabled else ""
    return f"{len(enabled)} of {header.get('rules_available', len(enabled))}{listed}"


def _gauge(score: int | None, verdict: str) -> str:
    radius, width = 54, 12
    circumference = 2 * math.pi * radius
    filled = circumference * (score or 0) / 100
    cls = _VERDICT_CLASS[verdict]
    return f"""<figure class="gauge" aria-label="Overall score {esc(score_text(score))}">
<svg viewBox="0 0 140 140" width="150" height="150" role="img">
<title>Overall score: {esc(score_text(score))} ({esc(verdict)})</title>
<circle class="track" cx="70" cy="70" r="{radius}" fill="none" stroke-width="{width}"/>
<circle class="fill {cls}" cx="70" cy="70" r="{radius}" fill="none" stroke-width="{width}" stroke-linecap="round" stroke-dasharray="{filled:.1f} {circumference:.1f}" transform="rotate(-90 70 70)"/>
<text class="gauge-score" x="70" y="72" text-anchor="middle" dominant-baseline="middle">{"n/a" if score is None else score}</text>
<text class="gauge-label" x="70" y="98" text-anchor="middle">of 100</text>
</svg>
<figcaption>overall score</figcaption>
</figure>"""


def _radar(pillars: list[dict[str, Any]]) -> str:
    size, center, radius = 220, 110, 78
    count = len(pillars)
    if count < 3:
        return ""

    def point(index: int, fraction: float) -> tuple[float, float]:
        angle = -math.pi / 2 + 2 * math.pi * index / count
        return center + radius * fraction * math.cos(angle), center + radius * fraction * math.sin(angle)

    rings = []
    for level in (0.25, 0.5, 0.75, 1.0):
        points = " ".join(f"{x:.1f},{y:.1f}" for x, y in (point(i, level) for i in range(count)))
        rings.append(f'<polygon class="ring" points="{points}"/>')
    spokes = "".join(
        f'<line class="spoke" x1="{center}" y1="{center}" x2="{x:.1f}" y2="{y:.1f}"/>'
        for x, y in (point(i, 1.0) for i in range(count))
    )
    shape = " ".join(f"{x:.1f},{y:.1f}" for x, y in (point(i, (p["score"] or 0) / 100) for i, p in enumerate(pillars)))
    dots = "".join(
        f'<circle class="dot {_VERDICT_CLASS[p["verdict"]]}" cx="{x:.1f}" cy="{y:.1f}" r="3.5"><title>{esc(p["pillar"])}. {esc(title_case(p["name"]))}: {esc(score_text(p["score"]))}</title></circle>'
        for (x, y), p in ((point(i, (p["score"] or 0) / 100), p) for i, p in enumerate(pillars))
    )
    labels = "".join(
        f'<text class="axis {_VERDICT_CLASS[p["verdict"]]}" x="{x:.1f}" y="{y:.1f}" text-anchor="middle" dominant-baseline="middle">{esc(p["pillar"])}</text>'
        for (x, y), p in ((point(i, 1.2), p) for i, p in enumerate(pillars))
    )
    return f"""<figure class="radar" aria-label="Pillar scores">
<svg viewBox="0 0 {size} {size}" width="{size}" height="{size}" role="img">
<title>Score per pillar (axes 1 to {count}, centre 0, edge 100)</title>
{"".join(rings)}{spokes}
<polygon class="shape" points="{shape}"/>
{dots}{labels}
</svg>
<figcaption>score per pillar (edge = 100)</figcaption>
</figure>"""


def _contents(document: dict[str, Any]) -> str:
    """A line of links to the sections (not printed: paper has no links)."""
    entries = [("top-risks", "Top risks"), ("quick-wins", "Quick wins"), ("scorecard", "Scorecard"), ("backlog", "Backlog")]
    if document.get("comparison"):
        entries.append(("changes", "Changes"))
    if document.get("baseline"):
        entries.append(("baseline", "Baseline"))
    pillars = " ".join(
        f'<a class="badge small {_VERDICT_CLASS[p["verdict"]]}" href="#pillar-{p["pillar"]}" title="{esc(title_case(p["name"]))}">{p["pillar"]}</a>'
        for p in document["pillars"]
    )
    tail = [("waivers", "Waivers"), ("migration", "Migration"), ("analysis", "Analysis"), ("cannot-see", "Limits"), ("inventory", "Inventory")]
    present = {
        "waivers": bool(document.get("waivers")),
        "migration": bool(document.get("migration_findings")),
        "analysis": bool(document.get("analysis_findings") or document.get("skipped")),
        "cannot-see": bool(document.get("cannot_see")),
        "inventory": True,
    }
    head = "".join(f'<a href="#{anchor}">{label}</a>' for anchor, label in entries)
    rest = "".join(f'<a href="#{anchor}">{label}</a>' for anchor, label in tail if present[anchor])
    return f'<nav class="toc" aria-label="Contents">{head}<span class="toc-pillars">Pillars {pillars}</span>{rest}</nav>'


# -- the judgement: top risks, quick wins, backlog ------------------------------------------------
def _backlog_items(document: dict[str, Any], keys_field: str) -> list[dict[str, Any]]:
    """The backlog groups a list of keys (``top_risks``, ``quick_wins``) names, in its order."""
    by_key = {item["key"]: item for item in document.get("backlog", [])}
    return [by_key[key] for key in document.get(keys_field, []) if key in by_key]


def _sev(severity: object) -> str:
    text = str(severity or "")
    return f'<span class="sev {_STATUS_CLASS.get(text, "na")}">{esc(text or "–")}</span>'


def _risk(item: dict[str, Any]) -> str:
    """The risk score as a badge, its factors in the tooltip. Levels: 20 and more is an
    error in production code (or worse), 6 to 19 a warning there or an error elsewhere."""
    risk = int(item.get("risk", 0))
    level = "bad" if risk >= 20 else "warn" if risk >= 6 else "note"
    return f'<span class="risk {level}" title="{esc(_risk_factors(item))}">{risk}</span>'


def _risk_factors(item: dict[str, Any]) -> str:
    """``risk 40 = 10 (error) × 2 (pillar 6) × 2 (production code)``, when the factors the
    scoring module gives multiply to the document's risk (else the number alone)."""
    risk, severity, pillar, context = item.get("risk"), item.get("severity", ""), item.get("pillar", 0), item.get("context", "")
    factors = (
        scoring.SEVERITY_WEIGHTS.get(str(severity)),
        scoring.PILLAR_WEIGHTS.get(pillar, 1),
        scoring.CONTEXT_WEIGHTS.get(str(context), 2),
    )
    if factors[0] is None or factors[0] * factors[1] * factors[2] != risk:
        return f"risk {risk}"
    where = f"pillar {pillar}" if pillar else "outside the pillars"
    return f"risk {risk} = {factors[0]} ({severity}) × {factors[1]} ({where}) × {factors[2]} ({_CONTEXT_WORDS.get(str(context), context)})"


def _autofix_tag(item: dict[str, Any], command: bool = False, short: bool = False) -> str:
    """A backlog group's autofix (``unsafe`` when any of its gaps' is), with how many of
    its gaps have one when not all do; ``command``: the command that applies it."""
    safety = item.get("autofix")
    if safety not in _AUTOFIX:
        return ""
    cls, label, how = _AUTOFIX[safety]
    count, fixed = int(item.get("count", 1)), int(item.get("autofixes", item.get("count", 1)))
    part = f' <span class="muted">({fixed} of {count})</span>' if 0 < fixed < count else ""
    tag = f'<span class="tag {cls}" title="{esc(how)}">{esc(safety if short else label)}</span>{part}'
    return tag + (f' <code class="nw">{how}</code>' if command else "")


def _group_heading(item: dict[str, Any], links: _Links) -> str:
    """A backlog group's rule (linked to its documentation) and name."""
    rule, name = str(item["rule"]), str(item.get("name", ""))
    summary = f' title="{esc(item["summary"])}"' if item.get("summary") else ""
    return links.rule(rule, name) + (f' <span class="rule-name"{summary}>{esc(name)}</span>' if name else "")


def _group_where(item: dict[str, Any]) -> str:
    """``in src/a.py:6``, or ``×2 in pipelines/: pipelines/a.py:9 pipelines/a.py:14``: what
    the group's title says, with the lines."""
    count = int(item.get("count", 1))
    if count > 1:
        return f"×{count} in {code(item.get('where', ''), path=True)}: {_locations(item)}"
    return f"in {_locations(item)}"


def _locations(item: dict[str, Any], limit: int = _SHOWN_LOCATIONS, wrap: bool = False) -> str:
    """The group's first locations; ``wrap``: breakable at ``/`` (the backlog's narrow column)."""
    shown = item.get("locations", [])[:limit]
    listed = " ".join(segmented_path(place) if wrap else code(place, path=True) for place in shown)
    return listed + _more(int(item.get("count", len(shown))) - len(shown))


def _group_flags(item: dict[str, Any]) -> str:
    """What the backlog group holds besides plain open gaps."""
    flags = []
    if item.get("unexplained_waivers"):
        flags.append(f'<span class="tag bad">{plural(item["unexplained_waivers"], "unexplained waiver")}</span>')
    if item.get("baseline_accepted"):
        flags.append(f'<span class="tag na">{item["baseline_accepted"]} accepted in the baseline</span>')
    if item.get("shadow"):
        flags.append(f'<span class="tag na" title="{_SHADOW}">shadow rule</span>')
    return " ".join(flags)


def _pillar_names(document: dict[str, Any]) -> dict[int, str]:
    return {p["pillar"]: f"{p['pillar']}. {title_case(p['name'])}" for p in document["pillars"]}


def _top_risks(document: dict[str, Any], links: _Links) -> str:
    items = _backlog_items(document, "top_risks")
    out = ['<section class="panel" id="top-risks">', f'<h2>Top risks <span class="count">{len(items)}</span></h2>']
    if not items:
        out.append('<p class="empty">No open gap: nothing to prioritise.</p>')
    else:
        names = _pillar_names(document)
        out.append('<div class="cards">' + "".join(_risk_card(item, names, links) for item in items) + "</div>")
        out.append(
            '<p class="fineprint">The highest risks of the <a href="#backlog">prioritised backlog</a>; '
            f"{esc(document['scoring'].get('risk_formula', ''))}.</p>"
        )
    out.append("</section>")
    return "\n".join(out)


def _risk_card(item: dict[str, Any], names: dict[int, str], links: _Links) -> str:
    cls = _STATUS_CLASS.get(str(item.get("severity")), "na")
    number = item.get("pillar", 0)
    pillar = f"Pillar {names[number]}" if number in names else "Outside the pillars"
    context = _CONTEXT_WORDS.get(str(item.get("context")), str(item.get("context", "")))
    extras = " ".join(part for part in (_autofix_tag(item), _group_flags(item)) if part)
    return (
        f'<article class="risk-card {cls}">'
        f'<div class="risk-head"><span class="rank">#{item.get("rank", "")}</span> '
        f'<span class="risk-label">risk</span> {_risk(item)} {_sev(item.get("severity"))} '
        f'<span class="risk-context">{esc(context)}</span></div>'
        f'<p class="risk-title">{_group_heading(item, links)}</p>'
        f'<p class="risk-where">{_group_where(item)}</p>'
        f'<p class="risk-meta">{esc(pillar)}</p>'
        f'<p class="risk-fix"><span class="label">Fix</span>{fix_text(str(item.get("fix", "")))}</p>'
        f'<p class="risk-ids">{links.gap_ids(item.get("ids", []))}{" " + extras if extras else ""}</p>'
        "</article>"
    )


def _quick_wins(document: dict[str, Any], links: _Links) -> str:
    items = _backlog_items(document, "quick_wins")
    out = ['<section class="panel" id="quick-wins">', f'<h2>Quick wins <span class="count">{len(items)}</span></h2>']
    if not items:
        out.append('<p class="empty">No quick win: no open gap has an automatic fix or a one-line fix at its place.</p>')
        out.append("</section>")
        return "\n".join(out)
    rows = "".join(
        f'<tr><td class="n">{item.get("rank", "")}</td><td>{_risk(item)}</td>'
        f'<td>{_group_heading(item, links)}<br>{_group_where(item)}</td>'
        f'<td class="fixhere">{fix_text(str(item.get("fix", "")))}</td>'
        f'<td class="how">{_autofix_tag(item, command=True) or "one-line edit"}</td></tr>'
        for item in items
    )
    out.append(
        '<div class="scroll"><table class="grid quick"><thead><tr><th class="n">#</th><th>Risk</th><th>Gap</th>'
        f"<th>Fix here</th><th>How</th></tr></thead><tbody>{rows}</tbody></table></div>"
    )
    out.append(
        '<p class="fineprint">Backlog entries an automatic fix closes (<code>--unsafe-fixes</code> after reviewing its diff) '
        "or one edit at the flagged place, with no decision outside the code; highest risk first.</p>"
    )
    out.append("</section>")
    return "\n".join(out)


def _backlog(document: dict[str, Any], links: _Links) -> str:
    items = document.get("backlog", [])
    out = ['<section class="panel" id="backlog">', f'<h2>Prioritised backlog <span class="count">{len(items)}</span></h2>']
    if not items:
        out += ['<p class="empty">No open gap: the backlog is empty.</p>', "</section>"]
        return "\n".join(out)
    out.append(
        "<p>Every open gap (unexplained waivers and baseline-accepted gaps included), grouped by rule and directory, "
        "highest risk first. Justified deviations are not in it.</p>"
    )
    verdicts = {p["pillar"]: p["verdict"] for p in document["pillars"]}
    shown, more = items[:MAX_ROWS], max(0, len(items) - MAX_ROWS)
    rows = "".join(_backlog_row(item, verdicts, links) for item in shown)
    out.append(
        '<div class="scroll"><table class="grid backlog"><thead><tr><th class="n">#</th><th>Risk</th><th>Rule</th>'
        '<th>Severity</th><th class="n">Pillar</th><th>Where</th><th>IDs</th><th>Fix here</th><th>Autofix</th></tr></thead>'
        f"<tbody>{rows}</tbody></table></div>"
    )
    if more:
        out.append(f'<p class="more">… and {more} more groups in the JSON report.</p>')
    out.append(f'<p class="fineprint">{esc(document["scoring"].get("risk_formula", ""))}. Hover a risk for its factors.</p>')
    out.append("</section>")
    return "\n".join(out)


def _backlog_row(item: dict[str, Any], verdicts: dict[int, str], links: _Links) -> str:
    pillar = item.get("pillar", 0)
    if pillar in verdicts:
        pillar_cell = f'<a class="badge small {_VERDICT_CLASS[verdicts[pillar]]}" href="#pillar-{pillar}">{pillar}</a>'
    else:
        pillar_cell = '<span class="muted" title="outside the pillars">–</span>'
    count = int(item.get("count", 1))
    where = f"{segmented_path(item.get('where', ''))} ×{count}<br>" if count > 1 else ""
    autofix = _autofix_tag(item, short=True)
    if not autofix:
        autofix = '<span class="muted">one-line edit</span>' if item.get("quick_win") else '<span class="muted">–</span>'
    flags = _group_flags(item)
    return (
        f'<tr><td class="n">{item.get("rank", "")}</td><td>{_risk(item)}</td>'
        f'<td class="rule">{links.rule(str(item["rule"]), str(item.get("name", "")))}<br>'
        f'<span class="muted" title="{esc(item.get("summary", ""))}">{esc(item.get("name", ""))}</span></td>'
        f"<td>{_sev(item.get('severity'))}</td><td class=\"n\">{pillar_cell}</td>"
        f'<td class="where">{where}{_locations(item, wrap=True)}</td>'
        f'<td class="ids">{links.gap_ids(item.get("ids", []))}{"<br>" + flags if flags else ""}</td>'
        f'<td class="fixhere">{fix_text(str(item.get("fix", "")))}</td><td>{autofix}</td></tr>'
    )


# -- scorecard -------------------------------------------------------------------------------------
def _bar(score: int | None, verdict: str) -> str:
    width = 0 if score is None else max(score, 1) * 1.6
    label = "n/a" if score is None else str(score)
    return (
        f'<svg class="bar" viewBox="0 0 200 14" width="200" height="14" role="img"><title>{esc(score_text(score))}</title>'
        f'<rect class="bar-track" x="0" y="2" width="160" height="10" rx="5"/>'
        f'<rect class="bar-fill {_VERDICT_CLASS[verdict]}" x="0" y="2" width="{width:.1f}" height="10" rx="5"/>'
        f'<text class="bar-label" x="168" y="7.5" dominant-baseline="central">{label}</text></svg>'
    )


def _pill(verdict: str) -> str:
    return f'<span class="pill {_VERDICT_CLASS[verdict]}">{esc(verdict)}</span>'


def _verdict_cell(pillar: dict[str, Any]) -> str:
    """The pill, and why when the verdict alone does not say: not assessed (the reason) or
    deviation-justified (how many deviations)."""
    why = ""
    if pillar.get("not_assessed"):
        why = f'<span class="why">{esc(pillar["not_assessed"])}</span>'
    elif pillar.get("scope"):
        why = f'<span class="why">{esc(pillar["scope"])}</span>'  # what the verdict is about
    elif pillar["verdict"] == scoring.DEVIATION:
        count = len(pillar.get("deviations", []))
        why = f'<span class="why"><a href="#deviations-{pillar["pillar"]}">{plural(count, "justified deviation")}</a></span>'
    return _pill(pillar["verdict"]) + why


def _scorecard(document: dict[str, Any]) -> str:
    rows = []
    for pillar in document["pillars"]:
        counts = pillar["by_severity"]
        rows.append(
            "<tr>"
            f'<td class="num"><span class="badge {_VERDICT_CLASS[pillar["verdict"]]}">{pillar["pillar"]}</span></td>'
            f'<td><a href="#pillar-{pillar["pillar"]}">{esc(title_case(pillar["name"]))}</a></td>'
            f"<td>{_verdict_cell(pillar)}</td>"
            f"<td>{_bar(pillar['score'], pillar['verdict'])}</td>"
            f'<td class="n{" bad-text" if counts["error"] else ""}">{counts["error"]}</td>'
            f'<td class="n{" warn-text" if counts["warning"] else ""}">{counts["warning"]}</td>'
            f'<td class="n">{counts["note"]}</td>'
            f'<td class="n">{pillar["sites"]}</td>'
            "</tr>"
        )
    formula = esc(document["scoring"]["formula"])
    return f"""<section class="panel scorecard" id="scorecard">
<h2>Scorecard</h2>
<table class="grid">
<thead><tr><th></th><th>Pillar</th><th>Verdict</th><th>Score</th><th class="n">Errors</th><th class="n">Warnings</th><th class="n">Notes</th><th class="n">Sites</th></tr></thead>
<tbody>{"".join(rows)}</tbody>
</table>
<p class="fineprint">Per pillar: {formula}. A site is one place in the code the pillar concerns (listed under Evidence). Counts are open gaps: a waiver without a reason counts, a gap waived with a reason is a justified deviation and does not.
Verdicts: an open error makes <b>critical gaps</b>, an open warning <b>gaps</b>; with neither, a justified error or warning makes <b>deviation-justified</b>, else the pillar is <b>compliant</b> (notes alone stay compliant).</p>
</section>"""


# -- comparison and baseline ------------------------------------------------------------------------
_MATCHED_BY = {
    "id": "Gaps are matched by their register id.",
    "fingerprint": "Gaps are matched by fingerprint (the earlier report has no ids).",
    "message": "Gaps are matched by rule, path and message (the earlier report has no ids or fingerprints).",
}


def _comparison(comparison: dict[str, Any], links: _Links) -> str:
    previous = comparison["previous"]
    before, after = comparison.get("score_before"), comparison.get("score_after")
    when = esc(previous.get("date") or "an earlier run")
    if previous.get("commit"):
        when += f" at <code>{esc(str(previous['commit'])[:12])}</code>"
    delta = ""
    if before is not None and after is not None:
        change = after - before
        cls = "ok-text" if change > 0 else "bad-text" if change < 0 else ""
        delta = f'Score {before} → {after} <b class="{cls}">({change:+d})</b> · '
    matched = _MATCHED_BY.get(str(comparison.get("matched_by")), "")
    lines = [
        '<section class="panel" id="changes">',
        "<h2>What changed since the last audit</h2>",
        f"<p>Compared with the {esc(previous['kind'])} report of {when}. {delta}"
        f"{plural(len(comparison['new_gaps']), 'new gap')}, {plural(len(comparison['fixed_gaps']), 'fixed gap')}, "
        f"{comparison['unchanged_gaps']} unchanged. {matched}</p>",
    ]
    rows = []
    for pillar in comparison["pillars"]:
        if not (
            pillar["score_before"] != pillar["score_after"]
            or pillar["gaps_before"] != pillar["gaps_after"]
            or pillar["verdict_before"] != pillar["verdict_after"]
            or pillar["evidence"]
        ):
            continue
        evidence = "; ".join(
            f"{esc(kind_of(e['kind']).title)}: {e['before'] if e['before'] is not None else '–'} → {e['after']}"
            for e in pillar["evidence"]
        )
        rows.append(
            f"<tr><td>{pillar['pillar']}. {esc(title_case(pillar['name']))}</td>"
            f"<td>{esc(pillar['verdict_before'] or '–')} → {_pill(pillar['verdict_after'])}</td>"
            f'<td class="n">{pillar["score_before"] if pillar["score_before"] is not None else "–"} → {esc(score_text(pillar["score_after"]))}</td>'
            f'<td class="n">{pillar["gaps_before"]} → {pillar["gaps_after"]}</td><td>{evidence or "–"}</td></tr>'
        )
    if rows:
        lines.append(
            '<div class="scroll"><table class="grid"><thead><tr><th>Pillar</th><th>Verdict</th><th class="n">Score</th><th class="n">Gaps</th><th>Evidence</th></tr></thead>'
            f"<tbody>{''.join(rows)}</tbody></table></div>"
        )
    for title, gaps in (("New gaps", comparison["new_gaps"]), ("Fixed gaps", comparison["fixed_gaps"])):
        if gaps:
            lines.append(f'<h3>{title} <span class="count">{len(gaps)}</span></h3>')
            # A fixed gap's id has no row in this report: it is gone.
            lines.append(_gap_table(gaps, links if title == "New gaps" else _Links(links.docs, frozenset()), fix=False))
    lines.append("</section>")
    return "\n".join(lines)


def _baseline(baseline: dict[str, Any], document: dict[str, Any], links: _Links) -> str:
    new = _with_register_entries(baseline["new_gaps"], document)
    lines = [
        '<section class="panel" id="baseline">',
        "<h2>Since the baseline</h2>",
        f"<p>Baseline <code>{esc(baseline['file'])}</code>: <b>{plural(len(new), 'new gap')}</b>, "
        f"{baseline['accepted']} accepted in the baseline (still open, marked in the gap tables), "
        f"{baseline['fixed']} fixed since it was written.</p>",
    ]
    if new:
        lines.append(_gap_table(new, links, fix=False))
    lines.append("</section>")
    return "\n".join(lines)


def _with_register_entries(gaps: list[dict[str, Any]], document: dict[str, Any]) -> list[dict[str, Any]]:
    """The baseline's new gaps carry no severity or rule name: take them from the gap of
    the same id in the register (the document's own entries)."""
    register = gaps_by_id(document)
    return [{**register.get(str(gap.get("id")), {}), **gap} for gap in gaps]


# -- pillars ---------------------------------------------------------------------------------------
def _pillar(pillar: dict[str, Any], links: _Links) -> str:
    verdict = pillar["verdict"]
    cls = _VERDICT_CLASS[verdict]
    deviations = pillar.get("deviations", [])
    out = [
        f'<section class="panel pillar {cls}" id="pillar-{pillar["pillar"]}">',
        '<div class="pillar-head">',
        f'<span class="badge big {cls}">{pillar["pillar"]}</span>',
        f"<h2>{esc(title_case(pillar['name']))}</h2>",
        _pill(verdict),
        f'<span class="pillar-score">{esc(score_text(pillar["score"]))}</span>',
        "</div>",
        f'<p class="principle">{rich(pillar["principle"])}</p>',
        f'<p class="facts">{_pillar_facts(pillar)}</p>',
    ]
    if pillar.get("not_assessed"):
        out.append(f'<p class="flag na">Not assessed: {esc(pillar["not_assessed"])}.</p>')
    elif not pillar["assessed"]:
        out.append('<p class="flag na">Not assessed: none of this pillar’s rules is enabled.</p>')
    out.append("<h3>Evidence</h3>")
    for key, rows in pillar["evidence"].items():
        out.append(_evidence_table(key, rows))
    gaps = pillar["gaps"]
    out.append(f'<h3>Gaps <span class="count">{len(gaps)}</span></h3>')
    hints = pillar.get("fix_hints", {})
    if gaps:
        out.append(_gap_table(gaps, links, hints=hints, anchor=True))
    else:
        # A pillar not assessed says why under its head: "no gaps" would read as clean.
        text = "No gaps found." if pillar["assessed"] else "None judged: the pillar was not assessed."
        out.append(f'<p class="empty">{text}</p>')
    if deviations:
        out.append(f'<h3 id="deviations-{pillar["pillar"]}">Justified deviations <span class="count">{len(deviations)}</span></h3>')
        out.append('<p class="facts">Waived with a reason: listed as evidence, not counted as gaps in the score or the verdict.</p>')
        out.append(_gap_table(deviations, links, fix=False, reason=True, anchor=True))
    shown_rules = {gap["rule"] for gap in gaps}
    for rule_id, hint in hints.items():
        if rule_id not in shown_rules:
            continue  # a rule only a justified deviation fired: no fix is asked for
        out.append(
            f'<details class="fix" id="fix-{esc(rule_id)}"><summary>Use instead — {esc(rule_id)} <code>{esc(hint["name"])}</code>'
            f'<span class="muted">: {esc(hint["summary"])}</span></summary>'
            f"<pre><code>{esc_block(hint['use_instead'])}</code></pre>"
            f'<p><a href="{esc(hint["docs"])}">Full rule documentation</a></p></details>'
        )
    out.append("</section>")
    return "\n".join(out)


def _pillar_facts(pillar: dict[str, Any]) -> str:
    rules = ", ".join(pillar["rules"]) or "none enabled"
    facts = [f"{esc(severity_counts(pillar['by_severity']))} over {plural(pillar['sites'], 'site')}"]
    if pillar.get("scope"):
        facts.insert(0, esc(pillar["scope"]))
    if pillar.get("deviations"):
        facts.append(plural(len(pillar["deviations"]), "justified deviation"))
    if pillar.get("runtime_sites"):
        facts.append(f"{plural(pillar['runtime_sites'], 'site')} decided at run time")
    facts.append(f"rules {esc(rules)}")
    return " · ".join(facts)


def _evidence_table(key: str, rows: list[dict[str, Any]]) -> str:
    kind = kind_of(key)
    title = f'<h4>{esc(kind.title)} <span class="count">{len(rows)}</span></h4>'
    if not rows:
        return f'{title}<p class="empty">{esc(kind.empty)}</p>'
    shown, more = rows[:MAX_ROWS], max(0, len(rows) - MAX_ROWS)
    heads = "".join(f"<th>{esc(heading)}</th>" for _, heading in kind.columns)
    body = []
    for row in shown:
        status = row.get("status", "")
        cls = _STATUS_CLASS.get(status, "na")
        rules = f'<br><span class="rules">{esc(", ".join(row["rules"]))}</span>' if row.get("rules") else ""
        if row.get("other_rules"):
            rules += f'<br><span class="rules">also {esc(", ".join(row["other_rules"]))}</span>'
        if row.get("waived"):
            rules += f'<br><q class="reason">{esc(row["waived"])}</q>'
        cells = "".join(f"<td>{_cell(field, row.get(field, ''))}</td>" for field, _ in kind.columns)
        body.append(
            f'<tr><td class="status"><span class="dot {cls}">{_STATUS_GLYPH.get(status, "")}</span> {esc(STATUS_WORDS.get(status, status))}{rules}</td>'
            f'<td class="loc">{code(location(row), path=True)}</td>{cells}</tr>'
        )
    tail = f'<p class="more">… and {more} more rows in the JSON report.</p>' if more else ""
    return (
        f'{title}<div class="scroll"><table class="grid evidence"><thead><tr><th>Status</th><th>Location</th>{heads}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table></div>{tail}"
    )


_CODE_FIELDS = frozenset(
    {"api", "value", "source", "target", "model", "registers_as", "run", "setting", "via", "tags", "missing"}
)


def _cell(field: str, value: object) -> str:
    text = str(value)
    if text in ("", "-"):
        return '<span class="muted">–</span>'
    if field in _CODE_FIELDS:
        return code(text, path=field == "api")  # API names break only at a dot when long
    return esc(text)


# -- the gap register's tables ----------------------------------------------------------------------
def _gap_table(
    gaps: list[dict[str, Any]],
    links: _Links,
    *,
    hints: dict[str, Any] | None = None,
    fix: bool = True,
    reason: bool = False,
    anchor: bool = False,
) -> str:
    """Gaps with their id, rule, severity, place and message; then what to change there
    (``fix``: the fix, its autofix diff) or why it is waived (``reason``). ``anchor`` gives
    each row its id as an HTML id, for links from the backlog and the waivers."""
    shown, more = gaps[:MAX_ROWS], max(0, len(gaps) - MAX_ROWS)
    rows = "".join(_gap_row(gap, links, hints or {}, fix, reason, anchor) for gap in shown)
    last = "<th>Fix here</th>" if fix else "<th>Why it is waived</th>" if reason else ""
    tail = f'<p class="more">… and {more} more gaps in the JSON report.</p>' if more else ""
    return (
        '<div class="scroll"><table class="grid gaps"><thead><tr><th>ID</th><th>Rule</th><th>Severity</th><th>Location</th>'
        f"<th>Message</th>{last}</tr></thead><tbody>{rows}</tbody></table></div>{tail}"
    )


def _gap_row(gap: dict[str, Any], links: _Links, hints: dict[str, Any], fix: bool, reason: bool, anchor: bool) -> str:
    gap_id = str(gap.get("id", ""))
    status = gap.get("status")
    classes = " unexplained" if status == UNEXPLAINED else ""
    row_id = f' id="{esc(gap_id)}"' if anchor and gap_id else ""
    rule = str(gap.get("rule", ""))
    cells = [
        # The id links to the gap's row: from the comparison and the baseline, and as a
        # permalink (``report.html#MLF-4a2c9e``) on the row itself, for tickets.
        f'<td class="gid">{links.gap_id(gap_id) if gap_id else "<span class=muted>–</span>"}</td>',
        f'<td class="rule">{links.rule(rule, str(gap.get("name", "")))}<br><span class="muted">{esc(gap.get("name", ""))}</span></td>',
        f"<td>{_sev(gap.get('severity'))}</td>",
        f'<td class="loc">{_breakable_location(gap) if fix or reason else code(location(gap), path=True)}</td>',
        f'<td class="msg">{_status_note(gap, reason)}{message(_finding_part(gap) if fix else str(gap.get("message", "")))}</td>',
    ]
    if fix:
        cells.append(f'<td class="fixhere">{_fix_cell(gap, hints.get(rule))}</td>')
    elif reason:
        cells.append(f'<td class="msg">{_waiver_reason(gap.get("waiver") or {})}</td>')
    return f'<tr{row_id} class="gap{classes}">{"".join(cells)}</tr>'


def _breakable_location(gap: dict[str, Any]) -> str:
    """The location, breakable after each ``/``: six columns leave little room for paths."""
    return segmented_path(location(gap))


_WHOLE_SEGMENT = 24  # characters: a file or directory name this short is never broken


def segmented_path(value: object) -> str:
    """A path in ``<code>`` that wraps after a ``/``, not at a ``-`` inside a name
    (``deploy/docker-compose.yml``); a longer name may break anywhere (a narrow column)."""
    segments = one_line(value).split("/")
    kept = [
        f'<span class="nw">{html.escape(part)}</span>' if 0 < len(part) <= _WHOLE_SEGMENT else html.escape(part)
        for part in segments
    ]
    return f'<code class="path">{"/<wbr>".join(kept)}</code>'


def _finding_part(gap: dict[str, Any]) -> str:
    """The message without its remedy when the Fix column shows it: a message is "what is
    wrong; what to do" and ``fix.here`` is the second half."""
    text = str(gap.get("message", ""))
    fix = gap.get("fix")
    here = str(fix.get("here", "")) if isinstance(fix, dict) else ""
    suffix = f"; {here}"
    return text[: -len(suffix)] if here and text.endswith(suffix) and len(text) > len(suffix) else text


def _status_note(gap: dict[str, Any], in_deviations: bool) -> str:
    """Marks above the message: an unexplained waiver (a gap that looks waived), a gap the
    baseline accepted (still open), a justified deviation outside a deviations table."""
    notes = []
    waiver = gap.get("waiver") or {}
    if gap.get("status") == UNEXPLAINED:
        notes.append(
            f'<span class="flag bad">⚠ Unexplained waiver: {_waiver_source(waiver)} gives no reason, so this counts as a gap.</span>'
        )
    elif gap.get("status") == JUSTIFIED and not in_deviations:
        notes.append(f'<span class="flag note">Justified deviation: <q>{esc(waiver.get("reason", ""))}</q></span>')
    if gap.get("baseline") == "accepted":
        notes.append('<span class="tag na">accepted in the baseline (still open)</span>')
    if gap.get("shadow"):
        notes.append(f'<span class="tag na" title="{_SHADOW}">shadow rule: does not fail CI</span>')
    return "".join(f"<div>{note}</div>" for note in notes)


def _waiver_source(waiver: dict[str, Any]) -> str:
    """``# noqa: MLF402`` (line 6), the comment as written; or the per-file-ignores entry,
    which waivers.py words as a sentence (``per-file-ignores 'scratch/*.py' = MLF101 in
    pyproject.toml``), so it stays text."""
    if waiver.get("kind") != "noqa":
        return esc(waiver.get("source", ""))
    source = f"<code>{esc(waiver.get('source', ''))}</code>"
    return f"{source} (line {esc(waiver['line'])})" if waiver.get("line") is not None else source


def _waiver_reason(waiver: dict[str, Any]) -> str:
    if not waiver.get("reason"):
        return _reason_or_flag(None)
    if waiver.get("kind") == "noqa":
        line = waiver.get("line")
        how = "<code># noqa</code> comment" + (f" at line {esc(line)}" if line is not None else "")
    else:
        how = esc(waiver.get("source", ""))
    return f'<q class="reason">{esc(waiver["reason"])}</q><br><span class="muted">{how}</span>'


def _fix_cell(gap: dict[str, Any], hint: dict[str, Any] | None) -> str:
    """The fix at this place, the autofix's diff when there is one, the catalog example."""
    fix = gap.get("fix")
    if not isinstance(fix, dict):
        return f'<a href="#fix-{esc(gap.get("rule", ""))}">use instead ↓</a>' if hint else '<span class="muted">–</span>'
    out = [fix_text(str(fix.get("here", "")))]
    autofix = fix.get("autofix")
    if isinstance(autofix, dict):
        out.append(_diff(autofix))
    if hint:
        out.append(f' <a class="hint" href="#fix-{esc(gap.get("rule", ""))}">use instead ↓</a>')
    return "".join(out)


def _diff(autofix: dict[str, Any]) -> str:
    safety = str(autofix.get("safety", ""))
    cls, label, how = _AUTOFIX.get(safety, ("na", f"{safety} autofix", "mlflow-lint check --fix"))
    lines = "".join(_diff_line(line) for line in map(str, autofix.get("diff", [])))
    flag = how.rpartition(" ")[2]
    head = f'<span class="tag {cls}" title="{esc(how)}">{esc(label)}</span> <span class="muted">{esc(flag)}</span>'
    if not lines:  # the check knows the fix applies; the audit did not compute its diff
        return f'<div class="autofix">{head}</div>'
    return f'<div class="autofix">{head}<pre class="diff"><code>{lines}</code></pre></div>'


def _diff_line(line: str) -> str:
    """One ``- old`` / ``+ new`` line, its sign in the margin: a long line wraps under
    its own text, never leaving the sign alone on a line."""
    sign, rest = (line[:1], line[2:] if line[1:2] == " " else line[1:]) if line[:1] in ("-", "+") else ("", line)
    cls = {"-": "del", "+": "ins"}.get(sign, "ctx")
    return f'<span class="{cls}"><span class="sign">{esc(sign or " ")}</span>{esc(rest)}</span>'


# -- waivers and deviations ---------------------------------------------------------------------
def _waivers(waivers: dict[str, Any], links: _Links) -> str:
    justified, unexplained = waivers.get("justified", 0), waivers.get("unexplained", 0)
    unexplained_text = plural(unexplained, "unexplained waiver")
    if unexplained:
        unexplained_text = f'<b class="bad-text">{unexplained_text}</b>'
    out = [
        '<section class="panel" id="waivers">',
        "<h2>Waivers and deviations</h2>",
        "<p>Everything that keeps a finding out of <code>mlflow-lint check</code>, listed as evidence: "
        f"<b>{plural(justified, 'justified deviation')}</b> (waived with a reason: shown in their pillar, not counted) and "
        f"{unexplained_text} (no reason given: counted as gaps).</p>",
    ]
    out += _waiver_entries(waivers.get("entries", []), links)
    out += _per_file_ignores(waivers.get("per_file_ignores", []))
    out += _shadow_rules(waivers.get("shadow_rules", []))
    out += _disabled_rules(waivers.get("disabled_rules", []))
    out += _exclusions(waivers.get("exclude", []), waivers.get("excluded_paths", []))
    out += _test_code(waivers.get("test_code", {}))
    out.append("</section>")
    return "\n".join(out)


def _reason_or_flag(reason: object) -> str:
    """A waiver's reason as a quotation, or the warning that it has none (then it counts)."""
    if reason:
        return f'<q class="reason">{esc(reason)}</q>'
    return '<span class="flag bad">⚠ no reason given: counts as a gap</span>'


def _waiver_entries(entries: list[dict[str, Any]], links: _Links) -> list[str]:
    out = [f'<h3>Waivers <span class="count">{len(entries)}</span></h3>']
    if not entries:
        return out + ['<p class="empty">No <code># noqa</code> comment or per-file-ignores entry waives a finding.</p>']
    rows = []
    for entry in entries[:MAX_ROWS]:
        if entry.get("kind") == "noqa":
            kind, where = "<code># noqa</code>", f"{code(entry.get('where', ''), path=True)}<br><code>{esc(entry.get('comment') or '')}</code>"
        else:
            kind, where = "per-file-ignores", esc(entry.get("where", ""))
        reason = _reason_or_flag(entry.get("reason") if entry.get("justified") else None)
        rows.append(
            f'<tr class="{"justified" if entry.get("justified") else "unexplained"}"><td class="kind">{kind}</td><td>{where}</td>'
            f"<td>{_codes(entry.get('rules', []))}</td><td>{reason}</td><td class=\"ids\">{links.gap_ids(entry.get('ids', []))}</td></tr>"
        )
    out.append(
        '<div class="scroll"><table class="grid waivers"><thead><tr><th>Kind</th><th>Where</th><th>Rules</th><th>Reason</th><th>Gaps</th></tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></div>"
    )
    return out + _capped_tail(len(entries), "waivers")


def _per_file_ignores(entries: list[dict[str, Any]]) -> list[str]:
    out = [f'<h3>Per-file ignores <span class="count">{len(entries)}</span></h3>']
    if not entries:
        return out + ['<p class="empty">No per-file-ignores entry is configured.</p>']
    rows = "".join(
        f"<tr><td>{code(entry.get('pattern', ''), path=True)}</td><td>{_codes(entry.get('codes', []))}</td>"
        f"<td>{_optional_code(entry.get('configuration'))}</td><td>{_reason_or_flag(entry.get('reason'))}</td></tr>"
        for entry in entries[:MAX_ROWS]
    )
    out.append(
        '<div class="scroll"><table class="grid waivers"><thead><tr><th>Pattern</th><th>Rules</th><th>Configuration</th><th>Reason</th></tr></thead>'
        f"<tbody>{rows}</tbody></table></div>"
    )
    return out + _capped_tail(len(entries), "entries")


def _shadow_rules(rules: list[str]) -> list[str]:
    out = [f'<h3>Shadow rules <span class="count">{len(rules)}</span></h3>']
    if not rules:
        return out + ['<p class="empty">None: every enabled rule can fail <code>mlflow-lint check</code>.</p>']
    return out + [
        f"<p>{_codes(rules)}: reported without failing <code>mlflow-lint check</code>. "
        "The audit still counts their findings as gaps.</p>"
    ]


def _disabled_rules(rules: list[dict[str, Any]]) -> list[str]:
    out = [f'<h3>Rules disabled <span class="count">{len(rules)}</span></h3>']
    if not rules:
        return out + ['<p class="empty">None: every rule enabled by default is enabled.</p>']
    rows = "".join(
        f'<tr><td class="rule"><code class="nw">{esc(rule.get("rule", ""))}</code></td><td>{esc(rule.get("name", ""))}</td>'
        f'<td class="n"><a href="#pillar-{esc(rule.get("pillar", ""))}">{esc(rule.get("pillar", ""))}</a></td></tr>'
        for rule in rules[:MAX_ROWS]
    )
    return out + [
        "<p>Enabled by default, not enabled for this audit: nothing they would find is reported.</p>",
        '<div class="scroll"><table class="grid"><thead><tr><th>Rule</th><th>Name</th><th class="n">Pillar</th></tr></thead>'
        f"<tbody>{rows}</tbody></table></div>",
    ] + _capped_tail(len(rules), "rules")


def _exclusions(patterns: list[dict[str, Any]], paths: list[str]) -> list[str]:
    out = [f'<h3>Not audited <span class="count">{len(paths)}</span></h3>']
    if not patterns and not paths:
        return out + ['<p class="empty">Nothing is excluded: every file the paths hold was audited.</p>']
    if patterns:
        listed = ", ".join(
            code(p.get("pattern", ""), path=True) + (f" (in {code(p['configuration'], path=True)})" if p.get("configuration") else "")
            for p in patterns[:MAX_ROWS]
        )
        out.append(f"<p>Excluded by <code>exclude</code>: {listed}{_more(len(patterns) - MAX_ROWS)}.</p>")
    if paths:
        out.append(
            f'<p><span class="flag warn">Not audited</span> {_codes(paths[:MAX_ROWS], paths=True)}{_more(len(paths) - MAX_ROWS)}</p>'
        )
    return out


def _test_code(test_code: dict[str, Any]) -> list[str]:
    findings = int(test_code.get("findings", 0))
    out = [f'<h3>Test code <span class="count">{findings}</span></h3>']
    if not findings:
        return out + ['<p class="empty">No finding in test code.</p>']
    by_rule = ", ".join(f"<code>{esc(rule)}</code> ×{count}" for rule, count in test_code.get("by_rule", {}).items())
    return out + [
        f"<p>{plural(findings, 'finding')} in {plural(int(test_code.get('files', 0)), 'test file')} are not gaps: "
        f"test code is no governance target. By rule: {by_rule}.</p>"
    ]


def _capped_tail(total: int, noun: str) -> list[str]:
    more = total - MAX_ROWS
    return [f'<p class="more">… and {more} more {noun} in the JSON report.</p>'] if more > 0 else []


def _optional_code(value: object) -> str:
    return code(value, path=True) if value else '<span class="muted">–</span>'


# -- limits, inventory, findings outside the pillars, footer ----------------------------------------
def _cannot_see(limits: dict[str, Any]) -> str:
    this_run, always = limits.get("this_run", []), limits.get("always", [])
    out = [
        '<section class="panel" id="cannot-see">',
        "<h2>What this audit cannot see</h2>",
        "<p>Static analysis reads the code and the deployment files; it runs nothing and asks no server. "
        "These need another kind of evidence (the registry, the server's configuration, its logs).</p>",
        f'<h3>In this run <span class="count">{len(this_run)}</span></h3>',
    ]
    if this_run:
        out.append('<ul class="limits run">' + "".join(f"<li>{rich(line)}</li>" for line in this_run) + "</ul>")
    else:
        out.append('<p class="empty">Nothing beyond the limits below: every site was decided in the code.</p>')
    out.append(f'<h3>Never visible to static analysis <span class="count">{len(always)}</span></h3>')
    out.append('<ul class="limits">' + "".join(f"<li>{rich(line)}</li>" for line in always) + "</ul>")
    out.append("</section>")
    return "\n".join(out)


def _inventory(inventory: dict[str, Any]) -> str:
    out = ['<section class="panel" id="inventory">', "<h2>Inventory</h2>"]
    files = inventory.get("apis_by_file", [])
    out.append(f'<h3>MLflow APIs used, by file <span class="count">{len(files)}</span></h3>')
    if files:
        rows = "".join(
            f'<tr><td class="loc">{code(f["path"], path=True)}</td><td class="apis">'
            + " ".join(f'<span class="api"><code>{esc(c["api"])}</code> ×{c["count"]}</span>' for c in f["calls"])
            + "</td></tr>"
            for f in files[:MAX_ROWS]
        )
        out.append(
            f'<div class="scroll"><table class="grid"><thead><tr><th>File</th><th>Calls</th></tr></thead><tbody>{rows}</tbody></table></div>'
        )
    else:
        out.append('<p class="empty">No MLflow API call found.</p>')
    models = inventory.get("registered_models", [])
    out.append(f'<h3>Registered models named in code <span class="count">{len(models)}</span></h3>')
    if models:
        rows = "".join(
            f"<tr><td><code>{esc(m['name'])}</code></td>"
            f"<td>{_codes(m['aliases'])}</td><td>{_codes(m['versions'])}</td>"
            f'<td class="loc">{_codes(m["locations"][:12], paths=True)}{_more(len(m["locations"]) - 12)}</td></tr>'
            for m in models[:MAX_ROWS]
        )
        out.append(
            '<div class="scroll"><table class="grid"><thead><tr><th>Model</th><th>Aliases</th><th>Pinned versions</th><th>Where</th></tr></thead>'
            f"<tbody>{rows}</tbody></table></div>"
        )
    else:
        out.append('<p class="empty">No registered model is named in code.</p>')
    experiments = inventory.get("experiments", [])
    out.append(f'<h3>Experiments named in code <span class="count">{len(experiments)}</span></h3>')
    if experiments:
        rows = "".join(
            f'<tr><td><code>{esc(e["name"])}</code></td><td class="loc">{_codes(e["locations"][:12], paths=True)}{_more(len(e["locations"]) - 12)}</td></tr>'
            for e in experiments[:MAX_ROWS]
        )
        out.append(
            f'<div class="scroll"><table class="grid"><thead><tr><th>Experiment</th><th>Where</th></tr></thead><tbody>{rows}</tbody></table></div>'
        )
    else:
        out.append('<p class="empty">No experiment is named in code.</p>')
    out.append("</section>")
    return "\n".join(out)


def _codes(values: list[str], paths: bool = False) -> str:
    return " ".join(code(v, path=paths) for v in values) or '<span class="muted">–</span>'


def _more(count: int) -> str:
    return f' <span class="muted">+{count} more</span>' if count > 0 else ""


def _migration(findings: list[dict[str, Any]], links: _Links) -> str:
    """MLF9xx: what the target MLflow release removes or deprecates; not scored."""
    return "\n".join(
        [
            '<section class="panel" id="migration">',
            "<h2>MLflow-version migration (outside the pillars)</h2>",
            '<p class="facts">What the target MLflow release removes or deprecates. Not scored; open ones are in the backlog.</p>',
            _gap_table(findings, links, anchor=True),
            "</section>",
        ]
    )


def _problems(document: dict[str, Any], links: _Links) -> str:
    out = ['<section class="panel" id="analysis">', "<h2>Analysis findings (outside the pillars)</h2>"]
    problems = document.get("analysis_findings", [])
    if problems:
        out.append(_gap_table(problems, links, anchor=True))
    skipped = document.get("skipped", [])
    if skipped:
        rows = "".join(
            f'<tr><td class="loc"><code>{esc(s["path"])}</code></td><td>{esc(s["reason"])}</td></tr>'
            for s in skipped[:MAX_ROWS]
        )
        out.append(
            f'<h3>Skipped paths</h3><div class="scroll"><table class="grid"><thead><tr><th>Path</th><th>Reason</th></tr></thead><tbody>{rows}</tbody></table></div>'
        )
    out.append("</section>")
    return "\n".join(out)


def _footer(document: dict[str, Any]) -> str:
    header = document["header"]
    weights = document["scoring"]["weights"]
    risk = document["scoring"].get("risk_formula")
    return f"""<footer class="footer">
<p>Generated by mlflow-lint {esc(header["version"])} on {esc(header["date"])} by static analysis: no code was executed and nothing was fetched.
Severity weights: error {weights["error"]}, warning {weights["warning"]}, note {weights["note"]}; a site is worth {document["scoring"]["site_weight"]}.{" " + esc(risk) + "." if risk else ""}</p>
</footer>"""


_CSS = """
:root{color-scheme:light dark;--bg:#f4f5f7;--panel:#fff;--ink:#1c2128;--muted:#5d6672;--line:#e1e4e8;--soft:#f6f8fa;
--accent:#0a66c2;--ok:#1a7f37;--ok-bg:#dcf5e3;--warn:#9a6700;--warn-fill:#d4a017;--warn-bg:#fff4c2;--bad:#c62a2f;--bad-bg:#ffe5e3;
--note:#0969da;--note-bg:#def0ff;--na:#6e7781;--na-bg:#eaeef2;--shadow:0 1px 2px rgba(27,31,36,.06),0 4px 14px rgba(27,31,36,.05)}
@media (prefers-color-scheme:dark){:root{--bg:#0d1117;--panel:#161b22;--ink:#e6edf3;--muted:#9aa4af;--line:#30363d;--soft:#1c222b;
--accent:#58a6ff;--ok:#3fb950;--ok-bg:#12361f;--warn:#d29922;--warn-fill:#d29922;--warn-bg:#3a2e0a;--bad:#f85149;--bad-bg:#421619;
--note:#58a6ff;--note-bg:#0f2b4a;--na:#8b949e;--na-bg:#262c34;--shadow:none}}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;background:var(--bg);color:var(--ink);font:14px/1.5 system-ui,-apple-system,"Segoe UI","Liberation Sans","DejaVu Sans",sans-serif}
.page{max-width:1180px;margin:0 auto;padding:28px 24px 40px}
code,pre{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,"Liberation Mono","DejaVu Sans Mono",monospace;font-size:12.5px}
code{background:var(--soft);border:1px solid var(--line);border-radius:4px;padding:0 4px;overflow-wrap:break-word}
pre{background:var(--soft);border:1px solid var(--line);border-radius:6px;padding:12px;overflow:auto}
pre code{border:0;padding:0;background:none}
a{color:var(--accent);text-decoration:none}a:hover{text-decoration:underline}
h1,h2,h3,h4{line-height:1.25;margin:0}
.panel{background:var(--panel);border:1px solid var(--line);border-radius:10px;box-shadow:var(--shadow);padding:20px 22px;margin:18px 0}
.masthead{display:flex;gap:24px;justify-content:space-between;align-items:flex-start;background:var(--panel);border:1px solid var(--line);border-radius:12px;box-shadow:var(--shadow);padding:24px 26px}
.masthead-text{flex:1;min-width:0}
.masthead-visuals{display:flex;gap:8px;align-items:center}
.kicker{margin:0 0 4px;text-transform:uppercase;letter-spacing:.08em;font-size:12px;font-weight:600;color:var(--muted)}
h1{font-size:30px;font-weight:700;overflow-wrap:anywhere}
.lede{margin:8px 0 10px;color:var(--muted);font-size:15px}
.verdict-word{font-weight:700}.verdict-word.bad{color:var(--bad)}.verdict-word.warn{color:var(--warn)}.verdict-word.ok{color:var(--ok)}.verdict-word.na{color:var(--na)}
.chips{margin:0 0 16px;display:flex;gap:8px;flex-wrap:wrap;align-items:center}.chips .sep{width:1px;height:18px;background:var(--line);margin:0 4px}
.chip.ok{background:var(--ok-bg);color:var(--ok)}.chip.na{background:var(--na-bg);color:var(--na)}
.rule-list{font-size:11.5px;color:var(--muted)}
.chip{border-radius:999px;padding:2px 10px;font-size:13px;border:1px solid var(--line)}
.chip.bad{background:var(--bad-bg);color:var(--bad)}.chip.warn{background:var(--warn-bg);color:var(--warn)}.chip.note{background:var(--note-bg);color:var(--note)}
.meta{display:grid;grid-template-columns:repeat(2,minmax(0,1fr));gap:6px 24px;margin:0;font-size:13px}
.meta div{display:flex;gap:10px;min-width:0}.meta div.wide{grid-column:1/-1;order:1}.meta dt{flex:0 0 110px;color:var(--muted)}.meta dd{margin:0;min-width:0;overflow-wrap:anywhere}
figure{margin:0;text-align:center}figcaption{font-size:12px;color:var(--muted);margin-top:-2px}
.gauge .track{stroke:var(--line)}.gauge .fill.ok{stroke:var(--ok)}.gauge .fill.warn{stroke:var(--warn-fill)}.gauge .fill.bad{stroke:var(--bad)}.gauge .fill.na{stroke:var(--na)}
.gauge-score{font-size:38px;font-weight:700;fill:var(--ink)}.gauge-label{font-size:12px;fill:var(--muted)}
.radar .ring{fill:none;stroke:var(--line)}.radar .spoke{stroke:var(--line)}
.radar .shape{fill:var(--accent);fill-opacity:.18;stroke:var(--accent);stroke-width:2}
.radar .axis{font-size:12px;font-weight:700;fill:var(--muted)}
.dot.ok,.radar .dot.ok{fill:var(--ok)}.radar .dot.warn{fill:var(--warn-fill)}.radar .dot.bad{fill:var(--bad)}.radar .dot.na{fill:var(--na)}
.radar .axis.bad{fill:var(--bad)}.radar .axis.warn{fill:var(--warn)}.radar .axis.ok{fill:var(--ok)}
h2{font-size:20px;margin-bottom:12px}
h3{font-size:15px;margin:20px 0 8px;text-transform:uppercase;letter-spacing:.05em;color:var(--muted)}
h4{font-size:14px;margin:14px 0 6px}
.count{display:inline-block;min-width:22px;text-align:center;font-size:12px;font-weight:600;padding:0 6px;border-radius:999px;background:var(--na-bg);color:var(--muted);letter-spacing:0}
table.grid{width:100%;border-collapse:collapse;font-size:13px}
.grid th{text-align:left;font-weight:600;color:var(--muted);border-bottom:2px solid var(--line);padding:6px 8px;white-space:nowrap}
.grid td{border-bottom:1px solid var(--line);padding:6px 8px;vertical-align:top}
.grid tbody tr:hover{background:var(--soft)}
.grid .n{text-align:right;font-variant-numeric:tabular-nums}
.scroll{overflow-x:auto}
.scorecard td{vertical-align:middle}
.badge{display:inline-flex;align-items:center;justify-content:center;width:24px;height:24px;border-radius:50%;font-weight:700;font-size:12px;color:#fff}
.badge.big{width:34px;height:34px;font-size:16px}
.badge.ok{background:var(--ok)}.badge.warn{background:var(--warn-fill)}.badge.bad{background:var(--bad)}.badge.na{background:var(--na)}
.pill{display:inline-block;border-radius:999px;padding:1px 10px;font-size:12px;font-weight:600;white-space:nowrap}
.pill.ok{background:var(--ok-bg);color:var(--ok)}.pill.warn{background:var(--warn-bg);color:var(--warn)}.pill.bad{background:var(--bad-bg);color:var(--bad)}.pill.na{background:var(--na-bg);color:var(--na)}
.bar-track{fill:var(--na-bg)}.bar-fill.ok{fill:var(--ok)}.bar-fill.warn{fill:var(--warn-fill)}.bar-fill.bad{fill:var(--bad)}.bar-fill.na{fill:var(--na)}
.bar-label{font-size:12px;font-weight:700;fill:var(--ink)}
.bad-text{color:var(--bad);font-weight:700}.warn-text{color:var(--warn);font-weight:700}.ok-text{color:var(--ok)}
.fineprint{color:var(--muted);font-size:12px;margin:10px 0 0}
.pillar{border-left:5px solid var(--na)}.pillar.ok{border-left-color:var(--ok)}.pillar.warn{border-left-color:var(--warn-fill)}.pillar.bad{border-left-color:var(--bad)}
.pillar-head{display:flex;align-items:center;gap:12px}.pillar-head h2{margin:0;flex:0 1 auto}
.pillar-score{margin-left:auto;font-size:22px;font-weight:700;font-variant-numeric:tabular-nums}
.principle{margin:12px 0 4px;padding:8px 12px;border-radius:6px;background:var(--soft);font-style:italic}
.facts{margin:4px 0 0;color:var(--muted);font-size:13px}
.status{white-space:nowrap}.status .rules{padding-left:22px;white-space:normal}
.evidence td code,.gaps td code,.waivers td code,.cards code{overflow-wrap:anywhere}.grid td.loc code{overflow-wrap:normal}
/* A value longer than any column (a hostile file name, a long token) breaks anywhere rather than widen the page. */
.grid td code.path,.grid td.loc code.path,.backlog td code,.quick td code,.waivers td,.panel p,.panel li,.headline li{overflow-wrap:anywhere}
.dot{display:inline-flex;align-items:center;justify-content:center;width:18px;height:18px;border-radius:50%;font-size:11px;font-weight:700;color:#fff;background:var(--na)}
span.dot.ok{background:var(--ok)}span.dot.warn{background:var(--warn-fill)}span.dot.bad{background:var(--bad)}span.dot.note{background:var(--note)}
.rules{font-size:11px;color:var(--muted)}
.sev{display:inline-block;border-radius:4px;padding:0 6px;font-size:12px;font-weight:600}
.sev.bad{background:var(--bad-bg);color:var(--bad)}.sev.warn{background:var(--warn-bg);color:var(--warn)}.sev.note{background:var(--note-bg);color:var(--note)}
.loc{max-width:300px}code.nw,code .nw{white-space:nowrap}
.rule{white-space:nowrap}.hint{white-space:nowrap}
.muted{color:var(--muted)}.empty{color:var(--muted);font-style:italic;margin:4px 0}
.more{color:var(--muted);font-size:12px}
details.fix{margin:8px 0;border:1px solid var(--line);border-radius:6px;padding:6px 10px}
details.fix summary{cursor:pointer;font-weight:600}details.fix summary .muted{font-weight:400}
details.fix[open]{background:var(--soft)}details.fix pre{background:var(--panel)}
.apis{line-height:1.9}.api{white-space:nowrap;margin-right:6px}
.footer{color:var(--muted);font-size:12px;text-align:center;margin-top:24px}
.masthead{border-top:5px solid var(--na)}.masthead.bad{border-top-color:var(--bad)}.masthead.warn{border-top-color:var(--warn-fill)}.masthead.ok{border-top-color:var(--ok)}.masthead.note{border-top-color:var(--note)}
.verdict-word.note{color:var(--note)}
.verdict-line{display:flex;flex-wrap:wrap;align-items:center;gap:8px 12px;margin:0 0 12px}
.verdict-badge{display:inline-block;border-radius:8px;padding:3px 14px;font-size:17px;font-weight:800;color:#fff;background:var(--na)}
.verdict-badge.bad{background:var(--bad)}.verdict-badge.warn{background:var(--warn-fill)}.verdict-badge.ok{background:var(--ok)}.verdict-badge.note{background:var(--note)}
.verdict-score{font-size:18px;font-weight:800;font-variant-numeric:tabular-nums}
.verdict-line .sep{width:1px;height:22px;background:var(--line);margin:0 2px}
.verdict-figures{color:var(--muted);font-size:13px;margin:-4px 0 12px}.verdict-figures b{color:var(--ink)}
.headline{margin:0 0 14px;padding:8px 14px 8px 30px;border-radius:8px;background:var(--soft);border-left:4px solid var(--na);font-size:14px}
.headline.bad{border-left-color:var(--bad)}.headline.warn{border-left-color:var(--warn-fill)}.headline.ok{border-left-color:var(--ok)}.headline.note{border-left-color:var(--note)}
.headline li{margin:3px 0}
.chips-label{font-size:11px;text-transform:uppercase;letter-spacing:.06em;color:var(--muted);font-weight:600}
.toc{display:flex;flex-wrap:wrap;gap:6px 16px;align-items:center;margin:12px 4px 0;font-size:13px}
.toc-pillars{display:inline-flex;gap:4px;align-items:center;color:var(--muted)}
.badge.small{width:20px;height:20px;font-size:11px}a.badge:hover{text-decoration:none;filter:brightness(1.1)}
.badge.note{background:var(--note)}.pill.note{background:var(--note-bg);color:var(--note)}
.bar-fill.note{fill:var(--note)}.gauge .fill.note{stroke:var(--note)}.radar .dot.note{fill:var(--note)}.radar .axis.note{fill:var(--note)}
.pillar.note{border-left-color:var(--note)}
.why{display:block;font-size:11.5px;color:var(--muted);margin-top:2px}
.cards{display:grid;grid-template-columns:repeat(3,minmax(0,1fr));gap:14px}
.risk-card{border:1px solid var(--line);border-top:4px solid var(--na);border-radius:8px;padding:10px 14px 12px;min-width:0;overflow-wrap:anywhere}
.risk-card.bad{border-top-color:var(--bad)}.risk-card.warn{border-top-color:var(--warn-fill)}.risk-card.note{border-top-color:var(--note)}
.risk-card p{margin:6px 0 0}
.risk-head{display:flex;align-items:center;gap:8px;flex-wrap:wrap}
.rank{font-weight:800;font-size:18px;color:var(--muted);margin-right:auto}
.risk-label{font-size:11px;text-transform:uppercase;letter-spacing:.06em;color:var(--muted)}
.risk-context{font-size:12px;color:var(--muted)}
.risk-title{font-size:15px;font-weight:600}
.rule-name{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,"Liberation Mono","DejaVu Sans Mono",monospace;font-size:13px}
.risk-meta{font-size:12px;color:var(--muted)}
.label{display:inline-block;font-size:11px;font-weight:700;text-transform:uppercase;letter-spacing:.05em;color:var(--muted);margin-right:6px}
.risk{display:inline-block;min-width:30px;text-align:center;border-radius:6px;padding:0 6px;font-weight:800;font-variant-numeric:tabular-nums;cursor:help}
.risk.bad{background:var(--bad);color:#fff}.risk.warn{background:var(--warn-fill);color:#1c2128}.risk.note{background:var(--note-bg);color:var(--note)}
.tag{display:inline-block;border-radius:4px;padding:0 6px;font-size:11.5px;font-weight:600;white-space:nowrap}
.tag.ok{background:var(--ok-bg);color:var(--ok)}.tag.warn{background:var(--warn-bg);color:var(--warn)}.tag.bad{background:var(--bad-bg);color:var(--bad)}.tag.na{background:var(--na-bg);color:var(--na)}.tag.note{background:var(--note-bg);color:var(--note)}
.flag{display:inline-block;border-radius:4px;padding:1px 7px;font-size:12px;font-weight:600;margin:0 0 4px;border:1px solid currentColor}
.flag.bad{background:var(--bad-bg);color:var(--bad)}.flag.warn{background:var(--warn-bg);color:var(--warn)}.flag.na{background:var(--na-bg);color:var(--na)}.flag.note{background:var(--note-bg);color:var(--note);font-weight:400}
p.flag{display:block;margin:8px 0 0}
.grid tr.unexplained>td:first-child{box-shadow:inset 3px 0 0 var(--bad)}
.grid tr:target>td{background:var(--note-bg)}
q.reason{font-style:italic;overflow-wrap:anywhere}.status q.reason{display:block;white-space:normal;font-size:12px;padding-left:22px}
.autofix{margin-top:6px}
pre.diff{margin:4px 0 0;padding:6px 8px;white-space:pre-wrap;overflow-wrap:anywhere;font-size:11.5px;line-height:1.45}
pre.diff>code>span{display:block;position:relative;padding:0 4px 0 1.4em;border-radius:3px}pre.diff .sign{position:absolute;left:.35em;top:0;user-select:none}
.gaps td.loc{min-width:205px}pre.diff .del{color:var(--bad);background:var(--bad-bg)}pre.diff .ins{color:var(--ok);background:var(--ok-bg)}
.gid{white-space:nowrap}.gid code{font-size:11.5px}a.gid:hover{text-decoration:none}a.gid code{color:var(--accent)}
.ids{max-width:220px;line-height:1.9}.where{max-width:260px}
/* Messages and fixes hold long identifiers (MlflowClient.get_model_version_by_alias(name,): let them break
rather than widen the table past the page. */
.grid td.msg,.grid td.fixhere{overflow-wrap:anywhere}.gaps td.fixhere{min-width:200px}td.kind,td.how{white-space:nowrap}
.backlog td.rule{white-space:normal;min-width:170px}.backlog td.where{min-width:200px}.backlog td.fixhere{min-width:240px}
.limits{margin:4px 0 0;padding-left:20px}.limits li{margin:4px 0}.limits.run li::marker{color:var(--warn)}
@media (max-width:860px){.cards{grid-template-columns:1fr}}
@media (max-width:860px){.masthead{flex-direction:column}.meta{grid-template-columns:1fr}}
@media print{
:root{--bg:#fff;--panel:#fff;--ink:#000;--muted:#444;--line:#ccc;--soft:#f3f3f3;--shadow:none;
--ok:#1a7f37;--ok-bg:#e6f4ea;--warn:#8a5a00;--warn-fill:#c99400;--warn-bg:#fdf3d0;--bad:#b3261e;--bad-bg:#fce8e6;--note:#0b57d0;--note-bg:#e8f0fe;--na:#5f6368;--na-bg:#eee}
body{background:#fff;font-size:11px}.page{max-width:none;padding:0}
.panel,.masthead{box-shadow:none;border-color:#ccc;break-inside:auto}
.pillar{break-before:page}
tr,.pillar-head,.principle,figure{break-inside:avoid}
thead{display:table-header-group}
.toc{display:none}
.risk-card,.cards{break-inside:avoid}
.grid tr:target>td{background:none}
.scroll{overflow:visible}
a{color:inherit}
.grid tbody tr:hover{background:none}
*{-webkit-print-color-adjust:exact;print-color-adjust:exact}
}
"""
