"""The two SARIF validators the tests use: the JSON schema and Microsoft's SARIF Multitool.

Both are required under CI (``CI=true``): a missing schema or validator fails the test
there instead of skipping it. Locally a missing validator skips, with the way to get it.
"""

from __future__ import annotations

import functools
import json
import os
import subprocess
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from .conftest import ROOT

SCHEMA_PATH = ROOT.parent / "shared" / "schemas" / "sarif-2.1.0.json"
MULTITOOL_PACKAGES = ROOT / ".tools" / "node_modules" / "@microsoft"
MULTITOOL_RULE_KINDS = "Gh;Sarif"
# SARIF2006 (UrisShouldBeReachable) sends an HTTP GET to every URI in the file (schema,
# helpUri, references). Reachability is not a property of the file, it only ever reports
# notes, and tests stay offline: it is turned off. The Multitool then says so itself with
# a configuration warning (WRN999.RuleExplicitlyDisabled), which is expected.
_OFFLINE_CONFIG = """<?xml version="1.0" encoding="utf-8"?>
<Properties>
  <Properties Key="SARIF2006.UrisShouldBeReachable.Options">
    <Property Key="RuleEnabled" Value="Disabled" Type="Driver.RuleEnabledState" />
  </Properties>
</Properties>
"""
_EXPECTED_CONFIGURATION_NOTICE = ("WRN999.RuleExplicitlyDisabled", "SARIF2006")


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"true", "1", "yes"}


def _missing(what: str) -> None:
    if in_ci():
        pytest.fail(f"{what} (required when CI=true)")
    pytest.skip(what)


@functools.lru_cache(maxsize=1)
def _schema_validator() -> Any:
    import jsonschema

    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)
    return validator_class(schema)


def schema_errors(document: Any) -> list[str]:
    """Every violation of the SARIF 2.1.0 JSON schema, as ``path: message`` lines."""
    if not SCHEMA_PATH.is_file():
        _missing(f"SARIF schema not found at {SCHEMA_PATH} (shared/ must sit beside the checkout)")
    errors = sorted(_schema_validator().iter_errors(document), key=lambda error: list(error.absolute_path))
    return [f"{'/'.join(str(part) for part in error.absolute_path)}: {error.message}" for error in errors]


def find_multitool() -> Path | None:
    """The ``Sarif.Multitool`` binary that ``scripts/test.sh`` installs under ``.tools/``.

    The npm package ``@microsoft/sarif-multitool`` is a thin launcher; the self-contained
    .NET binary sits in the platform package beside it
    (``@microsoft/sarif-multitool-linux/Sarif.Multitool``, ``...-win32/Sarif.Multitool.exe``).
    ``SARIF_MULTITOOL`` names another binary.
    """
    override = os.environ.get("SARIF_MULTITOOL")
    if override:
        return Path(override)
    platform = {"linux": "linux", "darwin": "darwin", "win32": "win32"}.get(sys.platform, sys.platform)
    name = "Sarif.Multitool.exe" if platform == "win32" else "Sarif.Multitool"
    candidate = MULTITOOL_PACKAGES / f"sarif-multitool-{platform}" / name
    return candidate if candidate.is_file() else None


@dataclass
class MultitoolReport:
    """What ``Sarif.Multitool validate`` said about a set of files."""

    summary: str  # the tool's own closing lines, e.g. "Done. 12 files scanned."
    errors: list[str] = field(default_factory=list)
    warnings: list[tuple[str, str, str]] = field(default_factory=list)  # (rule, file, where)
    console: str = ""

    def describe(self) -> str:
        return f"{self.summary} errors: {len(self.errors)}, warnings: {len(self.warnings)}"


def run_multitool(files: Iterable[Path], workdir: Path) -> MultitoolReport:
    """Validate ``files`` with the GitHub and SARIF rule sets in one Multitool run."""
    tool = find_multitool()
    if tool is None:
        _missing(f"SARIF Multitool not found under {MULTITOOL_PACKAGES} (MLFLOW_LINT_TEST_SYSTEM_DEPS=1 bash scripts/test.sh installs it with npm)")
    assert tool is not None
    output = workdir / "multitool-validation.sarif"
    env = {
        **os.environ,
        "DOTNET_CLI_TELEMETRY_OPTOUT": "1",
        # Validation needs no culture data; this keeps the binary working without libicu.
        "DOTNET_SYSTEM_GLOBALIZATION_INVARIANT": "1",
    }
    output.unlink(missing_ok=True)
    config = workdir / "multitool-offline.xml"
    config.write_text(_OFFLINE_CONFIG, encoding="utf-8")
    # Files last: list-valued options such as --log would swallow the arguments after them.
    command = [
        str(tool), "validate", "--rule-kind", MULTITOOL_RULE_KINDS,
        "--config", str(config), "--output", str(output), *map(str, files),
    ]  # fmt: skip
    completed = subprocess.run(command, capture_output=True, text=True, env=env, timeout=300, cwd=workdir)
    console = completed.stdout + completed.stderr
    if completed.returncode != 0 or not output.is_file():
        pytest.fail(f"Sarif.Multitool failed (exit {completed.returncode}):\n{console}")
    lines = [line.strip() for line in completed.stdout.splitlines() if line.strip()]
    summary = " ".join(line for line in lines if line.startswith(("Done.", "Analysis completed")))
    report = MultitoolReport(summary=summary, console=console)

    log = json.loads(output.read_text(encoding="utf-8-sig"))
    for run in log["runs"]:
        for invocation in run.get("invocations", []):
            if not invocation.get("executionSuccessful", False):
                report.errors.append("validator run was not successful")
            for notification in invocation.get("toolExecutionNotifications", []) + invocation.get(
                "toolConfigurationNotifications", []
            ):
                descriptor = notification.get("descriptor", {}).get("id", "?")
                text = notification.get("message", {}).get("text", "")
                level = notification.get("level", "warning")
                if descriptor == _EXPECTED_CONFIGURATION_NOTICE[0] and _EXPECTED_CONFIGURATION_NOTICE[1] in text:
                    continue
                if level == "error":
                    report.errors.append(f"tool: {descriptor} {text}")
                elif level == "warning":
                    report.warnings.append((descriptor, "(tool)", text))
        rules = run.get("tool", {}).get("driver", {}).get("rules", [])
        for result in run.get("results", []):
            rule = result.get("ruleId", "?")
            level = result.get("level") or _default_level(rules, result)
            location = result.get("locations", [{}])[0].get("physicalLocation", {})
            validated = Path(location.get("artifactLocation", {}).get("uri", "?")).name
            where = " ".join(result.get("message", {}).get("arguments", [])[:1])
            if level == "error":
                report.errors.append(f"{validated}: {rule} {where} {_console_line(console, rule, validated)}")
            elif level == "warning":
                report.warnings.append((rule, validated, where))
    return report


def _default_level(rules: list[dict[str, Any]], result: dict[str, Any]) -> str:
    """A result without ``level`` takes its rule's default level (SARIF 3.27.10), else warning."""
    index = result.get("ruleIndex", -1)
    descriptor = rules[index] if 0 <= index < len(rules) else next((r for r in rules if r.get("id") == result.get("ruleId")), {})
    return str(descriptor.get("defaultConfiguration", {}).get("level", "warning"))


def _console_line(console: str, rule: str, validated: str) -> str:
    for line in console.splitlines():
        if f" {rule}:" in line and validated in line:
            return line.strip()
    return ""
