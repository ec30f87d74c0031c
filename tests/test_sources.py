"""The non-Python sources on their own: positions, quoting, and what is never a finding."""

from __future__ import annotations

import json
import shlex
from pathlib import Path

import pytest

from mlflow_lint.engine import lint_bytes
from mlflow_lint.sources.deployment import PublishedPort
from mlflow_lint.sources.dockerfile import parse_dockerfile
from mlflow_lint.sources.dotenv import parse_dotenv
from mlflow_lint.sources.notebook import Cell, virtual_source
from mlflow_lint.sources.shell import parse_shell, split_commands, tokenize
from mlflow_lint.sources.yaml_source import UnparsableYaml, parse_yaml

from .conftest import FIXTURES, all_rules, lint_source, run_cli

DEPLOY = FIXTURES / "projects" / "deploy"


@pytest.mark.parametrize(
    "line",
    [
        "mlflow server --host 0.0.0.0 --port 5000",
        "mlflow models serve -m 'models:/churn@champion' --env-manager=local",
        'mlflow server --backend-store-uri "postgresql://u:${PW}@db/m" --app-name basic-auth',
        r"mlflow ui --backend-store-uri ./ml\ runs",
        "MLFLOW_TRACKING_URI=http://x mlflow runs list",
    ],
)
def test_words_match_shlex(line: str) -> None:
    (command,) = split_commands(tokenize(line))
    assert [token.text for token in command] == shlex.split(line)


def test_word_positions_and_continuations() -> None:
    script = "set -e\nmlflow server \\\n  --host 0.0.0.0 && echo done  # trailing comment\n"
    facts = parse_shell(script, "run.sh")
    (command,) = facts.commands
    host = command.argv[3]
    assert (host.text, host.position.line, host.position.column, host.position.end_column) == ("0.0.0.0", 3, 10, 17)


def test_echo_and_comments_never_run_mlflow() -> None:
    facts = parse_shell("# mlflow server --host 0.0.0.0\necho mlflow server --host 0.0.0.0\ngrep mlflow x\n", "s.sh")
    assert facts.commands == []


def test_export_and_prefix_assignments_reach_the_command() -> None:
    facts = parse_shell("export MLFLOW_HOST=0.0.0.0\nMLFLOW_BACKEND_STORE_URI=sqlite:///a.db uv run mlflow server\n", "s.sh")
    (command,) = facts.commands
    assert [s.name for s in command.environment] == ["MLFLOW_HOST", "MLFLOW_BACKEND_STORE_URI"]


def test_dotenv_quotes_comments_and_export() -> None:
    text = "A=plain # comment\nexport B='single # kept'\nC=\"double\"  # c\nD=\n# E=commented\n"
    facts = parse_dotenv(text, ".env")
    assert [(s.name, s.value.text if s.value else None) for s in facts.settings] == [
        ("A", "plain"), ("B", "single # kept"), ("C", "double"), ("D", ""),
    ]
    b = facts.settings[1]
    assert (b.position.line, b.position.column) == (2, 11)


def test_dockerfile_forms() -> None:
    text = (
        "FROM python\n"
        "ENV A=1 B=\"two words\"\n"
        "ENV LEGACY value with spaces\n"
        'ENTRYPOINT ["mlflow"]\n'
        'CMD ["server", "--host", "0.0.0.0"]\n'
        "COPY --chown=app:app mlruns src /app/\n"
        "RUN mlflow gc \\\n    --backend-store-uri sqlite:///x.db\n"
    )
    facts = parse_dockerfile(text, "Dockerfile")
    assert [(s.name, s.value.text) for s in facts.settings if s.value] == [("A", "1"), ("B", "two words"), ("LEGACY", "value with spaces")]
    assert [w.text for w in facts.commands[0].argv] == ["mlflow", "server", "--host", "0.0.0.0"]
    host = facts.commands[0].argv[3]
    assert (host.position.line, host.position.column) == (5, 27)
    assert [c.source.text for c in facts.copies] == ["mlruns", "src"]
    gc = facts.commands[1]
    assert gc.argv[-1].text == "sqlite:///x.db" and gc.argv[-1].position.line == 8


def test_a_dockerfile_runs_its_entrypoint_with_its_last_cmd_once() -> None:
    # ENTRYPOINT + CMD is the one command a container runs: never ENTRYPOINT alone beside it.
    text = (
        "FROM python:3.12\n"
        'ENTRYPOINT ["mlflow", "server", "--host=0.0.0.0"]\n'
        'CMD ["--workers=1"]\n'
        'CMD ["--app-name", "basic-auth"]\n'
    )
    (command,) = parse_dockerfile(text, "Dockerfile").commands
    assert [w.text for w in command.argv] == ["mlflow", "server", "--host=0.0.0.0", "--app-name", "basic-auth"]
    assert command.position.line == 2
    assert not [f for f in lint_source(text, "Dockerfile") if f.rule == "MLF703"]  # the CMD gives it authentication


