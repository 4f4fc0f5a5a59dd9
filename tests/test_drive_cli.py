"""`meetup-indexer sync` with Drive: incremental runs with a service-account key, Google Docs
as notes, the notes' header as default sources, faults, SIGKILL and secrets."""
import json
import sqlite3
from datetime import datetime, timezone

import pytest
import sqlite_utils

from meetup_emulator import DriveData, Emulator, YouTubeData
from meetup_emulator.drive_data import DOC, FOLDER, make_file


KEY = "test-key-drive-9e2b7a"
FOLDER_ID = "1Op9EzMNuoZptWovcZcYVdmAuJNNNjil4"  # the folder the seed notes' header names
VOLATILE = {"first_seen", "last_seen", "synced_at", "updated_at", "removed_at"}
WHEN = datetime(2021, 2, 9, 17, 0, tzinfo=timezone.utc)

MEETING = """
## Feb 9, 2021

### Agenda:
* Flyte Egress Events [Sonja - Katrina - Nian - Spotify]
* Planning [Ketan - OSC]
"""


def notes_file(tmp_path, channel: str | None = None, folder: str = FOLDER_ID):
    head = "# Flyte Meetup Notes\n\n"
    if channel:
        head += f"[YouTube Channel](https://www.youtube.com/channel/{channel}/)\n\n"
    head += f"[Video Archives](https://drive.google.com/drive/folders/{folder}?usp=sharing)\n"
    path = tmp_path / "notes.md"
    path.write_text(head + MEETING)
    return path


def dump(db_path) -> dict:
    conn = sqlite3.connect(db_path)
    out = {}
    for (t,) in conn.execute("select name from sqlite_master where type = 'table' order by name"):
        if t == "sync_runs" or "_fts" in t:
            continue
        cols = [r[1] for r in conn.execute(f"pragma table_info([{t}])") if r[1] not in VOLATILE]
        out[t] = sorted(conn.execute(f"select {', '.join(f'[{c}]' for c in cols)} from [{t}]").fetchall(), key=repr)
    conn.close()
    return out


def small_archive():
    items = [make_file(FOLDER_ID, "Video Archives", FOLDER, "0AmyDrive", WHEN)]
    year, day = "1year" + "0" * 28, "1day" + "0" * 29
    items += [make_file(year, "2021", FOLDER, FOLDER_ID, WHEN), make_file(day, "02-09", FOLDER, year, WHEN)]
    items.append(make_file("1zoom" + "0" * 28, "GMT20210209-170012_Recording_1920x1080.mp4", "video/mp4", day, WHEN,
                           600_000_000, videoMediaMetadata={"durationMillis": "3480000", "width": 1920, "height": 1080}))
    items.append(make_file("1deck" + "0" * 28, "Flyte Egress Events.pdf", "application/pdf", day, WHEN, 2_000_000))
    items.append(make_file("1elsewhere" + "0" * 23, "Other", FOLDER, "0AmyDrive", WHEN))
    return DriveData(items, root_folder_id=FOLDER_ID)


def drive_calls(emu) -> dict:
    return {k: v for k, v in emu.stats()["calls"].items() if k.startswith("drive.")}


