"""The audit as GitHub-flavoured Markdown: headings, tables, no raw HTML.

Everything that comes from the linted code (paths, strings, names) goes through
:func:`text` (backslash escapes for every character Markdown or GitHub could interpret:
emphasis, links, HTML, entities, math, table pipes; line breaks become ``↵``) or
:func:`code` (a code span with a fence longer than any backtick run inside), so a hostile
repository can neither inject markup nor break a table.
"""

from __future__ import annotations

import re
from typing import Any, Iterable

from mlflow_lint.audit.text import (
    MAX_ROWS,
    QUOTED,
    STATUS_MARKS,
    STATUS_WORDS,
    VERDICT_MARKS,
    bar,
    commit_text,
    files_line,
    github_anchor,
    kind_of,
    location,
    one_line,
    options_lines,
    pillar_heading,
    plural,
    rules_line,
    score_text,
    severity_counts,
    title_case,
    verdict_summary,
)

# Characters that can start markup anywhere in a line: emphasis, code, links and images,
# raw HTML and entities, strikethrough, math, table pipes (``@`` too, for mentions).
_SPECIAL = re.compile(r"([\\`*_\[\]<>|~&$@])")


def text(value: object) -> str:
    """Plain text, safe anywhere in a paragraph or a table cell."""
    flat = one_line(value)
    return _SPECIAL.sub(r"\\\1", flat)


def code(value: object) -> str:
    """A code span (literal text, no autolinks, no mentions), safe in a table cell."""
    flat = one_line(value)
    if not flat:
        return "(empty)"
    flat = _escape_pipes(flat)
    longest = max((len(run) for run in re.findall(r"`+", flat)), default=0)
    fence = "`" * (longest + 1)
    if flat.startswith(("`", " ")) or flat.endswith(("`", " ")):
        flat = f" {flat} "
    return f"{fence}{flat}{fence}"


def _escape_pipes(flat: str) -> str:
    """``|`` -> ``\\|`` so that GFM's table scanner keeps it in the cell (it reads ``\\|``
    as an escaped pipe also inside code spans); a pipe after an odd run of backslashes
    gets one more backslash so that the run cannot swallow the escape."""
    out = []
    run = 0
    for char in flat:
        if char == "|":
            out.append("\\" * (run % 2) + "\\|")
            run = 0
            continue
        run = run + 1 if char == "\\" else 0
        out.append(char)
    return "".join(out)


def rich(value: str) -> str:
    """Our own text, with `backticked` parts as code spans."""
    parts = value.split("`")
    return "".join(code(part) if index % 2 else text(part) for index, part in enumerate(parts))


def message(value: str) -> str:
    """A finding's message, its quoted values as code spans."""
    out = []
    position = 0
    for match in QUOTED.finditer(value):
        out.append(text(value[position : match.start()]))
        out.append(code(match.group()))
        position = match.end()
    out.append(text(value[position:]))
    return "".join(out)


def _table(headings: Iterable[str], rows: list[list[str]], align: str = "") -> list[str]:
    headings = list(headings)
    separators = [("---:" if i < len(align) and align[i] == "r" else "---") for i in range(len(headings))]
    lines = ["| " + " | ".join(headings) + " |", "| " + " | ".join(separators) + " |"]
    lines.extend("| " + " | ".join(cell or " " for cell in row) + " |" for row in rows)
    return lines


def _capped(rows: list[Any]) -> tuple[list[Any], int]:
    return rows[:MAX_ROWS], max(0, len(rows) - MAX_ROWS)


def render_markdown(document: dict[str, Any]) -> str:
    header, summary = document["header"], document["summary"]
    out: list[str] = [f"# MLflow governance audit: {text(header['project'])}", ""]
    out += _header(header)
    out += [
        "",
        f"**Overall: {VERDICT_MARKS.get(summary['verdict'], '')} {score_text(summary['score'])} — {summary['verdict']}** · "
        f"{plural(summary['findings'], 'finding')} ({severity_counts(summary['by_severity'])}) · {verdict_summary(summary)}",
        "",
    ]
    out += _scorecard(document)
    if document.get("comparison"):
        out += _comparison(document["comparison"])
    if document.get("baseline"):
        out += _baseline(document["baseline"])
    for pillar in document["pillars"]:
        out += _pillar(pillar)
    out += _inventory(document["inventory"])
    for key, heading in (
        ("migration_findings", "MLflow-version migration (outside the pillars)"),
        ("analysis_findings", "Analysis findings (outside the pillars)"),
    ):
        if document.get(key):
            out += [f"## {heading}", ""]
            rows = [
                [
                    code(p["rule"]),
                    f"{STATUS_MARKS.get(p['severity'], '')} {p['severity']}",
                    code(location(p)),
                    message(p["message"]),
                ]
                for p in document[key]
            ]
            out += _table(["Rule", "Severity", "Location", "Message"], rows) + [""]
    if document.get("skipped"):
        out += ["## Skipped paths", ""]
        out += _table(["Path", "Reason"], [[code(s["path"]), text(s["reason"])] for s in document["skipped"]]) + [""]
    out += [
        "---",
        "",
        f"Generated by mlflow-lint {text(header['version'])} on {text(header['date'])} by static analysis "
        "(no code was executed). "
        f"Score per pillar: {code(document['scoring']['formula'])}. "
        "Verdict: any error is a critical gap, any warning a gap; notes alone stay compliant.",
        "",
    ]
    return "\n".join(out)


def _header(header: dict[str, Any]) -> list[str]:
    rows = [
        ["Project", f"{text(header['project'])} ({code(header['root'])})"],
        ["Commit", code(commit_text(header)) if header.get("commit") else text(commit_text(header))],
        ["Date", text(header["date"])],
        ["mlflow-lint", text(header["version"])],
        ["Paths", ", ".join(code(p) for p in header.get("paths", [])) or "."],
        ["Files", text(files_line(header))],
        ["Rules enabled", text(rules_line(header))],
        ["Configuration", code(header["config"]) if header.get("config") else "defaults (no configuration file)"],
    ]
    rows += [[text(label), code(value)] for label, value in options_lines(header)]
    return _table(["Audit", " "], rows)


def _scorecard(document: dict[str, Any]) -> list[str]:
    rows = []
    for pillar in document["pillars"]:
        counts = pillar["by_severity"]
        heading = pillar_heading(pillar)
        rows.append(
            [
                str(pillar["pillar"]),
                f"[{text(title_case(pillar['name']))}](#{github_anchor(heading)})",
                f"{VERDICT_MARKS[pillar['verdict']]} {pillar['verdict']}",
                f"`{bar(pillar['score'])}` {score_text(pillar['score'])}",
                str(counts["error"]),
                str(counts["warning"]),
                str(counts["note"]),
                str(pillar["sites"]),
            ]
        )
    return (
        ["## Scorecard", ""]
        + _table(["#", "Pillar", "Verdict", "Score", "Errors", "Warnings", "Notes", "Sites"], rows, "r___rrrr")
        + [""]
    )


def _comparison(comparison: dict[str, Any]) -> list[str]:
    previous = comparison["previous"]
    out = ["## What changed since the last audit", ""]
    when = f"{text(previous.get('date') or 'an earlier run')}"
    if previous.get("commit"):
        when += f" at {code(str(previous['commit'])[:12])}"
    before, after = comparison.get("score_before"), comparison.get("score_after")
    line = f"Compared with the {previous['kind']} report of {when}: "
    if before is not None and after is not None:
        delta = after - before
        line += f"score {before} → {after} ({delta:+d}), "
    line += (
        f"{plural(len(comparison['new_gaps']), 'new gap')}, {plural(len(comparison['fixed_gaps']), 'fixed gap')}, "
        f"{comparison['unchanged_gaps']} unchanged."
    )
    out += [line, ""]
    rows = []
    for pillar in comparison["pillars"]:
        changed = (
            pillar["score_before"] != pillar["score_after"]
            or pillar["gaps_before"] != pillar["gaps_after"]
            or pillar["verdict_before"] != pillar["verdict_after"]
            or pillar["evidence"]
        )
        if not changed:
            continue
        evidence = ", ".join(
            f"{text(kind_of(e['kind']).title.lower())} {e['before'] if e['before'] is not None else '–'} → {e['after']}"
            for e in pillar["evidence"]
        )
        rows.append(
            [
                text(f"{pillar['pillar']}. {title_case(pillar['name'])}"),
                f"{pillar['verdict_before'] or '–'} → {pillar['verdict_after']}",
                f"{pillar['score_before'] if pillar['score_before'] is not None else '–'} → {score_text(pillar['score_after'])}",
                f"{pillar['gaps_before']} → {pillar['gaps_after']}",
                evidence or "–",
            ]
        )
    if rows:
        out += _table(["Pillar", "Verdict", "Score", "Gaps", "Evidence"], rows) + [""]
    for title, gaps in (("New gaps", comparison["new_gaps"]), ("Fixed gaps", comparison["fixed_gaps"])):
        if gaps:
            shown, more = _capped(gaps)
            out += [f"**{title}**", ""]
            out += _table(
                ["Rule", "Severity", "Location", "Message"],
                [
                    [
                        code(g.get("rule", "")),
                        text(g.get("severity", "")),
                        code(location(g)),
                        message(str(g.get("message", ""))),
                    ]
                    for g in shown
                ],
            )
            out += (["", f"… and {more} more."] if more else []) + [""]
    return out


def _baseline(baseline: dict[str, Any]) -> list[str]:
    new = baseline["new_gaps"]
    out = [
        "## Since the baseline",
        "",
        f"Baseline {code(baseline['file'])}: {plural(len(new), 'new gap')}, {baseline['accepted']} accepted in the "
        f"baseline, {baseline['fixed']} fixed since it was written.",
        "",
    ]
    if new:
        shown, more = _capped(new)
        rows = [[code(g["rule"]), code(location(g)), message(g["message"])] for g in shown]
        out += _table(["Rule", "Location", "Message"], rows) + (["", f"… and {more} more."] if more else []) + [""]
    return out


