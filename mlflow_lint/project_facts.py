"""Project-wide facts that per-file checks read: every hard-coded tracking URI (MLF102)
and registry URI (MLF401: a Unity Catalog registry makes stage APIs raise), the ports
the project's Compose files publish (which URIs name one server, for MLF102), the images
their services build and whether they publish them (MLF703 on a Dockerfile), and the
Services its Kubernetes manifests declare in which namespaces (MLF702: ``<service>.<namespace>``
is a name inside the cluster).

Computed once per project root from the files that can set a tracking URI or describe a
deployment (a cheap text prefilter, then a parse), honouring .gitignore and the configured
excludes, so that a finding does not depend on which files were named on the command line.

This module is the facts' data: what a file contributes, its rows in the result cache,
and how the project's facts are gathered from them. What an analysed module contributes
is ``module_facts``'s job; a run that finds every file in the result cache reads the
facts from its rows and never loads the analysis.
"""

from __future__ import annotations

import functools
import hashlib
import os
import posixpath
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

from mlflow_lint.analysis.hosts import is_loopback
from mlflow_lint.analysis.limits import MAX_CALL_LEVELS
from mlflow_lint.context import file_context
from mlflow_lint.sources import MAX_NOTEBOOK_BYTES, is_project_code, source_kind
from mlflow_lint.sources.deployment import KUSTOMIZATION_FILES, ComposeImage, ManifestObject
from mlflow_lint.sources.prefilter import revealed_text, searched_text

# Text that can set a tracking or registry URI: set_tracking_uri(...)/set_registry_uri(...),
# the environment variables, a tracking_uri=/registry_uri= keyword, or
# MlflowClient("<literal>") with the URI as first argument (its quote escaped in a
# notebook's JSON); or install span processors (MLF705): configure(span_processors=...),
# or any configure( for the positional form (the parse decides whose it is). One pattern,
# so a file is scanned once.
_MAY_HOLD_FACTS = re.compile(
    rb"set_(?:tracking|registry)_uri|MLFLOW_(?:TRACKING|REGISTRY)_URI|(?:tracking|registry)_uri\s*=|MlflowClient\(\s*[rRfFuU]{0,2}\\?[\"']"
    rb"|span_processors|configure\s*\("
)
# The same test on a file's revealed text (sources.prefilter: escapes decoded, quotes
# removed, case folded), for a file whose bytes may hide it.
_MAY_HOLD_FACTS_REVEALED = re.compile(
    r"set_(?:tracking|registry)_uri|mlflow_(?:tracking|registry)_uri|(?:tracking|registry)_uri\s*=|mlflowclient\(|span_processors|configure\s*\("
)
_MAX_FILE_BYTES = 2_000_000
# A Compose file's keys (``may_describe_deployment``): ``services:``, and one a service
# builds an image or may publish a port with: ``"ports" :``, not ``reports:``.
_SERVICES_KEY = re.compile(rb"\bservices[\"']?[ \t]*:")
_SERVICE_KEYS = re.compile(rb"\b(?:ports|build|network_mode|extends)[\"']?[ \t]*:|<<[ \t]*:")
# A Kubernetes manifest's objects the facts read (``kind: Service``, not ``ServiceAccount``).
_MANIFEST_KINDS = re.compile(rb"\bkind[\"']?[ \t]*:[ \t]*[\"']?(?:Service|Namespace|Kustomization)\b")
_DATABRICKS_SCHEMES = frozenset({"databricks", "databricks-uc", "uc"})
# Registry URI schemes of a Unity Catalog model registry (MLflow 3.18.0,
# mlflow/utils/uri.py: _DATABRICKS_UNITY_CATALOG_SCHEME, _OSS_UNITY_CATALOG_SCHEME), whose
# stores raise on every stage API.
UNITY_CATALOG_SCHEMES = frozenset({"databricks-uc", "uc"})


