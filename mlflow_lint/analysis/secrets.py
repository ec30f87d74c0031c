"""Secrets: what counts as one, and the one masking function every rendered value goes through.

Where a secret can sit in a value mlflow-lint reads:

- the password of a URI's user information (``https://user:pw@host``); in a database URL
  (SQLAlchemy's ``postgresql://user:pa/ss@db``) the password runs to the last ``@``, so it
  may hold ``/``, ``?`` and ``#``;
- a token used as the URI's user (``https://ghp_…@github.com``);
- a query parameter with a secret name (``?token=…&sig=…``), or a connection-string field
  (``AccountKey=…;``);
- a provider token anywhere (``dapi…``, ``ghp_…``, ``sk-…``, ``AKIA…``): its shape alone
  says what it is.

:func:`mask_secrets` hides all of them. Messages, every report format, the audit, the
result cache, baselines and fingerprints only ever see masked text: in messages as ``***``,
in fingerprint material as the secret's kind and length (``<password:8>``), which keeps a
fingerprint stable without revealing anything a dictionary run could recover.
"""

from __future__ import annotations

import functools
import io
import re
import tokenize
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mlflow_lint.analysis.values import StrValue

# Environment variables whose value is a credential. Not here: user names and client ids
# (MLFLOW_TRACKING_USERNAME, DATABRICKS_CLIENT_ID, AWS_ACCESS_KEY_ID), and variables that
# name a file or a plugin, not a secret (GOOGLE_APPLICATION_CREDENTIALS,
# MLFLOW_TRACKING_CLIENT_CERT_PATH, MLFLOW_MYSQL_SSL_KEY, MLFLOW_TRACKING_AUTH).
SECRET_VARIABLES = frozenset(
    {
        "MLFLOW_TRACKING_PASSWORD",
        "MLFLOW_TRACKING_TOKEN",
        "DATABRICKS_TOKEN",
        "DATABRICKS_CLIENT_SECRET",
        # Databricks basic-auth password and OAuth refresh token (MLflow 3.18.0's
        # mlflow/legacy_databricks_cli/configure/provider.py reads both from the environment),
        # and the Azure service principal's secret databricks-sdk, through which MLflow
        # authenticates to a Databricks workspace, reads (its Config marks it sensitive).
        "DATABRICKS_PASSWORD",
        "DATABRICKS_REFRESH_TOKEN",
        "ARM_CLIENT_SECRET",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AZURE_STORAGE_ACCESS_KEY",
        "AZURE_STORAGE_CONNECTION_STRING",
        # The SAS token MLflow's ADLS Gen2 artifact repository (abfss://) signs requests with.
        "AZURE_STORAGE_SAS_TOKEN",
        "AZURE_CLIENT_SECRET",
        # DagsHub, whose repositories host MLflow-compatible tracking servers: the DagsHub
        # client's token and password (dagshub/common/config.py), and DAGSHUB_TOKEN, the name
        # projects and CI templates give the same token before passing it on as
        # MLFLOW_TRACKING_PASSWORD.
        "DAGSHUB_TOKEN",
        "DAGSHUB_USER_TOKEN",
        "DAGSHUB_PASSWORD",
        # MLflow's server-side secrets (read from MLflow 3.18.0's mlflow/environment_variables.py
        # and mlflow/utils/crypto.py): the basic-auth admin's bootstrap password, the Flask
        # session/CSRF key, the key-encryption passphrase guarding stored AI-gateway secrets, the
        # webhook-secret encryption key, and the Unity Catalog OSS bearer token.
        "MLFLOW_AUTH_ADMIN_PASSWORD",
        "MLFLOW_FLASK_SERVER_SECRET_KEY",
        "MLFLOW_CRYPTO_KEK_PASSPHRASE",
        "MLFLOW_WEBHOOK_SECRET_ENCRYPTION_KEY",
        "MLFLOW_UC_OSS_TOKEN",
    }
)

# The names as the prefilter searches for them: in any case, as a settings class's field
# (``databricks_token: str = ...``) maps to its variable whatever the case.
_SECRET_VARIABLES_FOLDED = tuple(sorted(name.lower().encode("ascii") for name in SECRET_VARIABLES))
# And cut at each "_": a settings class may spell the name as a string ``env_prefix`` and a
# field (``env_prefix="DATABRICKS_"``, ``token``: analysis.settings_classes).
_SECRET_VARIABLE_PIECES = tuple(
    sorted(
        {
            (name[: cut + 1].lower().encode("ascii"), name[cut + 1 :].lower().encode("ascii"))
            for name in SECRET_VARIABLES
            for cut in range(len(name))
            if name[cut] == "_"
        }
    )
)


