# The two commands: `make run` serves the demo, `make test` runs the whole suite.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PLUGINS := plugins/pso plugins/portfolio plugins/pmo
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint format schema clean

run: $(VENV)/.installed
	$(BIN)/pmo-graph serve --demo --host $(HOST) --port $(PORT)

# The core's and the tiers' suites, then the example plugin installed, tested, served and removed,
# and the same for tests/fixtures/legacy_lessons (the example as written against the earlier docs).
test: $(VENV)/.installed-dev
	$(BIN)/pytest $(PYTEST_ARGS)
	$(BIN)/python scripts/check_example_plugin.py

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	cd examples/pmo-graph-lessons && ../../$(BIN)/mypy
	PYTHONPATH=examples/pmo-graph-lessons $(BIN)/lint-imports --no-cache

format: $(VENV)/.installed-dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

schema: $(VENV)/.installed
	$(BIN)/pmo-graph schema print > schema.graphql

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "pmo-graph needs Python 3.11 or newer: make PYTHON=python3.11 ...")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml $(addsuffix /pyproject.toml,$(PLUGINS)) | $(BIN)/python
	$(BIN)/pip install --quiet -e . $(addprefix -e ,$(PLUGINS))
	@touch $@

$(VENV)/.installed-dev: $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[dev]' $(addprefix -e ,$(PLUGINS))
	@touch $@

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache pmo_graph.sqlite3*