@dataclass(frozen=True)
class TrackingUriUse:
    """A hard-coded tracking URI (or, with ``role="registry"``, registry URI) a file sets."""

    path: str  # absolute POSIX path of the file
    line: int  # an .ipynb notebook's: the line in its cell
    column: int
    uri: str  # normalised, for comparison
    shown: str  # as written, for messages
    # The deployable package the file belongs to (its outermost directory with an
    # __init__.py chain), None for scripts and notebooks outside any package.
    package: str | None = None
    role: str = "tracking"  # or "registry"
    cell: int | None = None  # an .ipynb notebook's: the cell's index, as findings number it

    @property
    def order(self) -> tuple[str, int, int, int]:
        """Where the use is, for ordering: by file, then cell, line and column."""
        return (self.path, -1 if self.cell is None else self.cell, self.line, self.column)

    def location(self, path: str) -> str:
        """``path:line``, or ``path:cell N:line`` in a notebook, as findings are shown."""
        return f"{path}:{self.line}" if self.cell is None else f"{path}:cell {self.cell}:{self.line}"

    @property
    def is_databricks(self) -> bool:
        return self.uri.split(":", 1)[0].lower() in _DATABRICKS_SCHEMES

    @property
    def is_unity_catalog(self) -> bool:
        return is_unity_catalog_uri(self.uri)

    def comparable_with(self, other: TrackingUriUse) -> bool:
        """Whether two uses belong to one configuration to keep consistent: a notebook
        written for Databricks (``databricks`` tracking) is compared only with the code of
        its own deployable package, not with the project's server URI elsewhere."""
        if self.is_databricks or other.is_databricks:
            return self.package is not None and self.package == other.package
        return True


@dataclass(frozen=True)
class SpanProcessorConfiguration:
    """A ``mlflow.tracing.configure(span_processors=...)`` call (MLF705): the project
    processes its spans (to mask what they captured, presumably) before export."""

    path: str  # absolute POSIX path of the file
    line: int
    column: int


@dataclass(frozen=True)
class UriSettingFunction:
    """A function of a file a parameter of which reaches a tracking or registry URI setter
    (analysis.uri_flow): a file that names it may set a URI by calling it, so the facts
    read that file too. Not a fact of the project itself (not in ``ProjectFacts``)."""

    path: str  # absolute POSIX path of the file
    name: str


@dataclass(frozen=True)
class ComposePort:
    """A container port a service of one of the project's Compose files publishes on a
    fixed port of this machine (``sources.deployment.PublishedPort``): code in the Compose
    network reaches the service as ``http://<name>:<container_port>``, code on the host as
    ``http://localhost:<host_port>``, one server (MLF102 compares URIs through them)."""

    path: str  # absolute POSIX path of the Compose file
    service: str
    names: tuple[str, ...]  # the service's name, hostname, container_name, network aliases
    container_port: int
    host_port: int


@dataclass(frozen=True)
class ComposeService:
    """A service of one of the project's Compose files that builds an image or may publish
    a port (``sources.deployment.ComposeImage``; its Dockerfile relative to the Compose file)."""

    path: str  # absolute POSIX path of the Compose file
    service: ComposeImage

    @property
    def dockerfile(self) -> str | None:
        """The absolute POSIX path of the Dockerfile it builds, when known."""
        relative = self.service.dockerfile
        return None if relative is None else posixpath.normpath(posixpath.join(posixpath.dirname(self.path), relative))


@dataclass(frozen=True)
class ManifestDeclaration:
    """A Service, Namespace or kustomization one of the project's Kubernetes manifests
    declares (``sources.deployment.ManifestObject``)."""

    path: str  # absolute POSIX path of the manifest
    declared: ManifestObject


# What one file contributes to the project's facts.
FileFact = TrackingUriUse | SpanProcessorConfiguration | UriSettingFunction | ComposePort | ComposeService | ManifestDeclaration
# The first field of such rows (a URI row's is a path).
_SPAN_PROCESSORS_ROW = "span-processors"
_URI_SETTING_FUNCTION_ROW = "uri-setting-function"
_COMPOSE_PORT_ROW = "compose-port"
_COMPOSE_SERVICE_ROW = "compose-service"
_MANIFEST_ROW = "manifest-object"


