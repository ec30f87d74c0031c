"""The wheel ships the catalog as package data and sees the same rules as the checkout."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from .conftest import ROOT

# Every test here builds the wheel: the integration tier (docs/development.md).
pytestmark = pytest.mark.integration

CATALOG_DUMP = (
    "import json, dataclasses, sys, mlflow_lint.catalog as c\n"
    "cat = c.load_catalog()\n"
    "print(json.dumps({'source': str(cat.source), 'rules': [dataclasses.asdict(r) for r in cat], 'yaml': 'yaml' in sys.modules}))\n"
)


def test_wheel_contains_catalog_and_loads_the_same_rules(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(tmp_path), str(ROOT)],
        check=True, capture_output=True, text=True,
    )
    (wheel,) = tmp_path.glob("mlflow_lint-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        packed = sorted(n for n in names if n.startswith("mlflow_lint/_packs/"))
        assert "mlflow_lint/py.typed" in names
        # The compiled catalog is built with the wheel (hatch_build.py), never committed.
        compiled = archive.read("mlflow_lint/catalog.json").decode("utf-8")
        archive.extractall(tmp_path / "site")
    assert [Path(n).name for n in packed] == sorted(p.name for p in (ROOT / "rules").glob("*.yaml"))

    # -I ignores PYTHONPATH, so run the dump with the extracted wheel first on sys.path.
    code = f"import sys; sys.path.insert(0, {str(tmp_path / 'site')!r})\n" + CATALOG_DUMP
    from_wheel = json.loads(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd="/").stdout)
    from_checkout = json.loads(subprocess.run([sys.executable, "-c", CATALOG_DUMP], capture_output=True, text=True, check=True).stdout)
    assert from_wheel["source"].endswith("mlflow_lint/_packs")
    assert from_checkout["source"] == str(ROOT / "rules")
    assert from_wheel["rules"] == from_checkout["rules"]
    from mlflow_lint.catalog import compile_catalog

    assert compiled == compile_catalog(ROOT / "rules")
    assert from_wheel["yaml"] is False  # an installed package reads its compiled catalog
