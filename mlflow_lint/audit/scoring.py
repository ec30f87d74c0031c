"""Verdicts and scores: the audit's judgement of each pillar, and of the project.

    penalty(p) = 10 × errors + 3 × warnings + 1 × notes          (findings of pillar p)
    sites(p)   = max(evidence rows of p, distinct flagged locations of p, 1)
    score(p)   = round(100 × max(0, 1 − penalty(p) / (10 × sites(p))))

A site is one place in the code that the pillar concerns (a tracking URI set, a model
load, a run, a registry operation...; the evidence tables list them). The score is the
share of those sites that are clean, an error costing a whole site, a warning 0.3 and a
note 0.1 of one: one pinned version among 40 model loads costs a quarter of a point, the
same finding in a project with one load costs ten. The project's score is the mean over
the pillars that were assessed (at least one of their rules enabled).

Verdicts do not depend on the score: any error is a *critical gap*, any warning a *gap*;
notes alone leave a pillar *compliant*. A pillar none of whose rules is enabled is *not
assessed* and has no score.
"""

from __future__ import annotations

from typing import Mapping, Sequence

SEVERITY_WEIGHTS: dict[str, int] = {"error": 10, "warning": 3, "note": 1}
SITE_WEIGHT = 10  # a site is worth one error
SEVERITIES = ("error", "warning", "note")

COMPLIANT = "compliant"
GAPS = "gaps"
CRITICAL = "critical gaps"
NOT_ASSESSED = "not assessed"
VERDICTS = (CRITICAL, GAPS, COMPLIANT, NOT_ASSESSED)  # worst first

FORMULA = (
    "score = round(100 × max(0, 1 − (10·errors + 3·warnings + 1·notes) / (10 × sites))), "
    "sites = max(evidence rows, flagged locations, 1); project score = mean of assessed pillars"
)


def penalty(by_severity: Mapping[str, int]) -> int:
    return sum(SEVERITY_WEIGHTS[severity] * by_severity.get(severity, 0) for severity in SEVERITIES)


def pillar_score(by_severity: Mapping[str, int], sites: int) -> int:
    """0-100: the severity-weighted share of the pillar's sites that are clean."""
    denominator = SITE_WEIGHT * max(sites, 1)
    return round(100 * max(0.0, 1 - penalty(by_severity) / denominator))


def verdict(by_severity: Mapping[str, int], assessed: bool) -> str:
    if not assessed:
        return NOT_ASSESSED
    if by_severity.get("error", 0):
        return CRITICAL
    if by_severity.get("warning", 0):
        return GAPS
    return COMPLIANT


def overall(pillars: Sequence[tuple[str, int | None]]) -> tuple[int | None, str]:
    """(score, verdict) of the project from its pillars' (verdict, score)."""
    scores = [score for state, score in pillars if state != NOT_ASSESSED and score is not None]
    score = round(sum(scores) / len(scores)) if scores else None
    states = [state for state, _ in pillars]
    worst = next((state for state in VERDICTS if state in states), NOT_ASSESSED)
    return score, worst
