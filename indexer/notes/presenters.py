"""Who presents a talk, read from the line that names it.

``parse_presenters`` splits "Ann (Acme) & Bob from Beta" into ``Presenter``s;
``parse_talk`` cuts a title from its presenters however the line puts them
(brackets, parentheses, a "by" tail, dashes, bold names, a
"(Presenter: ...)" notes header). Only ``model`` is imported.
"""
from __future__ import annotations

import re

from indexer.notes.model import Presenter

_NAME_SPLIT = re.compile(r"\s*(?:/|&|\+|,|;|\band\b)\s*", re.I)
# "Name (Org)" / "Name from Org": where the organisation starts (see _org_tail)
_ORG_WORD = re.compile(r"\s(?:from|of|at|@)\s+", re.I)


_DURATION = re.compile(r"^\d+\s*(?:min(?:ute)?s?|m|h|hours?)\.?$", re.I)


NOT_NAMES = {
    "slides", "slide", "recording", "video", "demo", "part", "rfc", "wip", "tbd", "tba", "optional",
    "cont", "continued", "postponed", "cancelled", "canceled", "draft", "link", "notes", "beta",
    "alpha", "update", "updates", "discussion", "deck", "doc", "docs", "youtube", "live",
    "announcement", "agenda", "info", "note", "location", "un",
}


def looks_like_name(s: str) -> bool:
    words = s.split()
    if not 1 <= len(words) <= 4:
        return False
    if s.lower().strip(".") in NOT_NAMES or _DURATION.match(s):
        return False
    if s[0] == "@":
        return True
    # "Flyte 1.5 release" is a title: names have no digits, and no lowercase words but particles
    return not any(
        ch.isdigit() for ch in s
    ) and all(w[0].isupper() or w.lower() in _NAME_PARTICLES for w in words) and s[0].isupper()


_NAME_PARTICLES = {"van", "von", "de", "da", "del", "della", "der", "den", "di", "du", "la", "le", "bin", "al", "y", "dos", "das"}


def _people(names: str, org: str | None) -> list[Presenter]:
    if not _HAS_SEPARATOR.search(names):
        names = names.strip(" .")
        return [Presenter(names, org)] if names else []
    return [Presenter(n, org) for n in (p.strip(" .") for p in _NAME_SPLIT.split(names)) if n]


_HAS_SEPARATOR = re.compile(r"[/&+,;]|\band\b", re.I)


def parse_presenters(text: str) -> list[Presenter]:
    """``"Sonja - Katrina - Nian - Spotify"`` -> three presenters of Spotify.

    In the bracket form the last dash-separated part is the organisation.
    A single part is a name (``Name (Org)`` gives its organisation).
    """
    text = text.strip().strip("[] ").strip()
    if text.startswith("(") and text.endswith(")"):
        text = text[1:-1].strip()
    if not text:
        return []
    parts = [p.strip() for p in re.split(r"\s*[-–—]\s+|\s+[-–—]\s*", text) if p.strip()]
    if len(parts) == 1:
        tail = _org_tail(parts[0])
        if tail and tail[2] == "(":
            return _people(tail[0], tail[1])
        return [Presenter(parts[0], None)]
    org = parts[-1]
    out: list[Presenter] = []
    for part in parts[:-1]:
        out.extend(_people(part, org))
    return out


def parse_who(text: str) -> list[Presenter]:
    """Free text naming people: ``Kevin Su (Union.ai)``, ``Ketan/Haytham``, ``A and B from Lyft``."""
    text = text.strip().strip("*_ ").strip()
    if not text:
        return []
    org = None
    tail = _org_tail(text)
    if tail:
        text, org = tail[0], tail[1]
    return _people(text, org)


def _parse_bold(text: str) -> list[Presenter]:
    """Bold presenter text: ``Name``, ``Name, Org``, ``Name (Org)``, ``A & B, Org``."""
    text = text.strip()
    tail = _org_tail(text)
    if tail:
        return _people(tail[0], tail[1])
    parts = re.split(r"\s*(?:,|\s[-–—]\s)\s*", text)
    if len(parts) == 2 and parts[1]:
        return _people(parts[0], parts[1])
    return _people(text, None)


