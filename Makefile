# datapump-gateway — every entry point. `make run` and `make test` set up what is missing themselves.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

export REDOCLY_TELEMETRY := off
export REDOCLY_SUPPRESS_UPDATE_NOTICE := true
export NODE_OPTIONS ?=

BIN       := node_modules/.bin
STAMP     := node_modules/.install-stamp
GEN_DIR   ?= generated
CONTRACTS := public ords

.PHONY: help setup generate check-generated format format-check lint lint-contracts lint-code typecheck test test-deps check build pack run emulator bench clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-16s %s\n", $$1, $$2}'

$(STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

setup: $(STAMP) ## install the pinned dependencies (npm ci) when missing or stale

generate: $(STAMP) ## bundle openapi/ into single files and generate TypeScript types into generated/
	@mkdir -p $(GEN_DIR)/openapi
	@for c in $(CONTRACTS); do \
	  $(BIN)/redocly bundle openapi/$$c.yaml -o $(GEN_DIR)/openapi/$$c.json >/dev/null 2>&1 \
	    || { $(BIN)/redocly bundle openapi/$$c.yaml -o $(GEN_DIR)/openapi/$$c.json; exit 1; }; \
	  $(BIN)/openapi-typescript $(GEN_DIR)/openapi/$$c.json -o $(GEN_DIR)/$$c.ts --default-non-nullable false >/dev/null; \
	  echo "generated $(GEN_DIR)/openapi/$$c.json and $(GEN_DIR)/$$c.ts"; \
	done

check-generated: $(STAMP) ## fail when generated/ is not what `make generate` writes from openapi/
	@tmp=$$(mktemp -d); \
	$(MAKE) --no-print-directory generate GEN_DIR=$$tmp >/dev/null; \
	if diff -r -x README.md $$tmp generated >/dev/null; then echo "generated/ is up to date"; rm -rf $$tmp; \
	else diff -r -x README.md $$tmp generated | head -40; rm -rf $$tmp; \
	  echo "generated/ is stale: run 'make generate' and commit the result" >&2; exit 1; fi

format: $(STAMP) ## rewrite the tree as the linter's fixes and the formatter want it (ESLint --fix, then Prettier; what ESLint cannot fix, make lint reports)
	$(BIN)/eslint --fix . || true
	$(BIN)/prettier --write --log-level warn .

format-check: $(STAMP) ## fail when a file is not as Prettier writes it
	$(BIN)/prettier --check --log-level warn .

lint: lint-contracts lint-code ## lint the contracts and the code

lint-code: $(STAMP) ## ESLint (typescript-eslint with types: floating promises, unused code, import order) and knip (unused files, exports, dependencies)
	$(BIN)/eslint --max-warnings 0 .
	$(BIN)/knip --no-progress

lint-contracts: $(STAMP) ## lint the contracts: Spectral (oas + OWASP) on the public one, Redocly recommended on both
	$(BIN)/spectral lint openapi/public.yaml --fail-severity error --display-only-failures
	$(BIN)/redocly lint openapi/public.yaml openapi/ords.yaml --format stylish 2>&1 | grep -v -E '^\s*[║╔╚]' || true
	@$(BIN)/redocly lint openapi/public.yaml openapi/ords.yaml >/dev/null 2>&1 || { echo "redocly lint failed" >&2; exit 1; }

typecheck: $(STAMP) ## tsc --noEmit over src/, generated/, test/ and bench/
	$(BIN)/tsc --noEmit

test: $(STAMP) ## run every test (vitest; ARGS="test/gateway/store" for some); finds PostgreSQL, Redis and Chromium or starts private ones; writes test-results/vitest.json
	scripts/test-services.sh $(ARGS)

test-deps: ## apt-get install PostgreSQL, Redis and Chromium for make test (only what is missing; sudo when not root)
	scripts/test-services.sh --install

check: format-check lint typecheck check-generated test ## everything CI checks: formatting, lint (contracts and code), types, generated/ drift, tests

build: $(STAMP) ## compile src/ to dist/
	$(BIN)/tsc -p tsconfig.build.json

pack: $(STAMP) ## build the installable tarballs @datapump-gateway/client and datapump-gateway into dist/packages/ (scripts/pack.ts)
	node --import tsx scripts/pack.ts --out dist/packages

run: build ## start the ORDS emulator (:8181, EMULATOR_PORT; EMULATOR_ARGS="--lifecycle kept") and the gateway (:8080, PORT) with config/example.yaml
	node dist/src/dev/run-local.js

bench: $(STAMP) build ## benchmarks of the compiled gateway against the emulator, a bare proxy, an Express floor and nginx, as ratios (ARGS="--quick" or "--only post")
	$(BIN)/tsc -p bench/tsconfig.build.json
	node --import tsx bench/run.ts $(ARGS)

emulator: build ## start only the ORDS emulator on 127.0.0.1:8181 (EMULATOR_PORT or ARGS="--port N" to change)
	node dist/src/emulator/main.js $(ARGS)

clean: ## remove build output and test results
	rm -rf dist test-results