def fact_row(fact: FileFact) -> list[object]:
    """A file's fact as a JSON row (the result cache keeps them per file)."""
    if isinstance(fact, SpanProcessorConfiguration):
        return [_SPAN_PROCESSORS_ROW, fact.path, fact.line, fact.column]
    if isinstance(fact, UriSettingFunction):
        return [_URI_SETTING_FUNCTION_ROW, fact.path, fact.name]
    if isinstance(fact, ComposePort):
        return [_COMPOSE_PORT_ROW, fact.path, fact.service, list(fact.names), fact.container_port, fact.host_port]
    if isinstance(fact, ComposeService):
        service = fact.service
        return [_COMPOSE_SERVICE_ROW, fact.path, service.service, service.published, service.builds, service.dockerfile, service.image]
    if isinstance(fact, ManifestDeclaration):
        declared = fact.declared
        return [_MANIFEST_ROW, fact.path, declared.kind, declared.name, declared.namespace, list(declared.resources)]
    return [fact.path, fact.line, fact.column, fact.uri, fact.shown, fact.package, fact.role, fact.cell]


def fact_from_row(row: list[object]) -> FileFact:
    if row and row[0] == _SPAN_PROCESSORS_ROW:
        return SpanProcessorConfiguration(*row[1:])  # type: ignore[arg-type]
    if row and row[0] == _URI_SETTING_FUNCTION_ROW:
        return UriSettingFunction(*row[1:])  # type: ignore[arg-type]
    if row and row[0] == _COMPOSE_PORT_ROW:
        path, service, names, container_port, host_port = row[1:]
        return ComposePort(path, service, tuple(names), container_port, host_port)  # type: ignore[arg-type]
    if row and row[0] == _COMPOSE_SERVICE_ROW:
        return ComposeService(row[1], ComposeImage(*row[2:]))  # type: ignore[arg-type]
    if row and row[0] == _MANIFEST_ROW:
        path, kind, name, namespace, resources = row[1:]
        return ManifestDeclaration(path, ManifestObject(kind, name, namespace, tuple(resources)))  # type: ignore[arg-type]
    return TrackingUriUse(*row)  # type: ignore[arg-type]


