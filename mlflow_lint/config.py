"""Configuration: ``[tool.mlflow-lint]`` in pyproject.toml or ``.mlflow-lint.yaml``.

Validated loudly: an unknown key, a value of the wrong type or an unknown rule id is a
:class:`ConfigError` whose message names the file and the key; the CLI exits 2 with it.
"""

from __future__ import annotations

import functools
import os
import re
import stat
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mlflow_lint.catalog import Catalog

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

CONFIG_FILE_NAMES = (".mlflow-lint.yaml", ".mlflow-lint.yml", "pyproject.toml")
KNOWN_KEYS = (
    "select",
    "ignore",
    "extend-select",
    "exclude",
    "per-file-ignores",
    # rule options
    "required-tags",
    "protected-aliases",
    "protected-models",
    "gate-functions",
    "allowed-tracking-uris",
    "registry-admin-modules",
    "stage-aliases",
    "gate-modules",
    "target-mlflow-version",
    # context and reporting
    "test-paths",
    "include-tests",
    "severity",
    "shadow",
)
DEFAULT_PROTECTED_ALIASES = ("champion", "production", "prod")
# Unity Catalog's three-level names (catalog.schema.model): a production catalog or schema.
DEFAULT_PROTECTED_MODELS = ("prod.*.*", "*.prod.*")
STAGES = ("Production", "Staging", "Archived", "None")  # stage-aliases keys (any case)
# The stages a single alias can stand for: Production and Staging name the version in
# service. "None" (versions never staged) and "Archived" are sets of versions, no one
# model an alias could point at: their fixes are offered only for an alias the user maps.
_ALIASED_BY_DEFAULT = ("Production", "Staging")
DEFAULT_STAGE_ALIASES = tuple((stage, stage.lower()) for stage in STAGES if stage in _ALIASED_BY_DEFAULT)
# MLflow's alias rule: letters, digits, '_' and '-'; not "latest" and not a version ("v3").
_ALIAS = re.compile(r"^(?!latest$)(?![vV]\d+$)[\w\-]+$")
_SELECTOR = re.compile(r"^(ALL|MLF\d{0,3})$", re.IGNORECASE)


class ConfigError(Exception):
    """A configuration or usage problem the user must fix (exit code 2)."""


@dataclass(frozen=True)
class RuleOptions:
    """Options the checks read; picklable, so it travels to worker processes."""

    required_tags: tuple[str, ...] = ()  # MLF501; empty: flag only runs with no tag at all
    protected_aliases: tuple[str, ...] = DEFAULT_PROTECTED_ALIASES  # MLF402, compared case-insensitively
    protected_models: tuple[str, ...] = DEFAULT_PROTECTED_MODELS  # MLF402: globs of copy_model_version destinations
    gate_functions: tuple[str, ...] = ()  # MLF402: names or qualified names of gate functions
    allowed_tracking_uris: tuple[str, ...] = ()  # MLF102: URIs that never count as "another" URI
    registry_admin_modules: tuple[str, ...] = ()  # MLF403: globs of paths allowed to delete
    root: str = ""  # the configuration's directory: registry-admin-modules are relative to it
    exclude: tuple[str, ...] = ()  # the configuration's exclude patterns (project-wide scans honour them)
    stage_aliases: tuple[tuple[str, str], ...] = DEFAULT_STAGE_ALIASES  # MLF401 fixes: stage -> alias
    gate_modules: tuple[str, ...] = ()  # MLF402: globs of files that only run after validation
    test_paths: tuple[str, ...] = ()  # globs of paths that are test code, besides the built-in ones
    # MLF901/MLF902: the MLflow release the code must run on ("3.13", "2.22.1"); empty: the
    # release the API table was generated from (analysis/mlflow_api.json).
    target_mlflow_version: str = ""

    def alias_for_stage(self, stage: str) -> str | None:
        """The alias that replaces a registry stage (any case); None for an unknown stage."""
        return next((alias for name, alias in self.stage_aliases if name.lower() == stage.lower()), None)


