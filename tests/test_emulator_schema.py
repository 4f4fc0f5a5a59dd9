"""Emulator responses checked against the discovery documents googleapiclient ships:
every property must exist in the schema with the right type, so the emulator
cannot drift from the real API."""
import json
from importlib import resources

import pytest
from google.oauth2 import service_account
from googleapiclient.discovery import build

from meetup_emulator import DriveData, Emulator, YouTubeData

DOCS = resources.files("googleapiclient") / "discovery_cache" / "documents"
YT_DOC = json.loads((DOCS / "youtube.v3.json").read_text())
DRIVE_DOC = json.loads((DOCS / "drive.v3.json").read_text())
# values Google really returns though the discovery enums omit them: deleted videos in
# ordinary playlists come back with status.privacyStatus "privacyStatusUnspecified"
OUTSIDE_ENUM = {"privacyStatusUnspecified"}
PY_TYPES = {"string": str, "boolean": bool, "array": list, "object": dict}


def validate(value, schema, doc, path="$"):
    """Problems found, as "path: message" strings (empty when value fits schema)."""
    while "$ref" in schema:
        schema = doc["schemas"][schema["$ref"]]
    t = schema.get("type")
    if t == "any" or t is None and "properties" not in schema:
        return []
    if t == "integer":
        ok = isinstance(value, int) and not isinstance(value, bool)
    elif t == "number":
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
    else:
        ok = isinstance(value, PY_TYPES.get(t or "object", object))
    if not ok:
        return [f"{path}: {type(value).__name__} where the schema says {t}"
                + (f" ({schema['format']})" if "format" in schema else "")]
    problems = []
    if t == "string" and "enum" in schema and value not in schema["enum"] and value not in OUTSIDE_ENUM:
        problems.append(f"{path}: {value!r} not in {schema['enum']}")
    if t == "array":
        for i, v in enumerate(value):
            problems += validate(v, schema.get("items", {}), doc, f"{path}[{i}]")
    if isinstance(value, dict):
        props = schema.get("properties", {})
        extra = schema.get("additionalProperties")
        for k, v in value.items():
            if k in props:
                problems += validate(v, props[k], doc, f"{path}.{k}")
            elif extra is not None:
                problems += validate(v, extra, doc, f"{path}.{k}")
            else:
                problems.append(f"{path}.{k}: not in the schema")
    return problems


def response_schema(doc, resource, method):
    return doc["resources"][resource]["methods"][method]["response"]


def test_validator_catches_drift():
    schema = response_schema(YT_DOC, "videos", "list")
    good = {"kind": "youtube#videoListResponse", "items": [{"id": "x", "statistics": {"viewCount": "3"}}]}
    assert validate(good, schema, YT_DOC) == []
    bad = {"kind": "youtube#videoListResponse", "items": [{"id": "x", "statistics": {"viewCount": 3},
                                                           "snippet": {"titel": "t"}}]}
    problems = validate(bad, schema, YT_DOC)
    assert any("viewCount" in p and "string" in p for p in problems)
    assert any("titel: not in the schema" in p for p in problems)
    assert validate({"items": [{"snippet": {"liveBroadcastContent": "sometimes"}}]}, schema, YT_DOC)


@pytest.fixture(scope="module")
def emu():
    d = DriveData.generate(folders=30, files=400, seed=4)
    with Emulator(youtube=YouTubeData.generate(videos=400, seed=4), drive=d, api_key="k") as e:
        fid = next(iter(d.children(d.root_folder_id)))
        d.add_file("GMT20300101-170000_Recording_1920x1080.mp4", fid)
        d.trash(fid)
        d.delete(next(f for f in d.files if d.files[f]["mimeType"] == "video/mp4"))
        yield e


def test_youtube_responses_fit_the_discovery_schemas(emu):
    yt = build("youtube", "v3", static_discovery=True, developerKey="k", client_options={"api_endpoint": emu.url})
    data = emu.youtube
    cid = next(iter(data.channels))
    checked = []

    def check(resource, response):
        problems = validate(response, response_schema(YT_DOC, resource, "list"), YT_DOC)
        assert problems == [], problems[:10]
        for item in response.get("items", []):
            assert item["kind"].startswith("youtube#") and item["etag"]
        assert response["kind"] and response["etag"]
        checked.append(resource)

    for q in ({"id": cid}, {"forHandle": data.channels[cid]["snippet"]["customUrl"]}, {"id": "UCnone"}):
        check("channels", yt.channels().list(part="id,snippet,contentDetails,statistics", **q).execute())
    pls = yt.playlists().list(part="id,snippet,contentDetails,status", channelId=cid, maxResults=50).execute()
    check("playlists", pls)
    video_ids = set()
    for pid in ["UU" + cid[2:]] + [p["id"] for p in pls["items"]]:
        token = None
        while True:
            r = yt.playlistItems().list(part="id,snippet,contentDetails,status", playlistId=pid, maxResults=50,
                                        pageToken=token).execute()
            check("playlistItems", r)
            video_ids |= {i["contentDetails"]["videoId"] for i in r["items"]}
            token = r.get("nextPageToken")
            if not token:
                break
    video_ids = sorted(video_ids)
    for i in range(0, len(video_ids), 50):
        r = yt.videos().list(part="id,snippet,contentDetails,statistics,liveStreamingDetails,status,recordingDetails",
                             id=",".join(video_ids[i:i + 50])).execute()
        check("videos", r)
    # the generated channel really exercised the parts that vary
    everything = [data.videos.peek(v) for v in data.videos]
    assert any("liveStreamingDetails" in v for v in everything) and any("recordingDetails" in v for v in everything)
    assert len(checked) > 10


def test_drive_responses_fit_the_discovery_schemas(emu):
    creds = service_account.Credentials.from_service_account_info(
        emu.service_account_info(), scopes=["https://www.googleapis.com/auth/drive.readonly"])
    dr = build("drive", "v3", static_discovery=True, credentials=creds,
               client_options={"api_endpoint": emu.url + "/drive/v3/"})

    def check(resource, method, response):
        problems = validate(response, response_schema(DRIVE_DOC, resource, method), DRIVE_DOC)
        assert problems == [], problems[:10]

    token = None
    kinds = set()
    while True:
        r = dr.files().list(pageSize=300, pageToken=token, fields="*", supportsAllDrives=True,
                            includeItemsFromAllDrives=True).execute()
        check("files", "list", r)
        kinds |= {f["mimeType"] for f in r["files"]}
        token = r.get("nextPageToken")
        if not token:
            break
    assert {"application/vnd.google-apps.shortcut", "application/vnd.google-apps.folder", "video/mp4"} <= kinds
    check("files", "list", dr.files().list(q="trashed = false").execute())  # default fields
    for fid in list(emu.drive.files)[:50]:
        check("files", "get", dr.files().get(fileId=fid, fields="*", supportsAllDrives=True).execute())
    check("changes", "getStartPageToken", dr.changes().getStartPageToken().execute())
    r = dr.changes().list(pageToken=str(emu.drive.CHANGE_BASE), fields="*", supportsAllDrives=True, pageSize=1000,
                          includeItemsFromAllDrives=True).execute()
    assert any(c["removed"] for c in r["changes"]) and any("file" in c for c in r["changes"])
    check("changes", "list", r)
