"""Hostile and unlucky input (issue 11): one case per class of failure, and a
property test that runs the whole sync over generated hostile notes.

Classes: 2 unbounded numbers from outside, 3 the site's limits and headers,
4 serve's temporary folder, 6 secrets in what is stored or printed,
7 one-line errors with documented exit codes.
"""
from __future__ import annotations

import json
import sqlite3

import pytest
import sqlite_utils
from click.testing import CliRunner

from indexer.common import bounds
from indexer.cli import REPO_ROOT, cli

SAMPLE = REPO_ROOT / "data" / "sample" / "recording"
VID = "iHBUxzSC9XE"
HUGE = "9" * 5000  # over Python's 4,300-digit int/str limit
LONG = "9" * 40  # under it, over SQLite's 64-bit integers


def run(*args, **kwargs):
    return CliRunner().invoke(cli, [str(a) for a in args], **kwargs)


def one_line_error(result) -> str:
    """The result failed with exactly one ``Error:`` line and no traceback."""
    assert result.exit_code != 0, result.output
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit), result.exception
    lines = [line for line in result.output.splitlines() if line.strip()]
    errors = [line for line in lines if line.startswith("Error: ")]
    assert len(errors) == 1 and "Traceback" not in result.output, result.output
    return errors[0]


def notes_with_offsets(digits: str) -> str:
    return (
        "# Hostile notes\n\n## Feb 9, 2021\n\n"
        f"Recording: https://www.youtube.com/watch?v={VID}&t={digits}\n\n"
        f"Also https://youtu.be/{VID}?t={digits}h{digits}m and https://youtu.be/{VID}?start={digits}\n"
    )


# ---------------------------------------------------------------------------
# class 2: unbounded numbers from outside


@pytest.mark.parametrize("digits", [LONG, HUGE], ids=["40-digits", "5000-digits"])
def test_class2_absurd_offsets_in_notes_are_dropped_not_fatal(tmp_path, digits):
    notes = tmp_path / "notes.md"
    notes.write_text(notes_with_offsets(digits))
    db_path = tmp_path / "index.db"
    result = run("sync", db_path, notes, "-q")
    assert result.exit_code == 0, result.output
    db = sqlite_utils.Database(db_path)
    assert [r["id"] for r in db["meetings"].rows] == ["2021-02-09"]
    links = list(db["meeting_links"].rows)
    assert links and {link["ref"] for link in links} == {VID}
    assert {link["start_s"] for link in links} == {None}


def test_class2_offsets_within_bounds_still_read():
    from indexer.common.urls import classify_url, parse_offset

    assert parse_offset("1h2m3s") == 3723 and parse_offset("754") == 754
    assert parse_offset(str(bounds.MAX_SECONDS)) == bounds.MAX_SECONDS
    assert parse_offset(str(bounds.MAX_SECONDS + 1)) is None
    assert parse_offset("٣٤") is None  # digits of another script are not an offset
    assert classify_url(f"https://youtu.be/{VID}?t={HUGE}").start_s is None
    assert classify_url(f"https://www.youtube.com/watch?v={VID}#t={LONG}").start_s is None


def test_class2_absurd_offset_in_a_video_description_keeps_the_site_up(tmp_path, site_db, site_app, video_resource):
    from indexer.youtube.harvest import video_row

    db_path = site_db
    db = sqlite_utils.Database(db_path)
    bomb = f"https://www.youtube.com/watch?v={VID}&t={HUGE}"
    # the description as an uploader may write it; the url column too, which no harvester writes so
    resource = video_resource("bomb0000001", "bomb", "2023-01-01T00:00:00Z", description=bomb)
    db["videos"].insert({**video_row(resource), "url": bomb})
    db.conn.close()
    ds = site_app(db_path)
    for path in ("/index/videos", "/index/videos/bomb0000001", "/index/videos?_search=bomb",
                 "/-/search?q=bomb", "/index/latest_recordings.atom"):
        assert ds.get(path).status_code == 200, path


