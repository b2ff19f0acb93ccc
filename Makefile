# Stafett: `make run` serves the app with demo data; `make test` runs the whole suite.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: help install fonts browser postgres oidc run test lint bench catalogs clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  %-10s %s\n", $$1, $$2}'

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python setup.cfg pyproject.toml
	$(BIN)/pip install --quiet -e '.[test,dev]'
	touch $@

install: $(VENV)/.installed fonts catalogs ## create the virtualenv and install Stafett with test tools

catalogs: $(VENV)/.installed ## compile the nb, nn and en message catalogues (the consent form also pl and ar)
	$(BIN)/stafett-catalogs

var/Data.fs: | install
	mkdir -p var
	$(BIN)/stafett-init development.ini
	$(BIN)/stafett-demo development.ini

run: install var/Data.fs ## serve on http://localhost:6543 with demo data in var/Data.fs
	mkdir -p var/archive-out
	$(BIN)/stafett-init development.ini
	$(BIN)/pserve development.ini

# PDFs embed their fonts (PDF/A); DejaVu Sans also has the Arabic letters of the consent form.
$(VENV)/.fonts: | $(BIN)/python
	@fc-list :lang=ar family 2>/dev/null | grep -q "DejaVu Sans" || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq fonts-dejavu-core fontconfig >/dev/null; }
	touch $@

fonts: $(VENV)/.fonts ## install Debian's DejaVu fonts (PDFs embed them; Arabic included)

$(VENV)/.browser: | $(BIN)/python
	@command -v chromium >/dev/null || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; }
	touch $@

browser: $(VENV)/.browser ## install Debian's Chromium for the browser tests

$(VENV)/.postgres: | $(BIN)/python
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq postgresql >/dev/null; }
	touch $@

postgres: $(VENV)/.postgres ## install Debian's PostgreSQL server (the tests start their own on a socket)

tests/oidc_provider/node_modules/.installed: tests/oidc_provider/package-lock.json
	@command -v npm >/dev/null || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq nodejs npm >/dev/null; }
	cd tests/oidc_provider && npm ci --no-audit --no-fund --loglevel=error
	touch $@

oidc: tests/oidc_provider/node_modules/.installed ## install the test OpenID provider (npm oidc-provider), like ID-porten

test: install browser postgres oidc ## the import contract (pyproject.toml), then the whole test suite
	$(BIN)/lint-imports
	$(BIN)/pytest -q

lint: install ## ruff
	$(BIN)/ruff check stafett tests bench

$(VENV)/.wrk: | $(BIN)/python
	@command -v wrk >/dev/null || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq wrk >/dev/null; }
	touch $@

bench: install $(VENV)/.wrk $(VENV)/.postgres ## print the benchmark figures (not part of the test suite)
	@for script in bench/*.py; do $(BIN)/python $$script; done

clean: ## remove the environment and the development database
	rm -rf $(VENV) var *.egg-info
