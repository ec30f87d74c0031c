"""The flake8 plugin: ``flake8 --select MLF`` runs mlflow-lint's checks inside flake8.

It analyses the ``ast`` tree flake8 already parsed (no second parse) and reports the
same findings as ``mlflow-lint check`` on the same file: the configuration is read the
way the CLI reads it (``[tool.mlflow-lint]`` in pyproject.toml or ``.mlflow-lint.yaml``,
found from the file upward, since flake8 does not read pyproject.toml), per-file-ignores
and ``exclude`` apply, ``# noqa: MLF601`` suppresses as it does for the CLI, and
project-wide facts (tracking URIs used elsewhere, tags set by helpers in other modules)
are read from disk on demand, so findings do not depend on which files flake8 was given
or how it split them across ``-j`` processes.

flake8 selects what it *shows* (``--select``/``--extend-select``/``--ignore``); the
configuration selects what *runs*. A rule that is off by default (MLF001) also runs when
flake8's ``--select``/``--extend-select`` names it in full.
"""

from __future__ import annotations

import ast
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from mlflow_lint import __version__
from mlflow_lint.analysis.secrets import may_name_secret_variable
from mlflow_lint.sources.notebook import is_databricks_source
from mlflow_lint.sources.prefilter import text_may_mention_mlflow

if TYPE_CHECKING:
    from mlflow_lint.config import RuleOptions
    from mlflow_lint.findings import Finding

_NOQA_MLF = re.compile(r"noqa.*MLF", re.IGNORECASE)

Result = tuple[int, int, str, type]


@dataclass(frozen=True)
class _FileSettings:
    """What the configuration says for the files of one directory."""

    selected: frozenset[str] = frozenset()
    options: RuleOptions | None = None
    excluded: Callable[[Path], bool] = lambda path: False
    ignored_codes: Callable[[Path], tuple[str, ...]] = lambda path: ()
    error: str | None = None  # a configuration error, reported instead of findings
    cache_dir: Path | None = None  # the result cache, for project-wide facts
    include_tests: bool = False  # show findings in test code (include-tests)


class MlflowLintChecker:
    """flake8 ``tree`` plugin (entry point ``MLF``)."""

    name = "mlflow-lint"
    version = __version__

    # Set by parse_options, from flake8's own options.
    named_rules: frozenset[str] = frozenset()  # rules flake8's --select/--extend-select name in full
    disable_noqa = False
    _directories: ClassVar[dict[Path, _FileSettings]] = {}  # per process: settings by directory

    def __init__(self, tree: ast.AST, lines: list[str], filename: str) -> None:
        self.tree = tree
        self.lines = lines
        self.filename = filename

    @classmethod
    def parse_options(cls, options: Any) -> None:
        from mlflow_lint.catalog import load_catalog

        catalog = load_catalog()
        named = [*(getattr(options, "select", None) or ()), *(getattr(options, "extend_select", None) or ())]
        cls.named_rules = frozenset(code.strip().upper() for code in named if catalog.get(code.strip()) is not None)
        cls.disable_noqa = bool(getattr(options, "disable_noqa", False))
        cls._directories = {}

    def run(self) -> Iterator[Result]:
        """flake8 wants 1-based lines and 0-based columns, and the code first in the text."""
        try:
            findings = self._findings()
        except Exception as exc:  # noqa: BLE001 - a bug of ours must never abort flake8
            reason = f"internal error in mlflow-lint ({exc.__class__.__name__}: {exc}); please report it"
            yield 1, 0, f"MLF000 {_unanalysable_message(reason)}", type(self)
            return
        for finding in findings:
            yield finding.line, max(finding.column - 1, 0), f"{finding.rule} {finding.message}", type(self)

    def _findings(self) -> list[Finding]:
        source = "".join(self.lines)
        path = Path(self.filename).resolve()
        # The engine's prefilter, on text: the file says "mlflow", may set a credential MLflow
        # or its stores read, or imports a project module that uses MLflow (its calls may
        # pass values to it).
        mentions_mlflow = (
            text_may_mention_mlflow(source)
            or may_name_secret_variable(source.encode("utf-8", "surrogatepass"))
            or _imports_mlflow_users(path, source)
        )
        if not isinstance(self.tree, ast.Module) or not (mentions_mlflow or _NOQA_MLF.search(source)):
            return []  # nothing any rule could flag: not even the configuration is read
        settings = self._settings_for(path.parent)
        if settings.error is not None:
            from mlflow_lint.findings import Finding

            message = _unanalysable_message(settings.error)
            return [Finding(path=self.filename, line=1, column=1, rule="MLF000", end_line=1, end_column=1, message=message)]
        if settings.excluded(path):
            return []
        assert settings.options is not None  # set whenever there is no error
        selected = settings.selected
        ignored = settings.ignored_codes(path)
        if ignored:
            selected = frozenset(rule for rule in selected if not rule.startswith(ignored))
        if not mentions_mlflow and "MLF001" not in selected:
            return []

        from mlflow_lint.analysis.module import AnalysedModule
        from mlflow_lint.catalog import load_catalog
        from mlflow_lint.engine import cached_facts_source, display_path, project_for, run_checks
        from mlflow_lint.suppressions import NO_SUPPRESSIONS

        cwd = Path.cwd()
        index = project_for(path)
        if index.facts_source is None:  # MLF102 asks for them only when the file sets a URI
            index.facts_source = cached_facts_source(settings.cache_dir)
        if is_databricks_source(source):
            # Cells, magics and ``%run`` includes are read as the CLI reads them (flake8's
            # tree sees ``# MAGIC %run`` as a comment); lines stay the file's.
            from mlflow_lint.engine import lint_bytes

            findings = lint_bytes(
                source.encode("utf-8", "surrogatepass"),
                display_path(path, cwd),
                selected,
                path=path,
                project=index,
                options=settings.options,
                display_root=str(cwd),
                kind="python",
            )
            return [f for f in findings if settings.include_tests or f.context != "test"]
        module = AnalysedModule(path, source, self.tree, index)
        if _is_the_file_on_disk(path, source):
            index.register(module)
        # else an unsaved buffer (flake8 reading stdin, an editor): never registered as the
        # file on disk, so what other files resolve in it, and the project facts the result
        # cache records for the file, come from the disk, not from the buffer.
        suppressions = NO_SUPPRESSIONS if self.disable_noqa else None
        findings = run_checks(
            module, display_path(path, cwd), selected, load_catalog(), settings.options, str(cwd), suppressions=suppressions
        )
        # Test code is not a governance target (as for the CLI): hidden unless include-tests.
        return [f for f in findings if settings.include_tests or f.context != "test"]

    @classmethod
    def _settings_for(cls, directory: Path) -> _FileSettings:
        settings = cls._directories.get(directory)
        if settings is None:
            settings = cls._directories[directory] = _load_settings(directory, cls.named_rules)
        return settings


