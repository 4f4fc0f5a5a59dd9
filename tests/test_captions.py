"""YouTube captions: the emulator's captions.list / captions.download and the sync step
that reads them for matched recordings (owner OAuth, budgets, incremental, record/replay)."""
import sqlite3

import sqlite_utils

import pytest
from click.testing import CliRunner
from googleapiclient.discovery import build
from googleapiclient.errors import HttpError

from indexer.youtube.captions import choose_track, video_version
from meetup_emulator import Emulator, YouTubeData

KEY = "test-key-captions-5d1"
CHANNEL = "UCNduEoLOToNo3nFVly-vUTQ"
FORCE_SSL = "https://www.googleapis.com/auth/youtube.force-ssl"
READONLY = "https://www.googleapis.com/auth/youtube.readonly"
FILLER = "so the idea is pretty simple it works today but it doesnt really scale"
# meeting date -> video id, newest last
VIDEOS = {"2021-02-09": "feb09video1", "2021-02-23": "feb23video1", "2021-03-09": "mar09video1"}
NOTES = """# Flyte Meetup Notes

[YouTube Channel](https://www.youtube.com/channel/{channel}/)
{meetings}"""
MEETING = """
## {title}

### [YouTube Video](https://www.youtube.com/watch?v={vid})

### Agenda:
* Flyte Egress Events [Nian - Spotify]
* Flyte at Lyft L5 Autonomous cars using Bazel [Miguel - Lyft L5]
* Planning [Ketan - OSC]
"""
TITLES = {"2021-02-09": "Feb 9, 2021", "2021-02-23": "Feb 23, 2021", "2021-03-09": "Mar 9, 2021"}


def spoken(step=4.0):
    """What the host says: Nian's talk introduced at 16 s, Miguel's at 184 s, Ketan's skipped."""
    lines = ["welcome everyone to the flyte community sync", "can everyone hear me", FILLER, FILLER]
    lines += ["first up nian with flyte egress events"]
    lines += [f"{FILLER} and egress events" if i % 2 else "the events we emit on egress" for i in range(40)]
    lines += ["great thank you nian", "okay miguel i think youre next"]
    lines += [f"{FILLER} with bazel" if i % 2 else "autonomous cars at lyft build with bazel" for i in range(40)]
    lines += ["ketan couldnt make it so planning is postponed to next week", "thanks everyone bye"]
    return [(i * step, (i + 1) * step - 0.2, None, t) for i, t in enumerate(lines)]


def channel_data() -> YouTubeData:
    data = YouTubeData.generate(videos=0, seed=5, channel_id=CHANNEL)
    for date, vid in VIDEOS.items():
        data.add_video(vid, title=f"Flyte Community Sync {date}", channel_id=CHANNEL,
                       published_at=f"{date}T19:00:00Z", duration="PT1H")
        data.set_caption(vid, spoken(), kind="asr", updated=f"{date}T20:00:00.000Z")
    # a person's track as well on one video: it is the one downloaded
    data.set_caption(VIDEOS["2021-02-23"], spoken(), kind="standard", name="English",
                     updated="2021-02-24T10:00:00.000Z")
    return data


@pytest.fixture
def emu():
    with Emulator(youtube=channel_data(), api_key=KEY) as e:
        yield e


@pytest.fixture
def notes(tmp_path):
    path = tmp_path / "notes.md"
    path.write_text(NOTES.format(channel=CHANNEL, meetings="".join(
        MEETING.format(title=TITLES[d], vid=v) for d, v in VIDEOS.items())))
    return path




def token(emu, tmp_path, scopes=(READONLY, FORCE_SSL)):
    path = tmp_path / "owner.token.json"
    emu.write_user_token(path, list(scopes))
    return path


def caption_calls(emu) -> dict:
    return {k: v for k, v in emu.stats()["calls"].items() if k.startswith("youtube.captions")}


def caption_lines(res) -> list[str]:
    return [l for l in res.output.splitlines() if "captions" in l]


def talk_moments(db) -> dict:
    conn = sqlite3.connect(db)
    return {(t, v): (s, m) for t, v, s, m in conn.execute(
        "select talk_id, video_id, start_s, method from talk_recordings")}


