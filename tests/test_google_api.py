"""The generic Google client: retries, accounting, budget, errors, record/replay."""
import datetime as dt
import json
import random
import time

import httplib2
import pytest
from googleapiclient.errors import HttpError

from indexer.google import client as g
from meetup_emulator import Emulator, YouTubeData

KEY = "AIzaSyTESTKEY0123456789abcdefghijkl"


def http_error(status, reason="", message="msg", uri="https://youtube.googleapis.com/youtube/v3/videos?key=" + KEY):
    body = {"error": {"code": status, "message": message, "errors": [{"reason": reason, "domain": "d"}]}}
    return HttpError(httplib2.Response({"status": status}), json.dumps(body).encode(), uri=uri)


@pytest.mark.parametrize(
    "status, reason, retry",
    [(429, "rateLimitExceeded", True), (500, "backendError", True), (503, "", True),
     (403, "rateLimitExceeded", True), (403, "userRateLimitExceeded", True),
     (403, "quotaExceeded", False), (400, "keyInvalid", False), (403, "forbidden", False), (404, "channelNotFound", False)],
)
def test_which_failures_are_retried(status, reason, retry):
    exc = http_error(status, reason)
    assert g.is_retryable(exc.resp.status, exc.content) is retry


def test_errors_translate_to_one_secret_free_line():
    cases = [
        (http_error(400, "keyInvalid", "API key not valid. Please pass a valid API key."), g.BadKey, g.EXIT_AUTH,
         "rejected the API key (keyInvalid)"),
        (http_error(403, "quotaExceeded", "quota " + KEY), g.QuotaExhausted, g.EXIT_QUOTA,
         "resets at midnight Pacific"),
        (http_error(403, "forbidden", "The caller does not have permission"), g.Forbidden, g.EXIT_FORBIDDEN,
         "access forbidden (forbidden): The caller does not have permission"),
        (http_error(404, "playlistNotFound"), g.NotFound, g.EXIT_NOT_FOUND, "has no uploads playlist"),
        (http_error(401, "youtubeSignupRequired"), g.BadKey, g.EXIT_AUTH, "service accounts never do"),
        (http_error(401, "authError"), g.BadKey, g.EXIT_AUTH, "run `meetup-indexer auth` again"),
    ]
    for exc, cls, code, text in cases:
        err = g.translate_http_error(exc, "youtube", "uploads playlist")
        assert isinstance(err, cls) and err.exit_code == code
        assert text in str(err) and "\n" not in str(err)
        assert KEY not in str(err) and "key=" not in str(err)
    assert KEY in str(cases[0][0])  # what we avoid: HttpError's own text carries the key


def test_redact():
    text = f"GET https://h/v3/videos?part=id&key={KEY}&access_token=ya29.abc Authorization: Bearer ya29.zzz {KEY}"
    out = g.redact(text)
    assert KEY not in out and "ya29" not in out and "part=id" in out
    assert g.redact_json({"access_token": "x", "nested": [{"refresh_token": "y", "ok": "z"}]}) == {
        "access_token": "REDACTED", "nested": [{"refresh_token": "REDACTED", "ok": "z"}]}


def test_quota_reset_in_the_users_time(monkeypatch):
    monkeypatch.setenv("TZ", "Europe/Paris")
    time.tzset()
    try:
        now = dt.datetime(2026, 11, 27, 12, 0, tzinfo=dt.timezone.utc)  # 04:00 in California
        assert g.quota_reset_message(now) == "resets at midnight Pacific (09:00 your time)"
        summer = dt.datetime(2026, 7, 1, 6, 59, tzinfo=dt.timezone.utc)  # 23:59 PDT
        assert g.quota_reset_message(summer) == "resets at midnight Pacific (09:00 your time)"
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()


def test_request_key_ignores_host_and_secrets():
    a = g.request_key(f"http://127.0.0.1:5000/youtube/v3/videos?part=id&id=a%2Cb&key={KEY}&alt=json")
    b = g.request_key("https://youtube.googleapis.com/youtube/v3/videos?alt=json&id=a,b&part=id&key=other")
    assert a == b == "GET /youtube/v3/videos?alt=json&id=a%2Cb&part=id"
    # a long GET sent as POST with the query in the body is the same request
    assert g.request_key("http://x/youtube/v3/videos", "POST", "part=id&id=a,b&alt=json&key=k") == a


@pytest.fixture
def emu():
    data = YouTubeData.generate(videos=120, seed=21)
    with Emulator(youtube=data, api_key=KEY, fault_rate=0.3, fault_seed=3) as e:
        yield e


def channel_request(client, emu):
    return client.service.channels().list(part="contentDetails", id=next(iter(emu.youtube.channels)))


