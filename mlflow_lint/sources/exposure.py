"""Which servers a Compose file or a Kubernetes manifest makes reachable, and by what names.

MLF703 judges a server that listens on every interface by whether anything publishes it
beyond its private network: a Compose service's ``ports:`` or ``network_mode: host``; a
Kubernetes pod's ``hostNetwork``, ``hostPort`` or a ``NodePort``/``LoadBalancer`` Service.
MLF102 compares tracking URIs through the names a published Compose port gives one server
(``http://mlflow:5000`` inside the network, ``http://localhost:5001`` on the host). MLF703
judges a Dockerfile's server by the Compose services that build and run its image; MLF702
takes ``<service>.<namespace>`` for a name inside the cluster when a manifest declares that
Service in that namespace.
"""

from __future__ import annotations

import ipaddress
import posixpath
import re
from typing import TYPE_CHECKING

from mlflow_lint.analysis.hosts import ALL_INTERFACES
from mlflow_lint.sources.deployment import KUSTOMIZATION_FILES, ComposeImage, ManifestObject, PublishedPort
from mlflow_lint.sources.facts import references, with_fallbacks
from mlflow_lint.sources.yaml_nodes import MERGE_TAG, is_mapping, is_scalar, is_sequence

if TYPE_CHECKING:  # PyYAML is imported when a YAML file is read, not before
    from yaml import MappingNode, Node, ScalarNode


def compose_services(document: Node) -> dict[int, tuple[str, bool | None]]:
    """A docker-compose file's services (by node): each one's key, and whether it publishes
    a port on the host (``ports:``, ``network_mode: host``); None when that cannot be read
    (``extends``, a merge key). A service that publishes none is reachable only from the
    containers of its networks."""
    services = _services(document)
    if services is None:
        return {}
    found: dict[int, tuple[str, bool | None]] = {}
    for key, service in services.value:
        if not is_mapping(service):
            continue
        name = str(key.value) if is_scalar(key) else ""
        keys = {key.value: value for key, value in service.value if is_scalar(key)}
        if "extends" in keys or any(key.tag == MERGE_TAG for key, _ in service.value):
            found[id(service)] = (name, None)
            continue
        ports = keys.get("ports")
        network = keys.get("network_mode")
        host_network = network is not None and is_scalar(network) and str(network.value).strip() == "host"
        found[id(service)] = (name, host_network or (ports is not None and _publishes_beyond_loopback(ports)))
    return found


def compose_images(document: Node) -> list[ComposeImage]:
    """A Compose document's services that build an image or may publish a port
    (``compose_services``): which Dockerfile each builds, and the image name it gives. A
    service that does neither says nothing of where an image runs."""
    services = _services(document)
    if services is None:
        return []
    publishing = compose_services(document)
    found: list[ComposeImage] = []
    for key, service in services.value:
        if not (is_scalar(key) and is_mapping(service)):
            continue
        keys = {str(k.value): v for k, v in service.value if is_scalar(k) and k.tag != MERGE_TAG}
        builds, dockerfile = _built_dockerfile(keys.get("build"))
        image = keys.get("image")
        published = publishing[id(service)][1] if id(service) in publishing else None
        if builds or published is not False:
            name = str(image.value).strip() if image is not None and is_scalar(image) else None
            found.append(ComposeImage(str(key.value), published, builds, dockerfile, name or None))
    return found


def built_image(service: MappingNode) -> tuple[str, str | None] | None:
    """The Dockerfile of the project (relative to the Compose file) a Compose service
    builds its image from, and the ``target`` stage it builds (None: the last); None when
    it builds none, or one whose path or target cannot be read."""
    keys = {str(k.value): v for k, v in service.value if is_scalar(k) and k.tag != MERGE_TAG}
    builds, dockerfile = _built_dockerfile(keys.get("build"))
    if not builds or dockerfile is None:
        return None
    build = keys["build"]
    target = next((value for key, value in build.value if is_scalar(key) and key.value == "target"), None) if is_mapping(build) else None
    if target is None:
        return dockerfile, None
    name = str(target.value).strip() if is_scalar(target) else ""
    return (dockerfile, name) if name and not references(name) else None


