"""How file paths are shown in findings, and read back into the file they name.

A finding's ``path`` is text every report can carry: POSIX, relative to the working
directory when below it. A file name is bytes, though, and may not be UTF-8; Python
holds such a name with surrogate escapes, which no UTF-8 output can print. So a name's
undecodable bytes are shown as ``\\xff`` and a backslash that is part of the name as
``\\\\``: the shown path stays readable and maps back to exactly one file
(:func:`file_named`), which is how ``--diff``, ``--fix`` and SARIF URIs find it.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

_SHOWN_ESCAPE = re.compile(r"\\(\\|x[89a-f][0-9a-f])")


def display_path(path: Path | str, cwd: Path) -> str:
    """POSIX path relative to ``cwd`` when below it, else absolute; always valid text."""
    normalised = os.path.normpath(os.path.join(cwd, path))  # an absolute path stays itself
    base = str(cwd)
    if normalised == base:
        shown = "."
    elif normalised.startswith(base.rstrip(os.sep) + os.sep):
        shown = normalised[len(base.rstrip(os.sep)) + 1 :]
    else:
        shown = normalised
    # Windows separators are shown as "/"; a backslash in a POSIX name is the name's own.
    shown = shown.replace(os.sep, "/") if os.sep == "\\" else shown.replace("\\", "\\\\")
    return shown.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def file_named(shown: str) -> str:
    """The name (surrogate escapes for undecodable bytes) a shown path stands for."""
    if "\\" not in shown or os.sep == "\\":
        return shown
    return _SHOWN_ESCAPE.sub(lambda match: "\\" if match.group(1) == "\\" else chr(0xDC00 + int(match.group(1)[1:], 16)), shown)


def file_path(shown: str, cwd: Path) -> Path:
    """The file a finding's path names (relative to ``cwd`` unless absolute)."""
    return cwd / file_named(shown)
