"""The fixtures hold what the real code writes: data/sample's API JSON saved by the
harvesters' writers (``sample_db``) is what a sync of the same resources through
the emulator stores."""
import sqlite3


def rows_without(db_path, table: str, skip=("raw", "first_seen", "last_seen", "synced_at")) -> list:
    """``raw`` is the response as asked for: a sync asks for fewer fields than the JSON holds."""
    conn = sqlite3.connect(db_path)
    cols = [r[1] for r in conn.execute(f"pragma table_info([{table}])") if r[1] not in skip]
    rows = conn.execute(f"select {', '.join(f'[{c}]' for c in cols)} from [{table}]").fetchall()
    conn.close()
    return sorted(rows, key=repr)


def test_sample_db_is_what_a_sync_of_the_sample_stores(tmp_path, sample_db, sample_emulator, api_key,
                                                         run_sync, seed_path):
    synced = tmp_path / "synced.db"
    res = run_sync(synced, seed_path, "--api-key", api_key, "--api-endpoint", sample_emulator.url, "--full")
    assert res.exit_code == 0, res.stderr
    calls = sample_emulator.stats()["calls"]
    assert calls["youtube.videos.list"] >= 1 and calls["drive.files.list"] >= 1
    for table in ("channels", "videos", "chapters", "playlist_videos", "drive_folders", "drive_files",
                  "meetings", "talks", "recordings", "talk_recordings"):
        assert rows_without(sample_db, table) == rows_without(synced, table), table
    # the emulator counts a playlist's items and gives it an etag; playlists.json holds neither
    skip = ("raw", "first_seen", "last_seen", "item_count", "etag")
    assert rows_without(sample_db, "playlists", skip) == rows_without(synced, "playlists", skip)


def test_fresh_db_has_every_declared_table_and_view(fresh_db):
    from indexer.store import schema

    assert set(schema.TABLES) <= set(fresh_db.table_names())
    assert set(schema.VIEWS) == set(fresh_db.view_names())
    assert {f"{table}_fts" for table in schema.FTS_CONFIG} <= set(fresh_db.table_names())
