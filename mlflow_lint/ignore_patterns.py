"""Gitignore patterns (``.gitignore`` files, ``exclude``, ``per-file-ignores``) matched in
polynomial time.

Semantics are git's (``gitignore(5)``; ``dir.c`` and ``wildmatch.c`` where the manual is
silent): a line starting with ``#`` is a comment; trailing spaces are dropped unless escaped
(``\\ ``); ``!`` negates and ``\\!``/``\\#`` are literals; a pattern ending in ``/`` matches
directories only; a pattern with a ``/`` at its start or in its middle is anchored to the
patterns' directory, one without is matched against the last path segment at any depth;
``*`` and ``?`` never match ``/``; ``[...]`` classes take ranges, ``[!...]``/``[^...]`` and
``[:alpha:]``-style names (ASCII, as git's); ``**`` between slashes, at the start (``**/``)
or at the end (``/**``) matches any number of whole directories (``**\\/``, at least one),
elsewhere it is a ``*``. The last matching pattern wins, and a path below an ignored
directory is ignored whatever a later ``!`` says, because git never looks inside it. Two
deliberate differences: ``?`` and classes match one character, not one UTF-8 byte; and
``foo**/bar`` does not match ``foobar`` (git before the 2025 fix to ``match_pathname``
cut ``foo`` off and then saw ``**/`` at the start of the path).

Complexity. Python's ``re`` backtracks: ``*a*a*a...*b`` translated naively takes time
exponential in the number of stars (pathspec's translation needs minutes for 20 stars and
a 33-character name). Here no pattern becomes such a regex. Within one path segment, the
blocks between two stars are placed leftmost and committed (a lookahead is atomic in
``re``: ``(?=(?P<g>[^/]*?block))(?P=g)``), which is exact for ``*``: if any placement fits,
the leftmost one leaves the most room for the rest. Runs of segments between two ``**``
are placed leftmost the same way, and only the last run, anchored at the end, is searched
for. A pattern of ``k`` characters thus decides a path of ``n`` characters in ``O(n * k)``
steps of the C regex engine (``O(n * k * k)`` at worst, for runs of many segments), and
all patterns are tried in one call per chunk of patterns, from the last to the first: the
first alternative that matches is the verdict. Before that, one combined regex of cheap
over-approximations (one star per segment, one ``**`` per pattern: ``O(n)`` per
alternative, and exact for most real patterns) answers "no pattern can match" for most
paths in one call, as pathspec's combined regex did. A directory's verdict binds every path
below it and is computed once per object, so a walk decides each directory once.

Bounds. A source (one ``.gitignore``, the ``exclude`` setting) is honoured up to
``MAX_PATTERNS`` patterns and ``MAX_PATTERN_TEXT`` characters of lines; the rest is left
out and ``IgnorePatterns.limit_note`` says so (discovery reports it as a skipped path, and
reads a .gitignore no further than that). At the limits, with patterns and file names
crafted to get past the prefilter and to fail late, compiling takes about 0.1 s and
deciding 2,000 files about 1 to 3 s (measured on two cores); a million-line .gitignore
costs no more than one at the limit.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from itertools import count
from typing import Any, TypeAlias

MAX_PATTERNS = 2_000
MAX_PATTERN_TEXT = 128 * 1024  # characters of lines (comments included) read from one source

# A token of a pattern: ("l", text, escaped) a literal run (a "/" is always alone),
# ("?",) any character but "/", ("[", regex) a bracket expression, ("*", n) n stars.
# (A union of the four tuple shapes would say more, but mypy does not narrow it by the tag.)
Token: TypeAlias = tuple[Any, ...]
Segment: TypeAlias = list[Token]  # the tokens of one path segment
# In the segments of an anchored pattern: git's special "**", any number of directories.
_ANY_DIRECTORIES = None

# git's ctype is ASCII-only ("sane_ctype" in ctype.c): these are its classes as regex sets.
_NAMED_CLASSES = {
    "alnum": "0-9A-Za-z",
    "alpha": "A-Za-z",
    "blank": " \\t",
    "cntrl": "\\x00-\\x1f\\x7f",
    "digit": "0-9",
    "graph": "!-~",
    "lower": "a-z",
    "print": " -~",
    "punct": "!-/:-@\\[-`{-~",
    "space": "\\t\\n\\r ",
    "upper": "A-Z",
    "xdigit": "0-9A-Fa-f",
}
_CLASSES_WITH_SLASH = frozenset({"graph", "print", "punct"})
_LITERAL_RUN = re.compile(r"[^\\*?\[/]+")
_CHUNK = 128  # patterns per regex that decides a path (see IgnorePatterns._compile_deciders)


class _Pattern:
    """One pattern line, translated: ``exact`` decides a path (the basename, or the path with
    a "/" appended); ``approx`` is a superset of it for the prefilter."""

    __slots__ = ("approx", "basename", "directory_only", "exact", "negated")

    def __init__(
        self, negated: bool, directory_only: bool, basename: bool, exact_source: str, approx: tuple[bool, str]
    ) -> None:
        self.negated = negated
        self.directory_only = directory_only
        self.basename = basename  # matched against the last segment (no "/" in the pattern)
        self.exact = exact_source
        self.approx = approx  # (may start at any segment, regex ending in "/")


class IgnorePatterns:
    """Patterns with gitignore semantics, relative to one directory.

    ``match(path)``: ``path`` is relative to that directory, "/"-separated, with a trailing
    "/" when it names a directory; the answer is True when git would ignore it.
    """

    def __init__(self, patterns: list[_Pattern], limit_note: str | None = None) -> None:
        self._patterns = patterns
        self.limit_note = limit_note  # set when the source was longer than the limits
        self._directories: dict[str, bool] = {}  # a directory's own verdict (ancestors apart)
        self._deciders: dict[bool, list[tuple[re.Pattern[str] | None, re.Pattern[str] | None]]] = {}
        anywhere = _unique(p.approx[1] for p in patterns if not p.negated and p.approx[0])
        anchored = _unique(p.approx[1] for p in patterns if not p.negated and not p.approx[0])
        parts = []
        if anywhere:  # one search for all of them: at the start or after any "/"
            parts.append("(?:^|/)(?:" + "|".join(anywhere) + ")")
        if anchored:
            parts.append("^(?:" + "|".join(anchored) + ")")
        # Only positive patterns can make a path ignored: if none of them can match the path
        # or one of its directories, the answer is no, whatever the negations say.
        self._prefilter = re.compile("|".join(parts)) if parts else None

    @classmethod
    def from_lines(cls, lines: Iterable[str], *, more: bool = False) -> IgnorePatterns:
        """Patterns from lines (as in a .gitignore file, without their line breaks).

        ``more``: the source went on after these lines (a file read up to the bound)."""
        patterns: list[_Pattern] = []
        names = _group_names()
        text = 0
        for line in lines:
            text += len(line)
            if text > MAX_PATTERN_TEXT or (len(patterns) >= MAX_PATTERNS and line and line[0] != "#"):
                more = True
                break
            pattern = _parse(line, names)
            if pattern is not None:
                patterns.append(pattern)
        note = None
        if more:
            note = (
                f"not honoured past {len(patterns):,} patterns "
                f"(the limit is {MAX_PATTERNS:,} patterns or {MAX_PATTERN_TEXT // 1024:,} KiB of text per file)"
            )
        return cls(patterns, note)

    @classmethod
    def from_text(cls, text: str, *, more: bool = False) -> IgnorePatterns:
        """Patterns from the text of a .gitignore file: like git, a UTF-8 byte order mark is
        skipped, lines end at "\\n" and a "\\r" before it is dropped. ``more``: the file goes on
        after ``text`` (its last, cut line is left out)."""
        if text.startswith("\ufeff"):
            text = text[1:]
        lines = text.split("\n")
        if more:
            lines.pop()
        return cls.from_lines((line[:-1] if line.endswith("\r") else line for line in lines), more=more)

    def match(self, path: str) -> bool:
        """Whether ``path`` (relative; a trailing "/" marks a directory) is ignored: the last
        pattern matching it, or one of its parent directories, is not a negation."""
        prefilter = self._prefilter
        if prefilter is None:
            return False
        is_dir = path.endswith("/")
        text = path if is_dir else path + "/"
        if prefilter.search(text) is None:
            return False
        path = path.rstrip("/")
        if not path:
            return False
        # git never looks inside an ignored directory, so a directory's verdict binds all
        # below it; directories are decided top-down, each once per object, and only when
        # the prefilter lets their own prefix through.
        end = path.find("/")
        while end >= 0:
            verdict = self._directories.get(path[:end])
            if verdict is None:
                verdict = prefilter.search(text, 0, end + 1) is not None and self._decide(path[:end], True)
            if verdict:
                return True
            end = path.find("/", end + 1)
        return self._decide(path, is_dir)

    def _decide(self, path: str, is_dir: bool) -> bool:
        """The path's own verdict: the last pattern that matches it wins."""
        deciders = self._deciders.get(is_dir)
        if deciders is None:
            deciders = self._deciders[is_dir] = self._compile_deciders(is_dir)
        basename = path[path.rfind("/") + 1 :]
        anchored = path + "/"
        last = -1
        for by_basename, by_path in deciders:
            if by_basename is not None:
                found = by_basename.fullmatch(basename)
                if found is not None:
                    last = int(found.lastgroup[1:])  # type: ignore[index]
            if by_path is not None:
                found = by_path.fullmatch(anchored)
                if found is not None:
                    last = max(last, int(found.lastgroup[1:]))  # type: ignore[index]
            if last >= 0:
                break
        verdict = last >= 0 and not self._patterns[last].negated
        if is_dir:
            if len(self._directories) >= 65_536:  # a bound on memory, not a cache policy
                self._directories.clear()
            self._directories[path] = verdict
        return verdict

    def _compile_deciders(self, is_dir: bool) -> list[tuple[re.Pattern[str] | None, re.Pattern[str] | None]]:
        """Regexes whose alternatives are the patterns from the last to the first, each in a
        group named after its index, so that the first alternative to match is the last
        pattern that matches: patterns without a "/" are matched against the basename,
        anchored ones against the path. In chunks of ``_CHUNK`` patterns, because ``re``
        saves every group's state at each alternative (quadratic in one regex's groups).
        Compiled when a path first gets past the prefilter."""
        deciders = []
        for high in range(len(self._patterns) - 1, -1, -_CHUNK):
            alternatives: dict[bool, list[str]] = {True: [], False: []}
            for index in range(high, max(high - _CHUNK, -1), -1):
                pattern = self._patterns[index]
                if is_dir or not pattern.directory_only:
                    alternatives[pattern.basename].append(f"(?P<p{index}>{pattern.exact})")
            by_basename, by_path = (re.compile("|".join(found)) if found else None for found in alternatives.values())
            deciders.append((by_basename, by_path))
        return deciders


