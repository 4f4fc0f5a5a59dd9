"""Subtitle files (WebVTT, SubRip) to plain cues: pure functions, no I/O.

A cue is a dict ``{start_s, end_s, speaker, text}`` (seconds as floats,
speaker None where the file names nobody). Three shapes need care:

* YouTube's automatic captions as yt-dlp saves them ("rolling" captions):
  every line of speech appears three times (as the new line with per-word
  timing tags, as a 10 ms repeat, as the next cue's top line). We keep the
  new line of each cue that is not a short repeat, with its tags stripped.
* Zoom transcripts: ``Display Name: text``; the name becomes the speaker.
* WebVTT voice spans ``<v Name>text``: likewise.

WebVTT is read here in one linear pass: one compiled regex finds each timing
line with the cue's text, what lies between it and the next timing line
(less the next cue's identifier and any NOTE block), which is the format's
own grammar; then clocks, tags and speakers are worked out a column at a
time. The ``srt`` library, which read WebVTT by having it rewritten into
SubRip blocks and running a backtracking regex with look-aheads over them,
spent 90 % of an import there. SubRip files are still read by ``srt``
(lenient about the millisecond separator, missing blank lines and blank
lines inside a cue): there it does what the format needs.
"""
from __future__ import annotations

import datetime as dt
import logging
import re
from itertools import compress, count, groupby, repeat
from operator import add, gt, itemgetter, not_, sub, truediv

import srt

from indexer.common import bounds

# srt logs every block it skips; a bad file gets one line from the caller instead
logging.getLogger("srt").setLevel(logging.ERROR)

# a cue this short only repeats the line before it (YouTube's rolling captions)
REPEAT_CUE_S = 0.05
# share of cues with a `Name:` prefix from which the file is read as naming speakers
SPEAKER_SHARE = 0.5

_TAG = re.compile(r"<[^>]*>")
# the same within a line: a whole cue is cleaned at once, as its lines would be one by one
_TAG_SUB = re.compile(r"<[^>\n]*>").sub
_VOICE = re.compile(r"<v(?:\.[^ >]*)?\s+([^>]+)>")
_WORD_TIMING = re.compile(r"<\d{1,2}:\d\d(?::\d\d)?\.\d{3}>")
# `Name: text`, over cleaned lines joined by newlines (whitespace within them is
# single spaces): one match a line, ("", "") where it names nobody
_SPEAKER_LINES = re.compile(r"^(?:([^:\n]{1,60}?):[^\S\n]+(\S[^\n]*)|[^\n]*)$", re.M)
# a "speaker" that is really a clock, a URL scheme or a sentence
_NOT_A_NAME = re.compile(r"^\d|^https?$|[.!?;]")
# a WebVTT cue: its timing line (hours optional, cue settings after the end time),
# its text (the lines up to the first blank one), then the rest up to the next
# timing line: usually nothing, a blank line or the next cue's identifier
_CLOCK = r"((?:\d+:)?\d\d:\d\d)[.,](\d{3})"
_TIMING = rf"^[ \t]*{_CLOCK}[ \t]+-->[ \t]+{_CLOCK}(?:[ \t][^\n]*)?$"
_NOT_TIMING = r"(?![ \t]*(?:\d+:)?\d\d:\d\d[.,]\d{3}[ \t]+-->)"
# (the rest in three groups: blank lines, one line, any more lines; a cue whose last
# group is empty has nothing in its rest but the next cue's identifier)
_CUE = re.compile(rf"{_TIMING}((?:\n{_NOT_TIMING}[ \t]*\S[^\n]*)*)((?:\n[ \t]*(?=\n))*)"
                  rf"((?:\n{_NOT_TIMING}[^\n]*)?)((?:\n{_NOT_TIMING}[^\n]*)*)", re.M)
