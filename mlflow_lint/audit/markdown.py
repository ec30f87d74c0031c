"""The audit as GitHub-flavoured Markdown: headings, tables, no raw HTML.

Everything that comes from the linted code (paths, strings, names, waiver comments and
reasons, autofix diffs) goes through :func:`text` (backslash escapes for every character
Markdown or GitHub could interpret: emphasis, links, HTML, entities, math, table pipes;
line breaks become ``↵``) or :func:`code` (a code span with a fence longer than any
backtick run inside), so a hostile repository can neither inject markup nor break a table.

The order is an auditor's: the verdict and what to fix first (headline, scorecard, top
risks, quick wins), then the whole backlog, then the evidence per pillar, then what was
waived and what the audit could not see.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from mlflow_lint.audit import scoring
from mlflow_lint.audit.register import JUSTIFIED, UNEXPLAINED, gaps_by_id
from mlflow_lint.audit.text import (
    BASELINE_WORDS,
    MATCHED_BY_WORDS,
    MAX_ROWS,
    NO_REASON,
    QUOTED,
    SHADOW_WORDS,
    STATUS_MARKS,
    STATUS_WORDS,
    VERDICT_MARKS,
    VERDICT_RULES,
    autofix_words,
    bar,
    commit_text,
    context_words,
    files_line,
    first_items,
    github_anchor,
    group_status,
    kind_of,
    location,
    one_line,
    open_gaps_line,
    options_lines,
    pillar_heading,
    plural,
    quick_win_reason,
    rules_line,
    score_text,
    severity_counts,
    tests_policy_line,
    title_case,
    verdict_summary,
    waiver_kind_words,
)

# Characters that can start markup anywhere in a line: emphasis, code, links and images,
# raw HTML and entities, strikethrough, math, table pipes (``@`` too, for mentions).
_SPECIAL = re.compile(r"([\\`*_\[\]<>|~&$@])")

IDS_SHOWN = 3  # ids per backlog row; the JSON report lists them all
LOCATIONS_SHOWN = 5  # locations per top risk


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


def _more(more: int, what: str = "rows") -> list[str]:
    """The line under a capped table."""
    return ["", f"… {more} more {what} (see the JSON report)."] if more else []


@dataclass
class _Lookup:
    """What several sections look up in the document: rule documentation links, gaps by id
    (a backlog group lists ids, the gaps carry the fixes), pillars, shadow rules."""

    docs: dict[str, str] = field(default_factory=dict)
    gaps: dict[str, dict[str, Any]] = field(default_factory=dict)
    pillars: dict[int, dict[str, Any]] = field(default_factory=dict)
    shadow: frozenset[str] = frozenset()

    @classmethod
    def of(cls, document: dict[str, Any]) -> _Lookup:
        lookup = cls(shadow=frozenset(document.get("waivers", {}).get("shadow_rules", [])))
        for pillar in document["pillars"]:
            lookup.pillars[pillar["pillar"]] = pillar
            for rule_id, hint in pillar.get("fix_hints", {}).items():
                if hint.get("docs"):
                    lookup.docs.setdefault(rule_id, hint["docs"])
        lookup.gaps = gaps_by_id(document)
        return lookup

    def members(self, item: dict[str, Any]) -> list[dict[str, Any]]:
        """The gaps of a backlog group."""
        return [self.gaps[gap_id] for gap_id in item.get("ids", []) if gap_id in self.gaps]


def render_markdown(document: dict[str, Any]) -> str:
    header, summary = document["header"], document["summary"]
    lookup = _Lookup.of(document)
    out: list[str] = [f"# MLflow governance audit: {text(header['project'])}", ""]
    out += _header(header)
    out += ["", _overall(summary), ""]
    out += [f"- {rich(sentence)}" for sentence in document.get("headline", [])]
    out += [""] if document.get("headline") else []
    out += _scorecard(document)
    out += _top_risks(document, lookup)
    if document.get("comparison"):
        out += _comparison(document["comparison"])
    if document.get("baseline"):
        out += _baseline(document["baseline"])
    out += _backlog(document, lookup)
    for pillar in document["pillars"]:
        out += _pillar(pillar, lookup)
    for key, heading in (
        ("migration_findings", "MLflow-version migration (outside the pillars)"),
        ("analysis_findings", "Analysis findings (outside the pillars)"),
    ):
        if document.get(key):
            out += _outside_pillars(heading, document[key], lookup)
    out += _waivers(document, lookup)
    out += _cannot_see(document.get("cannot_see") or {})
    out += _inventory(document["inventory"])
    if document.get("skipped"):
        out += ["## Skipped paths", ""]
        out += _table(["Path", "Reason"], [[code(s["path"]), text(s["reason"])] for s in document["skipped"]]) + [""]
    out += [
        "---",
        "",
        f"Generated by mlflow-lint {text(header['version'])} on {text(header['date'])} by static analysis "
        "(no code was executed). "
        f"Score per pillar: {code(document['scoring']['formula'])}. {text(VERDICT_RULES)}",
        "",
    ]
    return "\n".join(out)


# -- the verdict ------------------------------------------------------------------------------
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


def _overall(summary: dict[str, Any]) -> str:
    verdict = summary["verdict"]
    line = (
        f"**Overall: {VERDICT_MARKS.get(verdict, '')} {score_text(summary['score'])} — {verdict}** · "
        f"{open_gaps_line(summary)}"
    )
    if summary.get("justified_deviations"):
        line += f" · {plural(summary['justified_deviations'], 'justified deviation')} (not counted)"
    return line + f" · {verdict_summary(summary)}"


def _scorecard(document: dict[str, Any]) -> list[str]:
    rows = []
    for pillar in document["pillars"]:
        counts = pillar["by_severity"]
        rows.append(
            [
                str(pillar["pillar"]),
                f"[{text(title_case(pillar['name']))}](#{github_anchor(pillar_heading(pillar))})",
                _verdict_cell(pillar),
                f"`{bar(pillar['score'])}` {score_text(pillar['score'])}",
                str(counts["error"]),
                str(counts["warning"]),
                str(counts["note"]),
                str(len(pillar.get("deviations", []))),
                str(pillar["sites"]),
            ]
        )
    headings = ["#", "Pillar", "Verdict", "Score", "Errors", "Warnings", "Notes", "Justified", "Sites"]
    return (
        ["## Scorecard", ""]
        + _table(headings, rows, "r___rrrrr")
        + ["", "Errors, warnings and notes are open gaps; justified deviations are waived with a reason and not counted.", ""]
    )


def _verdict_cell(pillar: dict[str, Any]) -> str:
    verdict = pillar["verdict"]
    cell = f"{VERDICT_MARKS.get(verdict, '')} {verdict}"
    if verdict == scoring.NOT_ASSESSED and pillar.get("not_assessed"):
        cell += f": {text(pillar['not_assessed'])}"
    elif pillar.get("scope"):
        cell += f": {text(pillar['scope'])}"  # what the verdict is about ("1 registration, no promotion")
    return cell


# -- what to fix first ------------------------------------------------------------------------
def _top_risks(document: dict[str, Any], lookup: _Lookup) -> list[str]:
    items = {item["key"]: item for item in document.get("backlog", [])}
    if not items:
        return ["## Top risks", "", "_No open gap: nothing to rank, no backlog._", ""]
    out = ["## Top risks", ""]
    for number, key in enumerate(document.get("top_risks", []), start=1):
        if key in items:
            out += _risk_item(number, items[key], lookup)
    out += [""] + _quick_wins(document, items, lookup)
    return out


def _risk_item(number: int, item: dict[str, Any], lookup: _Lookup) -> list[str]:
    """A numbered list item: the group, its severity and risk, where, its ids, the fix."""
    out = [
        f"{number}. **{_rule_cell(item['rule'], item.get('name', ''), lookup)}** {_where(item)}: "
        f"{_severity(item['severity'])}, risk {item['risk']} ({text(context_words(item.get('context')))}, "
        f"{_pillar_link(item.get('pillar', 0), lookup)})"
    ]
    if item["count"] > 1:
        # The group lists at most MAX_LOCATIONS places; the count says how many there are.
        locations, _ = first_items(item.get("locations", []), LOCATIONS_SHOWN)
        more = item["count"] - len(locations)
        out.append(f"   - Where: {', '.join(code(loc) for loc in locations)}" + (f" … {more} more" if more > 0 else ""))
    out.append(f"   - {'Gaps' if item['count'] > 1 else 'Gap'}: {_ids(item['ids'], LOCATIONS_SHOWN)}")
    status = _risk_status(item, lookup)
    if status:
        out.append(f"   - {status}")
    out.append(f"   - Fix: {_group_fix(item)}")
    autofix = _group_autofix(item, lookup)
    if autofix != "–":
        out.append(f"   - Automatic fix: {autofix}")
    return out


def _risk_status(item: dict[str, Any], lookup: _Lookup) -> str:
    """What is not plainly open about a top risk: one gap's own note (naming its waiver), or
    the group's counts; empty when every gap is simply open."""
    members = lookup.members(item)
    if item["count"] == 1 and len(members) == 1:
        return _status_note(members[0], lookup).strip()
    status = group_status(item, item["rule"] in lookup.shadow)
    return "" if status == "open" else text(status[:1].upper() + status[1:]) + "."


