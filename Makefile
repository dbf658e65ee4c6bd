# Bootstrap only: create .venv with the pinned dependencies, then hand over to tasks.py (invoke).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
AS_OF  ?=

.PHONY: build test lint clean serve

$(BIN)/.installed: requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.lock
	touch $@

build: $(BIN)/.installed
	$(BIN)/invoke build $(if $(AS_OF),--as-of=$(AS_OF))

test: $(BIN)/.installed
	$(BIN)/python -m pytest

lint: $(BIN)/.installed
	$(BIN)/ruff check plugins tasks.py tests
	$(BIN)/mypy

serve: $(BIN)/.installed
	$(BIN)/invoke serve

clean:
	$(BIN)/invoke clean
