"""The audit's "Waivers and deviations": everything that keeps a finding out of ``check``.

A waiver is evidence, not silence: each ``# noqa`` (with its reason), per-file-ignores
entry, baseline, shadow-mode rule, disabled rule, configured exclusion and the test-code
policy is listed with what it hides, so that a clean pillar can be told from a waived one.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from mlflow_lint.audit.register import JUSTIFIED
from mlflow_lint.catalog import Catalog
from mlflow_lint.config import Config
from mlflow_lint.findings import Finding


def waivers_section(
    waived_gaps: Sequence[dict[str, Any]],
    in_tests: Sequence[Finding],
    configurations: Sequence[Config],
    selected: frozenset[str],
    catalog: Catalog,
    excluded: Sequence[str],
    shown_path: Callable[[Path], str],
) -> dict[str, Any]:
    """The section as JSON data. ``waived_gaps`` are the register entries of the waived
    findings; ``shown_path`` displays a configuration file's path."""
    # One entry per waiver: a comment (its file and line) or a per-file-ignores entry.
    by_waiver: dict[tuple[str, str, int, str], list[dict[str, Any]]] = defaultdict(list)
    for gap in waived_gaps:
        waiver = gap["waiver"]
        comment = waiver["kind"] == "noqa"
        key = (waiver["kind"], gap["path"] if comment else "", waiver.get("line", gap["line"]) if comment else 0, waiver["source"])
        by_waiver[key].append(gap)
    entries = []
    for (kind, path, line, source), gaps in sorted(by_waiver.items(), key=lambda item: (item[0][0], _sort_key(item[1][0]))):
        first = gaps[0]
        entries.append(
            {
                "kind": kind,
                "where": f"{path}:{line}" if kind == "noqa" else source,
                "comment": source if kind == "noqa" else None,
                "reason": first["waiver"]["reason"],
                "justified": first["status"] == JUSTIFIED,
                "rules": sorted({gap["rule"] for gap in gaps}),
                "ids": [gap["id"] for gap in gaps],
                "paths": sorted({gap["path"] for gap in gaps}),
            }
        )
    shadow = sorted({code for config in configurations for code in config.shadow})
    exclude = [
        {"pattern": pattern, "configuration": shown_path(config.path) if config.path else None}
        for config in configurations
        for pattern in config.exclude
    ]
    per_file_entries = [
        {"pattern": pattern, "codes": list(codes), "configuration": shown_path(config.path) if config.path else None, "reason": dict(config.per_file_reasons).get(pattern)}
        for config in configurations
        for pattern, codes in config.per_file_ignores
    ]
    test_rules = Counter(finding.rule for finding in in_tests)
    disabled = [
        {"rule": rule.id, "name": rule.name, "pillar": rule.pillar}
        for rule in catalog
        if rule.id not in selected and rule.enabled_by_default and rule.pillar > 0
    ]
    return {
        "entries": entries,
        "justified": sum(len(entry["ids"]) for entry in entries if entry["justified"]),
        "unexplained": sum(len(entry["ids"]) for entry in entries if not entry["justified"]),
        "per_file_ignores": per_file_entries,
        "shadow_rules": shadow,
        "disabled_rules": disabled,
        "exclude": exclude,
        "excluded_paths": list(excluded),
        "test_code": {
            "findings": len(in_tests),
            "files": len({finding.path for finding in in_tests}),
            "by_rule": dict(sorted(test_rules.items())),
        },
    }


def _sort_key(gap: dict[str, Any]) -> tuple[str, int, int]:
    return (gap["path"], gap.get("cell", -1), gap["line"])