def _built_dockerfile(build: Node | None) -> tuple[bool, str | None]:
    """Whether a service's ``build:`` builds from a Dockerfile of the project, and that
    Dockerfile relative to the Compose file's directory: ``build: ./mlflow`` is
    ``mlflow/Dockerfile``; ``{context: .., dockerfile: docker/Dockerfile.mlflow}`` the
    file under the context (Compose's defaults: context ``.``, ``Dockerfile``). A remote
    context (a Git URL) or ``dockerfile_inline`` builds none of the project's; a reference
    without a default (``${CONTEXT}``) builds one whose path is not known (None)."""
    if build is None:
        return False, None
    if is_scalar(build):
        context, dockerfile = str(build.value), "Dockerfile"
    elif is_mapping(build):
        fields = {str(k.value): v for k, v in build.value if is_scalar(k)}
        if "dockerfile_inline" in fields:
            return False, None
        given = {name: fields[name] for name in ("context", "dockerfile") if name in fields}
        if any(not is_scalar(node) for node in given.values()):
            return True, None
        context = str(given["context"].value) if "context" in given else "."
        dockerfile = str(given["dockerfile"].value) if "dockerfile" in given else "Dockerfile"
    else:
        return True, None
    context, dockerfile = with_fallbacks(context).strip(), with_fallbacks(dockerfile).strip()
    if _REMOTE_CONTEXT.match(context):
        return False, None
    if not context or not dockerfile or references(context) or references(dockerfile):
        return True, None
    return True, posixpath.normpath(posixpath.join(context, dockerfile))


# A build context Compose fetches rather than reads from the project: a Git repository or
# an archive URL (``https://github.com/acme/mlflow.git#main``, ``git@github.com:acme/x.git``).
_REMOTE_CONTEXT = re.compile(r"^(?:[a-z][a-z0-9+.-]*://|git@|github\.com/)", re.IGNORECASE)


def _services(document: Node) -> MappingNode | None:
    """A docker-compose document's ``services:`` mapping (None: the document is no Compose file)."""
    if not is_mapping(document):
        return None
    services = next((value for key, value in document.value if is_scalar(key) and key.value == "services"), None)
    return services if services is not None and is_mapping(services) else None


def published_ports(document: Node) -> list[PublishedPort]:
    """The container ports a Compose document's services publish on a fixed port of this
    machine (sources.deployment.PublishedPort): ``"5001:5000"``, ``"127.0.0.1:5001:5000"``,
    ``"5001:5000/tcp"``, ``{target: 5000, published: 5001}``; on the host's loopback or
    every interface, a ``${PORT:-5001}`` reference read as its default. Not published on a
    fixed port: a container port alone, a range, a reference without a default, another
    protocol than TCP, another host address; nor a service with a ``network_mode`` (it
    shares the host's network or another container's: Compose ignores its ports). Only
    what the service writes itself: ports it takes from ``extends`` or a ``<<`` merge are
    not known here."""
    services = _services(document)
    if services is None:
        return []
    found: list[PublishedPort] = []
    for key, service in services.value:
        if not (is_scalar(key) and is_mapping(service)):
            continue
        keys = {str(k.value): v for k, v in service.value if is_scalar(k) and k.tag != MERGE_TAG}
        ports = keys.get("ports")
        if ports is None or not is_sequence(ports) or "network_mode" in keys:
            continue
        names = _service_names(str(key.value), keys)
        for entry in ports.value:
            published = _mapping_published(entry) if is_mapping(entry) else _short_published(entry) if is_scalar(entry) else None
            if published is not None:
                found.append(PublishedPort(str(key.value), names, *published))
    return found


def _service_names(service: str, keys: dict[str, Node]) -> tuple[str, ...]:
    """The names a service answers to in its Compose network: its key, ``hostname:``,
    ``container_name:`` and each network's ``aliases:`` (a name with a reference left out)."""
    names = [service]
    for key in ("hostname", "container_name"):
        value = keys.get(key)
        if value is not None and is_scalar(value):
            names.append(str(value.value).strip())
    networks = keys.get("networks")
    if networks is not None and is_mapping(networks):
        for _, network in networks.value:
            aliases = next((v for k, v in network.value if is_scalar(k) and k.value == "aliases"), None) if is_mapping(network) else None
            if aliases is not None and is_sequence(aliases):
                names.extend(str(alias.value).strip() for alias in aliases.value if is_scalar(alias))
    return tuple(dict.fromkeys(name for name in names if name and not references(name) and "{" not in name))


def _mapping_published(entry: MappingNode) -> tuple[int, int] | None:
    """(container port, host port) of a long-syntax ``ports:`` entry, when fixed on this machine."""
    fields = {str(k.value): v for k, v in entry.value if is_scalar(k)}
    protocol, host_ip = fields.get("protocol"), fields.get("host_ip")
    if protocol is not None and not (is_scalar(protocol) and str(protocol.value).strip().lower() == "tcp"):
        return None
    if host_ip is not None and not (is_scalar(host_ip) and _on_this_machine(str(host_ip.value))):
        return None
    target, published = fields.get("target"), fields.get("published")
    container = _fixed_port(str(target.value)) if target is not None and is_scalar(target) else None
    host = _fixed_port(str(published.value)) if published is not None and is_scalar(published) else None
    return None if container is None or host is None else (container, host)


