"""What an ``mlflow`` command line does: subcommand, options, and their environment fallbacks."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from mlflow_lint.analysis.hosts import ALL_INTERFACES, is_loopback
from mlflow_lint.analysis.uris import UriKind, classify
from mlflow_lint.analysis.values import Hole
from mlflow_lint.sources.facts import Command, Setting, SourceFacts, Word, dependent_variable, referenced_variable, word_after

# Options that take a value (anything else starting with "-" is a flag). Only options a
# rule reads need to be here; an unknown option never consumes the next word.
_VALUE_OPTIONS = frozenset(
    {
        "--backend-store-uri", "--registry-store-uri", "--default-artifact-root", "--artifacts-destination",
        "--host", "-h", "--port", "-p", "--workers", "-w", "--app-name", "--allowed-hosts",
        "--cors-allowed-origins", "--x-frame-options", "--gunicorn-opts", "--waitress-opts", "--uvicorn-opts",
        "--static-prefix", "--expose-prometheus", "--model-uri", "-m", "--env-manager", "--name", "-n",
        "--target", "-t", "--config", "-C", "--endpoint", "--input-path", "-i", "--output-path", "-o",
        "--content-type", "-j", "--timeout",
    }
)  # fmt: skip
_GROUPS = frozenset({"models", "deployments", "sagemaker", "experiments", "runs", "artifacts", "db", "gc"})
# `mlflow server` options MLflow also reads from the environment (click envvar=...).
SERVER_ENVIRONMENT = {
    "--backend-store-uri": "MLFLOW_BACKEND_STORE_URI",
    "--registry-store-uri": "MLFLOW_REGISTRY_STORE_URI",
    "--default-artifact-root": "MLFLOW_DEFAULT_ARTIFACT_ROOT",
    "--artifacts-destination": "MLFLOW_ARTIFACTS_DESTINATION",
    "--host": "MLFLOW_HOST",
    "--app-name": "MLFLOW_APP_NAME",
    "--allowed-hosts": "MLFLOW_SERVER_ALLOWED_HOSTS",
    "--cors-allowed-origins": "MLFLOW_SERVER_CORS_ALLOWED_ORIGINS",
}
_ARTIFACTS_ONLY = "MLFLOW_ARTIFACTS_ONLY"  # click envvar= of --artifacts-only
_TRUE = frozenset({"true", "1", "t", "yes", "y", "on"})
# What ``mlflow server`` runs on when nothing gives it a backend store (MLflow 3.18.0,
# mlflow/store/tracking/__init__.py: DEFAULT_TRACKING_URI, absent from 3.6.0), whichever
# release an image runs.
LOCAL_DEFAULT_STORE = "MLflow's local default (./mlruns before 3.7, sqlite:///mlflow.db since)"
_ALIASES = {"-h": "--host", "-p": "--port", "-w": "--workers", "-m": "--model-uri", "-n": "--name", "-t": "--target"}


@dataclass(frozen=True)
class Option:
    flag: Word
    value: Word | None  # None for flags without a value, or when the value comes from the environment


@dataclass(frozen=True)
class Invocation:
    """``mlflow server --host 0.0.0.0``: subcommand ``("server",)`` and its options."""

    subcommand: tuple[str, ...]
    words: tuple[Word, ...]
    options: dict[str, list[Option]]
    environment: tuple[Setting, ...]
    expands: bool = False  # a shell expands $VAR in its words from ``environment`` (Command.expands)
    dependent: bool = False  # Kubernetes expands $(VAR) in them (Command.dependent_variables)
    variables: tuple[Setting, ...] = ()  # the script's own variables (Command.variables)
    # A word where an option may be is not known (``$EXTRA_ARGS``, ``*extra`` in Python): it
    # may give any option, so none is known to be absent.
    open_options: bool = False

    @property
    def is_server(self) -> bool:
        """``mlflow server`` or ``mlflow ui`` that runs one: ``--help`` prints and exits."""
        return self.subcommand[:1] in (("server",), ("ui",)) and "--help" not in self.options

    @property
    def artifacts_only(self) -> bool:
        """A server that serves artifacts only (``--artifacts-only``, or ``MLFLOW_ARTIFACTS_ONLY``
        true): MLflow 3.18.0 disables its tracking service, so it has no backend store."""
        if self.has("--artifacts-only") is not None:
            return True
        return any(
            setting.name == _ARTIFACTS_ONLY and setting.value is not None and setting.value.value.text.strip().lower() in _TRUE
            for setting in self.environment
        )

    @property
    def anchor(self) -> Word:
        """Where a finding about the whole command points: its subcommand word."""
        return self.words[1] if len(self.words) > 1 else self.words[0]

    def value(self, option: str) -> tuple[Word, str] | None:
        """An option's value and where it came from (the flag, or the environment variable).
        A flag given a variable the command's environment sets, where a shell expands it
        (``--default-artifact-root $MLFLOW_DEFAULT_ARTIFACT_ROOT`` after ``ENV
        MLFLOW_DEFAULT_ARTIFACT_ROOT=/data`` in a Dockerfile's shell form), has that
        setting's value, as the same variable read without the flag has."""
        for found in reversed(self.options.get(option, [])):
            if found.value is not None:
                text = found.value.text
                name = referenced_variable(text) if self.expands else dependent_variable(text) if self.dependent else None
                if name is not None:
                    # The line's own environment, else a variable the script assigned before.
                    visible = (*self.variables, *self.environment) if self.expands else self.environment
                    setting = next((s for s in reversed(visible) if s.name == name and s.value is not None), None)
                    if setting is not None and setting.value is not None:
                        # ``--flag=$X`` is one word: its text already shows the reference.
                        shown = found.flag.text if "=" in found.flag.text else f"{found.flag.text} {text}"
                        return setting.value, shown
                return found.value, found.flag.text
        variable = SERVER_ENVIRONMENT.get(option) if self.is_server else None
        if variable is not None:
            for setting in reversed(self.environment):
                if setting.name == variable and setting.value is not None:
                    return setting.value, variable
        return None

    def configured(self, option: str) -> bool:
        """The option is given, by flag or environment, even with a value we cannot read
        (a Kubernetes secretKeyRef, ``$VAR``), or may be, by words we cannot read where
        options go (``mlflow server $EXTRA_ARGS``)."""
        if option in self.options or self.open_options:
            return True
        variable = SERVER_ENVIRONMENT.get(option) if self.is_server else None
        return variable is not None and any(setting.name == variable for setting in self.environment)

    def has(self, option: str) -> Word | None:
        found = self.options.get(option)
        return found[-1].flag if found else None


class Listening(Enum):
    """Where a server accepts connections, as its ``--host`` (or ``MLFLOW_HOST``) says."""

    DEFAULT = "127.0.0.1 (default)"  # no host given: MLflow binds to 127.0.0.1
    EVERY_INTERFACE = "every interface"  # 0.0.0.0, ::: other machines reach it (MLF703)
    LOOPBACK = "this machine only"
    ONE_INTERFACE = "one interface"  # a named address or host: that network only
    UNKNOWN = "decided at run time"  # $HOST, a secret: not known here


def listening(invocation: Invocation) -> tuple[Listening, tuple[Word, str] | None]:
    """Where the server ``invocation`` starts listens, and what says so (``Invocation.value``
    of ``--host``: the word, and the flag or ``MLFLOW_HOST``). MLF703 asks it, and the
    audit's server rows show it: a host not known here is never taken for a local one."""
    found = invocation.value("--host")
    if found is None:
        return Listening.DEFAULT, None
    value = found[0].value
    if not value.complete:
        return Listening.UNKNOWN, found
    host = value.text.strip()
    if host in ALL_INTERFACES:
        return Listening.EVERY_INTERFACE, found
    if is_loopback(host.strip("[]")):
        return Listening.LOOPBACK, found
    return Listening.ONE_INTERFACE, found


def runs_on_default_store(command: Command, invocation: Invocation) -> bool | None:
    """Whether the tracking server ``command`` starts runs on MLflow's local default store
    (:data:`LOCAL_DEFAULT_STORE`): True when nothing gives it a backend store (MLF201's
    finding); None when only the environment it is started in may (a container's: a
    Dockerfile's, an ``env_file:``/``envFrom:``): not known here; False when a flag or a
    setting gives one (even one that cannot be read), or the server keeps no runs
    (``--artifacts-only``)."""
    if not invocation.is_server or invocation.artifacts_only or invocation.configured("--backend-store-uri"):
        return False
    return None if command.open_environment else True


def interpret(command: Command) -> Invocation | None:
    words = list(command.argv)
    if not words or words[0].text.rsplit("/", 1)[-1] != "mlflow":
        return None
    rest = words[1:]
    subcommand: list[str] = []
    index = 0
    while index < len(rest) and not rest[index].text.startswith("-") and len(subcommand) < 2:
        subcommand.append(rest[index].text)
        index += 1
        if subcommand[0] not in _GROUPS:
            break
    if not subcommand:
        return None
    options: dict[str, list[Option]] = {}
    open_options = False
    while index < len(rest):
        word = rest[index]
        text = word.text
        index += 1
        if not text.startswith("-") or text == "-":
            open_options = open_options or _may_be_options(word)
            continue
        if text.startswith("--") and "=" in text:
            name = text.partition("=")[0]
            options.setdefault(_ALIASES.get(name, name), []).append(Option(word, word_after(word, len(name) + 1)))
            continue
        if text in _VALUE_OPTIONS and index < len(rest):
            options.setdefault(_ALIASES.get(text, text), []).append(Option(word, rest[index]))
            index += 1
            continue
        options.setdefault(_ALIASES.get(text, text), []).append(Option(word, None))
    return Invocation(
        tuple(subcommand), tuple(words), options, command.environment, command.expands, command.dependent_variables,
        command.variables, open_options,
    )  # fmt: skip


def _may_be_options(word: Word) -> bool:
    """A word that starts with what is not known (``$EXTRA_ARGS``, a script's own arguments
    ``"$@"``: a shell's word reads them as references, sources.facts.ShellWord; Python's
    ``*extra``): it may hold options, however many."""
    parts = word.value.parts
    return bool(parts) and isinstance(parts[0], Hole)


def read_by_a_server(setting: Setting, facts: SourceFacts | None) -> bool:
    """Whether an ``mlflow server``/``mlflow ui`` command of the same file has ``setting`` in
    its environment: what it says is then judged at that command, which reads it unless a
    flag overrides it. A setting no command there reads is for a server started elsewhere
    (an image's own entrypoint, a compose file passing a .env on)."""
    if facts is None:
        return False
    for command in facts.commands:
        if setting in command.environment:
            invocation = interpret(command)
            if invocation is not None and invocation.is_server:
                return True
    return False


MODEL_SUBCOMMANDS = frozenset(
    {("models", "serve"), ("models", "predict"), ("models", "build-docker"), ("models", "generate-dockerfile"),
     ("models", "prepare-env"), ("models", "update-pip-requirements"), ("deployments", "create"),
     ("deployments", "update"), ("sagemaker", "build-and-push-container")}
)  # fmt: skip


def model_uri(invocation: Invocation) -> Word | None:
    """The model a ``mlflow models serve -m ...`` (and similar) command consumes."""
    if invocation.subcommand not in MODEL_SUBCOMMANDS:
        return None
    found = invocation.value("--model-uri")
    return found[0] if found else None


def consumed_model(command: Command) -> tuple[str, Word] | None:
    """(``"mlflow models serve"``, the ``-m`` word) for a command that consumes a model."""
    invocation = interpret(command)
    if invocation is None:
        return None
    word = model_uri(invocation)
    return ("mlflow " + " ".join(invocation.subcommand), word) if word is not None else None


def passes_local_text(word: Word) -> bool:
    """An exec-form word holding a shell reference (``"$URI"``: no shell expands it) whose
    text, as MLflow receives it, names a local directory or nothing it can read as a URI:
    the server then stores in that relative directory. An object-store or SQL URI with an
    unexpanded part (``s3://${BUCKET}/mlflow``) still names that store (MLF201, MLF301)."""
    return word.unexpanded and classify(word.value) in (UriKind.LOCAL_PATH, UriKind.FILE, UriKind.UNKNOWN)
