"""Build the audit document: findings from the engine, evidence from the analysis layer.

The document is plain JSON data (``--format json`` writes it as is); the Markdown and
HTML renderers read only this document, so every format says the same thing, and a saved
JSON report can be compared with a later one (``--compare``).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Sequence


from mlflow_lint import __version__
from mlflow_lint.analysis.module import AnalysedModule
from mlflow_lint.audit import scoring
from mlflow_lint.audit.deployment import collect_facts
from mlflow_lint.audit.evidence import EvidenceItem, ModuleEvidence, NameUse, collect
from mlflow_lint.audit.header import format_date, git_commit, project_name
from mlflow_lint.audit.pillars import KINDS_BY_KEY, kinds_of, pillar_ids, principle
from mlflow_lint.baseline import Baseline
from mlflow_lint.catalog import PILLARS, Catalog, Rule
from mlflow_lint.config import Config, RuleOptions
from mlflow_lint.discovery import discover, git_root, gitignore_spec
from mlflow_lint.engine import LintResult, display_path, lint_paths, project_for
from mlflow_lint.findings import Finding, fingerprints, severity_of
from mlflow_lint.project import ProjectIndex, find_project_root
from mlflow_lint.sources import (
    TEXT_SOURCES,
    is_lintable,
    is_python_script,
    read_text_source,
    source_kind,
)
from mlflow_lint.sources.notebook import (
    CorruptNotebook,
    VirtualSource,
    is_databricks_source,
    parse_cells,
    read_databricks,
    read_ipynb,
    virtual_source,
)
from mlflow_lint.sources.prefilter import may_mention_mlflow
from mlflow_lint.sources.python import UnanalysableSource, decode_python
from mlflow_lint.sources.facts import UnparsableText

FORMAT = "mlflow-lint-audit"
FORMAT_VERSION = 1
RULE_DOCS_URI = "https://github.com/mlflow-lint/mlflow-lint/blob/main/docs/rules.md"
_MAX_FILE_BYTES = 2_000_000


@dataclass
class AuditInput:
    """What the audit was asked to look at, and how."""

    paths: Sequence[Path]
    config: Config
    selected: frozenset[str]
    catalog: Catalog
    date: datetime
    cwd: Path
    jobs: int | None = None
    paths_shown: list[str] = field(default_factory=list)


def build_audit(
    request: AuditInput, previous: dict[str, Any] | None = None, baseline: tuple[Path, Baseline] | None = None
) -> dict[str, Any]:
    """Lint, gather evidence, score, and compare with a previous report (``previous``) or a
    ``--write-baseline`` file (``baseline``: its path and contents): the whole document."""
    cwd = request.cwd.resolve()
    result = lint_paths(list(request.paths), request.config, request.selected, jobs=request.jobs, cwd=cwd)
    evidence, evidence_files = gather_evidence(request, cwd)
    document = assemble(request, result, evidence, evidence_files, cwd)
    if previous is not None:
        from mlflow_lint.audit.compare import compare

        document["comparison"] = compare(document, previous)
    if baseline is not None:
        document["baseline"] = against_baseline(result.findings, baseline[1], display_path(baseline[0], cwd), cwd)
    return document


def against_baseline(findings: list[Finding], baseline: Baseline, shown: str, cwd: Path) -> dict[str, Any]:
    """Which gaps the baseline accepted, which are new, and how many accepted ones are gone."""
    new, accepted = baseline.split(findings, cwd)
    prints = dict(zip(map(id, findings), fingerprints(findings), strict=True))
    return {
        "file": shown,
        "accepted": len(accepted),
        "fixed": max(0, sum(baseline.counts.values()) - len(accepted)),
        "new_gaps": [
            {"rule": f.rule, "path": f.path, "line": f.line, "message": f.message, "fingerprint": prints[id(f)]}
            for f in new
        ],
    }


# -- evidence ---------------------------------------------------------------------------------
def gather_evidence(request: AuditInput, cwd: Path) -> tuple[list[ModuleEvidence], int]:
    """Evidence of every file the lint saw (same discovery, same exclusions): Python
    modules and notebooks through the analysis layer, deployment files through their
    settings and command lines. Unreadable or unparsable files give none (the lint
    reports them as MLF000)."""
    config = request.config
    exclude = gitignore_spec(config.exclude) if config.exclude else None
    found = discover(list(request.paths), is_lintable, exclude, config.root.resolve(), is_python_script)
    options = config.rule_options()
    gathered: list[ModuleEvidence] = []
    for path in found.files:
        kind = source_kind(path) or ("python" if is_python_script(path) else None)
        try:
            if kind is None or path.stat().st_size > _MAX_FILE_BYTES:
                continue
            data = path.read_bytes()
        except OSError:
            continue
        if not may_mention_mlflow(data):  # the lint's prefilter: escapes and encodings too
            continue
        shown = display_path(path, cwd)
        evidence = _evidence_of(path, kind, data, shown, options)
        if evidence is not None:
            gathered.append(evidence)
    return gathered, len(gathered)


def _evidence_of(path: Path, kind: str, data: bytes, shown: str, options: RuleOptions) -> ModuleEvidence | None:
    if kind in TEXT_SOURCES:
        try:
            facts = read_text_source(kind, data.decode("utf-8-sig"), shown)
        except (UnicodeDecodeError, UnparsableText):
            return None
        return collect_facts(facts, shown)
    index = project_for(path)
    if kind == "notebook":
        try:
            virtual = virtual_source(read_ipynb(data))
        except CorruptNotebook:
            return None
        return _virtual_evidence(path, virtual, shown, index, options)
    try:
        source = decode_python(data)
    except UnanalysableSource:
        return None
    if is_databricks_source(source):
        return _virtual_evidence(path, virtual_source(read_databricks(source), file_lines=True), shown, index, options)
    module = index.module_at(path)
    return collect(module, shown, options) if module is not None else None


def _virtual_evidence(
    path: Path, virtual: VirtualSource, shown: str, index: ProjectIndex, options: RuleOptions
) -> ModuleEvidence | None:
    """A notebook as one module; cells that do not parse are left out, as the lint does
    (the same :func:`parse_cells`, not a parse of the whole notebook per bad cell)."""
    parsed = parse_cells(virtual, shown)
    if parsed.tree is None:
        return None
    return collect(AnalysedModule(path.resolve(), parsed.virtual.text, parsed.tree, index), shown, options, parsed.virtual)


# -- the document -----------------------------------------------------------------------------
def assemble(
    request: AuditInput, result: LintResult, evidence: list[ModuleEvidence], evidence_files: int, cwd: Path
) -> dict[str, Any]:
    catalog = request.catalog
    findings = result.findings
    prints = fingerprints(findings)
    by_pillar: dict[int, list[tuple[Finding, str]]] = defaultdict(list)
    problems = []
    migration = []  # MLF9xx: what breaks or warns on the target MLflow release, not a pillar
    for finding, fingerprint in zip(findings, prints, strict=True):
        rule = catalog.get(finding.rule)
        pillar = rule.pillar if rule is not None else 0
        if pillar in PILLARS and pillar > 0:
            by_pillar[pillar].append((finding, fingerprint))
        elif finding.rule.startswith("MLF9"):
            migration.append(_gap(finding, fingerprint, catalog))
        else:
            problems.append(_gap(finding, fingerprint, catalog))

    items = sorted(
        (item for module in evidence for item in module.items), key=lambda i: (i.path, i.line, i.column, i.kind)
    )
    enabled_by_pillar: dict[int, list[str]] = defaultdict(list)
    for rule in catalog:
        if rule.id in request.selected:
            enabled_by_pillar[rule.pillar].append(rule.id)

    located = _Located(findings)
    pillars = []
    for pillar in pillar_ids():
        assessed = bool(enabled_by_pillar.get(pillar))
        pillar_findings = by_pillar.get(pillar, [])
        pillars.append(
            _pillar(pillar, assessed, enabled_by_pillar.get(pillar, []), pillar_findings, items, located, catalog)
        )

    score, verdict = scoring.overall([(p["verdict"], p["score"]) for p in pillars])
    severities = Counter(severity_of(f, catalog) for f in findings)
    root = _project_root(request, cwd)
    commit, branch = git_commit(root)
    repository = git_root(root)
    options = request.config.rule_options()
    config_path = request.config.path
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
            "findings": len(findings),
            "by_severity": {s: severities.get(s, 0) for s in scoring.SEVERITIES},
            "pillars_by_verdict": {v: sum(1 for p in pillars if p["verdict"] == v) for v in scoring.VERDICTS},
        },
        "scoring": {
            "weights": dict(scoring.SEVERITY_WEIGHTS),
            "site_weight": scoring.SITE_WEIGHT,
            "formula": scoring.FORMULA,
        },
        "pillars": pillars,
        "inventory": _inventory(evidence),
        "analysis_findings": problems,
        "migration_findings": migration,
        "skipped": [{"path": path, "reason": reason} for path, reason in result.skipped],
        "comparison": None,
        "baseline": None,
    }


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
    findings: list[tuple[Finding, str]],
    items: list[EvidenceItem],
    located: _Located,
    catalog: Catalog,
) -> dict[str, Any]:
    by_severity = Counter(severity_of(f, catalog) for f, _ in findings)
    counts = {s: by_severity.get(s, 0) for s in scoring.SEVERITIES}
    kinds = kinds_of(pillar)
    own_items = [item for item in items if KINDS_BY_KEY[item.kind].pillar == pillar]
    flagged_locations = {(f.path, f.cell, f.line) for f, _ in findings}
    sites = max(len(own_items), len(flagged_locations))
    evidence = {}
    for kind in kinds:
        rows = []
        for item in own_items:
            if item.kind != kind.key:
                continue
            hits = located.within(item.path, item.cell, (item.line, item.column), (item.end_line, item.end_column))
            rows.append(_evidence_row(item, pillar, hits, assessed, catalog))
        evidence[kind.key] = rows
    gaps = [_gap(f, fingerprint, catalog) for f, fingerprint in findings]
    fired = sorted({f.rule for f, _ in findings})
    return {
        "pillar": pillar,
        "name": PILLARS[pillar],
        "principle": principle(pillar),
        "assessed": assessed,
        "rules": rules,
        "verdict": scoring.verdict(counts, assessed),
        "score": scoring.pillar_score(counts, sites) if assessed else None,
        "sites": sites,
        "penalty": scoring.penalty(counts),
        "by_severity": counts,
        "evidence": evidence,
        "gaps": gaps,
        "fix_hints": {rule_id: _fix_hint(catalog[rule_id]) for rule_id in fired if rule_id in catalog.by_id},
    }


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
    severities = [severity_of(f, catalog) for f in own]
    status = next((s for s in scoring.SEVERITIES if s in severities), "ok" if assessed else "unassessed")
    row: dict[str, Any] = {"path": item.path}
    if item.cell is not None:
        row["cell"] = item.cell
    row |= {
        "line": item.line,
        "status": status,
        "rules": sorted({f.rule for f in own}),
        "other_rules": sorted({f.rule for f in hits} - {f.rule for f in own}),
    }
    row.update(dict(item.fields))
    return row


def _gap(finding: Finding, fingerprint: str, catalog: Catalog) -> dict[str, Any]:
    rule = catalog.get(finding.rule)
    data: dict[str, Any] = {
        "rule": finding.rule,
        "name": rule.name if rule else "",
        "severity": severity_of(finding, catalog),
        "path": finding.path,
        "line": finding.line,
        "column": finding.column,
        "message": finding.message,
        "fingerprint": fingerprint,
    }
    if finding.cell is not None:
        data["cell"] = finding.cell
    return data


def _fix_hint(rule: Rule) -> dict[str, str]:
    return {
        "name": rule.name,
        "summary": rule.summary,
        "use_instead": rule.docs.use_instead,
        "language": _language(getattr(rule, "docs_file", "example.py")),
        "docs": f"{RULE_DOCS_URI}#{rule.id.lower()}-{rule.name}",
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
