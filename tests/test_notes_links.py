"""YouTube and Drive links in every form people paste, attached to their meeting."""
from pathlib import Path

import pytest

from indexer.common.urls import classify_url, find_links, parse_offset
from indexer.notes import parse_notes

NOTES = Path(__file__).parent / "fixtures" / "notes"


@pytest.mark.parametrize(
    "url, kind, ref, start_s",
    [
        ("https://www.youtube.com/watch?v=iHBUxzSC9XE", "youtube", "iHBUxzSC9XE", None),
        ("https://www.youtube.com/watch?v=iHBUxzSC9XE&t=95", "youtube", "iHBUxzSC9XE", 95),
        ("https://youtube.com/watch?feature=share&v=iHBUxzSC9XE&t=1h2m3s", "youtube", "iHBUxzSC9XE", 3723),
        ("https://youtu.be/iHBUxzSC9XE?t=90", "youtube", "iHBUxzSC9XE", 90),
        ("https://youtu.be/iHBUxzSC9XE?si=abc&t=1m30s", "youtube", "iHBUxzSC9XE", 90),
        ("https://www.youtube.com/live/iHBUxzSC9XE?feature=share", "youtube", "iHBUxzSC9XE", None),
        ("https://www.youtube.com/embed/iHBUxzSC9XE?start=30", "youtube", "iHBUxzSC9XE", 30),
        ("https://www.youtube-nocookie.com/embed/iHBUxzSC9XE", "youtube", "iHBUxzSC9XE", None),
        ("https://youtube.com/shorts/iHBUxzSC9XE", "youtube", "iHBUxzSC9XE", None),
        ("https://m.youtube.com/watch?v=iHBUxzSC9XE#t=45", "youtube", "iHBUxzSC9XE", 45),
        ("https://www.youtube.com/channel/UCNduEoLOToNo3nFVly-vUTQ/", "youtube_channel", "UCNduEoLOToNo3nFVly-vUTQ", None),
        ("https://www.youtube.com/@flyteorg/videos", "youtube_handle", "@flyteorg", None),
        ("https://drive.google.com/drive/folders/1Op9EzMNuoZptWovcZcYVdmAuJNNNjil4?usp=sharing",
         "drive_folder", "1Op9EzMNuoZptWovcZcYVdmAuJNNNjil4", None),
        ("https://drive.google.com/drive/u/0/folders/1Op9EzMNuoZpt", "drive_folder", "1Op9EzMNuoZpt", None),
        ("https://drive.google.com/file/d/1AbCdEfGhIjK/view?usp=sharing", "drive_file", "1AbCdEfGhIjK", None),
        ("https://drive.google.com/open?id=1AbCdEfGhIjK", "drive_file", "1AbCdEfGhIjK", None),
        ("https://drive.google.com/uc?id=1AbCdEfGhIjK&export=download", "drive_file", "1AbCdEfGhIjK", None),
        ("https://docs.google.com/document/d/1DocIdDocId/edit", "gdoc", "1DocIdDocId", None),
    ],
)
def test_classify_url(url, kind, ref, start_s):
    link = classify_url(url)
    assert (link.kind, link.ref, link.start_s) == (kind, ref, start_s)


@pytest.mark.parametrize(
    "url",
    [
        "https://www.youtube.com/watch?v=short",
        "https://example.com/watch?v=iHBUxzSC9XE",
        "https://www.youtube.com/",
        "https://drive.google.com/",
        "http://[::1",  # urlparse raises on this: must be None, not an exception
    ],
)
def test_not_a_recording(url):
    assert classify_url(url) is None


@pytest.mark.parametrize("value, seconds", [("90", 90), ("90s", 90), ("1m30s", 90), ("1h", 3600), ("x", None), ("", None)])
def test_parse_offset(value, seconds):
    assert parse_offset(value) == seconds


def test_find_links_lines_labels_and_markdown_punctuation():
    text = "intro\r\n* [Recording](https://youtu.be/iHBUxzSC9XE).\n\u2028 <https://youtu.be/aaaaaaaaaaa>, then"
    found = find_links(text, first_line=10)
    # \u2028 is not a line break for markdown: the third link is on line 12
    assert [(l.ref, l.line, l.label) for l in found] == [("iHBUxzSC9XE", 11, "Recording"), ("aaaaaaaaaaa", 12, "")]


def test_every_form_attached_to_its_meeting():
    notes = parse_notes((NOTES / "links.md").read_text())
    jan12, jan26 = notes.meetings
    assert [(l.kind, l.ref, l.start_s, l.line) for l in jan12.links] == [
        ("youtube", "ccccccccccc", 95, 7),
        ("youtube", "ddddddddddd", 90, 8),
        ("youtube", "eeeeeeeeeee", None, 9),
        ("youtube", "fffffffffff", 30, 10),
        ("youtube", "ggggggggggg", None, 11),
        ("youtube", "hhhhhhhhhhh", 3723, 12),
        ("youtube", "iii_iiiiiii", None, 13),  # Google Docs' "\_" escape undone
        ("drive_file", "1SlidesDeckIdXYZ", None, 14),
        ("drive_file", "1OpenIdFileABC", None, 15),
        ("drive_folder", "1MeetingFolder99", None, 16),
    ]
    assert jan12.video_ids == [
        "ccccccccccc", "ddddddddddd", "eeeeeeeeeee", "fffffffffff", "ggggggggggg", "hhhhhhhhhhh", "iii_iiiiiii",
    ]
    assert jan12.drive_ids == ["1SlidesDeckIdXYZ", "1OpenIdFileABC", "1MeetingFolder99"]
    assert jan12.links[7].label == "slides"
    assert jan26.links == [] and jan26.video_ids == []


