"""Maintainer benchmark: hostile inputs must not make a run slow.

Each case builds its project in a temporary directory, runs the installed ``mlflow-lint``
console script on it ``--runs`` times (whole processes, start-up included) and reports the
median wall time against the case's budget, and the peak memory (max RSS) of its runs
against the case's memory budget where it has one. A run that outlives four times its
budget is stopped and counted as over budget. Exit status 1 if any case is over budget
(``--check`` says so explicitly; it is the default).

    .venv-test/bin/python benchmarks/hostile.py [--runs 5] [--case NAME ...] [--check]

The cases after the ignore patterns are inputs under the 2 MB file limit that made a step
of the analysis quadratic (issue 19, item 11): each generates its input (1-2 MB) here, in
the temporary directory. tests/test_hostile_input.py counts the work of the same steps.

To add a case, write a function that fills the directory and returns the arguments after
``mlflow-lint``, and list it in ``CASES``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

KNOWN_BAD = 'import mlflow\nmlflow.set_tracking_uri("./mlruns")\n'
# Compiled naively into a backtracking regex (as pathspec does), this pattern takes more
# than two minutes against a 33-character name: every way of placing 20 "a"s is tried.
EXPONENTIAL_PATTERN = "*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b"
LONG_NAME = "a" * 33


@dataclass(frozen=True)
class Case:
    name: str
    setup: Callable[[Path], list[str]]  # fills the project directory; returns the CLI arguments
    budget: float  # seconds, median wall time
    memory: float | None = None  # MiB, peak resident memory of the runs


def _project(root: Path, files: dict[str, str]) -> None:
    (root / ".git").mkdir()
    (root / "pyproject.toml").write_text('[project]\nname = "hostile"\n')
    (root / "known_bad.py").write_text(KNOWN_BAD)
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content)


def _long_names() -> dict[str, str]:
    """A directory and files whose names give the pattern its worst case (all "a", no "b")."""
    return {f"{LONG_NAME}/{LONG_NAME}.py": KNOWN_BAD, f"{LONG_NAME}.py": KNOWN_BAD, "pkg/x.py": KNOWN_BAD}


def gitignore_exponential_pattern(root: Path) -> list[str]:
    _project(root, {".gitignore": EXPONENTIAL_PATTERN + "\n", **_long_names()})
    return ["check", "--no-cache", "."]


def exclude_exponential_pattern(root: Path) -> list[str]:
    _project(root, {".mlflow-lint.yaml": f'exclude: ["{EXPONENTIAL_PATTERN}"]\n', **_long_names()})
    return ["check", "--no-cache", "."]


def per_file_ignores_exponential_pattern(root: Path) -> list[str]:
    config = f'per-file-ignores:\n  "{EXPONENTIAL_PATTERN}": [MLF101]\n'
    _project(root, {".mlflow-lint.yaml": config, **_long_names()})
    return ["check", "--no-cache", "."]


def gitignore_million_lines(root: Path) -> list[str]:
    """Past the limits (patterns, text) nothing more of the file is read or compiled."""
    lines = "".join(f"generated_{i}/**/*.py[cod]\n" for i in range(1_000_000))
    _project(root, {".gitignore": lines, **_long_names()})
    return ["check", "--no-cache", "."]


# -- quadratic analysis below the 2 MB limit ---------------------------------------------------
CHECK = ["check", "--no-cache", "--format", "json", "."]
AUDIT = ["audit", "--format", "json", "--date", "2024-01-01", "."]


def _notebook(cells: list[str]) -> str:
    document = {
        "cells": [{"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None, "source": c} for c in cells],
        "metadata": {"kernelspec": {"language": "python", "name": "python3"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    return json.dumps(document)


def set_tag_50k_in_one_run(root: Path) -> list[str]:
    """Each set_tag made a new set of all the run's tag keys so far."""
    _project(root, {"train.py": "import mlflow\nwith mlflow.start_run():\n" + "".join(f"    mlflow.set_tag('k{i}', 'v')\n" for i in range(50_000))})
    return CHECK


def import_and_set_tag_20k(root: Path) -> list[str]:
    """Each use of ``mlflow`` scanned every binding of the name."""
    _project(root, {"train.py": "".join(f"import mlflow\nmlflow.set_tag('k{i}', 'v')\n" for i in range(20_000))})
    return CHECK