def test_incremental_run_with_a_service_account_key(tmp_path, run_sync):
    data = small_archive()
    day = "1day" + "0" * 29
    with Emulator(drive=data, api_key=KEY) as emu:
        sa = tmp_path / "sa.json"
        emu.write_service_account(sa)  # token_uri = the emulator: google-auth's real JWT-bearer flow
        notes, db = notes_file(tmp_path), tmp_path / "i.db"
        args = [notes, "--credentials", sa, "--api-endpoint", emu.url]
        first = run_sync(db, *args)
        assert first.exit_code == 0, first.output
        assert "YouTube skipped: no channel" in first.output
        calls = drive_calls(emu)
        assert calls["drive.changes.getStartPageToken"] == 1 and calls["drive.files.list"] >= 2
        assert sqlite_utils.Database(db)["sync_cursors"].get(f"drive:{FOLDER_ID}")["token"]

        added = data.add_file("GMT20210309-170000_Recording_1920x1080.mp4", day, size=123)
        data.rename("1deck" + "0" * 28, "Egress Events (final).pdf")
        data.trash("1zoom" + "0" * 28)
        moved_in = data.add_folder("Imported", "1elsewhere" + "0" * 23)
        inside = data.add_file("2021-02-09 Flyte sync.mp4", moved_in, size=7)
        data.move(moved_in, FOLDER_ID)
        data.add_file("unrelated.mp4", "1elsewhere" + "0" * 23)
        emu.reset_stats()
        second = run_sync(db, *args)
        assert second.exit_code == 0, second.output
        # one changes page, plus listing the one folder that moved in
        assert drive_calls(emu) == {"drive.changes.list": 1, "drive.files.list": 1}

        d = sqlite_utils.Database(db)
        assert d["drive_files"].get(added)["path"] == "Video Archives/2021/02-09/GMT20210309-170000_Recording_1920x1080.mp4"
        assert d["drive_files"].get(added)["name_date"] == "2021-03-09T17:00:00Z"
        deck = d["drive_files"].get("1deck" + "0" * 28)
        assert deck["name"] == "Egress Events (final).pdf" and deck["path"].endswith("/02-09/Egress Events (final).pdf")
        assert deck["removed_at"] is None
        assert d["drive_files"].get("1zoom" + "0" * 28)["removed_at"] is not None
        assert d["drive_files"].get(inside)["path"] == "Video Archives/Imported/2021-02-09 Flyte sync.mp4"
        assert not d["drive_files"].count_where("name = 'unrelated.mp4'")

        # moved out of the tree: removed_at on the folder and what it holds
        data.move(moved_in, "1elsewhere" + "0" * 23)
        emu.reset_stats()
        assert run_sync(db, *args).exit_code == 0
        d = sqlite_utils.Database(db)  # a sync replaces the file: open the new one
        assert d["drive_folders"].get(moved_in)["removed_at"] is not None
        assert d["drive_files"].get(inside)["removed_at"] is not None

        # nothing changed: at most 2 calls
        emu.reset_stats()
        assert run_sync(db, *args).exit_code == 0
        assert sum(drive_calls(emu).values()) <= 2

        # the incremental result equals a fresh full listing of the same tree
        emu.reset_stats()
        fresh = tmp_path / "fresh.db"
        assert run_sync(fresh, *args).exit_code == 0
        d = sqlite_utils.Database(db)
        live = "select id, name, path, parent_id from {} where removed_at is null order by id"
        for t in ("drive_files", "drive_folders"):
            assert d.execute(live.format(t)).fetchall() == sqlite_utils.Database(fresh).execute(live.format(t)).fetchall()

        # --full lists everything again
        emu.reset_stats()
        assert run_sync(db, *args, "--full").exit_code == 0
        assert drive_calls(emu)["drive.files.list"] >= 2


def test_an_api_key_relists_the_tree_every_run(tmp_path, run_sync):
    data = small_archive()
    with Emulator(drive=data, api_key=KEY) as emu:
        notes, db = notes_file(tmp_path), tmp_path / "i.db"
        assert run_sync(db, notes, "--api-key", KEY, "--api-endpoint", emu.url).exit_code == 0
        data.rename("1deck" + "0" * 28, "renamed.pdf")
        emu.reset_stats()
        assert run_sync(db, notes, "--api-key", KEY, "--api-endpoint", emu.url).exit_code == 0
        calls = drive_calls(emu)
    assert "drive.changes.list" not in calls and calls["drive.files.list"] >= 2
    assert sqlite_utils.Database(db)["drive_files"].get("1deck" + "0" * 28)["name"] == "renamed.pdf"


def test_header_links_are_the_default_sources_and_flags_override(tmp_path, flyte_channel, run_sync):
    data = small_archive()
    other = "1otherroot" + "0" * 23
    data.files[other] = make_file(other, "Other archive", FOLDER, "0AmyDrive", WHEN)
    data.add_file("2022-05-05 talk.mp4", other)
    yt = YouTubeData.generate(videos=30, seed=21, channel_id=flyte_channel)
    with Emulator(drive=data, youtube=yt, api_key=KEY) as emu:
        notes = notes_file(tmp_path, channel=flyte_channel)
        db = tmp_path / "i.db"
        res = run_sync(db, notes, "--api-key", KEY, "--api-endpoint", emu.url)
        assert res.exit_code == 0, res.output
        d = sqlite_utils.Database(db)
        assert d["videos"].count > 20
        assert {r["root_id"] for r in d["drive_folders"].rows} == {FOLDER_ID}
        assert d["drive_files"].count == 2
        # the flag wins over the header
        res = run_sync(tmp_path / "j.db", notes, "--api-key", KEY, "--api-endpoint", emu.url,
                  "--drive-folder", f"https://drive.google.com/drive/folders/{other}")
        assert res.exit_code == 0, res.output
        assert [r["path"] for r in sqlite_utils.Database(tmp_path / "j.db")["drive_files"].rows] == \
            ["Other archive/2022-05-05 talk.mp4"]


