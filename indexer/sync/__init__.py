"""The pipeline a ``sync`` runs, top of the stack below the CLI: ``pipeline`` (notes, one step
runner over every source, the matcher, the transcript steps), ``matching`` (the matcher's database
side: read the tables, run ``indexer.match``, replace the links, ``report``) and
``transcript_steps`` (captions and Zoom transcripts after a match). May import every package but
``indexer.site`` and ``indexer.cli``.
"""
