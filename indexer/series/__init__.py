"""Meeting series: ``project`` (the project file, ``meetup-indexer.yml``: one ``SeriesConfig`` per
series), ``assign`` (a recording to one series among many, and the matcher run per series; pure)
and ``db`` (the ``series`` table, meeting ids keyed by series, the notes step's plan).
May import ``indexer.common``, ``indexer.store``, ``indexer.notes``, ``indexer.match``, and the
sources' reference parsers (``indexer.youtube``, ``indexer.drive``) to read channel and folder names.
"""
