"""Series in the database: the ``series`` table, meeting ids keyed by series, and
the matcher's input across series.

Meeting ids: a database holding one series keeps the ids it always had, the
date (``2021-02-09``); once it holds two or more, every meeting id is
``SERIES/DATE`` (``flyte-contributors/2024-06-06``). ``rekey`` moves existing
rows from one form to the other in one transaction, children first (talks,
presenters, links, recordings, talk moments, and any table with a
``meeting_id`` or ``talk_id`` column), so no row is lost and every foreign key
holds. ``meetings.date`` stays the date and ``meetings.series_id`` names the series.
"""
from __future__ import annotations

import json

import sqlite_utils

from indexer.series.project import SeriesConfig, series_from_notes, slug

def ensure_tables(db: sqlite_utils.Database) -> None:
    """The series table and the series_id columns (declared in indexer/store/schema.py)."""
    from indexer.store import schema

    schema.create(db, "notes")


def series_row(cfg: SeriesConfig, origin: str) -> dict:
    return {
        "id": cfg.id, "name": cfg.name, "notes": json.dumps(cfg.notes), "channel": cfg.channel,
        "playlist": cfg.playlist, "drive_folder": cfg.drive_folder, "timezone": cfg.timezone,
        "weekday": cfg.weekday, "hour": cfg.hour, "minute": cfg.minute if cfg.hour is not None else None,
        "title_words": json.dumps(cfg.title_words), "origin": origin,
    }


def config_of(row: dict) -> SeriesConfig:
    return SeriesConfig(
        id=row["id"], name=row["name"] or row["id"], notes=json.loads(row["notes"] or "[]"),
        channel=row["channel"], playlist=row["playlist"], drive_folder=row["drive_folder"],
        timezone=row["timezone"], weekday=row["weekday"], hour=row["hour"], minute=row["minute"] or 0,
        title_words=json.loads(row["title_words"] or "[]"),
    )


def stored_series(db: sqlite_utils.Database) -> list[SeriesConfig]:
    if "series" not in db.table_names():
        return []
    return [config_of(r) for r in db.query("select * from series order by rowid")]


def series_of_paths(db: sqlite_utils.Database, paths: list[str]) -> str | None:
    """The series these notes files were synced into before, if any."""
    if "notes_files" not in db.table_names() or "series_id" not in db["notes_files"].columns_dict or not paths:
        return None
    marks = ", ".join("?" for _ in paths)
    row = db.execute(f"select series_id from notes_files where path in ({marks}) and series_id is not null "
                     "order by path limit 1", paths).fetchone()
    return row[0] if row else None


def series_for_argument(db, arg: str, parsed: list[tuple[str, object]], texts: list[str] | None = None,
                        taken: set[str] | None = None) -> SeriesConfig:
    """The series of one notes argument (a file, a folder, a Google Doc): the one its files
    were synced into before, else a new one named from its title."""
    cfg = series_from_notes(arg, [n for _, n in parsed], texts)
    cfg.notes = [arg]
    before = series_of_paths(db, [p for p, _ in parsed])
    if before:
        cfg.id = before
        old = next((s for s in stored_series(db) if s.id == before), None)
        if old:  # what the user set by hand (project file) is kept
            for key in ("channel", "playlist", "drive_folder", "timezone", "weekday", "hour", "minute"):
                if getattr(old, key) is not None:
                    setattr(cfg, key, getattr(old, key))
            cfg.notes = list(dict.fromkeys(old.notes + [arg]))
    taken = taken if taken is not None else set()
    base, n = cfg.id, 1
    while cfg.id in taken:
        n += 1
        cfg.id = f"{base}-{n}"[:64]
    taken.add(cfg.id)
    return cfg


def save_series(db: sqlite_utils.Database, configs: list[SeriesConfig], origin: str = "notes") -> None:
    from indexer.store.db import upsert_rows

    if configs:
        upsert_rows(db, "series", [series_row(c, origin) for c in configs], "id")


def prune_series(db: sqlite_utils.Database) -> None:
    """A series no notes file belongs to, that no project file declared, is gone."""
    db.execute("delete from series where origin != 'project' and id not in "
               "(select series_id from notes_files where series_id is not null) "
               "and id not in (select series_id from meetings where series_id is not null)")


def prefixed(db: sqlite_utils.Database) -> bool:
    """Meeting ids carry their series once the database holds more than one."""
    (n,) = db.execute("select count(*) from series").fetchone()
    return n > 1


