"""The audit as a pull-request-sized Markdown summary (``mlflow-lint audit --summary``).

The full Markdown report grows with the project (a table row per gap, up to its caps);
a pull-request comment may hold 65,536 characters and a job summary 1 MiB. The summary is
built for both whatever the project's size: the overall verdict, the headline, the
scorecard, the top risks, the quick wins, what changed since ``--compare``, the waiver
counts and where the full report is. Every list is capped ("… and N more"), every value
from the linted code is clipped and escaped, and a last guard cuts the text at a line
boundary should it still exceed :data:`MAX_CHARS`.

It reads only the audit document, like the other renderers.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from mlflow_lint.audit import scoring
from mlflow_lint.audit.markdown import code, text
from mlflow_lint.audit.text import SEVERITY_MARKS, VERDICT_MARKS

MAX_CHARS = 60_000  # GitHub: 65,536 per comment; the rest is room for a bot's own header
MAX_IDS = 10  # gap ids shown per top risk
MAX_CHANGES = 10  # new and fixed gaps listed each
MAX_QUICK_WINS = 5
MAX_REPORTS = 10  # full-report paths named
MAX_VALUE = 300  # characters of one value from the linted code (a path, a message)
MAX_SENTENCE = 1_000  # characters of one headline sentence

SEVERITIES = scoring.SEVERITIES
CUT_NOTE = "_… the summary was cut here to stay within {limit:,} characters; the full report lists everything._"


def render_summary(document: dict[str, Any], full_reports: Sequence[str]) -> str:
    """The summary of an audit document; ``full_reports`` are the report files written
    beside it (named as the user gave them), shown as where to read the rest."""
    lines = _title(document)
    lines += _headline(document.get("headline", []))
    lines += _scorecard(document.get("pillars", []))
    groups = {item["key"]: item for item in document.get("backlog", [])}
    lines += _top_risks([groups[key] for key in document.get("top_risks", []) if key in groups], len(groups))
    lines += _quick_wins([groups[key] for key in document.get("quick_wins", []) if key in groups])
    if document.get("comparison"):
        lines += _comparison(document["comparison"])
    if document.get("baseline"):
        lines += _baseline(document["baseline"])
    lines += _waivers(document.get("summary", {}))
    lines += _full_reports(full_reports)
    return fit("\n".join(lines) + "\n", MAX_CHARS)


def fit(markdown: str, limit: int, note: str = CUT_NOTE) -> str:
    """``markdown`` if it has at most ``limit`` characters, else its longest prefix that ends
    at a line boundary, followed by a note that says so (the whole at most ``limit``).
    The note follows a blank line, so that it never lands inside a table or a list item."""
    if len(markdown) <= limit:
        return markdown
    tail = "\n\n" + note.format(limit=limit) + "\n"
    room = max(0, limit - len(tail))
    cut = markdown.rfind("\n", 0, room + 1)
    head = markdown[:cut] if cut > 0 else markdown[:room]  # one giant line: cut inside it
    return head + tail


def clip(value: object, limit: int = MAX_VALUE) -> str:
    """At most ``limit`` characters of a value, ``…`` marking the cut (before escaping,
    which may double it: still bounded)."""
    flat = str(value)
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def rich(value: str) -> str:
    """Our own sentence with `backticked` parts as code spans; every part escaped, since a
    headline quotes paths and names from the linted code."""
    parts = clip(value, MAX_SENTENCE).split("`")
    return "".join(code(part) if index % 2 else text(part) for index, part in enumerate(parts))


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}" + ("" if count == 1 else "s")


def more(count: int, noun: str) -> list[str]:
    """The truncation line of a capped list (nothing when nothing was left out)."""
    return [f"- … and {count} more {noun}"] if count > 0 else []


def score_text(score: int | None) -> str:
    return "n/a" if score is None else f"{score}/100"


def severity_counts(counts: dict[str, int]) -> str:
    return ", ".join(plural(int(counts.get(s, 0)), s) for s in SEVERITIES)


def group_place(group: dict[str, Any]) -> str:
    """Where a backlog group is: its one location, or its directory and size."""
    locations = group.get("locations") or []
    if group.get("count", 0) == 1 and locations:
        return f"in {code(clip(locations[0]))}"
    return f"×{group.get('count', 0)} in {code(clip(group.get('where', '')))}"


def autofix_text(safety: str | None) -> str:
    if safety == "safe":
        return "automatic fix: `mlflow-lint check --fix`"
    if safety == "unsafe":
        return "automatic fix: `mlflow-lint check --unsafe-fixes` (review the change)"
    return "a one-line edit"


# -- sections ---------------------------------------------------------------------------------
def _title(document: dict[str, Any]) -> list[str]:
    header, summary = document.get("header", {}), document.get("summary", {})
    verdict = summary.get("verdict", "")
    facts = []
    if header.get("commit"):
        facts.append(f"commit {code(str(header['commit'])[:12])}")
    if header.get("date"):
        facts.append(text(header["date"]))
    facts.append(plural(int(header.get("files_checked", 0)), "file") + " checked")
    facts.append(f"{plural(int(summary.get('open_gaps', 0)), 'open gap')} ({severity_counts(summary.get('by_severity', {}))})")
    return [
        f"## MLflow governance audit: {text(clip(header.get('project', ''), 120))} — "
        f"{VERDICT_MARKS.get(verdict, '')} {score_text(summary.get('score'))}, {text(verdict)}",
        "",
        " · ".join(facts),
        "",
    ]


def _headline(sentences: Iterable[str]) -> list[str]:
    lines = [f"- {rich(sentence)}" for sentence in list(sentences)[:8]]
    return lines + [""] if lines else []


def _scorecard(pillars: list[dict[str, Any]]) -> list[str]:
    rows = ["| # | Pillar | Verdict | Score | Errors | Warnings | Notes |", "| ---: | --- | --- | ---: | ---: | ---: | ---: |"]
    for pillar in pillars:
        counts = pillar.get("by_severity", {})
        verdict = pillar.get("verdict", "")
        rows.append(
            f"| {pillar.get('pillar', '')} | {text(pillar.get('name', ''))} | {VERDICT_MARKS.get(verdict, '')} {text(verdict)} "
            f"| {score_text(pillar.get('score'))} | {counts.get('error', 0)} | {counts.get('warning', 0)} | {counts.get('note', 0)} |"
        )
    return ["### Scorecard", "", *rows, ""]


def _top_risks(groups: list[dict[str, Any]], backlog_size: int) -> list[str]:
    out = ["### Top risks", ""]
    if not groups:
        return out + ["No open gap.", ""]
    for position, group in enumerate(groups, start=1):
        ids = [str(gap_id) for gap_id in group.get("ids", [])]
        shown = ", ".join(text(gap_id) for gap_id in ids[:MAX_IDS])
        if len(ids) > MAX_IDS:
            shown += f" … and {len(ids) - MAX_IDS} more"
        severity = group.get("severity", "")
        out += [
            f"{position}. **{text(group.get('rule', ''))} {code(group.get('name', ''))}** {group_place(group)} — "
            f"{SEVERITY_MARKS.get(severity, '')} {text(severity)}, risk {group.get('risk', 0)} ({text(group.get('context', ''))})",
            f"   - Ids: {shown or '–'}",
            f"   - Fix: {text(clip(group.get('fix', '')))}"
            + (f"; {autofix_text(group['autofix'])}" if group.get("autofix") else ""),
        ]
    rest = backlog_size - len(groups)
    out += ([""] + [f"… and {plural(rest, 'more backlog group')} in the full report."] if rest > 0 else [])
    return out + [""]


def _quick_wins(groups: list[dict[str, Any]]) -> list[str]:
    if not groups:
        return []
    out = ["### Quick wins", ""]
    for group in groups[:MAX_QUICK_WINS]:
        out.append(
            f"- {text(group.get('rule', ''))} {code(group.get('name', ''))} {group_place(group)}: "
            f"{autofix_text(group.get('autofix'))} — {text(clip(group.get('fix', '')))}"
        )
    out += more(len(groups) - MAX_QUICK_WINS, "quick wins")
    return out + [""]


def _comparison(comparison: dict[str, Any]) -> list[str]:
    previous = comparison.get("previous", {})
    when = text(previous.get("date") or "an earlier run")
    if previous.get("commit"):
        when += f" at {code(str(previous['commit'])[:12])}"
    new, fixed = comparison.get("new_gaps", []), comparison.get("fixed_gaps", [])
    line = f"Compared with the {text(previous.get('kind', 'previous'))} report of {when}: "
    before, after = comparison.get("score_before"), comparison.get("score_after")
    if isinstance(before, int) and isinstance(after, int):
        line += f"score {before} → {after} ({after - before:+d}), "
    line += f"{plural(len(new), 'new gap')}, {plural(len(fixed), 'fixed gap')}, {comparison.get('unchanged_gaps', 0)} unchanged."
    out = ["### Since the last audit", "", line, ""]
    for gaps, word in ((new, "new"), (fixed, "fixed")):
        out += [_change(gap, word) for gap in gaps[:MAX_CHANGES]]
        out += more(len(gaps) - MAX_CHANGES, f"{word} gaps")
    return out + ([""] if new or fixed else [])


def _change(gap: dict[str, Any], word: str) -> str:
    """``MLF-4a2c9e new: MLF402 `unguarded-promotion` at `src/x.py:9` — message`` (a report
    without ids, an older ``check`` report, is matched by rule: no id to name)."""
    name = f"{text(gap['id'])} {word}" if gap.get("id") else word.capitalize()
    rule = f"{text(gap.get('rule', ''))} {code(gap['name'])}" if gap.get("name") else text(gap.get("rule", ""))
    where = f"{gap.get('path', '')}:{gap.get('line', '')}"
    if gap.get("cell") is not None:
        where = f"{gap.get('path', '')} (cell {gap['cell']}):{gap.get('line', '')}"
    return f"- {name}: {rule} at {code(clip(where))} — {text(clip(gap.get('message', '')))}"


def _baseline(baseline: dict[str, Any]) -> list[str]:
    return [
        f"Since the baseline {code(clip(baseline.get('file', '')))}: {plural(len(baseline.get('new_gaps', [])), 'new gap')}, "
        f"{baseline.get('accepted', 0)} accepted in it, {baseline.get('fixed', 0)} fixed since it was written.",
        "",
    ]


def _waivers(summary: dict[str, Any]) -> list[str]:
    justified = int(summary.get("justified_deviations", 0))
    unexplained = int(summary.get("unexplained_waivers", 0))
    line = (
        f"**Waivers:** {plural(justified, 'justified deviation')} (waived with a reason, not counted), "
        f"{plural(unexplained, 'unexplained waiver')} (no reason given: counted as gaps)."
    )
    hidden = int(summary.get("hidden_in_tests", 0))
    if hidden:
        line += f" {plural(hidden, 'finding')} in test code not counted."
    return [line, ""]


def _full_reports(paths: Sequence[str]) -> list[str]:
    if not paths:
        return ["Full report: not written to a file (`mlflow-lint audit --output audit.html`)."]
    shown = ", ".join(code(clip(path)) for path in paths[:MAX_REPORTS])
    if len(paths) > MAX_REPORTS:
        shown += f" … and {len(paths) - MAX_REPORTS} more"
    return [f"Full report: {shown}."]


__all__ = ["MAX_CHARS", "clip", "fit", "render_summary", "rich"]
