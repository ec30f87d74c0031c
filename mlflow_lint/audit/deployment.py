"""Evidence from deployment files: .env, compose and Kubernetes YAML, shell, Dockerfiles.

These files reduce to settings (``MLFLOW_TRACKING_URI=...``) and ``mlflow`` command lines
(``sources.facts``; ``analysis.commands.interpret``), the same facts the rules read. Here
they become evidence rows: tracking URIs and where they are set, the backend store and
artifact root a tracking server is started with, how it listens and authenticates,
models served from the command line, credential settings (never their values).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from mlflow_lint.analysis.commands import LOCAL_DEFAULT_STORE, Invocation, Listening, interpret, listening, model_uri, runs_on_default_store
from mlflow_lint.analysis.hosts import DeclaresService
from mlflow_lint.analysis.secrets import has_literal_password, is_literal_secret, is_sealed
from mlflow_lint.analysis.server_security import server_weakenings
from mlflow_lint.analysis.uris import UriKind, classify, scheme_of
from mlflow_lint.analysis.values import StrValue
from mlflow_lint.analysis.variable_reads import LiteralRead
from mlflow_lint.audit.evidence import (
    CREDENTIAL_VARIABLES,
    PLAIN_VALUE_VARIABLES,
    EvidenceItem,
    ModuleEvidence,
    NameUse,
    backend_label,
    clip,
    consumed_how,
    models_uri_name,
    transport_label,
    uri_kind,
)
from mlflow_lint.sources.facts import Command, Position, Setting, SourceFacts, Word

# (a setting, whether it is a credential) -> the literal it reads through a variable
ReadThrough = Callable[[Setting, bool], LiteralRead | None]

_URI_VARIABLES = {"MLFLOW_TRACKING_URI": "tracking", "MLFLOW_REGISTRY_URI": "registry"}
_SERVER_STORES = {"MLFLOW_BACKEND_STORE_URI": "server backend", "MLFLOW_REGISTRY_STORE_URI": "server registry"}
_SERVER_ARTIFACTS = frozenset({"MLFLOW_DEFAULT_ARTIFACT_ROOT", "MLFLOW_ARTIFACTS_DESTINATION"})
# The authentication column of a server with no auth app, by where it listens (MLF703
# reports every interface): a host not known here is judged where it runs, never local.
_NO_APP = {
    Listening.EVERY_INTERFACE: "none",
    Listening.DEFAULT: "none (local only)",
    Listening.LOOPBACK: "none (local only)",
    Listening.ONE_INTERFACE: "none (one address only)",
    Listening.UNKNOWN: "decided at run time (no auth app; the host is not known here)",
}
# A server given no backend store in an environment that more may come from (a container's):
# MLF201 does not judge it, and neither does the row.
_STORE_FROM_ENVIRONMENT = "decided at run time (MLFLOW_BACKEND_STORE_URI where it starts, else MLflow's local default)"


class _Add(Protocol):
    """collect_facts' ``add``: one evidence row of ``table``."""

    def __call__(self, table: str, position: Position, /, **fields: str) -> None: ...


def collect_facts(
    facts: SourceFacts, shown: str, declares_service: DeclaresService | None = None, read_through: ReadThrough | None = None
) -> ModuleEvidence:
    """Every piece of evidence in one deployment file (``declares_service``: the Services of
    the project's manifests, as MLF702 reads a tracking URI's host; ``read_through``: the
    literal a credential reads through a variable, as MLF701 finds it)."""
    out = ModuleEvidence(shown)

    def add(table: str, position: Position, /, **fields: str) -> None:
        out.items.append(
            EvidenceItem(
                table,
                shown,
                position.line,
                position.column,
                position.end_line,
                position.end_column,
                tuple(fields.items()),
            )
        )

    for setting in facts.settings:
        name, word = setting.name, setting.value
        # Every value the setting may take, as the checks read it: ${PG_PASSWORD:-mlflow} is
        # the variable's value or, unset, the literal fallback (sources.facts.Word.values).
        values = word.values if word is not None else ()
        rendered = _render(word) if word is not None else "from a secret or another resource"
        if name in _URI_VARIABLES:
            role = _URI_VARIABLES[name]
            add("tracking_uri", setting.position, api=setting.where, role=role, value=rendered, kind=uri_kind(values))
            add("backend_store", setting.position, role=role, value=rendered, backend=backend_label(values))
            if role == "tracking":
                add("transport", setting.position, value=rendered, transport=transport_label(values, declares_service))
        elif name in _SERVER_STORES:
            add(
                "backend_store",
                setting.position,
                role=_SERVER_STORES[name],
                value=rendered,
                backend=_either(_server_backend, values),
            )
        elif name in _SERVER_ARTIFACTS:
            add(
                "artifact_location", setting.position, api=setting.where, target=rendered, kind=_either(_server_artifacts, values)
            )
        secret = name in CREDENTIAL_VARIABLES or setting.secret  # a secret by where it is: a Helm value, basic_auth.ini's admin password
        read = read_through(setting, secret) if read_through is not None else None
        if secret:
            add("credential", setting.position, setting=name, via=setting.where, value=_read(read) if read is not None else _secret(name, word))
        elif read is not None:
            add("credential", setting.position, setting=f"password in {name}", via=setting.where, value=_read(read))
        elif any(has_literal_password(value) for value in values):
            add(
                "credential",
                setting.position,
                setting=f"password in {name}",
                via=setting.where,
                value="literal in a file (redacted)",
            )
        if name == "MLFLOW_EXPERIMENT_NAME" and word is not None:
            out.experiments.append(NameUse(_plain(word), shown, setting.position.line, setting.where))

    for command in facts.commands:
        invocation = interpret(command)
        if invocation is None:
            continue
        label = "mlflow " + " ".join(invocation.subcommand)
        if invocation.is_server:
            _server(command, invocation, label, _span(command.argv) or command.position, add)
        served = model_uri(invocation)
        if served is not None:
            served_uri = served.value
            model_name = models_uri_name(served_uri)
            add(
                "model_load",
                served.position,
                api=label,
                source=_render(served),
                how=consumed_how((served_uri,), True),
                model=model_name or "-",
            )
            if model_name is not None:
                out.models.append(NameUse(model_name, shown, served.position.line, label))
    return out


