"""Local emulator of the YouTube Data API v3 and Drive v3 subset meetup-indexer uses,
with an OAuth token endpoint; see docs/CONTRACTS.md."""
from .server import Emulator
from .youtube_data import YouTubeData

try:
    from .drive_data import DriveData
except ImportError:  # pragma: no cover - Drive arrives after YouTube
    DriveData = None

__all__ = ["Emulator", "YouTubeData", "DriveData"]
