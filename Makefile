# Trainingscatalogus — the two commands from the README, and a few helpers.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip --quiet --disable-pip-version-check
HOST ?= 127.0.0.1
PORT ?= 8000
WORKER_ARGS = run_huey --workers 2 --worker-type thread --max-delay 1 --flush-locks

.PHONY: run worker serve test install install-dev lint format messages bench bench-smoke bench-export clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --upgrade pip

# Reinstall only when the dependency list changes.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(PIP) install --editable .
	touch $@

$(VENV)/.installed-dev: pyproject.toml $(VENV)/.installed
	$(PIP) install --editable ".[dev]"
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

## make run: install, write the local .env (debug on, a generated key, SITE_URL), migrate an
## SQLite database (or DATABASE_URL), load the catalogue and demo data, and serve
## http://127.0.0.1:8000/ with the development server and the worker side by side (honcho,
## Procfile.dev; Ctrl+C stops both). make run PORT=8300 for another port.
run: install
	$(BIN)/python -m catalogue.localenv --site-url http://$(HOST):$(PORT)
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py demo
	PATH="$(abspath $(BIN)):$$PATH" HOST=$(HOST) $(BIN)/honcho -f Procfile.dev start -p $(PORT)

## make worker: the worker alone (mail, decisions at the deadline, reminders, nightly jobs),
## as the Procfile's `worker` line runs it in production.
worker: install
	$(BIN)/python manage.py $(WORKER_ARGS)

## make serve: run the way production does (the Procfile): collected, compressed and hashed
## static files served by whitenoise, gunicorn with one worker per core, the task worker beside
## it, DJANGO_DEBUG=0. Locally it serves
## plain HTTP (DJANGO_HTTPS=0) and makes up a secret key if none is set.
serve: export DJANGO_DEBUG = 0
serve: export DJANGO_HTTPS ?= 0
serve: export DJANGO_SECRET_KEY ?= $(shell $(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(50))')
serve: install
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py collectstatic --no-input --verbosity 0
	GUNICORN_BIND=$(HOST):$(PORT) PATH="$(abspath $(BIN)):$$PATH" $(BIN)/honcho -f Procfile start

## make test: install the dev dependencies and run the whole test suite.
test: install-dev
	$(BIN)/python -m pytest $(PYTEST_ARGS)

## make bench: the app the production way (DJANGO_DEBUG=0, no page cache) on PostgreSQL at
## 100 and 10 000 courses: first every page in-process on 120 varying requests (median, SQL
## and Python, × a bare view; the facet index build), then gunicorn and the task worker under
## wrk, mail caught by an SMTP server on loopback (aiosmtpd, a dev dependency); writes
## docs/PERFORMANCE.md. Needs PostgreSQL and wrk (apt-get install wrk).
## BENCH_DATABASE_SERVER=postgres://user@host:port chooses the server; BENCH_ARGS=--timing-only
## prints the in-process tables alone.
bench: install-dev
	$(BIN)/python bench/run.py $(BENCH_ARGS)

## make bench-smoke: the same script on 100 courses, 10 requests a page in-process and 2 s
## a page under load; checks that every page answers 200, that the enrolment race
## overbooks nothing, that every mail goes out once (also after a mail server that never
## answered) and that the query budgets hold (timings are not checked).
bench-smoke: install-dev
	$(BIN)/python bench/run.py --smoke

## make bench-export: time and peak memory of exporting 100 000 enrolments (DATABASE_URL or
## a throw-away SQLite file).
bench-export: install
	$(BIN)/python bench/export_memory.py --rows $(or $(ROWS),100000)

## make messages: collect new texts into locale/{fr,en}/LC_MESSAGES/django.po (translate them
## there), then compile. Needs GNU gettext.
messages: install
	DJANGO_DEBUG=1 $(BIN)/python manage.py makemessages -l fr -l en --no-obsolete --ignore=tests --ignore=bench --ignore=staticfiles --ignore=media --ignore=.venv
	DJANGO_DEBUG=1 $(BIN)/python manage.py compilemessages -l fr -l en --ignore=.venv

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install-dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache
