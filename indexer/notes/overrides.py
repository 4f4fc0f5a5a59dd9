"""Corrections a maintainer writes by hand, applied on every match.

``data/overrides.yml`` (or ``--overrides FILE``)::

    meetings:
      2021-02-09:                             # or SERIES/2021-02-09 when several series share the date
        pin: [iHBUxzSC9XE, 1AbCdriveFileId]   # these recordings are this meeting's
        forbid: [dQw4w9WgXcQ]                 # never link this one to it
    talks:
      2021-02-09/flyte-egress-events:
        video: iHBUxzSC9XE
        at: "12:34"                           # or 754, 754s, 1:02:03, 12m34s
    people:
      merge:
        - [Ketan, Ketan Umare]                # these spellings are one person
      split: [Alex]                           # never join this spelling to another; one
                                              # person per organisation it is written with
    organizations:
      merge:
        - [Lyft, Lyft L5]
      split: [Union]

The YAML is read as a node tree (``yaml.compose``) rather than loaded: every
error names the file and line, and scalars keep their text (YAML 1.1 would turn
``12:34`` into 754 and ``2021-02-09`` into a date).
"""
from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass, field
from pathlib import Path

from indexer.common import bounds
from indexer.common.errors import UserError
from indexer.common.urls import parse_offset

DEFAULT_PATH = "data/overrides.yml"


class OverrideError(UserError):
    """A bad overrides file; the message is one line naming the file and line."""


@dataclass
class Overrides:
    path: str = ""
    # meeting id -> [(ref, line)]
    pins: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    forbids: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    # talk id -> (video id, start_s, line)
    talks: dict[str, tuple[str, int, int]] = field(default_factory=dict)
    meeting_lines: dict[str, int] = field(default_factory=dict)
    # spellings as written, with their lines (indexer/notes/people.py applies them)
    people_merge: list[list[tuple[str, int]]] = field(default_factory=list)
    people_split: list[tuple[str, int]] = field(default_factory=list)
    organizations_merge: list[list[tuple[str, int]]] = field(default_factory=list)
    organizations_split: list[tuple[str, int]] = field(default_factory=list)

    def for_matcher(self) -> dict:
        return {
            "pin": {m: [ref for ref, _ in refs] for m, refs in self.pins.items()},
            "forbid": {m: {ref for ref, _ in refs} for m, refs in self.forbids.items()},
            "talks": {t: (vid, start) for t, (vid, start, _) in self.talks.items()},
        }

    def __len__(self) -> int:
        return sum(map(len, self.pins.values())) + sum(map(len, self.forbids.values())) + len(self.talks)


def _line(node) -> int:
    return node.start_mark.line + 1


def parse_time(text: str) -> int | None:
    """``754``, ``754s``, ``12:34``, ``1:02:03``, ``12m34s`` -> seconds; None when unreadable."""
    text = (text or "").strip()
    m = re.fullmatch(r"(?:(\d+):)?(\d{1,2}):(\d{2})", text)
    if m:
        h, mi, s = bounds.digits(m.group(1) or "0"), int(m.group(2)), int(m.group(3))
        if h is None or s >= 60 or (m.group(1) and mi >= 60):
            return None
        return bounds.seconds(h * 3600 + mi * 60 + s)
    return parse_offset(text)


@functools.cache
def _bounded_loader():
    """PyYAML, imported only when there is a file to read (most syncs have none)."""
    import yaml

    class _BoundedLoader(yaml.SafeLoader):
        """Composes at most ``bounds.MAX_YAML_DEPTH`` levels: PyYAML's composer recurses
        once per level, so a file of a thousand ``[`` would end in a RecursionError."""

        _depth = 0

        def compose_node(self, parent, index):
            if self._depth >= bounds.MAX_YAML_DEPTH:
                raise yaml.composer.ComposerError(
                    None, None, f"nested deeper than {bounds.MAX_YAML_DEPTH} levels", self.peek_event().start_mark
                )
            self._depth += 1
            try:
                return super().compose_node(parent, index)
            finally:
                self._depth -= 1

    return _BoundedLoader


