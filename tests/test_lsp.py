"""The language server end to end: ``mlflow-lint server`` in a subprocess, driven by a real
LSP client (pytest-lsp) that announces VS Code's capabilities (UTF-16 positions,
versioned document changes, Markdown hover)."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

pytest_lsp = pytest.importorskip("pytest_lsp")

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from lsprotocol import types  # noqa: E402
from pygls.protocol import default_converter  # noqa: E402
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities  # noqa: E402
from pytest_lsp.client import DEFAULT_CLIENT_FEATURES, register_lsp_features  # noqa: E402

from mlflow_lint.catalog import load_catalog  # noqa: E402
from mlflow_lint.lsp.edits import apply_changes, changes_between, describe  # noqa: E402
from mlflow_lint.lsp.noqa import suppression  # noqa: E402
from mlflow_lint.reporters.rules_report import explain  # noqa: E402

from .conftest import FIXTURES  # noqa: E402

SERVER = [sys.executable, "-m", "mlflow_lint", "server"]
CATALOG = load_catalog()
TIMEOUT = 30.0

TRAIN = 'import mlflow\n\nmlflow.set_tracking_uri("./mlruns")\nmodel = mlflow.pyfunc.load_model("runs:/abc/model")  # noqa: E501\n'
COMPOSE = textwrap.dedent(
    """\
    services:
      mlflow:
        image: ghcr.io/mlflow/mlflow
        command: mlflow server --host 0.0.0.0 --backend-store-uri sqlite:///mlflow.db
        environment:
          MLFLOW_TRACKING_URI: ./mlruns
        ports: ["5000:5000"]
    """
)
TAGS = 'import os\n\nimport mlflow\n\nwith mlflow.start_run(tags={"git_commit": os.environ.get("GIT_COMMIT")}):\n    pass\n'


class RecordingClient(LanguageClient):
    """pytest-lsp's client, also keeping every publishDiagnostics in arrival order."""

    published: list[types.PublishDiagnosticsParams]


def recording_client() -> RecordingClient:
    client = RecordingClient(converter_factory=default_converter)
    client.published = []
    register_lsp_features(client, {m: f for m, f in DEFAULT_CLIENT_FEATURES.items() if m != types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS})

    @client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    def record(ls: RecordingClient, params: types.PublishDiagnosticsParams) -> None:
        ls.published.append(params)
        ls.diagnostics[params.uri] = params.diagnostics

    @client.feature(types.CLIENT_REGISTER_CAPABILITY)
    def register(ls: RecordingClient, params: types.RegistrationParams) -> None:
        ls.registrations = [*getattr(ls, "registrations", []), *params.registrations]

    return client


def vscode_capabilities() -> types.ClientCapabilities:
    """VS Code's capabilities as pytest-lsp records them (1.65), with what later releases
    added that the server uses: notebook documents (1.67) and snippet edits."""
    capabilities = client_capabilities("visual-studio-code")
    capabilities.notebook_document = types.NotebookDocumentClientCapabilities(
        synchronization=types.NotebookDocumentSyncClientCapabilities(dynamic_registration=True)
    )
    assert capabilities.workspace is not None and capabilities.workspace.workspace_edit is not None
    capabilities.workspace.workspace_edit.snippet_edit_support = True
    return capabilities


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("lsp-project")
    (root / ".git").mkdir()
    (root / "train.py").write_text(TRAIN)
    (root / "model.py").write_text((FIXTURES / "fixes" / "mlflow3_artifact_path.before.py").read_text())
    (root / "tags.py").write_text(TAGS)
    (root / "deploy").mkdir()
    (root / "deploy" / "compose.yaml").write_text(COMPOSE)
    (root / "Dockerfile").write_text("FROM python:3.12\nRUN mlflow server --host 0.0.0.0 --backend-store-uri postgresql://db/mlflow\n")
    (root / "tests").mkdir()
    (root / "tests" / "test_train.py").write_text(TRAIN)
    (root / "broken.py").write_text("import mlflow\n\ndef train(:\n    mlflow.start_run()\n")
    (root / "bad").mkdir()
    (root / "bad" / ".mlflow-lint.yaml").write_text("selekt: [MLF1]\n")
    (root / "bad" / "job.py").write_text(TRAIN)
    return root


