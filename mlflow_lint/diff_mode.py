"""``--diff REF``: only findings on lines added or changed since the merge base of REF and
the working tree.

The comparison is ``git diff <merge-base>`` against the working tree (committed, staged
and unstaged changes), plus untracked files that are not ignored, whose every line is new;
renames are followed, so a moved file reports only the lines edited in it. GitPython is
imported here alone, so plain runs and the flake8 plugin never need git.

A merge base that cannot be computed is an error, never an empty diff: an unknown REF, a
REF with no common history, or a shallow clone missing the history between them. Reading
"no changes" there would pass every pull request without looking at it.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from mlflow_lint.findings import Finding
from mlflow_lint.paths import file_path

if TYPE_CHECKING:
    import git

_FETCH_HINT = (
    "fetch more history: `git fetch --unshallow` (or `git fetch --deepen=<n>`), "
    "or in GitHub Actions `actions/checkout` with `fetch-depth: 0`"
)


class DiffError(Exception):
    """``--diff`` cannot say which lines changed (exit 2, with what to do about it)."""


@dataclass(frozen=True)
class ChangedLines:
    """Lines added or changed per file, by resolved absolute path; None: the whole file."""

    root: Path  # the repository's work tree
    base: str  # the merge base commit
    files: dict[Path, frozenset[int] | None]

    def touches(self, path: Path) -> bool:
        """Whether a file has any added or changed line (the files worth linting)."""
        return path.resolve() in self.files

    def covers(self, finding: Finding, cwd: Path) -> bool:
        """Whether a finding's lines include an added or changed one. A notebook finding
        counts when its notebook changed at all: its lines are lines of a cell, not of the
        file git compares."""
        path = Path(os.path.normpath(file_path(finding.path, cwd))).resolve()
        if path not in self.files:
            return False
        lines = self.files[path]
        if lines is None or finding.cell is not None:
            return True
        return any(line in lines for line in range(finding.line, max(finding.end_line, finding.line) + 1))


def changed_lines(ref: str, start: Path) -> ChangedLines:
    """What changed since the merge base of ``ref`` and HEAD, in the repository at ``start``."""
    try:
        import git
    except ImportError as exc:  # GitPython is a dependency; its import fails without a git executable
        raise DiffError(f"--diff needs GitPython and the git executable ({exc})") from None

    try:
        repo = git.Repo(start if start.is_dir() else start.parent, search_parent_directories=True)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        raise DiffError(f"--diff needs a git repository, and {start} is not inside one") from None
    if repo.bare or repo.working_tree_dir is None:
        raise DiffError(f"--diff needs a work tree; {repo.git_dir} is a bare repository")
    root = Path(repo.working_tree_dir).resolve()
    try:
        shallow = repo.git.rev_parse("--is-shallow-repository").strip() == "true"
        base = _merge_base(repo, ref, shallow)
        files = _diff(repo, base, root)
        for name in _git_bytes(repo, "ls-files", "-z", "--others", "--exclude-standard").split(b"\0"):
            if name:
                files[(root / os.fsdecode(name)).resolve()] = None
    except git.GitCommandError as exc:
        detail = (exc.stderr or "").strip().removeprefix("stderr:").strip(" '\n") or str(exc)
        raise DiffError(f"--diff {ref}: git failed: {detail}") from None
    return ChangedLines(root=root, base=base, files=files)


def _merge_base(repo: git.Repo, ref: str, shallow: bool) -> str:
    import git

    shallow_note = f"this is a shallow clone; {_FETCH_HINT}"
    for name, what in ((ref, f"unknown revision '{ref}'"), ("HEAD", "the repository has no commit yet")):
        try:
            repo.git.rev_parse("--verify", "--quiet", f"{name}^{{commit}}")
        except git.GitCommandError:
            if name == ref:
                hint = shallow_note if shallow else f"fetch it first (e.g. `git fetch origin {_branch(ref)}`)"
                raise DiffError(f"--diff {ref}: {what}; {hint}") from None
            raise DiffError(f"--diff {ref}: {what}") from None
    try:
        base = str(repo.git.merge_base(ref, "HEAD")).strip()
    except git.GitCommandError:
        base = ""
    if not base:
        if shallow:
            raise DiffError(f"--diff {ref}: no merge base with HEAD in the fetched history: {shallow_note}")
        raise DiffError(
            f"--diff {ref}: '{ref}' and HEAD have no common history (no merge base); "
            f"fetch the branch the work started from and compare with it"
        )
    return base


def _branch(ref: str) -> str:
    return ref.split("/", 1)[1] if ref.startswith("origin/") else ref


# The diff options every git call here shares: the name list and the patch must describe
# the same change set, file for file.
_DIFF_OPTIONS = ("--no-color", "--no-ext-diff", "--find-renames", "--no-textconv")


def _diff(repo: git.Repo, base: str, root: Path) -> dict[Path, frozenset[int] | None]:
    """Added and changed lines of every file changed since ``base``.

    File names come only from ``git diff -z --name-status``, NUL-separated, exactly as
    stored (spaces, tabs, quotes, newlines, bytes that are not UTF-8). The patch is read
    only for hunk line numbers: each of its sections is attributed to a file by comparing
    its ``diff --git`` line with the one git prints for that file's known names, never by
    reading a name out of a header (git ends ``+++ b/a b.py`` with a TAB when the name holds
    a space, and quotes others). If a section matches no known file, every file without a
    matched section gets a diff of its own.
    """
    entries = _changed_files(repo, base)
    patch = _git_bytes(repo, "diff", "--unified=0", *_DIFF_OPTIONS, "--src-prefix=a/", "--dst-prefix=b/", base, "--")
    by_header = {entry.header: entry for entry in entries}
    lines: dict[_Entry, set[int]] = {}
    unmatched = False
    for header, hunks in _sections(patch):
        entry = by_header.get(header)
        if entry is None:
            unmatched = True
            continue
        lines.setdefault(entry, set()).update(hunks)  # a type change is two sections
    if unmatched:
        for entry in entries:
            if entry not in lines and entry.new is not None:
                single = _git_bytes(
                    repo, "diff", "--unified=0", *_DIFF_OPTIONS, "--src-prefix=a/", "--dst-prefix=b/", base, "--",
                    ":(literal)" + os.fsdecode(entry.new),
                )  # fmt: skip
                lines[entry] = {line for _, hunks in _sections(single) for line in hunks}
    files: dict[Path, frozenset[int] | None] = {}
    for entry, changed in lines.items():
        if entry.new is not None and changed:
            files[(root / os.fsdecode(entry.new)).resolve()] = frozenset(changed)
    return files


@dataclass(frozen=True)
class _Entry:
    """One changed file: its old and new name as git stores them (None: that side is absent)."""

    old: bytes | None
    new: bytes | None

    @property
    def header(self) -> bytes:
        """The ``diff --git`` line git prints for this file."""
        old = self.old if self.old is not None else self.new
        new = self.new if self.new is not None else self.old
        assert old is not None and new is not None
        return b"diff --git " + _git_quoted(b"a/" + old) + b" " + _git_quoted(b"b/" + new)


def _changed_files(repo: git.Repo, base: str) -> list[_Entry]:
    """Every file ``git diff <base>`` reports, from its NUL-separated name list."""
    fields = _git_bytes(repo, "diff", "-z", "--name-status", *_DIFF_OPTIONS, base, "--").split(b"\0")
    entries: list[_Entry] = []
    index = 0
    while index + 1 < len(fields) and fields[index]:
        status = fields[index][:1]
        if status in (b"R", b"C"):  # renamed or copied (with a score): the old name, then the new
            entries.append(_Entry(fields[index + 1], fields[index + 2]))
            index += 3
            continue
        name = fields[index + 1]
        index += 2
        entries.append(_Entry(None if status == b"A" else name, None if status == b"D" else name))
    return entries


_HUNK = re.compile(rb"^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@")


def _sections(patch: bytes) -> list[tuple[bytes, set[int]]]:
    """The patch's file sections: each ``diff --git`` line with its hunks' new-side lines.

    Content lines begin with "+", "-", " " or a backslash, so a section starts exactly
    where a line begins with ``diff --git ``."""
    sections: list[tuple[bytes, set[int]]] = []
    current: set[int] | None = None
    for line in patch.split(b"\n"):
        if line.startswith(b"diff --git "):
            current = set()
            sections.append((line, current))
        elif current is not None and line.startswith(b"@@"):
            match = _HUNK.match(line)
            if match:
                first, count = int(match.group(1)), int(match.group(2) if match.group(2) is not None else 1)
                current.update(range(first, first + count))
    return sections


# git's C-style quoting of a path (quote.c, with core.quotePath=false): a name holding a
# double quote, a backslash or a control character is quoted, those characters escaped.
_C_ESCAPES = {
    0x07: b"\\a", 0x08: b"\\b", 0x09: b"\\t", 0x0A: b"\\n", 0x0B: b"\\v", 0x0C: b"\\f", 0x0D: b"\\r",
    0x22: b'\\"', 0x5C: b"\\\\",
}  # fmt: skip


def _git_quoted(name: bytes) -> bytes:
    if not any(byte < 0x20 or byte in (0x22, 0x5C, 0x7F) for byte in name):
        return name
    out = bytearray(b'"')
    for byte in name:
        if byte in _C_ESCAPES:
            out += _C_ESCAPES[byte]
        elif byte < 0x20 or byte == 0x7F:
            out += b"\\%03o" % byte
        else:
            out.append(byte)
    out += b'"'
    return bytes(out)


def _git_bytes(repo: git.Repo, *args: str) -> bytes:
    """A git command's standard output as bytes (file names need not be UTF-8)."""
    output = repo.git.execute(
        ["git", "-c", "core.quotePath=false", "-c", "diff.noprefix=false", *args],
        stdout_as_string=False,
        strip_newline_in_stdout=False,
    )
    return output if isinstance(output, bytes) else str(output).encode("utf-8", "surrogateescape")
