"""What the walker reads inside and around blocks (pure): recording labels, inline lines, HTML text,
the title block, front matter, heading topics, table-row talks, duplicate meetings and the header's
sources."""
from __future__ import annotations

import datetime as dt
import html
import re

from indexer.common import urls
from indexer.notes.agenda import (
    _GENERIC_TITLE,
    _PLACEHOLDER,
    agenda_item,
)
from indexer.notes.dates import (
    DateHit,
    find_date,
)
from indexer.notes.markdown import _Inline, _Lines
from indexer.notes.model import Meeting, Presenter, Source, Talk, Warning
from indexer.notes.presenters import _parse_who, parse_talk


_CANCELLED = re.compile(r"\b(?:cancell?ed|no\s+call|no\s+meeting|no\s+sync|skipped)\b", re.I)


# what the label of a recording / slides link says when it names the resource, not the talk
_RESOURCE_WORDS = re.compile(
    r"\b(?:record\w*|videos?|youtube|watch|links?|here|slides?|deck|stream\w*|replay|part|audio|meeting|call"
    r"|session|full|pdf|presentation|talk|demo)\b|://",
    re.I,
)


def _without_recording_labels(inl: _Inline) -> _Inline:
    """The text minus the labels of YouTube/Drive links ("[Recording](...)" is not a title)."""
    text, bold = inl.text, list(inl.bold)
    for a, b, href in sorted(inl.links, reverse=True):
        if urls.classify_url(href) is None:
            continue
        if not _RESOURCE_WORDS.search(text[a:b]) and len(text[a:b].split()) > 1:
            continue  # "Update on [GUAC refactor](slides)": the label is the title's own words
        text = text[:a] + text[b:]
        cut = b - a
        bold = [(x, y) if y <= a else (x - cut, y - cut) if x >= b else (x, max(x, y - cut)) for x, y in bold]
    return _Inline(text, bold, [])


def _first_line(inl: _Inline) -> tuple[str, list]:
    text = inl.text
    cut = text.find("\n")
    if cut < 0:
        return text, inl.bold
    return text[:cut], [(a, b) for a, b in inl.bold if b <= cut]


_AGENDA_HEAD = re.compile(
    r"^\W*(?:(?:proposed|draft|tentative|preliminary|planned|suggested|meeting|today['’]?s)\s+)?"
    r"(?:agenda|talks?|presentations?|schedule|program(?:me)?|speakers?|line-?up|topics?)\b"
    r"|^\W*(?:[\w/&-]+\s+){1,2}agenda(?:\s+items?)?\W*$",  # "Actionable Agenda Items:", "Open discussion agenda"
    re.I,
)


_PART_OF_MEETING = re.compile(
    r"^\W*(?:[\w/&-]+\s+){1,2}agenda(?:\s+items?)?\W*$"  # "### Actionable Agenda Items:" under "### May 3 2023"
    r"|^\W*(?:meeting\s+|proposed\s+)?(?:agenda(?:\s+items?)?|notes?|minutes|attendees|attending|attendance|action\s+items|recording|video"
    r"|youtube(?:\s+video)?|slides|discussion|q\s*&\s*a|announcements?"
    r"|info(?:rmation)?|details|logistics|summary|decisions?(?:\s+made)?|participants)\b\W*(?:(?:by|from)\b.*)?$",
    re.I,
)


# sub-headings under an agenda heading that end the agenda rather than group its items
_NOT_AGENDA_GROUP = re.compile(
    r"^\W*(?:notes?|minutes|discussion|attendees|attendance|present|participants"
    r"|(?:(?:previous|past|open|new|old)\s+)?action\s+items|recording"
    r"|q\s*&\s*a|next\s+meeting|upcoming|logistics|registration)\b",
    re.I,
)


# a line of its own over the agenda list: "Agenda items:", "Proposed agenda", "Topics:"
_AGENDA_LABEL = re.compile(rf"(?:{_AGENDA_HEAD.pattern})(?:\s+items?)?\s*[:-]?\s*$", re.I)
# a bullet over a list of people: "- **Participants:**", "- Attendees"
_PEOPLE_LABEL = re.compile(
    r"^\W*(?:participants|attendees|attendance|present|hosts?|facilitators?|note-?\s?takers?|scribes?)\W*"
    r"(?:(?:\[[^\]]*\]|\([^)]*\))\W*)?$",  # "* Attendees [name, affiliation]": a hint for who signs in
    re.I,
)
# a line over a list of who came: "Attendees:", "Present", "A partial list of attendees -"
_ATTENDEES_LABEL = re.compile(r"(?:\b(?:attendees|attendance|participants)|^\W*present)\W*$", re.I)