# a NOTE (or misplaced STYLE / REGION) block after the first cue
_LATE_ENVELOPE = re.compile(r"\n[ \t]*\n(?:NOTE|STYLE|REGION|WEBVTT)\b")
_ENVELOPE_BLOCK = re.compile(r"^(?:WEBVTT|NOTE|STYLE|REGION)\b")
_BLANK_LINE = re.compile(r"\n[ \t]*\n")
_ENTITIES = {"&amp;": "&", "&lt;": "<", "&gt;": ">", "&nbsp;": " ", "&lrm;": "", "&rlm;": ""}
_ENTITY = re.compile("|".join(map(re.escape, _ENTITIES)))
_AFTER_NEWLINE = itemgetter(slice(1, None))
_FIRST = itemgetter(0)
_SECOND = itemgetter(1)
_THIRD = itemgetter(2)
_FOURTH = itemgetter(3)


class _Clocks(dict):
    """"01:02:03" / "02:03" -> milliseconds, remembered: the same few thousand clocks
    recur in every file, and a dict lookup is a C call where parsing is Python."""

    def __missing__(self, clock: str) -> int:
        seconds = 0
        for part in clock.split(":"):
            seconds = seconds * 60 + int(part)
        self[clock] = seconds * 1000
        return seconds * 1000


_CLOCKS = _Clocks()
_CLOCKS_KEPT = 100_000


class _Milliseconds(dict):
    """"000" ... "999" -> int; other digits (``\\d`` is any Unicode digit) by ``int``."""

    def __missing__(self, digits: str) -> int:
        return int(digits)


_MS = _Milliseconds((f"{ms:03d}", ms) for ms in range(1000))


class SubtitleError(ValueError):
    """The text is not a subtitle file we can read."""


def detect_format(text: str, name: str = "") -> str:
    """``vtt`` or ``srt``: by the WEBVTT signature, else by the file name."""
    if text.lstrip("\ufeff").startswith("WEBVTT"):
        return "vtt"
    if name.lower().endswith(".vtt"):
        raise SubtitleError("not a WebVTT file (no WEBVTT header)")
    return "srt"


def _clean(line: str) -> str:
    if "<" in line:
        line = _TAG.sub("", line)
    if "&" in line:
        line = _ENTITY.sub(lambda m: _ENTITIES[m.group(0)], line)
    return " ".join(line.split())


def _normalise(text: str) -> str:
    text = text.lstrip("\ufeff")
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


def _drop_envelope(lines: list[str]) -> list[str]:
    """Lines less any NOTE / STYLE / REGION block (up to the next blank line)."""
    kept, skipping, blank = [], False, False
    for line in lines:
        if blank and _ENVELOPE_BLOCK.match(line):
            skipping = True
        elif not line.strip():
            skipping = False
        if not skipping:
            kept.append(line)
        blank = not line.strip()
    return kept


def _vtt_columns(text: str) -> tuple[list[int], list[int], list[str]]:
    """start_ms, end_ms and text (its lines joined by newlines) of every cue of
    a WebVTT file, as three columns.

    One regex pass finds the cues; the columns are then computed with ``map``
    over the whole file, loops that run in C rather than Python statements per
    cue: at 750 cues an hour, that is what imports 1,000 hours in seconds. A cue
    whose rest holds more than blank lines and the next cue's identifier (a
    blank line inside its text, a NOTE block) has its lines sorted out here."""
    found = _CUE.findall(text)
    if not found:
        if any(b.strip() and not _ENVELOPE_BLOCK.match(b.lstrip("\n")) for b in _BLANK_LINE.split(text)):
            raise SubtitleError("no cues found")
        return [], [], []
    clocks1, ms1, clocks2, ms2, said, blanks, last, more = zip(*found)
    if len(_CLOCKS) > _CLOCKS_KEPT:
        _CLOCKS.clear()
    starts = list(map(add, map(_CLOCKS.__getitem__, clocks1), map(_MS.__getitem__, ms1)))
    ends = list(map(add, map(_CLOCKS.__getitem__, clocks2), map(_MS.__getitem__, ms2)))
    said = list(said)
    late_envelope = _LATE_ENVELOPE.search(text) is not None
    for i in range(len(said)) if late_envelope else compress(count(), more):
        lines = (said[i] + blanks[i] + last[i] + more[i]).split("\n")
        if len(lines) >= 3 and lines[-1].strip() and not lines[-2].strip():
            lines.pop()  # the next cue's identifier
        if late_envelope:
            lines = _drop_envelope(lines)
        said[i] = "\n".join(lines)
    return starts, ends, list(map(_AFTER_NEWLINE, said))


