# Mediazione: everyday commands. GNU make, bash.
#
#   make demo    the portal on http://127.0.0.1:8000 with demo data (SQLite, Celery eager)
#   make test    the test suite (SQLite by default; DATABASE_URL / CELERY_BROKER_URL pass through)
#   make lint    ruff, Django's system checks, missing migrations
#   make audit   ruff's security rules, pip-audit (requirements.txt) and npm audit (assets served to browsers)
#
# Each target installs what it needs first: .venv from requirements-dev.txt, front-end assets from
# package-lock.json, compiled translations. Stamp files make the installs run again only when the lists change.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
MAKEFLAGS += --no-print-directory

VENV := .venv
PY := $(VENV)/bin/python
PYTHON_BOOT := $(shell command -v python3.11 || command -v python3)
PYTEST_ARGS ?=
DEMO_ADDR ?= 127.0.0.1:8000

# The demo runs on the embedded defaults whatever the caller's shell exports: an SQLite file, tasks run eagerly,
# the in-process cache.
DEMO_ENV := env -u DATABASE_URL -u CELERY_BROKER_URL -u CELERY_RESULT_BACKEND -u CACHE_URL DEBUG=1

# Debian packages: Chromium for the browser tests, gettext for the translations, Pango and fonts for PDFs
# (WeasyPrint), poppler-utils to look into PDFs in tests.
SYSTEM_PACKAGES := chromium gettext libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 poppler-utils \
	fonts-dejavu-core fonts-noto-core

IS_ROOT := $(shell [ "$$(id -u)" = 0 ] && echo yes)

.PHONY: help venv assets messages system-deps demo test bench lint audit clean distclean

help:
	@echo "make demo         run the portal with demo data on http://$(DEMO_ADDR) (SQLite, Celery eager)"
	@echo "make test         run the tests (PYTEST_ARGS='-k login' to choose)"
	@echo "make bench        time the roster at 5,000 mediators and the province-year report (fresh SQLite, or DATABASE_URL)"
	@echo "make lint         ruff check, ruff format --check, manage.py check, makemigrations --check"
	@echo "make audit        ruff's security rules, pip-audit and npm audit (AUDIT_STRICT=1: fail if not reachable)"
	@echo "make venv         create .venv and install requirements-dev.txt"
	@echo "make assets       install Bootstrap Italia, htmx and axe-core from package-lock.json"
	@echo "make messages     compile the translations (.po -> .mo)"
	@echo "make system-deps  install Chromium, gettext, Pango, poppler and fonts (as root, Debian)"
	@echo "make clean        remove caches and generated files; make distclean also .venv, node_modules, db.sqlite3"

# --- Python ----------------------------------------------------------------------------------------------------------

venv: $(VENV)/.installed

$(VENV)/bin/python:
	@test -n "$(PYTHON_BOOT)" || { echo "Python 3.11 is needed: install python3.11 (and python3.11-venv)."; exit 1; }
	$(PYTHON_BOOT) -m venv $(VENV)

$(VENV)/.installed: requirements.txt requirements-dev.txt | $(VENV)/bin/python
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

# --- Front-end assets (npm, no CDN) ----------------------------------------------------------------------------------

assets: node_modules/.installed

node_modules/.installed: package.json package-lock.json
	@command -v npm >/dev/null || { echo "npm is needed for the front-end assets: install nodejs and npm."; exit 1; }
	npm ci --no-audit --no-fund
	touch $@

# --- Translations ----------------------------------------------------------------------------------------------------

messages: venv
	@if ! compgen -G 'locale/*/LC_MESSAGES/*.po' >/dev/null; then \
		echo "Warning: no translations (locale/*/LC_MESSAGES/*.po): the portal will show its English source texts."; \
		exit 0; \
	fi; \
	if ! command -v msgfmt >/dev/null; then \
		if [ "$(IS_ROOT)" = yes ] && command -v apt-get >/dev/null; then \
			apt-get update && apt-get install -y gettext; \
		else \
			echo "msgfmt is missing: install gettext (Debian/Ubuntu: sudo apt-get install gettext)."; exit 1; \
		fi; \
	fi; \
	$(PY) manage.py compilemessages --ignore=.venv --ignore=node_modules

# --- System packages (browser tests, PDFs) ---------------------------------------------------------------------------

system-deps:
	@if [ -x /usr/bin/chromium ] && command -v msgfmt >/dev/null && command -v pdftoppm >/dev/null; then \
		exit 0; \
	elif [ "$(IS_ROOT)" = yes ] && command -v apt-get >/dev/null; then \
		apt-get update && apt-get install -y $(SYSTEM_PACKAGES); \
	else \
		echo "Note: some system packages are missing (/usr/bin/chromium, msgfmt or pdftoppm)."; \
		echo "      Browser and PDF tests need them. On Debian/Ubuntu run:"; \
		echo "      sudo apt-get install -y $(SYSTEM_PACKAGES)"; \
	fi

# --- Everyday targets ------------------------------------------------------------------------------------------------

demo: venv assets messages
	$(DEMO_ENV) $(PY) manage.py migrate --noinput
	$(DEMO_ENV) $(PY) manage.py demo_data
	@echo "Open http://$(DEMO_ADDR)/ and log in as assistente.cremona@example.org with the password mediazione-demo."
	$(DEMO_ENV) $(PY) manage.py runserver $(DEMO_ADDR)

# The environment passes through: CI sets DATABASE_URL and CELERY_BROKER_URL for the PostgreSQL + Redis run.
test: venv assets messages system-deps
	$(PY) -m pytest $(PYTEST_ARGS)

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	DEBUG=1 $(PY) manage.py check
	DEBUG=1 $(PY) manage.py makemigrations --check --dry-run

# Known vulnerabilities fail; an advisory database that cannot be reached is reported (see .ci/audit).
audit: venv assets
	bash .ci/audit

clean:
	rm -rf staticfiles test-artifacts .pytest_cache .ruff_cache var/mail
	find . -path ./.venv -prune -o -path ./node_modules -prune -o -name __pycache__ -type d -exec rm -rf {} +
	find locale -name '*.mo' -delete

distclean: clean
	rm -rf $(VENV) node_modules db.sqlite3

# --- Benchmark -------------------------------------------------------------------------------------------------------

bench: venv assets messages
	$(PY) bench/roster.py
	$(PY) bench/reporting.py
