"""Parse community meeting notes (markdown) into meetings, talks, presenters.

Pure: text in, plain data out. Nothing here touches the network or a database,
and ``parse_notes`` never raises on any input: what it cannot read becomes a
``Warning`` with a line number.

The document is read once by markdown-it: markdown-it-pyrs (the same rules in
Rust, several times faster) when installed, else - or when it panics -
markdown-it-py; both give the walker the same plain blocks with their source
lines, and big documents are fed in chunks cut where CommonMark keeps no block
open, so memory stays bounded. Dates are read with python-dateutil. Regular
expressions only *locate* candidates (a date, a presenter tail, a URL);
structure - headings, nested bullets, tables, ``<details>`` blocks - comes
from markdown-it.

Where a meeting can be written:
- a heading (levels 1-4) carrying a date; the section runs to the next heading
  of the same or a higher level, or the next meeting;
- a ``<details><summary>DATE</summary>`` block, up to its ``</details>``;
- a bullet starting with a date (``* 2021-03-18: [Recording](...)``), outside
  any meeting: one meeting per bullet, sub-bullets are its talks;
- a table row with a date column (``| Date | Presenter | Topic |``), outside
  any meeting: one meeting per date, each row a talk.

The package, one module per job, lower ones never importing higher ones:
``model`` (the data classes and their JSON shape), ``dates``, ``presenters``,
``agenda`` (agenda items and offsets written for talks), ``markdown`` (the
two markdown-it builds and chunking), ``walk`` (the section walker: its shared
state and one module per carrier of a meeting - headings, paragraphs, bullets,
tables, HTML blocks, one meeting per file), ``parse`` (``parse_notes``), and
``files`` (reading notes files, folders and Google Docs). Besides the
pure parser: ``overrides`` (the community's overrides file), ``people`` (one person's many
spellings), and the database side, ``save`` and ``peopledb``, which import ``indexer.store``.
The names other modules use are re-exported here.
"""

from indexer.notes.agenda import agenda_item, noted_offset
from indexer.notes.dates import DateHit, find_date, find_yearless_numeric
from indexer.notes.model import BacklogItem, Meeting, Notes, Presenter, Source, Talk, Warning, meeting_to_json, slugify
from indexer.notes.parse import parse_notes
from indexer.notes.presenters import parse_presenters, parse_talk

__all__ = [
    "Presenter",
    "Talk",
    "Meeting",
    "BacklogItem",
    "Source",
    "Warning",
    "Notes",
    "parse_notes",
    "parse_presenters",
    "parse_talk",
    "agenda_item",
    "noted_offset",
    "find_date",
    "find_yearless_numeric",
    "DateHit",
    "slugify",
    "meeting_to_json",
]