def _unique(sources: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(sources))


def _group_names() -> Iterator[str]:
    return (f"g{n}" for n in count())


# ---------------------------------------------------------------------------- parsing
def _parse(line: str, names: Iterator[str]) -> _Pattern | None:
    """One line as git reads it (``add_patterns_from_buffer`` and ``parse_path_pattern``);
    None for comments, blank lines and patterns that can never match."""
    if not line or line[0] == "#":
        return None
    text = _trim_trailing_spaces(line)
    negated = text.startswith("!")
    if negated:
        text = text[1:]
    directory_only = text.endswith("/")
    if directory_only:
        text = text[:-1]
    basename = "/" not in text
    if not basename and text.startswith("/"):
        text = text[1:]
    if not text:  # "", "!", "/" and "//": git keeps them, and they match no path
        return None
    tokens = _tokens(text)
    if tokens is None:
        return None
    if basename:
        return _Pattern(negated, directory_only, True, _glob(tokens, names), (True, _glob(tokens, None) + "/"))
    items = _items(tokens)
    return _Pattern(negated, directory_only, False, _anchored(items, names), _approximation(items))


def _trim_trailing_spaces(line: str) -> str:
    """git's ``trim_trailing_spaces``: spaces (not tabs) at the end go, unless a backslash
    escapes the first of them."""
    if not line.endswith(" "):
        return line
    stripped = line.rstrip(" ")
    # Count the backslashes before the spaces: an odd number escapes the first space.
    backslashes = len(stripped) - len(stripped.rstrip("\\"))
    return stripped + " " if backslashes % 2 else stripped


