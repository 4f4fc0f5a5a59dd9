"""Credentials for Google APIs, in the order a user expects them to win.

1. ``--api-key`` (or ``YOUTUBE_API_KEY`` / ``GOOGLE_API_KEY``): enough for a
   public channel or folder, and the cheapest to set up.
2. ``--credentials FILE``: an OAuth user token saved by ``meetup-indexer auth``
   (or gcloud's ``authorized_user`` file), or a service-account key.
3. Application Default Credentials (``google.auth.default()``), only looked up
   when configured, because probing for a metadata server costs seconds offline.

YouTube gives service accounts no channel, so they are refused for YouTube with
a message pointing to an API key; Drive accepts them.
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from indexer.google.client import BadKey, redact, remember_secret

SCOPES = {
    "youtube": ["https://www.googleapis.com/auth/youtube.readonly"],
    "drive": ["https://www.googleapis.com/auth/drive.readonly"],
    # captions.list / captions.download accept no read-only scope (indexer/youtube/captions.py)
    "captions": ["https://www.googleapis.com/auth/youtube.force-ssl"],
}
KEY_ENV = {
    "youtube": ["YOUTUBE_API_KEY", "GOOGLE_API_KEY"],
    "drive": ["GOOGLE_API_KEY"],
}
DEFAULT_TOKEN_FILE = "meetup-indexer.token.json"  # matches *.token.json in .gitignore

SERVICE_ACCOUNT_REFUSED = (
    "YouTube gives service accounts no channel, so {what} cannot read it: "
    "use an API key (--api-key or YOUTUBE_API_KEY) for a public channel, "
    "or `meetup-indexer auth` for private videos"
)


class AuthError(BadKey):
    """A credential problem the user can fix; one line, no secret."""


class ServiceAccountRefused(AuthError):
    """YouTube has no channel for service accounts; Drive still accepts them."""


@dataclass
class Auth:
    api_key: str | None = None
    credentials: object | None = None
    source: str = "none"  # flag | env:NAME | file:PATH | adc | none

    def __bool__(self) -> bool:
        return bool(self.api_key or self.credentials)


def resolve(
    api: str,
    api_key: str | None = None,
    credentials_file: str | None = None,
    env: dict | None = None,
    use_adc: bool = True,
    api_endpoint: str | None = None,
) -> Auth:
    """The credentials to use for ``api``; ``Auth()`` (falsy) when there are none.

    ``api_endpoint``: a saved token whose ``token_uri`` is on that same host (the
    emulator) is refreshed there; any other token only ever goes to Google.
    """
    env = os.environ if env is None else env
    if api_key:
        remember_secret(api_key)
        return Auth(api_key=api_key, source="flag")
    if credentials_file:
        return Auth(credentials=load_credentials_file(credentials_file, api, api_endpoint),
                    source=f"file:{credentials_file}")
    for name in KEY_ENV.get(api, ["GOOGLE_API_KEY"]):
        if env.get(name):
            remember_secret(env[name])
            return Auth(api_key=env[name], source=f"env:{name}")
    if use_adc and adc_configured(env):
        return Auth(credentials=application_default(api, env.get("GOOGLE_APPLICATION_CREDENTIALS")), source="adc")
    return Auth()


def adc_configured(env) -> bool:
    if env.get("GOOGLE_APPLICATION_CREDENTIALS"):
        return True
    config = env.get("CLOUDSDK_CONFIG") or str(Path.home() / ".config" / "gcloud")
    return (Path(config) / "application_default_credentials.json").is_file()


def application_default(api: str, path: str | None = None):
    import google.auth
    from google.auth.exceptions import DefaultCredentialsError
    from google.oauth2 import service_account

    try:
        if path:  # the same checks as --credentials (and no deprecated generic loader)
            return load_credentials_file(path, api)
        creds, _ = google.auth.default(scopes=SCOPES.get(api))
    except DefaultCredentialsError as exc:
        raise AuthError(f"application default credentials are unusable: {str(exc).splitlines()[0][:150]}") from None
    if api == "youtube" and isinstance(creds, service_account.Credentials):
        raise ServiceAccountRefused(SERVICE_ACCOUNT_REFUSED.format(what="the application default service account"))
    return creds


def load_credentials_file(path: str, api: str, api_endpoint: str | None = None):
    """A saved OAuth token (refreshed and saved back when expired) or a service account."""
    p = Path(path)
    if not p.is_file():
        raise AuthError(f"credentials file not found: {path}")
    try:
        info = json.loads(p.read_text())
    except (ValueError, OSError, UnicodeDecodeError):
        raise AuthError(f"credentials file is not JSON: {path}") from None
    if not isinstance(info, dict):
        raise AuthError(f"credentials file is not a Google credentials object: {path}")
    if "installed" in info or "web" in info:
        raise AuthError(
            f"{path} is an OAuth client file, not a token: run `meetup-indexer auth --client-secrets {path}` first"
        )
    if info.get("type") == "service_account":
        if api == "youtube":
            raise ServiceAccountRefused(SERVICE_ACCOUNT_REFUSED.format(what=f"the service account in {path}"))
        remember_secret(info.get("private_key_id"))
        from google.oauth2 import service_account

        try:
            return service_account.Credentials.from_service_account_info(info, scopes=SCOPES.get(api))
        except (ValueError, KeyError) as exc:
            raise AuthError(f"invalid service-account file {path}: {type(exc).__name__}") from None
    if "refresh_token" in info or info.get("type") == "authorized_user":
        creds = _user_credentials(info, path, api_endpoint)
        for secret in (info.get("token"), info.get("refresh_token"), info.get("client_secret")):
            remember_secret(secret)
        return refresh_if_expired(creds, path)
    raise AuthError(f"{path} is neither an OAuth token nor a service-account key")


def _same_host(a: str | None, b: str | None) -> bool:
    from urllib.parse import urlparse

    if not a or not b:
        return False
    ua, ub = urlparse(a), urlparse(b)
    return (ua.scheme, ua.hostname, ua.port) == (ub.scheme, ub.hostname, ub.port)


def _user_credentials(info: dict, path: str, api_endpoint: str | None = None):
    from google.oauth2.credentials import Credentials

    try:
        creds = Credentials.from_authorized_user_info(info)
    except ValueError as exc:
        raise AuthError(f"invalid OAuth token file {path}: {str(exc)[:120]}") from None
    # google-auth pins refreshes to Google's token endpoint, so a token file cannot
    # send the refresh token elsewhere; the endpoint the user chose is the exception
    if _same_host(info.get("token_uri"), api_endpoint):
        creds = creds.with_token_uri(info["token_uri"])
    return creds


def refresh_if_expired(creds, path: str | None = None):
    """Refresh an expired user token now (one clear error instead of a 401 mid-run)
    and save it back, so the next run starts with a fresh one."""
    if not (creds.expired or not creds.token) or not creds.refresh_token:
        return creds
    from google.auth.exceptions import RefreshError
    from google.auth.transport.requests import Request

    try:
        creds.refresh(Request())
    except RefreshError as exc:
        reason = exc.args[0] if exc.args else "refresh failed"
        raise AuthError(
            f"the saved OAuth token could not be refreshed ({str(reason).split(':')[0][:60]}): "
            "run `meetup-indexer auth` again"
        ) from None
    except Exception as exc:  # noqa: BLE001 - transport errors: network down
        raise AuthError(f"could not refresh the OAuth token ({type(exc).__name__}): is the network down?") from None
    remember_secret(creds.token)
    if path:
        save_token(creds, path)
    return creds


def save_token(creds, path: str) -> None:
    """Write the token readable by its owner only (0600), atomically."""
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    tmp = p.with_name(p.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(creds.to_json())
    os.chmod(tmp, 0o600)
    os.replace(tmp, p)


def run_installed_app_flow(
    client_secrets: str,
    token_path: str,
    scopes: list[str],
    open_browser: bool = True,
    port: int = 0,
    host: str = "localhost",
    timeout: float = 300,
):
    """The OAuth installed-app flow with a loopback redirect (the out-of-band
    copy-paste flow was shut down by Google in 2022). Returns the credentials."""
    from google_auth_oauthlib.flow import InstalledAppFlow

    p = Path(client_secrets)
    if not p.is_file():
        raise AuthError(f"OAuth client file not found: {client_secrets}")
    try:
        flow = InstalledAppFlow.from_client_secrets_file(str(p), scopes=scopes)
    except (ValueError, KeyError):
        raise AuthError(
            f"{client_secrets} is not an OAuth client file for a desktop app "
            "(create one under APIs & Services > Credentials)"
        ) from None
    try:
        creds = flow.run_local_server(
            host=host,
            port=port,
            open_browser=open_browser,
            authorization_prompt_message="Open this URL in a browser to authorize meetup-indexer: {url}",
            success_message="meetup-indexer is authorized; you can close this window.",
            timeout_seconds=timeout,
        )
    except Exception as exc:  # noqa: BLE001 - oauthlib raises many types; one line each
        if type(exc).__name__ == "WSGITimeoutError":
            raise AuthError(f"no answer from the browser within {timeout:.0f}s: run `meetup-indexer auth` again") from None
        raise AuthError(f"authorization failed: {type(exc).__name__}: {redact(str(exc))[:120]}") from None
    remember_secret(creds.token)
    save_token(creds, token_path)
    return creds


# ---------------------------------------------------------------- access to every API, from one set of flags

# where each API lives below ``--api-endpoint`` (the server root: Google's, or the emulator's)
ENDPOINT_PATHS = {"youtube": "", "drive": "drive/v3/"}
# the path prefix of each API's answers in a recording
RECORDED_PATHS = {"youtube": "/youtube/v3/", "drive": "/drive/v3/"}


@dataclass
class GoogleAccess:
    """Key, endpoint, credentials, record, replay and budget, given once per
    command; ``auth(api)`` and ``client(api)`` hand out what each API needs."""

    api_key: str | None = None
    api_endpoint: str | None = None
    credentials: str | None = None
    record: str | None = None
    replay: str | None = None
    quota_budget: int | None = None

    def __post_init__(self):
        # userinfo in the endpoint (http://user:password@host) is never sent nor shown
        from urllib.parse import urlsplit, urlunsplit

        if self.api_endpoint and "@" in (parts := urlsplit(self.api_endpoint)).netloc:
            userinfo, host = parts.netloc.rsplit("@", 1)
            for secret in (userinfo, *userinfo.split(":")):
                remember_secret(secret)
            self.api_endpoint = urlunsplit(parts._replace(netloc=host))

    def auth(self, api: str) -> Auth:
        """The credentials for ``api`` (falsy when there are none). Drive prefers
        ``--credentials`` to ``--api-key`` when both are given: they read private
        folders and the changes feed, while the key still serves YouTube (which
        refuses service accounts)."""
        if self.replay:
            return Auth(source="replay")
        if api != "youtube" and self.credentials:
            return resolve(api, credentials_file=self.credentials, api_endpoint=self.api_endpoint)
        return resolve(api, api_key=self.api_key, credentials_file=self.credentials, api_endpoint=self.api_endpoint)

    def usable(self, auth: Auth) -> bool:
        return bool(auth) or bool(self.replay)

    def recorded(self, api: str) -> bool:
        """Without a replay, or when the recording holds answers from ``api``."""
        from indexer.google.client import recording_has

        return not self.replay or recording_has(self.replay, RECORDED_PATHS[api])

    def endpoint(self, api: str) -> str | None:
        if not self.api_endpoint:
            return None
        root = self.api_endpoint.rstrip("/") + "/"
        path = ENDPOINT_PATHS.get(api, "")
        return root if not path or root.endswith(path) else root + path

    def client(self, api: str, auth: Auth | None = None, **kwargs):
        """The shared ``GoogleClient`` for ``api`` (retries, accounting, record/replay)."""
        from indexer.google.client import GoogleClient

        auth = self.auth(api) if auth is None else auth
        return GoogleClient(
            api, "v3", api_key=auth.api_key, credentials=auth.credentials, api_endpoint=self.endpoint(api),
            record=self.record, replay=self.replay, quota_budget=self.quota_budget, **kwargs,
        )

    def client_builder(self, api: str, run: dict | None = None):
        """A function building the ``api`` client when an input turns out to need
        one (a Google Doc among notes files), None without credentials; closing
        the client adds its calls and units to ``run`` (a ``sync_runs`` record)."""

        def build():
            if not self.usable(self.auth(api)):
                return None
            client = self.client(api)
            close = client.close

            def close_and_count():
                if run is not None:
                    from indexer.google.client import add_usage

                    add_usage(run, client.usage)
                close()

            client.close = close_and_count
            return client

        return build
