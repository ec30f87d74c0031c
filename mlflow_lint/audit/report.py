"""Build the audit document from one lint run: its findings, and the evidence the engine
gathered from the same analysis (``lint_paths(..., evidence=True)``).

The document is plain JSON data (``--format json`` writes it as is); the Markdown and
HTML renderers read only this document, so every format says the same thing, and a saved
JSON report can be compared with a later one (``--compare``).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from mlflow_lint import __version__
from mlflow_lint.audit import scoring
from mlflow_lint.audit.autofix import MAX_FIXED_FILES, MAX_FIXED_FINDINGS, site_fixes
from mlflow_lint.audit.evidence import NEW_VERSION, EvidenceItem, ModuleEvidence, NameUse
from mlflow_lint.audit.header import format_date, git_commit, project_name
from mlflow_lint.audit.pillars import CANNOT_SEE, JUDGED_ONLY_WHERE_USED, KINDS_BY_KEY, kinds_of, pillar_ids, principle
from mlflow_lint.audit.register import JUSTIFIED, Register, all_gaps, backlog, counts_as_gap, quick_wins, top_risks
from mlflow_lint.audit.waivers import waivers_section
from mlflow_lint.baseline import Baseline
from mlflow_lint.catalog import PILLARS, SECURITY_PILLAR, Catalog, Rule
from mlflow_lint.config import Config, ConfigResolver
from mlflow_lint.discovery import git_root
from mlflow_lint.engine import LintResult, display_path, lint_paths
from mlflow_lint.findings import Finding, severity_of
from mlflow_lint.project import find_project_root

REPORTED_IN_TESTS = frozenset({SECURITY_PILLAR})  # the pillars whose rules report in test code
FORMAT = "mlflow-lint-audit"
FORMAT_VERSION = 2  # 2: gap ids, status and fixes, deviations, waivers, backlog


@dataclass
class AuditInput:
    """What the audit was asked to look at, and how.

    ``config`` and ``selected`` are the run's configuration (the first path's) and its
    rules: the report's header and pillars. With ``resolver`` and ``selection`` each file is
    linted with its nearest configuration and that configuration's rules, as ``check``
    lints it (a sub-project's own file); without them, every file with ``config``.
    """

    paths: Sequence[Path]
    config: Config
    selected: frozenset[str]
    catalog: Catalog
    date: datetime
    cwd: Path
    jobs: int | None = None
    paths_shown: list[str] = field(default_factory=list)
    cache_dir: Path | None = None  # the result cache (None: every file analysed afresh)
    resolver: ConfigResolver | None = None
    selection: Callable[[Config], frozenset[str]] | None = None

    def configurations(self) -> tuple[Config | ConfigResolver, frozenset[str] | Callable[[Config], frozenset[str]]]:
        """What the lint (and the autofix diffs) take: per file, or one for every file."""
        if self.resolver is not None and self.selection is not None:
            return self.resolver, self.selection
        return self.config, self.selected


def build_audit(
    request: AuditInput, previous: dict[str, Any] | None = None, baseline: tuple[Path, Baseline] | None = None
) -> dict[str, Any]:
    """Lint (gathering the evidence in the same pass), score, and compare with a previous
    report (``previous``) or a ``--write-baseline`` file (``baseline``: its path and
    contents): the whole document."""
    cwd = request.cwd.resolve()
    config, selected = request.configurations()
    result = lint_paths(
        list(request.paths), config, selected, jobs=request.jobs, cwd=cwd, cache_dir=request.cache_dir, waivers=True, evidence=True
    )
    accepted: list[Finding] = []
    if baseline is not None:
        _, accepted = baseline[1].split(result.findings, cwd)
    document = assemble(request, result, result.evidence, len(result.evidence), cwd, accepted)
    if previous is not None:
        from mlflow_lint.audit.compare import compare

        document["comparison"] = compare(document, previous)
    if baseline is not None:
        document["baseline"] = against_baseline(document, baseline[1], display_path(baseline[0], cwd))
    return document


def against_baseline(document: dict[str, Any], baseline: Baseline, shown: str) -> dict[str, Any]:
    """Which open gaps the baseline accepted, which are new, and how many accepted ones are gone."""
    gaps = [gap for gap in all_gaps(document) if gap["status"] != JUSTIFIED and "waiver" not in gap]
    accepted = [gap for gap in gaps if gap.get("baseline")]
    return {
        "file": shown,
        "accepted": len(accepted),
        "fixed": max(0, sum(baseline.counts.values()) - len(accepted)),
        "new_gaps": [
            {key: gap[key] for key in ("id", "rule", "name", "severity", "path", "line", "message", "fingerprint")}
            for gap in sorted(gaps, key=_gap_order)
            if not gap.get("baseline")
        ],
    }


def _gap_order(gap: dict[str, Any]) -> tuple[str, int, int, int, str]:
    return (gap["path"], gap.get("cell", -1), gap["line"], gap["column"], gap["rule"])


# -- the document -----------------------------------------------------------------------------
def assemble(
    request: AuditInput,
    result: LintResult,
    evidence: list[ModuleEvidence],
    evidence_files: int,
    cwd: Path,
    accepted: Sequence[Finding] = (),
) -> dict[str, Any]:
    catalog = request.catalog
    everything = [*result.findings, *result.waived]
    autofixes, unfixed_files = site_fixes(result.findings, catalog, *request.configurations(), cwd, request.jobs)
    # What the lint read as a notebook (an .ipynb, a Databricks source): its evidence says.
    notebooks = frozenset(module.path for module in evidence if module.notebook)
    register = Register(everything, catalog, autofixes, {id(finding) for finding in accepted}, notebooks)
    by_pillar: dict[int, list[tuple[Finding, dict[str, Any]]]] = defaultdict(list)
    problems = []
    migration = []  # MLF9xx: what breaks or warns on the target MLflow release, not a pillar
    for finding in everything:
        gap = register.gap(finding)
        pillar = gap["pillar"]
        if pillar in PILLARS and pillar > 0:
            by_pillar[pillar].append((finding, gap))
        elif finding.rule.startswith("MLF9"):
            migration.append(gap)
        else:
            problems.append(gap)

    # Test code is no governance target (mlflow_lint.context): its sites are not the
    # pillars' sites either, except where its findings are reported (security).
    shows_tests = request.config.include_tests
    hidden = _Located(result.in_tests)
    items = sorted(
        (
            item
            for module in evidence
            for item in module.items
            if shows_tests or not module.in_tests or _reported_in_tests(item, hidden, catalog)
        ),
        key=lambda i: (i.path, i.line, i.column, i.kind),
    )
    enabled_by_pillar: dict[int, list[str]] = defaultdict(list)
    for rule in catalog:
        if rule.id in request.selected:
            enabled_by_pillar[rule.pillar].append(rule.id)

    located = _Located(everything)
    # No file uses MLflow (no finding, and no MLflow call, server command or setting among
    # the evidence: a file that only says "MLflow" in a string is analysed and uses none):
    # there is nothing to judge, and "compliant" would certify a project the audit never
    # saw use MLflow.
    uses_mlflow = bool(everything) or any(module.items or module.api_calls or module.models or module.experiments for module in evidence)
    pillars = []
    for pillar in pillar_ids():
        assessed = bool(enabled_by_pillar.get(pillar))
        pillar_findings = sorted(by_pillar.get(pillar, []), key=lambda pair: _gap_order(pair[1]))
        pillars.append(
            _pillar(pillar, assessed, enabled_by_pillar.get(pillar, []), pillar_findings, items, located, catalog, uses_mlflow)
        )

    score, verdict = scoring.overall([(p["verdict"], p["score"]) for p in pillars])
    open_gaps = [gap for pillar in pillars for gap in pillar["gaps"]] + [g for g in problems + migration if counts_as_gap(g)]
    severities = Counter(gap["severity"] for gap in open_gaps)
    ordered = backlog(open_gaps, catalog)
    root = _project_root(request, cwd)
    commit, branch = git_commit(root)
    repository = git_root(root)
    options = request.config.rule_options()
    config_path = request.config.path
    waived = sorted((gap for gap in map(register.gap, result.waived)), key=_gap_order)
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "header": {
            "project": project_name(root),
            "root": display_path(root, cwd) or ".",
            "git": repository is not None,
            "commit": commit,
            "branch": branch,
            "date": format_date(request.date),
            "version": __version__,
            "paths": request.paths_shown or [display_path(p, cwd) for p in request.paths],
            "files_checked": result.files_checked,
            "files_analysed": result.files_analysed,
            "evidence_files": evidence_files,
            "rules_enabled": sorted(request.selected),
            "rules_available": len(catalog),
            "config": display_path(config_path, cwd) if config_path is not None else None,
            "options": {
                "required_tags": list(options.required_tags),
                "protected_aliases": list(options.protected_aliases),
                "gate_functions": list(options.gate_functions),
                "allowed_tracking_uris": list(options.allowed_tracking_uris),
                "registry_admin_modules": list(options.registry_admin_modules),
            },
        },
        "summary": {
            "score": score,
            "verdict": verdict,
            "findings": len(result.findings),
            "open_gaps": len(open_gaps),
            "by_severity": {s: severities.get(s, 0) for s in scoring.SEVERITIES},
            "justified_deviations": sum(1 for gap in waived if not counts_as_gap(gap)),
            "unexplained_waivers": sum(1 for gap in waived if counts_as_gap(gap)),
            "hidden_in_tests": result.hidden_in_tests,
            "pillars_by_verdict": {v: sum(1 for p in pillars if p["verdict"] == v) for v in scoring.VERDICTS},
        },
        "headline": headline(score, verdict, pillars, ordered),
        "scoring": {
            "weights": dict(scoring.SEVERITY_WEIGHTS),
            "site_weight": scoring.SITE_WEIGHT,
            "formula": scoring.FORMULA,
            "risk_formula": scoring.RISK_FORMULA,
        },
        "top_risks": top_risks(ordered),
        "quick_wins": quick_wins(ordered),
        "backlog": ordered,
        "pillars": pillars,
        "waivers": waivers_section(
            waived, result.in_tests, result.configurations or [request.config], request.selected, catalog, result.excluded,
            lambda path: display_path(path, cwd),
        ),
        "cannot_see": cannot_see(pillars, result, unfixed_files),
        "inventory": _inventory(evidence),
        "analysis_findings": problems,
        "migration_findings": migration,
        "skipped": [{"path": path, "reason": reason} for path, reason in result.skipped],
        "comparison": None,
        "baseline": None,
    }


def _reported_in_tests(item: EvidenceItem, hidden: _Located, catalog: Catalog) -> bool:
    """Whether a site in test code is one of its pillar's sites: its pillar reports in test
    code, and no finding of that pillar at the site is hidden there (a throwaway password
    in a test is MLF701's, hidden by default: an "ok" row would contradict it)."""
    pillar = KINDS_BY_KEY[item.kind].pillar
    if pillar not in REPORTED_IN_TESTS:
        return False
    found = hidden.within(item.path, item.cell, (item.line, item.column), (item.end_line, item.end_column))
    return not any(finding.rule in catalog.by_id and catalog[finding.rule].pillar == pillar for finding in found)


def headline(score: int | None, verdict: str, pillars: list[dict[str, Any]], ordered: list[dict[str, Any]]) -> list[str]:
    """Sentences that say what the score does not: a critical gap behind a high score, what
    is waived, what was not assessed. Backticks mark code for the renderers."""
    lines: list[str] = []
    critical = [item for item in ordered if item["severity"] == "error"]
    if critical and score is not None and score >= 70:
        first = critical[0]
        count = sum(item["count"] for item in critical)
        lines.append(
            f"The score is high ({score}/100) because it is the share of clean sites, but {plural(count, 'critical gap')} "
            f"{'remains' if count == 1 else 'remain'}: the first is {first['rule']} `{first['name']}` at {first['locations'][0]}."
        )
    elif critical:
        lines.append(f"{plural(sum(i['count'] for i in critical), 'critical gap')} (errors) decide the verdict: fix them first.")
    deviation = [p for p in pillars if p["verdict"] == scoring.DEVIATION]
    if deviation:
        lines.append(
            f"Deviation-justified: {_pillar_names(deviation)}: no open error or warning there, the gaps are waived "
            "with a reason (see the waivers)."
        )
    unassessed = [p for p in pillars if p["verdict"] == scoring.NOT_ASSESSED]
    if unassessed:
        lines.append(f"Not assessed: {_pillar_names(unassessed)} ({'; '.join(sorted({p['not_assessed'] for p in unassessed}))}).")
    if not critical and verdict in (scoring.COMPLIANT, scoring.DEVIATION):
        lines.append("No open gap above a note; what static analysis cannot see is listed at the end.")
    return lines


def _pillar_names(pillars: list[dict[str, Any]]) -> str:
    word = "pillar" if len(pillars) == 1 else "pillars"
    return f"{word} " + ", ".join(f"{p['pillar']} ({p['name']})" for p in pillars)


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}" + ("" if count == 1 else "s")


def cannot_see(pillars: list[dict[str, Any]], result: LintResult, unfixed_files: int = 0) -> dict[str, Any]:
    """What this audit could not judge: the limits of static analysis, and of this run."""
    runtime = sum(p["runtime_sites"] for p in pillars)
    run: list[str] = []
    if runtime:
        run.append(f"{plural(runtime, 'site')} whose value is decided at run time (an environment variable, an argument no call passes).")
    if result.excluded:
        run.append(f"{plural(len(result.excluded), 'path')} left out by `exclude` (listed under the waivers).")
    unanalysable = sum(1 for finding in result.findings if finding.rule == "MLF000")
    if unanalysable:
        run.append(f"{plural(unanalysable, 'file')} that could not be analysed (MLF000).")
    if unfixed_files:
        run.append(
            f"Autofix diffs of {plural(unfixed_files, 'more file')} (over {MAX_FIXED_FILES} files or {MAX_FIXED_FINDINGS:,} fixable findings):"
            " `mlflow-lint check --unsafe-fixes --diff-fixes` shows them."
        )
    return {"always": list(CANNOT_SEE), "this_run": run}


def _project_root(request: AuditInput, cwd: Path) -> Path:
    first = request.paths[0] if request.paths else cwd
    first = first if first.is_absolute() else cwd / first
    root = find_project_root(first.resolve())
    if root is None:
        return first.resolve() if first.is_dir() else first.resolve().parent
    return root


def _pillar(
    pillar: int,
    assessed: bool,
    rules: list[str],
    findings: list[tuple[Finding, dict[str, Any]]],
    items: list[EvidenceItem],
    located: _Located,
    catalog: Catalog,
    uses_mlflow: bool = True,
) -> dict[str, Any]:
    gaps = [gap for _, gap in findings if counts_as_gap(gap)]
    deviations = [gap for _, gap in findings if not counts_as_gap(gap)]
    by_severity = Counter(gap["severity"] for gap in gaps)
    counts = {s: by_severity.get(s, 0) for s in scoring.SEVERITIES}
    justified = Counter(gap["severity"] for gap in deviations)
    kinds = kinds_of(pillar)
    own_items = [item for item in items if KINDS_BY_KEY[item.kind].pillar == pillar]
    flagged_locations = {(f.path, f.cell, f.line) for f, gap in findings if counts_as_gap(gap)}
    sites = max(len(own_items), len(flagged_locations))
    evidence = {}
    runtime = 0
    for kind in kinds:
        rows = []
        for item in own_items:
            if item.kind != kind.key:
                continue
            hits = located.within(item.path, item.cell, (item.line, item.column), (item.end_line, item.end_column))
            row = _evidence_row(item, pillar, hits, assessed, catalog)
            if _decided_at_run_time(item):
                row["runtime"] = True  # its value is only known when the code runs
                runtime += row["status"] == "ok"
            rows.append(row)
        evidence[kind.key] = rows
    fired = sorted({gap["rule"] for gap in gaps + deviations})
    not_assessed = None
    if not assessed:
        not_assessed = "no rule of this pillar is enabled"
    elif not uses_mlflow:
        assessed, not_assessed = False, "no file uses MLflow"
    elif own_items and runtime == len(own_items) and not gaps and not deviations:
        assessed, not_assessed = False, "every site is decided at run time"
    elif not sites and not deviations and pillar in JUDGED_ONLY_WHERE_USED:
        # "no registry operation found": as its evidence table says when empty.
        assessed, not_assessed = False, " and ".join(kind.empty[0].lower() + kind.empty[1:].rstrip(".") for kind in kinds)
    return {
        "pillar": pillar,
        "name": PILLARS[pillar],
        "principle": principle(pillar),
        "assessed": assessed,
        "not_assessed": not_assessed,
        "scope": _registry_scope(own_items) if assessed and pillar == REGISTRY_PILLAR else None,
        "rules": rules,
        "verdict": scoring.verdict(counts, assessed, justified),
        "score": scoring.pillar_score(counts, sites) if assessed else None,
        "sites": sites,
        "runtime_sites": runtime,
        "penalty": scoring.penalty(counts),
        "by_severity": counts,
        "evidence": evidence,
        "gaps": gaps,
        "deviations": deviations,
        "fix_hints": {rule_id: _fix_hint(catalog[rule_id]) for rule_id in fired if rule_id in catalog.by_id},
    }


REGISTRY_PILLAR = 4


def _registry_scope(items: list[EvidenceItem]) -> str | None:
    """What pillar 4 judged when nothing in the code promotes (no operation MLF402 reads as a
    promotion: those name a gate, or its absence, where others show "-"): the registrations
    and other registry operations it saw, so that "compliant" is not read as gated
    promotions. None when something promotes."""
    operations = [item for item in items if item.kind == "registry_operation"]
    if not operations or any(item.get("gate") != "-" for item in operations):
        return None
    registrations = sum(item.get("target").startswith(NEW_VERSION) for item in operations)
    others = len(operations) - registrations
    seen = [plural(registrations, "registration")] if registrations else []
    if others:
        seen.append(plural(others, "other registry operation"))
    return ", ".join([*seen, "no promotion"])


_RUN_TIME = frozenset({"decided at run time", "computed at run time"})
_RUN_TIME_WHY = tuple(f"{label} (" for label in _RUN_TIME)  # "decided at run time (the host is not known here)"


def _decided_at_run_time(item: EvidenceItem) -> bool:
    """An evidence row whose deciding value is only known when the code runs, maybe saying
    why in parentheses (not one with a known fallback: "decided at run time or local
    server" is judged by its fallback)."""
    return any(value in _RUN_TIME or value.startswith(_RUN_TIME_WHY) for _, value in item.fields)


class _Located:
    """Findings by file (and notebook cell), sorted by position, to find those inside an
    evidence item's span by bisection: filtering every finding of the file per item cost
    items × findings (a 50k-line ``.env``: 50k settings, 50k findings, over ten minutes)."""

    def __init__(self, findings: list[Finding]) -> None:
        grouped: dict[tuple[str, int | None], list[tuple[tuple[int, int], int, Finding]]] = defaultdict(list)
        for order, finding in enumerate(findings):
            grouped[(finding.path, finding.cell)].append(((finding.line, finding.column), order, finding))
        self._starts: dict[tuple[str, int | None], list[tuple[int, int]]] = {}
        self._sorted: dict[tuple[str, int | None], list[tuple[tuple[int, int], int, Finding]]] = {}
        for key, entries in grouped.items():
            entries.sort(key=lambda entry: entry[:2])
            self._sorted[key] = entries
            self._starts[key] = [entry[0] for entry in entries]

    def within(self, path: str, cell: int | None, start: tuple[int, int], end: tuple[int, int]) -> list[Finding]:
        """The findings of ``path`` (``cell``) that start between ``start`` and ``end``
        inclusive, in the order the findings were given."""
        starts = self._starts.get((path, cell))
        if not starts:
            return []
        entries = self._sorted[(path, cell)][bisect_left(starts, start) : bisect_right(starts, end)]
        if len(entries) > 1:
            entries.sort(key=lambda entry: entry[1])
        return [finding for _, _, finding in entries]


def _evidence_row(
    item: EvidenceItem, pillar: int, hits: list[Finding], assessed: bool, catalog: Catalog
) -> dict[str, Any]:
    """A row: its status comes from the pillar's own findings at the site; findings of
    other pillars there are listed as ``other_rules`` (a stage URI loaded is MLF401's)."""
    own = [f for f in hits if f.rule in catalog.by_id and catalog[f.rule].pillar == pillar]
    counted = [f for f in own if f.waiver is None or not f.waiver.reason]  # open, or an unexplained waiver
    severities = [severity_of(f, catalog) for f in counted]
    status = next((s for s in scoring.SEVERITIES if s in severities), None)
    if status is None:
        status = "waived" if own else ("ok" if assessed else "unassessed")
    row: dict[str, Any] = {"path": item.path}
    if item.cell is not None:
        row["cell"] = item.cell
    row |= {
        "line": item.line,
        "status": status,
        "rules": sorted({f.rule for f in own}),
        "other_rules": sorted({f.rule for f in hits} - {f.rule for f in own}),
    }
    reasons = sorted({f.waiver.reason for f in own if f.waiver is not None and f.waiver.reason})
    if reasons:
        row["waived"] = "; ".join(reasons)
    row.update(dict(item.fields))  # the checks' verdicts are in them already (audit.verdicts)
    return row


def _fix_hint(rule: Rule) -> dict[str, str]:
    return {
        "name": rule.name,
        "summary": rule.summary,
        "use_instead": rule.docs.use_instead,
        "language": _language(getattr(rule, "docs_file", "example.py")),
        "docs": rule.docs_uri,
    }


def _language(file_name: str) -> str:
    """The code-fence language of a catalog example (``docker-compose.yml`` -> yaml)."""
    lower = file_name.lower()
    if lower.endswith((".yml", ".yaml")):
        return "yaml"
    if lower.endswith((".sh", ".bash")) or lower in ("makefile", "procfile"):
        return "sh"
    if "dockerfile" in lower:
        return "dockerfile"
    if lower.startswith(".env") or lower.endswith(".env"):
        return "ini"
    return "python"


def _inventory(evidence: list[ModuleEvidence]) -> dict[str, Any]:
    files: dict[str, Counter[str]] = {}
    totals: Counter[str] = Counter()
    models: list[NameUse] = []
    experiments: list[NameUse] = []
    for module in evidence:
        models.extend(module.models)
        experiments.extend(module.experiments)
        if module.api_calls:
            files[module.path] = module.api_calls
            totals.update(module.api_calls)
    return {
        "apis_by_file": [{"path": path, "calls": _counted(calls)} for path, calls in sorted(files.items())],
        "api_totals": _counted(totals),
        "registered_models": _group(models, with_references=True),
        "experiments": _group(experiments, with_references=False),
    }


def _counted(calls: Counter[str]) -> list[dict[str, Any]]:
    return [{"api": name, "count": count} for name, count in sorted(calls.items(), key=lambda kv: (-kv[1], kv[0]))]


def _group(uses: list[NameUse], with_references: bool) -> list[dict[str, Any]]:
    grouped: dict[str, list[NameUse]] = defaultdict(list)
    for use in uses:
        grouped[use.name].append(use)
    out = []
    for name in sorted(grouped):
        entries = grouped[name]
        row: dict[str, Any] = {"name": name}
        if with_references:
            row["aliases"] = sorted({u.alias for u in entries if u.alias})
            row["versions"] = sorted({u.version for u in entries if u.version}, key=lambda v: (len(v), v))
        row["locations"] = sorted({_where(u) for u in entries}, key=_location_key)
        row["apis"] = sorted({u.api for u in entries})
        out.append(row)
    return out


def _where(use: NameUse) -> str:
    return f"{use.path} (cell {use.cell}):{use.line}" if use.cell is not None else f"{use.path}:{use.line}"


def _location_key(location: str) -> tuple[str, int]:
    path, _, line = location.rpartition(":")
    return (path, int(line) if line.isdigit() else 0)
