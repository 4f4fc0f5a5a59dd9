"""The HTTP side: routing, credentials, quota, injected faults and call counting.

stdlib ThreadingHTTPServer: no extra dependency, HTTP/1.1 keep-alive (httplib2
reuses its connection), and fast enough for thousands of videos a second.
"""
from __future__ import annotations

import json
import random
import threading
import time
import urllib.parse
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from . import youtube_api
from .errors import ApiError
from .fields import FieldsError, fields_error, parse_fields, project
from .oauth import OAuthState

YT_QUOTA_MESSAGE = ("The request cannot be completed because you have exceeded your "
                    "<a href=\"/youtube/v3/getting-started#quota\">quota</a>.")
FAULTS = ("500", "503", "429", "rateLimitExceeded")


@dataclass
class Who:
    kind: str  # "key" | "anonymous" | "user" | "service_account"
    token: object = None


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def get_request(self):
        import socket

        conn, addr = super().get_request()
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return conn, addr


class Emulator:
    """A local Google API emulator; see docs/CONTRACTS.md."""

    def __init__(self, youtube=None, drive=None, api_key: str | None = None, fault_rate: float = 0.0,
                 fault_seed=None, quota_limit: int | None = None, port: int = 0, host: str = "127.0.0.1",
                 token_lifetime: int = 3600, latency_ms: float = 0.0, jitter_ms: float = 0.0):
        if latency_ms < 0 or jitter_ms < 0:
            raise ValueError("latency_ms and jitter_ms must be >= 0")
        self.youtube = youtube
        self.drive = drive
        self.api_key = api_key
        self.fault_rate = fault_rate
        self.quota_limit = quota_limit
        self.host = host
        self.port = port
        self.oauth = OAuthState(token_lifetime=token_lifetime)
        self.foundation = None  # the temporary folder `emulator --foundation` generated (command.py)
        self.lock = threading.RLock()  # one request at a time touches the data
        self._rng = random.Random(fault_seed)
        # round trips: each request waits on its own handler thread, outside the data lock,
        # so concurrent requests overlap as on a network; a separate RNG keeps the fault
        # sequence of a seed the same with or without latency
        self.latency_ms, self.jitter_ms = latency_ms, jitter_ms
        self._delay_rng = random.Random(fault_seed)
        self._delay_lock = threading.Lock()
        self.waiting = self.peak_waiting = 0  # requests in their round trip now, and the most at once
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self.reset_stats()

    # ---- lifecycle -----------------------------------------------------------
    def start(self) -> "Emulator":
        emu = self

        class Handler(_Handler):
            emulator = emu

        self._server = _Server((self.host, self.port), Handler)
        self.port = self._server.server_address[1]
        # stop() waits for the serving loop to look up: every 50 ms, not the default 0.5 s
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="emulator", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def serve_forever(self) -> None:
        """Run in the foreground (the CLI)."""
        if self._server is None:
            self.start()
        try:
            self._thread.join()
        finally:
            self.stop()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def token_uri(self) -> str:
        return self.url + "/token"

    def round_trip(self) -> float:
        """Seconds this request waits: latency plus uniform jitter either side, never below 0."""
        if not self.latency_ms and not self.jitter_ms:
            return 0.0
        with self._delay_lock:
            jitter = self._delay_rng.uniform(-self.jitter_ms, self.jitter_ms) if self.jitter_ms else 0.0
        return max(0.0, self.latency_ms + jitter) / 1000

    def wait_round_trip(self, seconds: float) -> None:
        with self._delay_lock:
            self.waiting += 1
            self.peak_waiting = max(self.peak_waiting, self.waiting)
        try:
            time.sleep(seconds)
        finally:
            with self._delay_lock:
                self.waiting -= 1

    # ---- stats ---------------------------------------------------------------
    def reset_stats(self) -> None:
        with getattr(self, "lock", threading.RLock()):
            self._calls: dict[str, int] = {}
            self._errors: dict[str, int] = {}
            self._units = 0
            self._faults = 0

    def stats(self) -> dict:
        with self.lock:
            return {"calls": dict(self._calls), "quota_units": self._units, "faults": self._faults,
                    "errors": dict(self._errors)}

    # ---- credentials for tests and the CLI -------------------------------------
    def service_account_info(self) -> dict:
        return self.oauth.service_account_info(self.token_uri)

    def write_service_account(self, path) -> dict:
        return _write_secret(path, self.service_account_info())

    def user_token_info(self, scopes: list[str] | None = None) -> dict:
        return self.oauth.user_info(self.token_uri, scopes)

    def write_user_token(self, path, scopes: list[str] | None = None) -> dict:
        return _write_secret(path, self.user_token_info(scopes))

    def access_token(self, kind: str = "user", scopes: list[str] | None = None) -> str:
        return self.oauth.issue(kind, "test", scopes or [])["access_token"]

    # ---- request handling (called from handler threads) ------------------------
    def _who(self, params: dict, headers) -> Who:
        auth = headers.get("Authorization", "")
        if auth.lower().startswith("bearer "):
            tok = self.oauth.lookup(auth[7:].strip())
            if tok is None:
                raise ApiError(
                    401, "authError",
                    "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie "
                    "or other valid authentication credential.",
                    location="Authorization", location_type="header",
                    headers={"WWW-Authenticate": 'Bearer realm="https://accounts.google.com/", error="invalid_token"'})
            return Who(tok.kind, tok)
        key = params.get("key")
        if self.api_key is None:
            return Who("key" if key else "anonymous")
        if not key:
            raise ApiError(403, "forbidden", "Method doesn't allow unregistered callers (callers without "
                           "established identity). Please use API Key or other form of API consumer identity "
                           "to call this API.")
        if key != self.api_key:
            msg = "API key not valid. Please pass a valid API key."
            raise ApiError(400, "keyInvalid", msg, details=[{
                "@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "API_KEY_INVALID",
                "domain": "googleapis.com", "metadata": {"service": "emulator.googleapis.com"}}])
        return Who("key")

    def _quota_error(self, api: str) -> ApiError:
        if api == "youtube":
            return ApiError(403, "quotaExceeded", YT_QUOTA_MESSAGE, domain="youtube.quota")
        return ApiError(403, "dailyLimitExceeded", "Daily Limit Exceeded. The quota will be reset at "
                        "midnight Pacific Time (PT).", domain="usageLimits")

    def _fault(self, api: str) -> ApiError | None:
        with self.lock:
            if not self.fault_rate or self._rng.random() >= self.fault_rate:
                return None
            kind = self._rng.choice(FAULTS)
            self._faults += 1
        if kind == "500":
            return ApiError(500, "backendError", "Backend Error")
        if kind == "503":
            return ApiError(503, "backendError", "The service is currently unavailable.")
        if kind == "429":
            return ApiError(429, "rateLimitExceeded", "Too many requests.", status="RESOURCE_EXHAUSTED")
        if api == "drive":
            return ApiError(403, "userRateLimitExceeded", "User Rate Limit Exceeded.", domain="usageLimits")
        return ApiError(403, "rateLimitExceeded", "The request cannot be completed due to a rate limit.",
                        domain="usageLimits")

    def handle_api(self, api: str, method: str, cost: int, func, params: dict, headers):
        """Common pipeline of every API call: count, authenticate, charge quota, fault, answer."""
        with self.lock:
            self._calls[method] = self._calls.get(method, 0) + 1
        try:
            who = self._who(params, headers)
            if api == "youtube" and who.kind == "service_account":
                raise ApiError(401, "youtubeSignupRequired", "Unauthorized", domain="youtube.header",
                               location="Authorization", location_type="header")
            if api == "drive" and method.startswith("drive.changes") and who.kind not in ("user", "service_account"):
                raise ApiError(401, "required", "Login Required.", location="Authorization", location_type="header",
                               headers={"WWW-Authenticate": 'Bearer realm="https://accounts.google.com/"'})
            if who.token is not None and who.token.scopes and not any(
                    sc.rsplit("/", 1)[-1].startswith(api) for sc in who.token.scopes):
                raise ApiError(403, "insufficientPermissions", "Request had insufficient authentication scopes.",
                               details=[{"@type": "type.googleapis.com/google.rpc.ErrorInfo",
                                         "reason": "ACCESS_TOKEN_SCOPE_INSUFFICIENT", "domain": "googleapis.com"}])
            with self.lock:  # check and charge at once: concurrent calls cannot overshoot the limit
                if self.quota_limit is not None and self._units + cost > self.quota_limit:
                    raise self._quota_error(api)
                self._units += cost  # invalid requests cost their unit too, as at Google
            fault = self._fault(api)
            if fault:
                with self.lock:
                    self._units -= cost  # injected faults stand for calls Google never billed
                raise fault
            try:
                tree = parse_fields(params.get("fields"))
            except FieldsError:
                raise fields_error(params.get("fields", "")) from None
            with self.lock:
                try:
                    return func(params, who, tree)
                except ApiError as exc:
                    if exc.code == 401:  # no credentials where a method needs them: a credential error, unbilled
                        self._units -= cost
                    raise
        except ApiError as exc:
            with self.lock:
                key = f"{method} {exc.code} {exc.reason}"
                self._errors[key] = self._errors.get(key, 0) + 1
            raise


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "ESF"
    sys_version = ""
    emulator: Emulator = None

    def log_message(self, format, *args):  # noqa: A002 - quiet: tests and benchmarks
        pass

    def _send(self, status: int, body: bytes, content_type: str = "application/json; charset=UTF-8",
              headers: dict | None = None):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        # headers and body in one write: two small writes on a keep-alive connection
        # meet Nagle + delayed ACK and stall each call by ~40 ms
        self._headers_buffer.append(b"\r\n")
        self._headers_buffer.append(body)
        self.flush_headers()

    def _json(self, status: int, obj, headers: dict | None = None):
        self._send(status, json.dumps(obj, separators=(",", ":")).encode(), headers=headers)

    def _error(self, exc: ApiError):
        self._json(exc.code, exc.body(), exc.headers)

    def _read_body(self) -> bytes:
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    def do_GET(self):
        self._dispatch("GET", b"")

    def do_POST(self):
        body = self._read_body()
        method = self.headers.get("X-HTTP-Method-Override", "POST").upper()
        self._dispatch(method, body)

    def _dispatch(self, method: str, body: bytes):
        url = urllib.parse.urlsplit(self.path)
        params = dict(urllib.parse.parse_qsl(url.query, keep_blank_values=True))
        ctype = self.headers.get("Content-Type", "")
        if body and "application/x-www-form-urlencoded" in ctype:
            params.update(urllib.parse.parse_qsl(body.decode(), keep_blank_values=True))
        path = url.path
        emu = self.emulator
        try:
            if path == "/emulator/stats" and method == "GET":  # the bench's own look, not a round trip
                return self._json(200, emu.stats())
            delay = emu.round_trip()
            if delay:
                emu.wait_round_trip(delay)
            if path == "/token" and method == "POST":
                status, answer = emu.oauth.grant(params, emu.token_uri)
                return self._json(status, answer, {"Cache-Control": "no-store"})
            if path == "/o/oauth2/auth" and method == "GET":
                return self._authorize(params)
            if path.startswith("/youtube/v3/") and method == "GET":
                return self._youtube(path[len("/youtube/v3/"):], params)
            if path.startswith("/drive/v3/") and method == "GET":
                return self._drive(path[len("/drive/v3/"):], params)
            raise ApiError(404, "notFound", f"The requested URL {path} was not found on this server.",
                           status="NOT_FOUND")
        except ApiError as exc:
            self._error(exc)
        except Exception as exc:  # a bug in the emulator: answer like Google would, keep serving
            import traceback

            traceback.print_exc()
            self._error(ApiError(500, "backendError", f"Emulator error: {type(exc).__name__}"))

    def _authorize(self, params: dict):
        redirect = params.get("redirect_uri", "")
        if not redirect.startswith("http://127.0.0.1") and not redirect.startswith("http://localhost"):
            return self._send(400, b"redirect_uri must be a loopback address", "text/plain")
        code = self.emulator.oauth.authorize(params.get("client_id", ""), params.get("scope", "").split())
        query = urllib.parse.urlencode({"code": code, "state": params.get("state", ""),
                                        "scope": params.get("scope", "")})
        sep = "&" if "?" in redirect else "?"
        self._send(302, b"", "text/plain", {"Location": f"{redirect}{sep}{query}"})

    def _youtube(self, name: str, params: dict):
        emu = self.emulator
        if name.startswith("captions/") and emu.youtube is not None:  # captions.download: a media response
            method, track = "youtube.captions.download", name[len("captions/"):]
            ctype, body = emu.handle_api("youtube", method, youtube_api.COSTS[method],
                                         lambda p, who, tree: youtube_api.captions_download(emu.youtube, p, who, track),
                                         params, self.headers)
            return self._send(200, body, ctype)
        route = youtube_api.ROUTES.get(name)
        if route is None or emu.youtube is None:
            raise ApiError(404, "notFound", f"Method not found: youtube/v3/{name}", status="NOT_FOUND")
        method, func = route

        def run(params, who, tree):
            youtube_api.check_fields(method, params, tree)
            return project(func(emu.youtube, params, who), tree)

        result = emu.handle_api("youtube", method, youtube_api.COSTS[method], run, params, self.headers)
        if self.headers.get("If-None-Match") and self.headers["If-None-Match"].strip('"') == result.get("etag"):
            # a 304 still costs its unit (charged above): ETags save no quota on YouTube
            return self._send(304, b"", headers={"ETag": result["etag"]})
        self._json(200, result)

    def _drive(self, rest: str, params: dict):
        from . import drive_api

        emu = self.emulator
        if emu.drive is None:
            raise ApiError(404, "notFound", f"Method not found: drive/v3/{rest}", status="NOT_FOUND")
        method, func, args = drive_api.route(rest)
        result = emu.handle_api("drive", method, 1, lambda p, who, tree: func(emu.drive, p, who, tree, *args),
                                params, self.headers)
        if isinstance(result, tuple):  # (content type, bytes): files.export
            self._send(200, result[1], result[0])
        else:
            self._json(200, result)


def _write_secret(path, info: dict) -> dict:
    import os

    fd = os.open(str(path), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        json.dump(info, f, indent=2)
    os.chmod(str(path), 0o600)  # O_CREAT's mode does not apply to an existing file
    return info