_BAD_CELLS = ("x = = 1", "print 'hello'", "if ready\n    go()", "for i in range(3)\n    print(i)", "y = 'unterminated")


def notebook_10k_cells_200_bad(root: Path) -> list[str]:
    """Each bad cell made the engine parse the whole notebook again."""
    cells = [
        _BAD_CELLS[(i // 50) % len(_BAD_CELLS)] if i % 50 == 7
        else f"x_{i} = {i} * 2\nprint(x_{i})" if i % 3 == 0
        else f"import mlflow\nmlflow.set_tracking_uri('./mlruns')\nmlflow.log_metric('m{i}', {i})"
        for i in range(10_000)
    ]  # fmt: skip
    _project(root, {"notebook.ipynb": _notebook(cells)})
    return CHECK


def notebook_10k_cells_brackets_left_open(root: Path) -> list[str]:
    """Bad cells that leave a bracket open: where CPython reports the next error depends on
    the rest of the notebook (see mlflow_lint.sources.notebook.parse_cells)."""
    cells = [
        f"def broken_{i}(:\n    pass" if i % 50 == 7
        else f"x_{i} = {i} * 2\nprint(x_{i})" if i % 3 == 0
        else f"import mlflow\nmlflow.set_tag('k{i}', 'v')\nmlflow.log_metric('m', {i})"
        for i in range(10_000)
    ]  # fmt: skip
    _project(root, {"notebook.ipynb": _notebook(cells)})
    return CHECK


def databricks_notebook_10k_cells(root: Path) -> list[str]:
    cells = ["x = = 1\n" if i % 50 == 0 else f"import mlflow\nmlflow.set_tag('k{i}', 'v')\n" for i in range(10_000)]
    _project(root, {"notebook.py": "# Databricks notebook source\n" + "\n# COMMAND ----------\n".join(cells)})
    return CHECK


_FINDING_LINES = (
    "mlflow.set_tracking_uri('./mlruns')",
    "model = mlflow.pyfunc.load_model('runs:/0a1b2c/model')",
    "client.transition_model_version_stage('m', 1, 'Production')",
    "mlflow.set_registry_uri('sqlite:///registry.db')",
    "model = mlflow.pyfunc.load_model('models:/m/3')",
)


def audit_25k_findings(root: Path) -> list[str]:
    """Each evidence row filtered every finding of its file."""
    header = "import mlflow\nfrom mlflow import MlflowClient\nclient = MlflowClient()\n"
    body = "".join(_FINDING_LINES[i % len(_FINDING_LINES)] + "\n" for i in range(2_500))
    _project(root, {f"pkg/module_{i}.py": header + body for i in range(10)})
    return AUDIT


def audit_env_file_50k_lines(root: Path) -> list[str]:
    _project(root, {".env": "".join(f"MLFLOW_TRACKING_URI=./mlruns{i}\n" for i in range(50_000))})
    return AUDIT


def runs_started_and_ended_10k(root: Path) -> list[str]:
    """Each run found its statement in the block with list.index."""
    body = "".join(f"mlflow.start_run()\nmlflow.set_tag('k', 'v{i}')\nmlflow.end_run()\n" for i in range(10_000))
    _project(root, {"train.py": "import mlflow\n" + body})
    return CHECK


def runs_left_open_5k(root: Path) -> list[str]:
    """Runs with no end_run() between them: each one's statements are the next one's and more."""
    _project(root, {"train.py": "import mlflow\n" + "mlflow.start_run()\nmlflow.set_tag('k', 'v')\n" * 5_000})
    return CHECK


def with_runs_10k(root: Path) -> list[str]:
    body = "".join(f"with mlflow.start_run():\n    mlflow.log_metric('m', {i})\n" for i in range(10_000))
    _project(root, {"train.py": "import mlflow\n" + body})
    return CHECK


def promotions_10k(root: Path) -> list[str]:
    """Each promotion looked for a gate in every statement before it."""
    body = "".join(f"client.set_registered_model_alias('m', 'champion', '{i}')\n" for i in range(10_000))
    _project(root, {"promote.py": "from mlflow import MlflowClient\nclient = MlflowClient()\n" + body})
    return CHECK


def promoting_functions_5k(root: Path) -> list[str]:
    """Each promoting function scanned every call of the module for its callers."""
    body = "".join(
        f"def promote_{i}(version):\n    client.set_registered_model_alias('m', 'champion', version)\n\n\npromote_{i}('{i}')\n"
        for i in range(5_000)
    )
    _project(root, {"promote.py": "from mlflow import MlflowClient\nclient = MlflowClient()\n" + body})
    return CHECK


def attribute_assigned_and_used_8k(root: Path) -> list[str]:
    """Each use of ``self.client`` read every ``self.client = ...`` of the class."""
    body = "".join(
        f"    def step_{i}(self):\n        self.client = make_{i}()\n"
        f"        self.client.transition_model_version_stage('m', {i}, 'Production')\n"
        for i in range(8_000)
    )
    _project(root, {"train.py": "import mlflow\nclass Trainer:\n" + body})
    return CHECK


def reexported_mlflow_20k(root: Path) -> list[str]:
    """Each use of a re-exported ``mlflow`` read every binding of it in the other module."""
    _project(root, {
        "helpers.py": "import mlflow\n" * 20_000,
        "train.py": "from helpers import mlflow\n" + "".join(f"mlflow.set_tag('k{i}', 'v')\n" for i in range(20_000)),
    })  # fmt: skip
    return CHECK


def findings_40k_in_one_file(root: Path) -> list[str]:
    _project(root, {"train.py": "import mlflow\n" + "mlflow.set_tracking_uri('./mlruns')\n" * 40_000})
    return CHECK


def noqa_comments_36k(root: Path) -> list[str]:
    lines = ("mlflow.set_tracking_uri('./mlruns')  # noqa: MLF101\n", "mlflow.set_tracking_uri('./mlruns')  # noqa: MLF601\n")
    _project(root, {"train.py": "import mlflow\n" + "".join(lines[i % 2] for i in range(36_000))})
    return ["check", "--no-cache", "--format", "json", "--extend-select", "MLF001", "."]


def nested_runs_90_deep(root: Path) -> list[str]:
    text = "import mlflow\n"
    for depth in range(90):
        pad = "    " * depth
        text += f"{pad}with mlflow.start_run(nested=True):\n" + "".join(f"{pad}    mlflow.set_tag('k{depth}_{i}', 'v')\n" for i in range(80))
    _project(root, {"train.py": text})
    return CHECK


def functions_20k(root: Path) -> list[str]:
    body = "".join(f"def step_{i}(run_id):\n    mlflow.log_metric('m', {i})\n    return step_{max(i - 1, 0)}(run_id)\n" for i in range(20_000))
    _project(root, {"pipeline.py": "import mlflow\n" + body})
    return CHECK


CASES = [
    Case("gitignore-exponential-pattern", gitignore_exponential_pattern, 5.0),
    Case("exclude-exponential-pattern", exclude_exponential_pattern, 5.0),
    Case("per-file-ignores-exponential-pattern", per_file_ignores_exponential_pattern, 5.0),
    Case("gitignore-million-lines", gitignore_million_lines, 5.0),
    # Quadratic analysis below the 2 MB limit (issue 19: 20 s to over five minutes before).
    # The budgets are the targets, 5 s and 200 MiB; see benchmarks/README.md for
    # the cases still over the memory goal (a 2 MB module's tree and semantic model alone
    # hold some 250 MiB).
    Case("set-tag-50k-in-one-run", set_tag_50k_in_one_run, 5.0, 200),
    Case("import-and-set-tag-20k", import_and_set_tag_20k, 5.0, 200),
    Case("notebook-10k-cells-200-bad", notebook_10k_cells_200_bad, 5.0, 200),
    Case("notebook-10k-cells-brackets-left-open", notebook_10k_cells_brackets_left_open, 5.0, 200),
    Case("databricks-notebook-10k-cells", databricks_notebook_10k_cells, 5.0, 200),
    Case("audit-25k-findings", audit_25k_findings, 5.0, 200),
    Case("audit-env-file-50k-lines", audit_env_file_50k_lines, 5.0, 200),
    Case("runs-started-and-ended-10k", runs_started_and_ended_10k, 5.0, 200),
    Case("runs-left-open-5k", runs_left_open_5k, 5.0, 200),
    Case("with-runs-10k", with_runs_10k, 5.0, 200),
    Case("promotions-10k", promotions_10k, 5.0, 200),
    Case("promoting-functions-5k", promoting_functions_5k, 5.0, 200),
    Case("attribute-assigned-and-used-8k", attribute_assigned_and_used_8k, 5.0, 200),
    Case("reexported-mlflow-20k", reexported_mlflow_20k, 5.0, 200),
    Case("findings-40k-in-one-file", findings_40k_in_one_file, 5.0, 200),
    Case("noqa-comments-36k", noqa_comments_36k, 5.0, 200),
    Case("nested-runs-90-deep", nested_runs_90_deep, 5.0, 200),
    Case("functions-20k", functions_20k, 5.0, 200),
]


def console_script() -> str:
    candidate = Path(sys.executable).parent / "mlflow-lint"
    if candidate.exists():
        return str(candidate)
    found = shutil.which("mlflow-lint")
    if found is None:
        sys.exit("the mlflow-lint console script is not installed next to this interpreter or on PATH")
    return found


def run_once(args: list[str], cwd: Path, timeout: float) -> tuple[int | None, str, float]:
    """One run: (exit status, or None if it was stopped at ``timeout``; standard error; peak
    resident memory in MiB). The report goes to /dev/null: some are tens of MB."""
    process = subprocess.Popen(args, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    stopped = threading.Event()

    def stop() -> None:
        stopped.set()
        process.kill()

    timer = threading.Timer(timeout, stop)
    timer.start()
    assert process.stderr is not None
    stderr = process.stderr.read().decode("utf-8", "replace")
    process.stderr.close()
    _, status, usage = os.wait4(process.pid, 0)  # the child's own rusage, which Popen.wait drops
    timer.cancel()
    process.returncode = os.waitstatus_to_exitcode(status)
    peak = usage.ru_maxrss / (1024 * 1024 if sys.platform == "darwin" else 1024)  # bytes on macOS, KiB elsewhere
    return (None if stopped.is_set() else process.returncode), stderr, peak


def run_case(case: Case, runs: int, script: str) -> tuple[float, float, str]:
    """(median wall time, peak memory in MiB, a note: the exit status, or that a run was stopped)."""
    with tempfile.TemporaryDirectory(prefix=f"hostile-{case.name}-") as directory:
        root = Path(directory)
        args = case.setup(root)
        walls: list[float] = []
        peak = 0.0
        note = ""
        for _ in range(runs):
            started = time.perf_counter()
            code, stderr, memory = run_once([script, *args], root, case.budget * 4)
            peak = max(peak, memory)
            if code is None:
                return float("inf"), peak, f"stopped after {case.budget * 4:.0f} s"
            walls.append(time.perf_counter() - started)
            note = f"exit {code}"
            if code not in (0, 1):
                note += f": {stderr.strip().splitlines()[-1] if stderr.strip() else '?'}"
        return statistics.median(walls), peak, note


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="runs per case (the median is reported)")
    parser.add_argument("--case", action="append", choices=[case.name for case in CASES], help="only these cases")
    parser.add_argument("--check", action="store_true", help="exit 1 if a case is over a budget (the default)")
    options = parser.parse_args()
    script = console_script()
    over = False
    print(f"{'case':<40} {'median':>9} {'budget':>8} {'max RSS':>10} {'budget':>9}  result")
    for case in CASES:
        if options.case and case.name not in options.case:
            continue
        median, peak, note = run_case(case, options.runs, script)
        too_slow = median > case.budget
        too_big = case.memory is not None and peak > case.memory
        verdict = "ok" if not (too_slow or too_big) else "OVER BUDGET" + (" (memory)" if too_big and not too_slow else "")
        over |= too_slow or too_big
        memory_budget = f"{case.memory:.0f}MiB" if case.memory is not None else "-"
        print(f"{case.name:<40} {median:>8.2f}s {case.budget:>7.1f}s {peak:>7.0f}MiB {memory_budget:>9}  {verdict} ({note})", flush=True)
    sys.exit(1 if over else 0)


if __name__ == "__main__":
    main()
