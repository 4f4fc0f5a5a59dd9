"""Markdown read into plain blocks for the walker, by either build of markdown-it.

markdown-it turns the text into blocks (with their source lines) and inline
spans; two builds of it give the walker the same ``Block``, ``Item`` and
``Inline`` values: markdown-it-pyrs (markdown-it.rs, ~5x faster on big
notes) when it is installed and does not fail, else markdown-it-py
(``BACKENDS``). Big documents are fed in chunks (``_chunks``, at most
``CHUNK_CHARS``) cut where CommonMark keeps no block open, so memory stays
bounded; a chunk markdown-it.rs panics on is read by markdown-it-py, with the
panic's backtrace kept off the terminal. ``SourceLines`` counts lines the way
markdown-it does.
"""
from __future__ import annotations

import bisect
import html
import itertools
import operator
import os
import re
import sys
import tempfile
from dataclasses import dataclass, field



@dataclass
class Inline:
    text: str  # plain text, soft breaks as "\n"
    bold: list  # (start, end) spans of strong text in ``text``
    links: list = field(default_factory=list)  # (start, end, href) of link labels in ``text``


@dataclass
class Item:
    inline: object | None  # backend handle of the item's first paragraph
    line: int  # 0-based
    end: int  # 0-based, exclusive
    children: list
    talk: tuple | None = None  # memo of NotesParser.item_talk


@dataclass
class Block:
    kind: str  # heading | paragraph | list | table | html | other
    start: int  # 0-based first line
    end: int  # 0-based line after the block
    level: int = 0  # headings
    inline: object = None  # headings, paragraphs: backend handle
    items: list = field(default_factory=list)  # lists: [Item]
    header: list = field(default_factory=list)  # tables: [handle]
    rows: list = field(default_factory=list)  # tables: [(line, [handle])]
    content: str = ""  # html blocks
    lazy: object = None  # lists: builds ``items`` when first asked (notes bullets never are)

    def list_items(self) -> list:
        if self.lazy is not None:
            self.items, self.lazy = self.lazy(), None
        return self.items


def walk_items(items: list[Item]):
    for it in items:
        yield it
        yield from walk_items(it.children)


class SourceLines:
    """Line offsets of the input, split the way markdown-it counts lines."""

    def __init__(self, text: str):
        self.text = text
        self.starts = _line_starts(text)
        self.count = len(self.starts) if text else 0

    def slice(self, a: int, b: int) -> str:
        """Lines a..b-1 (0-based) exactly as in the input, trailing blank lines dropped."""
        a = max(0, min(a, len(self.starts) - 1))
        b = max(a, min(b, len(self.starts)))
        lo = self.starts[a]
        hi = self.starts[b] if b < len(self.starts) else len(self.text)
        return self.text[lo:hi].rstrip("\r\n \t")

    def line(self, a: int) -> str:
        return self.slice(a, a + 1)


_LINE_BREAK = re.compile(r"\r\n?|\n")


_LINE_BREAK_BYTES = re.compile(rb"\r\n?|\n")


def _line_starts(text):
    """Offsets where lines start (str or bytes), counting \r\n, \r and \n as markdown does."""
    nl, cr = ("\n", "\r") if isinstance(text, str) else (b"\n", b"\r")
    if cr in text:
        rx = _LINE_BREAK if isinstance(text, str) else _LINE_BREAK_BYTES
        return [0, *(m.end() for m in rx.finditer(text))]
    # C-speed for the usual case: cumulative line lengths, one more for each "\n"
    lengths = map(len, text.split(nl))
    return [0, *map(operator.add, itertools.accumulate(lengths), range(1, text.count(nl) + 1))]


