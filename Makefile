# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DEV_FLASK := GUESTHOUSE_ENV=development $(BIN)/flask --app wsgi

.PHONY: install run test lint format clean

# Reinstall when the project's dependencies change.
$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $@

# axe-core, injected into pages by the browser tests (from the npm registry; skipped without npm).
node_modules/axe-core/axe.min.js: package.json package-lock.json
	if command -v npm >/dev/null; then npm ci --no-audit --no-fund --silent && touch $@; \
	else echo "npm not found: the accessibility check will fail if Chromium is present"; fi

install: $(VENV)/.installed node_modules/axe-core/axe.min.js

run: install
	$(DEV_FLASK) db upgrade
	$(DEV_FLASK) demo
	$(DEV_FLASK) run --host 127.0.0.1 --port 5000

test: install
	$(BIN)/pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
