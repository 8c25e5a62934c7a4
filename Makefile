# Updraft: `make start` serves the UI and API on :8080; `make test` runs every check.
SHELL := /bin/bash
PORT ?= 8080
DATA_DIR ?= .updraft
export UPDRAFT_PYTHON ?= /usr/bin/python3

# Debian packages the project needs; installed only when missing.
APT_PACKAGES := python3 sqlite3

.PHONY: setup deps apt build start test lint typecheck unit bench clean

setup: apt deps build

apt:
	@missing=""; for p in $(APT_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi

# npm ci only when the lockfile changed since the last install.
deps: node_modules/.installed
node_modules/.installed: package-lock.json package.json
	npm ci --no-audit --no-fund
	@touch $@

build: deps
	npx tsc -p tsconfig.build.json

start: setup
	bin/updraft serve --port $(PORT) --data-dir $(DATA_DIR) --examples examples

typecheck:
	npx tsc -p tsconfig.json --noEmit

lint:
	npx eslint .
	npx prettier --check .

# The JSON report feeds the plain "N passed, N failed" closing line CI reads.
unit:
	@mkdir -p test-artifacts
	npx vitest run --reporter=default --reporter=json --outputFile.json=test-artifacts/vitest.json; \
	  status=$$?; node scripts/test-summary.mjs test-artifacts/vitest.json || status=1; exit $$status

test: setup typecheck lint unit

bench: setup
	npm run bench

clean:
	rm -rf dist node_modules/.installed
