"""Drive's `q` search language, the part a harvester uses: parse to a tree, evaluate
against a file resource. `'A' in parents or 'B' in parents and trashed = false`,
mimeType / name / time comparisons, `contains`, `not`, parentheses."""
from __future__ import annotations

import re

_TOKEN = re.compile(r"""\s*(?:
    (?P<str>'(?:[^'\\]|\\.)*')
  | (?P<op><=|>=|!=|=|<|>)
  | (?P<paren>[()])
  | (?P<word>[A-Za-z_][A-Za-z0-9_.]*)
  | (?P<num>-?\d+(?:\.\d+)?)
)""", re.X)

FIELDS = {"name", "mimeType", "trashed", "starred", "modifiedTime", "createdTime", "viewedByMeTime",
          "fullText", "parents", "owners", "writers", "readers", "sharedWithMe", "visibility",
          "properties", "appProperties", "hidden", "memberCount", "organizerCount"}


class QueryError(ValueError):
    pass


def _tokens(q: str) -> list[tuple[str, object]]:
    out, pos, q = [], 0, q.rstrip()
    while pos < len(q):
        m = _TOKEN.match(q, pos)
        if not m or m.end() == pos:
            raise QueryError(q)
        pos = m.end()
        if m.group("str") is not None:
            out.append(("str", re.sub(r"\\(.)", r"\1", m.group("str")[1:-1])))
        elif m.group("op"):
            out.append(("op", m.group("op")))
        elif m.group("paren"):
            out.append((m.group("paren"), m.group("paren")))
        elif m.group("num"):
            out.append(("num", float(m.group("num"))))
        else:
            w = m.group("word")
            lw = w.lower()
            if lw in ("and", "or", "not", "in", "contains", "has", "true", "false"):
                out.append((lw, lw))
            else:
                out.append(("field", w))
    return out


def parse_query(q: str):
    """AST: ("and", a, b) | ("or", a, b) | ("not", a) | ("in", value, field) | (op, field, value)."""
    toks = _tokens(q)
    pos = 0

    def peek():
        return toks[pos][0] if pos < len(toks) else None

    def take(kind=None):
        nonlocal pos
        if pos >= len(toks) or (kind and toks[pos][0] != kind):
            raise QueryError(q)
        pos += 1
        return toks[pos - 1]

    def value():
        k, v = take()
        if k in ("str", "num"):
            return v
        if k in ("true", "false"):
            return k == "true"
        raise QueryError(q)

    def term():
        if peek() == "not":
            take()
            return ("not", term())
        if peek() == "(":
            take()
            e = expr()
            take(")")
            return e
        if peek() in ("str", "num", "true", "false"):
            v = value()
            take("in")
            _, field = take("field")
            if field not in FIELDS:
                raise QueryError(q)
            return ("in", v, field)
        _, field = take("field")
        if field not in FIELDS:
            raise QueryError(q)
        k, op = take()
        if k == "op":
            return (op, field, value())
        if k == "contains":
            return ("contains", field, value())
        raise QueryError(q)

    def conj():
        left = term()
        while peek() == "and":
            take()
            left = ("and", left, term())
        return left

    def expr():
        left = conj()
        while peek() == "or":
            take()
            left = ("or", left, conj())
        return left

    if not toks:
        return None
    tree = expr()
    if pos != len(toks):
        raise QueryError(q)
    return tree


def _norm_time(v: str) -> str:
    # '2021-02-09' or '2021-02-09T12:00:00' compare against '2021-02-09T12:00:00.000Z'
    return str(v).rstrip("Z")


def matches(node, f: dict, text: str = "") -> bool:
    if node is None:
        return True
    kind = node[0]
    if kind == "and":
        return matches(node[1], f, text) and matches(node[2], f, text)
    if kind == "or":
        return matches(node[1], f, text) or matches(node[2], f, text)
    if kind == "not":
        return not matches(node[1], f, text)
    if kind == "in":
        _, v, field = node
        if field == "owners":
            return any(o.get("emailAddress") == v for o in f.get("owners", []))
        return v in f.get(field, [])
    op, field, v = node
    if field == "fullText":
        hay = (f.get("name", "") + " " + text).lower()
        return str(v).lower() in hay
    cur = f.get(field, False if field in ("trashed", "starred", "hidden") else None)
    if op == "contains":
        return cur is not None and str(v).lower() in str(cur).lower()
    if field.endswith("Time") and cur is not None:
        cur, v = _norm_time(cur), _norm_time(v)
    if op == "=":
        return cur == v
    if op == "!=":
        return cur != v
    if cur is None:
        return False
    return {"<": cur < v, "<=": cur <= v, ">": cur > v, ">=": cur >= v}[op]


def required_parents(node) -> list[str] | None:
    """Parents one of which every match must have, if the query says so (the index
    lookup that keeps OR-batched folder listings cheap), else None."""
    if node is None:
        return None
    kind = node[0]
    if kind == "in" and node[2] == "parents":
        return [node[1]]
    if kind == "and":
        return required_parents(node[1]) or required_parents(node[2])
    if kind == "or":
        a, b = required_parents(node[1]), required_parents(node[2])
        return a + b if a is not None and b is not None else None
    return None


def count_parents(node) -> int:
    if node is None or node[0] in ("=", "!=", "<", "<=", ">", ">=", "contains"):
        return 0
    if node[0] == "in":
        return int(node[2] == "parents")
    return sum(count_parents(n) for n in node[1:])
