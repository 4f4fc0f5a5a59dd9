"""The pure matcher: recordings to meetings and talks to the second they start, each link with a
method and a confidence. Plain data in, plain dicts out; its database side is
``indexer.sync.matching``. May import ``indexer.common``, ``indexer.notes`` (the pure parser's
names) and ``indexer.transcripts`` (``moments``).
"""