# ---------------------------------------------------------------- the sync step


def test_owner_oauth_downloads_stores_cues_and_places_talks(run_sync, emu, notes, tmp_path):
    db = tmp_path / "i.db"
    res = run_sync(db, notes, "--credentials", token(emu, tmp_path), "--api-endpoint", emu.url)
    assert res.exit_code == 0, res.output
    assert caption_calls(emu) == {"youtube.captions.list": 3, "youtube.captions.download": 3}
    conn = sqlite3.connect(db)
    rows = {r[0]: r[1:] for r in conn.execute("select video_id, kind, language, cues, source from transcripts")}
    assert set(rows) == set(VIDEOS.values())
    assert rows["feb23video1"][0] == "manual" and rows["feb09video1"][0] == "asr"
    assert all(r[2] > 80 and r[3].startswith("youtube:captions/") for r in rows.values())
    # the rolling automatic captions were merged: each line once, tags stripped
    said = [t for (t,) in conn.execute(
        "select text from transcript_cues join transcripts on transcripts.id = transcript_id "
        "where video_id = 'feb09video1' order by start_s")]
    assert said.count("first up nian with flyte egress events") == 1 and not any("<" in t for t in said)
    # searchable
    assert conn.execute("select count(*) from transcript_cues_fts where transcript_cues_fts match 'bazel'"
                        ).fetchone()[0] > 0
    # and the matcher ran again with them: talks at the second the host introduces them
    moments = talk_moments(db)
    assert moments[("2021-02-09/flyte-egress-events", "feb09video1")] == (16, "transcript")
    assert moments[("2021-03-09/flyte-at-lyft-l5-autonomous-cars-using-bazel", "mar09video1")] == (184, "transcript")
    assert moments[("2021-02-09/planning", "feb09video1")][1] == "meeting"  # Ketan's talk was skipped
    # 250 units per captioned video at most, and the run records them
    units = 50 * caption_calls(emu)["youtube.captions.list"] + 200 * caption_calls(emu)["youtube.captions.download"]
    assert units <= 250 * len(VIDEOS)
    recorded = conn.execute("select quota_units from sync_runs order by id desc").fetchone()[0]
    assert recorded == emu.stats()["quota_units"]
    assert any(l.startswith("YouTube captions: 3 listed, 3 downloaded") for l in caption_lines(res)), res.output


def test_api_key_only_gives_one_line_and_the_rest_of_the_sync(run_sync, emu, notes, tmp_path):
    db = tmp_path / "i.db"
    res = run_sync(db, notes, "--api-key", KEY, "--api-endpoint", emu.url)
    assert res.exit_code == 0, res.output
    lines = caption_lines(res)
    assert len(lines) == 1 and lines[0].startswith("YouTube captions skipped: an API key cannot download captions")
    assert caption_calls(emu) == {}  # no unit spent finding out
    conn = sqlite3.connect(db)
    assert conn.execute("select count(*) from recordings").fetchone()[0] == 3
    # --quiet hides it unless the budget was asked for
    assert caption_lines(run_sync(db, notes, "--api-key", KEY, "--api-endpoint", emu.url, "--quiet")) == []
    asked = run_sync(db, notes, "--api-key", KEY, "--api-endpoint", emu.url, "--quiet", "--transcript-budget", "500")
    assert asked.exit_code == 0 and len(caption_lines(asked)) == 1


def test_credentials_of_someone_else_give_one_line(run_sync, emu, notes, tmp_path):
    emu.youtube.owner_channel_id = "UC" + "x" * 22  # the token's user owns another channel
    db = tmp_path / "i.db"
    res = run_sync(db, notes, "--credentials", token(emu, tmp_path), "--api-endpoint", emu.url)
    assert res.exit_code == 0, res.output
    lines = caption_lines(res)
    assert len(lines) == 1 and "403 forbidden" in lines[0] and "owner" in lines[0]
    assert caption_calls(emu) == {"youtube.captions.list": 1}  # stops at the first refusal
    assert emu.stats()["errors"] == {"youtube.captions.list 403 forbidden": 1}
    assert len(talk_moments(db)) == 9  # the match is kept


