"""The pygls wiring: LSP messages to the session's lints, diagnostics, actions and hovers.

Capabilities: text document sync (incremental; open, change, save, close) for Python,
YAML, ``.env``, shell scripts, Dockerfiles and the other files ``check`` reads; notebook
document sync (LSP 3.17) for Jupyter notebooks, whose code cells are linted as one module
and whose diagnostics are published per cell; push diagnostics; code actions (quick
fixes, ``source.fixAll.mlflow-lint``); hover. Watched-file events (registered when the
client allows it) and saves make the project be read from disk again.

Every handler is guarded: a failure is logged as one line and answered with nothing, the
session goes on, and no traceback reaches the editor.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import unquote

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.uris import to_fs_path

from mlflow_lint import __version__
from mlflow_lint.lsp.code_actions import FIX_ALL, code_actions
from mlflow_lint.lsp.diagnostics import ClientSupport, Positions, client_support, diagnostics_by_uri, locate
from mlflow_lint.lsp.documents import PYTHON_LANGUAGE, CellText, Snapshot, kind_of
from mlflow_lint.lsp.hover import code_in_comment, render, rules_at
from mlflow_lint.lsp.linting import DocumentLinter, LintOutcome
from mlflow_lint.lsp.scheduler import LintScheduler
from mlflow_lint.lsp.settings import ServerSettings, read_settings

logger = logging.getLogger("mlflow_lint.lsp")
T = TypeVar("T")

# Files whose change on disk can change a finding elsewhere: modules other files import,
# configurations, and what declares the MLflow release or the project's tracking URIs.
WATCHED = ("**/*.py", "**/*.ipynb", "**/*.toml", "**/*.yaml", "**/*.yml", "**/*.cfg", "**/requirements*.txt", "**/.env*")


class Session:
    """The server's state: settings, open documents' last results, the linter and its worker."""

    def __init__(self, server: LanguageServer) -> None:
        self.server = server
        self.settings = ServerSettings()
        self.setting_problems: list[str] = []
        self.folders: list[Path] = []
        self.linter = DocumentLinter(lambda: self.folders)
        self.scheduler = LintScheduler(self.linter.lint, self.snapshot_of, self.publish)
        self.results: dict[str, LintOutcome] = {}  # key -> the outcome last published
        self._published: dict[str, set[str]] = {}  # key -> the URIs given diagnostics
        self._remembered: dict[str, tuple[int | None, dict[Any, Any]]] = {}  # key -> (version, edits)
        self._shown_problems: set[str] = set()
        self.diagnostic_support = ClientSupport()
        self.document_changes = False
        self.snippet_edits = False
        self.markdown_hover = True
        self.watching: asyncio.Future[None] | None = None  # the file-watching registration, while it runs

    # -- documents ---------------------------------------------------------------------
    def units(self, text: str) -> int:
        """How many of the client's position units ``text`` takes (UTF-16 by default)."""
        units: int = self.server.workspace.position_codec.client_num_units(text)
        return units

    def key_of(self, uri: str) -> str:
        """The document a URI's diagnostics belong to: a cell's notebook, else itself."""
        notebook = self.server.workspace.get_notebook_document(cell_uri=uri)
        return notebook.uri if notebook is not None else uri

    def snapshot_of(self, key: str) -> Snapshot | None:
        """The open document or notebook ``key`` as it is now (None: closed, not a file,
        or not a kind of file mlflow-lint reads)."""
        workspace = self.server.workspace
        notebook = workspace.get_notebook_document(notebook_uri=key)
        if notebook is not None:
            path = to_fs_path(notebook.uri)
            if path is None:
                return None
            cells = []
            for cell in notebook.cells:
                document = workspace.text_documents.get(unquote(cell.document))
                language = document.language_id if document is not None else None
                code = cell.kind == types.NotebookCellKind.Code and language in (None, PYTHON_LANGUAGE)
                text = document.source if document is not None else ""
                cells.append(CellText(cell.document, text, document.version if document is not None else None, code))
            return Snapshot(key, notebook.version, Path(path), "notebook", cells=tuple(cells))
        document = workspace.text_documents.get(unquote(key))
        path = to_fs_path(key) if document is not None else None
        if document is None or path is None:
            return None
        kind = kind_of(Path(path), document.language_id, document.source)
        if kind is None:
            return None
        return Snapshot(key, document.version, Path(path), kind, document.source)

    def open_keys(self) -> list[str]:
        workspace = self.server.workspace
        cells = {cell.document for notebook in workspace.notebook_documents.values() for cell in notebook.cells}
        texts = [document.uri for document in workspace.text_documents.values() if document.uri not in cells]
        return texts + [notebook.uri for notebook in workspace.notebook_documents.values()]

    def changed(self, key: str, version: int | None, delay: float | None) -> None:
        """Document ``key`` is now at ``version``: lint it after ``delay`` (None: not now)."""
        self.scheduler.note_version(key, version)
        self._remembered.pop(key, None)
        if delay is not None:
            self.scheduler.schedule(key, delay)

    def closed(self, key: str, uris: list[str]) -> None:
        self.scheduler.forget(key)
        self.results.pop(key, None)
        self._remembered.pop(key, None)
        for uri in self._published.pop(key, set()) | set(uris):
            self.server.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))
        # The closed buffer may be unsaved: what other files read of it must come from disk.
        self.scheduler.submit(self.linter.forget)

    def edited(self, key: str, version: int | None) -> None:
        """An edit of an open document: linted after the debounce, or on save only."""
        self.changed(key, version, self.settings.debounce_seconds if self.settings.lint_on_change else None)

    def saved(self, key: str) -> None:
        """A save: what other documents read of it changed on disk; it is linted now."""
        self.disk_changed(except_key=key)
        self.scheduler.schedule(key, 0)

    def disk_changed(self, except_key: str | None = None) -> None:
        """Files changed on disk: read the project again, lint every open document."""
        self.scheduler.submit(self.linter.forget)
        for key in self.open_keys():
            if key != except_key:
                self.scheduler.schedule(key, self.settings.debounce_seconds)

    # -- results -----------------------------------------------------------------------
    def publish(self, outcome: LintOutcome) -> None:
        key = outcome.snapshot.uri
        self.results[key] = outcome
        remembered = self._remembered.get(key)
        if remembered is not None and remembered[0] != outcome.snapshot.version:
            del self._remembered[key]
        if outcome.note and outcome.note.startswith("invalid mlflow-lint configuration") and outcome.note not in self._shown_problems:
            self._shown_problems.add(outcome.note)
            self.show(types.MessageType.Error, f"mlflow-lint: {outcome.note}")
        published = diagnostics_by_uri(outcome, self.linter.catalog, self.units, self.diagnostic_support)
        for uri in self._published.get(key, set()) - set(published):  # cells no longer in the notebook
            self.server.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))
        self._published[key] = set(published)
        for uri, diagnostics in published.items():
            version = outcome.snapshot.version if uri == key else None
            self.server.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=diagnostics, version=version))

    async def current_outcome(self, snapshot: Snapshot) -> LintOutcome | None:
        """The findings of ``snapshot``'s version: the published ones, else those of the
        lint already under way for it (never an extra lint per keystroke), else a lint now."""
        key = snapshot.uri
        outcome = self.results.get(key)
        if outcome is None or outcome.snapshot.version != snapshot.version:
            pending = self.scheduler.pending(key)
            if pending is not None:
                await asyncio.wait([pending])  # not cancelled with this request: typing goes on
            else:
                fresh = await self.scheduler.lint_now(snapshot)
                if fresh is not None and self.scheduler.current(key, snapshot.version):
                    self.publish(fresh)
            outcome = self.results.get(key)
        return outcome if outcome is not None and outcome.snapshot.version == snapshot.version else None

    async def remembered(self, snapshot: Snapshot, what: Any, function: Callable[..., T], *args: Any) -> T | None:
        """``function(*args)`` on the worker, once per document version (an edit offered
        on every cursor move is computed once)."""
        version, known = self._remembered.get(snapshot.uri, (None, {}))
        if version != snapshot.version or snapshot.uri not in self._remembered:
            known = {}
            self._remembered[snapshot.uri] = (snapshot.version, known)
        if what in known:
            return known[what]  # type: ignore[no-any-return]
        result = await self.scheduler.call(_quietly, function, *args)
        if self.scheduler.current(snapshot.uri, snapshot.version):
            known[what] = result
        return result

    # -- messages to the user ------------------------------------------------------------
    def show(self, kind: types.MessageType, message: str) -> None:
        self.server.window_show_message(types.ShowMessageParams(type=kind, message=message))

    def log(self, kind: types.MessageType, message: str) -> None:
        self.server.window_log_message(types.LogMessageParams(type=kind, message=message))


