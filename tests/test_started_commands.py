"""``mlflow`` command lines that Python code starts (analysis.started_commands), read as the
same line in a script is: which calls start one, how their words and environment resolve,
and what stays unknown."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from mlflow_lint.analysis.commands import interpret
from mlflow_lint.analysis.module import AnalysedModule
from mlflow_lint.analysis.started_commands import STARTER_NAMES, started_commands
from mlflow_lint.positions import LineIndex
from mlflow_lint.sources.facts import Command
from mlflow_lint.sources.notebook import Cell, virtual_source

from .conftest import ipynb, lint_source


def _commands(source: str) -> list[Command] | None:
    """The commands the module's last call named as one that starts a process starts."""
    module = AnalysedModule(Path("/nonexistent/m.py"), source, ast.parse(source), None)
    named = [node for node in ast.walk(module.tree) if isinstance(node, ast.Call) and ast.unparse(node.func).split(".")[-1] in STARTER_NAMES]
    call = max(named, key=lambda node: (node.lineno, node.col_offset))
    return started_commands(module, call, LineIndex(source))


def _argv(source: str) -> list[list[str]]:
    commands = _commands(source)
    assert commands is not None
    return [[word.text for word in command.argv] for command in commands]


@pytest.mark.parametrize(
    "source",
    [
        'import subprocess\nsubprocess.run(["mlflow", "server", "--host", "0.0.0.0"])',
        'from subprocess import Popen\nPopen(["mlflow", "server", "--host", "0.0.0.0"])',
        'import subprocess\nsubprocess.check_call(("mlflow", "server", "--host", "0.0.0.0"))',
        'import subprocess\nsubprocess.run("mlflow server --host 0.0.0.0", shell=True)',
        'import subprocess\nsubprocess.run(["mlflow server --host 0.0.0.0"], shell=True)',
        'import os\nos.system("nohup mlflow server --host 0.0.0.0 > log 2>&1 &")',
        'import os\nos.popen("mlflow server --host 0.0.0.0")',
        'import os\nos.execvp("mlflow", ["mlflow", "server", "--host", "0.0.0.0"])',
        'import os\nos.execlp("mlflow", "mlflow", "server", "--host", "0.0.0.0")',
        'import asyncio\nasyncio.create_subprocess_exec("mlflow", "server", "--host", "0.0.0.0")',
        'import asyncio\nasyncio.create_subprocess_shell("mlflow server --host 0.0.0.0")',
        'get_ipython().system("mlflow server --host 0.0.0.0")',
        'import sys, subprocess\nsubprocess.Popen([sys.executable, "-m", "mlflow", "server", "--host", "0.0.0.0"])',
        'import shutil, subprocess\nsubprocess.Popen([shutil.which("mlflow"), "server", "--host", "0.0.0.0"])',
        'import subprocess\nsubprocess.Popen(["uv", "run", "mlflow", "server", "--host", "0.0.0.0"])',
        'import subprocess\nsubprocess.Popen(["bash", "-lc", "mlflow server --host 0.0.0.0"])',
        'import subprocess\nsubprocess.Popen("mlflow server --host 0.0.0.0".split())',
        'import shlex, subprocess\nsubprocess.Popen(shlex.split("mlflow server --host \'0.0.0.0\'"))',
    ],
)
def test_each_way_of_starting_a_server_is_read(source: str) -> None:
    (argv,) = _argv(source)
    assert argv[:4] == ["mlflow", "server", "--host", "0.0.0.0"]


def test_a_call_that_starts_no_process_is_none_and_another_program_no_command() -> None:
    assert _commands('import mlflow\nmlflow.projects.run(".")') is None
    assert _commands('import subprocess\nsubprocess.run(["git", "add", "mlruns"])') == []
    assert _commands('import subprocess\nsubprocess.run(["echo", "mlflow server --host 0.0.0.0"])') == []


