"""Baselines: adopt mlflow-lint on a code base that already has findings.

``--write-baseline FILE`` records the current findings; ``--baseline FILE`` then reports
only the findings that are not in it. An entry is keyed by rule, path and a hash of the
flagged code with its layout removed (``findings.normalise_source``, the material of SARIF
fingerprints), never by line, and carries a count. A hash, not the code: the flagged code
is often the secret itself (a token, a password in a URI), and the baseline is committed.

- moving code, inserting lines above it or reformatting it keeps it baselined;
- a second identical violation in the same file is new (the count says how many were
  accepted; the ones furthest down the file are the new ones);
- editing the flagged code, or moving it to another file, makes it new;
- rewriting the baseline drops the findings that were fixed.

The flagged code is masked before it is hashed (``analysis.secrets``: a secret becomes its
kind and length), so a dictionary run over the hashes recovers nothing. Files written
before that (versions 1 and 2) hashed the code as written; their entries still count:
one that matches no finding exactly accepts a finding of the same rule in the same file
(up to its count), and the CLI says to rewrite the file.

The file is JSON made for review: sorted entries, one per line, paths relative to the
baseline file (so it works from any working directory), and no line numbers or tool
version, so it changes only when findings do.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from mlflow_lint.findings import Finding
from mlflow_lint.safe_io import write_atomically

BASELINE_VERSION = 3  # 1 recorded the flagged code verbatim, 2 its unmasked hash; both still read
_READABLE_VERSIONS = (1, 2, 3)
_TOOL = "mlflow-lint"

Key = tuple[str, str, str, str]  # rule, path, "code" (a hash of the flagged code) or "message", its text


def code_digest(snippet: str) -> str:
    """What a baseline records of the flagged code: enough to tell findings apart, nothing
    a reader could recover a secret from (the snippet is masked when the finding is made)."""
    return hashlib.sha256(snippet.encode("utf-8", "surrogatepass")).hexdigest()[:32]


class BaselineError(Exception):
    """The baseline file is missing, unreadable, corrupt or of another version (exit 2)."""


@dataclass(frozen=True)
class Baseline:
    """Accepted findings: how many of each (rule, path, flagged code) there were."""

    counts: Counter[Key]
    directory: Path  # paths in entries are relative to it
    version: int = BASELINE_VERSION

    @property
    def outdated(self) -> bool:
        """Written before snippets were masked: its code hashes may not match any more."""
        return self.version < BASELINE_VERSION

    def split(self, findings: Sequence[Finding], cwd: Path) -> tuple[list[Finding], list[Finding]]:
        """(new, baselined): each entry accepts up to its count of matching findings, the
        first ones in file order; the rest are new. Both lists keep the input order."""
        budget = Counter(self.counts)
        baselined: set[int] = set()
        order = sorted(range(len(findings)), key=lambda i: _file_order(findings[i]))
        keys = {index: finding_key(findings[index], self.directory, cwd) for index in order}
        for index in order:
            if budget[keys[index]] > 0:
                budget[keys[index]] -= 1
                baselined.add(index)
        if self.outdated:
            # An entry hashed before masking (a secret's code, say) matches by rule and path.
            loose = Counter({(key[0], key[1]): 0 for key in budget})
            for key, left in budget.items():
                loose[(key[0], key[1])] += left
            for index in order:
                rule_and_path = keys[index][:2]
                if index not in baselined and loose[rule_and_path] > 0:
                    loose[rule_and_path] -= 1
                    baselined.add(index)
        new = [f for i, f in enumerate(findings) if i not in baselined]
        return new, [f for i, f in enumerate(findings) if i in baselined]


def finding_key(finding: Finding, directory: Path, cwd: Path) -> Key:
    """A finding's baseline key; its path is made relative to the baseline's directory."""
    absolute = os.path.normpath(os.path.join(cwd, finding.path))
    path = Path(os.path.relpath(absolute, directory)).as_posix()
    if finding.snippet is not None:
        return (finding.rule, path, "code", code_digest(finding.snippet))
    return (finding.rule, path, "message", finding.message)  # nothing flagged in the code (MLF000)


def _file_order(finding: Finding) -> tuple[str, int, int, int, str]:
    return (finding.path, -1 if finding.cell is None else finding.cell, finding.line, finding.column, finding.rule)


def render_baseline(findings: Iterable[Finding], baseline_path: Path, cwd: Path) -> str:
    """The baseline file's text for these findings."""
    directory = baseline_path.resolve().parent
    counts = Counter(finding_key(finding, directory, cwd) for finding in findings)
    lines = []
    for (rule, path, kind, text), count in sorted(counts.items(), key=lambda item: (item[0][1], item[0][0], item[0][3])):
        entry = {"path": path, "rule": rule, "count": count, kind: text}
        lines.append("    " + json.dumps(entry, ensure_ascii=False))
    body = ",\n".join(lines)
    entries = f"[\n{body}\n  ]" if lines else "[]"
    return f'{{\n  "tool": "{_TOOL}",\n  "version": {BASELINE_VERSION},\n  "findings": {entries}\n}}\n'


