"""The Datasette site: ``plugin`` (render_cell, SQL functions, canned-query guards), ``pages``
(meeting, talk, person, series and home pages, feeds, charts), ``serve`` (how ``serve`` runs
Datasette), ``limits`` (per-connection limits) and ``live_file`` (a re-synced file swapped in
between requests). Reads the store only: may import ``indexer.common``, ``indexer.store``,
``indexer.notes`` (display paths) and ``indexer.transcripts`` (ranking); nothing that harvests.
"""