def parse_overrides(text: str, path: str = DEFAULT_PATH) -> Overrides:
    """Read overrides YAML; raises OverrideError("path:line: ...")."""
    import yaml

    out = Overrides(path=path)

    def fail(node, message):
        line = _line(node) if node is not None else 1
        raise OverrideError(f"{path}:{line}: {message}")

    try:
        root = yaml.compose(text, Loader=_bounded_loader())
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else 1
        raise OverrideError(f"{path}:{line}: not valid YAML: {getattr(exc, 'problem', None) or exc}") from None
    if root is None:
        return out
    if not isinstance(root, yaml.MappingNode):
        fail(root, "expected a mapping with 'meetings', 'talks', 'people' and/or 'organizations'")

    def mapping(node, what):
        if not isinstance(node, yaml.MappingNode):
            fail(node, f"{what} should be a mapping")
        return node.value

    def scalar(node, what) -> str:
        if not isinstance(node, yaml.ScalarNode) or not str(node.value).strip():
            fail(node, f"{what} should be a single value")
        return str(node.value).strip()

    def refs(node, what) -> list[tuple[str, int]]:
        items = node.value if isinstance(node, yaml.SequenceNode) else [node]
        return [(scalar(item, what), _line(item)) for item in items]

    for key, value in mapping(root, "the file"):
        section = scalar(key, "a section name")
        if section == "meetings":
            for mkey, mval in mapping(value, "meetings"):
                mid = scalar(mkey, "a meeting date")
                try:  # a date, or SERIES/DATE when the database holds several series
                    dt.date.fromisoformat(mid.rpartition("/")[2][:10])
                except ValueError:
                    fail(mkey, f"meeting '{mid}' is not a date (YYYY-MM-DD or SERIES/YYYY-MM-DD)")
                out.meeting_lines[mid] = _line(mkey)
                for akey, aval in mapping(mval, f"meeting {mid}"):
                    action = scalar(akey, "pin or forbid")
                    if action not in ("pin", "forbid"):
                        fail(akey, f"unknown key '{action}' for meeting {mid} (use pin or forbid)")
                    target = out.pins if action == "pin" else out.forbids
                    target.setdefault(mid, []).extend(refs(aval, f"{action} (a video or Drive file id)"))
        elif section == "talks":
            for tkey, tval in mapping(value, "talks"):
                tid = scalar(tkey, "a talk id")
                fields = {scalar(k, "video or at"): v for k, v in mapping(tval, f"talk {tid}")}
                unknown = set(fields) - {"video", "at"}
                if unknown:
                    fail(tkey, f"unknown key '{sorted(unknown)[0]}' for talk {tid} (use video and at)")
                if "video" not in fields:
                    fail(tkey, f"talk {tid} needs a video")
                vid = scalar(fields["video"], "video")
                start = 0
                if "at" in fields:
                    at = scalar(fields["at"], "at")
                    start = parse_time(at)
                    if start is None:
                        fail(fields["at"], f"bad time '{bounds.clip(at, 40)}' for talk {tid} (use seconds, mm:ss or h:mm:ss)")
                out.talks[tid] = (vid, start, _line(tkey))
        elif section in ("people", "organizations"):
            merges, splits = (
                (out.people_merge, out.people_split) if section == "people"
                else (out.organizations_merge, out.organizations_split))
            for akey, aval in mapping(value, section):
                action = scalar(akey, "merge or split")
                if action == "merge":
                    if not isinstance(aval, yaml.SequenceNode):
                        fail(aval, f"{section} merge should be a list of lists of names, e.g. - [Nian, Nian Tang]")
                    for group in aval.value:
                        if not isinstance(group, yaml.SequenceNode) or len(group.value) < 2:
                            fail(group, f"each {section} merge should list two names or more, e.g. [Nian, Nian Tang]")
                        merges.append(refs(group, "a name"))
                elif action == "split":
                    splits.extend(refs(aval, "a name"))
                else:
                    fail(akey, f"unknown key '{action}' for {section} (use merge or split)")
            merged = {name.casefold(): line for group in merges for name, line in group}
            for name, line in splits:
                if name.casefold() in merged:
                    raise OverrideError(f"{path}:{line}: '{name}' is both merged and split in {section}")
        else:
            fail(key, f"unknown section '{section}' (use meetings, talks, people and organizations)")
    for mid, pinned in out.pins.items():
        for ref, line in pinned:
            if ref in {r for r, _ in out.forbids.get(mid, [])}:
                raise OverrideError(f"{path}:{line}: {ref} is both pinned and forbidden for meeting {mid}")
    return out


def load_overrides(path: str | Path | None, required: bool = False) -> Overrides:
    """The overrides file at ``path``; an absent default file means no overrides."""
    p = Path(path or DEFAULT_PATH)
    if not p.exists():
        if required:
            raise OverrideError(f"{p}: overrides file not found")
        return Overrides(path=str(p))
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise OverrideError(f"{p}: cannot read: {exc.strerror or exc}") from None
    from indexer.notes.files import decode_utf8

    text, where = decode_utf8(data)
    if text is None:
        raise OverrideError(f"{p}: not UTF-8 text ({where})")
    return parse_overrides(text, str(p))


def validate(ov: Overrides, meeting_ids, talk_ids, recording_ids, video_ids, durations=None) -> None:
    """Every id must exist: an override on nothing is a typo that would silently do nothing.

    Raises OverrideError for the first problem in the file's order.
    """
    meeting_ids, talk_ids = set(meeting_ids), set(talk_ids)
    recording_ids, video_ids = set(recording_ids), set(video_ids)
    durations = durations or {}
    problems: list[tuple[int, str]] = []
    for mid, line in ov.meeting_lines.items():
        if mid not in meeting_ids:
            problems.append((line, f"unknown meeting {mid} (not in the notes)"))
    for table in (ov.pins, ov.forbids):
        for mid, refs in table.items():
            for ref, line in refs:
                if ref not in recording_ids:
                    problems.append((line, f"unknown video or Drive file id '{ref}'"))
    for tid, (vid, start, line) in ov.talks.items():
        dur = durations.get(vid)
        if tid not in talk_ids:
            problems.append((line, f"unknown talk '{tid}'"))
        elif vid not in video_ids:
            problems.append((line, f"unknown video id '{vid}' for talk {tid}"))
        elif dur and start >= dur:
            problems.append((line, f"time {start}s is past the end of {vid} ({dur}s)"))
    if problems:
        line, message = min(problems)
        raise OverrideError(f"{ov.path}:{line}: {message}")