def may_name_secret_variable(data: bytes) -> bool:
    """Whether a file may set one of :data:`SECRET_VARIABLES`: a ``.env`` file, a manifest's
    environment or a configuration module that never says "mlflow" still holds MLflow's (or
    its artifact store's) credentials, so it is worth parsing. A prefix counts where a string
    ends with it (``"DATABRICKS_"``), not wherever the words occur (``databricks_host`` and a
    ``tokenizer`` say nothing of a token)."""
    folded = data.lower()
    if any(name in folded for name in _SECRET_VARIABLES_FOLDED):
        return True
    return any(rest in folded and (prefix + b'"' in folded or prefix + b"'" in folded) for prefix, rest in _SECRET_VARIABLE_PIECES)


# Publicly known default values of MLflow secrets, per setting (an environment variable, or a
# key of basic_auth.ini): a committed one is a finding wherever it is, test code included, and
# no placeholder rule excuses it. MLflow 3.18.0's mlflow/server/auth/__init__.py names
# ``password1234`` the legacy default admin password (GHSA-gq3w-7jj3-x7gr; shipped in
# basic_auth.ini up to 3.x), and mlflow/utils/crypto.py's DEFAULT_KEK_PASSPHRASE is the
# passphrase every installation without MLFLOW_CRYPTO_KEK_PASSPHRASE shares.
_LEGACY_ADMIN_PASSWORD = "password1234"
KNOWN_DEFAULT_SECRETS: dict[str, tuple[str, str]] = {
    "MLFLOW_AUTH_ADMIN_PASSWORD": (_LEGACY_ADMIN_PASSWORD, "MLflow's publicly known legacy default admin password"),
    "admin_password": (_LEGACY_ADMIN_PASSWORD, "MLflow's publicly known legacy default admin password"),
    "MLFLOW_CRYPTO_KEK_PASSPHRASE": (
        "mlflow-default-kek-passphrase-for-development-only",
        "MLflow's built-in default passphrase, shared by every installation that sets none",
    ),
}

# Template values in example files: "<your-token>", "changeme", "xxx", "***",
# "databricks_token_here", "insert-key", "change-me-postgres-password",
# "REPLACE_WITH_S3_SECRET_KEY", a bare "REPLACE", "redis_pass_change_me" (the words after
# what they stand for). ("changeme123", with no separator, is a weak password.)
PLACEHOLDER = re.compile(
    r"^(<[^>]*>|\*+|x{3,}|\.{3}|(change|replace)[-_ ]?me([-_ ][a-z0-9_ -]*)?|replace[-_ ]with[-_ ][a-z0-9_ -]*"
    r"|replace|your[-_ ].*|todo|tbd|placeholder|dummy|none|null"
    r"|[a-z0-9_-]*[-_ ](goes[-_ ])?here|[a-z0-9_-]*[-_ ](change|replace)[-_ ]?me|(insert|enter|put|paste)[-_ ][a-z0-9_ -]*)$",
    re.IGNORECASE,
)
# A value that is a reference to another variable, not a literal: ${VAR}, $VAR.
REFERENCE = re.compile(r"^\$(\{[A-Za-z_][A-Za-z0-9_]*(:?-[^}]*)?\}|[A-Za-z_][A-Za-z0-9_]*)$")
# A value that is not the secret itself although it is written out: one that SOPS encrypted
# in place (``ENC[AES256_GCM,data:…,type:str]``, how helm-secrets and sops-encrypted .env and
# values files keep a credential in git), and a reference that vals, helmfile and the
# helm-secrets plugin resolve from a secret store when the file is used
# (``ref+vault://secret/mlflow#/password``, ``ref+awssecrets://…``).
_NOT_THE_SECRET = re.compile(r"^(?:ENC\[[A-Z0-9_]+,data:|ref\+[a-z0-9]+://)")