# a column-0 ATX heading right after a blank line: where a cut may go
_CUT = re.compile(r"\n[ \t]*\r?\n(?=#{1,6}(?:[ \t]|\r?\n|$))")
# blocks that run across blank lines: fences, and HTML blocks of CommonMark types 1-5
_OPENER = re.compile(
    r"^ {0,3}(?:(?P<fence>`{3,}(?=[^`\n]*$)|~{3,})"
    r"|<(?P<tag>script|pre|style|textarea)(?:[\s>]|$)|(?P<comment><!--)|(?P<pi><\?)|(?P<cdata><!\[CDATA\[)|(?P<decl><![A-Za-z]))",
    re.M | re.I,
)


_HTML_CLOSE = {
    "tag": re.compile(r"</(?:script|pre|style|textarea)>", re.I),
    "comment": re.compile(r"-->"),
    "pi": re.compile(r"\?>"),
    "cdata": re.compile(r"\]\]>"),
    "decl": re.compile(r">"),
}


_REFERENCE_DEF = re.compile(r"^ {0,3}\[[^\]\n]+\]:", re.M)


CHUNK_CHARS = 200_000  # ~15 MB of Rust tree at a time


def _block_end(text: str, m: re.Match) -> int:
    """Where the fence or HTML block opened by ``m`` ends (the end of its last line)."""
    if m.group("fence"):
        fence = m.group("fence")
        close = re.compile(rf"^ {{0,3}}{re.escape(fence[0])}{{{len(fence)},}}[ \t]*\r?$", re.M)
        line_end = text.find("\n", m.end())
        c = close.search(text, line_end + 1) if line_end >= 0 else None
    else:
        kind = next(k for k in _HTML_CLOSE if m.group(k))
        c = _HTML_CLOSE[kind].search(text, m.end() - (1 if kind == "decl" else 0))
    if c is None:
        return len(text)
    end = text.find("\n", c.end())
    return len(text) if end < 0 else end


def _chunks(text: str, size: int | None = None):
    """Split ``text`` into (first line, text) pieces markdown-it reads the same apart as together.

    A cut goes only before a column-0 ATX heading that follows a blank line,
    outside any fence or type 1-5 HTML block: CommonMark keeps no container or
    leaf block open across it. Link reference definitions reach across the
    whole document, and a lone "\\r" line end hides lines from the ``^`` anchors
    used here, so such documents are not cut. Bounds the parser's memory on
    big notes; missing a possible cut only costs memory.
    """
    size = size or CHUNK_CHARS
    if len(text) <= size or _REFERENCE_DEF.search(text) or text.count("\r") != text.count("\r\n"):
        yield 0, text
        return
    start = line = 0
    resolved = 0  # text before this is known to be outside fences and HTML blocks
    for m in _CUT.finditer(text):
        cut = m.end()
        if cut - start < size:
            continue
        while resolved < cut:
            o = _OPENER.search(text, resolved, cut)
            if o is None:
                resolved = cut
                break
            resolved = max(_block_end(text, o), o.end())
        if resolved > cut:
            continue  # the heading is inside a fence or an HTML block
        yield line, text[start:cut]
        line += text.count("\n", start, cut)
        start = cut
    yield line, text[start:]