def _server(command: Command, invocation: Invocation, label: str, position: Position, add: _Add) -> None:
    """Backend store, artifact root, listening address and authentication of a server, and
    its security middleware: each as the rule that judges it reads it (MLF201, MLF703, MLF704)."""
    for option, role in (("--backend-store-uri", "server backend"), ("--registry-store-uri", "server registry")):
        found = invocation.value(option)
        if found is not None and found[1].startswith("--"):  # an environment value is its own row
            word = found[0]
            add("backend_store", word.position, role=role, value=_render(word), backend=_either(_server_backend, word.values))
        elif option == "--backend-store-uri":
            default = runs_on_default_store(command, invocation)
            if default is not False:
                backend = LOCAL_DEFAULT_STORE if default else _STORE_FROM_ENVIRONMENT
                add("backend_store", position, role=role, value=f"none given to {label}", backend=backend)
    for option in ("--artifacts-destination", "--default-artifact-root"):
        found = invocation.value(option)
        if found is not None and found[1].startswith("--"):
            word = found[0]
            add(
                "artifact_location",
                word.position,
                api=f"{label} {option}",
                target=_render(word),
                kind=_either(_server_artifacts, word.values),
            )
    where, host = listening(invocation)
    app = invocation.value("--app-name")
    if app is not None:
        auth = f"--app-name {_plain(app[0])}"
    elif invocation.configured("--app-name"):
        auth = "not known here (a secret, or words not known)"  # MLF703 does not guess it absent
    else:
        auth = _NO_APP[where]
    weakenings = server_weakenings(invocation)  # MLF704's judgement, by flag and environment
    auth = "; ".join([auth, *(w.short for w in weakenings if not w.middleware)])
    middleware = [w.short for w in weakenings if w.middleware]
    add(
        "server",
        position,
        command=label,
        host=clip(_plain(host[0]) if host is not None else where.value),
        auth=clip(auth),
        security=clip(", ".join(middleware) or "on"),
    )


def _span(words: tuple[Word, ...]) -> Position | None:
    """From the first word of a command line to its last: the findings on it fall inside."""
    if not words:
        return None
    first = min(words, key=lambda w: (w.position.line, w.position.column)).position
    last = max(words, key=lambda w: (w.position.end_line, w.position.end_column)).position
    return Position(first.line, first.column, last.end_line, last.end_column)


def _render(word: Word) -> str:
    """A value as written in the file (``${VAR}`` kept), quoted, passwords in URIs masked."""
    return clip(repr(word.text))


def _plain(word: Word) -> str:
    return clip(word.text)


def _read(read: LiteralRead) -> str:
    """A credential that reads a literal through a variable (analysis.variable_reads)."""
    where = "the committed .env beside the Compose file" if read.in_env_file else "this file"
    return f"literal in {where} (redacted), through ${{{read.variable}}}"


def _secret(name: str, word: Word | None) -> str:
    """How a credential is set in a file, never what it is."""
    if word is None:
        return "from a secret reference (secretKeyRef, valueFrom)"
    value = word.value
    if name in PLAIN_VALUE_VARIABLES and value.complete:
        return clip(repr(value.text))
    if is_literal_secret(value):
        return "literal in a file (redacted)"
    if value.complete and is_sealed(value.text):
        return "encrypted in the file, or from a secret store (ref+...)"
    if value.complete:
        return "empty or a placeholder"
    if any(is_literal_secret(fallback) for fallback in word.values):
        return "from the environment, else a literal default in the file (redacted)"  # MLF701's too
    return "from the environment (${…})"


def _either(label: Callable[[StrValue | None], str], values: tuple[StrValue, ...]) -> str:
    """The labels of every value a setting may take (its variable's, its fallback)."""
    return " or ".join(dict.fromkeys(label(value) for value in values or (None,)))


def _server_backend(value: StrValue | None) -> str:
    if value is None:
        return "from a secret or another resource"
    kind = classify(value)
    if kind is UriKind.SQL_DATABASE:
        return f"SQL database ({scheme_of(value)})"
    if kind is UriKind.SQLITE:
        return "SQLite file"
    if kind in (UriKind.LOCAL_PATH, UriKind.FILE):
        return "file store (local directory)"
    if kind is UriKind.DATABRICKS:
        return "Databricks-managed"
    return "decided at run time"


def _server_artifacts(value: StrValue | None) -> str:
    if value is None:
        return "from a secret or another resource"
    kind = classify(value)
    if kind is UriKind.OBJECT_STORE:
        return f"object store ({scheme_of(value)})"
    if kind in (UriKind.LOCAL_PATH, UriKind.FILE):
        return "local directory"
    if kind is UriKind.MLFLOW_ARTIFACTS:
        return "proxied by the tracking server"
    return "decided at run time"