# Provider token formats: the shape alone says "credential" (kind, pattern).
_TOKEN_SHAPES: tuple[tuple[str, str], ...] = (
    ("databricks-token", r"dapi[0-9a-f]{32}(?:-\d+)?"),
    ("github-token", r"(?:gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{22,255})"),
    ("gitlab-token", r"glpat-[A-Za-z0-9_\-]{20,}"),
    ("openai-key", r"(?:sk-(?:proj|ant|svcacct|admin)-[A-Za-z0-9_\-]{20,}|sk-[A-Za-z0-9]{32,})"),
    ("huggingface-token", r"hf_[A-Za-z0-9]{30,}"),
    ("slack-token", r"xox[abposr]-[A-Za-z0-9\-]{10,}"),
    ("google-api-key", r"AIza[0-9A-Za-z_\-]{35}"),
    ("aws-access-key-id", r"(?:AKIA|ASIA|ABIA|ACCA)[0-9A-Z]{16}"),
    ("jwt", r"eyJ[A-Za-z0-9_\-]{8,}\.eyJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{8,}"),
)
_TOKEN = re.compile(
    r"(?<![A-Za-z0-9_\-])(?:" + "|".join(f"(?P<k{i}>{pattern})" for i, (_, pattern) in enumerate(_TOKEN_SHAPES)) + r")(?![A-Za-z0-9_\-])"
)
_TOKEN_KINDS = {f"k{i}": kind for i, (kind, _) in enumerate(_TOKEN_SHAPES)}

# Query parameters (after "?" or "&") and connection-string fields (after ";" or at the
# start: ``AccountKey=…;``) that carry a credential.
_SECRET_FIELD_NAMES = (
    "token", "access_token", "auth_token", "id_token", "refresh_token", "api_key", "apikey", "api-key", "key",
    "secret", "client_secret", "password", "passwd", "pwd", "sig", "signature", "x-amz-signature",
    "x-amz-security-token", "x-amz-credential", "sas", "sastoken", "accountkey", "sharedaccesskey",
    "sharedaccesssignature", "credential", "credentials",
)  # fmt: skip
_SECRET_FIELD = re.compile(
    r"(?:(?<=[?&;])|^)(?P<name>(?:" + "|".join(re.escape(n) for n in _SECRET_FIELD_NAMES) + r"))=(?P<value>[^&;#\s'\"`<>]+)",
    re.IGNORECASE,
)
_URI = re.compile(r"(?P<scheme>[A-Za-z][A-Za-z0-9+.\-]*)://(?P<rest>[^\s'\"`<>]*)")

# The same names read as the last words of a Python identifier (:func:`is_secret_name`),
# less those that in code mostly name something else: ``key`` (a dict, cache or object
# key), ``sig``/``signature`` (a model signature, in MLflow code), ``pwd`` (a directory).
_SECRET_NAME_ENDINGS = frozenset(n.replace("-", "_") for n in _SECRET_FIELD_NAMES) - {"key", "sig", "signature", "pwd"}
# ``<word>_key`` is a credential after these words (``access_key``, ``secret_access_key``).
_KEY_QUALIFIERS = frozenset({"api", "access", "secret", "private", "account", "signing", "subscription", "master"})
# ``<word>_token`` is no credential after these: pagination cursors (``page_token``) and a
# tokenizer's special tokens (``eos_token``, ``pad_token``), common in GenAI code.
_NOT_CREDENTIAL_TOKENS = frozenset(
    {"page", "next", "continuation", "cursor", "eos", "bos", "pad", "unk", "sep", "cls", "mask", "special", "stop"}
)
_IDENTIFIER_WORDS = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z0-9]+")
# SQLAlchemy-style database URLs: the password runs to the last "@" of the URL.
_DATABASE_SCHEMES = frozenset(
    {"postgresql", "postgres", "mysql", "mariadb", "mssql", "oracle", "cockroachdb", "redshift", "snowflake", "db2", "mongodb", "redis"}
)
_PORT_THEN_PATH = re.compile(r"^\d*(?:[/?#]|$)")


def token_kind(text: str) -> str | None:
    """The provider token format ``text`` is, in full (``databricks-token``), or None."""
    match = _TOKEN.fullmatch(text.strip())
    return _kind_of(match) if match is not None else None


# AWS documents example keys (AKIAIOSFODNN7EXAMPLE, wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY)
# that tests and mocks use on purpose: a shape, not a credential.
_DOCUMENTED_EXAMPLE = re.compile(r"EXAMPLE", re.IGNORECASE)
_AWS_SECRET_KEY = re.compile(r"[A-Za-z0-9/+]{40}")


