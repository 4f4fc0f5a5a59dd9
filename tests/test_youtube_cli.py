"""`meetup-indexer sync` with YouTube: every user-facing error, faults, SIGKILL, secrets."""
import json
import os
import socket
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from meetup_emulator import Emulator, YouTubeData
from indexer.google.client import EXIT_AUTH, EXIT_FORBIDDEN, EXIT_NETWORK, EXIT_NOT_FOUND, EXIT_QUOTA

ROOT = Path(__file__).resolve().parent.parent


def one_error_line(res) -> str:
    lines = [l for l in res.stderr.splitlines() if l.startswith("Error:")]
    assert len(lines) == 1, res.stderr
    return lines[0]


@pytest.fixture
def emu(flyte_channel, api_key):
    with Emulator(youtube=YouTubeData.generate(videos=60, seed=11, channel_id=flyte_channel), api_key=api_key) as e:
        yield e


def test_bad_key(emu, tmp_path, sync):
    res = sync(tmp_path / "i.db", "--api-key", "wrong-key-123456", "--api-endpoint", emu.url)
    assert res.exit_code == EXIT_AUTH
    line = one_error_line(res)
    assert "rejected the API key (keyInvalid)" in line
    assert "wrong-key-123456" not in res.output + res.stderr
    # one call, never retried
    assert emu.stats()["calls"] == {"youtube.channels.list": 1}
    # the notes were still loaded in their own transaction; the failed run is recorded without the key
    db = sqlite3.connect(tmp_path / "i.db")
    assert db.execute("select count(*) from meetings").fetchone()[0] >= 1
    status, error = db.execute("select status, error from sync_runs order by id desc").fetchone()
    assert status == "failed" and "keyInvalid" in error and "wrong-key" not in error


def test_unknown_channel(emu, tmp_path, sync, api_key):
    res = sync(tmp_path / "i.db", "--api-key", api_key, "--api-endpoint", emu.url,
               "--channel", "UCxxxxxxxxxxxxxxxxxxxxxx")
    assert res.exit_code == EXIT_NOT_FOUND
    assert one_error_line(res) == "Error: YouTube has no channel UCxxxxxxxxxxxxxxxxxxxxxx (check the id or @handle)"
    res = sync(tmp_path / "i.db", "--api-key", api_key, "--api-endpoint", emu.url, "--channel", "@nobody-here")
    assert res.exit_code == EXIT_NOT_FOUND and "@nobody-here" in one_error_line(res)


def test_custom_url_is_refused_with_a_hint(emu, tmp_path, sync, api_key):
    res = sync(tmp_path / "i.db", "--api-key", api_key, "--api-endpoint", emu.url,
               "--channel", "https://www.youtube.com/c/FlyteOrg")
    assert res.exit_code == 2
    assert "custom URLs have no API lookup: pass the channel's @handle or UC... id" in one_error_line(res)
    assert emu.stats()["calls"] == {}


def test_quota_exhausted_says_when_it_resets(tmp_path, flyte_channel, clean_env, sync, api_key):
    data = YouTubeData.generate(videos=200, seed=12, channel_id=flyte_channel)
    with Emulator(youtube=data, api_key=api_key, quota_limit=4) as e:
        res = sync(tmp_path / "i.db", "--api-key", api_key, "--api-endpoint", e.url,
                   env=clean_env(TZ="Europe/Paris"))
        stats = e.stats()
    assert res.exit_code == EXIT_QUOTA
    line = one_error_line(res)
    assert "quota exhausted (quotaExceeded)" in line
    import re
    assert re.search(r"resets at midnight Pacific \(\d\d:\d\d your time\)$", line)
    assert stats["quota_units"] == 4
    # refused calls are not retried: at most one per call in flight (the listing and 4 workers)
    assert sum(n for k, n in stats["errors"].items() if "quotaExceeded" in k) <= 5
    # pages fetched before the quota ran out are kept
    db = sqlite3.connect(tmp_path / "i.db")
    assert db.execute("select count(*) from videos").fetchone()[0] == 50 * stats["calls"]["youtube.videos.list"] - 50 * sum(
        n for k, n in stats["errors"].items() if k.startswith("youtube.videos.list") and "quotaExceeded" in k)


