# Mediazione: everyday commands. GNU make, bash.
#
#   make demo    the portal on http://127.0.0.1:8000 with demo data (SQLite, Celery eager)
#   make test    the test suite (SQLite by default; DATABASE_URL / CELERY_BROKER_URL pass through)
#   make lint    ruff, Django's system checks, missing migrations
#   make audit   ruff's security rules, pip-audit (requirements.txt) and npm audit (assets served to browsers)
#   make lock    recompile requirements.txt and requirements-dev.txt (hashed) from requirements*.in
#
# Each target installs what it needs first: .venv from requirements-dev.txt, front-end assets from
# package-lock.json, compiled translations. Stamp files make the installs run again only when the lists change.
# Python comes from requirements-dev.txt, a lock file with every package and its hashes (pip --require-hashes).

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
MAKEFLAGS += --no-print-directory

VENV := .venv
PY := $(VENV)/bin/python
# Only Python 3.11 (Django 5.2 LTS and every pin of the lock file are chosen for it): python3.11, or a python3
# that is 3.11. Any other Python is refused with a message, never used silently. PYTHON=/path/to/python3.11 to choose.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
PYTHON_VERSION = $(shell $(PYTHON) -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null)
PYTEST_ARGS ?=
# The suite runs on this many processes (pytest-xdist; whole test files per process, so each file's shared world is
# built once); PYTEST_WORKERS=0 runs it in one process.
PYTEST_WORKERS ?= 2
DEMO_ADDR ?= 127.0.0.1:8000

# The demo runs on the embedded defaults whatever the caller's shell exports: an SQLite file, tasks run eagerly,
# the in-process cache.
DEMO_ENV := env -u DATABASE_URL -u CELERY_BROKER_URL -u CELERY_RESULT_BACKEND -u CACHE_URL DEBUG=1

# Debian packages: Chromium for the browser tests, gettext for the translations, Pango and fonts for PDFs
# (WeasyPrint), poppler-utils to look into PDFs in tests.
SYSTEM_PACKAGES := chromium gettext libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 poppler-utils \
	fonts-dejavu-core fonts-noto-core fonts-noto-cjk
# What the demo needs of them: gettext for the translations, Pango, HarfBuzz and fonts for its PDF reports.
DEMO_PACKAGES := gettext libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core fonts-noto-core fonts-noto-cjk
# Another install (unattended upgrades, a second make) may hold the dpkg lock: wait for it up to 5 minutes.
APT_GET := apt-get -o DPkg::Lock::Timeout=300

IS_ROOT := $(shell [ "$$(id -u)" = 0 ] && echo yes)

.PHONY: help venv assets messages system-deps demo-deps demo test bench lint audit lock clean distclean

help:
	@echo "make demo         run the portal with demo data on http://$(DEMO_ADDR) (SQLite, Celery eager)"
	@echo "make test         run the tests (PYTEST_ARGS='-k login' to choose)"
	@echo "make bench        the roster and province-year benches (fresh SQLite), then every page on a region of a million"
	@echo "                  requests: DATABASE_URL=<an empty PostgreSQL database> (BENCH_REUSE=1, BENCH_REQUESTS=100000)"
	@echo "make lint         ruff check, ruff format --check, manage.py check, makemigrations --check"
	@echo "make audit        ruff's security rules, pip-audit and npm audit (AUDIT_STRICT=1: fail if not reachable)"
	@echo "make venv         create .venv (Python 3.11) and install the lock file requirements-dev.txt"
	@echo "make lock         recompile the hashed lock files from requirements.in and requirements-dev.in"
	@echo "make assets       install Bootstrap Italia, htmx and axe-core from package-lock.json"
	@echo "make messages     compile the translations (.po -> .mo)"
	@echo "make system-deps  install Chromium, gettext, Pango, poppler and fonts (as root, Debian)"
	@echo "make clean        remove caches and generated files; make distclean also .venv, node_modules, db.sqlite3"

# --- Python ----------------------------------------------------------------------------------------------------------

venv: $(VENV)/.installed

$(VENV)/bin/python:
	@if [ "$(PYTHON_VERSION)" != "3.11" ]; then \
		echo "Python 3.11 is needed, found $(if $(PYTHON),$(PYTHON): $(or $(PYTHON_VERSION),not a Python),no python3)."; \
		echo "Install python3.11 and python3.11-venv, or run: make $(MAKECMDGOALS) PYTHON=/path/to/python3.11"; \
		exit 1; \
	fi
	$(PYTHON) -m venv $(VENV)

