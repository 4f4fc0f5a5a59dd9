"""The Rust and Python builds of markdown-it, whole or in chunks, give the same notes."""
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from indexer.notes import markdown as N
from indexer.notes import meeting_to_json, parse_notes

ROOT = Path(__file__).resolve().parent
RS = N.rs_available()
needs_rs = pytest.mark.skipif(not RS, reason="markdown-it-pyrs has no wheel for this Python")
DOCS = [ROOT.parent / "data" / "notes" / "flyte-meetup-notes.md", *sorted((ROOT / "fixtures" / "notes").glob("*.md"))]


def summary(notes):
    return (
        notes.title,
        [meeting_to_json(m) for m in notes.meetings],
        [(m.raw, m.form, m.notes, m.notes_author, [(t.raw, t.notes, t.line) for t in m.talks]) for m in notes.meetings],
        [str(w) for w in notes.warnings],
        [(b.title, b.line) for b in notes.backlog],
        [(s.kind, s.ref, s.line) for s in notes.sources],
    )


@needs_rs
@pytest.mark.parametrize("path", DOCS, ids=lambda p: p.name)
def test_rust_and_python_builds_agree(path):
    text = path.read_text()
    rs, py = parse_notes(text, backend="rs"), parse_notes(text, backend="py")
    assert rs.meetings
    assert summary(rs) == summary(py)


SECTIONS = [
    "## Feb {d}, 2021\n\n### Agenda\n* Talk {d} [Ann - Acme]\n  * **Bob, Beta**\n\n### Notes\nTalk {d} (Presenter: Ann from Acme)\n* point\n",
    "```\n\n# not a heading {d}\n\n```\n",
    "<!--\n\n## Mar {d}, 2021 is inside a comment\n\n-->\n",
    "<details>\n<summary>Apr {d}, 2021</summary>\n\n* Demo [Cy - Co]\n\n</details>\n",
    "| Date | Presenter | Topic |\n| --- | --- | --- |\n| 2022-05-{d:02d} | Dee (Dx) | Tables |\n",
    "* 2023-06-{d:02d}: [Recording](https://youtu.be/aaaaaaaaaaa)\n  * Sub talk [Eve - Ex]\n",
    "~~~~\n\n## Jul {d}, 2021 fenced\n~~~\n\n~~~~\n",
    "<script>\n\n# in a script {d}\n\n</script>\n",
    "> ## Aug {d}, 2021 quoted\n>\n> text\n",
]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.integers(0, len(SECTIONS) - 1), st.integers(1, 28)), max_size=30),
       st.sampled_from(["\n", "\r\n"]))
def test_chunks_are_invisible(monkeypatch_sections, newline):
    text = "# Notes\n\n" + "\n".join(SECTIONS[i].format(d=d) for i, d in monkeypatch_sections)
    text = text.replace("\n", newline)
    whole = {}
    for backend in ("rs", "py") if RS else ("py",):
        N.CHUNK_CHARS = 10**9
        try:
            whole[backend] = summary(parse_notes(text, backend=backend))
            N.CHUNK_CHARS = 40  # cut at every safe heading
            assert summary(parse_notes(text, backend=backend)) == whole[backend]
        finally:
            N.CHUNK_CHARS = 32_000
    assert whole.get("rs", whole["py"]) == whole["py"]


def test_chunks_cut_only_at_safe_headings():
    text = "# A\n\ntext\n\n```\n\n# fenced\n```\n\n## B\n\n<!--\n\n# comment\n-->\n\n## C\n"
    pieces = list(N._chunks(text, size=1))
    assert "".join(p for _, p in pieces) == text
    assert [(line, p.split("\n", 1)[0]) for line, p in pieces] == [(0, "# A"), (9, "## B"), (16, "## C")]
    # reference definitions reach across the document: no cuts at all
    assert len(list(N._chunks(text + "\n[ref]: https://example.com\n", size=1))) == 1


@needs_rs
def test_a_failing_rust_build_falls_back_to_markdown_it_py(monkeypatch):
    class Panic(BaseException):  # like pyo3's PanicException
        pass

    def explode(self):
        raise Panic("rust panicked")
        yield  # pragma: no cover

    text = DOCS[0].read_text()
    expected = summary(parse_notes(text, backend="py"))
    monkeypatch.setattr(N._RsBackend, "blocks", explode)
    assert summary(parse_notes(text)) == expected


def test_lone_surrogates_do_not_break_either_build():
    text = "## Feb 9, 2021\n\n* Talk \ud800 [Ann - Acme]\n"
    notes = parse_notes(text)
    assert [m.id for m in notes.meetings] == ["2021-02-09"]
    assert [(t.title, t.presenters[0].name) for t in notes.meetings[0].talks] == [("Talk \ud800", "Ann")]
    assert not notes.warnings


@needs_rs
def test_markdown_it_rs_panic_input_still_parses():
    # "[`" makes markdown-it.rs 0.4 panic (index out of bounds); found by the property test
    text = "## Feb 9, 2021\n\n* Talk [` [Ann - Acme]\n"
    notes = parse_notes(text)
    assert [m.id for m in notes.meetings] == ["2021-02-09"]
    assert [(t.title, t.presenters[0].name) for t in notes.meetings[0].talks] == [("Talk [`", "Ann")]
    assert not notes.warnings


@needs_rs
def test_a_rust_panic_leaves_no_backtrace_on_stderr(capfd):
    parse_notes("## Feb 9, 2021\n\n* Talk [` [Ann - Acme]\n")
    assert capfd.readouterr().err == ""


@needs_rs
def test_only_the_chunk_rust_panics_on_is_read_by_markdown_it_py(monkeypatch):
    sections = [f"## Feb {d}, 2021\n\n### Agenda\n* Talk {d} [Ann - Acme]\n" for d in range(1, 9)]
    sections[4] = "## Feb 5, 2021\n\n### Agenda\n* Talk [` 5 [Ann - Acme]\n"
    text = "# Notes\n\n" + "\n".join(sections)
    monkeypatch.setattr(N, "CHUNK_CHARS", 40)
    made = []
    real_py = N.PyBackend

    class Spy(real_py):
        def __init__(self, chunk):
            made.append(chunk)
            super().__init__(chunk)

    monkeypatch.setattr(N, "PyBackend", Spy)
    rs = parse_notes(text, backend="rs")
    assert [c.split("\n", 1)[0] for c in made] == ["## Feb 5, 2021"]
    assert [t.title for m in rs.meetings for t in m.talks][3:6] == ["Talk 4", "Talk [` 5", "Talk 6"]
    monkeypatch.setattr(N, "PyBackend", real_py)
    assert summary(rs) == summary(parse_notes(text, backend="py"))
