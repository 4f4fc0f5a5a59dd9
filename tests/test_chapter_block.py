"""The chapter block written back to YouTube (issue 22): YouTube's rules, only the block changes."""
import sqlite_utils
from click.testing import CliRunner

from indexer.cli import cli
from indexer.youtube.chapter_block import MARKER, chapter_list, find_block, place_block, render_block
from indexer.youtube.chapters import parse_chapters

TALKS = [{"title": "Egress <events>", "start_s": 130}, {"title": "Bazel at L5", "start_s": 1475},
         {"title": "Planning", "start_s": 2870}]


def test_the_block_follows_youtubes_rules():
    chapters = chapter_list(TALKS, duration_s=3600)
    assert chapters == [(0, "Start"), (130, "Egress events"), (1475, "Bazel at L5"), (2870, "Planning")]
    block = render_block(chapters)
    assert "<" not in block and ">" not in block
    # what YouTube (and our own reader) sees as chapters
    assert [c["start_s"] for c in parse_chapters(block, 3600)] == [0, 130, 1475, 2870]


def test_too_close_or_too_few_talks_give_no_block():
    assert chapter_list(TALKS[:2], 3600) == []
    close = TALKS + [{"title": "Too close", "start_s": 1480}]
    assert [s for s, _ in chapter_list(close, 3600)] == [0, 130, 1475, 2870]
    first = [{"title": "First", "start_s": 4}] + TALKS[1:] + [{"title": "Late", "start_s": 3595}]
    # "First" takes 0:00; the last is within 10 s of the end
    assert chapter_list(first, 3600) == [(0, "First"), (1475, "Bazel at L5"), (2870, "Planning")]
    assert chapter_list([{"title": "A", "start_s": None}] * 3) == []


def test_only_the_block_changes_and_a_rerun_changes_nothing():
    block = render_block(chapter_list(TALKS, 3600))
    desc = "Bi-weekly sync.  \r\nNotes: https://example.org/notes\n\nSlack: x"
    new, status = place_block(desc, block)
    assert status == "inserted" and new.startswith(desc) and new[len(desc):] == "\n\n" + block
    assert find_block(new) == (len(desc) + 2, len(new))
    assert place_block(new, block) == (new, "unchanged")
    other = render_block([(0, "Start"), (60, "One"), (120, "Two"), (180, "Three")])
    again, status = place_block(new + "\nafter", other)
    assert status == "replaced" and again == desc + "\n\n" + other + "\nafter"


def test_a_persons_chapters_are_left_alone_unless_replace():
    desc = "Intro text\n0:00 Welcome\n2:10 Egress\n24:35 Bazel\n\nMore"
    block = render_block(chapter_list(TALKS, 3600))
    assert place_block(desc, block) == (desc, "has_chapters")
    new, status = place_block(desc, block, replace=True)
    assert status == "replaced" and new == "Intro text\n" + block + "\n\nMore"


def test_a_block_that_does_not_fit_is_not_written():
    block = render_block(chapter_list(TALKS, 3600))
    desc = "x" * 5000
    assert place_block(desc, block) == (desc, "too_long")


def test_chapters_command_prints_blocks_and_leaves_written_chapters_alone(sample_db):
    db = sqlite_utils.Database(sample_db)
    video = db["talk_recordings"].rows_where("video_id = 'iHBUxzSC9XE'")
    assert list(video)  # the seed recording has its talks placed (at its chapters)
    result = CliRunner().invoke(cli, ["chapters", str(sample_db), "--video", "iHBUxzSC9XE"])
    assert result.exit_code == 0, result.output
    assert "already has chapters: left alone" in result.stderr
    assert MARKER not in result.stdout
    # a recording whose talks were placed without chapters gets a block to paste
    tid = [r["id"] for r in db.query("select id from talks where meeting_id = '2021-02-09' order by position")]
    db.execute("update videos set description = 'No chapters here.' where id = 'iHBUxzSC9XE'")
    db.execute("delete from chapters where video_id = 'iHBUxzSC9XE'")
    for n, t in enumerate(tid):
        db.execute("update talk_recordings set start_s = ?, method = 'transcript' where talk_id = ? "
                   "and video_id = 'iHBUxzSC9XE'", [100 + 600 * n, t])
    db.conn.commit()
    result = CliRunner().invoke(cli, ["chapters", str(sample_db), "--meeting", "2021-02-09"])
    assert result.exit_code == 0, result.output
    assert MARKER in result.stdout and "0:00 Start" in result.stdout and "1:40 " in result.stdout
