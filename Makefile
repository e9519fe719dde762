# Jiefen — `make run` sets everything up and serves http://127.0.0.1:8000; `make test` runs every test.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
PG_URL ?= postgres://postgres@127.0.0.1:5432/jiefen

.PHONY: setup prepare run test test-sqlite test-postgres lint format bench-intake clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e ".[test]"
	touch $(STAMP)

prepare: setup var/secret_key
	$(PY) manage.py compile_translations
	$(PY) manage.py migrate --noinput
	$(PY) manage.py collectstatic --noinput -v 0

# The installation's own secret key, made once (never in git; var/ is ignored).
var/secret_key:
	mkdir -p var
	umask 077 && $(PYTHON) -c "import secrets; print(secrets.token_urlsafe(50))" > $@

run: prepare
	$(PY) manage.py seed_demo --if-empty
	$(PY) manage.py serve

lint: setup
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(VENV)/bin/lint-imports --no-cache

format: setup
	$(PY) -m ruff check --fix .
	$(PY) -m ruff format .

# Everything: lint, migrations in sync, fast tests, browser tests; on SQLite unless
# DATABASE_URL points elsewhere (see test-postgres).
test: lint
	$(PY) manage.py compile_translations
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) -m pytest -m "not threaded"
	JIEFEN_TEST_SQLITE=file $(PY) -m pytest -m threaded

test-postgres:
	DATABASE_URL=$(PG_URL) $(MAKE) test

bench-intake: prepare
	$(PY) bench/intake.py

clean:
	rm -rf $(VENV) var staticfiles