@dataclass(frozen=True)
class ProjectFacts:
    tracking_uris: tuple[TrackingUriUse, ...] = ()
    registry_uris: tuple[TrackingUriUse, ...] = ()
    span_processor_configurations: tuple[SpanProcessorConfiguration, ...] = ()
    compose_ports: tuple[ComposePort, ...] = ()
    compose_services: tuple[ComposeService, ...] = ()
    manifest_objects: tuple[ManifestDeclaration, ...] = ()
    # (allowed, the comparability of ``seen_from``) -> the answer: every use of a file asks,
    # and computing it per use read every use of the project per use (40k uses: minutes).
    _primaries: dict[tuple[frozenset[str], bool | None, str | None], tuple[str, list[TrackingUriUse]] | None] = field(
        default_factory=dict, compare=False, repr=False
    )
    _outside_tests: dict[tuple[tuple[str, ...], str], ProjectFacts] = field(default_factory=dict, compare=False, repr=False)

    @functools.cached_property
    def digest(self) -> str:
        """Identifies these facts: a cached result that read them holds only while it matches."""
        facts: tuple[object, ...] = (self.tracking_uris, self.registry_uris, self.span_processor_configurations)
        if self.compose_ports:  # every row, not the servers they make: a test's Compose file counts only in some
            facts += (self.compose_ports,)
        if self.compose_services or self.manifest_objects:
            facts += (self.compose_services, self.manifest_objects)
        return hashlib.sha256(repr(facts).encode()).hexdigest()[:16]

    def outside_tests(self, test_paths: tuple[str, ...], root: str) -> ProjectFacts:
        """These facts without the tracking URIs set in test code (``tests/``, ``test_*.py``,
        the configured ``test-paths``; paths relative to ``root``): a test's local or
        throw-away server says nothing of the project's own (MLF102's primary URI). Nor
        does a test's Compose file (``tests/docker-compose.yml``, ``docker-compose.test.yml``)
        say what the project's servers are called."""
        key = (test_paths, root)
        found = self._outside_tests.get(key)
        if found is None:

            def outside(path: str) -> bool:
                return file_context(_relative(path, root), test_paths) != "test"

            kept = tuple(use for use in self.tracking_uris if outside(use.path))
            ports = tuple(port for port in self.compose_ports if outside(port.path))
            found = self
            if len(kept) != len(self.tracking_uris) or len(ports) != len(self.compose_ports):
                found = replace(self, tracking_uris=kept, compose_ports=ports, _primaries={}, _outside_tests={})
            self._outside_tests[key] = found
        return found

    def server(self, uri: str) -> str:
        """A normalised tracking URI (``analysis.hosts.normalise_uri``) as the server it names:
        the same for ``http://mlflow:5000`` and ``http://localhost:5001`` when a Compose file
        of the project publishes service ``mlflow``'s port 5000 on the host's port 5001
        (``_servers``); the URI itself otherwise."""
        if not self._servers:
            return uri
        scheme, separator, rest = uri.partition("://")
        if scheme not in ("http", "https") or not separator:
            return uri
        authority, slash, path = rest.partition("/")
        credentials, at, address = authority.rpartition("@")
        host, colon, port = address.partition(":")
        if not colon:
            port = "80" if scheme == "http" else "443"
        server = self._servers.get(f"{host}:{port}")
        return uri if server is None else f"{scheme}://{credentials}{at}{server}{slash}{path}"

    @functools.cached_property
    def _servers(self) -> dict[str, str]:
        """``host:port`` -> the server it names, for each address the project's Compose files
        make a second name of (``compose_ports``): ``localhost:<host port>`` and
        ``<name>:<container port>`` of one published port are one server. Only when it is
        unambiguous (policy): a host port that two services publish, or a name:port that two
        services claim, names neither; a name with a dot (a DNS host name, resolved as
        such) or that is this machine's is no Compose name."""
        claims: dict[str, set[str]] = {}
        for port in self.compose_ports:
            claims.setdefault(f"localhost:{port.host_port}", set()).add(port.service)
            for name in _compose_names(port):
                claims.setdefault(f"{name}:{port.container_port}", set()).add(port.service)
        parent: dict[str, str] = {}

        def find(node: str) -> str:
            while parent.get(node, node) != node:
                node = parent[node]
            return node

        for port in self.compose_ports:
            host = f"localhost:{port.host_port}"
            if len(claims[host]) > 1:
                continue
            for name in _compose_names(port):
                address = f"{name}:{port.container_port}"
                if len(claims[address]) == 1:
                    first, second = sorted((find(host), find(address)))
                    parent[second] = first
        return {node: find(node) for node in {*parent, *parent.values()}}

    def declares_service(self, service: str, namespace: str) -> bool:
        """Whether the project's Kubernetes manifests declare Service ``service`` in
        ``namespace`` (``_cluster_services``): inside the cluster, ``<service>.<namespace>``
        names it (MLF702)."""
        return (service, namespace) in self._cluster_services

    @functools.cached_property
    def _cluster_services(self) -> frozenset[tuple[str, str]]:
        """(name, namespace) of each Service the manifests declare, in every namespace it
        may be created in (policy, rules/MLF702.yaml): the one its ``metadata`` names, and
        the ``namespace:`` of each kustomization that includes its file (kustomize sets it
        on every resource it builds). A Service that names none either way is put in a
        namespace when it is applied (``kubectl apply -n``): any the project declares (a
        ``Namespace``, a kustomization's ``namespace:``) or ``default``."""
        kustomized = self._kustomized_namespaces
        declared = {"default"}
        for row in self.manifest_objects:
            if row.declared.kind == "Namespace":
                declared.add(row.declared.name)
            elif row.declared.kind == "Kustomization" and row.declared.namespace is not None:
                declared.add(row.declared.namespace)
        found: set[tuple[str, str]] = set()
        for row in self.manifest_objects:
            if row.declared.kind != "Service":
                continue
            namespaces = set(kustomized.get(row.path, ()))
            if row.declared.namespace is not None:
                namespaces.add(row.declared.namespace)
            found.update((row.declared.name, namespace) for namespace in namespaces or declared)
        return frozenset(found)

    @functools.cached_property
    def _kustomized_namespaces(self) -> dict[str, set[str]]:
        """A manifest's path -> the namespaces the kustomizations that include it set: a
        kustomization's ``resources:`` are files, or directories whose own kustomization
        is included in turn (an overlay's ``../../base``)."""
        by_directory = {
            posixpath.dirname(row.path): row.declared for row in self.manifest_objects if row.declared.kind == "Kustomization"
        }
        found: dict[str, set[str]] = {}
        for directory, kustomization in by_directory.items():
            if kustomization.namespace is None:
                continue
            pending, seen = [directory], set()
            while pending:
                current = pending.pop()
                if current in seen:
                    continue
                seen.add(current)
                for resource in by_directory[current].resources:
                    target = posixpath.normpath(posixpath.join(current, resource))
                    if target in by_directory:
                        pending.append(target)
                    else:
                        found.setdefault(target, set()).add(kustomization.namespace)
        return found

    def image_runs_unpublished(self, dockerfile: str) -> bool:
        """Whether the image a Dockerfile (its absolute POSIX path) builds runs only where
        the host's network does not reach it (policy, rules/MLF703.yaml): Compose services
        of the project build it, and none publishes a port; nor does a service of the same
        name in a Compose file of the same directory (an override Compose merges in:
        ``service_may_publish``), one that runs the image by a name a building service tags
        it with, or one that builds from a path that cannot be read. A name with a registry
        (``ghcr.io/acme/mlflow``, any ``/``) or a reference is pushed, or not known: the
        image may run anywhere, as one nothing in the project builds may."""
        builders = [row for row in self.compose_services if row.service.builds and row.dockerfile == dockerfile]
        names = {row.service.image for row in builders if row.service.image is not None}
        if not builders or any("/" in name or "$" in name for name in names):
            return False
        if any(self.service_may_publish(row.path, row.service.service) for row in builders):
            return False
        return not any(
            (service.image in names or (service.builds and service.dockerfile is None)) and service.published is not False
            for service in (row.service for row in self.compose_services)
        )

    def service_may_publish(self, compose_file: str, service: str) -> bool:
        """Whether ``service`` of ``compose_file`` (its absolute POSIX path) may publish a
        port, as written there or in a Compose file beside it: an override Compose merges
        in (``docker-compose.override.yml``, a ``-f`` stack of the same directory) adds
        ``ports:`` to the service a file without them declares."""
        directory = posixpath.dirname(compose_file)
        return any(
            posixpath.dirname(row.path) == directory and row.service.service == service and row.service.published is not False
            for row in self.compose_services
        )

    def unity_catalog_registry(self) -> TrackingUriUse | None:
        """The first Unity Catalog registry URI the project sets, when every registry URI it
        sets is one (a project that also sets another registry may use either: unknown)."""
        if not self.registry_uris or not all(use.is_unity_catalog for use in self.registry_uris):
            return None
        return self.registry_uris[0]

    def primary_tracking_uri(
        self, allowed: frozenset[str], seen_from: TrackingUriUse | None = None
    ) -> tuple[str, list[TrackingUriUse]] | None:
        """The project's main tracking server (``server``: a URI, or the name the project's
        Compose files give the server it names) and its uses: most used; ties go to the
        first by path and line (cell and line in a notebook).
        ``seen_from``: only the uses comparable with it (see ``TrackingUriUse.comparable_with``),
        which depends only on whether it is a Databricks URI and on its package."""
        key: tuple[frozenset[str], bool | None, str | None] = (allowed, None, None)  # every use
        if seen_from is not None and (seen_from.is_databricks or self._has_databricks):
            key = (allowed, seen_from.is_databricks, seen_from.package)
        if key not in self._primaries:
            self._primaries[key] = self._primary(allowed, seen_from)
        return self._primaries[key]

    @functools.cached_property
    def _has_databricks(self) -> bool:
        return any(use.is_databricks for use in self.tracking_uris)

    def _primary(self, allowed: frozenset[str], seen_from: TrackingUriUse | None) -> tuple[str, list[TrackingUriUse]] | None:
        """The server (``server``) most uses name, and its uses."""
        uses = [
            use
            for use in self.tracking_uris
            if use.uri not in allowed and (seen_from is None or seen_from.comparable_with(use))
        ]
        if not uses:
            return None
        counts = Counter(self.server(use.uri) for use in uses)
        first: dict[str, TrackingUriUse] = {}
        for use in sorted(uses, key=lambda u: u.order):
            first.setdefault(self.server(use.uri), use)
        primary = min(counts, key=lambda server: (-counts[server], first[server].order))
        return primary, [use for use in uses if self.server(use.uri) == primary]