def test_class2_api_numbers_are_bounded():
    from indexer.youtube.chapters import parse_chapters
    from indexer.drive.harvest import file_row
    from indexer.youtube.harvest import duration_seconds, video_row

    row = video_row({
        "id": VID,
        "snippet": {"title": "t" * 100_000, "description": 12345},
        "statistics": {"viewCount": LONG, "likeCount": HUGE, "commentCount": "-3"},
        "contentDetails": {"duration": "P99999999999999D"},
    })
    assert (row["views"], row["likes"], row["comments"], row["duration_s"]) == (None, None, None, None)
    assert len(row["title"]) == bounds.MAX_TITLE_CHARS and row["description"] == "12345"
    assert duration_seconds("PT1H2M3S") == 3723 and duration_seconds("-PT5S") is None
    f = file_row({"id": "f", "size": LONG, "videoMediaMetadata": {"durationMillis": HUGE, "width": "1920"}},
                 None, "f", "root", (None, None))
    assert (f["size"], f["duration_s"], f["width"]) == (None, None, 1920)
    assert parse_chapters("0:00 a\n1:00 b\n99:59:59 c")[-1]["start_s"] == 99 * 3600 + 59 * 60 + 59


def test_class2_api_text_and_times_that_broke_the_feed_and_the_matcher(tmp_path, site_db, site_app, video_resource):
    from indexer.drive.harvest import file_row
    from indexer.youtube.harvest import video_row

    row = video_row({"id": VID, "snippet": {"publishedAt": "0001-01-01T00:00:00Z"},
                     "liveStreamingDetails": {"actualStartTime": "not a time"}})
    assert (row["published_at"], row["recorded_at"]) == (None, None)  # year 1 overflowed in local time
    assert video_row({"id": VID, "snippet": {"publishedAt": "2021-02-10T01:00:00Z"}})["published_at"] == (
        "2021-02-10T01:00:00+00:00")
    assert file_row({"id": "f", "createdTime": "0001-01-01T00:00:00Z", "modifiedTime": "2021-02-09T18:10:00.000Z"},
                    None, "f", "root", (None, None))["created_time"] is None
    db_path = site_db
    db = sqlite_utils.Database(db_path)
    # rows as an older version or another tool may have left them: control characters, a
    # publish time that is no time (video_row would write None)
    db["videos"].insert(video_row(video_resource("ctrl0000001", "", "2030-01-01T00:00:00Z",
                                                 description="a\x00b\x0bc\x19")))
    db["videos"].insert({**video_row(video_resource("ctrl0000002", "t\x01", "2030-01-01T00:00:00Z")),
                         "published_at": "garbage"})
    db["videos"].insert(video_row(video_resource("ctrl0000003", "\x15", "2030-01-02T00:00:00Z")))
    db.conn.close()
    r = site_app(db_path).get("/index/latest_recordings.atom")
    assert r.status_code == 200 and "Untitled video ctrl0000001" in r.text


def test_class2_absurd_cue_times_in_subtitles(seed_db, tmp_path):
    subs = tmp_path / "subs"
    subs.mkdir()
    (subs / f"{VID}.en.vtt").write_text(f"WEBVTT\n\n{LONG}:00:00.000 --> {LONG}:00:01.000\nhello\n")
    result = run("transcripts", seed_db, "--from", subs)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "out of range" in result.output
    (subs / f"{VID}.en.vtt").write_text("WEBVTT\n\n9999:00:00.000 --> 9999:00:01.000\nlater\n\n"
                                        "00:00:01.000 --> 00:00:02.000\nhello\n")
    assert run("transcripts", seed_db, "--from", subs).exit_code == 0
    from indexer.transcripts.parse import parse_subtitles

    assert [c["text"] for c in parse_subtitles((subs / f"{VID}.en.vtt").read_text())] == ["hello"]