def test_quota_budget_stops_cleanly(emu, tmp_path, sync, api_key):
    res = sync(tmp_path / "i.db", "--api-key", api_key, "--api-endpoint", emu.url, "--quota-budget", "2")
    assert res.exit_code == 0, res.stderr
    assert "stopped early: quota budget of 2 units reached" in res.stderr
    assert emu.stats()["quota_units"] == 2
    run = sqlite3.connect(tmp_path / "i.db").execute("select quota_units, calls, counts from sync_runs").fetchone()
    assert run[0] == 2 and json.loads(run[1]) == {"youtube.channels.list": 1, "youtube.playlistItems.list": 1}


def test_forbidden(emu, tmp_path, sync, api_key):
    rec = tmp_path / "rec"
    assert sync(tmp_path / "a.db", "--api-key", api_key, "--api-endpoint", emu.url, "--record", rec).exit_code == 0
    channel_file = next(p for p in rec.glob("youtube-v3-channels.*.json"))
    record = json.loads(channel_file.read_text())
    record.update(status=403, body={"error": {"code": 403, "message": "The caller does not have permission",
                                              "errors": [{"reason": "forbidden", "domain": "youtube.channel"}]}})
    channel_file.write_text(json.dumps(record))
    res = sync(tmp_path / "b.db", "--replay", rec)
    assert res.exit_code == EXIT_FORBIDDEN
    assert one_error_line(res) == "Error: YouTube API access forbidden (forbidden): The caller does not have permission"


def test_network_down(tmp_path, sync, api_key):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()  # nothing listens there now
    res = sync(tmp_path / "i.db", "--api-key", api_key, "--api-endpoint", f"http://127.0.0.1:{port}")
    assert res.exit_code == EXIT_NETWORK
    line = one_error_line(res)
    assert line.startswith("Error: cannot reach the YouTube API at 127.0.0.1") and "network down" in line
    assert api_key not in res.stderr


def test_service_account_is_refused_for_youtube(emu, tmp_path, sync):
    sa = tmp_path / "sa.json"
    emu.write_service_account(sa)
    res = sync(tmp_path / "i.db", "--credentials", sa, "--api-endpoint", emu.url)
    assert res.exit_code == EXIT_AUTH
    line = one_error_line(res)
    assert "service accounts no channel" in line and "API key" in line
    assert emu.stats()["calls"] == {}


def test_replay_of_a_missing_recording(tmp_path, sync):
    res = sync(tmp_path / "i.db", "--replay", tmp_path / "nothing")
    assert res.exit_code == 1
    assert one_error_line(res) == f"Error: no recording found at {tmp_path / 'nothing'}"


def test_faults_leave_the_same_database_as_a_clean_run(tmp_path, flyte_channel, dump, sync, api_key):
    clean = YouTubeData.generate(videos=400, seed=13, channel_id=flyte_channel)
    flaky = YouTubeData.generate(videos=400, seed=13, channel_id=flyte_channel)
    with Emulator(youtube=clean, api_key=api_key) as e:
        assert sync(tmp_path / "clean.db", "--api-key", api_key, "--api-endpoint", e.url).exit_code == 0
    with Emulator(youtube=flaky, api_key=api_key, fault_rate=0.2, fault_seed=5) as e:
        res = sync(tmp_path / "flaky.db", "--api-key", api_key, "--api-endpoint", e.url)
        stats = e.stats()
    assert res.exit_code == 0, res.stderr
    assert stats["faults"] >= 5  # the faults happened and were retried
    assert dump(tmp_path / "flaky.db") == dump(tmp_path / "clean.db")
    assert len(dump(tmp_path / "clean.db")["videos"]) > 300


@pytest.mark.slow
def test_sigkill_mid_harvest_then_rerun_converges(tmp_path, flyte_channel, youtube_notes, dump, kill_sync_when, sync_process, api_key):
    data = YouTubeData.generate(videos=3000, seed=14, channel_id=flyte_channel)
    with Emulator(youtube=data, api_key=api_key) as e:
        args = ["--api-key", api_key, "--api-endpoint", e.url, "--quiet"]
        assert sync_process(tmp_path / "whole.db", *args).returncode == 0
        killed = tmp_path / "killed.db"
        assert kill_sync_when(killed, [youtube_notes, *args], "videos", rows=400)
        partial = sqlite3.connect(killed).execute("select count(*) from videos").fetchone()[0]
        total = len(data.uploads(flyte_channel))
        assert 0 < partial < total  # killed mid-harvest, pages so far kept
        res = sync_process(killed, *args)
        assert res.returncode == 0, res.stderr
    assert dump(killed) == dump(tmp_path / "whole.db")
    assert len(dump(killed)["videos"]) == total


