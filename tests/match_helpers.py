"""Harvested rows for matcher tests, as the YouTube and Drive harvesters write them."""
import sqlite_utils

CHAPTERS = [(0, "Intro"), (754, "Flyte Egress Events - Nian (Spotify)"),
            (1900, "Bazel at Lyft L5 (Miguel)"), (3100, "Planning")]


def add_harvest(db_path, chapters=CHAPTERS, extra_videos=()):
    """Rows as the YouTube and Drive harvesters write them (docs/CONTRACTS.md columns)."""
    db = sqlite_utils.Database(db_path)
    base = {"channel_id": "UCNduEoLOToNo3nFVly-vUTQ", "description": "", "recorded_at": None, "views": 1,
            "likes": 0, "comments": 0, "tags": "[]", "thumbnail_url": None, "privacy_status": "public",
            "live_status": "none", "url": None, "first_seen": "2026-11-27T00:00:00Z",
            "last_seen": "2026-11-27T00:00:00Z", "removed_at": None, "raw": "{}"}
    videos = [
        {**base, "id": "iHBUxzSC9XE", "title": "Flyte OSS Sync", "published_at": "2021-02-10T01:00:00Z",
         "duration_s": 3725},
        {**base, "id": "kubecon0001", "title": "Flyte Egress Events | KubeCon EU 2021",
         "published_at": "2021-02-09T20:00:00Z", "duration_s": 1700},
        *extra_videos,
    ]
    db["videos"].insert_all(videos, pk="id", replace=True)
    db["chapters"].insert_all(
        [{"video_id": "iHBUxzSC9XE", "start_s": s, "end_s": None, "title": t, "position": i}
         for i, (s, t) in enumerate(chapters, 1)],
        pk=("video_id", "start_s"), replace=True,
    )
    db["drive_files"].insert_all([
        {"id": "1zoomfile0209", "name": "GMT20210209-170012_Recording_1920x1080.mp4", "mime_type": "video/mp4",
         "size": 1, "md5": None, "created_time": "2021-02-09T18:10:00Z", "modified_time": None, "duration_s": 3800,
         "width": 1920, "height": 1080, "parent_id": "f", "path": "Video Archives/2021/GMT20210209-170012_Recording_1920x1080.mp4",
         "web_url": None, "name_date": "2021-02-09T17:00:12Z", "name_date_form": "zoom", "first_seen": None,
         "last_seen": None, "removed_at": None, "raw": "{}"},
        {"id": "1slides", "name": "Egress slides.pdf", "mime_type": "application/pdf", "size": 1, "md5": None,
         "created_time": "2021-02-09T18:10:00Z", "modified_time": None, "duration_s": None, "width": None,
         "height": None, "parent_id": "f", "path": "Slides/Egress slides.pdf", "web_url": None, "name_date": None,
         "name_date_form": None, "first_seen": None, "last_seen": None, "removed_at": None, "raw": "{}"},
    ], pk="id", replace=True)