_NUMBERED_TOPIC = re.compile(r"^\s*\d{1,2}[.)]\s+(?=\S)")


_NOTES_HEAD = re.compile(r"^\W*(?:notes?|minutes|discussion)\b", re.I)


_GROUP = re.compile(
    r"^(?:guest\s+|community\s+|lightning\s+|main\s+)?(?:presentations?|talks?|demos?|speakers?|updates?)\W*$",
    re.I,
)


_DATE_COL = re.compile(r"^\W*(?:date|when|day|meeting|session)\b", re.I)


_TITLE_COL = re.compile(
    r"^\W*(?:topic|title|talk|subject|agenda|presentation|session title|discussion\s+point|agenda\s+item)s?\b"
    r"|^\W*(?:[\w-]+\s+){0,2}(?:topic|title|talk|paper|article|document)s?\W*$",  # "Reading Club Document"
    re.I,
)


_WHO_COL = re.compile(r"^\W*(?:presenters?|speakers?|who|by|hosts?|names?)\b", re.I)


_ORG_COL = re.compile(r"^\W*(?:org|organi[sz]ation|company|affiliation)\b", re.I)


_DIGIT = re.compile(r"\d")


_MARKER = re.compile(r"^\s*(?:(?:[*+-]|\d{1,9}[.)])(?:\s+|$))+")
# <details>, </details> and <summary> openings; a summary's text runs to its
# </summary> (found with str.find, once per closing tag: a thousand unclosed
# summaries stay linear). Tags hold at most 500 characters of attributes.
_HTML_TAGS = re.compile(r"<(?P<close>/?)(?P<tag>details|summary)\b[^<>]{0,500}>", re.I)


_SUMMARY_CLOSE = re.compile(r"</summary\s{0,20}>", re.I)


_TAG = re.compile(r"<[^<>]{0,500}>")
# the cells of an HTML layout table
_HTML_ROW = re.compile(r"<tr\b[^<>]{0,500}>(?P<in>.*?)</tr\s{0,20}>", re.I | re.S)
_HTML_CELL = re.compile(r"<(?P<t>t[dh])\b[^<>]{0,500}>(?P<in>.*?)</(?P=t)\s{0,20}>", re.I | re.S)


def _html_text(fragment: str) -> str:
    return re.sub(r"\s+", " ", html.unescape(_TAG.sub(" ", fragment))).strip()


_CELL_OPEN = re.compile(r"<t[dh]\b[^<>]{0,500}>", re.I)
_CELL_CLOSE = re.compile(r"</t[dh]\s{0,20}>", re.I)


def _html_tags(content: str):
    """(offset, line offset, "open" | "close" | "summary", summary text) for each tag, in order."""
    close = None  # the next </summary> at or after the scan position
    line, counted, pos = 0, 0, 0
    for m in _HTML_TAGS.finditer(content):
        if m.start() < pos:
            continue  # inside a summary already read
        line += content.count("\n", counted, m.start())
        counted = m.start()
        if m.group("tag").lower() == "details":
            yield m.start(), line, ("close" if m.group("close") else "open"), None
            continue
        if m.group("close"):
            continue
        if close is not None and close.start() < m.end():
            close = None
        if close is None:
            close = _SUMMARY_CLOSE.search(content, m.end())
            if close is None:
                return  # no summary closes after here
        yield m.start(), line, "summary", content[m.end() : close.start()]
        pos = close.end()


# -- how people keep meetings: a file per meeting, date lines, other events ----

class _TitleBlock:
    """A document's own title: its first heading when that is level 1, and what
    follows up to the next heading. A date written there (in the title, in a
    ``### Meeting Date/Time:`` heading right under it, on a plain or ``**Date:**``
    line) dates the document: one meeting whose section is the whole file."""

    def __init__(self, enabled: bool = True):
        self.state = "before" if enabled else "closed"
        self.level = 0

    @property
    def open(self) -> bool:
        return self.state == "open"

    def heading(self, level: int) -> str | None:
        """``title``, ``under_title`` (the first heading below it) or None."""
        if self.state == "before":
            self.level = level
            self.state = "open" if level == 1 else "closed"
            return "title" if level == 1 else None
        if self.state == "open":
            self.state = "closed"
            return "under_title" if level > self.level else None
        return None