def uri(path: Path) -> str:
    return path.as_uri()


def initialize_params(root: Path, options: Any = None) -> types.InitializeParams:
    return types.InitializeParams(
        capabilities=vscode_capabilities(),
        workspace_folders=[types.WorkspaceFolder(uri=uri(root), name="project")],
        initialization_options=options,
    )


@pytest_lsp.fixture(scope="module", config=ClientServerConfig(server_command=SERVER, client_factory=recording_client))
async def client(lsp_client: RecordingClient, project: Path):  # type: ignore[no-untyped-def]
    await lsp_client.initialize_session(initialize_params(project, {"debounceMs": 100}))
    yield
    await lsp_client.shutdown_session()


async def published(client: RecordingClient, target: str, version: int | None = None, since: int = 0) -> types.PublishDiagnosticsParams:
    """The first diagnostics published for ``target`` (at ``version``, if given) after
    the ``since``-th publication."""
    deadline = asyncio.get_running_loop().time() + TIMEOUT
    while True:
        for params in client.published[since:]:
            if params.uri == target and (version is None or params.version == version):
                return params
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"no diagnostics for {target} (version {version}): {[(p.uri, p.version) for p in client.published]}")
        await asyncio.sleep(0.02)


def open_document(client: RecordingClient, path: Path, language: str, text: str | None = None, version: int = 1) -> str:
    document_uri = uri(path)
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(uri=document_uri, language_id=language, version=version, text=text if text is not None else path.read_text())
        )
    )
    return document_uri


def ensure_open(client: RecordingClient, path: Path) -> str:
    """Open ``path`` at version 1 unless an earlier test did (tests may run alone)."""
    document_uri = uri(path)
    if document_uri not in getattr(client, "opened", set()):
        client.opened = {*getattr(client, "opened", set()), document_uri}  # type: ignore[attr-defined]
        open_document(client, path, "python")
    return document_uri


def replace_all(client: RecordingClient, document_uri: str, version: int, text: str) -> None:
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=document_uri, version=version),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)],
        )
    )


def summary(diagnostics: Any) -> list[tuple[str | int | None, int, int, int, int]]:
    return sorted((d.code, d.range.start.line, d.range.start.character, d.range.end.line, d.range.end.character) for d in diagnostics)


def apply_edit(text: str, edits: list[types.TextEdit]) -> str:
    """Apply LSP text edits (UTF-16 positions on ASCII text: characters) to ``text``."""
    lines = text.splitlines(keepends=True)
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))

    def offset(position: types.Position) -> int:
        return starts[min(position.line, len(lines))] + position.character

    for edit in sorted(edits, key=lambda e: (e.range.start.line, e.range.start.character), reverse=True):
        text = text[: offset(edit.range.start)] + edit.new_text + text[offset(edit.range.end) :]
    return text


def edits_of(action: types.CodeAction, document_uri: str) -> list[types.TextEdit]:
    assert action.edit is not None and action.edit.document_changes, action
    found = [change for change in action.edit.document_changes if isinstance(change, types.TextDocumentEdit) and change.text_document.uri == document_uri]
    assert len(found) == 1, action.edit
    return list(found[0].edits)  # type: ignore[arg-type]


async def actions_for(client: RecordingClient, document_uri: str, diagnostic: types.Diagnostic, only: list[str] | None = None) -> list[types.CodeAction]:
    result = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=document_uri),
            range=diagnostic.range,
            context=types.CodeActionContext(diagnostics=[diagnostic], only=only),
        )
    )
    return [action for action in result or [] if isinstance(action, types.CodeAction)]


