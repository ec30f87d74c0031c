"""Templates of manifests and scripts (``start.yml.template``, ``entrypoint.sh.j2``, a Helm
chart's ``templates/*.yaml``) read as what they become: their template expressions stand
for values known only when the template is filled in.

Jinja's and Go's ``{{ expr }}`` on one line becomes a variable reference of the same
length (``${______}``): unknown wherever the file is read, never a literal (a password,
a store URI), and one word to a shell. ``{% ... %}`` and ``{# ... #}`` become spaces:
both branches of an ``if`` are read, which may report what one branch holds, never
hide it. Every other character stays where it was, so positions are the file's own.
"""

from __future__ import annotations

import re

_EXPRESSION = re.compile(r"\{\{[^\n{}]*\}\}")
_STATEMENT = re.compile(r"\{%[^\n]*?%\}|\{#[^\n]*?#\}")
# A line that is one Go template action and nothing else (``{{- if .Values.auth }}``,
# ``{{- include "env" . | nindent 8 }}``, ``{{- end }}``): control flow, or a block of
# lines inserted when the template is rendered. Blank, as ``{% ... %}`` is: a value
# stands after a key, never alone on its line.
_ACTION_LINE = re.compile(r"^[ \t]*\{\{[^\n{}]*\}\}[ \t]*$", re.MULTILINE)


def filled_in(text: str) -> str:
    """``text`` with its template expressions as unknown values (same length, same lines)."""
    if "{" not in text:
        return text
    text = _ACTION_LINE.sub(lambda match: " " * len(match.group()), text)
    text = _EXPRESSION.sub(lambda match: "${" + "_" * (len(match.group()) - 3) + "}", text)
    return _STATEMENT.sub(lambda match: " " * len(match.group()), text)
