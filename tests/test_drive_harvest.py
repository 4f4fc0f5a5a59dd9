"""The Drive tree harvest against the emulator: batching, pages, shortcuts, removals."""
import math
from datetime import datetime, timezone

import pytest
import sqlite_utils

from indexer.drive import harvest as drive
from indexer.google.auth import Auth
from meetup_emulator import DriveData, Emulator
from meetup_emulator.drive_data import FOLDER, SHORTCUT, make_file

KEY = "test-key-drive-5c1d"
ROOT = "1rootAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
WHEN = datetime(2021, 2, 9, 17, 0, tzinfo=timezone.utc)


def harvest(emu, db, folder=ROOT, **kw):
    client = drive.client(Auth(api_key=KEY), emu.url)
    try:
        return drive.sync_folder(db, folder, client, **kw)
    finally:
        client.close()


def files_list_calls(emu):
    return emu.stats()["calls"].get("drive.files.list", 0)


def reachable(data: DriveData, root: str) -> set[str]:
    """Ground truth from the emulator's own data: every live item under root,
    following shortcuts to folders once."""
    out, stack, seen = set(), [root], {root}
    while stack:
        folder = stack.pop()
        for fid in data.children(folder):
            f = data.files[fid]
            if f.get("trashed"):
                continue
            out.add(fid)
            target = (f.get("shortcutDetails") or {}).get("targetId")
            nxt = fid if f["mimeType"] == FOLDER else target if f["mimeType"] == SHORTCUT else None
            if nxt and nxt not in seen and (f["mimeType"] == FOLDER or f["shortcutDetails"]["targetMimeType"] == FOLDER):
                seen.add(nxt)
                stack.append(nxt)
    return out


def live_ids(db) -> set[str]:
    return {r[0] for t in ("drive_folders", "drive_files")
            for r in db.execute(f"select id from {t} where removed_at is null")}


def wide_tree(folders=45, per_folder=2):
    items = [make_file(ROOT, "Archive", FOLDER, "0AmyDrive", WHEN)]
    for i in range(folders):
        fid = f"1wide{i:028d}"
        items.append(make_file(fid, f"2021-{1 + i % 12:02d}", FOLDER, ROOT, WHEN))
        for j in range(per_folder):
            items.append(make_file(f"1file{i:04d}{j:024d}", f"clip {j}.mp4", "video/mp4", fid, WHEN, 1000 + j))
    return DriveData(items, root_folder_id=ROOT)


def test_children_of_k_folders_per_query():
    data = wide_tree(folders=45)
    with Emulator(drive=data, api_key=KEY) as emu:
        db = sqlite_utils.Database(memory=True)
        counts = harvest(emu, db)
        # root's children in 1 call, then 45 folders in ceil(45/20) = 3 OR-ed queries
        assert files_list_calls(emu) == 1 + math.ceil(45 / drive.PARENTS_PER_QUERY) == 4
        assert emu.stats()["calls"]["drive.files.get"] == 1
        assert counts["drive_folders"] == 46 and counts["drive_files"] == 90
        emu.reset_stats()
        # one folder per query, as one-query-per-folder tools do: 46 calls for the same rows
        other = sqlite_utils.Database(memory=True)
        harvest(emu, other, k=1)
        assert files_list_calls(emu) == 46
        assert live_ids(other) == live_ids(db)
    row = db["drive_files"].get("1file0044" + "0" * 23 + "1")
    assert row["path"] == "Archive/2021-09/clip 1.mp4"
    assert (row["name_date"], row["name_date_form"]) == ("2021-09", "folder:year-month")
    assert row["size"] == 1001 and row["parent_id"] == f"1wide{44:028d}"


