"""A tracking server's protections and what switches them off (MLF704, and the audit's
server rows: one judgement, read by both).

Every setting here was read from MLflow 3.18.0's source (mlflow/environment_variables.py,
mlflow/utils/cli_args.py, mlflow/server/security.py, mlflow/server/auth/): its name, what
turns the protection off, and how MLflow parses the value.
"""

from __future__ import annotations

from dataclasses import dataclass

from mlflow_lint.analysis.commands import SERVER_ENVIRONMENT, Invocation
from mlflow_lint.sources.facts import Setting, Word

# click's flag values (MLFLOW_SERVER_DISABLE_SECURITY_MIDDLEWARE is the envvar of a click flag).
_TRUE = frozenset({"true", "1", "yes", "on"})
# MLflow's _BooleanEnvironmentVariable accepts exactly these (case-insensitive) as false; any
# other value makes MLflow raise, so it switches nothing off.
_MLFLOW_FALSE = frozenset({"false", "0"})
KEEP_MIDDLEWARE = "keep the middleware on and list the hosts and origins that may reach the server"


@dataclass(frozen=True)
class _Switch:
    """An environment variable whose value turns one server protection off."""

    disabling: frozenset[str]  # the values (lower-cased) that turn it off
    what: str  # "... turns basic-auth fail-closed off"
    instead: str
    short: str  # what is off, for the audit's table cell
    middleware: bool = True  # a protection of the security middleware (not of the auth app)


_SWITCHES = {
    "MLFLOW_SERVER_DISABLE_SECURITY_MIDDLEWARE": _Switch(_TRUE, "turns the security middleware off", KEEP_MIDDLEWARE, "off"),
    "MLFLOW_BASIC_AUTH_FAIL_CLOSED": _Switch(
        _MLFLOW_FALSE,
        "turns basic-auth fail-closed off: requests to routes with no authorization rule are let through",
        "leave it unset (fail-closed is the default)",
        "fail-closed off",
        middleware=False,
    ),
    "MLFLOW_SERVER_ENABLE_GRAPHQL_AUTH": _Switch(
        _MLFLOW_FALSE,
        "turns authorization of GraphQL queries off: any logged-in user reads every experiment, run and model version through /graphql",
        "leave it unset (GraphQL authorization is the default)",
        "GraphQL authorization off",
        middleware=False,
    ),
    "MLFLOW_SERVER_X_FRAME_OPTIONS": _Switch(
        frozenset({"none"}),
        "drops the X-Frame-Options header, so any site may frame the MLflow UI (clickjacking)",
        "keep SAMEORIGIN (the default) or DENY",
        "no X-Frame-Options",
    ),
}
_DISABLE_FLAG = "--disable-security-middleware"
_FRAME_OPTION = "--x-frame-options"
# What a wildcard lets in, by option (and its environment variable, SERVER_ENVIRONMENT).
_WILDCARDS = {"--allowed-hosts": "allowed hosts", "--cors-allowed-origins": "CORS origins"}
_WILDCARD_SHORT = {"--allowed-hosts": "any host", "--cors-allowed-origins": "any CORS origin"}
_WILDCARD_VARIABLES = {SERVER_ENVIRONMENT[option]: option for option in _WILDCARDS}


@dataclass(frozen=True)
class Weakening:
    """A protection of a server switched off: where (``word``), how (``what``, the message
    MLF704 gives), what to do instead, and ``short``, for a table cell."""

    word: Word
    what: str
    instead: str
    short: str
    middleware: bool = True


def is_wildcard(word: Word) -> bool:
    value = word.value
    return value.complete and "*" in [item.strip() for item in value.text.split(",")]


def _turns_off(word: Word, switch: _Switch) -> bool:
    value = word.value
    return value.complete and value.text.strip().lower() in switch.disabling


def setting_weakening(setting: Setting) -> Weakening | None:
    """What ``setting`` (an environment variable) switches off, if anything."""
    value = setting.value
    if value is None:
        return None
    switch = _SWITCHES.get(setting.name)
    if switch is not None and _turns_off(value, switch):
        return Weakening(value, f"{setting.where} {switch.what}", switch.instead, f"{switch.short} ({setting.name})", switch.middleware)
    option = _WILDCARD_VARIABLES.get(setting.name)
    if option is not None and is_wildcard(value):
        what = f"{setting.where} allows any {_WILDCARDS[option]}"
        return Weakening(value, what, KEEP_MIDDLEWARE, f"{_WILDCARD_SHORT[option]} ({setting.name})")
    return None


def command_weakenings(invocation: Invocation) -> list[Weakening]:
    """What the server ``invocation`` starts switches off by its own flags (not the
    environment's settings: those are judged where they are set)."""
    if not invocation.is_server:
        return []
    server = f"mlflow {invocation.subcommand[0]}"
    found: list[Weakening] = []
    flag = invocation.has(_DISABLE_FLAG)
    if flag is not None:
        found.append(Weakening(flag, f"{server} {_DISABLE_FLAG} turns the security middleware off", KEEP_MIDDLEWARE, f"off ({_DISABLE_FLAG})"))
    for option, label in _WILDCARDS.items():
        for given in invocation.options.get(option, []):
            if given.value is not None and is_wildcard(given.value):
                found.append(Weakening(given.value, f"{server} {option} allows any {label}", KEEP_MIDDLEWARE, f"{_WILDCARD_SHORT[option]} ({option})"))
    frame = _SWITCHES["MLFLOW_SERVER_X_FRAME_OPTIONS"]
    for given in invocation.options.get(_FRAME_OPTION, []):
        if given.value is not None and _turns_off(given.value, frame):
            found.append(Weakening(given.value, f"{server} {_FRAME_OPTION} {frame.what}", frame.instead, f"{frame.short} ({_FRAME_OPTION})"))
    return found


def server_weakenings(invocation: Invocation) -> list[Weakening]:
    """What is switched off on the server ``invocation`` starts: by its flags, and by the
    settings of its environment that no flag of it overrides (a flag wins over its click
    ``envvar``)."""
    found = command_weakenings(invocation)
    overridden = {SERVER_ENVIRONMENT[option] for option in _WILDCARDS if option in invocation.options}
    if _FRAME_OPTION in invocation.options:
        overridden.add("MLFLOW_SERVER_X_FRAME_OPTIONS")
    for setting in invocation.environment:
        if setting.name in overridden:
            continue
        weakening = setting_weakening(setting)
        if weakening is not None:
            found.append(weakening)
    return found
