"""The gitignore matcher (mlflow_lint/ignore_patterns.py) against git and against pathspec.

- ``ROWS``: tricky patterns (negation, ``**``, anchoring, directories only, escapes,
  bracket expressions), each path with the answer written down, checked against the
  matcher and against real ``git check-ignore --no-index``.
- Generated patterns and paths against git (few examples: each one starts git twice).
- Generated patterns and paths against pathspec's ``GitIgnoreSpec``, the matcher this one
  replaced, where pathspec agrees with git: pathspec lets ``[!a]`` match "/", re-includes
  files below an excluded directory, and reads ``***`` as a segment glob.
- The decision regexes work in chunks of patterns: chunks of 1 or 3 decide the same.
- The limits, the .gitignore reader (byte order mark, CRLF), the matching time of patterns
  that a backtracking regex needs minutes for, and any text at all as a pattern.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pathspec
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from mlflow_lint import ignore_patterns
from mlflow_lint.discovery import discover, gitignore_spec
from mlflow_lint.ignore_patterns import MAX_PATTERN_TEXT, MAX_PATTERNS, IgnorePatterns
from mlflow_lint.sources import is_lintable

GIT = shutil.which("git")
needs_git = pytest.mark.skipif(GIT is None, reason="git is not installed")


# ---------------------------------------------------------------------------- git as the oracle
class GitOracle:
    """``git check-ignore --no-index`` in a repository of its own, with no user or system
    configuration. A directory is created on disk and asked about without a trailing "/":
    with one, check-ignore also matches the empty name after the "/" (``*`` would then
    ignore every directory), which no walk of git's ever does."""

    def __init__(self, base: Path) -> None:
        self.repo = base / "repo"
        self.env = {**os.environ, "HOME": str(base), "XDG_CONFIG_HOME": str(base), "GIT_CONFIG_NOSYSTEM": "1"}
        self.env.pop("GIT_DIR", None)
        subprocess.run([GIT or "git", "init", "-q", str(self.repo)], check=True, env=self.env, capture_output=True)
        self.prefix_bug = self.ignored(b"foo**/bar\n", ["foobar"])["foobar"]

    def _git(self, *args: str, data: bytes = b"") -> subprocess.CompletedProcess[bytes]:
        return subprocess.run(
            [GIT or "git", "-c", "core.ignorecase=false", *args], cwd=self.repo, input=data, capture_output=True, env=self.env
        )

    def ignored(self, gitignore: bytes, paths: list[str]) -> dict[str, bool]:
        """Paths ending in "/" are directories."""
        answers: dict[str, bool] = {}
        for directories in (True, False):  # apart, so that "x" and "x/" can both be asked
            for child in self.repo.iterdir():
                if child.name != ".git":
                    shutil.rmtree(child) if child.is_dir() else child.unlink()
            (self.repo / ".gitignore").write_bytes(gitignore)
            asked = [path for path in paths if path.endswith("/") == directories]
            for path in asked if directories else ():
                (self.repo / path).mkdir(parents=True, exist_ok=True)
            # "./": a name such as ":y" would be read as pathspec magic.
            names = [b"./" + path.rstrip("/").encode("utf-8", "surrogateescape") for path in asked]
            result = self._git("check-ignore", "--no-index", "--stdin", "-z", data=b"".join(n + b"\0" for n in names))
            assert result.returncode in (0, 1), result.stderr.decode()
            out = set(result.stdout.split(b"\0"))
            answers.update((path, name in out) for path, name in zip(asked, names, strict=True))
        return answers

    def has_prefix_bug(self, line: str) -> bool:
        """Whether this git gets ``line`` wrong: git cut an anchored pattern's literal start
        off before matching the rest, so that ``foo**/bar`` matched ``foobar`` ("**/" then
        looked like the start of the path). Fixed upstream in 2025 ("match_pathname(): give
        fnmatch one char of prefix context"); this matcher has the fixed behaviour."""
        if not self.prefix_bug:
            return False
        text = line.rstrip(" ").removeprefix("!").removesuffix("/")
        if "/" not in text:
            return False
        text = text.removeprefix("/")
        literal = next((i for i, char in enumerate(text) if char in "*?[\\"), len(text))  # git's simple_length
        return literal > 0 and text[literal : literal + 2] == "**" and text[literal - 1] != "/"


