"""Sphinx configuration: the docs/ pages are MyST markdown, built by `make docs` or Read the Docs."""
import importlib.metadata

project = "meetup-indexer"
author = "meetup-indexer contributors"
copyright = "meetup-indexer contributors, Apache-2.0"
try:
    release = importlib.metadata.version("meetup-indexer")
except importlib.metadata.PackageNotFoundError:  # building from a checkout that is not installed
    release = ""
version = release

extensions = ["myst_parser"]
source_suffix = {".md": "markdown"}
# cross-page links to sections (cli.md#exit-codes) resolve to headings, as on GitHub
myst_heading_anchors = 3
exclude_patterns = ["_build", "Thumbs.db", ".DS_Store"]

html_theme = "furo"
html_title = "meetup-indexer"
# the pages show shell, yaml and sql blocks; a fence with no language is plain text
highlight_language = "text"