def _short_published(entry: ScalarNode) -> tuple[int, int] | None:
    """(container port, host port) of a short-syntax ``ports:`` entry, when fixed on this machine."""
    parts = _short_parts(str(entry.value).strip())
    if parts is None:
        return None  # a container port alone (a random host port), or not a port at all
    host, host_port, container_port, protocol = parts
    if (protocol and protocol != "tcp") or not _on_this_machine(host):
        return None
    container, published = _fixed_port(container_port), _fixed_port(host_port)
    return None if container is None or published is None else (container, published)


def _short_parts(entry: str) -> tuple[str, str, str, str] | None:
    """``[HOST:]HOST_PORT:CONTAINER_PORT[/PROTOCOL]`` as (host, host port, container port,
    protocol in lower case), "" where one is absent; a ``${PORT:-5000}`` reference is one
    part, whatever its colons. None for a container port alone, or what is no such entry."""
    found = references(entry)
    parts = entry
    for reference in found:
        parts = parts.replace(reference, "\0", 1)
    parts, _, protocol = parts.partition("/")
    if parts.startswith("["):  # "[::1]:5001:5000"
        host, bracket, rest = parts[1:].partition("]")
        if not bracket or not rest.startswith(":"):
            return None
        pieces = [host, *rest[1:].split(":")]
    else:
        pieces = parts.split(":")
        if len(pieces) == 2:
            pieces.insert(0, "")
    if len(pieces) != 3:
        return None
    restored = iter(found)
    host, host_port, container_port = ("".join(next(restored, "") if c == "\0" else c for c in piece) for piece in pieces)
    return host, host_port, container_port, protocol.strip().lower()


def _fixed_port(text: str) -> int | None:
    """A port number (``${PORT:-5000}`` read as its default); None for a range or an unknown."""
    text = with_fallbacks(text).strip()
    if not (text.isascii() and text.isdigit()):
        return None
    port = int(text)
    return port if 0 < port < 65536 else None


def _on_this_machine(host: str) -> bool:
    """A published port's host address that ``localhost`` reaches: none, every interface, or loopback."""
    host = with_fallbacks(host).strip().lower()
    return host in ("", *ALL_INTERFACES) or _is_loopback(host)


def _publishes_beyond_loopback(ports: Node) -> bool:
    """Whether a ``ports:`` list publishes a port on an interface other than the host's
    loopback: ``"127.0.0.1:5001:5000"`` (or ``host_ip: 127.0.0.1``) is reached from the
    host itself only, as a server bound to 127.0.0.1 is. What cannot be read counts as
    published (``${BIND}:5000:5000``, a list that is no list)."""
    if not is_sequence(ports):
        return True
    for entry in ports.value:
        if is_mapping(entry):  # long syntax: {target: 5000, published: 5001, host_ip: 127.0.0.1}
            host_ip = next((value for key, value in entry.value if is_scalar(key) and key.value == "host_ip"), None)
            host = str(host_ip.value) if host_ip is not None and is_scalar(host_ip) else ""
        elif is_scalar(entry):
            if port_beyond_loopback(str(entry.value)):
                return True
            continue
        else:
            return True
        if not _is_loopback(host):
            return True
    return False


def port_beyond_loopback(entry: str) -> bool:
    """Whether a published port in the short syntax of Compose's ``ports:`` and ``docker
    run -p`` (``"5001:5000"``, ``"5000"``, ``"127.0.0.1:5001:5000"``, ``"[::1]::5000"``) is
    reached beyond the host's loopback: unless bound to it, it listens on every interface
    (a container port alone, on a random one)."""
    parts = _short_parts(entry.strip())
    return not _is_loopback(parts[0] if parts is not None else "")


