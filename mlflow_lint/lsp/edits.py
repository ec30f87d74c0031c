"""Text changes: the difference between two texts as small replacements.

A fix gives the whole fixed text; an editor applies edits. Each changed run of lines
becomes one replacement trimmed to the characters that differ, so the cursor, folds and
undo history outside the change are left alone. Places are code points; the server
converts them to the client's units.
"""

from __future__ import annotations

import bisect
import difflib
from dataclasses import dataclass

from mlflow_lint.lsp.documents import split_lines

Place = tuple[int, int]  # 0-based line, 0-based character (code points)


@dataclass(frozen=True)
class TextChange:
    """Replace ``start``..``end`` of a text with ``new_text``."""

    start: Place
    end: Place
    new_text: str


class Offsets:
    """Character offsets of one text to places and back."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.starts: list[int] = []
        offset = 0
        for line in split_lines(text):
            self.starts.append(offset)
            offset += len(line)
        if not self.starts or text.endswith(("\n", "\r")):
            self.starts.append(len(text))  # the empty line after a final line break

    def place(self, offset: int) -> Place:
        line = bisect.bisect_right(self.starts, offset) - 1
        return line, offset - self.starts[line]

    def offset(self, place: Place) -> int:
        line, character = place
        if line >= len(self.starts):
            return len(self.text)
        return min(self.starts[line] + character, len(self.text))


def changes_between(old: str, new: str) -> list[TextChange]:
    """The replacements that turn ``old`` into ``new``, in document order, none overlapping."""
    if old == new:
        return []
    before, after = split_lines(old), split_lines(new)
    offsets = Offsets(old)
    changes: list[TextChange] = []
    matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        removed, added = "".join(before[i1:i2]), "".join(after[j1:j2])
        prefix = _common_prefix(removed, added)
        suffix = _common_suffix(removed[prefix:], added[prefix:])
        start = offsets.starts[i1] if i1 < len(offsets.starts) else len(old)
        changes.append(
            TextChange(
                start=offsets.place(start + prefix),
                end=offsets.place(start + len(removed) - suffix),
                new_text=added[prefix : len(added) - suffix],
            )
        )
    return changes


def apply_changes(text: str, changes: list[TextChange]) -> str:
    """``text`` with non-overlapping ``changes`` applied (the check that an edit does
    what it should, before it is offered)."""
    offsets = Offsets(text)
    result = text
    for change in sorted(changes, key=lambda c: c.start, reverse=True):
        start, end = offsets.offset(change.start), offsets.offset(change.end)
        result = result[:start] + change.new_text + result[end:]
    return result


def describe(old: str, new: str, limit: int = 60) -> str | None:
    """A short "replace `a` with `b`" for a change within one line (a code action's title);
    None when the change is larger than that."""
    changes = changes_between(old, new)
    if len(changes) != 1:
        return None
    change = changes[0]
    removed = old[Offsets(old).offset(change.start) : Offsets(old).offset(change.end)]
    if "\n" in removed or "\n" in change.new_text or "\r" in removed or len(removed) + len(change.new_text) > limit:
        return None
    removed, added = _whole_words(old, change, removed)
    if not removed:
        return f"insert `{added}`"
    if not added:
        return f"remove `{removed}`"
    return f"replace `{removed}` with `{added}`"


def _whole_words(old: str, change: TextChange, removed: str) -> tuple[str, str]:
    """The changed text widened to whole identifiers (``artifact_path`` -> ``name``, not
    ``artifact_path`` -> ``name`` minus a shared letter)."""
    offsets = Offsets(old)
    start, end = offsets.offset(change.start), offsets.offset(change.end)
    left = start
    while left > 0 and (old[left - 1].isalnum() or old[left - 1] == "_"):
        left -= 1
    right = end
    while right < len(old) and (old[right].isalnum() or old[right] == "_"):
        right += 1
    return old[left:right], old[left:start] + change.new_text + old[end:right]


def _common_prefix(a: str, b: str) -> int:
    size = min(len(a), len(b))
    index = 0
    while index < size and a[index] == b[index]:
        index += 1
    return index


def _common_suffix(a: str, b: str) -> int:
    size = min(len(a), len(b))
    index = 0
    while index < size and a[-1 - index] == b[-1 - index]:
        index += 1
    return index
