"""The result cache: a warm run re-analyses only what changed and reports exactly what a
cold run reports, even when the change is in another file the findings depend on."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from mlflow_lint.cache import CACHE_DIRECTORY_NAME, ResultCache
from mlflow_lint.config import Config
from mlflow_lint.engine import lint_paths
from mlflow_lint.project import ProjectIndex

from .conftest import FIXTURES, TRACKING_URI_MODULE, all_rules, file_line, inconsistent_uri_project, ipynb, run_cli, write_files


def signed(body: bytes) -> bytes:
    """A cache file's bytes as mlflow-lint writes them on this machine: its MAC line, then the body."""
    import hashlib
    import hmac

    from mlflow_lint.cache import _signing_key

    return hmac.new(_signing_key(), body, hashlib.sha256).hexdigest().encode() + b"\n" + body


def cache_data(path: Path) -> dict:
    """The JSON body of a cache file (after its MAC line)."""
    return json.loads(path.read_bytes().partition(b"\n")[2])

def _findings(project: Path, *args: str) -> list[tuple[str, int, str]]:
    # the default location, unless the arguments name one
    result = run_cli("check", ".", "--format", "json", *args, cwd=project, env={"MLFLOW_LINT_CACHE_DIR": ""})
    assert result.returncode in (0, 1), result.stderr
    assert "Traceback" not in result.stderr
    return [(f["path"], f["line"], f["rule"]) for f in json.loads(result.stdout)["findings"]]


def _lint(project: Path, cache: Path, *paths: str) -> tuple[list[tuple[str, int, str]], int]:
    """In-process lint with the cache; (findings, files served from the cache)."""
    result = lint_paths(
        [project / p for p in paths] or [project], Config(root=project), all_rules(), cwd=project, cache_dir=cache
    )
    return [(f.path, f.line, f.rule) for f in result.findings], result.cached


def _on(findings: list[tuple[str, int, str]], path: str) -> set[tuple[int, str]]:
    return {(line, rule) for shown, line, rule in findings if shown == path}


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return write_files(
        tmp_path / "project",
        {
            "pyproject.toml": "[project]\nname = 'p'\n",
            "settings.py": 'TRACKING_URI = "sqlite:///mlflow.db"\n',
            "train.py": "import mlflow\nfrom settings import TRACKING_URI\n\nmlflow.set_tracking_uri(TRACKING_URI)\n",
            "serve.py": 'import mlflow\n\nmodel = mlflow.pyfunc.load_model("models:/m/Production")\n',
        },
    )


