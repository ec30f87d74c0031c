"""The release (``.github/workflows/release.yml``): its shape, and locally what its build
job checks before anything is published.

The check job builds the sdist and the wheel, runs ``twine check --strict``, installs the
wheel into a fresh virtual environment away from the checkout and runs it on examples/.
The test does the same offline: ``python -m build --no-isolation`` (hatchling is in the test
environment), and a fresh venv that gets the wheel with ``--no-deps`` and borrows its
dependencies from this environment's site-packages, after the wheel's own.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path
from typing import Any

import pytest
import yaml

from mlflow_lint import __version__

from .conftest import ROOT, console_script

RELEASE = ROOT / ".github" / "workflows" / "release.yml"
TAG = f"v{__version__}"


def _workflow() -> dict[Any, Any]:
    return yaml.safe_load(RELEASE.read_text(encoding="utf-8"))


def _scripts(job: dict[str, Any]) -> str:
    return "\n".join(step["run"] for step in job["steps"] if "run" in step)


# ---------------------------------------------------------------------------- shape
def test_release_runs_on_version_tags_only() -> None:
    workflow = _workflow()
    triggers = workflow[True]  # YAML 1.1 reads the key `on` as true
    assert triggers == {"push": {"tags": ["v*"]}}
    assert re.fullmatch(r"v\d+\.\d+\.\d+", TAG), "a release tag is v + the version in mlflow_lint/__init__.py"


def test_release_grants_least_privilege() -> None:
    """Nothing at the top; the build job reads the repository; only the publish job, in the
    pypi environment, may mint the OIDC token trusted publishing needs, and runs no script."""
    workflow = _workflow()
    assert workflow["permissions"] == {}
    jobs = workflow["jobs"]
    assert set(jobs) == {"build", "publish"}
    assert jobs["build"]["permissions"] == {"contents": "read"} and "environment" not in jobs["build"]
    publish = jobs["publish"]
    assert publish["permissions"] == {"id-token": "write"}
    assert publish["needs"] == "build"
    assert publish["environment"]["name"] == "pypi"
    uses = [step.get("uses", "").split("@")[0] for step in publish["steps"]]
    assert uses == ["actions/download-artifact", "pypa/gh-action-pypi-publish"]
    assert not any("run" in step for step in publish["steps"])  # no code of ours next to the token
    publisher = publish["steps"][-1]
    assert not {"password", "user"} & set(publisher.get("with", {}))  # trusted publishing, no stored token
    for step in jobs["build"]["steps"]:
        if step.get("uses", "").startswith("actions/checkout@"):
            assert step["with"]["persist-credentials"] is False
        if "run" in step:
            assert "${{" not in step["run"]  # values reach scripts through env only


def test_build_job_checks_what_this_test_checks() -> None:
    build = _workflow()["jobs"]["build"]
    scripts = _scripts(build)
    for command in (
        "python -m build",
        "python -m twine check --strict dist/*",
        'python -m venv "$venv"',
        'pip install --disable-pip-version-check --quiet dist/*.whl',
        '"$venv/bin/mlflow-lint" --version',
        '"mlflow-lint, version ${TAG#v}"',
        "check --no-cache --format json --output report.json",
        "/examples",
    ):
        assert command in scripts, command
    upload = next(step for step in build["steps"] if step.get("uses", "").startswith("actions/upload-artifact@"))
    assert upload["with"] == {"name": "dist", "path": "dist/", "if-no-files-found": "error"}
    download = _workflow()["jobs"]["publish"]["steps"][0]
    assert download["with"] == {"name": "dist", "path": "dist/"}


def test_docs_name_the_tag_a_release_of_this_version_creates() -> None:
    """`uses: mlflow-lint/mlflow-lint@vX.Y.Z` and pre-commit's `rev: vX.Y.Z` in the README and
    every docs page are the tag this version's release pushes."""
    pages = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
    refs: list[tuple[str, str]] = []
    for page in pages:
        text = page.read_text(encoding="utf-8")
        refs += [(page.name, ref) for ref in re.findall(r"mlflow-lint/mlflow-lint@([^\s`'\"]+)", text)]
        for block in re.findall(r"^```ya?ml\n(.*?)^```", text, re.DOTALL | re.MULTILINE):
            if "repo: https://github.com/mlflow-lint/mlflow-lint" in block:
                refs += [(page.name, ref) for ref in re.findall(r"^\s*rev:\s*(\S+)", block, re.MULTILINE)]
    assert ("github-action.md", TAG) in refs
    assert [ref for ref in refs if ref[1] != TAG] == []


