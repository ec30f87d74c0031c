"""The engine on one open document: the findings ``check`` would report for its buffer.

Each document gets the configuration nearest it (``ConfigResolver``, as the CLI and the
flake8 plugin), its per-file-ignores and ``exclude``, the same text prefilter, and the
project's facts from the result cache (``cached_facts_source``, as flake8 reads them).
Findings in test code that the policy hides stay hidden unless ``include-tests``.

Not thread-safe (the engine's project indexes are per process): the server calls it from
its one worker thread only. The code being linted is read, never run.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from mlflow_lint.catalog import Catalog, load_catalog
from mlflow_lint.config import Config, ConfigError, ConfigResolver, RuleOptions, forget_config_files, project_boundary, resolve_selection
from mlflow_lint.findings import Finding, configured
from mlflow_lint.lsp.documents import Snapshot

LintFunction = Callable[[bytes], list[Finding]]


@dataclass(frozen=True)
class LintOutcome:
    """What linting one snapshot found: the findings to show, or why there are none."""

    snapshot: Snapshot
    findings: tuple[Finding, ...] = ()
    note: str | None = None  # for the log: why the document was not analysed
    display_root: str = ""  # what relative paths in the findings (their flow) are relative to


@dataclass(frozen=True)
class FileSettings:
    """What a document's configuration says for it."""

    config: Config
    selected: frozenset[str]  # the rules that run on it (per-file-ignores applied)
    options: RuleOptions
    display_root: str  # other files' paths in messages are relative to this directory
    excluded: bool
    cache_dir: Path


