# aicc.cms — every target bootstraps what it needs on a fresh machine (Debian, Python >= 3.11, make).
#   make demo   a change window gated by the role against the simulator
#   make test   every test: lint, sanity, molecule, then units and integration (pytest summary last)

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV ?= .venv
BIN := $(CURDIR)/$(VENV)/bin
# ansible-test, FQCNs and molecule need the checkout under ansible_collections/<namespace>/<name>.
COLLECTIONS_ROOT := $(CURDIR)/.build
COLLECTION_DIR := $(COLLECTIONS_ROOT)/ansible_collections/aicc/cms
STAMP := $(VENV)/.installed
SCENARIO ?= recovery

export PATH := $(BIN):$(PATH)
export ANSIBLE_COLLECTIONS_PATH := $(COLLECTIONS_ROOT)
export PYTHONPATH := $(COLLECTIONS_ROOT)
export ANSIBLE_LOCALHOST_WARNING := false
# pytest-ansible, when present, must not hijack plain pytest runs
export PYTEST_ADDOPTS := -p no:pytest-ansible -p no:cacheprovider

.PHONY: help setup layout lock test units sanity integration molecule lint format docs demo sim bench build clean chromium compat \
  shellcheck ansible-units ansible-integration import-check matrix release

help:
	@echo "make demo   - rehearse a change window gated against the simulator"
	@echo "make test   - every test (lint, sanity, molecule, units, integration)"
	@echo "parts: units sanity integration molecule lint docs bench sim build clean lock"
	@echo "make compat - plugin unit tests and integration again on ansible-core 2.17 (not in make test)"
	@echo "make import-check - the tarball through galaxy-importer (Automation Hub settings) and ansible-test sanity"
	@echo "make ansible-units / ansible-integration - ansible-test units / integration --venv"
	@echo "make matrix - sanity, units and integration on every supported ansible-core (tox-ansible; not in make test)"
	@echo "make release VERSION=X.Y.Z [HOME_URL=https://...] - version, galaxy.yml links and the changelog release"

