"""Bulk transcript import: worker processes store what a serial import stores,
and the bulk setting (FTS5's buffer) leaves nothing behind."""
import shutil
from pathlib import Path

import pytest

from indexer.store import db as dbmod
from indexer.transcripts import store as transcripts
from indexer.transcripts.store import import_folder, name_parts, search

CORPUS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus" / "match"
BAD = "WEBVTT\n\nnot a cue at all\n"


@pytest.fixture
def folder(tmp_path):
    """Two corpus cases' transcripts (rolling, plain and Zoom captions), an SRT, a bad and a duplicate file."""
    src = sorted(CORPUS.glob("*/transcripts"))
    if not src:
        pytest.skip("corpus not available")
    out = tmp_path / "subs"
    for case in src[:2]:
        shutil.copytree(case, out / case.parent.name)
    (out / "dQw4w9WgXcQ.en.srt").write_text("1\n00:00:02,000 --> 00:00:05,000\nHello from SRT\n", encoding="utf-8")
    (out / "aaaaaaaaaaa.en.vtt").write_text(BAD, encoding="utf-8")
    first = next((out / src[0].parent.name).glob("*.vtt"))
    (out / f"Same video [{first.name.split('.')[0]}].en.vtt").write_bytes(first.read_bytes())
    return out


def table(db, name, skip=()):
    cols = [c for c in db[name].columns_dict if c not in skip]
    return db.execute(f"select {', '.join(cols)} from [{name}] order by rowid").fetchall()


def imported(tmp_path, folder, workers, name):
    db = dbmod.open_db(tmp_path / name)
    result = import_folder(db, folder, workers=workers)
    return db, result


def test_workers_store_what_a_serial_import_stores(tmp_path, folder, monkeypatch):
    monkeypatch.setattr(transcripts, "PARALLEL_MIN_BYTES", 0)
    serial, one = imported(tmp_path, folder, 1, "serial.db")
    parallel, two = imported(tmp_path, folder, 2, "parallel.db")
    assert one.cues > 1000 and one.errors and one.unchanged == 1
    assert (two.imported, two.unchanged, two.cues, two.errors) == (one.imported, one.unchanged, one.cues, one.errors)
    assert table(parallel, "transcripts", skip={"fetched_at"}) == table(serial, "transcripts", skip={"fetched_at"})
    assert table(parallel, "transcript_cues") == table(serial, "transcript_cues")
    word = serial.execute("select text from transcript_cues order by id limit 1 offset 500").fetchone()[0].split()[-1]
    assert search(parallel, word) == search(serial, word) != []


def test_the_bulk_buffer_is_not_kept_and_the_index_stays_whole(tmp_path, folder):
    db, _ = imported(tmp_path, folder, 1, "index.db")
    # FTS5's bulk buffer is not kept: later writers use the default
    assert db.execute("select k from transcript_cues_fts_config").fetchall() == [("version",)]
    assert db.execute("insert into transcript_cues_fts (transcript_cues_fts) values ('integrity-check')")
    # an incremental import (a changed file) replaces its cues through the index, the search follows
    changed = next(folder.rglob("*.vtt"))
    changed.write_text("WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nzyxwv quokka\n", encoding="utf-8")
    again = import_folder(db, folder, workers=1)
    assert again.imported == 1
    assert [r["text"] for r in search(db, "quokka")] == ["zyxwv quokka"]
    assert db.execute("insert into transcript_cues_fts (transcript_cues_fts) values ('integrity-check')")



def test_the_index_filled_in_batches_holds_what_one_batch_holds(tmp_path, folder, monkeypatch):
    # a second file for a video already in the folder, other words: it replaces the first within the run
    video_id = name_parts(sorted(folder.rglob("*.vtt"))[0].name)[0]
    (folder / f"zz again [{video_id}].en.vtt").write_text(
        "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nzyxwv quokka\n", encoding="utf-8")
    monkeypatch.setattr(transcripts, "FTS_BATCH_CUES", 10**9)
    whole, _ = imported(tmp_path, folder, 1, "whole.db")
    monkeypatch.setattr(transcripts, "FTS_BATCH_CUES", 37)  # many batches, mostly mid-file
    batches, result = imported(tmp_path, folder, 1, "batches.db")
    assert result.cues > 1000
    assert batches.execute("insert into transcript_cues_fts (transcript_cues_fts) values ('integrity-check')")
    assert table(batches, "transcript_cues") == table(whole, "transcript_cues")
    words = [r[0].split()[0] for r in whole.execute("select text from transcript_cues where id % 97 = 0 limit 30")]
    for word in words + ["quokka"]:
        assert search(batches, word, limit=50) == search(whole, word, limit=50)
    assert [r["text"] for r in search(batches, "quokka")] == ["zyxwv quokka"]