def is_secret_name(name: str) -> bool:
    """Whether a Python identifier (a parameter, a variable, a dict key) names a credential:
    it ends in one of the secret field names above, read as words (``api_key``,
    ``openai_api_key``, ``db_password``, ``hf_token``, ``clientSecret``), or in a qualified
    ``key`` (``access_key``). A word that only contains one is not (``token_count``,
    ``max_tokens``, ``tokenizer``, ``secret_name``), nor a pagination or tokenizer token
    (``page_token``, ``eos_token``)."""
    words = [word.lower() for word in _IDENTIFIER_WORDS.findall(name)]
    if not words:
        return False
    if words[-1] == "key":
        return len(words) > 1 and (words[-2] in _KEY_QUALIFIERS or words[-2] in _SECRET_NAME_ENDINGS)
    if words[-1] == "token" and len(words) > 1 and words[-2] in _NOT_CREDENTIAL_TOKENS:
        return False
    return any("_".join(words[-length:]) in _SECRET_NAME_ENDINGS for length in (1, 2, 3))


# What a configuration key (a Helm value) holds, by its name: a credential, or a credential
# or the name of the Kubernetes Secret (or of the key in one) that holds it, which only the
# value tells apart (:func:`secret_key_role`).
HOLDS_SECRET = "secret"
SECRET_OR_NAME = "secret-or-name"
# ``<word>Key`` names the key of a Secret when <word> is itself a credential other than a
# "secret" (``passwordKey``, ``adminPasswordKey``, ``tokenKey``): a password key is no key.
_NAMED_BY_KEY = frozenset({"password", "passwd", "token", "credential", "credentials"})
# Words of a key that point at a Secret instead of holding a value: ``existingSecret``,
# ``existingSecretPasswordKey``, ``smtpExistingSecret``, ``passwordSecretRef``.
_REFERENCE_WORDS = frozenset({"existing", "ref"})


def secret_key_role(name: str) -> str | None:
    """What a configuration key named ``name`` holds, as Helm charts name their values:
    :data:`HOLDS_SECRET` (``password``, ``awsSecretAccessKey``, ``rootPassword``,
    ``secretKey``, ``apiToken``); :data:`SECRET_OR_NAME` when the same name is used for a
    credential and for a name (``clientSecret`` and ``certificatesSecret``,
    ``flaskServerSecretKey`` and ``clientSecretKey``, ``secretKey`` beside a ``secretName``,
    ``accessKey``: Azure's storage key or a MinIO user, a bare ``secret`` or
    ``credentials``); None for other names and for references to a Secret
    (``existingSecret``, ``existingSecretPasswordKey``, ``passwordKey``,
    ``keyOfSecretAccessKey``)."""
    if not is_secret_name(name):
        return None
    words = [word.lower() for word in _IDENTIFIER_WORDS.findall(name)]
    if _REFERENCE_WORDS.intersection(words) or words[:2] == ["key", "of"]:
        return None
    if words[-1] == "key" and len(words) > 1 and words[-2] in _NAMED_BY_KEY:
        return None
    if words[-1] in ("secret", "secrets", "credential", "credentials") or words[-2:] == ["secret", "key"] or words == ["access", "key"]:
        return SECRET_OR_NAME
    return HOLDS_SECRET


def is_real_token(text: str, variable: str | None = None) -> bool:
    """A credential by its shape alone, wherever it sits (test code included): a provider
    token format, or a 40-character AWS secret access key; documented example keys aside.
    A throwaway password in a test (``"test-password"``) is not one."""
    text = text.strip()
    if _DOCUMENTED_EXAMPLE.search(text):
        return False
    if token_kind(text) is not None:
        return True
    return (
        variable == "AWS_SECRET_ACCESS_KEY"
        and _AWS_SECRET_KEY.fullmatch(text) is not None
        and any(c.isdigit() for c in text)
        and any(c.isupper() for c in text)
        and any(c.islower() for c in text)
    )


def uri_has_real_token(text: str) -> bool:
    """A URI in ``text`` whose password, token-as-user or secret parameter is a real token."""
    for match, parts in _uris(text):
        for span in (parts.password, parts.user):
            if span is not None and is_real_token(text[span[0] : span[1]]):
                return True
        if any(is_real_token(field.group("value")) for field in _SECRET_FIELD.finditer(match.group("rest"))):
            return True
    return False


def is_token_shaped(text: str) -> bool:
    """A provider token, or a long random-looking word (letters and digits, 20+ characters)
    of the kind used as a URI's user (``https://<token>@host``)."""
    text = text.strip()
    if token_kind(text) is not None:
        return True
    return (
        len(text) >= 20
        and re.fullmatch(r"[A-Za-z0-9_\-.=+/~]+", text) is not None
        and any(c.isdigit() for c in text)
        and any(c.isalpha() for c in text)
    )


