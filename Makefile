# The README's two commands are `make demo` and `make test`; both set up .venv on first use.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)

.PHONY: demo test lint bench install

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test,bench]'
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

install: $(STAMP)

## Run the demo hall on http://127.0.0.1:5000 and print its URLs, logins and tokens.
demo: $(STAMP)
	$(BIN)/hallq demo

## Run every test. pytest's exit code 5 (no test collected) counts as a failure.
test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/python -m pytest $(PYTEST_ARGS); status=$$?; \
	if [ $$status -eq 5 ]; then echo "pytest collected no tests: failing" >&2; exit 1; fi; exit $$status

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

## Benchmarks (by hand; figures go to docs/benchmarks.md).
bench: $(STAMP)
	$(BIN)/python bench/issue_and_call.py --async-mode eventlet
	$(BIN)/python bench/issue_and_call.py --async-mode threading
	$(BIN)/python bench/simulate_day.py
	$(BIN)/python bench/request_cost.py