@pytest.mark.integration
@pytest.mark.asyncio(loop_scope="module")
async def test_initialize_announces_what_the_server_does(client: RecordingClient) -> None:
    # The fixture's initialize result is not kept: ask pygls' view of it from a new server.
    capabilities = await _capabilities()
    assert capabilities.hover_provider
    assert isinstance(capabilities.code_action_provider, types.CodeActionOptions)
    assert set(capabilities.code_action_provider.code_action_kinds or ()) == {"quickfix", "source.fixAll.mlflow-lint"}
    sync = capabilities.text_document_sync
    assert isinstance(sync, types.TextDocumentSyncOptions) and sync.open_close and sync.change == types.TextDocumentSyncKind.Incremental
    assert sync.save
    notebooks = capabilities.notebook_document_sync
    assert isinstance(notebooks, types.NotebookDocumentSyncOptions)
    assert [cell.language for cell in notebooks.notebook_selector[0].cells] == ["python"]  # type: ignore[union-attr]
    assert capabilities.position_encoding == types.PositionEncodingKind.Utf16


async def _capabilities() -> types.ServerCapabilities:
    other = recording_client()
    await other.start_io(*SERVER)
    try:
        result = await other.initialize_session(types.InitializeParams(capabilities=vscode_capabilities()))
        await asyncio.wait_for(other.shutdown_session(), TIMEOUT)
    finally:
        await _stop(other)
    return result.capabilities


@pytest.mark.integration
@pytest.mark.asyncio(loop_scope="module")
async def test_open_publishes_diagnostics_with_codes_ranges_severities_and_links(client: RecordingClient, project: Path) -> None:
    document_uri = ensure_open(client, project / "train.py")
    params = await published(client, document_uri, version=1)
    assert summary(params.diagnostics) == [("MLF101", 2, 24, 2, 34), ("MLF601", 3, 33, 3, 50)]
    for diagnostic in params.diagnostics:
        rule = CATALOG[str(diagnostic.code)]
        assert diagnostic.source == "mlflow-lint"
        assert diagnostic.severity == types.DiagnosticSeverity.Error  # both rules are errors
        assert diagnostic.code_description is not None and diagnostic.code_description.href == rule.docs_uri
        assert diagnostic.data["rule"] == rule.id and diagnostic.data["version"] == 1
    messages = {d.code: d.message for d in params.diagnostics}
    assert messages["MLF101"].startswith("mlflow.set_tracking_uri sets a local tracking store ('./mlruns')")


@pytest.mark.integration
@pytest.mark.asyncio(loop_scope="module")
async def test_severities_follow_the_rules(client: RecordingClient, project: Path) -> None:
    document_uri = ensure_open(client, project / "model.py")
    params = await published(client, document_uri, version=1)
    codes = {d.code for d in params.diagnostics}
    assert "MLF902" in codes
    levels = {str(d.code): d.severity for d in params.diagnostics}
    expected = {"error": types.DiagnosticSeverity.Error, "warning": types.DiagnosticSeverity.Warning, "note": types.DiagnosticSeverity.Information}
    assert levels == {code: expected[CATALOG[code].severity] for code in levels}
    deprecated = [d for d in params.diagnostics if d.code == "MLF902"]
    assert all(list(d.tags or ()) == [types.DiagnosticTag.Deprecated] for d in deprecated)
    # Only the findings the safe fix handles say so (the check promised the shape).
    assert sorted((d.range.start.line, d.data["fix"]) for d in deprecated) == [(10, "safe"), (13, "safe"), (17, "none"), (19, "none"), (22, "safe")]


@pytest.mark.integration
@pytest.mark.asyncio(loop_scope="module")
async def test_the_unsaved_buffer_is_linted_and_stale_versions_are_dropped(client: RecordingClient, project: Path) -> None:
    path = project / "unsaved.py"
    path.write_text(TRAIN)
    document_uri = open_document(client, path, "python")
    await published(client, document_uri, version=1)
    since = len(client.published)
    # A burst of edits, faster than the debounce: one lint, of the last version.
    text = TRAIN
    for version in range(2, 7):
        text = text.replace('mlflow.set_tracking_uri("./mlruns")', "pass") if version == 6 else text + "\n"
        replace_all(client, document_uri, version, text)
    params = await published(client, document_uri, version=6, since=since)
    assert summary(params.diagnostics) == [("MLF601", 3, 33, 3, 50)]  # MLF101 went with the line
    await asyncio.sleep(0.5)
    assert [p.version for p in client.published[since:] if p.uri == document_uri] == [6]
    assert path.read_text() == TRAIN  # the buffer, not the file, was read


