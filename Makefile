# dondoc — the two commands a new user needs: `make run` and `make test`.
# GNU make 4.3; recipes are indented with tabs.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

# PostgreSQL database for the second half of the test matrix (an environment value wins).
DONDOC_TEST_POSTGRES_URL ?= postgresql://postgres@127.0.0.1:5432/dondoc_test
PYTEST_ARGS ?=

.DEFAULT_GOAL := run
.PHONY: run test fuzz compose-check clean venv

# The virtual environment; a failed creation leaves nothing half-made behind.
$(BIN)/python:
	$(PYTHON) -m venv $(VENV) || { rm -rf $(VENV); exit 1; }

venv: $(BIN)/python

# Reinstall only when pyproject.toml changes (or the venv is new).
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -e .
	touch $@

# The dev install contains the plain one, so it refreshes both stamps.
$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -e '.[dev]'
	touch $(VENV)/.installed $@

run: $(VENV)/.installed
	mkdir -p var
	$(BIN)/dondoc migrate
	$(BIN)/dondoc seed-demo
	$(BIN)/dondoc serve --host 127.0.0.1 --port 8000

test: export DONDOC_TEST_POSTGRES_URL := $(DONDOC_TEST_POSTGRES_URL)
test: $(VENV)/.installed-dev
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Only the schemathesis run against the OpenAPI document (also part of `make test`).
fuzz: $(VENV)/.installed-dev
	$(BIN)/python -m pytest -m fuzz $(PYTEST_ARGS)

compose-check: $(VENV)/.installed-dev
	$(BIN)/check-jsonschema --builtin-schema vendor.compose-spec compose.yaml

clean:
	rm -rf var $(VENV)
