"""``NotesParser``: one pass over the blocks, each handed to the carrier of its kind.

The carriers are mixins over one ``WalkState`` because they share the open
meeting: a heading opens it, a list or table fills it, ``</details>`` or the
next heading closes it. A file read as one meeting that writes a second one
(``ALog``) is read again from the start as a log; after the walk, years are
filled, links read, duplicates merged and an orphan agenda adopted.
"""
from __future__ import annotations

import itertools

from indexer.notes.agenda import note_offsets
from indexer.notes.dates import fill_years, path_date
from indexer.notes.markdown import Block, walk_items, html_heading
from indexer.notes.model import Notes
from indexer.notes.walk.bullets import BulletsMixin
from indexer.notes.walk.finish import header_sources, merge_duplicates, read_links
from indexer.notes.walk.headings import HeadingsMixin
from indexer.notes.walk.html_blocks import HtmlBlocksMixin
from indexer.notes.walk.one_file import OneFileMixin, ALog
from indexer.notes.walk.paragraphs import ParagraphsMixin
from indexer.notes.walk.state import WalkState
from indexer.notes.walk.tables import TablesMixin


class NotesParser(HeadingsMixin, ParagraphsMixin, BulletsMixin, TablesMixin, HtmlBlocksMixin, OneFileMixin, WalkState):
    """The walker: ``run`` reads the blocks and returns the document's ``Notes``."""

    def run(self, blocks=None) -> Notes:
        if self.whole_file is not None:
            self.open_whole_file()
        source = self.md.blocks() if blocks is None else blocks
        # blocks are kept while the file may still turn out a log, to read them again as one
        kept: list | None = [] if self.title.state != "closed" else None
        try:
            for block in source:
                if kept is not None:
                    kept.append(block)
                self.on_block(block)
                if kept is not None and self.title.state == "closed" and not self.title_meetings:
                    kept = None
        except ALog:
            return self.read_as_log(kept or [], source)
        self.close_meeting(self.lines.count)
        return self.finish()

    def read_as_log(self, kept: list, rest) -> Notes:
        """The file read as one meeting wrote a second: a fresh walker reads it all again as a log."""
        for block in kept:
            if block.kind == "list" and block.lazy is None:
                for item in walk_items(block.items):
                    item.talk = None  # read afresh: the first reading may have added to it
        log = NotesParser(self.text, path=self.path, title_block=False, md=self.md)
        return log.run(itertools.chain(kept, rest))

    def on_block(self, block: Block) -> None:
        self.track(block)
        kind = block.kind
        if kind == "heading":
            self.on_heading(block)
        elif kind == "paragraph":
            self.on_paragraph(block)
        elif kind == "list":
            self.on_list(block)
        elif kind == "table":
            self.on_table(block)
        elif kind == "html":
            heading = html_heading(block)
            if heading is not None:
                self.on_heading(heading)
            else:
                self.on_html(block.content, block.start, block.end)
        else:
            self.add_notes(block.start, block.end)

    def finish(self) -> Notes:
        """After the walk: titles of file meetings, missing years, talk offsets and links,
        duplicates merged, an orphan agenda adopted, the sources the head names."""
        meetings = self.meetings
        for m in meetings:
            if m.form == "file" and self.notes.title:
                m.title = self.notes.title
        fill_years(meetings, self.warnings, path_date(self.path))
        for m in meetings:
            note_offsets(m.talks)
            read_links(m)
        self.notes.meetings = merge_duplicates(meetings, self.warnings)
        self.adopt_agenda(self.notes.meetings)
        self.notes.sources = header_sources(self.lines, meetings)
        return self.notes
