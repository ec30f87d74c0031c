"""What non-Python sources say, in one shape: settings, commands, copies.

A .env file, a compose file, a Kubernetes manifest, a Dockerfile and a shell script all
reduce to environment settings (``MLFLOW_TRACKING_URI=...``), command lines
(``mlflow server --host 0.0.0.0 ...``) and, for images, copied paths (``COPY mlruns``).
Checks read these facts; they never see the file formats.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import ClassVar

from mlflow_lint.analysis.values import Hole, StrValue
from mlflow_lint.analysis.values import literal as literal_value
from mlflow_lint.positions import Span
from mlflow_lint.sources.deployment import DeploymentFact

Position = Span  # the facts' name for a span (re-exported): 1-based, characters, end exclusive

# ${VAR:-default}, ${VAR-default}, ${VAR:=default}: the default when VAR is unset (or empty).
_QUOTES = re.compile(r"[\"']")
_FALLBACK = re.compile(r"\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*):?[-=](?P<default>[^}$]*)\}")
# $VAR, ${VAR}, ${VAR:-default}, $(command), `command`: values decided at run time.
_REFERENCE = re.compile(r"\$\{[^}]*\}|\$\([^)]*\)|`[^`]*`|\$[A-Za-z_][A-Za-z0-9_]*|\{\{[^}]*\}\}")
# And where a shell reads the word, its positional and special parameters: a script's own
# arguments ``$1``, ``"$@"``, ``$*``, and ``$#``, ``$?``, ``$$``, ``$!``, ``$0``. (Not in a
# ``.env`` or Compose value, where ``$1`` is text: a password may hold it.)
_SHELL_REFERENCE = re.compile(_REFERENCE.pattern + r"|\$[0-9@*#?$!]")


@dataclass(frozen=True)
class Word:
    """A token whose text may contain run-time references (``${PASSWORD}``)."""

    text: str
    position: Position
    # No shell reads the word: ``$X`` in it is the text itself, not a reference (a
    # Dockerfile's exec form, ``CMD ["mlflow", "server", "--backend-store-uri", "$URI"]``).
    literal: bool = False
    # A word of a command line Python code starts (``subprocess.run(["mlflow", ...])``): the
    # values the value analysis resolved it to, what it cannot know a hole (never guessed);
    # ``text`` shows them (``sqlite:///{db_path}``). Several are alternatives (``a if c else
    # b``, ``os.getenv("HOST", "0.0.0.0")``), as a ``${HOST:-0.0.0.0}`` fallback is one.
    resolved: tuple[StrValue, ...] | None = None
    # A shell reads the word (a script's line): its positional parameters are references.
    in_shell: ClassVar[bool] = False

    @property
    def unexpanded(self) -> bool:
        """A literal word that holds a shell reference (``"$URI"`` in an exec form): the
        program receives the text itself, not the variable's value."""
        return self.literal and any(references(part) for part in self.value.parts if isinstance(part, str))

    @property
    def value(self) -> StrValue:
        """The value with every reference unknown (a hole); the text itself when literal.
        A resolved word that may be several values has none known: which one is not."""
        if self.resolved is not None:
            return self.resolved[0] if len(self.resolved) == 1 else StrValue((Hole(None),))
        return literal_value(self.text) if self.literal else shell_value(self.text, self.in_shell)

    @property
    def values(self) -> tuple[StrValue, ...]:
        """Every value the word may take: as written (references unknown) and, when a
        reference has a fallback (``${PG_PASSWORD:-mlflow}``, ``${URI-./mlruns}``,
        ``${X:=...}``), with the variables unset, so the fallback is the literal value.
        A resolved word: each value it resolved to."""
        if self.resolved is not None:
            return self.resolved
        written = self.value
        if self.literal or _FALLBACK.search(self.text) is None:
            return (written,)
        unset = shell_value(with_fallbacks(self.text), self.in_shell)
        via = ", ".join(sorted({f"${{{match.group('name')}}}" for match in _FALLBACK.finditer(self.text)}))
        return (written, replace(unset, via=f"the default of {via}"))


@dataclass(frozen=True)
class ShellWord(Word):
    """A word of a line a shell runs (a script, a Dockerfile's shell form, a CI step): its
    positional parameters (``--backend-store-uri "$1"``) are the script's arguments,
    decided at run time."""

    in_shell: ClassVar[bool] = True


def word_after(word: Word, offset: int) -> Word:
    """The part of ``word`` after ``offset`` characters (a ``--flag=value``'s value, ``-p5000``'s
    ``5000``), where it is. A resolved word (a command Python starts) keeps its values, each
    without those characters (not known when they are not known text in each), and its
    place, the call; any other stays the kind it is (a shell's word stays one)."""
    if word.resolved is None:
        position = word.position
        if position.line == position.end_line:
            position = Position(position.line, position.column + offset, position.end_line, position.end_column)
        return replace(word, text=word.text[offset:], position=position)
    values = tuple(_drop(value, offset) for value in word.resolved)
    known = tuple(value for value in values if value is not None)
    if len(known) != len(values):
        known = (StrValue((Hole(None),)),)
    return Word(word.text[offset:], word.position, word.literal, known)


