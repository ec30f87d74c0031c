"""Expected findings written on the line they belong to: ``# error: MLF601, MLF101``.

Every unmarked line must stay clean under all rules (so cross-rule noise fails a test).
``# todo-error: MLF601`` records an honest known miss: it is neither expected nor allowed.
"""

from __future__ import annotations

import re

_MARKER = re.compile(r"#\s*(todo-)?error:\s*(MLF\d{3}(?:\s*,\s*MLF\d{3})*)")


def expected_findings(source: str) -> set[tuple[int, str]]:
    """(line, rule) pairs the markers in ``source`` expect."""
    expected = set()
    for number, line in enumerate(source.splitlines(), start=1):
        match = _MARKER.search(line)
        if match and not match.group(1):
            for code in re.split(r"\s*,\s*", match.group(2)):
                expected.add((number, code))
    return expected


def strip_markers(source: str) -> str:
    return "\n".join(_MARKER.sub("", line).rstrip() for line in source.splitlines()) + "\n"


def expected_from_sidecar(path) -> set[tuple[int | None, int, str]]:  # type: ignore[no-untyped-def]
    """``<file>.expected``: one ``LINE RULE`` or ``CELL:LINE RULE`` per line (``#`` comments)."""
    expected: set[tuple[int | None, int, str]] = set()
    for raw in path.read_text(encoding="utf-8").splitlines():
        text = raw.split("#", 1)[0].strip()
        if not text:
            continue
        where, rule = text.split()
        cell, _, line = where.rpartition(":")
        expected.add((int(cell) if cell else None, int(line), rule))
    return expected
