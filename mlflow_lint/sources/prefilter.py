"""The cheap text test that decides whether a file is worth parsing at all.

Every rule reads MLflow APIs or MLflow environment variables, so a file that never says
"mlflow" cannot produce a finding. "Says" is judged on what the file *means*, not on its
raw bytes: the analysis decodes a PEP 263 coding declaration (``# coding: utf-7``), string
escapes (``"\\x6dlflow"``, ``\\u006d`` in notebook JSON, YAML and Dockerfile exec forms),
Python's NFKC folding of identifiers (``import ｍｌｆｌｏｗ`` is ``import mlflow``) and
shell quote removal (``ml""flow``). A test on raw bytes alone reported such files clean
while the analysis would have found their problems.

The fast path is unchanged: a byte search. Only a file whose bytes could hide the word
(escapes, quotes, non-ASCII bytes, a coding declaration) pays for the slower look at its
decoded text, and that look over-approximates: it may send a file to the parser that
holds nothing, never the reverse.
"""  # noqa: RUF002 - the fullwidth letters above are the example, on purpose

from __future__ import annotations

import codecs
import re
import unicodedata
from pathlib import Path

from mlflow_lint.sources.encoding import decode_text

_MENTION = re.compile(rb"mlflow", re.IGNORECASE)
_GATEWAY_ENDPOINT = b"llm/v1/"
_NOQA_MLF = re.compile(rb"noqa.*MLF", re.IGNORECASE)
# Characters quote removal deletes in shell-like sources (ml""flow, ml'f'low, m\lflow).
_QUOTES = b"\"'`\\"
# Bytes after which the decoded text may say more than the raw bytes: an escape that
# spells a character, a non-ASCII byte (another codec, a fullwidth letter NFKC folds),
# or a coding declaration.
_MAY_HIDE = re.compile(rb"\\(?:[xuUN0-7\r]|$)|[\x80-\xff]|coding[:=]", re.MULTILINE)
_COOKIE = re.compile(rb"^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)")
_CONTINUATION = re.compile(r"\\\r?\n")
_DROP_QUOTES = {ord(c): None for c in "\"'`\\"}
_ESCAPE = re.compile(r"\\(?:x([0-9a-fA-F]{2})|u([0-9a-fA-F]{4})|U([0-9a-fA-F]{8})|N\{([^}]{1,80})\}|([0-7]{1,3}))")


def revealed_text(data: bytes) -> str | None:
    """The text a file means, folded for searching (escapes decoded, NFKC, quotes and
    backslashes removed, case folded), or None when its bytes cannot hide anything a
    byte search would miss."""
    if not _MAY_HIDE.search(data):
        return None
    return _fold(_decode(data))


def may_mention_mlflow(data: bytes) -> bool:
    """Whether a file may say "mlflow" in any case, spelled out or encoded, or is an MLflow
    AI-gateway configuration (its endpoints say ``endpoint_type: llm/v1/...``, never the
    word "mlflow")."""
    if _MENTION.search(data) or _MENTION.search(data.translate(None, _QUOTES)) or _GATEWAY_ENDPOINT in data:
        return True
    revealed = revealed_text(data)
    return revealed is not None and "mlflow" in revealed


# How much of a file over the analysis limit is searched for the word before it is reported
# as too large: past this, it is reported whatever it says (reading gigabytes to find out
# costs more than the finding).
_MAX_SEARCHED_BYTES = 256_000_000
_CHUNK = 4_000_000


def file_may_mention_mlflow(path: str, head: bytes) -> bool:
    """:func:`may_mention_mlflow` for a file too large to analyse, of which ``head`` was
    read: the rest is searched in chunks (overlapping, so a word across two is found),
    up to :data:`_MAX_SEARCHED_BYTES`; a file larger, or unreadable, may mention it."""
    if may_mention_mlflow(head):
        return True
    try:
        with open(path, "rb") as handle:
            handle.seek(len(head))
            tail = head[-64:]
            searched = len(head)
            while True:
                chunk = handle.read(_CHUNK)
                if not chunk:
                    return False
                if may_mention_mlflow(tail + chunk):
                    return True
                searched += len(chunk)
                if searched > _MAX_SEARCHED_BYTES:
                    return True
                tail = chunk[-64:]
    except OSError:
        return True


def searched_text(path: Path | str, data: bytes) -> bytes:
    """What the prefilter searches of a file: a notebook's code cells, whose outputs and
    markdown never count (a pip log that lists mlflow is no use of it, and megabytes of
    escaped outputs cost more to search than the cells to read); any other file's bytes.
    A notebook that cannot be read is searched whole, so that the analysis says why a
    notebook that uses MLflow cannot be read, and no other."""
    from mlflow_lint.sources import source_kind

    if source_kind(path) != "notebook":
        return data
    code = notebook_code(data)
    return data if code is None else code


def notebook_code(data: bytes) -> bytes | None:
    """A notebook's code cells, one text (lone surrogates a JSON escape made kept as they
    are); None when it is not a readable notebook. What the text searches read of a
    notebook: the prefilter, the project facts' test, the caller searches."""
    from mlflow_lint.sources.notebook import CorruptNotebook, read_ipynb

    try:
        cells = read_ipynb(data)
    except CorruptNotebook:
        return None
    return "\n".join(line for cell in cells for line in cell.lines).encode("utf-8", "surrogatepass")


def text_may_mention_mlflow(text: str) -> bool:
    """:func:`may_mention_mlflow` for text already decoded (the flake8 plugin's lines)."""
    return "mlflow" in _fold(text)


def _fold(text: str) -> str:
    if "\\" in text:
        text = _CONTINUATION.sub("", text)  # a shell word continued on the next line: ml\<newline>flow
        text = _ESCAPE.sub(_unescape, text)
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text)
    return text.translate(_DROP_QUOTES).casefold()


def may_hold_noqa(data: bytes) -> bool:
    """Whether a file may hold a ``# noqa: MLF...`` comment (read when MLF001 is on)."""
    return _NOQA_MLF.search(data) is not None


def _decode(data: bytes) -> str:
    """The bytes as text: a declared coding of the first two lines (as Python reads a
    source), else what a byte-order mark names (a UTF-16 ``.env`` PowerShell wrote), else
    UTF-8; undecodable bytes never stop the search."""
    for line in data.splitlines()[:2]:
        cookie = _COOKIE.match(line)
        if cookie is not None:
            try:
                return data.decode(codecs.lookup(cookie.group(1).decode("ascii")).name, "replace")
            except (LookupError, UnicodeError, ValueError):
                break
    return decode_text(data, "replace")


def _unescape(match: re.Match[str]) -> str:
    hex2, hex4, hex8, name, octal = match.groups()
    try:
        if name is not None:
            return unicodedata.lookup(name)
        code = int(hex2 or hex4 or hex8, 16) if octal is None else int(octal, 8)
        return chr(code)
    except (KeyError, ValueError, OverflowError):
        return match.group()
