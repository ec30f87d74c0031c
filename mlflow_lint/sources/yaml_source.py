"""YAML manifests: docker-compose, Kubernetes, GitHub Actions / GitLab CI, MLproject, Helm values.

Read with ``yaml.compose_all`` and the safe loader: the result is a graph of nodes with
line/column marks, never constructed Python objects, so nothing in the file can run.
Environment blocks (``environment:``, ``env:`` maps and ``[{name, value}]`` lists), any
key named like an MLflow-related variable, and ``command``/``args``/``entrypoint``/
``run``/``script`` entries become settings and command lines.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from typing import TYPE_CHECKING

from mlflow_lint.sources.exposure import (
    built_image,
    compose_images,
    compose_services,
    kubernetes_containers,
    manifest_objects,
    published_ports,
)
from mlflow_lint.sources.facts import (
    Command,
    Copy,
    Position,
    Setting,
    SourceFacts,
    UnparsableText,
    Word,
)
from mlflow_lint.sources.helm_values import ValuesFile, credential_setting, mlflow_scopes, points_at_secret
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
from mlflow_lint.sources.shell import first_words, inline_script_at, mlflow_argv, parse_shell
from mlflow_lint.sources.yaml_nodes import MERGE_TAG, is_mapping, is_scalar, is_sequence

if TYPE_CHECKING:  # PyYAML is imported when a YAML file is read, not before
    from yaml import MappingNode, Node, ScalarNode

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
# Keys that bring variables from elsewhere (compose env files, Kubernetes config maps).
_OUTSIDE_ENVIRONMENT = ("env_file", "envFrom", "env_from")
# Keys that are settings wherever they appear (Helm values, CI variables, ...).
KNOWN_VARIABLES_PREFIXES = ("MLFLOW_", "DATABRICKS_", "AWS_SECRET", "AWS_SESSION", "AZURE_STORAGE", "AZURE_CLIENT_SECRET")


def _is_variable(key: str) -> bool:
    """A key read as an MLflow-related environment variable wherever it appears."""
    return key.startswith(KNOWN_VARIABLES_PREFIXES) and key.isupper()


class UnparsableYaml(UnparsableText):
    """Templated or broken YAML: skipped (with a note in --verbose), never an error."""


def parse_yaml(text: str, where: str, values: ValuesFile | None = None) -> SourceFacts:
    """The settings, commands and copies of a YAML file; ``values``: the file is a Helm values
    file, whose MLflow values (sources.helm_values) are read for credentials too."""
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
    present = [document for document in documents if document is not None]
    # A workload's containers are no Compose service: no other file publishes them by name.
    containers = {node: ("", published) for node, published in kubernetes_containers(present).items()}
    for document in present:
        services = compose_services(document)
        facts.compose = facts.compose or bool(services)
        _walk(document, facts, where, lines, seen, {**services, **containers})
        facts.deployment.extend(published_ports(document))
        facts.deployment.extend(compose_images(document))
        if values is not None:
            facts.settings.extend(_values_credentials(mlflow_scopes(values, document), where, lines))
    facts.deployment.extend(manifest_objects(present, where))
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


def _shell_in_scalar(node: ScalarNode, where: str, lines: list[str], compose: bool = False) -> SourceFacts:
    """A flow scalar holding a shell command line (``compose``: a Compose service's, whose
    ``$$`` is a literal ``$``: ``_parse_shell``)."""
    continued = _continued_lines(node, lines)
    if continued is not None:  # the file's own lines: every word keeps its place
        return _parse_shell(continued, where, node.start_mark.line + 1, node.start_mark.column + 1, compose=compose)
    word = _scalar_word(node, lines)
    if not _verbatim(node, lines):
        # A scalar YAML rewrote (decoded escapes, folded lines): where each word was is not
        # known, so every fact points at the scalar.
        return _parse_shell(word.text, where, word.position.line, word.position.column, compose=compose).moved(lambda _: word.position)
    return _parse_shell(word.text, where, word.position.line, word.position.column, compose=compose)


def _parse_shell(text: str, where: str, first_line: int, first_column: int, indent: int = 0, compose: bool = False) -> SourceFacts:
    """``parse_shell``; in a Compose service's command (``compose``) with its ``$$`` read
    as Compose passes it on, a literal ``$`` (``bash -c "... $$DB"``: the container's shell
    expands ``$DB``), each position still the file's own."""
    if not compose or "$$" not in text:
        return parse_shell(text, where, first_line, first_column, indent)
    dropped: dict[int, list[int]] = {}  # line -> columns of the unescaped text after which a "$" was dropped
    pieces: list[str] = []
    line, column, shift = first_line, first_column, 0
    index = 0
    while index < len(text):
        if text.startswith("$$", index):
            dropped.setdefault(line, []).append(column - shift)
            pieces.append("$")
            index, column, shift = index + 2, column + 2, shift + 1
            continue
        pieces.append(text[index])
        line, column, shift = (line + 1, 1 + indent, 0) if text[index] == "\n" else (line, column + 1, shift)
        index += 1

    def original(at_line: int, at_column: int) -> int:
        return at_column + sum(1 for column in dropped.get(at_line, ()) if column < at_column)

    def back(place: Position) -> Position:
        return Position(place.line, original(place.line, place.column), place.end_line, original(place.end_line, place.end_column))

    return parse_shell("".join(pieces), where, first_line, first_column, indent).moved(back)