_LEADS_TO_A_DATE = re.compile(
    r"^[\W_]*(?:[\w-]+\s+){0,3}?(?:meeting|meetup|call|sync|minutes|notes|stand-?up|session|hangout)?[\s:#-]*$", re.I
)
# what may follow a date on a line that is only a date: ", 14:00 UTC", "at 9am PST", "(Tuesday)"
_ONLY_A_TIME = re.compile(
    r"^[\s,:@-]*(?:at\s+)?(?:\d{1,2}(?:[:.]\d\d)?\s*(?:am|pm|h)?(?:\s*[-–]\s*\d{1,2}(?:[:.]\d\d)?\s*(?:am|pm|h)?)?)?"
    r"\s*(?:[A-Z]{2,5}(?:[+-]\d{1,2})?)?\s*(?:\((?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\))?[\s.:]*$",
    re.I,
)
# a date line under a title: the date alone (and a time), or with links after a separator ("24 Nov 2020 | [Recording]")
_AFTER_A_DATE_LINE = re.compile(rf"{_ONLY_A_TIME.pattern}|^\s*[|·•(–—-]", re.I)


_DATE_LABEL = re.compile(r"^\W*(?:meeting\s+)?(?:date|when|date\s*/\s*time|date\s+and\s+time|time)\W*?:\W*", re.I)


_BACKLOG = re.compile(r"\bbacklog\b", re.I)
# a heading that only names a year, over that year's meetings: "## 2021", "## Meetings in 2020"
_YEAR_HEADING = re.compile(r"^\W*(?:(?:meetings?|calls?|notes|minutes|sessions?|in|of)\s+){0,2}(?P<y>(?:19|20)\d\d)\W*$", re.I)
# headings over lists of events that are not this series' meetings, or of tasks with due dates
_OTHER_EVENTS = re.compile(
    r"\b(?:conferences?|workshops?|action[\s-]+items?|to-?dos?|deadlines?|publications?|papers|milestones?"
    # releases, changelogs, roadmaps, news and other events: dated, but no meetings of the series
    r"|releases?|change-?\s?logs?|version\s+history|roadmaps?|timelines?|news|press|blog\s+posts?"
    r"|(?:upcoming|other|community|related|past)\s+events|events\s+calendar)\b",
    re.I,
)
_NUMBERED_SESSION = re.compile(r"^\W*(?:sessions?|meetings?|calls?|meetups?|workshops?)\s*#?\d{1,3}\b", re.I)
_NEXT_MEETING_HEAD = re.compile(
    r"^\W*(?:next|upcoming|following)\s+(?:[\w&/-]+\s+){0,2}(?:meetings?|calls?|syncs?|sessions?)\W*$", re.I
)
# "](url)" with one level of parentheses inside the URL; a run of "](" without ")" is
# scanned once (a "[^)\s]*" class reached over every later "](" and went quadratic)
_LINK_TARGET = re.compile(r"\]\((?:[^()\s]|\([^()\s]*\))*\s*\)")


# YAML front matter opens with a key (or closes at once); a leading "---" rule over the text is none
_FRONT_MATTER = re.compile(
    r"\A(?:\ufeff)?---[ \t]*\r?\n(?=[ \t]*(?:[\w\"'-][^\r\n:]{0,80}:|#|---|\.\.\.))(?:.*\r?\n){0,200}?(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)"
)


def _without_front_matter(text: str) -> str:
    """YAML front matter (``---`` ... ``---``) as blank lines: it is no heading and no date."""
    m = _FRONT_MATTER.match(text)
    if m is None:
        return text
    return re.sub(r"[^\r\n]", "", m.group(0)) + text[m.end():]


def _front_matter_end(text: str, line0: int) -> int:
    """The first line after any front matter (0-based), at least ``line0``."""
    m = _FRONT_MATTER.match(text)
    if m is None:
        return line0
    after = text.count("\n", 0, m.end())
    rest = text[m.end():]
    skip = len(rest) - len(rest.lstrip("\r\n"))
    return max(line0, after + rest.count("\n", 0, skip))


_SERIES_NOUN = re.compile(r"\b(?:notes|wg|working\s+group|team|sig|committee)\b", re.I)


_MEETING_NOUN = re.compile(
    r"\b(?:meeting|meetup|call|sync|stand-?up|session|hangout|gathering|minutes|treffen|stammtisch)s?\b", re.I
)


