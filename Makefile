# Facilities — the two commands: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: run install test test-fast lint typecheck test-sqlite test-postgres bench demo migrate clean messages

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

## run: fresh clone → venv, install, migrate, demo data, server on http://localhost:$(PORT)
## (links and QR codes follow FACILITIES_BASE_URL when set, else the served host and port)
run: install
	$(BIN)/facilities migrate
	$(BIN)/facilities demo --host $(HOST) --port $(PORT)
	$(BIN)/facilities serve --host $(HOST) --port $(PORT) --no-migrate

migrate: install
	$(BIN)/facilities migrate

demo: install
	$(BIN)/facilities demo

## test: lint, type check, then the whole suite on SQLite and on PostgreSQL, both engines at
## once (one pytest each, a core each; each engine's output is printed when it finishes)
test: install lint typecheck
	$(MAKE) --no-print-directory -j2 --output-sync=target test-sqlite test-postgres

lint: install
	$(BIN)/ruff check facilities tests bench
	$(BIN)/ruff format --check facilities tests bench

typecheck: install
	$(BIN)/mypy

test-sqlite: install
	FACILITIES_TEST_DB=sqlite $(BIN)/pytest -q

## test-fast: the local loop — SQLite, without the browser and slow tests
test-fast: install
	FACILITIES_TEST_DB=sqlite $(BIN)/pytest -q -m "not browser and not slow"

test-postgres: install
	FACILITIES_TEST_DB=postgres $(BIN)/pytest -q

## bench: benchmarks in bench/, results written to docs/benchmarks.md
bench: install
	$(BIN)/python -m bench.run

## messages: refresh the German catalogue from the sources (then translate new entries)
messages: install
	$(BIN)/pybabel extract -F babel.cfg -o facilities/locale/messages.pot --no-location --sort-output .
	$(BIN)/pybabel update -i facilities/locale/messages.pot -d facilities/locale -l de --no-fuzzy-matching

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