def _quick_wins(document: dict[str, Any], items: dict[str, dict[str, Any]], lookup: _Lookup) -> list[str]:
    out = ["### Quick wins", ""]
    wins = [items[key] for key in document.get("quick_wins", []) if key in items]
    if not wins:
        return out + ["_None: no open gap has an automatic fix or a one-line edit that needs no decision outside the code._", ""]
    out += ["Closed by an automatic fix or by a one-line edit at the flagged place, highest risk first:", ""]
    for item in wins:
        autofixed = sum(1 for gap in lookup.members(item) if gap.get("fix", {}).get("autofix"))
        out.append(
            f"- **{_rule_cell(item['rule'], item.get('name', ''), lookup)}** {_where(item)} "
            f"(rank {item['rank']}, risk {item['risk']}; {_ids(item['ids'], IDS_SHOWN)}): {rich(quick_win_reason(item, autofixed))}. "
            f"Fix: {_group_fix(item)}"
        )
    return out + [""]


def _backlog(document: dict[str, Any], lookup: _Lookup) -> list[str]:
    items = document.get("backlog", [])
    if not items:
        return []
    out = [
        "## Prioritised backlog",
        "",
        f"{plural(sum(item['count'] for item in items), 'open gap')} in {plural(len(items), 'group')} "
        "(one rule in one directory), highest risk first. "
        f"{code(document['scoring']['risk_formula'])}.",
        "",
    ]
    shown, more = _capped(items)
    rows = [
        [
            str(item["rank"]),
            str(item["risk"]),
            _rule_cell(item["rule"], item.get("name", ""), lookup),
            _severity(item["severity"]),
            _pillar_link(item.get("pillar", 0), lookup, short=True),
            _where(item, count=True),
            _ids(item["ids"], IDS_SHOWN),
            text(group_status(item, item["rule"] in lookup.shadow)),
            _group_fix(item),
            _group_autofix(item, lookup),
        ]
        for item in shown
    ]
    headings = ["#", "Risk", "Rule", "Severity", "Pillar", "Where", "Gaps", "Status", "Fix here", "Autofix"]
    out += _table(headings, rows, "rr") + _more(more, "groups") + [""]
    return out


def _where(item: dict[str, Any], count: bool = False) -> str:
    """``in `src/x.py:6``` for one gap, ``×2 in `pipelines/``` for a group."""
    if item["count"] == 1 and item.get("locations"):
        return code(item["locations"][0]) if count else f"in {code(item['locations'][0])}"
    return f"{code(item['where'])} ×{item['count']}" if count else f"×{item['count']} in {code(item['where'])}"


def _ids(ids: list[str], limit: int) -> str:
    shown, more = first_items(ids, limit)
    return ", ".join(code(gap_id) for gap_id in shown) + (f" … {more} more" if more else "")


def _group_fix(item: dict[str, Any]) -> str:
    """The group's fix (its gaps' distinct fixes, joined by the register); it is made of the
    gaps' own remedies, which name this code's values: escaped like a message."""
    return message(item.get("fix") or "") or "–"


def _group_autofix(item: dict[str, Any], lookup: _Lookup) -> str:
    """``autofix (unsafe: review)``, ``… for 1 of 2`` when only some gaps have a diff, or ``–``."""
    members = lookup.members(item)
    safeties = [gap["fix"]["autofix"].get("safety") for gap in members if gap.get("fix", {}).get("autofix")]
    if not safeties:
        return text(autofix_words(item["autofix"])) if item.get("autofix") else "–"
    words = text(", ".join(dict.fromkeys(autofix_words(safety) for safety in safeties)))
    return words if len(safeties) == item["count"] else f"{words} for {len(safeties)} of {item['count']}"


