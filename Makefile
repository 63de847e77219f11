# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DEV_FLASK := GUESTHOUSE_ENV=development $(BIN)/flask --app wsgi

.PHONY: install run test lint audit format clean translations i18n serve lock bench bench-smoke

# Reinstall when the project's dependencies change. requirements.lock pins every package with its hashes
# (what CI tested); the project itself is then installed without resolving anything more.
$(VENV)/.installed: pyproject.toml requirements.lock
	$(PYTHON) tools/check_lock.py
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip setuptools
	$(BIN)/pip install --quiet --require-hashes -r requirements.lock
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@

# Test tools from the npm registry (skipped without npm): axe-core, injected into pages by the browser
# tests, and vnu-jar, the W3C Nu HTML checker they run with the system's Java (its install script, which
# would download a Java runtime, is not run).
node_modules/axe-core/axe.min.js: package.json package-lock.json
	if command -v npm >/dev/null; then npm ci --ignore-scripts --no-audit --no-fund --silent && touch $@; \
	else echo "npm not found: the accessibility check will fail if Chromium is present, the HTML check too with REQUIRE_BROWSER=1"; fi

install: $(VENV)/.installed node_modules/axe-core/axe.min.js translations

# The development server and the mail worker beside it (every mail shows at /staff/mail/dev within
# seconds); Ctrl-C stops both (tools/dev.py). `make run PORT=5001` when 5000 is taken.
PORT ?= 5000
run: install
	$(DEV_FLASK) db upgrade
	$(DEV_FLASK) demo
	$(BIN)/python tools/dev.py 127.0.0.1 $(PORT)

# The suite on SQLite; then, when TEST_DATABASE_URL names a PostgreSQL database, the whole suite again on it.
test: install
	@echo "== tests on SQLite"
	TEST_DATABASE_URL= $(BIN)/pytest
	@if [ -n "$$TEST_DATABASE_URL" ]; then echo "== tests on PostgreSQL (TEST_DATABASE_URL)"; $(BIN)/pytest; fi

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Security checks run by .ci/run: lint rules, bandit (medium and high findings fail; each exception is an
# inline `# nosec <id>` with its reason), and pip-audit of the virtualenv through tools/audit.py, which
# checks with PyPI's project data what pip-audit could not look up, and names what stays unchecked.
audit: install
	$(BIN)/ruff check .
	$(BIN)/bandit -q -r guesthouse --severity-level medium
	$(BIN)/python tools/audit.py

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Production server (docs/operations.md): settings from the environment, see gunicorn.conf.py.
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

# Load test (docs/performance.md); BENCH_ARGS, e.g. --database-url postgresql+psycopg://… --reset.
BENCH_ARGS ?=
bench: install
	$(BIN)/python -m bench.run --markdown-dir docs/bench $(BENCH_ARGS)

bench-smoke: install
	$(BIN)/python -m bench.run --smoke --output bench-results-smoke.json

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache

# -- French and English: the .po catalogues are committed, the .mo files built here (git-ignored).
TRANSLATIONS := guesthouse/translations
CATALOGUES := $(wildcard $(TRANSLATIONS)/*/LC_MESSAGES/messages.po)

translations: $(CATALOGUES:.po=.mo)

# One locale at a time, again whenever its .po changes. pybabel skips a catalogue marked fuzzy
# without failing: `test` makes that an error rather than an app silently in French.
$(TRANSLATIONS)/%/LC_MESSAGES/messages.mo: $(TRANSLATIONS)/%/LC_MESSAGES/messages.po $(VENV)/.installed
	rm -f $@
	$(BIN)/pybabel compile -d $(TRANSLATIONS) -l $*
	test -f $@

# For developers: gather the strings of the code and templates again, merge them into each .po, and
# say how much is translated. New strings come in empty (or fuzzy, with a guess to check): translate
# them, then `make test` (tests/test_i18n.py fails while any is empty or fuzzy).
i18n: $(VENV)/.installed
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext --sort-output --add-comments=TRANSLATORS: \
		--project="MPAB stays" --copyright-holder="Ville d'Angers" -o $(TRANSLATIONS)/messages.pot .
	$(BIN)/pybabel update -i $(TRANSLATIONS)/messages.pot -d $(TRANSLATIONS) --ignore-obsolete --previous
	$(BIN)/pybabel compile --statistics -d $(TRANSLATIONS)
