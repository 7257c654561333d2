# The two commands (see README): `make demo` and `make test`. Everything else is a helper.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: demo test system-packages system-packages-demo lint format

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip setuptools wheel

# torch is pinned to the CPU wheel that lies on these machines' disk; any other pin
# downloads a multi-GB CUDA build. GPU machines install their own torch (see README).
TORCH ?= torch==2.13.0

# Reinstall when pyproject.toml changes.
$(VENV)/.installed-demo: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[gpu]" "$(TORCH)"
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[gpu,dev]" "$(TORCH)"
	touch $@

## demo: install, migrate, create the demo program, serve http://$(HOST):$(PORT) with a worker
# Links printed and emailed by the demo point at the address it serves.
demo: export VERNISSAGE_SITE_URL ?= http://$(HOST):$(PORT)
# Text to video and image to video (a start image, or a start and an end image; decision
# 0033): serve builds the tiny models, its worker serves them, demo_setup lets the demo
# cohort use image mode.
demo: export VERNISSAGE_MODELS ?= tiny-wan,tiny-wan-i2v,tiny-wan-flf2v
demo: export VERNISSAGE_WORKER_MODELS ?= tiny-wan,tiny-wan-i2v,tiny-wan-flf2v
demo: system-packages-demo $(VENV)/.installed-demo
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py demo_setup
	$(BIN)/python manage.py serve $(HOST):$(PORT)

# axe-core for the accessibility test (tests/browser/test_accessibility.py): reinstall
# when its lock changes.
AXE := tests/browser/axe
$(AXE)/node_modules/.installed: $(AXE)/package-lock.json
	cd $(AXE) && npm ci --no-audit --no-fund --loglevel=error
	touch $@

## test: install what the tests need (system packages too, as root) and run the suite
test: system-packages $(VENV)/.installed-test $(AXE)/node_modules/.installed
	$(BIN)/python -m pytest

system-packages:
	@bash deploy/system-packages.sh

# The demo needs only ffmpeg from the system.
system-packages-demo:
	@bash deploy/system-packages.sh --demo

lint: $(VENV)/.installed-test
	$(BIN)/ruff check . && $(BIN)/ruff format --check . && $(BIN)/mypy .

format: $(VENV)/.installed-test
	$(BIN)/ruff check --fix . && $(BIN)/ruff format .
