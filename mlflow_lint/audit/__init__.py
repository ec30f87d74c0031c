"""The pillar audit: findings plus evidence, scored per governance pillar, as a report.

``build_audit`` lints the paths with the engine (unchanged), gathers evidence from the
same files with the analysis layer (never executing them), scores each pillar and returns
a JSON-ready document; ``render`` turns it into JSON, Markdown or self-contained HTML.
No network and no printing (the CLI owns input and output); libcst only when a gap has an
automatic fix, to show its diff in the register.
"""

from __future__ import annotations

import re
from typing import Any

from mlflow_lint.audit.report import FORMAT, FORMAT_VERSION, AuditInput, build_audit
from mlflow_lint.json_text import dumps_indented

FORMATS = ("html", "markdown", "json")
_SURROGATE = re.compile("[\ud800-\udfff]")
_SUFFIXES = {".html": "html", ".htm": "html", ".md": "markdown", ".markdown": "markdown", ".json": "json"}


def format_for_suffix(suffix: str) -> str | None:
    """The report format an output file name asks for (``report.html`` -> ``html``)."""
    return _SUFFIXES.get(suffix.lower())


def render(document: dict[str, Any], output_format: str) -> str:
    """The document in one of :data:`FORMATS`."""
    if output_format == "json":
        text = dumps_indented(document, end="\n")
        # A file name that is not UTF-8 holds lone surrogates: keep them as \udcxx escapes,
        # so that the file is valid UTF-8 and reads back to the same string.
        return _SURROGATE.sub(lambda match: f"\\u{ord(match.group()):04x}", text)
    if output_format == "markdown":
        from mlflow_lint.audit.markdown import render_markdown

        return render_markdown(document)
    if output_format == "html":
        from mlflow_lint.audit.html import render_html

        return render_html(document)
    raise ValueError(f"unknown audit format {output_format!r}")


__all__ = ["FORMAT", "FORMATS", "FORMAT_VERSION", "AuditInput", "build_audit", "format_for_suffix", "render"]
