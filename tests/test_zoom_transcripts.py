"""Zoom transcripts and chats in the Drive archive: the emulator's files.get(alt=media),
linking each file to its recording, incremental downloads, and talks placed with them."""
import datetime as dt
import sqlite3

import pytest
from googleapiclient.discovery import build
from googleapiclient.errors import HttpError

from indexer.drive.zoom import chat_cues, kind_of, recording_for
from meetup_emulator import DriveData, Emulator, YouTubeData
from meetup_emulator.drive_data import DOC, FOLDER, make_file

KEY = "test-key-zoom-8c2"
CHANNEL = "UCNduEoLOToNo3nFVly-vUTQ"
FOLDER_ID = "1Op9EzMNuoZptWovcZcYVdmAuJNNNjil4"
WHEN = dt.datetime(2021, 2, 9, 17, 0, 12, tzinfo=dt.timezone.utc)
DAY = "1day" + "0" * 29
MP4, VTT, CHAT, DOC_ID = ("1zoom" + "0" * 28, "1vtt" + "0" * 29, "1chat" + "0" * 28, "1doc" + "0" * 29)
FILLER = "So the idea is pretty simple, it works today but it doesn't really scale."
NOTES = f"""# Flyte Meetup Notes

[YouTube Channel](https://www.youtube.com/channel/{CHANNEL}/)

[Video Archives](https://drive.google.com/drive/folders/{FOLDER_ID}?usp=sharing)

## Feb 9, 2021

### [YouTube Video](https://www.youtube.com/watch?v=feb09video1)

### Agenda:
* Flyte Egress Events [Nian - Spotify]
* Flyte at Lyft L5 Autonomous cars using Bazel [Miguel - Lyft L5]
* Planning [Ketan - OSC]
"""


def zoom_vtt(step=4.0) -> str:
    """Katrina hosts; Nian's talk is introduced at 16 s, Miguel's at 184 s; Ketan's is skipped."""
    said = [("Katrina Rogan", "Welcome everyone to the Flyte community sync."), ("Katrina Rogan", "Can everyone hear me?"),
            ("Katrina Rogan", FILLER), ("Katrina Rogan", FILLER),
            ("Katrina Rogan", "First up, Nian with Flyte egress events.")]
    said += [("Nian Tang", "The events we emit on egress." if i % 2 == 0 else FILLER) for i in range(40)]
    said += [("Katrina Rogan", "Great, thank you Nian."), ("Katrina Rogan", "Okay Miguel, I think you're next.")]
    said += [("Miguel Ruiz", "Autonomous cars at Lyft build with Bazel." if i % 2 == 0 else FILLER) for i in range(40)]
    said += [("Katrina Rogan", "Ketan couldn't make it, so planning is postponed to next week."),
             ("Katrina Rogan", "Thanks everyone, bye.")]
    out = ["WEBVTT", ""]
    for n, (who, text) in enumerate(said):
        start, end = n * step, (n + 1) * step - 0.2
        out += [str(n + 1), f"{_clock(start)} --> {_clock(end)}", f"{who}: {text}", ""]
    return "\n".join(out)


def _clock(s: float) -> str:
    return f"{int(s // 3600):02d}:{int(s // 60 % 60):02d}:{s % 60:06.3f}"


CHAT_TEXT = ("17:03:10 From Sonja to Everyone:\n\tslides link please\n"
             "17:05:40 From Nian Tang to Katrina Rogan(Direct Message):\n\tprivate, never stored\n"
             "17:07:00 From Miguel Ruiz to Everyone:\n\tthe bazel repo is public\n")


def archive() -> DriveData:
    items = [make_file(FOLDER_ID, "Video Archives", FOLDER, "0AmyDrive", WHEN)]
    year = "1year" + "0" * 28
    items += [make_file(year, "2021", FOLDER, FOLDER_ID, WHEN), make_file(DAY, "02-09", FOLDER, year, WHEN)]
    items.append(make_file(MP4, "GMT20210209-170012_Recording_1920x1080.mp4", "video/mp4", DAY, WHEN, 600_000_000,
                           videoMediaMetadata={"durationMillis": "3485000", "width": 1920, "height": 1080}))
    items.append(make_file(VTT, "GMT20210209-170012_Recording.transcript.vtt", "text/vtt", DAY, WHEN, 1))
    items.append(make_file(CHAT, "GMT20210209-170012_RecordingnewChat.txt", "text/plain", DAY, WHEN, 1))
    items.append(make_file(DOC_ID, "Meeting notes 20210209", DOC, DAY, WHEN))
    data = DriveData(items, root_folder_id=FOLDER_ID)
    data.set_media(VTT, zoom_vtt())
    data.set_media(CHAT, CHAT_TEXT)
    return data