# -- shared cells -----------------------------------------------------------------------------
def _rule_link(rule_id: str, lookup: _Lookup) -> str:
    docs = lookup.docs.get(rule_id)
    return f"[{text(rule_id)}]({docs})" if docs else text(rule_id)


def _rule_cell(rule_id: str, name: str, lookup: _Lookup) -> str:
    return f"{_rule_link(rule_id, lookup)} {code(name)}" if name else _rule_link(rule_id, lookup)


def _severity(severity: str) -> str:
    return f"{STATUS_MARKS.get(severity, '')} {text(severity)}".strip()


def _pillar_link(number: int, lookup: _Lookup, short: bool = False) -> str:
    pillar = lookup.pillars.get(number)
    if pillar is None:
        return "outside the pillars" if not short else "–"
    label = str(number) if short else f"pillar {number}"
    return f"[{label}](#{github_anchor(pillar_heading(pillar))})"


def _waiver_source(gap: dict[str, Any]) -> str:
    """The comment (a code span) or the configuration entry that waives a gap."""
    waiver = gap.get("waiver") or {}
    if waiver.get("kind") == "noqa":
        line = waiver.get("line")
        where = f" on line {line}" if line is not None and line != gap.get("line") else ""
        return f"{code(waiver.get('source', ''))}{where}"
    return text(waiver.get("source", ""))


def _status_note(gap: dict[str, Any], lookup: _Lookup) -> str:
    """What a gap's status adds to its message: an unexplained waiver (naming the comment),
    acceptance in the baseline, a shadow rule."""
    notes = []
    if gap.get("status") == UNEXPLAINED:
        notes.append(f"**⚠️ Waived without a reason** by {_waiver_source(gap)}: counts as a gap.")
    if gap.get("baseline"):
        notes.append(f"_{text(title_case(BASELINE_WORDS))}._")
    if gap["rule"] in lookup.shadow:
        notes.append(f"_{text(title_case(SHADOW_WORDS))}._")
    return " ".join(notes) + " " if notes else ""


def _fix_here(fix: dict[str, Any]) -> str:
    """This place's fix, and the autofix's diff lines as code spans."""
    parts = [message(fix["here"])] if fix.get("here") else []
    autofix = fix.get("autofix")
    if autofix:
        diff = " ".join(code(line) for line in autofix.get("diff", []))
        parts.append(f"{text(autofix_words(autofix.get('safety')))}: {diff}" if diff else text(autofix_words(autofix.get("safety"))))
    return " · ".join(parts) or "–"


def _gaps_table(gaps: list[dict[str, Any]], lookup: _Lookup) -> list[str]:
    shown, more = _capped(gaps)
    rows = [
        [
            code(gap.get("id", "")),
            _rule_cell(gap["rule"], gap.get("name", ""), lookup),
            _severity(gap["severity"]),
            code(location(gap)),
            _status_note(gap, lookup) + message(gap["message"]),
            _fix_here(gap.get("fix") or {}),
        ]
        for gap in shown
    ]
    return _table(["ID", "Rule", "Severity", "Location", "Message", "Fix here"], rows) + _more(more, "gaps") + [""]


def _deviations_table(deviations: list[dict[str, Any]], lookup: _Lookup) -> list[str]:
    shown, more = _capped(deviations)
    rows = [
        [
            code(gap.get("id", "")),
            _rule_cell(gap["rule"], gap.get("name", ""), lookup),
            _severity(gap["severity"]),
            code(location(gap)),
            text((gap.get("waiver") or {}).get("reason") or ""),
            _waiver_source(gap),
        ]
        for gap in shown
    ]
    return (
        _table(["ID", "Rule", "Severity (waived)", "Location", "Reason", "Waiver"], rows) + _more(more, "deviations") + [""]
    )