def test_yaml_environment_forms_and_secret_references() -> None:
    text = (
        "services:\n"
        "  a:\n"
        "    environment:\n"
        "      - MLFLOW_TRACKING_URI=http://mlflow:5000\n"
        "---\n"
        "spec:\n"
        "  containers:\n"
        "    - env:\n"
        "        - {name: MLFLOW_TRACKING_PASSWORD, valueFrom: {secretKeyRef: {name: s, key: k}}}\n"
        "        - name: MLFLOW_TRACKING_URI\n"
        "          value: 'https://mlflow.example.com'\n"
    )
    facts = parse_yaml(text, "x.yaml")
    rows = [(s.name, s.value.text if s.value else None, s.position.line, s.position.column) for s in facts.settings]
    assert rows == [
        ("MLFLOW_TRACKING_URI", "http://mlflow:5000", 4, 29),
        ("MLFLOW_TRACKING_PASSWORD", None, 9, 18),
        ("MLFLOW_TRACKING_URI", "https://mlflow.example.com", 11, 19),
    ]


def test_yaml_block_scalars_keep_line_positions() -> None:
    text = "jobs:\n  t:\n    steps:\n      - run: |\n          pip install mlflow\n          mlflow server \\\n            --host 0.0.0.0\n"
    (command,) = parse_yaml(text, "ci.yml").commands
    host = command.argv[-1]
    assert (host.position.line, host.position.column) == (7, 20)


@pytest.mark.integration
def test_templated_yaml_is_unparsable_not_an_error() -> None:
    with pytest.raises(UnparsableYaml):
        parse_yaml("{{- if .Values.x }}\na: [\n", "t.yaml")
    result = run_cli("check", "helm/templates/deployment.yaml", "-v", cwd=DEPLOY)
    assert result.returncode == 0
    assert "skipped helm/templates/deployment.yaml: not valid YAML" in result.stderr


def test_yaml_anchors_are_walked_once() -> None:
    text = "x: &a {MLFLOW_TRACKING_URI: ./mlruns}\ny: *a\nz: *a\n"
    assert len(parse_yaml(text, "x.yaml").settings) == 1


@pytest.mark.integration
def test_notebook_positions_are_exact(tmp_path: Path) -> None:
    result = run_cli("check", "notebooks/explore.ipynb", "--format", "json", cwd=DEPLOY)
    rows = [
        {k: f[k] for k in ("rule", "cell", "line", "column", "end_line", "end_column")}
        for f in json.loads(result.stdout)["findings"]
    ]
    assert rows == [
        # MLF102: databricks/train_nb.py sets another URI (its broken cell left out).
        {"rule": "MLF102", "cell": 2, "line": 2, "column": 25, "end_line": 2, "end_column": 46},
        {"rule": "MLF201", "cell": 2, "line": 2, "column": 25, "end_line": 2, "end_column": 46},
        {"rule": "MLF601", "cell": 4, "line": 2, "column": 37, "end_line": 2, "end_column": 60},
    ]
    text = run_cli("check", "notebooks/explore.ipynb", cwd=DEPLOY).stdout
    assert text.splitlines()[1].startswith("notebooks/explore.ipynb:cell 2:2:25: MLF201 ")


@pytest.mark.integration
def test_notebook_outputs_markdown_and_other_languages_are_never_read(tmp_path: Path) -> None:
    r_notebook = {
        "cells": [{"cell_type": "code", "source": ['mlflow.set_tracking_uri("./mlruns")'], "outputs": []}],
        "metadata": {"kernelspec": {"language": "R", "name": "ir"}},
    }
    (tmp_path / "r.ipynb").write_text(json.dumps(r_notebook))
    output_only = {
        "cells": [
            {"cell_type": "markdown", "source": ['mlflow.set_tracking_uri("./mlruns")']},
            {"cell_type": "code", "source": ["import mlflow"], "outputs": [{"text": ['mlflow.set_tracking_uri("./mlruns")']}]},
        ]
    }
    (tmp_path / "o.ipynb").write_text(json.dumps(output_only))
    result = run_cli("check", ".", cwd=tmp_path)
    assert result.returncode == 0, result.stdout


