"""The change ``check --fix`` / ``--unsafe-fixes`` would make at each gap, for the register.

The fixes run as ``--diff-fixes`` runs them (nothing is written) on the Python files that
have a gap some fix handles; each changed block of a file is given to the gaps whose line
it replaces. Notebooks are left out (their fixes rewrite cells inside the JSON, and a
diff of that is no help in a table). libcst is imported only when there is such a gap.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from mlflow_lint.analysis.secrets import mask_secrets
from mlflow_lint.audit.register import Autofix
from mlflow_lint.catalog import SECURITY_PILLAR, Catalog
from mlflow_lint.config import Config, ConfigResolver
from mlflow_lint.findings import Finding, fix_safety

if TYPE_CHECKING:
    from mlflow_lint.fixes.apply import FileFixes

MAX_DIFF_LINES = 12  # per gap: a larger rewrite is shown by --diff-fixes
# Fixing re-lints a file once per pass: past this many files the register names the
# command instead of running every fix (a 25k-finding project must not take minutes).
MAX_FIXED_FILES = 20
# And past this many fixable findings in the files fixed: a generated module of thousands
# of them costs libcst seconds per fix pass, for a diff nobody reads in a table.
MAX_FIXED_FINDINGS = 1_000


def site_fixes(
    findings: Sequence[Finding],
    catalog: Catalog,
    config: Config | ConfigResolver,
    selected: frozenset[str] | Callable[[Config], frozenset[str]],
    cwd: Path,
    jobs: int | None = None,
) -> tuple[dict[int, Autofix], int]:
    """``id(finding)`` -> the autofix at its place, for the open findings a fix changes;
    and how many files with such findings were left out (``_left_out``).
    ``jobs``: worker processes for the fixes, as for the lint."""
    fixable = [
        finding
        for finding in findings
        if finding.waiver is None and finding.cell is None and _safety(finding, catalog) is not None
    ]
    if not fixable:
        return {}, 0
    by_path: dict[str, list[Finding]] = {}
    for finding in fixable:
        by_path.setdefault(finding.path, []).append(finding)
    left_out = _left_out(by_path)
    for path in left_out:
        del by_path[path]
    if not by_path:
        return {}, len(left_out)
    placed: dict[int, Autofix] = {}
    for result in _fix_files(by_path, config, selected, cwd, jobs):
        if not result.changed or result.shown not in by_path:
            continue
        # A secret fix removes the secret: the old lines are shown with every literal masked.
        secret = any(catalog[f.rule].pillar == SECURITY_PILLAR for f in by_path[result.shown] if f.rule in catalog.by_id)
        blocks = _changed_blocks(result.original, result.fixed, secret)
        for finding in by_path[result.shown]:
            block = next((lines for first, last, lines in blocks if first <= finding.line <= last), None)
            safety = _safety(finding, catalog)
            if block is not None and safety is not None:
                placed[id(finding)] = Autofix(safety, block)
    return placed, len(left_out)


def _left_out(by_path: dict[str, list[Finding]]) -> list[str]:
    """The files whose fixes the register does not run: in the order of their names, each
    file is fixed while it keeps the run within :data:`MAX_FIXED_FILES` files and
    :data:`MAX_FIXED_FINDINGS` fixable findings; the others are left out."""
    kept = findings = 0
    left_out = []
    for path in sorted(by_path):
        count = len(by_path[path])
        if kept < MAX_FIXED_FILES and findings + count <= MAX_FIXED_FINDINGS:
            kept, findings = kept + 1, findings + count
        else:
            left_out.append(path)
    return left_out


def _fix_files(
    by_path: dict[str, list[Finding]],
    config: Config | ConfigResolver,
    selected: frozenset[str] | Callable[[Config], frozenset[str]],
    cwd: Path,
    jobs: int | None,
) -> list[FileFixes]:
    """What ``fix_paths`` gives for each file (``--unsafe-fixes``: the register shows every
    fix, marked safe or unsafe), spread over worker processes as the lint is."""
    from mlflow_lint.fixes.apply import fix_paths

    findings = [finding for found in by_path.values() for finding in found]
    return fix_paths(findings, config, selected, unsafe=True, cwd=cwd, jobs=jobs)


def _safety(finding: Finding, catalog: Catalog) -> str | None:
    if finding.fix == "safe":
        return finding.fix
    rule = catalog.get(finding.rule)
    safety = fix_safety(finding, rule.fix_safety) if rule is not None else "none"
    return safety if safety != "none" else None


# Past this many lines (old and new together) between the first and the last change,
# difflib's matcher can take minutes (it compares every pair of equal lines, and generated
# or repetitive code repeats lines by the thousand): a file that large is aligned line by
# line instead (see ``_replaced``).
_MATCHED_LINES = 4_000


def _replaced(old: list[str], new: list[str]) -> list[tuple[int, int, int, int]]:
    """The (old start, old end, new start, new end) ranges the fix replaced. Up to
    ``_MATCHED_LINES`` lines of difference, difflib's matcher decides. Beyond, the lines
    the fix added or removed are taken to sit where the difference starts (an import at
    the top), and the rest is paired line by line, as fixes rewrite code in place: linear,
    and at worst a block larger than needed, never a change left out."""
    prefix = 0
    for a, b in zip(old, new, strict=False):
        if a != b:
            break
        prefix += 1
    suffix = 0
    for a, b in zip(reversed(old[prefix:]), reversed(new[prefix:]), strict=False):
        if a != b:
            break
        suffix += 1
    old_end, new_end = len(old) - suffix, len(new) - suffix
    if (old_end - prefix) + (new_end - prefix) <= _MATCHED_LINES:
        # Only the window between the equal head and tail is matched: over whole files the
        # matcher compares every pair of equal lines (blank ones by the hundred) outside it.
        matcher = difflib.SequenceMatcher(None, old[prefix:old_end], new[prefix:new_end], autojunk=False)
        return [(prefix + i1, prefix + i2, prefix + j1, prefix + j2) for tag, i1, i2, j1, j2 in matcher.get_opcodes() if tag != "equal"]
    shift = (new_end - prefix) - (old_end - prefix)
    found: list[tuple[int, int, int, int]] = []
    i, j = prefix, prefix
    if shift:  # lines added (or removed) where the difference starts
        found.append((i, i + max(0, -shift), j, j + max(0, shift)))
        i, j = i + max(0, -shift), j + max(0, shift)
    start: int | None = None
    while i < old_end:
        if old[i] != new[j]:
            start = i if start is None else start
        elif start is not None:
            found.append((start, i, start + (j - i), j))
            start = None
        i, j = i + 1, j + 1
    if start is not None:
        found.append((start, old_end, start + (j - i), new_end))
    merged: list[tuple[int, int, int, int]] = []
    for block in found:  # the added lines and a change on the next line are one block
        if merged and merged[-1][1] == block[0] and merged[-1][3] == block[2]:
            merged[-1] = (merged[-1][0], block[1], merged[-1][2], block[3])
        else:
            merged.append(block)
    return merged


_LITERAL = re.compile(r"[rbfuRBFU]{0,2}(?:'(?:[^'\\\n]|\\.)*'|\"(?:[^\"\\\n]|\\.)*\")")


def _without_removed_literals(line: str, kept: str) -> str:
    """An old line of a secret fix with every string literal the fix removed masked (the
    secret), and those it kept (the variable's name) shown."""
    return _LITERAL.sub(lambda match: match.group() if match.group() in kept else f'"<secret:{len(match.group()) - 2}>"', line)


def _changed_blocks(before: bytes, after: bytes, secret: bool) -> list[tuple[int, int, tuple[str, ...]]]:
    """(first line, last line, "- old"/"+ new" lines) of each block the fix replaced, in
    the original's 1-based lines; never a secret (``secret``: every old literal masked)."""
    old = before.decode("utf-8", errors="replace").splitlines()
    new = after.decode("utf-8", errors="replace").splitlines()
    blocks = []
    for i1, i2, j1, j2 in _replaced(old, new):
        kept = "\n".join(new[j1:j2])
        removed = [_without_removed_literals(line.strip(), kept) if secret else line.strip() for line in old[i1:i2]]
        lines = [mask_secrets(f"- {line}") for line in removed] + [mask_secrets(f"+ {line.strip()}") for line in new[j1:j2]]
        if len(lines) > MAX_DIFF_LINES:
            lines = lines[: MAX_DIFF_LINES - 1] + ["… (see mlflow-lint check --diff-fixes)"]
        blocks.append((i1 + 1, max(i2, i1 + 1), tuple(lines)))
    return blocks