@pytest.fixture(scope="module")
def git(tmp_path_factory: pytest.TempPathFactory) -> GitOracle:
    if GIT is None:
        pytest.skip("git is not installed")
    return GitOracle(tmp_path_factory.mktemp("git-oracle"))


# ---------------------------------------------------------------------------- the table
# (patterns, {path: ignored}); a path ending in "/" is a directory.
ROWS: list[tuple[list[str], dict[str, bool]]] = [
    # The last matching pattern wins.
    (["*.py", "!keep*.py", "keep_bad.py"],
     {"x.py": True, "keep1.py": False, "keep_bad.py": True, "sub/keep2.py": False, "sub/x.py": True}),
    # Nothing below an excluded directory comes back.
    (["build/", "!build/keep.py", "!build/sub/"],
     {"build/": True, "build/keep.py": True, "build/sub/": True, "build/sub/x.py": True, "xbuild/a.py": False}),
    # "a/**" ignores what is inside "a", not "a": so a negation inside it works.
    (["a/**", "!a/keep.py"], {"a/": False, "a/keep.py": False, "a/x.py": True, "a/sub/": True, "a/sub/keep.py": True}),
    # Everything but Python files and directories.
    (["*", "!*/", "!*.py"], {"a.py": False, "a.txt": True, "d/": False, "d/b.py": False, "d/b.txt": True}),
    # A leading "/" or a "/" in the middle anchors; none matches at any depth.
    (["/root.py", "/dir/", "docs/build", "name"],
     {"root.py": True, "sub/root.py": False, "dir/": True, "sub/dir/": False, "docs/build": True,
      "x/docs/build": False, "docs/build/y.py": True, "name": True, "a/b/name": True, "a/name/c.py": True}),
    # A trailing "/" means directories only.
    (["logs/", "cache"], {"logs": False, "logs/": True, "logs/x": True, "a/logs/": True, "cache": True, "cache/": True}),
    # "**" at the start, in the middle, at the end.
    (["**/foo", "a/**/b", "c/**", "**/d/**/e", "f/**/"],
     {"foo": True, "x/y/foo": True, "a/b": True, "a/x/y/b": True, "ab": False, "c": False, "c/": False,
      "c/x": True, "c/x/y": True, "d/e": True, "q/d/r/s/e": True, "d/x": False, "f/": False, "f/g": False,
      "f/g/": True, "f/g/h/": True}),
    # "**" next to anything but a "/" is a "*": it never crosses a "/".
    (["a**b", "x/**y", "**z/w"],
     {"ab": True, "aXYb": True, "a/b": False, "x/y": True, "x/zy": True, "x/z/y": False, "z/w": True,
      "qz/w": True, "q/z/w": False}),
    # An escaped slash after "**": at least one directory.
    (["**\\/x", "y/**\\/z"], {"x": False, "d/x": True, "d/e/x": True, "y/z": False, "y/d/z": True}),
    # "*" and "?" never match "/".
    (["a*c", "a?c"], {"abc": True, "ac": True, "a/c": False, "abbc": True, "x/abc": True}),
    # Escapes, and what a backslash keeps of trailing spaces.
    (["\\!important", "\\#hash", "trailing\\ ", "two\\  ", "lit\\*", "q\\?", "odd\\", "back\\\\  "],
     {"!important": True, "important": False, "#hash": True, "trailing ": True, "trailing": False,
      "two ": True, "two  ": False, "lit*": True, "litx": False, "q?": True, "qx": False, "odd\\": False,
      "odd": False, "back\\": True, "back\\ ": False}),
    # Trailing spaces go, tabs and leading spaces stay; only a line starting with "#" is a comment.
    (["spaced   ", "tab\t", " lead", "#comment", " #not-a-comment"],
     {"spaced": True, "spaced ": False, "tab\t": True, "tab": False, " lead": True, "lead": False,
      "#comment": False, " #not-a-comment": True}),
    # Bracket expressions. As in git, "z-a" matches nothing but the "z" read before the "-";
    # "[a/b]" holds a "/", so the pattern is anchored, and the class never matches "/".
    (["[abc]1", "[!abc]2", "[^x]3", "[a-c]4", "[]]5", "[!]]6", "[a-]7", "[z-a]8", "[[:digit:]]9", "[\\]]0",
      "[[:foo:]]x", "[unclosed", "[a/b]c", "[[:a]y", "[\\-a]w"],
     {"a1": True, "d1": False, "d2": True, "a2": False, "y3": True, "x3": False, "b4": True, "d4": False,
      "]5": True, "]6": False, "a6": True, "-7": True, "a7": True, "b7": False, "a8": False, "m8": False,
      "z8": True, "79": True, "a9": False, "]0": True, "[unclosed": False, "ac": True, "x/ac": False, "[y": True,
      ":y": True, "ay": True, "-w": True, "aw": True, "\\w": False}),
    # Not ASCII: a character, not a byte.
    (["café*", "naïve/", "?é"], {"café.py": True, "cafe.py": False, "naïve/": True, "naïve": False, "xé": True}),
    # One directory's verdict binds what is below it, at any depth.
    (["deep/", "!deep/"], {"deep/": False, "deep/x.py": False, "a/deep/x.py": False}),
    (["x/y/", "!x/y/z.py"], {"x/y/z.py": True, "x/y/": True, "x/yz.py": False}),
]  # fmt: skip