@pytest.fixture
def emu():
    yt = YouTubeData.generate(videos=0, seed=5, channel_id=CHANNEL)
    yt.add_video("feb09video1", title="Flyte Community Sync 2021-02-09", channel_id=CHANNEL,
                 published_at="2021-02-09T19:00:00Z", duration="PT58M")
    with Emulator(youtube=yt, drive=archive(), api_key=KEY) as e:
        yield e




@pytest.fixture
def notes(tmp_path):
    path = tmp_path / "notes.md"
    path.write_text(NOTES)
    return path


def media_calls(emu) -> int:
    """files.get calls, downloads (alt=media) among them."""
    return emu.stats()["calls"].get("drive.files.get", 0)


def test_zoom_transcript_is_linked_to_its_recording_and_places_talks(run_sync, emu, notes, tmp_path):
    db = tmp_path / "i.db"
    res = run_sync(db, notes, "--api-key", KEY, "--api-endpoint", emu.url)
    assert res.exit_code == 0, res.output
    assert "Drive transcripts: 2 downloaded" in res.output
    conn = sqlite3.connect(db)
    rows = {r[0]: r[1:] for r in conn.execute("select id, kind, drive_file_id, video_id, source_version from transcripts")}
    # linked to the recording (same Zoom stem) and to the YouTube video that is that recording uploaded
    assert rows[f"drive:{VTT}"][:3] == ("zoom", MP4, "feb09video1")
    assert rows[f"drive:{VTT}"][3] == emu.drive.files[VTT]["md5Checksum"]
    assert rows[f"drive:{CHAT}"][:3] == ("chat", MP4, None)  # never used to place talks
    speakers = {s for (s,) in conn.execute("select distinct speaker from transcript_cues")}
    assert {"Katrina Rogan", "Nian Tang", "Miguel Ruiz", "Sonja"} <= speakers
    assert conn.execute("select count(*) from transcript_cues where text like '%private%'").fetchone()[0] == 0
    moments = {t: (s, m) for t, s, m in conn.execute("select talk_id, start_s, method from talk_recordings")}
    start, method = moments["2021-02-09/flyte-egress-events"]
    assert method == "transcript" and abs(start - 16) <= 10
    start, method = moments["2021-02-09/flyte-at-lyft-l5-autonomous-cars-using-bazel"]
    assert method == "transcript" and abs(start - 184) <= 10
    assert moments["2021-02-09/planning"][1] == "meeting"
    # no quota for any of it
    assert not any(m.startswith("youtube.captions") for m in emu.stats()["calls"])


def test_downloads_are_incremental_by_md5(run_sync, emu, notes, tmp_path):
    db, args = tmp_path / "i.db", ["--api-key", KEY, "--api-endpoint", emu.url]
    assert run_sync(db, notes, *args).exit_code == 0
    emu.reset_stats()
    res = run_sync(db, notes, *args)
    assert "Drive transcripts: 0 downloaded (0 cues), 2 unchanged" in res.output, res.output
    before = media_calls(emu)
    # the transcript is replaced on Drive: downloaded again, its old cues gone from search
    emu.drive.set_media(VTT, zoom_vtt().replace("Bazel", "Buck"))
    emu.drive.touch(VTT)
    emu.reset_stats()
    res = run_sync(db, notes, *args)
    assert "Drive transcripts: 1 downloaded" in res.output and "1 unchanged" in res.output, res.output
    assert media_calls(emu) <= before + 1
    conn = sqlite3.connect(db)
    match = "select count(*) from transcript_cues_fts where transcript_cues_fts match ?"
    assert conn.execute(match, ["buck"]).fetchone()[0] > 0
    assert conn.execute(match, ["bazel"]).fetchone()[0] == 1  # the chat's message only
    # deleted from Drive: its transcript goes too
    emu.drive.delete(CHAT)
    res = run_sync(db, notes, *args)
    assert "1 removed" in res.output
    conn = sqlite3.connect(db)
    assert conn.execute("select count(*) from transcripts where id = ?", [f"drive:{CHAT}"]).fetchone()[0] == 0
    assert conn.execute(match, ["bazel"]).fetchone()[0] == 0 and conn.execute(match, ["slides"]).fetchone()[0] == 0


def test_record_then_replay_covers_the_downloads(run_sync, emu, notes, tmp_path):
    rec, live, replayed = tmp_path / "rec", tmp_path / "live.db", tmp_path / "replayed.db"
    assert run_sync(live, notes, "--api-key", KEY, "--api-endpoint", emu.url, "--record", rec).exit_code == 0
    res = run_sync(replayed, notes, "--replay", rec)
    assert res.exit_code == 0 and "Drive transcripts: 2 downloaded" in res.output, res.output
    query = "select id, kind, content_hash, cues from transcripts order by id"
    assert sqlite3.connect(replayed).execute(query).fetchall() == sqlite3.connect(live).execute(query).fetchall()



