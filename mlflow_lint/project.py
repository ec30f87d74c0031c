"""Project-wide facts: which module an import names, and that module's constants.

Resolution is lazy and keyed by the importing file, not by the files named on the command
line: linting one file finds the same constants as linting the whole tree, because the
module an import names is located on disk (and parsed once per process) when a value is
first asked of it.
"""

from __future__ import annotations

import ast
import functools
import os
import re
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from mlflow_lint.discovery import discover, gitignore_spec
from mlflow_lint.safe_io import within
from mlflow_lint.sources import is_lintable, is_project_code, read_limit

# The readers of sources (and the MLflow API model) are imported where they are used: a
# warm run re-checks import lookups through this module and reads no source, bundle or
# requirements file.

if TYPE_CHECKING:
    # Loaded when a module is first analysed (``_analysed``): the index also answers the
    # import lookups a warm run re-checks, which need no analysis.
    from mlflow_lint.analysis.caller_candidates import CallerScope
    from mlflow_lint.analysis.module import AnalysedModule
    from mlflow_lint.analysis.semantic import Binding
    from mlflow_lint.sources.databricks_bundle import Bundle
    from mlflow_lint.sources.deployment import DeploymentFact
    from mlflow_lint.sources.facts import Setting
    from mlflow_lint.sources.helm_values import HelmChart, ValuesFile
    from mlflow_lint.sources.requirements import DeclaredMlflow

PROJECT_MARKERS = ("pyproject.toml", "setup.py", "setup.cfg", ".git", ".mlflow-lint.yaml")
# ``from pkg.mod import a, b`` / ``import pkg.mod as m, other``, also inside notebook JSON
# strings; an over-approximation is fine (it only sends a file to the parser).
_FROM_IMPORT = re.compile(rb"(?:^|[\s\"])from[ \t]+(\.*[\w.]*)[ \t]+import[ \t]+\(?([\w ,\t]*)", re.MULTILINE)
_IMPORT = re.compile(rb"(?:^|[\s\"])import[ \t]+([\w., \t]+)", re.MULTILINE)
# ``%run ./includes/setup``, in a Databricks ``# MAGIC`` line or a notebook's code cell (the
# prefilter searches a notebook's cells, not its JSON): it includes that notebook as an import would.
_RUN_MAGIC = re.compile(rb"%run[ \t][^\n\\]*")
_MAX_IMPORT_LEVELS = 4  # as many as the value flow follows calls (analysis.flow)
_MAX_MODULE_BYTES = 2_000_000
_MAX_REEXPORT_DEPTH = 6
_MAX_CACHED_MODULES = 32  # measured on the MLflow tree: 128 held 196 MiB; 32, 114 MiB and no slower


def _read_again(path: Path) -> bytes:
    """A notebook's bytes when a position in it is asked for (IpynbLines), not kept meanwhile."""
    try:
        return path.read_bytes()
    except OSError:
        return b""


def find_project_root(start: Path) -> Path | None:
    """The nearest ancestor of ``start`` that looks like a project root."""
    return _project_root_of_directory(start if start.is_dir() else start.parent)


def forget_project_roots() -> None:
    """Forget the project roots found (a marker file may have appeared or gone)."""
    _project_root_of_directory.cache_clear()


@functools.lru_cache(maxsize=4096)
def _project_root_of_directory(directory: Path) -> Path | None:
    if any((directory / marker).exists() for marker in PROJECT_MARKERS):
        return directory
    if directory.parent == directory:
        return None
    return _project_root_of_directory(directory.parent)


@dataclass
class DependencyLog:
    """What one file's analysis read of other files: the result cache re-checks exactly
    these before it reuses the file's findings (a changed helper module invalidates the
    files that import it)."""

    modules: set[str] = field(default_factory=set)  # absolute paths of modules read
    # (importing directory, module name as written, the file found or None)
    lookups: set[tuple[str, str, str | None]] = field(default_factory=set)
    # (search scope, function name, digest of the files whose text may call it): searches
    # for a function's callers across the project (analysis.callers), re-run to re-check.
    callers: set[tuple[str, str, str]] = field(default_factory=set)
    facts: str | None = None  # digest of the project facts the findings depend on
    root: str | None = None  # the project root the analysis searched modules under


