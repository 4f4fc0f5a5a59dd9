"""What a command leaves beside the database: no lock file, no empty database
after a failed first build, one line for a folder where the file should be."""
import os
import threading

from click.testing import CliRunner

from indexer.store import dbfile
from indexer.cli import cli
from indexer.store.failures import EXIT_DB_WRITE

VTT = "WEBVTT\n\n00:00:01.000 --> 00:00:04.000\nwelcome to the community call\n"


def invoke(*args):
    return CliRunner().invoke(cli, list(args))


def subs(tmp_path):
    folder = tmp_path / "subs"
    folder.mkdir()
    (folder / "dQw4w9WgXcQ.en.vtt").write_text(VTT, encoding="utf-8")
    return folder


def test_no_lock_file_stays_beside_the_database(tmp_path):
    db = tmp_path / "i.db"
    res = invoke("transcripts", str(db), "--from", str(subs(tmp_path)))
    assert res.exit_code == 0, res.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["i.db", "subs"]


def test_the_lock_is_exclusive_while_held_and_gone_after(tmp_path):
    db = tmp_path / "i.db"
    with dbfile.locked(db):
        assert (tmp_path / "i.db.lock").exists()
        try:
            with dbfile.locked(db):
                raise AssertionError("a second writer got the lock")
        except dbfile.Busy as exc:
            assert "another sync is running since 20" in str(exc)
    assert not (tmp_path / "i.db.lock").exists()


def test_writers_racing_for_the_lock_never_hold_it_together(tmp_path):
    """Each writer removes the lock file on release while others open it: the
    inode check keeps them one at a time."""
    db = tmp_path / "i.db"
    holding, overlaps, done = [0], [], []

    def writer():
        for _ in range(200):
            try:
                with dbfile.locked(db):
                    holding[0] += 1
                    overlaps.append(holding[0])
                    holding[0] -= 1
                    done.append(1)
            except dbfile.Busy:
                pass

    threads = [threading.Thread(target=writer) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert done and max(overlaps) == 1
    assert not (tmp_path / "i.db.lock").exists()


def test_a_failed_first_build_leaves_no_database(tmp_path):
    db = tmp_path / "new.db"
    res = invoke("sync", str(db), str(tmp_path / "missing.md"))
    assert res.exit_code != 0 and res.stderr.count("\n") == 1
    assert sorted(os.listdir(tmp_path)) == []


def test_a_first_build_is_published_whole(tmp_path):
    db = tmp_path / "new.db"
    res = invoke("transcripts", str(db), "--from", str(subs(tmp_path)))
    assert res.exit_code == 0, res.stderr
    assert not any(p.name.endswith((".building", "-journal", "-wal")) for p in tmp_path.iterdir())
    import sqlite3

    assert sqlite3.connect(db).execute("select count(*) from transcript_cues").fetchone()[0] == 1


def test_a_folder_as_database_is_one_line_and_exit_9(tmp_path):
    folder_db = tmp_path / "db.sqlite"
    folder_db.mkdir()
    notes = tmp_path / "notes.md"
    notes.write_text("# Notes\n\n## Jan 5, 2024\n\n* Talk [Ada]\n", encoding="utf-8")
    for args in (["sync", str(folder_db), str(notes)],
                 ["transcripts", str(folder_db), "--from", str(subs(tmp_path))],
                 ["match", str(folder_db)],
                 ["report", str(folder_db)]):
        res = invoke(*args)
        assert res.exit_code == EXIT_DB_WRITE, (args, res.stderr)
        assert res.stderr.count("\n") == 1 and "folder" in res.stderr, res.stderr
        assert "Traceback" not in res.stderr
    assert list(folder_db.iterdir()) == []
