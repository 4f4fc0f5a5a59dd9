"""One person written several ways is one person; one organisation likewise (pure).

Agendas write ``Nian``, the talk's notes ``Nian Tang from Spotify``, a chat
export ``@nian``; organisations come as ``Lyft L5``, ``L5 Lyft``, ``Lyft
Level 5``, ``Spotify AB``. ``resolve`` takes every mention (a name as written,
its organisation, where it was written) and decides, on evidence only:

- spellings that differ in case, accents, spacing or a title (``Dr.``) are one;
- a full name (two words or more) is a person; two different full names are
  never merged;
- a bare first name (or a handle equal to one) joins the one full name starting
  with it that shares, in this order, its talk, its meeting (organisations not
  contradicting) or its organisation; with two candidates at that level it is
  ambiguous and stays a person of its own;
- a handle written as the whole name (``@niantang``, ``[name=nian.tang]``) is
  that person;
- a bare first name without such evidence joins the full name its spelling was
  resolved to elsewhere when there is exactly one and the organisations agree;
- organisation spellings are one organisation when they read the same ignoring
  case, accents, punctuation, legal suffixes (``AB``, ``Inc.``), a numbered
  word shortened (``Level 5`` / ``L5``) and word order.

Names found only in notes never make a person or an organisation: they are
evidence and aliases. The overrides file can merge spellings or keep one apart
(``Rules``). Ids are slugs of the canonical names, so they stay stable as long
as the spelling agendas use most stays the same.
"""
from __future__ import annotations

import functools
import re
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from indexer.notes import slugify


@dataclass(frozen=True)
class Mention:
    """A person as written somewhere: the name, its organisation, and where."""

    name: str
    org: str | None = None
    meeting: str | None = None  # meeting id (date); None for the backlog
    talk: str | None = None
    source: str = "agenda"  # agenda | backlog | notes


@dataclass
class Alias:
    spelling: str
    kind: str  # spelling | first-name | handle | override
    evidence: str


@dataclass
class Identity:
    """A resolved person or organisation."""

    id: str
    name: str
    aliases: list[Alias] = field(default_factory=list)


@dataclass
class Rules:
    """Hand-made corrections: spellings to merge into one, spellings to keep apart."""

    merge_people: list[list[str]] = field(default_factory=list)
    split_people: list[str] = field(default_factory=list)
    merge_organizations: list[list[str]] = field(default_factory=list)
    split_organizations: list[str] = field(default_factory=list)


@dataclass
class Resolution:
    people: dict[str, Identity]
    organizations: dict[str, Identity]
    # aligned with the mentions given: person id / organisation id, None when
    # the mention makes nobody (a name or organisation found only in notes)
    person: list[str | None]
    organization: list[str | None]
    # spellings of the rules that name nobody: (kind, spelling)
    unknown: list[tuple[str, str]] = field(default_factory=list)


# ---------------------------------------------------------------- normalising

_TITLES = {"dr", "prof", "mr", "mrs", "ms", "mx", "sir"}
_LEGAL = {"ab", "ag", "bv", "co", "corp", "corporation", "gmbh", "inc", "incorporated", "limited", "llc",
          "ltd", "nv", "oy", "plc", "pty", "sa", "sas", "se", "srl"}
_HANDLE = re.compile(r"^\s*(?:@([\w.-]+)|\[?\s*name\s*=\s*@?([^\]\s]+)\s*\]?)\s*$", re.I)