@pytest.mark.integration
def test_noqa_in_each_comment_syntax(tmp_path: Path) -> None:
    (tmp_path / "docker-compose.yml").write_text("services:\n  m:\n    command: mlflow server --host 0.0.0.0 --backend-store-uri postgresql://db/m  # noqa: MLF703\n")
    (tmp_path / ".env").write_text("MLFLOW_TRACKING_URI=./mlruns  # noqa: MLF101\n")
    (tmp_path / "run.sh").write_text("mlflow server --backend-store-uri postgresql://db/m \\\n  --host 0.0.0.0  # noqa: MLF703\n")
    result = run_cli("check", ".", cwd=tmp_path)
    assert result.returncode == 0, result.stdout


def test_substitutions_stay_inside_their_word() -> None:
    line = 'MLFLOW_TRACKING_URI=$(TRACKING) B=${X:-a b} C=`date` mlflow runs list --experiment-id "$(cat id)"'
    (command,) = split_commands(tokenize(line))
    assert [t.text for t in command] == [
        "MLFLOW_TRACKING_URI=$(TRACKING)", "B=${X:-a b}", "C=`date`", "mlflow", "runs", "list", "--experiment-id", "$(cat id)",
    ]
    facts = parse_shell(line, "Makefile")
    assert facts.settings[0].value is not None and facts.settings[0].value.value.render() == "'{…}'"


def test_magics_and_automagics_are_neutralised_but_python_is_kept() -> None:
    from mlflow_lint.sources.notebook import Cell, virtual_source

    cells = [Cell(0, ("%pip install mlflow", "!ls", 'ls "/tmp/data"', "cd data", "files = !ls", "ls = [1]", "import mlflow")), Cell(1, ("%%bash", "mlflow server --host 0.0.0.0"))]
    source = virtual_source(cells)
    assert source.text.splitlines() == ["pass", "pass", "pass", "pass", "pass", "ls = [1]", "import mlflow", "", ""]
    assert source.origin(8) == (1, 1) and source.origin(7) == (0, 7)


def test_a_databricks_language_magic_heading_a_cell_makes_the_whole_cell_that_language() -> None:
    """A Databricks notebook exported to .ipynb keeps ``%sql`` (``%scala``, ``%r``, ``%md``,
    ``%sh``, ``%fs``) as a cell's first line: the cell is that language, not Python. With a
    query after it on the line, ``%sql`` is also ipython-sql's line magic: that line only."""
    from mlflow_lint.sources.notebook import Cell, virtual_source

    cells = [
        Cell(0, ("%sql ", "CREATE DATABASE IF NOT EXISTS features;")),
        Cell(1, ("%sh ls -la", "cat /dbfs/tmp/x.csv | head")),
        Cell(2, ("%md", "# Training", "Runs the *nightly* job.")),
        Cell(3, ("%sql SELECT 1", "rows = _")),
        Cell(4, ("%run ./setup", "import mlflow")),
    ]
    lines = virtual_source(cells).text.splitlines()
    assert lines[:7] == ["", "", "", "", "", "", ""]
    assert lines[7:9] == ["pass", "rows = _"]
    assert lines[10] == "import mlflow"


def test_a_magic_is_a_magic_only_where_a_statement_starts() -> None:
    """Databricks notebooks: ``%pip install \\`` goes on over the next lines; ``!=`` and ``%``
    that continue an expression in brackets are Python."""
    from mlflow_lint.sources.notebook import Cell, parse_cells, virtual_source

    cells = [
        Cell(0, ("%pip install -U \\", "  mlflow databricks-sdk \\", "  pypdf==4.1.0", "import mlflow")),
        Cell(1, ("bad = frame.filter(", '    frame.status', '    != "SUCCESS"', ")", "share = (hits", "    % total)")),
        Cell(2, ("x = 1 + \\", "!ls",)),  # after a backslash: Python (and a syntax error), not a magic
        Cell(3, ("ok = a != b", "flag = !=1")),  # "x = !cmd" captures a shell command, "!=" never does
        Cell(4, ("!wget -q \\", "    https://example.com/data.csv", "import mlflow")),
    ]
    source = virtual_source(cells)
    assert source.text.splitlines()[:10] == [
        "pass", "", "", "import mlflow", "bad = frame.filter(", "    frame.status", '    != "SUCCESS"', ")", "share = (hits", "    % total)",
    ]  # fmt: skip
    assert source.text.splitlines()[10:17] == ["x = 1 + \\", "!ls", "ok = a != b", "flag = !=1", "pass", "", "import mlflow"]
    parsed = parse_cells(source, "nb.ipynb")
    assert [source.cell_of(error.line) for error in parsed.errors] == [2, 3]


