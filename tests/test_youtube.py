"""The YouTube harvester against the emulator: real googleapiclient, real databases."""
import json
import math

import pytest
import sqlite_utils

from meetup_emulator import Emulator, YouTubeData
from indexer.google.client import GoogleClient
from indexer.youtube.harvest import harvest, parse_channel_ref, ChannelRefError, video_row, live_status



@pytest.fixture(autouse=True)
def fast_backoff(monkeypatch):
    monkeypatch.setenv("MEETUP_INDEXER_BACKOFF", "0.001")


def client(emu, **kw):
    return GoogleClient("youtube", "v3", api_key=emu.api_key, api_endpoint=emu.url, **kw)


def uploads_count(data, channel_id):
    return len(data.uploads(channel_id))


# ---------------------------------------------------------------- pure parts

@pytest.mark.parametrize(
    "ref, expected",
    [
        ("UCNduEoLOToNo3nFVly-vUTQ", ("id", "UCNduEoLOToNo3nFVly-vUTQ")),
        ("https://www.youtube.com/channel/UCNduEoLOToNo3nFVly-vUTQ/", ("id", "UCNduEoLOToNo3nFVly-vUTQ")),
        ("@flyteorg", ("handle", "@flyteorg")),
        ("https://www.youtube.com/@flyteorg/videos", ("handle", "@flyteorg")),
        ("youtube.com/@flyteorg", ("handle", "@flyteorg")),
        ("https://m.youtube.com/user/flyteorg", ("username", "flyteorg")),
    ],
)
def test_channel_refs(ref, expected):
    assert parse_channel_ref(ref) == expected


def test_custom_url_asks_for_handle_or_id():
    with pytest.raises(ChannelRefError) as exc:
        parse_channel_ref("https://www.youtube.com/c/FlyteOrg")
    assert "/c/FlyteOrg" in str(exc.value) and "@handle" in str(exc.value)
    with pytest.raises(ChannelRefError, match="video URL"):
        parse_channel_ref("https://youtu.be/iHBUxzSC9XE")


def test_video_row_prefers_actual_start_and_converts_units(flyte_channel):
    video = {
        "id": "iHBUxzSC9XE",
        "snippet": {"publishedAt": "2021-02-10T03:00:00Z", "channelId": flyte_channel, "title": "Sync",
                    "description": "d", "tags": ["flyte"], "liveBroadcastContent": "none",
                    "thumbnails": {"high": {"url": "h.jpg"}, "maxres": {"url": "m.jpg"}}},
        "contentDetails": {"duration": "PT1H2M3S"},
        "statistics": {"viewCount": "1200", "likeCount": "7"},
        "liveStreamingDetails": {"actualStartTime": "2021-02-09T17:01:02Z", "actualEndTime": "2021-02-09T18:00:00Z"},
        "recordingDetails": {"recordingDate": "2021-02-08T00:00:00Z"},
        "status": {"privacyStatus": "public"},
    }
    row = video_row(video)
    assert row["recorded_at"] == "2021-02-09T17:01:02+00:00"
    assert row["published_at"] == "2021-02-10T03:00:00+00:00"
    assert row["duration_s"] == 3723 and row["views"] == 1200 and row["likes"] == 7 and row["comments"] is None
    assert json.loads(row["tags"]) == ["flyte"]
    assert row["thumbnail_url"] == "m.jpg" and row["live_status"] == "was_live"
    assert row["url"] == "https://www.youtube.com/watch?v=iHBUxzSC9XE"
    del video["liveStreamingDetails"]
    assert video_row(video)["recorded_at"] == "2021-02-08T00:00:00+00:00"
    assert live_status(video) == "none"


# ---------------------------------------------------------------- harvest

def test_full_harvest_pages_through_many_pages(api_key):
    data = YouTubeData.generate(videos=430, seed=3)
    cid = next(iter(data.channels))
    n = uploads_count(data, cid)
    with Emulator(youtube=data, api_key=api_key) as emu:
        db = sqlite_utils.Database(memory=True)
        result = harvest(db, client(emu), cid)
        stats = emu.stats()
    assert result.new == n == db["videos"].count and n > 400
    pages = math.ceil(n / 50)
    assert stats["calls"]["youtube.videos.list"] == pages
    assert result.pages == pages
    assert "youtube.search.list" not in stats["calls"]
    # every listed video is stored with its details; ids match the emulator's uploads
    assert {r[0] for r in db.execute("select id from videos")} == set(data.uploads(cid))
    row = db.execute("select max(duration_s), min(url), max(raw), count(duration_s) from videos").fetchone()
    assert row[0] > 0 and row[1].startswith("https://www.youtube.com/watch?v=") and json.loads(row[2])["id"]
    assert row[3] == n
    # playlists and their items, including the private/deleted entries ordinary playlists keep
    assert db["playlists"].count == len(data.playlists) > 0
    assert db["playlist_videos"].count == sum(len(v) for v in data.playlist_items.values())
    # chapters parsed from descriptions
    assert db["chapters"].count > 0
    bad = db.execute(
        "select count(*) from chapters c join videos v on v.id = c.video_id where c.end_s > v.duration_s"
    ).fetchone()[0]
    assert bad == 0


