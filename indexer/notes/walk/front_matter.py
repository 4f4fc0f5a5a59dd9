"""YAML front matter: found, blanked (so line numbers stay the input's) and stepped over."""
from __future__ import annotations

import re


# YAML front matter opens with a key (or closes at once); a leading "---" rule over the text is none
FRONT_MATTER = re.compile(
    r"\A(?:\ufeff)?---[ \t]*\r?\n(?=[ \t]*(?:[\w\"'-][^\r\n:]{0,80}:|#|---|\.\.\.))(?:.*\r?\n){0,200}?(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)"
)


def without_front_matter(text: str) -> str:
    """YAML front matter (``---`` ... ``---``) as blank lines: it is no heading and no date."""
    m = FRONT_MATTER.match(text)
    if m is None:
        return text
    return re.sub(r"[^\r\n]", "", m.group(0)) + text[m.end():]


def front_matter_end(text: str, line0: int) -> int:
    """The first line after any front matter (0-based), at least ``line0``."""
    m = FRONT_MATTER.match(text)
    if m is None:
        return line0
    after = text.count("\n", 0, m.end())
    rest = text[m.end():]
    skip = len(rest) - len(rest.lstrip("\r\n"))
    return max(line0, after + rest.count("\n", 0, skip))
