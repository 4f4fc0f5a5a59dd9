"""Subtitle parsing: WebVTT, SubRip, YouTube's rolling captions, Zoom speakers."""
from pathlib import Path

import pytest

from indexer.transcripts.parse import SubtitleError, detect_format, parse_subtitles, transcript_kind

CORPUS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus" / "match"

ROLLING = """WEBVTT
Kind: captions
Language: en

00:01:26.405 --> 00:01:29.304 align:start position:0%
sorry i'm a couple of minutes late
it's<00:01:26.742><c> really</c><00:01:27.152><c> early</c>

00:01:29.304 --> 00:01:29.314 align:start position:0%
it's really early
 

00:01:34.086 --> 00:01:38.991 align:start position:0%
it's really early
okay<00:01:34.332><c> let's</c><00:01:34.611><c> get</c><00:01:34.871><c> started</c>

00:01:38.991 --> 00:01:39.001 align:start position:0%
okay let's get started
 

00:01:47.001 --> 00:01:49.979 align:start position:0%
 
thanks<00:01:48.394><c> for</c><00:01:48.675><c> having</c><00:01:48.992><c> me</c>

00:01:49.979 --> 00:01:49.989 align:start position:0%
thanks for having me
 
"""


def test_rolling_captions_keep_each_new_line_once_without_tags():
    cues = parse_subtitles(ROLLING, "vtt")
    assert [c["text"] for c in cues] == ["it's really early", "okay let's get started", "thanks for having me"]
    assert [c["start_s"] for c in cues] == [86.405, 94.086, 107.001]
    assert all(c["speaker"] is None for c in cues)
    assert transcript_kind(ROLLING, cues) == "asr"


def test_plain_captions_keep_repeated_words_in_different_cues():
    text = "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nokay\n\n00:00:02.000 --> 00:00:03.500\nokay\n"
    cues = parse_subtitles(text)
    assert [(c["start_s"], c["end_s"], c["text"]) for c in cues] == [(1.0, 2.0, "okay"), (2.0, 3.5, "okay")]
    assert transcript_kind(text, cues) == "file"


def test_zoom_speakers_are_split_from_the_text():
    text = """WEBVTT

1
00:00:00.687 --> 00:00:03.607
Daniel Kim: It's really early here: bear with me.

2
01:02:04.298 --> 01:02:07.416
Ada's iPhone: Hi.

3
01:02:08.000 --> 01:02:09.000
Katrin Vogel (OWASP): Next up, Artur.
"""
    cues = parse_subtitles(text)
    assert [(c["speaker"], c["text"]) for c in cues] == [
        ("Daniel Kim", "It's really early here: bear with me."),
        ("Ada's iPhone", "Hi."),
        ("Katrin Vogel (OWASP)", "Next up, Artur."),
    ]
    assert cues[1]["start_s"] == 3724.298
    assert transcript_kind(text, cues) == "zoom"


def test_an_odd_colon_in_captions_is_not_a_speaker():
    text = "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nthe plan is simple\n\n" \
           "00:00:02.000 --> 00:00:03.000\nnote: it works\n\n00:00:03.000 --> 00:00:04.000\nthanks\n"
    assert [c["speaker"] for c in parse_subtitles(text)] == [None, None, None]


def test_voice_spans_notes_and_styles():
    text = """WEBVTT - a title

NOTE written by hand
over two lines

STYLE
::cue { color: red }

intro
00:00.500 --> 00:02.000
<v Roger Bingham>We are in New York City &amp; it's cold

00:02.000 --> 00:04.000
<v.loud Neil>Yes</v>
"""
    cues = parse_subtitles(text)
    assert [(c["start_s"], c["speaker"], c["text"]) for c in cues] == [
        (0.5, "Roger Bingham", "We are in New York City & it's cold"),
        (2.0, "Neil", "Yes"),
    ]


def test_srt():
    text = "1\r\n00:00:01,000 --> 00:00:02,500\r\n<i>Hello</i>\r\nthere\r\n\r\n2\r\n00:00:03,000 --> 00:00:04,000\r\nBye\r\n"
    assert detect_format(text, "x.en.srt") == "srt"
    cues = parse_subtitles(text, "srt")
    assert [(c["start_s"], c["end_s"], c["text"]) for c in cues] == [(1.0, 2.5, "Hello there"), (3.0, 4.0, "Bye")]


def test_not_subtitles():
    with pytest.raises(SubtitleError):
        detect_format("hello", "x.en.vtt")
    with pytest.raises(SubtitleError):
        parse_subtitles("just some words\nand more", "srt")
    assert parse_subtitles("WEBVTT\n\n", "vtt") == []


@pytest.mark.skipif(not CORPUS.is_dir(), reason="shared corpus not present")
def test_corpus_rolling_and_plain_files_hold_lines_once():
    """Each rolling file's merged lines appear once each, starting where the README says."""
    for case in sorted(CORPUS.iterdir()):
        for path in sorted((case / "transcripts").glob("*.vtt"))[:12]:
            text = path.read_text(encoding="utf-8")
            cues = parse_subtitles(text, detect_format(text, path.name))
            assert cues, path
            assert all("<" not in c["text"] for c in cues), path
            starts = [c["start_s"] for c in cues]
            assert starts == sorted(starts), path
            if "<c>" in text:
                # no line repeated back to back: the rolling copies are gone
                assert all(a["text"] != b["text"] for a, b in zip(cues, cues[1:])), path
    rolling = (CORPUS / "owasp-frankfurt" / "transcripts" / "KrvpUGPga6I.en.vtt")
    if rolling.exists():
        cues = parse_subtitles(rolling.read_text(encoding="utf-8"))
        intro = next(c for c in cues if c["text"].startswith("okay let's get started first up thomas"))
        assert int(intro["start_s"]) == 94


def test_webvtt_blocks_between_cues_and_ragged_shapes():
    """A NOTE between cues, identifiers, a blank line inside a cue, a comma before
    the milliseconds, hours on one side only and no newline at the end."""
    text = ("\ufeffWEBVTT\r\n\r\n1\r\n00:00:01.000 --> 00:00:02.000 line:0\r\nfirst <b>bold</b>\r\n\r\n"
            "NOTE a comment\r\nover two lines\r\n\r\n"
            "second-cue\r\n00:02.000 --> 00:00:03,500\r\n \r\nafter a blank &lt;line&gt;\r\n\r\n"
            "3\r\n00:00:04.000 --> 00:00:05.000\r\n   spaced    out   ")
    cues = parse_subtitles(text)
    assert [(c["start_s"], c["end_s"], c["text"]) for c in cues] == [
        (1.0, 2.0, "first bold"), (2.0, 3.5, "after a blank <line>"), (4.0, 5.0, "spaced out")]


def test_rolling_bottom_line_of_tags_only_falls_back_to_the_line_above():
    text = ("WEBVTT\n\n00:00:01.000 --> 00:00:03.000\nhello<00:00:01.500><c> there</c>\n<c></c>\n\n"
            "00:00:03.000 --> 00:00:03.010\nhello there\n \n\n"
            "00:00:03.010 --> 00:00:05.000\nhello there\nnext<00:00:04.000><c> line</c>\n")
    assert [c["text"] for c in parse_subtitles(text)] == ["hello there", "next line"]
