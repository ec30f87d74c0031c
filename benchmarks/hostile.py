"""Maintainer benchmark: hostile inputs must not make a run slow.

Each case builds its project in a temporary directory, runs the installed ``mlflow-lint``
console script on it ``--runs`` times (whole processes, start-up included) and reports the
median wall time against the case's budget. A run that outlives four times its budget is
stopped and counted as over budget. Exit status 1 if any case is over budget.

    .venv-test/bin/python benchmarks/hostile.py [--runs 5] [--case NAME ...]

To add a case, write a function that fills the directory and returns the arguments after
``mlflow-lint``, and list it in ``CASES``.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
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


CASES = [
    Case("gitignore-exponential-pattern", gitignore_exponential_pattern, 5.0),
    Case("exclude-exponential-pattern", exclude_exponential_pattern, 5.0),
    Case("per-file-ignores-exponential-pattern", per_file_ignores_exponential_pattern, 5.0),
    Case("gitignore-million-lines", gitignore_million_lines, 5.0),
]


def console_script() -> str:
    candidate = Path(sys.executable).parent / "mlflow-lint"
    if candidate.exists():
        return str(candidate)
    found = shutil.which("mlflow-lint")
    if found is None:
        sys.exit("the mlflow-lint console script is not installed next to this interpreter or on PATH")
    return found


def run_case(case: Case, runs: int, script: str) -> tuple[float, str]:
    """(median wall time, a note: the exit status, or that a run was stopped)."""
    with tempfile.TemporaryDirectory(prefix=f"hostile-{case.name}-") as directory:
        root = Path(directory)
        args = case.setup(root)
        walls: list[float] = []
        note = ""
        for _ in range(runs):
            started = time.perf_counter()
            try:
                done = subprocess.run([script, *args], cwd=root, capture_output=True, text=True, timeout=case.budget * 4)
            except subprocess.TimeoutExpired:
                return float("inf"), f"stopped after {case.budget * 4:.0f} s"
            walls.append(time.perf_counter() - started)
            note = f"exit {done.returncode}"
            if done.returncode not in (0, 1):
                note += f": {done.stderr.strip().splitlines()[-1] if done.stderr.strip() else '?'}"
        return statistics.median(walls), note


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="runs per case (the median is reported)")
    parser.add_argument("--case", action="append", choices=[case.name for case in CASES], help="only these cases")
    options = parser.parse_args()
    script = console_script()
    over = False
    print(f"{'case':<40} {'median':>9} {'budget':>8}  result")
    for case in CASES:
        if options.case and case.name not in options.case:
            continue
        median, note = run_case(case, options.runs, script)
        verdict = "ok" if median <= case.budget else "OVER BUDGET"
        over |= median > case.budget
        print(f"{case.name:<40} {median:>8.2f}s {case.budget:>7.1f}s  {verdict} ({note})", flush=True)
    sys.exit(1 if over else 0)


if __name__ == "__main__":
    main()
