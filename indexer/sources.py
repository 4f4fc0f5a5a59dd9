"""Old home of the notes readers, now ``indexer.notes.files``; kept so imports of it still work."""
from .notes.files import (  # noqa: F401
    EXPORT_TYPES,
    NOTES_SUFFIXES,
    InputError,
    decode_utf8,
    display_path,
    expand_notes_paths,
    gdoc_id,
    load_gdoc,
    load_notes,
    one_date_per_meeting,
    read_gdoc,
    read_notes_file,
)