@functools.lru_cache(maxsize=65536)  # the same few hundred names, written thousands of times
def fold(text: str) -> str:
    """Case, accents and spacing folded away."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return " ".join(text.casefold().split())


@functools.lru_cache(maxsize=65536)
def name_tokens(name: str) -> tuple[str, ...]:
    """``"Dr. Nian  Tang"`` -> ``("nian", "tang")``."""
    words = re.findall(r"[^\W_]+(?:['’-][^\W_]+)*", fold(name))
    while len(words) > 1 and words[0] in _TITLES:
        words = words[1:]
    return tuple(words)


_LOWER_WORD = re.compile(r"^\s*[a-z][a-z0-9._-]*[a-z0-9]\s*$")


def handle_of(name: str) -> str | None:
    """``@nian``, ``[name=nian]`` -> ``nian`` (separators dropped); None for a name."""
    m = _HANDLE.match(name)
    if not m:
        return None
    return re.sub(r"[._-]+", "", fold(m.group(1) or m.group(2))) or None


_ORG_STEPS = {
    "case": "case",
    "accents": "accents",
    "punctuation": "punctuation or spacing",
    "legal": "a legal suffix",
    "number": "a numbered word shortened ('Level 5' as 'L5')",
    "order": "word order",
}


def org_key(name: str, skip: frozenset = frozenset()) -> tuple[str, ...]:
    """The organisation name read loosely (the steps in ``skip`` left out): equal keys, one organisation."""
    text = name
    if "accents" not in skip:
        text = "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))
    if "case" not in skip:
        text = text.casefold()
    words = re.findall(r"[^\W_]+", text.replace("&", " and ")) if "punctuation" not in skip else text.split()
    if "legal" not in skip:
        while len(words) > 1 and words[-1].casefold().strip(".,") in _LEGAL:
            words = words[:-1]
    if "number" not in skip:
        short: list[str] = []
        for w in words:  # "level 5" -> "l5"
            if w.isdigit() and short and short[-1].isalpha():
                short[-1] = short[-1][0] + w
            else:
                short.append(w)
        words = short
    return tuple(sorted(words) if "order" not in skip else words)


def _org_evidence(alias: str, canonical: str) -> str:
    """What differs between two spellings of one organisation: the steps without which they differ."""
    needed = [text for step, text in _ORG_STEPS.items()
              if org_key(alias, frozenset({step})) != org_key(canonical, frozenset({step}))]
    return f"the same name as '{canonical}' but for {', '.join(needed) or 'spacing'}"


def _rank(spelling: str, uses: list[int], mentions: list[Mention], fuller: bool) -> tuple:
    """Sort key of a spelling: the one agendas write most, then (for people) the fuller, then the first written."""
    counts = Counter(mentions[i].source for i in uses)
    return (-counts["agenda"], -counts["backlog"], -counts["notes"], -len(spelling.split()) if fuller else 0,
            min(uses), spelling)


def _unique_ids(identities: list[tuple[str, str, str | None]]) -> list[str]:
    """(sort key, name, qualifier) -> ids: slug of the name, then name + qualifier, then -2, -3."""
    taken: set[str] = set()
    out = []
    for _, name, qualifier in identities:
        pid = slugify(name)
        if pid in taken and qualifier:
            pid = slugify(f"{name} {qualifier}")
        base, n = pid, 2
        while pid in taken:
            pid, n = f"{base}-{n}", n + 1
        taken.add(pid)
        out.append(pid)
    return out


class _UnionFind:
    def __init__(self):
        self.parent: dict = {}

    def find(self, x):
        self.parent.setdefault(x, x)
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def union(self, a, b):
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            # the smaller key leads: the result does not depend on the order of unions
            self.parent[max(ra, rb)] = min(ra, rb)


# ---------------------------------------------------------------- organisations

def _resolve_organizations(mentions: list[Mention], rules: Rules, unknown: list):
    """-> (identities by id, org id per mention, group key per mention)."""
    split = {fold(s) for s in rules.split_organizations}
    key_of: dict[str, tuple] = {}
    for m in mentions:
        if m.org and m.org not in key_of:
            key_of[m.org] = ("=", fold(m.org)) if fold(m.org) in split else org_key(m.org)
    groups = _UnionFind()
    for k in key_of.values():
        groups.find(k)
    for names in rules.merge_organizations:
        keys = []
        for n in names:
            found = [k for s, k in key_of.items() if fold(s) == fold(n) or k == org_key(n)]
            if not found:
                unknown.append(("organization", n))
            keys.extend(found)
        for k in keys[1:]:
            groups.union(keys[0], k)
    uses: dict = defaultdict(lambda: defaultdict(list))  # group -> spelling -> mention indexes
    for i, m in enumerate(mentions):
        if m.org:
            uses[groups.find(key_of[m.org])][m.org].append(i)
    made = []
    for group, spellings in uses.items():
        if not any(mentions[i].source != "notes" for ms in spellings.values() for i in ms):
            continue  # only ever written in notes ("from new company"): not an organisation
        ranked = sorted(spellings, key=lambda s: _rank(s, spellings[s], mentions, fuller=False))
        count = sum(len(ms) for ms in spellings.values())
        made.append(((-count, ranked[0]), group, ranked))
    made.sort()
    ids = _unique_ids([(key, ranked[0], None) for key, _, ranked in made])
    identities, id_of_group = {}, {}
    for oid, (_, group, ranked) in zip(ids, made):
        canonical = ranked[0]
        aliases = []
        for s in ranked[1:]:
            if org_key(s) == org_key(canonical):
                aliases.append(Alias(s, "spelling", _org_evidence(s, canonical)))
            else:
                aliases.append(Alias(s, "override", "merged by the overrides file"))
        identities[oid] = Identity(oid, canonical, sorted(aliases, key=lambda a: a.spelling))
        id_of_group[group] = oid
    org_ids = [id_of_group.get(groups.find(key_of[m.org])) if m.org else None for m in mentions]
    group_of = [groups.find(key_of[m.org]) if m.org else None for m in mentions]
    return identities, org_ids, group_of


# ---------------------------------------------------------------- people

@dataclass
class _Person:
    key: tuple  # ("full", tokens) | ("bare", spelling key[, org group])
    mentions: list[int] = field(default_factory=list)
    # spelling -> (kind, evidence) of how it joined this person
    joined: dict[str, tuple[str, str]] = field(default_factory=dict)


def resolve(mentions: list[Mention], rules: Rules | None = None) -> Resolution:
    rules = rules or Rules()
    unknown: list[tuple[str, str]] = []
    organizations, org_ids, org_group = _resolve_organizations(mentions, rules, unknown)
    org_name = {oid: o.name for oid, o in organizations.items()}
    split = {fold(s) for s in rules.split_people}

    # what each mention is: a full name, a bare first name, or a handle
    kinds: list[tuple[str, tuple | str | None]] = []
    for m in mentions:
        # agendas keep "[name=kbates]" as "kbates": a lowercase word reads as a handle too
        h = handle_of(m.name) or (re.sub(r"[._-]+", "", m.name.strip()) if _LOWER_WORD.match(m.name) else None)
        if h:
            kinds.append(("handle", h))
            continue
        tokens = name_tokens(m.name)
        kinds.append(("full", tokens) if len(tokens) > 1 else ("first", tokens[0]) if tokens else ("none", None))

    people: dict[tuple, _Person] = {}
    for i, (kind, value) in enumerate(kinds):
        if kind == "full":
            people.setdefault(("full", value), _Person(("full", value))).mentions.append(i)
    fulls = list(people.values())
    by_first: dict[str, list[_Person]] = defaultdict(list)
    for p in fulls:
        if fold(" ".join(p.key[1])) not in split:
            by_first[p.key[1][0]].append(p)
    concatenated = {"".join(p.key[1]): p for p in fulls}

    # where each full name is written: its talks, its meetings (with their organisations), its organisations
    talks_of: dict[int, set] = {}
    meetings_of: dict[int, dict] = {}
    orgs_of: dict[int, set] = {}
    for p in fulls:
        talks_of[id(p)] = {mentions[j].talk for j in p.mentions} - {None}
        meetings_of[id(p)] = defaultdict(set)
        for j in p.mentions:
            if mentions[j].meeting:
                meetings_of[id(p)][mentions[j].meeting].add(org_group[j])
        orgs_of[id(p)] = {org_group[j] for j in p.mentions} - {None}

    def same_meeting(p: _Person, i: int) -> bool:
        """Written at the mention's meeting, with no organisation or the mention's."""
        there = meetings_of[id(p)].get(mentions[i].meeting)
        return bool(there) and (org_group[i] is None or None in there or org_group[i] in there)

    def candidates(i: int, first: str, handle: bool) -> list[_Person]:
        if not handle:
            return by_first.get(first, [])
        # a handle may also be first initial + last name ("ntang")
        return [p for ps in by_first.values() for p in ps if first in (p.key[1][0], p.key[1][0][0] + p.key[1][-1])]

    def full_name(p: _Person) -> str:
        return mentions[p.mentions[0]].name

    attached: dict[int, _Person] = {}
    evidence: dict[int, tuple[str, str]] = {}
    spelling_to: dict[str, set[int]] = defaultdict(set)  # bare spelling -> ids of full persons it joined
    pending: list[int] = []
    for i, (kind, value) in enumerate(kinds):
        if kind not in ("first", "handle"):
            continue
        m = mentions[i]
        word = m.name.strip()
        if kind == "handle" and value in concatenated and fold(word) not in split:
            p = concatenated[value]
            attached[i] = p
            evidence[i] = ("handle", f"the handle '{word}' is '{full_name(p)}' written as one word")
            continue
        if fold(word) in split:
            pending.append(i)
            continue
        cands = candidates(i, value, kind == "handle")
        same_org = org_name.get(org_ids[i]) or m.org
        tiers = [
            ("name a presenter of the same talk", m.talk, lambda p: m.talk in talks_of[id(p)]),
            ("were written at the same meeting", m.meeting, lambda p: bool(m.meeting) and same_meeting(p, i)),
            ("were written with the same organisation", same_org, lambda p: org_group[i] in orgs_of[id(p)]),
        ]
        for where, place, test in tiers:
            found = [p for p in cands if test(p)]
            if len(found) == 1:
                p = found[0]
                attached[i] = p
                evidence[i] = ("handle" if kind == "handle" else "first-name",
                               f"'{word}' and '{full_name(p)}' {where} ({place})")
                spelling_to[fold(word)].add(id(p))
                break
            if len(found) > 1:
                break  # ambiguous: two people could be meant
        if i not in attached:
            pending.append(i)
    # a first name with no evidence of its own joins the one person its spelling means elsewhere
    full_by_ref = {id(p): p for p in fulls}
    for i in pending:
        m, word = mentions[i], mentions[i].name.strip()
        meant = spelling_to.get(fold(word), set())
        if len(meant) == 1 and fold(word) not in split:
            p = full_by_ref[next(iter(meant))]
            if org_group[i] is None or org_group[i] in orgs_of[id(p)]:
                attached[i] = p
                evidence[i] = ("first-name", f"'{word}' is written for '{full_name(p)}' elsewhere")
                continue
        key = ("bare", kinds[i][1]) + ((org_group[i],) if fold(word) in split else ())
        people.setdefault(key, _Person(key)).mentions.append(i)
    for i, p in attached.items():
        p.mentions.append(i)
        p.joined.setdefault(mentions[i].name.strip(), evidence[i])

    # the overrides file: spellings to merge
    persons = list(people.values())
    index_of = {id(p): n for n, p in enumerate(persons)}
    groups = _UnionFind()
    for n in range(len(persons)):
        groups.find(n)
    for names in rules.merge_people:
        found = []
        for name in names:
            hits = [index_of[id(p)] for p in persons if any(
                fold(mentions[j].name.strip()) == fold(name) or slugify(mentions[j].name) == name
                for j in p.mentions)]
            if not hits:
                unknown.append(("person", name))
            found.extend(hits)
        for n in found[1:]:
            groups.union(found[0], n)
    merged: dict[int, list[_Person]] = defaultdict(list)
    for n, p in enumerate(persons):
        merged[groups.find(n)].append(p)

    made = []
    for group in merged.values():
        idx = sorted({j for p in group for j in p.mentions})
        if not any(mentions[j].source != "notes" for j in idx):
            continue  # named only in notes: evidence, not a presenter
        spellings: dict[str, list[int]] = defaultdict(list)
        for j in idx:
            spellings[mentions[j].name.strip()].append(j)
        ranked = sorted(spellings, key=lambda s: _rank(s, spellings[s], mentions, fuller=True))
        orgs = Counter(org_ids[j] for j in idx if org_ids[j])
        main_org = org_name[min(orgs, key=lambda o: (-orgs[o], o))] if orgs else None
        first_meeting = min((mentions[j].meeting for j in idx if mentions[j].meeting), default="9999")
        made.append({"group": group, "idx": idx, "ranked": ranked,
                     "org": main_org, "order": (-len(idx), first_meeting, ranked[0])})
    # two people may not share a display name: the one with a full name shows it instead
    taken = Counter(fold(d["ranked"][0]) for d in made)
    for d in made:
        if taken[fold(d["ranked"][0])] > 1:
            full = [s for s in d["ranked"] if len(name_tokens(s)) > 1]
            if full:
                d["ranked"].remove(full[0])
                d["ranked"].insert(0, full[0])
    made.sort(key=lambda d: d["order"])
    ids = _unique_ids([(d["order"], d["ranked"][0], d["org"]) for d in made])
    people_out: dict[str, Identity] = {}
    person_ids: list[str | None] = [None] * len(mentions)
    for pid, d in zip(ids, made):
        canonical = d["ranked"][0]
        joined = {s: ev for p in d["group"] for s, ev in p.joined.items()}
        aliases = []
        origin: dict[str, set[int]] = defaultdict(set)  # spelling -> which merged persons write it
        for n, p in enumerate(d["group"]):
            for j in p.mentions:
                origin[mentions[j].name.strip()].add(n)
        for s in d["ranked"][1:]:
            if not origin[s] & origin[canonical]:
                aliases.append(Alias(s, "override", "merged by the overrides file"))
            elif name_tokens(s) == name_tokens(canonical) and not handle_of(s):
                aliases.append(Alias(s, "spelling", f"'{s}' is '{canonical}' written with other case, accents "
                                                    "or spacing"))
            elif s in joined:
                aliases.append(Alias(s, *joined[s]))
            elif canonical in joined:
                aliases.append(Alias(s, *joined[canonical]))
            else:
                # a variant of a joined spelling, or the full name the canonical first name joined
                ev = next((e for t, e in joined.items() if name_tokens(t) == name_tokens(s)), None)
                ev = ev or next(iter(joined.values()), ("spelling", f"written for '{canonical}'"))
                aliases.append(Alias(s, *ev))
        people_out[pid] = Identity(pid, canonical, sorted(aliases, key=lambda a: a.spelling))
        for j in d["idx"]:
            person_ids[j] = pid
    return Resolution(people_out, organizations, person_ids, org_ids, unknown)


# ---------------------------------------------------------------- names in notes

_NOTED = re.compile(
    r"\b(?i:presenters?|speakers?|presented by)\s*:?\s*"
    r"(?P<name>[A-ZÀ-Þ][\w’'-]+(?:\s+[A-ZÀ-Þ][\w’'-]+){0,3})"
    r"(?:\s+(?:from|of|at|@)\s+(?P<org>[A-Z0-9][\w.&-]*(?:\s+[A-Z0-9][\w.&-]*){0,3}))?",
)
_HANDLES = re.compile(r"\[name=\s*@?([^\]\s]+)\s*\]|(?<![\w@/.])@([A-Za-z][\w.-]*[A-Za-z0-9])")


def names_in_notes(text: str) -> list[tuple[str, str | None]]:
    """People a talk's notes name: ``Presenter: Nian Tang from Spotify``, ``@nian``, ``[name=nian]``."""
    out: list[tuple[str, str | None]] = []
    for m in _NOTED.finditer(text or ""):
        out.append((m.group("name"), m.group("org")))
    for m in _HANDLES.finditer(text or ""):
        out.append(("[name=" + m.group(1) + "]" if m.group(1) else "@" + m.group(2), None))
    return list(dict.fromkeys(out))
