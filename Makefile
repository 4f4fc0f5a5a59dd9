# The two commands of the README: `make demo` and `make test`.
# Everything installs into .venv; only a Python 3.10+ is needed.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DB := data/index.db
PORT ?= 8001

.PHONY: demo test sync serve install install-test bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed pyproject.toml
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

# the bundled synthetic channel and Drive archive, replayed offline (data/sample/README.md)
sync: install
	$(BIN)/meetup-indexer sync $(DB) data/notes/flyte-meetup-notes.md --replay data/sample/recording

demo: sync
	@echo "Datasette: http://127.0.0.1:$(PORT)/"
	$(BIN)/meetup-indexer serve $(DB) --port $(PORT)

test: install-test
	$(BIN)/python -m pytest -n auto -q

bench: install-test
	$(BIN)/python bench/notes.py
	$(BIN)/python bench/match_eval.py
	$(BIN)/python bench/drive.py
	$(BIN)/python bench/corpus.py
	$(BIN)/python bench/transcripts.py

clean:
	rm -rf $(VENV) $(DB) .pytest_cache
