# Two commands do all the set-up on a fresh machine: `make run` and `make test`.
VENV    ?= .venv
PY      := $(VENV)/bin/python
STAMP   := $(VENV)/.installed
GATEWAY := tests/gateway
# wechaty 0.10.7 imports telnetlib, gone in Python 3.13: pick a 3.11 or 3.12 interpreter.
PYTHON  ?= $(shell for p in python3.12 python3.11 python3; do \
             command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(not ((3,11) <= sys.version_info[:2] < (3,13)))' 2>/dev/null && { echo $$p; break; }; \
           done)

.PHONY: run test lint bench gateway clean

$(STAMP): pyproject.toml
	@test -n "$(PYTHON)" || { echo "stairbot needs Python 3.11 or 3.12" >&2; exit 2; }
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	@touch $@

run: $(STAMP)
	$(VENV)/bin/stairbot run

gateway: $(GATEWAY)/node_modules/.installed

$(GATEWAY)/node_modules/.installed: $(GATEWAY)/package.json $(GATEWAY)/package-lock.json
	npm ci --prefix $(GATEWAY) --no-audit --no-fund --loglevel=error
	@touch $@

test: $(STAMP) gateway
	$(PY) -m pytest -q

lint: $(STAMP)
	$(VENV)/bin/ruff check .

bench: $(STAMP)
	$(PY) benchmarks/bench.py

clean:
	rm -rf $(VENV) $(GATEWAY)/node_modules .pytest_cache .ruff_cache .hypothesis
