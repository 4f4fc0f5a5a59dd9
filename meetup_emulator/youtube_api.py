"""The YouTube Data API v3 list methods, as plain functions: (data, params, who) -> response dict."""
from __future__ import annotations

import functools
import json
from importlib import resources

from .errors import ApiError, bad_request
from .fields import fields_error, unknown_fields
from .paging import page, read_token
from .youtube_data import UPLOADS, YouTubeData, _hid, etag, playlist_item

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
         "youtube.playlists.list": 1, "youtube.captions.list": 50, "youtube.captions.download": 200}


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
    elif who.kind == "user" and which == "mine":  # a user token owns one channel (the first by default)
        found = [data.channels[data.owner()]] if data.owner() in data.channels else []
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
        item = playlist_item(data, pid, pos, entries[pos], channel, who)
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


# ---------------------------------------------------------------- captions
# captions.list and captions.download need OAuth with one of these scopes, as the video's owner
CAPTION_SCOPES = ("https://www.googleapis.com/auth/youtube.force-ssl",
                  "https://www.googleapis.com/auth/youtubepartner")
CAPTION_FORMATS = {"vtt", "srt"}  # of sbv, scc, srt, ttml, vtt: the ones emulated


def _caption_owner(data: YouTubeData, who, video_id: str | None, action: str) -> None:
    """Google's answers to a caller who may not read a video's captions."""
    if who.kind in ("key", "anonymous"):
        raise ApiError(401, "required", "Login Required.", location="Authorization", location_type="header",
                       headers={"WWW-Authenticate": 'Bearer realm="https://accounts.google.com/"'},
                       details=[{"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "CREDENTIALS_MISSING",
                                 "domain": "googleapis.com",
                                 "metadata": {"service": "youtube.googleapis.com",
                                              "method": f"youtube.api.v3.V3DataCaptionService.{action.title()}"}}])
    scopes = who.token.scopes if who.token is not None else []
    if scopes and not any(s in CAPTION_SCOPES for s in scopes):
        raise ApiError(403, "insufficientPermissions", "Request had insufficient authentication scopes.",
                       details=[{"@type": "type.googleapis.com/google.rpc.ErrorInfo",
                                 "reason": "ACCESS_TOKEN_SCOPE_INSUFFICIENT", "domain": "googleapis.com"}])
    video = data.videos.peek(video_id) if video_id else None
    if video is not None and video.get("snippet", {}).get("channelId") != data.owner():
        verb = "retrieve" if action == "list" else "download"
        raise ApiError(403, "forbidden",
                       f"The permissions associated with the request are not sufficient to {verb} the caption "
                       "track. The request might not be properly authorized, or the video order might not have "
                       "enabled third-party contributions for this caption.", domain="youtube.caption")


def _caption_resource(track: dict) -> dict:
    snippet = {
        # the discovery document's enum (and captions.list answers) spell automatic captions "ASR"
        "videoId": track["video_id"], "lastUpdated": track["lastUpdated"],
        "trackKind": {"asr": "ASR"}.get(track["trackKind"], track["trackKind"]),
        "language": track["language"], "name": track.get("name", ""), "audioTrackType": "unknown",
        "isCC": False, "isLarge": False, "isEasyReader": False, "isDraft": bool(track.get("isDraft")),
        "isAutoSynced": False, "status": track.get("status", "serving"),
    }
    resource = {"kind": "youtube#caption", "id": track["id"], "snippet": snippet}
    return dict(resource, etag=etag(resource))


def captions_list(data: YouTubeData, params: dict, who) -> dict:
    if not params.get("part"):
        raise ApiError(400, "required", "Required parameter: part", location="part")
    parts = {p.strip() for p in params["part"].split(",") if p.strip()}
    for p in parts - {"id", "snippet"}:
        raise ApiError(400, "unknownPart", f"'{p}'", domain="youtube.part", location="part")
    vid = params.get("videoId")
    if not vid:
        raise ApiError(400, "required", "Required parameter: videoId", location="videoId")
    _caption_owner(data, who, vid, "list")
    if data.videos.peek(vid) is None and vid not in data.captions:
        raise ApiError(404, "videoNotFound", "The video identified by the <code>videoId</code> parameter could "
                       "not be found.", domain="youtube.video", location="videoId")
    tracks = data.caption_tracks(vid)
    if params.get("id"):
        want = set(params["id"].split(","))
        tracks = [t for t in tracks if t["id"] in want]
    items = []
    for t in tracks:
        r = _caption_resource(t)
        items.append({k: v for k, v in r.items() if k != "snippet" or "snippet" in parts})
    return {"kind": "youtube#captionListResponse", "etag": etag([i["etag"] for i in items]), "items": items}


def find_track(data: YouTubeData, track_id: str) -> dict | None:
    from .captions import video_of

    vid = video_of(track_id)
    return next((t for t in data.caption_tracks(vid) if t["id"] == track_id), None) if vid else None


def captions_download(data: YouTubeData, params: dict, who, track_id: str) -> tuple[str, bytes]:
    """The track's text as a media response (``application/octet-stream``, as Google serves it)."""
    from .captions import render

    _caption_owner(data, who, None, "download")
    track = find_track(data, track_id)
    if track is None:
        raise ApiError(404, "captionNotFound", "The caption track could not be found. Check the value of the "
                       "request's <code>id</code> parameter to ensure that it is correct.",
                       domain="youtube.caption", location="id")
    _caption_owner(data, who, track["video_id"], "download")
    fmt = params.get("tfmt") or None
    if (fmt is not None and fmt not in CAPTION_FORMATS) or params.get("tlang"):
        raise ApiError(400, "couldNotConvert", "The caption track data could not be converted to the requested "
                       "language and/or format.", domain="youtube.caption", location="tfmt")
    _, text = render(track, fmt)
    return "application/octet-stream", text.encode("utf-8")


ROUTES = {
    "channels": ("youtube.channels.list", channels_list),
    "playlistItems": ("youtube.playlistItems.list", playlist_items_list),
    "videos": ("youtube.videos.list", videos_list),
    "playlists": ("youtube.playlists.list", playlists_list),
    "captions": ("youtube.captions.list", captions_list),
}
RESPONSE_SCHEMAS = {
    "youtube.channels.list": "ChannelListResponse",
    "youtube.playlistItems.list": "PlaylistItemListResponse",
    "youtube.videos.list": "VideoListResponse",
    "youtube.playlists.list": "PlaylistListResponse",
    "youtube.captions.list": "CaptionListResponse",
}


@functools.lru_cache(maxsize=1)
def _schemas() -> dict:
    doc = resources.files("googleapiclient") / "discovery_cache" / "documents" / "youtube.v3.json"
    return json.loads(doc.read_text())["schemas"]


def check_fields(method: str, params: dict, tree) -> None:
    """Google's front end refuses `fields` naming what the resource does not have."""
    if tree is not None and unknown_fields(tree, {"$ref": RESPONSE_SCHEMAS[method]}, _schemas()):
        raise fields_error(params.get("fields", ""))