def _row_id(row: tuple[list[str], dict[str, bool]]) -> str:
    return " ".join(row[0])[:40]


@pytest.mark.parametrize("row", ROWS, ids=[_row_id(row) for row in ROWS])
def test_table(row: tuple[list[str], dict[str, bool]]) -> None:
    lines, expected = row
    patterns = IgnorePatterns.from_lines(lines)
    assert {path: patterns.match(path) for path in expected} == expected


@needs_git
@pytest.mark.parametrize("row", ROWS, ids=[_row_id(row) for row in ROWS])
def test_table_agrees_with_git(row: tuple[list[str], dict[str, bool]], git: GitOracle) -> None:
    lines, expected = row
    assert git.ignored("\n".join(lines).encode() + b"\n", list(expected)) == expected


@needs_git
def test_the_file_reader_agrees_with_git(git: GitOracle) -> None:
    """A byte order mark, CRLF line ends, a last line without one, a lone "\\r"."""
    content = b"\xef\xbb\xbfbom.py\r\ncrlf.py \r\n!keep.py\r\n*.log\rx\nlast.py"
    paths = ["bom.py", "\ufeffbom.py", "crlf.py", "crlf.py ", "keep.py", "a.log", "a.log\rx", "*.log\rx", "last.py"]
    truth = git.ignored(content, paths)
    patterns = IgnorePatterns.from_text(content.decode("utf-8"))
    assert {path: patterns.match(path) for path in paths} == truth
    assert truth["bom.py"] and truth["crlf.py"] and truth["last.py"]


@needs_git
def test_named_classes_agree_with_git_on_every_ascii_character(git: GitOracle) -> None:
    names = ("alnum", "alpha", "blank", "cntrl", "digit", "graph", "lower", "print", "punct", "space", "upper", "xdigit")
    paths = ["x" + chr(code) for code in range(1, 128) if chr(code) != "/"]
    for name in names:
        for line in (f"x[[:{name}:]]", f"x[![:{name}:]]"):
            truth = git.ignored(line.encode() + b"\n", paths)
            patterns = IgnorePatterns.from_lines([line])
            assert [p for p in paths if patterns.match(p) != truth[p]] == [], line


