"""Verdicts, scores and risk: the audit's judgement of each pillar, of the project, and
of each gap.

    penalty(p) = 10 × errors + 3 × warnings + 1 × notes          (open gaps of pillar p)
    sites(p)   = max(evidence rows of p, distinct flagged locations of p, 1)
    score(p)   = round(100 × max(0, 1 − penalty(p) / (10 × sites(p))))

A site is one place in the code that the pillar concerns (a tracking URI set, a model
load, a run, a registry operation...; the evidence tables list them). The score is the
share of those sites that are clean, an error costing a whole site, a warning 0.3 and a
note 0.1 of one: one pinned version among 40 model loads costs a quarter of a point, the
same finding in a project with one load costs ten. The project's score is the mean over
the pillars that were assessed.

An *open* gap is a finding nothing waives, or one waived without a reason (a ``# noqa``
with no ``-- reason``, a per-file-ignores entry with no ``reason``): an unexplained waiver
is a gap. A gap waived with a reason is a *justified deviation*. Gaps the ``--baseline``
accepted are still open (a baseline records debt, it does not justify it); test code is no
governance target and its findings are no gaps (listed under the waivers).

Verdicts do not depend on the score, worst first:

- *critical gaps*: an open error;
- *gaps*: an open warning;
- *deviation-justified*: no open error or warning, and at least one justified deviation
  of that level;
- *compliant*: nothing open above a note;
- *not assessed*: none of the pillar's rules is enabled, or every site the pillar has is
  decided at run time (an environment variable, a parameter no call binds) and nothing is
  open there: static analysis saw nothing it could judge.

Risk (the backlog's order) of one gap:

    risk = severity (error 10, warning 3, note 1)
         × pillar   (5 tags, 6 consumption, 7 security: 2 — the audit plan's fail-fast
                     pillars; the other pillars and MLF000/MLF9xx: 1)
         × context  (production code and deployment files: 2; scripts, examples and
                     notebooks: 1)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

SEVERITY_WEIGHTS: dict[str, int] = {"error": 10, "warning": 3, "note": 1}
SITE_WEIGHT = 10  # a site is worth one error
SEVERITIES = ("error", "warning", "note")

COMPLIANT = "compliant"
DEVIATION = "deviation-justified"
GAPS = "gaps"
CRITICAL = "critical gaps"
NOT_ASSESSED = "not assessed"
VERDICTS = (CRITICAL, GAPS, DEVIATION, COMPLIANT, NOT_ASSESSED)  # worst first

# The audit plan's fail-fast order puts tags (5), consumption (6) and security (7) first.
PILLAR_WEIGHTS: dict[int, int] = {5: 2, 6: 2, 7: 2}
CONTEXT_WEIGHTS: dict[str, int] = {"production": 2, "script": 1, "notebook": 1}
RISK_FORMULA = (
    "risk = severity (error 10, warning 3, note 1) × pillar (5, 6, 7: 2; others 1) "
    "× context (production code and deployment files 2; scripts, examples, notebooks 1)"
)

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


def verdict(by_severity: Mapping[str, int], assessed: bool, justified: Mapping[str, int] | None = None) -> str:
    """The pillar's verdict from its open gaps (``by_severity``) and its justified
    deviations (``justified``, by severity)."""
    if not assessed:
        return NOT_ASSESSED
    if by_severity.get("error", 0):
        return CRITICAL
    if by_severity.get("warning", 0):
        return GAPS
    if justified and (justified.get("error", 0) or justified.get("warning", 0)):
        return DEVIATION
    return COMPLIANT


def risk(severity: str, pillar: int, context: str) -> int:
    """The backlog's risk score of one gap (see the module's formula)."""
    return SEVERITY_WEIGHTS[severity] * PILLAR_WEIGHTS.get(pillar, 1) * CONTEXT_WEIGHTS.get(context, 2)


def overall(pillars: Sequence[tuple[str, int | None]]) -> tuple[int | None, str]:
    """(score, verdict) of the project from its pillars' (verdict, score)."""
    scores = [score for state, score in pillars if state != NOT_ASSESSED and score is not None]
    score = round(sum(scores) / len(scores)) if scores else None
    states = [state for state, _ in pillars]
    worst = next((state for state in VERDICTS if state in states), NOT_ASSESSED)
    return score, worst