def meeting_key(meeting_id: str) -> str:
    """``flyte-contributors/2024-06-06`` -> ``2024-06-06``; a bare id is its own key."""
    return meeting_id.rsplit("/", 1)[-1] if "/" in meeting_id else meeting_id


def meeting_id(series_id: str | None, key: str, with_series: bool) -> str:
    return f"{series_id}/{key}" if with_series and series_id else key


def assign_old_rows(db: sqlite_utils.Database, default: str | None) -> int:
    """Rows of a database built before series (or by a sync that had none): notes files and
    meetings take the series of their notes file, else ``default``."""
    if default is None:
        return 0
    n = db.execute("update notes_files set series_id = ? where series_id is null", [default]).rowcount
    n += db.execute(
        "update meetings set series_id = coalesce((select series_id from notes_files "
        "where notes_files.path = meetings.notes_path), ?) where series_id is null", [default]).rowcount
    return n


def rekey(db: sqlite_utils.Database) -> int:
    """Give every meeting the id its series and the database's form call for; returns how
    many moved. Call inside a transaction."""
    with_series = prefixed(db)
    moves = []
    for mid, sid in db.execute("select id, series_id from meetings").fetchall():
        new = meeting_id(sid, meeting_key(mid), with_series)
        if new != mid:
            moves.append((mid, new))
    if not moves:
        return 0
    db.execute("pragma defer_foreign_keys = on")  # parents and children move in one transaction
    db.execute("create temp table if not exists _rekey (old text primary key, new text)")
    db.execute("delete from _rekey")
    db.conn.executemany("insert into _rekey (old, new) values (?, ?)", moves)
    tables = set(db.table_names())
    # ids made from a meeting id: talks and their children (MEETING/slug), links and recordings (MEETING:...)
    prefix = ("(select r.new || substr({col}, length(r.old) + 1) from _rekey r "
              "where substr({col}, 1, length(r.old) + 1) = r.old || '{sep}')")
    exists = ("exists (select 1 from _rekey r where substr({col}, 1, length(r.old) + 1) = r.old || '{sep}')")
    for table in sorted(tables):
        if table.startswith(("_", "sqlite_")) or table.endswith(("_fts", "_fts_data", "_fts_idx", "_fts_docsize",
                                                                "_fts_config", "_fts_content")):
            continue
        cols = db[table].columns_dict
        if "talk_id" in cols:
            db.execute(f"update [{table}] set talk_id = {prefix.format(col='talk_id', sep='/')} "
                       f"where {exists.format(col='talk_id', sep='/')}")
        if "meeting_id" in cols:
            if "id" in cols and db[table].columns_dict["id"] is str:
                for sep in (":", "/"):
                    db.execute(f"update [{table}] set id = {prefix.format(col='id', sep=sep)} "
                               f"where meeting_id in (select old from _rekey) "
                               f"and {exists.format(col='id', sep=sep)}")
            db.execute(f"update [{table}] set meeting_id = (select new from _rekey where old = meeting_id) "
                       f"where meeting_id in (select old from _rekey)")
    db.execute("update meetings set id = (select new from _rekey where old = meetings.id) "
               "where id in (select old from _rekey)")
    db.execute("drop table _rekey")
    return len(moves)


def resolve_meeting_key(key: str, ids: set[str], by_date: dict[str, list[str]]) -> str | None:
    """An overrides key to a meeting id: the id itself, or a bare date naming the only
    meeting on that date (None when no or several meetings have it)."""
    if key in ids:
        return key
    found = by_date.get(key, [])
    return found[0] if len(found) == 1 else None


def resolve_overrides(ov, meetings: list[dict]) -> None:
    """Overrides keys gain an optional series: ``2021-02-09`` still names the meeting of that
    date when only one series has one; ``flyte-contributors/2021-02-09`` names it exactly.
    Keys it cannot resolve are left for the overrides' own validation to report."""
    ids = {m["id"] for m in meetings}
    by_date: dict[str, list[str]] = {}
    for m in meetings:
        by_date.setdefault(m["date"].isoformat(), []).append(m["id"])
    for attr in ("pins", "forbids", "meeting_lines"):
        table = getattr(ov, attr)
        for key in list(table):
            new = resolve_meeting_key(key, ids, by_date)
            if new and new != key:
                table[new] = table.pop(key)
    talks = {}
    for key, value in ov.talks.items():
        mkey, _, rest = key.rpartition("/")
        new = resolve_meeting_key(mkey, ids, by_date) if mkey else None
        talks[f"{new}/{rest}" if new and new != mkey else key] = value
    ov.talks = talks