def test_a_cell_ending_with_a_backslash_does_not_swallow_the_next_cell() -> None:
    """Found by the long fuzz run: IPython compiles a cell alone, so a trailing backslash
    continues nothing; concatenated, it made the next cell's first line a continuation."""
    from mlflow_lint.sources.notebook import Cell, parse_cells, virtual_source

    source = virtual_source([Cell(0, ("import mlflow",)), Cell(1, ("", " \\")), Cell(2, ("import os", "x = 1"))])
    parsed = parse_cells(source, "nb.ipynb")
    assert parsed.errors == [] and parsed.tree is not None


def test_here_documents_read_as_the_files_and_scripts_they_are() -> None:
    """``cat > compose.yml <<EOF`` is a compose file, ``ssh host "bash -s" <<EOF`` a script;
    nested deeper than a bound, they are left unread rather than exhausting the stack."""
    from mlflow_lint.sources.shell import parse_shell

    script = (
        'ssh ops@host "bash -s" <<REMOTE\n'
        "cat > /srv/compose.yml <<'YAML'\n"
        "services:\n"
        "  mlflow:\n"
        "    command: mlflow server --host 0.0.0.0\n"
        "YAML\n"
        "REMOTE\n"
        "cat > /srv/run.py <<'PY'\n"
        "import mlflow\n"
        "PY\n"
    )
    facts = parse_shell(script, "deploy.sh")
    assert [(c.argv[0].text, c.argv[0].position.line) for c in facts.commands] == [("mlflow", 5)]
    assert [(code.text, code.line) for code in facts.python] == [("import mlflow\n", 9)]
    deep = "".join(f"bash -s <<E{i}\n" for i in range(400)) + "mlflow server\n" + "".join(f"E{i}\n" for i in reversed(range(400)))
    assert parse_shell(deep, "deep.sh").commands == []


@pytest.mark.parametrize(
    ("magic", "included"),
    [
        ("%run ./includes/setup", "from .includes.setup import *"),
        ("%run ../common/config.py", "from ..common.config import *"),
        ("%run -i helpers.ipynb", "from .helpers import *"),
        ("%run \"./setup\"", "from .setup import *"),
        ("%run /Workspace/Shared/setup", None),  # outside the repository
        ("%run ./my-setup", None),  # no module name spells it
        ("%pip install mlflow", None),
    ],
)
def test_a_run_magic_brings_the_included_notebooks_names_into_scope(magic: str, included: str | None) -> None:
    from mlflow_lint.sources.notebook import _included

    assert _included(magic) == included
    cell = virtual_source([Cell(0, (magic, "x = 1"))]).text.splitlines()
    assert cell == [included or "pass", "x = 1"]


def test_a_mapping_merged_into_several_services_is_flagged_once(tmp_path: Path) -> None:
    """``environment: &env`` given to each service as ``environment: *env`` or merged with
    ``<<: *env`` (Airflow's own compose file does it): the credential is written once, so
    it is one finding."""
    compose = tmp_path / "docker-compose.yml"
    compose.write_text(
        "x-common:\n"
        "  environment: &env\n"
        "    AIRFLOW__DATABASE__SQL_ALCHEMY_CONN: postgresql+psycopg2://airflow:s3cret-pass@db/airflow\n"
        "services:\n"
        "  scheduler:\n    environment: *env\n"
        "  worker:\n    environment: *env\n"
        "  webserver:\n    environment:\n      <<: *env\n      EXTRA: \"1\"\n"
    )
    found = lint_bytes(compose.read_bytes(), "docker-compose.yml", all_rules(), path=compose, kind="yaml")
    assert [(f.rule, f.line) for f in found] == [("MLF701", 3)]
    # The audit's evidence reads the same settings: one row, not one per service.
    settings = parse_yaml(compose.read_text(), "docker-compose.yml").settings
    assert [(s.name, s.position.line) for s in settings] == [("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN", 3), ("EXTRA", 12)]


def test_a_merged_environment_reaches_the_service_command() -> None:
    """``<<: *env`` merges the anchor's variables into the service: its ``mlflow server``
    sees them (an explicit key of the service wins), and ``<<`` itself is no variable."""
    facts = parse_yaml(
        "x-env: &env\n"
        "  MLFLOW_BACKEND_STORE_URI: sqlite:///mlflow.db\n"
        "  MLFLOW_ARTIFACTS_DESTINATION: ./mlartifacts\n"
        "services:\n"
        "  mlflow:\n"
        "    environment:\n"
        "      <<: *env\n"
        "      MLFLOW_ARTIFACTS_DESTINATION: s3://bucket/artifacts\n"
        "    command: mlflow server --host 127.0.0.1\n",
        "compose.yml",
    )
    (command,) = facts.commands
    assert {(s.name, s.value.text if s.value else None) for s in command.environment} == {
        ("MLFLOW_BACKEND_STORE_URI", "sqlite:///mlflow.db"),
        ("MLFLOW_ARTIFACTS_DESTINATION", "s3://bucket/artifacts"),
    }
    assert "<<" not in {s.name for s in facts.settings}