def test_class2_overrides_with_absurd_times_and_nesting_are_one_line(seed_db, tmp_path):
    huge = tmp_path / "huge.yml"
    huge.write_text(f"talks:\n  2021-02-09/x:\n    video: {VID}\n    at: '{HUGE}'\n")
    error = one_line_error(run("match", seed_db, "--overrides", huge))
    assert f"{huge}:4: bad time" in error and len(error) < 300
    hours = tmp_path / "hours.yml"
    hours.write_text(f"talks:\n  2021-02-09/x:\n    video: {VID}\n    at: '{LONG}:00:00'\n")
    assert f"{hours}:4: bad time" in one_line_error(run("match", seed_db, "--overrides", hours))
    deep = tmp_path / "deep.yml"
    deep.write_text("talks: " + "[" * 5000 + "]" * 5000 + "\n")
    assert "nested deeper than" in one_line_error(run("match", seed_db, "--overrides", deep))
    indented = tmp_path / "indented.yml"
    indented.write_text("talks:\n" + "".join(" " * i + "a:\n" for i in range(1, 2000)))
    assert "nested deeper than" in one_line_error(run("match", seed_db, "--overrides", indented))


# ---------------------------------------------------------------------------
# class 3: the site's limits and headers


def sql(ds, query: str):
    from urllib.parse import urlencode

    return ds.get("/index.json?" + urlencode({"sql": query, "_shape": "array"}))


@pytest.mark.parametrize("query", [
    "select length(randomblob(1000000000))",
    "select length(zeroblob(2000000000))",
    "select printf('%.*c', 2000000000, 'x')",
    "select format('%2000000000d', 1)",
    "select instr(printf('%.*c', 2000000, 'a'), printf('%.*c', 1000000, 'a') || 'b')",
    "select length(replace(printf('%.*c', 900000, 'a'), 'a', 'aaaa'))",
    "select printf('%.*c', 900000, 'a') like '%' || printf('%.*c', 5000, 'a') || 'b'",
])
def test_class3_one_costly_function_is_refused_not_run(site_db_shared, query, site_app):
    """Every one of these runs seconds to minutes in a single SQLite call, where
    Datasette's time limit cannot stop it; the site refuses them up front."""
    r = sql(site_app(site_db_shared), query)
    assert r.status_code == 400, r.text[:300]
    assert r.json()["error"] in ("string or blob too big", "user-defined function raised exception",
                                 "LIKE or GLOB pattern too complex")


def test_class3_replaced_functions_keep_sqlite_meaning(site_db_shared, site_app):
    r = sql(site_app(site_db_shared), "select printf('%04d-%s|%5.1f|%%', 7, 'a', 3.14159) as p, format('%-3s|', 'ab') as f,"
                          " instr('hello', 'l') as i, instr(x'0102', x'02') as ib, instr(null, 'a') as n,"
                          " replace('abcb', 'b', 'XY') as r, trim('xxhixx', 'x') as t, ltrim('..a.', '.') as lt,"
                          " rtrim('ab..', '.') as rt, trim('  a  ') as t1")
    assert r.status_code == 200, r.text
    assert r.json() == [{"p": "0007-a|  3.1|%", "f": "ab |", "i": 3, "ib": 2, "n": None, "r": "aXYcXY",
                         "t": "hi", "lt": "a.", "rt": "ab", "t1": "a"}]
    # the year facet (printf) still works
    assert site_app(site_db_shared).get("/index/videos?_facet_year=published_at").status_code == 200


@pytest.mark.parametrize("path,method", [("/", "GET"), ("/index/videos", "GET"), ("/index/videos.json", "GET"),
                                         ("/-/meetup-indexer.css", "GET"), ("/nowhere", "GET"),
                                         ("/index/latest_recordings.atom", "GET"), ("/index", "POST")])
def test_class3_security_headers_on_every_response(site_db_shared, path, method, site_app):
    import asyncio

    ds = site_app(site_db_shared)
    r = asyncio.run(ds.client.request(method, path))
    csp = r.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    assert "https://www.youtube-nocookie.com" in csp.split("frame-src", 1)[1].split(";")[0]
    assert "script-src 'self'" in csp
    assert r.headers["x-frame-options"] == "DENY"
    assert r.headers["x-content-type-options"] == "nosniff"
    # Datasette sends no-referrer on some pages (stricter); the player iframe sets its own
    assert r.headers["referrer-policy"] in ("strict-origin-when-cross-origin", "no-referrer")


