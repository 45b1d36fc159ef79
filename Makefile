# The two commands a newcomer needs: `make run` (the whole system on this machine) and `make test`.
# `venv` is a stamp-file target, so after the first install these start instantly; it re-installs
# only when pyproject.toml or constraints.txt change (or the venv is deleted).

PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: venv run test lint bench

venv: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -c constraints.txt -e ".[dev]"
	touch $@

# `exec`: no shell stays between make and the runner. The runner stops on SIGINT/SIGTERM to itself
# or to this make (which forwards SIGTERM but not SIGINT: see devstack/supervisor.py, ParentWatch).
run: venv
	exec $(BIN)/python -m devstack

# The test command checks style and types first: `ruff` and `mypy --strict` are part of "green".
test: venv
	$(BIN)/ruff check .
	$(BIN)/mypy .
	$(BIN)/pytest

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy .

bench: venv
	$(BIN)/python -m bench.lifecycle
