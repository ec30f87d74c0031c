"""Settings classes: which environment variables the fields of a pydantic settings class read.

pydantic-settings' ``BaseSettings`` (and pydantic v1's) fills each field from the environment
before its class-level default applies, so a field with a default is a read of a variable
with a fallback, as ``os.environ.get("NAME", default)`` is. The variable is named:

- by the field's declaration, without any prefix: ``Field(validation_alias="X")``,
  ``AliasChoices("X", "Y")``, ``Field(alias="X")`` (pydantic-settings 2), ``Field(env="X")``
  or ``env=["X", "Y"]`` (pydantic v1), in the assigned ``Field(...)`` or in an
  ``Annotated[..., Field(...)]`` annotation;
- else ``env_prefix`` + the field's name. The prefix is the first one the class or a project
  base class sets, in method resolution order: ``model_config = SettingsConfigDict(
  env_prefix=...)`` (or ``ConfigDict``, a dict literal), a class keyword (``class
  Settings(BaseSettings, env_prefix="APP_")``), or pydantic v1's nested ``class Config:
  env_prefix = ...``; none set is no prefix.

Names are compared in upper case: pydantic reads them without regard to case unless
``case_sensitive=True``, and a field named after a variable holds that variable's value
either way. A field is read in the class that declares it, with that class's prefix, and
only when that class is a settings class (fields of a plain base model are not listed).

Not listed, or listed by their own name only: a prefix or alias that is not a known string
(a value computed at run time, ``AliasPath``), private attributes (``_cache``), ``ClassVar``
annotations, ``model_config``, methods and properties. Nested models read through
``env_nested_delimiter`` are not followed.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

from mlflow_lint.analysis.instances import (
    FieldSource,
    class_default,
    class_lineage,
    field_declaration,
    field_sources,
    instance_of,
    reads_environment,
)
from mlflow_lint.analysis.memo import MemoKey
from mlflow_lint.analysis.module import AnalysedModule

_CONFIG_ATTRIBUTE = "model_config"
_ALIAS_KEYWORDS = ("validation_alias", "alias", "env")
_ALIAS_CHOICES = frozenset({"pydantic.AliasChoices", "pydantic.aliases.AliasChoices"})
_CLASS_VARS = frozenset({"typing.ClassVar", "ClassVar"})
_ANNOTATED = frozenset({"typing.Annotated", "typing_extensions.Annotated", "Annotated"})


@dataclass(frozen=True)
class SettingsField:
    """A field of a settings class: the variables it is read from (upper case: the one its
    prefix and name make or its aliases name, and its own name), and its class-level default
    (None: a required field)."""

    cls: ast.ClassDef
    name: str
    variables: frozenset[str]
    default: FieldSource | None


# class -> its fields (None: not a settings class); asked by the check of the module and by
# reads of the fields from other modules.
_FIELDS: MemoKey[dict[ast.ClassDef, dict[str, SettingsField] | None]] = MemoKey("settings_fields")


def settings_fields(module: AnalysedModule) -> list[SettingsField]:
    """The fields of the module's own settings classes, in the order they are written."""
    found: list[SettingsField] = []
    for node in module.model.scopes:
        if isinstance(node, ast.ClassDef):
            fields = _class_fields(module, node)
            found.extend(fields.values() if fields is not None else ())
    return found


def fields_read(module: AnalysedModule, expr: ast.expr) -> list[SettingsField] | None:
    """The settings fields ``expr`` reads as they are declared, their default applying when
    the environment sets none: ``settings.password`` of an object made without that keyword
    (of each object it may be: analysis.instances), ``self.password`` in a method of the
    settings class. None when it reads anything else, or may."""
    if not isinstance(expr, ast.Attribute):
        return None
    owner = module.model._class_of_self(expr.value) if isinstance(expr.value, ast.Name) else None
    if owner is not None:
        found = _declared(module.base, owner, expr.attr)
        return [found] if found is not None else None
    instance = instance_of(module, expr.value)
    sources = field_sources(instance, expr.attr) if instance is not None else None
    if instance is None or not sources or not all(source.environment for source in sources):
        return None
    fields = [_declared(each.module, each.cls, expr.attr) for each in (instance, *instance.alternatives)]
    return [field for field in fields if field is not None] if all(fields) else None


def _declared(module: AnalysedModule, cls: ast.ClassDef, attr: str) -> SettingsField | None:
    """The settings field ``attr`` as the first class of ``cls``'s lineage that binds it
    declares it."""
    for owner_module, owner in class_lineage(module, cls):
        scope = owner_module.model.scopes.get(owner)
        if scope is not None and attr in scope.bindings:
            fields = _class_fields(owner_module.base, owner)
            return fields.get(attr) if fields is not None else None
    return None


def _class_fields(module: AnalysedModule, cls: ast.ClassDef) -> dict[str, SettingsField] | None:
    table = module.base.memo_table(_FIELDS)
    if cls not in table:
        table[cls] = _read_class(module.base, cls)
    return table[cls]