# ---------------------------------------------------------------------------
# class 4: serve's temporary folder


def test_class4_serve_links_through_a_private_unpredictable_folder(tmp_path, monkeypatch):
    import hashlib
    import os
    import stat
    import tempfile

    from indexer.site import serve as site

    shared = tmp_path / "tmp"
    shared.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(shared))
    ours = tmp_path / "community.db"
    sqlite3.connect(ours).execute("create table meetings(id)").connection.close()
    theirs = tmp_path / "attacker"
    theirs.mkdir()
    # another local user creates every folder name the old scheme could pick
    for name in ("meetup-indexer-" + hashlib.sha1(str(ours.resolve()).encode()).hexdigest()[:12],):
        (shared / name).symlink_to(theirs, target_is_directory=True)
    link = site.served_path(ours)
    assert os.path.realpath(link) == str(ours.resolve())
    assert theirs not in link.parents and not any(theirs.iterdir())
    folder = link.parent
    info = folder.lstat()
    assert stat.S_ISDIR(info.st_mode) and stat.S_IMODE(info.st_mode) == 0o700 and info.st_uid == os.getuid()
    # a folder left by a server that has ended is removed by the next one; a live one stays
    dead = shared / f"{site.LINK_PREFIX}999999999-x"
    dead.mkdir()
    (dead / "index.db").symlink_to(ours)
    site._links.clear()
    again = site.served_path(ours)
    assert again.parent != folder and folder.exists() and not dead.exists()


# ---------------------------------------------------------------------------
# class 6: secrets in what is stored or printed


def all_text(db_path) -> str:
    db = sqlite_utils.Database(db_path)
    return "\n".join(str(row) for table in db.table_names() for row in db[table].rows)


def test_class6_userinfo_in_the_endpoint_reaches_neither_output_nor_database(tmp_path, seed_path, monkeypatch):
    monkeypatch.setenv("MEETUP_INDEXER_BACKOFF", "0.001")
    db_path = tmp_path / "index.db"
    result = run("sync", db_path, seed_path, "--channel", "UCNduEoLOToNo3nFVly-vUTQ", "--api-key", "k3y-value",
                 "--api-endpoint", "http://u5erx:pa55word@127.0.0.1:9/")
    assert result.exit_code != 0
    stored = all_text(db_path)
    assert "failed" in stored
    for secret in ("pa55word", "u5erx:", "k3y-value"):
        assert secret not in result.output and secret not in stored


def test_class6_one_redaction_for_every_form():
    from indexer.common.redact import redact

    assert redact("at http://u:p4ss@h:80/x?key=AIzaSyA1234567890abcdefghij&a=1") == (
        "at http://REDACTED@h:80/x?key=REDACTED&a=1")
    assert redact("Unable to find the server at u:p4ss@127.0.0.1") == "Unable to find the server at REDACTED@127.0.0.1"
    assert redact("https://ghp_token@github.com/x") == "https://REDACTED@github.com/x"
    assert redact("Authorization: Bearer ya29.abc-DEF") == "Authorization: Bearer REDACTED"
    # addresses and paths with "@" are not secrets
    assert redact("mail bob@example.com, see https://h/pkg@1.2") == "mail bob@example.com, see https://h/pkg@1.2"


# ---------------------------------------------------------------------------
# class 7: one line and a documented exit code instead of a traceback

import contextlib  # noqa: E402
import os  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402

from indexer.store.failures import EXIT_DB_UNUSABLE, EXIT_DB_WRITE  # noqa: E402


def integrity(db_path) -> str:
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        return conn.execute("pragma integrity_check").fetchone()[0]
    finally:
        conn.close()


@contextlib.contextmanager
def tmpfs(folder, size: str, readonly: bool = False):
    """A tiny file system at ``folder`` (needs root and mount rights), else None."""
    folder.mkdir(exist_ok=True)
    if os.geteuid() != 0:
        yield None
        return
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)],
                             capture_output=True).returncode == 0
    try:
        yield folder if mounted else None
    finally:
        if mounted:
            subprocess.run(["umount", "-l", str(folder)], capture_output=True)


