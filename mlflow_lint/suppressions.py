"""Inline suppression comments: ``# noqa: MLF601`` and ``# noqa: MLF601, MLF7``.

The syntax is flake8's (codes or prefixes, separated by commas or spaces, ``noqa`` in any
case), so one comment works for the CLI and the flake8 plugin and can share a line with
other tools' codes (``# noqa: E501, MLF601``). A comment suppresses a finding when it sits
on the finding's line, or on the first or last line of the multi-line statement the
finding starts in. A bare ``# noqa`` suppresses nothing: see docs/configuration.md, "Suppressing a
finding" for why.

Every source feeds the comments it knows to be comments: Python through ``tokenize`` (a
``"# noqa"`` inside a string is not a comment), notebooks through their virtual module,
other files through a ``line -> comment text`` map (:func:`suppressions_from_comments`) or,
lacking a parser, :func:`suppressions_from_lines`. :func:`apply_suppressions` then filters
one file's findings after the checks ran and, when MLF001 is enabled, reports the
suppressions that suppressed nothing.
"""

from __future__ import annotations

import bisect
import io
import re
import tokenize
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from mlflow_lint.catalog import Catalog
from mlflow_lint.findings import Finding, Waiver

UNUSED_SUPPRESSION = "MLF001"
# Findings no comment can hide: a file that was not analysed says nothing about its lines.
# (MLF001 findings are silenced by naming MLF001 in the comment they report.)
_NEVER_SUPPRESSED = frozenset({"MLF000"})
# flake8's NOQA_INLINE_REGEXP, with any whitespace (also none) between "#" and "noqa".
NOQA = re.compile(r"#\s*noqa(?::[\s]?(?P<codes>([A-Z]+[0-9]+(?:[,\s]+)?)+))?", re.IGNORECASE)
_CODE_SEPARATOR = re.compile(r"[,\s]+")
_OUR_CODE = re.compile(r"^MLF[0-9]+$")  # too many digits: reported as unknown by MLF001
_MAY_HAVE_NOQA = re.compile(r"noqa", re.IGNORECASE)
# The reason after the codes: "-- reason" or ": reason", up to another tool's comment.
_REASON = re.compile(r"\s*(?:--?|:)\s*(?P<reason>.*?)\s*(?:\s#\s.*)?$")  # "#123" is text, "# type:" a comment
# Tokens that neither start nor end a statement.
_LAYOUT = frozenset({tokenize.NL, tokenize.INDENT, tokenize.DEDENT, tokenize.ENCODING, tokenize.ENDMARKER})


@dataclass(frozen=True)
class NoqaComment:
    """One suppression comment. ``codes`` are the MLF codes and prefixes it names, upper
    case and de-duplicated; codes of other tools (``E501``) are left to those tools."""

    line: int  # 1-based
    column: int  # 1-based, characters; where the comment starts (1 when the source does not say)
    text: str  # the comment as written, from its "#"
    codes: tuple[str, ...]
    bare: bool  # a noqa comment with no code at all
    # Why the finding is accepted: the text after "--" or ":" that follows the codes
    # (``# noqa: MLF601 -- offline evaluation of a candidate``); None when not given.
    reason: str | None = None

    @property
    def end_column(self) -> int:
        return self.column + len(self.text)


@dataclass(frozen=True)
class Suppressions:
    """The suppression comments of one source text, and its multi-line statements.

    ``statements`` are the (first line, last line) of every statement spanning more than
    one line, sorted; sources without statements leave it empty, and then a finding's own
    ``line`` and ``end_line`` are the lines a comment may sit on.
    """

    comments: Mapping[int, NoqaComment] = field(default_factory=dict)
    statements: tuple[tuple[int, int], ...] = ()

    def __bool__(self) -> bool:
        return bool(self.comments)

    def lines_for(self, finding: Finding) -> tuple[int, ...]:
        """Where a comment suppressing ``finding`` may be: its line, or the first or last
        line of the statement it starts in."""
        statement = self.statement_at(finding.line)
        if statement is not None:
            return (finding.line, *statement)
        if not self.statements and finding.end_line != finding.line:
            return (finding.line, finding.end_line)
        return (finding.line,)

    def statement_at(self, line: int) -> tuple[int, int] | None:
        index = bisect.bisect_right(self.statements, (line, float("inf"))) - 1
        if index >= 0 and self.statements[index][0] <= line <= self.statements[index][1]:
            return self.statements[index]
        return None


NO_SUPPRESSIONS = Suppressions()


