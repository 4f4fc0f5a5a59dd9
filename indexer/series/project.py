"""The project file: many meeting series in one index (``meetup-indexer.yml``).

    timezone: America/Los_Angeles        # default for every series below
    channel: "@flyteorg"                 # default channel
    series:
      - id: flyte-community
        name: Flyte Community Sync
        notes: [notes/community.md]      # files, folders, gdoc:ID
        playlist: PLmZ...                # the series' own playlist, if it has one
        drive_folder: 1AbC...
        weekday: Tuesday
        time: "09:00"
        title_words: [community, sync]

Read with PyYAML's composer so that every error names its line
(``meetup-indexer.yml:7: ...``); every scalar is read as the text written
(``time: 14:00`` is not YAML 1.1's sexagesimal 840).
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from indexer.notes.files import InputError

PROJECT_FILE = "meetup-indexer.yml"
WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
SERIES_KEYS = ("id", "name", "notes", "channel", "playlist", "drive_folder", "timezone", "weekday", "time",
               "title_words")
TOP_KEYS = ("series", "channel", "timezone", "drive_folder")
# a series id is one path segment of a meeting id (`flyte-contributors/2024-06-06`)
SERIES_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
_TIME = re.compile(r"^(\d{1,2})(?::(\d{2}))?$")
_PLAYLIST_ID = re.compile(r"^(PL|UU|FL|OL|RD)[A-Za-z0-9_-]{10,}$")
_GDOC = re.compile(r"^gdoc:[A-Za-z0-9_-]{10,}$")


class ProjectError(InputError):
    """A project file the user can fix: ``FILE:LINE: what is wrong``."""


@dataclass
class SeriesConfig:
    id: str
    name: str
    notes: list[str] = field(default_factory=list)
    channel: str | None = None
    playlist: str | None = None
    drive_folder: str | None = None
    timezone: str | None = None
    weekday: int | None = None  # 0 = Monday
    hour: int | None = None
    minute: int = 0
    title_words: list[str] = field(default_factory=list)
    line: int = 0


@dataclass
class Project:
    path: str
    series: list[SeriesConfig] = field(default_factory=list)

    def channels(self) -> list[str]:
        """Every channel named, once: a channel shared by several series is harvested once."""
        return list(dict.fromkeys(s.channel for s in self.series if s.channel))

    def drive_folders(self) -> list[str]:
        return list(dict.fromkeys(s.drive_folder for s in self.series if s.drive_folder))


def find_project(config: str | None = None, cwd: str | Path = ".") -> Path | None:
    """``--config PATH`` (which must exist), else ``meetup-indexer.yml`` in ``cwd`` if there is one."""
    if config:
        p = Path(config)
        if not p.is_file():
            raise ProjectError(f"project file not found: {config}")
        return p
    p = Path(cwd) / PROJECT_FILE
    return p if p.is_file() else None


def load_project(path: str | Path, check_files: bool = True) -> Project:
    """Read and validate a project file. Notes paths are relative to the file's folder."""
    path = Path(path)
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise ProjectError(f"project file not found: {path}") from None
    except OSError as exc:
        raise ProjectError(f"cannot read project file {path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise ProjectError(f"{path}: not UTF-8 text (byte {exc.start})") from None
    return parse_project(text, str(path), base=path.parent, check_files=check_files)


def parse_project(text: str, name: str = PROJECT_FILE, base: str | Path = ".", check_files: bool = False) -> Project:
    """Pure (unless ``check_files``): the text of a project file to a ``Project``."""
    import yaml  # PyYAML only when a project file is read (most syncs have none)
    reader = _Reader(name)
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        raise ProjectError(f"{name}:{line}: not valid YAML: {exc.problem or exc.context}") from None
    except yaml.YAMLError as exc:
        raise ProjectError(f"{name}: not valid YAML: {exc}") from None
    if root is None:
        raise ProjectError(f"{name}:1: empty project file: it needs a `series:` list")
    top = reader.mapping(root, TOP_KEYS, "the project file")
    if "series" not in top:
        raise ProjectError(f"{name}:{_line(root)}: no `series:` list")
    defaults = {k: reader.text(top[k], k) for k in ("channel", "timezone", "drive_folder") if k in top}
    if "timezone" in defaults:
        reader.timezone(top["timezone"], defaults["timezone"])
    if "channel" in defaults:
        reader.channel(top["channel"], defaults["channel"])
    seq = top["series"]
    if not isinstance(seq, yaml.SequenceNode) or not seq.value:
        raise ProjectError(f"{name}:{_line(seq)}: `series:` must be a list of series (`- id: ...`)")
    project = Project(name)
    seen: dict[str, int] = {}
    for node in seq.value:
        s = reader.series(node, defaults, Path(base), check_files)
        if s.id in seen:
            raise ProjectError(f"{name}:{s.line}: series id {s.id!r} is used twice (first at line {seen[s.id]})")
        seen[s.id] = s.line
        project.series.append(s)
    return project


def _line(node) -> int:
    return node.start_mark.line + 1


class _Reader:
    """Node -> value with one-line errors naming the file and line."""

    def __init__(self, name: str):
        self.name = name

    def fail(self, node, message: str):
        raise ProjectError(f"{self.name}:{_line(node)}: {message}")

    def mapping(self, node, allowed, what: str) -> dict:
        import yaml
        if not isinstance(node, yaml.MappingNode):
            self.fail(node, f"{what} must be a mapping of `key: value` lines")
        out = {}
        for k, v in node.value:
            if not isinstance(k, yaml.ScalarNode):
                self.fail(k, "a key must be a plain word")
            if k.value not in allowed:
                self.fail(k, f"unknown key {k.value!r} in {what} (known: {', '.join(allowed)})")
            if k.value in out:
                self.fail(k, f"key {k.value!r} appears twice in {what}")
            out[k.value] = v
        return out

    def text(self, node, key: str) -> str:
        import yaml
        if not isinstance(node, yaml.ScalarNode) or node.tag == "tag:yaml.org,2002:null" or not node.value.strip():
            self.fail(node, f"`{key}` must be a single value")
        return node.value.strip()

    def texts(self, node, key: str) -> list[str]:
        """A value or a list of values."""
        import yaml
        if isinstance(node, yaml.SequenceNode):
            if not node.value:
                self.fail(node, f"`{key}` is an empty list")
            return [self.text(n, key) for n in node.value]
        return [self.text(node, key)]

    def timezone(self, node, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            self.fail(node, f"unknown time zone {value!r} (an IANA name such as Europe/Berlin or UTC)")
        return value

    def channel(self, node, value: str) -> str:
        from indexer.youtube.harvest import ChannelRefError, parse_channel_ref

        try:
            parse_channel_ref(value)
        except ChannelRefError as exc:
            self.fail(node, f"channel: {exc}")
        return value

    def series(self, node, defaults: dict, base: Path, check_files: bool) -> SeriesConfig:
        m = self.mapping(node, SERIES_KEYS, "a series")
        line = _line(node)
        if "id" not in m and "name" not in m:
            self.fail(node, "a series needs an `id` or a `name`")
        name = self.text(m["name"], "name") if "name" in m else None
        if "id" in m:
            sid = self.text(m["id"], "id")
            if not SERIES_ID.match(sid):
                self.fail(m["id"], f"series id {sid!r}: lower-case letters, digits and dashes only "
                                   f"(e.g. {slug(sid)!r})")
        else:
            sid = slug(name)
        s = SeriesConfig(id=sid, name=name or sid, line=line)
        if "notes" in m:
            for n_node, value in zip(_items(m["notes"]), self.texts(m["notes"], "notes")):
                s.notes.append(self.notes_path(n_node, value, base, check_files))
        s.channel = self.channel(m["channel"], self.text(m["channel"], "channel")) if "channel" in m \
            else defaults.get("channel")
        if "playlist" in m:
            s.playlist = self.playlist(m["playlist"], self.text(m["playlist"], "playlist"))
        if "drive_folder" in m:
            s.drive_folder = self.drive_folder(m["drive_folder"], self.text(m["drive_folder"], "drive_folder"))
        elif defaults.get("drive_folder"):
            s.drive_folder = defaults["drive_folder"]
        s.timezone = self.timezone(m["timezone"], self.text(m["timezone"], "timezone")) if "timezone" in m \
            else defaults.get("timezone")
        if "weekday" in m:
            s.weekday = self.weekday(m["weekday"], self.text(m["weekday"], "weekday"))
        if "time" in m:
            s.hour, s.minute = self.time(m["time"], self.text(m["time"], "time"))
        if "title_words" in m:
            s.title_words = [w.lower() for w in self.texts(m["title_words"], "title_words")]
        if not (s.notes or s.channel or s.playlist or s.drive_folder):
            self.fail(node, f"series {sid!r} names no source: give it `notes`, a `channel`, a `playlist` "
                            "or a `drive_folder`")
        return s

    def notes_path(self, node, value: str, base: Path, check_files: bool) -> str:
        if value.startswith("gdoc:"):
            if not _GDOC.match(value):
                self.fail(node, f"not a Google Doc reference: {value!r} (gdoc:DOCUMENT_ID)")
            return value
        p = Path(value).expanduser()
        if not p.is_absolute():
            p = base / p
        if check_files and not p.exists():
            self.fail(node, f"notes not found: {value}")
        return str(p)

    def playlist(self, node, value: str) -> str:
        m = re.search(r"[?&]list=([A-Za-z0-9_-]+)", value)
        pid = m.group(1) if m else value
        if not _PLAYLIST_ID.match(pid):
            self.fail(node, f"not a playlist id or URL: {value!r} (PL... or a link with list=)")
        return pid

    def drive_folder(self, node, value: str) -> str:
        from indexer.drive.harvest import DriveError, folder_id_from

        try:
            return folder_id_from(value)
        except DriveError as exc:
            self.fail(node, str(exc))

    def weekday(self, node, value: str) -> int:
        v = value.lower()
        hits = [i for i, d in enumerate(WEEKDAYS) if len(v) >= 3 and d.startswith(v)]
        if len(hits) != 1:
            self.fail(node, f"weekday {value!r}: a day name such as Tuesday or tue")
        return hits[0]

    def time(self, node, value: str) -> tuple[int, int]:
        m = _TIME.match(value)
        if not m or int(m.group(1)) > 23 or int(m.group(2) or 0) > 59:
            self.fail(node, f"time {value!r}: the usual start as HH:MM in the series' time zone, e.g. \"16:00\"")
        return int(m.group(1)), int(m.group(2) or 0)


def _items(node) -> list:
    import yaml
    return node.value if isinstance(node, yaml.SequenceNode) else [node]


def slug(text: str) -> str:
    from indexer.notes import slugify

    return slugify(text)[:64].strip("-") or "series"


# --------------------------------------------------------------------------
# init: a project file from notes headers

_NUMBERS = re.compile(
    r"\[[^\]]*\]|\([^)]*\)|#?\d[\d/.-]*(?:st|nd|rd|th)?|\bnotes?\b|\bminutes\b"
    r"|\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\b", re.I)
_H1 = re.compile(r"^#[ \t]+(.+?)[ \t#]*$", re.M)
_FRONT_TITLE = re.compile(r"\A---\r?\n(?:.*\r?\n)*?title:[ \t]*[\"']?(.+?)[\"']?[ \t]*\r?\n(?:.*\r?\n)*?---", re.M)
_UTC_TIME = re.compile(r"\b(\d{1,2}):(\d{2})\s*(?:-\s*\d{1,2}:\d{2}\s*)?(UTC|GMT)\b")
_STOP = {"the", "a", "an", "of", "and", "for", "on", "in", "to"}


def series_title(titles: list[str], fallback: str) -> str:
    """The name a file's (or a folder's files') titles share: dates, numbers and "Notes" removed,
    the most common form ("Execution Layer Meeting 174 [2023-11-09]" -> "Execution Layer Meeting")."""
    from indexer.notes import find_date

    forms = []
    for t in titles:
        hit = find_date(t)
        if hit:
            t = t[: hit.start] + " " + t[hit.end:]
        t = re.sub(r"\s+", " ", _NUMBERS.sub(" ", t)).strip(" -–—:|,#")
        if t:
            forms.append(t)
    if not forms:
        return fallback
    return Counter(forms).most_common(1)[0][0]


def document_title(text: str, notes=None) -> str:
    """A notes document's own title: its first H1, else its front matter's title, else the parser's."""
    m = _H1.search(text or "")
    if m:
        return re.sub(r"[*_`]|\[([^\]]*)\]\([^)]*\)", lambda x: x.group(1) or "", m.group(1)).strip()
    m = _FRONT_TITLE.search(text or "")
    if m:
        return m.group(1).strip()
    return getattr(notes, "title", "") or ""


def series_from_notes(path: str, parsed: list, texts: list[str] | None = None) -> SeriesConfig:
    """One series from a notes argument (a file or a folder) and its parsed ``Notes``:
    named from the title, sources from the header links, usual weekday and UTC time
    when most meetings agree."""
    p = Path(path)
    fallback = (p.stem if p.is_file() else p.name) or "series"
    texts = texts or [""] * len(parsed)
    titles = [document_title(t, n) for n, t in zip(parsed, texts)]
    name = series_title([t for t in titles if t], fallback.replace("-", " ").replace("_", " "))
    s = SeriesConfig(id=slug(name), name=name, notes=[path])
    for n in parsed:
        for src in n.sources:
            if src.kind in ("youtube_channel", "youtube_handle", "youtube_user") and not s.channel:
                s.channel = src.ref if src.kind != "youtube_user" else src.url
            elif src.kind == "drive_folder" and not s.drive_folder:
                s.drive_folder = src.ref
    dates = [m.date for n in parsed for m in n.meetings if not m.cancelled]
    if len(dates) >= 2:
        day, count = Counter(d.weekday() for d in dates).most_common(1)[0]
        if count >= 0.6 * len(dates):
            s.weekday = day
    times = Counter()
    for n, text in zip(parsed, texts):
        for m in n.meetings:
            found = _UTC_TIME.search(m.raw or "") or _UTC_TIME.search(text[:3000])
            if found:
                times[(int(found.group(1)), int(found.group(2)))] += 1
    if times and dates:
        (hm, count) = times.most_common(1)[0]
        if count >= 0.6 * len(dates) and hm[0] < 24 and hm[1] < 60:
            s.timezone, (s.hour, s.minute) = "UTC", hm
    s.title_words = [w for w in re.findall(r"[a-z0-9]+", name.lower()) if w not in _STOP and not w.isdigit()]
    return s


def unique_ids(series: list[SeriesConfig]) -> None:
    """Two notes with the same title get `-2`, `-3` ids."""
    seen: Counter = Counter()
    for s in series:
        seen[s.id] += 1
        if seen[s.id] > 1:
            s.id = f"{s.id}-{seen[s.id]}"[:64]


def render_project(series: list[SeriesConfig], base: str | Path = ".") -> str:
    """YAML text for ``series`` (paths relative to ``base``), every key the reader knows."""
    lines = ["# meetup-indexer project file: one entry per meeting series (the docs: \"Many series in one index\", docs/series.md).",
             "# Fill in what the notes did not say: channel, playlist, drive_folder, weekday, time, timezone.",
             "series:"]
    for s in series:
        lines.append(f"  - id: {s.id}")
        lines.append(f"    name: {_q(s.name)}")
        notes = [n if n.startswith("gdoc:") else _relative(n, base) for n in s.notes]
        lines.append(f"    notes: [{', '.join(_q(n) for n in notes)}]")
        for key in ("channel", "playlist", "drive_folder", "timezone"):
            value = getattr(s, key)
            lines.append(f"    {key}: {_q(value)}" if value else f"    # {key}:")
        lines.append(f"    weekday: {WEEKDAYS[s.weekday].capitalize()}" if s.weekday is not None else "    # weekday:")
        lines.append(f'    time: "{s.hour:02d}:{s.minute:02d}"' if s.hour is not None else "    # time:")
        if s.title_words:
            lines.append(f"    title_words: [{', '.join(_q(w) for w in s.title_words)}]")
    return "\n".join(lines) + "\n"


def _q(value: str) -> str:
    """A YAML scalar that reads back as the same text."""
    import yaml
    dumped = yaml.safe_dump(value, width=10_000).strip()
    return dumped.removesuffix("...").strip()


def _relative(path: str, base) -> str:
    try:
        return str(Path(path).resolve().relative_to(Path(base).resolve()))
    except ValueError:
        return str(path)
