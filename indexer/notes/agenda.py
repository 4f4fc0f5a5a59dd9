"""Agenda items as people write them, and offsets written for a talk.

``agenda_item`` decides whether a bullet is a talk at all (kind prefixes such
as "Talk:", labels about the meeting, placeholders, task boxes, a leading
presenter, @handles, ``[name=...]`` tags) and reads it with
``presenters.parse_talk``; ``dated_bullet_talks`` reads a dated bullet that is
itself the talk; ``noted_offset`` reads an offset written for a talk
(``[33:40]``, ``@ 33:05``, a ``t=`` link) into ``Talk.noted_start_s`` and
``Talk.noted_video_id``.
"""
from __future__ import annotations

import re
from typing import TYPE_CHECKING

from indexer.common import urls
from indexer.notes.dates import find_date
from indexer.notes.model import Presenter, Talk
from indexer.notes.presenters import NOT_NAMES, SEPARATORS, looks_like_name, parse_who, squeeze, who_is_names, parse_talk

if TYPE_CHECKING:
    from indexer.notes.markdown import Inline


# "Talk:", "Keynote:", "Workshop:", "Lightning Talk:" (also misspelt "Lightnig")
KIND_PREFIX = re.compile(
    r"^(?:(?:lightn\w{0,6}|guest|invited|main|short)\s)?(?:talk|keynote|workshop|panel)\s?:\s?", re.I
)
# "Slides: ...", "Recording (Full): ...", "Location: ...", "Note: ..." are about the meeting
_LABEL = re.compile(r"^(?P<label>[^:\n]{1,40}):")


_LABEL_WORDS = re.compile(  # whole words: "stream-whatwg: add whatwg streams" is a topic
    r"(?<![\w-])(?:slides?|recordings?|videos?|location|venue|where|when|time|date|notes?|stream|livestream|youtube"
    r"|zoom|meetup|registration|rsvp|address|contact|links?|deck|attendees|attendance|moderator|duration|chat"
    r"|hosts?|facilitators?|participants|note-?\s?takers?|scribes?)(?![\w-])",
    re.I,
)
# "**Where**: zoom.us", "**When**: May 10": the meeting's own particulars, bold or not
_META_LABEL = re.compile(
    r"^\W*(?:where|when|location|venue|time|date|zoom|registration|rsvp|address|contact|hosts?|facilitators?"
    r"|participants|note-?\s?takers?|scribes?)\W*$",
    re.I,
)
# a bullet that only names a part of the meeting ("**Agenda:**", "**Participants:**"): no talk itself
_SECTION_LABEL = re.compile(
    r"^\W*(?:agenda(?:\s+items?)?|topics|participants|attendees|attendance|present|hosts?|facilitators?"
    r"|note-?\s?takers?|scribes?)\W*$",
    re.I,
)
# "add item here [name, ...]", "[name=YourNameHere]", "Let's collect ...", "TBA"
PLACEHOLDER = re.compile(
    r"^\W*(?:add\s(?:[\w/-]+\s){0,4}here\b|(?:let[’']?s|please)\s(?:collect|add)\b"
    r"|(?:\[\s?)?(?:name\s?=\s?)?your\s?name\s?here\b"
    r"|(?:tba|tbd|tbc|n/?a|none|todo|\.\.\.|…)\W*$"
    r"|no\s+(?:questions|updates|items|topics|agenda\s+items)\b"
    r"|add\s+(?:yourself\W*$|your\s+(?:agenda\s+)?(?:items?|topics?|names?)\b|an?\s+(?:agenda\s+)?(?:item|topic)\W*$)"
    r"|[-–—]+\s*$)",  # "_add your items_", "Add your topics to [this doc]", a dash in an empty cell
    re.I,
)


_BULLET_GLYPH = re.compile(r"^[•◦▪▫‣∙·●○■□]\s+")


_TASK_BOX = re.compile(r"^\[[ xX]?\]\s?")
# HackMD "[name=handle]" tags
NAME_TAG = re.compile(r"\[name\s?=\s?(?P<who>[^\[\]=]{1,80})\]\s?", re.I)


_HANDLE = re.compile(r"(?<![\w@])@(?P<h>[A-Za-z0-9][\w.-]{0,38})")


GENERIC_TITLE = re.compile(r"^\W*(?:agenda|notes?|minutes|link|slides?|recording|video|youtube|tba|tbd)\W*$", re.I)


# "Martin Renou. Presenting ...", "Prasun Anand : Presenting ..."
_LEAD_NAME = re.compile(r"^(?P<who>[^\W\d_][\w'’-]{0,30}(?: [^\W\d_][\w'’-]{0,30}){1,3}) ?[.:] (?=\S)")


