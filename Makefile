# `make run` and `make test` work on a fresh machine: they create .venv and install the project first.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: run chat test test-quick lint bench validate

$(BIN)/thidua: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

run: $(BIN)/thidua
	$(BIN)/thidua run

chat: $(BIN)/thidua
	$(BIN)/thidua chat

lint: $(BIN)/thidua
	$(BIN)/ruff check .

validate: $(BIN)/thidua
	$(BIN)/thidua kb validate --fail-on-warnings

test: lint validate
	$(BIN)/pytest -q

# While editing: everything but the fault-injection and PostgreSQL tiers (about half the time).
test-quick: lint
	$(BIN)/pytest -q -m "not faults and not postgres"

bench: $(BIN)/thidua
	$(BIN)/thidua bench
	$(BIN)/python tests/bench_broadcast.py
	$(BIN)/python tests/kill_bot.py
