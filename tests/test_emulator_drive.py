"""The Drive side of the emulator, driven with the real googleapiclient."""
import json

import pytest
from google.oauth2 import service_account
from googleapiclient.discovery import build
from googleapiclient.errors import HttpError

from meetup_emulator import DriveData, Emulator
from meetup_emulator.drive_data import DOC, FOLDER, SHORTCUT
from meetup_emulator.drive_query import QueryError, matches, parse_query

KEY = "test-key"
SCOPES = ["https://www.googleapis.com/auth/drive.readonly"]
FIELDS = "nextPageToken,files(id,name,mimeType,parents,trashed,size,videoMediaMetadata,shortcutDetails,driveId)"


def drive(emu, credentials=None):
    kw = {"credentials": credentials} if credentials else {"developerKey": KEY}
    return build("drive", "v3", static_discovery=True, client_options={"api_endpoint": emu.url + "/drive/v3/"}, **kw)


def sa_drive(emu):
    creds = service_account.Credentials.from_service_account_info(emu.service_account_info(), scopes=SCOPES)
    return drive(emu, creds)


def reason(exc):
    return json.loads(exc.content)["error"]["errors"][0]["reason"]


@pytest.fixture
def emu():
    with Emulator(drive=DriveData.generate(folders=40, files=900, seed=5, root_folder_id="1rootrootrootrootrootrootrootroot"),
                  api_key=KEY) as e:
        yield e


def list_all(service, q, page_size=1000, **kw):
    files, token, calls = [], None, 0
    while True:
        r = service.files().list(q=q, pageSize=page_size, pageToken=token, fields=FIELDS, **kw).execute()
        calls += 1
        files += r["files"]
        token = r.get("nextPageToken")
        if not token:
            return files, calls


def walk(service, root, k=20, **kw):
    """A breadth-first tree walk asking for k folders' children per query."""
    found, frontier, calls, seen = {}, [root], 0, {root}
    while frontier:
        batch, frontier = frontier[:k], frontier[k:]
        q = "(" + " or ".join(f"'{p}' in parents" for p in batch) + ") and trashed = false"
        files, n = list_all(service, q, **kw)
        calls += n
        for f in files:
            found[f["id"]] = f
            target = f.get("shortcutDetails", {}).get("targetId") if f["mimeType"] == SHORTCUT else None
            nxt = f["id"] if f["mimeType"] == FOLDER else target if f.get("shortcutDetails", {}).get("targetMimeType") == FOLDER else None
            if nxt and nxt not in seen:
                seen.add(nxt)
                frontier.append(nxt)
    return found, calls


def test_query_parser():
    f = {"name": "GMT20210209-170012_Recording_1920x1080.mp4", "mimeType": "video/mp4", "parents": ["a"],
         "trashed": False, "modifiedTime": "2021-02-09T17:00:12.000Z"}
    assert matches(parse_query("'a' in parents and trashed = false"), f)
    assert not matches(parse_query("'b' in parents or 'c' in parents"), f)
    assert matches(parse_query("('b' in parents or 'a' in parents) and mimeType != 'application/vnd.google-apps.folder'"), f)
    assert matches(parse_query("name contains 'recording' and not trashed = true"), f)
    assert matches(parse_query("modifiedTime > '2021-02-01T00:00:00' and modifiedTime < '2021-03-01'"), f)
    assert matches(parse_query(r"name != 'it\'s'"), f)
    for bad in ["'a' in", "name = ", "bogus = 'x'", "('a' in parents", "trashed = false)"]:
        with pytest.raises(QueryError):
            parse_query(bad)