class PyBackend:
    """markdown-it-py: block tokens, inline markup parsed on demand."""

    md = None

    def __init__(self, text: str):
        cls = type(self)
        if cls.md is None:  # imported when first needed: most notes never fall back to it
            from markdown_it import MarkdownIt

            # block parse only: inline markup is parsed for the few blocks that need it
            cls.md = MarkdownIt("commonmark").enable("table").disable(["inline", "text_join"])
        self.text = text
        self.env: dict = {}

    def blocks(self):
        for line0, chunk in _chunks(self.text):
            for block in self._blocks(self.md.parse(chunk, self.env)):
                if line0:
                    _shift(block, line0)
                yield block

    def source(self, tok) -> str:
        return tok.content or "" if tok is not None else ""

    def inline(self, tok) -> Inline:
        if isinstance(tok, Inline):  # read already (an HTML heading's text)
            return tok
        src = self.source(tok)
        if not any(c in src for c in "*_[`<\\&!"):
            return Inline(src, [])  # nothing to parse
        children: list = []
        self.md.inline.parse(src, self.md, self.env, children)
        out: list[str] = []
        bold: list[tuple[int, int]] = []
        found: list[tuple[int, int, str]] = []
        n = 0
        opened: list[int] = []
        link_at: list[tuple[int, str]] = []
        for c in children:
            t = c.type
            if t == "text" or t == "code_inline" or t == "text_special":  # text_special: escapes, entities
                out.append(c.content)
                n += len(c.content)
            elif t in ("softbreak", "hardbreak"):
                out.append("\n")
                n += 1
            elif t == "strong_open":
                opened.append(n)
            elif t == "strong_close" and opened:
                a = opened.pop()
                if not opened:
                    bold.append((a, n))
            elif t == "link_open":
                link_at.append((n, str(c.attrGet("href") or "")))
            elif t == "link_close" and link_at:
                a, href = link_at.pop()
                found.append((a, n, href))
            elif t == "image":
                alt = "".join(ch.content for ch in (c.children or []))
                out.append(alt)
                n += len(alt)
        return Inline("".join(out), bold, found)

    def _blocks(self, tokens) -> list[Block]:
        blocks: list[Block] = []
        n = len(tokens)
        i = 0
        while i < n:
            tok = tokens[i]
            if tok.level != 0 or tok.map is None:
                i += 1
                continue
            start, end = tok.map
            tt = tok.type
            nxt = tokens[i + 1] if i + 1 < n else None
            if tt == "heading_open":
                blocks.append(Block("heading", start, end, level=int(tok.tag[1]), inline=nxt))
                i += 3
            elif tt == "paragraph_open":
                blocks.append(Block("paragraph", start, end, inline=nxt))
                i += 3
            elif tt in ("bullet_list_open", "ordered_list_open"):
                items, i = self._list(tokens, i)
                blocks.append(Block("list", start, end, items=items))
            elif tt == "table_open":
                block = Block("table", start, end)
                row: list | None = None
                row_line = start
                in_head = False
                i += 1
                while i < n and tokens[i].type != "table_close":
                    t = tokens[i]
                    if t.type == "thead_open":
                        in_head = True
                    elif t.type == "thead_close":
                        in_head = False
                    elif t.type == "tr_open":
                        row = []
                        row_line = t.map[0] if t.map else row_line + 1
                    elif t.type == "inline" and row is not None:
                        row.append(t)
                    elif t.type == "tr_close" and row is not None:
                        if in_head:
                            block.header = row
                        else:
                            block.rows.append((row_line, row))
                        row = None
                    i += 1
                blocks.append(block)
                i += 1
            elif tt == "html_block":
                blocks.append(Block("html", start, end, content=tok.content))
                i += 1
            else:
                # fences, code, blockquotes, rules: notes text only
                close = tt.replace("_open", "_close")
                j = i + 1
                if tok.nesting == 1:
                    depth = 1
                    while j < n and depth:
                        if tokens[j].type == tt:
                            depth += 1
                        elif tokens[j].type == close:
                            depth -= 1
                        j += 1
                blocks.append(Block("other", start, end))
                i = j
        return blocks

    @staticmethod
    def _list(tokens, i: int) -> tuple[list[Item], int]:
        """The list at tokens[i] as a tree of items; returns (items, index after the list)."""
        root: list[Item] = []
        stack: list[list[Item]] = []
        item_stack: list[Item] = []
        n = len(tokens)
        j = i
        depth = 0
        while j < n:
            t = tokens[j]
            tt = t.type
            if tt == "bullet_list_open" or tt == "ordered_list_open":
                depth += 1
                parent = item_stack[-1] if item_stack and depth > 1 else None
                stack.append(parent.children if parent is not None else root)
            elif tt == "bullet_list_close" or tt == "ordered_list_close":
                depth -= 1
                stack.pop()
                if depth == 0:
                    return root, j + 1
            elif tt == "list_item_open":
                mp = t.map or (0, 0)
                item = Item(None, mp[0], mp[1], [])
                stack[-1].append(item)
                item_stack.append(item)
            elif tt == "list_item_close":
                if item_stack:
                    item_stack.pop()
            elif tt == "inline" and item_stack and item_stack[-1].inline is None:
                # only the item's own first paragraph, not a nested item's
                if tokens[j - 1].type == "paragraph_open" and tokens[j - 2].type == "list_item_open":
                    item_stack[-1].inline = t
            j += 1
        return root, j