def _links_its_recording(inl: "_Inline", text: str) -> bool:
    """``### [Audio Video of the Meeting](https://youtube...)``: a heading that is only a
    recording's link is a part of the meeting above, whatever its level."""
    if len(inl.links) != 1:
        return False
    a, b, href = inl.links[0]
    link = urls.classify_url(href.strip())
    return link is not None and link.kind in ("youtube", "drive_file") and not (inl.text[:a] + inl.text[b:]).strip(" *_:-")


def _lead_words(text: str) -> list[str]:
    return re.findall(r"[^\W\d_]{2,}", text.lower())[:3]


def _path_title(path: str) -> str:
    return re.sub(r"\.(?:md|markdown|txt)$", "", re.split(r"[\\/]+", path or "notes")[-1], flags=re.I) or "notes"


class _ALog(Exception):
    """Raised when a file read as one meeting writes a second one: read it again as a log."""


def _split_lines(inl: _Inline) -> list[tuple[str, list]]:
    """The inline text's lines, each with its bold spans."""
    out, pos = [], 0
    for part in inl.text.split("\n"):
        end = pos + len(part)
        bold = [(max(a, pos) - pos, min(b, end) - pos) for a, b in inl.bold if a < end and b > pos]
        if part.strip():
            lead = len(part) - len(part.lstrip())
            out.append((part.strip(), [(max(0, a - lead), max(0, b - lead)) for a, b in bold]))
        pos = end + 1
    return out


# headings that hold the call's metadata or its parts, not a topic discussed
_META_HEAD = re.compile(
    r"^\W*(?:meeting\s)?(?:date|time|duration|moderator|facilitator|hosts?|notes?|agenda|summary|minutes|recording"
    r"|audio|video|youtube|livestream|stream|links?|reddit|github|attendees|attendance|participants|actions?"
    r"|decisions?|suggestions|next\s(?:meeting|call)|date\sfor|my\snotes|purpose|welcome|introductions?"
    r"|resources|announcements|short\sreports|table\sof\scontents|contents|open\saction)\b",
    re.I,
)


_END_HEAD = re.compile(r"^\W*(?:attendees|attendance|participants)\b", re.I)


_TOPIC_NUMBER = re.compile(r"^\d{1,3}[.)]?\s")


_YEAR = re.compile(r"\b(?:19|20)\d{2}\b")


def _heading_topics(headings: list[list], after_line0: int, lines: _Lines | None = None) -> list[Talk]:
    """The topics of long discussion notes: headings after the metadata block up to
    ``# Attendees`` (``## Topic``, numbered ``# 1. Topic``). A heading with nothing
    under it but a deeper heading is read with it (``Research: Derive OpenAPI ...``);
    headings deeper than most topics are sub-topics."""
    cands = []
    end0 = lines.count if lines is not None else 0
    for line0, level, text, has_body in headings:
        if line0 <= after_line0:
            continue
        if _END_HEAD.match(text):
            end0 = line0
            break
        if not text or _META_HEAD.match(text) or find_date(text[:200]) is not None:
            continue
        cands.append([line0, level, text, has_body])
    numbered = [c for c in cands if _TOPIC_NUMBER.match(c[2])]
    if len(numbered) >= 2:
        level = min(c[1] for c in numbered)
        cands = [c for c in cands if c[1] <= level]
    if len(cands) < 2 or sum(bool(_YEAR.search(c[2])) for c in cands) * 2 >= len(cands):
        return []  # headings naming years are sections of other meetings, not topics
    levels = [c[1] for c in cands]
    common = max(set(levels), key=lambda v: (levels.count(v), -v))
    talks: list[Talk] = []
    i = 0
    while i < len(cands):
        line0, level, text, has_body = cands[i]
        if level > common:
            i += 1
            continue
        title = _TOPIC_NUMBER.sub("", text).strip()
        if not has_body and i + 1 < len(cands) and cands[i + 1][1] > level:
            title = f"{title}: {_TOPIC_NUMBER.sub('', cands[i + 1][2]).strip()}"
            i += 1
        found = agenda_item(title)
        if found is not None:
            talks.append(Talk(found[0], found[1], text, line=line0 + 1))
        i += 1
    if lines is not None:  # a topic's notes run to the next topic
        for talk, nxt in zip(talks, [t.line - 1 for t in talks[1:]] + [end0]):
            talk.notes = lines.slice(talk.line, nxt).strip()
    return talks


def _column_roles(header: list[str]) -> dict[str, int]:
    role: dict[str, int] = {}
    for i, h in enumerate(header):
        for name, rx in (("date", _DATE_COL), ("title", _TITLE_COL), ("who", _WHO_COL), ("org", _ORG_COL)):
            if name not in role and rx.match(h):
                role[name] = i
                break
    return role


