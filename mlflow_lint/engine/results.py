"""What a lint run returns."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from mlflow_lint.config import Config
from mlflow_lint.findings import Finding

if TYPE_CHECKING:
    from mlflow_lint.audit.evidence import ModuleEvidence


@dataclass
class LintResult:
    findings: list[Finding]
    files_checked: int  # files discovered and read
    files_analysed: int  # files that passed the prefilter and were parsed (this run or cached)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (path, reason)
    unsupported: list[str] = field(default_factory=list)  # named explicitly, but not a type we read
    cache_note: str | None = None  # why the result cache was not used, when it was asked for
    cache_detail: str | None = None  # for --verbose: an existing cache file that was not trusted
    # Findings in test code that the rules' context policy does not report by default and
    # the report leaves out (--include-tests shows them): counted, never dropped silently.
    in_tests: list[Finding] = field(default_factory=list)
    # Findings a waiver hides: a noqa comment (always kept), and with ``waivers=True``
    # the findings of rules that per-file-ignores turns off for a file. Each carries its
    # ``Finding.waiver``; the audit shows them as deviations, nothing else reports them.
    waived: list[Finding] = field(default_factory=list)
    excluded: list[str] = field(default_factory=list)  # paths an exclude setting left out
    cached: int = 0  # files whose results came from the cache
    configurations: list[Config] = field(default_factory=list)  # the configurations the files used
    # With ``lint_paths(..., evidence=True)`` (the audit): the evidence of every analysed
    # file, gathered from the analysis its findings came from; in file order.
    evidence: list[ModuleEvidence] = field(default_factory=list)

    @property
    def hidden_in_tests(self) -> int:
        """How many findings in test code the report leaves out (--include-tests shows them)."""
        return len(self.in_tests)


Progress = Callable[[int, int], None]  # (files done, files in all)
