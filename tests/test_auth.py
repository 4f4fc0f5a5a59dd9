"""Credentials: keys, token files, service accounts, ADC, and the `auth` loopback flow."""
import json
import os
import re
import stat
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from indexer.google import auth
from meetup_emulator import Emulator, YouTubeData

ROOT = Path(__file__).resolve().parent.parent


YT_SCOPE = "https://www.googleapis.com/auth/youtube.readonly"


@pytest.fixture
def emu():
    with Emulator(youtube=YouTubeData.generate(videos=5, seed=31), api_key="k") as e:
        yield e


def test_key_order_flag_then_file_then_env(tmp_path):
    env = {"GOOGLE_API_KEY": "g-key", "YOUTUBE_API_KEY": "y-key"}
    assert auth.resolve("youtube", api_key="flag-key", env=env).api_key == "flag-key"
    assert auth.resolve("youtube", env=env).api_key == "y-key"
    assert auth.resolve("youtube", env={"GOOGLE_API_KEY": "g-key"}).source == "env:GOOGLE_API_KEY"
    assert auth.resolve("drive", env=env).api_key == "g-key"
    nothing = auth.resolve("youtube", env={"HOME": str(tmp_path)})
    assert not nothing and nothing.source == "none"


def test_service_account_refused_for_youtube_accepted_for_drive(emu, tmp_path):
    sa = tmp_path / "sa.json"
    emu.write_service_account(sa)
    with pytest.raises(auth.AuthError) as exc:
        auth.resolve("youtube", credentials_file=str(sa), env={})
    msg = str(exc.value)
    assert "service accounts no channel" in msg and "--api-key" in msg and "\n" not in msg
    creds = auth.resolve("drive", credentials_file=str(sa), env={}).credentials
    assert creds.service_account_email.endswith("iam.gserviceaccount.com")
    # the same through Application Default Credentials
    with pytest.raises(auth.AuthError, match="service accounts no channel"):
        auth.resolve("youtube", env={"GOOGLE_APPLICATION_CREDENTIALS": str(sa)})


def test_files_that_are_not_tokens(tmp_path):
    client = tmp_path / "client.json"
    client.write_text(json.dumps({"installed": {"client_id": "x", "client_secret": "y"}}))
    with pytest.raises(auth.AuthError, match="OAuth client file, not a token: run `meetup-indexer auth"):
        auth.resolve("youtube", credentials_file=str(client), env={})
    junk = tmp_path / "junk.json"
    junk.write_text("not json")
    with pytest.raises(auth.AuthError, match="not JSON"):
        auth.resolve("youtube", credentials_file=str(junk), env={})
    with pytest.raises(auth.AuthError, match="not found"):
        auth.resolve("youtube", credentials_file=str(tmp_path / "missing.json"), env={})


def test_saved_token_is_refreshed_and_saved_back_0600(emu, tmp_path):
    token = tmp_path / "t.token.json"
    info = emu.write_user_token(token, [YT_SCOPE])
    os.chmod(token, 0o644)
    creds = auth.resolve("youtube", credentials_file=str(token), env={}, api_endpoint=emu.url).credentials
    assert creds.valid and creds.token.startswith("ya29.")
    saved = json.loads(token.read_text())
    assert saved["token"] == creds.token and saved["refresh_token"] == info["refresh_token"]
    assert stat.S_IMODE(token.stat().st_mode) == 0o600
    assert emu.oauth.lookup(creds.token) is not None
    # a token whose token_uri is not the endpoint in use is only ever refreshed at Google
    other = auth.resolve("youtube", credentials_file=str(token), env={}, api_endpoint="http://127.0.0.1:1")
    assert other.credentials._token_uri == "https://oauth2.googleapis.com/token"


def test_revoked_token_gives_one_line(emu, tmp_path):
    token = tmp_path / "t.token.json"
    info = emu.write_user_token(token, [YT_SCOPE])
    info["refresh_token"] = "1//revoked"
    token.write_text(json.dumps(info))
    with pytest.raises(auth.AuthError) as exc:
        auth.resolve("youtube", credentials_file=str(token), env={}, api_endpoint=emu.url)
    assert "could not be refreshed" in str(exc.value) and "meetup-indexer auth" in str(exc.value)
    assert "1//revoked" not in str(exc.value)


def test_auth_command_loopback_flow_saves_a_usable_token(emu, tmp_path, clean_env):
    secrets_file = tmp_path / "client_secret.json"
    secrets_file.write_text(json.dumps({"installed": {
        "client_id": "cid.apps.googleusercontent.com", "client_secret": "csecret-123456",
        "auth_uri": emu.url + "/o/oauth2/auth", "token_uri": emu.token_uri,
        "redirect_uris": ["http://localhost"]}}))
    token = tmp_path / "me.token.json"
    proc = subprocess.Popen(
        [sys.executable, "-m", "indexer", "auth", "--client-secrets", str(secrets_file), "--token", str(token),
         "--no-browser", "--scope", "youtube"],
        cwd=ROOT, env=clean_env(OAUTHLIB_INSECURE_TRANSPORT="1"),  # the emulator's token endpoint is plain http
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    line = proc.stdout.readline()
    url = re.search(r"(http://\S+)", line).group(1)
    assert "redirect_uri=http%3A%2F%2Flocalhost%3A" in url and "youtube.readonly" in url
    # play the browser: the consent page redirects to the loopback server with a code
    with urllib.request.urlopen(url, timeout=10) as resp:
        assert resp.status == 200
    out, err = proc.communicate(timeout=20)
    assert proc.returncode == 0, err
    assert "Token saved to" in err and "csecret-123456" not in out + err
    saved = json.loads(token.read_text())
    assert saved["refresh_token"].startswith("1//emu-")
    assert stat.S_IMODE(token.stat().st_mode) == 0o600


def test_auth_command_errors(tmp_path):
    from click.testing import CliRunner

    from indexer.cli import cli

    res = CliRunner().invoke(cli, ["auth", "--client-secrets", str(tmp_path / "nope.json")])
    assert res.exit_code == 3 and res.stderr.strip() == f"Error: OAuth client file not found: {tmp_path / 'nope.json'}"


def test_abandoned_browser_flow_times_out_with_one_line(emu, tmp_path, monkeypatch):
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")  # the emulator's endpoints are plain http
    secrets_file = tmp_path / "client_secret.json"
    secrets_file.write_text(json.dumps({"installed": {
        "client_id": "cid", "client_secret": "cs", "auth_uri": emu.url + "/o/oauth2/auth",
        "token_uri": emu.token_uri, "redirect_uris": ["http://localhost"]}}))
    with pytest.raises(auth.AuthError, match=r"no answer from the browser within 1s"):
        auth.run_installed_app_flow(str(secrets_file), str(tmp_path / "t.json"), [YT_SCOPE], open_browser=False,
                                    timeout=1)
    assert not (tmp_path / "t.json").exists()
