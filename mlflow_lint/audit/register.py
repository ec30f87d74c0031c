"""The risk register: every gap with a stable id, its risk and what to change at its place;
and the prioritised backlog built from it (identical gaps grouped, top risks, quick wins).

A gap is a finding the audit reports: open (nothing waives it, or a waiver with no reason),
or a justified deviation (waived with a reason). Ids come from the line-independent
fingerprint (``findings.register_ids``), so ``MLF-4a2c9e`` names the same gap in every run
until the flagged code itself changes; ``mlflow-lint check --format json`` prints the same
ids. The backlog holds open gaps only, grouped by rule and directory ("MLF801 ×10 in
src/models/"), ordered by the group's highest risk (``scoring.risk``), then its size.
"""

from __future__ import annotations

import posixpath
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from mlflow_lint.audit import scoring
from mlflow_lint.catalog import Catalog
from mlflow_lint.context import code_context
from mlflow_lint.findings import Finding, Waiver, fingerprints, register_ids, severity_of

OPEN = "open"  # counts against the pillar
UNEXPLAINED = "unexplained waiver"  # waived without a reason: counts as a gap
JUSTIFIED = "justified deviation"  # waived with a reason: shown, not counted
TOP_RISKS = 3
MAX_QUICK_WINS = 5
MAX_LOCATIONS = 20  # per backlog group; the ids list them all


@dataclass(frozen=True)
class Autofix:
    """What ``mlflow-lint check --fix`` (``safe``) or ``--unsafe-fixes`` would change here."""

    safety: str
    diff: tuple[str, ...]  # "- old" / "+ new" lines


def status_of(waiver: Waiver | None) -> str:
    if waiver is None:
        return OPEN
    return JUSTIFIED if waiver.reason else UNEXPLAINED


def counts_as_gap(gap: dict[str, Any]) -> bool:
    return bool(gap["status"] != JUSTIFIED)


class Register:
    """Every gap of the run (open and waived findings), with its id and risk."""

    def __init__(
        self,
        findings: Sequence[Finding],
        catalog: Catalog,
        autofixes: dict[int, Autofix] | None = None,
        accepted: set[int] | None = None,
        notebooks: frozenset[str] = frozenset(),
    ) -> None:
        """``notebooks``: the shown paths of the files the lint read as notebooks (their
        evidence says): a Databricks source's findings name file lines, no cell, yet it is
        a notebook."""
        self.catalog = catalog
        self.notebooks = notebooks
        self.findings = list(findings)
        prints = fingerprints(self.findings)
        ids = register_ids(prints)
        autofixes = autofixes or {}
        accepted = accepted or set()
        self._gaps: dict[int, dict[str, Any]] = {}
        for finding, fingerprint, gap_id in zip(self.findings, prints, ids, strict=True):
            autofix = autofixes.get(id(finding))
            if autofix is None and finding.fix == "safe" and finding.waiver is None:
                autofix = Autofix("safe", ())  # the check saw the fix's shape; its diff was not computed
            self._gaps[id(finding)] = self._gap(finding, fingerprint, gap_id, autofix, id(finding) in accepted)

    def gap(self, finding: Finding) -> dict[str, Any]:
        """The register entry of one finding of the run (a fresh copy)."""
        return dict(self._gaps[id(finding)])

    def _gap(self, finding: Finding, fingerprint: str, gap_id: str, autofix: Autofix | None, accepted: bool) -> dict[str, Any]:
        rule = self.catalog.get(finding.rule)
        severity = severity_of(finding, self.catalog)
        pillar = rule.pillar if rule is not None else 0
        context = code_context(finding.path, notebook=finding.cell is not None or finding.path in self.notebooks)
        data: dict[str, Any] = {
            "id": gap_id,
            "rule": finding.rule,
            "name": rule.name if rule else "",
            "pillar": pillar,
            "severity": severity,
            "path": finding.path,
            "line": finding.line,
            "column": finding.column,
            "message": finding.message,
            "fingerprint": fingerprint,
            "status": status_of(finding.waiver),
            "context": context,
            "risk": scoring.risk(severity, pillar, context),
            "fix": _fix(finding, rule.fix_description if rule else "", autofix),
        }
        if finding.cell is not None:
            data["cell"] = finding.cell
        if finding.waiver is not None:
            waiver = finding.waiver
            data["waiver"] = {"kind": waiver.kind, "reason": waiver.reason, "source": waiver.source}
            if waiver.line is not None:
                data["waiver"]["line"] = waiver.line
        if accepted:
            data["baseline"] = "accepted"
        if finding.shadow:
            data["shadow"] = True  # its rule is in shadow mode: reported, never failing CI
        return data


def _fix(finding: Finding, description: str, autofix: Autofix | None) -> dict[str, Any]:
    """What to change at this place: the finding's own remedy (its message's advice, with
    this site's names), else the rule's fix description; and the autofix's diff if any."""
    fix: dict[str, Any] = {"here": finding.remedy or _without_no_fix_prefix(description)}
    if autofix is not None:
        fix["autofix"] = {"safety": autofix.safety, "diff": list(autofix.diff)}
    return fix


