"""Table rows as talks: which column holds the date, title, presenter and organization,
and the talk a row writes (markdown tables and HTML agenda tables alike)."""
from __future__ import annotations

import re

from indexer.common import urls
from indexer.notes.agenda import GENERIC_TITLE, PLACEHOLDER
from indexer.notes.markdown import Inline
from indexer.notes.model import Presenter, Talk
from indexer.notes.presenters import parse_who, parse_talk


_DATE_COL = re.compile(r"^\W*(?:date|when|day|meeting|session)\b", re.I)


_TITLE_COL = re.compile(
    r"^\W*(?:topic|title|talk|subject|agenda|presentation|session title|discussion\s+point|agenda\s+item)s?\b"
    r"|^\W*(?:[\w-]+\s+){0,2}(?:topic|title|talk|paper|article|document)s?\W*$",  # "Reading Club Document"
    re.I,
)


_WHO_COL = re.compile(r"^\W*(?:presenters?|speakers?|who|by|hosts?|names?)\b", re.I)


_ORG_COL = re.compile(r"^\W*(?:org|organi[sz]ation|company|affiliation)\b", re.I)


def column_roles(header: list[str]) -> dict[str, int]:
    role: dict[str, int] = {}
    for i, h in enumerate(header):
        for name, rx in (("date", _DATE_COL), ("title", _TITLE_COL), ("who", _WHO_COL), ("org", _ORG_COL)):
            if name not in role and rx.match(h):
                role[name] = i
                break
    return role


def row_talk(cells: list[Inline], role: dict[str, int], raw: str, line0: int) -> Talk | None:
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
        if not who and not presenters and (GENERIC_TITLE.match(title) or PLACEHOLDER.match(title)):
            return None  # "[agenda](...)": a link to the agenda, not a talk
    else:
        presenters = []
    if who:
        presenters = parse_who(who)
    org = cell("org")
    if org:
        presenters = [Presenter(p.name, p.org or org) for p in presenters]
    talk = Talk(title or "(untitled)", presenters, raw.strip().strip("|").strip(), line=line0 + 1)
    talk.links = urls.find_links(raw, first_line=line0 + 1)
    return talk