def test_words_resolve_through_names_lists_and_fstrings() -> None:
    source = (
        "import subprocess\n"
        'HOST = "0.0.0.0"\n'
        'STORE = "sqlite:///mlflow.db"\n'
        'base = ["mlflow", "server"]\n'
        'command = base + ["--host", HOST, f"--backend-store-uri={STORE}", "--port", 5000]\n'
        "subprocess.Popen(command)\n"
    )
    (command,) = _commands(source) or []
    invocation = interpret(command)
    assert invocation is not None
    host, store = invocation.value("--host"), invocation.value("--backend-store-uri")
    assert host is not None and host[0].value.text == "0.0.0.0"
    assert store is not None and store[0].value.text == "sqlite:///mlflow.db"
    assert [word.text for word in command.argv][-1] == "5000"


def test_an_unknown_value_is_a_hole_and_several_values_have_none_known() -> None:
    source = 'import os, subprocess\nsubprocess.Popen(["mlflow", "server", "--host", os.getenv("HOST", "0.0.0.0"), "--backend-store-uri", os.environ["URI"]])'
    (command,) = _commands(source) or []
    invocation = interpret(command)
    assert invocation is not None
    host, store = invocation.value("--host"), invocation.value("--backend-store-uri")
    assert host is not None and not host[0].value.complete  # which one is not known
    assert [value.text for value in host[0].values if value.complete] == ["0.0.0.0"]  # the default, as ${HOST:-0.0.0.0}'s
    assert store is not None and not any(value.complete for value in store[0].values)


@pytest.mark.parametrize(
    "setup",
    [
        'command = ["mlflow", "server", *extra]',
        'command = ["mlflow", "server"]\nif extra:\n    command.append("--app-name")',
        'command = ["mlflow", "server"]\nfor option in extra:\n    command += [option]',
        'command = ["mlflow", "server"]\ncommand.insert(2, extra)',
    ],
)
def test_words_that_may_be_options_leave_the_options_open(setup: str) -> None:
    source = "import subprocess\ndef start(extra):\n    " + setup.replace("\n", "\n    ") + "\n    subprocess.Popen(command)\n"
    (command,) = _commands(source) or []
    invocation = interpret(command)
    assert invocation is not None and invocation.open_options
    assert invocation.configured("--backend-store-uri") and invocation.configured("--app-name")


def test_changes_in_the_block_of_the_assignment_add_their_words() -> None:
    source = (
        "import subprocess\n"
        'command = ["mlflow", "server"]\n'
        'command.append("--host")\n'
        'command.extend(["0.0.0.0", "--port"])\n'
        'command += ["5000"]\n'
        "subprocess.Popen(command)\n"
        'command.append("--app-name")\n'
    )
    assert _argv(source) == [["mlflow", "server", "--host", "0.0.0.0", "--port", "5000"]]


def test_a_list_assigned_in_branches_is_each_of_them() -> None:
    source = (
        "import subprocess\n"
        "if public:\n"
        '    command = ["mlflow", "server", "--host", "0.0.0.0"]\n'
        "else:\n"
        '    command = ["mlflow", "ui"]\n'
        "subprocess.Popen(command)\n"
    )
    assert sorted(_argv(source)) == [["mlflow", "server", "--host", "0.0.0.0"], ["mlflow", "ui"]]


def test_a_name_rebound_in_its_block_holds_its_last_list() -> None:
    source = (
        "import subprocess\n"
        "def serve(model_uri, port):\n"
        '    command = f"mlflow models serve --port {port} --model-uri {model_uri}"\n'
        '    command = command.split(" ")\n'
        "    subprocess.Popen(command)\n"
    )
    assert _argv(source) == [["mlflow", "models", "serve", "--port", "{port}", "--model-uri", "{model_uri}"]]


def test_a_list_not_known_starts_nothing_known() -> None:
    assert _argv("import subprocess\ndef start(command):\n    subprocess.Popen(command)\n") == []


def test_an_interpolated_part_of_a_command_line_stays_a_hole_of_its_word() -> None:
    (command,) = _commands('import subprocess\nsubprocess.run(f"mlflow server --backend-store-uri {uri}/db --host 0.0.0.0", shell=True)') or []
    store = interpret(command).value("--backend-store-uri")  # type: ignore[union-attr]
    assert store is not None and [part if isinstance(part, str) else None for part in store[0].value.parts] == [None, "/db"]
    assert store[0].text == "{uri}/db"