def write_baseline(findings: Iterable[Finding], baseline_path: Path, cwd: Path) -> None:
    text = render_baseline(findings, baseline_path, cwd)
    try:
        baseline_path.parent.mkdir(parents=True, exist_ok=True)
        # All or nothing, never through a link: a full disk must not destroy the old file.
        write_atomically(baseline_path, text)
    except OSError as exc:
        raise BaselineError(f"cannot write baseline file {baseline_path}: {exc.strerror or exc}") from None


def load_baseline(baseline_path: Path) -> Baseline:
    """Read and validate a baseline file; every problem names the file."""
    where = str(baseline_path)
    rewrite = "; write a new one with --write-baseline"
    try:
        text = baseline_path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise BaselineError(f"baseline file {where} not found (create it with --write-baseline {where})") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise BaselineError(f"cannot read baseline file {where}: {getattr(exc, 'strerror', None) or exc}") from None
    try:
        document = json.loads(text)
    except ValueError as exc:
        raise BaselineError(f"baseline file {where} is not valid JSON ({exc}){rewrite}") from None
    except RecursionError:
        raise BaselineError(f"baseline file {where} is not a baseline (JSON nested too deep){rewrite}") from None
    if not isinstance(document, dict) or document.get("tool") != _TOOL or "findings" not in document:
        raise BaselineError(f"{where} is not an mlflow-lint baseline file{rewrite}")
    version = document.get("version")
    if version not in _READABLE_VERSIONS:
        raise BaselineError(
            f"baseline file {where} has version {version!r}; this mlflow-lint reads versions 1 to 3{rewrite}"
        )
    entries = document["findings"]
    if not isinstance(entries, list):
        raise BaselineError(f"baseline file {where}: 'findings' must be a list{rewrite}")
    counts: Counter[Key] = Counter()
    for number, entry in enumerate(entries, start=1):
        counts[_entry_key(entry, f"baseline file {where}: entry {number}", rewrite)] += entry["count"]
    return Baseline(counts=counts, directory=baseline_path.resolve().parent, version=version)


def _entry_key(entry: object, where: str, rewrite: str) -> Key:
    if not isinstance(entry, dict):
        raise BaselineError(f"{where} must be an object{rewrite}")
    kinds = [kind for kind in ("code", "snippet", "message") if kind in entry]
    fields_ok = (
        isinstance(entry.get("rule"), str)
        and isinstance(entry.get("path"), str)
        and len(kinds) == 1
        and isinstance(entry[kinds[0]], str)
        and type(entry.get("count")) is int
        and entry["count"] >= 1
    )
    if not fields_ok:
        raise BaselineError(
            f"{where} needs 'rule', 'path', a positive integer 'count' and a 'code' or 'message' string{rewrite}"
        )
    if kinds[0] == "snippet":  # version 1: the code itself
        return (entry["rule"], entry["path"], "code", code_digest(entry["snippet"]))
    return (entry["rule"], entry["path"], kinds[0], entry[kinds[0]])
