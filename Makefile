# Paperboard: `make run` to try it, `make test` for the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install run test test-services test-browser lint migrate demo bench-ingest bench-parse bench-api bench-recs ci clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: requirements/base.txt requirements/dev.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet -r requirements/dev.txt
	touch $@

install: $(VENV)/.installed  ## a .venv with the pinned dependencies

migrate: install
	$(BIN)/python manage.py migrate --noinput

SAMPLES := tests/fixtures/digest-aug22-plain.txt tests/fixtures/digest-mar12-no-title-line.txt \
	tests/fixtures/digest-nov13-with-meta.txt

demo: migrate  ## load the sample digests as published papers, tagged by topic, and create the demo admin
	$(BIN)/python manage.py ingest_digest $(SAMPLES) --publish --sync
	$(BIN)/python manage.py demo_admin --site http://$(HOST):$(PORT)
	$(BIN)/python manage.py tags_apply_rules tests/fixtures/topic-tags.json --moderator admin
	$(BIN)/python manage.py recommendations_fit

run: demo  ## install, migrate, load the samples, serve on http://$(HOST):$(PORT)
	@echo "Paperboard on http://$(HOST):$(PORT)/  (admin: /admin/, API: /api/docs/)"
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

test: install  ## the whole suite on the embedded default (SQLite, in-process tasks)
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy
	$(BIN)/pytest

test-services: install  ## the suite on PostgreSQL + Redis: real workers, fault and load tests
	bash .ci/services $(ARGS)

test-browser: install  ## the browser tests in Debian's Chromium (installs it if missing)
	bash .ci/browser

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy

bench-ingest: install  ## ingestion benchmark against PostgreSQL (see bench/README.md)
	$(BIN)/python bench/ingest.py

bench-parse: install  ## the parser alone on hostile and realistic dumps, 1 to 64 MB (see bench/README.md)
	$(BIN)/python bench/parse.py

bench-api: install  ## the API under load: gunicorn, PostgreSQL, wrk (see bench/README.md)
	command -v wrk >/dev/null || (apt-get update && apt-get install -y wrk)
	$(BIN)/python bench/api.py $(BENCH_API_ARGS)

bench-recs: install  ## recommendations on the 100,000 papers of bench-api's database (see bench/README.md)
	command -v wrk >/dev/null || (apt-get update && apt-get install -y wrk)
	$(BIN)/python bench/recs.py

ci:
	bash .ci/run

clean:
	rm -rf $(VENV) db.sqlite3* media staticfiles .pytest_cache .hypothesis