def test_generated_tree_has_the_shapes_a_harvester_meets():
    d = DriveData.generate(folders=30, files=400, seed=2)
    names = [f["name"] for f in d.files.values()]
    assert any(n.startswith("GMT") and n.endswith("_Recording_1920x1080.mp4") for n in names)
    assert any(n[:4].isdigit() and "-" in n and n.endswith(".mp4") and not n.startswith("GMT") for n in names)
    vids = [f for f in d.files.values() if f["mimeType"] == "video/mp4"]
    assert any("videoMediaMetadata" in f for f in vids)
    assert all(isinstance(f["videoMediaMetadata"]["durationMillis"], str) for f in vids if "videoMediaMetadata" in f)
    assert sum(f["mimeType"] == FOLDER for f in d.files.values()) >= 30
    shortcuts = [f for f in d.files.values() if f["mimeType"] == SHORTCUT]
    assert any(s["shortcutDetails"]["targetId"] == d.root_folder_id for s in shortcuts)  # a cycle
    assert any(f.get("driveId") for f in d.files.values()) and d.drives
    assert any(f["mimeType"] == DOC and d.contents.get(f["id"]) for f in d.files.values())
    assert DriveData.generate(folders=30, files=400, seed=2).files == d.files


def test_walk_with_or_batched_parents_pages_and_shared_drive(emu):
    s = drive(emu)
    found, calls = walk(s, emu.drive.root_folder_id, k=10)
    # no shared-drive items without the flags
    assert not any(f.get("driveId") for f in found.values())
    found2, calls2 = walk(s, emu.drive.root_folder_id, k=10, supportsAllDrives=True, includeItemsFromAllDrives=True)
    shared = {f["id"] for f in found2.values() if f.get("driveId")}
    assert len(shared) == 3
    assert set(found2) - set(found) == shared
    live = {fid for fid, f in emu.drive.files.items() if not f["trashed"] and not f.get("driveId")}
    assert set(found) <= live
    assert any(f["name"].startswith("GMT") for f in found.values())
    stats = emu.stats()["calls"]
    assert stats["drive.files.list"] == calls + calls2


