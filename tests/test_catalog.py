"""The catalog is well-formed, agrees with the checks, and every example is a test."""

from __future__ import annotations

import re

import pytest

from mlflow_lint.catalog import DOC_SECTIONS, PILLARS, load_catalog
from mlflow_lint.checks import ALL_CHECKS, ENGINE_RULES, Check

from .conftest import lint_source
from .markers import expected_findings

CATALOG = load_catalog()


def test_ids_are_unique_and_well_formed() -> None:
    ids = [rule.id for rule in CATALOG]
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"MLF\d{3}", rule_id) for rule_id in ids)
    names = [rule.name for rule in CATALOG]
    assert len(names) == len(set(names))
    assert all(re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", name) for name in names)


def test_pillar_is_the_hundreds_digit() -> None:
    for rule in CATALOG:
        if rule.id[3] == "9":  # the MLflow-version migration family sits outside the pillars
            assert rule.pillar == 0, rule.id
        elif rule.id not in ENGINE_RULES:
            assert rule.pillar == int(rule.id[3]), rule.id
        assert rule.pillar in PILLARS


@pytest.mark.parametrize("rule", list(CATALOG), ids=lambda r: r.id)
def test_docs_sections_present(rule) -> None:  # type: ignore[no-untyped-def]
    docs = rule.docs
    for section in DOC_SECTIONS:
        assert getattr(docs, section), f"{rule.id}: docs.{section} is empty"
    assert all(ref.url.startswith("https://") for ref in docs.references)
    assert len(rule.summary) <= 100 and not rule.summary.endswith(".")


def test_catalog_and_checks_are_a_bijection() -> None:
    reported_by_checks = [rule_id for check in ALL_CHECKS for rule_id in check.rules]
    assert len(reported_by_checks) == len(set(reported_by_checks)), "two checks claim the same rule"
    assert set(reported_by_checks) | ENGINE_RULES == {rule.id for rule in CATALOG}
    assert not set(reported_by_checks) & ENGINE_RULES


def test_every_check_has_a_hook() -> None:
    """A check's node classes follow from the typed hooks it overrides (checks/base.py): one
    that overrides none, for Python or any other source, would never run."""
    other_sources = ("visit_setting", "visit_command", "visit_copy", "visit_store")
    idle = [
        check.__name__
        for check in ALL_CHECKS
        if not check.node_types and all(getattr(check, hook) is getattr(Check, hook) for hook in other_sources)
    ]
    assert idle == []


def _examples(kind: str) -> list:
    out = []
    for rule in CATALOG:
        for index, example in enumerate(getattr(rule, f"{kind}_examples")):
            out.append(pytest.param(rule, example, id=f"{rule.id}-{kind}-{index}-{example.file}"))
    return out


@pytest.mark.parametrize(("rule", "example"), _examples("invalid"))
def test_invalid_example_is_flagged_on_the_marked_lines(rule, example) -> None:  # type: ignore[no-untyped-def]
    expected = expected_findings(example.code)
    assert any(code == rule.id for _, code in expected), "an invalid example must mark its finding"
    found = {(f.line, f.rule) for f in lint_source(example.code, example.file)}
    assert found == expected


@pytest.mark.parametrize(("rule", "example"), _examples("valid"))
def test_valid_example_is_clean(rule, example) -> None:  # type: ignore[no-untyped-def]
    assert [(f.line, f.rule, f.message) for f in lint_source(example.code, example.file)] == []


@pytest.mark.parametrize("rule", [r for r in CATALOG if r.id not in ENGINE_RULES], ids=lambda r: r.id)
def test_every_check_rule_has_examples(rule) -> None:  # type: ignore[no-untyped-def]
    assert len(rule.valid_examples) >= 2 and len(rule.invalid_examples) >= 2


@pytest.mark.parametrize("rule", list(CATALOG), ids=lambda r: r.id)
def test_docs_example_is_flagged_and_use_instead_is_clean(rule) -> None:  # type: ignore[no-untyped-def]
    if rule.id in ENGINE_RULES:
        pytest.skip("engine rules document a file, not code")
    file = rule.docs_file
    assert rule.id in {f.rule for f in lint_source(rule.docs.example, file)}
    assert [f.rule for f in lint_source(rule.docs.use_instead, file)] == []


def test_security_severity_only_and_always_on_pillar_7() -> None:
    for rule in CATALOG:
        if rule.pillar == 7:
            assert rule.security_severity is not None and 0 <= float(rule.security_severity) <= 10
        else:
            assert rule.security_severity is None
        assert rule.precision in ("very-high", "high", "medium", "low")


def test_every_invalid_example_passes_the_engines_text_prefilter() -> None:
    # The engine parses only files whose bytes mention MLflow; a rule whose finding could
    # appear in a file that does not would be silently hidden by that prefilter.
    from mlflow_lint.sources.prefilter import may_mention_mlflow

    for rule in load_catalog().rules:
        for example in rule.invalid_examples:
            assert may_mention_mlflow(example.code.encode()), f"{rule.id}: {example.code[:60]!r}"
