"""`meetup-indexer transcripts DB --from DIR`: import, incremental re-import, search, bad input."""
import sqlite_utils
from click.testing import CliRunner

from indexer.cli import cli
from indexer.transcripts.store import load_cues, name_parts, search

VTT = """WEBVTT
Kind: captions
Language: en

00:00:01.000 --> 00:00:04.000
welcome to the community call

00:00:04.000 --> 00:00:08.000
first up ada with the new parser
"""
ZOOM = """WEBVTT

1
00:00:01.000 --> 00:00:03.000
Katrin Vogel: Next up, Artur on VulnHub.

2
00:00:03.500 --> 00:00:06.000
Artur Stöber: Thanks for having me.
"""
SRT = "1\n00:00:02,000 --> 00:00:05,000\nHello from the manual subtitles\n"


def run(*args):
    return CliRunner().invoke(cli, ["transcripts", *args])


def test_name_parts():
    assert name_parts("dQw4w9WgXcQ.en.vtt") == ("dQw4w9WgXcQ", "en", "vtt")
    assert name_parts("Community Call #3 [2024-01-02] [dQw4w9WgXcQ].en-US.srt") == ("dQw4w9WgXcQ", "en-US", "srt")
    assert name_parts("notes.vtt") is None
    assert name_parts("dQw4w9WgXcQ.vtt") is None


def test_import_is_incremental_and_searchable(tmp_path):
    folder = tmp_path / "subs"
    folder.mkdir()
    (folder / "AAAAAAAAAAA.en.vtt").write_text(VTT)
    (folder / "Call 2 [BBBBBBBBBBB].en.vtt").write_text(ZOOM)
    (folder / "2021").mkdir()
    (folder / "2021" / "CCCCCCCCCCC.en.srt").write_text(SRT)
    (folder / "README.md").write_text("not a subtitle")
    db_path = str(tmp_path / "t.db")

    first = run(db_path, "--from", str(folder))
    assert first.exit_code == 0, first.output
    assert "3 imported" in first.output
    db = sqlite_utils.Database(db_path)
    rows = {r["video_id"]: r for r in db["transcripts"].rows}
    assert {v: r["kind"] for v, r in rows.items()} == {"AAAAAAAAAAA": "file", "BBBBBBBBBBB": "zoom",
                                                        "CCCCCCCCCCC": "file"}
    assert rows["BBBBBBBBBBB"]["cues"] == 2
    assert rows["CCCCCCCCCCC"]["source"] == "file:2021/CCCCCCCCCCC.en.srt"
    cues = load_cues(db)
    assert cues["BBBBBBBBBBB"][1] == {"start_s": 3.5, "end_s": 6.0, "speaker": "Artur Stöber",
                                      "text": "Thanks for having me."}
    hits = search(db, "parser")
    assert [(h["video_id"], h["start_s"]) for h in hits] == [("AAAAAAAAAAA", 4.0)]
    assert search(db, 'VulnHub"') and search(db, "   ") == []

    again = run(db_path, "--from", str(folder))
    assert again.exit_code == 0 and "0 imported" in again.output and "3 unchanged" in again.output
    db = sqlite_utils.Database(db_path)  # a command that writes replaces the file: open the new one
    assert db["transcript_cues"].count == 2 + 2 + 1

    (folder / "AAAAAAAAAAA.en.vtt").write_text(VTT.replace("new parser", "old lexer"))
    changed = run(db_path, "--from", str(folder))
    assert "1 imported" in changed.output and "2 unchanged" in changed.output
    db = sqlite_utils.Database(db_path)
    assert db["transcript_cues"].count == 5
    assert search(db, "parser") == [] and len(search(db, "lexer")) == 1


def test_bad_files_are_one_line_each_and_the_rest_is_imported(tmp_path):
    folder = tmp_path / "subs"
    folder.mkdir()
    (folder / "AAAAAAAAAAA.en.vtt").write_text(VTT)
    (folder / "BBBBBBBBBBB.en.vtt").write_text("this is not webvtt")
    (folder / "CCCCCCCCCCC.en.vtt").write_bytes(b"WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n\xff\xfe\n")
    (folder / "odd-name.en.vtt").write_text(VTT)
    db_path = str(tmp_path / "t.db")
    result = run(db_path, "--from", str(folder))
    assert result.exit_code == 1
    lines = [x for x in result.output.splitlines() if x.startswith("Skipped")]
    assert len(lines) == 3
    assert "Traceback" not in result.output
    assert [r["video_id"] for r in sqlite_utils.Database(db_path)["transcripts"].rows] == ["AAAAAAAAAAA"]


