"""Orchestration of `meetup-indexer sync` beyond the notes, so cli.py stays thin.

``youtube_step`` decides whether YouTube can be harvested (credentials or a
replay), builds the client, runs the harvest with a progress bar and returns
the summary line. Calls and quota units go into the ``sync_runs`` record.
"""
from __future__ import annotations

import sys
from dataclasses import dataclass

from . import auth as authmod
from . import db as dbmod
from .google_api import GoogleClient, add_usage, recording_has
from .youtube import ChannelRefError, Result, harvest

CHANNEL_KINDS = ("youtube_channel", "youtube_handle", "youtube_user", "youtube_custom")


@dataclass
class YouTubeOptions:
    channel: str | None = None
    api_key: str | None = None
    api_endpoint: str | None = None
    credentials: str | None = None
    full: bool = False
    refresh: bool = True
    quota_budget: int | None = None
    record: str | None = None
    replay: str | None = None
    quiet: bool = False
    playlists: bool = True


def channel_from_notes(db) -> str | None:
    """The channel the notes' header names, as its URL."""
    return dbmod.first_source(db, CHANNEL_KINDS, column="url")


class Progress:
    """A tqdm bar on stderr, only when someone is watching."""

    def __init__(self, quiet: bool):
        self.bar = None
        self.enabled = not quiet and sys.stderr.isatty()

    def __call__(self, done: int, total: int | None) -> None:
        if not self.enabled:
            return
        if self.bar is None:
            from tqdm import tqdm

            self.bar = tqdm(total=total, unit="video", desc="YouTube", file=sys.stderr, leave=False)
        if total and self.bar.total != total:
            self.bar.total = total
        self.bar.update(done - self.bar.n)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def youtube_step(db, opts: YouTubeOptions, run: dict) -> tuple[Result | None, str]:
    """Harvest YouTube into ``db``; returns (result, one summary line).

    Without credentials and without a replay it returns (None, why it was skipped).
    ApiError (one line, exit code) propagates to the caller.
    """
    channel = opts.channel or channel_from_notes(db)
    # notes that name no channel (a Drive-only archive) skip YouTube rather than
    # fail, so a service-account key, which YouTube refuses, can harvest Drive
    if not channel and not opts.replay:
        return None, "YouTube skipped: no channel (pass --channel or link one in the notes' header)"
    if opts.replay:
        if not opts.channel and not recording_has(opts.replay, "/youtube/v3/"):
            return None, f"YouTube skipped: the recording in {opts.replay} has no YouTube responses"
        auth = authmod.Auth(source="replay")
    else:
        auth = authmod.resolve("youtube", api_key=opts.api_key, credentials_file=opts.credentials,
                              api_endpoint=opts.api_endpoint)
        if not auth:
            return None, (
                "YouTube skipped: no API key (--api-key, YOUTUBE_API_KEY or GOOGLE_API_KEY), "
                "--credentials or --replay given"
            )
    if not channel:
        raise ChannelRefError("no YouTube channel: pass --channel or name one in the notes' header")
    client = GoogleClient(
        "youtube",
        "v3",
        api_key=auth.api_key,
        credentials=auth.credentials,
        api_endpoint=opts.api_endpoint,
        record=opts.record,
        replay=opts.replay,
        quota_budget=opts.quota_budget,
    )
    progress = Progress(opts.quiet)
    try:
        # a replay must ask exactly what was recorded: list everything
        result = harvest(db, client, channel, full=opts.full or bool(opts.replay), refresh=opts.refresh,
                         playlists=opts.playlists, progress=progress)
    finally:
        progress.close()
        usage = client.usage.as_dict()
        add_usage(run, client.usage)
        client.close()
    run["counts"] = {**run.get("counts", {}), **result.counts()}
    calls = sum(usage["calls"].values())
    line = (
        # a budget can stop the run before the channel is looked up: name the one asked for
        f"YouTube {result.channel_id or channel}: {result.new} new, {result.updated} updated, {result.removed} removed, "
        f"{result.playlists} playlists; {calls} calls, {usage['quota_units']} quota units in {result.seconds:.2f}s"
    )
    if result.stopped:
        line += f"; stopped early: {result.stopped} (rerun to continue)"
    return result, line