# ---------------------------------------------------------------------------- generated: git
PIECES = (
    "a", "b", "ab", ".", "-", "]", " ", "!", "#", "*", "**", "***", "?", "/", "\\", "\\*", "\\/", "\\ ", "\\!",
    "[ab]", "[!a]", "[^b]", "[a-c]", "[]a]", "[!]]", "[a-]", "[z-a]", "[/a]", "[[:alpha:]]", "[[:foo:]]", "[",
    "/**/", "**/", "/**",
)  # fmt: skip
SEGMENTS = ("a", "b", "ab", "ba", "aa", "abc", "a.b", "x", "!a", "#a", "a b", "[a]", "-", "]", "*", "\\", "a ")

patterns_text = st.lists(st.sampled_from(PIECES), min_size=1, max_size=6).map("".join)
paths = st.builds(
    lambda segments, directory: "/".join(segments) + ("/" if directory else ""),
    st.lists(st.sampled_from(SEGMENTS), min_size=1, max_size=4),
    st.booleans(),
)


@needs_git
@settings(max_examples=60, deadline=None)
@given(lines=st.lists(patterns_text, min_size=1, max_size=4), asked=st.lists(paths, min_size=1, max_size=25, unique=True))
def test_generated_patterns_agree_with_git(lines: list[str], asked: list[str], git: GitOracle) -> None:
    assume(not any(git.has_prefix_bug(line) for line in lines))
    truth = git.ignored("\n".join(lines).encode() + b"\n", asked)
    patterns = IgnorePatterns.from_lines(lines)
    assert {path: patterns.match(path) for path in asked} == truth


def test_the_prefix_bug_of_older_git_is_not_copied() -> None:
    patterns = IgnorePatterns.from_lines(["foo**/bar", "a/b**"])
    assert not patterns.match("foobar")
    assert patterns.match("foo/bar") and patterns.match("fooX/bar")
    assert not patterns.match("foo/x/bar")  # the "**" is a "*": it stays in one segment
    assert patterns.match("a/bc") and patterns.match("a/bc/d")  # "a/bc" is ignored, so is what is in it


# ---------------------------------------------------------------------------- generated: pathspec
# Where pathspec's GitIgnoreSpec agrees with git: no "[!...]" (pathspec's matches "/"), no
# "***" (git reads a segment of stars alone as "**"), no pattern ending in "**/" (pathspec
# ignores a file directly in "a/" for "a/**/"; git ignores only the directories below it:
# test_a_trailing_double_star_slash_ignores_directories_below_only), and negations only on
# paths of one segment (pathspec re-includes a file below an excluded directory; git does not).
SAFE_PIECES = ("a", "b", "c", ".", "*", "**", "?", "/", "[ab]", "[a-c]", "\\*")
safe_patterns = (
    st.lists(st.sampled_from(SAFE_PIECES), min_size=1, max_size=6)
    .map("".join)
    .filter(lambda p: "***" not in p and not p.endswith("**/"))
)
file_paths = st.lists(st.sampled_from(("a", "b", "c", "ab", "ba", "abc", "a.b", "cc")), min_size=1, max_size=4).map("/".join)


def test_a_trailing_double_star_slash_ignores_directories_below_only() -> None:
    """``a/**/`` as git reads it (checked with ``git check-ignore``): the directories below
    ``a/`` and what is in them, not a file directly in ``a/`` (pathspec says otherwise)."""
    patterns = IgnorePatterns.from_lines(["aa", "a/**/"])
    assert not patterns.match("a/a")
    assert patterns.match("a/b/c")