def test_a_download_that_fails_leaves_the_others_stored(run_sync, emu, notes, tmp_path):
    import json

    rec, replayed = tmp_path / "rec", tmp_path / "replayed.db"
    assert run_sync(tmp_path / "live.db", notes, "--api-key", KEY, "--api-endpoint", emu.url,
                    "--record", rec).exit_code == 0
    # the recording lacks the transcript's download: replaying it fails that file alone
    media = [p for p in rec.glob("*.json") if VTT in json.loads(p.read_text())["request"]
             and "alt=media" in json.loads(p.read_text())["request"]]
    assert len(media) == 1
    media[0].unlink()
    res = run_sync(replayed, notes, "--replay", rec)
    assert res.exit_code == 0, res.output
    assert "Drive transcripts: 1 downloaded" in res.output and "1 skipped" in res.output, res.output
    conn = sqlite3.connect(replayed)
    assert [r for (r,) in conn.execute("select id from transcripts")] == [f"drive:{CHAT}"]
    assert conn.execute("select count(*) from transcript_cues").fetchone()[0] == 2



def test_a_recording_the_matcher_reads_as_media_has_its_transcript(run_sync, emu, notes, tmp_path):
    # an .avi Drive serves as octet-stream: the matcher takes it for the meeting's recording,
    # and the transcript beside it is read as that recording's
    emu.drive.files[MP4].update(name="GMT20210209-170012_Recording.avi", mimeType="application/octet-stream")
    db = tmp_path / "i.db"
    assert run_sync(db, notes, "--api-key", KEY, "--api-endpoint", emu.url).exit_code == 0
    conn = sqlite3.connect(db)
    assert conn.execute("select count(*) from recordings where ref = ?", [MP4]).fetchone()[0] == 1
    rows = {r[0]: r[1] for r in conn.execute("select id, drive_file_id from transcripts")}
    assert rows == {f"drive:{VTT}": MP4, f"drive:{CHAT}": MP4}

# ---------------------------------------------------------------- pure parts


def test_files_are_linked_by_zoom_stem_else_by_folder_and_time():
    media = [
        {"id": "m4a", "name": "GMT20210209-170012_Recording.m4a", "mime_type": "audio/x-m4a", "parent_id": "d"},
        {"id": "mp4", "name": "GMT20210209-170012_Recording_1920x1080.mp4", "mime_type": "video/mp4",
         "parent_id": "d"},
        {"id": "other", "name": "GMT20210223-170000_Recording_1280x720.mp4", "mime_type": "video/mp4",
         "parent_id": "d"},
        {"id": "named", "name": "2021-03-09 Flyte sync.mp4", "mime_type": "video/mp4", "parent_id": "e",
         "created_time": "2021-03-09T18:10:00.000Z"},
        {"id": "far", "name": "2021-03-02 Flyte sync.mp4", "mime_type": "video/mp4", "parent_id": "e",
         "created_time": "2021-03-02T18:00:00.000Z"},
    ]
    assert recording_for({"name": "GMT20210209-170012_Recording.cc.vtt", "parent_id": "x"}, media)["id"] == "mp4"
    near = {"name": "Meeting transcript.vtt", "parent_id": "e", "created_time": "2021-03-09T18:40:00.000Z"}
    assert recording_for(near, media)["id"] == "named"
    assert recording_for(dict(near, parent_id="z"), media) is None
    assert [kind_of(n) for n in ("a.transcript.vtt", "a.cc.vtt", "x_RecordingnewChat.txt", "notes.txt", "a.mp4")] == [
        "zoom", "zoom", "chat", None, None]



def test_a_file_without_a_zone_is_read_as_utc_as_the_matcher_reads_it():
    media = [{"id": "named", "name": "2021-03-09 Flyte sync.mp4", "mime_type": "video/mp4", "parent_id": "e",
              "created_time": "2021-03-09T18:10:00"}]
    near = {"name": "Meeting transcript.vtt", "parent_id": "e", "created_time": "2021-03-09T18:40:00.000Z"}
    assert recording_for(near, media)["id"] == "named"
    assert recording_for(dict(near, created_time="2021-03-09T21:40:00"), media) is None

def test_chat_keeps_public_messages_with_their_senders():
    old_style = "00:01:10\t From  Ada Park : hi all\n00:02:00\t From  Bo to  Ada Park(Direct Message) : psst\n"
    assert chat_cues(old_style) == [(0.0, 0.0, "Ada Park", "hi all")]
    cues = chat_cues(CHAT_TEXT)
    assert [(c[0], c[2], c[3]) for c in cues] == [(0.0, "Sonja", "slides link please"),
                                                  (230.0, "Miguel Ruiz", "the bazel repo is public")]


