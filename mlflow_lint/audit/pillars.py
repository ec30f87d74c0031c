"""The eight governance pillars as the audit presents them, and the evidence each gathers.

Pillar names come from the catalog (``catalog.PILLARS``); the principles are DESIGN.md's,
one sentence each. Evidence kinds say which pillar a piece of evidence belongs to and how
it is shown as a table: the renderers are generic over this table of kinds.
"""

from __future__ import annotations

from dataclasses import dataclass

from mlflow_lint.catalog import PILLARS

# Backticks mark code; the renderers turn them into code spans / <code>.
PRINCIPLES: dict[int, str] = {
    1: "One remote tracking server for the whole project: no local `./mlruns`, no `file:` tracking URIs, one URI per project.",
    2: "Run and model metadata live in a PostgreSQL or MySQL backend store, never a file store or SQLite for shared work.",
    3: "Artifacts go to an object store (S3, GCS, Azure, MinIO) behind the tracking server; no local artifact roots, no storage paths hard-coded in code.",
    4: "Promotion happens in the Model Registry through aliases, stages are deprecated, and a protected alias such as `champion` moves only behind a metric gate.",
    5: "Every run carries the mandatory tags (code version, data version, ...) that governance queries rely on.",
    6: "Consumers load `models:/<name>@<alias>`, never `runs:/` URIs or raw storage paths; a pinned version works but makes every rollback a code change.",
    7: "Access to the tracking server is authenticated and encrypted; no credentials in code or manifests, no open server.",
    8: "Datasets are logged as run inputs and models are logged with a signature, so every model points to its upstream data.",
}


# What no static analysis of the repository can assess: an audit of these needs the running
# system (the registry, the server, the platform) or its records. Listed in every report so
# that a high score is never read as "audited".
CANNOT_SEE: tuple[str, ...] = (
    "Registry state at run time: which version each alias points at now, who moved it and when, and whether stage transitions happened in the UI.",
    "Rollback: whether rolling an alias back is automated, rehearsed and fast enough.",
    "Audit trail: whether the tracking server's request logs, permission changes and registry events reach a log that is kept and reviewed.",
    "Report-to-run mapping: whether a model card, dashboard or evaluation report reads the run and model version it claims to describe.",
    "The tracking server as deployed: its backend store, artifact store, TLS and authentication when they are configured outside this repository (a platform, a Helm chart elsewhere, Databricks).",
    "Permissions: who may read experiments or move aliases (workspace ACLs, Unity Catalog grants, basic-auth users).",
    "Secrets outside the code: CI secrets, secret stores and credentials on developer machines.",
)


def pillar_ids() -> list[int]:
    """The governance pillars (the catalog's pillar 0 is the analysis itself, not a pillar)."""
    return sorted(pillar for pillar in PILLARS if pillar > 0)


def principle(pillar: int) -> str:
    return PRINCIPLES.get(pillar, "")


@dataclass(frozen=True)
class EvidenceKind:
    """One table of evidence: which pillar it supports, its title and its columns."""

    key: str
    pillar: int
    title: str
    columns: tuple[tuple[str, str], ...]  # (field, heading)
    empty: str  # what it means when nothing was found


EVIDENCE_KINDS: tuple[EvidenceKind, ...] = (
    EvidenceKind(
        "tracking_uri",
        1,
        "Tracking and registry URIs, and where they are set",
        (("api", "Set by"), ("role", "Role"), ("value", "Value"), ("kind", "Kind")),
        "No tracking or registry URI is set in code or configuration: the runtime environment decides.",
    ),
    EvidenceKind(
        "backend_store",
        2,
        "Metadata backend of each URI and server",
        (("role", "Role"), ("value", "URI"), ("backend", "Metadata backend")),
        "No URI or server command names a backend store; the tracking server's own configuration decides.",
    ),
    EvidenceKind(
        "artifact_location",
        3,
        "Artifact locations",
        (("api", "API"), ("target", "Destination"), ("kind", "Kind")),
        "Nothing chooses an artifact location: artifacts go where the tracking server puts them.",
    ),
    EvidenceKind(
        "registry_operation",
        4,
        "Registry operations and their gates",
        (("api", "Operation"), ("model", "Model"), ("target", "Alias / stage / version"), ("gate", "Gate")),
        "No registry operation found.",
    ),
    EvidenceKind(
        "run",
        5,
        "Runs and the tags they receive",
        (("run", "Run"), ("tags", "Tags it receives"), ("missing", "Missing required tags")),
        # Without required-tags, a run that logs or registers no model is no site (MLF501's policy).
        "No run the tag policy covers is started in code (without required-tags, training runs only).",
    ),
    EvidenceKind(
        "model_load",
        6,
        "Model and artifact consumption",
        (("api", "API"), ("source", "Source"), ("how", "Consumed by"), ("model", "Registered model")),
        "No model or artifact is loaded or served.",
    ),
    EvidenceKind(
        "prompt_load",
        6,
        "Prompts loaded from the registry",
        (("api", "API"), ("source", "Source"), ("how", "Loaded by"), ("prompt", "Prompt")),
        "No prompt is loaded from the registry.",
    ),
    EvidenceKind(
        "credential",
        7,
        "Credentials and TLS settings (values never shown)",
        (("setting", "Setting"), ("via", "Set by"), ("value", "Value")),
        "No credential or TLS setting found.",
    ),
    EvidenceKind(
        "server",
        7,
        "Tracking servers started in scripts and manifests",
        (
            ("command", "Command"),
            ("host", "Listens on"),
            ("auth", "Authentication"),
            ("security", "Security middleware"),
        ),
        "No script or manifest starts a tracking server.",
    ),
    EvidenceKind(
        "transport",
        7,
        "Transport of each tracking URI",
        (("value", "URI"), ("transport", "Transport")),
        "No tracking URI is set in code or configuration.",
    ),
    EvidenceKind(
        "model_log",
        8,
        "Models logged",
        (
            ("api", "API"),
            ("signature", "Signature"),
            ("input_example", "Input example"),
            ("registers_as", "Registers as"),
        ),
        "No model is logged in code.",
    ),
    EvidenceKind(
        "run_lineage",
        8,
        "Runs: model and input dataset",
        (("run", "Run"), ("logs_model", "Logs a model"), ("logs_input", "Logs an input dataset")),
        "No run logs a model or an input dataset.",
    ),
)

KINDS_BY_KEY: dict[str, EvidenceKind] = {kind.key: kind for kind in EVIDENCE_KINDS}

# Pillars about what the project does (promote, start runs, consume models, log models):
# where it does none of it, there is nothing to judge, and "compliant" would claim a
# governed registry the project never uses. The others are about where things live and
# who may reach them: where the code decides nothing, the environment does, which is what
# they ask for.
JUDGED_ONLY_WHERE_USED = frozenset({4, 5, 6, 8})


def kinds_of(pillar: int) -> list[EvidenceKind]:
    return [kind for kind in EVIDENCE_KINDS if kind.pillar == pillar]
