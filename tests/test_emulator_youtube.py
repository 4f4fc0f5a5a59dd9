"""The YouTube side of the emulator, driven with the real googleapiclient."""
import json
import urllib.request

import pytest
from googleapiclient.discovery import build
from googleapiclient.errors import HttpError

from meetup_emulator import Emulator, YouTubeData

KEY = "test-key"
DETAIL_PARTS = "snippet,contentDetails,statistics,liveStreamingDetails,status"


def yt(emu, key=KEY, **kw):
    return build("youtube", "v3", static_discovery=True, developerKey=key,
                 client_options={"api_endpoint": emu.url}, **kw)


def reason(exc: HttpError) -> str:
    return json.loads(exc.content)["error"]["errors"][0]["reason"]


@pytest.fixture(scope="module")
def data():
    return YouTubeData.generate(videos=230, seed=7, channel_id="UCabcdefghijklmnopqrstuv")


@pytest.fixture
def emu():
    d = YouTubeData.generate(videos=230, seed=7, channel_id="UCabcdefghijklmnopqrstuv")
    with Emulator(youtube=d, api_key=KEY) as e:
        yield e


def all_uploads(service, playlist_id, page_size=50):
    ids, token, pages = [], None, 0
    while True:
        r = service.playlistItems().list(part="contentDetails,snippet", playlistId=playlist_id,
                                         maxResults=page_size, pageToken=token).execute()
        pages += 1
        ids += [i["contentDetails"]["videoId"] for i in r["items"]]
        token = r.get("nextPageToken")
        if not token:
            return ids, pages, r


def test_generate_is_deterministic_and_varied():
    a = YouTubeData.generate(videos=300, seed=3)
    b = YouTubeData.generate(videos=300, seed=3)
    c = YouTubeData.generate(videos=300, seed=4)
    assert list(a.videos) == list(b.videos)
    assert list(a.videos) != list(c.videos)
    va = [a.videos.peek(v) for v in a.videos]
    assert [v["snippet"]["title"] for v in va] == [b.videos.peek(v)["snippet"]["title"] for v in b.videos]
    assert all(len(v["id"]) == 11 for v in va)
    assert any("liveStreamingDetails" in v and "actualStartTime" in v["liveStreamingDetails"] for v in va)
    assert any("#shorts" in v["snippet"]["title"] for v in va)
    assert any("\n0:00 " in v["snippet"]["description"] or "\n00:00 " in v["snippet"]["description"]
               or "[0:00]" in v["snippet"]["description"] for v in va)
    assert any("0:00" not in v["snippet"]["description"] for v in va)
    assert any(v["status"]["privacyStatus"] == "private" for v in va)
    assert a.deleted
    assert all(isinstance(v["statistics"]["viewCount"], str) for v in va)
    assert any("Community Sync - " in v["snippet"]["title"] and ", 20" in v["snippet"]["title"] for v in va)


