"""The YouTube Data API v3 list methods, as plain functions: (data, params, who) -> response dict."""
from __future__ import annotations

import base64
import functools
import json
from importlib import resources

from .errors import ApiError, bad_request
from .fields import fields_error, unknown_fields
from .paging import page, read_token
from .youtube_data import UPLOADS, YouTubeData, _hid, etag

DOMAIN = "youtube.parameter"
PARTS = {
    "channels": {"id", "snippet", "contentDetails", "statistics", "brandingSettings", "status", "topicDetails",
                 "localizations", "contentOwnerDetails", "auditDetails"},
    "playlistItems": {"id", "snippet", "contentDetails", "status"},
    "videos": {"id", "snippet", "contentDetails", "statistics", "liveStreamingDetails", "status",
               "recordingDetails", "player", "topicDetails", "localizations", "fileDetails",
               "processingDetails", "suggestions", "paidProductPlacementDetails"},
    "playlists": {"id", "snippet", "contentDetails", "status", "player", "localizations"},
}
COSTS = {"youtube.channels.list": 1, "youtube.playlistItems.list": 1, "youtube.videos.list": 1,
         "youtube.playlists.list": 1}


def _parts(resource: str, params: dict) -> set[str]:
    raw = params.get("part")
    if not raw:
        raise ApiError(400, "required", "Required parameter: part", domain="global", location="part")
    parts = {p.strip() for p in raw.split(",") if p.strip()}
    for p in parts:
        if p not in PARTS[resource]:
            raise ApiError(400, "unknownPart", f"'{p}'", domain="youtube.part", location="part")
    return parts


def _max_results(params: dict, default: int = 5) -> int:
    raw = params.get("maxResults")
    if raw is None:
        return default
    try:
        n = int(raw)
    except ValueError:
        raise bad_request(f"Invalid value '{raw}'. Values must be within the range: [0, 50]", "invalidValue",
                          "maxResults") from None
    if not 0 <= n <= 50:
        raise bad_request(f"Invalid value '{n}'. Values must be within the range: [0, 50]", "invalidValue",
                          "maxResults")
    return n


def _select(resource: dict, parts: set[str], tag: str | None = None) -> dict:
    out = {"kind": resource["kind"], "etag": tag or etag(resource), "id": resource["id"]}
    for p in parts:
        if p != "id" and p in resource:
            out[p] = resource[p]
    return out


def _list(kind: str, items: list, total: int, per_page: int, tokens: dict | None = None) -> dict:
    resp = {"kind": kind}
    resp.update(tokens or {})
    resp["pageInfo"] = {"totalResults": total, "resultsPerPage": per_page}
    if items or kind != "youtube#channelListResponse":
        resp["items"] = items
    resp["etag"] = etag([i["etag"] for i in items] + [total])
    return resp


def _one_filter(params: dict, names: tuple[str, ...]) -> str:
    given = [n for n in names if params.get(n) not in (None, "")]
    if len(given) != 1:
        raise ApiError(400, "missingRequiredParameter" if not given else "incompatibleParameters",
                       f"No filter selected. Expected one of: {', '.join(names)}" if not given
                       else f"Incompatible parameters specified in the request: {', '.join(given)}",
                       domain="youtube.parameter", location=None)
    return given[0]


def channels_list(data: YouTubeData, params: dict, who) -> dict:
    parts = _parts("channels", params)
    which = _one_filter(params, ("id", "forHandle", "forUsername", "mine", "managedByMe"))
    if which == "id":
        found = [data.channels[c] for c in params["id"].split(",") if c in data.channels]
    elif which == "forHandle":
        c = data.channel_for_handle(params["forHandle"])
        found = [c] if c else []
    elif which == "forUsername":
        c = data.channel_for_username(params["forUsername"])
        found = [c] if c else []
    elif who.kind == "user" and which == "mine":  # a user token owns the first channel
        found = list(data.channels.values())[:1]
    else:
        raise ApiError(401, "youtubeSignupRequired" if who.kind == "service_account" else "authorizationRequired",
                       "The request uses the <code>mine</code> parameter but is not properly authorized.",
                       domain="youtube.header", location="Authorization", location_type="header")
    items = []
    for c in found:
        c = dict(c)
        if "statistics" in c:
            c["statistics"] = dict(c["statistics"], videoCount=str(data.video_count(c["id"])))
        items.append(_select(c, parts))
    return _list("youtube#channelListResponse", items, len(items), _max_results(params))


