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

# Environment variables whose value is a credential.
SECRET_VARIABLES = frozenset(
    {
        "MLFLOW_TRACKING_PASSWORD",
        "MLFLOW_TRACKING_TOKEN",
        "DATABRICKS_TOKEN",
        "DATABRICKS_CLIENT_SECRET",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AZURE_STORAGE_ACCESS_KEY",
        "AZURE_STORAGE_CONNECTION_STRING",
        "AZURE_CLIENT_SECRET",
    }
)

# Template values in example files: "<your-token>", "changeme", "xxx", "***".
PLACEHOLDER = re.compile(
    r"^(<[^>]*>|\*+|x{3,}|\.{3}|change[-_ ]?me|replace[-_ ]?me|your[-_ ].*|todo|tbd|placeholder|dummy|none|null)$",
    re.IGNORECASE,
)
# A value that is a reference to another variable, not a literal: ${VAR}, $VAR.
REFERENCE = re.compile(r"^\$(\{[A-Za-z_][A-Za-z0-9_]*(:?-[^}]*)?\}|[A-Za-z_][A-Za-z0-9_]*)$")

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


def is_literal(text: str) -> bool:
    """A value written out in the file: not empty, not ``${VAR}``/``$VAR``, not a placeholder."""
    text = text.strip()
    return bool(text) and not REFERENCE.match(text) and not PLACEHOLDER.match(text)


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
    for match, parts in _uris(text):
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
