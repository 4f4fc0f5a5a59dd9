"""Google API clients for any service: build, retry, account, record, replay.

``GoogleClient("youtube", "v3", api_key=...)`` (or ``"drive", "v3"``) builds the
real googleapiclient service from its bundled discovery document (no network
to build), optionally pointed at another endpoint (the emulator). Every call
goes through ``client.execute(request)``, which

* charges the call and its quota units before sending, and stops with
  ``QuotaBudgetReached`` rather than spend past ``quota_budget``;
* retries 429, 5xx, rateLimitExceeded and network errors with exponential
  backoff and full jitter (never quotaExceeded, a bad key or a 4xx);
* turns every other failure into a one-line ``ApiError`` that names no secret.

Recording and replay happen below googleapiclient, in an httplib2-compatible
``Http`` passed as ``http=``, so what is replayed is exactly what was received.
"""
from __future__ import annotations

import base64
import collections
import datetime as dt
import hashlib
import functools
import json
import logging
import os
import sys
import random
import re
import socket
import threading
import time
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlparse

import httplib2
from googleapiclient.discovery import build
from googleapiclient.errors import HttpError

from indexer.common.errors import UserError
from indexer.common.redact import SECRET_FIELDS, SECRET_PARAMS, redact, redact_json, remember_secret  # noqa: F401 - shared names

# we retry and report ourselves; its per-attempt warnings would be noise on stderr
logging.getLogger("googleapiclient.http").setLevel(logging.ERROR)

# Google's documented costs (YouTube Data API v3 quota calculator). Drive has no
# unit quota, only rate limits, so its calls cost 0 units but are still counted.
QUOTA_COSTS: dict[str, int] = {
    "youtube.channels.list": 1,
    "youtube.playlists.list": 1,
    "youtube.playlistItems.list": 1,
    "youtube.videos.list": 1,
    "youtube.search.list": 100,
    "youtube.captions.list": 50,
    "youtube.captions.download": 200,
}
DEFAULT_COST = {"youtube": 1}

LABELS = {"youtube": "YouTube", "drive": "Drive"}

RETRY_STATUSES = {429, 500, 502, 503, 504}
RETRY_REASONS = {"rateLimitExceeded", "userRateLimitExceeded", "backendError", "internalError"}
QUOTA_REASONS = {"quotaExceeded", "dailyLimitExceeded", "dailyLimitExceededUnreg"}
BAD_KEY_REASONS = {"keyInvalid", "keyExpired", "badRequest.keyInvalid"}

EXIT_API = 1
EXIT_AUTH = 3
EXIT_NOT_FOUND = 4
EXIT_QUOTA = 5
EXIT_FORBIDDEN = 6
EXIT_NETWORK = 7


class ApiError(UserError):
    """A failure the user can act on; ``str()`` is one line and holds no secret."""

    exit_code = EXIT_API

    def __init__(self, message: str, exit_code: int | None = None):
        super().__init__(redact(message).replace("\n", " "))
        if exit_code is not None:
            self.exit_code = exit_code


class BadKey(ApiError):
    exit_code = EXIT_AUTH


class NotFound(ApiError):
    exit_code = EXIT_NOT_FOUND


class QuotaExhausted(ApiError):
    exit_code = EXIT_QUOTA


class Forbidden(ApiError):
    exit_code = EXIT_FORBIDDEN


class NetworkDown(ApiError):
    exit_code = EXIT_NETWORK


class ReplayMiss(ApiError):
    pass


class QuotaBudgetReached(Exception):
    """Not an error: the run stops cleanly, keeping what it harvested."""

    def __init__(self, budget: int, spent: int, method: str):
        super().__init__(f"quota budget of {budget} units reached after {spent} units (next: {method})")
        self.budget, self.spent, self.method = budget, spent, method