# Workloads whose pod template holds containers (a bare Pod holds them itself).
_WORKLOADS = frozenset({"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "ReplicationController"})
# Service types that publish beyond the cluster: a node's port, a cloud load balancer.
_EXPOSING_SERVICES = frozenset({"NodePort", "LoadBalancer"})


def _get(node: Node | None, *keys: str) -> Node | None:
    """The node at ``keys`` under mapping ``node`` (None where a key is missing)."""
    for key in keys:
        if node is None or not is_mapping(node):
            return None
        node = next((value for k, value in node.value if is_scalar(k) and k.value == key), None)
    return node


def _labels(node: Node | None) -> dict[str, str] | None:
    if node is None or not is_mapping(node):
        return None
    return {str(k.value): str(v.value) for k, v in node.value if is_scalar(k) and is_scalar(v)}


def kubernetes_containers(documents: list[Node]) -> dict[int, bool | None]:
    """The containers (by node) of a manifest file's workloads: whether the pod is reached
    from outside the cluster, as a compose service's published port is (policy). Published:
    ``hostNetwork``, a container's ``hostPort``, or a Service of this file selecting the pod
    whose type is ``NodePort`` or ``LoadBalancer`` (or with ``externalIPs``); unpublished:
    only ``ClusterIP`` Services of this file select it, reached inside the cluster (an
    Ingress then proxies it, and is where authentication belongs); unknown (None) with no
    Service here, as one in another file may expose it."""
    services: list[tuple[dict[str, str], bool]] = []
    pods: list[tuple[dict[str, str] | None, Node]] = []
    for document in documents:
        kind = _get(document, "kind")
        kind_name = str(kind.value) if kind is not None and is_scalar(kind) else ""
        if kind_name == "Service":
            selector = _labels(_get(document, "spec", "selector"))
            if selector:
                service_type = _get(document, "spec", "type")
                exposed = (service_type is not None and is_scalar(service_type) and str(service_type.value) in _EXPOSING_SERVICES) or (
                    _get(document, "spec", "externalIPs") is not None
                )
                services.append((selector, exposed))
        elif kind_name in _WORKLOADS:
            spec = _get(document, "spec", "template", "spec")
            if spec is not None:
                pods.append((_labels(_get(document, "spec", "template", "metadata", "labels")), spec))
        elif kind_name == "Pod":
            spec = _get(document, "spec")
            if spec is not None:
                pods.append((_labels(_get(document, "metadata", "labels")), spec))
    found: dict[int, bool | None] = {}
    for labels, spec in pods:
        selecting = [exposed for selector, exposed in services if labels and all(labels.get(k) == v for k, v in selector.items())]
        host_network = _get(spec, "hostNetwork")
        on_host = host_network is not None and is_scalar(host_network) and str(host_network.value).lower() == "true"
        containers = _get(spec, "containers")
        for container in containers.value if containers is not None and is_sequence(containers) else []:
            ports = _get(container, "ports")
            host_port = ports is not None and is_sequence(ports) and any(_get(port, "hostPort") is not None for port in ports.value)
            if on_host or host_port or any(selecting):
                found[id(container)] = True
            else:
                found[id(container)] = False if selecting else None
    return found


# A Service's name and a namespace are DNS labels (RFC 1123); anything else (a Helm
# template's ``{{ .Release.Namespace }}``, a ``${VAR}``) is no name the manifest gives.
_DNS_LABEL = re.compile(r"^[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?$")


def manifest_objects(documents: list[Node], file_name: str) -> list[ManifestObject]:
    """The Kubernetes objects of a manifest file that say which in-cluster names reach a
    Service: each ``Service`` with the name (and namespace) it is written with, except an
    ``ExternalName`` one (an alias of a host outside the cluster); each ``Namespace``; a
    kustomization (``kind: Kustomization``, or a document of a file named
    ``kustomization.yaml``): the ``namespace:`` it sets and its ``resources:`` (and the
    older ``bases:``)."""
    kustomization_file = file_name in KUSTOMIZATION_FILES
    found: list[ManifestObject] = []
    for document in documents:
        kind = _text(_get(document, "kind"))
        if kind == "Service":
            name = _label(_get(document, "metadata", "name"))
            if name is not None and _text(_get(document, "spec", "type")) != "ExternalName":
                found.append(ManifestObject("Service", name, _label(_get(document, "metadata", "namespace"))))
        elif kind == "Namespace":
            name = _label(_get(document, "metadata", "name"))
            if name is not None:
                found.append(ManifestObject("Namespace", name))
        elif kind == "Kustomization" or (kind is None and kustomization_file and is_mapping(document)):
            resources = [_text(item) for key in ("resources", "bases") for item in _items(_get(document, key))]
            namespace = _label(_get(document, "namespace"))
            found.append(ManifestObject("Kustomization", namespace=namespace, resources=tuple(r for r in resources if r)))
    return found


def _text(node: Node | None) -> str | None:
    """A scalar's text, stripped; None for another node or none."""
    return str(node.value).strip() if node is not None and is_scalar(node) else None


def _label(node: Node | None) -> str | None:
    """A scalar that is a DNS label (a Service's or a namespace's name), else None."""
    text = _text(node)
    return text if text is not None and _DNS_LABEL.match(text) else None


def _items(node: Node | None) -> list[Node]:
    return list(node.value) if node is not None and is_sequence(node) else []


def _is_loopback(host: str) -> bool:
    """``localhost`` or a loopback address; a ``${BIND_ADDR:-127.0.0.1}`` reference is its
    default, the address the file ships with (another one is the user's own choice)."""
    host = with_fallbacks(host).strip().lower()
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