def test_deep_chain_and_a_folder_spanning_pages():
    items = [make_file(ROOT, "Archive", FOLDER, "0AmyDrive", WHEN)]
    parent = ROOT
    for depth in range(1, 31):
        fid = f"1deep{depth:028d}"
        items.append(make_file(fid, f"level {depth}", FOLDER, parent, WHEN))
        parent = fid
    items.append(make_file("1bottom" + "0" * 26, "GMT20210209-170012_Recording_1920x1080.mp4", "video/mp4", parent, WHEN,
                           5_000_000, videoMediaMetadata={"durationMillis": "3480512", "width": 1920, "height": 1080}))
    big = "1big" + "0" * 29
    items.append(make_file(big, "Zoom", FOLDER, ROOT, WHEN))
    for i in range(2500):
        items.append(make_file(f"1many{i:028d}", f"GMT20210209-17{i % 60:02d}{i % 60:02d}_Recording.m4a", "audio/mp4",
                               big, WHEN, i))
    data = DriveData(items, root_folder_id=ROOT)
    with Emulator(drive=data, api_key=KEY) as emu:
        db = sqlite_utils.Database(memory=True)
        harvest(emu, db)
        assert live_ids(db) == reachable(data, ROOT) | {ROOT}
        # a chain cannot be batched: one query per level; the 2,500 files take 3 pages
        assert files_list_calls(emu) <= 31 + 2
    bottom = db["drive_files"].get("1bottom" + "0" * 26)
    assert bottom["path"] == "Archive/" + "/".join(f"level {d}" for d in range(1, 31)) + \
        "/GMT20210209-170012_Recording_1920x1080.mp4"
    assert (bottom["duration_s"], bottom["width"], bottom["height"]) == (3481, 1920, 1080)
    assert bottom["name_date"] == "2021-02-09T17:00:12Z" and bottom["name_date_form"] == "zoom"
    assert db.execute("select count(*) from drive_files where parent_id = ?", [big]).fetchone()[0] == 2500


def test_generated_archive_matches_the_emulators_tree():
    """Deep and wide, trashed files, a shared drive, shortcuts (one a cycle)."""
    data = DriveData.generate(folders=120, files=2600, seed=3, root_folder_id=ROOT)
    with Emulator(drive=data, api_key=KEY) as emu:
        db = sqlite_utils.Database(memory=True)
        harvest(emu, db)
        calls = files_list_calls(emu)
    assert live_ids(db) == reachable(data, ROOT) | {ROOT}
    assert calls <= math.ceil(120 / drive.PARENTS_PER_QUERY) + math.ceil(2600 / 1000) + 20
    trashed = {f["id"] for f in data.files.values() if f.get("trashed")}
    assert trashed and not trashed & live_ids(db)
    # the shared drive's folder is reached through its shortcut
    shared = [f for f in data.files.values() if f.get("driveId") and f["mimeType"] == "video/mp4"]
    assert shared and all(db["drive_files"].get(f["id"])["drive_id"] == f["driveId"] for f in shared)
    # every path starts at the root and ends with the item's name
    for path, name in db.execute("select path, name from drive_files"):
        assert path.startswith("Community Meeting Archive/") and path.endswith("/" + name)


def test_shortcut_cycle_is_walked_once():
    a, b = "1folderA" + "0" * 25, "1folderB" + "0" * 25
    items = [
        make_file(ROOT, "Archive", FOLDER, "0AmyDrive", WHEN),
        make_file(a, "A", FOLDER, ROOT, WHEN),
        make_file(b, "B", FOLDER, "0AelsewhereXX", WHEN),
        make_file("1inB" + "0" * 29, "2021-02-09 talk.mp4", "video/mp4", b, WHEN, 10),
        # A -> B (outside) -> back to A, and A -> the root
        make_file("1scAB" + "0" * 28, "to B", SHORTCUT, a, WHEN,
                  shortcutDetails={"targetId": b, "targetMimeType": FOLDER}),
        make_file("1scBA" + "0" * 28, "back to A", SHORTCUT, b, WHEN,
                  shortcutDetails={"targetId": a, "targetMimeType": FOLDER}),
        make_file("1scAR" + "0" * 28, "up", SHORTCUT, a, WHEN,
                  shortcutDetails={"targetId": ROOT, "targetMimeType": FOLDER}),
    ]
    with Emulator(drive=DriveData(items, root_folder_id=ROOT), api_key=KEY) as emu:
        db = sqlite_utils.Database(memory=True)
        harvest(emu, db)
        # root, A, B: each listed once (root; A; B) and nothing after
        assert files_list_calls(emu) == 3
    talk = db["drive_files"].get("1inB" + "0" * 29)
    assert talk["path"] == "Archive/A/to B/2021-02-09 talk.mp4"
    shortcuts = {r["name"]: r for r in db["drive_files"].rows_where("mime_type = ?", [SHORTCUT])}
    assert set(shortcuts) == {"to B", "back to A", "up"}
    assert shortcuts["back to A"]["target_id"] == a