@pytest.mark.integration
@pytest.mark.asyncio(loop_scope="module")
async def test_positions_are_utf16_and_incremental_edits_are_followed(client: RecordingClient, project: Path) -> None:
    prefix = 'label = "📈 café"; mlflow.set_tracking_uri('
    text = f'import mlflow\n{prefix}"./mlruns")\n'
    path = project / "unicode.py"
    path.write_text(text)
    document_uri = open_document(client, path, "python")
    params = await published(client, document_uri, version=1)
    start = len(prefix.encode("utf-16-le")) // 2  # the emoji is two UTF-16 code units
    assert summary(params.diagnostics) == [("MLF101", 1, start, 1, start + 10)]
    # An incremental change (a line inserted above): the finding moves with its line.
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=document_uri, version=2),
            content_changes=[
                types.TextDocumentContentChangePartial(
                    range=types.Range(start=types.Position(line=1, character=0), end=types.Position(line=1, character=0)),
                    text="# the label is shown in the UI\n",
                )
            ],
        )
    )
    moved = await published(client, document_uri, version=2)
    assert summary(moved.diagnostics) == [("MLF101", 2, start, 2, start + 10)]


@pytest.mark.integration
@pytest.mark.asyncio(loop_scope="module")
async def test_hover_over_a_code_in_a_noqa_comment(client: RecordingClient, project: Path) -> None:
    path = project / "waived.py"
    path.write_text('import mlflow\n\nmodel = mlflow.pyfunc.load_model("runs:/abc/model")  # noqa: MLF601 -- offline evaluation\n')
    document_uri = open_document(client, path, "python")
    assert list((await published(client, document_uri, version=1)).diagnostics) == []
    column = path.read_text().splitlines()[2].index("MLF601") + 2
    hover = await client.text_document_hover_async(
        types.HoverParams(text_document=types.TextDocumentIdentifier(uri=document_uri), position=types.Position(line=2, character=column))
    )
    assert hover is not None and isinstance(hover.contents, types.MarkupContent)
    assert "### MLF601 run-uri-model-load" in hover.contents.value


@pytest.mark.integration
@pytest.mark.asyncio(loop_scope="module")
async def test_suppress_action_inserts_a_reasoned_noqa_and_merges_into_an_existing_one(client: RecordingClient, project: Path) -> None:
    path = project / "suppress.py"
    path.write_text(TRAIN)
    document_uri = open_document(client, path, "python")
    params = await published(client, document_uri, version=1)
    by_code = {d.code: d for d in params.diagnostics}
    text = TRAIN
    for code, expected_line in (
        ("MLF101", 'mlflow.set_tracking_uri("./mlruns")  # noqa: MLF101 -- '),
        ("MLF601", 'model = mlflow.pyfunc.load_model("runs:/abc/model")  # noqa: E501, MLF601'),
    ):
        actions = await actions_for(client, document_uri, by_code[code])
        suppress = [a for a in actions if a.title == f"Suppress {code} on this line"]
        assert len(suppress) == 1, [a.title for a in actions]
        assert suppress[0].kind == types.CodeActionKind.QuickFix
        edits = edits_of(suppress[0], document_uri)
        # VS Code takes snippet edits: the cursor lands where the reason goes.
        rendered = [e.new_text if isinstance(e, types.TextEdit) else e.snippet.value.replace("${1:reason}", "") for e in edits]
        plain = [types.TextEdit(range=e.range, new_text=new) for e, new in zip(edits, rendered, strict=True)]
        text = apply_edit(text, plain)
        assert expected_line in text.splitlines()
        if code == "MLF101":
            assert isinstance(edits[0], types.SnippetTextEdit) and edits[0].snippet.value.endswith("-- ${1:reason}")
    replace_all(client, document_uri, 2, text)
    after = await published(client, document_uri, version=2)
    assert list(after.diagnostics) == []