def save_assignments(db: sqlite_utils.Database, assigned: dict, candidates: list[dict]) -> int:
    """``series_recordings``: which series each recording was given to and why (recomputed by
    every match), so a series without notes still shows its videos."""
    source = {c["id"]: c["source"] for c in candidates}
    rows = [{"source": source.get(ref, "youtube"), "ref": ref, "series_id": a.series_id,
             "confidence": a.confidence, "evidence": "; ".join(a.evidence)} for ref, a in assigned.items()]
    from indexer.store import schema

    schema.create(db, "match")
    db.execute("delete from series_recordings")
    if rows:
        db["series_recordings"].insert_all(rows, pk=("source", "ref"), replace=True)
    return len(rows)


def series_count(db: sqlite_utils.Database) -> int:
    if "series" not in db.table_names():
        return 0
    return db.execute("select count(*) from series").fetchone()[0]


def match_input(db: sqlite_utils.Database, meetings: list[dict], candidates: list[dict], default_tz: str):
    """``series.match_series`` input from the database: (series profiles, meetings by
    series); candidates gain the playlists and Drive folders that hold them."""
    from indexer.series.assign import Series, words

    tables = set(db.table_names())
    series_of = dict(db.execute("select id, series_id from meetings").fetchall())
    if "playlist_videos" in tables:
        lists: dict[str, list[str]] = {}
        for pid, vid in db.execute("select playlist_id, video_id from playlist_videos"):
            lists.setdefault(vid, []).append(pid)
        for c in candidates:
            if c["source"] == "youtube":
                c["playlists"] = lists.get(c["id"], [])
    if "drive_files" in tables:
        cols = db["drive_files"].columns_dict
        picked = ", ".join(c if c in cols else "null" for c in ("root_id", "parent_id"))
        folders = {r[0]: [r[1], r[2]] for r in db.execute(f"select id, {picked} from drive_files")}
        for c in candidates:
            if c["source"] == "drive":
                c["folders"] = [f for f in folders.get(c["id"], []) if f]
    by_series: dict[str, list[dict]] = {}
    for m in meetings:
        by_series.setdefault(series_of.get(m["id"]) or "", []).append(m)
    profiles = []
    for cfg in stored_series(db):
        ms = by_series.get(cfg.id, [])
        profiles.append(Series(
            id=cfg.id, name=cfg.name, timezone=cfg.timezone or default_tz, weekday=cfg.weekday, hour=cfg.hour,
            minute=cfg.minute, title_words=cfg.title_words or [w for w in words(cfg.name) if len(w) > 1],
            playlist=cfg.playlist, drive_folder=cfg.drive_folder,
            linked={l["ref"] for m in ms for l in m["links"] if l["kind"] in ("youtube", "drive_file")},
            dates={m["date"] for m in ms if not m["cancelled"]},
            agenda={m["date"]: [t["title"] for t in m["talks"]] for m in ms if m["talks"] and not m["cancelled"]},
        ))
    return profiles, by_series


__all__ = ["assign_old_rows", "match_input", "meeting_id", "meeting_key", "prefixed",
           "prune_series", "rekey", "resolve_overrides", "save_series", "series_count", "series_for_argument",
           "series_of_paths", "slug", "stored_series"]


# ---------------------------------------------------------------------------
# the notes step of `sync`: which series each notes file is synced into


def default_notes(db: sqlite_utils.Database) -> list[str]:
    """Without NOTES: every stored series' notes arguments (folders stay folders, so new
    files in them are read), in the order the series were made."""
    return list(dict.fromkeys(n for s in stored_series(db) for n in s.notes))


def _owners(args: list[str]) -> dict[str, str]:
    """Each notes file (as ``display_path`` shows it, or ``gdoc:ID``) -> the argument that named it."""
    from indexer.notes.files import display_path, expand_notes_paths, gdoc_id

    owner: dict[str, str] = {}
    for arg in args:
        doc = gdoc_id(arg)
        if doc:
            owner.setdefault(f"gdoc:{doc}", arg)
            continue
        try:
            files = expand_notes_paths([arg])
        except Exception:  # noqa: BLE001 - the reader has already reported a bad argument
            continue
        for f, _ in files:
            owner.setdefault(display_path(f), arg)
            owner.setdefault(f, arg)
    return owner


