"""The language server, ``mlflow-lint server``: diagnostics, fixes and suppressions in editors.

One module per job: :mod:`.documents` (what an open document is), :mod:`.linting` (the
engine on one document, with the configuration nearest it), :mod:`.scheduler` (debounced
lints on one worker thread), :mod:`.diagnostics` (findings to LSP diagnostics),
:mod:`.edits` / :mod:`.noqa` / :mod:`.fixes` / :mod:`.code_actions` (quick fixes),
:mod:`.hover`, :mod:`.settings` (``initializationOptions``) and :mod:`.server` (the pygls
wiring). Only the last few import pygls and lsprotocol (the ``lsp`` extra); importing
this package imports neither, so the CLI can say what is missing.
"""

from __future__ import annotations

INSTALL_HINT = "install mlflow-lint[lsp] (pip install 'mlflow-lint[lsp]')"


def missing_dependency() -> str | None:
    """Why the server cannot start (pygls 2 or lsprotocol missing), or None when it can."""
    try:
        import lsprotocol.types  # noqa: F401
        import pygls.lsp.server  # noqa: F401 - pygls 1 has no pygls.lsp.server
    except ImportError as exc:
        missing = exc.name or "pygls"
        return f"the language server needs pygls 2 and lsprotocol ({missing} cannot be imported): {INSTALL_HINT}"
    return None
