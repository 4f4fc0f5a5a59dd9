"""`meetup-indexer emulator` as a user runs it: a real process, its banner, its errors."""
import json
import os
import signal
import stat
import subprocess
import sys
import urllib.request

import pytest
from click.testing import CliRunner
from googleapiclient.discovery import build

from indexer.cli import cli

pytestmark = pytest.mark.slow


def start(*args):
    proc = subprocess.Popen([sys.executable, "-m", "indexer", "emulator", "--port", "0", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    banner = {}
    for line in proc.stdout:
        if line.startswith("  "):
            continue
        key, _, value = line.strip().partition(": ")
        banner[key] = value
        if key == "stats":
            break
    else:
        proc.kill()
        raise AssertionError(proc.stderr.read())
    return proc, banner


def stop(proc, sig=signal.SIGTERM):
    proc.send_signal(sig)
    assert proc.wait(timeout=10) == 0


def test_generated_channel_and_tree(tmp_path):
    sa = tmp_path / "sa.json"
    proc, banner = start("--videos", "60", "--seed", "3", "--channel-id", "UCclichannelclichannel01",
                         "--files", "40", "--folders", "6", "--root-folder-id", "1clirootclirootclirootclirootclir",
                         "--api-key", "cli-key", "--write-service-account", str(sa))
    try:
        assert banner["channel_id"] == "UCclichannelclichannel01"
        assert banner["root_folder_id"] == "1clirootclirootclirootclirootclir"
        url = banner["url"]
        assert stat.S_IMODE(os.stat(sa).st_mode) == 0o600
        info = json.loads(sa.read_text())
        assert info["token_uri"] == url + "/token" and "TEST KEY" in info["_comment"]
        yt = build("youtube", "v3", static_discovery=True, developerKey="cli-key", client_options={"api_endpoint": url})
        r = yt.playlistItems().list(part="id", playlistId="UUclichannelclichannel01", maxResults=50).execute()
        assert r["pageInfo"]["totalResults"] > 40
        dr = build("drive", "v3", static_discovery=True, developerKey="cli-key",
                   client_options={"api_endpoint": url + "/drive/v3/"})
        kids = dr.files().list(q="'1clirootclirootclirootclirootclir' in parents").execute()["files"]
        assert kids
        stats = json.load(urllib.request.urlopen(url + "/emulator/stats"))
        assert stats["calls"] == {"youtube.playlistItems.list": 1, "drive.files.list": 1}
        assert "cli-key" not in json.dumps(banner)  # the key is never printed
    finally:
        stop(proc)


def test_serves_a_data_folder(tmp_path):
    (tmp_path / "videos.json").write_text(json.dumps([{
        "kind": "youtube#video", "id": "iHBUxzSC9XE",
        "snippet": {"publishedAt": "2021-02-09T18:00:00Z", "channelId": "UCdatadatadatadatadata01", "title": "Sync"},
        "status": {"privacyStatus": "public"}}]))
    (tmp_path / "channels.json").write_text(json.dumps([{"kind": "youtube#channel", "id": "UCdatadatadatadatadata01",
                                                         "snippet": {"title": "Data", "customUrl": "@data"}}]))
    proc, banner = start("--data", str(tmp_path))
    try:
        assert banner["channel_id"] == "UCdatadatadatadatadata01" and "root_folder_id" not in banner
        yt = build("youtube", "v3", static_discovery=True, developerKey="any",
                   client_options={"api_endpoint": banner["url"]})
        r = yt.playlistItems().list(part="contentDetails", playlistId="UUdatadatadatadatadata01").execute()
        assert [i["contentDetails"]["videoId"] for i in r["items"]] == ["iHBUxzSC9XE"]
    finally:
        stop(proc, signal.SIGINT)


@pytest.mark.parametrize("args, message", [
    (["--data", "/no/such/dir"], "not a folder"),
    (["--fault-rate", "2"], "fault-rate"),
])
def test_user_errors_are_one_line(args, message, tmp_path):
    result = CliRunner().invoke(cli, ["emulator", "--port", "0", *args])
    assert result.exit_code != 0
    assert message in result.output


def test_empty_data_folder_and_busy_port(tmp_path):
    result = CliRunner().invoke(cli, ["emulator", "--data", str(tmp_path)])
    assert result.exit_code == 1 and result.output.startswith("Error: ") and result.output.count("\n") == 1
    import socket

    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen()
    try:
        result = CliRunner().invoke(cli, ["emulator", "--port", str(s.getsockname()[1])])
        assert result.exit_code == 1 and "address already in use" in result.output
    finally:
        s.close()


def test_dump_writes_a_data_folder_the_emulator_serves(tmp_path):
    out = tmp_path / "data"
    result = CliRunner().invoke(cli, ["emulator", "--videos", "30", "--seed", "2", "--files", "25", "--folders", "4",
                                      "--channel-id", "UCdumpdumpdumpdumpdump01", "--dump", str(out)])
    assert result.exit_code == 0, result.output
    assert {p.name for p in out.iterdir()} >= {"channels.json", "playlists.json", "playlist_items.json",
                                                "videos.json", "drive_files.json"}
    proc, banner = start("--data", str(out))
    try:
        assert banner["channel_id"] == "UCdumpdumpdumpdumpdump01" and banner["root_folder_id"]
    finally:
        stop(proc)


def test_without_the_emulator_extra_the_command_says_how_to_get_it(monkeypatch):
    from click.testing import CliRunner

    from indexer.cli import cli

    monkeypatch.setitem(sys.modules, "meetup_emulator", None)  # as if the package were not installed
    res = CliRunner().invoke(cli, ["emulator", "--port", "0"])
    assert res.exit_code == 1
    assert res.output.count("\n") == 1 and "pip install 'meetup-indexer[emulator]'" in res.output