# ---------------------------------------------------------------- the emulator, through googleapiclient


def test_emulator_downloads_binary_files_and_refuses_google_docs(emu):
    drive = build("drive", "v3", static_discovery=True, developerKey=KEY,
                  client_options={"api_endpoint": emu.url + "/drive/v3/"})
    body = drive.files().get_media(fileId=VTT).execute()
    import hashlib

    assert body.decode().startswith("WEBVTT") and hashlib.md5(body).hexdigest() == emu.drive.files[VTT]["md5Checksum"]
    assert drive.files().get_media(fileId=MP4).execute()  # a placeholder for media the emulator holds no bytes of
    with pytest.raises(HttpError) as info:
        drive.files().get_media(fileId=DOC_ID).execute()
    assert info.value.resp.status == 403 and b"fileNotDownloadable" in info.value.content


def test_generated_archive_holds_zoom_transcripts_beside_recordings():
    data = DriveData.generate(folders=10, files=120, seed=4)
    names = [f["name"] for f in data.files.values()]
    transcripts = [f for f in data.files.values() if f["name"].endswith(".transcript.vtt")]
    assert transcripts
    for f in transcripts:
        text = data.media[f["id"]].decode()
        assert text.startswith("WEBVTT") and ": " in text.splitlines()[4]
    stems = {n[:18] for n in names if n.endswith(".mp4") and n.startswith("GMT")}
    assert any(f["name"][:18] in stems for f in transcripts)


def test_binary_media_is_recorded_as_bytes_and_replayed_exactly(emu, tmp_path):
    from indexer.google.client import GoogleClient

    blob = bytes(range(256)) * 4  # not UTF-8
    emu.drive.set_media(MP4, blob)
    recording = GoogleClient("drive", "v3", api_key=KEY, api_endpoint=emu.url + "/drive/v3/", record=tmp_path / "rec")
    assert recording.execute(recording.service.files().get_media(fileId=MP4)) == blob
    text = recording.execute(recording.service.files().get_media(fileId=VTT))
    replay = GoogleClient("drive", "v3", replay=tmp_path / "rec")
    assert replay.execute(replay.service.files().get_media(fileId=MP4)) == blob
    assert replay.execute(replay.service.files().get_media(fileId=VTT)) == text
    # the text stays readable in the recording
    assert any("Katrina Rogan" in p.read_text() for p in (tmp_path / "rec").iterdir())


def test_a_subtitle_file_without_the_zoom_stem_is_linked_by_folder_and_time(run_sync, emu, notes, tmp_path):
    plain = "WEBVTT\n\n00:00:01.000 --> 00:00:04.000\nwelcome everyone\n\n00:00:05.000 --> 00:00:08.000\nlets begin\n"
    fid = emu.drive.add_file("Meeting transcript.vtt", DAY, "text/vtt", media=plain,
                             createdTime="2021-02-09T17:40:00.000Z")
    far = emu.drive.add_file("Old notes.vtt", DAY, "text/vtt", media=plain, createdTime="2021-02-12T17:40:00.000Z")
    db = tmp_path / "i.db"
    assert run_sync(db, notes, "--api-key", KEY, "--api-endpoint", emu.url).exit_code == 0
    rows = {r[0]: r[1:] for r in sqlite3.connect(db).execute("select id, kind, drive_file_id, cues from transcripts")}
    assert rows[f"drive:{fid}"] == ("file", MP4, 2)  # no speakers named: not read as Zoom's
    assert f"drive:{far}" not in rows  # three days away: no recording of a meeting beside it


def test_transcript_writer_removes_a_transcript_with_its_cues_and_their_index():
    import sqlite_utils

    from indexer.store.schema import create
    from indexer.transcripts.store import TranscriptWriter

    db = sqlite_utils.Database(memory=True)
    create(db, "notes")
    with TranscriptWriter(db) as writer:
        for tid, word in (("drive:a", "bazel"), ("drive:b", "buck")):
            writer.save({"id": tid, "kind": "zoom", "cues": 1}, [(0.0, 1.0, None, f"built with {word}")],
                        replaces=False)
    with TranscriptWriter(db) as writer:
        writer.remove("drive:a")
    match = "select count(*) from transcript_cues_fts where transcript_cues_fts match ?"
    assert db.execute(match, ["bazel"]).fetchone()[0] == 0 and db.execute(match, ["buck"]).fetchone()[0] == 1
    assert [r[0] for r in db.execute("select id from transcripts")] == ["drive:b"]
    assert [r[0] for r in db.execute("select transcript_id from transcript_cues")] == ["drive:b"]
    db.execute("insert into transcript_cues_fts (transcript_cues_fts) values ('integrity-check')")