def test_a_token_without_the_captions_scope_spends_nothing(run_sync, emu, notes, tmp_path):
    res = run_sync(tmp_path / "i.db", notes, "--credentials", token(emu, tmp_path, scopes=[READONLY]),
               "--api-endpoint", emu.url)
    assert res.exit_code == 0
    assert "lacks the youtube.force-ssl scope" in caption_lines(res)[0]
    assert caption_calls(emu) == {}


def test_budget_stops_newest_first_and_the_next_sync_continues(run_sync, emu, notes, tmp_path):
    db, creds = tmp_path / "i.db", token(emu, tmp_path)
    args = ["--credentials", creds, "--api-endpoint", emu.url, "--transcript-budget", 500]
    res = run_sync(db, notes, *args)
    assert res.exit_code == 0
    conn = sqlite3.connect(db)
    assert {v for (v,) in conn.execute("select video_id from transcripts")} == {"mar09video1", "feb23video1"}
    assert "left for the next sync" in caption_lines(res)[0]
    assert emu.stats()["quota_units"] - _metadata_units(emu) <= 500
    emu.reset_stats()
    assert run_sync(db, notes, *args).exit_code == 0
    assert caption_calls(emu) == {"youtube.captions.list": 1, "youtube.captions.download": 1}
    conn = sqlite3.connect(db)
    assert {v for (v,) in conn.execute("select video_id from transcripts")} == set(VIDEOS.values())
    # everything current: the next sync spends no caption unit at all
    emu.reset_stats()
    res = run_sync(db, notes, *args)
    assert caption_calls(emu) == {}
    assert "0 listed, 0 downloaded (0 cues), 3 current" in caption_lines(res)[0]


def _metadata_units(emu) -> int:
    calls = emu.stats()["calls"]
    return sum(n for m, n in calls.items() if not m.startswith("youtube.captions"))


def test_quota_budget_bounds_the_captions_too(run_sync, emu, notes, tmp_path):
    res = run_sync(tmp_path / "i.db", notes, "--credentials", token(emu, tmp_path), "--api-endpoint", emu.url,
               "--quota-budget", 300)
    assert res.exit_code == 0
    assert emu.stats()["quota_units"] <= 300
    assert caption_calls(emu).get("youtube.captions.download", 0) == 1


def test_unchanged_tracks_are_not_fetched_again_changed_ones_are(run_sync, emu, notes, tmp_path):
    db, args = tmp_path / "i.db", ["--credentials", token(emu, tmp_path), "--api-endpoint", emu.url]
    assert run_sync(db, notes, *args).exit_code == 0
    # new view counts change nothing that matters
    emu.youtube.videos["feb09video1"]["statistics"]["viewCount"] = "999"
    emu.reset_stats()
    assert run_sync(db, notes, *args).exit_code == 0
    assert caption_calls(emu) == {}
    # the owner fixes the captions: the video says so, the track's lastUpdated moves
    emu.youtube.videos["feb09video1"]["contentDetails"]["caption"] = "true"
    lines = [(s, e, sp, t.replace("first up nian", "first up nian tang")) for s, e, sp, t in spoken()]
    emu.youtube.set_caption("feb09video1", lines, kind="asr", updated="2021-03-01T00:00:00.000Z")
    emu.reset_stats()
    assert run_sync(db, notes, *args).exit_code == 0
    assert caption_calls(emu) == {"youtube.captions.list": 1, "youtube.captions.download": 1}
    conn = sqlite3.connect(db)
    assert conn.execute("select count(*) from transcript_cues_fts where transcript_cues_fts match 'tang'"
                        ).fetchone()[0] == 1
    assert conn.execute("select count(*) from transcripts").fetchone()[0] == 3


def test_record_then_replay_offline(run_sync, emu, notes, tmp_path):
    rec = tmp_path / "rec"
    live = tmp_path / "live.db"
    assert run_sync(live, notes, "--credentials", token(emu, tmp_path), "--api-endpoint", emu.url,
                "--record", rec).exit_code == 0
    assert any("captions" in p.name for p in rec.iterdir())
    replayed = tmp_path / "replayed.db"
    res = run_sync(replayed, notes, "--replay", rec)
    assert res.exit_code == 0, res.output
    query = "select id, video_id, kind, content_hash, cues from transcripts order by id"
    assert sqlite3.connect(replayed).execute(query).fetchall() == sqlite3.connect(live).execute(query).fetchall()
    assert talk_moments(replayed) == talk_moments(live)