def test_an_ansible_shell_task_is_a_script() -> None:
    """Ansible's shell and command modules (short and full names) run scripts; GitHub
    Actions' ``shell: bash`` only names a shell."""
    facts = parse_yaml(
        "- hosts: web\n"
        "  tasks:\n"
        "    - name: start\n"
        "      shell: |\n"
        "        source .venv/bin/activate\n"
        "        mlflow server --backend-store-uri mlruns --host 127.0.0.1 &\n"
        "    - ansible.builtin.shell: mlflow server --backend-store-uri ./store\n"
        "    - ansible.builtin.command: mlflow server --backend-store-uri ./other\n"
        "    - name: step\n"
        "      shell: bash\n",
        "play.yml",
    )
    commands = sorted((c.position.line, [word.text for word in c.argv]) for c in facts.commands)
    assert [(line, argv[0], argv[argv.index("--backend-store-uri") + 1]) for line, argv in commands] == [
        (6, "mlflow", "mlruns"),
        (7, "mlflow", "./store"),
        (8, "mlflow", "./other"),
    ]


def test_templates_of_manifests_and_scripts_are_read_as_what_they_become(tmp_path: Path) -> None:
    """``start.yml.template`` is deployed as YAML once its placeholders are filled in, and is
    read as YAML; a template that does not parse even filled in is skipped, never an error;
    sample Python (``train.py.example``) is not read."""
    from mlflow_lint.catalog import load_catalog
    from mlflow_lint.config import ConfigResolver
    from mlflow_lint.engine import lint_paths

    (tmp_path / "ansible").mkdir()
    (tmp_path / "ansible/start.yml.template").write_text(
        "- hosts: web\n  tasks:\n    - shell: mlflow server --backend-store-uri mlruns --host <host>\n"
    )
    (tmp_path / "entrypoint.sh.j2").write_text("mlflow server --backend-store-uri sqlite:///{{ db }}.db --host 127.0.0.1\n")
    # Jinja blocks read as blank: both branches are read.
    (tmp_path / "compose.yml.j2").write_text("{% if x %}\nservices: {mlflow: {command: mlflow server --backend-store-uri ./a}}\n{% endif %}\n")
    (tmp_path / "broken.yml.j2").write_text("mlflow: [\n")
    (tmp_path / "train.py.example").write_text("import mlflow\nmlflow.set_tracking_uri('./mlruns')\n")
    # A template's expressions are filled in at deploy time: unknown, never a literal secret.
    (tmp_path / "env.sh.tmpl").write_text(
        "export MLFLOW_TRACKING_PASSWORD={{ vault_mlflow_password }}\n"
        "export MLFLOW_TRACKING_TOKEN=dapi0123456789abcdef0123456789abcdef\n"
    )
    result = lint_paths([tmp_path], ConfigResolver(load_catalog()), all_rules(), cwd=tmp_path, jobs=1)
    assert sorted((f.path, f.line, f.column, f.rule) for f in result.findings) == [
        ("ansible/start.yml.template", 3, 48, "MLF201"),
        ("compose.yml.j2", 2, 64, "MLF201"),
        ("entrypoint.sh.j2", 1, 35, "MLF201"),
        ("env.sh.tmpl", 2, 30, "MLF701"),
    ]
    assert result.files_checked == 5 and not any(f.rule == "MLF000" for f in result.findings)


def test_a_template_reads_filled_in_with_its_lines_and_columns_kept() -> None:
    from mlflow_lint.sources.templates import filled_in

    text = "a: {{ x }}\n{% if y %}\nb: 'p{{ z }}q' {# note #}\nc: {{\n  w }}\nd: ${E}\n"
    assert filled_in(text) == "a: ${____}\n          \nb: 'p${____}q'           \nc: {{\n  w }}\nd: ${E}\n"
    assert [len(line) for line in filled_in(text).splitlines()] == [len(line) for line in text.splitlines()]