def _without_no_fix_prefix(description: str) -> str:
    """"No automatic fix: the file must be made parseable." -> "the file must ..." (the
    register's fix column is about this place, not about the tool)."""
    prefix = "No automatic fix: "
    return description[len(prefix) :] if description.startswith(prefix) else description


# -- reading a document ---------------------------------------------------------------------
def all_gaps(document: dict[str, Any]) -> list[dict[str, Any]]:
    """Every register entry of an audit document: the pillars' gaps and deviations, then
    the analysis problems and the migration findings (what the renderers look ids up in)."""
    pillars = document.get("pillars", [])  # a previous or hand-made document may lack parts
    gaps = [gap for pillar in pillars for gap in (*pillar.get("gaps", []), *pillar.get("deviations", []))]
    return gaps + list(document.get("analysis_findings", [])) + list(document.get("migration_findings", []))


def gaps_by_id(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Each register entry of a document by its id (a backlog group lists ids)."""
    found: dict[str, dict[str, Any]] = {}
    for gap in all_gaps(document):
        if gap.get("id"):
            found.setdefault(str(gap["id"]), gap)
    return found


# -- the backlog ------------------------------------------------------------------------------
def backlog(gaps: Sequence[dict[str, Any]], catalog: Catalog) -> list[dict[str, Any]]:
    """Open gaps grouped by rule and directory, highest risk first."""
    groups: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for gap in gaps:
        if counts_as_gap(gap):
            groups[(gap["rule"], _directory(gap["path"]))].append(gap)
    items = [_group(rule, where, members, catalog) for (rule, where), members in groups.items()]
    items.sort(key=lambda item: (-item["risk"], -item["count"], item["rule"], item["where"]))
    for rank, item in enumerate(items, start=1):
        item["rank"] = rank
    return items


def _directory(path: str) -> str:
    directory = posixpath.dirname(path)
    return f"{directory}/" if directory else "./"


def _group(rule_id: str, where: str, members: list[dict[str, Any]], catalog: Catalog) -> dict[str, Any]:
    members = sorted(members, key=lambda gap: (-gap["risk"], gap["path"], gap.get("cell", -1), gap["line"]))
    rule = catalog.get(rule_id)
    fixes = list(dict.fromkeys(gap["fix"]["here"] for gap in members))  # distinct, highest risk first
    safeties = {gap["fix"]["autofix"]["safety"] for gap in members if "autofix" in gap["fix"]}
    safety = "unsafe" if "unsafe" in safeties else ("safe" if safeties else None)
    worst = members[0]
    count = len(members)
    return {
        "key": f"{rule_id} {where}",
        "title": f"{rule_id} {rule.name if rule else ''} ×{count} in {where}" if count > 1 else f"{rule_id} {rule.name if rule else ''} at {_location(worst)}",
        "rule": rule_id,
        "name": rule.name if rule else "",
        "summary": rule.summary if rule else "",
        "docs": rule.docs_uri if rule else "",
        "pillar": worst["pillar"],
        "severity": worst["severity"],
        "risk": worst["risk"],
        "context": worst["context"],
        "where": where,
        "count": count,
        "ids": [gap["id"] for gap in members],
        "locations": [_location(gap) for gap in members[:MAX_LOCATIONS]],
        "unexplained_waivers": sum(1 for gap in members if gap["status"] == UNEXPLAINED),
        "baseline_accepted": sum(1 for gap in members if gap.get("baseline")),
        "fix": _joined(fixes),
        "autofix": safety,  # of the group's autofixes (unsafe if any is); None: none has one
        "autofixes": sum(1 for gap in members if "autofix" in gap["fix"]),  # how many of its gaps
        "shadow": all(gap.get("shadow") for gap in members),
        # Every gap has an autofix, or the rule's fix is one edit where the finding is
        # (the catalog's fix.one-line: MLF301, MLF502, MLF801).
        "quick_win": all("autofix" in gap["fix"] for gap in members) or bool(rule and rule.fix_one_line),
    }


def _joined(fixes: list[str], shown: int = 3) -> str:
    """The group's fixes: one, or the first few distinct ones, each for some of its gaps
    (``get_latest_versions`` and ``transition_model_version_stage`` have different ones)."""
    text = "; ".join(fixes[:shown])
    return text if len(fixes) <= shown else f"{text}; and {len(fixes) - shown} more (see each gap)"


def _location(gap: dict[str, Any]) -> str:
    if "cell" in gap:
        return f"{gap['path']} (cell {gap['cell']}):{gap['line']}"
    return f"{gap['path']}:{gap['line']}"


def top_risks(items: Sequence[dict[str, Any]]) -> list[str]:
    """The backlog keys of the highest risks."""
    return [item["key"] for item in items[:TOP_RISKS]]


def quick_wins(items: Sequence[dict[str, Any]]) -> list[str]:
    """Backlog keys of groups an autofix or a one-line edit closes, highest risk first."""
    return [item["key"] for item in items if item["quick_win"]][:MAX_QUICK_WINS]
