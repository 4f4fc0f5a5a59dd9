"""The SQLite file and its shape: ``schema`` (every table, foreign key, index, FTS config and
view, declared once; ``ensure_db_shape``), ``db`` (opening, ``sync_run``, the writers every
``save_*`` shares), ``dbfile`` (the file while a command writes it: lock, working copy, rename)
and ``failures`` (what SQLite and the file system refuse, as exit codes 9 and 10).
May import ``indexer.common`` only.
"""