def parse_noqa(comment: str, line: int, column: int = 1) -> NoqaComment | None:
    """The suppression in one comment's text (``# noqa: MLF601``), or None."""
    match = NOQA.search(comment)
    if match is None:
        return None
    raw = match.group("codes")
    if raw is None:
        return NoqaComment(line=line, column=column, text=comment.rstrip("\r\n"), codes=(), bare=True)
    named = (code.upper() for code in _CODE_SEPARATOR.split(raw) if code)
    codes = tuple(dict.fromkeys(code for code in named if _OUR_CODE.match(code)))
    if not codes:
        return None  # another tool's suppression
    text = comment.rstrip("\r\n")
    return NoqaComment(line=line, column=column, text=text, codes=codes, bare=False, reason=noqa_reason(text, match.end()))


def noqa_reason(comment: str, codes_end: int) -> str | None:
    """The reason written after a suppression's codes, or None: ``-- reason``,
    ``: reason`` (and ``- reason``) work (the text after the codes, up to another tool's ``#`` comment)."""
    match = _REASON.match(comment, codes_end)
    if match is None:
        return None
    reason = match.group("reason").strip()
    return reason or None


def suppressions_from_comments(
    comments: Mapping[int, str] | Iterable[tuple[int, str]],
    statements: Iterable[tuple[int, int]] = (),
    columns: Mapping[int, int] | None = None,
) -> Suppressions:
    """From a source's own comments: ``{line: comment text}`` (1-based lines, the text from
    its comment character on). ``statements`` are multi-line constructs a comment on the
    first or last line should cover (a shell command continued with backslashes), and
    ``columns`` the 1-based columns of the comments where known."""
    items = comments.items() if isinstance(comments, Mapping) else comments
    found: dict[int, NoqaComment] = {}
    for line, text in items:
        column = (columns or {}).get(line, 1)
        comment = parse_noqa(text, line, column)
        if comment is not None:
            found[line] = comment
    return Suppressions(found, tuple(sorted(s for s in statements if s[1] > s[0])))


def suppressions_from_lines(lines: Sequence[str], comment_prefix: str = "#") -> Suppressions:
    """For text formats without a parser at hand (YAML, .env, shell, Dockerfile): a comment
    starts at ``comment_prefix`` at the start of a line or after whitespace, outside
    single or double quotes."""
    comments: dict[int, str] = {}
    columns: dict[int, int] = {}
    for number, line in enumerate(lines, start=1):
        if not _MAY_HAVE_NOQA.search(line):
            continue
        start = comment_start(line, comment_prefix)
        if start is not None:
            comments[number] = line[start:]
            columns[number] = start + 1
    return suppressions_from_comments(comments, columns=columns)


def comment_start(line: str, prefix: str) -> int | None:
    """Where a comment starts in one line of a text format (YAML, .env, shell): at
    ``prefix`` at the start or after whitespace, outside quotes; None when there is none."""
    quote = ""
    for index, char in enumerate(line):
        if quote:
            if char == quote:
                quote = ""
        elif char in "\"'":
            quote = char
        elif line.startswith(prefix, index) and (index == 0 or line[index - 1].isspace()):
            return index
    return None


def suppressions_from_tokens(tokens: Iterable[tokenize.TokenInfo]) -> Suppressions:
    """From Python tokens (flake8's ``file_tokens``, or :func:`tokenize.generate_tokens`).

    Only COMMENT tokens count, so ``"# noqa"`` in a string suppresses nothing. A token
    stream that ends in an error (an unterminated bracket) keeps what came before it.
    """
    comments: dict[int, NoqaComment] = {}
    statements: list[tuple[int, int]] = []
    first: int | None = None  # first line of the statement being read
    try:
        for token in tokens:
            kind = token.type
            if kind == tokenize.COMMENT:
                comment = parse_noqa(token.string, token.start[0], token.start[1] + 1)
                if comment is not None:
                    comments[comment.line] = comment
            elif kind == tokenize.NEWLINE:  # ends a statement (NL only ends a physical line)
                if first is not None and token.start[0] > first:
                    statements.append((first, token.start[0]))
                first = None
            elif first is None and kind not in _LAYOUT:
                first = token.start[0]
    except (tokenize.TokenError, SyntaxError):
        pass
    return Suppressions(comments, tuple(statements))


def suppressions_from_python(source: str) -> Suppressions:
    """The suppressions of a Python source text. Text with no ``noqa`` that could be ours
    is not tokenized at all (tokenizing costs about as much as parsing)."""
    if not _MAY_HAVE_NOQA.search(source) or not may_hold_our_noqa(source):
        return NO_SUPPRESSIONS
    return suppressions_from_tokens(tokenize.generate_tokens(io.StringIO(source).readline))


