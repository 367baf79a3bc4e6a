# Loa 114 task runner. Every target bootstraps ./.venv through `install` (idempotent).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install run test lint bench clean

install: $(STAMP)

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Loa 114 needs Python 3.11 or newer")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

run: install
	$(BIN)/loa --config config.yaml serve

test: install
	$(BIN)/python -m pytest -q -n 2  # two workers (pytest-xdist): the fleet's real minutes overlap the rest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache
	@mkdir -p .typecheck/loa114 && for d in content audio scheduler; do ln -sfn ../../$$d .typecheck/loa114/$$d; done; touch .typecheck/loa114/__init__.py
	$(BIN)/mypy

bench: install
	$(BIN)/python bench/normalize.py
	$(BIN)/python bench/render.py
	$(BIN)/python bench/tts_online.py
	$(BIN)/python bench/coverage.py
	$(BIN)/python bench/airtime.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .typecheck build *.egg-info
