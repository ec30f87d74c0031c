"""A parameter's default is a value the code uses only when a call leaves the argument out
(analysis.callers.default_never_used): judged over the project's calls of the function."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlflow_lint.config import Config
from mlflow_lint.engine import lint_paths

from .conftest import all_rules, write_files

MONITOR = """\
import mlflow


class Monitor:
    def __init__(self, tracking_uri="./mlruns"):
        self.tracking_uri = tracking_uri

    def log(self):
        mlflow.set_tracking_uri(self.tracking_uri)


def configure(uri="./mlruns"):
    mlflow.set_tracking_uri(uri)
"""


def _local_store_lines(tmp_path: Path, files: dict[str, str]) -> list[tuple[str, int]]:
    project = write_files(tmp_path / "project", {"pyproject.toml": "[project]\nname = 'p'\n", **files})
    result = lint_paths([project], Config(root=project), all_rules(), cwd=project, include_tests=True)
    return sorted((f.path, f.line) for f in result.findings if f.rule == "MLF101")


def test_a_default_every_call_overrides_is_not_the_store(tmp_path: Path) -> None:
    main = "import os\n\nfrom monitor import Monitor, configure\n\nMonitor(tracking_uri=os.environ['URI']).log()\nconfigure(os.environ['URI'])\n"
    assert _local_store_lines(tmp_path, {"monitor.py": MONITOR, "main.py": main}) == []


@pytest.mark.parametrize(
    ("main", "expected"),
    [
        # A call that leaves the argument out gets the default.
        ("from monitor import Monitor, configure\n\nMonitor().log()\nconfigure('https://x.example.com')\n", [9]),
        ("import os\nfrom monitor import Monitor, configure\n\nMonitor(os.environ['U']).log()\nconfigure()\n", [13]),
        # Unpacked arguments may or may not hold it.
        ("import os\nfrom monitor import Monitor, configure\n\nMonitor(**os.environ).log()\nconfigure(*os.sys.argv)\n", [9, 13]),
        # Nothing calls them: a library's API, whose callers are not known.
        ("", [9, 13]),
    ],
)
def test_a_default_counts_when_a_call_may_leave_the_argument_out(tmp_path: Path, main: str, expected: list[int]) -> None:
    assert _local_store_lines(tmp_path, {"monitor.py": MONITOR, "main.py": main}) == [("monitor.py", line) for line in expected]


def test_a_subclass_runs_the_initializer_with_its_default(tmp_path: Path) -> None:
    main = "import os\nfrom monitor import Monitor\n\nMonitor(os.environ['U']).log()\n"
    child = "from monitor import Monitor\n\n\nclass Quiet(Monitor):\n    pass\n\n\nQuiet().log()\n"
    # (configure: nothing calls it, its default stands)
    assert _local_store_lines(tmp_path, {"monitor.py": MONITOR, "main.py": main, "child.py": child}) == [("monitor.py", 9), ("monitor.py", 13)]


def test_a_function_a_framework_calls_keeps_its_default(tmp_path: Path) -> None:
    source = (
        "import os\nimport click\nimport mlflow\n\n\n@click.command()\ndef main(uri='./mlruns'):\n"
        "    mlflow.set_tracking_uri(uri)\n\n\ndef run(uri='./mlruns'):\n    mlflow.set_tracking_uri(uri)\n\n\n"
        "main(os.environ['U'])\nrun(os.environ['U'])\nthreading_target = run\n"
    )
    assert _local_store_lines(tmp_path, {"cli.py": source}) == [("cli.py", 8), ("cli.py", 12)]


def test_a_call_of_an_unknown_receiver_by_the_same_name_keeps_the_default(tmp_path: Path) -> None:
    main = "import os\nfrom monitor import Monitor\n\nMonitor(os.environ['U'])\n\n\ndef report(monitor):\n    monitor.log()\n"
    methods = MONITOR.replace("def log(self):", "def log(self, uri='./mlruns'):").replace(
        "mlflow.set_tracking_uri(self.tracking_uri)", "mlflow.set_tracking_uri(uri)"
    )
    # ``monitor.log(...)`` (monitor untyped) may be Monitor.log, and what it passes is judged
    # nowhere: the default stands, whether the call passes the argument or not.
    # (configure: nothing calls it, its default stands)
    assert _local_store_lines(tmp_path, {"monitor.py": methods, "main.py": main}) == [("monitor.py", 9), ("monitor.py", 13)]
    passing = main.replace("monitor.log()", "monitor.log('./mlruns')")
    assert _local_store_lines(tmp_path / "passing", {"monitor.py": methods, "main.py": passing}) == [("monitor.py", 9), ("monitor.py", 13)]
    typed = passing.replace("def report(monitor):", "def report(monitor: Monitor):").replace("'./mlruns'", "os.environ['U']")
    assert _local_store_lines(tmp_path / "typed", {"monitor.py": methods, "main.py": typed}) == [("monitor.py", 13)]


def test_test_code_that_leaves_the_argument_out_is_not_the_projects_use(tmp_path: Path) -> None:
    main = "import os\nfrom monitor import configure\n\nconfigure(os.environ['U'])\n"
    test = "from monitor import configure\n\n\ndef test_configure():\n    configure()\n"
    found = _local_store_lines(tmp_path, {"monitor.py": MONITOR, "main.py": main, "tests/test_monitor.py": test})
    assert ("monitor.py", 13) not in found


def test_a_function_named_in_many_files_keeps_its_default(tmp_path: Path) -> None:
    """The search parses at most a few other files (a library's API is named everywhere):
    beyond them the default stands, as for a function nothing calls."""
    callers = {f"job_{n}.py": "import os\nfrom monitor import configure\n\nconfigure(os.environ['U'])\n" for n in range(9)}
    assert _local_store_lines(tmp_path, {"monitor.py": MONITOR, **callers}) == [("monitor.py", 9), ("monitor.py", 13)]
    few = dict(list(callers.items())[:8])
    assert _local_store_lines(tmp_path / "few", {"monitor.py": MONITOR, **few}) == [("monitor.py", 9)]


def test_a_subclass_added_where_nothing_calls_the_class_re_judges_a_cached_result(tmp_path: Path) -> None:
    """The subclass search is logged for the result cache as the caller search is: a file
    that only derives from the class (never calls it) still changes the verdict."""
    project = write_files(
        tmp_path / "project",
        {"pyproject.toml": "[project]\nname = 'p'\n", "monitor.py": MONITOR, "main.py": "import os\nfrom monitor import Monitor\n\nMonitor(os.environ['U']).log()\n"},
    )

    def lines() -> list[int]:
        result = lint_paths([project], Config(root=project), all_rules(), cwd=project, cache_dir=tmp_path / "cache")
        return sorted(f.line for f in result.findings if f.rule == "MLF101" and f.path == "monitor.py")

    assert lines() == [13]  # configure: nothing calls it; Monitor: every call passes the URI
    (project / "child.py").write_text("from monitor import Monitor\n\n\nclass Quiet(Monitor):\n    pass\n")
    assert lines() == [9, 13]  # a subclass's instances may run __init__ with its default


@pytest.mark.parametrize(
    "runner",
    [
        "import typer\n\nfrom monitor import configure\n\ntyper.run(configure)\n",
        "import threading\n\nimport monitor\n\nthreading.Thread(target=monitor.configure).start()\n",
    ],
)
def test_a_function_another_module_passes_on_as_a_value_keeps_its_default(tmp_path: Path, runner: str) -> None:
    """Whoever receives ``configure`` may call it with its defaults: every call written out
    passing the URI does not make the default unused."""
    main = "import os\nfrom monitor import Monitor, configure\n\nMonitor(os.environ['U']).log()\nconfigure(os.environ['U'])\n"
    assert _local_store_lines(tmp_path, {"monitor.py": MONITOR, "main.py": main, "cli.py": runner}) == [("monitor.py", 13)]