def test_missing_folder(tmp_path):
    result = run(str(tmp_path / "t.db"), "--from", str(tmp_path / "nope"))
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [f"Error: not a folder: {tmp_path / 'nope'}"]


def test_search_ranks_the_first_matches(tmp_path, monkeypatch):
    import indexer.transcripts.store as transcripts

    folder = tmp_path / "subs"
    folder.mkdir()
    cue = "00:00:0{0}.000 --> 00:00:0{1}.000\n{2}\n"
    (folder / "AAAAAAAAAAA.en.vtt").write_text("WEBVTT\n\n" + "\n".join([
        cue.format(1, 2, "egress and many other words here"), cue.format(3, 4, "egress egress egress events")]))
    (folder / "BBBBBBBBBBB.en.vtt").write_text("WEBVTT\n\n" + cue.format(1, 2, "egress once more said today"))
    db_path = str(tmp_path / "t.db")
    assert run(db_path, "--from", str(folder)).exit_code == 0
    db = sqlite_utils.Database(db_path)
    ranked = [h["text"] for h in search(db, "egress")]
    assert ranked[0] == "egress egress egress events" and len(ranked) == 3
    # past the cap, only the first matches found are ranked
    monkeypatch.setattr(transcripts, "RANKED_MATCHES", 1)
    assert [h["text"] for h in search(db, "egress")] == ["egress and many other words here"]


def _fts_consistent(db):
    # raises when the external-content index disagrees with transcript_cues
    db.execute("insert into transcript_cues_fts (transcript_cues_fts, rank) values ('integrity-check', 1)")
    return True


def test_index_kept_by_the_import_in_a_database_indexed_by_triggers(tmp_path):
    """A database whose cue index was made with per-row triggers (as every other
    table's is) is taken over: no cue indexed twice, a replaced cue leaves it."""
    from indexer.store import db as dbmod

    db_path = str(tmp_path / "t.db")
    db = dbmod.open_db(db_path)
    db["transcript_cues"].enable_fts(["text"], create_triggers=True, tokenize="porter")
    folder = tmp_path / "subs"
    (folder / "2021").mkdir(parents=True)
    (folder / "AAAAAAAAAAA.en.vtt").write_text(VTT)
    assert run(db_path, "--from", str(folder)).exit_code == 0
    db = sqlite_utils.Database(db_path)
    assert [t for t in db.table_names() if t.startswith("transcript_cues_")] and not list(
        db.query("select name from sqlite_master where type = 'trigger' and tbl_name = 'transcript_cues'"))
    assert len(search(db, "parser")) == 1 and _fts_consistent(db)

    # the same transcript twice in one run (two folders), and a new one
    (folder / "AAAAAAAAAAA.en.vtt").write_text(VTT.replace("new parser", "old lexer"))
    (folder / "2021" / "AAAAAAAAAAA.en.vtt").write_text(VTT.replace("new parser", "fresh tokenizer"))
    (folder / "Call [BBBBBBBBBBB].en.vtt").write_text(ZOOM)
    assert run(db_path, "--from", str(folder)).exit_code == 0
    db = sqlite_utils.Database(db_path)  # the import writes a copy and swaps it into place
    # files are read in path order: the later one is what the transcript holds
    assert search(db, "parser") == [] and search(db, "tokenizer") == []
    assert [h["video_id"] for h in search(db, "lexer")] == ["AAAAAAAAAAA"]
    assert [h["speaker"] for h in search(db, "VulnHub")] == ["Katrin Vogel"]
    assert db["transcript_cues"].count == 4 and _fts_consistent(db)


def test_a_folder_without_subtitle_files_is_one_line_and_no_database(tmp_path):
    folder = tmp_path / "subs"
    folder.mkdir()
    (folder / "README.md").write_text("not a subtitle")
    db_path = tmp_path / "t.db"
    result = run(str(db_path), "--from", str(folder))
    assert result.exit_code == 1
    assert result.output.count("\n") == 1 and "no subtitle files in" in result.output
    assert not db_path.exists()