def _pillar(pillar: dict[str, Any]) -> list[str]:
    verdict = pillar["verdict"]
    out = [f"## {pillar_heading(pillar)}", "", f"> {rich(pillar['principle'])}", ""]
    facts = f"**{VERDICT_MARKS[verdict]} {verdict}** · score {score_text(pillar['score'])} · {severity_counts(pillar['by_severity'])} over {plural(pillar['sites'], 'site')}"
    rules = ", ".join(pillar["rules"]) if pillar["rules"] else "none enabled"
    out += [facts + f" · rules: {text(rules)}", ""]
    out += ["### Evidence", ""]
    for key, rows in pillar["evidence"].items():
        kind = kind_of(key)
        out += [f"**{text(kind.title)}** ({len(rows)})", ""]
        if not rows:
            out += [f"_{text(kind.empty)}_", ""]
            continue
        shown, more = _capped(rows)
        table_rows = []
        for row in shown:
            status = row.get("status", "")
            mark = f"{STATUS_MARKS.get(status, '')} {STATUS_WORDS.get(status, status)}"
            if row.get("rules"):
                mark += " " + ", ".join(row["rules"])
            if row.get("other_rules"):
                mark += " (also " + ", ".join(row["other_rules"]) + ")"
            table_rows.append([mark, code(location(row))] + [code(row.get(field, "")) for field, _ in kind.columns])
        out += _table(["Status", "Location"] + [heading for _, heading in kind.columns], table_rows)
        out += (["", f"… and {more} more rows (see the JSON report)."] if more else []) + [""]
    gaps = pillar["gaps"]
    out += [f"### Gaps ({len(gaps)})", ""]
    if not gaps:
        out += [
            "_No gaps found._" if pillar["assessed"] else "_Not assessed: none of this pillar's rules is enabled._",
            "",
        ]
        return out
    shown, more = _capped(gaps)
    hints = pillar.get("fix_hints", {})
    rows = []
    for gap in shown:
        hint = hints.get(gap["rule"], {})
        rule = f"[{gap['rule']}]({hint['docs']})" if hint.get("docs") else gap["rule"]
        fix = f"[use instead](#{_fix_anchor(gap['rule'], hint)})" if hint else " "
        rows.append(
            [
                f"{rule} {code(gap.get('name', ''))}",
                f"{STATUS_MARKS.get(gap['severity'], '')} {gap['severity']}",
                code(location(gap)),
                message(gap["message"]),
                fix,
            ]
        )
    out += _table(["Rule", "Severity", "Location", "Message", "Fix"], rows)
    out += (["", f"… and {more} more gaps (see the JSON report)."] if more else []) + [""]
    for rule_id, hint in hints.items():
        fence = "`" * max(3, _longest_backticks(hint["use_instead"]) + 1)
        out += [
            f"#### Use instead: {rule_id} {code(hint['name'])}",
            "",
            f"{text(hint['summary'])}. [Rule documentation]({hint['docs']}).",
            "",
            f"{fence}{hint.get('language', 'python')}",
            hint["use_instead"],
            fence,
            "",
        ]
    return out


def _fix_anchor(rule_id: str, hint: dict[str, Any]) -> str:
    return github_anchor(f"Use instead: {rule_id} {hint.get('name', '')}")


def _longest_backticks(value: str) -> int:
    return max((len(run) for run in re.findall(r"`+", value)), default=0)


def _inventory(inventory: dict[str, Any]) -> list[str]:
    out = ["## Inventory", "", "### MLflow APIs used, by file", ""]
    files = inventory.get("apis_by_file", [])
    if files:
        shown, more = _capped(files)
        rows = [[code(f["path"]), ", ".join(f"{code(c['api'])} ×{c['count']}" for c in f["calls"])] for f in shown]
        out += _table(["File", "Calls"], rows) + (["", f"… and {more} more files."] if more else []) + [""]
    else:
        out += ["_No MLflow API call found._", ""]
    out += ["### Registered models named in code", ""]
    models = inventory.get("registered_models", [])
    if models:
        shown, more = _capped(models)
        rows = [
            [
                code(m["name"]),
                ", ".join(code(a) for a in m["aliases"]) or "–",
                ", ".join(code(v) for v in m["versions"]) or "–",
                ", ".join(code(loc) for loc in m["locations"][:12])
                + (f" (+{len(m['locations']) - 12})" if len(m["locations"]) > 12 else ""),
            ]
            for m in shown
        ]
        out += (
            _table(["Model", "Aliases", "Pinned versions", "Where"], rows)
            + (["", f"… and {more} more."] if more else [])
            + [""]
        )
    else:
        out += ["_No registered model is named in code._", ""]
    out += ["### Experiments named in code", ""]
    experiments = inventory.get("experiments", [])
    if experiments:
        shown, more = _capped(experiments)
        rows = [[code(e["name"]), ", ".join(code(loc) for loc in e["locations"][:12])] for e in shown]
        out += _table(["Experiment", "Where"], rows) + (["", f"… and {more} more."] if more else []) + [""]
    else:
        out += ["_No experiment is named in code._", ""]
    return out


__all__ = ["code", "message", "render_markdown", "rich", "text"]