def _clean_all(texts, text: str) -> list[str]:
    """``_clean`` of each of ``texts`` (taken from ``text``), line by line, in C loops."""
    if "<" in text:
        texts = map(_TAG_SUB, repeat(""), texts)
    if "&" in text:
        texts = map(_ENTITY.sub, repeat(_entity), texts)
    return list(map(" ".join, map(str.split, texts)))


def _entity(m) -> str:
    return _ENTITIES[m.group(0)]


def raw_cues(text: str, fmt: str) -> list[tuple[float, float, list[str]]]:
    """(start_s, end_s, raw lines) per cue, in file order."""
    text = _normalise(text)
    if fmt == "vtt":
        return [(s / 1000, e / 1000, said.split("\n")) for s, e, said in zip(*_vtt_columns(text))]
    try:
        subs = list(srt.parse(text, ignore_errors=True))
    except srt.SRTParseError as exc:  # pragma: no cover - ignore_errors skips bad blocks
        raise SubtitleError(str(exc)) from None
    except OverflowError:  # a cue time of thousands of hours: timedelta refuses it
        raise SubtitleError("a cue time is out of range") from None
    if not subs and text.strip():
        raise SubtitleError("no cues found")
    # cues past any recording's length (bounds.MAX_SECONDS) are not moments of it
    return [(s.start.total_seconds(), s.end.total_seconds(), s.content.split("\n")) for s in subs
            if bounds.seconds(s.end.total_seconds()) is not None and s.start.total_seconds() >= 0]


def _rolling_lines(text: str) -> list[tuple[float, float, str]]:
    """Each WebVTT cue's new (bottom) line, skipping the short repeats and any line
    said just before: only the bottom line of a long cue is cleaned at all."""
    starts, ends, said = _vtt_columns(text)
    long_cues = list(map(gt, map(sub, ends, starts), repeat(REPEAT_CUE_S * 1000)))
    starts, ends, said = (list(compress(column, long_cues)) for column in (starts, ends, said))
    lines = _clean_all(map(_THIRD, map(str.rpartition, said, repeat("\n"))), text)
    for i in compress(count(), map(not_, lines)):
        # the bottom line was blank or only tags: the lowest line that says something
        lines[i] = next((x for x in _clean_all(reversed(said[i].split("\n")), text) if x), "")
    # the top line re-shows the previous cue's line (or is blank after a pause)
    kept = compress(zip(map(truediv, starts, repeat(1000)), map(truediv, ends, repeat(1000)), lines), lines)
    return [next(run) for _, run in groupby(kept, key=_THIRD)]


def _merge_rolling(cues):
    """Keep each cue's new (bottom) line; drop the short repeats and any line said just before."""
    out = []
    last = None
    for start, end, lines in cues:
        if end - start <= REPEAT_CUE_S:
            continue
        said = [x for x in map(_clean, lines) if x]
        if said and said[-1] != last:
            out.append((start, end, said[-1]))
            last = said[-1]
    return out


_CLOCK_LIMIT_S = dt.timedelta.max.total_seconds()


