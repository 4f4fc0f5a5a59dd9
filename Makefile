# The two commands of the README: `make demo` and `make test`.
# Everything installs into .venv; only a Python 3.10+ is needed.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DB := data/index.db
PORT ?= 8001

FOUNDATION_DB := data/foundation.db

.PHONY: demo demo-foundation test docs sync serve install install-emulator install-test install-docs bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed pyproject.toml
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

$(VENV)/.installed-emulator: $(VENV)/.installed pyproject.toml
	$(BIN)/pip install --quiet -e '.[emulator]'
	touch $@

install: $(VENV)/.installed
install-emulator: $(VENV)/.installed-emulator
install-test: $(VENV)/.installed-test

$(VENV)/.installed-docs: $(VENV)/.installed pyproject.toml
	$(BIN)/pip install --quiet -e '.[docs]'
	touch $@

install-docs: $(VENV)/.installed-docs

# the bundled synthetic channel and Drive archive, replayed offline (data/sample/README.md)
sync: install
	$(BIN)/meetup-indexer sync $(DB) data/notes/flyte-meetup-notes.md --replay data/sample/recording

demo: sync
	@echo "Datasette: http://127.0.0.1:$(PORT)/"
	$(BIN)/meetup-indexer serve $(DB) --port $(PORT)

# emulated sample data, not a real community: a foundation's channel carrying 20 meeting series,
# synced offline against the emulator on 127.0.0.1 (started and stopped by the script)
demo-foundation: install-emulator
	$(BIN)/python scripts/foundation_demo.py $(FOUNDATION_DB)
	@echo "Datasette (emulated foundation, sample data): http://127.0.0.1:$(PORT)/"
	cd data/foundation && $(CURDIR)/$(BIN)/meetup-indexer serve $(CURDIR)/$(FOUNDATION_DB) --port $(PORT)

test: install-test
	$(BIN)/python -m pytest -n auto -q

# the documentation site: regenerate the cog parts (--help of every command, the schema of a real
# sync), then Sphinx + MyST into docs/_build/html, a warning (a broken link, an unknown page) fails it
docs: install-docs
	$(BIN)/cog -r docs/cli.md docs/schema.md
	$(BIN)/sphinx-build -W -q -b html docs docs/_build/html
	@echo "Documentation: $(CURDIR)/docs/_build/html/index.html"

bench: install-test
	$(BIN)/python bench/notes.py
	$(BIN)/python bench/match_eval.py
	$(BIN)/python bench/drive.py
	$(BIN)/python bench/corpus.py
	$(BIN)/python bench/transcripts.py

clean:
	rm -rf $(VENV) $(DB) $(FOUNDATION_DB) data/foundation .pytest_cache docs/_build