@pytest.mark.integration
@pytest.mark.asyncio(loop_scope="module")
async def test_safe_fix_rewrites_artifact_path_and_fix_all_matches_the_cli_fixture(client: RecordingClient, project: Path) -> None:
    document_uri = ensure_open(client, project / "model.py")
    params = await published(client, document_uri, version=1)
    before = (project / "model.py").read_text()
    keyword = next(d for d in params.diagnostics if d.code == "MLF902" and d.range.start.line == 10)
    actions = await actions_for(client, document_uri, keyword)
    fixes = [a for a in actions if a.title.startswith("Fix:")]
    assert [a.title for a in fixes] == ["Fix: replace `artifact_path` with `name`"]
    assert fixes[0].is_preferred and fixes[0].kind == types.CodeActionKind.QuickFix
    fixed = apply_edit(before, edits_of(fixes[0], document_uri))
    after_fixture = (FIXTURES / "fixes" / "mlflow3_artifact_path.after.py").read_text().splitlines()
    assert fixed.splitlines()[10] == after_fixture[10]
    # Only that finding: the positional one on line 14 is its own action.
    assert [i for i, (a, b) in enumerate(zip(before.splitlines(), fixed.splitlines(), strict=False)) if a != b] == [10]
    # The fix-all source action is the CLI's --fix.
    source = await actions_for(client, document_uri, keyword, only=["source.fixAll"])
    assert [a.kind for a in source] == ["source.fixAll.mlflow-lint"]
    assert apply_edit(before, edits_of(source[0], document_uri)) == "\n".join(after_fixture) + "\n"
    # A finding the fix cannot promise has no fix action, but can be suppressed.
    unpromised = next(d for d in params.diagnostics if d.code == "MLF902" and d.range.start.line == 17)
    titles = [a.title for a in await actions_for(client, document_uri, unpromised)]
    assert titles == ["Suppress MLF902 on this line"]


@pytest.mark.integration
@pytest.mark.asyncio(loop_scope="module")
async def test_unsafe_fix_is_offered_under_its_own_title(client: RecordingClient, project: Path) -> None:
    document_uri = open_document(client, project / "tags.py", "python")
    params = await published(client, document_uri, version=1)
    tag = next(d for d in params.diagnostics if d.code == "MLF502")
    actions = await actions_for(client, document_uri, tag)
    unsafe = [a for a in actions if a.title.startswith("Unsafe fix (review): ")]
    assert len(unsafe) == 1 and not unsafe[0].is_preferred
    fixed = apply_edit(TAGS, edits_of(unsafe[0], document_uri))
    assert 'os.environ.get("GIT_COMMIT", "unknown")' in fixed


@pytest.mark.integration
@pytest.mark.asyncio(loop_scope="module")
async def test_hover_shows_the_rules_explanation(client: RecordingClient, project: Path) -> None:
    document_uri = ensure_open(client, project / "train.py")
    params = await published(client, document_uri, version=1)
    diagnostic = next(d for d in params.diagnostics if d.code == "MLF101")
    inside = types.Position(line=diagnostic.range.start.line, character=diagnostic.range.start.character + 3)
    hover = await client.text_document_hover_async(types.HoverParams(text_document=types.TextDocumentIdentifier(uri=document_uri), position=inside))
    assert hover is not None and isinstance(hover.contents, types.MarkupContent)
    assert hover.contents.kind == types.MarkupKind.Markdown
    rule = CATALOG["MLF101"]
    assert hover.contents.value.startswith(explain(rule, heading="###").rstrip())
    assert rule.docs_uri in hover.contents.value
    assert hover.range == diagnostic.range
    # Outside any finding: nothing.
    nothing = await client.text_document_hover_async(
        types.HoverParams(text_document=types.TextDocumentIdentifier(uri=document_uri), position=types.Position(line=0, character=2))
    )
    assert nothing is None