def _walk(
    node: Node, facts: SourceFacts, where: str, lines: list[str], seen: set[int], services: dict[int, tuple[str, bool | None]]
) -> None:
    stack = [node]
    while stack:
        current = stack.pop()
        if id(current) in seen:  # anchors/aliases share nodes: visit each once
            continue
        seen.add(id(current))
        if is_mapping(current):
            first = len(facts.commands)
            _mapping(current, facts, where, lines, seen, bool(services.get(id(current), ("", None))[0]))
            if id(current) in services:  # a compose service's commands: which service, is it published?
                service, published = services[id(current)]
                facts.commands[first:] = [
                    command if command.in_container else replace(command, published=published, service=service or None)
                    for command in facts.commands[first:]
                ]
            stack.extend(value for _, value in current.value)
        elif is_sequence(current):
            stack.extend(current.value)


def _mapping(node: MappingNode, facts: SourceFacts, where: str, lines: list[str], seen: set[int], compose: bool = False) -> None:
    """A mapping's settings and command lines (``compose``: it is a Compose service)."""
    environment: list[Setting] = []
    pairs: dict[str, Node] = {key.value: value for key, value in node.value if is_scalar(key)}
    open_environment = any(key in pairs for key in _OUTSIDE_ENVIRONMENT)
    for key, value in node.value:
        if not is_scalar(key):
            continue
        name = str(key.value)
        if name in _ENV_KEYS:
            environment.extend(_environment(value, where, lines))
            seen.add(id(value))  # its pairs are settings already: not again by name
        elif is_scalar(value) and _is_variable(name):
            setting = Setting(name, _scalar_word(value, lines), _scalar_word(value, lines).position, f"{name} in {where}")
            facts.settings.append(setting)
    facts.settings.extend(environment)
    facts.settings.extend(_gateway_secrets(pairs, where, lines))
    facts.settings.extend(_integration_tracking_uri(pairs, where, lines))
    before = len(facts.commands)
    argv: list[Word] = []
    argv_nodes: list[ScalarNode] = []
    lists: list[list[Word]] = []  # each key's list on its own
    for key in _COMMAND_KEYS:
        value = pairs.get(key)
        if value is None:
            continue
        if is_sequence(value):
            argv_nodes.extend(item for item in value.value if is_scalar(item))
            lists.append([_scalar_word(item, lines) for item in value.value if is_scalar(item)])
            argv.extend(lists[-1])
        elif is_scalar(value) and value.value:
            # A string command: Compose and Kubernetes split it into words, no shell reads
            # it, unless it runs one (``bash -c "..."``), which expands ``$VAR`` from the
            # service's environment.
            shell = inline_script_at([word.text for word in first_words(str(value.value))]) is not None
            script = _script_facts(value, where, lines, compose)
            for command in script.commands:
                facts.commands.append(command if command.in_container else _run_by(command, environment, open_environment, shell))
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
        elif (at := inline_script_at([word.text for word in argv])) is not None:  # ["sh", "-c", "..."]
            inner = _shell_in_scalar(argv_nodes[at], where, lines, compose)
            for command in inner.commands:
                facts.commands.append(command if command.in_container else _run_by(command, environment, open_environment, True))
    if compose and len(facts.commands) == before and "entrypoint" not in pairs:
        # ``command: ["server", ...]`` only passes arguments: what runs them is the ENTRYPOINT
        # of the image the service builds (``ENTRYPOINT ["mlflow"]``), read by the engine.
        built = built_image(node)
        words = _command_words(pairs.get("command"), lines)
        if built is not None and words:
            facts.commands.append(Command(tuple(words), words[0].position, tuple(environment), open_environment, entrypoint_of=built))
    for key in _SCRIPT_KEYS:
        value = pairs.get(key)
        if value is None:
            continue
        items = value.value if is_sequence(value) else [value]
        for item in items:
            if is_scalar(item) and isinstance(item.value, str) and _MAY_MATTER.search(item.value):
                script = _script_facts(item, where, lines)
                for command in script.commands:  # a CI step's script: its shell expands the step's env
                    facts.commands.append(command if command.in_container else _run_by(command, environment, open_environment, True))
                facts.settings.extend(script.settings)
                facts.copies.extend(script.copies)  # git add of a local store
                facts.python.extend(script.python)  # python - <<'EOF' ... EOF
    facts.copies.extend(_uploaded_paths(pairs, lines))