def _quietly(function: Callable[..., T], *args: Any) -> T | None:
    """On the worker: a failure is one logged line and no result, never a dead worker."""
    try:
        return function(*args)
    except Exception as exc:  # noqa: BLE001 - no traceback reaches the editor
        logger.error("mlflow-lint: %s failed: %s: %s", getattr(function, "__name__", "a job"), exc.__class__.__name__, exc)
        return None


def _guarded(session: Session, handler: Callable[..., Any]) -> Callable[..., Any]:
    """``handler`` that logs a failure as one line instead of raising into pygls (which
    would send the traceback to the client)."""
    name = handler.__name__

    def report(exc: Exception) -> None:
        message = f"mlflow-lint: internal error in {name}: {exc.__class__.__name__}: {exc}"
        logger.error("%s", message)
        with contextlib.suppress(Exception):  # the client may be gone
            session.log(types.MessageType.Error, message)

    if asyncio.iscoroutinefunction(handler):

        @functools.wraps(handler)
        async def guarded_async(params: Any) -> Any:
            try:
                return await handler(params)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001
                report(exc)
                return None

        return guarded_async

    @functools.wraps(handler)
    def guarded(params: Any) -> Any:
        try:
            return handler(params)
        except Exception as exc:  # noqa: BLE001
            report(exc)
            return None

    return guarded