def _tokens(text: str) -> list[Token] | None:
    """The wildmatch tokens of a pattern, or None if it can never match (a trailing
    backslash, an unclosed or malformed bracket expression: git's ``WM_ABORT_ALL``)."""
    tokens: list[Token] = []
    i, n = 0, len(text)
    while i < n:
        char = text[i]
        if char == "\\":
            if i + 1 == n:
                return None
            tokens.append(("l", text[i + 1], True))
            i += 2
        elif char == "*":
            j = i + 1
            while j < n and text[j] == "*":
                j += 1
            tokens.append(("*", j - i))
            i = j
        elif char == "?":
            tokens.append(("?",))
            i += 1
        elif char == "[":
            bracket = _bracket(text, i)
            if bracket is None:
                return None
            regex, i = bracket
            tokens.append(("[", regex))
        elif char == "/":
            tokens.append(("l", "/", False))
            i += 1
        else:
            run = _LITERAL_RUN.match(text, i)
            assert run is not None
            tokens.append(("l", run.group(), False))
            i = run.end()
    return tokens


def _set_char(char: str) -> str:
    return f"\\U{ord(char):08x}"


def _member_at(text: str, j: int) -> tuple[str, int] | None:
    """The bracket member character at ``text[j]`` (a backslash escapes the one after it)
    and its index; None when the pattern ends there."""
    if text[j] == "\\":
        j += 1
        if j >= len(text):
            return None
    return text[j], j