@settings(max_examples=300, deadline=None)
@given(lines=st.lists(safe_patterns, min_size=1, max_size=4), asked=st.lists(file_paths, min_size=1, max_size=20))
def test_positive_patterns_agree_with_pathspec(lines: list[str], asked: list[str]) -> None:
    spec = pathspec.GitIgnoreSpec.from_lines(lines)
    patterns = IgnorePatterns.from_lines(lines)
    assert [patterns.match(path) for path in asked] == [spec.match_file(path) for path in asked]


@settings(max_examples=300, deadline=None)
@given(
    lines=st.lists(st.tuples(st.booleans(), safe_patterns).map(lambda n: ("!" if n[0] else "") + n[1]), min_size=1, max_size=5),
    asked=st.lists(st.sampled_from(("a", "b", "c", "ab", "ba", "abc", "a.b", "cc", "*")), min_size=1, max_size=9),
)
def test_negations_agree_with_pathspec_on_one_segment(lines: list[str], asked: list[str]) -> None:
    spec = pathspec.GitIgnoreSpec.from_lines(lines)
    patterns = IgnorePatterns.from_lines(lines)
    assert [patterns.match(path) for path in asked] == [spec.match_file(path) for path in asked]


# ---------------------------------------------------------------------------- chunks
@settings(max_examples=150, deadline=None)
@given(lines=st.lists(patterns_text, min_size=1, max_size=12), asked=st.lists(paths, min_size=1, max_size=20))
def test_chunks_of_patterns_decide_like_one(lines: list[str], asked: list[str]) -> None:
    whole = IgnorePatterns.from_lines(lines)
    expected = [whole.match(path) for path in asked]
    saved = ignore_patterns._CHUNK
    try:
        for chunk in (1, 3):
            ignore_patterns._CHUNK = chunk
            patterns = IgnorePatterns.from_lines(lines)
            assert [patterns.match(path) for path in asked] == expected, chunk
    finally:
        ignore_patterns._CHUNK = saved


def test_the_last_match_wins_across_chunks() -> None:
    lines = [f"name{i}" for i in range(1000)] + ["*.py", "!keep*.py"] + [f"other{i}" for i in range(300)] + ["keep_bad.py"]
    patterns = IgnorePatterns.from_lines(lines)
    assert patterns.match("x.py") and not patterns.match("keep.py") and patterns.match("keep_bad.py")
    assert patterns.match("name7") and patterns.match("d/other299/x") and not patterns.match("name1000")


# ---------------------------------------------------------------------------- limits
def test_patterns_past_the_limit_are_left_out_and_said_so() -> None:
    lines = ["first.py", *(f"p{i}" for i in range(MAX_PATTERNS - 1)), "# a comment is no pattern", "last.py"]
    patterns = IgnorePatterns.from_lines(lines)
    assert patterns.match("first.py") and patterns.match(f"p{MAX_PATTERNS - 2}") and not patterns.match("last.py")
    assert patterns.limit_note is not None and f"not honoured past {MAX_PATTERNS:,} patterns" in patterns.limit_note
    assert IgnorePatterns.from_lines(lines[:-1]).limit_note is None