# -- comparison and baseline ------------------------------------------------------------------
def _comparison(comparison: dict[str, Any]) -> list[str]:
    previous = comparison["previous"]
    out = ["## What changed since the last audit", ""]
    when = f"{text(previous.get('date') or 'an earlier run')}"
    if previous.get("commit"):
        when += f" at {code(str(previous['commit'])[:12])}"
    before, after = comparison.get("score_before"), comparison.get("score_after")
    line = f"Compared with the {text(previous['kind'])} report of {when}: "
    if isinstance(before, int) and isinstance(after, int):
        line += f"score {before} → {after} ({after - before:+d}), "
    line += (
        f"{plural(len(comparison['new_gaps']), 'new gap')}, {plural(len(comparison['fixed_gaps']), 'fixed gap')}, "
        f"{comparison['unchanged_gaps']} unchanged"
    )
    matched = MATCHED_BY_WORDS.get(comparison.get("matched_by", ""))
    out += [line + (f"; {text(matched)}." if matched else "."), ""]
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
                f"{text(pillar['verdict_before'] or '–')} → {text(pillar['verdict_after'])}",
                # The previous report is a file the user gave: its values are escaped too.
                f"{text(pillar['score_before']) if pillar['score_before'] is not None else '–'} → {score_text(pillar['score_after'])}",
                f"{pillar['gaps_before']} → {pillar['gaps_after']}",
                evidence or "–",
            ]
        )
    if rows:
        out += _table(["Pillar", "Verdict", "Score", "Gaps", "Evidence"], rows) + [""]
    changes = [("🆕 new", gap) for gap in comparison["new_gaps"]] + [("✅ fixed", gap) for gap in comparison["fixed_gaps"]]
    if changes:
        shown, more = _capped(changes)
        out += _table(
            ["ID", "Change", "Rule", "Severity", "Location", "Message"],
            [
                [
                    code(gap["id"]) if gap.get("id") else "–",
                    change,
                    text(gap.get("rule", "")),
                    _severity(str(gap.get("severity", ""))),
                    code(location(gap)) if "path" in gap and "line" in gap else "–",
                    message(str(gap.get("message", ""))),
                ]
                for change, gap in shown
            ],
        )
        out += _more(more, "changes") + [""]
    return out


def _baseline(baseline: dict[str, Any]) -> list[str]:
    new = baseline["new_gaps"]
    out = [
        "## Since the baseline",
        "",
        f"Baseline {code(baseline['file'])}: {plural(len(new), 'new gap')}, {baseline['accepted']} accepted in the "
        f"baseline (still open, still counted), {baseline['fixed']} fixed since it was written.",
        "",
    ]
    if new:
        shown, more = _capped(new)
        rows = [[code(g["id"]) if g.get("id") else "–", "🆕 new", text(g["rule"]), code(location(g)), message(g["message"])] for g in shown]
        out += _table(["ID", "Change", "Rule", "Location", "Message"], rows) + _more(more, "gaps") + [""]
    return out


# -- the pillars ------------------------------------------------------------------------------
def _pillar(pillar: dict[str, Any], lookup: _Lookup) -> list[str]:
    out = [f"## {pillar_heading(pillar)}", "", f"> {rich(pillar['principle'])}", ""]
    out += [_pillar_facts(pillar), ""]
    out += _evidence(pillar)
    gaps, deviations = pillar["gaps"], pillar.get("deviations", [])
    out += [f"### Gaps ({len(gaps)})", ""]
    if gaps:
        out += _gaps_table(gaps, lookup)
    elif pillar["assessed"]:
        out += ["_No open gap._" if deviations else "_No gaps found._", ""]
    else:
        out += [f"_Not assessed: {text(pillar.get('not_assessed') or 'none of this pillar’s rules is enabled')}._", ""]
    if deviations:
        out += [
            f"### Justified deviations ({len(deviations)})",
            "",
            "Waived with a reason: listed as evidence, not counted in the score or the verdict.",
            "",
        ]
        out += _deviations_table(deviations, lookup)
    for rule_id, hint in pillar.get("fix_hints", {}).items():
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