def _is_lead_name(who: str) -> bool:
    words = who.split()
    return (
        looks_like_name(who)
        and not any(len(w) > 1 and w.isupper() for w in words)  # "Add EIP: ..." is a topic
        and not any(w.lower().strip(".") in NOT_NAMES or w.lower() in _TOPIC_WORDS for w in words)
    )


_TOPIC_WORDS = {
    "open", "closing", "remarks", "proposal", "review", "release", "meeting", "call", "intro", "introduction",
    "status", "roadmap", "testing", "next", "steps", "general", "other", "new", "old", "business", "community",
    "project", "working", "group", "shout", "out", "welcome", "admin", "administrivia", "approval", "action", "items",
}


def italic_tail(title: str, raw: str) -> tuple[str, list[Presenter]]:
    """``topic - _Name_`` (the name in emphasis closing the line) -> ("topic", [Name])."""
    mark = raw[-1]
    start = raw.rfind(mark, 0, len(raw) - 1)
    who = raw[start + 1 : -1].strip(" *_") if start > 0 else ""
    if who and raw[start - 1 : start] in (" ", "-") and _is_lead_name(who) and title.endswith(who):
        rest = title[: -len(who)].strip(SEPARATORS)
        if rest:
            return rest, [Presenter(who)]
    return title, []


def _comma_tail(title: str) -> tuple[str, list[Presenter]]:
    """``Title, Presenter Name, Org`` -> ("Title", [Presenter Name (Org)]); else the title as it is."""
    parts = title.rsplit(", ", 2)
    if len(parts) == 3 and parts[0].strip():
        who, org = parts[1].strip(), parts[2].strip()
        if len(who.split()) >= 2 and _is_lead_name(who) and 1 <= len(org.split()) <= 4 and org[:1].isupper():
            return parts[0].strip(), [Presenter(who, org)]
    return title, []


_URL_WORDS = re.compile(r"[A-Za-z0-9]+")


def _url_title(url: str) -> str:
    """A bare link as an agenda item: the words of what it links (``.../t/eip-2315-simple-subroutines/3941``
    -> "eip 2315 simple subroutines"; ``github.com/org/repo/issues/12`` -> "org/repo#12")."""
    path = url.split("://", 1)[1].split("?", 1)[0].split("#", 1)[0][:500]
    segments = [p for p in path.split("/")[1:] if p]
    if len(segments) >= 4 and segments[2] in ("issues", "pull", "pulls", "discussions") and segments[3].isdigit():
        return f"{segments[0]}/{segments[1]}#{segments[3]}"
    slugs = [p for p in segments if "-" in p or "_" in p]
    if slugs:
        return " ".join(_URL_WORDS.findall(max(slugs, key=len)))
    return url


def lead_group(text: str) -> tuple[str, str] | None:
    """``(Name, Name) Title`` -> ("Name, Name", "Title"): a leading parenthesis, then a space."""
    if not text.startswith("("):
        return None
    end = text.find(")")
    if end < 2 or "(" in text[1:end] or text[end + 1 : end + 2] != " ":
        return None
    return text[1:end].strip(), text[end + 1 :].strip()


# a time slot: "[15 min] Title", "[Name - 30 min] Title", "[Name, 5m]"
_DURATION = r"~?\s?\d{1,3}\s?(?:min(?:ute)?s?|m|hrs?|hours?|h)\.?"
_LEADING_DURATION = re.compile(rf"^\[\s?{_DURATION}\s?\]\s*", re.I)
_TRAILING_DURATION = re.compile(rf"\s*[-–—,:]?\s*{_DURATION}\s*$", re.I)


def _lead_bracket(text: str) -> tuple[list[Presenter], str] | None:
    """``[Name] Title`` / ``[Name, Name] Title`` / ``[Name - 30 min] Title`` -> (presenters, "Title");
    ``[WIP] fs: ...`` or ``[async_hooks] stable API`` are no names."""
    if not text.startswith("["):
        return None
    end = text.find("]")
    if end < 2 or "[" in text[1:end] or text[end + 1 : end + 2] != " " or not text[end + 1 :].strip():
        return None
    people = parse_who(_TRAILING_DURATION.sub("", text[1:end]))
    if people and all(_is_lead_name(p.name) for p in people):
        return people, text[end + 1 :].strip()
    return None


def _names_in(who: str) -> list[Presenter]:
    """The people a free-form group names: ``Iker, Kalle``, ``Víctor and related group``, ``Jeremie - if time allows``."""
    who = re.split(r"\s[-–—]\s", who, maxsplit=1)[0]
    people = parse_who(who)
    named = [p for p in people if looks_like_name(p.name)]
    if named:
        return named
    first = who.split()[0] if who.split() else ""
    return [Presenter(first)] if first and looks_like_name(first) and len(people) == 1 else []


