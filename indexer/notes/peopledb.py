"""People and organisations in the database, resolved across every notes file.

``save_notes`` keeps each talk's presenters as written (``talks.presenters``,
``talks.noted_presenters``, ``backlog_items.presenters``); ``save_people``
reads them all, resolves spellings with ``indexer.notes.people`` and writes
``people``, ``organizations``, their aliases and ``talk_presenters``. It
writes only what changed, so syncing twice leaves every row as it was.
"""
from __future__ import annotations

import json

import sqlite_utils

from indexer.notes import people as resolver
from indexer.notes.overrides import OverrideError, Overrides


def rules_from(ov: Overrides | None) -> resolver.Rules:
    if ov is None:
        return resolver.Rules()
    return resolver.Rules(
        merge_people=[[name for name, _ in group] for group in ov.people_merge],
        split_people=[name for name, _ in ov.people_split],
        merge_organizations=[[name for name, _ in group] for group in ov.organizations_merge],
        split_organizations=[name for name, _ in ov.organizations_split],
    )


def load_mentions(db: sqlite_utils.Database) -> tuple[list[resolver.Mention], list[tuple | None]]:
    """Every person written in the database, and where each row of ``talk_presenters`` comes from."""
    mentions: list[resolver.Mention] = []
    where: list[tuple | None] = []  # ("talk", talk id, position) | ("backlog", backlog id, position) | None
    tables = set(db.table_names())
    if "talks" in tables:
        rows = db.execute(
            "select id, meeting_id, presenters, noted_presenters, notes from talks order by meeting_id, position, id"
        ).fetchall()
        for tid, mid, written, noted, notes in rows:
            for pos, p in enumerate(json.loads(written or "[]"), 1):
                mentions.append(resolver.Mention(p["name"], p.get("org"), mid, tid, "agenda"))
                where.append(("talk", tid, pos))
            noted_names = [(p["name"], p.get("org")) for p in json.loads(noted or "[]")]
            for name, org in dict.fromkeys(noted_names + resolver.names_in_notes(notes or "")):
                mentions.append(resolver.Mention(name, org, mid, tid, "notes"))
                where.append(None)
    if "backlog_items" in tables:
        for bid, written in db.execute("select id, presenters from backlog_items order by notes_path, position"):
            for pos, p in enumerate(json.loads(written or "[]"), 1):
                mentions.append(resolver.Mention(p["name"], p.get("org"), None, None, "backlog"))
                where.append(("backlog", bid, pos))
    return mentions, where


def save_people(db: sqlite_utils.Database, overrides: Overrides | None = None) -> dict:
    """Resolve and write people and organisations; raises OverrideError for a rule naming nobody.

    Call inside the notes' transaction."""
    mentions, where = load_mentions(db)
    result = resolver.resolve(mentions, rules_from(overrides))
    if overrides is not None and result.unknown:
        kind, name = result.unknown[0]
        lines = {n: line for group in (overrides.people_merge if kind == "person" else overrides.organizations_merge)
                 for n, line in group}
        raise OverrideError(f"{overrides.path}:{lines.get(name, 1)}: unknown {kind} '{name}' "
                            "(no agenda or backlog writes that name)")
    if overrides is not None:
        for kind, names, known in (("person", overrides.people_split, result.people),
                                   ("organization", overrides.organizations_split, result.organizations)):
            spelled = {resolver.fold(s) for ident in known.values()
                       for s in [ident.name, *(a.spelling for a in ident.aliases)]}
            for name, line in names:
                if resolver.fold(name) not in spelled:
                    raise OverrideError(f"{overrides.path}:{line}: unknown {kind} '{name}' to split "
                                        "(no agenda or backlog writes that name)")

    people = [{"id": p.id, "name": p.name} for p in result.people.values()]
    orgs = [{"id": o.id, "name": o.name} for o in result.organizations.values()]
    presenters: dict[tuple, dict] = {}
    backlog_org: dict[str, str | None] = {}
    for i, w in enumerate(where):
        if w is None:
            continue
        if w[0] == "talk":
            key = (w[1], result.person[i])
            # a talk naming one person twice ("[Nian - Nian Tang - Spotify]") has one row for them
            if result.person[i] and key not in presenters:
                presenters[key] = {"talk_id": w[1], "person_id": result.person[i],
                                   "organization_id": result.organization[i], "position": w[2]}
        else:
            backlog_org.setdefault(w[1], None)
            if result.organization[i]:
                backlog_org[w[1]] = result.organization[i]  # the last organisation named, as before
    person_aliases = [{"person_id": p.id, "alias": a.spelling, "kind": a.kind, "evidence": a.evidence}
                      for p in result.people.values() for a in p.aliases]
    org_aliases = [{"organization_id": o.id, "alias": a.spelling, "kind": a.kind, "evidence": a.evidence}
                   for o in result.organizations.values() for a in o.aliases]

    # parents first, then what points at them, then what nobody points at any more
    _write(db, "organizations", orgs, ("id",), delete=False)
    _write(db, "people", people, ("id",), delete=False)
    _write(db, "talk_presenters", list(presenters.values()), ("talk_id", "person_id"))
    if "backlog_items" in db.table_names():
        current = dict(db.execute("select id, organization_id from backlog_items").fetchall())
        for bid, oid in backlog_org.items():
            if current.get(bid) != oid:
                db.execute("update backlog_items set organization_id = ? where id = ?", [oid, bid])
    _write(db, "person_aliases", person_aliases, ("person_id", "alias"))
    _write(db, "organization_aliases", org_aliases, ("organization_id", "alias"))
    _write(db, "people", people, ("id",), upsert=False)
    _write(db, "organizations", orgs, ("id",), upsert=False)
    return {
        "people": len(people),
        "organizations": len(orgs),
        "person_aliases": len(person_aliases),
        "organization_aliases": len(org_aliases),
    }


def _write(db, table: str, rows: list[dict], pk: tuple, upsert: bool = True, delete: bool = True) -> None:
    """Make ``table`` hold exactly ``rows``: upsert the changed ones, delete the others."""
    from indexer.store.db import upsert_rows

    rest = [c for c in db[table].columns_dict if c not in pk]
    names = ", ".join(f"[{c}]" for c in [*pk, *rest])
    current = {tuple(r[:len(pk)]): tuple(r[len(pk):]) for r in db.execute(f"select {names} from [{table}]")}
    wanted = {tuple(r[k] for k in pk): r for r in rows}
    if delete:
        stale = [k for k in current if k not in wanted]
        where = " and ".join(f"[{k}] = ?" for k in pk)
        db.conn.executemany(f"delete from [{table}] where {where}", stale)
    if upsert:
        changed = [r for k, r in wanted.items() if current.get(k) != tuple(r.get(c) for c in rest)]
        upsert_rows(db, table, changed, pk[0] if len(pk) == 1 else list(pk))
