"""The behavioural rules: one class each, in a module named after its rule.

``checks/<name>.py`` holds the check of the catalog entry ``name`` (underscores for its
hyphens; ``rules/*.yaml`` has the rest). Every module of this package but the
infrastructure below is a check module, imported here: adding a rule is its catalog entry
and its module, nothing else. A test proves the checks and the catalog agree.
"""

from __future__ import annotations

import importlib
import pkgutil

from mlflow_lint.checks.base import Check, FileContext

# Modules of this package that are not checks: what a check is, and the value flow that
# runs the checks again through calls of project functions.
INFRASTRUCTURE = frozenset({"base", "through_calls"})


def _discover() -> tuple[type[Check], ...]:
    """The check class of every check module, by module name."""
    found = []
    for module_info in sorted(pkgutil.iter_modules(__path__), key=lambda info: info.name):
        if module_info.name in INFRASTRUCTURE or module_info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{module_info.name}")
        classes = [
            value
            for value in vars(module).values()
            if isinstance(value, type) and issubclass(value, Check) and value.__module__ == module.__name__
        ]
        if len(classes) != 1:
            raise ImportError(f"{module.__name__} must define one Check subclass (it defines {len(classes)})")
        found.append(classes[0])
    return tuple(found)


ALL_CHECKS: tuple[type[Check], ...] = _discover()

# Rules the engine itself reports, not a check class.
ENGINE_RULES = frozenset({"MLF000", "MLF001"})

__all__ = ["ALL_CHECKS", "ENGINE_RULES", "INFRASTRUCTURE", "Check", "FileContext"]