def test_retries_with_growing_jittered_backoff_and_counts_every_attempt(emu):
    sleeps = []
    client = g.GoogleClient("youtube", "v3", api_key=KEY, api_endpoint=emu.url, backoff=0.5, max_backoff=8,
                            sleep=sleeps.append, rng=random.Random(1))
    for _ in range(20):
        assert client.execute(channel_request(client, emu))["items"]
    stats = emu.stats()
    assert stats["faults"] > 0 and client.usage.retries == stats["faults"]
    # our own accounting agrees with the server's, retries included
    assert client.usage.as_dict()["calls"] == stats["calls"]
    # we charge every attempt (Google bills invalid requests too); the emulator bills only answers
    assert client.usage.units == 20 + stats["faults"] and stats["quota_units"] == 20
    assert len(sleeps) == stats["faults"] and all(0 <= s <= 8 for s in sleeps)


def test_backoff_bounds_grow_exponentially():
    class Boom:
        methodId = "youtube.videos.list"

        def execute(self, http=None, num_retries=0):
            raise http_error(503, "backendError")

    sleeps = []
    rng = random.Random(7)
    client = g.GoogleClient("youtube", "v3", api_key=KEY, backoff=1, max_backoff=10, max_retries=6,
                            sleep=sleeps.append, rng=rng)
    with pytest.raises(g.ApiError, match="503"):
        client.execute(Boom())
    assert len(sleeps) == 6 and client.usage.calls["youtube.videos.list"] == 7
    bounds = [1, 2, 4, 8, 10, 10]
    assert all(0 <= s <= b for s, b in zip(sleeps, bounds))
    assert len(set(sleeps)) == 6  # jittered, not fixed


def test_budget_stops_before_the_call_that_would_exceed_it():
    data = YouTubeData.generate(videos=10, seed=22)
    with Emulator(youtube=data, api_key=KEY) as e:
        client = g.GoogleClient("youtube", "v3", api_key=KEY, api_endpoint=e.url, quota_budget=2)
        client.execute(channel_request(client, e))
        client.execute(channel_request(client, e))
        with pytest.raises(g.QuotaBudgetReached) as exc:
            client.execute(channel_request(client, e))
        assert exc.value.spent == 2 and e.stats()["quota_units"] == 2
        # search.list would cost 100: refused up front
        client = g.GoogleClient("youtube", "v3", api_key=KEY, api_endpoint=e.url, quota_budget=99)
        with pytest.raises(g.QuotaBudgetReached):
            client.execute(client.service.search().list(part="id", q="flyte"))
        assert e.stats()["calls"].get("youtube.search.list") is None


def test_quota_exhausted_is_not_retried():
    data = YouTubeData.generate(videos=10, seed=23)
    with Emulator(youtube=data, api_key=KEY, quota_limit=1) as e:
        client = g.GoogleClient("youtube", "v3", api_key=KEY, api_endpoint=e.url, sleep=lambda s: None)
        client.execute(channel_request(client, e))
        with pytest.raises(g.QuotaExhausted):
            client.execute(channel_request(client, e))
        assert e.stats()["calls"]["youtube.channels.list"] == 2


def test_network_down_after_retries():
    sleeps = []
    client = g.GoogleClient("youtube", "v3", api_key=KEY, api_endpoint="http://127.0.0.1:9", max_retries=3,
                            sleep=sleeps.append)
    with pytest.raises(g.NetworkDown) as exc:
        client.execute(client.service.channels().list(part="id", id="UCx"))
    assert len(sleeps) == 3 and exc.value.exit_code == g.EXIT_NETWORK
    assert "cannot reach the YouTube API at 127.0.0.1" in str(exc.value) and KEY not in str(exc.value)


def test_record_then_replay_offline(tmp_path):
    data = YouTubeData.generate(videos=30, seed=24)
    cid = next(iter(data.channels))
    with Emulator(youtube=data, api_key=KEY, fault_rate=0.3, fault_seed=4) as e:
        client = g.GoogleClient("youtube", "v3", api_key=KEY, api_endpoint=e.url, record=tmp_path, sleep=lambda s: 0)
        live = client.execute(client.service.channels().list(part="snippet,contentDetails", id=cid))
        vids = client.execute(client.service.videos().list(part="snippet", id="a,b"))
    files = list(tmp_path.glob("*.json"))
    assert len(files) == 2  # transient faults are not recorded, only the answers
    for f in files:
        text = f.read_text()
        assert KEY not in text
        assert json.loads(text)["status"] == 200
    replay = g.GoogleClient("youtube", "v3", api_key="another-key", replay=tmp_path)
    assert replay.execute(replay.service.channels().list(part="snippet,contentDetails", id=cid)) == live
    assert replay.execute(replay.service.videos().list(id="a,b", part="snippet")) == vids
    with pytest.raises(g.ReplayMiss, match="has no response for GET /youtube/v3/videos"):
        replay.execute(replay.service.videos().list(part="snippet", id="zzz"))


def test_drive_is_built_the_same_way():
    client = g.GoogleClient("drive", "v3", api_key=KEY, api_endpoint="http://127.0.0.1:1/drive/v3")
    req = client.service.files().list(q="'x' in parents", pageSize=10)
    assert req.uri.startswith("http://127.0.0.1:1/drive/v3/files?")
    assert req.methodId == "drive.files.list" and client.usage.cost(req.methodId) == 0
