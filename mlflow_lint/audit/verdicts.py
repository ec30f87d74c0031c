"""The checks decide, the evidence describes.

Where an evidence row states a verdict that a check also makes, the check's finding at
the site wins: the audit shows one judgement, never a second opinion beside it. The one
such column is a registry operation's gate (MLF402's question). The evidence and the check
read the same predicates (``analysis.promotion_gates``: the promotion, its protected target,
the gate analysis with the project-wide caller search, the exemptions), so the two agree by
construction; this is the guarantee for what still parts them (the check's analysis under
a call of the value flow, which the evidence, reading the module as written, does not make).

It runs where the file was analysed (``engine.evidence``), on every finding of the file
(waived ones and those hidden in test code too) and with the rules that ran on it, so the
cached evidence already carries the verdicts.

The other tables describe (how a model is addressed, what kind of URI is set, how a
credential is set); their status column comes from the findings at the site.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from mlflow_lint.audit.evidence import EvidenceItem, ModuleEvidence
from mlflow_lint.findings import Finding

GATE_RULE = "MLF402"
UNGATED = "none"  # the gate column of a protected operation with no gate
NOT_FLAGGED = "no gate found; MLF402 accepts it"

_Site = tuple[int | None, int, int]  # cell, line, column


def agree_with_findings(evidence: ModuleEvidence, findings: Iterable[Finding], judged: frozenset[str]) -> None:
    """Give ``evidence``'s rows the verdicts of ``findings`` (the file's, every one) at their
    sites; ``judged``: the rules that ran on the file."""
    flagged: set[_Site] = {(f.cell, f.line, f.column) for f in findings if f.rule == GATE_RULE}
    if not flagged and GATE_RULE not in judged:
        return
    evidence.items = [_agreed(item, flagged, judged) for item in evidence.items]


def _agreed(item: EvidenceItem, flagged: set[_Site], judged: frozenset[str]) -> EvidenceItem:
    if item.kind != "registry_operation":
        return item
    fields = dict(item.fields)
    gate = fields.get("gate")
    if gate is None:
        return item
    if (item.cell, item.line, item.column) in flagged:
        fields["gate"] = UNGATED  # MLF402 found no gate at this promotion: none is shown
    elif gate == UNGATED and GATE_RULE in judged:
        fields["gate"] = NOT_FLAGGED  # MLF402 accepted what the evidence names no reason for
    if fields["gate"] == gate:
        return item
    return replace(item, fields=tuple(fields.items()))
