"""The notes parser's plain data and its JSON shape.

``Notes`` (a document's meetings, backlog, the sources it names and its
warnings), ``Meeting``, ``Talk``, ``Presenter``, ``BacklogItem``, ``Source``,
``Warning``; ``slugify`` (the ids ``db.save_notes`` builds from titles and
names); and ``meeting_to_json``, the stable shape of ``meetup-indexer notes
--json`` (see docs/notes.md). It imports nothing else from the package.
"""
from __future__ import annotations

import datetime as dt
import functools
import re
import unicodedata
from dataclasses import dataclass, field

from indexer.common.redact import redact_userinfo


@dataclass
class Presenter:
    name: str
    org: str | None = None


@dataclass
class Talk:
    title: str
    presenters: list[Presenter] = field(default_factory=list)
    # the agenda line as written, e.g. "Flyte Egress Events [Sonja - Katrina - Nian - Spotify]"
    raw: str = ""
    # markdown of the notes section that belongs to this talk, if any
    notes: str = ""
    line: int = 0
    # YouTube/Drive links written on the talk's own line(s): urls.Link objects
    links: list = field(default_factory=list)
    # an offset the notes write for the talk ("[5:31](...&t=331s)", "[33:40]", "@ 33:05",
    # "(0:50 in video)"): seconds, and the video it names (None: the meeting's recording)
    noted_start_s: int | None = None
    noted_video_id: str | None = None
    # presenters as the talk's notes header names them ("Egress (Presenter: Nian Tang from Spotify)"):
    # other spellings of the agenda's presenters, which indexer/notes/people.py resolves
    noted_presenters: list[Presenter] = field(default_factory=list)


@dataclass
class Meeting:
    date: dt.date
    title: str
    line: int
    raw: str = ""
    talks: list[Talk] = field(default_factory=list)
    video_ids: list[str] = field(default_factory=list)
    drive_ids: list[str] = field(default_factory=list)
    # every YouTube/Drive link in the section: urls.Link objects
    links: list = field(default_factory=list)
    notes_author: str | None = None
    # markdown of the notes part that could not be attached to one talk
    notes: str = ""
    cancelled: bool = False
    # how the meeting was written: heading | details | bullet | table
    form: str = "heading"
    # 1-based line after the section (exclusive)
    end_line: int = 0
    # lines of later copies merged into this one
    also_at: list[int] = field(default_factory=list)

    @property
    def id(self) -> str:
        return self.date.isoformat()


@dataclass
class BacklogItem:
    title: str
    presenters: list[Presenter] = field(default_factory=list)
    raw: str = ""
    line: int = 0


@dataclass
class Source:
    """A data source the notes name: the YouTube channel, the Drive folder."""

    kind: str  # "youtube_channel" | "youtube_handle" | "youtube_user" | "drive_folder"
    ref: str
    url: str
    label: str = ""
    line: int = 0


@dataclass
class Warning:
    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


@dataclass
class Notes:
    title: str = ""
    meetings: list[Meeting] = field(default_factory=list)
    backlog: list[BacklogItem] = field(default_factory=list)
    sources: list[Source] = field(default_factory=list)
    warnings: list[Warning] = field(default_factory=list)
    # YouTube ids the file links outside every meeting's section (lists of talks,
    # tutorials): the matcher knows these videos are not recordings of a meeting
    videos_elsewhere: list[str] = field(default_factory=list)


@functools.lru_cache(maxsize=16384)  # db.save_notes slugs every presenter of every talk
def slugify(text: str) -> str:
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    text = _NON_SLUG.sub("-", text).strip("-").lower()
    return text or "untitled"


_NON_SLUG = re.compile(r"[^a-zA-Z0-9]+")


def talk_id(meeting_id: str, title: str, used: set[str]) -> str:
    """A talk's key: its meeting and the slug of its title, ``-2`` appended while
    taken (``used`` collects the keys of one meeting). A password in a URL of the
    title stays out of the key, as out of the title stored."""
    tid = f"{meeting_id}/{slugify(redact_userinfo(title))}"
    while tid in used:
        tid += "-2"
    used.add(tid)
    return tid


def meeting_to_json(m: Meeting) -> dict:
    """The stable JSON shape of ``meetup-indexer notes --json`` (see docs/notes.md)."""
    return {
        "date": m.date.isoformat(),
        "title": m.title,
        "line": m.line,
        "cancelled": m.cancelled,
        "video_ids": list(m.video_ids),
        "drive_ids": list(m.drive_ids),
        "talks": [_talk_json(t) for t in m.talks],
    }


def _talk_json(t: Talk) -> dict:
    out: dict = {"title": t.title, "presenters": [{"name": p.name, "org": p.org} for p in t.presenters]}
    if t.noted_start_s is not None:  # only where the notes write one: the shape stays as documented
        out["noted_start_s"] = t.noted_start_s
        out["noted_video_id"] = t.noted_video_id
    return out