def test_incremental_resync_asks_less_and_finds_new_videos(api_key):
    data = YouTubeData.generate(videos=300, seed=4)
    cid = next(iter(data.channels))
    n = uploads_count(data, cid)
    with Emulator(youtube=data, api_key=api_key) as emu:
        db = sqlite_utils.Database(memory=True)
        harvest(db, client(emu), cid)
        full = emu.stats()
        emu.reset_stats()
        quiet = harvest(db, client(emu), cid)
        again = emu.stats()
        assert quiet.new == 0 and quiet.removed == 0
        # one uploads page instead of all of them; every known video refreshed 50 at a time
        assert again["calls"]["youtube.playlistItems.list"] == 1
        assert again["calls"]["youtube.videos.list"] == math.ceil(n / 50)
        assert again["quota_units"] <= math.ceil(n / 50) + 3 < full["quota_units"]
        emu.reset_stats()
        harvest(db, client(emu), cid, refresh=False)
        assert emu.stats()["quota_units"] == 3
        # new uploads are found by the first page
        emu.reset_stats()
        new_id = data.add_video(title="Flyte Community Sync - Dec 1, 2026", published_at="2026-12-01T17:00:00Z",
                                description="0:00 Intro\n1:00 Demo\n5:00 Q&A")
        r = harvest(db, client(emu), cid, refresh=False)
        assert r.new == 1 and emu.stats()["quota_units"] == 4
        assert db["videos"].get(new_id)["title"] == "Flyte Community Sync - Dec 1, 2026"
        assert [c["title"] for c in db["chapters"].rows_where("video_id = ?", [new_id], order_by="start_s")] == [
            "Intro", "Demo", "Q&A"]


def test_removed_and_private_videos_are_flagged_not_deleted(api_key):
    data = YouTubeData.generate(videos=120, seed=5)
    cid = next(iter(data.channels))
    with Emulator(youtube=data, api_key=api_key) as emu:
        db = sqlite_utils.Database(memory=True)
        harvest(db, client(emu), cid)
        before = db["videos"].count
        uploads = data.uploads(cid)
        gone, hidden = uploads[-1], uploads[-2]  # old ones: an incremental listing never reaches them
        data.remove_video(gone)
        data.set_privacy(hidden, "private")
        r = harvest(db, client(emu), cid)
        assert r.removed == 2
        assert db["videos"].count == before  # nothing deleted
        assert db["videos"].get(gone)["removed_at"] and db["videos"].get(hidden)["removed_at"]
        assert db.execute("select count(*) from videos where removed_at is not null").fetchone()[0] == 2
        # back to public: the flag clears on the next full listing
        data.set_privacy(hidden, "public")
        harvest(db, client(emu), cid, full=True)
        assert db["videos"].get(hidden)["removed_at"] is None
        assert db["videos"].get(gone)["removed_at"]


def test_quota_budget_stops_before_spending_and_rerun_completes(api_key):
    data = YouTubeData.generate(videos=260, seed=6)
    cid = next(iter(data.channels))
    with Emulator(youtube=data, api_key=api_key) as emu:
        db = sqlite_utils.Database(memory=True)
        r = harvest(db, client(emu, quota_budget=8), cid)
        assert r.stopped and "8 units" in r.stopped
        assert emu.stats()["quota_units"] == 8  # not one unit more
        kept = db["videos"].count
        # every videos.list answer received was written (pages fetch in parallel with the listing)
        assert kept == 50 * emu.stats()["calls"]["youtube.videos.list"]
        assert 0 < kept < uploads_count(data, cid)
        harvest(db, client(emu), cid)
        assert db["videos"].count == uploads_count(data, cid)


def test_cli_sync_uses_the_notes_channel_and_records_calls(tmp_path, flyte_channel, sync, api_key):
    data = YouTubeData.generate(videos=80, seed=7, channel_id=flyte_channel)
    with Emulator(youtube=data, api_key=api_key) as emu:
        db_path = tmp_path / "index.db"
        res = sync(db_path, "--api-key", api_key, "--api-endpoint", emu.url)
        assert res.exit_code == 0, res.output
        units = emu.stats()["quota_units"]
    assert "new" in res.stderr and "quota units" in res.stderr
    db = sqlite_utils.Database(db_path)
    assert db["videos"].count == uploads_count(data, flyte_channel)
    assert db["meetings"].count >= 1  # notes still loaded
    run = list(db["sync_runs"].rows)[-1]
    assert run["status"] == "ok" and run["quota_units"] == units
    assert sum(json.loads(run["calls"]).values()) == units
    # FTS over title, description and tags
    hits = db.execute("select count(*) from videos_fts where videos_fts match 'sync'").fetchone()[0]
    assert hits > 0
    assert db["videos"].detect_fts() == "videos_fts"


