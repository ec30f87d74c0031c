"""Registry promotions: the calls that change what production consumers load.

One table row per call that moves or removes an alias, whatever the registry holds (models,
prompts): a new alias-bearing registry is one row. Argument places are read from the
generated MLflow API table (MLflow's signatures); MLflow 2.22.5 and 3.0.0 have the same ones.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from mlflow_lint.analysis import api
from mlflow_lint.analysis.values import Hole, StrValue

Argument = tuple[int, str]  # (position, keyword) of a parameter, ``self`` not counted


@dataclass(frozen=True)
class AliasCall:
    """Where a call that sets or deletes an alias takes its arguments."""

    registry: Literal["model", "prompt"]
    name: Argument  # the registered model's or prompt's name
    alias: Argument
    version: Argument | None  # None: the call deletes the alias


def _alias_call(registry: Literal["model", "prompt"], callee: str) -> AliasCall:
    """A row whose argument places are read from MLflow's signature of ``callee``."""
    found = api.signature(callee)
    version = _argument(callee, "version") if found is not None and "version" in found.names() else None
    return AliasCall(registry, _argument(callee, "name"), _argument(callee, "alias"), version)


def _argument(callee: str, parameter: str) -> Argument:
    return _as_argument(api.placed(callee, parameter))  # type: ignore[return-value]


def _as_argument(placed: tuple[int | None, str] | None) -> Argument | None:
    if placed is None:
        return None
    position, keyword = placed
    if position is None:
        raise LookupError(f"{keyword} is keyword-only: the alias table expects positional parameters")
    return position, keyword


# The alias setters and deleters of every registry, from the API model's roles
# (scripts/mlflow_roles.yaml): a new alias-bearing registry is one row there.
ALIAS_CALLS: dict[str, AliasCall] = {callee: _alias_call(registry, callee) for callee, registry in api.role("moves-alias").items()}

# callee -> (position, keyword) of the destination registered model's name.
# ``copy_model_version(src_model_uri, dst_name)`` creates a version of ``dst_name``: copying
# into a production model (Unity Catalog's ``prod.<schema>.<model>``) is a promotion.
MODEL_COPIES: dict[str, Argument] = {
    callee: _argument(callee, parameter) for callee, parameter in api.role("copies-into-model").items()
}

STAGE_TRANSITION = f"{api.MLFLOW_CLIENT}.transition_model_version_stage"
STAGE_ARGUMENT: Argument = _argument(STAGE_TRANSITION, "stage")
STAGE_VERSION_ARGUMENT: Argument = _argument(STAGE_TRANSITION, "version")


def protected_model(values: Iterable[StrValue], patterns: tuple[str, ...]) -> str | None:
    """The destination name, as shown, when one of its values is a protected model name for
    every text its unknown parts may hold; None otherwise (unknown is never a finding).

    Patterns are globs (``*``, ``?``, ``[...]``) matched case-insensitively against the full
    name: Unity Catalog stores its identifiers in lower case. A value with unknown parts
    (``f"prod.ml.{model}"``) is protected only when a pattern using no ``?`` nor ``[...]``
    matches it with each unknown part standing where a ``*`` of the pattern absorbs it, so
    that any text there still matches (``prod.*.*``: yes; ``f"{catalog}.ml.churn"``: no).
    """
    for value in values:
        if value.complete:
            name = value.text.strip()
            if name and any(fnmatch.fnmatchcase(name.lower(), pattern.lower()) for pattern in patterns):
                return name
        elif _matches_whatever_fills(value, patterns):
            return "".join(part if isinstance(part, str) else part.render() for part in value.parts)
    return None


_UNKNOWN = "\x00"  # stands for an unknown part; no name or pattern holds it


def _matches_whatever_fills(value: StrValue, patterns: tuple[str, ...]) -> bool:
    text = "".join(_UNKNOWN if isinstance(part, Hole) else part.lower() for part in value.parts)
    for pattern in patterns:
        if any(char in pattern for char in "?["):
            continue  # could match an unknown part by one character only
        # Only a ``*`` can absorb the marker: there, any text could stand instead.
        if fnmatch.fnmatchcase(text, pattern.lower()):
            return True
    return False
