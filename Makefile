# The README's two commands are `make demo` and `make test`; both set up .venv on first use.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)

# emupos (a third-party ESC/POS printer emulator the printing tests check tickets against) needs Python 3.13+;
# it lives in its own venv. Without such a Python its tests skip (and fail in CI, where one exists).
EMUPOS_PYTHON ?= $(firstword $(foreach python,$(wildcard $(HOME)/.pyenv/versions/3.1[3-9]*/bin/python3) \
	$(shell command -v python3.14 python3.13 2>/dev/null),\
	$(shell $(python) -c 'import sys; print(sys.executable) if sys.version_info >= (3, 13) else None' 2>/dev/null)))
EMUPOS_VENV := .venv-emupos

.PHONY: demo test lint bench soak studies install emupos fonts voice translations

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test,bench]'
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

install: $(STAMP)

$(EMUPOS_VENV)/bin/emupos:
	@if [ -n "$(EMUPOS_PYTHON)" ]; then \
		$(EMUPOS_PYTHON) -m venv $(EMUPOS_VENV) && $(EMUPOS_VENV)/bin/pip install --quiet 'emupos==0.4.0'; \
	else echo "no Python 3.13+ for emupos: its printing tests will skip"; fi

emupos: $(EMUPOS_VENV)/bin/emupos

# Raster tickets are drawn with a CJK font: Debian's fonts-wqy-zenhei, installed here when we may (root, apt).
CJK_FONT := /usr/share/fonts/truetype/wqy/wqy-zenhei.ttc
fonts:
	@[ -e $(CJK_FONT) ] || { \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			(apt-get install -y -qq fonts-wqy-zenhei >/dev/null 2>&1 || \
			 (apt-get update -qq && apt-get install -y -qq fonts-wqy-zenhei >/dev/null)) || true; \
		fi; \
		[ -e $(CJK_FONT) ] || echo "hallq: no CJK font for printed tickets: sudo apt-get install fonts-wqy-zenhei"; }

# Displays speak calls rendered on the server by espeak-ng (docs/voice.md); sox checks the audio in the tests.
# Installed here when we may (root, apt), like the font; without them displays use their own voice or chime.
voice:
	@command -v espeak-ng >/dev/null && command -v sox >/dev/null || { \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			(apt-get install -y -qq espeak-ng sox >/dev/null 2>&1 || \
			 (apt-get update -qq && apt-get install -y -qq espeak-ng sox >/dev/null)) || true; \
		fi; \
		command -v espeak-ng >/dev/null || echo "hallq: no espeak-ng, displays speak with their own voice: sudo apt-get install espeak-ng"; }

## Run the demo hall on http://127.0.0.1:5000 (another port: make demo PORT=5001) and print its URLs, logins and
## tokens.
PORT ?= 5000
demo: $(STAMP) fonts voice
	$(BIN)/hallq demo --port $(PORT)

## Run every test. pytest's exit code 5 (no test collected) counts as a failure.
test: $(STAMP) emupos fonts voice
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
	$(BIN)/python bench/whatif_run.py
	$(BIN)/python bench/speech.py
	$(BIN)/python bench/province.py
	$(BIN)/python bench/booking.py
	$(BIN)/python bench/request_cost.py
	$(BIN)/python bench/print_ticket.py
	$(BIN)/python bench/bridge_latency.py
	$(BIN)/python bench/report_history.py
	$(BIN)/python bench/scale_out.py

## The call rule's studies (by hand, about 20 minutes): what any rule or estimate could reach on the scenarios.
studies: $(STAMP)
	$(BIN)/python bench/assignment_study.py
	$(BIN)/python bench/rule_study.py --seeds 4
	$(BIN)/python bench/estimate_floor.py

## An hour-long soak at 20x speed (by hand): memory and latency over a compressed hall day and more.
soak: $(STAMP)
	$(BIN)/python bench/soak.py --minutes 60 --speed 20

## Texts of the pages: extract them, merge them into the zh_CN catalogue (translate what is new), compile.
translations: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k _l --no-location --omit-header --sort-output --width 110 \
		-o hallq/translations/messages.pot hallq kiosk caller display_board manager
	$(BIN)/pybabel update -i hallq/translations/messages.pot -d hallq/translations -l zh_Hans_CN \
		--no-fuzzy-matching --ignore-obsolete --width 110
	$(BIN)/pybabel compile -d hallq/translations
