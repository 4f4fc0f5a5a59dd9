"""Caption tracks for the emulator: rendered from a video (generated channels), loaded
from subtitle files (``--data DIR/captions/VIDEOID.LANG[.KIND].vtt``) or set by tests.

A track is ``{"id", "video_id", "language", "name", "trackKind", "lastUpdated",
"lines": [(start_s, end_s, speaker, text)]}`` or, loaded from a file, ``"text"`` and
``"format"`` instead of ``lines``. Downloads render ``lines`` the way YouTube serves
each kind: automatic captions (``asr``) as rolling WebVTT with per-word timing tags
(the shape yt-dlp saves), manual tracks as plain cues; SubRip on ``tfmt=srt``.
"""
from __future__ import annotations

import base64
import random
import re
from pathlib import Path

from .vocabulary import PEOPLE, TOPICS

TRACK_KINDS = ("standard", "asr", "forced")
_FILE = re.compile(r"^(?P<video>[A-Za-z0-9_-]{11})\.(?P<lang>[A-Za-z]{2,3}(?:-[A-Za-z0-9]+)?)"
                   r"(?:\.(?P<kind>standard|asr|forced))?\.(?P<ext>vtt|srt)$")
_CHAPTER = re.compile(r"^\[?((?:\d+:)?\d{1,2}:\d\d)\]?\s*(?:-\s*)?(.+)$")
FILLER = [
    "so the idea here is pretty simple", "we ran this in production for a few weeks",
    "let me share my screen", "you can see the workflow on the left", "this is where the cache kicks in",
    "and the results were quite good", "any questions so far", "we will put the slides in the notes",
    "the next release should have it", "thanks everyone for joining",
]


def track_id(video_id: str, language: str, kind: str) -> str:
    """Opaque to clients, shaped like YouTube's caption ids; the emulator reads the video back."""
    raw = f"{video_id}|{language}|{kind}".encode()
    return "AUieDa" + base64.urlsafe_b64encode(raw).decode().rstrip("=")


def video_of(track: str) -> str | None:
    try:
        body = track[len("AUieDa"):]
        return base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)).decode().split("|")[0]
    except (ValueError, UnicodeDecodeError):
        return None