def known_default(setting: str, text: str) -> str | None:
    """What ``text`` is when it is the publicly known default of the secret ``setting``
    (``password1234`` for MLflow's admin password), for messages; else None."""
    known = KNOWN_DEFAULT_SECRETS.get(setting)
    return known[1] if known is not None and text.strip() == known[0] else None


def is_sealed(text: str) -> bool:
    """Written out but not the secret: encrypted in place by SOPS, or a ``ref+vault://``
    reference resolved from a secret store."""
    return _NOT_THE_SECRET.match(text.strip()) is not None


# A token format's prefix before a ``<...>`` placeholder: ``sha256~<token>`` (OpenShift's
# ``oc whoami --show-token``), ``dapi<your-token-here>``, ``Bearer <token>``: a template.
_PREFIXED_PLACEHOLDER = re.compile(r"^[^\s<>]{0,16}\s?<[A-Za-z][A-Za-z0-9 _.-]*>$")


def is_literal(text: str) -> bool:
    """A value written out in the file: not empty, not ``${VAR}``/``$VAR``, not a placeholder
    (also after a token format's prefix), not encrypted in place by SOPS nor a
    ``ref+vault://`` reference."""
    text = text.strip()
    return (
        bool(text)
        and not REFERENCE.match(text)
        and not PLACEHOLDER.match(text)
        and not _PREFIXED_PLACEHOLDER.match(text)
        and not is_sealed(text)
    )


# A connection string: ``Name=value`` fields separated by ";" (Azure Storage's
# ``DefaultEndpointsProtocol=https;AccountName=…;AccountKey=…;EndpointSuffix=…``).
_CONNECTION_STRING = re.compile(r"^\s*[A-Za-z][A-Za-z0-9_]*=[^;]*(?:;[A-Za-z][A-Za-z0-9_]*=[^;]*)+;?\s*$")


def is_connection_string(text: str) -> bool:
    """``Name=value`` fields separated by ";" (an Azure Storage connection string): whichever
    key holds it, its secret is its key, signature or password field (:func:`is_literal_secret`)."""
    return _CONNECTION_STRING.match(text) is not None


def is_literal_secret(value: StrValue) -> bool:
    """A complete, non-empty literal that is not a ``${VAR}`` / ``$VAR`` reference nor a
    placeholder. In a connection string the secret is its key or signature field: written
    out, it is one (``AccountKey=your_key`` is a template's placeholder, and a string with
    no such field holds no credential)."""
    if not value.complete:
        return False
    if is_connection_string(value.text):
        return any(is_literal(field.group("value")) for field in _SECRET_FIELD.finditer(value.text))
    return is_literal(value.text)


def has_literal_password(value: StrValue) -> bool:
    """A URI whose written-out part holds a credential: ``user:password@``, a token as
    the user (``https://<token>@host``) or a secret query parameter (``?token=…``)."""
    return bool(uri_secret_kinds(value.prefix))


def _kind_of(match: re.Match[str]) -> str:
    return next((_TOKEN_KINDS[name] for name, value in match.groupdict().items() if value is not None), "token")


# ----------------------------------------------------------------------------------- URIs
class UriParts:
    """The credential-bearing parts of one ``scheme://…`` URI, as spans of its text."""

    def __init__(self, scheme: str, rest: str, offset: int) -> None:
        self.scheme = scheme.lower().split("+", 1)[0]
        self.user: tuple[int, int] | None = None
        self.password: tuple[int, int] | None = None
        userinfo_end = self._userinfo_end(rest)
        if userinfo_end is not None:
            userinfo = rest[:userinfo_end]
            colon = userinfo.find(":")
            if colon >= 0:
                self.user = (offset, offset + colon)
                self.password = (offset + colon + 1, offset + userinfo_end)
            else:
                self.user = (offset, offset + userinfo_end)

    def _userinfo_end(self, rest: str) -> int | None:
        """Where the user information ends (its "@"), or None when there is none.

        As urllib reads it: the authority runs to the first "/", "?" or "#", and its user
        information to the authority's last "@". A database URL's password may hold those
        characters (SQLAlchemy reads up to the URL's last "@"); so may any password written
        unencoded, and a masked value must not leak its tail: ``user:pa/ss@host`` is read
        as user information too, unless what follows the ":" is a port and a path
        (``host:5000/a@b``)."""
        authority_end = next((i for i, c in enumerate(rest) if c in "/?#"), len(rest))
        at = rest.rfind("@", 0, authority_end)
        if at >= 0:
            return at
        last_at = rest.rfind("@")
        if last_at < 0:
            return None
        if self.scheme in _DATABASE_SCHEMES:
            return last_at
        colon = rest.find(":", 0, last_at)
        if 0 <= colon < authority_end and not _PORT_THEN_PATH.match(rest[colon + 1 :]):
            return last_at
        return None


