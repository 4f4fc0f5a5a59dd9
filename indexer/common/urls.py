"""Recognise YouTube and Google Drive URLs in any of the forms people paste.

Pure functions. ``find_links`` scans free text (markdown or not) and returns
every YouTube video, channel and Drive file/folder/doc link with its line.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from urllib.parse import parse_qs, urlparse

from indexer.common import bounds
from indexer.common.redact import redact

# also "www.youtube.com/watch?v=..." and "youtu.be/..." written without a scheme (GitHub links them all the same)
_URL = re.compile(
    r"https?://[^\s<>()\[\]\"'`]+|(?<![\w./@:-])(?:(?:www|m)\.)?(?:youtube\.com|youtu\.be)/[^\s<>()\[\]\"'`]+", re.I
)
# markdown link text directly before the URL: [label](url)
_LABEL = re.compile(r"\[([^\[\]]*)\]\(\s*$")
VIDEO_ID = re.compile(r"^[A-Za-z0-9_-]{11}$")
DRIVE_ID = re.compile(r"^[A-Za-z0-9_-]{10,}$")


@dataclass
class Link:
    kind: str  # youtube | youtube_channel | youtube_handle | youtube_user | youtube_custom | drive_file | drive_folder | gdoc
    ref: str  # video id, channel id, handle, or Drive id
    url: str
    label: str = ""
    line: int = 0
    start_s: int | None = None  # t= / start= offset of a video link


def parse_offset(value: str | None) -> int | None:
    """``t=90``, ``t=1m30s``, ``t=1h2m3s``, ``start=90`` -> seconds.

    None when unreadable or absurd (``bounds.seconds``): a ``t=`` of thousands
    of digits is read no further than ``bounds.MAX_DIGITS``.
    """
    if not value:
        return None
    value = value.strip().lower()
    if value.isdigit():
        return bounds.seconds(bounds.digits(value))
    m = _OFFSET.fullmatch(value)
    if not m or not any(m.groups()):
        return None
    parts = [bounds.digits(g) if g else 0 for g in m.groups()]
    if None in parts:
        return None
    h, mi, s = parts
    return bounds.seconds(h * 3600 + mi * 60 + s)


_OFFSET = re.compile(r"(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s?)?")


def classify_url(url: str) -> Link | None:
    """Return what a single URL points at, or None if it is not YouTube/Drive."""
    found = _classify(url)
    # a fresh Link each time: callers set its label and line
    return Link(*found) if found else None


@functools.lru_cache(maxsize=8192)
def _classify(url: str) -> tuple | None:
    # the same URL is met on its talk's line, in its meeting's section and as a label
    link = _classify_uncached(url)
    return (link.kind, link.ref, link.url, link.label, link.line, link.start_s) if link else None


# The forms nearly every link takes, read without urllib (a third of the parse
# time on big notes). Anything else, or anything percent-encoded, goes the long way;
# tests check both ways agree.
_FAST_YOUTUBE = re.compile(
    r"https?://(?:www\.)?(?:youtube\.com/(?:watch\?v=|live/|embed/|shorts/)|youtu\.be/)"
    r"([A-Za-z0-9_-]{11})((?:[?&/][^#%+/]*)?)"
)
_FAST_DRIVE = re.compile(r"https?://drive\.google\.com/(?:(file)/d/|drive/(?:u/\d+/)?folders/)([A-Za-z0-9_-]{10,})(/[a-z]*)?(\?[^#%+/]*)?")
_FAST_OFFSET = re.compile(r"[?&](t|start)=([^&]+)")


def _classify_fast(url: str) -> Link | None:
    m = _FAST_YOUTUBE.fullmatch(url)
    if m:
        rest = m.group(2)
        if rest.startswith("/") or (rest.startswith("&") and "watch?v=" not in url) or rest.startswith("?") and "watch?v=" in url:
            return None
        found = dict(reversed(_FAST_OFFSET.findall(rest)))  # the first t= / start= wins, as parse_qs
        return Link("youtube", m.group(1), url, start_s=parse_offset(found.get("t") or found.get("start")))
    m = _FAST_DRIVE.fullmatch(url)
    if m:
        return Link("drive_file" if m.group(1) else "drive_folder", m.group(2), url)
    return None


def _classify_uncached(url: str) -> Link | None:
    url = url.rstrip(".,;:!?*_>\\")
    link = _classify_fast(url) or _classify_slow(url)
    if link is not None and ("@" in link.url or "=" in link.url):
        # the URL is stored and published: no user:password@ or ?key=
        link.url = redact(link.url)
    return link


def _classify_slow(url: str) -> Link | None:
    try:
        u = urlparse(url)
    except ValueError:
        return None
    host = (u.hostname or "").lower()
    if host.startswith("www."):
        host = host[4:]
    if host.startswith("m."):
        host = host[2:]
    path = u.path or "/"
    q = parse_qs(u.query)
    frag = parse_qs(u.fragment)
    offset = parse_offset((q.get("t") or q.get("start") or frag.get("t") or [None])[0])

    if host == "youtu.be":
        vid = path.strip("/").split("/")[0]
        if VIDEO_ID.match(vid):
            return Link("youtube", vid, url, start_s=offset)
        return None
    if host in ("youtube.com", "music.youtube.com", "youtube-nocookie.com"):
        parts = [p for p in path.split("/") if p]
        if path == "/watch" or path.startswith("/watch"):
            vid = (q.get("v") or [""])[0]
            if VIDEO_ID.match(vid):
                return Link("youtube", vid, url, start_s=offset)
            return None
        if parts and parts[0] in ("live", "embed", "shorts", "v", "e") and len(parts) > 1:
            if VIDEO_ID.match(parts[1]):
                return Link("youtube", parts[1], url, start_s=offset)
            return None
        if parts and parts[0] == "channel" and len(parts) > 1:
            return Link("youtube_channel", parts[1], url)
        if parts and parts[0].startswith("@"):
            return Link("youtube_handle", parts[0], url)
        if parts and parts[0] == "user" and len(parts) > 1:
            return Link("youtube_user", parts[1], url)
        if parts and parts[0] == "c" and len(parts) > 1:
            return Link("youtube_custom", parts[1], url)
        return None
    if host == "drive.google.com":
        m = re.search(r"/folders/([A-Za-z0-9_-]{10,})(?![A-Za-z0-9_-])", path)  # ids are 19+ chars: skip "1Op9Ez..."
        if m:
            return Link("drive_folder", m.group(1), url)
        m = re.search(r"/file/d/([A-Za-z0-9_-]{10,})(?![A-Za-z0-9_-])", path)
        if m:
            return Link("drive_file", m.group(1), url)
        ident = (q.get("id") or [""])[0]
        if DRIVE_ID.match(ident):
            kind = "drive_folder" if "folder" in path else "drive_file"
            return Link(kind, ident, url)
        return None
    if host == "docs.google.com":
        m = re.search(r"/(document|spreadsheets|presentation|file)/d/([A-Za-z0-9_-]+)", path)
        if m:
            return Link("gdoc" if m.group(1) == "document" else "drive_file", m.group(2), url)
    return None


# the line breaks markdown-it counts (str.splitlines also splits on \x0b, \u2028, ...)
_LINE_BREAK = re.compile(r"\r\n?|\n")


MAX_LABEL_CHARS = 1000  # a link label longer than this is not read as one


def _label_before(text: str, start: int, pos: int) -> str:
    """The label of ``[label](`` right before ``pos`` on the line starting at ``start`` (``_LABEL``, without a regex scan)."""
    j = pos
    while j > start and text[j - 1].isspace():
        j -= 1
    if j - start < 3 or text[j - 1] != "(" or text[j - 2] != "]":
        return ""
    close = j - 2
    k = text.rfind("[", max(start, close - MAX_LABEL_CHARS), close)  # bounded: no rescans of a long line
    if k < 0 or "]" in text[k + 1 : close]:
        return ""
    return text[k + 1 : close].strip()


def _with_scheme(url: str) -> str:
    return url if url[:4].lower() == "http" else "https://" + url


def find_links(text: str, first_line: int = 1) -> list[Link]:
    found: list[Link] = []
    if "://" not in text and "youtu" not in text:
        return found
    if "\r" not in text:
        # one pass over the text, counting lines between matches
        line, pos = first_line, 0
        for m in _URL.finditer(text):
            line += text.count("\n", pos, m.start())
            pos = m.start()
            link = classify_url(_with_scheme(m.group(0)).replace("\\_", "_").replace("\\-", "-"))
            if link is None:
                continue
            link.label = _label_before(text, text.rfind("\n", 0, pos) + 1, pos)
            link.line = line
            found.append(link)
        return found
    for offset, line in enumerate(_LINE_BREAK.split(text)):
        if "://" not in line and "youtu" not in line:
            continue
        for m in _URL.finditer(line):
            # Google Docs' markdown export escapes "_" in bare URLs
            link = classify_url(_with_scheme(m.group(0)).replace("\\_", "_").replace("\\-", "-"))
            if link is None:
                continue
            link.label = _label_before(line, 0, m.start())  # _LABEL's meaning, without a scan per link
            link.line = first_line + offset
            found.append(link)
    return found


def watch_url(video_id: str, start_s: int | None = None) -> str:
    from urllib.parse import quote

    url = f"https://www.youtube.com/watch?v={quote(video_id)}"  # ids come from the API, the page renders them
    if start_s:
        url += f"&t={int(start_s)}s"
    return url


# Images come only from the hosts the APIs give thumbnails on (YouTube's i.ytimg.com,
# channel avatars on ggpht, Drive's on googleusercontent) or from the site itself: a
# foreign image in a cell or a query (``select 'https://elsewhere/x.png' as thumbnail_url``)
# would tell a third party who reads the page.
_IMAGE_URL = re.compile(r"^(?:/(?!/)|https://(?P<host>[A-Za-z0-9.-]+)/)[^\s\"'<>\\]*$")
IMAGE_HOSTS = ("ytimg.com", "img.youtube.com", "ggpht.com", "googleusercontent.com")


def safe_image_url(url: str | None) -> str | None:
    """``url`` when it may be an ``<img src>``, else None."""
    m = _IMAGE_URL.match(url or "")
    if not m:
        return None
    host = (m.group("host") or "").lower()
    if host and not any(host == h or host.endswith("." + h) for h in IMAGE_HOSTS):
        return None
    return url