def _compose_names(port: ComposePort) -> list[str]:
    """The names of a published service that other containers resolve through Compose's
    DNS: one label (``mlflow``), not this machine's (``localhost``)."""
    names = (name.lower() for name in port.names)
    return [name for name in names if "." not in name and ":" not in name and not is_loopback(name)]


def _relative(path: str, root: str) -> str:
    """``path`` relative to ``root`` (POSIX), as file contexts are decided; as is outside it."""
    if root and (path == root or path.startswith(root.rstrip("/") + "/")):
        return os.path.relpath(path, root).replace(os.sep, "/")
    return path


def is_unity_catalog_uri(uri: str) -> bool:
    """``databricks-uc``, ``databricks-uc://<profile>``, ``uc:http://...`` (OSS Unity Catalog)."""
    return uri.split(":", 1)[0].strip().lower() in UNITY_CATALOG_SCHEMES


def deployable_package(path: Path) -> str | None:
    """The outermost package directory a file is in (its ``__init__.py`` chain), or None
    for a script or notebook outside any package."""
    directory = path.parent
    if not (directory / "__init__.py").is_file():
        return None
    while (directory.parent / "__init__.py").is_file() and directory.parent != directory:
        directory = directory.parent
    return directory.as_posix()


def may_hold_project_facts(data: bytes, limit: int = _MAX_FILE_BYTES, path: str | Path | None = None) -> bool:
    """The cheap text test a file must pass before it is parsed for its project facts
    (besides naming a function that sets a URI: see ``gather_facts``). ``limit``: the
    file's size limit (``read_limit``: a notebook's outputs do not count against its code).
    A notebook (by ``path``) is searched in its code cells, as the prefilter searches it:
    megabytes of outputs cost more to search than the cells to read."""
    if len(data) > limit:
        return False
    if path is not None:
        data = searched_text(path, data)
    if _MAY_HOLD_FACTS.search(data) is not None:
        return True
    revealed = revealed_text(data)
    return revealed is not None and _MAY_HOLD_FACTS_REVEALED.search(revealed) is not None


