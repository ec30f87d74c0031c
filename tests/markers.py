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