@pytest.mark.integration
@pytest.mark.asyncio(loop_scope="module")
async def test_notebook_cells_are_one_module_with_diagnostics_per_cell(client: RecordingClient, project: Path) -> None:
    notebook_uri = uri(project / "analysis.ipynb")
    cells = [
        ("# Evaluate the candidate", types.NotebookCellKind.Markup, "markdown"),
        ('import mlflow\n\nCANDIDATE = "runs:/abc/model"\n', types.NotebookCellKind.Code, "python"),
        ("%pip install scikit-learn\nmodel = mlflow.pyfunc.load_model(CANDIDATE)\n", types.NotebookCellKind.Code, "python"),
    ]
    cell_uris = [f"vscode-notebook-cell:{project / 'analysis.ipynb'}#cell{index}" for index in range(len(cells))]
    client.notebook_document_did_open(
        types.DidOpenNotebookDocumentParams(
            notebook_document=types.NotebookDocument(
                uri=notebook_uri,
                notebook_type="jupyter-notebook",
                version=1,
                cells=[types.NotebookCell(kind=kind, document=cell_uri) for (_, kind, _), cell_uri in zip(cells, cell_uris, strict=True)],
            ),
            cell_text_documents=[
                types.TextDocumentItem(uri=cell_uri, language_id=language, version=1, text=text)
                for (text, _, language), cell_uri in zip(cells, cell_uris, strict=True)
            ],
        )
    )
    last = await published(client, cell_uris[2])
    # The constant of cell 1 reaches the load in cell 2: one module, a finding in its cell.
    assert summary(last.diagnostics) == [("MLF601", 1, 33, 1, 42)]
    assert list((await published(client, cell_uris[1])).diagnostics) == []
    # Editing a cell re-lints the notebook.
    client.notebook_document_did_change(
        types.DidChangeNotebookDocumentParams(
            notebook_document=types.VersionedNotebookDocumentIdentifier(uri=notebook_uri, version=2),
            change=types.NotebookDocumentChangeEvent(
                cells=types.NotebookDocumentCellChanges(
                    text_content=[
                        types.NotebookDocumentCellContentChanges(
                            document=types.VersionedTextDocumentIdentifier(uri=cell_uris[1], version=2),
                            changes=[types.TextDocumentContentChangeWholeDocument(text='import mlflow\n\nCANDIDATE = "models:/churn@champion"\n')],
                        )
                    ]
                )
            ),
        )
    )
    since = len(client.published)
    deadline = asyncio.get_running_loop().time() + TIMEOUT
    while not any(p.uri == cell_uris[2] and list(p.diagnostics) == [] for p in client.published[since:]):
        assert asyncio.get_running_loop().time() < deadline, client.published[since:]
        await asyncio.sleep(0.02)
    # The suppression goes into the cell document.
    client.notebook_document_did_change(
        types.DidChangeNotebookDocumentParams(
            notebook_document=types.VersionedNotebookDocumentIdentifier(uri=notebook_uri, version=3),
            change=types.NotebookDocumentChangeEvent(
                cells=types.NotebookDocumentCellChanges(
                    text_content=[
                        types.NotebookDocumentCellContentChanges(
                            document=types.VersionedTextDocumentIdentifier(uri=cell_uris[1], version=3),
                            changes=[types.TextDocumentContentChangeWholeDocument(text=cells[1][0])],
                        )
                    ]
                )
            ),
        )
    )
    since = len(client.published)
    again = await published(client, cell_uris[2], since=since)
    actions = await actions_for(client, cell_uris[2], again.diagnostics[0])
    suppress = next(a for a in actions if a.title == "Suppress MLF601 on this line")
    edits = edits_of(suppress, cell_uris[2])
    assert edits[0].range.start.line == 1


@pytest.mark.integration
@pytest.mark.asyncio(loop_scope="module")
async def test_yaml_files_get_diagnostics_and_hash_comment_suppressions(client: RecordingClient, project: Path) -> None:
    document_uri = open_document(client, project / "deploy" / "compose.yaml", "dockercompose")
    params = await published(client, document_uri, version=1)
    assert summary(params.diagnostics) == [("MLF101", 5, 27, 5, 35), ("MLF201", 3, 62, 3, 81), ("MLF703", 3, 34, 3, 41)]
    uri_setting = next(d for d in params.diagnostics if d.code == "MLF101")
    actions = await actions_for(client, document_uri, uri_setting)
    suppress = next(a for a in actions if a.title == "Suppress MLF101 on this line")
    edits = edits_of(suppress, document_uri)
    assert edits[0].range.start == types.Position(line=5, character=35)
    assert not any(a.title.startswith(("Fix", "Unsafe")) for a in actions)  # no fixes outside Python