def _kept(starts_s, ends_s) -> list[bool] | None:
    """Which cues a WebVTT file keeps, as SubRip's reading does: a time past any clock
    (``timedelta``'s range) makes the file unreadable, in one line; a cue past any
    recording's length (``bounds.MAX_SECONDS``) is not a moment of it and is dropped.
    None when every cue is kept (the usual case, told from the extremes alone)."""
    if not ends_s:
        return None
    latest = max(ends_s)
    if latest > _CLOCK_LIMIT_S:
        raise SubtitleError("a cue time is out of range")
    if min(starts_s) >= 0 and min(ends_s) >= 0 and latest < bounds.MAX_SECONDS + 1:
        return None
    return [s >= 0 and bounds.seconds(e) is not None for s, e in zip(starts_s, ends_s)]


def _speakers(rows: list[tuple]) -> list[tuple]:
    """``rows`` with ``Name: text`` split into speaker and text, when at least
    ``SPEAKER_SHARE`` of them read so (Zoom's transcripts); else as they are.
    Each row's text is one cleaned line: all of them are read in one regex pass."""
    texts = list(map(_FOURTH, rows))
    found = _SPEAKER_LINES.findall("\n".join(texts))
    names = list(map(_FIRST, found))
    if len(names) - names.count("") < SPEAKER_SHARE * len(rows):
        return rows
    named = [bool(name) and clock is None for name, clock in zip(names, map(_NOT_A_NAME.search, names))]
    if sum(named) < SPEAKER_SHARE * len(rows):
        return rows
    speakers = [name.strip() if ok else None for name, ok in zip(names, named)]
    said = [rest if ok else text for text, rest, ok in zip(texts, map(_SECOND, found), named)]
    return list(zip(map(_FIRST, rows), map(_SECOND, rows), speakers, said))


def cue_rows(text: str, fmt: str = "vtt") -> list[tuple[float, float, str | None, str]]:
    """(start_s, end_s, speaker, text) per cue: what ``parse_subtitles`` returns, as tuples."""
    if _WORD_TIMING.search(text):
        if fmt == "vtt":
            rolled = _rolling_lines(_normalise(text))
            keep = _kept(list(map(_FIRST, rolled)), list(map(_SECOND, rolled)))
            return [(s, e, None, t) for s, e, t in (rolled if keep is None else compress(rolled, keep))]
        return [(round(s, 3), round(e, 3), None, t) for s, e, t in _merge_rolling(raw_cues(text, fmt))]
    if fmt == "vtt":
        text = _normalise(text)
        starts, ends, said = _vtt_columns(text)
        keep = _kept([x / 1000 for x in starts], [x / 1000 for x in ends])
        if keep is not None:
            starts, ends, said = (list(compress(col, keep)) for col in (starts, ends, said))
    else:
        cues = raw_cues(text, fmt)
        starts = [round(c[0] * 1000) for c in cues]
        ends = [round(c[1] * 1000) for c in cues]
        said = ["\n".join(c[2]) for c in cues]
    lines = _clean_all(said, text)
    voices = repeat(None)
    voiced = False
    if "<v" in text:
        voices = [next((m.group(1).strip() for m in map(_VOICE.search, raw.split("\n")) if m), None)
                  if "<v" in raw else None for raw in said]
        voiced = any(voices)
    rows = list(compress(zip(map(truediv, starts, repeat(1000)), map(truediv, ends, repeat(1000)), voices, lines),
                         lines))
    if not voiced and rows:
        rows = _speakers(rows)
    return rows


def parse_subtitles(text: str, fmt: str = "vtt") -> list[dict]:
    """Cues of a WebVTT (``fmt="vtt"``) or SubRip (``"srt"``) file's text."""
    return [{"start_s": s, "end_s": e, "speaker": sp, "text": t} for s, e, sp, t in cue_rows(text, fmt)]


def transcript_kind(text: str, cues: list) -> str:
    """``asr`` (YouTube's rolling automatic captions), ``zoom`` (speakers named), else ``file``.
    ``cues`` are cue dicts or ``cue_rows`` tuples."""
    if _WORD_TIMING.search(text):
        return "asr"
    if any((c["speaker"] if isinstance(c, dict) else c[2]) for c in cues):
        return "zoom"
    return "file"
