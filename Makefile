# The two commands: `make run` (install, build the demo database from the offline mirror,
# serve http://127.0.0.1:5000) and `make test` (install what tests need, lint, run the suite).
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test install install-dev system-run system-test lint bench clean

run: install
	$(BIN)/watchdog demo --host $(HOST) --port $(PORT)

test: install-dev system-test
	$(BIN)/ruff check .
	$(BIN)/pytest

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

$(VENV)/.installed: requirements.txt pyproject.toml | system-run
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q -r requirements.txt
	$(BIN)/pip install -q --no-deps -e .
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.txt
	$(BIN)/pip install -q -r requirements-dev.txt
	touch $@

# Debian packages: installed only when running as root and missing; otherwise we say what
# is missing and the tests that need it skip with that reason.
system-run:
	@$(PY) -c 'import venv, ensurepip' 2>/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then DEBIAN_FRONTEND=noninteractive apt-get update -q && \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -q python3-venv; \
	  else echo "python3-venv is missing: sudo apt-get install python3-venv"; exit 1; fi; }

system-test: system-run
	@if [ ! -x /usr/bin/chromium ]; then \
	  if [ "$$(id -u)" = 0 ]; then DEBIAN_FRONTEND=noninteractive apt-get update -q && \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium; \
	  else echo "note: /usr/bin/chromium missing (not root): browser tests will skip"; fi; fi
	@sh .ci/postgres-up || echo "note: no PostgreSQL server: PostgreSQL tests will skip"

lint: install-dev
	$(BIN)/ruff check .

bench: install
	$(BIN)/python bench/ingest.py

clean:
	rm -rf var
