"""Applying the Drive changes feed to a stored tree: plain change dicts in, rows out."""
import sqlite_utils

from indexer.drive import harvest as drive

FOLDER = drive.FOLDER


def item(id, name, parent, mime="video/mp4", **extra):
    return {"id": id, "name": name, "mimeType": mime, "parents": [parent] if parent else [], **extra}


def stored_tree():
    db = sqlite_utils.Database(memory=True)
    drive.create_tables(db)
    tree = drive.Tree("R")
    root = item("R", "Archive", None, FOLDER)
    page = {"folders": [drive.folder_row(root, None, "Archive", "R", (None, None))], "files": []}
    tree.folders["R"] = ("Archive", None, None)
    for it in (item("Y", "2021", "R", FOLDER), item("A", "02-09", "Y", FOLDER),
               item("f1", "GMT20210209-170012_Recording.mp4", "A", size="10"),
               item("f2", "deck.pdf", "A", "application/pdf")):
        drive._place(tree, it, it["parents"][0], page)
    drive.save_page(db, page, "2026-01-01T00:00:00+00:00")
    return db, drive.load_tree(db, "R")


def row(db, table, id):
    return db[table].get(id)


def test_stored_tree_has_paths_and_inherited_dates():
    db, tree = stored_tree()
    assert row(db, "drive_files", "f2")["path"] == "Archive/2021/02-09/deck.pdf"
    assert row(db, "drive_files", "f2")["name_date"] == "2021-02-09"
    assert row(db, "drive_files", "f2")["name_date_form"] == "folder:year/month-day"
    assert row(db, "drive_files", "f1")["name_date"] == "2021-02-09T17:00:12Z"
    assert set(tree.folders) == {"R", "Y", "A"}


def test_added_renamed_trashed():
    db, tree = stored_tree()
    now = "2026-01-02T00:00:00+00:00"
    assert drive.apply_change(db, tree, {"fileId": "f3", "file": item("f3", "new.mp4", "A")}, now) == ("added", [])
    assert row(db, "drive_files", "f3")["path"] == "Archive/2021/02-09/new.mp4"
    assert row(db, "drive_files", "f3")["first_seen"] == now
    what = drive.apply_change(db, tree, {"fileId": "f2", "file": item("f2", "slides.pdf", "A")}, now)
    assert what == ("updated", [])
    f2 = row(db, "drive_files", "f2")
    assert (f2["name"], f2["path"], f2["first_seen"]) == ("slides.pdf", "Archive/2021/02-09/slides.pdf",
                                                         "2026-01-01T00:00:00+00:00")
    trashed = item("f1", "GMT20210209-170012_Recording.mp4", "A", trashed=True)
    assert drive.apply_change(db, tree, {"fileId": "f1", "file": trashed}, now)[0] == "removed"
    assert row(db, "drive_files", "f1")["removed_at"] == now
    # a removal the feed reports without the file
    assert drive.apply_change(db, tree, {"fileId": "f3", "removed": True}, now)[0] == "removed"
    assert row(db, "drive_files", "f3")["removed_at"] == now


def test_outside_changes_are_ignored():
    db, tree = stored_tree()
    what = drive.apply_change(db, tree, {"fileId": "x", "file": item("x", "other.mp4", "ELSEWHERE")}, "t")
    assert what == ("ignored", [])
    assert not db["drive_files"].count_where("id = 'x'")
    assert drive.apply_change(db, tree, {"fileId": "y", "removed": True}, "t") == ("ignored", [])


def test_moves_out_of_and_into_the_tree():
    db, tree = stored_tree()
    now = "2026-01-03T00:00:00+00:00"
    # a file moved out
    assert drive.apply_change(db, tree, {"fileId": "f2", "file": item("f2", "deck.pdf", "ELSEWHERE")}, now)[0] == "removed"
    assert row(db, "drive_files", "f2")["removed_at"] == now
    # a whole folder moved out takes its contents along
    assert drive.apply_change(db, tree, {"fileId": "A", "file": item("A", "02-09", "ELSEWHERE", FOLDER)}, now)[0] == "removed"
    assert row(db, "drive_folders", "A")["removed_at"] == now
    assert row(db, "drive_files", "f1")["removed_at"] == now
    assert "A" not in tree.folders
    # ... and moved back in: live again, and its contents must be listed
    back = drive.apply_change(db, tree, {"fileId": "A", "file": item("A", "02-09", "Y", FOLDER)}, now)
    assert back == ("added", ["A"])
    assert row(db, "drive_folders", "A")["removed_at"] is None


def test_folder_rename_moves_descendant_paths():
    db, tree = stored_tree()
    drive.apply_change(db, tree, {"fileId": "Y", "file": item("Y", "Year 2021", "R", FOLDER)}, "t")
    assert row(db, "drive_files", "f1")["path"] == "Archive/Year 2021/02-09/GMT20210209-170012_Recording.mp4"
    assert row(db, "drive_folders", "A")["path"] == "Archive/Year 2021/02-09"
    assert tree.folders["A"][0] == "Archive/Year 2021/02-09"
    # a file added below after the rename gets the new path
    drive.apply_change(db, tree, {"fileId": "f9", "file": item("f9", "x.pdf", "A")}, "t")
    assert row(db, "drive_files", "f9")["path"] == "Archive/Year 2021/02-09/x.pdf"


def test_mark_removed_after_full_walk():
    db, _ = stored_tree()
    assert drive.mark_removed(db, "R", {"R", "Y", "A", "f1"}, "gone") == 1
    assert row(db, "drive_files", "f2")["removed_at"] == "gone"
    assert row(db, "drive_files", "f1")["removed_at"] is None


def test_root_renamed_trashed_and_restored():
    db, tree = stored_tree()
    root = item("R", "Archive 2020-2021", None, FOLDER)
    assert drive.apply_change(db, tree, {"fileId": "R", "file": root}, "t1") == ("updated", [])
    assert row(db, "drive_files", "f2")["path"] == "Archive 2020-2021/2021/02-09/deck.pdf"
    assert row(db, "drive_folders", "R")["path"] == "Archive 2020-2021"
    # the whole archive trashed: everything removed
    assert drive.apply_change(db, tree, {"fileId": "R", "file": dict(root, trashed=True)}, "t2")[0] == "removed"
    assert db.execute("select count(*) from drive_files where removed_at is null").fetchone()[0] == 0
    assert db.execute("select count(*) from drive_folders where removed_at is null").fetchone()[0] == 0
    # restored: live again and to be listed from the top
    assert drive.apply_change(db, tree, {"fileId": "R", "file": root}, "t3") == ("added", ["R"])
    assert row(db, "drive_folders", "R")["removed_at"] is None