def may_hold_our_noqa(text: str) -> bool:
    """Whether any ``# noqa`` in ``text`` may be ours: a bare one, or one whose codes name an
    MLF code. Code bases silence other tools with ``# noqa: E501`` in most files, and
    ``parse_noqa`` drops such a comment: when every one is of that kind, the text holds
    no suppression. Read on the raw text, strings included: it may only say yes too often
    (a comment's own match is one of these, with at most more codes after it)."""
    for match in NOQA.finditer(text):
        codes = match.group("codes")
        if codes is None or "MLF" in codes.upper():
            return True
    return False


def apply_suppressions(
    findings: list[Finding],
    suppressions: Suppressions,
    enabled: Iterable[str],
    catalog: Catalog,
    path: str | None = None,
    *,
    keep_waived: bool = False,
) -> list[Finding]:
    """One file's findings without the suppressed ones (with ``keep_waived``: the suppressed
    ones too, each marked with the comment that waived it); with MLF001 among the ``enabled``
    rules (the rules that ran on this file), plus one MLF001 finding per code that
    suppressed nothing, per unknown code, and per bare ``# noqa`` on a line with a finding
    it did not suppress. ``path`` is the file's displayed path (for MLF001 findings; by
    default the first finding's)."""
    if not suppressions:
        return findings
    enabled = frozenset(enabled)
    used: set[tuple[int, str]] = set()
    bare_hits: dict[int, list[str]] = {}
    kept: list[Finding] = []
    for finding in findings:
        if finding.rule in _NEVER_SUPPRESSED or finding.rule == UNUSED_SUPPRESSION:
            kept.append(finding)
            continue
        waived_by: NoqaComment | None = None
        for line in dict.fromkeys(suppressions.lines_for(finding)):
            comment = suppressions.comments.get(line)
            if comment is None:
                continue
            for code in comment.codes:
                if finding.rule.startswith(code):
                    used.add((line, code))
                    waived_by = waived_by or comment
            if comment.bare:
                bare_hits.setdefault(line, []).append(finding.rule)
        if waived_by is None:
            kept.append(finding)
        elif keep_waived:
            kept.append(replace(finding, waiver=noqa_waiver(waived_by)))
    if UNUSED_SUPPRESSION not in enabled:
        return kept
    shown = path if path is not None else (findings[0].path if findings else "")
    kept.extend(_unused(suppressions, used, bare_hits, enabled, catalog, shown))
    return kept


def noqa_waiver(comment: NoqaComment) -> Waiver:
    """The waiver a suppression comment grants (its text masked: a comment may quote a secret)."""
    from mlflow_lint.analysis.secrets import mask_secrets

    reason = mask_secrets(comment.reason) if comment.reason is not None else None
    return Waiver("noqa", reason, mask_secrets(comment.text), comment.line)


def _unused(
    suppressions: Suppressions,
    used: set[tuple[int, str]],
    bare_hits: dict[int, list[str]],
    enabled: frozenset[str],
    catalog: Catalog,
    path: str,
) -> list[Finding]:
    rule = catalog[UNUSED_SUPPRESSION]
    reports: list[Finding] = []

    def report(comment: NoqaComment, problem: str) -> None:
        reports.append(
            Finding(
                path=path,
                line=comment.line,
                column=comment.column,
                rule=UNUSED_SUPPRESSION,
                end_line=comment.line,
                end_column=comment.end_column,
                message=rule.format_message({"problem": problem}),
            )
        )

    for line, comment in sorted(suppressions.comments.items()):
        if any(UNUSED_SUPPRESSION.startswith(code) for code in comment.codes):
            continue  # the comment silences MLF001 itself
        for code in comment.codes:
            if (line, code) in used:
                continue
            rules = catalog.matching(code)
            if not rules:
                report(comment, f"names unknown rule code {code} (see `mlflow-lint rules`)")
            elif any(r.id in enabled and r.id not in _NEVER_SUPPRESSED for r in rules):
                report(comment, f"names {code}, but no {code} finding is reported here")
            # Otherwise the rule did not run on this file (not selected, or ignored for
            # it): whether the comment is needed cannot be known, so it is not reported.
        if comment.bare and line in bare_hits:
            codes = ", ".join(dict.fromkeys(bare_hits[line]))
            report(comment, f"is a bare `# noqa`, which does not suppress {codes}: write `# noqa: {codes}`")
    return reports