def agenda_item(text: str, bold: list[tuple[int, int]] | None = None) -> tuple[str, list[Presenter]] | None:
    """One agenda line -> (title, presenters), or None when the line is no talk
    (a placeholder, a "Slides:" / "Location:" line, an empty label).

    Around ``parse_talk``: a ``Talk:`` / ``Keynote:`` / ``Workshop:`` prefix with
    ``**Name - Title**``, ``**Name, Name - Title**`` or ``with Name - Title``
    after it; a leading ``(Name)``, ``[name=handle]`` or ``@handle``; a task box.
    """
    text, bold = squeeze(text.strip(), bold)
    bold = list(bold or [])
    text = text.strip()
    glyph = _BULLET_GLYPH.match(text)
    if glyph:  # "• Title" typed as plain lines (pasted from a document)
        text, bold = _cut(text, bold, glyph.end())
    box = _TASK_BOX.match(text)
    if box:
        text, bold = _cut(text, bold, box.end())
    for _ in range(4):  # "[ 0:19 ] Title", "33:40 - 35:44 topic"
        clock = _LEADING_CLOCK.match(text)
        if not clock or not clock.end():
            break
        text, bold = _cut(text, bold, clock.end())
    slot = _LEADING_DURATION.match(text)
    if slot and text[slot.end() :].strip():
        text, bold = _cut(text, bold, slot.end())
    if not text or PLACEHOLDER.match(text) or _SECTION_LABEL.match(text):
        return None
    if not any(c.isalnum() for c in text):
        return None  # "- /", "- ...": a slot left for items, no talk
    kind = KIND_PREFIX.match(text)
    if kind:
        text, bold = _cut(text, bold, kind.end())
        return _kind_item(text, bold)
    presenters: list[Presenter] = []
    lead_name = _LEAD_NAME.match(text) if not bold else None
    if lead_name and _is_lead_name(lead_name.group("who")):
        presenters = [Presenter(lead_name.group("who"))]
        text, bold = _cut(text, bold, lead_name.end())
    label = _LABEL.match(text)
    if (
        label
        and not presenters
        and len(label.group("label").split()) <= 4
        and _LABEL_WORDS.search(label.group("label"))
        and (not bold[:1] == [(0, label.end() - 1)] or _META_LABEL.match(label.group("label")))
    ):
        return None
    tag = NAME_TAG.search(text)
    if tag:
        presenters = [Presenter(tag.group("who").strip())]
        text, bold = _cut(text, bold, tag.start(), tag.end())
        if PLACEHOLDER.match(presenters[0].name):
            presenters = []
            if not text.strip(SEPARATORS):
                return None
    bracket = _lead_bracket(text) if not presenters else None
    if bracket is not None:
        presenters = bracket[0]
        text, bold = _cut(text, bold, len(text) - len(bracket[1]))
    lead = lead_group(text)
    if lead and not presenters:
        people = _names_in(lead[0])
        if people and lead[1]:
            presenters = people
            text, bold = _cut(text, bold, len(text) - len(lead[1]))
    if not presenters and bold and bold[0][0] == 0 and text[bold[0][1] : bold[0][1] + 1] == " ":
        # "**Gonzalo** Internationalization workflow": a bold name, then the title
        who, rest = text[: bold[0][1]].strip(), text[bold[0][1] :].strip()
        if rest[:1].isupper() and looks_like_name(who) and (" " not in who or _is_lead_name(who)):
            if who.lower() not in _TOPIC_WORDS:
                presenters = [Presenter(who)]
                text, bold = _cut(text, bold, bold[0][1])
    handle = _HANDLE.match(text)
    if handle and not presenters and text[handle.end() :].strip(SEPARATORS):
        presenters = [Presenter("@" + handle.group("h"))]
        text, bold = _cut(text, bold, handle.end())
    title, more = parse_talk(text, bold)
    if not presenters and not more:
        cut, handles = _handle_tail(title) if "@" in title else (len(title), [])
        if handles and title[:cut].strip(SEPARATORS):
            more = [Presenter(h) for h in handles]
            title = title[:cut].strip(SEPARATORS)
    if not presenters and not more:
        title, more = _comma_tail(title)
    presenters = presenters + more
    if title.startswith(("http://", "https://")) and " " not in title:
        title = _url_title(title)
    if any(c in title for c in "[@(") and _NOTED_CLOCK.search(title):
        bare = _NOTED_CLOCK.sub("", title).strip(SEPARATORS)  # "Deep dive (0:50 in video)": the offset is no title
        title = bare or title
    title = title.strip(SEPARATORS) if presenters else title
    if not title and not presenters:
        return None
    if title and GENERIC_TITLE.match(title) and not presenters:
        return None
    if title.endswith(":") and _LABEL.match(title) and _LABEL_WORDS.search(title):
        return None
    return title, presenters