# The tails below are found with str.rfind and anchored scans, not with a
# lazy ".+?" before "\s*(": such a pattern retries the whitespace run at every
# position and takes minutes on one long line (issue 11). Text reaching them
# is squeezed first (squeeze: one space per run, a bounded length).
_NOTES_HEADER_WHO = re.compile(r"\(\s?(?:presenters?|speakers?)\s?:", re.I)


_BY_WORD = re.compile(r"(?<=[\s,;:–—-])by\s", re.I)
_BYLINE_VERB = re.compile(r"[\s,;:–—-](?:presented|hosted|moderated|facilitated|given|led)$", re.I)
# a duration (or a time slot) written in a presenter group: "(15m, Lee)", "(10 min - Ann)"
_GROUP_DURATION = re.compile(r"^\s*(?:\d+\s*(?:min(?:ute)?s?|m|h|hrs?|hours?)\.?|\d{1,2}:\d\d\s*[-–]\s*\d{1,2}:\d\d)\s*(?:[,;:–—-]\s*|$)", re.I)


SEPARATORS = " \t-–—:|,;~"


_SPACE_RUN = re.compile(r"\s+")


MAX_ITEM_CHARS = 2000  # an agenda line longer than this is read up to here


def squeeze(text: str, bold: list[tuple[int, int]] | None = None):
    """``text`` with every whitespace run as one space, at most MAX_ITEM_CHARS long,
    and ``bold`` spans moved to match. Returns (text, bold)."""
    if len(text) > MAX_ITEM_CHARS:
        text = text[:MAX_ITEM_CHARS]
        bold = [(a, min(b, MAX_ITEM_CHARS)) for a, b in bold or () if a < MAX_ITEM_CHARS]
    if "  " not in text and "\t" not in text and "\n" not in text and "\r" not in text:
        return text, bold
    out, shift, pos = [], [], 0
    for m in _SPACE_RUN.finditer(text):
        if m.end() - m.start() == 1 and m.group() == " ":
            continue
        out.append(text[pos:m.start()])
        out.append(" ")
        shift.append((m.end(), m.end() - m.start() - 1))
        pos = m.end()
    out.append(text[pos:])
    if bold:
        def moved(i: int) -> int:
            return i - sum(n if end <= i else max(0, n - (end - i)) for end, n in shift)
        bold = [(moved(a), moved(b)) for a, b in bold]
    return "".join(out), bold


def _tail_group(text: str, open_: str, close: str) -> tuple[str, str] | None:
    """``Title (who)`` -> ("Title", "who"): the last bracket group closing the text, holding no brackets."""
    text = text.rstrip()
    if not text.endswith(close):
        return None
    start = text.rfind(open_, 0, len(text) - 1)
    if start < 0 or close in text[start + 1 : -1] or (open_ == "[" and "[" in text[start + 1 : -1]):
        return None
    who = text[start + 1 : -1]
    if not who:
        return None
    return text[:start].rstrip(), who


def _org_tail(text: str) -> tuple[str, str, str] | None:
    """``Name (Org)`` / ``Name from Org`` -> (names, org, "(" or "from"); None without one."""
    text = text.strip()
    paren = _tail_group(text, "(", ")")
    word = next((m for m in _ORG_WORD.finditer(text) if text[: m.start()].strip()), None)
    if paren and paren[0] and (word is None or len(paren[0]) <= word.start()):
        return paren[0].rstrip(), paren[1].strip(), "("
    if word is not None and text[word.end():].strip():
        return text[: word.start()].rstrip(), text[word.end():].strip(), "from"
    return None


def who_is_names(who: str) -> bool:
    who, _ = squeeze(who.strip())
    tail = _org_tail(who)
    names = [p for p in _NAME_SPLIT.split(tail[0] if tail else who) if p.strip()]
    return bool(names) and all(looks_like_name(n.strip()) for n in names)


