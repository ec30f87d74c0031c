"""Prompts loaded from MLflow's prompt registry, and how: by alias, pinned version or latest.

What MLflow 3.18.0 does (read from its source):

- ``mlflow.genai.load_prompt(name_or_uri, version=None, allow_missing=False, ...)``
  (``genai/prompts/__init__.py``), the deprecated top-level ``mlflow.load_prompt``
  (``tracking/_model_registry/fluent.py``) and ``MlflowClient.load_prompt(name_or_uri,
  version=None, ...)`` (``tracking/client.py``) all go through
  ``prompt/registry_utils.py::parse_prompt_name_or_uri``: a value starting with
  ``prompts:/`` is a URI (and ``version`` must then be None), anything else is a name, read
  as ``prompts:/<name>/<version>``, or as ``prompts:/<name>@latest`` without a version;
- ``@latest`` is the reserved alias (``utils/validation.py::_validate_alias_name_reserved``)
  of the highest version (``store/model_registry/sqlalchemy_store.py``);
- ``MlflowClient.get_prompt_version(name, version)`` takes a number or an alias, and
  ``MlflowClient.get_prompt_version_by_alias(name, alias)`` an alias.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

from mlflow_lint.analysis import api
from mlflow_lint.analysis.calls import has_unpacked_keywords
from mlflow_lint.analysis.memo import MemoKey
from mlflow_lint.analysis.mlflow_calls import display_api
from mlflow_lint.analysis.module import AnalysedModule
from mlflow_lint.analysis.uris import LATEST_ALIAS, PROMPTS_URI_PREFIX, parse_prompts_uri
from mlflow_lint.analysis.values import StrValue

_GENAI = ("mlflow.genai", "mlflow")  # mlflow.<name>: deprecated, still there (mlflow.genai.prompts folds onto mlflow.genai)

# callee -> how it names the prompt version: "name_or_uri", "version" (number or alias),
# "alias".
LOADERS: dict[str, str] = {
    **{f"{module}.load_prompt": "name_or_uri" for module in _GENAI},
    f"{api.MLFLOW_CLIENT}.load_prompt": "name_or_uri",
    f"{api.MLFLOW_CLIENT}.get_prompt_version": "version",
    f"{api.MLFLOW_CLIENT}.get_prompt_version_by_alias": "alias",
}

# Calls that create versions of a prompt or move its aliases: the module that makes them
# manages that prompt in the registry (a registration, evaluation or promotion script).
_MANAGERS = frozenset(
    {
        *(f"{module}.{function}" for module in _GENAI for function in ("register_prompt", "set_prompt_alias")),
        f"{api.MLFLOW_CLIENT}.register_prompt",
        f"{api.MLFLOW_CLIENT}.set_prompt_alias",
    }
)
_MANAGER_CALL_NAMES = frozenset(name.rpartition(".")[2] for name in _MANAGERS)


@dataclass(frozen=True)
class PromptLoad:
    """How a call loads a registered prompt.

    ``kind`` is "alias" (a governed alias), "version" (a pinned version), "latest"
    (``@latest``), "name" (a bare name without a version, which MLflow reads as
    ``@latest``) or "unknown" (not known statically); ``reference`` the alias or version
    when known; ``expr`` is the argument that says so; ``prompt`` the reference as shown in
    messages; ``name`` the prompt's name when it is literal text."""

    api: str
    kind: str
    expr: ast.expr
    prompt: str
    name: str | None
    reference: str | None = None


UNGOVERNED = frozenset({"version", "latest", "name"})  # what MLF605 reports


def ungoverned_prompt_load(module: AnalysedModule, call: ast.Call) -> PromptLoad | None:
    """How ``call`` loads a registered prompt, when it is a pinned version or the latest
    one; None for a load by alias, a value not known statically, or another call."""
    return next((load for load in prompt_loads(module, call) if load.kind in UNGOVERNED), None)


def prompt_loads(module: AnalysedModule, call: ast.Call) -> list[PromptLoad]:
    """How ``call`` loads a registered prompt, one entry for each value its reference may
    hold (MLF605 reports the first ungoverned one; the audit shows them all); empty for
    another call, or one MLflow rejects (a URI with a version)."""
    callee = module.model.callee(call)
    form = LOADERS.get(callee) if callee is not None else None
    if callee is None or form is None:
        return []
    shown_api = display_api(callee)
    if form == "name_or_uri":
        return _by_name_or_uri(module, call, callee, shown_api)
    name = api.argument_of(call, callee, "name")
    reference = api.argument_of(call, callee, form)
    if reference is None:
        return [PromptLoad(shown_api, "unknown", call, _shown(module, name) if name is not None else "…", None)]
    return _by_reference(module, shown_api, name, reference, alias_only=form == "alias")


