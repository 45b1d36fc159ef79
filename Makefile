# The two commands a newcomer needs: `make run` (the whole system on this machine) and `make test`.
# `venv` is a stamp-file target, so after the first install these start instantly; it re-installs
# only when pyproject.toml or constraints.txt change (or the venv is deleted).

PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: venv run test lint bench browser debian-browser

venv: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -c constraints.txt -e ".[dev]"
	touch $@

# `exec`: no shell stays between make and the runner. The runner stops on SIGINT/SIGTERM to itself
# or to this make (which forwards SIGTERM but not SIGINT: see devstack/supervisor.py, ParentWatch).
run: venv
	exec $(BIN)/python -m devstack

# What tests/browser needs besides Python: Debian's Chromium, its driver and npm (installed with
# apt-get, only those missing: a Node.js that brings its own npm conflicts with Debian's npm; the tests
# never download a browser), and the pinned axe-core
# (`npm ci`, again only when the lock file changed).
AXE := tests/browser/node_modules/axe-core/axe.min.js

browser: debian-browser $(AXE)

debian-browser:
	@missing=""; \
	command -v chromium >/dev/null || missing="$$missing chromium"; \
	command -v chromedriver >/dev/null || missing="$$missing chromium-driver"; \
	command -v npm >/dev/null || missing="$$missing npm"; \
	[ -z "$$missing" ] || { \
	  echo "Installing Debian's$$missing for the browser tests (tests/browser)"; \
	  apt-get update && apt-get install -y --no-install-recommends $$missing; } || { \
	  echo "The browser tests need Debian's$$missing: run as root" \
	       "'apt-get install$$missing' and retry." >&2; exit 1; }

$(AXE): tests/browser/package.json tests/browser/package-lock.json | debian-browser
	cd tests/browser && npm ci --no-audit --no-fund
	touch $@

# The test command checks style and types first: `ruff` and `mypy --strict` are part of "green".
test: venv browser
	$(BIN)/ruff check .
	$(BIN)/mypy .
	$(BIN)/pytest

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy .

bench: venv
	$(BIN)/python -m bench.lifecycle
