"""The transcript sources of ``sync``, run after the matcher (captions cost quota, so
only recordings matched to meetings are worth it), then the matcher again when new
cues arrived, so talks are placed with them in the same run.

Neither step can fail the sync: credentials that cannot read captions (an API key,
a token without the ``youtube.force-ssl`` scope, or not the channel's owner), a
file Drive refuses, a budget spent, each give one line (status ``skipped`` or
``stopped``, as a Drive folder the notes link but nobody shared is skipped) and the
sync exits 0 with everything else it did kept.
"""
from __future__ import annotations

import time
from dataclasses import replace
from typing import Callable

from indexer.common.errors import UserError
from indexer.sync.steps import Progress, StepResult, SyncOptions


# counts that say cues arrived, changed or moved to another video: the matcher must run again
CHANGED = ("captions_downloaded", "zoom_transcripts_downloaded", "zoom_transcripts_removed",
           "zoom_transcripts_relinked")


def caption_step(db, opts: SyncOptions, access, run: dict) -> StepResult:
    from indexer.google.auth import Auth, resolve
    from indexer.youtube.captions import DEFAULT_BUDGET, LIST_COST, cannot_download, plan, sync_captions
    from indexer.google.client import BadKey, Forbidden, QuotaExhausted, add_usage, recording_has

    name = "captions"
    asked = opts.transcript_budget is not None
    budget = opts.transcript_budget if asked else DEFAULT_BUDGET
    todo = plan(db) if budget else []
    if not todo:
        return StepResult(name, "skipped")

    def skip(why: str, show: bool = True, status: str = "skipped") -> StepResult:
        return StepResult(name, status, f"YouTube captions {status}: {why}", must_show=show)

    if access.replay:
        if not recording_has(access.replay, "/youtube/v3/captions"):
            return StepResult(name, "skipped")
        auth = Auth(source="replay")
    else:
        try:
            # captions need the token even where an API key serves the rest of YouTube
            auth = (resolve("youtube", credentials_file=access.credentials, api_endpoint=access.api_endpoint)
                    if access.credentials else access.auth("youtube"))
        except UserError as exc:
            return skip(str(exc), asked)
        if not auth:
            return StepResult(name, "skipped")
        why = cannot_download(auth)
        if why:
            return skip(why, asked)
    left = budget
    if access.quota_budget is not None:
        left = min(left, access.quota_budget - run.get("quota_units", 0))
    if left < LIST_COST:
        return skip(f"the quota budget is spent ({left} units left, a video needs {LIST_COST} + 200); "
                    "the next sync continues", asked, "stopped")
    client = replace(access, quota_budget=left).client("youtube", auth)
    progress = Progress("captions", "video", opts.quiet)
    started = time.monotonic()
    try:
        result = sync_captions(db, client, progress, todo)
    except Forbidden as exc:
        if "insufficientPermissions" in str(exc):
            return skip("the OAuth token lacks the youtube.force-ssl scope captions need: "
                        "run `meetup-indexer auth --scope youtube --scope captions` again")
        return skip("these credentials may not read this channel's captions (403 forbidden): "
                    "captions.list and captions.download need OAuth as the channel's owner")
    except QuotaExhausted as exc:
        return skip(str(exc), True, "stopped")
    except BadKey as exc:
        return skip(str(exc))
    except UserError as exc:  # anything else the API says: one line, the rest of the sync kept
        return skip(str(exc))
    finally:
        progress.close()
        add_usage(run, client.usage)
        client.close()
    usage = client.usage.as_dict()
    line = (f"YouTube captions: {result.listed} listed, {result.downloaded} downloaded ({result.cues} cues), "
            f"{result.current} current, {result.no_track} without a track; {sum(usage['calls'].values())} calls, "
            f"{usage['quota_units']} quota units in {time.monotonic() - started:.2f}s")
    if result.stopped:
        line += f"; stopped at the transcript budget: {result.pending} recording(s) left for the next sync"
    if result.errors:
        line += f"; {len(result.errors)} not read ({result.errors[0]})"
    return StepResult(name, "stopped" if result.stopped else "ok", line, result.counts(), must_show=bool(result.stopped))


def zoom_step(db, opts: SyncOptions, access, run: dict) -> StepResult:
    from indexer.google.client import add_usage
    from indexer.drive.zoom import kind_of, sync_zoom_transcripts

    name = "zoom"
    tables = set(db.table_names())
    if "drive_files" not in tables:
        return StepResult(name, "skipped")
    has_files = any(kind_of(r[0]) for r in db.execute("select name from drive_files where removed_at is null"))
    has_stored = "transcripts" in tables and db.execute(
        "select 1 from transcripts where id like 'drive:%' limit 1").fetchone()
    if not (has_files or has_stored) or not access.recorded("drive"):
        return StepResult(name, "skipped")
    auth = access.auth("drive")
    if not access.usable(auth):
        return StepResult(name, "skipped")
    client = access.client("drive", auth)
    started = time.monotonic()
    try:
        result = sync_zoom_transcripts(db, client)
    except UserError as exc:
        return StepResult(name, "skipped", f"Drive transcripts skipped: {exc}", must_show=True)
    finally:
        add_usage(run, client.usage)
        client.close()
    if not (result.files or result.removed):  # no transcript beside a meeting's recording: nothing to say
        return StepResult(name, "ok", None, result.counts())
    calls = sum(client.usage.calls.values())
    line = (f"Drive transcripts: {result.downloaded} downloaded ({result.cues} cues), {result.unchanged} unchanged, "
            f"{result.removed} removed; {calls} calls in {time.monotonic() - started:.2f}s")
    if result.errors:
        line += f"; {len(result.errors)} skipped ({result.errors[0]})"
    return StepResult(name, "ok", line, result.counts())


def after_match(db, opts: SyncOptions, access, run: dict, steps: list[StepResult],
                rematch: Callable[[object, dict], StepResult]) -> None:
    """Both transcript steps into ``steps``; when they brought new or changed cues, the
    matcher again (``rematch``, the pipeline's match step, passed in so this module
    never imports the pipeline), its line after theirs in place of the first one's."""
    new = [zoom_step(db, opts, access, run), caption_step(db, opts, access, run)]
    for step in new:
        run["counts"].update(step.counts)
    steps += new
    if any(s.counts.get(k) for s in new for k in CHANGED):
        steps[:] = [s for s in steps if s.name != "match"]
        steps.append(rematch(db, run))
