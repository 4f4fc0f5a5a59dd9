"""The Drive API v3 source: ``fetch`` (the API calls only), ``save`` (the Drive tables only),
``tree`` and ``dates`` (where an item sits and the dates its name carries; pure), ``harvest``
(composes them: full walk or the changes feed) and ``zoom`` (Zoom transcripts and chats beside
recordings). May import ``indexer.common``, ``indexer.store``, ``indexer.google`` and
``indexer.transcripts``.
"""
