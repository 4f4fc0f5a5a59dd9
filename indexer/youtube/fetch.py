"""The YouTube API side of the harvest: ``fetch_*(client, ...)`` functions that
only ask the API (through the shared ``GoogleClient``: retries, quota
accounting, record/replay) and return resources or pages of them. Nothing here
writes: ``indexer/youtube/save.py`` does, and ``indexer/youtube/harvest.py`` composes the two.

The cheapest full enumeration is channels.list -> playlistItems.list (uploads,
50 a page) -> videos.list (50 ids a call); search.list (100 units a call, and
it misses videos) is never used.
"""
from __future__ import annotations

import re
from typing import Iterator

from indexer.google.client import ApiError, GoogleClient, NotFound
from indexer.common.urls import classify_url

PAGE = 50  # the API's maximum for playlistItems, playlists and ids per videos.list

CHANNEL_PARTS = "snippet,contentDetails"
CHANNEL_FIELDS = "items(id,snippet(title,description,customUrl,publishedAt,thumbnails),contentDetails(relatedPlaylists(uploads)))"
UPLOAD_FIELDS = "nextPageToken,pageInfo(totalResults),items(contentDetails(videoId))"
VIDEO_PARTS = "snippet,contentDetails,statistics,liveStreamingDetails,recordingDetails,status"
VIDEO_FIELDS = (
    "items(id,snippet(publishedAt,channelId,title,description,thumbnails,tags,liveBroadcastContent,"
    "defaultAudioLanguage,categoryId),contentDetails(duration,caption),"
    "statistics(viewCount,likeCount,commentCount),"
    "liveStreamingDetails(actualStartTime,actualEndTime,scheduledStartTime),"
    "recordingDetails(recordingDate),status(privacyStatus,uploadStatus,embeddable,madeForKids))"
)
PLAYLIST_PARTS = "snippet,contentDetails,status"
PLAYLIST_FIELDS = (
    "nextPageToken,items(id,etag,snippet(title,description,publishedAt,thumbnails),"
    "contentDetails(itemCount),status(privacyStatus))"
)
PLAYLIST_ITEM_FIELDS = "nextPageToken,items(snippet(position,title),contentDetails(videoId))"

_CHANNEL_ID = re.compile(r"^UC[A-Za-z0-9_-]{22}$")
_HANDLE = re.compile(r"^@[A-Za-z0-9._·-]{3,100}$")

class ChannelRefError(ApiError):
    exit_code = 2



def parse_channel_ref(ref: str) -> tuple[str, str]:
    """``("id", "UC...")``, ``("handle", "@name")`` or ``("username", "name")``."""
    ref = (ref or "").strip()
    if _CHANNEL_ID.match(ref):
        return "id", ref
    if _HANDLE.match(ref):
        return "handle", ref
    if "://" in ref or ref.startswith(("youtube.com/", "www.youtube.com/", "m.youtube.com/")):
        link = classify_url(ref if "://" in ref else "https://" + ref)
        if link is None:
            raise ChannelRefError(f"not a YouTube channel URL: {ref}")
        if link.kind == "youtube_channel" and _CHANNEL_ID.match(link.ref):
            return "id", link.ref
        if link.kind == "youtube_handle":
            return "handle", link.ref
        if link.kind == "youtube_user":
            return "username", link.ref
        if link.kind == "youtube_custom":
            raise ChannelRefError(
                f"/c/{link.ref} custom URLs have no API lookup: pass the channel's @handle or UC... id "
                "(both are on the channel's About page)"
            )
        if link.kind == "youtube":
            raise ChannelRefError(f"that is a video URL, not a channel: {ref}")
        raise ChannelRefError(f"not a YouTube channel URL: {ref}")
    if re.match(r"^[A-Za-z0-9._·-]{3,100}$", ref) and not ref.startswith("UC"):
        return "handle", "@" + ref
    raise ChannelRefError(f"not a channel id, @handle or channel URL: {ref}")


def fetch_channel(client: GoogleClient, ref: str) -> dict:
    kind, value = parse_channel_ref(ref)
    if kind == "id":
        req = client.resource("channels").list(part=CHANNEL_PARTS, id=value, fields=CHANNEL_FIELDS)
    elif kind == "handle":
        req = client.resource("channels").list(part=CHANNEL_PARTS, forHandle=value, fields=CHANNEL_FIELDS)
    else:
        req = client.resource("channels").list(part=CHANNEL_PARTS, forUsername=value, fields=CHANNEL_FIELDS)
    resp = client.execute(req, what=f"channel {value}")
    items = resp.get("items") or []
    if not items:
        raise NotFound(f"YouTube has no channel {value} (check the id or @handle)")
    return items[0]


def fetch_upload_pages(client: GoogleClient, playlist_id: str) -> Iterator[tuple[list[str], int | None]]:
    """(video ids, total) per page of the uploads playlist, newest first."""
    token = None
    while True:
        try:
            resp = client.execute(
                client.resource("playlistItems").list(
                    part="contentDetails", playlistId=playlist_id, maxResults=PAGE, pageToken=token,
                    fields=UPLOAD_FIELDS,
                ),
                what=f"uploads playlist {playlist_id}",
            )
        except NotFound:
            if token:
                raise
            return  # a channel that never uploaded has no uploads playlist to read
        ids = [it["contentDetails"]["videoId"] for it in resp.get("items", []) if it.get("contentDetails")]
        yield ids, resp.get("pageInfo", {}).get("totalResults")
        token = resp.get("nextPageToken")
        if not token:
            return


def fetch_videos(client: GoogleClient, ids: list[str]) -> list[dict]:
    """Details of up to 50 videos; missing ones are gone or private."""
    if not ids:
        return []
    assert len(ids) <= PAGE
    resp = client.execute(
        client.resource("videos").list(part=VIDEO_PARTS, id=",".join(ids), maxResults=PAGE, fields=VIDEO_FIELDS),
        what="videos",
    )
    return resp.get("items", [])


def fetch_playlists(client: GoogleClient, channel_id: str) -> Iterator[dict]:
    token = None
    while True:
        resp = client.execute(
            client.resource("playlists").list(
                part=PLAYLIST_PARTS, channelId=channel_id, maxResults=PAGE, pageToken=token, fields=PLAYLIST_FIELDS
            ),
            what=f"playlists of {channel_id}",
        )
        yield from resp.get("items", [])
        token = resp.get("nextPageToken")
        if not token:
            return


def fetch_playlist_page(client: GoogleClient, playlist_id: str, token: str | None, offset: int):
    """``([(video_id, position, title)], next token)`` for one page of a playlist."""
    resp = client.execute(
        client.resource("playlistItems").list(
            part="snippet,contentDetails", playlistId=playlist_id, maxResults=PAGE, pageToken=token,
            fields=PLAYLIST_ITEM_FIELDS,
        ),
        what=f"playlist {playlist_id}",
    )
    rows = []
    for i, it in enumerate(resp.get("items", [])):
        vid = it.get("contentDetails", {}).get("videoId")
        if vid:
            sn = it.get("snippet", {})
            rows.append((vid, sn.get("position", offset + i), sn.get("title")))
    return rows, resp.get("nextPageToken"), offset + len(resp.get("items", []))