def quota_reset_message(now: dt.datetime | None = None) -> str:
    """YouTube's daily quota resets at midnight Pacific; say when that is here."""
    from zoneinfo import ZoneInfo

    pacific = ZoneInfo("America/Los_Angeles")
    now = (now or dt.datetime.now(dt.timezone.utc)).astimezone(pacific)
    midnight = (now + dt.timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    local = midnight.astimezone()  # the user's own zone (TZ)
    return f"resets at midnight Pacific ({local:%H:%M} your time)"


def error_reason(content: bytes | str | None) -> tuple[str, str, int | None]:
    """(reason, message, code) from a Google error body; empty when unreadable."""
    try:
        data = json.loads(content.decode("utf-8") if isinstance(content, bytes) else content or "")
        err = data["error"]
    except (ValueError, KeyError, TypeError, AttributeError):
        return "", "", None
    if not isinstance(err, dict):  # OAuth endpoints answer {"error": "invalid_grant"}
        return str(err), str(data.get("error_description", "")), None
    errors = err.get("errors") or [{}]
    reason = errors[0].get("reason", "") if isinstance(errors[0], dict) else ""
    return reason or str(err.get("status", "")), str(err.get("message", "")), err.get("code")


def is_retryable(status: int, content) -> bool:
    if status in RETRY_STATUSES or status >= 500:
        return True
    if status == 403:
        return error_reason(content)[0] in RETRY_REASONS
    return False


def translate_http_error(exc: HttpError, api: str = "youtube", what: str = "") -> ApiError:
    """One line, no URI (HttpError's text holds ``key=``)."""
    label = LABELS.get(api, api)
    status = exc.resp.status
    reason, message, _ = error_reason(exc.content)
    message = redact(message.strip().rstrip("."))[:200]
    detail = f" ({reason})" if reason else ""
    if reason in QUOTA_REASONS:
        return QuotaExhausted(f"{label} API daily quota exhausted{detail}; it {quota_reset_message()}")
    if reason in BAD_KEY_REASONS or (status == 400 and "api key" in message.lower()):
        return BadKey(f"the {label} API rejected the API key{detail}: check --api-key or the environment variable")
    if reason == "youtubeSignupRequired":
        return BadKey(
            "these credentials have no YouTube channel (service accounts never do): "
            "use an API key (--api-key or YOUTUBE_API_KEY) for a public channel"
        )
    if status == 401:
        return BadKey(f"the {label} API rejected the credentials{detail}: run `meetup-indexer auth` again")
    if status == 404:
        return NotFound(f"{label} has no {what or 'such resource'}{detail}")
    if status == 403:
        return Forbidden(f"{label} API access forbidden{detail}: {message or 'the credentials may not see this'}")
    return ApiError(f"{label} API error {status}{detail}: {message or exc.resp.reason}")


def _is_network_error(exc: BaseException) -> bool:
    return isinstance(exc, (OSError, socket.timeout, httplib2.HttpLib2Error)) and not isinstance(
        exc, (httplib2.RedirectLimit, httplib2.RedirectMissingLocation)
    )


# ---------------------------------------------------------------- record/replay


def request_key(uri: str, method: str = "GET", body=None) -> str:
    """The request without host, port or secrets: a recording made against one
    endpoint replays against any, and with any key."""
    u = urlparse(uri)
    params = parse_qsl(u.query, keep_blank_values=True)
    if body and isinstance(body, (str, bytes)) and method == "POST":
        # long GETs are sent as POST with the query in the body
        text = body.decode() if isinstance(body, bytes) else body
        if "=" in text and not text.lstrip().startswith("{"):
            params += parse_qsl(text, keep_blank_values=True)
            method = "GET"
    params = sorted((k, v) for k, v in params if k not in SECRET_PARAMS)
    return f"{method} {u.path}" + (f"?{urlencode(params)}" if params else "")


def _record_name(key: str) -> str:
    path = key.split(" ", 1)[1].split("?", 1)[0]
    slug = re.sub(r"[^A-Za-z0-9]+", "-", path.strip("/"))[-60:] or "root"
    return f"{slug}.{hashlib.sha1(key.encode()).hexdigest()[:12]}.json"


def _is_token_request(uri: str, body) -> bool:
    path = urlparse(uri).path
    text = body.decode(errors="replace") if isinstance(body, bytes) else str(body or "")
    return path.endswith("/token") or "grant_type=" in text


class RecordingHttp:
    """Sends through ``inner`` and writes each final response to ``directory``.

    Transient failures are not written (the retry that follows is), nor is any
    token exchange; secrets in URLs and bodies are redacted.
    """

    def __init__(self, inner, directory):
        self.inner = inner
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)

    def __getattr__(self, name):
        return getattr(self.inner, name)

    def request(self, uri, method="GET", body=None, headers=None, *args, **kwargs):
        resp, content = self.inner.request(uri, method, body=body, headers=headers, *args, **kwargs)
        if not _is_token_request(uri, body) and not is_retryable(resp.status, content):
            key = request_key(uri, method, body)
            content_type = resp.get("content-type", "application/json")
            record = {"request": key, "status": resp.status, "content_type": content_type}
            try:
                text = content.decode("utf-8")
            except UnicodeDecodeError:  # binary media: its bytes, exactly
                record["body_base64"] = base64.b64encode(content).decode("ascii")
            else:
                try:
                    # media (a caption track, a Drive file) is kept as the text it is, not read as JSON
                    payload = json.loads(text) if "json" in content_type or not text.strip() else text
                except ValueError:
                    payload = text
                record["body"] = redact_json(payload)
            (self.directory / _record_name(key)).write_text(
                json.dumps(record, indent=1, sort_keys=True, ensure_ascii=False) + "\n"
            )
        return resp, content


