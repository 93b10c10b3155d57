# Proud to Support: `make run` to try it, `make test` to check it.
# Both set up everything they need on a fresh clone (.venv, Python and npm
# packages, the stylesheet); set DATABASE_URL and REDIS_URL to use real
# PostgreSQL and Redis instead of SQLite and the embedded broker.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000

.PHONY: run test install lint format bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

static/build/app.css: node_modules/.package-lock.json $(wildcard frontend/*.scss)
	npm run --silent build:css

install: $(VENV)/.installed static/build/app.css

# honcho gives each process a port of its own (the worker's is 100 above the web's),
# so SITE_URL is pinned to the web server's: links the worker writes into emails and
# letters must lead there.
run: install
	@mkdir -p var
	DJANGO_DEBUG=$${DJANGO_DEBUG:-true} $(BIN)/python manage.py migrate --no-input
	DJANGO_DEBUG=$${DJANGO_DEBUG:-true} $(BIN)/python manage.py load_demo
	SITE_URL=$${SITE_URL:-http://127.0.0.1:$(PORT)} DJANGO_DEBUG=$${DJANGO_DEBUG:-true} PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/honcho start -f Procfile -p $(PORT)

# The suite runs the production settings with a throwaway key (tests/settings.py).
TEST_ENV := DJANGO_SETTINGS_MODULE=tests.settings

test: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(TEST_ENV) $(BIN)/python manage.py makemigrations --check --dry-run
	$(TEST_ENV) $(BIN)/pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: install
	@for script in bench/bench_*.py; do $(BIN)/python $$script || exit 1; done

clean:
	rm -rf $(VENV) node_modules static/build staticfiles var