@dataclass(frozen=True)
class Config:
    """The effective configuration file (or the defaults when there is none)."""

    path: Path | None = None
    root: Path = field(default_factory=Path.cwd)  # patterns are relative to this directory
    select: tuple[str, ...] | None = None
    ignore: tuple[str, ...] = ()
    extend_select: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    # Why a per-file-ignores entry waives its rules (pattern -> reason), when the entry is
    # written as a table: ``"notebooks/*" = {codes = ["MLF601"], reason = "exploration"}``.
    per_file_reasons: tuple[tuple[str, str], ...] = ()
    options: RuleOptions = field(default_factory=RuleOptions)
    include_tests: bool = False  # show findings in test code (--include-tests)
    severity: tuple[tuple[str, str], ...] = ()  # rule id -> error | warning | note
    shadow: tuple[str, ...] = ()  # rule codes or prefixes reported without failing the run

    def rule_options(self) -> RuleOptions:
        """The options with ``root`` filled in."""
        from dataclasses import replace

        return replace(self.options, root=str(self.root.resolve()), exclude=self.exclude)


def find_config_file(start: Path, boundary: Path | None = None) -> Path | None:
    """The nearest configuration file at or above ``start``, never above its project.

    The search stops at ``boundary`` when given, else at the git work tree ``start`` is in
    (the directory holding ``.git``); outside any repository it goes up to the root. A
    stranger's ``.mlflow-lint.yaml`` in a directory above the checkout never applies. In
    one directory ``.mlflow-lint.yaml`` wins over ``pyproject.toml``; a pyproject.toml
    without a ``[tool.mlflow-lint]`` table is passed over.
    """
    start = start.resolve()
    directory = start if start.is_dir() else start.parent
    return _config_in(directory, (boundary.resolve() if boundary is not None else None))


def project_boundary(directory: Path, named: Path | None = None) -> Path | None:
    """Where the configuration search above ``directory`` stops: the git work tree around
    it; outside a repository, the working directory when the path the user named lies in
    it (``mlflow-lint check src/a.py`` from the project's root), else that named path
    itself (a directory, or a file's directory); with nothing named, nowhere."""
    for candidate in (directory, *directory.parents):
        if (candidate / ".git").exists():
            return candidate
    if named is None:
        return None
    named = named.resolve()
    cwd = Path.cwd().resolve()
    if named == cwd or cwd in named.parents:
        return cwd
    return named if named.is_dir() else named.parent


def _config_in(directory: Path, boundary: Path | None) -> Path | None:
    if boundary is None:
        boundary = project_boundary(directory)
    return _nearest_config(directory, boundary)


@functools.lru_cache(maxsize=16384)
def _nearest_config(directory: Path, boundary: Path | None) -> Path | None:
    """The configuration file in ``directory``, else its parent's, up to ``boundary``:
    memoised per directory, so a tree's directories are each looked in once."""
    for name in CONFIG_FILE_NAMES:
        candidate = directory / name
        if candidate.is_file() and (name != "pyproject.toml" or _has_tool_table(candidate)):
            return candidate
    if (boundary is not None and directory == boundary) or directory.parent == directory:
        return None  # the project root: never above it
    return _nearest_config(directory.parent, boundary)


def forget_config_files() -> None:
    """Forget which configuration file each directory uses (files may have changed)."""
    _nearest_config.cache_clear()


class ConfigResolver:
    """The configuration of every file: the nearest configuration file above it, within
    its project (``find_config_file``), loaded once per file; or one configuration for all
    (``--config FILE``, the API). A bad configuration file raises ConfigError naming it."""

    def __init__(self, catalog: Catalog, fixed: Config | None = None) -> None:
        self.catalog = catalog
        self.fixed = fixed
        self._loaded: dict[Path | None, Config] = {}
        self._by_directory: dict[tuple[str, Path | None], Config] = {}

    def for_file(self, path: Path, named: Path | None = None) -> Config:
        """The configuration of ``path`` (a file or directory); ``named`` is the path the user
        gave that led to it (the search's boundary outside a git repository)."""
        if self.fixed is not None:
            return self.fixed
        # Asked for every file and directory discovery meets: remembered per directory, the
        # search (resolving the path, looking for .git and configuration files above it)
        # runs once per directory, not once per file. A symbolic link is resolved each time:
        # its configuration is its target's.
        text = os.path.abspath(path)
        try:
            mode = os.lstat(text).st_mode
        except OSError:
            mode = 0
        if stat.S_ISLNK(mode) or not mode:
            resolved = Path(text).resolve()
            return self._for_directory(resolved if resolved.is_dir() else resolved.parent, named)
        directory_text = text if stat.S_ISDIR(mode) else os.path.dirname(text)
        key = (directory_text, named)
        config = self._by_directory.get(key)
        if config is None:
            config = self._by_directory[key] = self._for_directory(Path(directory_text).resolve(), named)
        return config

    def _for_directory(self, directory: Path, named: Path | None) -> Config:
        config_file = _config_in(directory, project_boundary(directory, named))
        config = self._loaded.get(config_file)
        if config is None:
            config = self._loaded[config_file] = load_config(config_file, self.catalog)
        return config

    @property
    def configurations(self) -> list[Config]:
        """Every configuration loaded so far (for --verbose)."""
        return [self.fixed] if self.fixed is not None else list(self._loaded.values())


