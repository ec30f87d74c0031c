"""SARIF 2.1.0 report for GitHub code scanning (``--format sarif``).

The log is built from ``sarif-om`` classes and serialized by :func:`to_json`, a small
walker of ours: sarif-om's own serializer (jschema-to-python) drops every value equal to
its schema default (a result's ``"warning"`` level, a rule's ``enabled: true``) and is no
longer maintained. What GitHub reads, and therefore what this module always writes:

- one run; ``results`` always present (empty when clean); ``columnKind`` unicodeCodePoints;
- ``tool.driver`` with every catalog rule, so rule metadata is stable across runs;
- per result: ``ruleId``, ``ruleIndex``, ``level``, message, one location whose ``uri`` is
  relative to the repository root (``uriBaseId`` ``%SRCROOT%``, resolved by
  ``originalUriBaseIds``) and percent-encodes the bytes of the file's name (RFC 3986: a
  name that is not UTF-8 keeps its bytes, ``%FF``), a 1-based region, and a
  line-independent fingerprint under ``partialFingerprints`` (GitHub computes
  ``primaryLocationLineHash`` itself);
- ``invocations[0]`` with ``executionSuccessful`` and one notification per skipped path.

The same findings give the same bytes: no timestamps, GUIDs or machine details, except
the absolute root URI in ``originalUriBaseIds``, which SARIF needs to resolve the paths.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any
from urllib.parse import quote

import attr
import sarif_om as om

from mlflow_lint import __version__
from mlflow_lint.catalog import SECURITY_PILLAR, Catalog, Rule, homepage_uri
from mlflow_lint.findings import Finding, fingerprints, in_shadow
from mlflow_lint.json_text import dumps_indented
from mlflow_lint.paths import file_path
from mlflow_lint.reporters.rules_report import explain

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
SARIF_VERSION = "2.1.0"
TOOL_NAME = "mlflow-lint"
SRCROOT = "%SRCROOT%"
# Versioned, as SARIF 3.27.17 recommends: a change of recipe gets a new key, not new values.
FINGERPRINT_KEY = "mlflowLintFingerprint/v1"

# precision and security-severity (GitHub's scale: 9.0+ critical, 7.0-8.9 high,
# 4.0-6.9 medium, below low) come from the catalog.
_SECURITY_PILLAR = SECURITY_PILLAR


def render_sarif(
    findings: Sequence[Finding],
    catalog: Catalog,
    *,
    source_root: Path,
    cwd: Path,
    skipped: Sequence[tuple[str, str]] = (),
    context: Sequence[Finding] | None = None,
    hidden_in_tests: int = 0,
    shadow: Sequence[str] = (),
) -> str:
    """The SARIF log as JSON text (UTF-8, two-space indent, trailing newline).

    ``findings`` and ``skipped`` carry paths relative to ``cwd`` (or absolute);
    ``source_root`` is the repository root that result URIs are relative to.
    ``context`` holds every finding before baseline and ``--diff`` filtering (a superset
    of ``findings``): fingerprints count identical findings among those, so hiding one
    does not change the fingerprints of the others.
    """
    log = build_log(
        findings, catalog, source_root=source_root, cwd=cwd, skipped=skipped, context=context,
        hidden_in_tests=hidden_in_tests, shadow=shadow,
    )  # fmt: skip
    return dumps_indented(to_json(log), end="\n")


def build_log(
    findings: Sequence[Finding],
    catalog: Catalog,
    *,
    source_root: Path,
    cwd: Path,
    skipped: Sequence[tuple[str, str]] = (),
    context: Sequence[Finding] | None = None,
    hidden_in_tests: int = 0,
    shadow: Sequence[str] = (),
) -> om.SarifLog:
    """The SARIF log as sarif-om objects. A result in test code carries the property
    ``context: test``; one of a rule in shadow mode ``shadow: true`` (the Action never
    fails on it); the invocation counts findings in test code left out."""
    locator = _Locator(source_root, cwd)
    rule_index = {rule.id: index for index, rule in enumerate(catalog)}
    # Fingerprints use the repository-relative path, so they do not depend on where
    # mlflow-lint was started from.
    population = findings if context is None else context
    population_prints = fingerprints([replace(f, path=locator.key(f.path)) for f in population])
    by_finding = {id(finding): fingerprint for finding, fingerprint in zip(population, population_prints, strict=True)}
    prints = [by_finding[id(finding)] for finding in findings]
    results = [
        _result(finding, catalog.get(finding.rule), rule_index.get(finding.rule), locator, fingerprint, shadow)
        for finding, fingerprint in zip(findings, prints, strict=True)
    ]
    run = om.Run(
        tool=om.Tool(driver=_driver(catalog)),
        invocations=[_invocation(skipped, locator, hidden_in_tests)],
        original_uri_base_ids={SRCROOT: om.ArtifactLocation(uri=_directory_uri(source_root))},
        results=results,
        column_kind="unicodeCodePoints",
        # sarif-om fills in SARIF's defaults for these; they say nothing GitHub uses.
        language=None,
        newline_sequences=None,
    )
    return om.SarifLog(version=SARIF_VERSION, schema_uri=SCHEMA_URI, runs=[run])


# ---------------------------------------------------------------------------- tool.driver
def _driver(catalog: Catalog) -> om.ToolComponent:
    return om.ToolComponent(
        name=TOOL_NAME,
        version=__version__,
        semantic_version=semantic_version(__version__),
        information_uri=homepage_uri(),  # [project.urls] Homepage
        rules=[_descriptor(rule) for rule in catalog],
        language=None,
        contents=None,
    )


def _descriptor(rule: Rule) -> om.ReportingDescriptor:
    properties = _property_bag(
        tags=rule_tags(rule),
        precision=rule.precision,
    )
    if rule.security_severity is not None:
        setattr(properties, "security-severity", rule.security_severity)
    return om.ReportingDescriptor(
        id=rule.id,
        name=rule.name,
        short_description=om.MultiformatMessageString(text=_sentence(rule.summary)),
        full_description=om.MultiformatMessageString(text=_sentence(" ".join(rule.docs.what.split()))),
        help=om.MultiformatMessageString(text=help_text(rule), markdown=help_markdown(rule)),
        help_uri=help_uri(rule),
        default_configuration=om.ReportingConfiguration(level=rule.severity, enabled=rule.enabled_by_default),
        properties=properties,
    )


def rule_tags(rule: Rule) -> list[str]:
    """``mlflow``, the pillar's slug, and ``security`` for access-control rules."""
    tags = ["mlflow", _slug(rule.pillar_name)]
    if rule.pillar == _SECURITY_PILLAR:
        tags.append("security")
    return tags