class DocumentLinter:
    """Lints snapshots with the engine. ``folders`` gives the editor's workspace folders:
    outside a git work tree, a folder bounds the configuration search as the directory
    the CLI is run in does."""

    def __init__(self, folders: Callable[[], list[Path]]) -> None:
        self._folders = folders
        self._catalog: Catalog | None = None
        self._resolver: ConfigResolver | None = None
        self._rooted: dict[tuple[int, Path], Config] = {}

    @property
    def catalog(self) -> Catalog:
        if self._catalog is None:
            self._catalog = load_catalog()
        return self._catalog

    def warm_up(self) -> None:
        """Import the engine and read the catalog before the first document arrives."""
        import mlflow_lint.engine  # noqa: F401

        self.catalog  # noqa: B018 - loads it

    def forget(self) -> None:
        """Files changed on disk: drop the parsed modules, project facts and configurations."""
        from mlflow_lint.engine import forget_projects

        forget_projects()
        forget_config_files()
        self._resolver = None
        self._rooted.clear()

    def lint(self, snapshot: Snapshot) -> LintOutcome:
        """The findings to show for ``snapshot``; never raises (a failure is an MLF000)."""
        try:
            return self._lint(snapshot)
        except ConfigError as error:
            reason = f"invalid mlflow-lint configuration: {error}"
            return LintOutcome(snapshot, (self.unanalysable(reason),), note=reason)
        except Exception as exc:  # noqa: BLE001 - RecursionError included: the session must go on
            reason = f"internal error in the language server ({exc.__class__.__name__}: {exc}); please report it"
            return LintOutcome(snapshot, (self.unanalysable(reason),), note=reason)

    def unanalysable(self, reason: str) -> Finding:
        """An MLF000 finding at the top of the document."""
        message = self.catalog["MLF000"].format_message({"subject": "File", "reason": reason})
        return Finding(path="", line=1, column=1, rule="MLF000", end_line=1, end_column=1, message=message)

    def _lint(self, snapshot: Snapshot) -> LintOutcome:
        from mlflow_lint.engine import SkippedFile

        settings = self.settings_for(snapshot.path)
        if settings.excluded:
            return LintOutcome(snapshot, note="excluded by the configuration")
        data = snapshot.data()
        lint = self._lint_function(snapshot, settings)
        if not self._worth_reading(snapshot, data, settings):
            return LintOutcome(snapshot, note="does not mention MLflow")
        try:
            found = lint(data)
        except SkippedFile as skipped:
            return LintOutcome(snapshot, note=str(skipped))
        config = settings.config
        shown = [f for f in configured(found, config.severity, config.shadow) if config.include_tests or f.context != "test"]
        return LintOutcome(snapshot, tuple(shown), display_root=settings.display_root)

    def lint_function(self, snapshot: Snapshot) -> tuple[LintFunction, RuleOptions] | None:
        """How to lint other bytes of this document (a fix's candidates), with its rules
        and options; None when its configuration is broken or excludes it."""
        try:
            settings = self.settings_for(snapshot.path)
        except ConfigError:
            return None
        if settings.excluded:
            return None
        return self._lint_function(snapshot, settings), settings.options

    def _lint_function(self, snapshot: Snapshot, settings: FileSettings) -> LintFunction:
        from mlflow_lint.engine import cached_facts_source, lint_bytes, project_for
        from mlflow_lint.paths import display_path

        path = snapshot.path
        index = project_for(path)
        if index.facts_source is None:  # MLF102 asks for them only when the file sets a URI
            index.facts_source = cached_facts_source(settings.cache_dir)
        # The path as the CLI run from here would show it: checks of non-Python files
        # locate the file from it.
        shown = display_path(path, Path.cwd())

        def lint(data: bytes) -> list[Finding]:
            return lint_bytes(
                data, shown, settings.selected, path=path, project=index, options=settings.options,
                display_root=settings.display_root, kind=snapshot.kind,
            )  # fmt: skip

        return lint

    def _worth_reading(self, snapshot: Snapshot, data: bytes, settings: FileSettings) -> bool:
        """The engine's prefilter, as ``check`` applies it (``engine.worth_analysing``)."""
        from mlflow_lint.engine import project_for, worth_analysing

        return worth_analysing(project_for(snapshot.path), snapshot.path, data, settings.selected)

    def settings_for(self, path: Path) -> FileSettings:
        """The configuration of ``path`` and what it turns on for it (raises ConfigError)."""
        from mlflow_lint.cache import CACHE_DIRECTORY_NAME
        from mlflow_lint.discovery import gitignore_spec
        from mlflow_lint.engine import per_file_ignores

        if self._resolver is None:
            self._resolver = ConfigResolver(self.catalog)
        folder = self._folder_of(path)
        config = self._rooted_config(self._resolver.for_file(path, folder), path, folder)
        selected = resolve_selection(self.catalog, config.select, config.extend_select, config.ignore)
        ignored = per_file_ignores(config)(path)
        if ignored:
            selected = frozenset(rule for rule in selected if not rule.startswith(ignored))
        root = config.root.resolve()
        excluded = False
        if config.exclude:
            try:
                excluded = gitignore_spec(config.exclude).match(path.resolve().relative_to(root).as_posix())
            except ValueError:
                excluded = False
        cache_setting = os.environ.get("MLFLOW_LINT_CACHE_DIR")
        cache_dir = Path(cache_setting) if cache_setting else config.root / CACHE_DIRECTORY_NAME
        display_root = str(folder) if folder is not None else str(root)
        return FileSettings(config, selected, config.rule_options(), display_root, excluded, cache_dir)

    def _rooted_config(self, config: Config, path: Path, folder: Path | None) -> Config:
        """Without a configuration file the CLI's root is the directory it runs in; an
        editor's server may run anywhere, so the root is the project's: the git work tree,
        else the workspace folder, else the file's directory (test-code paths and option
        globs are relative to it)."""
        if config.path is not None:
            return config
        directory = path.resolve().parent
        root = project_boundary(directory) or folder or directory
        key = (id(config), root)
        rooted = self._rooted.get(key)
        if rooted is None:
            rooted = self._rooted[key] = replace(config, root=root)
        return rooted

    def _folder_of(self, path: Path) -> Path | None:
        """The innermost workspace folder holding ``path``."""
        resolved = path.resolve()
        holding = [folder for folder in self._folders() if folder == resolved or folder in resolved.parents]
        return max(holding, key=lambda folder: len(folder.parts), default=None)