def _row_talk(cells: list[_Inline], role: dict[str, int], raw: str, line0: int) -> Talk | None:
    def cell(name: str) -> str:
        i = role.get(name, -1)
        return cells[i].text.strip() if 0 <= i < len(cells) else ""

    title = cell("title")
    who = cell("who")
    if not title and not who:
        return None
    if title:
        t, presenters = parse_talk(title, cells[role["title"]].bold if "title" in role else None)
        title = t or title
        if not who and not presenters and (_GENERIC_TITLE.match(title) or _PLACEHOLDER.match(title)):
            return None  # "[agenda](...)": a link to the agenda, not a talk
    else:
        presenters = []
    if who:
        presenters = _parse_who(who)
    org = cell("org")
    if org:
        presenters = [Presenter(p.name, p.org or org) for p in presenters]
    talk = Talk(title or "(untitled)", presenters, raw.strip().strip("|").strip(), line=line0 + 1)
    talk.links = urls.find_links(raw, first_line=line0 + 1)
    return talk


def _heading_title(text: str, hit: DateHit) -> str:
    after = _TIME_AFTER_DATE.sub("", text[hit.end :], count=1)
    rest = _EMPTY_BRACKETS.sub(" ", text[: hit.start] + " " + after).strip(" -:–—|,.*_")
    rest = re.sub(r"\s+", " ", rest).strip()
    if rest.startswith("(") and rest.endswith(")") and rest.count("(") == 1:
        rest = rest[1:-1].strip()
    return rest or text[hit.start : hit.end].strip() or text.strip()


# "24.02.2021, 18:00h CET", "[2023-11-09]": what is left of a title once its date is taken out
_TIME_AFTER_DATE = re.compile(r"^[\s,]*(?:at\s+)?\d{1,2}[:.]\d\d\s*(?:h\b|am\b|pm\b)?\s*(?:[A-Z]{2,5}\b)?", re.I)


_EMPTY_BRACKETS = re.compile(r"\[[\s,]*\]|\([\s,]*\)")


def _attach_talk(meeting: Meeting, title: str, presenters: list[Presenter]) -> Talk | None:
    """Find the agenda talk a notes header speaks of: by title words, then presenter."""
    from rapidfuzz import fuzz

    best, best_score = None, 0.0
    wanted = {p.name.split()[0].lower() for p in presenters if p.name.split()}
    for talk in meeting.talks:
        score = fuzz.token_set_ratio(title.lower(), talk.title.lower())
        names = {p.name.split()[0].lower() for p in talk.presenters if p.name.split()}
        if wanted & names:
            score += 40
        if score > best_score:
            best, best_score = talk, score
    if best_score < 60:
        return None
    best.noted_presenters.extend(p for p in presenters if p not in best.noted_presenters)
    return best


def _merge_duplicates(meetings: list[Meeting], warnings: list[Warning]) -> list[Meeting]:
    """One meeting per date: a section pasted twice is merged into the first, with a warning."""
    by_date: dict[dt.date, Meeting] = {}
    out: list[Meeting] = []
    for m in meetings:
        first = by_date.get(m.date)
        if first is None:
            by_date[m.date] = m
            out.append(m)
            continue
        warnings.append(
            Warning(m.line, f"meeting {m.date.isoformat()} appears again (first at line {first.line}); merged")
        )
        first.also_at.append(m.line)
        known = {t.title.lower() for t in first.talks}
        first.talks.extend(t for t in m.talks if t.title.lower() not in known)
        first.video_ids.extend(v for v in m.video_ids if v not in first.video_ids)
        first.drive_ids.extend(v for v in m.drive_ids if v not in first.drive_ids)
        first.links.extend(m.links)
        first.notes = (first.notes + "\n\n" + m.notes).strip()
        first.cancelled = first.cancelled and m.cancelled
        first.notes_author = first.notes_author or m.notes_author
    return out


def _header_sources(lines: _Lines, meetings: list[Meeting]) -> list[Source]:
    """Channel and folder links written before the first meeting."""
    first = min((m.line for m in meetings), default=None)
    head = lines.slice(0, first - 1) if first else lines.text
    sources = []
    seen = set()
    for link in urls.find_links(head, first_line=1):
        if link.kind in ("youtube_channel", "youtube_handle", "youtube_user", "drive_folder"):
            if (link.kind, link.ref) in seen:
                continue
            seen.add((link.kind, link.ref))
            sources.append(Source(link.kind, link.ref, link.url, link.label, link.line))
    return sources