def test_no_secret_in_database_recordings_or_logs(tmp_path, flyte_channel, clean_env, sync_process, api_key):
    data = YouTubeData.generate(videos=120, seed=15, channel_id=flyte_channel)
    with Emulator(youtube=data, api_key=api_key, fault_rate=0.1, fault_seed=2) as e:
        rec = tmp_path / "rec"
        token = tmp_path / "user.token.json"
        info = e.write_user_token(token, ["https://www.googleapis.com/auth/youtube.readonly"])
        outputs = []
        for args in (
            ["--api-key", api_key, "--record", rec],
            ["--credentials", token, "--record", tmp_path / "rec2", "--full"],
            ["--api-key", api_key + "x"],  # a bad key, reported
        ):
            r = sync_process(tmp_path / "i.db", "--api-endpoint", e.url, *args,
                             env=clean_env(OAUTHLIB_INSECURE_TRANSPORT="1"))
            outputs.append(r.stdout + r.stderr)
        secrets = [api_key, info["refresh_token"], info["client_secret"], json.loads(token.read_text())["token"]]
    assert all(s and len(s) > 8 for s in secrets)
    assert "Error:" in outputs[2] and all("Error" not in o for o in outputs[:2]), outputs
    files = [tmp_path / "i.db", *rec.rglob("*"), *(tmp_path / "rec2").rglob("*")]
    assert len(files) > 10
    for secret in secrets:
        for o in outputs:
            assert secret not in o
        for f in files:
            if f.is_file():
                assert secret.encode() not in f.read_bytes(), f
    # the user token was used (and refreshed) rather than a key
    recorded = [json.loads(p.read_text())["request"] for p in (tmp_path / "rec2").glob("*.json")]
    assert recorded and not any("key=" in r for r in recorded)


def _run_in_pty(args, env):
    import fcntl
    import pty
    import struct
    import termios

    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 0, 0))  # a terminal 100 columns wide
    proc = subprocess.Popen([sys.executable, "-m", "indexer", "sync", *map(str, args)], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=slave)
    os.close(slave)
    out = b""
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        out += chunk
    proc.wait()
    os.close(master)
    return proc.returncode, out.decode("utf-8", "replace")


def test_progress_bar_only_on_a_terminal_and_not_with_quiet(tmp_path, flyte_channel, youtube_notes, clean_env, sync_process, api_key):
    data = YouTubeData.generate(videos=300, seed=16, channel_id=flyte_channel)
    with Emulator(youtube=data, api_key=api_key) as e:
        args = [tmp_path / "i.db", youtube_notes, "--api-key", api_key, "--api-endpoint", e.url]
        code, out = _run_in_pty(args, clean_env())
        assert code == 0, out
        assert "YouTube:" in out and "video/s" in out and "\r" in out  # the bar, redrawn in place
        summary = [l for l in out.splitlines() if l.startswith("YouTube UC")]
        n = len(data.uploads(flyte_channel))
        assert len(summary) == 1 and f": {n} new, 0 updated, 0 removed" in summary[0] and "quota units in" in summary[0]
        code, quiet = _run_in_pty([*args, "--quiet"], clean_env())
        assert code == 0 and "video/s" not in quiet and "quota units" not in quiet
        piped = sync_process(*args[:1], *args[2:])
        assert piped.returncode == 0 and "video/s" not in piped.stderr and "quota units" in piped.stderr


def test_token_revoked_mid_run_gives_one_line(tmp_path, flyte_channel, sync, api_key):
    data = YouTubeData.generate(videos=60, seed=17, channel_id=flyte_channel)
    with Emulator(youtube=data, api_key=api_key) as e:
        token = tmp_path / "u.token.json"
        e.write_user_token(token, ["https://www.googleapis.com/auth/youtube.readonly"])
        ok = sync(tmp_path / "i.db", "--credentials", token, "--api-endpoint", e.url)
        assert ok.exit_code == 0, ok.stderr
        # the saved access token is now stale and the refresh token revoked
        e.oauth.expire_all()
        e.oauth.refresh_tokens.clear()
        saved = json.loads(token.read_text())
        saved["expiry"] = "2099-01-01T00:00:00Z"  # looks valid: the 401 comes mid-run
        token.write_text(json.dumps(saved))
        res = sync(tmp_path / "i.db", "--credentials", token, "--api-endpoint", e.url)
    assert res.exit_code == EXIT_AUTH
    line = one_error_line(res)
    assert "could not be refreshed" in line and "meetup-indexer auth" in line
    assert saved["refresh_token"] not in res.stderr and saved["token"] not in res.stderr