def is_deployment_candidate(path: str | Path) -> bool:
    """A YAML file of the project (a template of one included): a Compose file when it has
    a top-level ``services:`` mapping (``sources.yaml_source``), a Kubernetes manifest when
    its documents have a ``kind:``, whatever its name."""
    return source_kind(os.path.basename(path)) == "yaml"


def may_describe_deployment(path: str | Path, data: bytes) -> bool:
    """The text test a YAML file passes before what it deploys is read: a ``services:`` key
    and a key a service builds an image or may publish a port with (``ports:``, ``build:``,
    ``network_mode:``, ``extends:``, a ``<<:`` merge); or a ``kind: Service``, ``Namespace``
    or ``Kustomization``, or the name of a kustomization file. Keys quoted or not, at any
    depth: the parse decides whose they are. Part of what deploying is, not only a
    shortcut: the lint's own parse of a file that fails it contributes nothing either (a
    key spelt with escapes is not read), so every path to the facts agrees."""
    if _SERVICES_KEY.search(data) is not None and _SERVICE_KEYS.search(data) is not None:
        return True
    return _MANIFEST_KINDS.search(data) is not None or os.path.basename(path) in KUSTOMIZATION_FILES


def may_contribute(path: str | Path, data: bytes) -> bool:
    """Whether a project file whose ``data`` is within its read limit may contribute facts:
    a YAML file that may describe a deployment, another that may set a URI (``may_hold_project_facts``)."""
    return may_describe_deployment(path, data) if is_deployment_candidate(path) else may_hold_project_facts(data, len(data), path)


