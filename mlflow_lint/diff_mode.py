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
from typing import TYPE_CHECKING, Iterable

from mlflow_lint.findings import Finding

if TYPE_CHECKING:
    import git

_HUNK = re.compile(r"^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@")
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
        path = Path(os.path.normpath(os.path.join(cwd, finding.path))).resolve()
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
        for path in _split_nul(repo.git.ls_files("--others", "--exclude-standard", "-z")):
            files[(root / path).resolve()] = None
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


def _diff(repo: git.Repo, base: str, root: Path) -> dict[Path, frozenset[int] | None]:
    """Added and changed lines of every file, from ``git diff --unified=0 <base>``."""
    output = repo.git.execute(
        [
            "git", "-c", "core.quotePath=false", "-c", "diff.noprefix=false",
            "diff", "--unified=0", "--no-color", "--no-ext-diff", "--find-renames",
            "--src-prefix=a/", "--dst-prefix=b/", base, "--",
        ],
        strip_newline_in_stdout=False,
    )  # fmt: skip
    files: dict[Path, frozenset[int] | None] = {}
    current: set[int] | None = None
    for line in output.splitlines():
        if line.startswith("+++ "):
            target = line[4:]
            if target == "/dev/null":  # deleted
                current = None
                continue
            name = _unquote(target)
            name = name[2:] if name.startswith("b/") else name
            current = set()
            files[(root / name).resolve()] = current  # type: ignore[assignment]
        elif current is not None and line.startswith("@@"):
            match = _HUNK.match(line)
            if match:
                first, count = int(match.group(1)), int(match.group(2) if match.group(2) is not None else 1)
                current.update(range(first, first + count))
    return {path: frozenset(lines) if lines is not None else None for path, lines in files.items() if lines}


def _unquote(name: str) -> str:
    """git's C-style quoting of unusual paths (``"b/t\\303\\251st.py"``)."""
    if not (name.startswith('"') and name.endswith('"')):
        return name
    import codecs

    raw = codecs.escape_decode(name[1:-1].encode("latin-1", errors="backslashreplace"))[0]
    return raw.decode("utf-8", errors="surrogateescape")


def _split_nul(text: str) -> Iterable[str]:
    return (part for part in text.split("\0") if part)