def test_file_moved_out_of_the_tree_gets_removed_at_on_relist():
    data = wide_tree(folders=3)
    victim = "1file0001" + "0" * 24
    with Emulator(drive=data, api_key=KEY) as emu:
        db = sqlite_utils.Database(memory=True)
        harvest(emu, db)
        assert db["drive_files"].get(victim)["removed_at"] is None
        data.files["1outside" + "0" * 25] = make_file("1outside" + "0" * 25, "Elsewhere", FOLDER, "0AmyDrive", WHEN)
        data.move(victim, "1outside" + "0" * 25)
        counts = harvest(emu, db)  # an API key cannot read changes: the tree is listed again
        assert counts["mode"] == "full" and counts["removed"] == 1
        assert db["drive_files"].get(victim)["removed_at"] is not None
        # ... and moved back: live again, first_seen kept
        first = db["drive_files"].get(victim)["first_seen"]
        data.move(victim, f"1wide{1:028d}")
        harvest(emu, db)
        row = db["drive_files"].get(victim)
        assert row["removed_at"] is None and row["first_seen"] == first


def test_folder_url_forms_and_errors():
    data = wide_tree(folders=1)
    with Emulator(drive=data, api_key=KEY) as emu:
        db = sqlite_utils.Database(memory=True)
        harvest(emu, db, folder=f"https://drive.google.com/drive/folders/{ROOT}?usp=sharing")
        assert db["drive_folders"].get(ROOT)["path"] == "Archive"
        with pytest.raises(drive.DriveError, match="not a Drive folder"):
            harvest(emu, db, folder="1file0000" + "0" * 24)
        from indexer.google.client import NotFound

        with pytest.raises(NotFound) as exc:
            harvest(emu, db, folder="1nosuchfolder" + "0" * 20)
        assert KEY not in str(exc.value)
    with pytest.raises(drive.DriveError, match="not a Drive folder URL"):
        drive.folder_id_from("https://www.youtube.com/watch?v=iHBUxzSC9XE")


def test_a_root_in_a_shared_drive(tmp_path):
    """Listed with corpora=drive, and its changes read with the drive's id."""
    import json

    from google.oauth2 import service_account

    sd = "0AsharedDriveXXXXXXXUk9PVA"
    sub, rec = "1sub" + "0" * 29, "1rec" + "0" * 29
    items = [make_file(ROOT, "Shared archive", FOLDER, sd, WHEN, drive_id=sd),
             make_file(sub, "2021-02-09", FOLDER, ROOT, WHEN, drive_id=sd),
             make_file(rec, "recording.mp4", "video/mp4", sub, WHEN, 5, drive_id=sd)]
    data = DriveData(items, root_folder_id=ROOT, drives=[{"kind": "drive#drive", "id": sd, "name": "Shared"}])
    with Emulator(drive=data, api_key=KEY) as emu:
        creds = service_account.Credentials.from_service_account_info(
            emu.service_account_info(), scopes=["https://www.googleapis.com/auth/drive.readonly"])
        db = sqlite_utils.Database(memory=True)
        client = drive.client(Auth(credentials=creds), emu.url, record=tmp_path / "rec")
        drive.sync_folder(db, ROOT, client, use_changes=True)
        assert db["drive_files"].get(rec)["path"] == "Shared archive/2021-02-09/recording.mp4"
        assert db["drive_files"].get(rec)["name_date"] == "2021-02-09"
        added = data.add_file("GMT20210316-170000_Recording.m4a", sub)
        emu.reset_stats()
        counts = drive.sync_folder(db, ROOT, client, use_changes=True)
        assert counts["mode"] == "changes" and counts["added"] == 1
        assert emu.stats()["calls"] == {"drive.changes.list": 1}
        assert db["drive_files"].get(added)["drive_id"] == sd
    requests = [json.loads(p.read_text())["request"] for p in (tmp_path / "rec").glob("*.json")]
    lists = [r for r in requests if r.startswith("GET /drive/v3/files?")]
    changes = [r for r in requests if r.startswith("GET /drive/v3/changes")]
    assert lists and all("corpora=drive" in r and f"driveId={sd}" in r for r in lists)
    assert len(changes) == 2 and all(f"driveId={sd}" in r for r in changes)


def test_corpora_for_a_batch():
    assert drive.corpora_params({None}) == {}
    assert drive.corpora_params({"0Ad"}) == {"corpora": "drive", "driveId": "0Ad"}
    assert drive.corpora_params({None, "0Ad"}) == {"corpora": "allDrives"}
    assert drive.corpora_params({drive.UNKNOWN}) == {"corpora": "allDrives"}