def _shift(block: Block, n: int) -> None:
    block.start += n
    block.end += n
    block.rows = [(line + n, cells) for line, cells in block.rows]
    for item in walk_items(block.items):
        item.line += n
        item.end += n


_RS_BLOCK_NODES = {
    "paragraph", "bullet_list", "ordered_list", "fence", "code_block", "blockquote", "heading",
    "lheading", "hr", "html_block", "table", "definition", "footnote_definition",
}


class _RsBackend:
    """markdown-it-pyrs: one Rust pass builds the whole tree, inline included.

    Nodes carry byte offsets (``srcmap``); they are turned into line numbers
    with the same line breaks markdown-it-py counts.
    """

    md = None

    def __init__(self, text: str):
        cls = type(self)
        if cls.md is None:
            from markdown_it_pyrs import MarkdownIt as RsMarkdownIt

            cls.md = RsMarkdownIt("commonmark").enable("table")
        self.text = text
        self.data = text.encode("utf-8")
        self.starts = _line_starts(self.data)
        self.base = 0  # byte offset of the chunk being read
        self.py: PyBackend | None = None  # reads the chunks markdown-it.rs panics on

    def blocks(self):
        base = 0
        for line0, chunk in _chunks(self.text):
            self.base = base
            try:
                tree = _without_panic_noise(self.md.tree, chunk)
            except (KeyboardInterrupt, SystemExit):
                raise
            except BaseException:  # noqa: BLE001 - pyo3's PanicException
                # chunks are read alike apart or together, so only this one changes parser
                self.py = PyBackend(chunk)
                for block in self.py.blocks():
                    _shift(block, line0)
                    yield block
            else:
                for node in tree.children:
                    block = self._block(node)
                    if block is not None:
                        yield block
                del tree
            base += len(chunk.encode("utf-8"))

    def _map(self, node) -> tuple[int, int]:
        a, b = node.srcmap or (0, 0)
        return a + self.base, b + self.base

    def _line(self, offset: int) -> int:
        return bisect.bisect_right(self.starts, offset) - 1

    def _span(self, node) -> tuple[int, int]:
        a, b = self._map(node)
        return self._line(a), self._line(max(a, b - 1)) + 1

    def source(self, handle) -> str:
        if handle is None:
            return ""
        if not isinstance(handle, tuple):  # a markdown-it-py token from a fallback chunk
            return self.py.source(handle)  # type: ignore[union-attr]
        a, b = handle[1]
        return self.data[a:b].decode("utf-8", "replace")

    def _block(self, node) -> Block | None:
        name = node.name
        if node.srcmap is None:
            return None
        start, end = self._span(node)
        if name == "heading" or name == "lheading":
            return Block("heading", start, end, level=int(node.meta.get("level", 1)), inline=(node, self._map(node)))
        if name == "paragraph":
            return Block("paragraph", start, end, inline=(node, self._map(node)))
        if name == "bullet_list" or name == "ordered_list":
            return Block("list", start, end, lazy=lambda: [self._item(it) for it in node.children])
        if name == "table":
            block = Block("table", start, end)
            for part in node.children:
                for row in part.children:
                    cells = [(cell, self._map(cell)) for cell in row.children]
                    if part.name == "thead":
                        block.header = cells
                    else:
                        block.rows.append((self._span(row)[0], cells))
            return block
        if name == "html_block":
            return Block("html", start, end, content=str(node.meta.get("content", "")))
        return Block("other", start, end)

    def _item(self, node) -> Item:
        start, end = self._span(node)
        kids = node.children
        handle = None
        if kids:
            first = kids[0]
            if first.name == "paragraph":
                handle = (first, self._map(first))
            elif first.name not in _RS_BLOCK_NODES:
                # a tight item: its inline nodes sit directly under it
                inline = []
                a, stop = self._map(node)
                for k in kids:
                    if k.name in _RS_BLOCK_NODES:
                        stop = self._map(k)[0] if k.srcmap else stop
                        break
                    inline.append(k)
                handle = (inline, (a, stop))
        children = []
        for k in kids:
            if k.name == "bullet_list" or k.name == "ordered_list":
                children.extend(self._item(it) for it in k.children)
        return Item(handle, start, end, children)

    def inline(self, handle) -> Inline:
        if handle is None:
            return Inline("", [])
        if isinstance(handle, Inline):  # read already (an HTML heading's text)
            return handle
        if not isinstance(handle, tuple):  # a markdown-it-py token from a fallback chunk
            return self.py.inline(handle)  # type: ignore[union-attr]
        nodes = handle[0]
        if not isinstance(nodes, list):
            nodes = nodes.children  # a heading, paragraph or cell node
        if len(nodes) == 1 and nodes[0].name == "text":  # most cells and headings
            return Inline(nodes[0].meta.get("content", ""), [])
        out: list[str] = []
        bold: list[tuple[int, int]] = []
        found: list[tuple[int, int, str]] = []

        def walk(nodes, n: int, in_bold: bool) -> int:
            for c in nodes:
                name = c.name
                if name == "text" or name == "text_special":
                    s = c.meta.get("content", "")
                    out.append(s)
                    n += len(s)
                elif name == "softbreak" or name == "hardbreak":
                    out.append("\n")
                    n += 1
                elif name == "html_inline":
                    continue
                elif name == "strong":
                    a = n
                    n = walk(c.children, n, True)
                    if not in_bold:
                        bold.append((a, n))
                elif name == "link" or name == "autolink":
                    a = n
                    n = walk(c.children, n, in_bold)
                    found.append((a, n, str(c.meta.get("url", ""))))
                else:
                    n = walk(c.children, n, in_bold)
            return n

        walk(nodes, 0, False)
        return Inline("".join(out), bold, found)