def test_uploads_pagination_newest_first_without_private_or_deleted(emu):
    s = yt(emu)
    ch = s.channels().list(part="contentDetails,snippet,statistics", id="UCabcdefghijklmnopqrstuv").execute()
    uploads = ch["items"][0]["contentDetails"]["relatedPlaylists"]["uploads"]
    assert uploads == "UUabcdefghijklmnopqrstuv"
    ids, pages, last = all_uploads(s, uploads)
    public = [v for v in emu.youtube.videos if emu.youtube.videos.peek(v)["status"]["privacyStatus"] == "public"]
    assert sorted(ids) == sorted(public)
    assert len(ids) == len(set(ids)) and pages == -(-len(ids) // 50)
    assert last["pageInfo"]["totalResults"] == len(ids)
    assert last["kind"] == "youtube#playlistItemListResponse" and last["etag"]
    assert "prevPageToken" in last
    dates = [emu.youtube.videos.peek(v)["snippet"]["publishedAt"] for v in ids]
    assert dates == sorted(dates, reverse=True)
    assert not set(ids) & emu.youtube.deleted
    assert emu.stats()["calls"] == {"youtube.channels.list": 1, "youtube.playlistItems.list": pages}
    assert emu.stats()["quota_units"] == 1 + pages


def test_default_page_size_and_max_results_limit(emu):
    s = yt(emu)
    r = s.playlistItems().list(part="id", playlistId="UUabcdefghijklmnopqrstuv").execute()
    assert len(r["items"]) == 5 and r["pageInfo"]["resultsPerPage"] == 5
    with pytest.raises(HttpError) as e:
        s.playlistItems().list(part="id", playlistId="UUabcdefghijklmnopqrstuv", maxResults=51).execute()
    assert e.value.resp.status == 400


def test_page_token_is_bound_to_its_query(emu):
    s = yt(emu)
    r = s.playlistItems().list(part="id", playlistId="UUabcdefghijklmnopqrstuv", maxResults=10).execute()
    pid = next(iter(emu.youtube.playlists))
    with pytest.raises(HttpError) as e:
        s.playlistItems().list(part="id", playlistId=pid, maxResults=10, pageToken=r["nextPageToken"]).execute()
    assert e.value.resp.status == 400 and reason(e.value) == "invalidPageToken"


def test_ordinary_playlists_show_private_and_deleted(emu):
    s = yt(emu)
    pls = s.playlists().list(part="snippet,contentDetails", channelId="UCabcdefghijklmnopqrstuv", maxResults=50).execute()
    assert {p["kind"] for p in pls["items"]} == {"youtube#playlist"}
    syncs = next(p for p in pls["items"] if p["snippet"]["title"].endswith("Community Syncs"))
    items = []
    token = None
    while True:
        r = s.playlistItems().list(part="snippet,status,contentDetails", playlistId=syncs["id"], maxResults=50,
                                   pageToken=token).execute()
        items += r["items"]
        token = r.get("nextPageToken")
        if not token:
            break
    assert len(items) == syncs["contentDetails"]["itemCount"]
    titles = {i["snippet"]["title"] for i in items}
    assert "Private video" in titles and "Deleted video" in titles
    assert [i["snippet"]["position"] for i in items] == list(range(len(items)))


def test_videos_list_parts_and_limits(emu):
    s = yt(emu)
    ids, _, _ = all_uploads(s, "UUabcdefghijklmnopqrstuv")
    r = s.videos().list(part="snippet,statistics", id=",".join(ids[:50])).execute()
    assert [v["id"] for v in r["items"]] == ids[:50]
    assert set(r["items"][0]) == {"kind", "etag", "id", "snippet", "statistics"}
    private = next(v for v in emu.youtube.videos if emu.youtube.videos.peek(v)["status"]["privacyStatus"] == "private")
    deleted = next(iter(emu.youtube.deleted))
    r = s.videos().list(part="id", id=f"{ids[0]},{private},{deleted},nosuchvideo").execute()
    assert [v["id"] for v in r["items"]] == [ids[0]]
    with pytest.raises(HttpError) as e:
        s.videos().list(part="id", id=",".join(ids[:51])).execute()
    assert e.value.resp.status == 400
    with pytest.raises(HttpError) as e:
        s.videos().list(part="snippet,bogus", id=ids[0]).execute()
    assert reason(e.value) == "unknownPart"


def test_fields_filtering(emu):
    s = yt(emu)
    r = s.playlistItems().list(part="snippet,contentDetails", playlistId="UUabcdefghijklmnopqrstuv", maxResults=3,
                               fields="items(id,snippet(title,publishedAt)),nextPageToken").execute()
    assert set(r) == {"items", "nextPageToken"}
    assert all(set(i) == {"id", "snippet"} and set(i["snippet"]) == {"title", "publishedAt"} for i in r["items"])
    r = s.playlistItems().list(part="contentDetails", playlistId="UUabcdefghijklmnopqrstuv", maxResults=3,
                               fields="items/contentDetails/videoId,pageInfo").execute()
    assert set(r) == {"items", "pageInfo"}
    assert all(i == {"contentDetails": {"videoId": i["contentDetails"]["videoId"]}} for i in r["items"])
    r = s.channels().list(part="snippet", id="UCabcdefghijklmnopqrstuv", fields="items(snippet/*)").execute()
    assert "title" in r["items"][0]["snippet"] and "id" not in r["items"][0]
    for bad in ("items(id", "items(snippet/titel)", "nextPageTokens"):
        with pytest.raises(HttpError) as e:
            s.channels().list(part="snippet", id="UCabcdefghijklmnopqrstuv", fields=bad).execute()
        assert e.value.resp.status == 400 and reason(e.value) == "invalidParameter"


def test_channels_by_handle_username_and_unknown(emu):
    s = yt(emu)
    handle = emu.youtube.channels["UCabcdefghijklmnopqrstuv"]["snippet"]["customUrl"]
    for h in (handle, handle.lstrip("@"), handle.upper()):
        r = s.channels().list(part="id", forHandle=h).execute()
        assert [c["id"] for c in r["items"]] == ["UCabcdefghijklmnopqrstuv"]
    name = next(iter(emu.youtube.usernames))
    assert s.channels().list(part="id", forUsername=name).execute()["items"][0]["id"] == "UCabcdefghijklmnopqrstuv"
    r = s.channels().list(part="id", id="UCnosuchchannel00000000x").execute()
    assert r["pageInfo"]["totalResults"] == 0 and not r.get("items")
    with pytest.raises(HttpError) as e:
        s.playlistItems().list(part="id", playlistId="UUnosuchchannel00000000x").execute()
    assert e.value.resp.status == 404 and reason(e.value) == "playlistNotFound"


def test_bad_key_missing_key_and_bearer(emu):
    with pytest.raises(HttpError) as e:
        yt(emu, key="wrong").channels().list(part="id", id="UCabcdefghijklmnopqrstuv").execute()
    assert e.value.resp.status == 400 and reason(e.value) == "keyInvalid"
    assert "wrong" not in e.value.content.decode()
    with pytest.raises(urllib.error.HTTPError) as e:
        urllib.request.urlopen(emu.url + "/youtube/v3/channels?part=id&id=UCabcdefghijklmnopqrstuv")
    assert e.value.code == 403 and json.load(e.value)["error"]["errors"][0]["reason"] == "forbidden"
    token = emu.access_token("user")
    req = urllib.request.Request(emu.url + "/youtube/v3/channels?part=id&id=UCabcdefghijklmnopqrstuv",
                                 headers={"Authorization": "Bearer " + token})
    assert json.load(urllib.request.urlopen(req))["items"][0]["id"] == "UCabcdefghijklmnopqrstuv"
    bad = urllib.request.Request(req.full_url, headers={"Authorization": "Bearer nope"})
    with pytest.raises(urllib.error.HTTPError) as e:
        urllib.request.urlopen(bad)
    assert e.value.code == 401


def test_quota_limit():
    with Emulator(youtube=YouTubeData.generate(videos=20, seed=1), api_key=KEY, quota_limit=3) as emu:
        s = yt(emu)
        cid = next(iter(emu.youtube.channels))
        for _ in range(3):
            s.channels().list(part="id", id=cid).execute()
        with pytest.raises(HttpError) as e:
            s.channels().list(part="id", id=cid).execute(num_retries=3)
        assert e.value.resp.status == 403 and reason(e.value) == "quotaExceeded"
        stats = emu.stats()
        assert stats["quota_units"] == 3 and stats["calls"]["youtube.channels.list"] == 4  # quotaExceeded: not retried


def test_faults_are_seeded_and_retried_by_the_client():
    def run():
        with Emulator(youtube=YouTubeData.generate(videos=400, seed=2), api_key=KEY, fault_rate=0.3,
                      fault_seed=11) as emu:
            s = yt(emu)
            statuses = []
            cid = next(iter(emu.youtube.channels))
            for _ in range(30):
                try:
                    s.channels().list(part="id", id=cid).execute()
                    statuses.append(200)
                except HttpError as exc:
                    statuses.append((exc.resp.status, reason(exc)))
            return statuses, emu.stats()

    a, stats = run()
    b, _ = run()
    assert a == b
    kinds = set(x for x in a if x != 200)
    assert {s for s, _ in kinds} <= {500, 503, 429, 403} and len(kinds) >= 2
    assert stats["faults"] == 30 - a.count(200)
    assert stats["quota_units"] == a.count(200)  # faults cost nothing
    with Emulator(youtube=YouTubeData.generate(videos=400, seed=2), api_key=KEY, fault_rate=0.3,
                  fault_seed=11) as emu:
        ids, _, _ = all_uploads_retrying(yt(emu), "UU" + next(iter(emu.youtube.channels))[2:])
        assert len(ids) == len(emu.youtube.uploads(next(iter(emu.youtube.channels))))


def all_uploads_retrying(service, playlist_id):
    ids, token = [], None
    while True:
        req = service.playlistItems().list(part="contentDetails", playlistId=playlist_id, maxResults=50,
                                           pageToken=token)
        req._sleep = lambda s: None  # no real backoff in tests
        r = req.execute(num_retries=10)
        ids += [i["contentDetails"]["videoId"] for i in r["items"]]
        token = r.get("nextPageToken")
        if not token:
            return ids, None, r


def test_long_urls_are_sent_as_post_with_method_override(emu):
    s = yt(emu)
    ids, _, _ = all_uploads(s, "UUabcdefghijklmnopqrstuv")
    fields = "items(id,snippet(title,description,publishedAt,tags,thumbnails),contentDetails(duration))," + ",".join(
        "etag,kind,pageInfo/totalResults" for _ in range(40))
    req = s.videos().list(part=DETAIL_PARTS, id=",".join(ids[:50]), fields=fields)
    assert len(req.uri) > 2048
    r = req.execute()
    assert req.method == "POST" and req.headers["x-http-method-override"] == "GET"
    assert [v["id"] for v in r["items"]] == ids[:50]


def test_mutations_between_syncs(emu):
    s = yt(emu)
    before, _, _ = all_uploads(s, "UUabcdefghijklmnopqrstuv")
    new = emu.youtube.add_video(title="Flyte Community Sync - Mar 3, 2031", published_at="2031-03-03T17:00:00Z")
    emu.youtube.remove_video(before[1])
    emu.youtube.videos[before[2]]["snippet"]["title"] = "Renamed"
    emu.youtube.set_privacy(before[3], "private")
    after, _, _ = all_uploads(s, "UUabcdefghijklmnopqrstuv")
    assert after[0] == new
    assert before[1] not in after and before[3] not in after
    r = s.videos().list(part="snippet", id=f"{before[1]},{before[2]}").execute()
    assert [(v["id"], v["snippet"]["title"]) for v in r["items"]] == [(before[2], "Renamed")]


def test_stats_endpoint_and_reset(emu):
    s = yt(emu)
    s.channels().list(part="id", id="UCabcdefghijklmnopqrstuv").execute()
    got = json.load(urllib.request.urlopen(emu.url + "/emulator/stats"))
    assert got["calls"] == {"youtube.channels.list": 1} and got["quota_units"] == 1
    emu.reset_stats()
    assert emu.stats()["calls"] == {} and emu.stats()["quota_units"] == 0


def test_load_from_json_files(tmp_path, emu):
    s = yt(emu)
    ch = s.channels().list(part="snippet,contentDetails,statistics", id="UCabcdefghijklmnopqrstuv").execute()["items"]
    ids, _, _ = all_uploads(s, "UUabcdefghijklmnopqrstuv")
    vids = s.videos().list(part=DETAIL_PARTS, id=",".join(ids[:20])).execute()["items"]
    pl = s.playlists().list(part="snippet,contentDetails", channelId="UCabcdefghijklmnopqrstuv").execute()["items"]
    items = s.playlistItems().list(part="snippet,contentDetails,status", playlistId=pl[0]["id"], maxResults=50).execute()["items"]
    for name, obj in [("channels", ch), ("videos", vids), ("playlists", pl), ("playlist_items", items)]:
        (tmp_path / f"{name}.json").write_text(json.dumps(obj))
    with Emulator(youtube=YouTubeData.load(tmp_path), api_key=KEY) as emu2:
        s2 = yt(emu2)
        got, _, _ = all_uploads(s2, "UUabcdefghijklmnopqrstuv")
        assert got == ids[:20]
        r = s2.videos().list(part="snippet", id=ids[0]).execute()
        assert r["items"][0]["snippet"] == next(v for v in vids if v["id"] == ids[0])["snippet"]
        r2 = s2.playlistItems().list(part="snippet", playlistId=pl[0]["id"], maxResults=50).execute()
        assert [i["snippet"]["title"] for i in r2["items"]] == [i["snippet"]["title"] for i in items]


def test_etags_save_no_quota(emu):
    s = yt(emu)
    cid = "UCabcdefghijklmnopqrstuv"
    first = s.channels().list(part="snippet", id=cid).execute()
    req = s.channels().list(part="snippet", id=cid)
    req.headers["If-None-Match"] = first["etag"]
    with pytest.raises(HttpError) as e:
        req.execute()
    assert e.value.resp.status == 304
    assert emu.stats()["quota_units"] == 2
    a = s.playlistItems().list(part="id", playlistId="UUabcdefghijklmnopqrstuv").execute()
    b = s.playlistItems().list(part="id", playlistId="UUabcdefghijklmnopqrstuv").execute()
    assert a["items"] == b["items"] and a["etag"] != b["etag"]


def test_empty_channel():
    with Emulator(youtube=YouTubeData.generate(videos=0, seed=5), api_key=KEY) as emu:
        cid = next(iter(emu.youtube.channels))
        s = yt(emu)
        assert s.channels().list(part="statistics", id=cid).execute()["items"][0]["statistics"]["videoCount"] == "0"
        r = s.playlistItems().list(part="id", playlistId="UU" + cid[2:]).execute()
        assert r["items"] == [] and r["pageInfo"]["totalResults"] == 0 and "nextPageToken" not in r


def test_page_token_survives_a_change_of_page_size(emu):
    s = yt(emu)
    first = s.playlistItems().list(part="contentDetails", playlistId="UUabcdefghijklmnopqrstuv", maxResults=10).execute()
    second = s.playlistItems().list(part="contentDetails", playlistId="UUabcdefghijklmnopqrstuv", maxResults=50,
                                    pageToken=first["nextPageToken"]).execute()
    ids = [i["contentDetails"]["videoId"] for i in first["items"] + second["items"]]
    assert ids == emu.youtube.uploads("UCabcdefghijklmnopqrstuv")[:60]


def test_concurrent_clients(emu):
    """Harvesters may use a thread per connection (httplib2 is not thread-safe)."""
    from concurrent.futures import ThreadPoolExecutor

    expected = emu.youtube.uploads("UCabcdefghijklmnopqrstuv")

    def one(_):
        ids, pages, _ = all_uploads(yt(emu), "UUabcdefghijklmnopqrstuv", page_size=20)
        return ids, pages

    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(one, range(4)))
    assert all(ids == expected for ids, _ in results)
    assert emu.stats()["calls"]["youtube.playlistItems.list"] == sum(p for _, p in results)
    assert emu.stats()["quota_units"] == sum(p for _, p in results)