# The lock file carries a hash for every package: pip refuses anything else (--require-hashes).
$(VENV)/.installed: requirements-pip.txt requirements.txt requirements-dev.txt | $(VENV)/bin/python
	@$(PY) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' || { \
		echo "$(VENV) was made with another Python than 3.11: remove it (make distclean) and run make again."; exit 1; }
	$(PY) -m pip install --quiet --require-hashes -r requirements-pip.txt
	$(PY) -m pip install --quiet --require-hashes -r requirements-dev.txt
	touch $@

# Upgrading a package: change its pin in requirements.in (or requirements-dev.in), then run make lock and make test.
# make lock UPGRADE=1 also moves every unpinned sub-dependency to its newest release.
lock: venv
	$(VENV)/bin/pip install --quiet uv==0.13.9
	$(VENV)/bin/uv pip compile requirements.in --generate-hashes --python-version 3.11 --universal \
		$(if $(UPGRADE),--upgrade) --custom-compile-command "make lock" -o requirements.txt
	$(VENV)/bin/uv pip compile requirements-dev.in --generate-hashes --python-version 3.11 --universal \
		$(if $(UPGRADE),--upgrade) --custom-compile-command "make lock" -o requirements-dev.txt

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
			$(APT_GET) update && $(APT_GET) install -y gettext; \
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
		$(APT_GET) update && $(APT_GET) install -y $(SYSTEM_PACKAGES); \
	else \
		echo "Note: some system packages are missing (/usr/bin/chromium, msgfmt or pdftoppm)."; \
		echo "      Browser and PDF tests need them. On Debian/Ubuntu run:"; \
		echo "      sudo apt-get install -y $(SYSTEM_PACKAGES)"; \
	fi

# The demo's PDF reports need Pango, HarfBuzz and fonts: installed as root on Debian, otherwise named.
demo-deps:
	@if command -v msgfmt >/dev/null && ldconfig -p 2>/dev/null | grep -q 'libpangoft2-1.0.so.0' \
		&& ldconfig -p 2>/dev/null | grep -q 'libharfbuzz-subset.so.0' && fc-list 2>/dev/null | grep -qi dejavu; then \
		exit 0; \
	elif [ "$(IS_ROOT)" = yes ] && command -v apt-get >/dev/null; then \
		$(APT_GET) update && $(APT_GET) install -y $(DEMO_PACKAGES); \
	else \
		echo "Note: the demo's PDF reports need Pango, HarfBuzz and fonts (and msgfmt for the translations)."; \
		echo "      Without them the portal runs but PDF reports fail. On Debian/Ubuntu run:"; \
		echo "      sudo apt-get install -y $(DEMO_PACKAGES)"; \
	fi

# --- Everyday targets ------------------------------------------------------------------------------------------------

demo: demo-deps venv assets messages
	$(DEMO_ENV) $(PY) manage.py migrate --noinput
	$(DEMO_ENV) $(PY) manage.py demo_data
	@echo "Open http://$(DEMO_ADDR)/ and log in as assistente.cremona@example.org with the password mediazione-demo."
	$(DEMO_ENV) $(PY) manage.py runserver $(DEMO_ADDR)

# The environment passes through: CI sets DATABASE_URL and CELERY_BROKER_URL for the PostgreSQL + Redis run.
test: venv assets messages system-deps
	$(PY) -m pytest -n $(PYTEST_WORKERS) --dist loadfile --no-loadscope-reorder $(PYTEST_ARGS)

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-cache
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

# The region's pages need DATABASE_URL pointing to an empty PostgreSQL database (bench/pages.py refuses anything else
# before the other benches start); the roster and the province-year report run on fresh SQLite files of their own.
# BENCH_REUSE=1 measures a region filled before; BENCH_REQUESTS=100000 a smaller one (docs/performance.md).
# Every bench runs; the target fails at the end if one of them missed a bar.
bench: venv assets messages
	$(PY) bench/pages.py --check
	status=0; \
	env -u DATABASE_URL -u BENCH_REUSE $(PY) bench/roster.py || status=1; \
	env -u DATABASE_URL -u BENCH_REUSE $(PY) bench/reporting.py || status=1; \
	$(PY) bench/pages.py || status=1; \
	exit $$status