@pytest.mark.integration
@pytest.mark.asyncio(loop_scope="module")
async def test_dockerfile_gets_diagnostics_but_no_suppression_that_would_not_work(client: RecordingClient, project: Path) -> None:
    document_uri = open_document(client, project / "Dockerfile", "dockerfile")
    params = await published(client, document_uri, version=1)
    assert [d.code for d in params.diagnostics] == ["MLF703"]
    # A Dockerfile comment is a line of its own: no noqa comment at the end of a RUN line.
    assert await actions_for(client, document_uri, params.diagnostics[0]) == []


@pytest.mark.integration
@pytest.mark.asyncio(loop_scope="module")
async def test_a_file_that_does_not_parse_is_mlf000(client: RecordingClient, project: Path) -> None:
    document_uri = open_document(client, project / "broken.py", "python")
    params = await published(client, document_uri, version=1)
    assert [(d.code, d.range.start.line, d.severity) for d in params.diagnostics] == [("MLF000", 2, types.DiagnosticSeverity.Error)]
    assert "could not be analysed" in params.diagnostics[0].message
    assert await actions_for(client, document_uri, params.diagnostics[0]) == []  # never suppressed by a comment


@pytest.mark.integration
@pytest.mark.asyncio(loop_scope="module")
async def test_findings_in_test_code_stay_hidden(client: RecordingClient, project: Path) -> None:
    document_uri = open_document(client, project / "tests" / "test_train.py", "python")
    params = await published(client, document_uri, version=1)
    assert list(params.diagnostics) == []  # MLF101 and MLF601 are not governance targets in tests


@pytest.mark.integration
@pytest.mark.asyncio(loop_scope="module")
async def test_a_bad_configuration_is_reported_on_the_file_and_to_the_user(client: RecordingClient, project: Path) -> None:
    document_uri = open_document(client, project / "bad" / "job.py", "python")
    params = await published(client, document_uri, version=1)
    assert [d.code for d in params.diagnostics] == ["MLF000"]
    assert "invalid mlflow-lint configuration" in params.diagnostics[0].message and "selekt" in params.diagnostics[0].message
    assert any("selekt" in m.message and m.type == types.MessageType.Error for m in client.messages)


@pytest.mark.integration
@pytest.mark.asyncio(loop_scope="module")
async def test_closing_a_document_clears_its_diagnostics(client: RecordingClient, project: Path) -> None:
    path = project / "closing.py"
    path.write_text(TRAIN)
    document_uri = open_document(client, path, "python")
    assert (await published(client, document_uri, version=1)).diagnostics
    since = len(client.published)
    client.text_document_did_close(types.DidCloseTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=document_uri)))
    cleared = await published(client, document_uri, since=since)
    assert list(cleared.diagnostics) == []


@pytest.mark.integration
@pytest.mark.asyncio(loop_scope="module")
async def test_unknown_initialization_options_are_named_and_shutdown_exits_cleanly(project: Path) -> None:
    other = recording_client()
    await other.start_io(*SERVER)
    try:
        await other.initialize_session(initialize_params(project, {"debounceMs": "fast", "colour": True}))
        deadline = asyncio.get_running_loop().time() + TIMEOUT
        while len(other.messages) < 2:
            assert asyncio.get_running_loop().time() < deadline, other.messages
            await asyncio.sleep(0.02)
        texts = [m.message for m in other.messages]
        assert any("'colour'" in text and "unknown" in text for text in texts), texts
        assert any("debounceMs" in text and "'fast'" in text for text in texts), texts
        document_uri = open_document(other, project / "train.py", "python")
        assert (await published(other, document_uri, version=1)).diagnostics  # the session goes on
        await asyncio.wait_for(other.shutdown_session(), TIMEOUT)
        assert other._server is not None and other._server.returncode == 0
    finally:
        await _stop(other)


async def _stop(client: LanguageClient) -> None:
    """pygls' client waits for the server to exit: kill one a failed test left running."""
    if client._server is not None and client._server.returncode is None:
        client._server.kill()
    await client.stop()


