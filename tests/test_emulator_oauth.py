"""The emulator's token endpoint with google-auth's real flows."""
import json
import os
import stat
import time
import urllib.parse
import urllib.request

import google.auth.transport.requests
import pytest
from google.auth import exceptions
from google.oauth2 import credentials as user_credentials
from google.oauth2 import service_account
from googleapiclient.discovery import build
from googleapiclient.errors import HttpError

from meetup_emulator import DriveData, Emulator, YouTubeData

DRIVE = ["https://www.googleapis.com/auth/drive.readonly"]
YT = ["https://www.googleapis.com/auth/youtube.readonly"]


@pytest.fixture
def emu():
    with Emulator(youtube=YouTubeData.generate(videos=30, seed=1), drive=DriveData.generate(folders=3, files=20, seed=1),
                  api_key="k") as e:
        yield e


def user_creds(info):
    # google-auth's from_authorized_user_info always resets token_uri to Google's;
    # a token file pointing at the emulator needs it put back
    return user_credentials.Credentials.from_authorized_user_info(info).with_token_uri(info["token_uri"])


def test_service_account_jwt_grant(emu, tmp_path):
    path = tmp_path / "sa.json"
    info = emu.write_service_account(path)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert "TEST KEY" in info["_comment"] and info["token_uri"] == emu.url + "/token"
    creds = service_account.Credentials.from_service_account_file(str(path), scopes=DRIVE)
    creds.refresh(google.auth.transport.requests.Request())
    assert creds.token.startswith("ya29.") and creds.valid
    dr = build("drive", "v3", static_discovery=True, credentials=creds,
               client_options={"api_endpoint": emu.url + "/drive/v3/"})
    assert dr.changes().getStartPageToken().execute()["startPageToken"].isdigit()
    # YouTube gives service accounts no channel
    yt = build("youtube", "v3", static_discovery=True, credentials=creds, client_options={"api_endpoint": emu.url})
    with pytest.raises(HttpError) as e:
        yt.channels().list(part="id", id=next(iter(emu.youtube.channels))).execute()
    assert e.value.resp.status == 401
    assert json.loads(e.value.content)["error"]["errors"][0]["reason"] == "youtubeSignupRequired"


def test_jwt_signed_by_another_key_is_refused(emu):
    with Emulator(api_key="k") as other:
        foreign = other.service_account_info()
    foreign["token_uri"] = emu.token_uri
    emu.service_account_info()  # the emulator has its own key pair
    creds = service_account.Credentials.from_service_account_info(foreign, scopes=DRIVE)
    with pytest.raises(exceptions.RefreshError) as e:
        creds.refresh(google.auth.transport.requests.Request())
    assert "invalid_grant" in str(e.value)


def test_refresh_token_grant_and_refresh_on_expiry(emu, tmp_path):
    info = emu.write_user_token(tmp_path / "token.json", scopes=YT)
    creds = user_creds(info)
    yt = build("youtube", "v3", static_discovery=True, credentials=creds, client_options={"api_endpoint": emu.url})
    cid = next(iter(emu.youtube.channels))
    assert yt.channels().list(part="id", id=cid).execute()["items"][0]["id"] == cid
    first = creds.token
    emu.oauth.expire_all()  # the server forgets the token: google-auth refreshes on 401 and retries
    assert yt.channels().list(part="id", id=cid).execute()["items"][0]["id"] == cid
    assert creds.token != first
    # a user token sees private videos (as the channel owner would)
    private = next(v for v in emu.youtube.videos if emu.youtube.videos.peek(v)["status"]["privacyStatus"] == "private")
    assert yt.videos().list(part="id", id=private).execute()["items"][0]["id"] == private
    bad = dict(info, refresh_token="1//nope")
    with pytest.raises(exceptions.RefreshError):
        user_creds(bad).refresh(google.auth.transport.requests.Request())
    wrong_secret = dict(info, client_secret="x")
    with pytest.raises(exceptions.RefreshError):
        user_creds(wrong_secret).refresh(google.auth.transport.requests.Request())


def test_authorization_code_flow_with_loopback_redirect(emu):
    q = urllib.parse.urlencode({"client_id": "cid", "redirect_uri": "http://127.0.0.1:9/cb", "scope": " ".join(YT),
                                "state": "xyz", "response_type": "code"})

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *a, **k):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    with pytest.raises(urllib.error.HTTPError) as e:
        opener.open(emu.url + "/o/oauth2/auth?" + q)
    assert e.value.code == 302
    loc = urllib.parse.urlsplit(e.value.headers["Location"])
    got = dict(urllib.parse.parse_qsl(loc.query))
    assert loc.netloc == "127.0.0.1:9" and got["state"] == "xyz"
    body = urllib.parse.urlencode({"grant_type": "authorization_code", "code": got["code"], "client_id": "cid",
                                   "client_secret": "s", "redirect_uri": "http://127.0.0.1:9/cb"}).encode()
    tok = json.load(urllib.request.urlopen(emu.token_uri, data=body))
    assert tok["access_token"].startswith("ya29.") and tok["refresh_token"]
    with pytest.raises(urllib.error.HTTPError) as e:  # codes are single-use
        urllib.request.urlopen(emu.token_uri, data=body)
    assert e.value.code == 400


def test_unknown_grant_type(emu):
    with pytest.raises(urllib.error.HTTPError) as e:
        urllib.request.urlopen(emu.token_uri, data=b"grant_type=password&username=a&password=b")
    assert e.value.code == 400 and json.load(e.value)["error"] == "unsupported_grant_type"


def test_token_lifetime():
    with Emulator(youtube=YouTubeData.generate(videos=5, seed=1), token_lifetime=1) as emu:
        token = emu.access_token("user")
        req = urllib.request.Request(emu.url + "/youtube/v3/channels?part=id&id=x",
                                     headers={"Authorization": f"Bearer {token}"})
        urllib.request.urlopen(req)
        time.sleep(1.2)
        with pytest.raises(urllib.error.HTTPError) as e:
            urllib.request.urlopen(req)
        assert e.value.code == 401 and "WWW-Authenticate" in e.value.headers


def test_mine_needs_a_user_token(emu):
    cid = next(iter(emu.youtube.channels))
    key_only = build("youtube", "v3", static_discovery=True, developerKey="k", client_options={"api_endpoint": emu.url})
    with pytest.raises(HttpError) as e:
        key_only.channels().list(part="id", mine=True).execute()
    assert e.value.resp.status == 401
    creds = user_creds(emu.user_token_info(YT))
    yt = build("youtube", "v3", static_discovery=True, credentials=creds, client_options={"api_endpoint": emu.url})
    assert [c["id"] for c in yt.channels().list(part="id", mine=True).execute()["items"]] == [cid]


def test_token_scopes_are_checked(emu):
    creds = user_creds(emu.user_token_info(DRIVE))  # a Drive-only token
    yt = build("youtube", "v3", static_discovery=True, credentials=creds, client_options={"api_endpoint": emu.url})
    with pytest.raises(HttpError) as e:
        yt.channels().list(part="id", id=next(iter(emu.youtube.channels))).execute()
    assert e.value.resp.status == 403
    assert json.loads(e.value.content)["error"]["errors"][0]["reason"] == "insufficientPermissions"
    dr = build("drive", "v3", static_discovery=True, credentials=creds,
               client_options={"api_endpoint": emu.url + "/drive/v3/"})
    assert dr.changes().getStartPageToken().execute()["startPageToken"]