def test_the_environment_is_the_modules_unless_another_mapping_is_given() -> None:
    base = 'import os, subprocess\nos.environ["MLFLOW_BACKEND_STORE_URI"] = "postgresql://db/m"\n'
    (inherited,) = _commands(base + 'subprocess.Popen(["mlflow", "ui"])') or []
    assert [s.name for s in inherited.environment] == ["MLFLOW_BACKEND_STORE_URI"] and not inherited.open_environment
    (merged,) = _commands(base + 'subprocess.Popen(["mlflow", "ui"], env={**os.environ, "MLFLOW_HOST": "0.0.0.0"})') or []
    assert [s.name for s in merged.environment] == ["MLFLOW_BACKEND_STORE_URI", "MLFLOW_HOST"]
    (own,) = _commands(base + 'subprocess.Popen(["mlflow", "ui"], env={"PATH": "/usr/bin"})') or []
    assert [s.name for s in own.environment] == ["PATH"] and not own.open_environment
    (unknown,) = _commands(base + 'subprocess.Popen(["mlflow", "ui"], env=settings)') or []
    assert unknown.environment == () and unknown.open_environment


def test_findings_point_at_the_call() -> None:
    source = 'import subprocess\n\nsubprocess.Popen(\n    ["mlflow", "server", "--host", "0.0.0.0", "--backend-store-uri", "postgresql://db/m"]\n)\n'
    (finding,) = lint_source(source, "launch.py")
    assert (finding.rule, finding.line, finding.column, finding.end_line) == ("MLF703", 3, 1, 5)


def test_a_notebook_shell_escape_is_read_as_ipython_runs_it() -> None:
    source = virtual_source([Cell(0, ("STORE = 'sqlite:///mlflow.db'", "!mlflow ui --backend-store-uri {STORE}", "!awk '{print $1}' mlflow.txt", "!!mlflow ui", "!ls mlruns"))])
    lines = source.text.splitlines()
    assert lines[1] == "get_ipython().system(f'mlflow ui --backend-store-uri {STORE}')"
    assert lines[2:] == ["pass", "pass", "pass"]  # no Python in its braces; !! captures; no mlflow named
    assert source.widths == {2: len("!mlflow ui --backend-store-uri {STORE}")}


def test_a_notebook_finding_on_a_shell_escape_stays_within_its_line() -> None:
    line = "!mlflow server --host 0.0.0.0 --backend-store-uri postgresql://db/m"
    findings = lint_source(ipynb("import mlflow", line), "serve.ipynb")
    assert [(f.rule, f.cell, f.line, f.column, f.end_column) for f in findings] == [("MLF703", 1, 1, 1, len(line) + 1)]


def test_the_audit_describes_servers_as_the_checks_judge_them() -> None:
    from mlflow_lint.audit.deployment import collect_facts
    from mlflow_lint.sources.shell import parse_shell

    script = "mlflow server --host 0.0.0.0 --backend-store-uri postgresql://db/m $EXTRA_ARGS\nmlflow server --artifacts-only --artifacts-destination s3://a\n"
    rows = [(item.line, item.kind, dict(item.fields)) for item in collect_facts(parse_shell(script, "start.sh"), "start.sh").items]
    servers = {line: fields for line, kind, fields in rows if kind == "server"}
    assert servers[1]["auth"] == "not known here (a secret, or words not known)"  # MLF703 does not guess it absent
    assert not [fields for line, kind, fields in rows if line == 2 and kind == "backend_store"]  # no store to report


def test_a_container_a_shell_command_line_starts_has_the_containers_environment() -> None:
    """``docker run IMAGE mlflow server`` run by a shell: the process's environment stays
    on the host; the container's is its ``-e`` options."""
    source = (
        "import os\nimport subprocess\n"
        'os.environ["MLFLOW_BACKEND_STORE_URI"] = "postgresql://mlflow@db/mlflow"\n'
        'subprocess.run("docker run -e MLFLOW_APP_NAME=basic-auth -p 5000:5000 acme/mlflow mlflow server --host 0.0.0.0", shell=True)\n'
    )
    commands = _commands(source)
    assert commands is not None
    (command,) = commands
    assert command.in_container and command.published
    assert [setting.name for setting in command.environment] == ["MLFLOW_APP_NAME"]
