"""JSON report: ``{"version", "findings", "summary"}`` as DESIGN.md's contract states."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from mlflow_lint import __version__
from mlflow_lint.catalog import Catalog
from mlflow_lint.findings import NO_FIX, Finding, fingerprints, in_shadow, register_ids, severity_of
from mlflow_lint.json_text import dumps_indented


def finding_to_dict(finding: Finding, catalog: Catalog, shadow: Sequence[str] = (), gap_id: str | None = None) -> dict[str, Any]:
    rule = catalog.get(finding.rule)
    data: dict[str, Any] = {
        "rule": finding.rule,
        "name": rule.name if rule else "",
        "pillar": rule.pillar if rule else 0,
        "severity": severity_of(finding, catalog),
        "path": finding.path,
        "line": finding.line,
        "column": finding.column,
        "end_line": finding.end_line,
        "end_column": finding.end_column,
        "message": finding.message,
    }
    if gap_id is not None:
        data["id"] = gap_id  # the audit's register id (MLF-4a2c9e), stable across runs
    if finding.cell is not None:
        data["cell"] = finding.cell
    if finding.context is not None:
        data["context"] = finding.context  # "test": in test code, shown with --include-tests
    if in_shadow(finding, shadow):
        data["shadow"] = True  # reported, never failing the run
    if finding.precision is not None:
        data["precision"] = finding.precision  # "medium": the receiver's type is not known
    if finding.fix is not None and finding.fix != NO_FIX:
        data["fix"] = {"applicability": finding.fix}  # --fix rewrites it (ruff's JSON shape)
    if finding.flow:
        # Found through calls: where the value goes next, the last step being MLflow's call.
        data["flow"] = [{"path": s.path, "line": s.line, "column": s.column, "message": s.message} for s in finding.flow]
    return data


def render_json(
    findings: list[Finding],
    catalog: Catalog,
    files_checked: int,
    files_analysed: int,
    *,
    hidden_in_tests: int = 0,
    shadow: Sequence[str] = (),
    context: Sequence[Finding] | None = None,
) -> str:
    """``context``: every finding of the run before baseline and ``--diff`` filtering, and
    the waived ones: the population the ids (``MLF-4a2c9e``, as the audit's) count in."""
    population = list(findings) if context is None else list(context)
    by_finding = dict(zip(map(id, population), register_ids(fingerprints(population)), strict=True))
    rows = [finding_to_dict(f, catalog, shadow, by_finding.get(id(f))) for f in findings]
    severities = Counter(row["severity"] for row in rows)
    document = {
        "version": __version__,
        "findings": rows,
        "summary": {
            "files_checked": files_checked,
            "files_analysed": files_analysed,
            "findings": len(rows),
            "by_severity": {s: severities.get(s, 0) for s in ("error", "warning", "note")},
            "by_rule": dict(sorted(Counter(row["rule"] for row in rows).items())),
            "hidden_in_tests": hidden_in_tests,  # findings in test code not shown (--include-tests)
            "shadow": sum(1 for row in rows if row.get("shadow")),
        },
    }
    return dumps_indented(document, end="\n")