# ---------------------------------------------------------------- pure parts


def test_choose_track_prefers_the_videos_language_and_a_person():
    def t(i, kind, lang, **extra):
        return {"id": i, "snippet": {"trackKind": kind, "language": lang, **extra}}

    tracks = [t("a", "ASR", "en"), t("m", "standard", "en"), t("f", "forced", "en"), t("d", "standard", "de")]
    assert choose_track(tracks)["id"] == "m"
    assert choose_track(tracks, "de")["id"] == "d"
    assert choose_track([t("a", "asr", "en"), t("x", "standard", "en", isDraft=True)])["id"] == "a"
    assert choose_track([t("f", "forced", "en"), t("y", "standard", "en", status="failed")]) is None


def test_video_version_ignores_statistics_only():
    base = {"id": "v", "snippet": {"title": "x"}, "statistics": {"viewCount": "1"}}
    import json

    moved = dict(base, statistics={"viewCount": "2"})
    retitled = dict(base, snippet={"title": "y"})
    assert video_version(json.dumps(base)) == video_version(json.dumps(moved))
    assert video_version(json.dumps(base)) != video_version(json.dumps(retitled))


# ---------------------------------------------------------------- the emulator, through googleapiclient


def client(emu, key=None, scopes=(FORCE_SSL,)):
    from google.oauth2.credentials import Credentials

    creds = None if key else Credentials(emu.access_token("user", list(scopes)))
    return build("youtube", "v3", static_discovery=True, developerKey=key, credentials=creds,
                 client_options={"api_endpoint": emu.url + "/"})


def error(call) -> tuple[int, str, str]:
    import json

    with pytest.raises(HttpError) as info:
        call.execute()
    err = json.loads(info.value.content)["error"]
    return err["code"], err["errors"][0]["reason"], err["errors"][0].get("domain", "")


def test_emulator_captions_as_google_answers(emu):
    yt = client(emu)
    listing = yt.captions().list(part="snippet", videoId="feb23video1").execute()
    assert listing["kind"] == "youtube#captionListResponse"
    kinds = {i["snippet"]["trackKind"] for i in listing["items"]}
    assert kinds == {"ASR", "standard"} and all(i["etag"] and i["snippet"]["lastUpdated"] for i in listing["items"])
    asr = next(i for i in listing["items"] if i["snippet"]["trackKind"] == "ASR")
    vtt = yt.captions().download_media(id=asr["id"], tfmt="vtt").execute().decode()
    assert vtt.startswith("WEBVTT") and "<c>" in vtt and "align:start position:0%" in vtt
    srt = yt.captions().download(id=asr["id"], tfmt="srt").execute().decode()
    assert srt.startswith("1\n00:00:00,000 --> ") and "<c>" not in srt
    assert emu.stats()["quota_units"] == 50 + 200 + 200
    # fields are checked against the discovery document, as every other route
    assert error(yt.captions().list(part="snippet", videoId="feb23video1", fields="items(snippet(nope))"))[0] == 400
    assert error(yt.captions().download(id="AUieDanope", tfmt="vtt"))[:2] == (404, "captionNotFound")
    assert error(yt.captions().download(id=asr["id"], tfmt="ttml"))[:2] == (400, "couldNotConvert")
    assert error(yt.captions().list(part="snippet", videoId="nosuchvideo"))[:2] == (404, "videoNotFound")


