# Territoires - two commands: `make demo` and `make test`.
PYTHON   ?= python3
VENV     ?= .venv
BIN      := $(VENV)/bin
TERRITORY ?= dep:35
DB       ?= data/territoires.duckdb
PORT     ?= 8050
# A local folder of raw official files used as a mirror (e.g. ../shared/data).
MIRROR   ?=
MIRROR_ARG := $(if $(MIRROR),--mirror $(MIRROR),)
SUDO     := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: install chromium demo build serve test lint bench clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

# Debian's Chromium and its driver, for the browser tests (rule 4), and poppler
# (pdftotext, pdftoppm) to read the printed portrait's PDF pages.
chromium:
	@if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ] || [ ! -x /usr/bin/pdftoppm ]; then \
		$(SUDO) apt-get update -qq && \
		$(SUDO) apt-get install -y -qq chromium chromium-driver poppler-utils; \
	fi

build: install
	$(BIN)/territoires build --territory $(TERRITORY) --db $(DB) $(MIRROR_ARG)

demo: build
	$(BIN)/territoires sources --db $(DB)
	@if $(BIN)/territoires --help | grep -q serve; then \
		$(BIN)/territoires serve --db $(DB) --port $(PORT); \
	fi

serve: install
	$(BIN)/territoires serve --db $(DB) --port $(PORT) --production

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy
	$(BIN)/bandit -q -c pyproject.toml -r etl warehouse geo indicators dashboards territoires.py

test: install chromium lint
	TERRITOIRES_MIRROR=$(if $(MIRROR),$(abspath $(MIRROR)),) $(BIN)/pytest -q

bench: install
	$(BIN)/python bench/build.py $(MIRROR_ARG)

clean:
	rm -rf $(VENV) data/cache build *.egg-info
