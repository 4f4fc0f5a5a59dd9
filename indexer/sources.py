"""Old home of the notes readers, now ``indexer.notes.files``: re-exported so imports of it still work."""
from .notes.files import *  # noqa: F401,F403
