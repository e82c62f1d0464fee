# Sinergi: the two commands of the README, and a few helpers.
#   make run   install, load the Banyuasin demo into SQLite, serve on http://127.0.0.1:8000
#   make test  install with the test extras and run the whole suite
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=

.PHONY: run install install-dev system-deps demo serve test lint messages clean

run: install demo serve

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

install: $(BIN)/python
	$(BIN)/pip install --quiet -e .

install-dev: $(BIN)/python system-deps
	$(BIN)/pip install --quiet -e ".[dev,spark]"

system-deps:
	scripts/system-deps

demo:
	$(BIN)/sinergi demo

serve:
	SECURE_COOKIES=0 $(BIN)/sinergi serve --host $(HOST) --port $(PORT)

test: install-dev
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install-dev
	$(BIN)/ruff check src tests bench
	DEBUG=1 $(BIN)/mypy --strict src/sinergi/stats src/sinergi/targeting src/sinergi/linkage src/sinergi/rounding.py src/sinergi/workdays.py
	DEBUG=1 $(BIN)/sinergi manage makemigrations --check --dry-run

messages:
	cd src/sinergi/web && DEBUG=1 ../../../$(BIN)/sinergi manage makemessages -l id && DEBUG=1 ../../../$(BIN)/sinergi manage compilemessages

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache .mypy_cache