def _drop(value: StrValue, count: int) -> StrValue | None:
    """``value`` without its first ``count`` characters, when they are known text."""
    first = value.parts[0] if value.parts else None
    if not isinstance(first, str) or len(first) < count:
        return None
    rest = (first[count:], *value.parts[1:]) if first[count:] else value.parts[1:]
    return StrValue(rest, value.local_path, value.via, value.path_object)


def with_fallbacks(text: str) -> str:
    """``text`` with each ``${VAR:-default}`` (``${VAR-default}``, ``${VAR:=default}``) its
    default: what it says when the variables are unset. The default is a word of its own:
    the shell removes its quotes (``${U:-"http://h"}``)."""
    return _FALLBACK.sub(lambda match: _QUOTES.sub("", match.group("default")), text)


# A word that is one variable and nothing else: ``$X``, ``${X}``.
_VARIABLE = re.compile(r"^\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))$")


def referenced_variable(text: str) -> str | None:
    """The variable a word is, when it is one reference and nothing else (``$URI``, ``${URI}``)."""
    match = _VARIABLE.match(text)
    return None if match is None else match.group(1) or match.group(2)


# Kubernetes' dependent environment variable: ``$(VAR)`` in a container's command or args.
_DEPENDENT_VARIABLE = re.compile(r"^\$\(([A-Za-z_][A-Za-z0-9_]*)\)$")


def dependent_variable(text: str) -> str | None:
    """The variable a word is when it is one Kubernetes ``$(VAR)`` and nothing else."""
    match = _DEPENDENT_VARIABLE.match(text)
    return None if match is None else match.group(1)


def references(text: str) -> list[str]:
    """The run-time references of ``text`` (``${VAR}``, ``$VAR``, ``$(cmd)``), in order."""
    return [match.group() for match in _REFERENCE.finditer(text)]


class UnparsableText(Exception):
    """A configuration file that does not parse (templated or broken YAML, invalid TOML):
    skipped, with a note in --verbose, never an error."""


@dataclass(frozen=True)
class Setting:
    """An environment variable set to a value (``value`` is None for secretKeyRef & co)."""

    name: str
    value: Word | None
    position: Position  # of the value when there is one, else of the name
    where: str  # for messages: "MLFLOW_TRACKING_URI in .env"
    # Holds a secret by where it is, whatever its name: an AI-gateway provider's api key, the
    # admin password of basic_auth.ini (environment variables: analysis.secrets.SECRET_VARIABLES).
    secret: bool = False


@dataclass(frozen=True)
class Command:
    """A command line: ``argv`` words, and the settings visible to it (same service, script)."""

    argv: tuple[Word, ...]
    position: Position
    environment: tuple[Setting, ...] = ()
    # More variables may arrive from outside the file (a Dockerfile's run-time environment,
    # compose env_file:, Kubernetes envFrom:): an unset option is then unknown, not absent.
    open_environment: bool = False
    # A docker-compose service's command: whether the service publishes a port on the host
    # (``ports:``, ``network_mode: host``); None for any other command, or when unknown.
    published: bool | None = None
    service: str | None = None  # that service's key (another Compose file may publish it)
    # A Dockerfile's ``CMD``/``ENTRYPOINT``: what a container of the image runs, reached as
    # the containers that run the image are (not a ``RUN`` line, which runs at build time).
    in_image: bool = False
    # A shell runs the line, expanding ``$VAR`` from ``environment`` (a script, a
    # Dockerfile's shell form); not a Dockerfile's exec form, nor Compose, which
    # interpolates ``${VAR}`` from the host's environment, not the service's.
    expands: bool = False
    # The words are a manifest's list (``args: ["--host", "$(MLFLOW_HOST)"]``): Kubernetes
    # replaces a ``$(VAR)`` there with the container's ``env`` value before running it.
    dependent_variables: bool = False
    # A script's own variables, assigned on a line of their own before it (``DIR=./store``):
    # the shell expands ``$DIR`` in the line although the program's environment lacks it.
    variables: tuple[Setting, ...] = ()
    # A command a container engine starts (``docker run ... IMAGE mlflow server``): its
    # environment is the container's (``-e``), never that of the step or service whose
    # script runs the engine, and ``published`` is what the engine's options say.
    in_container: bool = False
    # A Compose service's ``command:`` that passes only arguments (``["server", "--host",
    # ...]``) to the ENTRYPOINT of the image the service builds: that Dockerfile (relative
    # to the Compose file) and the build's ``target`` stage. The engine reads the
    # entrypoint (``sources.dockerfile.image_entrypoint``) and completes the command line
    # before any check sees it; a command still holding this is no command line yet.
    entrypoint_of: tuple[str, str | None] | None = None


