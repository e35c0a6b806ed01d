# Youhu: `make demo` sets up and serves the demo district; `make test` runs every test.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PG_URL ?= postgres://postgres@127.0.0.1:5432/youhu
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: demo test install lint test-sqlite test-postgres test-standalone browser-deps clean

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "需要 Python 3.11 ($(PYTHON) not found)"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

# The queue worker and the escalation loop (催办/督办 as deadlines come) run beside the server; on Ctrl-C
# or any exit both are stopped (SIGTERM: each finishes the batch in hand) and waited for.
demo: install
	$(BIN)/youhu migrate --noinput
	$(BIN)/youhu model ensure
	$(BIN)/youhu demo load
	$(BIN)/youhu demo logins
	@echo "Youhu 演示系统: http://$(HOST):$(PORT)/  (Ctrl-C 停止)"
	$(BIN)/youhu run_huey & huey=$$!; $(BIN)/youhu escalate --loop & escalate=$$!; \
		trap 'kill $$huey $$escalate 2>/dev/null; wait $$huey $$escalate' EXIT; trap 'exit 130' INT TERM; \
		$(BIN)/youhu runserver $(HOST):$(PORT) --noreload

lint: install
	$(BIN)/ruff check youhu bench

browser-deps:
	@bash scripts/browser-deps.sh

test: install lint browser-deps
	$(MAKE) --no-print-directory test-sqlite
	$(MAKE) --no-print-directory test-standalone
	@if $(BIN)/python scripts/pg_ready.py "$(PG_URL)"; then \
		$(MAKE) --no-print-directory test-postgres; \
	else \
		echo "PostgreSQL is not reachable at $(PG_URL): the PostgreSQL run is SKIPPED."; \
	fi

test-sqlite:
	@echo "== tests on SQLite"
	$(BIN)/pytest

# A bare clone has no ../shared: set up and serve the demo with YOUHU_SHARED_DIR an empty folder, and see
# that the tests needing the public data skip, saying why (CI keeps ../shared, so they run above).
NO_SHARED_TESTS := youhu/dispatch/tests/test_classifier.py youhu/dispatch/tests/test_shipped_model.py \
	youhu/demo/tests/test_textgen.py youhu/demo/tests/test_parts.py
test-standalone:
	@echo "== a bare clone: migrate, model ensure, demo load and the site, without ../shared"
	$(BIN)/python scripts/standalone_check.py
	@echo "== tests needing ../shared skip where it is absent"
	@empty=$$(mktemp -d); trap 'rm -rf "$$empty"' EXIT; \
	out=$$(YOUHU_SHARED_DIR="$$empty" $(BIN)/pytest $(NO_SHARED_TESTS) -m "not browser" -rs 2>&1); rc=$$?; \
	echo "$$out" | tail -4; \
	if [ $$rc -ne 0 ]; then echo "$$out"; exit $$rc; fi; \
	echo "$$out" | grep -q "SKIPPED.*\.\./shared data absent" || { echo "no test skipped for want of ../shared"; exit 1; }

test-postgres:
	@echo "== tests on PostgreSQL ($(PG_URL))"
	YOUHU_DATABASE_URL=$(PG_URL) $(BIN)/pytest -m "not browser"

clean:
	rm -rf $(VENV) var
