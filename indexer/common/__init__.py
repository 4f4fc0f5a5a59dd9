"""Small pure helpers every package may use: ``errors`` (``UserError``, the one exception
family: one line and an exit code), ``bounds`` (limits on what comes from outside), ``redact``
(secrets out of anything printed or stored), ``urls`` (recording links recognised in free text),
``times`` (UTC instants, moments as YouTube writes them) and ``recording_files`` (what names a
recording file). Imports nothing else of ``indexer``.
"""