def _pillar_facts(pillar: dict[str, Any]) -> str:
    """The verdict line; ``rules:`` stays last (the golden tests normalise it)."""
    verdict = pillar["verdict"]
    facts = f"**{VERDICT_MARKS.get(verdict, '')} {verdict}**"
    if pillar.get("not_assessed"):
        # Nothing was judged: the counts would read as a clean result.
        facts += f" ({text(pillar['not_assessed'])}) · {plural(pillar['sites'], 'site')} found, not judged"
        return facts + f" · rules: {text(', '.join(pillar['rules']) or 'none enabled')}"
    if pillar.get("scope"):
        facts += f" ({text(pillar['scope'])})"
    facts += f" · score {score_text(pillar['score'])} over {plural(pillar['sites'], 'site')} · open: {severity_counts(pillar['by_severity'])}"
    if pillar.get("deviations"):
        facts += f" · {plural(len(pillar['deviations']), 'justified deviation')}"
    if pillar.get("runtime_sites"):
        facts += f" · {plural(pillar['runtime_sites'], 'site')} decided at run time"
    rules = ", ".join(pillar["rules"]) if pillar["rules"] else "none enabled"
    return facts + f" · rules: {text(rules)}"


def _evidence(pillar: dict[str, Any]) -> list[str]:
    out = ["### Evidence", ""]
    for key, rows in pillar["evidence"].items():
        kind = kind_of(key)
        out += [f"**{text(kind.title)}** ({len(rows)})", ""]
        if not rows:
            out += [f"_{text(kind.empty)}_", ""]
            continue
        shown, more = _capped(rows)
        table_rows = [
            [_evidence_status(row), code(location(row))] + [code(row.get(column, "")) for column, _ in kind.columns]
            for row in shown
        ]
        out += _table(["Status", "Location"] + [heading for _, heading in kind.columns], table_rows)
        out += _more(more) + [""]
    return out


def _evidence_status(row: dict[str, Any]) -> str:
    status = row.get("status", "")
    mark = f"{STATUS_MARKS.get(status, '')} {STATUS_WORDS.get(status, status)}"
    if row.get("rules"):
        mark += " " + ", ".join(row["rules"])
    if row.get("other_rules"):
        mark += " (also " + ", ".join(row["other_rules"]) + ")"
    if row.get("waived"):
        mark += f": {text(row['waived'])}"
    return mark


def _longest_backticks(value: str) -> int:
    return max((len(run) for run in re.findall(r"`+", value)), default=0)


def _outside_pillars(heading: str, gaps: list[dict[str, Any]], lookup: _Lookup) -> list[str]:
    """Analysis problems (MLF000) or migration findings (MLF9xx): not scored, same register."""
    open_gaps = [gap for gap in gaps if gap.get("status") != JUSTIFIED]
    deviations = [gap for gap in gaps if gap.get("status") == JUSTIFIED]
    out = [f"## {heading}", ""]
    if open_gaps:
        out += _gaps_table(open_gaps, lookup)
    if deviations:
        out += [f"**Justified deviations** ({len(deviations)})", ""] + _deviations_table(deviations, lookup)
    return out


# -- waivers and limits -----------------------------------------------------------------------
def _waivers(document: dict[str, Any], lookup: _Lookup) -> list[str]:
    waivers = document.get("waivers") or {}
    out = ["## Waivers and deviations", ""]
    parts = (
        _waiver_entries(waivers.get("entries", []), waivers)
        + _per_file_ignores(waivers.get("per_file_ignores", []))
        + _shadow_rules(waivers.get("shadow_rules", []), lookup)
        + _disabled_rules(waivers.get("disabled_rules", []))
        + _not_audited(waivers.get("exclude", []), waivers.get("excluded_paths", []))
        + _test_code(waivers.get("test_code") or {})
        + _baseline_note(document.get("baseline"))
    )
    if not parts:
        nothing = (
            "Nothing is waived: no `noqa` comment or per-file-ignores entry waives a finding, no rule runs in "
            "shadow mode or is disabled, nothing is excluded and no finding in test code was set aside."
        )
        return out + [f"_{rich(nothing)}_", ""]
    return out + parts


def _waiver_entries(entries: list[dict[str, Any]], waivers: dict[str, Any]) -> list[str]:
    if not entries:
        return []
    out = [
        f"### Waivers ({len(entries)})",
        "",
        f"{plural(waivers.get('justified', 0), 'gap')} waived with a reason (justified deviations, not counted); "
        f"{plural(waivers.get('unexplained', 0), 'gap')} waived without one (counted as gaps).",
        "",
    ]
    shown, more = _capped(entries)
    rows = []
    for entry in shown:
        where = code(entry["where"]) if entry["kind"] == "noqa" else text(entry["where"])
        if entry.get("comment"):
            where += f" {code(entry['comment'])}"
        reason = f"☑️ {text(entry['reason'])}" if entry.get("reason") else f"**⚠️ {text(NO_REASON)}**"
        rows.append(
            [
                text(waiver_kind_words(entry["kind"])),
                where,
                ", ".join(text(rule) for rule in entry.get("rules", [])),
                _ids(entry.get("ids", []), IDS_SHOWN),
                reason,
            ]
        )
    return out + _table(["Kind", "Where", "Rules", "Gaps", "Reason"], rows) + _more(more, "waivers") + [""]