def test_a_makefile_recipe_continued_by_a_backslash_goes_on_on_the_next_line() -> None:
    """make passes a recipe line ended by ``\\`` and the next one to the shell, whether or not
    that one starts with a tab: the Python of ``python -c "\\`` is the lines that follow."""
    from mlflow_lint.sources import read_text_source

    facts = read_text_source(
        "makefile",
        'a:\n\tTRIALS=5 poetry run python -c "\\\nimport mlflow; \\\nmlflow.set_tracking_uri(\'./mlruns\')"\n\n'
        'b:\n\t@python -c "\\\n\tprint(1)"\nX = 1 \\\n  2\n',
        "Makefile",
    )
    assert [(python.line, python.text.split()) for python in facts.python] == [
        (2, ["import", "mlflow;", "mlflow.set_tracking_uri('./mlruns')"]),
        (7, ["print(1)"]),
    ]
    # A continued assignment is not a recipe: its next line is no command.
    assert [setting.name for setting in facts.settings] == ["TRIALS", "X"]


def test_a_template_a_script_writes_reads_filled_in_too() -> None:
    """``cat > run.sh.j2 <<'EOF'`` writes a template: its ``{{ expr }}`` is no literal
    secret there either (one reading of templates, wherever the text comes from)."""
    facts = parse_shell(
        "cat > run.sh.j2 <<'EOF'\nexport MLFLOW_TRACKING_PASSWORD={{ vault_pw }}\nexport MLFLOW_TRACKING_TOKEN=tok-0123456789abcdef\nEOF\n",
        "gen.sh",
    )
    values = {setting.name: setting.value.text for setting in facts.settings if setting.value is not None}
    assert values["MLFLOW_TRACKING_PASSWORD"].startswith("${") and values["MLFLOW_TRACKING_TOKEN"] == "tok-0123456789abcdef"


def test_whether_a_compose_service_publishes_a_port() -> None:
    """``ports:`` or ``network_mode: host`` publish it; ``expose:`` alone does not, nor ports
    published on the host's loopback only (127.0.0.1, ::1, localhost); a service whose keys
    come from elsewhere (``<<: *defaults``, ``extends:``) cannot be read: unknown."""
    facts = parse_yaml(
        "x-defaults: &defaults\n  ports: ['5000:5000']\n"
        "services:\n"
        "  published: {ports: ['5000:5000'], command: mlflow server --host 0.0.0.0}\n"
        "  internal: {expose: ['5000'], command: mlflow server --host 0.0.0.0}\n"
        "  host: {network_mode: host, command: mlflow server --host 0.0.0.0}\n"
        "  merged:\n    <<: *defaults\n    command: mlflow server --host 0.0.0.0\n"
        "  extended: {extends: {service: published}, command: mlflow server --host 0.0.0.0}\n"
        "  quoted: {'<<': x, command: mlflow server --host 0.0.0.0}\n"
        "  loopback: {ports: ['127.0.0.1:5001:5000', '[::1]:5002:5000/tcp', 'localhost::5000'], command: mlflow server}\n"
        "  loopback-long: {ports: [{target: 5000, published: 5001, host_ip: 127.0.0.1}], command: mlflow server}\n"
        "  everywhere: {ports: ['127.0.0.1:5001:5000', 5000], command: mlflow server}\n"
        "  all-ips: {ports: ['0.0.0.0:5001:5000'], command: mlflow server}\n"
        "  bind-var: {ports: ['${BIND}:5001:5000'], command: mlflow server}\n"
        "  long-all: {ports: [{target: 5000, published: 5001}], command: mlflow server}\n"
        "  loopback-var: {ports: ['127.0.0.1:${PORT:-5000}:5000'], command: mlflow server}\n"
        "  bind-default: {ports: ['${BIND_ADDR:-127.0.0.1}:${PORT:-5000}:5000'], command: mlflow server}\n"
        "  bind-lan: {ports: ['${BIND_ADDR:-0.0.0.0}:5000:5000'], command: mlflow server}\n",
        "compose.yml",
    )
    assert sorted((c.position.line, c.published) for c in facts.commands) == [
        (4, True), (5, False), (6, True), (9, None), (10, None), (11, False),
        (12, False), (13, False), (14, True), (15, True), (16, True), (17, True), (18, False),
        (19, False), (20, True),
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("line", "argv", "published"),
    [
        ("docker run -p 5000:5000 img mlflow server", "mlflow server", True),
        ("docker run -dp 5000:5000 img mlflow server", "mlflow server", True),  # a group: -d, then -p's value
        ("docker run -itp5000:5000 img mlflow server", "mlflow server", True),  # the value glued on
        ("docker run --publish=127.0.0.1:5000:5000 img mlflow server", "mlflow server", False),
        ("docker run -p 127.0.0.1::5000 -p '[::1]:5001:5000' img mlflow server", "mlflow server", False),
        ("docker run -p 5000 img mlflow server", "mlflow server", True),  # a random host port, every interface
        ("docker run --net=host img mlflow server", "mlflow server", True),
        ("docker run --network mlops -v a:/b -w /srv --name x -u 1000 img mlflow server", "mlflow server", False),
        ("docker run --entrypoint mlflow img server --host 0.0.0.0", "mlflow server --host 0.0.0.0", False),
        ("docker run --entrypoint= img mlflow server", "mlflow server", False),  # the image's entrypoint reset
        ("docker run -- img mlflow server", "mlflow server", False),
        ("podman container run --pod p -P img mlflow ui", "mlflow ui", True),
        ("nerdctl run img python -m mlflow server", "mlflow server", False),
        ("exec docker exec -it -u mlflow box mlflow server", "mlflow server", None),
        ("docker-compose --profile ops -f c.yml run -e A=1 --rm svc mlflow server", "mlflow server", False),
        ("docker compose run -P svc mlflow server", "mlflow server", None),
        ("docker compose run -p 5000:5000 svc mlflow server", "mlflow server", True),
        ("docker compose exec -T svc mlflow server", "mlflow server", None),
    ],
)
def test_a_container_engine_runs_the_command_after_the_image(line: str, argv: str, published: bool | None) -> None:
    (command,) = parse_shell(line + "\n", "s.sh").commands
    assert (" ".join(word.text for word in command.argv), command.published, command.in_container) == (argv, published, True)