@pytest.mark.integration
def test_server_without_pygls_says_what_to_install() -> None:
    probe = "import sys; sys.modules['pygls'] = None; from mlflow_lint.cli import main; main(['server'])"
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, env={**os.environ, "NO_COLOR": "1"})
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "install mlflow-lint[lsp]" in lines[0], result.stderr


# -- the pure parts, without a server ------------------------------------------------------

def suppressed(text: str, kind: str, rule: str, line: int) -> str | None:
    found = suppression(text, kind, rule, line)
    return None if found is None else apply_changes(text, [found.change])


def test_noqa_goes_after_a_multi_line_string_and_a_backslash_continuation() -> None:
    text = 'import mlflow\nURI = """runs:/abc/\nmodel"""\nmodel = mlflow.pyfunc.load_model(\\\n    URI)\n'
    assert suppressed(text, "python", "MLF601", 2) == text.replace('model"""\n', 'model"""  # noqa: MLF601 -- \n')
    assert suppressed(text, "python", "MLF601", 4) == text.replace("    URI)\n", "    URI)  # noqa: MLF601 -- \n")


def test_noqa_merges_into_existing_comments() -> None:
    line = 'mlflow.set_tracking_uri("./mlruns")'
    assert suppressed(f"{line}  # noqa: MLF601 -- reviewed\n", "python", "MLF101", 1) == f"{line}  # noqa: MLF601, MLF101 -- reviewed\n"
    assert suppressed(f"{line}  # noqa\n", "python", "MLF101", 1) == f"{line}  # noqa: MLF101\n"  # a bare noqa names nothing of ours
    assert suppressed(f"{line}  # the local store\n", "python", "MLF101", 1) == f"{line}  # the local store  # noqa: MLF101 -- \n"
    assert suppressed(f"{line}  # noqa: MLF1 -- all of pillar 1\n", "python", "MLF101", 1) is None  # already covered
    assert suppressed(f"{line}   \n", "python", "MLF101", 1) == f"{line}  # noqa: MLF101 -- \n"  # trailing blanks replaced


def test_noqa_in_shell_and_yaml_uses_hash_comments() -> None:
    script = "mlflow server --host 0.0.0.0 \\\n  --backend-store-uri sqlite:///m.db\necho done\n"
    assert suppressed(script, "shell", "MLF703", 1) == script.replace("m.db\n", "m.db  # noqa: MLF703 -- \n")
    yaml_text = 'env:\n  MLFLOW_TRACKING_URI: "./mlruns#1"  # local\n'
    assert suppressed(yaml_text, "yaml", "MLF101", 2) == 'env:\n  MLFLOW_TRACKING_URI: "./mlruns#1"  # local  # noqa: MLF101 -- \n'


def test_fix_titles_name_the_change() -> None:
    before = 'mlflow.sklearn.log_model(model, artifact_path="model")\n'
    assert describe(before, before.replace("artifact_path=", "name=")) == "replace `artifact_path` with `name`"
    assert describe("a\n", "a\nb\nc\n") is None  # more than one line: the rule's name instead


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="ab\n\r 😀", max_size=30), st.text(alphabet="ab\n\r 😀", max_size=30))
def test_changes_between_turn_one_text_into_the_other(old: str, new: str) -> None:
    assert apply_changes(old, changes_between(old, new)) == new


def test_a_crash_of_the_analysis_is_an_mlf000_not_a_dead_server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import mlflow_lint.engine
    from mlflow_lint.lsp.documents import Snapshot
    from mlflow_lint.lsp.linting import DocumentLinter

    def broken(*args: object, **kwargs: object) -> list[object]:
        raise RuntimeError("boom")

    monkeypatch.setattr(mlflow_lint.engine, "lint_bytes", broken)
    path = tmp_path / "train.py"
    path.write_text(TRAIN)
    outcome = DocumentLinter(lambda: [tmp_path]).lint(Snapshot(path.as_uri(), 1, path, "python", TRAIN))
    assert [f.rule for f in outcome.findings] == ["MLF000"]
    assert "internal error in the language server (RuntimeError: boom); please report it" in outcome.findings[0].message