def test_uploads_cap(emu):
    emu.youtube.uploads_cap = 30
    ids, pages, last = all_uploads(yt(emu), "UUabcdefghijklmnopqrstuv")
    assert ids == emu.youtube.uploads("UCabcdefghijklmnopqrstuv")[:30] and last["pageInfo"]["totalResults"] == 30


def test_dump_then_load_serves_the_same_channel(tmp_path, emu):
    emu.youtube.dump(tmp_path)
    s = yt(emu)
    with Emulator(youtube=YouTubeData.load(tmp_path), api_key=KEY) as emu2:
        s2 = yt(emu2)
        a, _, _ = all_uploads(s, "UUabcdefghijklmnopqrstuv")
        b, _, _ = all_uploads(s2, "UUabcdefghijklmnopqrstuv")
        assert a == b
        r1 = s.videos().list(part=DETAIL_PARTS, id=",".join(a[:50])).execute()
        r2 = s2.videos().list(part=DETAIL_PARTS, id=",".join(a[:50])).execute()
        assert [v["snippet"] for v in r1["items"]] == [v["snippet"] for v in r2["items"]]
        for pid in emu.youtube.playlists:
            p1 = s.playlistItems().list(part="snippet,status", playlistId=pid, maxResults=50).execute()
            p2 = s2.playlistItems().list(part="snippet,status", playlistId=pid, maxResults=50).execute()
            assert [i["snippet"] for i in p1["items"]] == [i["snippet"] for i in p2["items"]]