# link labels that name a resource of the talk, not the talk
_RESOURCE_LABEL = re.compile(
    r"^\W*(?:(?:talk|keynote|full|the)\s)?(?:slides?(?:\s(?:and|&)\srecording)?|recording|video|youtube|pdf|paper|deck|notes"
    r"|presentation\sdeck|part\s?\d+|slides?\s(?:part\s)?\d+)\W*$",
    re.I,
)


_LEADING_SECOND_DATE = re.compile(r"^\s?(?:[&/,]|and)\s?(?:\d{4}-\d{1,2}-\d{1,2}|\d{1,2})\b", re.I)


_TAIL_CHARS = " \t,;:/()–—&+-"


_TAIL_WORDS = ("and", "or", "slides", "slide", "recording", "video")


def _strip_resource_tail(part: str) -> str:
    """``Title [slides] and [slides] - [recording]`` without its labels: ``Title`` (no regex: runs of dashes stay linear)."""
    while True:
        part = part.rstrip(_TAIL_CHARS)
        low = part.lower()
        word = next((w for w in _TAIL_WORDS if low.endswith(w) and (len(low) == len(w) or not low[-len(w) - 1].isalnum())), None)
        if word is None:
            return part
        part = part[: -len(word)]


# "* [29 April 2021 TeleConf](minutes)", "8 April 2021 CJK Meeting (minutes)": the meeting's kind, no talk
_ONLY_A_MEETING = re.compile(
    r"^\W*(?:[\w.-]+\s){0,3}(?:meeting|call|sync|stand-?up|office\s+hours|meetup|recording|tele-?conf(?:erence)?|telcon)s?"
    r"(?:\s*\([^()]*\)?)?\W*$",
    re.I,
)


def dated_bullet_talks(inl: Inline, line0: int) -> list[Talk]:
    """``* 2023-10-26: A Polynomial Dialect Proposal`` + slides/recording links: the bullet is the talk.

    The title runs from the date to ';' or the resource links; more topics
    separated by ';' are more talks, a part naming only people names the
    presenters of the one before.
    """
    text = inl.text
    for a, b, href in sorted(inl.links, reverse=True):
        label = text[a:b]
        if urls.classify_url(href) is not None or _RESOURCE_LABEL.match(label) or href.lower().endswith(".pdf"):
            text = text[:a] + text[b:]
    text, _ = squeeze(text)
    hit = find_date(text[:120])
    if hit is None:
        return []
    rest = text[hit.end :]
    second = _LEADING_SECOND_DATE.match(rest)
    if second:
        rest = rest[second.end() :]
    talks: list[Talk] = []
    for part in rest.split(";"):
        part = part.strip(SEPARATORS + ".")
        part = re.sub(r"^(?:and|or)\s", "", part, flags=re.I)
        part = _strip_resource_tail(part).strip(SEPARATORS)
        if not part or _RESOURCE_LABEL.match(part):
            continue
        who = part.split(" @ ")[0].strip()
        acronym = any(len(w) > 1 and w.isupper() for w in who.split())  # "RFC C APIs" is a topic
        if talks and not acronym and who_is_names(who):
            talks[-1].presenters.extend(parse_who(who))
            continue
        found = agenda_item(part)
        if found is None or (not talks and _ONLY_A_MEETING.match(found[0]) and not found[1]):
            continue
        talks.append(Talk(found[0], found[1], part, line=line0 + 1))
    return talks


_CLOCK = r"(\d{1,2}(?::\d{2}){1,2})"
# offsets written without a link: "[33:40]", "[ 0:19 ]", "@ 33:05", "(0:50 in video)"
_NOTED_CLOCK = re.compile(
    rf"\[ ?{_CLOCK} ?\]|(?<![\w@])@ ?{_CLOCK}\b|\({_CLOCK} (?:in|into) (?:the )?(?:video|recording)\)"
)


_LEADING_CLOCK = re.compile(r"^\[?\s?\d{1,2}(?::\d{2}){1,2}\s?\]?[\s–—-]*")


MAX_OFFSET_S = 24 * 3600  # no meeting recording is longer than a day


def _clock_seconds(clock: str) -> int:
    n = 0
    for part in clock.split(":"):
        n = n * 60 + int(part)
    return n