# ---------------------------------------------------------------------------- the check job, locally
def _run(*command: str | Path, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [str(part) for part in command], cwd=cwd, env={**os.environ, "NO_COLOR": "1", **(env or {})},
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    return result


def _fresh_venv_with(wheel: Path, where: Path) -> Path:
    """A new virtual environment holding the wheel; its dependencies come from this
    environment's site-packages, put on sys.path after the venv's own (no network)."""
    venv = where / "venv"
    created = _run(sys.executable, "-m", "venv", "--without-pip", venv, cwd=where)
    assert created.returncode == 0, created.stderr
    python = venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    installed = _run(
        sys.executable, "-m", "pip", "--python", python, "install", "--no-deps", "--no-index", "--quiet",
        "--disable-pip-version-check", wheel, cwd=where,
    )  # fmt: skip
    assert installed.returncode == 0, installed.stdout + installed.stderr
    site = _run(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])", cwd=where).stdout.strip()
    # A .pth line only appends the directory: the checkout's editable-install hook in it is
    # not run, so the wheel's mlflow_lint is the one imported.
    (Path(site) / "_release_test_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return venv


@pytest.mark.integration
def test_build_check_install_and_run_the_release(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    built = _run(sys.executable, "-m", "build", "--no-isolation", "--outdir", dist, ROOT, cwd=tmp_path)
    assert built.returncode == 0, built.stdout + built.stderr
    sdists, wheels = sorted(dist.glob("*.tar.gz")), sorted(dist.glob("*.whl"))
    assert [p.name for p in sdists] == [f"mlflow_lint-{__version__}.tar.gz"]
    assert [p.name for p in wheels] == [f"mlflow_lint-{__version__}-py3-none-any.whl"]
    with zipfile.ZipFile(wheels[0]) as archive:
        assert any(name.startswith("mlflow_lint/_packs/") for name in archive.namelist())

    checked = _run(sys.executable, "-m", "twine", "check", "--strict", *sdists, *wheels, cwd=tmp_path)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert checked.stdout.count("PASSED") == 2, checked.stdout

    venv = _fresh_venv_with(wheels[0], tmp_path)
    bindir = venv / ("Scripts" if os.name == "nt" else "bin")
    elsewhere = tmp_path / "elsewhere"  # away from the checkout, as the workflow runs it
    elsewhere.mkdir()
    where = _run(bindir / "python", "-c", "import mlflow_lint; print(mlflow_lint.__file__)", cwd=elsewhere).stdout.strip()
    assert Path(where).is_relative_to(venv), where

    version = _run(bindir / "mlflow-lint", "--version", cwd=elsewhere)
    assert version.returncode == 0 and version.stdout.strip() == f"mlflow-lint, version {TAG.removeprefix('v')}", version.stdout

    arguments = ["check", "--no-cache", "--format", "json", str(ROOT / "examples")]
    from_wheel = _run(bindir / "mlflow-lint", *arguments, cwd=elsewhere)
    from_checkout = _run(console_script(), *arguments, cwd=elsewhere)
    assert from_wheel.returncode == 1, from_wheel.stdout + from_wheel.stderr  # the examples have findings
    report = json.loads(from_wheel.stdout)
    assert report["findings"] and report["version"] == __version__
    assert report == json.loads(from_checkout.stdout)  # the wheel sees what the checkout sees

    # A second install of the same wheel (the next CI job) keeps the result cache's key: the
    # code is named by its RECORD's content hashes, not by the files' fresh times.
    (tmp_path / "again").mkdir()
    again = _fresh_venv_with(wheels[0], tmp_path / "again")
    fingerprint = "from mlflow_lint.cache import code_fingerprint; print(code_fingerprint())"
    first = _run(bindir / "python", "-c", fingerprint, cwd=elsewhere).stdout.strip()
    second = _run(again / ("Scripts" if os.name == "nt" else "bin") / "python", "-c", fingerprint, cwd=elsewhere).stdout.strip()
    assert len(first) == 16 and first == second
    # The RECORD beside the package is read directly, and says what importlib.metadata does.
    same = (
        "import pathlib, mlflow_lint; from mlflow_lint.cache import _recorded_hashes, _recorded_hashes_from_metadata; "
        "p = pathlib.Path(mlflow_lint.__file__).resolve().parent; found = _recorded_hashes(p); "
        "print(len(found) > 50 and found == _recorded_hashes_from_metadata(p))"
    )
    assert _run(bindir / "python", "-c", same, cwd=elsewhere).stdout.strip() == "True"


def _litter() -> set[str]:
    return {path.name for path in ROOT.iterdir() if path.name in ("build", "dist") or path.name.endswith(".egg-info")}


@pytest.fixture(autouse=True)
def _no_build_litter() -> Any:
    """Building must leave nothing in the checkout (build/, dist/, *.egg-info)."""
    before = _litter()
    yield
    assert _litter() - before == set()
