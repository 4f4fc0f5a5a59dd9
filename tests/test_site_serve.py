"""`meetup-indexer serve`: read-only, time-limited, stable database name, options passed through."""
import hashlib
import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest
import sqlite_utils
from click.testing import CliRunner

from indexer.cli import REPO_ROOT, cli
from indexer.site.serve import datasette_args, served_path


def test_missing_database_is_one_line_error(tmp_path):
    result = CliRunner().invoke(cli, ["serve", str(tmp_path / "nope.db")])
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        f"Error: database not found: {tmp_path / 'nope.db'} (run `meetup-indexer sync` first)"
    ]


def test_not_a_database_is_one_line_error(tmp_path):
    bogus = tmp_path / "notes.db"
    bogus.write_text("# Feb 9, 2021\nnot sqlite\n" * 100)
    result = CliRunner().invoke(cli, ["serve", str(bogus)])
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [f"Error: not a SQLite database: {bogus}"]


def test_datasette_arguments(tmp_path, seed_db):
    db_path = seed_db
    other = db_path.rename(tmp_path / "community.db")
    args = datasette_args(other, REPO_ROOT / "metadata.yml", port=9999, extra=["--setting", "max_returned_rows", "7"])
    served = args[args.index("-i") + 1]
    # opened immutable, under the name the metadata describes, pointing at the real file
    assert os.path.basename(served) == "index.db"
    assert os.path.realpath(served) == str(other.resolve())
    assert args[args.index("sql_time_limit_ms") + 1] == "1000"
    assert args[-3:] == ["--setting", "max_returned_rows", "7"]
    assert served_path(other) == served_path(other)  # the same link is reused
    assert served_path(db_path.parent / "community.db").is_symlink()


def get_json(url):
    with urllib.request.urlopen(url, timeout=5) as r:
        return json.loads(r.read())


@pytest.mark.slow
def test_serve_is_read_only_and_passes_options(tmp_path, site_db, free_port):
    db_path = site_db.rename(tmp_path / "community.db")
    before = hashlib.sha256(db_path.read_bytes()).hexdigest()
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "indexer", "serve", str(db_path), "--port", str(port),
         "--sql-time-limit-ms", "250", "--setting", "max_returned_rows", "7"],
        cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                databases = get_json(base + "/-/databases.json")
                break
            except OSError:
                assert proc.poll() is None and time.monotonic() < deadline, proc.stdout.read()
                time.sleep(0.2)
        assert [(d["name"], d["is_mutable"]) for d in databases] == [("index", False)]
        settings = get_json(base + "/-/settings.json")
        assert (settings["sql_time_limit_ms"], settings["max_returned_rows"]) == (250, 7)
        assert settings["suggest_facets"] is False
        # a query that runs too long is stopped
        slow = "with recursive n(i) as (select 1 union all select i + 1 from n) select count(*) from n"
        with pytest.raises(urllib.error.HTTPError) as err:
            urllib.request.urlopen(base + "/index.json?sql=" + urllib.request.quote(slow), timeout=10)
        assert err.value.code == 400
        assert "interrupted" in err.value.read().decode().lower()
        # nothing writes: SQL that modifies is refused, and the file is unchanged
        with pytest.raises(urllib.error.HTTPError) as err:
            urllib.request.urlopen(base + "/index.json?sql=" + urllib.request.quote("delete from talks"), timeout=5)
        assert err.value.code == 400
        with pytest.raises(urllib.error.HTTPError) as err:
            urllib.request.urlopen(urllib.request.Request(base + "/index/find_a_talk", data=b"words=x"), timeout=5)
        assert err.value.code == 405
        assert get_json(base + "/index/meetings_calendar.json?_shape=array")[0]["event_uid"].startswith("2021-02-09")
    finally:
        proc.terminate()
        out, _ = proc.communicate(timeout=10)
    assert out.splitlines()[0] == f"Serving {db_path} at http://127.0.0.1:{port}/"
    assert hashlib.sha256(db_path.read_bytes()).hexdigest() == before


def test_serve_on_a_busy_port_is_one_line(tmp_path):
    from indexer.cli import cli

    db = tmp_path / "index.db"
    sqlite_utils.Database(db)["t"].insert({"a": 1})
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        r = CliRunner().invoke(cli, ["serve", str(db), "--port", str(port)])
    assert r.exit_code == 1
    assert r.output == f"Error: cannot serve on 127.0.0.1:{port}: already in use (pick another with --port)\n"
    r = CliRunner().invoke(cli, ["serve", str(db), "--port", "99999"])
    assert r.exit_code == 2 and "99999" in r.output and "datasette" not in r.output
