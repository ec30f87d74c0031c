"""Hatch build hook: the wheel ships the rule catalog compiled to JSON.

``mlflow_lint/catalog.json`` (see ``COMPILED_CATALOG`` in mlflow_lint/catalog.py) is made
from ``rules/*.yaml`` here, at build time, and never committed: an installed package reads
it without importing YAML and never writes next to itself. An editable install reads the
checkout, which compiles its catalog on first use.
"""

from __future__ import annotations

import importlib.util
import sys
import tempfile
from pathlib import Path
from typing import Any

from hatchling.builders.config import BuilderConfig
from hatchling.builders.hooks.plugin.interface import BuildHookInterface

COMPILED = "mlflow_lint/catalog.json"


class CompiledCatalogHook(BuildHookInterface[BuilderConfig]):
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if self.target_name != "wheel" or version == "editable":
            return
        root = Path(self.root)
        # The catalog module alone (standard library at import time, PyYAML to compile):
        # the package itself need not be importable while it is being built.
        spec = importlib.util.spec_from_file_location("_mlflow_lint_catalog", root / "mlflow_lint" / "catalog.py")
        assert spec is not None and spec.loader is not None
        catalog = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = catalog  # its dataclasses look their module up there
        try:
            spec.loader.exec_module(catalog)
        finally:
            del sys.modules[spec.name]
        self._directory = tempfile.TemporaryDirectory(prefix="mlflow-lint-build-")
        compiled = Path(self._directory.name) / "catalog.json"
        compiled.write_text(catalog.compile_catalog(root / "rules"), encoding="utf-8")
        build_data["force_include"][str(compiled)] = COMPILED

    def finalize(self, version: str, build_data: dict[str, Any], artifact_path: str) -> None:
        directory = getattr(self, "_directory", None)
        if directory is not None:
            directory.cleanup()