# --- bootstrap -----------------------------------------------------------------------------
# Exact versions from tests/constraints/py<X.Y>.txt when there is one for this Python (the ranges
# of requirements-dev.txt otherwise): every machine installs the set that passed.
$(STAMP): requirements.txt requirements-dev.txt $(wildcard tests/constraints/*.txt)
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed as $(PYTHON)")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	@pin=tests/constraints/py$$($(BIN)/python -c 'import sys; print("%d.%d" % sys.version_info[:2])').txt; \
	if [ -f $$pin ]; then pin="-c $$pin"; else echo "no $$pin: installing the newest versions requirements-dev.txt allows"; pin=; fi; \
	echo "$(BIN)/python -m pip install -r requirements-dev.txt $$pin"; \
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt $$pin
	@touch $@

# Refresh the exact versions for this Python from what is installed (after a passing make test).
lock: setup
	@pin=tests/constraints/py$(PY_VERSION).txt; \
	{ echo "# Exact versions make installs on Python $(PY_VERSION) (pip freeze); refresh with 'make lock'."; \
	  $(BIN)/python -m pip freeze --disable-pip-version-check | grep -v -e '^-e ' -e ' @ file:'; } > $$pin; echo "wrote $$pin"

$(COLLECTION_DIR):
	@mkdir -p $(dir $(COLLECTION_DIR))
	@ln -sfn ../../.. $(COLLECTION_DIR)

setup: $(STAMP) | $(COLLECTION_DIR)
layout: | $(COLLECTION_DIR)

# ansible-test downloads a pip bootstrap script from a host this machine cannot reach; it looks
# in its cache first. Put an offline stand-in and the pip wheel it installs there, once.
ANSIBLE_TEST_CACHE := $(HOME)/.ansible/test/cache
ansible-test-pip: setup
	@pip_version=$$($(BIN)/python -c 'import re, ansible_test._internal.python_requirements as r, inspect; print(re.search(r"pip=.([0-9.]+).", inspect.getsource(r.get_venv_packages)).group(1))'); \
	standin=$(ANSIBLE_TEST_CACHE)/get_pip_$${pip_version//./_}.py; \
	if [ ! -f "$$standin" ] || ! ls $(ANSIBLE_TEST_CACHE)/pip-$$pip_version-*.whl >/dev/null 2>&1; then \
	  mkdir -p $(ANSIBLE_TEST_CACHE); \
	  $(BIN)/python -m pip download --quiet --disable-pip-version-check --no-deps --only-binary=:all: -d $(ANSIBLE_TEST_CACHE) pip==$$pip_version; \
	  cp tests/tools/get_pip_standin.py "$$standin"; \
	  echo "ansible-test: offline pip $$pip_version bootstrap placed in $(ANSIBLE_TEST_CACHE)"; \
	fi

# The HTML report test renders the page in Debian's chromium.
chromium:
	@command -v chromium >/dev/null || { echo "installing chromium for the HTML report test"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

# ansible-test's shellcheck sanity test checks the integration targets' scripts.
shellcheck:
	@command -v shellcheck >/dev/null || { echo "installing shellcheck for ansible-test sanity"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq shellcheck >/dev/null; }

# --- tests ---------------------------------------------------------------------------------
PY_VERSION = $(shell $(BIN)/python -c 'import sys; print("%d.%d" % sys.version_info[:2])')

units: setup
	cd $(COLLECTION_DIR) && $(BIN)/python -m pytest tests/unit \
	  --cov=ansible_collections.aicc.cms.plugins.module_utils --cov-report=term-missing:skip-covered \
	  --cov-fail-under=90

integration: setup chromium
	cd $(COLLECTION_DIR) && $(BIN)/python -m pytest tests/integration

# The oldest ansible-core meta/runtime.yml allows (2.17), in a venv of its own: requirements-dev.txt
# under a constraint, then the plugin unit tests and the integration suite. Not part of make test
# (about 3 minutes). The venv holds a '*' .gitignore so git, sanity's staging and ansible-lint skip it.
COMPAT_VENV := .venv-2.17
COMPAT_BIN := $(CURDIR)/$(COMPAT_VENV)/bin
COMPAT_CONSTRAINT := tests/constraints/ansible-core-2.17.txt
$(COMPAT_VENV)/.installed: requirements.txt requirements-dev.txt $(COMPAT_CONSTRAINT)
	@$(PYTHON) -c 'import sys; sys.exit(0 if (3, 10) <= sys.version_info[:2] <= (3, 12) else "ansible-core 2.17 needs Python 3.10 to 3.12 as $(PYTHON)")'
	@test -x $(COMPAT_BIN)/python || $(PYTHON) -m venv $(COMPAT_VENV)
	@echo '*' > $(COMPAT_VENV)/.gitignore
	$(COMPAT_BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(COMPAT_BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt -c $(COMPAT_CONSTRAINT)
	@touch $@

compat: $(COMPAT_VENV)/.installed chromium | $(COLLECTION_DIR)
	cd $(COLLECTION_DIR) && PATH=$(COMPAT_BIN):$$PATH $(COMPAT_BIN)/python -m pytest tests/unit/plugins tests/integration

# ansible-test wants the physical working directory inside ansible_collections/<ns>/<name>, so it
# runs on a fresh copy of the files git tracks or would track (not the symlinked layout); one copy
# per run, so two runs at once do not pull the files from under each other.
sanity: setup ansible-test-pip shellcheck
	@mkdir -p .build; stage=$$(mktemp -d $(CURDIR)/.build/sanity.XXXXXX); trap 'rm -rf "$$stage"' EXIT; \
	dest=$$stage/ansible_collections/aicc/cms; \
	$(BIN)/python tests/tools/stage_collection.py $$dest; \
	cd $$dest && $(BIN)/ansible-test sanity --python $(PY_VERSION) --color no $(SANITY_ARGS)

# ansible-test units / integration --venv, as a fresh clone or tox-ansible runs them: no PYTHONPATH of
# ours (unset here), on a staged copy like sanity. The integration targets start the simulator.
ANSIBLE_TEST_STAGED = @mkdir -p .build; stage=$$(mktemp -d $(CURDIR)/.build/ansible-test.XXXXXX); trap 'rm -rf "$$stage"' EXIT; \
	dest=$$stage/ansible_collections/aicc/cms; $(BIN)/python tests/tools/stage_collection.py $$dest; \
	cd $$dest && env -u PYTHONPATH -u ANSIBLE_COLLECTIONS_PATH $(BIN)/ansible-test
ansible-units: setup ansible-test-pip
	$(ANSIBLE_TEST_STAGED) units --venv --python $(PY_VERSION) --color no $(UNITS_ARGS)

ansible-integration: setup ansible-test-pip
	$(ANSIBLE_TEST_STAGED) integration --venv --python $(PY_VERSION) --color no $(INTEGRATION_ARGS)

# What Galaxy and Automation Hub run on upload, offline (tests/tools/import_check.py): fails on any warning.
import-check: setup ansible-test-pip shellcheck
	@mkdir -p .build; work=$$(mktemp -d $(CURDIR)/.build/import.XXXXXX); trap 'rm -rf "$$work"' EXIT; \
	env -u PYTHONPATH -u ANSIBLE_COLLECTIONS_PATH $(BIN)/python tests/tools/import_check.py $$work --python $(PY_VERSION) $(IMPORT_ARGS)

# sanity, units and the integration targets on each supported ansible-core and Python (tox-ansible.ini,
# docs/testing.md); MATRIX_ENVS picks cells, e.g. MATRIX_ENVS=integration-py3.11-2.19. Not part of make test.
matrix: setup ansible-test-pip shellcheck
	$(BIN)/python tests/tools/matrix.py $(if $(MATRIX_ENVS),--envs $(MATRIX_ENVS))

# Set the version (and, with HOME_URL, galaxy.yml's links), then release the changelog.
release: setup
	@test -n "$(VERSION)" || { echo "make release needs VERSION=X.Y.Z"; exit 1; }
	$(BIN)/python tests/tools/release.py $(VERSION) $(if $(HOME_URL),--home-url $(HOME_URL))
	cd $(COLLECTION_DIR) && $(BIN)/antsibull-changelog release --version $(VERSION)

molecule: setup
	@cd $(COLLECTION_DIR); scenarios=$$(ls extensions/molecule 2>/dev/null | grep -v '^config' || true); \
	if [ -z "$$scenarios" ]; then echo "molecule: no scenario yet"; exit 0; fi; \
	for s in $$scenarios; do [ -f extensions/molecule/$$s/molecule.yml ] || continue; \
	  echo "=== molecule scenario $$s"; (cd extensions && $(BIN)/molecule test -s $$s) || exit 1; done

# ruff (ruff.toml), ansible-lint (production profile), the plugin documentation and the changelog
# fragments. --offline: the layout already puts the collection on the path; without it ansible-lint
# installs a copy under ~/.ansible.
lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	cd $(COLLECTION_DIR) && $(BIN)/ansible-lint --profile production --offline
	cd $(COLLECTION_DIR) && $(BIN)/antsibull-docs lint-collection-docs --plugin-docs .
	cd $(COLLECTION_DIR) && $(BIN)/antsibull-changelog lint

# Apply the house style (ruff.toml) to the whole tree; make lint checks it.
format: setup
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Lint, sanity and molecule first; units and integration in one pytest run, so the last lines
# are the test runner's summary.
test: setup chromium
	$(MAKE) --no-print-directory lint sanity import-check ansible-integration molecule
	cd $(COLLECTION_DIR) && $(BIN)/python -m pytest tests/unit tests/integration \
	  --cov=ansible_collections.aicc.cms.plugins.module_utils --cov-report=term:skip-covered \
	  --cov-fail-under=90

# Plugin reference: lint the docs, then build the collection docsite offline into docs/build
# (antsibull-docs wants its output folder private; empty intersphinx mapping: no network here).
DOCS_SITE := $(CURDIR)/docs/build
docs: setup | $(COLLECTION_DIR)
	cd $(COLLECTION_DIR) && $(BIN)/antsibull-docs lint-collection-docs --plugin-docs .
	rm -rf $(DOCS_SITE) && mkdir -p -m 700 $(DOCS_SITE)
	cd $(COLLECTION_DIR) && $(BIN)/antsibull-docs sphinx-init --use-current --dest-dir $(DOCS_SITE) \
	  --sphinx-theme alabaster --project aicc.cms --title aicc.cms --no-add-antsibull-docs-version aicc.cms >/dev/null
	printf '%s\n' 'intersphinx_mapping = {}  # offline build' \
	  "suppress_warnings = ['ref.ref', 'ref.envvar', 'myst.xref_missing']  # targets on docs.ansible.com and in the checkout" \
	  "extensions.append('myst_parser')  # the guides of docs/*.md" 'myst_heading_anchors = 3' \
	  "html_static_path = ['$(CURDIR)/tests/tools/docsite']" "html_css_files = ['aicc.css']  # tables scroll, the page does not" >> $(DOCS_SITE)/conf.py
	sed -i 's|^sphinx-build |$(BIN)/python $(CURDIR)/tests/tools/docsite_guides.py rst \&\& &|' $(DOCS_SITE)/build.sh
	$(DOCS_SITE)/build.sh >$(DOCS_SITE)/build.log 2>&1 || { cat $(DOCS_SITE)/build.log; exit 1; }
	@echo "docs: the guides and the plugin reference at docs/build/build/html/index.html"

# --- run -----------------------------------------------------------------------------------
# From tests/, where the simulator package lives: relative paths in SIM_ARGS start there too.
sim: setup
	cd tests && $(BIN)/python -m simulator $(SIM_ARGS)

demo: setup
	@if [ ! -x tests/demo/run ]; then echo "make demo: the change-window demo (role registration_gate) is not built yet"; exit 1; fi
	tests/demo/run $(SCENARIO)

bench: setup
	@if [ ! -f tests/bench/run.py ]; then echo "make bench: no benchmarks yet"; exit 1; fi
	$(BIN)/python tests/bench/run.py $(BENCH_ARGS)
	$(BIN)/python tests/bench/readings.py $(READINGS_ARGS)
	$(BIN)/python tests/bench/gate.py $(BENCH_ARGS)

build: setup
	$(BIN)/ansible-galaxy collection build --force

clean:
	rm -rf .build .venv-2.17 .tox tests/output .ansible collections docs/build aicc-cms-*.tar.gz .coverage