def _command_words(node: Node | None, lines: list[str]) -> list[Word]:
    """A Compose ``command:``'s words: a list's items, or a string split as Compose splits
    it (shell quoting, no shell); where each word of a string YAML rewrote is not known."""
    if node is None:
        return []
    if is_sequence(node):
        return [_scalar_word(item, lines) for item in node.value if is_scalar(item)]
    if not is_scalar(node):
        return []
    block = _block(node, lines, folded=True)  # Compose splits a block's lines into words as it does a line's
    if block is not None:
        text, first_line, indent = block
        return [Word(word.text, word.position) for word in first_words(text, first_line, indent + 1, indent)]
    scalar = _scalar_word(node, lines)
    if not _verbatim(node, lines):
        return [Word(word.text, scalar.position) for word in first_words(scalar.text)]
    return [Word(word.text, word.position) for word in first_words(scalar.text, scalar.position.line, scalar.position.column)]


def _run_by(command: Command, environment: list[Setting], open_environment: bool, shell: bool) -> Command:
    """A command of a script a manifest, service or CI step runs, with its environment;
    ``shell``: a shell runs the script, and expands ``$VAR`` from that environment (and
    from the script's own variables)."""
    variables = command.variables if shell else ()
    return Command(command.argv, command.position, tuple(environment) + command.environment, open_environment, expands=shell, variables=variables)


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
    if provider is None or config is None or not is_scalar(provider) or not is_mapping(config):
        return []
    found = []
    mappings = [config]
    mappings += [value for key, value in config.value if is_scalar(key) and key.value in _GATEWAY_NESTED_CONFIGS and is_mapping(value)]
    for mapping in mappings:
        for key, value in mapping.value:
            name = str(key.value).lower() if is_scalar(key) else ""
            if not (is_scalar(value) and _GATEWAY_SECRET_KEY.search(name)):
                continue
            if name.endswith("api_key") and _KEY_FILE.match(str(value.value).strip()):
                continue
            word = _scalar_word(value, lines)
            found.append(Setting(str(key.value), word, word.position, f"{key.value} in {where}", secret=True))
    return found


_STRING_TAG = "tag:yaml.org,2002:str"
# What the values walk leaves to the readers above: environment blocks and variables (a
# variable holds a credential by its name, analysis.secrets.SECRET_VARIABLES), command lines
# and scripts (a mapping under ``run:`` is Bitnami's MLflow Run component, no script).
_COMMANDS_AND_SCRIPTS = frozenset(_COMMAND_KEYS) | _SCRIPT_KEYS


def _read_otherwise(name: str, value: Node) -> bool:
    return name in _ENV_KEYS or (name in _COMMANDS_AND_SCRIPTS and not is_mapping(value)) or _is_variable(name)


def _values_credentials(scopes: list[tuple[str, Node]], where: str, lines: list[str]) -> list[Setting]:
    """The string values of a Helm values file's MLflow scopes that may hold a credential
    (sources.helm_values.credential_setting). Each value once, where it is written: an
    anchor's value given to several keys is reported at the anchor."""
    found: list[Setting] = []
    seen: set[int] = set()
    for prefix, node in scopes:
        stack: list[tuple[str, str, Node]] = [(prefix, prefix.rpartition(".")[2], node)]
        while stack:
            path, key, current = stack.pop()
            if id(current) in seen:
                continue
            seen.add(id(current))
            if is_scalar(current):
                if current.tag == _STRING_TAG and str(current.value).strip():
                    setting = credential_setting(path, key, _scalar_word(current, lines), where)
                    found.extend([setting] if setting is not None else [])
            elif is_sequence(current):  # an item under its list's key: minio.users[0].secretKey
                stack.extend(reversed([(f"{path}[{index}]", key, item) for index, item in enumerate(current.value)]))
            elif is_mapping(current):  # in the file's order, so that an anchor comes before its aliases
                children = []
                for key_node, value in current.value:
                    name = str(key_node.value) if is_scalar(key_node) else ""
                    if name and not _read_otherwise(name, value) and not points_at_secret(name):
                        children.append((f"{path}.{name}" if path else name, name, value))
                stack.extend(reversed(children))
    return found


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
        if init_args is None or not is_mapping(init_args):
            return []
        keywords = {str(key.value): value for key, value in init_args.value if is_scalar(key)}
    if target is None or not is_scalar(target):
        return []
    position = integration_position(str(target.value))
    if position is None:
        return []
    value = keywords.get(TRACKING_URI_KEYWORD)
    arguments = pairs.get(HYDRA_ARGS)
    if value is None and arguments is not None and is_sequence(arguments) and position < len(arguments.value):
        value = arguments.value[position]
    if value is None or not is_scalar(value) or value.tag != _STRING_TAG or str(value.value).strip() in ("", MISSING):
        return []
    word = _scalar_word(value, lines)
    interpolated = InterpolatedWord(word.text, word.position)
    return [Setting(TRACKING_URI_SETTING, interpolated, word.position, f"{integration_api(str(target.value))} in {where}")]


