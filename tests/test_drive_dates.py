"""Dates that Drive names carry (pure), and the shape of the batched parent query."""
from datetime import date, datetime

import pytest
from googleapiclient.discovery import build
from hypothesis import given, strategies as st

from indexer.drive import harvest as drive
from indexer.drive.harvest import date_from_name


@pytest.mark.parametrize(
    "name,parent,expected",
    [
        ("GMT20210209-170012_Recording_1920x1080.mp4", None, ("2021-02-09T17:00:12Z", "zoom")),
        ("GMT20210209-170012_Recording.m4a", ("2020", "year"), ("2021-02-09T17:00:12Z", "zoom")),
        ("2021-02-09 Flyte sync.mp4", None, ("2021-02-09", "iso")),
        ("flyte_2021_2_9.mp4", None, ("2021-02-09", "iso")),
        ("Feb 9 2021 recording.mp4", None, ("2021-02-09", "mdy")),
        ("Flyte sync February 9th, 2021.mp4", None, ("2021-02-09", "mdy")),
        ("9 Feb 2021 deck.pdf", None, ("2021-02-09", "dmy")),
        ("20210209.mp4", None, ("2021-02-09", "compact")),
        ("meeting-20210209-slides.pdf", None, ("2021-02-09", "compact")),
        ("2021-02", None, ("2021-02", "year-month")),
        ("2021", None, ("2021", "year")),
        ("02-09", ("2021", "year"), ("2021-02-09", "year/month-day")),
        # a month-day folder means nothing without a year above it
        ("02-09", None, (None, None)),
        ("slides.pdf", ("2021-02-09", "iso"), ("2021-02-09", "folder:iso")),
        ("slides.pdf", ("2021-02-09", "folder:iso"), ("2021-02-09", "folder:iso")),
        ("audio.m4a", ("2021-02-09T17:00:12Z", "zoom"), ("2021-02-09T17:00:12Z", "folder:zoom")),
        ("notes.md", ("2021-02", "year-month"), ("2021-02", "folder:year-month")),
        ("Recording_1920x1080.mp4", None, (None, None)),
        # impossible dates are not dates
        ("20211345 build.zip", None, (None, None)),
        ("2021-02-30 sync.mp4", None, (None, None)),
        ("GMT20210209-256012_Recording.mp4", None, ("2021-02-09", "compact")),
    ],
)
def test_date_from_name(name, parent, expected):
    assert date_from_name(name, parent or (None, None)) == expected


def test_zoom_wins_over_later_dates():
    assert date_from_name("GMT20210209-170012 2020-01-01 copy.mp4")[0] == "2021-02-09T17:00:12Z"


def test_folder_chain_2021_slash_02_09():
    year = date_from_name("2021")
    day = date_from_name("02-09", year)
    assert day == ("2021-02-09", "year/month-day")
    assert date_from_name("Decks", day) == ("2021-02-09", "folder:year/month-day")


def test_parent_query_quotes_and_ors():
    q = drive.parent_query(["a", "b'c"])
    assert q == "('a' in parents or 'b\\'c' in parents) and trashed = false"


def test_k_parents_stay_a_plain_get_under_2048_chars():
    """k is chosen so googleapiclient never switches to POST + method override."""
    service = build(
        "drive", "v3", static_discovery=True, developerKey="AIza" + "x" * 35,
        client_options={"api_endpoint": "https://www.googleapis.com/drive/v3/"},
    )
    ids = ["1Op9EzMNuoZptWovcZcYVdmAuJNNNjil4"] * drive.PARENTS_PER_QUERY
    req = service.files().list(
        q=drive.parent_query(ids), pageSize=1000, fields=drive.LIST_FIELDS,
        pageToken="t" * 200, **drive.ALL_DRIVES,
    )
    assert req.method == "GET" and len(req.uri) < 2048
    # and one more id-sized margin: 128 parents (Google's 413) would not be
    assert drive.PARENTS_PER_QUERY < 128

FORMS = {
    "iso": "{d:%Y-%m-%d} Flyte sync.mp4",
    "compact": "meeting {d:%Y%m%d}.mp4",
    "mdy": "Flyte OSS Sync {d:%b} {d.day} {d.year}.mp4",
    "dmy": "{d.day} {d:%B} {d.year} deck.pdf",
}


@given(st.dates(min_value=date(1990, 1, 1), max_value=date(2099, 12, 31)), st.sampled_from(sorted(FORMS)))
def test_every_written_form_reads_back(d, form):
    assert date_from_name(FORMS[form].format(d=d)) == (d.isoformat(), form)


@given(st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2099, 12, 31)))
def test_zoom_names_read_back_as_utc(at):
    name = f"GMT{at:%Y%m%d-%H%M%S}_Recording_1920x1080.mp4"
    assert date_from_name(name) == (at.strftime("%Y-%m-%dT%H:%M:%SZ"), "zoom")


@given(st.text(max_size=80))
def test_any_name_gives_a_real_date_or_none(name):
    value, form = date_from_name(name)
    assert (value is None) == (form is None)
    if value:
        # whatever was read is a real ISO date at some precision
        full = value[:10] if len(value) >= 10 else (value + "-01-01")[:10] if len(value) == 4 else value + "-01"
        date.fromisoformat(full)
