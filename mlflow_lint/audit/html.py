"""The audit as one self-contained HTML page.

Inline CSS only: no script, no font, no image fetched from anywhere (a Content Security
Policy in the page forbids it), light and dark colour schemes (``prefers-color-scheme``),
a print stylesheet, and the scorecard drawn as inline SVG (a radar of the eight pillars
and a bar per pillar). Every string from the linted code goes through :func:`esc`.
"""

from __future__ import annotations

import html
import math
from typing import Any

from mlflow_lint.audit import scoring
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


def render_html(document: dict[str, Any]) -> str:
    header, summary = document["header"], document["summary"]
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
        _scorecard(document),
    ]
    if document.get("comparison"):
        parts.append(_comparison(document["comparison"]))
    if document.get("baseline"):
        parts.append(_baseline(document["baseline"]))
    parts.extend(_pillar(pillar) for pillar in document["pillars"])
    parts.append(_inventory(document["inventory"]))
    if document.get("migration_findings"):
        parts.append(_migration(document["migration_findings"]))
    if document.get("analysis_findings") or document.get("skipped"):
        parts.append(_problems(document))
    parts.append(_footer(document))
    parts += ["</main>", "</body>", "</html>", ""]
    del summary
    return "\n".join(parts)


# -- header --------------------------------------------------------------------------------------
def _masthead(document: dict[str, Any]) -> str:
    header, summary = document["header"], document["summary"]
    verdict = summary["verdict"]
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
    rows = "".join(f"<div><dt>{esc(label)}</dt><dd>{value}</dd></div>" for label, value in meta)
    counts = summary["by_severity"]
    chips = "".join(
        f'<span class="chip {cls}"><b>{counts.get(sev, 0)}</b> {esc(sev if counts.get(sev, 0) == 1 else sev + "s")}</span>'
        for sev, cls in (("error", "bad"), ("warning", "warn"), ("note", "note"))
    )
    by_verdict = summary.get("pillars_by_verdict", {})
    pills = "".join(
        f'<span class="chip {_VERDICT_CLASS[v]}"><b>{by_verdict.get(v, 0)}</b> {esc(v)}</span>'
        for v in scoring.VERDICTS
        if by_verdict.get(v) or v != scoring.NOT_ASSESSED
    )
    return f"""<header class="masthead">
<div class="masthead-text">
<p class="kicker">MLflow governance audit</p>
<h1>{esc(header["project"])}</h1>
<p class="lede">Static analysis of <code>{esc(header["root"])}</code> against the eight MLflow governance pillars. Overall verdict: <span class="verdict-word {_VERDICT_CLASS[verdict]}">{esc(verdict)}</span>.</p>
<p class="chips">{pills}<span class="sep"></span>{chips}</p>
<dl class="meta">{rows}</dl>
</div>
<div class="masthead-visuals">
{_gauge(summary["score"], verdict)}
{_radar(document["pillars"])}
</div>
</header>"""


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