@dataclass(frozen=True)
class Copy:
    """A path published beyond the working tree: ``COPY``/``ADD`` into an image, ``git add``
    (committed), or a CI workflow's artifact upload; ``action`` says which, for messages."""

    source: Word
    action: str = "copied into the image"


@dataclass(frozen=True)
class EmbeddedPython:
    """Python code inside another file: a ``python - <<'EOF'`` heredoc, ``python -c "..."``.

    ``text`` is the code; its first character sits at ``line``/``column`` of the file, and
    every later line at ``column_offset`` + its own column (a YAML block's indentation)."""

    text: str
    line: int
    column: int
    column_offset: int = 0




@dataclass
class SourceFacts:
    settings: list[Setting] = field(default_factory=list)
    commands: list[Command] = field(default_factory=list)
    copies: list[Copy] = field(default_factory=list)
    comment_lines: dict[int, str] = field(default_factory=dict)  # line -> comment text (for noqa)
    python: list[EmbeddedPython] = field(default_factory=list)  # code the file runs with a Python interpreter
    # What a Compose file or Kubernetes manifest deploys (sources.yaml_source): not what a
    # check reads of this file, but what the project facts take from it: the ports a
    # Compose file publishes (which URIs name one server: MLF102), the images its services
    # build (MLF703), the Services, Namespaces and kustomizations of manifests (MLF702).
    deployment: list[DeploymentFact] = field(default_factory=list)
    # A Compose file: a YAML document with a top-level ``services:`` mapping, whatever the
    # file's name (``stack.yml`` given to ``docker compose -f``), as the project facts read
    # one. Compose interpolates its ``${VAR}`` from the ``.env`` beside it.
    compose: bool = False

    def moved(self, where: Callable[[Position], Position]) -> SourceFacts:
        """The same facts with every position passed through ``where``: facts read from a
        piece of a file (a here-document, a YAML scalar, a TOML string) put back on that
        file's lines, or pinned to one span when where each word was is not known. Comment
        lines move with the line of the first line's position."""

        def word(item: Word) -> Word:
            return replace(item, position=where(item.position))

        def setting(item: Setting) -> Setting:
            value = None if item.value is None else word(item.value)
            return replace(item, value=value, position=where(item.position))

        def code(item: EmbeddedPython) -> EmbeddedPython:
            start = where(Position(item.line, item.column, item.line, item.column))
            return replace(item, line=start.line, column=start.column)

        return SourceFacts(
            settings=[setting(item) for item in self.settings],
            commands=[
                replace(command, argv=tuple(word(w) for w in command.argv), position=where(command.position),
                        environment=tuple(setting(e) for e in command.environment),
                        variables=tuple(setting(v) for v in command.variables))
                for command in self.commands
            ],
            copies=[replace(item, source=word(item.source)) for item in self.copies],
            comment_lines={where(Position(line, 1, line, 1)).line: text for line, text in self.comment_lines.items()},
            python=[code(item) for item in self.python],
        )

    def add(self, other: SourceFacts) -> None:
        """Take in the facts of a piece of this file (comments already here win)."""
        self.settings.extend(other.settings)
        self.commands.extend(other.commands)
        self.copies.extend(other.copies)
        self.python.extend(other.python)
        for line, text in other.comment_lines.items():
            self.comment_lines.setdefault(line, text)


# The working directory (``$(pwd)/mlruns``, ``${PWD}/artifacts``): whatever it expands to, a
# local path.
_WORKING_DIRECTORY = re.compile(r"^(?:\$\(\s*pwd\s*\)|`\s*pwd\s*`|\$\{PWD\}|\$PWD(?![A-Za-z0-9_]))(?:/|$)")


def shell_value(text: str, in_shell: bool = False) -> StrValue:
    """A string value with run-time references turned into holes (``in_shell``: a shell's
    positional parameters too); one that starts with the working directory is a local path."""
    if _WORKING_DIRECTORY.match(text):
        return replace(_holes(text, in_shell), local_path=True)
    return _holes(text, in_shell)


def _holes(text: str, in_shell: bool) -> StrValue:
    parts: list[str | Hole] = []
    position = 0
    for match in (_SHELL_REFERENCE if in_shell else _REFERENCE).finditer(text):
        if match.start() > position:
            parts.append(text[position : match.start()])
        parts.append(Hole(None))
        position = match.end()
    if position < len(text):
        parts.append(text[position:])
    return StrValue(tuple(parts))
