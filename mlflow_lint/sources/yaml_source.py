"""YAML manifests: docker-compose, Kubernetes, GitHub Actions / GitLab CI, MLproject, Helm values.

Read with ``yaml.compose_all`` and the safe loader: the result is a graph of nodes with
line/column marks, never constructed Python objects, so nothing in the file can run.
Environment blocks (``environment:``, ``env:`` maps and ``[{name, value}]`` lists), any
key named like an MLflow-related variable, and ``command``/``args``/``entrypoint``/
``run``/``script`` entries become settings and command lines.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterator
from dataclasses import replace
from typing import TYPE_CHECKING, TypeGuard

from mlflow_lint.analysis.hosts import ALL_INTERFACES
from mlflow_lint.sources.facts import (
    Command,
    Copy,
    Position,
    PublishedPort,
    Setting,
    SourceFacts,
    UnparsableText,
    Word,
    references,
    with_fallbacks,
)
from mlflow_lint.sources.hydra import (
    HYDRA_ARGS,
    HYDRA_TARGET,
    MISSING,
    TRACKING_URI_KEYWORD,
    TRACKING_URI_SETTING,
    InterpolatedWord,
    integration_api,
    integration_position,
)
from mlflow_lint.sources.shell import inline_script_at, mlflow_argv, parse_shell

if TYPE_CHECKING:  # PyYAML is imported when a YAML file is read, not before
    from yaml import MappingNode, Node, ScalarNode, SequenceNode

_ENV_KEYS = frozenset({"environment", "env", "envs", "variables"})
_COMMAND_KEYS = ("entrypoint", "command", "commands", "args", "ansible.builtin.command", "ansible.legacy.command")
# CI steps (``run``, ``script``), Taskfile ``cmd``, and Ansible's shell module (``shell:``,
# also by its full name): a script. (GitHub Actions' ``shell: bash`` names a shell, which
# holds nothing worth reading, and is passed over as such.)
_SCRIPT_KEYS = frozenset(
    {"run", "script", "before_script", "after_script", "cmd", "shell", "ansible.builtin.shell", "ansible.legacy.shell"}
)
# A script worth reading: it runs mlflow, or commits a local tracking store (git add mlruns).
_MAY_MATTER = re.compile(r"mlflow|mlruns|mlartifacts", re.IGNORECASE)
_MERGE_TAG = "tag:yaml.org,2002:merge"  # the ``<<`` key of a mapping merged into another
# Keys that bring variables from elsewhere (compose env files, Kubernetes config maps).
_OUTSIDE_ENVIRONMENT = ("env_file", "envFrom", "env_from")
# Keys that are settings wherever they appear (Helm values, CI variables, ...).
KNOWN_VARIABLES_PREFIXES = ("MLFLOW_", "DATABRICKS_", "AWS_SECRET", "AWS_SESSION", "AZURE_STORAGE", "AZURE_CLIENT_SECRET")


class UnparsableYaml(UnparsableText):
    """Templated or broken YAML: skipped (with a note in --verbose), never an error."""


def parse_yaml(text: str, where: str) -> SourceFacts:
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    facts = SourceFacts()
    for number, raw in enumerate(text.splitlines(), start=1):
        position = raw.find("#")
        if position >= 0 and (position == 0 or raw[position - 1] in " \t"):
            facts.comment_lines[number] = raw[position:]
    try:
        documents = list(yaml.compose_all(text, Loader=loader))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where_in = f" at line {mark.line + 1}" if mark is not None else ""
        raise UnparsableYaml(f"not valid YAML{where_in} (templated?)") from None
    except RecursionError:
        raise UnparsableYaml("nesting too deep") from None
    lines = text.splitlines()
    seen: set[int] = set()
    containers = _kubernetes_containers([document for document in documents if document is not None])
    for document in documents:
        if document is not None:
            _walk(document, facts, where, lines, seen, {**_compose_services(document), **containers})
            facts.published.extend(_published_ports(document))
    # An ``environment: &env`` mapping given to several services (``environment: *env``,
    # ``<<: *env``) is one node: each service's commands see its settings, but the file sets
    # each of them once, where it is written.
    facts.settings = list(dict.fromkeys(facts.settings))
    return facts


def _position(node: Node) -> Position:
    start, end = node.start_mark, node.end_mark
    return Position(start.line + 1, start.column + 1, end.line + 1, end.column + 1)


def _scalar_word(node: ScalarNode, lines: list[str]) -> Word:
    position = _position(node)
    style = getattr(node, "style", None)
    if style in ('"', "'"):  # point inside the quotes
        position = Position(position.line, position.column + 1, position.end_line, max(position.end_column - 1, 1))
    return Word(str(node.value), position)


def _verbatim(node: ScalarNode, lines: list[str]) -> bool:
    """Whether a flow scalar's text is the file's text (so offsets in it are file columns):
    on one line, with no escape, doubled quote or folding that YAML rewrote."""
    start, end = node.start_mark, node.end_mark
    if start.line != end.line or not 0 <= start.line < len(lines):
        return False
    raw = lines[start.line][start.column : end.column]
    if getattr(node, "style", None) in ('"', "'"):
        raw = raw[1:-1]
    return raw == str(node.value)


def _continued_lines(node: ScalarNode, lines: list[str]) -> str | None:
    """A plain scalar written over several lines, each but the last ending in a shell
    continuation (``bash -lc "pip install x && \\`` then ``mlflow server \\`` ...): its text
    as the file has it. YAML folds the lines into one with spaces, which leaves each
    backslash escaping a space; Compose splits the string as a shell would read the lines
    (the backslash dropped), so the lines are read, not the folded value. None otherwise."""
    start, end = node.start_mark, node.end_mark
    if getattr(node, "style", None) not in (None, "") or start.line == end.line or not end.line < len(lines):
        return None
    pieces = [lines[start.line][start.column :], *lines[start.line + 1 : end.line], lines[end.line][: end.column]]
    while pieces and not pieces[-1].strip():
        pieces.pop()
    if len(pieces) < 2 or not all(piece.rstrip().endswith("\\") for piece in pieces[:-1]):
        return None
    return "\n".join(piece.rstrip() for piece in pieces)


def _shell_in_scalar(node: ScalarNode, where: str, lines: list[str]) -> SourceFacts:
    """A flow scalar holding a shell command line."""
    continued = _continued_lines(node, lines)
    if continued is not None:  # the file's own lines: every word keeps its place
        return parse_shell(continued, where, node.start_mark.line + 1, node.start_mark.column + 1)
    word = _scalar_word(node, lines)
    facts = parse_shell(word.text, where, word.position.line, word.position.column)
    # A scalar YAML rewrote (decoded escapes, folded lines): where each word was is not
    # known, so every fact points at the scalar.
    return facts if _verbatim(node, lines) else facts.moved(lambda _: word.position)


# By class name: this module does not import yaml until a file is read.
def _is_scalar(node: Node) -> TypeGuard[ScalarNode]:
    return node.__class__.__name__ == "ScalarNode"


def _is_mapping(node: Node) -> TypeGuard[MappingNode]:
    return node.__class__.__name__ == "MappingNode"


def _is_sequence(node: Node) -> TypeGuard[SequenceNode]:
    return node.__class__.__name__ == "SequenceNode"


def _compose_services(document: Node) -> dict[int, bool | None]:
    """A docker-compose file's services (by node): whether each publishes a port on the host
    (``ports:``, ``network_mode: host``); None when that cannot be read (``extends``, a
    merge key). A service that publishes none is reachable only from the containers of
    its networks."""
    services = _services(document)
    if services is None:
        return {}
    found: dict[int, bool | None] = {}
    for _, service in services.value:
        if not _is_mapping(service):
            continue
        keys = {key.value: value for key, value in service.value if _is_scalar(key)}
        if "extends" in keys or any(key.tag == _MERGE_TAG for key, _ in service.value):
            found[id(service)] = None
            continue
        ports = keys.get("ports")
        network = keys.get("network_mode")
        host_network = network is not None and _is_scalar(network) and str(network.value).strip() == "host"
        found[id(service)] = host_network or (ports is not None and _publishes_beyond_loopback(ports))
    return found


def _services(document: Node) -> MappingNode | None:
    """A docker-compose document's ``services:`` mapping (None: the document is no Compose file)."""
    if not _is_mapping(document):
        return None
    services = next((value for key, value in document.value if _is_scalar(key) and key.value == "services"), None)
    return services if services is not None and _is_mapping(services) else None


def _published_ports(document: Node) -> list[PublishedPort]:
    """The container ports a Compose document's services publish on a fixed port of this
    machine (sources.facts.PublishedPort): ``"5001:5000"``, ``"127.0.0.1:5001:5000"``,
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
        if not (_is_scalar(key) and _is_mapping(service)):
            continue
        keys = {str(k.value): v for k, v in service.value if _is_scalar(k) and k.tag != _MERGE_TAG}
        ports = keys.get("ports")
        if ports is None or not _is_sequence(ports) or "network_mode" in keys:
            continue
        names = _service_names(str(key.value), keys)
        for entry in ports.value:
            published = _mapping_published(entry) if _is_mapping(entry) else _short_published(entry) if _is_scalar(entry) else None
            if published is not None:
                found.append(PublishedPort(str(key.value), names, *published))
    return found


def _service_names(service: str, keys: dict[str, Node]) -> tuple[str, ...]:
    """The names a service answers to in its Compose network: its key, ``hostname:``,
    ``container_name:`` and each network's ``aliases:`` (a name with a reference left out)."""
    names = [service]
    for key in ("hostname", "container_name"):
        value = keys.get(key)
        if value is not None and _is_scalar(value):
            names.append(str(value.value).strip())
    networks = keys.get("networks")
    if networks is not None and _is_mapping(networks):
        for _, network in networks.value:
            aliases = next((v for k, v in network.value if _is_scalar(k) and k.value == "aliases"), None) if _is_mapping(network) else None
            if aliases is not None and _is_sequence(aliases):
                names.extend(str(alias.value).strip() for alias in aliases.value if _is_scalar(alias))
    return tuple(dict.fromkeys(name for name in names if name and not references(name) and "{" not in name))


def _mapping_published(entry: MappingNode) -> tuple[int, int] | None:
    """(container port, host port) of a long-syntax ``ports:`` entry, when fixed on this machine."""
    fields = {str(k.value): v for k, v in entry.value if _is_scalar(k)}
    protocol, host_ip = fields.get("protocol"), fields.get("host_ip")
    if protocol is not None and not (_is_scalar(protocol) and str(protocol.value).strip().lower() == "tcp"):
        return None
    if host_ip is not None and not (_is_scalar(host_ip) and _on_this_machine(str(host_ip.value))):
        return None
    target, published = fields.get("target"), fields.get("published")
    container = _fixed_port(str(target.value)) if target is not None and _is_scalar(target) else None
    host = _fixed_port(str(published.value)) if published is not None and _is_scalar(published) else None
    return None if container is None or host is None else (container, host)


def _short_published(entry: ScalarNode) -> tuple[int, int] | None:
    """(container port, host port) of ``[HOST:]HOST_PORT:CONTAINER_PORT[/PROTOCOL]``, when
    fixed on this machine; a ``${PORT:-5000}`` reference is one part, whatever its colons."""
    text = str(entry.value).strip()
    found = references(text)
    parts = text
    for reference in found:
        parts = parts.replace(reference, "\0", 1)
    parts, _, protocol = parts.partition("/")
    if protocol and protocol.strip().lower() != "tcp":
        return None
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
        return None  # a container port alone (a random host port), or not a port at all
    restored = iter(found)
    host, host_port, container_port = ("".join(next(restored, "") if c == "\0" else c for c in piece) for piece in pieces)
    if not _on_this_machine(host):
        return None
    container, published = _fixed_port(container_port), _fixed_port(host_port)
    return None if container is None or published is None else (container, published)


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
    if not _is_sequence(ports):
        return True
    for entry in ports.value:
        if _is_mapping(entry):  # long syntax: {target: 5000, published: 5001, host_ip: 127.0.0.1}
            host_ip = next((value for key, value in entry.value if _is_scalar(key) and key.value == "host_ip"), None)
            host = str(host_ip.value) if host_ip is not None and _is_scalar(host_ip) else ""
        elif _is_scalar(entry):
            host = _short_syntax_host(str(entry.value).strip())
        else:
            return True
        if not _is_loopback(host):
            return True
    return False


def _short_syntax_host(entry: str) -> str:
    """The host address of ``[HOST:]HOST_PORT:CONTAINER_PORT[/PROTOCOL]`` ("" when none);
    a ``${PORT:-5000}`` reference is one part, whatever its colons."""
    if entry.startswith("["):  # "[::1]:5001:5000"
        return entry[1 : entry.find("]")] if "]" in entry else ""
    found = references(entry)
    parts = entry
    for reference in found:
        parts = parts.replace(reference, "\0", 1)  # a reference is one part
    pieces = parts.split(":")
    if len(pieces) != 3:
        return ""
    host = pieces[0]
    for reference in found[: host.count("\0")]:
        host = host.replace("\0", reference, 1)
    return host


# Workloads whose pod template holds containers (a bare Pod holds them itself).
_WORKLOADS = frozenset({"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "ReplicationController"})
# Service types that publish beyond the cluster: a node's port, a cloud load balancer.
_EXPOSING_SERVICES = frozenset({"NodePort", "LoadBalancer"})


def _get(node: Node | None, *keys: str) -> Node | None:
    """The node at ``keys`` under mapping ``node`` (None where a key is missing)."""
    for key in keys:
        if node is None or not _is_mapping(node):
            return None
        node = next((value for k, value in node.value if _is_scalar(k) and k.value == key), None)
    return node


def _labels(node: Node | None) -> dict[str, str] | None:
    if node is None or not _is_mapping(node):
        return None
    return {str(k.value): str(v.value) for k, v in node.value if _is_scalar(k) and _is_scalar(v)}


def _kubernetes_containers(documents: list[Node]) -> dict[int, bool | None]:
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
        kind_name = str(kind.value) if kind is not None and _is_scalar(kind) else ""
        if kind_name == "Service":
            selector = _labels(_get(document, "spec", "selector"))
            if selector:
                service_type = _get(document, "spec", "type")
                exposed = (service_type is not None and _is_scalar(service_type) and str(service_type.value) in _EXPOSING_SERVICES) or (
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
        on_host = host_network is not None and _is_scalar(host_network) and str(host_network.value).lower() == "true"
        containers = _get(spec, "containers")
        for container in containers.value if containers is not None and _is_sequence(containers) else []:
            ports = _get(container, "ports")
            host_port = ports is not None and _is_sequence(ports) and any(_get(port, "hostPort") is not None for port in ports.value)
            if on_host or host_port or any(selecting):
                found[id(container)] = True
            else:
                found[id(container)] = False if selecting else None
    return found


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


def _walk(
    node: Node, facts: SourceFacts, where: str, lines: list[str], seen: set[int], services: dict[int, bool | None]
) -> None:
    stack = [node]
    while stack:
        current = stack.pop()
        if id(current) in seen:  # anchors/aliases share nodes: visit each once
            continue
        seen.add(id(current))
        if _is_mapping(current):
            first = len(facts.commands)
            _mapping(current, facts, where, lines, seen)
            if id(current) in services:  # a compose service's commands: is it published?
                facts.commands[first:] = [replace(command, published=services[id(current)]) for command in facts.commands[first:]]
            stack.extend(value for _, value in current.value)
        elif _is_sequence(current):
            stack.extend(current.value)


def _mapping(node: MappingNode, facts: SourceFacts, where: str, lines: list[str], seen: set[int]) -> None:
    environment: list[Setting] = []
    pairs: dict[str, Node] = {key.value: value for key, value in node.value if _is_scalar(key)}
    open_environment = any(key in pairs for key in _OUTSIDE_ENVIRONMENT)
    for key, value in node.value:
        if not _is_scalar(key):
            continue
        name = str(key.value)
        if name in _ENV_KEYS:
            environment.extend(_environment(value, where, lines))
            seen.add(id(value))  # its pairs are settings already: not again by name
        elif _is_scalar(value) and name.startswith(KNOWN_VARIABLES_PREFIXES) and name.isupper():
            setting = Setting(name, _scalar_word(value, lines), _scalar_word(value, lines).position, f"{name} in {where}")
            facts.settings.append(setting)
    facts.settings.extend(environment)
    facts.settings.extend(_gateway_secrets(pairs, where, lines))
    facts.settings.extend(_integration_tracking_uri(pairs, where, lines))
    argv: list[Word] = []
    argv_nodes: list[ScalarNode] = []
    lists: list[list[Word]] = []  # each key's list on its own
    for key in _COMMAND_KEYS:
        value = pairs.get(key)
        if value is None:
            continue
        if _is_sequence(value):
            argv_nodes.extend(item for item in value.value if _is_scalar(item))
            lists.append([_scalar_word(item, lines) for item in value.value if _is_scalar(item)])
            argv.extend(lists[-1])
        elif _is_scalar(value) and value.value:
            script = _script_facts(value, where, lines)
            for command in script.commands:
                facts.commands.append(Command(command.argv, command.position, tuple(environment) + command.environment, open_environment))
            facts.settings.extend(script.settings)
    if argv:
        mlflow = mlflow_argv(argv)
        if mlflow is None and len(lists) > 1:
            # A wrapper entrypoint (``command: ["/entrypoint.sh"]``, ``args: ["mlflow",
            # "server", ...]``) runs the arguments it is given, as a Dockerfile's ENTRYPOINT
            # runs its CMD: the list that is an mlflow command line is read on its own.
            mlflow = next((found for words in lists[1:] if (found := mlflow_argv(words)) is not None), None)
        if mlflow is not None:
            facts.commands.append(Command(tuple(mlflow), mlflow[0].position, tuple(environment), open_environment, dependent_variables=True))
        elif (at := inline_script_at([word.text for word in argv])) is not None:
            inner = _shell_in_scalar(argv_nodes[at], where, lines)
            for command in inner.commands:
                facts.commands.append(Command(command.argv, command.position, tuple(environment) + command.environment, open_environment))
    for key in _SCRIPT_KEYS:
        value = pairs.get(key)
        if value is None:
            continue
        items = value.value if _is_sequence(value) else [value]
        for item in items:
            if _is_scalar(item) and isinstance(item.value, str) and _MAY_MATTER.search(item.value):
                script = _script_facts(item, where, lines)
                for command in script.commands:  # a CI step's script: its shell expands the step's env
                    facts.commands.append(
                        Command(command.argv, command.position, tuple(environment) + command.environment, open_environment, expands=True)
                    )
                facts.settings.extend(script.settings)
                facts.copies.extend(script.copies)  # git add of a local store
                facts.python.extend(script.python)  # python - <<'EOF' ... EOF
    facts.copies.extend(_uploaded_paths(pairs, lines))


# An MLflow AI-gateway (deployments server) endpoint's model: ``provider:`` and a ``config:``
# whose keys name the provider's credentials (``openai_api_key``, ``aws_secret_access_key``).
_GATEWAY_SECRET_KEY = re.compile(r"(?:api_key|secret_access_key|session_token|access_token|token|password|secret)$")


# Sub-mappings of a provider's ``config`` that hold credentials too (MLflow 3.18.0's
# mlflow/gateway/config.py): Bedrock's ``aws_config`` (aws_secret_access_key, aws_session_token,
# aws_bearer_token) and LiteLLM's ``litellm_auth_config`` (api_key).
_GATEWAY_NESTED_CONFIGS = frozenset({"aws_config", "litellm_auth_config"})
# A file the gateway reads the key from: MLflow resolves ``*api_key`` values through
# ``_resolve_api_key_from_input``, which reads a value naming a file (the legacy YAML gateway
# sets MLFLOW_GATEWAY_RESOLVE_API_KEY_FROM_FILE). Only an explicit path counts: a bare word may
# be the key itself, and "~" is not expanded (a "~/key" value is the key).
_KEY_FILE = re.compile(r"^(?:/|\.\.?/)[^\s]*$")


def _gateway_secrets(pairs: dict[str, Node], where: str, lines: list[str]) -> list[Setting]:
    """The credentials a gateway endpoint's ``model: {provider: ..., config: {...}}`` holds:
    settings that are secrets wherever they are (a ``$OPENAI_API_KEY`` reference is not a
    literal, a key written in the file is; an api key read from a file path is neither)."""
    provider, config = pairs.get("provider"), pairs.get("config")
    if provider is None or config is None or not _is_scalar(provider) or not _is_mapping(config):
        return []
    found = []
    mappings = [config]
    mappings += [value for key, value in config.value if _is_scalar(key) and key.value in _GATEWAY_NESTED_CONFIGS and _is_mapping(value)]
    for mapping in mappings:
        for key, value in mapping.value:
            name = str(key.value).lower() if _is_scalar(key) else ""
            if not (_is_scalar(value) and _GATEWAY_SECRET_KEY.search(name)):
                continue
            if name.endswith("api_key") and _KEY_FILE.match(str(value.value).strip()):
                continue
            word = _scalar_word(value, lines)
            found.append(Setting(str(key.value), word, word.position, f"{key.value} in {where}", secret=True))
    return found


_STRING_TAG = "tag:yaml.org,2002:str"


def _integration_tracking_uri(pairs: dict[str, Node], where: str, lines: list[str]) -> list[Setting]:
    """A Hydra ``_target_`` (or a LightningCLI ``class_path``) that builds an MLflow
    integration (``MLFlowLogger``, ``MLflowCallback``...): the tracking URI its ``tracking_uri:`` (or the item of ``_args_``
    at that keyword's position) passes, read as OmegaConf reads it (``sources.hydra``), and
    judged as ``MLFLOW_TRACKING_URI`` set to it. ``null``, ``???`` (given at run time) and a
    value that is no string pass nothing known."""
    target = pairs.get(HYDRA_TARGET)
    keywords = pairs
    if target is None:
        # LightningCLI (jsonargparse): ``class_path: ...MLFlowLogger`` with its keywords
        # under ``init_args:``.
        target, init_args = pairs.get("class_path"), pairs.get("init_args")
        if init_args is None or not _is_mapping(init_args):
            return []
        keywords = {str(key.value): value for key, value in init_args.value if _is_scalar(key)}
    if target is None or not _is_scalar(target):
        return []
    position = integration_position(str(target.value))
    if position is None:
        return []
    value = keywords.get(TRACKING_URI_KEYWORD)
    arguments = pairs.get(HYDRA_ARGS)
    if value is None and arguments is not None and _is_sequence(arguments) and position < len(arguments.value):
        value = arguments.value[position]
    if value is None or not _is_scalar(value) or value.tag != _STRING_TAG or str(value.value).strip() in ("", MISSING):
        return []
    word = _scalar_word(value, lines)
    interpolated = InterpolatedWord(word.text, word.position)
    return [Setting(TRACKING_URI_SETTING, interpolated, word.position, f"{integration_api(str(target.value))} in {where}")]


def _uploaded_paths(pairs: dict[str, Node], lines: list[str]) -> list[Copy]:
    """A GitHub Actions step ``uses: actions/upload-artifact@…`` with ``with: path:`` (one
    path per line): what the workflow publishes beyond the job."""
    uses = pairs.get("uses")
    options = pairs.get("with")
    if uses is None or not _is_scalar(uses) or not str(uses.value).startswith("actions/upload-artifact"):
        return []
    if options is None or not _is_mapping(options):
        return []
    path = next((value for key, value in options.value if _is_scalar(key) and key.value == "path"), None)
    if path is None or not _is_scalar(path):
        return []
    block = getattr(path, "style", None) in ("|", ">")
    copies = []
    for offset, text in enumerate(str(path.value).splitlines()):
        entry = text.strip()
        if not entry or entry.startswith("#"):
            continue
        if block:
            line = path.start_mark.line + 2 + offset
            raw = lines[line - 1] if 0 < line <= len(lines) else ""
            column = raw.find(entry) + 1 if entry in raw else 1
            position = Position(line, column, line, column + len(entry))
        else:
            position = _scalar_word(path, lines).position
        copies.append(Copy(Word(entry, position), "uploaded as a workflow artifact"))
    return copies


_MAX_MERGES = 8  # ``<<: *a`` where ``a`` merges ``b``...: deeper is a loop or a joke


def _environment(node: Node, where: str, lines: list[str], depth: int = 0) -> Iterator[Setting]:
    if _is_mapping(node):
        explicit = {str(key.value) for key, _ in node.value if _is_scalar(key) and key.tag != _MERGE_TAG}
        for key, value in node.value:
            if not _is_scalar(key):
                continue
            if key.tag == _MERGE_TAG:  # ``<<: *env``: the merged mapping's settings, where they are written
                merged = value.value if _is_sequence(value) else [value]
                for mapping in merged if depth < _MAX_MERGES else []:
                    # A key the mapping sets itself wins over a merged one (YAML's merge).
                    yield from (s for s in _environment(mapping, where, lines, depth + 1) if s.name not in explicit)
                continue
            name = str(key.value)
            if _is_scalar(value):
                word = _scalar_word(value, lines)
                yield Setting(name, word, word.position, f"{name} in {where}")
            else:  # e.g. a nested secret reference: not a literal value
                yield Setting(name, None, _position(key), f"{name} in {where}")
    elif _is_sequence(node):
        for item in node.value:
            if _is_scalar(item) and "=" in str(item.value):  # compose list form "KEY=value"
                name, _, value = str(item.value).partition("=")
                word = _scalar_word(item, lines)
                column = word.position.column + len(name) + 1
                position = Position(word.position.line, column, word.position.end_line, word.position.end_column)
                yield Setting(name.strip(), Word(value, position), position, f"{name.strip()} in {where}")
            elif _is_mapping(item):  # Kubernetes: {name: X, value: Y} or {name: X, valueFrom: ...}
                fields = {k.value: v for k, v in item.value if _is_scalar(k)}
                name_node = fields.get("name")
                if name_node is None or not _is_scalar(name_node):
                    continue
                value_node = fields.get("value")
                name = str(name_node.value)
                if value_node is not None and _is_scalar(value_node):
                    word = _scalar_word(value_node, lines)
                    yield Setting(name, word, word.position, f"{name} in {where}")
                else:
                    yield Setting(name, None, _position(name_node), f"{name} in {where}")


def _script_facts(node: ScalarNode, where: str, lines: list[str]) -> SourceFacts:
    """A scalar holding a shell script; block scalars map line by line to the file."""
    text = str(node.value)
    style = getattr(node, "style", None)
    if style in ("|", ">"):
        first_line = node.start_mark.line + 2  # content starts on the line after the indicator
        raw = lines[first_line - 1] if 0 < first_line <= len(lines) else ""
        indent = len(raw) - len(raw.lstrip())
        if style == ">":
            # Folded: YAML joins the lines with spaces, which loses where each word was.
            # Re-read them from the file, joined by shell continuations instead.
            block = [line[indent:] for line in lines[first_line - 1 : node.end_mark.line]]
            while block and not block[-1].strip():
                block.pop()
            text = " \\\n".join(block)
        return parse_shell(text, where, first_line, indent + 1, indent)
    return _shell_in_scalar(node, where, lines)