def sync_in_subprocess(db_path, notes, file_size_limit: int | None = None):
    """`sync` as its own process (a full disk must not take pytest with it)."""
    def limit():  # pragma: no cover - runs in the child
        import resource
        import signal

        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG instead
        resource.setrlimit(resource.RLIMIT_FSIZE, (file_size_limit, file_size_limit))

    return subprocess.run([sys.executable, "-m", "indexer", "sync", str(db_path), str(notes), "-q"],
                          capture_output=True, text=True, timeout=300,
                          preexec_fn=limit if file_size_limit else None)


def one_line_stderr(proc) -> str:
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert "Traceback" not in proc.stderr and len(lines) == 1 and lines[0].startswith("Error: "), proc.stderr
    return lines[0]


def test_class7_full_disk(tmp_path, seed_path):
    with tmpfs(tmp_path / "tiny", "96k") as tiny:
        db_path = (tiny or tmp_path) / "index.db"
        proc = sync_in_subprocess(db_path, seed_path, file_size_limit=None if tiny else 96 * 1024)
    # (re-read after unmounting is impossible: check while mounted)
        assert proc.returncode == EXIT_DB_WRITE, proc.stderr
        assert "the disk" in one_line_stderr(proc) or "size this system allows" in proc.stderr
        if db_path.exists() and db_path.stat().st_size:
            assert integrity(db_path) == "ok"


def test_class7_read_only_database_and_folder(tmp_path, seed_db, seed_path):
    before = seed_db.read_bytes()
    with tmpfs(tmp_path / "ro", "4m") as mnt:
        folder = mnt or tmp_path / "ro"
        db_path = folder / "index.db"
        db_path.write_bytes(before)
        if mnt:
            subprocess.run(["mount", "-o", "remount,ro", str(mnt)], check=True)
        else:
            db_path.chmod(0o444)
            folder.chmod(0o555)
        try:
            error = one_line_error(run("sync", db_path, seed_path, "-q"))
            assert run("sync", db_path, seed_path, "-q").exit_code == EXIT_DB_WRITE
            assert "read-only" in error
            new = one_line_error(run("sync", folder / "new.db", seed_path, "-q"))
            assert run("sync", folder / "new.db", seed_path, "-q").exit_code == EXIT_DB_WRITE, new
            assert db_path.read_bytes() == before
        finally:
            if not mnt:
                folder.chmod(0o755)


def test_class7_corrupt_page(seed_db, seed_path):
    data = bytearray(seed_db.read_bytes())
    page = 4096
    assert len(data) > 5 * page
    data[3 * page: 5 * page] = b"\xff" * (2 * page)
    seed_db.write_bytes(bytes(data))
    result = run("sync", seed_db, seed_path, "-q")
    error = one_line_error(result)
    assert result.exit_code == EXIT_DB_UNUSABLE and "damaged" in error


def test_class7_another_applications_database_is_left_untouched(tmp_path, seed_path):
    db_path = tmp_path / "calendar.db"
    conn = sqlite3.connect(db_path)
    conn.execute("create table meetings (id integer primary key, room text, starts text)")
    conn.execute("insert into meetings values (1, 'A', '09:00')")
    conn.commit()
    conn.close()
    before = db_path.read_bytes()
    for args in (("sync", db_path, seed_path), ("match", db_path), ("report", db_path)):
        result = run(*args)
        assert "another application" in one_line_error(result)
        assert result.exit_code == EXIT_DB_UNUSABLE
    assert db_path.read_bytes() == before
    assert sqlite_utils.Database(db_path).table_names() == ["meetings"]


def test_class7_database_path_under_a_file(tmp_path, seed_path):
    (tmp_path / "afile").write_text("x")
    for path in (tmp_path / "afile" / "index.db", tmp_path / "afile" / "sub" / "index.db"):
        result = run("sync", path, seed_path, "-q")
        assert "is a file, not a folder" in one_line_error(result)
        assert result.exit_code == EXIT_DB_WRITE