def _uploaded_paths(pairs: dict[str, Node], lines: list[str]) -> list[Copy]:
    """A GitHub Actions step ``uses: actions/upload-artifact@…`` with ``with: path:`` (one
    path per line): what the workflow publishes beyond the job."""
    uses = pairs.get("uses")
    options = pairs.get("with")
    if uses is None or not is_scalar(uses) or not str(uses.value).startswith("actions/upload-artifact"):
        return []
    if options is None or not is_mapping(options):
        return []
    path = next((value for key, value in options.value if is_scalar(key) and key.value == "path"), None)
    if path is None or not is_scalar(path):
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
    if is_mapping(node):
        explicit = {str(key.value) for key, _ in node.value if is_scalar(key) and key.tag != MERGE_TAG}
        for key, value in node.value:
            if not is_scalar(key):
                continue
            if key.tag == MERGE_TAG:  # ``<<: *env``: the merged mapping's settings, where they are written
                merged = value.value if is_sequence(value) else [value]
                for mapping in merged if depth < _MAX_MERGES else []:
                    # A key the mapping sets itself wins over a merged one (YAML's merge).
                    yield from (s for s in _environment(mapping, where, lines, depth + 1) if s.name not in explicit)
                continue
            name = str(key.value)
            if is_scalar(value):
                word = _scalar_word(value, lines)
                yield Setting(name, word, word.position, f"{name} in {where}")
            else:  # e.g. a nested secret reference: not a literal value
                yield Setting(name, None, _position(key), f"{name} in {where}")
    elif is_sequence(node):
        for item in node.value:
            if is_scalar(item) and "=" in str(item.value):  # compose list form "KEY=value"
                name, _, value = str(item.value).partition("=")
                word = _scalar_word(item, lines)
                column = word.position.column + len(name) + 1
                position = Position(word.position.line, column, word.position.end_line, word.position.end_column)
                yield Setting(name.strip(), Word(value, position), position, f"{name.strip()} in {where}")
            elif is_mapping(item):  # Kubernetes: {name: X, value: Y} or {name: X, valueFrom: ...}
                fields = {k.value: v for k, v in item.value if is_scalar(k)}
                name_node = fields.get("name")
                if name_node is None or not is_scalar(name_node):
                    continue
                value_node = fields.get("value")
                name = str(name_node.value)
                if value_node is not None and is_scalar(value_node):
                    word = _scalar_word(value_node, lines)
                    yield Setting(name, word, word.position, f"{name} in {where}")
                else:
                    yield Setting(name, None, _position(name_node), f"{name} in {where}")


def _script_facts(node: ScalarNode, where: str, lines: list[str], compose: bool = False) -> SourceFacts:
    """A scalar holding a shell script; block scalars map line by line to the file
    (``compose``: a Compose service's command, ``_parse_shell``)."""
    block = _block(node, lines, folded=getattr(node, "style", None) == ">")
    if block is not None:
        text, first_line, indent = block
        return _parse_shell(text, where, first_line, indent + 1, indent, compose)
    return _shell_in_scalar(node, where, lines, compose)


def _block(node: ScalarNode, lines: list[str], folded: bool) -> tuple[str, int, int] | None:
    """A block scalar's (``|``, ``>``) text, its first line and its indentation; None for a
    flow scalar. ``folded``: read as YAML folds it, its lines joined by spaces, which loses
    where each word was: the file's lines are read instead, joined by shell continuations."""
    if getattr(node, "style", None) not in ("|", ">"):
        return None
    first_line = node.start_mark.line + 2  # content starts on the line after the indicator
    raw = lines[first_line - 1] if 0 < first_line <= len(lines) else ""
    indent = len(raw) - len(raw.lstrip())
    if not folded:
        return str(node.value), first_line, indent
    block = [line[indent:] for line in lines[first_line - 1 : node.end_mark.line]]
    while block and not block[-1].strip():
        block.pop()
    return " \\\n".join(block), first_line, indent
