"""Subtitle files (WebVTT, SubRip) to plain cues: pure functions, no I/O.

A cue is a dict ``{start_s, end_s, speaker, text}`` (seconds as floats,
speaker None where the file names nobody). Three shapes need care:

* YouTube's automatic captions as yt-dlp saves them ("rolling" captions):
  every line of speech appears three times (as the new line with per-word
  timing tags, as a 10 ms repeat, as the next cue's top line). We keep the
  new line of each cue that is not a short repeat, with its tags stripped.
* Zoom transcripts: ``Display Name: text``; the name becomes the speaker.
* WebVTT voice spans ``<v Name>text``: likewise.

The cue grammar is read by the ``srt`` library (one compiled regex over the
whole text, lenient about ``.`` or ``,`` before the milliseconds and keeping
WebVTT cue settings aside); the WebVTT envelope (header, NOTE, STYLE and
REGION blocks) is removed here first.
"""
from __future__ import annotations

import logging
import re

import srt

# srt logs every block it skips; a bad file gets one line from the caller instead
logging.getLogger("srt").setLevel(logging.ERROR)

# a cue this short only repeats the line before it (YouTube's rolling captions)
REPEAT_CUE_S = 0.05
# share of cues with a `Name:` prefix from which the file is read as naming speakers
SPEAKER_SHARE = 0.5

_TAG = re.compile(r"<[^>]*>")
_VOICE = re.compile(r"<v(?:\.[^ >]*)?\s+([^>]+)>")
_WORD_TIMING = re.compile(r"<\d{1,2}:\d\d(?::\d\d)?\.\d{3}>")
_SPEAKER = re.compile(r"^([^:\n]{1,60}?):\s+(\S.*)$")
# a "speaker" that is really a clock, a URL scheme or a sentence
_NOT_A_NAME = re.compile(r"^\d|^https?$|[.!?;]")
_SHORT_TIME = re.compile(r"(?<![\d:])(\d\d:\d\d\.\d{3})")
_ENVELOPE_BLOCK = re.compile(r"^(?:WEBVTT|NOTE|STYLE|REGION)\b")
_ENTITIES = {"&amp;": "&", "&lt;": "<", "&gt;": ">", "&nbsp;": " ", "&lrm;": "", "&rlm;": ""}
_ENTITY = re.compile("|".join(map(re.escape, _ENTITIES)))


class SubtitleError(ValueError):
    """The text is not a subtitle file we can read."""


def detect_format(text: str, name: str = "") -> str:
    """``vtt`` or ``srt``: by the WEBVTT signature, else by the file name."""
    if text.lstrip("\ufeff").startswith("WEBVTT"):
        return "vtt"
    if name.lower().endswith(".vtt"):
        raise SubtitleError("not a WebVTT file (no WEBVTT header)")
    return "srt"


def _strip_envelope(text: str) -> str:
    """WebVTT body as SubRip cue blocks: no header, NOTE / STYLE / REGION blocks or
    text identifiers, and hours on every timestamp (WebVTT may leave them out)."""
    kept = []
    for block in re.split(r"\n[ \t]*\n", text):
        stripped = block.lstrip("\n")
        if _ENVELOPE_BLOCK.match(stripped):
            continue
        head, _, rest = stripped.partition("\n")
        if "-->" not in head and "-->" in rest.partition("\n")[0]:
            stripped = rest  # a cue identifier such as "intro"
        if _SHORT_TIME.search(stripped.partition("\n")[0]):
            timing, _, rest = stripped.partition("\n")
            stripped = _SHORT_TIME.sub(r"00:\1", timing) + "\n" + rest
        kept.append(stripped)
    return "\n\n".join(kept)


def _clean(line: str) -> str:
    line = _TAG.sub("", line)
    if "&" in line:
        line = _ENTITY.sub(lambda m: _ENTITIES[m.group(0)], line)
    return " ".join(line.split())


def raw_cues(text: str, fmt: str) -> list[tuple[float, float, list[str]]]:
    """(start_s, end_s, raw lines) per cue, in file order."""
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    if fmt == "vtt":
        text = _strip_envelope(text)
    try:
        subs = list(srt.parse(text, ignore_errors=True))
    except srt.SRTParseError as exc:  # pragma: no cover - ignore_errors skips bad blocks
        raise SubtitleError(str(exc)) from None
    if not subs and text.strip():
        raise SubtitleError("no cues found")
    return [(s.start.total_seconds(), s.end.total_seconds(), s.content.split("\n")) for s in subs]


def _merge_rolling(cues):
    """Keep each cue's new (bottom) line; drop the short repeats and any line said just before."""
    out = []
    last = None
    for start, end, lines in cues:
        if end - start <= REPEAT_CUE_S:
            continue
        said = [x for x in map(_clean, lines) if x]
        # the top line re-shows the previous cue's line (or is blank after a pause)
        if said and said[-1] != last:
            out.append((start, end, said[-1]))
            last = said[-1]
    return out


def _speakers(lines: list[str]) -> bool:
    named = 0
    for line in lines:
        m = _SPEAKER.match(line)
        if m and not _NOT_A_NAME.search(m.group(1)):
            named += 1
    return bool(lines) and named >= SPEAKER_SHARE * len(lines)


def parse_subtitles(text: str, fmt: str = "vtt") -> list[dict]:
    """Cues of a WebVTT (``fmt="vtt"``) or SubRip (``"srt"``) file's text."""
    cues = raw_cues(text, fmt)
    rolling = bool(_WORD_TIMING.search(text))
    lines: list[tuple[float, float, str | None, str]] = []
    if rolling:
        lines = [(s, e, None, t) for s, e, t in _merge_rolling(cues)]
    else:
        for start, end, raw in cues:
            voice = next((m.group(1).strip() for m in map(_VOICE.search, raw) if m), None)
            said = " ".join(x for x in map(_clean, raw) if x)
            if said:
                lines.append((start, end, voice, said))
    if not any(sp for _, _, sp, _ in lines) and _speakers([t for _, _, _, t in lines]):
        named = []
        for start, end, _, said in lines:
            m = _SPEAKER.match(said)
            if m and not _NOT_A_NAME.search(m.group(1)):
                named.append((start, end, m.group(1).strip(), m.group(2)))
            else:
                named.append((start, end, None, said))
        lines = named
    return [{"start_s": round(s, 3), "end_s": round(e, 3), "speaker": sp, "text": t} for s, e, sp, t in lines]


def transcript_kind(text: str, cues: list[dict]) -> str:
    """``asr`` (YouTube's rolling automatic captions), ``zoom`` (speakers named), else ``file``."""
    if _WORD_TIMING.search(text):
        return "asr"
    if any(c["speaker"] for c in cues):
        return "zoom"
    return "file"