def test_class7_quota_budget_zero_names_the_channel(tmp_path, seed_path):
    result = run("sync", tmp_path / "index.db", seed_path, "--replay", SAMPLE, "--quota-budget", "0")
    assert result.exit_code == 0, result.output
    line = next(line for line in result.output.splitlines() if line.startswith("YouTube "))
    assert "None" not in line and "UCNduEoLOToNo3nFVly-vUTQ" in line and "quota budget of 0" in line


# ---------------------------------------------------------------------------
# property: the whole sync over generated hostile notes

import tempfile  # noqa: E402
from pathlib import Path  # noqa: E402

from hypothesis import HealthCheck, Phase, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

# every exit code docs/cli.md documents (0 ok, 1 other, 2-7 API, 8 busy, 9-10 database)
DOCUMENTED_EXIT_CODES = set(range(0, 11))
SCRIPT = '<script>alert("x")</script>'
PASSWORD = "hunter2pw"

_text = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\n\r"), max_size=40)
_digits = st.integers(1, 6000).map(lambda n: "9" * n)
_offset = st.one_of(_digits, st.integers(0, 10**6).map(str), st.sampled_from(["1h2m3s", "-5", "1e9", "٣٤", "", "99h99m"]))
_link = st.builds(
    lambda form, offset: form.format(vid=VID, t=offset, pw=PASSWORD),
    st.sampled_from([
        "https://www.youtube.com/watch?v={vid}&t={t}", "https://youtu.be/{vid}?t={t}",
        "https://youtu.be/{vid}?start={t}", "https://www.youtube.com/watch?v={vid}#t={t}",
        "https://user:{pw}@www.youtube.com/watch?v={vid}&t={t}", "http://u:{pw}@youtu.be/{vid}?t={t}",
        "https://www.youtube.com/watch?v={vid}&key=AIzaSyA{pw}abcdefghijklmnop",
        "https://drive.google.com/file/d/1AbCdEfGhIjKlMnOp/view?t={t}",
    ]),
    _offset,
)
_line = st.one_of(
    _text,
    _link,
    st.builds(lambda t, link: f"* {t} [{SCRIPT}] ({t}, Acme) {link}", _text, _link),
    st.builds(lambda n, t: "  " * n + f"* {t}", st.integers(0, 60), _text),  # deep lists
    st.builds(lambda n: "* Title (A" + " " * n + "x)", st.integers(0, 2000)),
    st.builds(lambda n: "[" * n + "x" + "]" * n + "(" * n, st.integers(0, 300)),
    st.sampled_from([SCRIPT, "### Agenda", "## Backlog Agenda Items", "| a | b |", "| --- | --- |", "```",
                     "[33:40] Talk", "@ 99999999999999999999:05 Talk", "(0:50 in video)", "\x00", "\ufeff"]),
)
_meeting = st.builds(
    lambda date, title, lines: f"## {date:%b} {date.day}, {date.year} {title}\n\n" + "\n".join(lines),
    st.dates(min_value=__import__("datetime").date(2000, 1, 1), max_value=__import__("datetime").date(2099, 12, 31)),
    _text,
    st.lists(_line, max_size=12),
)
_notes = st.builds(lambda meetings: "# Hostile community notes\n\n" + "\n\n".join(meetings),
                   st.lists(_meeting, min_size=1, max_size=4))


# no shrinking: each example is a whole sync, and a failure prints its notes anyway
@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck),
          phases=[Phase.explicit, Phase.reuse, Phase.generate])