def is_fact_source(path: str | Path) -> bool:
    """The files the project facts read: Python modules and notebooks (``sources.is_project_code``:
    the URIs they set), and YAML files (what a Compose file or a Kubernetes manifest deploys)."""
    return is_project_code(path) or is_deployment_candidate(path)


def assemble(facts: list[FileFact]) -> ProjectFacts:
    uses = [fact for fact in facts if isinstance(fact, TrackingUriUse)]
    configurations = sorted((f for f in facts if isinstance(f, SpanProcessorConfiguration)), key=lambda c: (c.path, c.line, c.column))
    ordered = sorted(uses, key=lambda u: (*u.order, u.uri))
    ports = sorted((f for f in facts if isinstance(f, ComposePort)), key=lambda p: (p.path, p.service, p.container_port, p.host_port, p.names))
    # In file order, each file's rows as it wrote them: their order is part of the digest.
    services = sorted((f for f in facts if isinstance(f, ComposeService)), key=lambda s: s.path)
    declarations = sorted((f for f in facts if isinstance(f, ManifestDeclaration)), key=lambda d: d.path)
    return ProjectFacts(
        tuple(use for use in ordered if use.role == "tracking"),
        tuple(use for use in ordered if use.role == "registry"),
        tuple(configurations),
        tuple(ports),
        tuple(services),
        tuple(declarations),
    )


def gather_facts(
    paths: Iterable[str],
    known: Callable[[str], list[FileFact] | None],
    read: Callable[[str], bytes | None],
    parse: Callable[[list[str]], Iterable[tuple[str, list[FileFact]]]],
) -> ProjectFacts:
    """The project's facts from its files: ``known`` gives a file's facts when they are
    already known (this run's lint, the result cache), else the file is read and parsed
    (``parse``, in bulk) when its text may set a URI (or, a YAML file, describe a
    deployment: ``may_contribute``). Then, in rounds, the files that name
    a function known to set a URI from a parameter (a call of ``init_mlflow(uri)`` in a
    file that never says ``set_tracking_uri``) are parsed too, up to as many rounds as
    calls are followed. ``read`` returns None for a file that cannot be read."""
    collected: dict[str, list[FileFact]] = {}
    unread: list[str] = []
    to_parse: list[str] = []
    for path in paths:
        facts = known(path)
        if facts is not None:
            collected[path] = facts
            continue
        data = read(path)
        if data is None:
            continue
        if is_deployment_candidate(path):  # a manifest calls no function
            if may_describe_deployment(path, data):
                to_parse.append(path)
            continue
        (to_parse if may_hold_project_facts(data, _limit(path), path) else unread).append(path)
    collected.update(parse(to_parse))
    tested: set[str] = set()
    for _ in range(MAX_CALL_LEVELS):
        names = {fact.name for facts in collected.values() for fact in facts if isinstance(fact, UriSettingFunction)} - tested
        if not names or not unread:
            break
        tested |= names
        pattern = re.compile(rb"\b(?:" + b"|".join(re.escape(name.encode()) for name in sorted(names)) + rb")\b")
        naming, still = [], []
        for path in unread:
            data = read(path)
            if data is not None and len(data) <= _limit(path) and pattern.search(data) is not None:
                naming.append(path)
            else:
                still.append(path)
        unread = still
        collected.update(parse(naming))
    return assemble([fact for path in sorted(collected) for fact in collected[path]])


def _limit(path: str) -> int:
    """A project file's size limit: a notebook's outputs do not count against its code."""
    return MAX_NOTEBOOK_BYTES if path.lower().endswith(".ipynb") else _MAX_FILE_BYTES


def read_project_file(path: str) -> bytes | None:
    """A project file's bytes for the facts' text tests; None when unreadable or too large."""
    try:
        if os.stat(path).st_size > _limit(path):
            return None
        with open(path, "rb") as handle:
            return handle.read()
    except OSError:
        return None


class FactsDeferred(Exception):
    """Raised in a worker process that was told not to compute project facts itself: the
    engine computes them once, with its cache and pool, and analyses the file again."""