def _deleted_item(pid: str, pos: int, vid: str, channel: dict | None) -> dict:
    return {
        "kind": "youtube#playlistItem", "id": _item_id(pid, vid),
        "snippet": {"publishedAt": "2021-01-01T00:00:00Z", "channelId": (channel or {}).get("id", ""),
                    "title": "Deleted video", "description": "This video is unavailable.", "thumbnails": {},
                    "channelTitle": (channel or {}).get("snippet", {}).get("title", ""), "playlistId": pid,
                    "position": pos, "resourceId": {"kind": "youtube#video", "videoId": vid}},
        "contentDetails": {"videoId": vid},
        "status": {"privacyStatus": "privacyStatusUnspecified"},
    }


def _item_id(pid: str, vid: str) -> str:
    return base64.urlsafe_b64encode(f"{pid}.{vid}".encode()).decode().rstrip("=")


def _playlist_item(data: YouTubeData, pid: str, pos: int, entry, channel: dict | None, who) -> dict:
    if isinstance(entry, dict):
        return dict(entry, snippet=dict(entry["snippet"], position=pos))
    v, tag = data.videos.peek_etag(entry)
    if v is None:
        return _deleted_item(pid, pos, entry, channel)
    sn = v["snippet"]
    privacy = v.get("status", {}).get("privacyStatus", "public")
    if privacy == "private" and who.kind != "user":
        item = _deleted_item(pid, pos, entry, channel)
        item["snippet"].update(title="Private video", description="This video is private.")
        item["status"]["privacyStatus"] = "private"
        return item
    added = sn.get("publishedAt", "")
    return {
        "_etag": _hid("item", tag, pid, pos, privacy, n=20),
        "kind": "youtube#playlistItem", "id": _item_id(pid, entry),
        "snippet": {"publishedAt": added, "channelId": (channel or {}).get("id", sn.get("channelId", "")),
                    "title": sn.get("title", ""), "description": sn.get("description", ""),
                    "thumbnails": sn.get("thumbnails", {}),
                    "channelTitle": sn.get("channelTitle", ""), "playlistId": pid, "position": pos,
                    "resourceId": {"kind": "youtube#video", "videoId": entry},
                    "videoOwnerChannelTitle": sn.get("channelTitle", ""),
                    "videoOwnerChannelId": sn.get("channelId", "")},
        "contentDetails": {"videoId": entry, "videoPublishedAt": added},
        "status": {"privacyStatus": privacy},
    }