@given(notes=_notes)
def test_property_sync_survives_hostile_notes(notes, site_app):
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        path = folder / "notes.md"
        path.write_text(notes, encoding="utf-8")
        db_path = folder / "index.db"
        result = run("sync", db_path, path, "--replay", SAMPLE, "-q")
        assert result.exception is None or isinstance(result.exception, SystemExit), (
            "".join(__import__("traceback").format_exception(result.exception)))
        assert "Traceback" not in result.output
        assert result.exit_code in DOCUMENTED_EXIT_CODES
        if result.exit_code:
            assert sum(line.startswith("Error: ") for line in result.output.splitlines()) == 1, result.output
        if not db_path.exists():
            return
        assert integrity(db_path) == "ok"
        # URLs, commands and errors the site publishes hold no password or key
        # (the notes' own text is published as the author wrote it)
        db = sqlite_utils.Database(db_path)
        for table in db.table_names():
            columns = [c for c in db[table].columns_dict if c in ("url", "command", "error")]
            for row in db.execute(f"select {', '.join(columns)} from [{table}]").fetchall() if columns else []:
                assert not any(PASSWORD in str(value) for value in row), (table, row)
        if result.exit_code == 0:
            ds = site_app(db_path)
            tables = set(sqlite_utils.Database(db_path).table_names())
            for page in (f"/index/{t}" for t in ("meetings", "talks", "meeting_links", "videos") if t in tables):
                r = ds.get(page)
                assert r.status_code == 200, (page, r.text[:300])
                assert SCRIPT not in r.text


# ---------------------------------------------------------------------------
# class 5 (the site's side): a new file renamed over the served one is served
# from the next request, with no restart and no failed request

import shutil  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
import urllib.error  # noqa: E402
import urllib.request  # noqa: E402


def replace_with_more_meetings(db_path, new_ids):
    """What an atomic sync does: build the next state in a new file, rename it into place."""
    building = db_path.with_name(db_path.name + ".building")
    shutil.copyfile(db_path, building)
    db = sqlite_utils.Database(building)
    with db.conn:
        for mid in new_ids:
            db["meetings"].insert({"id": mid, "date": mid, "year": int(mid[:4]), "title": f"Meeting {mid}"})
    db.conn.close()
    os.replace(building, db_path)


def served_while(db_path, change, serving) -> tuple[list[int], set[str]]:
    """Serve ``db_path``, hammer it from three threads while ``change()`` runs, then read
    the meeting dates it serves: (every response's status, dates served after)."""
    pages = ["/index/meetings.json?_shape=array&_size=max", "/index/meetings", "/index/talks",
             "/index/videos?_search=flyte", "/-/search?q=flyte", "/index/latest_recordings.atom"]
    outcomes: list[int] = []
    stop = threading.Event()
    with serving(db_path) as base:

        def hammer():
            i = 0
            while not stop.is_set():
                try:
                    with urllib.request.urlopen(base + pages[i % len(pages)], timeout=30) as r:
                        outcomes.append(r.status)
                except urllib.error.HTTPError as exc:
                    outcomes.append(exc.code)
                except OSError:
                    outcomes.append(-1)
                i += 1

        workers = [threading.Thread(target=hammer) for _ in range(3)]
        for w in workers:
            w.start()
        try:
            change()
            time.sleep(0.5)  # requests after the last change, too
        finally:
            stop.set()
            for w in workers:
                w.join()
        with urllib.request.urlopen(base + pages[0], timeout=30) as r:
            served = {row["date"] for row in json.loads(r.read())}
    return outcomes, served


@pytest.mark.slow
def test_class5_serve_switches_to_a_renamed_file_without_failing_a_request(tmp_path, site_db, serving):
    db_path = site_db.rename(tmp_path / "community.db")
    added = []

    def swaps():
        for n in range(8):
            ids = [f"2030-01-{n + 1:02d}"]
            replace_with_more_meetings(db_path, ids)
            added.extend(ids)
            time.sleep(0.3)

    outcomes, served = served_while(db_path, swaps, serving)
    assert len(outcomes) > 20 and set(outcomes) == {200}, (outcomes.count(200), len(outcomes))
    assert set(added) <= served


