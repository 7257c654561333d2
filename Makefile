# The two commands (see README): `make demo` and `make test`. Everything else is a helper.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: demo test system-packages lint format

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip setuptools wheel

# Reinstall when pyproject.toml changes.
$(VENV)/.installed-web: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $@

## demo: install, migrate, create the demo program, serve http://$(HOST):$(PORT)
demo: $(VENV)/.installed-web
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py demo_setup
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

## test: install what the tests need (system packages too, as root) and run the suite
test: system-packages $(VENV)/.installed-test
	$(BIN)/python -m pytest

system-packages:
	@bash deploy/system-packages.sh

lint: $(VENV)/.installed-test
	$(BIN)/ruff check . && $(BIN)/ruff format --check . && $(BIN)/mypy .

format: $(VENV)/.installed-test
	$(BIN)/ruff check --fix . && $(BIN)/ruff format .
