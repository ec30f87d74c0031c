"""``--diff REF``: findings on added or changed lines only, from real git repositories."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import run_cli
from .gitrepo import commit, git, init_repo, write

# Every test here runs the installed console script on git repositories: the integration tier (docs/development.md).
pytestmark = pytest.mark.integration

RUN_LOAD = 'mlflow.pyfunc.load_model("runs:/0a1b2c/model")'
SERVE = f"import mlflow\n\nold = {RUN_LOAD}\n\n\ndef score(batch):\n    return batch\n"


def findings(repo: Path, *args: str) -> list[tuple[str, int, str]]:
    result = run_cli("check", "--format", "json", *args, cwd=repo)
    assert result.returncode in (0, 1), result.stderr
    return [(f["path"], f["line"], f["rule"]) for f in json.loads(result.stdout)["findings"]]


def feature_branch(tmp_path: Path) -> Path:
    repo = init_repo(tmp_path / "repo", {"pyproject.toml": "[project]\nname = 'demo'\n", "serve.py": SERVE})
    git(repo, "switch", "-q", "-c", "feature")
    return repo


def test_only_added_or_changed_lines_committed_staged_unstaged_or_untracked(tmp_path: Path) -> None:
    repo = feature_branch(tmp_path)
    commit(repo, {"serve.py": SERVE.replace("    return batch", f"    model = {RUN_LOAD}\n    return model.predict(batch)")})
    git(repo, "switch", "-q", "main")
    commit(repo, {"later_on_main.py": f"import mlflow\nm = {RUN_LOAD}\n"})  # not in the merge base: not ours
    git(repo, "switch", "-q", "feature")
    write(repo, {"staged.py": f"import mlflow\n\nm = {RUN_LOAD}\n"})
    git(repo, "add", "staged.py")
    with (repo / "serve.py").open("a", encoding="utf-8") as handle:
        handle.write(f"unstaged = {RUN_LOAD}\n")
    write(repo, {"pkg/untracked.py": f"import mlflow\nm = {RUN_LOAD}\n", ".gitignore": "ignored.py\n"})
    write(repo, {"ignored.py": f"import mlflow\nm = {RUN_LOAD}\n"})

    assert findings(repo, "--diff", "main") == [
        ("pkg/untracked.py", 2, "MLF601"),
        ("serve.py", 7, "MLF601"),
        ("serve.py", 9, "MLF601"),
        ("staged.py", 3, "MLF601"),
    ]
    # Without --diff the old finding is reported too.
    assert ("serve.py", 3, "MLF601") in findings(repo)
    # A finding whose lines include a changed one counts (a multi-line call edited inside).
    commit(repo, {"serve.py": SERVE.replace(f"old = {RUN_LOAD}", 'old = mlflow.pyfunc.load_model(\n    "runs:/0a1b2c/model",\n)')})
    assert ("serve.py", 4, "MLF601") in findings(repo, "--diff", "main")


def test_sarif_fingerprints_do_not_change_in_diff_mode(tmp_path: Path) -> None:
    repo = feature_branch(tmp_path)
    commit(repo, {"serve.py": SERVE + f"again = {RUN_LOAD}\n"})
    full = json.loads(run_cli("check", "--format", "sarif", cwd=repo).stdout)["runs"][0]["results"]
    diff = json.loads(run_cli("check", "--format", "sarif", "--diff", "main", cwd=repo).stdout)["runs"][0]["results"]
    assert len(full) == 2 and len(diff) == 1
    assert diff[0]["partialFingerprints"] == full[1]["partialFingerprints"]


def test_renames_are_followed(tmp_path: Path) -> None:
    repo = feature_branch(tmp_path)
    git(repo, "mv", "serve.py", "scoring.py")
    text = (repo / "scoring.py").read_text(encoding="utf-8")
    write(repo, {"scoring.py": text.replace("    return batch", f"    return {RUN_LOAD}")})
    commit(repo, message="rename and edit")
    assert findings(repo, "--diff", "main") == [("scoring.py", 7, "MLF601")]


def test_project_level_findings_only_when_their_line_changed(tmp_path: Path) -> None:
    uri = 'import mlflow\n\nmlflow.set_tracking_uri("{}")\n'
    repo = init_repo(
        tmp_path / "repo",
        {
            "pyproject.toml": "[project]\nname = 'demo'\n",
            "a.py": uri.format("https://mlflow.example.com"),
            "b.py": uri.format("https://mlflow.example.com"),
            "c.py": uri.format("https://other.example.com"),
        },
    )
    git(repo, "switch", "-q", "-c", "feature")
    commit(repo, {"d.py": uri.format("https://third.example.com")})
    assert {(p, r) for p, _, r in findings(repo)} == {("c.py", "MLF102"), ("d.py", "MLF102")}
    assert findings(repo, "--diff", "main") == [("d.py", 3, "MLF102")]


def test_shallow_clone_is_an_error_that_says_to_fetch_more_history(tmp_path: Path) -> None:
    upstream = feature_branch(tmp_path)
    commit(upstream, {"serve.py": SERVE + f"new = {RUN_LOAD}\n"})
    git(upstream, "switch", "-q", "main")
    for number in range(3):
        commit(upstream, {f"main_{number}.py": "x = 1\n"})
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", "--depth", "1", "--branch", "feature", upstream.resolve().as_uri(), str(clone))

    unknown = run_cli("check", "--diff", "origin/main", cwd=clone)
    assert unknown.returncode == 2, unknown.stdout
    assert "unknown revision 'origin/main'" in unknown.stderr and "shallow clone" in unknown.stderr
    assert "git fetch --unshallow" in unknown.stderr and "fetch-depth: 0" in unknown.stderr

    git(clone, "fetch", "-q", "--depth", "1", "origin", "main:refs/remotes/origin/main")
    no_base = run_cli("check", "--diff", "origin/main", cwd=clone)
    assert no_base.returncode == 2, no_base.stdout
    assert "no merge base" in no_base.stderr and "git fetch --unshallow" in no_base.stderr

    git(clone, "fetch", "-q", "--unshallow", "origin", "main:refs/remotes/origin/main")
    assert findings(clone, "--diff", "origin/main") == [("serve.py", 8, "MLF601")]


def test_unrelated_history_unknown_ref_and_no_repository_are_errors(tmp_path: Path) -> None:
    repo = feature_branch(tmp_path)
    git(repo, "switch", "-q", "--orphan", "unrelated")
    commit(repo, {"other.py": "x = 1\n"})
    git(repo, "switch", "-q", "feature")
    unrelated = run_cli("check", "--diff", "unrelated", cwd=repo)
    assert unrelated.returncode == 2 and "no common history" in unrelated.stderr
    unknown = run_cli("check", "--diff", "origin/nope", cwd=repo)
    assert unknown.returncode == 2 and "unknown revision 'origin/nope'" in unknown.stderr
    assert "git fetch origin nope" in unknown.stderr
    outside = tmp_path / "not-a-repo"
    outside.mkdir()
    (outside / "serve.py").write_text(SERVE, encoding="utf-8")
    result = run_cli("check", "--diff", "main", "serve.py", cwd=outside)
    assert result.returncode == 2 and "not inside one" in result.stderr
    assert all("Traceback" not in r.stderr for r in (unrelated, unknown, result))


def test_git_is_imported_only_in_diff_mode(tmp_path: Path) -> None:
    (tmp_path / "serve.py").write_text(SERVE, encoding="utf-8")
    code = (
        "import sys\n"
        "from mlflow_lint.cli import main\n"
        "import mlflow_lint.flake8_plugin\n"
        "try:\n"
        "    main(['check', 'serve.py'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "print('git' in sys.modules, file=sys.stderr)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert result.stderr.strip().splitlines()[-1] == "False"