def test_header_links_are_sources_not_meeting_links():
    notes = parse_notes((NOTES / "links.md").read_text())
    assert [(s.kind, s.ref, s.line) for s in notes.sources] == [
        ("youtube_handle", "@flyteorg", 3),
        ("drive_folder", "0BxArchiveFolderId123", 3),
    ]


def test_talk_keeps_the_links_on_its_own_line():
    text = "## 2022-01-05\n\n### Agenda\n* Intro [Ann - Acme] [video](https://youtu.be/iHBUxzSC9XE?t=60)\n* Q&A\n"
    intro, qa = parse_notes(text).meetings[0].talks
    # the recording's label is not part of the title
    assert (intro.title, [(p.name, p.org) for p in intro.presenters]) == ("Intro", [("Ann", "Acme")])
    assert [(l.ref, l.start_s) for l in intro.links] == [("iHBUxzSC9XE", 60)]
    assert qa.links == []


from hypothesis import given, settings
from hypothesis import strategies as st

from indexer.common import urls as L

_ID = st.text("abcXYZ019_-", min_size=9, max_size=13)
_VALUE = st.one_of(st.sampled_from(["90", "1m30s", "1h2m3s", "", "x", "share", "%3D", "a+b", "0"]), st.text("0123456789hms", max_size=5))
_PARAM = st.tuples(st.sampled_from(["t", "start", "v", "si", "feature", "usp", "list"]), _VALUE).map("=".join)


@st.composite
def urls(draw):
    base = draw(st.sampled_from([
        "https://www.youtube.com/watch?v=", "https://youtube.com/watch?v=", "http://www.youtube.com/live/",
        "https://www.youtube.com/embed/", "https://youtube.com/shorts/", "https://youtu.be/", "https://m.youtube.com/watch?v=",
        "https://www.youtube.com/watch/?v=", "https://drive.google.com/file/d/", "https://drive.google.com/drive/folders/",
        "https://drive.google.com/drive/u/1/folders/", "https://www.YouTube.com/watch?v=",
    ]))
    tail = draw(st.sampled_from(["", "/", "/view", "/edit", "/x/y"]))
    params = draw(st.lists(_PARAM, max_size=3))
    sep = draw(st.sampled_from(["?", "&"]))
    query = (sep + "&".join(params)) if params else ""
    frag = draw(st.sampled_from(["", "#t=45", "#x"]))
    return base + draw(_ID) + tail + query + frag + draw(st.sampled_from(["", ".", ")", "*"]))


@settings(max_examples=300, deadline=None)
@given(urls())
def test_fast_url_reading_agrees_with_urllib(url):
    url = url.rstrip(".,;:!?*_>\\")
    fast = L._classify_fast(url)
    if fast is not None:
        slow = L._classify_slow(url)
        assert slow is not None and (fast.kind, fast.ref, fast.url, fast.start_s) == (slow.kind, slow.ref, slow.url, slow.start_s)


@pytest.mark.parametrize("url", [
    "https://www.youtube.com/watch?v=iHBUxzSC9XE&t=95", "https://youtu.be/iHBUxzSC9XE?t=1m30s",
    "https://www.youtube.com/live/iHBUxzSC9XE?feature=share", "https://www.youtube.com/embed/iHBUxzSC9XE?start=30",
    "https://youtube.com/shorts/iHBUxzSC9XE", "https://drive.google.com/file/d/1AbCdEfGhIjKlMnOpQrS/view?usp=sharing",
    "https://drive.google.com/drive/folders/1Op9EzMNuoZptWovcZcYVdmAuJNNNjil4?usp=sharing",
])
def test_common_forms_take_the_fast_way_and_agree(url):
    fast, slow = L._classify_fast(url), L._classify_slow(url)
    assert fast is not None and (fast.kind, fast.ref, fast.start_s) == (slow.kind, slow.ref, slow.start_s)


_PIECES = [
    "https://youtu.be/iHBUxzSC9XE?t=5", "[Rec](https://www.youtube.com/watch?v=aaaaaaaaaaa&t=1m)", "\n", " ", "x",
    "[", "](", "https://drive.google.com/drive/folders/1abcdefghij", "<https://youtu.be/bbbbbbbbbbb>", "\\_", "(",
    "\t", "\u00a0", "\x0b", "]", "[a]", "[a](",
]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=30).map("".join), st.integers(1, 50))
def test_one_pass_find_links_agrees_with_line_by_line(text, first):
    def seen(found):
        return [(x.kind, x.ref, x.line, x.label, x.start_s) for x in found]

    # "\r\n" makes the same lines but takes the line-by-line path
    assert seen(find_links(text, first)) == seen(find_links(text.replace("\n", "\r\n"), first))


@pytest.mark.parametrize("text", [
    "https://drive.google.com/drive/folders/1Op9Ez...",  # an example or a truncated paste, as in a README
    "https://drive.google.com/file/d/1AbC/view",
])
def test_too_short_drive_ids_are_not_links(text):
    assert L.find_links(text) == []