@pytest.mark.slow
def test_class5_a_real_sync_into_the_served_file_fails_no_request(tmp_path, seed_path, serving):
    """The issue's own case: `sync` into the very database `serve` serves."""
    notes = tmp_path / "notes.md"
    notes.write_text(seed_path.read_text(encoding="utf-8"), encoding="utf-8")
    db_path = tmp_path / "community.db"
    first = run("sync", db_path, notes, "--replay", SAMPLE)
    assert first.exit_code == 0, first.output

    def sync_with_a_new_meeting():
        with notes.open("a", encoding="utf-8") as f:
            f.write("\n## Jan 5, 2031\n\n### Agenda:\n\n- Served while syncing [Ada - Example]\n")
        synced = subprocess.run([sys.executable, "-m", "indexer", "sync", str(db_path), str(notes),
                                 "--replay", str(SAMPLE), "--quiet"], cwd=REPO_ROOT, capture_output=True,
                                text=True, timeout=300)
        assert synced.returncode == 0, synced.stderr

    outcomes, served = served_while(db_path, sync_with_a_new_meeting, serving)
    assert len(outcomes) > 20 and set(outcomes) == {200}, (outcomes.count(200), len(outcomes))
    assert "2031-01-05" in served and "2021-02-09" in served
    assert sqlite3.connect(db_path).execute("pragma journal_mode").fetchone()[0] != "wal"


# ---------------------------------------------------------------------------
# property: the whole sync over hostile API resources (the emulator serves them)

_api_number = st.one_of(st.none(), _digits, st.integers(-10**30, 10**30).map(str), _text,
                        st.integers(-10**30, 10**30), st.floats(allow_nan=True))
_duration = st.one_of(st.none(), _text, st.sampled_from(["P99999999999999D", "PT99999999999999999999H", "P1Y",
                                                         "-PT5S", "PT1.5S", "PT1H2M3S", "P", "PT"]))
_description = st.lists(st.one_of(_text, _link, st.builds(lambda d, t: f"{d}:00 {t}", _digits, _text),
                                  st.builds(lambda h, t: f"{h}:00:00 {t}", st.integers(0, 99), _text)),
                        max_size=8).map("\n".join)
_hostile_video = st.fixed_dictionaries({
    "title": st.one_of(_text, st.just(SCRIPT), st.integers(0, 20000).map(lambda n: "t" * n)),
    "description": _description,
    "viewCount": _api_number,
    "likeCount": _api_number,
    "duration": _duration,
    "publishedAt": st.one_of(_text, st.sampled_from(["2021-02-10T01:00:00Z", "9999-99-99", "0001-01-01T00:00:00Z"])),
})


@pytest.fixture(scope="module")
def hostile_emulator():
    from meetup_emulator import Emulator, YouTubeData

    with Emulator(youtube=YouTubeData.generate(videos=4, seed=11), api_key="test-key") as emu:
        yield emu


@settings(max_examples=10, deadline=None, suppress_health_check=list(HealthCheck),
          phases=[Phase.explicit, Phase.reuse, Phase.generate])
@given(videos=st.lists(_hostile_video, min_size=1, max_size=4))
def test_property_sync_survives_hostile_api_resources(hostile_emulator, seed_path, videos, site_app):
    emu = hostile_emulator
    channel = next(iter(emu.youtube.channels))
    for vid, fields in zip(list(emu.youtube.videos), videos):
        resource = emu.youtube.videos[vid]  # stored: edits persist
        resource["snippet"]["title"] = fields["title"]
        resource["snippet"]["description"] = fields["description"]
        resource["snippet"]["publishedAt"] = fields["publishedAt"]
        resource.setdefault("statistics", {}).update(viewCount=fields["viewCount"], likeCount=fields["likeCount"])
        resource.setdefault("contentDetails", {})["duration"] = fields["duration"]
        emu.youtube.changed()
    with tempfile.TemporaryDirectory() as folder:
        db_path = Path(folder) / "index.db"
        result = run("sync", db_path, seed_path, "--channel", channel, "--api-key", "test-key",
                     "--api-endpoint", emu.url, "--no-playlists", "-q")
        assert result.exception is None or isinstance(result.exception, SystemExit), (
            "".join(__import__("traceback").format_exception(result.exception)))
        assert "Traceback" not in result.output and result.exit_code in DOCUMENTED_EXIT_CODES, result.output
        assert integrity(db_path) == "ok"
        if result.exit_code == 0:
            ds = site_app(db_path)
            for page in ("/index/videos", "/index/chapters", "/index/videos?_search=t", "/-/search?q=t",
                         "/index/latest_recordings.atom"):
                r = ds.get(page)
                assert r.status_code == 200, (page, r.text[:300])
                assert SCRIPT not in r.text