def _scorecard(document: dict[str, Any]) -> str:
    rows = []
    for pillar in document["pillars"]:
        counts = pillar["by_severity"]
        rows.append(
            "<tr>"
            f'<td class="num"><span class="badge {_VERDICT_CLASS[pillar["verdict"]]}">{pillar["pillar"]}</span></td>'
            f'<td><a href="#pillar-{pillar["pillar"]}">{esc(title_case(pillar["name"]))}</a></td>'
            f"<td>{_pill(pillar['verdict'])}</td>"
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
<p class="fineprint">Per pillar: {formula}. A site is one place in the code the pillar concerns (listed under Evidence). Any error makes a critical gap, any warning a gap; notes alone stay compliant.</p>
</section>"""


def _comparison(comparison: dict[str, Any]) -> str:
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
    lines = [
        '<section class="panel" id="changes">',
        "<h2>What changed since the last audit</h2>",
        f"<p>Compared with the {esc(previous['kind'])} report of {when}. {delta}"
        f"{plural(len(comparison['new_gaps']), 'new gap')}, {plural(len(comparison['fixed_gaps']), 'fixed gap')}, "
        f"{comparison['unchanged_gaps']} unchanged.</p>",
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
            '<table class="grid"><thead><tr><th>Pillar</th><th>Verdict</th><th class="n">Score</th><th class="n">Gaps</th><th>Evidence</th></tr></thead>'
            f"<tbody>{''.join(rows)}</tbody></table>"
        )
    for title, gaps in (("New gaps", comparison["new_gaps"]), ("Fixed gaps", comparison["fixed_gaps"])):
        if gaps:
            lines.append(f"<h3>{title} ({len(gaps)})</h3>")
            lines.append(_gap_table(gaps, {}))
    lines.append("</section>")
    return "\n".join(lines)


def _baseline(baseline: dict[str, Any]) -> str:
    new = baseline["new_gaps"]
    lines = [
        '<section class="panel" id="baseline">',
        "<h2>Since the baseline</h2>",
        f"<p>Baseline <code>{esc(baseline['file'])}</code>: <b>{plural(len(new), 'new gap')}</b>, "
        f"{baseline['accepted']} accepted in the baseline, {baseline['fixed']} fixed since it was written.</p>",
    ]
    if new:
        lines.append(_gap_table(new, {}))
    lines.append("</section>")
    return "\n".join(lines)


# -- pillars ---------------------------------------------------------------------------------------
def _pillar(pillar: dict[str, Any]) -> str:
    verdict = pillar["verdict"]
    cls = _VERDICT_CLASS[verdict]
    rules = ", ".join(pillar["rules"]) or "none enabled"
    out = [
        f'<section class="panel pillar {cls}" id="pillar-{pillar["pillar"]}">',
        '<div class="pillar-head">',
        f'<span class="badge big {cls}">{pillar["pillar"]}</span>',
        f"<h2>{esc(title_case(pillar['name']))}</h2>",
        _pill(verdict),
        f'<span class="pillar-score">{esc(score_text(pillar["score"]))}</span>',
        "</div>",
        f'<p class="principle">{rich(pillar["principle"])}</p>',
        f'<p class="facts">{esc(severity_counts(pillar["by_severity"]))} over {plural(pillar["sites"], "site")} · rules {esc(rules)}</p>',
        "<h3>Evidence</h3>",
    ]
    for key, rows in pillar["evidence"].items():
        out.append(_evidence_table(key, rows))
    gaps = pillar["gaps"]
    out.append(f'<h3>Gaps <span class="count">{len(gaps)}</span></h3>')
    if gaps:
        out.append(_gap_table(gaps, pillar.get("fix_hints", {})))
        for rule_id, hint in pillar.get("fix_hints", {}).items():
            out.append(
                f'<details class="fix" id="fix-{esc(rule_id)}"><summary>Use instead — {esc(rule_id)} <code>{esc(hint["name"])}</code>'
                f'<span class="muted">: {esc(hint["summary"])}</span></summary>'
                f"<pre><code>{esc_block(hint['use_instead'])}</code></pre>"
                f'<p><a href="{esc(hint["docs"])}">Full rule documentation</a></p></details>'
            )
    else:
        text = "No gaps found." if pillar["assessed"] else "Not assessed: none of this pillar's rules is enabled."
        out.append(f'<p class="empty">{text}</p>')
    out.append("</section>")
    return "\n".join(out)


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


def _gap_table(gaps: list[dict[str, Any]], hints: dict[str, Any]) -> str:
    shown, more = gaps[:MAX_ROWS], max(0, len(gaps) - MAX_ROWS)
    rows = []
    for gap in shown:
        hint = hints.get(gap.get("rule", ""), {})
        rule = esc(gap.get("rule", ""))
        if hint.get("docs"):
            rule = f'<a href="{esc(hint["docs"])}">{rule}</a>'
        severity = str(gap.get("severity", ""))
        fix = f'<a href="#fix-{esc(gap.get("rule", ""))}">use instead ↓</a>' if hint else ""
        rows.append(
            f'<tr><td class="rule">{rule}<br><span class="muted">{esc(gap.get("name", ""))}</span></td>'
            f'<td><span class="sev {_STATUS_CLASS.get(severity, "na")}">{esc(severity)}</span></td>'
            f'<td class="loc">{code(location(gap), path=True)}</td>'
            f"<td>{message(str(gap.get('message', '')))}</td>"
            + (f'<td class="hint">{fix}</td>' if hints else "")
            + "</tr>"
        )
    tail = f'<p class="more">… and {more} more gaps in the JSON report.</p>' if more else ""
    fix_head = "<th>Fix</th>" if hints else ""
    return (
        f'<div class="scroll"><table class="grid gaps"><thead><tr><th>Rule</th><th>Severity</th><th>Location</th><th>Message</th>{fix_head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></div>{tail}"
    )


# -- inventory, problems, footer ---------------------------------------------------------------------
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


def _migration(findings: list[dict[str, Any]]) -> str:
    """MLF9xx: what the target MLflow release removes or deprecates; not scored."""
    return "\n".join(
        [
            '<section class="panel" id="migration">',
            "<h2>MLflow-version migration (outside the pillars)</h2>",
            _gap_table(findings, {}),
            "</section>",
        ]
    )


def _problems(document: dict[str, Any]) -> str:
    out = ['<section class="panel" id="analysis">', "<h2>Analysis findings (outside the pillars)</h2>"]
    problems = document.get("analysis_findings", [])
    if problems:
        out.append(_gap_table(problems, {}))
    skipped = document.get("skipped", [])
    if skipped:
        rows = "".join(
            f'<tr><td class="loc"><code>{esc(s["path"])}</code></td><td>{esc(s["reason"])}</td></tr>'
            for s in skipped[:MAX_ROWS]
        )
        out.append(
            f'<h3>Skipped paths</h3><table class="grid"><thead><tr><th>Path</th><th>Reason</th></tr></thead><tbody>{rows}</tbody></table>'
        )
    out.append("</section>")
    return "\n".join(out)


def _footer(document: dict[str, Any]) -> str:
    header = document["header"]
    weights = document["scoring"]["weights"]
    return f"""<footer class="footer">
<p>Generated by mlflow-lint {esc(header["version"])} on {esc(header["date"])} by static analysis: no code was executed and nothing was fetched.
Severity weights: error {weights["error"]}, warning {weights["warning"]}, note {weights["note"]}; a site is worth {document["scoring"]["site_weight"]}.</p>
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
.meta div{display:flex;gap:10px;min-width:0}.meta dt{flex:0 0 110px;color:var(--muted)}.meta dd{margin:0;min-width:0;overflow-wrap:anywhere}
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
.evidence td code,.gaps td code{overflow-wrap:anywhere}.grid td.loc code{overflow-wrap:normal}
.dot{display:inline-flex;align-items:center;justify-content:center;width:18px;height:18px;border-radius:50%;font-size:11px;font-weight:700;color:#fff;background:var(--na)}
span.dot.ok{background:var(--ok)}span.dot.warn{background:var(--warn-fill)}span.dot.bad{background:var(--bad)}span.dot.note{background:var(--note)}
.rules{font-size:11px;color:var(--muted)}
.sev{display:inline-block;border-radius:4px;padding:0 6px;font-size:12px;font-weight:600}
.sev.bad{background:var(--bad-bg);color:var(--bad)}.sev.warn{background:var(--warn-bg);color:var(--warn)}.sev.note{background:var(--note-bg);color:var(--note)}
.loc{max-width:300px}code.nw{white-space:nowrap}
.rule{white-space:nowrap}.hint{white-space:nowrap}
.muted{color:var(--muted)}.empty{color:var(--muted);font-style:italic;margin:4px 0}
.more{color:var(--muted);font-size:12px}
details.fix{margin:8px 0;border:1px solid var(--line);border-radius:6px;padding:6px 10px}
details.fix summary{cursor:pointer;font-weight:600}details.fix summary .muted{font-weight:400}
details.fix[open]{background:var(--soft)}details.fix pre{background:var(--panel)}
.apis{line-height:1.9}.api{white-space:nowrap;margin-right:6px}
.footer{color:var(--muted);font-size:12px;text-align:center;margin-top:24px}
@media (max-width:860px){.masthead{flex-direction:column}.meta{grid-template-columns:1fr}}
@media print{
:root{--bg:#fff;--panel:#fff;--ink:#000;--muted:#444;--line:#ccc;--soft:#f3f3f3;--shadow:none;
--ok:#1a7f37;--ok-bg:#e6f4ea;--warn:#8a5a00;--warn-fill:#c99400;--warn-bg:#fdf3d0;--bad:#b3261e;--bad-bg:#fce8e6;--note:#0b57d0;--note-bg:#e8f0fe;--na:#5f6368;--na-bg:#eee}
body{background:#fff;font-size:11px}.page{max-width:none;padding:0}
.panel,.masthead{box-shadow:none;border-color:#ccc;break-inside:auto}
.pillar{break-before:page}
tr,.pillar-head,.principle,figure{break-inside:avoid}
thead{display:table-header-group}
.scroll{overflow:visible}
a{color:inherit}
.grid tbody tr:hover{background:none}
*{-webkit-print-color-adjust:exact;print-color-adjust:exact}
}
"""
