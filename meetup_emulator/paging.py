"""Opaque page tokens: the offset and the query they belong to, so a token is only
good for the request that produced it (as with Google)."""
from __future__ import annotations

import base64
import hashlib
import json

from .errors import invalid_page_token


def _digest(scope: str) -> str:
    return hashlib.blake2b(scope.encode(), digest_size=6).hexdigest()


def make_token(scope: str, offset: int) -> str:
    raw = json.dumps([_digest(scope), offset], separators=(",", ":")).encode()
    return "C" + base64.urlsafe_b64encode(raw).decode().rstrip("=")


def read_token(token: str | None, scope: str, domain: str = "global") -> int:
    if not token:
        return 0
    try:
        if not token.startswith("C"):
            raise ValueError
        body = token[1:]
        digest, offset = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
        if digest != _digest(scope) or not isinstance(offset, int) or offset < 0:
            raise ValueError
        return offset
    except (ValueError, TypeError):
        raise invalid_page_token(domain) from None


def page(items_len: int, offset: int, size: int, scope: str) -> tuple[int, int, dict]:
    """(start, end, tokens) for one page."""
    start = min(offset, items_len)
    end = min(start + size, items_len)
    tokens = {}
    if end < items_len:
        tokens["nextPageToken"] = make_token(scope, end)
    if start > 0:
        tokens["prevPageToken"] = make_token(scope, max(0, start - size))
    return start, end, tokens
