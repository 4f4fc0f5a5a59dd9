"""The seed notes the project started from, parsed exactly."""
import datetime as dt

from indexer.notes import parse_notes


def test_one_meeting_with_video_and_three_talks(seed_text):
    notes = parse_notes(seed_text)
    assert [m.date for m in notes.meetings] == [dt.date(2021, 2, 9)]
    m = notes.meetings[0]
    assert m.video_ids == ["iHBUxzSC9XE"]
    assert [t.title for t in m.talks] == [
        "Flyte Egress Events",
        "Flyte at Lyft L5 Autonomous cars using Bazel",
        "Planning",
    ]
    assert m.notes_author == "katrogan"
    assert m.line == 20
    assert m.raw.startswith("## Feb 9, 2021")
    assert notes.warnings == []


def test_presenters_and_organisations_split_as_written(seed_text):
    talks = parse_notes(seed_text).meetings[0].talks
    who = [[(p.name, p.org) for p in t.presenters] for t in talks]
    assert who == [
        [("Sonja", "Spotify"), ("Katrina", "Spotify"), ("Nian", "Spotify")],
        [("Miguel", "Lyft L5")],
        [("Ketan", "OSC")],
    ]
    assert talks[0].raw == "Flyte Egress Events [Sonja - Katrina - Nian - Spotify]"


def test_notes_sections_linked_to_their_talks(seed_text):
    egress, l5, planning = parse_notes(seed_text).meetings[0].talks
    assert "lineage integration" in egress.notes
    assert "Bazel as a build system" in l5.notes
    assert "flytesnacks" in planning.notes
    assert "Bazel" not in egress.notes


def test_eleven_backlog_items(seed_text):
    backlog = parse_notes(seed_text).backlog
    assert len(backlog) == 11
    assert backlog[0].title == "Lyft deployment of Flyte architecture/design"
    assert [(p.name, p.org) for p in backlog[-1].presenters] == [("Ruslan", "Minsk Lyft")]
    assert backlog[8].title == "Getting Started - FAST" and backlog[8].presenters == []


def test_header_sources(seed_text):
    sources = {(s.kind, s.ref) for s in parse_notes(seed_text).sources}
    assert sources == {
        ("youtube_channel", "UCNduEoLOToNo3nFVly-vUTQ"),
        ("drive_folder", "1Op9EzMNuoZptWovcZcYVdmAuJNNNjil4"),
    }