def test_emulator_captions_are_owner_only(emu):
    keyed = client(emu, key=KEY)
    assert error(keyed.captions().list(part="snippet", videoId="feb09video1"))[:2] == (401, "required")
    track = client(emu).captions().list(part="id", videoId="feb09video1").execute()["items"][0]["id"]
    assert error(keyed.captions().download(id=track))[:2] == (401, "required")
    assert error(client(emu, scopes=[READONLY]).captions().list(part="snippet", videoId="feb09video1"))[:2] == (
        403, "insufficientPermissions")
    emu.youtube.owner_channel_id = "UC" + "y" * 22
    assert error(client(emu).captions().list(part="snippet", videoId="feb09video1")) == (
        403, "forbidden", "youtube.caption")
    assert error(client(emu).captions().download(id=track)) == (403, "forbidden", "youtube.caption")
    # credential errors cost nothing; refusals to an authenticated caller cost their units
    assert emu.stats()["quota_units"] == 50 + 50 + 50 + 200


def test_generated_channel_has_tracks_following_its_chapters():
    data = YouTubeData.generate(videos=40, seed=3)
    with Emulator(youtube=data) as e:
        yt = client(e)
        with_tracks = 0
        for vid in list(data.videos)[:15]:
            items = yt.captions().list(part="snippet", videoId=vid).execute()["items"]
            with_tracks += bool(items)
            if any(i["snippet"]["trackKind"] == "standard" for i in items):
                manual = next(i for i in items if i["snippet"]["trackKind"] == "standard")
                text = yt.captions().download(id=manual["id"]).execute().decode()
                assert text.startswith("WEBVTT") and "<c>" not in text and "welcome everyone" in text
        assert with_tracks >= 12


def test_emulator_caption_list_fits_the_discovery_document(emu):
    import json
    from importlib import resources

    doc = json.loads((resources.files("googleapiclient") / "discovery_cache" / "documents" / "youtube.v3.json")
                     .read_text())
    schemas = doc["schemas"]
    assert doc["resources"]["captions"]["methods"]["list"]["response"]["$ref"] == "CaptionListResponse"
    listing = client(emu).captions().list(part="snippet", videoId="feb23video1").execute()
    assert set(listing) <= set(schemas["CaptionListResponse"]["properties"])
    for item in listing["items"]:
        assert set(item) <= set(schemas["Caption"]["properties"])
        props = schemas["CaptionSnippet"]["properties"]
        for key, value in item["snippet"].items():
            assert key in props, key
            assert isinstance(value, {"string": str, "boolean": bool}[props[key]["type"]]), key
            assert value in props[key].get("enum", [value]), (key, value)


def test_emulator_data_folder_serves_caption_files(emu, tmp_path):
    emu.youtube.dump(tmp_path / "data")
    files = sorted(p.name for p in (tmp_path / "data" / "captions").iterdir())
    assert "feb23video1.en.standard.vtt" in files and "feb09video1.en.asr.vtt" in files
    loaded = YouTubeData.load(tmp_path / "data")
    with Emulator(youtube=loaded) as e:
        yt = client(e)
        items = yt.captions().list(part="snippet", videoId="feb23video1").execute()["items"]
        assert {i["snippet"]["trackKind"] for i in items} == {"ASR", "standard"}
        manual = next(i for i in items if i["snippet"]["trackKind"] == "standard")
        served = yt.captions().download(id=manual["id"]).execute().decode()
        assert served == (tmp_path / "data" / "captions" / "feb23video1.en.standard.vtt").read_text()
        assert "first up nian with flyte egress events" in served


def test_the_token_reads_captions_where_a_key_serves_the_rest_of_youtube(run_sync, emu, notes, tmp_path):
    res = run_sync(tmp_path / "i.db", notes, "--api-key", KEY, "--credentials", token(emu, tmp_path),
               "--api-endpoint", emu.url)
    assert res.exit_code == 0, res.output
    assert caption_calls(emu) == {"youtube.captions.list": 3, "youtube.captions.download": 3}


def test_the_help_states_the_default_budget():
    from indexer.youtube.captions import DEFAULT_BUDGET
    from indexer.cli import cli

    text = " ".join(CliRunner().invoke(cli, ["sync", "--help"]).output.split())
    assert f"(default: {DEFAULT_BUDGET}; 0: none)" in text


