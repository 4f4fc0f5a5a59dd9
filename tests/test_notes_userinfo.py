"""A password inside a URL in the notes text never reaches the database; the
rest of the text is stored byte for byte as before."""
import sqlite3

from click.testing import CliRunner

from indexer.cli import cli
from indexer.common.redact import redact_userinfo

NOTES = """# Community call notes

## Jan 5, 2024

Recording: https://www.youtube.com/watch?v=dQw4w9WgXcQ

### Agenda
* Parser demo [Ada - Acme]: slides at https://ada:{secret}@files.example.com/slides.pdf
* Tooling update [Bob]

Mirror: https://{user}@git.example.com/repo.git (ask mailto:bob@example.com, or see https://medium.com/@bob/post)
"""


def dump(db_path):
    conn = sqlite3.connect(db_path)
    try:
        return {table: conn.execute(f"select * from [{table}] order by rowid").fetchall()
                for table in ("meetings", "talks", "meeting_links")}
    finally:
        conn.close()


def synced(tmp_path, name, text):
    folder = tmp_path / name
    folder.mkdir()
    (folder / "notes.md").write_text(text, encoding="utf-8")
    res = CliRunner().invoke(cli, ["sync", str(folder / "i.db"), str(folder / "notes.md")], catch_exceptions=False)
    assert res.exit_code == 0, res.stderr
    return folder / "i.db"


def test_userinfo_in_notes_text_is_redacted_and_nothing_else_changes(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    secret = synced(tmp_path, "a", NOTES.format(secret="s3cretpass", user="ghp_tokenAsUser1"))
    clean = synced(tmp_path, "b", NOTES.format(secret="REDACTED", user="REDACTED").replace("ada:REDACTED@", "REDACTED@"))
    everything = "\n".join(sqlite3.connect(secret).iterdump())
    assert "s3cretpass" not in everything and "ghp_tokenAsUser1" not in everything
    got, expected = dump(secret), dump(clean)
    for table in got:
        assert [[v.replace("a/notes.md", "b/notes.md") if isinstance(v, str) else v for v in row]
                for row in got[table]] == [list(row) for row in expected[table]], table
    raw = got["meetings"][0]
    assert any("https://REDACTED@files.example.com/slides.pdf" in str(v) for v in raw)
    assert any("mailto:bob@example.com" in str(v) and "https://medium.com/@bob/post" in str(v) for v in raw)


def test_redact_userinfo_touches_only_userinfo():
    text = "a https://u:p@h.example/x?y=1 b mailto:x@y.z c https://h.example/@me d https://h.example?q=a@b"
    assert redact_userinfo(text) == ("a https://REDACTED@h.example/x?y=1 b mailto:x@y.z c https://h.example/@me "
                                     "d https://h.example?q=a@b")
    assert redact_userinfo(redact_userinfo(text)) == redact_userinfo(text)
    assert redact_userinfo(None) is None and redact_userinfo("") == ""
