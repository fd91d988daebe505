# The bakery co-op till. `make help` lists the targets.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export FLASK_APP := bakery
HOST ?= 127.0.0.1
PORT ?= 5000

.DEFAULT_GOAL := help
.PHONY: help install run serve migrate demo test test-fast lint fmt db-check bench clean deploy-check

help: ## List the targets
	@grep -E '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  %-10s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[server,dev]'
	touch $(STAMP)

install: $(STAMP) ## Create .venv and install the app with its dev tools

migrate: install ## Upgrade the database to the latest migration
	$(BIN)/flask db upgrade

demo: migrate ## Load the demo data (once; running again changes nothing)
	$(BIN)/flask bakery demo

run: demo ## Install, migrate, load demo data and serve on http://127.0.0.1:5000 (virtual printer and print worker beside it)
	@echo "Serving on http://$(HOST):$(PORT)"
	@echo "Virtual receipt printer on 127.0.0.1:9100 (the demo's counter printer): watch what prints at http://127.0.0.1:9180/"
	@echo "Print worker in the background; Ctrl+C stops all three"
	@$(BIN)/python -m printers.virtual --port 9100 --http-port 9180 & printer=$$!; \
	$(BIN)/flask printers work & worker=$$!; \
	trap 'kill $$worker $$printer 2>/dev/null; wait $$worker $$printer 2>/dev/null' EXIT; \
	trap 'exit 130' INT TERM; \
	$(BIN)/gunicorn --workers 2 --bind $(HOST):$(PORT) --access-logfile - 'bakery:create_app()'

test: install lint ## Lint, then the whole suite (SQLite; PostgreSQL too with BAKERY_TEST_POSTGRES_URL)
	$(BIN)/python -m pytest -n 2

test-fast: install ## The suite without lint and browser tests
	$(BIN)/python -m pytest -m "not browser" -q

lint: install ## ruff, import-linter, mypy --strict on the domain and printers
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy

fmt: install ## Format and auto-fix
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

db-check: install ## Models and migrations agree
	$(BIN)/flask db check

NGINX_FROM_DEBIAN = command -v nginx >/dev/null 2>&1 || test -x /usr/sbin/nginx || { apt-get update -qq; \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light >/dev/null; }

deploy-check: install ## deploy/'s stack on 127.0.0.1 (nginx+TLS, gunicorn, print worker) driven by Chromium over HTTPS
	@$(NGINX_FROM_DEBIAN)
	$(BIN)/python -m pytest -q -p no:cacheprovider deploy/check

bench: install ## Print the benchmark figures (then a shop's day behind deploy/'s nginx)
	$(BIN)/python -m bench
	@$(NGINX_FROM_DEBIAN)
	$(BIN)/python -m bench day

clean: ## Remove the virtualenv and caches
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis
