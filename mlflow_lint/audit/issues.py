"""One issue per backlog group (``mlflow-lint audit --issues issues.json|issues.md``).

The backlog groups the open gaps by rule and directory; each group becomes an issue a
script can create (``gh issue create``): a title, labels (pillar, severity), the gap ids,
and a Markdown body that says what is wrong and why, lists the evidence (capped), says
how to fix each site, and when the issue is done: ``mlflow-lint check --format json``
reports none of its ids. ``key`` is the group's key ("MLF402 src/registry/"), the same in
every run while the group exists, so a script can tell an issue it already created.

Read only from the audit document, except a rule's summary when the document carries no
fix hint for it (the findings outside the pillars: MLF000, MLF9xx), taken from the catalog.
Every value from the linted code in a body is escaped (:func:`markdown.text` / ``code``);
each body stays under GitHub's 65,536-character limit (:data:`MAX_BODY`).
"""

from __future__ import annotations

import re
from typing import Any

from mlflow_lint.audit.markdown import code, text
from mlflow_lint.audit.register import gaps_by_id
from mlflow_lint.audit.summary import autofix_text, clip, fit, plural, rich
from mlflow_lint.audit.text import SEVERITY_MARKS, one_line
from mlflow_lint.json_text import dumps_indented

FORMAT = "mlflow-lint-audit-issues"
FORMAT_VERSION = 1
FORMATS = ("json", "markdown")
TOOL_LABEL = "mlflow-lint"
KEY_PREFIX = "mlflow-lint-key: "  # the body's line that names the issue's key
MAX_BODY = 60_000  # GitHub: 65,536 per issue body; room for whatever a script appends
MAX_TITLE = 256  # GitHub's limit for an issue title
EVIDENCE_BUDGET = 30_000  # characters of a body's evidence list; the ids list them all
IDS_BUDGET = 15_000  # characters of the ids in the closing criteria
MAX_MESSAGE = 400
_SUFFIXES = {".json": "json", ".md": "markdown", ".markdown": "markdown"}
_SURROGATE = re.compile("[\ud800-\udfff]")
_OUTSIDE_PILLARS = {"MLF9": "MLflow-version migration"}  # rule prefix -> pillar_name of pillar 0
CUT_NOTE = "_… cut here to stay within {limit:,} characters; `mlflow-lint audit` lists every gap._"


def format_for_suffix(suffix: str) -> str | None:
    """``issues.json`` -> ``json``, ``issues.md`` -> ``markdown``; None for anything else."""
    return _SUFFIXES.get(suffix.lower())


def render_issues(document: dict[str, Any], output_format: str) -> str:
    """The issues of an audit document as JSON (:func:`build_issues`) or Markdown."""
    exported = build_issues(document)
    if output_format == "json":
        # A file name that is not UTF-8 holds lone surrogates (in ``key`` and ``ids``' paths):
        # written as \udcxx escapes, so the file is valid UTF-8 and the key reads back exact.
        return _SURROGATE.sub(lambda match: f"\\u{ord(match.group()):04x}", dumps_indented(exported, end="\n"))
    if output_format == "markdown":
        return _markdown(exported)
    raise ValueError(f"unknown issues format {output_format!r}")


def build_issues(document: dict[str, Any]) -> dict[str, Any]:
    """The export: one issue per backlog group, in backlog order (highest risk first)."""
    header = document.get("header", {})
    context = _Context(document)
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "project": header.get("project", ""),
        "commit": header.get("commit"),
        "date": header.get("date"),
        "issues": [_issue(group, context) for group in document.get("backlog", [])],
    }


class _Context:
    """What the bodies need beyond a backlog group: each gap by id (message, place, fix),
    each pillar's name, principle and fix hints."""

    def __init__(self, document: dict[str, Any]) -> None:
        pillars = document.get("pillars", [])
        self.gaps = gaps_by_id(document)
        self.pillars = {p.get("pillar"): p for p in pillars}
        self.hints: dict[str, dict[str, str]] = {rule: hint for p in pillars for rule, hint in p.get("fix_hints", {}).items()}
        self.total = len(document.get("backlog", []))

    def pillar_name(self, pillar: int, rule: str) -> str:
        if pillar in self.pillars:
            return str(self.pillars[pillar].get("name", ""))
        return next((name for prefix, name in _OUTSIDE_PILLARS.items() if rule.startswith(prefix)), "analysis")

    def hint(self, rule: str) -> dict[str, str]:
        """The rule's example fix (``use_instead``), from the document's fix hints."""
        return self.hints.get(rule, {})


def _issue(group: dict[str, Any], context: _Context) -> dict[str, Any]:
    pillar, rule, severity = int(group.get("pillar", 0)), str(group.get("rule", "")), str(group.get("severity", ""))
    return {
        "key": group["key"],
        "title": _title(group),
        "labels": [TOOL_LABEL, f"pillar-{pillar}", f"severity-{severity}"],
        "rule": rule,
        "name": group.get("name", ""),
        "pillar": pillar,
        "pillar_name": context.pillar_name(pillar, rule),
        "severity": severity,
        "risk": group.get("risk", 0),
        "rank": group.get("rank", 0),
        "where": group.get("where", ""),
        "count": group.get("count", len(group.get("ids", []))),
        "ids": list(group.get("ids", [])),
        "body": _body(group, context),
    }


def _title(group: dict[str, Any]) -> str:
    """A plain-text title (GitHub does not render Markdown links or HTML in titles) on one
    line, within GitHub's length limit."""
    return clip(one_line(f"[{TOOL_LABEL}] {group.get('title', group['key'])}"), MAX_TITLE)


# -- the body ---------------------------------------------------------------------------------
def _body(group: dict[str, Any], context: _Context) -> str:
    """The issue's Markdown; the sections are capped, and a last guard keeps it within
    :data:`MAX_BODY` without ever cutting the key block at its end."""
    sections = [
        *_facts(group, context),
        *_what_and_why(group, context),
        *_evidence(group, context),
        *_fix(group, context),
        *_done_when(group, context),
    ]
    key = "\n".join(_key_block(str(group["key"])))
    return fit("\n".join(sections), MAX_BODY - len(key) - 1, CUT_NOTE) + "\n" + key


def _key_block(key: str) -> list[str]:
    """The group's key as the line ``mlflow-lint-key: <key>`` in a fenced block: verbatim
    (a code span would escape a ``|``), so a script finds the issue by the exact line."""
    line = one_line(f"{KEY_PREFIX}{key}")
    fence = "`" * max(3, max((len(run) for run in re.findall(r"`+", line)), default=0) + 1)
    return ["_Created by `mlflow-lint audit --issues`; the key below stays the same across runs:_", "", f"{fence}text", line, fence]


def _facts(group: dict[str, Any], context: _Context) -> list[str]:
    pillar, rule = int(group.get("pillar", 0)), str(group.get("rule", ""))
    severity = str(group.get("severity", ""))
    count = int(group.get("count", 0))
    where = f"in {code(clip(group.get('where', '')))}"
    return [
        f"**{text(rule)} {code(group.get('name', ''))}** · pillar {pillar}, {text(context.pillar_name(pillar, rule))} · "
        f"{SEVERITY_MARKS.get(severity, '')} {text(severity)} · risk {group.get('risk', 0)} ({text(group.get('context', ''))}) · "
        f"rank {group.get('rank', 0)} of {context.total} · {plural(count, 'gap')} {where}",
        "",
    ]


def _what_and_why(group: dict[str, Any], context: _Context) -> list[str]:
    rule = str(group.get("rule", ""))
    sentences = []
    if group.get("summary"):
        sentences.append(f"**What:** {text(str(group['summary']).rstrip('.'))}.")
    principle = context.pillars.get(group.get("pillar"), {}).get("principle")
    if principle:
        sentences.append(f"**Why it matters:** the pillar's principle: {rich(str(principle))}")
    if group.get("docs"):
        sentences.append(f"[Rule documentation]({group['docs']}) (`mlflow-lint explain {rule}`).")
    return [" ".join(sentences), ""] if sentences else []


def _evidence(group: dict[str, Any], context: _Context) -> list[str]:
    ids = [str(gap_id) for gap_id in group.get("ids", [])]
    out = [f"### Evidence ({len(ids)})", ""]
    used = 0
    for position, gap_id in enumerate(ids):
        entry = _evidence_entry(gap_id, context.gaps.get(gap_id), str(group.get("fix", "")))
        size = sum(len(line) + 1 for line in entry)
        if used + size > EVIDENCE_BUDGET:
            out.append(f"- … and {len(ids) - position} more: the export's `ids` lists every one.")
            break
        out += entry
        used += size
    return out + [""]


