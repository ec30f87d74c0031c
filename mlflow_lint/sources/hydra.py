"""Hydra configurations: the tracking URI of an MLflow integration built from YAML.

Hydra projects configure their logger in YAML and build it with
``hydra.utils.instantiate(cfg.logger)``: a mapping whose ``_target_`` names one of the
integrations of ``analysis.integrations`` (``pytorch_lightning.loggers.MLFlowLogger``,
``optuna.integration.mlflow.MLflowCallback``, ...) is that call, and its ``tracking_uri:``
(or the item of ``_args_`` at the keyword's position) the value it passes.

Its value is read as OmegaConf reads it (policy):

- ``${oc.env:VAR,default}`` (also OmegaConf 2.0's ``${env:VAR,default}``) is the
  variable's value, unknown, or with the variable unset its default, a literal: as the
  default of ``os.environ.get("VAR", default)`` is in Python. A ``null`` default is no
  value; ``${oc.env:VAR}`` alone is unknown.
- Any other interpolation (another node, ``${paths.log_dir}``; a resolver,
  ``${hydra:runtime.output_dir}``, ``${now:...}``) is unknown, except that a literal path
  written under another node, a Hydra runtime value or an environment variable
  (``${paths.log_dir}/mlflow/mlruns``, ``${hydra:runtime.output_dir}/mlruns``,
  ``${oc.env:LOG_DIR}/mlruns``) is a directory under that directory: a local path, since a
  path with no scheme is one, unless the interpolation's name says it may hold a URL
  (``uri``, ``url``, ``host``, ``server``, ``endpoint``, ``addr``:
  ``${mlflow.server_url}/api`` stays unknown). Another resolver's result
  (``${now:%Y-%m-%d}/mlruns``) is no directory.
- ``\\${...}`` is the text ``${...}`` (OmegaConf's escape): a placeholder, never a store.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass

from mlflow_lint.analysis.integrations import INTEGRATION_TRACKING_URI_KEYWORD, INTEGRATION_TRACKING_URIS
from mlflow_lint.analysis.values import Hole, Part, StrValue
from mlflow_lint.sources.facts import Word

HYDRA_TARGET = "_target_"
HYDRA_ARGS = "_args_"
TRACKING_URI_KEYWORD = INTEGRATION_TRACKING_URI_KEYWORD
# The value an integration's tracking_uri is judged as: MLflow's own variable, which every
# rule reading a tracking URI set in a file reads (MLF101, MLF201, MLF701, MLF702, the audit).
TRACKING_URI_SETTING = "MLFLOW_TRACKING_URI"
# OmegaConf's value of a mandatory key no config gave ("???"): supplied at run time.
MISSING = "???"
_ENV_RESOLVERS = frozenset({"oc.env", "env"})
_RESOLVER = re.compile(r"^\s*([A-Za-z_][\w.\-]*)\s*:(.*)$", re.DOTALL)
_MAY_NAME_A_URL = ("uri", "url", "host", "server", "endpoint", "addr")


def integration_position(target: str) -> int | None:
    """The position of ``tracking_uri`` in the signature of the integration ``target``
    names (a ``_target_``'s dotted path), or None when it names none."""
    return INTEGRATION_TRACKING_URIS.get(target.strip())


def integration_api(target: str) -> str:
    """How a message names the call: ``MLFlowLogger(tracking_uri=...)``, as in Python."""
    return f"{target.strip().rsplit('.', 1)[-1]}({TRACKING_URI_KEYWORD}=...)"


@dataclass(frozen=True)
class _Reference:
    """One ``${...}``: ``name`` is the node path (``paths.log_dir``), or a resolver's
    argument (``runtime.output_dir`` of ``${hydra:runtime.output_dir}``, the variable of
    ``${oc.env:VAR}``)."""

    name: str
    resolver: str | None = None  # "oc.env", "hydra", ...; None for another node
    default: str | None = None  # an oc.env default's text (with its own interpolations), if one is given
    node: bool = False  # another node, or a Hydra runtime value: what it holds may be a directory

    @property
    def environment(self) -> bool:
        return self.resolver in _ENV_RESOLVERS

    def render(self) -> str:
        """The interpolation without its default: ``${oc.env:MLFLOW_TRACKING_URI}``."""
        return f"${{{self.name}}}" if self.resolver is None else f"${{{self.resolver}:{self.name}}}"


@dataclass(frozen=True)
class _Unknown(Hole):
    """An interpolation's unknown value, shown as written (``${paths.log_dir}``)."""

    written: str = ""

    def render(self) -> str:
        return self.written


def _outside_quotes(text: str, start: int = 0) -> Iterator[tuple[int, str]]:
    """The characters of ``text`` from ``start`` that lie outside quoted strings, with
    their index (inside quotes a backslash escapes the next character, as OmegaConf reads)."""
    quote = ""
    index = start
    while index < len(text):
        char = text[index]
        if quote:
            if char == "\\":
                index += 1
            elif char == quote:
                quote = ""
        elif char in "'\"":
            quote = char
        else:
            yield index, char
        index += 1


def _closing(text: str, start: int) -> int | None:
    """The index of the ``}`` closing an interpolation whose body starts at ``start``
    (nested ``${...}`` and quoted strings skipped), or None when it is not closed."""
    depth = 1
    for index, char in _outside_quotes(text, start):
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                return index
    return None


def _split_arguments(text: str) -> list[str]:
    """A resolver's arguments, split at the commas outside quotes and nested ``${...}``."""
    depth = 0
    cuts = [-1]
    for index, char in _outside_quotes(text):
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
        elif char == "," and depth == 0:
            cuts.append(index)
    cuts.append(len(text))
    return [text[start + 1 : end] for start, end in itertools.pairwise(cuts)]


def _reference(body: str) -> _Reference:
    resolver = _RESOLVER.match(body)
    if resolver is None:  # ${paths.log_dir}, ${..sibling}
        return _Reference(body.strip(), node=True)
    name, arguments = resolver.group(1), resolver.group(2)
    if name in _ENV_RESOLVERS:
        variable, *rest = _split_arguments(arguments)
        default = rest[0].strip() if len(rest) == 1 else None
        if default is not None and len(default) >= 2 and default[0] == default[-1] and default[0] in "'\"":
            default = default[1:-1]
        elif default == "null":
            default = None
        return _Reference(variable.strip(), name, default=default)
    # ${hydra:runtime.output_dir}, ${hydra:runtime.cwd}: where the run writes.
    return _Reference(arguments.strip(), name, node=name == "hydra")


def _pieces(text: str) -> list[str | _Reference]:
    """``text`` as literal pieces and interpolations, in order."""
    pieces: list[str | _Reference] = []
    literal: list[str] = []
    index = 0
    while index < len(text):
        if text.startswith("\\${", index):  # escaped: the text itself
            literal.append("${")
            index += 3
            continue
        if text.startswith("${", index):
            end = _closing(text, index + 2)
            if end is not None:
                if literal:
                    pieces.append("".join(literal))
                    literal = []
                pieces.append(_reference(text[index + 2 : end]))
                index = end + 1
                continue
        literal.append(text[index])
        index += 1
    if literal:
        pieces.append("".join(literal))
    return pieces


def _value(pieces: list[str | _Reference], unset: bool, depth: int = 0) -> StrValue:
    """The value the pieces make: every interpolation unknown, or with ``unset`` each
    ``oc.env`` that has a default that default."""
    parts: list[Part] = []
    local = False
    for position, piece in enumerate(pieces):
        if isinstance(piece, str):
            found: tuple[Part, ...] = (piece,)
        elif unset and piece.environment and piece.default is not None and depth < 4:
            default = _value(_pieces(piece.default), unset, depth + 1)
            found = default.parts
            local = local or (position == 0 and default.local_path)
        else:
            found = (_Unknown(None, written=piece.render()),)
            following = pieces[position + 1] if position + 1 < len(pieces) else None
            if position == 0 and isinstance(following, str) and following.startswith("/") and _may_be_directory(piece):
                local = True
        for part in found:
            if isinstance(part, str) and parts and isinstance(parts[-1], str):
                parts[-1] += part
            elif part != "":
                parts.append(part)
    return StrValue(tuple(parts), local_path=local)


def _may_be_directory(reference: _Reference) -> bool:
    """An interpolation a path may be written under: not one whose name says it may hold
    a URL (``${server.url}``), nor a resolver's result (``${now:%Y}``)."""
    if not (reference.node or reference.environment):
        return False
    name = reference.name.lower()
    return not any(word in name for word in _MAY_NAME_A_URL)


@dataclass(frozen=True)
class InterpolatedWord(Word):
    """A value OmegaConf interpolates (``${oc.env:VAR,default}``, ``${paths.log_dir}``): read
    with the policy of this module instead of a shell's."""

    @property
    def value(self) -> StrValue:
        return _value(_pieces(self.text), unset=False)

    @property
    def values(self) -> tuple[StrValue, ...]:
        pieces = _pieces(self.text)
        written = _value(pieces, unset=False)
        defaulted = sorted({piece.render() for piece in pieces if isinstance(piece, _Reference) and piece.environment and piece.default is not None})
        if not defaulted:
            return (written,)
        unset = _value(pieces, unset=True)
        return (written, StrValue(unset.parts, local_path=unset.local_path, via=f"the default of {', '.join(defaulted)}"))