def _by_name_or_uri(module: AnalysedModule, call: ast.Call, callee: str, shown_api: str) -> list[PromptLoad]:
    target = api.argument_of(call, callee, "name_or_uri")
    if target is None:
        return [PromptLoad(shown_api, "unknown", call, "…", None)]
    version = api.argument_of(call, callee, "version")
    if version is not None and not _is_none(module, version):
        # With a version, the first argument must be a name: MLflow rejects a URI.
        if any(value.prefix.startswith(PROMPTS_URI_PREFIX) for value in module.values.evaluate(target)):
            return []
        pinned = _pinned_version(module, version)
        shown = f"{_shown(module, target)}, version {pinned if pinned is not None else _shown(module, version)}"
        kind = "version" if pinned is not None else "unknown"
        return [PromptLoad(shown_api, kind, version, shown, _literal_name(module, target), pinned)]
    versionless = version is not None or not (has_unpacked_keywords(call) or _after_starred(call, 1))
    loads = []
    for value in module.values.evaluate(target):
        if value.prefix.startswith(PROMPTS_URI_PREFIX):
            parsed = parse_prompts_uri(value)
            loads.append(PromptLoad(shown_api, parsed.kind, target, value.render(), parsed.name, parsed.reference))
        elif versionless and _is_name(value):
            loads.append(PromptLoad(shown_api, "name", target, value.render(), value.text if value.complete else None))
        else:
            loads.append(PromptLoad(shown_api, "unknown", target, value.render(), None))
    return loads or [PromptLoad(shown_api, "unknown", target, _shown(module, target), None)]


def _by_reference(
    module: AnalysedModule, shown_api: str, name: ast.expr | None, reference: ast.expr, *, alias_only: bool
) -> list[PromptLoad]:
    """``get_prompt_version(name, 3)``, ``get_prompt_version(name, "latest")``,
    ``get_prompt_version_by_alias(name, "latest")``."""
    literal_name = _literal_name(module, name) if name is not None else None
    shown_name = _shown(module, name) if name is not None else "…"
    if not alias_only:
        pinned = _pinned_version(module, reference)
        if pinned is not None:
            return [PromptLoad(shown_api, "version", reference, f"{shown_name}, version {pinned}", literal_name, pinned)]
    loads = []
    for value in module.values.evaluate(reference):
        if value.complete and value.text.strip():
            kind = "latest" if value.text.lower() == LATEST_ALIAS else "alias"
            loads.append(PromptLoad(shown_api, kind, reference, f"{shown_name}, alias {value.text!r}", literal_name, value.text))
        else:
            loads.append(PromptLoad(shown_api, "unknown", reference, f"{shown_name}, {value.render()}", literal_name))
    return loads or [PromptLoad(shown_api, "unknown", reference, f"{shown_name}, {_shown(module, reference)}", literal_name)]


def _pinned_version(module: AnalysedModule, expr: ast.expr) -> str | None:
    """The version number ``expr`` holds (``3``, ``"3"``, ``VERSION``), or None."""
    number = module.values.number(expr)
    if number is not None:
        return number
    values = module.values.evaluate(expr)
    if values and all(value.complete and value.text.strip().isdigit() for value in values):
        return values[0].text.strip()
    return None


def _is_none(module: AnalysedModule, expr: ast.expr) -> bool:
    value = module.model.assigned_value(expr)
    return isinstance(value, ast.Constant) and value.value is None


def _after_starred(call: ast.Call, position: int) -> bool:
    """A ``*args`` at or before ``position`` may be passing that parameter."""
    return any(isinstance(arg, ast.Starred) for arg in call.args[: position + 1])


def _is_name(value: StrValue) -> bool:
    """A value MLflow reads as a prompt's name, not a URI: known text that does not start
    ``prompts:/`` and cannot become it (``f"{x}"`` could be either)."""
    prefix = value.prefix
    if value.complete:
        return bool(value.text.strip())
    return bool(prefix) and not PROMPTS_URI_PREFIX.startswith(prefix)


def _literal_name(module: AnalysedModule, expr: ast.expr) -> str | None:
    values = module.values.evaluate(expr)
    if len(values) == 1 and values[0].complete and not values[0].prefix.startswith(PROMPTS_URI_PREFIX):
        return values[0].text
    return None


def _shown(module: AnalysedModule, expr: ast.expr) -> str:
    values = module.values.evaluate(expr)
    if len(values) == 1:
        return values[0].render()
    text = ast.unparse(expr)
    return text if len(text) <= 40 else text[:39] + "…"


@dataclass(frozen=True)
class ManagedPrompts:
    """The prompts a module registers or moves aliases of: their literal names, and
    whether one of them has a name not known statically (it may be any prompt)."""

    names: frozenset[str]
    any_unknown: bool

    def include(self, name: str | None) -> bool:
        """Whether a load of the prompt ``name`` (None: not known) may read one of them."""
        if self.any_unknown:
            return True
        return bool(self.names) if name is None else name in self.names


_MANAGED_PROMPTS: MemoKey[ManagedPrompts] = MemoKey("managed_prompts")


def managed_prompts(module: AnalysedModule) -> ManagedPrompts:
    """The prompts ``module`` registers (``register_prompt``) or sets aliases of
    (``set_prompt_alias``); computed once per module."""
    return module.memo(_MANAGED_PROMPTS, _managed_prompts)


def _managed_prompts(module: AnalysedModule) -> ManagedPrompts:
    names: set[str] = set()
    unknown = False
    for call in module.model.calls_named(_MANAGER_CALL_NAMES):
        callee = module.model.callee(call)
        if callee not in _MANAGERS:
            continue
        name = api.argument_of(call, callee, "name")
        values = module.values.evaluate(name) if name is not None else ()
        if values and all(value.complete for value in values):
            names.update(value.text for value in values)
        else:
            unknown = True
    return ManagedPrompts(frozenset(names), unknown)
