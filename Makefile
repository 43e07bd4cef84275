# The commands the README names. Each one sets up .venv first when needed: it is created with
# the Python found here (3.11 or newer), and Joren is (re)installed into it only when
# pyproject.toml changed since the last install.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 5000
# Links in emails and in the demo's sign-in details point here (an environment value wins).
BASE_URL ?= http://$(HOST):$(PORT)
PYTEST_ARGS ?=

.PHONY: run test lint worker cron demo demo-reset migration i18n install clean

run: $(INSTALLED)  ## Joren on embedded defaults with the demo loaded, at http://127.0.0.1:5000
	$(BIN)/joren db upgrade
	BASE_URL=$(BASE_URL) $(BIN)/joren demo
	BASE_URL=$(BASE_URL) $(BIN)/joren run --host $(HOST) --port $(PORT)

test: $(INSTALLED)  ## the whole test suite (DATABASE_URL/REDIS_URL select real services)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/lint-imports

# Jobs build every link in an email from BASE_URL, so the worker and cron get the site's address.
worker: $(INSTALLED)  ## needs REDIS_URL
	BASE_URL=$(BASE_URL) $(BIN)/joren worker

cron: $(INSTALLED)  ## needs REDIS_URL; run exactly one
	BASE_URL=$(BASE_URL) $(BIN)/joren cron

demo: $(INSTALLED)
	$(BIN)/joren db upgrade
	BASE_URL=$(BASE_URL) $(BIN)/joren demo

demo-reset: $(INSTALLED)
	$(BIN)/joren db upgrade
	BASE_URL=$(BASE_URL) $(BIN)/joren demo --reset

# Write a NEW migration (never rewrite an old one) from the difference between the models and
# a blank SQLite database brought to head: make migration MESSAGE="what changed".
migration: $(INSTALLED)
	@test -n "$(MESSAGE)" || { echo 'usage: make migration MESSAGE="what changed"' >&2; exit 2; }
	@scratch=$$(mktemp -d); \
	DATABASE_URL="sqlite:///$$scratch/head.sqlite3" $(BIN)/alembic -c alembic.ini upgrade head && \
	DATABASE_URL="sqlite:///$$scratch/head.sqlite3" $(BIN)/alembic -c alembic.ini \
		revision --autogenerate -m "$(MESSAGE)"; \
	status=$$?; rm -rf "$$scratch"; exit $$status

# Update both catalogs from the source; TRANSLATIONS names JSON files of new ja translations.
i18n: $(INSTALLED)
	$(BIN)/python -m joren.platform.catalogs $(TRANSLATIONS)

install: $(INSTALLED)

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "Joren needs Python 3.11 or newer; set PYTHON=python3.x" >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)

$(INSTALLED): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $(INSTALLED)

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
