"""The pre-commit hook, run by real pre-commit (``try-repo``) on a throwaway repository."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from .conftest import ROOT
from .gitrepo import commit, git, git_env, init_repo

pytest.importorskip("pre_commit")


def test_hook_definition() -> None:
    (hook,) = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert hook["id"] == "mlflow-lint" and hook["language"] == "python"
    assert hook["entry"] == "mlflow-lint check"
    # File names follow the args: "--" keeps a file named like an option a file.
    assert hook["args"] == ["--"]
    assert hook["types_or"] == ["text"]  # the name decides (see the next test)
    # The CLI runs its own process pool and reads project-wide facts once per run.
    assert hook["require_serial"] is True


# Names the engine reads and names it does not: the hook's `files` must agree with it.
HOOK_NAMES = [
    "a.py", "x/b.ipynb", "c.yml", "d.yaml", "e.sh", "f.bash", "g.zsh", "h.mk", "Dockerfile", "sub/Dockerfile.gpu",
    "Dockerfile-debian", "api.Dockerfile", "Containerfile", "Containerfile.dev", "x/.env", ".env.local", ".env-prod",
    "prod.env", "s.env.sample", ".env.example", "Makefile", "GNUmakefile", "Procfile", "Procfile.dev", "MLproject",
    "README.md", "setup.cfg", "x.txt", "dockerfile_utils.py", "envs.py", ".envrc", "notes.env.txt", "pyproject.toml",
    "requirements.txt", "Dockerfile.md", "LICENSE", "basic_auth.ini", "deploy/mlflow_auth.ini", "tox.ini", "auth.ini.bak",
    "mise.toml", ".mise.toml", "mise.local.toml", "sub/mise.production.toml", "promise.toml", "mise.toml.bak",
    "ansible/start.yml.template", "compose.yaml.dist", "entrypoint.sh.j2", "run.bash.tmpl", "x.yml.j2.example",
    "prod.env.example.j2", ".env.jinja2", "basic_auth.ini.example", "train.py.example", "Dockerfile.template",
    "notebook.ipynb.sample", "x.template", "values.tpl", "Makefile.example", "mise.toml.example", "c.yml.bak",
    "env.example", "x/env.sample.j2", "env", "myenv.example", "environment.example",
]  # fmt: skip


@pytest.mark.parametrize("name", HOOK_NAMES)
def test_hook_files_pattern_is_what_the_engine_reads(name: str) -> None:
    import re

    from mlflow_lint.sources import source_kind

    (hook,) = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert bool(re.search(hook["files"], name)) == (source_kind(Path(name)) is not None)


def snapshot_of_working_tree(destination: Path) -> Path:
    """A one-commit repository of this checkout's working tree, tracked and untracked files
    alike (try-repo installs the hook from a commit)."""
    listed = git(ROOT, "ls-files", "-z", "--cached", "--others", "--exclude-standard")
    for name in filter(None, listed.split("\0")):
        source = ROOT / name
        if source.is_file():
            target = destination / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    init_repo(destination)
    commit(destination, message="snapshot of the working tree")
    return destination


def try_repo(hook_repo: Path, project: Path) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "pre_commit", "try-repo", str(hook_repo), "mlflow-lint", "--all-files"]
    environment = {**git_env(), "NO_COLOR": "1", "PRE_COMMIT_COLOR": "never"}
    return subprocess.Popen(command, cwd=project, env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


@pytest.mark.integration
def test_try_repo_fails_on_a_finding_and_passes_after_the_fix(tmp_path: Path) -> None:
    hook_repo = snapshot_of_working_tree(tmp_path / "mlflow-lint")
    project = init_repo(
        tmp_path / "project",
        {
            "serve.py": 'import mlflow\n\nmodel = mlflow.pyfunc.load_model("runs:/0a1b2c3d/model")\n',
            "utils.py": "def unrelated():\n    return 1\n",
            ".mlflow-lint.yaml": "ignore: [MLF603]\n",
            "README.md": "# demo\n",
        },
    )
    fixed = tmp_path / "project-fixed"
    git(tmp_path, "clone", "-q", str(project), str(fixed))
    commit(fixed, {"serve.py": 'import mlflow\n\nmodel = mlflow.pyfunc.load_model("models:/churn@champion")\n'})
    # try-repo installs the hook into a fresh environment every time (most of its run
    # time), so the two runs go side by side.
    runs = [try_repo(hook_repo, project), try_repo(hook_repo, fixed)]
    (failed, failed_output), (passed, passed_output) = ((run, run.communicate(timeout=600)[0]) for run in runs)

    assert failed.returncode == 1, failed_output
    assert "serve.py:3:34: MLF601 mlflow.pyfunc.load_model consumes a model from a run" in failed_output
    assert "mlflow-lint" in failed_output and "Failed" in failed_output
    assert passed.returncode == 0, passed_output
    assert "Passed" in passed_output


@pytest.mark.integration
def test_file_names_are_never_read_as_options(tmp_path: Path) -> None:
    """A committed executable Python script named ``--exit-zero`` (identify types it by its
    shebang) and a file named ``--output=serve.py`` would, read as options, pass the commit
    with a finding present and overwrite serve.py with the report."""
    hook_repo = snapshot_of_working_tree(tmp_path / "mlflow-lint")
    serve = 'import mlflow\n\nmodel = mlflow.pyfunc.load_model("runs:/0a1b2c3d/model")\n'
    project = init_repo(
        tmp_path / "project",
        {
            "serve.py": serve,
            "--exit-zero": "#!/usr/bin/env python\nprint(1)\n",
            "--output=serve.py": "x = 1\n",
            ".env": "MLFLOW_TRACKING_PASSWORD=committed-by-mistake\n",  # identify gives it no type
        },
    )
    (project / "--exit-zero").chmod(0o755)
    commit(project, message="executable")
    run = try_repo(hook_repo, project)
    output = run.communicate(timeout=600)[0]
    assert run.returncode == 1, output
    assert "serve.py:3:34: MLF601" in output
    assert ".env:1:26: MLF701" in output  # the default hook covers .env files
    assert (project / "serve.py").read_text(encoding="utf-8") == serve


@pytest.mark.integration
def test_args_without_the_separator_are_refused_under_pre_commit(tmp_path: Path) -> None:
    from .conftest import run_cli

    (tmp_path / "serve.py").write_text('import mlflow\nmlflow.pyfunc.load_model("runs:/0a1b2c3d/model")\n', encoding="utf-8")
    (tmp_path / "--exit-zero").write_text("", encoding="utf-8")
    refused = run_cli("check", "serve.py", "--exit-zero", cwd=tmp_path, env={"PRE_COMMIT": "1"})
    assert refused.returncode == 2 and 'must end with "--"' in refused.stderr, refused.stderr
    separated = run_cli("check", "--", "serve.py", "--exit-zero", cwd=tmp_path, env={"PRE_COMMIT": "1"})
    assert separated.returncode == 1 and "MLF601" in separated.stdout, separated.stderr
    # Outside pre-commit a command line is read as the user wrote it.
    assert run_cli("check", "serve.py", "--exit-zero", cwd=tmp_path).returncode == 0


@pytest.mark.integration
def test_pre_commit_on_a_monorepo_agrees_with_the_cli(tmp_path: Path) -> None:
    """Each file uses the nearest configuration under pre-commit too: a real ``pre-commit
    try-repo --all-files`` on a monorepo with sub-project configurations (and a hostile
    one above the checkout) reports exactly what ``mlflow-lint check .`` reports."""
    import re

    from .conftest import run_cli
    from .test_configuration import monorepo

    hook_repo = snapshot_of_working_tree(tmp_path / "mlflow-lint")
    repo = monorepo(tmp_path / "mono")
    run = try_repo(hook_repo, repo)
    output = run.communicate(timeout=600)[0]
    location = re.compile(r"^(\S+:\d+:\d+: MLF\d{3})\b", re.M)
    cli = run_cli("check", "--no-cache", ".", cwd=repo)
    assert run.returncode == 1, output
    assert sorted(location.findall(output)) == sorted(location.findall(cli.stdout)), (output, cli.stdout)
    assert "services/a/serve.py:2:" in output and "services/a/serve.py:3:" not in output  # services/a ignores MLF601