def playlist_items_list(data: YouTubeData, params: dict, who) -> dict:
    parts = _parts("playlistItems", params)
    which = _one_filter(params, ("playlistId", "id"))
    size = _max_results(params)
    if which == "id":
        raise bad_request("Listing playlist items by id is not emulated.", "unsupportedFilter", "id")
    pid = params["playlistId"]
    channel = None
    if pid.startswith(UPLOADS) and "UC" + pid[2:] in data.channels:
        channel = data.channels["UC" + pid[2:]]
        entries = data.uploads(channel["id"], include_private=who.kind == "user")
        if data.uploads_cap is not None:  # the reported ~20,000-item ceiling of uploads playlists
            entries = entries[:data.uploads_cap]
    elif pid in data.playlist_items or pid in data.playlists:
        entries = data.playlist_items.get(pid, [])
        owner = data.playlists.get(pid, {}).get("snippet", {}).get("channelId")
        channel = data.channels.get(owner)
    else:
        raise ApiError(404, "playlistNotFound",
                       "The playlist identified with the request's <code>playlistId</code> parameter cannot be found.",
                       domain="youtube.playlistItem", location="playlistId")
    scope = f"playlistItems|{pid}"  # offsets: a token survives a change of maxResults
    offset = read_token(params.get("pageToken"), scope, domain=DOMAIN)
    start, end, tokens = page(len(entries), offset, size, scope)
    items = []
    for pos in range(start, end):
        item = _playlist_item(data, pid, pos, entries[pos], channel, who)
        items.append(_select(item, parts, item.pop("_etag", None)))
    resp = _list("youtube#playlistItemListResponse", items, len(entries), size, tokens)
    data.list_serial += 1  # playlistItems answers a fresh etag on every call, as reported of YouTube
    resp["etag"] = _hid(resp["etag"], data.list_serial, n=27)
    return resp


def videos_list(data: YouTubeData, params: dict, who) -> dict:
    parts = _parts("videos", params)
    which = _one_filter(params, ("id", "chart", "myRating"))
    if which != "id":
        raise bad_request(f"The {which} filter is not emulated.", "unsupportedFilter", which)
    ids = [i.strip() for i in params["id"].split(",") if i.strip()]
    if len(ids) > 50:
        raise bad_request("The request specifies an invalid filter parameter.", "invalidFilters", "id",
                          domain="youtube.parameter")
    items = []
    for vid in ids:
        v, tag = data.videos.peek_etag(vid)
        if v is None or (v.get("status", {}).get("privacyStatus") == "private" and who.kind != "user"):
            continue
        items.append(_select(v, parts, tag))
    return _list("youtube#videoListResponse", items, len(items), len(items))


def playlists_list(data: YouTubeData, params: dict, who) -> dict:
    parts = _parts("playlists", params)
    which = _one_filter(params, ("channelId", "id", "mine"))
    size = _max_results(params)
    if which == "channelId":
        found = [p for p in data.playlists.values() if p.get("snippet", {}).get("channelId") == params["channelId"]]
    elif which == "id":
        want = params["id"].split(",")
        found = [data.playlists[p] for p in want if p in data.playlists]
    else:
        raise ApiError(401, "authorizationRequired", "The request is not properly authorized.",
                       domain="youtube.header", location="Authorization", location_type="header")
    scope = f"playlists|{which}|{params[which]}"
    offset = read_token(params.get("pageToken"), scope, domain=DOMAIN)
    start, end, tokens = page(len(found), offset, size, scope)
    items = []
    for p in found[start:end]:
        p = dict(p, contentDetails={"itemCount": len(data.playlist_items.get(p["id"], []))})
        items.append(_select(p, parts))
    return _list("youtube#playlistListResponse", items, len(found), size, tokens)


ROUTES = {
    "channels": ("youtube.channels.list", channels_list),
    "playlistItems": ("youtube.playlistItems.list", playlist_items_list),
    "videos": ("youtube.videos.list", videos_list),
    "playlists": ("youtube.playlists.list", playlists_list),
}
RESPONSE_SCHEMAS = {
    "youtube.channels.list": "ChannelListResponse",
    "youtube.playlistItems.list": "PlaylistItemListResponse",
    "youtube.videos.list": "VideoListResponse",
    "youtube.playlists.list": "PlaylistListResponse",
}


@functools.lru_cache(maxsize=1)
def _schemas() -> dict:
    doc = resources.files("googleapiclient") / "discovery_cache" / "documents" / "youtube.v3.json"
    return json.loads(doc.read_text())["schemas"]


def check_fields(method: str, params: dict, tree) -> None:
    """Google's front end refuses `fields` naming what the resource does not have."""
    if tree is not None and unknown_fields(tree, {"$ref": RESPONSE_SCHEMAS[method]}, _schemas()):
        raise fields_error(params.get("fields", ""))