def test_a_warm_run_serves_unchanged_files_from_the_cache(project: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    cold, cached = _lint(project, cache)
    assert cached == 0 and _on(cold, "train.py") == {(4, "MLF201")}
    warm, cached = _lint(project, cache)
    assert warm == cold and cached == 3


def test_changing_a_helper_module_changes_the_findings_of_the_file_that_imports_it(project: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    assert _on(_lint(project, cache)[0], "train.py") == {(4, "MLF201")}
    (project / "settings.py").write_text('TRACKING_URI = "https://mlflow.example.com"\n')
    findings, _ = _lint(project, cache)
    assert _on(findings, "train.py") == set()  # train.py itself did not change
    (project / "settings.py").write_text('TRACKING_URI = "./mlruns"\n')
    assert _on(_lint(project, cache, "train.py")[0], "train.py") == {(4, "MLF101")}  # named alone, too


def test_editing_a_helper_flips_the_finding_at_its_call_on_a_warm_run(tmp_path: Path) -> None:
    """A value that flows through a helper (issue 13): the caller's finding is re-derived when
    only the helper changes, and its path survives the cache."""
    project = write_files(
        tmp_path / "project",
        {
            "pyproject.toml": "[project]\nname = 'p'\n",
            "helpers.py": "import mlflow\n\n\ndef setup(uri):\n    mlflow.set_tracking_uri(uri)\n",
            "train.py": "from helpers import setup\n\nsetup('./mlruns')\n",
        },
    )
    cache = tmp_path / "cache"

    def flows() -> list[tuple[int, str, tuple[tuple[str, int], ...]]]:
        result = lint_paths([project], Config(root=project), all_rules(), cwd=project, cache_dir=cache)
        return [(f.line, f.rule, tuple((s.path, s.line) for s in f.flow)) for f in result.findings if f.path == "train.py"]

    expected = [(3, "MLF101", (("helpers.py", 5),))]
    assert flows() == expected
    assert flows() == expected  # warm: the path comes back from the cache
    (project / "helpers.py").write_text("import mlflow\n\n\ndef setup(uri):\n    print(uri)\n")
    assert flows() == []  # train.py did not change
    (project / "helpers.py").write_text("import mlflow\n\n\ndef setup(uri):\n    mlflow.pyfunc.load_model(uri)\n")
    assert flows() == [(3, "MLF602", (("helpers.py", 5),))]  # now a model loaded from a local path
    (project / "train.py").write_text("from helpers import setup\n\nsetup('runs:/abc/model')\n")
    assert flows() == [(3, "MLF601", (("helpers.py", 5),))]


def test_autologging_turned_on_behind_a_re_export_is_re_judged_on_a_warm_run(tmp_path: Path) -> None:
    """Whether a run trains a model under autologging rests on the text of every project
    module the file imports (a re-export chain included): a warm run sees it turned off
    and on again in the imported module, though the training file never changed."""
    tracker_on = "import mlflow\n\n\nclass Tracker:\n    def __init__(self):\n        mlflow.autolog()\n"
    project = write_files(
        tmp_path / "project",
        {
            "pyproject.toml": "[project]\nname = 'p'\n",
            "pkg/__init__.py": "from .tracker import Tracker\n",
            "pkg/tracker.py": tracker_on,
            "train.py": (
                "import mlflow\nfrom sklearn.linear_model import LogisticRegression\n\nfrom pkg import Tracker\n\n\n"
                "def train(X, y):\n    Tracker()\n    with mlflow.start_run():\n        LogisticRegression().fit(X, y)\n"
            ),
        },
    )
    cache = tmp_path / "cache"
    training_run = {(9, "MLF501")}
    assert _on(_lint(project, cache)[0], "train.py") == training_run
    (project / "pkg/tracker.py").write_text(tracker_on.replace("mlflow.autolog()", "mlflow.set_tag('x', 1)"))
    assert _on(_lint(project, cache)[0], "train.py") == set()  # a fit without autologging trains nothing logged
    (project / "pkg/tracker.py").write_text(tracker_on)
    assert _on(_lint(project, cache)[0], "train.py") == training_run


def test_a_compose_secret_read_from_the_env_file_beside_it_is_re_judged_on_a_warm_run(tmp_path: Path) -> None:
    """Compose interpolates ``${MINIO_ROOT_PASSWORD}`` from the .env beside the Compose file:
    the finding at the Compose setting rests on the .env, which a warm run re-reads."""
    project = write_files(
        tmp_path / "project",
        {
            "pyproject.toml": "[project]\nname = 'p'\n",
            "docker-compose.yml": "services:\n  train:\n    image: t:1\n    environment:\n      AWS_SECRET_ACCESS_KEY: ${MINIO_ROOT_PASSWORD}\n",
            ".env": "MINIO_ROOT_PASSWORD=Xq7pL2vR9tWz1\n",
        },
    )
    cache = tmp_path / "cache"
    assert _on(_lint(project, cache)[0], "docker-compose.yml") == {(5, "MLF701")}
    (project / ".env").write_text("MINIO_ROOT_PASSWORD=<your-password>\n")
    assert _on(_lint(project, cache)[0], "docker-compose.yml") == set()
    (project / ".env").unlink()
    assert _on(_lint(project, cache)[0], "docker-compose.yml") == set()
    (project / ".env").write_text("MINIO_ROOT_PASSWORD=Xq7pL2vR9tWz1\n")
    assert _on(_lint(project, cache)[0], "docker-compose.yml") == {(5, "MLF701")}


def test_a_committed_env_file_linked_from_outside_the_project_is_not_read_for_compose(tmp_path: Path) -> None:
    """A ``.env`` beside a Compose file that is a symbolic link out of the project (to a
    developer's own secrets, to ``/proc/self/environ``) is no file of the project: Compose's
    interpolation from it is not read, as no other file outside the project is (``ProjectIndex.boundary``)."""
    outside = tmp_path / "secrets.env"
    outside.write_text("MINIO_ROOT_PASSWORD=Xq7pL2vR9tWz1\n")
    project = write_files(
        tmp_path / "project",
        {
            "pyproject.toml": "[project]\nname = 'p'\n",
            "docker-compose.yml": "services:\n  train:\n    image: t:1\n    environment:\n      AWS_SECRET_ACCESS_KEY: ${MINIO_ROOT_PASSWORD}\n",
        },
    )
    (project / ".env").symlink_to(outside)
    assert _on(_lint(project, tmp_path / "cache")[0], "docker-compose.yml") == set()
    (project / ".env").unlink()
    (project / ".env").write_text(outside.read_text())  # the same file, committed: read
    assert _on(_lint(project, tmp_path / "cache2")[0], "docker-compose.yml") == {(5, "MLF701")}


def test_editing_an_included_notebook_flips_the_finding_of_the_notebook_that_runs_it(tmp_path: Path) -> None:
    """``%run ./setup`` of a Jupyter notebook: the including notebook's findings rest on the
    .ipynb as they would on an imported module, and its path names the file's lines."""

    def setup(body: str) -> str:
        return ipynb("import mlflow\n", f"def setup(uri):\n    {body}\n")

    project = write_files(
        tmp_path / "project",
        {
            "pyproject.toml": "[project]\nname = 'p'\n",
            "setup.ipynb": setup("mlflow.set_tracking_uri(uri)"),
            "train.ipynb": ipynb("%run ./setup\n", "setup('./mlruns')\n"),  # never names MLflow
        },
    )
    cache = tmp_path / "cache"

    def flows() -> tuple[list[tuple[int | None, int, str, tuple[tuple[str, int], ...]]], int]:
        result = lint_paths([project], Config(root=project), all_rules(), cwd=project, cache_dir=cache)
        found = [(f.cell, f.line, f.rule, tuple((s.path, s.line) for s in f.flow)) for f in result.findings if f.path == "train.ipynb"]
        return found, result.cached

    sink = file_line(project / "setup.ipynb", "    mlflow.")
    expected = [(1, 1, "MLF101", (("setup.ipynb", sink),))]
    assert flows() == (expected, 0)
    assert flows() == (expected, 2)  # warm: both notebooks from the cache, the path too
    (project / "setup.ipynb").write_text(setup("print(uri)"))
    assert flows() == ([], 0)  # train.ipynb did not change
    (project / "setup.ipynb").write_text(setup("\n    mlflow.pyfunc.load_model(uri)"))
    assert flows() == ([(1, 1, "MLF602", (("setup.ipynb", sink + 1),))], 0)  # a line further down
    assert flows()[1] == 2


def test_a_new_module_that_an_import_now_finds_invalidates_the_importer(tmp_path: Path) -> None:
    project = tmp_path / "project"
    (project / "pkg").mkdir(parents=True)
    (project / "pyproject.toml").write_text("")
    (project / "pkg" / "train.py").write_text("import mlflow\nfrom config import URI\n\nmlflow.set_tracking_uri(URI)\n")
    cache = tmp_path / "cache"
    assert _lint(project, cache)[0] == []
    (project / "config.py").write_text('URI = "sqlite:///local.db"\n')  # found from pkg/ via the root
    assert _lint(project, cache)[0] == [("pkg/train.py", 4, "MLF201")]
    (project / "pkg" / "config.py").write_text('URI = "https://tracking.example.com"\n')  # now shadows it
    assert _lint(project, cache)[0] == []


def test_project_wide_facts_invalidate_files_whose_findings_used_them(tmp_path: Path) -> None:
    project = inconsistent_uri_project(tmp_path / "project")
    uri = TRACKING_URI_MODULE
    cache = tmp_path / "cache"
    assert [f for f in _lint(project, cache, "a.py", "c.py")[0] if f[2] == "MLF102"] == [("c.py", 3, "MLF102")]
    (project / "b.py").write_text(uri.format("https://c.example.com"))  # c's URI is now the primary one
    findings, cached = _lint(project, cache, "a.py", "c.py")
    assert [f for f in findings if f[2] == "MLF102"] == [("a.py", 3, "MLF102")]
    assert cached == 0  # neither file changed, but both read the project's facts


@pytest.mark.integration
def test_warm_output_is_byte_identical_to_a_cold_and_an_uncached_run(tmp_path: Path) -> None:
    source = FIXTURES / "projects" / "governance"
    cache = tmp_path / "cache"
    outputs = []
    for args in (["--no-cache"], ["--cache-dir", str(cache)], ["--cache-dir", str(cache)]):
        for output_format in ("json", "sarif"):
            result = run_cli("check", ".", "--format", output_format, *args, cwd=source)
            assert result.returncode in (0, 1) and "Traceback" not in result.stderr
            outputs.append((output_format, result.stdout))
    assert outputs[0:2] == outputs[2:4] == outputs[4:6]
    assert not (source / CACHE_DIRECTORY_NAME).exists()  # --no-cache and --cache-dir wrote nothing here


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"\x00\xff garbage",
        b'{"format": 1, "key": "x"',  # truncated
        b"[1, 2, 3]",
        b'{"format": 999, "key": "k", "files": {}, "results": {}, "uses": {}, "written_at": 0}',
        b'{"format": 1, "files": {"a": 1}, "results": {"a": "b"}, "uses": [], "written_at": "x"}',
    ],
)
@pytest.mark.parametrize("sign", [True, False], ids=["signed", "unsigned"])
def test_corrupt_or_foreign_cache_files_are_ignored_and_rewritten(project: Path, tmp_path: Path, content: bytes, sign: bool) -> None:
    cache = tmp_path / "cache"
    expected, _ = _lint(project, cache)
    (cache_file,) = cache.glob("results-*.json")
    cache_file.write_bytes(signed(content) if sign else content)
    assert _lint(project, cache) == (expected, 0)
    assert cache_data(cache_file)["format"] == 2  # rewritten
    assert _lint(project, cache) == (expected, 3)