def help_uri(rule: Rule) -> str:
    """The rule's page of the documentation site (``<Documentation>rules/MLF601/``)."""
    return rule.docs_uri


def help_text(rule: Rule) -> str:
    """Plain-text rule help: what / why / example / use instead / references."""
    docs = rule.docs
    parts = [
        f"{rule.id} {rule.name}: {_sentence(rule.summary)}",
        f"What it does:\n{_paragraphs(docs.what)}",
        f"Why is this bad?\n{_paragraphs(docs.why)}",
        f"Example:\n{_indent(docs.example)}",
        f"Use instead:\n{_indent(docs.use_instead)}",
    ]
    if docs.references:
        parts.append("References:\n" + "\n".join(f"- {ref.title}: {ref.url}" for ref in docs.references))
    return "\n\n".join(parts) + "\n"


def help_markdown(rule: Rule) -> str:
    """Markdown rule help: the same text as ``mlflow-lint explain`` and the rule's page (docs/rules/<ID>.md)."""
    return explain(rule)


_SEMVER_CORE = re.compile(r"(\d+)\.(\d+)(?:\.(\d+))?(.*)")


def semantic_version(version: str) -> str:
    """A PEP 440 version spelled as Semantic Versioning 2.0 (``1.2.0rc1`` -> ``1.2.0-rc1``)."""
    match = _SEMVER_CORE.fullmatch(version)
    if match is None:
        return version
    major, minor, patch, rest = match.groups()
    core = f"{major}.{minor}.{patch or 0}"
    local = ""
    if "+" in rest:
        rest, local = rest.split("+", 1)
        local = "+" + re.sub(r"[^0-9A-Za-z.-]", ".", local)
    pre = re.sub(r"[^0-9A-Za-z.-]", "", rest.lstrip(".-_"))
    return core + (f"-{pre}" if pre else "") + local