def _evidence_entry(gap_id: str, gap: dict[str, Any] | None, group_fix: str) -> list[str]:
    """``- `path:line` · MLF-4a2c9e — message``, then this site's own fix when it differs
    from the group's, and the automatic fix's diff when there is one."""
    if gap is None:  # an id the document lists in the backlog only: nothing more to say
        return [f"- {text(gap_id)}"]
    status = "" if gap.get("status") == "open" else f" ({text(gap.get('status', ''))})"
    out = [f"- {code(clip(_location(gap)))} · {text(gap_id)}{status} — {text(clip(gap.get('message', ''), MAX_MESSAGE))}"]
    fix = gap.get("fix", {})
    if fix.get("here") and fix["here"] != group_fix:
        out.append(f"  Fix here: {text(clip(fix['here'], MAX_MESSAGE))}")
    diff = fix.get("autofix", {}).get("diff") or []
    if diff:
        lines = [one_line(clip(line, 200)) for line in diff[:12]]
        fence = "`" * max(3, max((len(run) for line in lines for run in re.findall(r"`+", line)), default=0) + 1)
        out += [f"  {fence}diff", *(f"  {line}" for line in lines), f"  {fence}"]
    return out


def _location(gap: dict[str, Any]) -> str:
    if gap.get("cell") is not None:
        return f"{gap.get('path', '')} (cell {gap['cell']}):{gap.get('line', '')}"
    return f"{gap.get('path', '')}:{gap.get('line', '')}"


def _fix(group: dict[str, Any], context: _Context) -> list[str]:
    out = ["### Fix", "", f"At each site: {text(clip(group.get('fix', ''), MAX_MESSAGE))}."]
    fixable, count = int(group.get("autofixes") or 0), int(group.get("count") or 0)
    if group.get("autofix") and fixable >= count:
        out[-1] += f" There is an {autofix_text(group['autofix'])}."
    elif group.get("autofix") and fixable:
        # Some sites only: their diffs are in the evidence above.
        which = "1 of these" if fixable == 1 else f"{fixable} of these"
        verb = "has" if fixable == 1 else "have"
        out[-1] += f" {which} {count} sites {verb} an {autofix_text(group['autofix'])}; the rest need an edit by hand."
    hint = context.hint(str(group.get("rule", "")))
    example = str(hint.get("use_instead", ""))
    if example:
        fence = "`" * max(3, max((len(run) for run in re.findall(r"`+", example)), default=0) + 1)
        language = re.sub(r"[^a-z]", "", str(hint.get("language", "")))
        out += ["", "Use instead:", "", f"{fence}{language}", clip(example, 4_000).rstrip("\n"), fence]
    return out + [""]


def _done_when(group: dict[str, Any], context: _Context) -> list[str]:
    ids = [str(gap_id) for gap_id in group.get("ids", [])]
    shown, used = [], 0
    for gap_id in ids:
        if used + len(gap_id) + 2 > IDS_BUDGET:
            break
        shown.append(text(gap_id))
        used += len(gap_id) + 2
    if len(shown) == len(ids):
        criterion = f"`mlflow-lint check --format json` reports none of: {', '.join(shown)} (each finding's `id`)."
    else:
        criterion = (
            f"`mlflow-lint check --format json` reports none of this issue's {len(ids)} ids (each finding's `id`; "
            f"the export's `ids` lists them all): {', '.join(shown)} … and {len(ids) - len(shown)} more."
        )
    out = ["### Done when", "", criterion]
    unexplained = [gap_id for gap_id in ids if context.gaps.get(gap_id, {}).get("status") == "unexplained waiver"]
    if unexplained:
        # A waiver without a reason already hides these from check: that criterion alone would pass.
        named = ", ".join(text(gap_id) for gap_id in unexplained[:20]) + (" …" if len(unexplained) > 20 else "")
        noqa = code(f"# noqa: {group.get('rule', '')} -- why")
        out[-1] += (
            f" Waived without a reason, and so already hidden from `check` but still gaps in the audit: {named}. "
            f"Fix the code, or, if the deviation is justified, give the waiver a reason ({noqa}, or a `reason` in "
            "its per-file-ignores entry)."
        )
    return out + [""]


# -- the Markdown export ----------------------------------------------------------------------
def _markdown(exported: dict[str, Any]) -> str:
    issues = exported["issues"]
    out = [
        f"# mlflow-lint audit: {plural(len(issues), 'issue')} for {text(clip(exported['project'], 120))}",
        "",
        "One issue per backlog group (open gaps of one rule in one directory), highest risk first.",
        "",
    ]
    if not issues:
        out += ["No open gap: no issue to create.", ""]
    for issue in issues:
        out += [
            "---",
            "",
            f"## {text(issue['title'])}",
            "",
            "Labels: " + ", ".join(code(label) for label in issue["labels"]),
            "",
            issue["body"],
            "",
        ]
    return "\n".join(out)


__all__ = ["FORMAT", "FORMATS", "FORMAT_VERSION", "KEY_PREFIX", "build_issues", "format_for_suffix", "render_issues"]
