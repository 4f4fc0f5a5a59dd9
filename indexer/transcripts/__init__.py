"""What was said: ``parse`` (subtitle files to cues; pure), ``store`` (importing them into
``transcripts`` / ``transcript_cues``, incremental, searchable) and ``moments`` (where talks start,
read from cues; pure). May import ``indexer.common`` and ``indexer.store``.
"""
