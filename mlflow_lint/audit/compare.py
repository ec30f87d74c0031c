"""What changed since the last audit (``--compare OLD.json``).

The previous report is an audit JSON document (``mlflow-lint audit --format json``), or a
``mlflow-lint check --format json`` report, which has findings but no scores or evidence.
Gaps are matched by their register id (``MLF-4a2c9e``, from the line-independent
fingerprint: rule, path, flagged expression, occurrence), so code moving within a file is
not a change and the comparison can say "MLF-4a2c9e fixed". Reports without ids (an
audit of format 1, an older ``check`` report) are matched by fingerprint, else by rule,
path and message. Justified deviations are not gaps: a gap that gets a reasoned waiver is
listed as fixed, and the waivers section says why.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

from mlflow_lint.audit.report import FORMAT


class PreviousReportError(ValueError):
    """The file given to --compare is not a report this version can read."""


def load_previous(path: Path) -> dict[str, Any]:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise PreviousReportError(f"{path}: cannot read the previous report ({exc.strerror or exc})") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise PreviousReportError(f"{path}: not a JSON report ({exc})") from None
    except RecursionError:
        raise PreviousReportError(f"{path}: not an mlflow-lint report (JSON nested too deep)") from None
    if not isinstance(document, dict):
        raise PreviousReportError(f"{path}: not an mlflow-lint report")
    if document.get("format") == FORMAT:
        if not isinstance(document.get("pillars"), list):
            raise PreviousReportError(f"{path}: audit report without pillars")
        return document
    if isinstance(document.get("findings"), list) and "summary" in document:
        return document  # mlflow-lint check --format json
    raise PreviousReportError(
        f"{path}: not an mlflow-lint report (expected the JSON of `mlflow-lint audit --format json` "
        "or `mlflow-lint check --format json`)"
    )


def _gaps(document: dict[str, Any]) -> list[dict[str, Any]]:
    """The open gaps of a report."""
    if document.get("format") == FORMAT:
        gaps = [gap for pillar in document.get("pillars", []) for gap in pillar.get("gaps", []) if isinstance(gap, dict)]
        if document.get("format_version", 1) >= 2:
            extra = [*document.get("analysis_findings", []), *document.get("migration_findings", [])]
            gaps += [gap for gap in extra if isinstance(gap, dict) and gap.get("status") != "justified deviation"]
        return gaps
    return [finding for finding in document.get("findings", []) if isinstance(finding, dict)]


def _key(gap: dict[str, Any], by: str) -> tuple[str, ...]:
    if by in ("id", "fingerprint"):
        return (str(gap.get(by, "")),)
    return (str(gap.get("rule", "")), str(gap.get("path", "")), str(gap.get("message", "")))


def _matched_by(old_gaps: list[dict[str, Any]], new_gaps: list[dict[str, Any]]) -> str:
    """The strongest key both reports carry on every gap."""
    for key in ("id", "fingerprint"):
        if all(key in gap for gap in old_gaps) and all(key in gap for gap in new_gaps):
            return key
    return "message"


def compare(current: dict[str, Any], previous: dict[str, Any]) -> dict[str, Any]:
    """The comparison section of ``current`` against ``previous``."""
    is_audit = previous.get("format") == FORMAT
    old_gaps, new_gaps = _gaps(previous), _gaps(current)
    by = _matched_by(old_gaps, new_gaps)
    old_keys = Counter(_key(gap, by) for gap in old_gaps)
    new_keys = Counter(_key(gap, by) for gap in new_gaps)
    introduced = _unmatched(new_gaps, old_keys, by)
    fixed = _unmatched(old_gaps, new_keys, by)
    header = previous.get("header", {}) if is_audit else {}
    summary = previous.get("summary", {}) if is_audit else {}
    result: dict[str, Any] = {
        "previous": {
            "kind": "audit" if is_audit else "check",
            "date": header.get("date"),
            "commit": header.get("commit"),
            "score": summary.get("score"),
            "findings": len(old_gaps),
        },
        "matched_by": by,
        "score_before": summary.get("score"),
        "score_after": current["summary"]["score"],
        "new_gaps": [_slim(gap) for gap in introduced],
        "fixed_gaps": [_slim(gap) for gap in fixed],
        "unchanged_gaps": len(new_gaps) - len(introduced),
        "pillars": [],
    }
    old_pillars = {p.get("pillar"): p for p in previous.get("pillars", []) if isinstance(p, dict)} if is_audit else {}
    for pillar in current["pillars"]:
        before = old_pillars.get(pillar["pillar"], {})
        evidence_before = {k: len(v) for k, v in before.get("evidence", {}).items() if isinstance(v, list)}
        evidence_after = {k: len(v) for k, v in pillar["evidence"].items()}
        result["pillars"].append(
            {
                "pillar": pillar["pillar"],
                "name": pillar["name"],
                "verdict_before": before.get("verdict"),
                "verdict_after": pillar["verdict"],
                "score_before": before.get("score"),
                "score_after": pillar["score"],
                "gaps_before": len(before.get("gaps", [])) if before else _count_pillar(old_gaps, pillar["pillar"]),
                "gaps_after": len(pillar["gaps"]),
                "evidence": [
                    {"kind": kind, "before": evidence_before.get(kind) if before else None, "after": count}
                    for kind, count in evidence_after.items()
                    if not before or evidence_before.get(kind) != count
                ],
            }
        )
    return result


def _count_pillar(gaps: list[dict[str, Any]], pillar: int) -> int:
    return sum(1 for gap in gaps if gap.get("pillar") == pillar)


def _unmatched(gaps: list[dict[str, Any]], other: Counter[tuple[str, ...]], by: str) -> list[dict[str, Any]]:
    remaining = Counter(other)
    out = []
    for gap in gaps:
        key = _key(gap, by)
        if remaining[key] > 0:
            remaining[key] -= 1
        else:
            out.append(gap)
    return sorted(out, key=lambda g: (str(g.get("path", "")), _line(g), str(g.get("rule", ""))))


def _line(gap: dict[str, Any]) -> int:
    """A gap's line for sorting; a previous report is input: a line may be anything."""
    line = gap.get("line")
    return line if isinstance(line, int) and not isinstance(line, bool) else 0


def _slim(gap: dict[str, Any]) -> dict[str, Any]:
    keys = ("id", "rule", "name", "severity", "path", "line", "cell", "message")
    return {key: gap[key] for key in keys if key in gap}