def _bracket(text: str, start: int) -> tuple[str, int] | None:
    """The bracket expression at ``text[start]`` ("["), as wildmatch reads it: a "]" right
    after the opening (or after "!"/"^") is a member; "a-z" is a range unless "-" comes first
    or last; a backslash escapes; "[:name:]" is a class. Returns (regex matching one
    character other than "/", index after the closing "]"), or None if it never matches."""
    n = len(text)
    j = start + 1
    negated = j < n and text[j] in "!^"
    if negated:
        j += 1
    members: list[str] = []
    slash = False
    previous: str | None = None  # the last single character, which a "-" may extend
    while True:
        if j >= n:
            return None
        char = text[j]
        if char == "-" and previous is not None and j + 1 < n and text[j + 1] != "]":
            found = _member_at(text, j + 1)
            if found is None:
                return None
            high, j = found
            if previous <= high:  # a reversed range matches nothing, and is no error
                members.append(f"{_set_char(previous)}-{_set_char(high)}")
                slash |= previous <= "/" <= high
            previous = None
        elif char == "[" and j + 1 < n and text[j + 1] == ":":
            close = text.find("]", j + 2)
            if close < 0:
                return None
            if close - (j + 2) - 1 < 0 or text[close - 1] != ":":
                members.append(_set_char("["))  # no ":]": a plain "[" member; ":" comes next
                previous = "["
            else:
                named = _NAMED_CLASSES.get(text[j + 2 : close - 1])
                if named is None:
                    return None
                members.append(named)
                slash |= text[j + 2 : close - 1] in _CLASSES_WITH_SLASH
                previous = None
                j = close
        else:
            found = _member_at(text, j)
            if found is None:
                return None
            char, j = found
            members.append(_set_char(char))
            slash |= char == "/"
            previous = char
        j += 1
        if j < n and text[j] == "]":
            break
    body = "".join(members)
    if negated:
        return f"[^{body}/]", j + 1
    if not body:
        return "(?!)", j + 1
    # Under WM_PATHNAME a bracket expression never matches "/", even one that lists it.
    return (f"(?!/)[{body}]" if slash else f"[{body}]"), j + 1


