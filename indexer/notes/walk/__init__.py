"""The section walker: one pass over the blocks that finds meetings and fills them.

``parser.NotesParser`` hands each block to the carrier of its kind, one module each:
``headings``, ``paragraphs`` (bold date lines, date lines, plain-line agendas),
``bullets`` (dated bullets, agenda and backlog lists), ``tables``, ``html_blocks``
(``<details>``, layout-table cells, HTML agenda tables) and ``one_file`` (a file that
is one meeting). They are mixins over ``state.WalkState``, the open meeting they
share. Helpers they read with: ``inline`` (a block's text), ``labels`` (the words
every carrier reads alike), ``rows`` (table rows as talks), ``topics`` (topic
headings), ``front_matter`` and ``finish`` (after the walk: links, duplicates, the
head's sources). Imports only the lower modules of ``indexer.notes`` and ``common``.
"""