def _has_tool_table(pyproject: Path) -> bool:
    try:
        # Undecodable bytes do not hide the table: load_config then names the bad line.
        text = pyproject.read_bytes().decode("utf-8", "replace")
    except OSError:
        return False
    # A cheap check first; the full parse (with its errors) happens in load_config.
    if "mlflow-lint" not in text:
        return False
    if re.search(r"^\s*\[\s*tool\s*\.\s*[\"']?mlflow-lint", text, re.M) is not None:
        return True
    # Rarer spellings: `mlflow-lint = {...}` under `[tool]`, or dotted keys `tool.mlflow-lint.select = [...]`.
    try:
        tool = tomllib.loads(text).get("tool")
    except (tomllib.TOMLDecodeError, RecursionError):
        return False  # someone else's broken file, not ours to report
    return isinstance(tool, dict) and "mlflow-lint" in tool


def load_config(path: Path | None, catalog: Catalog) -> Config:
    """Read and validate a configuration file; ``None`` gives the defaults."""
    if path is None:
        return Config()
    path = path.resolve()
    data = _read_table(path)
    return _validate(data, path, catalog)


def _read_table(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{path}: configuration file not found") from None
    except UnicodeDecodeError as exc:
        line = exc.object[: exc.start].count(b"\n") + 1
        raise ConfigError(f"{path}: not valid UTF-8 at line {line} (byte {exc.object[exc.start]:#04x})") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read configuration file ({exc.strerror or exc})") from None
    if path.suffix == ".toml":
        try:
            document = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{path}: invalid TOML: {exc}") from None
        except RecursionError:
            raise ConfigError(f"{path}: invalid TOML: arrays or tables nested too deep") from None
        tool = document.get("tool", {})
        table = tool.get("mlflow-lint") if isinstance(tool, dict) else None
        if table is None:
            return {}
        if not isinstance(table, dict):
            raise ConfigError(f"{path}: [tool.mlflow-lint] must be a table")
        return table
    import yaml

    try:
        document = yaml.load(text, Loader=_strict_yaml_loader())  # noqa: S506 - a SafeLoader subclass: no Python objects
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or "invalid YAML"
        raise ConfigError(f"{path}: invalid YAML{where}: {problem}") from None
    except RecursionError:
        raise ConfigError(f"{path}: invalid YAML: lists or mappings nested too deep") from None
    if document is None:
        return {}
    if not isinstance(document, dict):
        raise ConfigError(f"{path}: the configuration must be a mapping of keys to values")
    return document


@functools.lru_cache(maxsize=1)
def _strict_yaml_loader() -> type:
    """The safe loader, except that a key given twice in one mapping is an error (PyYAML
    would silently keep the last one, so half of a configuration would be ignored)."""
    import yaml

    class StrictLoader(yaml.SafeLoader):
        def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
            first: dict[str, int] = {}
            for key_node, _ in node.value:
                if isinstance(key_node, yaml.ScalarNode) and key_node.tag != "tag:yaml.org,2002:merge":
                    if key_node.value in first:
                        raise yaml.constructor.ConstructorError(
                            None, None, f"duplicate key '{key_node.value}' (first given at line {first[key_node.value]})", key_node.start_mark
                        )
                    first[key_node.value] = key_node.start_mark.line + 1
            return super().construct_mapping(node, deep=deep)

    return StrictLoader


def _validate(data: dict[str, Any], path: Path, catalog: Catalog) -> Config:
    def where(key: str) -> str:
        table = "[tool.mlflow-lint] " if path.suffix == ".toml" else ""
        return f"{path}: {table}key '{key}'"

    unknown = sorted(str(key) for key in data if key not in KNOWN_KEYS)
    if unknown:
        known = ", ".join(KNOWN_KEYS)
        raise ConfigError(f"{path}: unknown configuration key(s): {', '.join(unknown)} (known keys: {known})")

    def string_list(key: str) -> tuple[str, ...] | None:
        if key not in data:
            return None
        value = data[key]
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise ConfigError(f"{where(key)} must be a list of strings")
        return tuple(value)

    select = string_list("select")
    ignore = string_list("ignore") or ()
    extend_select = string_list("extend-select") or ()
    exclude = string_list("exclude") or ()
    for key, selectors in (("select", select or ()), ("ignore", ignore), ("extend-select", extend_select)):
        check_selectors(selectors, catalog, where(key))

    per_file: list[tuple[str, tuple[str, ...]]] = []
    per_file_reasons: list[tuple[str, str]] = []
    raw = data.get("per-file-ignores", {})
    if not isinstance(raw, dict):
        raise ConfigError(f"{where('per-file-ignores')} must map glob patterns to lists of rule codes")
    for pattern, codes in raw.items():
        if isinstance(codes, dict):  # {codes = [...], reason = "..."}: a waiver that says why
            unknown = sorted(set(map(str, codes)) - {"codes", "reason"})
            if unknown:
                raise ConfigError(f"{where('per-file-ignores')} ('{pattern}'): unknown key '{unknown[0]}' (expected codes and reason)")
            reason = codes.get("reason")
            if reason is not None and (not isinstance(reason, str) or not reason.strip()):
                raise ConfigError(f"{where('per-file-ignores')} ('{pattern}'): reason must be a non-empty string")
            if reason is not None:
                per_file_reasons.append((str(pattern), reason.strip()))
            codes = codes.get("codes", [])
        if isinstance(codes, str):
            codes = [codes]
        if not isinstance(codes, list) or not all(isinstance(code, str) for code in codes):
            raise ConfigError(f"{where('per-file-ignores')}: '{pattern}' must map to a list of rule codes")
        check_selectors(codes, catalog, f"{where('per-file-ignores')} ('{pattern}')")
        per_file.append((str(pattern), tuple(codes)))

    include_tests = data.get("include-tests", False)
    if not isinstance(include_tests, bool):
        raise ConfigError(f"{where('include-tests')} must be true or false")
    shadow = string_list("shadow") or ()
    check_selectors(shadow, catalog, where("shadow"))
    severity = _severity_overrides(data.get("severity"), where("severity"), catalog)

    protected = string_list("protected-aliases")
    options = RuleOptions(
        required_tags=tuple(dict.fromkeys(string_list("required-tags") or ())),
        protected_aliases=tuple(a.lower() for a in protected) if protected is not None else DEFAULT_PROTECTED_ALIASES,
        protected_models=_protected_models(string_list("protected-models"), where("protected-models")),
        gate_functions=string_list("gate-functions") or (),
        allowed_tracking_uris=string_list("allowed-tracking-uris") or (),
        registry_admin_modules=string_list("registry-admin-modules") or (),
        stage_aliases=_stage_aliases(data.get("stage-aliases"), where("stage-aliases")),
        test_paths=string_list("test-paths") or (),
        gate_modules=string_list("gate-modules") or (),
        target_mlflow_version=_target_version(data.get("target-mlflow-version"), where("target-mlflow-version")),
    )
    for key, values in (("required-tags", options.required_tags), ("gate-functions", options.gate_functions)):
        if any(not value.strip() for value in values):
            raise ConfigError(f"{where(key)} must not contain empty strings")
    return Config(
        options=options,
        path=path,
        root=path.parent,
        select=select,
        ignore=ignore,
        extend_select=extend_select,
        exclude=exclude,
        per_file_ignores=tuple(per_file),
        per_file_reasons=tuple(per_file_reasons),
        include_tests=include_tests,
        severity=severity,
        shadow=tuple(code.strip().upper() for code in shadow),
    )


_VERSION = re.compile(r"\d+(\.\d+){0,2}")


def _target_version(raw: Any, where: str) -> str:
    """``"3.13"`` or ``"2.22.1"``: a release number (TOML may give a float such as 3.1, which
    is ambiguous with 3.10, so only a string is accepted)."""
    if raw is None:
        return ""
    if not isinstance(raw, str) or not _VERSION.fullmatch(raw.strip()):
        raise ConfigError(f'{where} must be an MLflow release number as a string, such as "3.13" or "2.22.1"')
    return raw.strip()


def _protected_models(patterns: tuple[str, ...] | None, where: str) -> tuple[str, ...]:
    """Globs of registered model names (``prod.*.*``), lower-cased: Unity Catalog names are
    case-insensitive. A model URI or an empty string is a mistake, not a name."""
    if patterns is None:
        return DEFAULT_PROTECTED_MODELS
    for pattern in patterns:
        if not pattern.strip():
            raise ConfigError(f"{where} must not contain empty strings")
        if ":/" in pattern:
            raise ConfigError(f"{where} holds registered model names or globs (prod.*.*), not URIs: '{pattern}'")
    return tuple(pattern.strip().lower() for pattern in patterns)


def _severity_overrides(raw: Any, where: str, catalog: Catalog) -> tuple[tuple[str, str], ...]:
    """``{MLF501 = "note"}``: a rule's level in every report (and what the Action fails on)."""
    if raw is None:
        return ()
    if not isinstance(raw, dict):
        raise ConfigError(f"{where} must map rule codes to error, warning or note")
    chosen: dict[str, str] = {}
    for code, level in raw.items():
        rule = catalog.get(str(code))
        if rule is None:
            raise ConfigError(f"{where}: unknown rule code '{code}' (see `mlflow-lint rules`)")
        if level not in ("error", "warning", "note"):
            raise ConfigError(f"{where}: '{code}' must be error, warning or note, not {level!r}")
        chosen[rule.id] = level
    return tuple(sorted(chosen.items()))


def _stage_aliases(raw: Any, where: str) -> tuple[tuple[str, str], ...]:
    """``{Production = "champion"}``: Production and Staging, when not named, keep their
    lower-case name; None and Archived get a fix only when named."""
    if raw is None:
        return DEFAULT_STAGE_ALIASES
    if not isinstance(raw, dict):
        raise ConfigError(f"{where} must map stage names ({', '.join(STAGES)}) to alias names")
    chosen = dict(DEFAULT_STAGE_ALIASES)
    for stage, alias in raw.items():
        canonical = next((name for name in STAGES if name.lower() == str(stage).lower()), None)
        if canonical is None:
            raise ConfigError(f"{where}: '{stage}' is not a registry stage (expected one of {', '.join(STAGES)})")
        if not isinstance(alias, str) or not _ALIAS.match(alias):
            raise ConfigError(
                f"{where}: '{stage}' must map to an alias name (letters, digits, '_' or '-'; not 'latest' or a version like 'v3')"
            )
        chosen[canonical] = alias
    return tuple(chosen.items())


def check_selectors(selectors: Iterable[str], catalog: Catalog, where: str) -> None:
    """Every selector is a rule id or prefix that names at least one rule."""
    for selector in selectors:
        if not _SELECTOR.match(selector.strip()):
            raise ConfigError(f"{where}: '{selector}' is not a rule code or prefix (expected e.g. MLF601 or MLF6)")
        if selector.strip().upper() != "ALL" and not catalog.matching(selector):
            raise ConfigError(f"{where}: unknown rule code '{selector}' (see `mlflow-lint rules`)")


def resolve_selection(
    catalog: Catalog,
    select: Iterable[str] | None,
    extend_select: Iterable[str] = (),
    ignore: Iterable[str] = (),
) -> frozenset[str]:
    """The enabled rule ids. The most specific selector wins; on a tie, ``ignore`` wins.

    With no ``select``, the rules enabled by default are selected. A rule that is off by
    default is enabled only when named by its full id.
    """
    selectors = [s.strip().upper() for s in (select or ())] + [s.strip().upper() for s in extend_select]
    ignores = [s.strip().upper() for s in ignore]
    enabled = set()
    for rule in catalog:
        best_select = -1 if select is not None else (0 if rule.enabled_by_default else -1)
        for selector in selectors:
            length = _match_length(selector, rule.id)
            if length is not None and (rule.enabled_by_default or selector == rule.id):
                best_select = max(best_select, length)
        best_ignore = max((length for s in ignores if (length := _match_length(s, rule.id)) is not None), default=-1)
        if best_select >= 0 and best_select > best_ignore:
            enabled.add(rule.id)
    return frozenset(enabled)


def _match_length(selector: str, rule_id: str) -> int | None:
    if selector == "ALL":
        return 0
    return len(selector) if rule_id.startswith(selector) else None
