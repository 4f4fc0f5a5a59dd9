"""Google's partial-response `fields` syntax: parse once, project any JSON value.

Grammar (https://developers.google.com/youtube/v3/getting-started#fields):
    fields    := selection ("," selection)*
    selection := path ["(" fields ")"]
    path      := name ("/" name)*        name may be "*"
A parsed selection is a dict name -> sub-selection, None meaning "all of it".
"""
from __future__ import annotations

import re

from .errors import ApiError

_TOKEN = re.compile(r"\s*([A-Za-z0-9_@$.\-]+|\*|[(),/])")


class FieldsError(ValueError):
    pass


def _tokens(text: str) -> list[str]:
    pos, out = 0, []
    text = text.strip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m:
            raise FieldsError(f"Invalid field selection {text}")
        out.append(m.group(1))
        pos = m.end()
    return out


def _merge(into: dict, name: str, sub):
    if name in into:
        old = into[name]
        if old is None or sub is None:
            into[name] = None
        else:
            for k, v in sub.items():
                _merge(old, k, v)
    else:
        into[name] = sub


def parse_fields(text: str) -> dict | None:
    """`items(id,snippet/title),nextPageToken` -> {"items": {"id": None, "snippet": {"title": None}}, ...}."""
    if text is None or not text.strip():
        return None
    toks = _tokens(text)
    pos = 0

    def selections() -> dict:
        nonlocal pos
        result: dict = {}
        while True:
            if pos >= len(toks) or toks[pos] in ",()/":
                raise FieldsError(f"Invalid field selection {text}")
            path = [toks[pos]]
            pos += 1
            while pos < len(toks) and toks[pos] == "/":
                pos += 1
                if pos >= len(toks) or toks[pos] in ",()/":
                    raise FieldsError(f"Invalid field selection {text}")
                path.append(toks[pos])
                pos += 1
            sub = None
            if pos < len(toks) and toks[pos] == "(":
                pos += 1
                sub = selections()
                if pos >= len(toks) or toks[pos] != ")":
                    raise FieldsError(f"Invalid field selection {text}")
                pos += 1
            for name in reversed(path[1:]):
                sub = {name: sub}
            _merge(result, path[0], sub)
            if pos < len(toks) and toks[pos] == ",":
                pos += 1
                continue
            return result

    tree = selections()
    if pos != len(toks):
        raise FieldsError(f"Invalid field selection {text}")
    return tree


def project(value, tree: dict | None):
    """Keep only what `tree` selects; lists are projected element by element."""
    if tree is None:
        return value
    if isinstance(value, list):
        return [project(v, tree) for v in value]
    if not isinstance(value, dict):
        return value
    if "*" in tree and tree["*"] is None:
        return value
    out = {}
    star = tree.get("*", False)
    for key, sub in tree.items():
        if key == "*" or key not in value:
            continue
        v = project(value[key], sub)
        if sub is not None and v == {} and value[key] != {}:
            continue  # Google drops objects whose selected members are all absent
        out[key] = v
    if star is not False:
        for key, v in value.items():
            if key not in tree:
                out[key] = project(v, star)
    return out


def unknown_fields(tree: dict | None, schema: dict, schemas: dict) -> str | None:
    """The first selected name the discovery schema does not define, as a/b/c, or None."""
    if tree is None:
        return None
    while "$ref" in schema:
        schema = schemas[schema["$ref"]]
    if schema.get("type") == "array":
        return unknown_fields(tree, schema.get("items", {}), schemas)
    props = schema.get("properties")
    if props is None:
        return None  # free-form object (additionalProperties): anything goes
    for name, sub in tree.items():
        if name == "*":
            continue
        if name not in props:
            return name
        bad = unknown_fields(sub, props[name], schemas)
        if bad:
            return f"{name}/{bad}"
    return None


def fields_error(text: str) -> ApiError:
    return ApiError(400, "invalidParameter", f"Invalid field selection {text}", location="fields")