def _load_settings(directory: Path, named_rules: frozenset[str]) -> _FileSettings:
    from mlflow_lint.catalog import load_catalog
    from mlflow_lint.config import ConfigError, find_config_file, load_config, project_boundary, resolve_selection
    from mlflow_lint.discovery import gitignore_spec
    from mlflow_lint.engine import per_file_ignores

    catalog = load_catalog()
    try:
        # The nearest configuration above the file, never above its project: the git work
        # tree, or (outside one) the directory flake8 runs in, as the CLI does.
        config = load_config(find_config_file(directory, project_boundary(directory, Path.cwd())), catalog)
    except ConfigError as error:
        return _FileSettings(error=f"invalid mlflow-lint configuration: {error}")
    selected = resolve_selection(catalog, config.select, config.extend_select, config.ignore) | named_rules
    root = config.root.resolve()
    exclude = gitignore_spec(config.exclude) if config.exclude else None

    def excluded(path: Path) -> bool:
        if exclude is None:
            return False
        try:
            relative = path.relative_to(root).as_posix()
        except ValueError:
            return False
        return exclude.match(relative)

    from mlflow_lint.cache import CACHE_DIRECTORY_NAME

    # The CLI's cache location: MLFLOW_LINT_CACHE_DIR, else beside the configuration.
    cache_setting = os.environ.get("MLFLOW_LINT_CACHE_DIR")
    cache_dir = Path(cache_setting) if cache_setting else config.root / CACHE_DIRECTORY_NAME
    return _FileSettings(
        selected=selected,
        options=config.rule_options(),
        excluded=excluded,
        ignored_codes=per_file_ignores(config),
        cache_dir=cache_dir,
        include_tests=config.include_tests,
    )


def _is_the_file_on_disk(path: Path, source: str) -> bool:
    """Whether flake8's text is the file's content on disk (flake8 decodes it as Python
    does, with universal newlines), not an unsaved buffer given on standard input."""
    from mlflow_lint.sources import MAX_ANALYSED_BYTES, read_bounded
    from mlflow_lint.sources.python import UnanalysableSource, decode_python

    try:
        data, size = read_bounded(path, MAX_ANALYSED_BYTES)
        if size > MAX_ANALYSED_BYTES:
            return False
        on_disk = decode_python(data)
    except (OSError, UnanalysableSource):
        return False
    return _universal_newlines(on_disk) == _universal_newlines(source)


def _universal_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _unanalysable_message(reason: str) -> str:
    from mlflow_lint.catalog import load_catalog

    return load_catalog()["MLF000"].format_message({"subject": "File", "reason": reason})


__all__ = ["MlflowLintChecker"]


def _imports_mlflow_users(path: Path, source: str) -> bool:
    from mlflow_lint.engine import project_for

    index = project_for(path)
    return index.root is not None and index.imports_mlflow_users(path, source.encode("utf-8", "surrogatepass"))
