"""What names a recording file in a Drive archive: its suffixes, and the UTC time in a Zoom stem.

Read by the matcher (which files are recordings) and by the Zoom transcripts step
(which recording a transcript belongs to)."""
from __future__ import annotations

import datetime as dt
import re

MEDIA_SUFFIXES = (".mp4", ".m4v", ".mov", ".mkv", ".webm", ".avi", ".m4a", ".mp3")
ZOOM_STEM = re.compile(r"GMT(\d{4})(\d{2})(\d{2})-(\d{2})(\d{2})(\d{2})")


def zoom_time(name: str) -> dt.datetime | None:
    """``GMT20210209-170012_Recording.mp4`` -> 2021-02-09 17:00:12 UTC (Zoom names are UTC)."""
    m = ZOOM_STEM.search(name or "")
    if not m:
        return None
    try:
        return dt.datetime(*map(int, m.groups()), tzinfo=dt.timezone.utc)
    except ValueError:
        return None