def _clock(seconds: float, sep: str = ".") -> str:
    ms = int(round(seconds * 1000))
    h, rest = divmod(ms, 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, ms = divmod(rest, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}{sep}{ms:03d}"


def _seconds(stamp: str) -> int:
    total = 0
    for part in stamp.split(":"):
        total = total * 60 + int(part)
    return total


def render(track: dict, fmt: str | None) -> tuple[str, str]:
    """(format, text) of a download: ``fmt`` vtt or srt, None for the track's own format."""
    if "text" in track:  # a file: served as it is, or converted
        own = track.get("format", "vtt")
        if fmt in (None, own):
            return own, track["text"]
        return fmt, _convert(track["text"], own, fmt)
    lines = track["lines"]
    if fmt == "srt":
        return "srt", _srt(lines)
    if track["trackKind"] == "asr":
        return "vtt", _rolling_vtt(lines, track["language"])
    return "vtt", _plain_vtt(lines)


def _plain_vtt(lines) -> str:
    out = ["WEBVTT", ""]
    for n, (start, end, speaker, text) in enumerate(lines, 1):
        out += [str(n), f"{_clock(start)} --> {_clock(end)}", f"{speaker}: {text}" if speaker else text, ""]
    return "\n".join(out)


def _srt(lines) -> str:
    out = []
    for n, (start, end, speaker, text) in enumerate(lines, 1):
        out += [str(n), f"{_clock(start, ',')} --> {_clock(end, ',')}", f"{speaker}: {text}" if speaker else text, ""]
    return "\n".join(out)


def _rolling_vtt(lines, language: str) -> str:
    """YouTube's automatic captions: the previous line over the new one, whose words
    after the first carry their start times, then a 10 ms cue holding the finished line."""
    out = ["WEBVTT", "Kind: captions", f"Language: {language}", ""]
    previous = " "
    for start, end, _, text in lines:
        words = text.lower().replace(",", "").replace(".", "").split()
        if not words:
            continue
        step = (end - start) / len(words)
        timed = words[0] + "".join(f"<{_clock(start + i * step)}><c> {w}</c>" for i, w in enumerate(words[1:], 1))
        out += [f"{_clock(start)} --> {_clock(end - 0.01)} align:start position:0%", previous, timed, ""]
        finished = " ".join(words)
        out += [f"{_clock(end - 0.01)} --> {_clock(end)} align:start position:0%", finished, " ", ""]
        previous = finished
    return "\n".join(out)


def _convert(text: str, own: str, fmt: str) -> str:
    """vtt <-> srt for files: timing separators, header and numbering; text kept."""
    if own == "vtt" and fmt == "srt":
        blocks = [b for b in re.split(r"\n\s*\n", text.replace("\r\n", "\n")) if "-->" in b]
        out = []
        for n, block in enumerate(blocks, 1):
            rows = block.split("\n")
            at = next(i for i, r in enumerate(rows) if "-->" in r)
            timing = re.sub(r"(\d\d)\.(\d{3})", r"\1,\2", rows[at].split(" align:")[0])
            timing = " ".join(timing.split()[:3])
            out += [str(n), timing, *[re.sub(r"<[^>]*>", "", r) for r in rows[at + 1:]], ""]
        return "\n".join(out)
    if own == "srt" and fmt == "vtt":
        return "WEBVTT\n\n" + re.sub(r"(\d\d),(\d{3})", r"\1.\2", text.replace("\r\n", "\n"))
    raise ValueError(fmt)


def load_files(directory) -> dict[str, list[dict]]:
    """``captions/VIDEOID.LANG[.KIND].vtt|srt`` -> {video id: [track]}; KIND defaults to
    ``asr`` for files with per-word timing tags (yt-dlp's automatic captions), else ``standard``."""
    out: dict[str, list[dict]] = {}
    folder = Path(directory) / "captions"
    if not folder.is_dir():
        return out
    for path in sorted(folder.iterdir()):
        m = _FILE.match(path.name)
        if not m:
            continue
        text = path.read_text(encoding="utf-8-sig")
        kind = m.group("kind") or ("asr" if re.search(r"<\d\d:\d\d:\d\d\.\d{3}>", text) else "standard")
        vid, lang = m.group("video"), m.group("lang")
        out.setdefault(vid, []).append({
            "id": track_id(vid, lang, kind), "video_id": vid, "language": lang, "trackKind": kind,
            "name": "" if kind == "asr" else ("English" if lang.startswith("en") else lang),
            "lastUpdated": "2024-01-01T00:00:00.000Z", "text": text, "format": m.group("ext")})
    return out


def generated_tracks(video: dict, seed) -> list[dict]:
    """The tracks of a generated (or loaded) video: automatic English captions for every
    processed video; a manual English track on some; now and then a forced or a German one.
    What is said follows the description's chapters: a host moves to each item at its start."""
    vid = video["id"]
    if video.get("status", {}).get("uploadStatus", "processed") != "processed":
        return []
    rng = random.Random(f"{seed}|{vid}")
    lines = spoken_lines(video, rng)
    if not lines:
        return []
    updated = video.get("snippet", {}).get("publishedAt", "2021-01-01T00:00:00Z").replace("Z", ".000Z")
    tracks = [dict(id=track_id(vid, "en", "asr"), video_id=vid, language="en", name="", trackKind="asr",
                   lastUpdated=updated, lines=lines)]
    roll = rng.random()
    if roll < 0.4:
        tracks.append(dict(id=track_id(vid, "en", "standard"), video_id=vid, language="en", name="English",
                           trackKind="standard", lastUpdated=updated, lines=lines))
    elif roll < 0.5:
        tracks.append(dict(id=track_id(vid, "de", "standard"), video_id=vid, language="de", name="Deutsch",
                           trackKind="standard", lastUpdated=updated, lines=lines))
    elif roll < 0.55:
        tracks.append(dict(id=track_id(vid, "en", "forced"), video_id=vid, language="en", name="",
                           trackKind="forced", lastUpdated=updated, lines=lines[:3]))
    return tracks


def spoken_lines(video: dict, rng: random.Random) -> list[tuple]:
    duration = _duration_s(video.get("contentDetails", {}).get("duration", ""))
    if not duration:
        return []
    marks = []
    for row in (video.get("snippet", {}).get("description") or "").splitlines():
        m = _CHAPTER.match(row.strip())
        if m:
            marks.append((_seconds(m.group(1)), m.group(2).strip()))
    if not marks:
        person, _ = rng.choice(PEOPLE)
        marks = [(0, "Intro"), (min(duration // 3, 600), f"{rng.choice(TOPICS)} by {person}")]
    said = sorted((start, f"welcome everyone to the {text.lower()}" if start == 0 else
                   f"okay next up we have {text.lower()}") for start, text in marks)
    lines, t = [], 1.0
    while t < duration - 4:
        if said and said[0][0] < t + 5:  # the host moves to the next item at its chapter's start
            mark, text = said.pop(0)
            t = max(t, float(mark) + 0.3)
        else:
            text = rng.choice(FILLER)
        span = rng.uniform(2.5, 4.5)
        lines.append((round(t, 3), round(t + span, 3), None, text))
        t += span + rng.uniform(0.2, 1.5)
        if len(lines) >= 2000:  # a few hours of speech: enough for any test or demo
            break
    return lines


def _duration_s(iso: str) -> int:
    m = re.match(r"^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$", iso or "")
    if not m:
        return 0
    d, h, mi, s = (int(x or 0) for x in m.groups())
    return d * 86400 + h * 3600 + mi * 60 + s


def zoom_transcript(rng: random.Random, minutes: int = 6) -> str:
    """A Zoom cloud-recording transcript: numbered cues, ``Display Name: text``."""
    people = rng.sample(PEOPLE, 3)
    host = people[0][0] + " " + rng.choice(["Kim", "Vogel", "Ortiz", "Ng"])
    lines, t = [], 1.0
    speakers = [host, *[p for p, _ in people[1:]]]
    topics = rng.sample(TOPICS, 2)
    script = [(host, "Welcome everyone, let's get started."),
              (host, f"First up we have {people[1][0]} with {topics[0]}."),
              (people[1][0], f"Thanks. I'm {people[1][0]} from {people[1][1]}, and I'll talk about {topics[0]}.")]
    while t < minutes * 60:
        if script:
            who, text = script.pop(0)
        elif t > minutes * 30 and topics[1]:
            who, text = host, f"Next up, {people[2][0]} will show us {topics[1]}."
            topics[1] = ""
        else:
            who, text = rng.choice(speakers), rng.choice(FILLER).capitalize() + "."
        span = rng.uniform(2.0, 6.0)
        lines.append((t, t + span, who, text))
        t += span + rng.uniform(0.1, 2.0)
    return _plain_vtt(lines)


def zoom_chat(rng: random.Random, when) -> str:
    """A Zoom chat file: ``HH:MM:SS From Name to Everyone:`` then the message, tab-indented."""
    from datetime import timedelta

    out = []
    for i in range(rng.randint(3, 8)):
        who, _ = rng.choice(PEOPLE)
        when += timedelta(seconds=rng.randint(20, 300))
        out.append(f"{when:%H:%M:%S} From {who} to Everyone:")
        out.append("\t" + rng.choice(["hello from the other side", "slides link please", "thanks!",
                                      "great talk", "is this recorded?"]))
    return "\n".join(out) + "\n"
