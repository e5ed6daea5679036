# Two entry points for a fresh machine: `make serve` and `make test`. Both build .venv themselves.
VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5006
SERVE_OPTIONS ?=

.PHONY: serve test lint bench clean

serve: $(VENV)/.app
	$(BIN)/partialpool serve --address $(HOST) --port $(PORT) $(SERVE_OPTIONS)

test: $(VENV)/.test
	$(BIN)/python -m pytest

lint: $(VENV)/.test
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

bench: $(VENV)/.test
	$(BIN)/python benchmarks/core.py

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.app: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[app,data]'
	touch $@

$(VENV)/.test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis .ruff_cache
