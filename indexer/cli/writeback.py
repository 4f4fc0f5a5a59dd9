"""``chapters``: what the index learned, written back where people look (issue 22).

Prints, for each matched recording with at least three talks placed at a second, the
chapter block YouTube accepts, to paste into the description. Reads the database only.
"""
from __future__ import annotations

import click

from indexer.cli.database import open_existing
from indexer.youtube.chapter_block import chapter_list, is_placed, place_block, render_block


def recording_chapters(db, meeting: str | None = None, video: str | None = None) -> list[dict]:
    """Each matched YouTube recording (harvested, not removed) with its placed talks, in meeting order."""
    where, params = ["r.source = 'youtube'", "v.removed_at is null"], []
    if meeting:
        where.append("r.meeting_id = ?")
        params.append(meeting)
    if video:
        where.append("r.ref = ?")
        params.append(video)
    out = []
    for row in db.query(
            "select distinct r.ref as video_id, r.meeting_id, v.title, v.description, v.duration_s "
            "from recordings r join videos v on v.id = r.ref where " + " and ".join(where)
            + " order by r.meeting_id, r.ref", params):
        talks = [dict(t) for t in db.query(
            "select t.title, tr.start_s, tr.method from talk_recordings tr join talks t on t.id = tr.talk_id "
            "where tr.video_id = ? and t.meeting_id = ? order by tr.start_s, t.position",
            [row["video_id"], row["meeting_id"]])]
        row["talks"] = [t for t in talks if is_placed(t["method"])]
        row["chapters"] = chapter_list(row["talks"], row["duration_s"])
        out.append(row)
    return out


@click.command()
@click.argument("db_path", metavar="DB")
@click.option("--meeting", metavar="ID", help="Only this meeting's recording(s).")
@click.option("--video", metavar="ID", help="Only this YouTube video.")
def chapters(db_path, meeting, video):
    """Print the chapter block of each matched recording with at least three talks
    placed at a second (first at 0:00, ascending, each at least 10 s, titles from the
    agenda without < and >), to paste into its YouTube description.

    A description that already has chapters is left alone and said to be.
    """
    db = open_existing(db_path, "recordings", "no matched recordings in {path} (run `meetup-indexer sync` first)",
                       need_rows=False)
    rows = recording_chapters(db, meeting, video)
    if (meeting or video) and not rows:
        raise click.UsageError(f"no matched YouTube recording for {'meeting ' + meeting if meeting else 'video ' + video}")
    shown = 0
    for row in rows:
        head = f"# {row['video_id']} ({row['meeting_id']}) {row['title'] or ''}".rstrip()
        if not row["chapters"]:
            if meeting or video:
                click.echo(f"{head}: {len(row['talks'])} talk(s) placed, fewer than 3 chapters: no block", err=True)
            continue
        block = render_block(row["chapters"])
        _, status = place_block(row["description"] or "", block)
        if status == "has_chapters":
            click.echo(f"{head}: its description already has chapters: left alone", err=True)
            continue
        if status == "unchanged":
            click.echo(f"{head}: its description already holds this block", err=True)
            continue
        if status == "too_long":
            click.echo(f"{head}: the block does not fit in YouTube's 5,000 characters: not shown", err=True)
            continue
        click.echo(head)
        click.echo(block)
        click.echo()
        shown += 1
    click.echo(f"chapters: {shown} block(s) to paste, {len(rows)} recording(s) looked at", err=True)
