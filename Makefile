# Two commands do all set-up: `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
NPM_STAMP := tests/interop/node_modules/.installed

.PHONY: run test lint typecheck layers pytest bench setup clean

run: $(STAMP)
	$(PY) -m botkit.cli run bot.example.yaml

test: $(STAMP) $(NPM_STAMP) lint typecheck layers pytest

setup: $(STAMP) $(NPM_STAMP)

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

$(NPM_STAMP): tests/interop/package.json tests/interop/package-lock.json
	cd tests/interop && npm ci --no-audit --no-fund --loglevel=error
	touch $@

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: $(STAMP)
	$(VENV)/bin/mypy botkit

layers: $(STAMP)
	$(VENV)/bin/lint-imports

pytest: $(STAMP) $(NPM_STAMP)
	$(VENV)/bin/pytest -q

bench: $(STAMP) $(NPM_STAMP)
	$(PY) bench/codec.py
	$(PY) bench/signal_sessions.py
	$(PY) bench/store.py
	$(PY) bench/echo.py
	$(PY) bench/runtime.py
	$(PY) bench/sandbox_data_dir.py
	$(PY) bench/group_fanout.py
	$(PY) bench/moderation.py

clean:
	rm -rf $(VENV) tests/interop/node_modules .pytest_cache .mypy_cache .ruff_cache .hypothesis
