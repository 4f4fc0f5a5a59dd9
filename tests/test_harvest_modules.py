"""The harvesters' shape: fetch_* talk to the API only, save_* write only, both
harvesters take the client the same way, and writes are batched into whole pages."""
import sqlite_utils
import pytest

from indexer.drive import harvest as drive
from indexer.youtube import harvest as youtube
from indexer.google.auth import Auth, GoogleAccess
from indexer.google.client import GoogleClient
from indexer.youtube.pipeline import Batches
from meetup_emulator import DriveData, Emulator, YouTubeData

KEY = "test-key-harvest-7e21"


@pytest.fixture(autouse=True)
def fast_backoff(monkeypatch):
    monkeypatch.setenv("MEETUP_INDEXER_BACKOFF", "0.001")


def video(vid: str, title: str = "t") -> dict:
    return {"id": vid, "snippet": {"title": title, "description": "0:00 a\n1:00 b\n2:00 c"},
            "contentDetails": {"duration": "PT5M"}}


def committed(path, table: str) -> int:
    """Rows another connection sees: only what was committed."""
    return sqlite_utils.Database(path)[table].count


def test_batches_commit_whole_pages_and_roll_back_only_the_failed_one(tmp_path):
    path = tmp_path / "b.db"
    db = sqlite_utils.Database(path)
    youtube.create_tables(db)
    now = "2026-01-01T00:00:00+00:00"

    def half_a_page(db):
        youtube.save_videos(db, [video("ccccccccccc")], now)
        raise RuntimeError("killed mid-page")

    with pytest.raises(RuntimeError):
        with Batches(db, pages=2, seconds=60) as batches:
            batches.write(youtube.save_videos, db, [video("aaaaaaaaaaa")], now)
            assert committed(path, "videos") == 0  # one page of a batch of two: not on disk yet
            batches.write(youtube.save_videos, db, [video("bbbbbbbbbbb")], now)
            assert committed(path, "videos") == 2  # the batch is full: committed
            batches.write(youtube.save_videos, db, [video("ddddddddddd")], now)
            batches.write(half_a_page, db)
    # leaving the block committed the whole pages; the failed one left nothing, not even its chapters
    assert sorted(r[0] for r in db.execute("select id from videos")) == ["aaaaaaaaaaa", "bbbbbbbbbbb", "ddddddddddd"]
    assert committed(path, "videos") == 3 and committed(path, "chapters") == 9
    assert not db.conn.in_transaction


def test_batches_leave_a_caller_s_own_transaction_to_the_caller(tmp_path):
    path = tmp_path / "c.db"
    db = sqlite_utils.Database(path)
    youtube.create_tables(db)
    with db.atomic():
        with Batches(db, pages=1) as batches:
            batches.write(youtube.save_videos, db, [video("aaaaaaaaaaa")], "2026-01-01T00:00:00+00:00")
        assert db.conn.in_transaction and committed(path, "videos") == 0
    assert committed(path, "videos") == 1


def test_client_resources_are_built_once_per_client():
    client = GoogleClient("youtube", "v3", api_key=KEY, api_endpoint="http://127.0.0.1:9")
    assert client.resource("videos") is client.resource("videos")
    assert client.resource("videos") is not client.resource("playlistItems")


def test_youtube_fetchers_need_no_database_and_savers_no_client():
    data = YouTubeData.generate(videos=120, seed=21)
    cid = next(iter(data.channels))
    with Emulator(youtube=data, api_key=KEY) as emu:
        client = GoogleAccess(api_key=KEY, api_endpoint=emu.url).client("youtube")
        channel = youtube.fetch_channel(client, cid)
        pages = list(youtube.fetch_upload_pages(client, channel["contentDetails"]["relatedPlaylists"]["uploads"]))
        videos = [v for ids, _ in pages for v in youtube.fetch_videos(client, ids)]
        client.close()
        calls = emu.stats()["calls"]
    assert calls == {"youtube.channels.list": 1, "youtube.playlistItems.list": len(pages),
                     "youtube.videos.list": len(pages)}
    db = sqlite_utils.Database(memory=True)
    youtube.create_tables(db)
    youtube.save_channel(db, channel, "2026-01-01T00:00:00+00:00")
    assert youtube.save_videos(db, videos, "2026-01-01T00:00:00+00:00")["new"] == len(data.uploads(cid))
    assert youtube.known_videos(db, cid) == set(data.uploads(cid))


def test_both_harvesters_take_the_client_the_same_way():
    yt = YouTubeData.generate(videos=60, seed=22)
    cid = next(iter(yt.channels))
    dr = DriveData.generate(folders=6, files=30, seed=3)
    with Emulator(youtube=yt, drive=dr, api_key=KEY) as emu:
        access = GoogleAccess(api_key=KEY, api_endpoint=emu.url)
        db = sqlite_utils.Database(memory=True)
        for module, target, api in ((youtube, cid, "youtube"), (drive, dr.root_folder_id, "drive")):
            client = access.client(api)
            try:
                module.harvest(db, client, target)
            finally:
                client.close()
    assert db["videos"].count == len(yt.uploads(cid))
    assert db["drive_files"].count > 0 and db["drive_folders"].get(dr.root_folder_id)["parent_id"] is None


def test_drive_fetch_tree_yields_the_rows_a_harvest_saves():
    dr = DriveData.generate(folders=8, files=40, seed=4)
    with Emulator(drive=dr, api_key=KEY) as emu:
        client = drive.client(Auth(api_key=KEY), emu.url)
        root = drive.fetch_root(client, dr.root_folder_id)
        fetched = {r["id"] for page in drive.fetch_tree(client, root) for kind in ("folders", "files")
                   for r in page[kind]}
        db = sqlite_utils.Database(memory=True)
        drive.harvest(db, client, dr.root_folder_id)
        client.close()
    saved = {r[0] for t in ("drive_folders", "drive_files") for r in db.execute(f"select id from {t}")}
    assert fetched == saved and len(saved) > 10


def test_client_builder_counts_a_google_doc_s_calls_in_the_run():
    data = YouTubeData.generate(videos=10, seed=23)
    cid = next(iter(data.channels))
    with Emulator(youtube=data, api_key=KEY) as emu:
        run = {"calls": {}, "quota_units": 0}
        assert GoogleAccess(api_endpoint=emu.url).client_builder("youtube", run)() is None  # no credentials
        client = GoogleAccess(api_key=KEY, api_endpoint=emu.url).client_builder("youtube", run)()
        youtube.fetch_channel(client, cid)
        assert run["calls"] == {}  # counted when closed, once
        client.close()
    assert run == {"calls": {"youtube.channels.list": 1}, "quota_units": 1}