def test_google_doc_as_notes(tmp_path, clean_env, run_sync):
    doc = "1notesdoc" + "0" * 24
    data = small_archive()
    data.files[doc] = make_file(doc, "Flyte Meetup Notes", DOC, "1elsewhere" + "0" * 23, WHEN)
    data.contents[doc] = notes_file(tmp_path).read_text().replace("Feb 9, 2021", "March 9, 2021")
    with Emulator(drive=data, api_key=KEY) as emu:
        for i, arg in enumerate((f"gdoc:{doc}", f"https://docs.google.com/document/d/{doc}/edit?usp=sharing")):
            db = tmp_path / f"{i}.db"
            res = run_sync(db, arg, "--api-key", KEY, "--api-endpoint", emu.url)
            assert res.exit_code == 0, res.output
            d = sqlite_utils.Database(db)
            assert [r["id"] for r in d["meetings"].rows] == ["2021-03-09"]
            assert [r["title"] for r in d["talks"].rows_where(order_by="position")] == ["Flyte Egress Events", "Planning"]
            assert [r["path"] for r in d["notes_files"].rows] == [f"gdoc:{doc}"]
            # the doc's header named the archive: harvested too
            assert d["drive_files"].count == 2
        assert emu.stats()["calls"]["drive.files.export"] == 2
        res = run_sync(tmp_path / "x.db", "gdoc:1nosuchdoc" + "0" * 22, "--api-key", KEY, "--api-endpoint", emu.url)
        assert res.exit_code != 0 and res.output.startswith("Error: Google Doc not found")
        res = run_sync(tmp_path / "y.db", f"gdoc:{doc}", env=clean_env())
        assert res.exit_code == 1 and "needs Drive access" in res.output


def test_google_doc_falls_back_to_plain_text(monkeypatch):
    from meetup_emulator import drive_api
    from indexer.notes.files import read_gdoc

    from indexer.drive import harvest as drive
    from indexer.google.auth import Auth

    doc = "1plaindoc" + "0" * 24
    data = DriveData([make_file(doc, "Notes", DOC, "0AmyDrive", WHEN)], root_folder_id=None)
    data.contents[doc] = "## Feb 9, 2021\n\nFlyte Egress Events [Nian - Spotify]\n"
    monkeypatch.setitem(drive_api.EXPORTS, DOC, {"text/plain"})  # a Docs build without markdown export
    with Emulator(drive=data, api_key=KEY) as emu:
        client = drive.client(Auth(api_key=KEY), emu.url)
        text = read_gdoc(client.service, doc, client.execute)
        assert emu.stats()["calls"]["drive.files.export"] == 2
    # the plain-text export: no markdown heading marks
    assert text.startswith("Feb 9, 2021") and "Flyte Egress Events [Nian - Spotify]" in text


def test_faults_leave_the_same_database_as_a_clean_run(tmp_path, run_sync):
    notes = notes_file(tmp_path)
    dbs = {}
    for name, rate in (("clean", 0.0), ("flaky", 0.2)):
        data = DriveData.generate(folders=300, files=1500, seed=8, root_folder_id=FOLDER_ID)
        with Emulator(drive=data, api_key=KEY, fault_rate=rate, fault_seed=3) as emu:
            res = run_sync(tmp_path / f"{name}.db", notes, "--api-key", KEY, "--api-endpoint", emu.url)
            assert res.exit_code == 0, res.output
            if rate:
                assert emu.stats()["faults"] >= 3
        dbs[name] = dump(tmp_path / f"{name}.db")
    assert dbs["flaky"] == dbs["clean"]
    assert len(dbs["clean"]["drive_files"]) > 1000