def _items(tokens: list[Token]) -> list[Segment | None]:
    """An anchored pattern's segments. A segment of two or more stars alone is git's
    special ``**``: zero or more directories before a "/", at least one before an escaped
    "\\/" or at the end (``a/**`` matches inside ``a``, not ``a`` itself)."""
    segments: list[Segment] = [[]]
    escaped_after: list[bool] = []
    for token in tokens:
        if token[0] == "l" and token[1] == "/":
            escaped_after.append(token[2])
            segments.append([])
        else:
            segments[-1].append(token)
    escaped_after.append(True)  # the end behaves like "\/": at least one more segment
    items: list[Segment | None] = []
    for segment, at_least_one in zip(segments, escaped_after, strict=True):
        if len(segment) == 1 and segment[0][0] == "*" and segment[0][1] >= 2:
            if at_least_one:
                items.append([("*", 1)])
            if not items or items[-1] is not _ANY_DIRECTORIES:
                items.append(_ANY_DIRECTORIES)
        else:
            items.append(segment)
    return items


# ---------------------------------------------------------------------------- regexes
def _glob(tokens: Segment, names: Iterator[str] | None) -> str:
    """A regex for one segment (no "/" in it). With ``names``, exact: the blocks between
    stars are placed leftmost and committed. Without, the over-approximation for the
    prefilter: the first and the last block around one star."""
    blocks: list[list[str]] = [[]]
    for token in tokens:
        kind = token[0]
        if kind == "*":
            blocks.append([])
        elif kind == "l":
            blocks[-1].append(re.escape(token[1]))
        elif kind == "?":
            blocks[-1].append("[^/]")
        else:
            blocks[-1].append(token[1])
    if len(blocks) == 1:
        return "".join(blocks[0])
    head, tail = "".join(blocks[0]), "".join(blocks[-1])
    middles = ["".join(block) for block in blocks[1:-1] if block]
    parts = [head]
    if names is not None and middles:
        # The segment must end with the last block: a cheap test before the placements.
        parts.append(f"(?=[^/]*{tail}(?![^/]))")
        for block in middles:
            name = next(names)
            parts.append(f"(?=(?P<{name}>[^/]*?{block}))(?P={name})")
    parts.append("[^/]*" + tail)
    return "".join(parts)


def _runs(items: list[Segment | None]) -> list[list[Segment]]:
    """The runs of segments between the ``**`` of an anchored pattern."""
    runs: list[list[Segment]] = [[]]
    for item in items:
        if item is _ANY_DIRECTORIES:
            runs.append([])
        else:
            runs[-1].append(item)
    return runs


def _run(run: list[Segment], names: Iterator[str] | None) -> str:
    return "".join(_glob(segment, names) + "/" for segment in run)


def _anchored(items: list[Segment | None], names: Iterator[str]) -> str:
    """The exact regex of an anchored pattern, matched against the path with a "/" appended
    (every segment then ends in "/"): runs of segments between two ``**`` placed leftmost and
    committed, the last run anchored at the end."""
    runs = _runs(items)
    if len(runs) == 1:
        return _run(runs[0], names)
    first, *middles, last = runs
    parts = [_run(first, names)]
    for run in middles:
        name = next(names)
        parts.append(f"(?=(?P<{name}>(?:[^/]*/)*?{_run(run, names)}))(?P={name})")
    parts.append("(?:[^/]*/)*" + _run(last, names))
    return "".join(parts)


def _approximation(items: list[Segment | None]) -> tuple[bool, str]:
    """The prefilter's superset of an anchored pattern, searched as a prefix of the path with
    a "/" appended (the pattern may match a parent directory): the first run, one ``**``, and
    the run after it with the most literal characters; what follows is left unchecked. After
    a leading ``**`` the run may start at any segment, which one search over all such
    patterns answers (as for patterns without a "/")."""
    runs = _runs(items)
    if len(runs) == 1:
        return False, _run(runs[0], None)
    best = _run(max(runs[1:], key=_literal_weight), None)
    if not runs[0]:
        return bool(best), best
    return False, _run(runs[0], None) + ("(?:[^/]*/)*" + best if best else "")


def _literal_weight(run: list[Segment]) -> int:
    """How selective a run is for the prefilter: its literal characters, and its segments."""
    return sum(len(token[1]) for segment in run for token in segment if token[0] == "l") * 4 + len(run)