def parse_notes_header(text: str) -> tuple[str, list[Presenter]] | None:
    """``Egress Events (Presenter: Nian Tang from Spotify)`` -> (title, presenters)."""
    text, _ = squeeze(text.strip())
    if not text.endswith(")"):
        return None
    m = _NOTES_HEADER_WHO.search(text, 1)
    if not m or ")" in text[m.end() : -1] or not text[: m.start()].strip():
        return None
    return text[: m.start()].strip(), parse_who(text[m.end() : -1])


def _by_tail(text: str) -> tuple[str, str] | None:
    """``Title - by Name`` -> ("Title", "Name")."""
    for m in _BY_WORD.finditer(text):
        title = text[: m.start()].rstrip(" \t,;:–—-")
        # "Title - presented by Name": the verb belongs to the byline
        title = _BYLINE_VERB.sub("", title).rstrip(" \t,;:–—-") or title
        who = text[m.end() :].strip()
        if title and who:
            return title, who
    return None


def parse_talk(text: str, bold: list[tuple[int, int]] | None = None) -> tuple[str, list[Presenter]]:
    """One agenda line (plain text) -> (title, presenters).

    Understands ``Title [Name - Org]``, ``Title (Presenter: Name from Org)``,
    ``Title by Name (Org)``, ``Title (Name/Name)`` and presenters in bold
    (``bold`` holds the bold spans of ``text``): ``**Name** (Org): Title``,
    ``Title - **Name, Org**``. A line that is only a bold name gives an empty
    title. Anything else is a title without presenters.
    """
    text, bold = squeeze(text.strip(), bold)
    text = text.strip()
    if not text:
        return "", []
    tail = text[-1:]
    m = _tail_group(text, "[", "]") if tail == "]" else None
    if m and m[0].strip():
        return m[0].strip(SEPARATORS), parse_presenters(m[1])
    if tail == ")":
        header = parse_notes_header(text)
        if header:
            return header
    m = _by_tail(text) if "by" in text.lower() else None
    if m and who_is_names(m[1]):
        return m[0].strip(SEPARATORS), parse_who(m[1])
    m = _tail_group(text, "(", ")") if tail == ")" else None
    if m and m[0]:
        who = m[1]
        timed = _GROUP_DURATION.match(who)
        if timed and who[timed.end() :].strip():
            who = who[timed.end() :]
        if who_is_names(who):
            return m[0].strip(SEPARATORS), parse_who(who)
    if bold:
        a, b = bold[0]
        dash = _LEADING_BOLD_DASH.match(text, b) if a == 0 else None
        if dash and who_is_names(text[dash.end():]):
            # "**Title** - Name": a leading bold before a dash is the title
            return text[a:b].strip(SEPARATORS), parse_who(text[dash.end():])
        presenters: list[Presenter] = []
        keep = []
        pos = 0
        for a, b in bold:
            if a < pos or b > len(text) or not _set_apart(text, a, b):
                continue
            keep.append(text[pos:a])
            people = _parse_bold(text[a:b])
            pos = b
            # "**Name** (Org)" -- the parenthesis right after the bold is the organisation
            om = re.match(r"\s*\(([^()]+)\)", text[b:])
            if om and people and all(p.org is None for p in people):
                people = [Presenter(p.name, om.group(1).strip()) for p in people]
                pos = b + om.end()
            presenters.extend(people)
        keep.append(text[pos:])
        title = re.sub(r"\s+", " ", " ".join(k.strip(SEPARATORS) for k in keep)).strip(SEPARATORS)
        title = re.sub(r"^(?:by|with)\s+|\s+(?:by|with)$", "", title, flags=re.I).strip(SEPARATORS)
        if presenters and all(looks_like_name(p.name) for p in presenters):
            return title, presenters
    return text, []


_LEADING_BOLD_DASH = re.compile(r"\s*[-–—]\s+")


def _set_apart(text: str, a: int, b: int) -> bool:
    """Bold names a presenter only when punctuation sets it apart ("**Welcome** to ..." is prose)."""
    before, after = text[:a].rstrip(), text[b:].lstrip()
    before_ok = not before or before[-1] in "-–—:|,;(" or before.lower().endswith((" by", " with"))
    # a bold name closing the line ("Title **Name**") needs nothing before it
    return not after or (after[0] in "(:-–—|,;[" and before_ok)