def test_a_track_replaced_after_listing_is_listed_again_and_the_others_go_on(run_sync, emu, notes, tmp_path):
    db, creds = tmp_path / "i.db", token(emu, tmp_path)
    # 550 units: two videos read, the third (feb09) listed but its download left for the next sync
    res = run_sync(db, notes, "--credentials", creds, "--api-endpoint", emu.url, "--transcript-budget", 550)
    assert res.exit_code == 0, res.output
    conn = sqlite3.connect(db)
    assert conn.execute("select track_id from video_captions where video_id = 'feb09video1'").fetchone()[0]
    assert {v for (v,) in conn.execute("select video_id from transcripts")} == {"mar09video1", "feb23video1"}
    # the owner replaces the automatic captions by a person's track: the listed id is gone
    del emu.youtube.captions["feb09video1"]
    emu.youtube.set_caption("feb09video1", spoken(), kind="standard", name="English",
                            updated="2021-03-01T00:00:00.000Z")
    args = ["--credentials", creds, "--api-endpoint", emu.url]
    res = run_sync(db, notes, *args)
    assert res.exit_code == 0, res.output
    assert caption_lines(res)[0].startswith("YouTube captions: 0 listed"), res.output
    assert "feb09video1" in caption_lines(res)[0]
    # listed again on the next sync, and its new track downloaded
    emu.reset_stats()
    res = run_sync(db, notes, *args)
    assert caption_calls(emu) == {"youtube.captions.list": 1, "youtube.captions.download": 1}
    conn = sqlite3.connect(db)
    assert conn.execute("select kind from transcripts where video_id = 'feb09video1'").fetchone() == ("manual",)



def test_an_unreadable_track_is_not_downloaded_again_until_it_changes(run_sync, emu, notes, tmp_path):
    db, args = tmp_path / "i.db", ["--credentials", token(emu, tmp_path), "--api-endpoint", emu.url]
    track = emu.youtube.captions["feb09video1"][0]
    track.update(text="<html>an error page</html>", format="vtt")  # not WebVTT
    res = run_sync(db, notes, *args)
    assert res.exit_code == 0, res.output
    assert "1 not read (feb09video1" in caption_lines(res)[0], res.output
    emu.reset_stats()
    assert run_sync(db, notes, *args).exit_code == 0
    assert caption_calls(emu) == {}  # 200 units not spent on the same text again
    # the owner fixes the track: lastUpdated moves, it is listed and downloaded again
    del track["text"]
    track["lastUpdated"] = "2021-03-01T00:00:00.000Z"
    emu.youtube.videos["feb09video1"]["contentDetails"]["caption"] = "true"
    emu.reset_stats()
    assert run_sync(db, notes, *args).exit_code == 0
    assert caption_calls(emu) == {"youtube.captions.list": 1, "youtube.captions.download": 1}
    conn = sqlite3.connect(db)
    assert conn.execute("select count(*) from transcripts where video_id = 'feb09video1'").fetchone()[0] == 1


@pytest.mark.parametrize("elsewhere", ["feb09video1", "mar09video1"])  # read last, read first
def test_a_video_of_another_channel_is_refused_alone(run_sync, emu, notes, tmp_path, elsewhere):
    from google.oauth2.credentials import Credentials

    from indexer.youtube.captions import sync_captions
    from indexer.google.client import GoogleClient

    db = tmp_path / "i.db"
    assert run_sync(db, notes, "--api-key", KEY, "--api-endpoint", emu.url).exit_code == 0
    # a recording on a channel the token's owner does not own
    foreign = "UC" + "z" * 22
    emu.youtube.videos[elsewhere]["snippet"]["channelId"] = foreign
    conn = sqlite3.connect(db)
    with conn:
        conn.execute("update videos set channel_id = ? where id = ?", [foreign, elsewhere])
    client = GoogleClient("youtube", "v3", credentials=Credentials(emu.access_token("user", [FORCE_SSL])),
                          api_endpoint=emu.url, backoff=0)
    result = sync_captions(sqlite_utils.Database(db), client)
    assert result.downloaded == 2 and len(result.errors) == 1 and result.errors[0].startswith(f"{elsewhere}: ")
    assert "forbidden" in result.errors[0]
    stored = {v for (v,) in sqlite3.connect(db).execute("select video_id from transcripts")}
    assert stored == set(VIDEOS.values()) - {elsewhere}
