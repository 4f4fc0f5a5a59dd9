"""The emulator's --latency-ms: each request waits its own round trip, concurrent ones overlap."""
import threading
import time

import pytest
from googleapiclient.discovery import build

from meetup_emulator import Emulator, YouTubeData


def test_round_trip_delays_each_call_and_overlaps_concurrent_ones():
    data = YouTubeData.generate(videos=10, seed=1)
    with Emulator(youtube=data, latency_ms=120, jitter_ms=20, fault_seed=3) as emu:
        cid = next(iter(data.channels))

        def call():
            yt = build("youtube", "v3", static_discovery=True, developerKey="k",
                       client_options={"api_endpoint": emu.url})
            yt.channels().list(part="id", id=cid).execute()

        started = time.monotonic()
        call()
        assert time.monotonic() - started >= 0.1  # a round trip is never shorter than latency - jitter
        threads = [threading.Thread(target=call) for _ in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=30)
        assert emu.peak_waiting >= 2  # requests waited side by side, not one after another
        assert emu.stats()["calls"]["youtube.channels.list"] == 7


def test_no_latency_by_default_and_negative_refused():
    emu = Emulator()
    assert emu.round_trip() == 0.0
    with pytest.raises(ValueError):
        Emulator(latency_ms=-1)
    assert 0.05 <= Emulator(latency_ms=100, jitter_ms=50).round_trip() <= 0.15