def test_text_past_the_limit_is_left_out_and_said_so() -> None:
    long = "x" * (MAX_PATTERN_TEXT // 2)
    patterns = IgnorePatterns.from_lines(["first.py", long + "1", long + "2", "last.py"])
    assert patterns.match("first.py") and patterns.match(long + "1") and not patterns.match(long + "2")
    assert patterns.limit_note is not None


def test_a_gitignore_past_the_limits_is_reported_by_discovery(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    lines = ["ignored/", *(f"generated_{i}/" for i in range(MAX_PATTERNS + 100)), "also_ignored/"]
    (tmp_path / ".gitignore").write_text("\n".join(lines) + "\n")
    for name in ("a.py", "ignored/b.py", "also_ignored/c.py"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("import mlflow\n")
    found = discover([tmp_path], is_lintable)
    assert sorted(p.relative_to(tmp_path).as_posix() for p in found.files) == ["a.py", "also_ignored/c.py"]
    notes = [(path.name, reason) for path, reason in found.skipped]
    assert notes == [(".gitignore", f"not honoured past {MAX_PATTERNS:,} patterns (the limit is {MAX_PATTERNS:,} "
                      f"patterns or {MAX_PATTERN_TEXT // 1024:,} KiB of text per file)")]  # fmt: skip


def test_a_huge_gitignore_is_read_only_up_to_the_limit(tmp_path: Path) -> None:
    (tmp_path / ".gitignore").write_text("ignored/\n" + "# padding\n" * (MAX_PATTERN_TEXT // 5))
    (tmp_path / "ignored").mkdir()
    (tmp_path / "ignored" / "b.py").write_text("import mlflow\n")
    (tmp_path / "a.py").write_text("import mlflow\n")
    found = discover([tmp_path], is_lintable)
    assert [p.name for p in found.files] == ["a.py"]
    assert next(reason for _, reason in found.skipped).startswith("not honoured past 1 patterns")


def test_settings_are_compiled_once() -> None:
    assert gitignore_spec(["a/", "*.py"]) is gitignore_spec(("a/", "*.py"))


# ---------------------------------------------------------------------------- time
HOSTILE = [
    # (patterns, paths): each would take a backtracking regex minutes or more.
    (["*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b"], ["a" * 33, "a" * 33 + "/" + "a" * 33, "a" * 4000]),
    (["*a" * 2000 + "*b"], ["a" * 4000, "a" * 3999 + "b"]),
    (["/".join(["**", "a*a*a*a*a*a"] * 100) + "/b"], ["/".join(["aaaaaaaaaaaaa"] * 280), "/".join(["a" * 12] * 300) + "/c"]),
    (["[a-z]*" * 500 + "!"], ["a" * 3000, "a" * 3000 + "!"]),
    ([f"**/x{i}/**/y/**/*a*a*a*a*b.py" for i in range(300)], [f"x{i}/y/y/" + "a" * 30 + ".py" for i in range(300)]),
]

_TIMED = """
import json, sys
from mlflow_lint.ignore_patterns import IgnorePatterns
cases = json.loads(sys.stdin.read())
print(json.dumps([[IgnorePatterns.from_lines(lines).match(path) for path in paths] for lines, paths in cases]))
"""


@pytest.mark.integration
def test_hostile_patterns_are_decided_without_backtracking() -> None:
    """In a subprocess with a timeout: a backtracking matcher would run for hours."""
    import json

    try:
        result = subprocess.run(
            [sys.executable, "-c", _TIMED], input=json.dumps(HOSTILE), capture_output=True, text=True, timeout=20
        )
    except subprocess.TimeoutExpired:
        pytest.fail("hostile patterns took more than 20 s")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == [
        [False, False, False],
        [False, True],
        [False, False],
        [False, True],
        [False] * 300,
    ]


def test_the_oracle_sees_a_clean_repository() -> None:
    """The oracle's git must not read the user's global excludes (they would skew it)."""
    if GIT is None:
        pytest.skip("git is not installed")
    with tempfile.TemporaryDirectory() as base:
        oracle = GitOracle(Path(base))
        assert oracle.ignored(b"", ["a.py", "d/"]) == {"a.py": False, "d/": False}


@settings(max_examples=300, deadline=None)
@given(lines=st.lists(st.text(st.characters(blacklist_categories=("Cs",)) | st.sampled_from("*?[]!/\\- :^#"), max_size=12), max_size=6),
       asked=st.lists(st.text(st.characters(blacklist_categories=("Cs",)) | st.sampled_from("*?[]!/\\- :^"), min_size=1, max_size=12), max_size=6))  # fmt: skip
def test_any_text_compiles_and_matches(lines: list[str], asked: list[str]) -> None:
    patterns = IgnorePatterns.from_lines(lines)
    for path in asked:
        assert patterns.match(path) in (True, False)
