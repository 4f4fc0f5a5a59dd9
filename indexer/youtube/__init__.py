"""The YouTube Data API v3 source: ``fetch`` (the API calls only), ``save`` (resources to rows,
the YouTube tables only), ``pipeline`` (how a listing runs: threads, batches, savepoints),
``harvest`` (composes them: ``harvest(db, client, channel)``), ``chapters`` (chapters from a
description) and ``captions`` (caption tracks of matched recordings).
May import ``indexer.common``, ``indexer.store``, ``indexer.google`` and ``indexer.transcripts``.
"""
