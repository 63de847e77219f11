# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DEV_FLASK := GUESTHOUSE_ENV=development $(BIN)/flask --app wsgi

.PHONY: install run test lint format clean serve lock bench bench-smoke

# Reinstall when the project's dependencies change. requirements.lock pins every package with its hashes
# (what CI tested); the project itself is then installed without resolving anything more.
$(VENV)/.installed: pyproject.toml requirements.lock
	$(PYTHON) tools/check_lock.py
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet --require-hashes -r requirements.lock
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@

install: $(VENV)/.installed

run: install
	$(DEV_FLASK) db upgrade
	$(DEV_FLASK) demo
	$(DEV_FLASK) run --host 127.0.0.1 --port 5000

# The suite on SQLite; then, when TEST_DATABASE_URL names a PostgreSQL database, the whole suite again on it.
test: install
	@echo "== tests on SQLite"
	TEST_DATABASE_URL= $(BIN)/pytest
	@if [ -n "$$TEST_DATABASE_URL" ]; then echo "== tests on PostgreSQL (TEST_DATABASE_URL)"; $(BIN)/pytest; fi

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Production server (README, Operations): settings from the environment, see gunicorn.conf.py.
serve: install
	GUESTHOUSE_ENV=production $(BIN)/gunicorn -c gunicorn.conf.py wsgi:app

# Refresh requirements.lock from pyproject.toml (keeps current pins; `make lock LOCK_FLAGS=--upgrade` to
# move everything to the latest releases), then commit it.
LOCK_FLAGS ?=
lock:
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet uv
	$(BIN)/uv pip compile pyproject.toml --extra dev --generate-hashes --python-version 3.11 \
		--custom-compile-command "make lock" --output-file requirements.lock $(LOCK_FLAGS)

# Load test (README, Performance); BENCH_ARGS, e.g. --database-url postgresql+psycopg://… --reset.
BENCH_ARGS ?=
bench: install
	$(BIN)/python -m bench.run $(BENCH_ARGS)

bench-smoke: install
	$(BIN)/python -m bench.run --smoke --output bench-results-smoke.json

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