@pytest.mark.parametrize(
    "line",
    [
        "docker run --help", "docker run -p 5000:5000 img", "docker build -t mlflow .", "docker pull mlflow",
        "docker create img mlflow server", "docker run --name mlflow img python serve.py",
        # An option missing from the table is a flag: the image is then a word later (here
        # "img"), whose command ("server") is no mlflow command line; never a made-up one.
        "docker run --unknown-option mlflow img server",
    ],
)
def test_a_container_command_that_runs_no_mlflow_is_none(line: str) -> None:
    assert parse_shell(line + "\n", "s.sh").commands == []


def test_a_containers_environment_is_its_e_options() -> None:
    """``-e NAME=value`` is a setting of the script and of the container; ``-e NAME``
    passes the exported variable on; the script's exports do not reach the container
    otherwise, but its variables are expanded in the words after the image."""
    run = "docker run -e MLFLOW_HOST --env=MLFLOW_ARTIFACTS_DESTINATION=/data -e UNSET img mlflow server --backend-store-uri $STORE"
    facts = parse_shell(
        f"export MLFLOW_HOST=0.0.0.0 MLFLOW_APP_NAME=basic-auth\nSTORE=sqlite:///a.db\n{run}\ndocker run --env-file x.env img mlflow server\n",
        "s.sh",
    )
    first, second = facts.commands
    assert [(s.name, s.value.text if s.value else None) for s in first.environment] == [
        ("MLFLOW_HOST", "0.0.0.0"), ("MLFLOW_ARTIFACTS_DESTINATION", "/data"), ("UNSET", None),
    ]  # fmt: skip
    assert [s.name for s in first.variables] == ["STORE", "MLFLOW_HOST", "MLFLOW_APP_NAME"]
    assert not first.open_environment and second.open_environment and second.environment == ()
    written = {s.name: (s.value.text, s.position.column) for s in facts.settings if s.value is not None}
    assert written["MLFLOW_ARTIFACTS_DESTINATION"] == ("/data", run.index("/data") + 1)  # where the value is


def test_compose_escapes_a_dollar_for_the_containers_shell() -> None:
    """``$$`` in a Compose command is a literal ``$``: the shell it runs expands ``$DB`` from
    the service's environment; the words keep the file's columns."""
    text = (
        "services:\n  m:\n    environment: {DB: 'sqlite:///m.db'}\n"
        '    command: bash -c "echo $$$$ && mlflow server --backend-store-uri $$DB --host 0.0.0.0"\n'
    )
    (command,) = parse_yaml(text, "compose.yml").commands
    line = text.splitlines()[3]
    assert command.expands and [s.name for s in command.environment] == ["DB"]
    assert [(w.text, w.position.column) for w in command.argv[3:]] == [
        ("$DB", line.index("$$DB") + 1), ("--host", line.index("--host") + 1), ("0.0.0.0", line.index("0.0.0.0") + 1),
    ]  # fmt: skip
    # Without a shell, or in a Kubernetes manifest, nothing expands $DB from the environment.
    plain = parse_yaml("services:\n  m:\n    command: mlflow server --backend-store-uri $$DB\n", "compose.yml").commands
    assert not plain[0].expands