@functools.lru_cache(maxsize=8)
def _load_recording(files: tuple) -> dict:
    responses = {}
    for name, _, _ in files:
        try:
            record = json.loads(Path(name).read_text())
            responses[record["request"]] = record
        except (ValueError, KeyError, TypeError):
            raise ReplayMiss(f"not a recorded response: {name}") from None
    return responses


def recording_has(directory, path_prefix: str) -> bool:
    """Does the recording hold answers under ``path_prefix`` (``/youtube/v3/``, ``/drive/v3/``)?
    A missing folder says yes, so the client reports it in its own words."""
    if not Path(directory).is_dir():
        return True
    return any(key.split(" ", 1)[1].startswith(path_prefix) for key in ReplayHttp(directory).responses)


class ReplayHttp:
    """Answers from a recording; a request it has no answer for is an error."""

    timeout = None
    connections: dict = {}

    def __init__(self, directory):
        self.directory = Path(directory)
        if not self.directory.is_dir():
            raise ReplayMiss(f"no recording found at {directory}")
        files = tuple(sorted((str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in self.directory.glob("*.json")))
        # one sync builds several of these (a client per API, an Http per worker thread):
        # parse the folder once, again only when its files change
        self.responses = _load_recording(files)
        if not self.responses:
            raise ReplayMiss(f"no recorded responses in {directory}")

    def request(self, uri, method="GET", body=None, headers=None, *args, **kwargs):
        key = request_key(uri, method, body)
        record = self.responses.get(key)
        if record is None:
            raise ReplayMiss(
                f"the recording in {self.directory} has no response for {key[:160]} "
                "(record it again with --record)"
            )
        if "body_base64" in record:
            content = base64.b64decode(record["body_base64"])
        else:
            body_out = record["body"]
            content = (body_out if isinstance(body_out, str) else json.dumps(body_out)).encode("utf-8")
        resp = httplib2.Response({"status": record["status"], "content-type": record["content_type"]})
        return resp, content

    def close(self):
        pass


# ---------------------------------------------------------------- the client


class Usage:
    """Calls and quota units per method, with an optional budget. Thread-safe."""

    def __init__(self, api: str, budget: int | None = None, costs: dict[str, int] | None = None):
        self.api = api
        self.budget = budget
        self.costs = {**QUOTA_COSTS, **(costs or {})}
        self.calls: collections.Counter = collections.Counter()
        self.units = 0
        self.retries = 0
        self._lock = threading.Lock()

    def cost(self, method_id: str) -> int:
        return self.costs.get(method_id, DEFAULT_COST.get(method_id.split(".")[0], 0))

    def charge(self, method_id: str) -> None:
        cost = self.cost(method_id)
        with self._lock:
            if self.budget is not None and self.units + cost > self.budget:
                raise QuotaBudgetReached(self.budget, self.units, method_id)
            self.calls[method_id] += 1
            self.units += cost

    def as_dict(self) -> dict:
        return {"calls": dict(sorted(self.calls.items())), "quota_units": self.units}


def add_usage(run: dict, usage: "Usage") -> None:
    """Add one client's calls and quota units to a ``sync_runs`` record."""
    calls = collections.Counter(run.get("calls", {}))
    calls.update(usage.calls)
    run["calls"] = dict(sorted(calls.items()))
    run["quota_units"] = run.get("quota_units", 0) + usage.units


def _backoff_base() -> float:
    # the emulator and the tests answer in milliseconds; Google wants seconds
    try:
        return float(os.environ.get("MEETUP_INDEXER_BACKOFF", "1"))
    except ValueError:
        return 1.0


class GoogleClient:
    def __init__(
        self,
        api: str,
        version: str,
        *,
        api_key: str | None = None,
        credentials=None,
        api_endpoint: str | None = None,
        record: str | os.PathLike | None = None,
        replay: str | os.PathLike | None = None,
        quota_budget: int | None = None,
        costs: dict[str, int] | None = None,
        max_retries: int = 8,
        backoff: float | None = None,
        max_backoff: float | None = None,
        timeout: float = 60,
        sleep=time.sleep,
        rng: random.Random | None = None,
    ):
        self.api, self.version = api, version
        self.label = LABELS.get(api, api)
        self.api_key, self.credentials = api_key, credentials
        self.record, self.replay = record, replay
        self.timeout = timeout
        self.endpoint = api_endpoint
        self.usage = Usage(f"{api}", quota_budget, costs)
        self.max_retries = max_retries
        self.backoff = _backoff_base() if backoff is None else backoff
        self.max_backoff = 64 * self.backoff if max_backoff is None else max_backoff
        self.sleep = sleep
        self.rng = rng or random.Random()
        self._local = threading.local()
        self._resources: dict = {}
        remember_secret(api_key)
        options = {}
        if api_endpoint:
            # urljoin drops the last path segment without it (Drive's endpoint has one)
            options["api_endpoint"] = api_endpoint if api_endpoint.endswith("/") else api_endpoint + "/"
        self.service = build(
            api,
            version,
            static_discovery=True,
            developerKey=None if replay else api_key,
            http=self._new_http(),
            client_options=options or None,
        )

    def resource(self, name: str):
        """``service.<name>()`` (``"videos"``, ``"files"``...), built once: googleapiclient
        builds a new Resource object (~2 ms) on every call. The harvesters' fetchers all
        reach the API this way, then send through ``execute``."""
        if name not in self._resources:
            self._resources[name] = getattr(self.service, name)()
        return self._resources[name]

    def _new_http(self):
        if self.replay:
            return ReplayHttp(self.replay)
        http = httplib2.Http(timeout=self.timeout)
        if self.record:
            http = RecordingHttp(http, self.record)
        if self.credentials is not None:
            import google_auth_httplib2

            http = google_auth_httplib2.AuthorizedHttp(self.credentials, http=http)
        return http

    def _thread_http(self):
        # httplib2 is not thread-safe: worker threads get their own connection
        if threading.current_thread() is threading.main_thread():
            return None
        if getattr(self._local, "http", None) is None:
            self._local.http = self._new_http()
        return self._local.http

    def execute(self, request, what: str = ""):
        """Run one request with retries; returns the decoded JSON body."""
        method_id = getattr(request, "methodId", None) or f"{self.api}.unknown"
        http = self._thread_http()
        attempt = 0
        while True:
            self.usage.charge(method_id)
            try:
                return request.execute(http=http, num_retries=0)
            except HttpError as exc:
                if not is_retryable(exc.resp.status, exc.content) or attempt >= self.max_retries:
                    raise translate_http_error(exc, self.api, what) from None
                retry_after = _retry_after(exc.resp)
            except ReplayMiss:
                raise
            except Exception as exc:  # noqa: BLE001 - only network errors are retried
                from google.auth.exceptions import RefreshError

                if isinstance(exc, RefreshError):  # a token refreshed mid-run (AuthorizedHttp on a 401)
                    reason = str(exc.args[0] if exc.args else "").split(":")[0][:60]
                    raise BadKey(
                        f"the saved OAuth token could not be refreshed ({reason}): run `meetup-indexer auth` again"
                    ) from None
                if not _is_network_error(exc):
                    raise
                host = urlparse(getattr(self.service, "_baseUrl", None) or self.endpoint or "").hostname
                if attempt >= self.max_retries:
                    raise NetworkDown(
                        f"cannot reach the {self.label} API at {host} ({type(exc).__name__}: "
                        f"{redact(str(exc))[:80]}); is the network down?"
                    ) from None
                if attempt == 0:  # backoff can take a minute: say so once instead of going quiet
                    sys.stderr.write(f"{self.label} API at {host} unreachable ({type(exc).__name__}); "
                                     f"retrying up to {self.max_retries} times\n")
                retry_after = None
            self.usage.retries += 1
            delay = self.rng.uniform(0, min(self.max_backoff, self.backoff * 2**attempt))
            self.sleep(max(delay, min(retry_after or 0, self.max_backoff)))
            attempt += 1

    def close(self):
        try:
            self.service.close()
        except Exception:  # noqa: BLE001 - nothing to do about a failed close
            pass


def _retry_after(resp) -> float | None:
    try:
        return min(float(resp.get("retry-after", "")), 120.0)
    except (TypeError, ValueError):
        return None