def build_server() -> LanguageServer:
    """A language server with every feature registered (not started)."""
    server = LanguageServer(
        "mlflow-lint",
        __version__,
        text_document_sync_kind=types.TextDocumentSyncKind.Incremental,
        notebook_document_sync=types.NotebookDocumentSyncOptions(
            notebook_selector=[
                types.NotebookDocumentFilterWithCells(notebook="*", cells=[types.NotebookCellLanguage(language=PYTHON_LANGUAGE)])
            ],
            save=True,
        ),
    )
    session = Session(server)

    def feature(method: str, options: Any = None) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        def register(handler: Callable[..., Any]) -> Callable[..., Any]:
            server.feature(method, options)(_guarded(session, handler))
            return handler

        return register

    @feature(types.INITIALIZE)
    def initialize(params: types.InitializeParams) -> None:
        session.settings, session.setting_problems = read_settings(params.initialization_options)
        capabilities = params.capabilities
        session.diagnostic_support = client_support(capabilities)
        edit = capabilities.workspace.workspace_edit if capabilities.workspace else None
        session.document_changes = bool(edit and edit.document_changes)
        session.snippet_edits = session.document_changes and bool(edit and edit.snippet_edit_support)
        hover = capabilities.text_document.hover if capabilities.text_document else None
        formats = hover.content_format if hover is not None else None
        session.markdown_hover = formats is None or types.MarkupKind.Markdown in formats
        session.folders = _folders(params.workspace_folders, params.root_uri, params.root_path)

    @feature(types.INITIALIZED)
    def initialized(params: types.InitializedParams) -> None:
        session.scheduler.submit(session.linter.warm_up)  # while the client opens documents
        for problem in session.setting_problems:
            session.show(types.MessageType.Warning, f"mlflow-lint: {problem}")
        capabilities = server.client_capabilities.workspace
        watched = capabilities.did_change_watched_files if capabilities else None
        if watched is not None and watched.dynamic_registration:
            session.watching = asyncio.ensure_future(_watch_files(session))  # kept: a task nobody holds may be collected

    @feature(types.SHUTDOWN)
    def shutdown(params: None) -> None:
        session.scheduler.close()

    @feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(params: types.DidOpenTextDocumentParams) -> None:
        session.changed(params.text_document.uri, params.text_document.version, 0)

    @feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(params: types.DidChangeTextDocumentParams) -> None:
        session.edited(params.text_document.uri, params.text_document.version)

    @feature(types.TEXT_DOCUMENT_DID_SAVE)
    def did_save(params: types.DidSaveTextDocumentParams) -> None:
        session.saved(params.text_document.uri)

    @feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(params: types.DidCloseTextDocumentParams) -> None:
        session.closed(params.text_document.uri, [params.text_document.uri])

    @feature(types.NOTEBOOK_DOCUMENT_DID_OPEN)
    def notebook_open(params: types.DidOpenNotebookDocumentParams) -> None:
        session.changed(params.notebook_document.uri, params.notebook_document.version, 0)

    @feature(types.NOTEBOOK_DOCUMENT_DID_CHANGE)
    def notebook_change(params: types.DidChangeNotebookDocumentParams) -> None:
        session.edited(params.notebook_document.uri, params.notebook_document.version)

    @feature(types.NOTEBOOK_DOCUMENT_DID_SAVE)
    def notebook_save(params: types.DidSaveNotebookDocumentParams) -> None:
        session.saved(params.notebook_document.uri)

    @feature(types.NOTEBOOK_DOCUMENT_DID_CLOSE)
    def notebook_close(params: types.DidCloseNotebookDocumentParams) -> None:
        session.closed(params.notebook_document.uri, [cell.uri for cell in params.cell_text_documents])

    @feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    def watched_files(params: types.DidChangeWatchedFilesParams) -> None:
        session.disk_changed()

    @feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)
    def configuration_changed(params: types.DidChangeConfigurationParams) -> None:
        """Nothing to do: the rules' settings are in the project's files (Neovim sends this
        after initializing; without a handler pygls would log it as unknown)."""

    @feature(types.WORKSPACE_DID_CHANGE_WORKSPACE_FOLDERS)
    def folders_changed(params: types.DidChangeWorkspaceFoldersParams) -> None:
        session.folders = _folders(list(server.workspace.folders.values()), None, None)
        session.disk_changed()

    @feature(types.TEXT_DOCUMENT_CODE_ACTION, types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix, FIX_ALL]))
    async def code_action(params: types.CodeActionParams) -> list[types.CodeAction] | None:
        return await code_actions(session, params)

    @feature(types.TEXT_DOCUMENT_HOVER)
    async def hover(params: types.HoverParams) -> types.Hover | None:
        return await _hover(session, params)

    return server


