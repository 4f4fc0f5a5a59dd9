"""What every step of ``sync`` shares: the options it runs with (``SyncOptions``), what a step
returns (``StepResult``) and its progress bar (``Progress``). The pipeline and the steps it
runs import this module; it imports none of them, so a step never reaches back up.
"""
from __future__ import annotations

import sys
from dataclasses import dataclass, field


@dataclass
class SyncOptions:
    notes: list[str] = field(default_factory=list)
    channel: str | None = None
    drive_folder: str | None = None
    full: bool = False
    refresh: bool = True
    playlists: bool = True
    quiet: bool = False
    # the project file listing the series (meetup-indexer.yml here when None)
    config: str | None = None
    # quota units the YouTube captions may spend (indexer/youtube/captions.py; None: its default)
    transcript_budget: int | None = None


@dataclass
class StepResult:
    """What one step did: ``status`` ok, skipped or stopped (a budget), its counts
    for ``sync_runs``, one summary line, and whether the line shows even with --quiet."""

    name: str
    status: str = "ok"
    line: str | None = None
    counts: dict = field(default_factory=dict)
    must_show: bool = False


class Progress:
    """One tqdm bar on stderr per step, only when someone is watching."""

    def __init__(self, name: str, unit: str, quiet: bool):
        self.name, self.unit = name, unit
        self.bar = None
        self.enabled = not quiet and sys.stderr.isatty()

    def __call__(self, done: int, total: int | None = None) -> None:
        if not self.enabled:
            return
        if self.bar is None:
            from tqdm import tqdm

            self.bar = tqdm(total=total, unit=self.unit, desc=self.name, file=sys.stderr, leave=False)
        if total and self.bar.total != total:
            self.bar.total = total
        self.bar.update(done - self.bar.n)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