@pytest.mark.slow
def test_sigkill_mid_harvest_then_rerun_converges(tmp_path, kill_sync_when, run_sync_process):
    notes = notes_file(tmp_path)
    data = DriveData.generate(folders=400, files=20000, seed=9, root_folder_id=FOLDER_ID)
    with Emulator(drive=data, api_key=KEY) as emu:
        args = [notes, "--api-key", KEY, "--api-endpoint", emu.url, "--quiet"]
        assert run_sync_process(tmp_path / "whole.db", *args).returncode == 0
        whole = sqlite3.connect(tmp_path / "whole.db").execute("select count(*) from drive_files").fetchone()[0]
        for attempt in range(3):  # a loaded machine may let the run finish before the kill lands
            killed = tmp_path / f"killed{attempt}.db"
            if kill_sync_when(killed, args, "drive_files"):
                partial = sqlite3.connect(killed).execute("select count(*) from drive_files").fetchone()[0]
                if 0 < partial < whole:
                    break
        else:
            pytest.fail("could not kill the harvest midway in 3 attempts")
        res = run_sync_process(killed, *args)
        assert res.returncode == 0, res.stderr
    assert dump(killed) == dump(tmp_path / "whole.db")


def test_no_secret_in_database_recordings_or_logs(tmp_path, run_sync_process):
    data = DriveData.generate(folders=30, files=400, seed=10, root_folder_id=FOLDER_ID)
    with Emulator(drive=data, api_key=KEY, fault_rate=0.1, fault_seed=4) as emu:
        sa = tmp_path / "sa.json"
        info = emu.write_service_account(sa)
        notes = notes_file(tmp_path)
        outputs = []
        for args in (
            ["--api-key", KEY, "--record", tmp_path / "rec"],
            ["--credentials", sa, "--record", tmp_path / "rec2"],
            ["--credentials", sa, "--record", tmp_path / "rec2"],  # incremental: changes.list recorded
            ["--api-key", KEY + "x"],  # a bad key, reported
            ["--api-key", KEY, "--drive-folder", "1nosuchfolder" + "0" * 20],
        ):
            r = run_sync_process(tmp_path / "i.db", notes, "--api-endpoint", emu.url, *args)
            outputs.append(r.stdout + r.stderr)
        issued = list(getattr(emu.oauth, "tokens", {}) or [])
    assert all("Error" not in o for o in outputs[:3]), outputs
    assert all(o.count("Error:") == 1 for o in outputs[3:]), outputs
    key_body = "".join(info["private_key"].splitlines()[1:-1])
    secrets = [KEY, info["private_key_id"], key_body[:64], key_body[-64:], *issued]
    files = [tmp_path / "i.db", *(tmp_path / "rec").rglob("*.json"), *(tmp_path / "rec2").rglob("*.json")]
    recorded = [json.loads(p.read_text())["request"] for p in (tmp_path / "rec2").glob("*.json")]
    assert any("/drive/v3/changes" in r for r in recorded) and not any("key=" in r for r in recorded)
    assert len(files) > 5
    for secret in secrets:
        for o in outputs:
            assert secret not in o
        for f in files:
            assert secret.encode() not in f.read_bytes(), f


def test_drive_errors_are_one_line(tmp_path, run_sync):
    data = small_archive()
    with Emulator(drive=data, api_key=KEY) as emu:
        notes = notes_file(tmp_path)
        base = [notes, "--api-key", KEY, "--api-endpoint", emu.url]
        cases = {
            "not a Drive folder id or URL: no such thing": ["--drive-folder", "no such thing"],
            "not a Drive folder URL: https://www.youtube.com/watch?v=iHBUxzSC9XE":
                ["--drive-folder", "https://www.youtube.com/watch?v=iHBUxzSC9XE"],
            "not a Drive folder: 1deck": ["--drive-folder", f"https://drive.google.com/file/d/1deck{'0' * 28}/view"],
            "Drive has no folder or file": ["--drive-folder", "1nosuchfolder" + "0" * 20],
        }
        for expected, extra in cases.items():
            res = run_sync(tmp_path / "e.db", *base, *extra)
            errors = [l for l in res.output.splitlines() if l.startswith("Error:")]
            assert res.exit_code != 0 and len(errors) == 1 and expected in errors[0], res.output
            assert KEY not in res.output
        # the failed runs are recorded as such
        statuses = [r["status"] for r in sqlite_utils.Database(tmp_path / "e.db")["sync_runs"].rows]
        assert statuses == ["failed"] * len(cases)
        # without any credential Drive is skipped, and says so when asked for by flag
        res = run_sync(tmp_path / "s.db", notes, "--drive-folder", FOLDER_ID, "--api-endpoint", emu.url)
        assert res.exit_code == 0 and "Drive skipped: no API key" in res.output