def test_cli_without_credentials_loads_notes_and_skips_youtube(tmp_path, clean_env, sync):
    db_path = tmp_path / "index.db"
    res = sync(db_path, env=clean_env(HOME=str(tmp_path)))
    assert res.exit_code == 0
    assert "YouTube skipped" in res.stderr
    assert len([l for l in res.stderr.splitlines() if "YouTube" in l]) == 1
    db = sqlite_utils.Database(db_path)
    assert db["meetings"].count >= 1 and "videos" not in db.table_names()


def test_no_playlists_meets_the_full_sync_goal(tmp_path, flyte_channel, sync, api_key):
    data = YouTubeData.generate(videos=500, seed=8, channel_id=flyte_channel)
    with Emulator(youtube=data, api_key=api_key) as emu:
        res = sync(tmp_path / "i.db", "--api-key", api_key, "--api-endpoint", emu.url, "--no-playlists")
        assert res.exit_code == 0, res.stderr
        stats = emu.stats()
    assert "youtube.playlists.list" not in stats["calls"]
    assert stats["quota_units"] <= 2 * math.ceil(500 / 50) + 2
    assert sqlite_utils.Database(tmp_path / "i.db")["videos"].count == uploads_count(data, flyte_channel)


def test_replay_without_youtube_responses_skips_youtube(tmp_path, sync):
    rec = tmp_path / "drive-only"
    rec.mkdir()
    (rec / "drive-v3-files.0.json").write_text(json.dumps(
        {"request": "GET /drive/v3/files?q=x", "status": 200, "content_type": "application/json", "body": {}}))
    res = sync(tmp_path / "i.db", "--replay", rec)
    assert res.exit_code == 0, res.stderr
    assert f"YouTube skipped: the recording in {rec} has no YouTube responses" in res.stderr


def test_a_page_is_written_atomically():
    from indexer.youtube.harvest import create_tables, save_videos

    db = sqlite_utils.Database(memory=True)
    create_tables(db)
    with pytest.raises(RuntimeError):
        with db.atomic():
            db.execute("insert into channels (id) values ('UCx')")  # sqlite-utils would commit this alone
            raise RuntimeError("killed mid-page")
    assert db["channels"].count == 0
    video = {"id": "abcdefghijk", "snippet": {"title": "t", "description": "0:00 a\n1:00 b\n2:00 c"},
             "contentDetails": {"duration": "PT5M"}}
    assert save_videos(db, [video], "2026-01-01T00:00:00+00:00") == {"new": 1, "updated": 0}
    assert db["chapters"].count == 3 and not db.conn.in_transaction


def test_channel_found_by_handle_url_and_legacy_username(api_key):
    data = YouTubeData.generate(videos=40, seed=9)
    cid = next(iter(data.channels))
    handle = data.channels[cid]["snippet"]["customUrl"]
    username = next(iter(data.usernames))
    with Emulator(youtube=data, api_key=api_key) as emu:
        for ref in (handle, f"https://www.youtube.com/{handle}/streams", f"https://www.youtube.com/user/{username}",
                    f"https://www.youtube.com/channel/{cid}"):
            db = sqlite_utils.Database(memory=True)
            assert harvest(db, client(emu), ref).channel_id == cid
            assert db["videos"].count == uploads_count(data, cid)
        assert emu.stats()["calls"]["youtube.channels.list"] == 4


def test_a_channel_without_uploads_is_empty_not_an_error(api_key):
    data = YouTubeData.generate(videos=0, seed=10)
    cid = next(iter(data.channels))
    with Emulator(youtube=data, api_key=api_key) as emu:
        db = sqlite_utils.Database(memory=True)
        r = harvest(db, client(emu), cid)
    assert r.new == 0 and db["channels"].get(cid)["uploads_complete"] == 1


def test_budget_limited_runs_make_progress_and_complete(api_key):
    data = YouTubeData.generate(videos=520, seed=18)
    cid = next(iter(data.channels))
    n = uploads_count(data, cid)
    with Emulator(youtube=data, api_key=api_key) as emu:
        db = sqlite_utils.Database(memory=True)
        counts, runs = [], 0
        while True:
            runs += 1
            r = harvest(db, client(emu, quota_budget=14), cid, playlists=False)
            counts.append(db["videos"].count)
            if not r.stopped:
                break
            assert runs < 6
            assert db["channels"].get(cid)["uploads_complete"] == 0
        total_units = emu.stats()["quota_units"]
        # each run relists from the top but fetches only what earlier runs did not
        assert counts == sorted(counts) and len(set(counts)) == len(counts) and counts[-1] == n
        assert emu.stats()["calls"]["youtube.videos.list"] < math.ceil(n / 50) + runs * 4
        assert db["channels"].get(cid)["listing_started_at"] is None
    # the same database as one uninterrupted run
    with Emulator(youtube=YouTubeData.generate(videos=520, seed=18), api_key=api_key) as emu:
        whole = sqlite_utils.Database(memory=True)
        harvest(whole, client(emu), cid, playlists=False)
        assert total_units > emu.stats()["quota_units"]
    rows = lambda d: sorted(d.execute("select id, title, views, raw, removed_at from videos").fetchall())
    assert rows(db) == rows(whole)