def _read_class(module: AnalysedModule, cls: ast.ClassDef) -> dict[str, SettingsField] | None:
    lineage = class_lineage(module, cls)
    scope = module.model.scopes.get(cls)
    if scope is None or not reads_environment(lineage):
        return None
    prefix = _prefix(lineage)
    fields: dict[str, SettingsField] = {}
    for statement in cls.body:
        target = _field_target(module, statement)
        if target is None:
            continue
        name, value, annotation = target
        aliases = _aliases(module, field_declaration(module, value), annotation)
        variables = {name.upper()}
        if aliases is None:
            if prefix is not None:
                variables.add((prefix + name).upper())
        else:
            variables.update(alias.upper() for alias in aliases)
        default = class_default(module, cls, name, scope.bindings.get(name, []))
        fields[name] = SettingsField(cls, name, frozenset(variables), default if default is not None and not default.made else None)
    return fields


def _field_target(module: AnalysedModule, statement: ast.stmt) -> tuple[str, ast.expr | None, ast.expr | None] | None:
    """(name, assigned value, annotation) of the field a class-body statement declares."""
    if isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name):
        name, value, annotation = statement.target.id, statement.value, statement.annotation
        base = annotation.value if isinstance(annotation, ast.Subscript) else annotation
        if module.model.qualified_name(base) in _CLASS_VARS:
            return None
    else:
        assigned = _assignment(statement)  # pydantic v1 infers an unannotated field's type
        if assigned is None:
            return None
        (name, value), annotation = assigned, None
    if name.startswith("_") or name == _CONFIG_ATTRIBUTE:
        return None
    return name, value, annotation


def _assignment(statement: ast.stmt) -> tuple[str, ast.expr] | None:
    """(name, value) of a class-body statement that assigns one name, annotated or not."""
    if isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name) and statement.value is not None:
        return statement.target.id, statement.value
    if isinstance(statement, ast.Assign) and len(statement.targets) == 1 and isinstance(statement.targets[0], ast.Name):
        return statement.targets[0].id, statement.value
    return None


def _aliases(module: AnalysedModule, declaration: ast.Call | None, annotation: ast.expr | None) -> list[str] | None:
    """The variable names a field's declarations give it (``Field(alias=...)`` assigned or in
    ``Annotated[...]``); None when they give none. A name that is not a known string is left
    out: the field is then read from its own name only."""
    declarations = [declaration] if declaration is not None else []
    if isinstance(annotation, ast.Subscript) and module.model.qualified_name(annotation.value) in _ANNOTATED:
        extras = annotation.slice.elts[1:] if isinstance(annotation.slice, ast.Tuple) else []
        declarations.extend(found for found in (field_declaration(module, extra) for extra in extras) if found is not None)
    given = [keyword.value for found in declarations for keyword in found.keywords if keyword.arg in _ALIAS_KEYWORDS]
    if not given:
        return None
    names: list[str] = []
    for value in given:
        if isinstance(value, ast.Call) and module.model.qualified_name(value.func) in _ALIAS_CHOICES:
            choices: list[ast.expr] = list(value.args)
        elif isinstance(value, (ast.List, ast.Tuple, ast.Set)):
            choices = list(value.elts)  # pydantic v1: env=["A", "B"]
        else:
            choices = [value]
        names.extend(text for text in (_string(module, choice) for choice in choices) if text is not None)
    return names


def _prefix(lineage: list[tuple[AnalysedModule, ast.ClassDef]]) -> str | None:
    """The ``env_prefix`` of the first class of ``lineage`` that sets one ("" when none does);
    None when it is not a known string, or a configuration cannot be read."""
    for module, cls in lineage:
        given = _prefixes_given(module, cls)
        if given is None:
            return None
        if given:
            return _string(module, given[-1])  # the last assignment in the class body wins
    return ""


def _prefixes_given(module: AnalysedModule, cls: ast.ClassDef) -> list[ast.expr] | None:
    """The ``env_prefix`` values the class itself gives (a class keyword, ``model_config``'s,
    a v1 ``class Config``'s); None when its ``model_config`` is not a call with keywords
    only or a dict literal."""
    found = [keyword.value for keyword in cls.keywords if keyword.arg == "env_prefix"]
    for statement in cls.body:
        assigned = _assignment(statement)
        if assigned is not None and assigned[0] == _CONFIG_ATTRIBUTE:
            config = assigned[1]
            if isinstance(config, ast.Call) and all(keyword.arg is not None for keyword in config.keywords):
                found.extend(keyword.value for keyword in config.keywords if keyword.arg == "env_prefix")
            elif isinstance(config, ast.Dict):
                found.extend(v for k, v in zip(config.keys, config.values, strict=True) if isinstance(k, ast.Constant) and k.value == "env_prefix")
            else:
                return None
        elif isinstance(statement, ast.ClassDef) and statement.name == "Config":
            entries = (_assignment(inner) for inner in statement.body)
            found.extend(entry[1] for entry in entries if entry is not None and entry[0] == "env_prefix")
    return found


def _string(module: AnalysedModule, expr: ast.expr) -> str | None:
    """The one complete text ``expr`` resolves to (a literal, a constant), else None."""
    values = module.values.evaluate(expr)
    return values[0].text if len(values) == 1 and values[0].complete else None