def test_page_size_limits_and_short_listing(emu):
    s = drive(emu)
    year = next(f for f in emu.drive.files.values() if f["name"] == "2020")
    q = "'%s' in parents" % emu.drive.files[next(iter(emu.drive.children(year["id"])))]["id"]
    small, calls = list_all(s, q, page_size=7)
    big, _ = list_all(s, q, page_size=1000)
    assert [f["id"] for f in small] == [f["id"] for f in big] and calls == -(-len(big) // 7)
    r = s.files().list(q=q).execute()
    assert set(r) <= {"kind", "incompleteSearch", "files", "nextPageToken"}
    assert all(set(f) == {"kind", "id", "name", "mimeType"} for f in r["files"])
    with pytest.raises(HttpError) as e:
        s.files().list(q=q, pageSize=1001).execute()
    assert e.value.resp.status == 400
    with pytest.raises(HttpError) as e:
        s.files().list(q="'x' in parents and", pageSize=10).execute()
    assert e.value.resp.status == 400 and reason(e.value) == "invalid"
    with pytest.raises(HttpError) as e:
        s.files().list(q=q, fields="files(id,nosuchfield)").execute()
    assert e.value.resp.status == 400 and reason(e.value) == "invalidParameter"


def test_trashed_files_listed_unless_excluded(emu):
    s = drive(emu)
    parent = next(iter(emu.drive.children(emu.drive.root_folder_id)))
    fid = emu.drive.add_file("GMT20990101-000000_Recording_1280x720.mp4", parent)
    emu.drive.trash(fid)
    with_trash, _ = list_all(s, f"'{parent}' in parents")
    without, _ = list_all(s, f"'{parent}' in parents and trashed = false")
    assert fid in {f["id"] for f in with_trash} and fid not in {f["id"] for f in without}


def test_files_get_shortcut_and_shared_drive(emu):
    s = drive(emu)
    sc = next(f for f in emu.drive.files.values() if f["mimeType"] == SHORTCUT)
    got = s.files().get(fileId=sc["id"], fields="id,name,mimeType,shortcutDetails").execute()
    assert got["shortcutDetails"]["targetId"] == sc["shortcutDetails"]["targetId"]
    assert set(got["shortcutDetails"]) >= {"targetId", "targetMimeType"}
    shared = next(f for f in emu.drive.files.values() if f.get("driveId"))
    with pytest.raises(HttpError) as e:
        s.files().get(fileId=shared["id"]).execute()
    assert e.value.resp.status == 404 and reason(e.value) == "notFound"
    assert s.files().get(fileId=shared["id"], supportsAllDrives=True, fields="driveId").execute() == {
        "driveId": shared["driveId"]}
    with pytest.raises(HttpError) as e:
        s.files().get(fileId="1nosuchfile").execute()
    assert e.value.resp.status == 404


def test_export_markdown_plain_and_limits(emu):
    s = drive(emu)
    doc = next(f for f in emu.drive.files.values() if f["mimeType"] == DOC)
    md = s.files().export(fileId=doc["id"], mimeType="text/markdown").execute().decode()
    assert md == emu.drive.contents[doc["id"]] and md.startswith("# ")
    plain = s.files().export_media(fileId=doc["id"], mimeType="text/plain").execute().decode()
    assert not plain.startswith("#") and "Community sync notes" in plain
    video = next(f for f in emu.drive.files.values() if f["mimeType"] == "video/mp4")
    with pytest.raises(HttpError) as e:
        s.files().export(fileId=video["id"], mimeType="text/plain").execute()
    assert e.value.resp.status == 403 and reason(e.value) == "fileNotExportable"
    with pytest.raises(HttpError) as e:
        s.files().export(fileId=doc["id"], mimeType="image/png").execute()
    assert e.value.resp.status == 400
    emu.drive.export_limit = 10
    with pytest.raises(HttpError) as e:
        s.files().export(fileId=doc["id"], mimeType="text/markdown").execute()
    assert e.value.resp.status == 403 and reason(e.value) == "exportSizeLimitExceeded"


def test_changes_need_oauth(emu):
    with pytest.raises(HttpError) as e:
        drive(emu).changes().getStartPageToken().execute()
    assert e.value.resp.status == 401 and reason(e.value) == "required"
    with pytest.raises(HttpError) as e:
        drive(emu).changes().list(pageToken="1000").execute()
    assert e.value.resp.status == 401


def test_changes_feed_add_rename_trash_move_delete(emu):
    s = sa_drive(emu)
    d = emu.drive
    start = s.changes().getStartPageToken().execute()["startPageToken"]
    r = s.changes().list(pageToken=start).execute()
    assert r["changes"] == [] and r["newStartPageToken"] == start
    folder = next(iter(d.children(d.root_folder_id)))
    files = [f for f in d.files.values() if f["mimeType"] == "video/mp4" and not f.get("driveId")]
    added = d.add_file("GMT20300101-170000_Recording_1920x1080.mp4", folder)
    d.rename(files[0]["id"], "renamed.mp4")
    d.rename(files[0]["id"], "renamed again.mp4")
    d.trash(files[1]["id"])
    d.move(files[2]["id"], "1somewhereelse")
    d.delete(files[3]["id"])
    shared = next(f for f in d.files.values() if f.get("driveId"))
    d.rename(shared["id"], "shared renamed.mp4")
    fields = "nextPageToken,newStartPageToken,changes(fileId,removed,file(id,name,parents,trashed))"
    got, token, pages = [], start, 0
    while True:
        r = s.changes().list(pageToken=token, pageSize=2, fields=fields).execute()
        pages += 1
        got += r["changes"]
        if "newStartPageToken" in r:
            break
        token = r["nextPageToken"]
    assert pages == 3  # five files changed (one twice: coalesced), two per page
    by_id = {c["fileId"]: c for c in got}
    assert len(got) == len(by_id) == 5
    assert by_id[added]["file"]["parents"] == [folder]
    assert by_id[files[0]["id"]]["file"]["name"] == "renamed again.mp4"
    assert by_id[files[1]["id"]]["file"]["trashed"] is True
    assert by_id[files[2]["id"]]["file"]["parents"] == ["1somewhereelse"]
    assert by_id[files[3]["id"]]["removed"] is True and "file" not in by_id[files[3]["id"]]
    r2 = s.changes().list(pageToken=r["newStartPageToken"]).execute()
    assert r2["changes"] == []
    # shared-drive changes only with the flags
    r3 = s.changes().list(pageToken=start, pageSize=100, supportsAllDrives=True, includeItemsFromAllDrives=True).execute()
    assert shared["id"] in {c["fileId"] for c in r3["changes"]}
    with pytest.raises(HttpError) as e:
        s.changes().list(pageToken="garbage").execute()
    assert e.value.resp.status == 400


def test_too_many_parents_in_one_query(emu):
    s = drive(emu)
    emu.drive.max_query_parents = 5
    q = " or ".join(f"'p{i}' in parents" for i in range(6))
    with pytest.raises(HttpError) as e:
        s.files().list(q=q).execute()
    assert e.value.resp.status == 413
    assert s.files().list(q=" or ".join(f"'p{i}' in parents" for i in range(5))).execute()["files"] == []


def test_load_from_drive_files_json(tmp_path, emu):
    s = drive(emu)
    everything, _ = list_all(s, "trashed = false or trashed = true", supportsAllDrives=True,
                             includeItemsFromAllDrives=True)
    full = [emu.drive.files[f["id"]] for f in everything]
    (tmp_path / "drive_files.json").write_text(json.dumps(full))
    loaded = DriveData.load(tmp_path)
    assert loaded.root_folder_id == emu.drive.root_folder_id
    with Emulator(drive=loaded, api_key=KEY) as emu2:
        a, _ = walk(drive(emu2), loaded.root_folder_id)
        b, _ = walk(s, emu.drive.root_folder_id)
        assert a == b


def test_quota_and_faults_on_drive():
    with Emulator(drive=DriveData.generate(folders=5, files=50, seed=1), api_key=KEY, quota_limit=2) as emu:
        s = drive(emu)
        s.files().list().execute()
        s.files().list().execute()
        with pytest.raises(HttpError) as e:
            s.files().list().execute()
        assert e.value.resp.status == 403 and reason(e.value) == "dailyLimitExceeded"
    with Emulator(drive=DriveData.generate(folders=5, files=50, seed=1), api_key=KEY, fault_rate=0.5,
                  fault_seed=3) as emu:
        s = drive(emu)
        for _ in range(10):
            req = s.files().list(pageSize=10)
            req._sleep = lambda s: None  # no real backoff in tests
            req.execute(num_retries=20)
        st = emu.stats()
        assert st["faults"] > 0 and st["calls"]["drive.files.list"] == 10 + st["faults"]
        assert st["quota_units"] == 10


def test_short_pages_still_cover_everything(emu):
    s = drive(emu)
    year = next(f for f in emu.drive.files.values() if f["name"] == "2020")
    q = f"'{year['id']}' in parents or '{emu.drive.root_folder_id}' in parents"
    full, calls = list_all(s, q, page_size=10)
    emu.drive.short_pages = True
    short, short_calls = list_all(s, q, page_size=10)
    assert [f["id"] for f in short] == [f["id"] for f in full]
    assert short_calls > calls


def test_long_or_batched_query_goes_as_post_override(emu):
    s = drive(emu)
    folders = [fid for fid, f in emu.drive.files.items() if f["mimeType"] == FOLDER and not f.get("driveId")]
    q = "(" + " or ".join(f"'{p}' in parents" for p in folders) + ") and trashed = false"
    req = s.files().list(q=q, pageSize=1000, fields=FIELDS)
    assert len(req.uri) > 2048
    r = req.execute()
    assert req.method == "POST" and req.headers["x-http-method-override"] == "GET"
    expected = {fid for fid, f in emu.drive.files.items()
                if set(f["parents"]) & set(folders) and not f["trashed"] and not f.get("driveId")}
    got = {f["id"] for f in r["files"]}
    token = r.get("nextPageToken")
    while token:
        r = s.files().list(q=q, pageSize=1000, fields=FIELDS, pageToken=token).execute()
        got |= {f["id"] for f in r["files"]}
        token = r.get("nextPageToken")
    assert got == expected


def test_tiny_and_empty_generations():
    d = DriveData.generate(folders=0, files=0, seed=9)
    assert d.files[d.root_folder_id]["mimeType"] == FOLDER
    with Emulator(drive=d, api_key=KEY) as emu:
        assert drive(emu).files().get(fileId=d.root_folder_id).execute()["id"] == d.root_folder_id


def test_dump_then_load(tmp_path, emu):
    emu.drive.dump(tmp_path)
    loaded = DriveData.load(tmp_path)
    assert loaded.files == emu.drive.files and loaded.contents == emu.drive.contents
    assert loaded.drives == emu.drive.drives and loaded.root_folder_id == emu.drive.root_folder_id