def _per_file_ignores(entries: list[dict[str, Any]]) -> list[str]:
    if not entries:
        return []
    out = [f"### Per-file-ignores configured ({len(entries)})", ""]
    shown, more = _capped(entries)
    rows = [
        [
            code(entry["pattern"]),
            ", ".join(text(rule) for rule in entry.get("codes", [])),
            code(entry["configuration"]) if entry.get("configuration") else "–",
            text(entry["reason"]) if entry.get("reason") else f"⚠️ {text(NO_REASON)}",
        ]
        for entry in shown
    ]
    return out + _table(["Pattern", "Rules", "Configuration", "Reason"], rows) + _more(more, "entries") + [""]


def _shadow_rules(rules: list[str], lookup: _Lookup) -> list[str]:
    if not rules:
        return []
    counts = {rule: sum(1 for gap in lookup.gaps.values() if gap["rule"] == rule and gap.get("status") != JUSTIFIED) for rule in rules}
    listed = ", ".join(f"{_rule_link(rule, lookup)} ({plural(counts[rule], 'open gap')} in this report)" for rule in rules)
    return ["### Shadow rules", "", f"Reported, never failing CI: {listed}. Their gaps are in the backlog and count in the score.", ""]


def _disabled_rules(rules: list[dict[str, Any]]) -> list[str]:
    if not rules:
        return []
    rows = [[text(rule["rule"]), code(rule.get("name", "")), text(rule.get("pillar", "–"))] for rule in rules]
    return (
        ["### Disabled rules", "", "Enabled by default but not run in this audit: their checks are absent from the verdicts.", ""]
        + _table(["Rule", "Name", "Pillar"], rows, "__r")
        + [""]
    )


def _not_audited(exclude: list[dict[str, Any]], paths: list[str]) -> list[str]:
    if not exclude and not paths:
        return []
    out = ["### Not audited", ""]
    if exclude:
        patterns = ", ".join(
            code(entry["pattern"]) + (f" (in {code(entry['configuration'])})" if entry.get("configuration") else "")
            for entry in exclude
        )
        out += [f"- Configured exclusions: {patterns}.", ""] if not paths else [f"- Configured exclusions: {patterns}."]
    if paths:
        shown, more = _capped(paths)
        out += [f"- Left out of this audit ({plural(len(paths), 'path')}, not audited): {', '.join(code(path) for path in shown)}" + (f" … {more} more." if more else "."), ""]
    return out


def _test_code(test_code: dict[str, Any]) -> list[str]:
    if not test_code.get("findings"):
        return []
    by_rule = ", ".join(f"{text(rule)} ×{count}" for rule, count in test_code.get("by_rule", {}).items())
    return ["### Test code", "", f"{rich(tests_policy_line(test_code))}" + (f" By rule: {by_rule}." if by_rule else ""), ""]


def _baseline_note(baseline: dict[str, Any] | None) -> list[str]:
    if not baseline or not baseline.get("accepted"):
        return []
    return [
        "### Baseline",
        "",
        f"{code(baseline['file'])} accepts {plural(baseline['accepted'], 'open gap')}: a baseline records debt, it does not "
        "justify it, so these gaps stay open and counted (marked in the gaps tables).",
        "",
    ]


def _cannot_see(cannot_see: dict[str, Any]) -> list[str]:
    out = ["## What this audit cannot see", ""]
    if cannot_see.get("this_run"):
        out += ["**In this run**", ""] + [f"- {rich(line)}" for line in cannot_see["this_run"]] + [""]
    if cannot_see.get("always"):
        out += ["**Never, by static analysis** (check these on the platform)", ""]
        out += [f"- {rich(line)}" for line in cannot_see["always"]] + [""]
    return out


# -- inventory --------------------------------------------------------------------------------
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