def group_by_argument(args: list[str], parsed: list[tuple[str, object]]) -> list[tuple[str, list]]:
    """The parsed notes files grouped by the argument (file, folder, Google Doc) that named them."""
    owner = _owners(args)
    groups: dict[str, list] = {a: [] for a in args}
    for path, notes in parsed:
        groups[owner.get(path, args[0])].append((path, notes))
    return [(a, g) for a, g in groups.items() if g]


def _text(path: str) -> str:
    from indexer.notes.files import read_notes_file

    try:
        return read_notes_file(path)
    except Exception:  # noqa: BLE001 - a Google Doc, or gone: the parser's title will do
        return ""


def plan_series(db: sqlite_utils.Database, args: list[str], given: bool, parsed: list) -> list[tuple]:
    """(SeriesConfig, [(path, Notes)]) for this sync. Given NOTES: one series per argument.
    Without: the stored series again; a database built before series (or a first sync of
    data/notes/) keeps all its files in one series, as its meetings always were."""
    stored = stored_series(db)
    if not given and not stored:
        cfg = series_for_argument(db, args[0], parsed, [_text(p) for p, _ in parsed], taken=set())
        cfg.notes = list(args)
        return [(cfg, parsed)]
    plan: dict[str, tuple] = {}
    for arg, group in group_by_argument(args, parsed):
        mine = next((s for s in stored if arg in s.notes), None)
        if mine and not given:
            cfg = mine
        else:
            # the series its files were synced into before, else the one its title names (notes
            # with the same title are one series, as their meetings always were)
            cfg = series_for_argument(db, arg, group, [_text(p) for p, _ in group], taken=set())
        if cfg.id in plan:
            known, files = plan[cfg.id]
            known.notes = list(dict.fromkeys(known.notes + cfg.notes))
            files.extend(group)
        else:
            plan[cfg.id] = (cfg, list(group))
    return list(plan.values())


def save_notes_in_series(db: sqlite_utils.Database, plan: list[tuple], save_notes, warn=lambda line: None,
                         origin: str = "notes") -> dict:
    """Write this sync's notes files into their series, in the caller's transaction: the
    series rows, meetings of a database built before series moved under theirs, ids keyed
    by series once there are two, then every file. Returns the summed counts."""
    ensure_tables(db)
    had_series = series_count(db) > 0
    save_series(db, [cfg for cfg, _ in plan], origin)
    for cfg, group in plan:
        paths = [p for p, _ in group]
        if not paths:
            continue
        marks = ", ".join("?" for _ in paths)
        db.execute(f"update notes_files set series_id = ? where path in ({marks})", [cfg.id, *paths])
        db.execute(f"update meetings set series_id = ? where notes_path in ({marks})", [cfg.id, *paths])
    assign_old_rows(db, None if had_series else plan[0][0].id)
    rekey(db)
    with_series = prefixed(db)
    totals: dict[str, int] = {}
    for cfg, group in plan:
        for path, notes in group:
            for w in notes.warnings:
                warn(f"{path}:{w.line}: warning: {w.message}")
            counts = save_notes(db, notes, path, series_id=cfg.id, prefix=f"{cfg.id}/" if with_series else "")
            for k, v in counts.items():
                totals[k] = totals.get(k, 0) + v
    prune_series(db)
    rekey(db)
    totals["series"] = series_count(db)
    return totals


def plan_project(db: sqlite_utils.Database, project, parsed: list) -> list[tuple]:
    """(SeriesConfig, [(path, Notes)]) for every series of a project file, those without notes included."""
    owner = {}
    for cfg in project.series:
        for path, arg in _owners(cfg.notes).items():
            owner.setdefault(path, cfg.id)
    groups: dict[str, list] = {cfg.id: [] for cfg in project.series}
    for path, notes in parsed:
        if path in owner:
            groups[owner[path]].append((path, notes))
    return [(cfg, groups[cfg.id]) for cfg in project.series]


def make_plan(db: sqlite_utils.Database, args: list[str], given: bool, parsed: list, project=None) -> list[tuple]:
    return plan_project(db, project, parsed) if project else plan_series(db, args, given, parsed)


def one_date_per_series(db: sqlite_utils.Database, args: list[str], given: bool, parsed: list,
                        project=None) -> list[str]:
    """``sources.one_date_per_meeting`` within each series: two series may meet on one date."""
    from indexer.notes.files import one_date_per_meeting

    return [w for _, group in make_plan(db, args, given, parsed, project) for w in one_date_per_meeting(group)]