def _without_panic_noise(call, arg):
    """``call(arg)`` with file descriptor 2 sent to a scratch file.

    A panic in markdown-it.rs (it has one on an unclosed backtick inside
    brackets) is caught and the document read by markdown-it-py instead, but
    Rust's panic hook would first print a backtrace on the user's terminal.
    What lands there during a call that does not panic is written back.
    """
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError, AttributeError):
        return call(arg)
    with tempfile.TemporaryFile() as scratch:
        os.dup2(scratch.fileno(), 2)
        try:
            result = call(arg)
        finally:
            os.dup2(saved, 2)
            os.close(saved)
        scratch.seek(0)
        written = scratch.read()
        if written:
            os.write(2, written)
    return result


def rs_available() -> bool:
    try:
        import markdown_it_pyrs  # noqa: F401
    except ImportError:
        return False
    return True


BACKENDS = {"rs": _RsBackend, "py": PyBackend}


# an HTML block that is one heading element: "<h3>Dec 14, 2023 | Team call</h3>"
_HTML_HEADING = re.compile(r"^\s*<h(?P<n>[1-6])\b[^<>]*>(?P<text>.*?)</h(?P=n)\s*>\s*$", re.I | re.S)
_HTML_TAG = re.compile(r"<[^<>]*>")


def html_heading(block: Block) -> Block | None:
    """The heading an HTML block of one ``<hN>`` element writes, or None."""
    m = _HTML_HEADING.match(block.content) if len(block.content) < 500 else None
    if m is None:
        return None
    text = re.sub(r"\s+", " ", html.unescape(_HTML_TAG.sub(" ", m.group("text")))).strip()
    return Block("heading", block.start, block.end, level=int(m.group("n")), inline=Inline(text, []))