# ---------------------------------------------------------------------------- results
def _result(
    finding: Finding, rule: Rule | None, index: int | None, locator: _Locator, fingerprint: str, shadow: Sequence[str] = ()
) -> om.Result:
    text = finding.message
    if finding.cell is not None:
        # Lines inside a notebook cell are not lines of the .ipynb file: point at the
        # notebook as a whole and say where in it.
        text = f"{text} (cell {finding.cell}, line {finding.line}, column {finding.column})"
    return om.Result(
        rule_id=finding.rule,
        rule_index=index,
        level=finding.level or (rule.severity if rule is not None else "error"),
        message=om.Message(text=_sentence(text)),
        locations=[om.Location(physical_location=_physical_location(finding, locator))],
        partial_fingerprints={FINGERPRINT_KEY: fingerprint},
        properties=_result_properties(finding, shadow),
        code_flows=_code_flows(finding, locator) if finding.flow else None,
    )


def _code_flows(finding: Finding, locator: _Locator) -> list[om.CodeFlow]:
    """The path from the flagged value to the MLflow call it reaches, as CodeQL's path
    alerts give it: the result's own location, then each step."""
    start = om.ThreadFlowLocation(
        location=om.Location(
            physical_location=_physical_location(finding, locator), message=om.Message(text="the value is written here")
        )
    )
    steps = [
        om.ThreadFlowLocation(
            location=om.Location(
                physical_location=om.PhysicalLocation(
                    artifact_location=locator.artifact(step.path),
                    region=om.Region(start_line=step.line, start_column=step.column),
                ),
                message=om.Message(text=_sentence(step.message)),
            )
        )
        for step in finding.flow
    ]
    return [om.CodeFlow(thread_flows=[om.ThreadFlow(locations=[start, *steps])])]


def _result_properties(finding: Finding, shadow: Sequence[str]) -> om.PropertyBag | None:
    entries: dict[str, Any] = {}
    if finding.context is not None:
        entries["context"] = finding.context
    if in_shadow(finding, shadow):
        entries["shadow"] = True
    if finding.precision is not None:
        entries["precision"] = finding.precision
    return _property_bag(**entries) if entries else None


def _physical_location(finding: Finding, locator: _Locator) -> om.PhysicalLocation:
    region = None
    if finding.cell is None:
        region = om.Region(
            start_line=finding.line,
            start_column=finding.column,
            end_line=finding.end_line,
            end_column=finding.end_column,
        )
    elif finding.file_line is not None:
        # The .ipynb line that holds the cell's line (its columns are inside a JSON string).
        region = om.Region(start_line=finding.file_line)
    return om.PhysicalLocation(artifact_location=locator.artifact(finding.path), region=region)


def _invocation(skipped: Sequence[tuple[str, str]], locator: _Locator, hidden_in_tests: int = 0) -> om.Invocation:
    notifications = [
        om.Notification(
            message=om.Message(text=f"Skipped {path}: {reason}."),
            level="note",
            locations=[om.Location(physical_location=om.PhysicalLocation(artifact_location=locator.artifact(path)))],
        )
        for path, reason in sorted(skipped)
    ]
    invocation = om.Invocation(execution_successful=True, tool_execution_notifications=notifications or None)
    if hidden_in_tests:
        # Not shown, never dropped silently: how many findings in test code were left out.
        invocation.properties = _property_bag(hiddenInTests=hidden_in_tests)
    return invocation