async def _hover(session: Session, params: types.HoverParams) -> types.Hover | None:
    uri = params.text_document.uri
    snapshot = session.snapshot_of(session.key_of(uri))
    text = snapshot.text_of(uri) if snapshot is not None else None
    if snapshot is None or text is None:
        return None
    positions = Positions(text, session.units)
    place = positions.place(params.position)
    catalog = session.linter.catalog
    outcome = await session.current_outcome(snapshot)
    found = rules_at([item for item in locate(outcome) if item.uri == uri], place, catalog) if outcome is not None else []
    if found:
        first = found[0][1]
        where = positions.range(first.start, first.end)
        rules = [rule for rule, _ in found]
    else:
        line = positions.lines[place[0]] if place[0] < len(positions.lines) else ""
        named = code_in_comment(line, place[1], catalog)
        if named is None:
            return None
        rule, start, end = named
        where = positions.range((place[0], start), (place[0], end))
        rules = [rule]
    kind = types.MarkupKind.Markdown if session.markdown_hover else types.MarkupKind.PlainText
    return types.Hover(contents=types.MarkupContent(kind=kind, value=render(rules, session.markdown_hover)), range=where)


async def _watch_files(session: Session) -> None:
    try:
        await session.server.client_register_capability_async(
            types.RegistrationParams(
                registrations=[
                    types.Registration(
                        id="mlflow-lint-watched-files",
                        method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
                        register_options=types.DidChangeWatchedFilesRegistrationOptions(
                            watchers=[types.FileSystemWatcher(glob_pattern=pattern) for pattern in WATCHED]
                        ),
                    )
                ]
            )
        )
    except Exception as exc:  # noqa: BLE001 - saves still refresh the project
        session.log(types.MessageType.Warning, f"mlflow-lint: could not watch files ({exc.__class__.__name__}: {exc}); saving a file refreshes the project")


def _folders(folders: Any, root_uri: str | None, root_path: str | None) -> list[Path]:
    uris = [folder.uri for folder in folders or []] or ([root_uri] if root_uri else [])
    paths = [Path(path).resolve() for path in (to_fs_path(uri) for uri in uris) if path]
    if not paths and root_path:
        paths = [Path(root_path).resolve()]
    return paths


class _OneLine(logging.Formatter):
    """Log records as one line each, without tracebacks: the editor's server log is for
    people, and a traceback is not what they should read there."""

    def format(self, record: logging.LogRecord) -> str:
        record.exc_info = None
        record.exc_text = None
        record.stack_info = None
        text = super().format(record)
        # pygls writes some tracebacks into the message itself (a malformed message).
        text = text.split("Traceback (most recent call last)", 1)[0].rstrip()
        return text.replace("\n", " | ")


def serve() -> None:
    """Run the server on standard input and output until the client ends the session."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_OneLine("%(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(level=logging.WARNING, handlers=[handler], force=True)
    # pygls warns about routine events (a cancelled request that was already answered).
    logging.getLogger("pygls").setLevel(logging.ERROR)
    build_server().start_io()


__all__ = ["Session", "build_server", "serve"]