def _uris(text: str) -> list[tuple[re.Match[str], UriParts]]:
    return [(match, UriParts(match.group("scheme"), match.group("rest"), match.start("rest"))) for match in _URI.finditer(text)]


def uri_secret_kinds(text: str) -> list[str]:
    """The literal credentials in the URIs of ``text``: ``password`` (user information),
    ``token-as-user`` (a token-shaped user with no password), ``secret-parameter`` (a query
    parameter with a secret name) and provider token formats."""
    kinds: list[str] = []
    for match, parts in _uris(text):
        if parts.password is not None:
            password = text[parts.password[0] : parts.password[1]]
            if password and is_literal(password):
                kinds.append("password")
        elif parts.user is not None and is_token_shaped(text[parts.user[0] : parts.user[1]]):
            kinds.append("token-as-user")
        for field in _SECRET_FIELD.finditer(match.group("rest")):
            if is_literal(field.group("value")):
                kinds.append("secret-parameter")
    return kinds


# -------------------------------------------------------------------------------- masking
def mask_secrets(text: str, *, style: str = "stars") -> str:
    """``text`` with every secret this module recognises hidden.

    ``style="stars"`` (messages, reports): ``***``. ``style="kind"`` (fingerprint material,
    cached snippets): ``<kind:length>``, which keeps fingerprints stable and tells different
    secrets apart by length only. Remembered for recent texts: every rendered value of every
    finding is masked, several times over (message, snippet, fingerprint), and repeated
    code repeats its values.
    """
    return _mask_secrets(text, style)


@functools.lru_cache(maxsize=4096)
def _mask_secrets(text: str, style: str) -> str:
    spans: list[tuple[int, int, str]] = []
    for _match, parts in _uris(text):
        if parts.password is not None:  # even an empty one: "user:@host" shows as "user:***@host"
            spans.append((*parts.password, "password"))
        elif parts.user is not None and is_token_shaped(text[parts.user[0] : parts.user[1]]):
            spans.append((*parts.user, "token"))
    for field in _SECRET_FIELD.finditer(text):
        spans.append((field.start("value"), field.end("value"), field.group("name").lower()))
    for token in _TOKEN.finditer(text):
        spans.append((token.start(), token.end(), _kind_of(token)))
    if not spans:
        return text
    out: list[str] = []
    position = 0
    for start, end, kind in sorted(spans):
        if start < position:  # inside a span already masked
            if end > position:
                position = end
            continue
        out.append(text[position:start])
        out.append("***" if style == "stars" else f"<{kind}:{end - start}>")
        position = end
    out.append(text[position:])
    return "".join(out)


def mask_literals(source: str) -> str:
    """Python source with the text of every string literal replaced by its length
    (``'hunter2'`` -> ``'<secret:7>'``): what a finding on a bare secret keeps of it."""
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    except (tokenize.TokenError, SyntaxError, IndentationError):
        return f"<secret:{len(source)}>"
    lines = source.splitlines(keepends=True) or [""]
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line))
    pieces: list[str] = []
    position = 0
    string_types = {tokenize.STRING, getattr(tokenize, "FSTRING_MIDDLE", -1)}
    for token in tokens:
        if token.type not in string_types:
            continue
        start = offsets[token.start[0] - 1] + token.start[1]
        end = offsets[token.end[0] - 1] + token.end[1]
        body_start, body_end = _literal_body(source, start, end, token.type == tokenize.STRING)
        pieces.append(source[position:body_start])
        pieces.append(f"<secret:{body_end - body_start}>")
        position = body_end
    pieces.append(source[position:])
    return "".join(pieces)


def _literal_body(source: str, start: int, end: int, whole: bool) -> tuple[int, int]:
    """The span between a string literal's quotes (an f-string middle is all body)."""
    if not whole:
        return start, end
    text = source[start:end]
    prefix = len(text) - len(text.lstrip("rRbBuUfFtT"))
    quote = text[prefix : prefix + 3] if text[prefix : prefix + 3] in ('"""', "'''") else text[prefix : prefix + 1]
    return start + prefix + len(quote), max(start + prefix + len(quote), end - len(quote))