class _Locator:
    """Maps report paths (relative to ``cwd``, or absolute) to SARIF artifact locations.

    Report paths are text for people (a name byte that is not UTF-8 shows as ``\\xff``,
    see ``mlflow_lint.paths``); URIs name the file itself, byte for byte."""

    def __init__(self, source_root: Path, cwd: Path) -> None:
        self.root = source_root.resolve()
        self.cwd = cwd.resolve()

    def relative(self, path: str) -> str | None:
        """The POSIX path below the repository root, or None when the file is outside it."""
        absolute = Path(path) if Path(path).is_absolute() else self.cwd / path
        try:
            return _normalise(absolute).relative_to(self.root).as_posix()
        except ValueError:
            return None

    def key(self, path: str) -> str:
        relative = self.relative(path)
        return relative if relative is not None else path

    def artifact(self, path: str) -> om.ArtifactLocation:
        absolute = _normalise(file_path(path, self.cwd))
        try:
            relative = absolute.relative_to(self.root)
        except ValueError:
            return om.ArtifactLocation(uri=absolute.as_uri())  # percent-encodes the name's bytes too
        return om.ArtifactLocation(uri=quote(os.fsencode(relative.as_posix()), safe="/"), uri_base_id=SRCROOT)


def _normalise(path: Path) -> Path:
    return Path(os.path.normpath(path))


def _directory_uri(directory: Path) -> str:
    uri = directory.resolve().as_uri()
    return uri if uri.endswith("/") else uri + "/"


# ---------------------------------------------------------------------------- serializer
def to_json(value: Any) -> Any:
    """sarif-om objects to JSON-ready data, under SARIF's property names.

    An attribute is written when it holds a value: None means absent, and so does -1
    where it is sarif-om's default (SARIF's "not set" for indices, offsets and ranks).
    Every other value is written as given, also when it equals a schema default, so
    readers never have to know the defaults. Scalars come before objects and arrays so
    that a reader sees ``version`` before ``runs`` and ``ruleId`` before ``locations``.
    Attributes set on an instance beyond its declared fields (property-bag entries such
    as ``security-severity``) follow the declared ones.
    """
    if attr.has(type(value)):
        items: list[tuple[str, Any]] = []
        declared = attr.fields(type(value))
        for field in declared:
            item = getattr(value, field.name)
            if item is None or _is_unset_sentinel(item, field.default):
                continue
            items.append((field.metadata["schema_property_name"], item))
        names = {field.name for field in declared}
        items.extend((name, item) for name, item in vars(value).items() if name not in names and item is not None)
        scalars = [(name, to_json(item)) for name, item in items if not _is_container(item)]
        nested = [(name, to_json(item)) for name, item in items if _is_container(item)]
        return dict(scalars + nested)
    if isinstance(value, dict):
        return {str(key): to_json(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_json(item) for item in value]
    return value


def _is_unset_sentinel(value: Any, default: Any) -> bool:
    return type(value) in (int, float) and value == -1 and type(default) in (int, float) and default == -1


def _is_container(value: Any) -> bool:
    return attr.has(type(value)) or isinstance(value, (dict, list, tuple))


def _property_bag(**entries: Any) -> om.PropertyBag:
    """A property bag; entries other than ``tags`` become extra attributes (see :func:`to_json`)."""
    bag = om.PropertyBag(tags=entries.pop("tags", None))
    for name, item in entries.items():
        setattr(bag, name, item)
    return bag


# ---------------------------------------------------------------------------- text helpers
def _sentence(text: str) -> str:
    """SARIF messages and descriptions are complete sentences (the Multitool's SARIF2001)."""
    text = text.rstrip()
    return text if text.endswith((".", "!", "?")) else text + "."


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _paragraphs(text: str) -> str:
    """Catalog prose with each paragraph on one line (renderers wrap; code spans survive)."""
    return "\n\n".join(" ".join(paragraph.split()) for paragraph in text.strip().split("\n\n"))


def _indent(code: str) -> str:
    return "\n".join(f"    {line}" if line.strip() else "" for line in code.splitlines())
