"""MLF103 committed-local-store."""

from __future__ import annotations

from mlflow_lint.checks.base import Check, FileContext
from mlflow_lint.sources.facts import Copy

LOCAL_STORE_NAMES = frozenset({"mlruns", "mlflow.db", "mlartifacts"})


class CommittedLocalStore(Check):
    """A local tracking store in the repository, or copied into an image.

    The engine finds ``mlruns/`` directories that hold run metadata and ``mlflow.db``
    files that ``.gitignore`` does not ignore; Dockerfiles are checked for ``COPY mlruns``,
    scripts for ``git add mlruns`` and CI workflows for an upload of the store.
    """


    def visit_store(self, ctx: FileContext) -> None:
        from mlflow_lint.sources.facts import Position

        # A store is reported at mlflow.db itself, at the first meta.yaml of mlruns/, or at
        # the first file of mlartifacts/ (engine discovery).
        parts = ctx.display_path.split("/")
        store = next((part for part in reversed(parts[:-1]) if part == "mlartifacts" or part.startswith("mlruns")), None)
        if len(parts) >= 3 and parts[-1] == "meta.yaml":  # <store>/<experiment>/meta.yaml
            what = f"the local tracking store {parts[-3]}/"
        elif store is not None:  # mlartifacts/..., or the artifacts of a store whose metadata is elsewhere
            what = f"the local artifact store {store}/"
        else:
            what = f"the SQLite tracking store {parts[-1]}"
        ctx.report_at("MLF103", Position(1, 1, 1, 1), ctx.display_path, what=what, where="is in the repository")

    def visit_copy(self, copy: Copy, ctx: FileContext) -> None:
        """COPY into an image, ``git add``, a CI artifact upload: the store leaves the job
        (a CI job's own local store is test context; publishing it is not)."""
        source = copy.source.text.rstrip("/")
        name = source.rsplit("/", 1)[-1]
        if name in LOCAL_STORE_NAMES:
            what = "the SQLite tracking store mlflow.db" if name == "mlflow.db" else f"the local store {name}/"
            ctx.report_at("MLF103", copy.source.position, copy.source.text, what=what, where=f"is {copy.action}")
