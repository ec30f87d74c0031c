"""The checks over one analysed module (and the values its calls pass to project
functions), then its suppression comments; a crashing check becomes an MLF000 finding."""

from __future__ import annotations

import ast
from collections.abc import Iterable
from pathlib import Path

from mlflow_lint.analysis.caller_candidates import CallerScope
from mlflow_lint.analysis.module import AnalysedModule
from mlflow_lint.catalog import Catalog, load_catalog
from mlflow_lint.checks import ALL_CHECKS, Check, FileContext
from mlflow_lint.checks.through_calls import report_through_calls
from mlflow_lint.config import Config, RuleOptions
from mlflow_lint.engine.ignores import PerFileIgnores
from mlflow_lint.engine.unanalysed import internal_error
from mlflow_lint.findings import Finding
from mlflow_lint.paths import display_path
from mlflow_lint.positions import LineIndex
from mlflow_lint.project_facts import FactsDeferred
from mlflow_lint.suppressions import UNUSED_SUPPRESSION, Suppressions, apply_suppressions, suppressions_from_python


def run_checks(
    module: AnalysedModule,
    shown: str,
    selected: frozenset[str],
    catalog: Catalog,
    options: RuleOptions,
    display_root: str = "",
    suppressions: Suppressions | None = None,
    *,
    keep_waived: bool = False,
) -> list[Finding]:
    """Every enabled check over the nodes it asked for; a crashing check becomes a finding.

    Then the file's suppression comments apply (by default read from the module's source);
    ``keep_waived`` keeps the findings they waive, marked (``Finding.waiver``).
    """
    rules = {rule_id: catalog[rule_id] for rule_id in selected if rule_id in catalog.by_id}
    ctx = FileContext(
        module=module, display_path=shown, rules=rules, lines=LineIndex(module.source), options=options, display_root=display_root
    )
    internal_errors: list[Finding] = []
    model = module.model
    if module.project is not None:  # a parameter's default asks for its function's callers
        module.project.caller_scope = CallerScope.of(options)
    for check in checks_for(selected):
        try:
            for node_type in check.node_types:  # the node classes of the hooks it overrides
                if node_type is ast.Call and check.call_names is not None:
                    nodes: Iterable[ast.AST] = model.calls_named(check.call_names)
                else:
                    nodes = model.nodes_by_type.get(node_type, ())
                for node in nodes:
                    check.dispatch(node, ctx)
        except FactsDeferred:
            raise
        except Exception as exc:  # noqa: BLE001 - one check's bug must not lose the file
            internal_errors.append(internal_error(shown, f"in the {'/'.join(check.rules)} check", exc))
    try:
        report_through_calls(ctx, checks_for(selected))
    except FactsDeferred:
        raise
    except Exception as exc:  # noqa: BLE001 - a bug in the value flow must not lose the file
        internal_errors.append(internal_error(shown, "while following values through calls", exc))
    # Suppression comments apply after every check ran, so MLF001 can tell which were used.
    found = ctx.findings + internal_errors
    if not found and UNUSED_SUPPRESSION not in selected:
        return []  # nothing to suppress: the file need not be tokenized for its comments
    if suppressions is None:
        suppressions = suppressions_from_python(module.source)
    return apply_suppressions(found, suppressions, selected, catalog, shown, keep_waived=keep_waived)


_CHECK_INSTANCES: dict[type[Check], Check] = {}


def checks_for(selected: frozenset[str]) -> list[Check]:
    checks = []
    for check_class in ALL_CHECKS:
        if selected.intersection(check_class.rules):
            instance = _CHECK_INSTANCES.get(check_class)
            if instance is None:
                instance = _CHECK_INSTANCES[check_class] = check_class()
            checks.append(instance)
    # Checks that may stop the file for the project's facts first, then in the catalog's
    # order (findings are sorted in the end anyway).
    checks.sort(key=lambda check: (not check.reads_project_facts, check.rules))
    return checks


def store_findings(
    stores: list[Path], cwd: Path, selected: frozenset[str], config: Config, ignores: PerFileIgnores
) -> list[Finding]:
    """The findings of the checks about local tracking stores found in the tree (mlruns/
    with runs, mlflow.db): each enabled check that overrides ``visit_store`` (the engine
    names no rule)."""
    checks = [check for check in checks_for(selected) if type(check).visit_store is not Check.visit_store]
    if not checks or not stores:
        return []
    catalog = load_catalog()
    rules = {rule: catalog[rule] for check in checks for rule in check.rules if rule in selected}
    findings: list[Finding] = []
    for store in stores:
        shown = display_path(store, cwd)
        ctx = FileContext(module=None, display_path=shown, rules=rules, lines=LineIndex(""), options=config.rule_options())
        for check in checks:
            check.visit_store(ctx)
        codes = ignores.codes_for(store)
        findings.extend(f for f in ctx.findings if not any(f.rule.startswith(code) for code in codes))
    return findings