def test_a_text_source_in_utf16_is_read(tmp_path: Path) -> None:
    """`echo ... > .env` in Windows PowerShell 5 writes UTF-16 with a byte-order mark."""
    from mlflow_lint.catalog import load_catalog
    from mlflow_lint.config import ConfigResolver
    from mlflow_lint.engine import lint_paths

    (tmp_path / ".env").write_bytes("MLFLOW_TRACKING_URI=sqlite:///mlflow.db\r\n".encode("utf-16"))
    (tmp_path / "compose.yml").write_bytes(
        b"\xef\xbb\xbfservices:\n  m:\n    command: mlflow server --backend-store-uri sqlite:///m.db\n"
    )
    result = lint_paths([tmp_path], ConfigResolver(load_catalog()), all_rules(), cwd=tmp_path, jobs=1)
    assert sorted((f.path, f.line, f.column, f.rule) for f in result.findings) == [
        (".env", 1, 21, "MLF201"),
        ("compose.yml", 3, 48, "MLF201"),
    ]


def test_compose_ports_are_read_from_every_syntax() -> None:
    text = """\
services:
  mlflow:
    hostname: tracking
    networks:
      backend:
        aliases: [mlflow-alias, "${ALIAS}"]
      front: {}
    ports:
      - 5000:5000
      - "127.0.0.1:5001:5000"
      - "${MLFLOW_PORT:-5002}:5000"
      - "[::1]:5003:5000/tcp"
      - target: 80
        published: "8080"
        host_ip: 0.0.0.0
      - "${MLFLOW_PORT}:5000"
      - "5004:5000/udp"
      - "10.0.0.1:5005:5000"
      - "5000"
      - "8000-8001:8000-8001"
      - {target: 81, published: 8081, protocol: udp}
      - {target: 82}
  on_host:
    network_mode: host
    ports: ["6000:6000"]
  db:
    image: postgres
"""
    published = [fact for fact in parse_yaml(text, "docker-compose.yml").deployment if isinstance(fact, PublishedPort)]
    assert {(p.service, p.container_port, p.host_port) for p in published} == {
        ("mlflow", 5000, 5000), ("mlflow", 5000, 5001), ("mlflow", 5000, 5002), ("mlflow", 5000, 5003), ("mlflow", 80, 8080),
    }  # fmt: skip
    assert {p.names for p in published} == {("mlflow", "tracking", "mlflow-alias")}
    assert parse_yaml("jobs:\n  ports: ['5000:5000']\n", "ci.yml").deployment == []  # no Compose file


def test_a_notebook_is_worth_parsing_by_its_code_cells_or_else_by_its_whole_text() -> None:
    """The prefilter reads a notebook's code cells only (megabytes of outputs are neither
    searched nor counted); one that is not a readable notebook is judged by its whole
    text, so that a broken notebook using MLflow gets its MLF000 and any other does not."""
    from mlflow_lint.sources.prefilter import may_mention_mlflow, searched_text

    def notebook(code: str, output: str = "") -> bytes:
        cell = {"cell_type": "code", "source": [code], "outputs": [{"output_type": "stream", "text": [output]}]}
        return json.dumps({"cells": [cell]}).encode()

    def worth(data: bytes) -> bool:
        return may_mention_mlflow(searched_text("n.ipynb", data))

    assert worth(notebook("import mlflow"))
    assert not worth(notebook("import pandas", output="mlflow 2.9.0 installed\n" + "\u001b[0m" * 1000))
    assert searched_text("n.ipynb", notebook("from .train import fit", output="import mlflow")) == b"from .train import fit"
    assert worth(b'{"cells": [{"source": "import mlflow"')  # truncated: MLF000 says why
    assert not worth(b'{"cells": [{"source": "import pandas"')
    assert searched_text("train.py", b"x = 1") == b"x = 1"


def test_a_notebooks_code_keeps_a_lone_surrogate_its_json_escapes() -> None:
    """The text searches read a notebook's code cells as bytes: a lone surrogate a JSON
    ``\\ud800`` escape made (in a comment, say) is kept, never an error (the caller
    search's own copy of this encoded with ``surrogateescape`` and raised)."""
    from mlflow_lint.sources.prefilter import notebook_code

    data = b'{"cells": [{"cell_type": "code", "source": ["import mlflow\\n", "x = 1  # \\ud800\\n"]}]}'
    assert notebook_code(data) == "import mlflow\nx = 1  # \ud800".encode("utf-8", "surrogatepass")
    assert notebook_code(b'{"cells": [') is None
