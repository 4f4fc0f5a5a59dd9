"""The one exception family for failures a user can fix.

Every command turns a ``UserError`` into one line on stderr and its
``exit_code`` (cli.py, in one place); anything else is a bug and keeps its
traceback.
"""
from __future__ import annotations

EXIT_ERROR = 1
EXIT_BUSY = 8  # another sync or match holds the database


class UserError(Exception):
    """``str()`` is one line that names the input and holds no secret."""

    exit_code = EXIT_ERROR
