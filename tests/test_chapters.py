from indexer.youtube.chapters import parse_chapters, timestamp_lines


def test_plain_list_end_from_next_start_and_duration():
    desc = "Weekly sync.\n\n0:00 Intro\n2:15 Flyte Egress Events\n20:40 Planning\n\nJoin us!"
    assert parse_chapters(desc, duration_s=1800) == [
        {"start_s": 0, "end_s": 135, "title": "Intro", "position": 1},
        {"start_s": 135, "end_s": 1240, "title": "Flyte Egress Events", "position": 2},
        {"start_s": 1240, "end_s": 1800, "title": "Planning", "position": 3},
    ]


def test_variants_hours_dashes_brackets_and_by_name():
    desc = "\n".join(
        [
            "[00:00] Welcome",
            "- 0:05:10 - Flyte at Lyft L5 by Miguel",
            "(12:30) Q&A",
            "* 1:02:03 – Wrap-up | next steps",
        ]
    )
    chapters = parse_chapters(desc)
    assert [(c["start_s"], c["title"]) for c in chapters] == [
        (0, "Welcome"),
        (310, "Flyte at Lyft L5 by Miguel"),
        (750, "Q&A"),
        (3723, "Wrap-up | next steps"),
    ]
    assert chapters[-1]["end_s"] is None  # no duration known


def test_trailing_timestamps():
    desc = "Intro - 0:00\nDemo (3:10)\nQuestions 10:00"
    assert [(c["start_s"], c["title"]) for c in parse_chapters(desc, 900)] == [
        (0, "Intro"),
        (190, "Demo"),
        (600, "Questions"),
    ]


def test_youtube_rules_reject_lists_that_would_not_show():
    # does not start at 0:00
    assert parse_chapters("0:30 A\n1:00 B\n2:00 C") == []
    # fewer than three
    assert parse_chapters("0:00 A\n1:00 B") == []
    # a chapter shorter than 10 seconds
    assert parse_chapters("0:00 A\n0:05 B\n2:00 C") == []
    # invalid seconds are not timestamps
    assert timestamp_lines("1:75 nope") == []
    assert parse_chapters("") == []
    assert parse_chapters(None) == []


def test_list_ends_at_first_timestamp_out_of_order():
    desc = "0:00 Intro\n1:00 Talk\n5:00 Demo\n\nOffice hours 2:00\n9:00 Later"
    chapters = parse_chapters(desc)
    assert [c["title"] for c in chapters] == ["Intro", "Talk", "Demo"]
    assert chapters[-1]["end_s"] is None


def test_chapters_past_duration_are_dropped():
    chapters = parse_chapters("0:00 A\n1:00 B\n2:00 C\n50:00 D", duration_s=600)
    assert [c["title"] for c in chapters] == ["A", "B", "C"]
    assert chapters[-1]["end_s"] == 600