def noted_offset(text: str) -> tuple[int | None, str | None]:
    """The first offset ``text`` (markdown) writes: (seconds, video id or None).

    A YouTube link with ``t=`` gives both (``[5:31](...&t=331s)``,
    ``[[4:14](https://youtu.be/ID?t=253)]``); a bare clock (``[33:40]``,
    ``@ 33:05``, ``(0:50 in video)``) gives the seconds only: the meeting's recording.
    """
    if not text or ":" not in text:  # every form has a clock or a URL
        return None, None
    best: tuple[int, int, str | None] | None = None  # (position, seconds, video)
    if "://" in text and ("t=" in text or "start=" in text):
        for link in urls.find_links(text):
            if link.kind == "youtube" and link.start_s is not None and 0 <= link.start_s <= MAX_OFFSET_S:
                best = (text.find(link.url[:40]), link.start_s, link.ref)
                break
    m = _NOTED_CLOCK.search(text, 0, best[0] if best and best[0] >= 0 else len(text))
    if m:
        seconds = _clock_seconds(m.group(1) or m.group(2) or m.group(3))
        inside_link = text[m.end() : m.end() + 1] == "("  # "[5:31](url)": the link says it better
        if seconds <= MAX_OFFSET_S and not (inside_link and best):
            return seconds, None
    if best:
        return best[1], best[2]
    return None, None


def note_offsets(talks: list[Talk]) -> None:
    """Each talk's offset from its own line, else the first one in its own notes."""
    for t in talks:
        if t.noted_start_s is None:
            start, video = noted_offset(t.raw)
            if start is None:
                start, video = noted_offset(t.notes[:20_000])  # the first one is near the top
            t.noted_start_s, t.noted_video_id = start, video


def _cut(text: str, bold: list, a: int, b: int | None = None) -> tuple[str, list]:
    """``text`` without [a:b) (b None: without [0:a)), bold spans moved along."""
    if b is None:
        a, b = 0, a
    n = b - a
    spans = []
    for x, y in bold:
        if y <= a:
            spans.append((x, y))
        elif x >= b:
            spans.append((x - n, y - n))
        elif x < a:
            spans.append((x, max(a, y - n)))
        elif y > b:
            spans.append((a, y - n))
    new = text[:a] + text[b:]
    strip = len(new) - len(new.lstrip())
    if strip:
        new = new[strip:]
        spans = [(max(0, x - strip), max(0, y - strip)) for x, y in spans]
    return new.rstrip(), [(x, y) for x, y in spans if y > x]


_DASH = re.compile(r"\s[-–—]\s")


_WITH_WORD = re.compile(r"\s(?:mit|with)\s", re.I)


def _handle_tail(title: str) -> tuple[int, list[str]]:
    """``topic - @a, @b`` -> (where the handles start, ["@a", "@b"]); words are read from the end."""
    words = title.split(" ")
    handles: list[str] = []
    while words:
        w = words[-1].strip(SEPARATORS + ".")
        if not w:
            words.pop()
            continue
        if not _HANDLE.fullmatch(w):
            break
        handles.insert(0, w)
        words.pop()
    return len(" ".join(words)), handles


def _kind_item(text: str, bold: list) -> tuple[str, list[Presenter]] | None:
    """What follows ``Talk:``: ``**Name - Title**``, ``**Name, Name - Title** - [SLIDES](...)``,
    ``with Name - Title``, ``Name - Title``, or a title (``**Title (Name)**``)."""
    if bold and bold[0][0] == 0:
        inner = text[: bold[0][1]].strip()
    else:
        inner = text
    inner = re.sub(r"^with\s", "", inner, flags=re.I)
    dash = _DASH.search(inner)
    if dash:
        who, title = inner[: dash.start()].strip(), inner[dash.end() :].strip()
        names = _names_in(who) if who else []
        if names and who_is_names(re.sub(r"^(?:prof|dr|mr|mrs|ms)\.?\s", "", who, flags=re.I)):
            return title.strip(SEPARATORS), parse_who(who)
    title, presenters = parse_talk(inner)
    if not presenters:
        # "Google-Hacking mit Florian Ammon": the last "with"/"mit" after any dash
        last_dash = max(title.rfind("-"), title.rfind("–"), title.rfind("—"))
        for m in _WITH_WORD.finditer(title, max(0, last_dash)):
            who = title[m.end() :]
            if title[: m.start()].strip() and who_is_names(who):
                return title[: m.start()].strip(SEPARATORS), parse_who(who)
    if not title:
        return None
    return title.strip(SEPARATORS) or title, presenters