def test_zero_configuration_with_a_saved_user_token(tmp_path, flyte_channel, run_sync):
    """One token (YouTube and Drive scopes), no source flag: the header's channel and folder."""
    data = small_archive()
    yt = YouTubeData.generate(videos=12, seed=22, channel_id=flyte_channel)
    with Emulator(drive=data, youtube=yt, api_key=KEY) as emu:
        token = tmp_path / "user.token.json"
        emu.write_user_token(token, ["https://www.googleapis.com/auth/youtube.readonly",
                                     "https://www.googleapis.com/auth/drive.readonly"])
        notes, db = notes_file(tmp_path, channel=flyte_channel), tmp_path / "i.db"
        res = run_sync(db, notes, "--credentials", token, "--api-endpoint", emu.url)
        assert res.exit_code == 0, res.output
        d = sqlite_utils.Database(db)
        assert d["videos"].count >= 10 and d["drive_files"].count == 2
        data.add_file("2021-02-23 Flyte sync.mp4", FOLDER_ID)
        emu.reset_stats()
        assert run_sync(db, notes, "--credentials", token, "--api-endpoint", emu.url).exit_code == 0
        assert drive_calls(emu) == {"drive.changes.list": 1}
        d = sqlite_utils.Database(db)  # a sync replaces the file: open the new one
        assert d["drive_files"].count == 3


def test_api_key_for_youtube_and_a_service_account_for_drive(tmp_path, flyte_channel, run_sync):
    """YouTube refuses service accounts; with both flags the key serves YouTube and the
    service account serves Drive (so Drive still gets its changes feed)."""
    data = small_archive()
    yt = YouTubeData.generate(videos=12, seed=23, channel_id=flyte_channel)
    with Emulator(drive=data, youtube=yt, api_key=KEY) as emu:
        sa = tmp_path / "sa.json"
        emu.write_service_account(sa)
        notes, db = notes_file(tmp_path, channel=flyte_channel), tmp_path / "i.db"
        args = [notes, "--api-key", KEY, "--credentials", sa, "--api-endpoint", emu.url]
        res = run_sync(db, *args)
        assert res.exit_code == 0, res.output
        assert sqlite_utils.Database(db)["videos"].count >= 8
        assert drive_calls(emu)["drive.changes.getStartPageToken"] == 1
        emu.reset_stats()
        assert run_sync(db, *args).exit_code == 0
        assert drive_calls(emu) == {"drive.changes.list": 1}


def test_service_account_alone_harvests_drive_and_says_why_youtube_was_skipped(tmp_path, flyte_channel, run_sync):
    """Zero-configuration sync with a service-account key: the notes name a channel and a
    folder; YouTube refuses service accounts, so Drive is harvested and YouTube skipped in one line."""
    with Emulator(drive=small_archive(), youtube=YouTubeData.generate(videos=5, seed=1, channel_id=flyte_channel),
                  api_key=KEY) as emu:
        sa = tmp_path / "sa.json"
        emu.write_service_account(sa)
        db = tmp_path / "i.db"
        res = run_sync(db, notes_file(tmp_path, channel=flyte_channel), "--credentials", sa, "--api-endpoint", emu.url)
        calls = emu.stats()["calls"]
    assert res.exit_code == 0, res.output
    skipped = [line for line in res.output.splitlines() if line.startswith("YouTube skipped")]
    assert len(skipped) == 1 and "service accounts no channel" in skipped[0]
    assert not any(k.startswith("youtube.") for k in calls)
    assert sqlite_utils.Database(db)["drive_files"].count_where("name like 'GMT20210209%'") == 1


def test_unreadable_folder_linked_in_the_notes_is_skipped_but_an_explicit_one_fails(tmp_path, run_sync):
    missing = "1missingmissingmissingmissing00"
    with Emulator(drive=small_archive(), api_key=KEY) as emu:
        notes = notes_file(tmp_path, folder=missing)
        res = run_sync(tmp_path / "i.db", notes, "--api-key", KEY, "--api-endpoint", emu.url)
        assert res.exit_code == 0, res.output
        line = next(line for line in res.output.splitlines() if line.startswith("Drive skipped"))
        assert "cannot read the folder the notes' header links" in line and missing in line
        assert sqlite_utils.Database(tmp_path / "i.db")["meetings"].count == 1  # the notes still landed
        res = run_sync(tmp_path / "j.db", notes, "--api-key", KEY, "--api-endpoint", emu.url, "--drive-folder", missing)
    assert res.exit_code != 0
    assert res.output.strip().splitlines()[-1].startswith("Error:")
