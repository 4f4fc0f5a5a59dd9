"""Redaction of secrets from any text we print or store: one place for it.

Error messages, ``sync_runs`` rows and recordings may quote URLs and command
lines; API keys, tokens and passwords in them are replaced by ``REDACTED``:
query parameters that carry secrets, ``Bearer`` tokens, Google API keys,
userinfo in URLs (``https://user:password@host``) and every secret this
process was given (``remember_secret``).
"""
from __future__ import annotations

import re

# query parameters and JSON fields that carry secrets
SECRET_PARAMS = {"key", "access_token", "oauth_token", "client_secret", "refresh_token", "code"}
SECRET_FIELDS = {"access_token", "refresh_token", "id_token", "client_secret", "token", "private_key"}

_SECRET_IN_TEXT = re.compile(
    r"((?:[?&;\s]|^)(?:%s)=)[^&\s\"']+" % "|".join(sorted(SECRET_PARAMS)), re.I
)
_BEARER = re.compile(r"(Bearer\s+)[A-Za-z0-9._~+/=-]+", re.I)
_GOOGLE_KEY = re.compile(r"AIza[0-9A-Za-z_-]{20,}")
# userinfo: "scheme://user:password@" or a bare "user:password@host" (as
# httplib2 names the server); the part before "@" holds no "/", space or "@"
_USERINFO = re.compile(r"(?:(?<=://)|(?<![^\s(\"'<=]))[^\s/@\"'<>()]+:[^\s/@\"'<>()]*@(?=[^\s/@])")
_URL_USER = re.compile(r"(?<=://)[^\s/@\"'<>()]+@(?=[^\s/@])")
# the userinfo of a URL written in notes (no "?", "#" or brackets: those end a host)
_NOTES_USERINFO = re.compile(r"(?<=://)[^\s/?#@\[\]\"'<>()]+@(?=[^\s/@])")
_known_secrets: set[str] = set()


def remember_secret(value: str | None) -> None:
    """Secrets the process holds are scrubbed from any text we print or store."""
    if value and len(value) >= 4:
        _known_secrets.add(value)


def redact(text) -> str:
    text = _SECRET_IN_TEXT.sub(r"\1REDACTED", str(text))
    text = _BEARER.sub(r"\1REDACTED", text)
    text = _GOOGLE_KEY.sub("REDACTED", text)
    if "@" in text:
        text = _USERINFO.sub("REDACTED@", text)
        text = _URL_USER.sub("REDACTED@", text)
    for secret in _known_secrets:
        text = text.replace(secret, "REDACTED")
    return text


def redact_userinfo(text):
    """``https://user:password@host`` -> ``https://REDACTED@host``, the rest of
    ``text`` as it was: what is stored of the notes' own text (a meeting's raw
    section, a talk's notes), where a ``key=`` is as likely prose as a secret."""
    if not text or "@" not in text:
        return text
    return _NOTES_USERINFO.sub("REDACTED@", text)


def redact_json(value):
    if isinstance(value, dict):
        return {k: ("REDACTED" if k in SECRET_FIELDS else redact_json(v)) for k, v in value.items()}
    if isinstance(value, list):
        return [redact_json(v) for v in value]
    if isinstance(value, str):
        return redact(value)
    return value
