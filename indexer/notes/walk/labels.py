"""What a line's words say, read the same by every carrier: a cancelled call, an agenda
heading or label, a date label."""
from __future__ import annotations

import re


CANCELLED = re.compile(r"\b(?:cancell?ed|no\s+call|no\s+meeting|no\s+sync|skipped)\b", re.I)


AGENDA_HEAD = re.compile(
    r"^\W*(?:(?:proposed|draft|tentative|preliminary|planned|suggested|meeting|today['’]?s)\s+)?"
    r"(?:agenda|talks?|presentations?|schedule|program(?:me)?|speakers?|line-?up|topics?)\b"
    r"|^\W*(?:[\w/&-]+\s+){1,2}agenda(?:\s+items?)?\W*$",  # "Actionable Agenda Items:", "Open discussion agenda"
    re.I,
)


# a line of its own over the agenda list: "Agenda items:", "Proposed agenda", "Topics:"
AGENDA_LABEL = re.compile(rf"(?:{AGENDA_HEAD.pattern})(?:\s+items?)?\s*[:-]?\s*$", re.I)


DATE_LABEL = re.compile(r"^\W*(?:meeting\s+)?(?:date|when|date\s*/\s*time|date\s+and\s+time|time)\W*?:\W*", re.I)
