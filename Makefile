# Every command a developer or CI runs lives here, so they are literally the same.
#   make demo    the main job on the embedded defaults: no API key, no server, repo untouched
#   make test    the whole test suite
#   make lint    ruff (lint + format check), mypy and the layer contracts (import-linter)
#   make bench   every benchmark (each prints its figures against a floor measured in the run)
# VENV=/some/venv uses (and, if needed, creates) another virtualenv; .ci/run does this.

PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.vaultcurator-installed
DEMO_VAULT ?= demo-vault
BENCHES ?= $(sort $(wildcard benchmarks/*.py))

.PHONY: demo test lint bench venv clean-demo

# The virtualenv, (re)installed whenever pyproject.toml changes; the package's bytecode is
# compiled as a non-editable pip install does, so no process compiles it at start-up.
venv: $(STAMP)
$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet -e '.[test]'
	$(PY) -m compileall -q vaultcurator
	touch $@

# A scratch copy of the fixture vault (./demo-vault/ is git-ignored): the demo never writes
# to the repo. Scan, curate offline with the local engine (tags, descriptions, related
# links), then show the proposals as diffs; nothing is applied until you review.
demo: $(STAMP)
	rm -rf $(DEMO_VAULT)
	cp -R fixtures_vault $(DEMO_VAULT)
	rm -rf $(DEMO_VAULT)/.vaultcurator
	$(PY) -m vaultcurator scan $(DEMO_VAULT)
	$(PY) -m vaultcurator curate $(DEMO_VAULT) --engine local
	$(PY) -m vaultcurator review $(DEMO_VAULT) --print --state pending > $(DEMO_VAULT)/proposals.diff
	head -n 40 $(DEMO_VAULT)/proposals.diff
	@echo "... all proposals as diffs: $(DEMO_VAULT)/proposals.diff"
	@echo "Review them: $(PY) -m vaultcurator review $(DEMO_VAULT)   (apply with w, undo with u)"

test: $(STAMP)
	$(PY) -m pytest

lint: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy
	$(VENV)/bin/lint-imports

bench: $(STAMP)
	@status=0; for bench in $(BENCHES); do \
		echo "== $$bench"; $(PY) $$bench || status=1; \
	done; exit $$status

clean-demo:
	rm -rf $(DEMO_VAULT)