def test_entries_with_the_right_key_but_wrong_shapes_are_misses_not_crashes(project: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    expected, _ = _lint(project, cache)
    (cache_file,) = cache.glob("results-*.json")
    data = cache_data(cache_file)
    for entry in data["results"].values():
        entry["findings"] = [["only", "three", "fields"]]
        entry["deps"] = {"modules": [["/nonexistent.py", "0"]], "lookups": "not a list"}
    cache_file.write_bytes(signed(json.dumps(data).encode()))
    assert _lint(project, cache)[0] == expected


@pytest.mark.integration
def test_default_cache_lives_beside_the_configuration_and_ignores_itself(project: Path) -> None:
    first = _findings(project)
    directory = project / CACHE_DIRECTORY_NAME
    assert (directory / ".gitignore").read_text().strip().endswith("*")
    assert (directory / "CACHEDIR.TAG").read_text().startswith("Signature: 8a477f597d28d172789f06886806bc55")
    assert len(list(directory.glob("results-*.json"))) == 1
    assert _findings(project) == first
    assert _findings(project, "--select", "MLF1") != first  # another configuration, another file
    assert len(list(directory.glob("results-*.json"))) == 2


@pytest.mark.integration
def test_no_cache_reads_and_writes_nothing(project: Path) -> None:
    _findings(project, "--no-cache")
    assert not (project / CACHE_DIRECTORY_NAME).exists()


@pytest.mark.integration
def test_an_unwritable_cache_location_is_a_note_and_the_run_goes_on(project: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    result = run_cli("check", ".", "--format", "json", "--cache-dir", str(blocker / "cache"), cwd=project)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "note: result cache disabled: cannot create" in result.stderr
    assert {f["rule"] for f in json.loads(result.stdout)["findings"]} >= {"MLF201"}


def test_a_run_that_learns_nothing_new_does_not_rewrite_the_cache(project: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    _lint(project, cache)
    (cache_file,) = cache.glob("results-*.json")
    before = cache_file.stat().st_mtime_ns
    os.utime(cache_file, ns=(before - 10**9, before - 10**9))
    _lint(project, cache)
    assert cache_file.stat().st_mtime_ns == before - 10**9


def test_entries_of_deleted_files_are_dropped(project: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    _lint(project, cache)
    (project / "serve.py").unlink()
    (project / "new.py").write_text("import mlflow\n")
    _lint(project, cache)
    (cache_file,) = cache.glob("results-*.json")
    assert not any(path.endswith("serve.py") for path in cache_data(cache_file)["results"])


def test_the_cache_never_loads_anything_but_json(project: Path, tmp_path: Path) -> None:
    # A checked-in cache directory is untrusted input: a pickle in it is just a corrupt file.
    import pickle

    cache = tmp_path / "cache"
    _lint(project, cache)
    (cache_file,) = cache.glob("results-*.json")
    cache_file.write_bytes(pickle.dumps({"format": 1}))
    assert _lint(project, cache)[1] == 0
    assert isinstance(ResultCache, type)


@pytest.mark.integration
def test_a_dependency_reached_through_another_files_memoised_analysis_is_still_recorded(tmp_path: Path) -> None:
    # a.py and b.py both call helpers.tag_run(), whose tags come from consts.py. In one
    # process, b.py's analysis could reuse the effects of tag_run() memoised while a.py was
    # analysed, and never read consts.py itself; the cache must still know b.py depends on it.
    caller = 'import mlflow\n\nfrom helpers import tag_run\n\nwith mlflow.start_run():\n    tag_run()\n    mlflow.log_metric("m", 1.0)\n'
    project = write_files(
        tmp_path / "project",
        {
            "pyproject.toml": "",
            ".mlflow-lint.yaml": "required-tags: [team]\n",
            "consts.py": 'TAGS = {"team": "pricing"}\n',
            "helpers.py": "import mlflow\n\nfrom consts import TAGS\n\n\ndef tag_run() -> None:\n    mlflow.set_tags(TAGS)\n",
            "a.py": caller,
            "b.py": caller,
        },
    )
    cache = ["--cache-dir", str(tmp_path / "cache"), "--jobs", "1"]
    assert _findings(project, *cache) == []
    (project / "consts.py").write_text('TAGS = {"owner": "me"}\n')
    assert _findings(project, *cache) == [("a.py", 5, "MLF501"), ("b.py", 5, "MLF501")]


@pytest.mark.integration
@pytest.mark.parametrize("jobs", ["1", "2"])
def test_project_facts_are_computed_only_when_a_file_needs_them_and_agree_across_pools(tmp_path: Path, jobs: str) -> None:
    # 30 files (a process pool with --jobs 2); a few set tracking URIs. Every combination
    # of pool and cache must give the same MLF102 findings.
    project = tmp_path / "project"
    project.mkdir()
    (project / ".git").mkdir()
    for number in range(30):
        (project / f"m{number:02}.py").write_text("import mlflow\n\nmlflow.log_metric('m', 1.0)\n")
    uri = 'import mlflow\n\nmlflow.set_tracking_uri("{}")\n'
    for name, host in (("m03.py", "a"), ("m07.py", "a"), ("m11.py", "b")):
        (project / name).write_text(uri.format(f"https://{host}.example.com"))
    expected = [("m11.py", 3, "MLF102")]
    for args in (["--no-cache"], ["--cache-dir", str(tmp_path / "c")], ["--cache-dir", str(tmp_path / "c")]):
        rows = _findings(project, "--select", "MLF102", "--jobs", jobs, *args)
        assert rows == expected, args


@pytest.mark.integration
@pytest.mark.parametrize("jobs", ["1", "2"])
def test_uris_written_at_calls_of_a_set_up_helper_are_project_facts_cold_warm_and_file_by_file(tmp_path: Path, jobs: str) -> None:
    # a.py and b.py never say set_tracking_uri: the facts find them by the helper's name.
    project = tmp_path / "project"
    project.mkdir()
    (project / ".git").mkdir()
    (project / "helpers.py").write_text("import mlflow\n\n\ndef init(uri):\n    mlflow.set_tracking_uri(uri)\n")
    call = "from helpers import init\n\ninit('https://{}.example.com')\n"
    (project / "a.py").write_text(call.format("a"))
    (project / "b.py").write_text(call.format("a"))
    (project / "c.py").write_text('import mlflow\n\nmlflow.set_tracking_uri("https://b.example.com")\n')
    cache = ["--cache-dir", str(tmp_path / "cache")]
    for args in (["--no-cache"], cache, cache):
        assert _findings(project, "--select", "MLF102", "--jobs", jobs, *args) == [("c.py", 3, "MLF102")], args
    for named in ("a.py", "c.py"):  # one file named: the facts read the others, cold then warm
        for _ in range(2):
            findings = _lint(project, tmp_path / f"cache-{named}", named)[0]
            assert [f for f in findings if f[2] == "MLF102"] == ([("c.py", 3, "MLF102")] if named == "c.py" else [])
    # b.py now passes c's server: two uses against one, so a.py's call is the odd one out.
    (project / "b.py").write_text(call.format("b"))
    assert _findings(project, "--select", "MLF102", "--jobs", jobs, *cache) == [("a.py", 3, "MLF102")]
    assert [f for f in _lint(project, tmp_path / "cache-a.py", "a.py")[0] if f[2] == "MLF102"] == [("a.py", 3, "MLF102")]


@pytest.mark.parametrize("cached", [False, True])
def test_project_facts_reuse_what_the_lint_found_instead_of_parsing_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cached: bool
) -> None:
    # One pass: the tracking URIs of the files being linted come from their lint; only a
    # project file outside the lint targets is read for the facts.
    from mlflow_lint import engine
    from mlflow_lint.config import Config

    project = tmp_path / "project"
    (project / "src").mkdir(parents=True)
    (project / ".git").mkdir()
    uri = 'import mlflow\n\nmlflow.set_tracking_uri("{}")\n'
    for name, host in (("src/a.py", "a"), ("src/b.py", "a"), ("src/c.py", "b"), ("elsewhere.py", "a")):
        (project / name).write_text(uri.format(f"https://{host}.example.com"))
    counted: list[str] = []
    import mlflow_lint.module_facts

    real_file_uses = mlflow_lint.module_facts.file_uses

    def counting_file_uses(index: object, path: Path, data: bytes | None = None) -> object:
        counted.append(path.name)
        return real_file_uses(index, path, data)  # type: ignore[arg-type]

    monkeypatch.setattr(mlflow_lint.module_facts, "file_uses", counting_file_uses)
    cache_dir = tmp_path / "cache" if cached else None
    result = engine.lint_paths(
        [project / "src"], Config(root=project), frozenset({"MLF102"}), jobs=1, cwd=project, cache_dir=cache_dir
    )
    assert [(f.path, f.line, f.rule) for f in result.findings] == [("src/c.py", 3, "MLF102")]
    assert sorted(counted) == ["a.py", "b.py", "c.py", "elsewhere.py"]  # each once


@pytest.mark.integration
def test_editing_a_databricks_bundle_flips_the_promotion_it_gates(tmp_path: Path) -> None:
    # The promotion notebook runs after the validation task only while databricks.yml says
    # so: a warm run must see the edit (and the bundle file appearing at all).
    project = tmp_path / "project"
    (project / "notebooks").mkdir(parents=True)
    (project / ".git").mkdir()
    (project / "notebooks" / "validate.py").write_text(
        "from mlflow import MlflowClient\nc = MlflowClient()\nnew = c.get_model_version_by_alias('m', 'challenger')\n"
        "old = c.get_model_version_by_alias('m', 'champion')\nassert float(new.tags['auc']) >= float(old.tags['auc'])\n"
    )
    (project / "notebooks" / "promote.py").write_text(
        "from mlflow import MlflowClient\nMlflowClient().set_registered_model_alias('m', 'champion', '3')\n"
    )
    tasks = (
        "resources:\n  jobs:\n    release:\n      tasks:\n"
        "        - task_key: validate\n          notebook_task:\n            notebook_path: notebooks/validate\n"
        "        - task_key: promote\n{depends}          notebook_task:\n            notebook_path: notebooks/promote\n"
    )
    cache = ["--cache-dir", str(tmp_path / "cache"), "--select", "MLF402", "--jobs", "1"]
    assert _findings(project, *cache) == [("notebooks/promote.py", 2, "MLF402")]
    (project / "databricks.yml").write_text(tasks.format(depends="          depends_on:\n            - task_key: validate\n"))
    assert _findings(project, *cache) == []
    (project / "databricks.yml").write_text(tasks.format(depends=""))
    assert _findings(project, *cache) == [("notebooks/promote.py", 2, "MLF402")]


@pytest.mark.parametrize("nested_exclude", [False, True])
def test_project_facts_use_the_lints_own_walk_when_one_exclusion_rule_applied(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, nested_exclude: bool
) -> None:
    # Linting the project root with one configuration: the facts take the files the lint's
    # walk found. A nested configuration with other excludes makes the walks differ, so the
    # facts walk the projects themselves. The findings are those of the facts' own walk.
    from mlflow_lint import engine
    from mlflow_lint.catalog import load_catalog
    from mlflow_lint.config import ConfigResolver

    project = tmp_path / "project"
    (project / "sub").mkdir(parents=True)
    (project / ".git").mkdir()
    (project / ".mlflow-lint.yaml").write_text("exclude: [build/]\n")
    uri = 'import mlflow\n\nmlflow.set_tracking_uri("{}")\n'
    for name, host in (("a.py", "a"), ("b.py", "a"), ("sub/c.py", "b")):
        (project / name).write_text(uri.format(f"https://{host}.example.com"))
    if nested_exclude:
        (project / "sub" / ".mlflow-lint.yaml").write_text("exclude: [generated/]\n")
    walks: list[Path] = []
    real_project_files = ProjectIndex.project_files

    def counting_project_files(index: ProjectIndex, exclude: tuple[str, ...], root: str) -> list[Path]:
        walks.append(Path(root))
        return real_project_files(index, exclude, root)

    monkeypatch.setattr(ProjectIndex, "project_files", counting_project_files)

    def lint() -> list[tuple[str, int, str]]:
        result = engine.lint_paths([project], ConfigResolver(load_catalog()), frozenset({"MLF102"}), jobs=1, cwd=project)
        return [(f.path, f.line, f.rule) for f in result.findings]

    found = lint()
    # Nested: sub/ has its own configuration (and so is its own project): two facts, walked.
    assert len(walks) == (2 if nested_exclude else 0)
    if not nested_exclude:
        assert found == [("sub/c.py", 3, "MLF102")]
    monkeypatch.setattr(engine.run, "walked_roots", lambda *_: {})  # the facts walk themselves
    assert lint() == found
    assert len(walks) == (4 if nested_exclude else 1)


@pytest.mark.integration
@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_span_processor_configured_in_another_file_flips_the_traced_secret_on_a_warm_run(tmp_path: Path, jobs: str) -> None:
    # MLF705 reads a project-wide fact: agent.py never changes, but its cached finding must
    # follow tracing_setup.py gaining, losing and regaining mlflow.tracing.configure(span_processors=...).
    project = write_files(
        tmp_path / "project",
        {
            "pyproject.toml": "[project]\nname = 'p'\n",
            "agent.py": "import mlflow\n\n\n@mlflow.trace\ndef search(query: str, api_key: str) -> list:\n    return []\n",
            "tracing_setup.py": "import logging\n\nlogging.basicConfig()\n",
        },
    )
    configured = "import mlflow\n\n\ndef redact(span) -> None:\n    pass\n\n\nmlflow.tracing.configure(span_processors=[redact])\n"
    cache = ["--cache-dir", str(tmp_path / "cache"), "--select", "MLF705", "--jobs", jobs]
    expected = [("agent.py", 5, "MLF705")]
    assert _findings(project, *cache) == expected
    assert _findings(project, *cache) == expected  # warm
    (project / "tracing_setup.py").write_text(configured)
    assert _findings(project, *cache) == []
    # tracing_setup.py not named: read for the facts
    assert [f for f in _lint(project, tmp_path / "in-process", "agent.py")[0] if f[2] == "MLF705"] == []
    (project / "tracing_setup.py").write_text("import mlflow\n\nmlflow.tracing.configure(span_processors=[])\n")  # clears them
    assert _findings(project, *cache) == expected
    assert [f for f in _lint(project, tmp_path / "in-process", "agent.py")[0] if f[2] == "MLF705"] == [("agent.py", 5, "MLF705")]


@pytest.mark.integration
def test_editing_the_declared_mlflow_requirement_flips_the_migration_findings_on_a_warm_run(tmp_path: Path) -> None:
    # MLF902 applies only where every release the project allows has the deprecation:
    # a warm run must see requirements.txt change (and appear).
    project = tmp_path / "project"
    project.mkdir()
    (project / ".git").mkdir()
    (project / "train.py").write_text("import mlflow\n\ndef log(model):\n    mlflow.sklearn.log_model(model, artifact_path='model')\n")
    cache = ["--cache-dir", str(tmp_path / "cache"), "--select", "MLF902", "--jobs", "1"]
    assert _findings(project, *cache) == [("train.py", 4, "MLF902")]  # nothing declared: the table's 3.18.0
    (project / "requirements.txt").write_text("mlflow==2.16.2\nscikit-learn\n")
    assert _findings(project, *cache) == []
    (project / "requirements.txt").write_text("mlflow>=3.1,<4\n")
    assert _findings(project, *cache) == [("train.py", 4, "MLF902")]


def test_a_helpers_promotion_follows_its_callers_in_other_files_on_a_warm_run(tmp_path: Path) -> None:
    """MLF402 on a helper that only its callers in other modules gate (analysis.callers):
    its cached result is re-derived when a caller loses its gate, or a caller appears or
    goes, though the helper itself never changes."""
    gated = "from pkg.registry import promote\n\n\ndef nightly(version, new_auc, old_auc):\n    if new_auc > old_auc:\n        promote(version)\n"
    ungated = "from pkg.registry import promote\n\n\ndef nightly(version, new_auc, old_auc):\n    promote(version)\n"
    project = write_files(
        tmp_path / "project",
        {
            "pyproject.toml": "[project]\nname = 'p'\n",
            "pkg/__init__.py": "",
            "pkg/registry.py": (
                "from mlflow import MlflowClient\n\n\ndef promote(version):\n"
                "    MlflowClient().set_registered_model_alias('churn', 'champion', version)\n"
            ),
            "pkg/nightly.py": gated,
        },
    )
    cache = tmp_path / "cache"

    def promotions() -> tuple[list[tuple[str, int, str]], int, int]:
        result = lint_paths([project], Config(root=project), frozenset({"MLF402"}), cwd=project, cache_dir=cache)
        return [(f.path, f.line, f.rule) for f in result.findings], result.cached, result.files_checked

    finding = [("pkg/registry.py", 5, "MLF402")]
    assert promotions()[0] == []
    warm, cached, checked = promotions()
    assert warm == [] and cached == checked  # nothing changed: every file from the cache
    (project / "pkg" / "nightly.py").write_text(ungated)
    assert promotions()[0] == finding
    (project / "pkg" / "nightly.py").write_text(gated)
    assert promotions()[0] == []
    (project / "pkg" / "hotfix.py").write_text("from pkg import registry\n\nregistry.promote('7')\n")  # a new, ungated caller
    assert promotions()[0] == finding
    (project / "pkg" / "hotfix.py").unlink()
    assert promotions()[0] == []


_COMPOSE = "services:\n  mlflow:\n    image: ghcr.io/mlflow/mlflow\n    ports: ['{ports}']\n"


def _compose_project(root: Path) -> Path:
    """train.py in the Compose network, dev_check.py on the host: one server while the
    Compose file publishes the service's port 5000 on the host's 5000."""
    (root / ".git").mkdir(parents=True)
    return write_files(
        root,
        {
            "docker-compose.yml": _COMPOSE.format(ports="5000:5000"),
            "train.py": TRACKING_URI_MODULE.format("http://mlflow:5000"),
            "serve.py": TRACKING_URI_MODULE.format("http://mlflow:5000"),
            "dev_check.py": TRACKING_URI_MODULE.format("http://127.0.0.1:5000"),
        },
    )


@pytest.mark.integration
@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_warm_run_judges_again_when_a_compose_file_changes(tmp_path: Path, jobs: str) -> None:
    # The Compose file's published ports are project facts: dev_check.py never changes, but
    # its cached result holds only while they do.
    project = _compose_project(tmp_path / "project")
    cache = ["--cache-dir", str(tmp_path / "cache"), "--select", "MLF102", "--jobs", jobs]
    assert _findings(project, *cache) == []
    assert _findings(project, *cache) == []  # warm
    (project / "docker-compose.yml").write_text(_COMPOSE.format(ports="5001:5000"))
    assert _findings(project, *cache) == [("dev_check.py", 3, "MLF102")]
    (project / "docker-compose.yml").write_text(_COMPOSE.format(ports="5000:5000"))
    assert _findings(project, *cache) == []
    # One file named (pre-commit): the facts read the Compose file the lint does not.
    one = ["--cache-dir", str(tmp_path / "cache-one"), "--select", "MLF102", "--jobs", jobs]
    assert run_cli("check", "dev_check.py", *one, cwd=project).returncode == 0
    (project / "docker-compose.yml").write_text(_COMPOSE.format(ports="5001:5000"))
    assert "dev_check.py:3" in run_cli("check", "dev_check.py", *one, cwd=project).stdout


def test_a_compose_file_is_parsed_once_for_its_lint_and_its_facts_and_then_read_from_the_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import mlflow_lint.sources.yaml_source

    project = _compose_project(tmp_path / "project")
    parsed: list[str] = []
    real_parse_yaml = mlflow_lint.sources.yaml_source.parse_yaml

    def counting_parse_yaml(text: str, where: str, values: object = None) -> object:
        parsed.append(where)
        return real_parse_yaml(text, where, values)  # type: ignore[arg-type]

    monkeypatch.setattr(mlflow_lint.sources.yaml_source, "parse_yaml", counting_parse_yaml)
    cache = tmp_path / "cache"

    def lint(*paths: str) -> list[tuple[str, int, str]]:
        result = lint_paths([project / p for p in paths] or [project], Config(root=project), frozenset({"MLF102"}), jobs=1, cwd=project, cache_dir=cache)
        return [(f.path, f.line, f.rule) for f in result.findings]

    assert lint() == []
    assert parsed == ["docker-compose.yml"]  # the lint's parse gave the facts its ports
    assert lint() == [] and parsed == ["docker-compose.yml"]  # warm: the cache holds them
    (project / "dev_check.py").write_text(TRACKING_URI_MODULE.format("http://localhost:5000/"))
    assert lint("dev_check.py") == [] and parsed == ["docker-compose.yml"]  # the facts' rows, from the cache
