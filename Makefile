# PressLens: `make run` sets up and opens the dashboard; `make test` runs the whole suite.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
DB ?= data/presslens.db
# Nothing may reach the internet at import: tldextract would fetch the public-suffix list.
export TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS :=
export HF_HUB_OFFLINE := 1

.PHONY: run test venv deps dev-deps system-deps lint clean

$(VENV)/bin/python:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "need $(PYTHON) (Python 3.11)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

# The pinned set, then the project itself (editable, no dependencies: the packages and the
# `presslens` command, so Streamlit's script runner imports them without any sys.path patch).
$(VENV)/.deps: requirements.txt pyproject.toml | $(VENV)/bin/python
	$(PY) -m pip install --quiet -r requirements.txt
	$(PY) -m pip install --quiet --no-deps -e .
	touch $@

$(VENV)/.dev-deps: requirements-dev.txt $(VENV)/.deps
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

venv deps: $(VENV)/.deps
dev-deps: $(VENV)/.dev-deps

# Debian's chromium serves the real-browser tests and kaleido's PNG/SVG export (apt needs root).
system-deps:
	@command -v chromium >/dev/null 2>&1 || { \
		echo "installing Debian's chromium (browser tests, chart images)"; \
		{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; } \
		|| echo "warning: could not install chromium: chart PNG/SVG downloads and browser tests need it"; }
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || { \
		echo "installing Debian's postgresql (the suite's second run, on a PostgreSQL store)"; \
		{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null; } \
		|| echo "warning: could not install postgresql: the suite runs on SQLite only"; }

# The main job: collect what the default outlets (data/latest_outlets.toml) published since the last
# run (the last 48 hours the first time), score, group stories, then open the dashboard. When the
# collection reached no outlet and the store is empty, `first-run` builds the bundled demo store
# (data/demo/) and prints its path instead: the dashboard opens on real, openly licensed coverage.
run: $(VENV)/.deps system-deps
	@store=$$($(PY) -m scrapers first-run --db $(DB)) || store=$(DB); \
	$(PY) -m analysis run --db "$$store"; \
	$(PY) -m analysis stories --db "$$store"; \
	$(PY) -m dashboard --db "$$store"

# The whole suite twice: on SQLite stores, then on PostgreSQL (a throwaway server on loopback that
# scripts/pg_test_server.py starts and removes; PRESSLENS_TEST_PG gives each test store its own schema).
# Under CI a missing PostgreSQL is an error; elsewhere the second run is skipped with a warning.
test: $(VENV)/.dev-deps system-deps
	$(PY) -m pytest
	$(PY) -m scripts.pg_test_server $(if $(CI),--require) -- $(PY) -m pytest

lint: $(VENV)/.dev-deps
	$(VENV)/bin/ruff check .

clean:
	rm -rf $(VENV) .pytest_cache