class ModuleBudget:
    """How many parsed modules a process keeps, across its project indexes, least recently
    used first out. One budget for all of them: a repository of nested projects (each its
    own index, each resolving imports into the shared sources) would otherwise keep a full
    cache per project, the same modules parsed once per index (minivess-mlops: 136 modules
    alive for a budget of 16 per index)."""

    def __init__(self, limit: int = _MAX_CACHED_MODULES) -> None:
        self.limit = limit
        self._order: OrderedDict[tuple[int, Path], ProjectIndex] = OrderedDict()

    def used(self, index: ProjectIndex, key: Path) -> None:
        """``index`` holds (or just used) its module at ``key``; the oldest beyond the limit go."""
        entry = (id(index), key)
        self._order[entry] = index
        self._order.move_to_end(entry)
        while len(self._order) > self.limit:
            (_, oldest), owner = self._order.popitem(last=False)
            owner._evict(oldest)


class ProjectIndex:
    """Module lookup and constant resolution for one project root."""

    def __init__(self, root: Path | None, budget: ModuleBudget | None = None) -> None:
        self.root = root.resolve() if root is not None else None
        # The parsed modules this index may keep: shared with the session's other indexes.
        self._budget = budget if budget is not None else ModuleBudget()
        self.log: DependencyLog | None = None  # set while one file is analysed for the cache
        # Project facts (project_facts.facts_for): who computes them in this process, and
        # whether a worker must leave them to the engine's main process instead.
        self.facts_source: Callable[[ProjectIndex, tuple[str, ...], str], object] | None = None
        self.defer_facts = False
        # Which files a search for a function's callers reads (the configuration's excludes
        # and test paths): set by the engine for the file being analysed, as ``log`` is.
        self.caller_scope: CallerScope | None = None
        # Bounded: keeping every parsed module of a large tree alive costs hundreds of MiB.
        self._modules: dict[Path, AnalysedModule | None] = {}
        # (importing directory, module name) -> the file, as text: lookups are strings and
        # os.path end to end (a warm run re-checks thousands; pathlib made them the cost).
        self._files: dict[tuple[str, str], str | None] = {}
        self._listings: dict[str, frozenset[str]] = {}  # a directory -> its entries
        self._resolved: dict[Path, Path] = {}
        self._search_paths: dict[str, list[str]] = {}  # a directory -> where imports are looked for
        # Project modules that say "mlflow", or import one that does (imports_mlflow_users).
        # (the answer, the modules it read).
        # Keyed by the import level the question is asked at: what a module can reach in
        # the levels left does not depend on which file asked first (a worker's files come
        # in any order), nor does an import cycle.
        self._mlflow_users: dict[tuple[Path, int], tuple[bool, frozenset[str]]] = {}
        # (module, word; None: "mlflow" as the prefilter looks) -> says it; the project modules it imports.
        self._module_scans: dict[tuple[Path, bytes | None], tuple[bool, list[Path]]] = {}
        # imports_saying: the answer of an import closure from a module, with the modules it read.
        self._word_reach: dict[tuple[Path, bytes], tuple[bool, frozenset[str]]] = {}
        # Project-wide facts (mlflow_lint.project_facts), keyed by the exclusions used.
        self.facts: dict[object, object] = {}
        self._bundles: dict[Path, Bundle] = {}  # a directory -> the bundle rooted there
        self._charts: dict[Path, HelmChart | None] = {}  # a directory -> the Helm chart there
        self._compose_env: dict[Path, dict[str, Setting]] = {}  # a directory -> its committed .env's settings
        # A Dockerfile and build target -> its image's ENTRYPOINT (``image_entrypoint``).
        self._entrypoints: dict[tuple[Path, str | None], list[str] | None] = {}
        # The project's files as a lint of its root finds them, by the exclusions used (one walk).
        self._walks: dict[tuple[tuple[str, ...], str], list[Path]] = {}
        # A YAML file (resolved, as text) -> what it deploys (``deployment``).
        self._deployments: dict[str, tuple[DeploymentFact, ...]] = {}
        self._declarations: dict[Path, DeclaredMlflow | None] = {}  # a directory -> the MLflow it declares

    @functools.cached_property
    def boundary(self) -> str | None:
        """What files of this project may be read: the enclosing git work tree, else the
        project root (None: no project around it). A symbolic link that resolves outside
        it (``x.env -> /proc/self/environ``) is never read."""
        if self.root is None:
            return None
        for directory in (self.root, *self.root.parents):
            if (directory / ".git").exists():
                return str(directory)
        return str(self.root)

    def newer_python_required(self) -> str | None:
        """The project's ``requires-python`` when it asks for a newer Python than the one
        running (read once per run); pyproject.toml is logged, since the answer quotes it."""
        if self.root is None:
            return None
        if self.log is not None:
            self.log.modules.add(str(self.root / "pyproject.toml"))
        return self._newer_python

    @functools.cached_property
    def _newer_python(self) -> str | None:
        from mlflow_lint.sources.python import newer_python_required

        return newer_python_required(str(self.root)) if self.root is not None else None

    def declared_mlflow(self, path: Path) -> DeclaredMlflow | None:
        """The MLflow releases declared for a project file (requirements, pyproject,
        setup.py, conda): by the nearest directory that declares MLflow, from the file's own
        up to the project root, each read once per run. Every file that may declare them in
        the directories asked is logged, read or absent: adding one changes the answer.
        With no project root (no ``.git``, ``pyproject.toml``... above: a zip download, a
        Docker build context), the file's own directory only: where a project ends is not
        known, and a requirements file beside the code is still its declaration."""
        from mlflow_lint.sources.requirements import DECLARING_FILES, declared_mlflow

        stop = self.root if self.root is not None else path.parent
        directory = path.parent if within(path, str(stop)) else stop
        while True:
            if self.log is not None:
                self.log.modules.update(str(directory / name) for name in DECLARING_FILES)
            if directory not in self._declarations:
                self._declarations[directory] = declared_mlflow(directory)
            found = self._declarations[directory]
            if found is not None or directory == stop or directory.parent == directory:
                return found
            directory = directory.parent

    def bundle_of(self, path: Path) -> Bundle:
        """The Databricks Asset Bundle a project file belongs to: the nearest directory
        above it, up to the project root, with a ``databricks.yml`` (a bundle may sit in a
        subdirectory of a repository). Each directory is read once per run. What was read,
        and where no bundle file was, is logged: adding or editing one changes the answer."""
        from mlflow_lint.sources.databricks_bundle import BUNDLE_FILES, Bundle, read_bundle

        if self.root is None or not within(path, str(self.root)):
            return Bundle()
        directory = path.parent
        while True:
            bundle = self._bundles.get(directory)
            if bundle is None:
                bundle = self._bundles[directory] = read_bundle(directory, self.root)
            if self.log is not None:
                self.log.modules.update(bundle.files_read or (str(directory / name) for name in BUNDLE_FILES))
            if bundle.tasks or bundle.files_read or directory == self.root or directory.parent == directory:
                return bundle
            directory = directory.parent

    def helm_values(self, path: Path) -> ValuesFile | None:
        """The Helm values file ``path`` is (by its name: sources.helm_values), with the chart
        it configures: the ``Chart.yaml`` in its directory, else in the directory above (a
        chart's ``ci/`` or ``values/``) when that is in the project. None for any other file,
        and for a chart's templates. Each directory is read once per run; each Chart.yaml
        asked for, read or absent, is logged: adding or editing one changes the answer."""
        from mlflow_lint.sources import in_helm_chart
        from mlflow_lint.sources.helm_values import CHART_FILE, ValuesFile, is_values_file, read_chart

        if not is_values_file(path.name) or in_helm_chart(path):
            return None
        directory = path.absolute().parent
        candidates = [directory]
        if self.boundary is not None and directory.parent != directory and within(directory.parent, self.boundary):
            candidates.append(directory.parent)
        chart = None
        for candidate in candidates:
            if self.log is not None:
                self.log.modules.add(str(candidate / CHART_FILE))
            if candidate not in self._charts:
                self._charts[candidate] = read_chart(str(candidate / CHART_FILE))
            chart = self._charts[candidate]
            if chart is not None:
                break
        return ValuesFile(path.name, directory.name, chart)

    def compose_env(self, compose_file: Path, exclude: tuple[str, ...], exclude_root: str) -> dict[str, Setting]:
        """The variables Compose interpolates into ``compose_file`` from the ``.env`` beside
        it (its default ``--env-file``), by name: only a ``.env`` the project commits (one a
        lint of the project reads: .gitignore and the excludes honoured); nothing for any
        other. Read once per run per directory; the ``.env`` is logged, read or absent."""
        directory = compose_file.absolute().parent
        env_file = directory / ".env"
        if self.log is not None:
            self.log.modules.add(str(env_file))
        found = self._compose_env.get(directory)
        if found is None:
            found = self._compose_env[directory] = {}
            committed = {str(path) for path in self.project_files(exclude, exclude_root)}
            if str(env_file) in committed or str(env_file.resolve()) in committed:
                from mlflow_lint.sources.dotenv import parse_dotenv
                from mlflow_lint.sources.encoding import decode_text

                data = self._read_within(env_file.resolve()) or b""
                for setting in parse_dotenv(decode_text(data, "replace"), ".env").settings:
                    found[setting.name] = setting  # the last one wins, as Compose reads it
        return found

    def image_entrypoint(self, dockerfile: Path, target: str | None) -> list[str] | None:
        """The exec-form ENTRYPOINT of the image a Dockerfile of the project builds
        (``sources.dockerfile.image_entrypoint``; ``target``: the stage built), read once
        per run. The Dockerfile is logged, read or absent: editing it changes the answer.
        None for a file outside the project, too large or unreadable."""
        from mlflow_lint.sources.dockerfile import image_entrypoint
        from mlflow_lint.sources.encoding import decode_text

        path = dockerfile.resolve()
        if self.boundary is not None and not within(path, self.boundary):
            return None
        if self.log is not None:
            self.log.modules.add(str(path))
        key = (path, target)
        if key not in self._entrypoints:
            data = self._read_within(path)
            try:
                self._entrypoints[key] = image_entrypoint(decode_text(data), target) if data is not None else None
            except UnicodeDecodeError:
                self._entrypoints[key] = None
        return self._entrypoints[key]

    def start_log(self, log: DependencyLog) -> None:
        """Record what the next analysis reads. Memoised results of modules already in
        memory are dropped first: reusing them would hide the modules they were built from."""
        for module in self._modules.values():
            if module is not None:
                module.forget_derived()
        self.log = log

    def stop_log(self) -> None:
        self.log = None

    def register(self, module: AnalysedModule) -> None:
        """Reuse a module the engine already parsed."""
        self._remember(self.resolved(module.path), module)

    def resolved(self, path: Path) -> Path:
        """``path.resolve()``, once per path and index: the analysis asks for the modules of
        other files by path thousands of times, and each resolve is an lstat per component."""
        found = self._resolved.get(path)
        if found is None:
            found = self._resolved[path] = path.resolve()
        return found

    def module_at(self, path: Path) -> AnalysedModule | None:
        key = self.resolved(path)
        if self.log is not None:
            self.log.modules.add(str(key))
        if key in self._modules:
            self._budget.used(self, key)
            return self._modules[key]
        module = self._load(key)
        self._remember(key, module)
        return module

    def _remember(self, key: Path, module: AnalysedModule | None) -> None:
        replaced = self._modules.get(key)
        if replaced is not None and replaced is not module:
            # An imported module the engine now lints itself: its derived facts point back
            # at it (the value evaluator), so only releasing them lets reference counting
            # free it; left to the cycle collector, it waits for a full collection.
            replaced.release()
        self._modules[key] = module
        self._budget.used(self, key)

    def release_modules(self) -> None:
        """Drop every parsed module, each released (the index itself is being dropped)."""
        for module in self._modules.values():
            if module is not None:
                module.release()
        self._modules.clear()

    def _evict(self, key: Path) -> None:
        """Drop the module at ``key`` (the budget's oldest), freeing what refers back to it."""
        evicted = self._modules.pop(key, None)
        if evicted is not None:
            evicted.release()

    def _load(self, path: Path) -> AnalysedModule | None:
        """The module at ``path`` (resolved), read as the engine reads a file
        (sources.document): a notebook's code cells as one module (``%run ./setup`` of a
        Jupyter notebook; a Databricks source's own ``# MAGIC %run`` lines include others),
        a cell that does not parse left out. Not a module: a file outside the project, too
        large, unreadable, or with no code that parses."""
        data = self._read_within(path)  # ``path`` is resolved: not a module linked in from outside
        if data is None:
            return None
        kind = "notebook" if path.suffix == ".ipynb" else "python"  # what an import or a ``%run`` finds
        # A notebook's bytes are read again when a position in it is asked for, not kept meanwhile.
        from mlflow_lint.sources.document import read_document

        document = read_document(path, data, kind=kind, reread=lambda: _read_again(path), cells_limit=_MAX_MODULE_BYTES)
        if document.tree is None:
            return None
        if document.virtual is not None and not (document.virtual.cells and document.tree.body):
            return None  # no cells, or every cell left out: nothing to import
        module = _analysed(path, document.text, document.tree, self)
        module.file_lines = document.file_lines
        return module

    def project_files(self, exclude: tuple[str, ...], exclude_root: str) -> list[Path]:
        """The project's files, as a lint of its root would find them (.gitignore and the
        configured excludes honoured): walked once per run and exclusions."""
        if self.root is None:
            return []
        key = (exclude, exclude_root)
        found = self._walks.get(key)
        if found is None:
            spec = gitignore_spec(exclude) if exclude else None
            found = self._walks[key] = discover([self.root], is_lintable, spec, Path(exclude_root) if exclude_root else None).files
        return found

    def code_files(self, exclude: tuple[str, ...], exclude_root: str) -> list[Path]:
        """The project's Python files and .ipynb notebooks (``project_files``): what the
        caller searches read (``sources.is_project_code``)."""
        return [path for path in self.project_files(exclude, exclude_root) if is_project_code(path)]

    def fact_files(self, exclude: tuple[str, ...], exclude_root: str) -> list[Path]:
        """The files the project facts read (``project_facts.is_fact_source``): the code, and
        the YAML files that may be Compose files or Kubernetes manifests."""
        from mlflow_lint.project_facts import is_fact_source

        return [path for path in self.project_files(exclude, exclude_root) if is_fact_source(path)]

    def record_deployment(self, path: Path, facts: list[DeploymentFact]) -> None:
        """What the lint's own parse of a YAML file found it deploys: the facts need not
        read it again (as ``register`` does for a module)."""
        self._deployments[str(self.resolved(path))] = tuple(facts)

    def deployment(self, path: Path, data: bytes | None = None) -> tuple[DeploymentFact, ...]:
        """What a YAML file of the project deploys (the ports a Compose file's services
        publish, the images they build; a manifest's Services, Namespaces, kustomization),
        read as the engine reads it (``sources.document``, templates filled in) once per
        run; ``data``: its bytes, when already read. Nothing for a file outside the
        project, too large, unreadable, or whose text cannot describe a deployment
        (``may_describe_deployment``)."""
        key = self.resolved(path)
        found = self._deployments.get(str(key))
        if found is None:
            found = self._deployments[str(key)] = self._read_deployment(key, data)
        return found

    def _read_deployment(self, path: Path, data: bytes | None) -> tuple[DeploymentFact, ...]:
        from mlflow_lint.project_facts import may_describe_deployment
        from mlflow_lint.sources import MAX_ANALYSED_BYTES
        from mlflow_lint.sources.document import read_document

        if self.boundary is not None and not within(path, self.boundary):
            return ()
        data = self._read_within(path) if data is None else data
        if data is None or len(data) > MAX_ANALYSED_BYTES or not may_describe_deployment(path, data):
            return ()
        document = read_document(path, data, kind="yaml")
        return tuple(document.facts.deployment) if document.facts is not None else ()

    # -- import resolution ----------------------------------------------------------------
    def _search_directories(self, start: str) -> list[str]:
        """Where an absolute import from ``start`` is looked for: each directory up to the
        project root, and its ``src``. Computed once per directory."""
        found = self._search_paths.get(start)
        if found is None:
            root = None if self.root is None else str(self.root)
            inside = None if root is None else root.rstrip(os.sep) + os.sep
            directories: list[str] = []
            directory = start
            while True:
                directories.append(directory)
                directories.append(os.path.join(directory, "src"))
                if inside is None or directory == root or not directory.startswith(inside):
                    break  # the root itself, or a directory outside it: no further up
                parent = os.path.dirname(directory)
                if parent == directory:
                    break
                directory = parent
            found = self._search_paths[start] = directories
        return found

    def module_file(self, importing: Path, module: str) -> Path | None:
        """The file implementing ``module`` as seen from ``importing`` (None if not ours)."""
        directory = self.resolved(importing).parent  # the value flow asks per call of an imported name
        return self.module_file_from(directory, module)

    def module_file_from(self, directory: Path, module: str) -> Path | None:
        """``module_file`` for an importing file in ``directory`` (resolved)."""
        found = self.lookup_text(str(directory), module)
        return None if found is None else Path(found)

    def lookup_text(self, directory: str, module: str) -> str | None:
        """``module_file_from`` in text, memoised per (directory, module): a warm run
        re-checks each cached file's recorded lookups, and files share most of them. Each
        lookup goes to the log (the result cache records what an analysis resolved)."""
        key = (directory, module)
        if key in self._files:
            found = self._files[key]
        else:
            found = self._files[key] = self._find_module_file(directory, module)
        if self.log is not None:
            self.log.lookups.add((directory, module, found))
        return found

    def _find_module_file(self, directory: str, module: str) -> str | None:
        # A relative name may also be a Jupyter notebook: ``%run ./setup`` is read as
        # ``from .setup import *`` (sources.notebook). Never an absolute one: no Python
        # import loads an .ipynb, and ``import setup`` beside ``setup.ipynb`` fails.
        level = len(module) - len(module.lstrip("."))
        components = [c for c in module[level:].split(".") if c]
        if level:
            base = directory
            for _ in range(level - 1):
                base = os.path.dirname(base)
            bases = [base]
        else:
            if not components:
                return None
            bases = self._search_directories(directory)
        relative = os.path.join(*components) if components else ""
        for base in bases:
            if components and not self._may_hold(base, components[0], bool(level)):
                continue  # one listing per directory instead of two stats per name asked
            candidate = os.path.join(base, relative) if relative else base
            if components and os.path.isfile(candidate + ".py"):
                return candidate + ".py"
            if os.path.isfile(os.path.join(candidate, "__init__.py")):
                return os.path.join(candidate, "__init__.py")
            if level and components and os.path.isfile(candidate + ".ipynb"):
                return candidate + ".ipynb"
        return None

    def _may_hold(self, directory: str, name: str, notebooks: bool) -> bool:
        """Whether ``directory`` lists ``name`` as a package, a module or (``notebooks``) an .ipynb."""
        entries = self._entries(directory)
        return name in entries or name + ".py" in entries or (notebooks and name + ".ipynb" in entries)

    # -- the prefilter's second look ---------------------------------------------------------
    def imports_mlflow_users(self, importing: Path, data: bytes) -> bool:
        """Whether a file that never says "mlflow" imports a project module that does, or
        that imports one that does (up to four levels): its calls may pass values to MLflow
        through that module's functions (analysis.flow), so it is worth parsing. The modules
        read are logged for the result cache."""
        directory = self.resolved(importing).parent
        return any(self._uses_mlflow(found, 1) for found in self._imported_files(directory, data))

    def _imported_files(self, directory: Path, data: bytes) -> list[Path]:
        names: list[str] = []
        for match in _FROM_IMPORT.finditer(data):
            module = match.group(1).decode("ascii", "replace")
            names.append(module)
            prefix = module if module.endswith(".") else module + "."
            names.extend(prefix + n.strip() for n in match.group(2).decode("ascii", "replace").split(",") if n.strip().isidentifier())
        for match in _IMPORT.finditer(data):
            for part in match.group(1).decode("ascii", "replace").split(","):
                words = part.split()
                if words:
                    names.append(words[0])
        for match in _RUN_MAGIC.finditer(data):
            from mlflow_lint.sources.notebook import included_module

            included = included_module(match.group().decode("utf-8", "replace"))
            if included is not None:
                names.append(included)
        from mlflow_lint.analysis.api import is_mlflow

        found: list[Path] = []
        for name in dict.fromkeys(n for n in names if n and not is_mlflow(n)):
            path = self.module_file_from(directory, name)
            if path is not None:
                found.append(path)
        return found

    def _uses_mlflow(self, path: Path, level: int) -> bool:
        uses, read = self._mlflow_user(self.resolved(path), level)
        if self.log is not None:
            self.log.modules.update(read)  # the answer rests on every module it read
        return uses

    def _mlflow_user(self, key: Path, level: int) -> tuple[bool, frozenset[str]]:
        """Whether the module at ``key`` says "mlflow" or imports, within the levels left
        after ``level``, one that does; and the modules that answer read. Bounded by the
        levels, so an import cycle ends there too."""
        known = self._mlflow_users.get((key, level))
        if known is not None:
            return known
        mentions, imported = self._module_scan(key)
        read = {str(key)}
        uses = mentions
        if not uses and level < _MAX_IMPORT_LEVELS:
            for found in imported:
                found_uses, found_read = self._mlflow_user(self.resolved(found), level + 1)
                read |= found_read
                if found_uses:
                    uses = True
                    break
        result = self._mlflow_users[(key, level)] = (uses, frozenset(read))
        return result

    def _module_scan(self, key: Path, word: bytes | None = None) -> tuple[bool, list[Path]]:
        """Whether the module's text has ``word`` (None: may say "mlflow", the prefilter's
        look), and the project modules it imports (read once per run and word). A module
        that may say "mlflow" lists none: ``_mlflow_user`` looks no further."""
        found = self._module_scans.get((key, word))
        if found is None:
            from mlflow_lint.sources.prefilter import may_mention_mlflow

            data = self._searched_text(key)
            says = may_mention_mlflow(data) if word is None else word in data
            imported = [] if not data or (says and word is None) else self._imported_files(key.parent, data)
            found = self._module_scans[(key, word)] = (says, imported)
        return found

    def imports_saying(self, path: Path, word: bytes) -> bool:
        """Whether a project module that the file at ``path`` imports, directly or through
        other project modules at any depth (a chain of re-exports included), has ``word`` in
        its text: when none has, no import can hand the file what ``word`` names, and none
        need be parsed to find out. A look at text, as the prefilter's (an import in a
        function or a string counts too); the modules read are logged for the result cache."""
        key = self.resolved(path)
        found = self._word_reach.get((key, word))
        if found is None:
            read = {str(key)}
            says = False
            pending = list(reversed(self._module_scan(key, word)[1]))
            seen = {key}
            while pending and not says:
                current = self.resolved(pending.pop())
                if current in seen:
                    continue
                seen.add(current)
                read.add(str(current))
                says, imported = self._module_scan(current, word)
                pending.extend(reversed(imported))
            found = self._word_reach[(key, word)] = (says, frozenset(read))
        if self.log is not None:
            self.log.modules.update(found[1])
        return found[0]

    def _searched_text(self, key: Path) -> bytes:
        """The text of a project module that the prefilter's looks search (a notebook's code
        cells); nothing for a file outside the project, too large or unreadable."""
        from mlflow_lint.sources.prefilter import searched_text

        return searched_text(key, self._read_within(key) or b"")

    def _read_within(self, path: Path) -> bytes | None:
        """The bytes of a file of the project within its read limit (``read_limit``: a
        notebook's outputs do not count); None for a file outside the project (``path``
        resolved: not one linked in from outside), too large or unreadable. How every
        project file this index reads besides the one linted is read."""
        if self.boundary is not None and not within(path, self.boundary):
            return None
        try:
            return path.read_bytes() if path.stat().st_size <= read_limit(path) else None
        except OSError:
            return None

    def _entries(self, directory: str) -> frozenset[str]:
        """The names in ``directory`` (read once per run)."""
        found = self._listings.get(directory)
        if found is None:
            try:
                found = frozenset(os.listdir(directory))
            except OSError:
                found = frozenset()
            self._listings[directory] = found
        return found

    def resolve_binding(
        self, importing: Path, qualified_name: str, _depth: int = 0
    ) -> tuple[AnalysedModule, Binding] | None:
        """The module-level binding a qualified name denotes, following re-exports."""
        if _depth > _MAX_REEXPORT_DEPTH:
            return None
        level = len(qualified_name) - len(qualified_name.lstrip("."))
        rest_module, _, attribute = qualified_name[level:].rpartition(".")
        module_name = "." * level + rest_module
        if not attribute or not module_name:
            return None
        path = self.module_file(importing, module_name)
        if path is None:
            return None
        module = self.module_at(path)
        if module is None:
            return None
        scope = module.model.scopes[module.tree]
        if attribute not in scope.bindings:  # bound nowhere here: maybe by a star import
            for star in _project_stars(module):
                found = self.resolve_binding(path, _member(star, attribute), _depth + 1)
                if found is not None:
                    return found
            return None
        bindings = [b for b in scope.bindings.get(attribute, []) if b.kind in ("assign", "import", "def", "class")]
        if not bindings:
            return None
        binding = max(bindings, key=lambda b: b.position)
        if binding.kind == "import" and binding.qualified_name:
            return self.resolve_binding(path, binding.qualified_name, _depth + 1)
        return module, binding

    def external_name(self, importing: Path, qualified_name: str, _depth: int = 0) -> str | None:
        """The outside name a project module re-exports: ``madewithml.config.mlflow`` is
        ``mlflow`` when ``madewithml/config.py`` does ``import mlflow``. None otherwise."""
        if _depth > _MAX_REEXPORT_DEPTH:
            return None
        level = len(qualified_name) - len(qualified_name.lstrip("."))
        rest_module, _, attribute = qualified_name[level:].rpartition(".")
        path = self.module_file(importing, "." * level + rest_module) if attribute and rest_module else None
        module = self.module_at(path) if path is not None else None
        if module is None or path is None:
            return None
        bindings = module.model.scopes[module.tree].bindings.get(attribute, [])
        if not bindings:  # bound nowhere here: maybe by a star import
            for star in _project_stars(module):
                found = self.external_name(path, _member(star, attribute), _depth + 1)
                if found is not None:
                    return found
            return None
        imports = [b for b in bindings if b.kind == "import" and b.qualified_name]
        if len(imports) != len(bindings) or not imports:
            return None
        target = max(imports, key=lambda b: b.position).qualified_name
        assert target is not None
        from mlflow_lint.analysis.api import is_mlflow

        if is_mlflow(target):
            return target
        return self.external_name(path, target, _depth + 1)

    def resolve_constant(self, importing: Path, qualified_name: str) -> tuple[AnalysedModule, ast.expr] | None:
        """The module-level value a qualified name denotes (``config.TRACKING_URI``)."""
        found = self.resolve_binding(importing, qualified_name)
        if found is None or found[1].kind != "assign" or found[1].value is None:
            return None
        return found[0], found[1].value


def _analysed(path: Path, source: str, tree: ast.Module, index: ProjectIndex) -> AnalysedModule:
    from mlflow_lint.analysis.module import AnalysedModule

    return AnalysedModule(path, source, tree, index)


def _project_stars(module: AnalysedModule) -> list[str]:
    """The modules ``module`` star-imports at its top level, but MLflow: a name it does not
    bind may come from them (``from .common import *``, a nested ``%run``). Not from MLflow,
    whose names are not known here: any name would seem to be one of them."""
    from mlflow_lint.analysis.api import is_mlflow

    return [star for star in module.model.scopes[module.tree].star_imports if not is_mlflow(star)]


def _member(module: str, name: str) -> str:
    """``name`` in ``module`` as a qualified name (``.`` + ``x`` is ``.x``)."""
    return f"{module}{'' if module.endswith('.') else '.'}{name}"
