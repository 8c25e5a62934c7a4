# Updraft: `make start` serves the UI and API on :8080; `make test` runs every check.
SHELL := /bin/bash
PORT ?= 8080
DATA_DIR ?= .updraft
export UPDRAFT_PYTHON ?= /usr/bin/python3

# Debian packages the project needs; installed only when missing.
APT_PACKAGES := python3 sqlite3 python3-ipykernel python3-jupyter-client r-cran-irkernel r-base-core \
  r-cran-rmarkdown pandoc python3-pytest jupyter-nbconvert python3-pandas python3-sklearn \
  python3-matplotlib bsdutils python3-torch python3-distributed chromium

.PHONY: setup deps apt kernels build start test lint typecheck unit pytest bench clean web webtest

setup: apt kernels deps build web

apt:
	@missing=""; for p in $(APT_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi

# Jupyter kernelspecs for /usr/bin/python3 and R, registered system-wide only when missing.
# Debian's python3-ipykernel ships /usr/share/jupyter/kernels/python3 (argv /usr/bin/python3)
# and r-cran-irkernel ships .../kernels/ir (argv R); those are kept as they are.
KERNELS_DIR := /usr/share/jupyter/kernels
kernels: apt
	@if ! grep -qs '"/usr/bin/python3"' $(KERNELS_DIR)/python3/kernel.json; then \
	  echo "registering the python3 kernelspec"; \
	  /usr/bin/python3 -m ipykernel install --name python3 --prefix /usr; \
	fi
	@if [ ! -f $(KERNELS_DIR)/ir/kernel.json ]; then \
	  echo "registering the ir kernelspec"; \
	  Rscript -e 'IRkernel::installspec(user = FALSE)'; \
	fi

# npm ci only when the lockfile changed since the last install.
deps: node_modules/.installed
node_modules/.installed: package-lock.json package.json
	npm ci --no-audit --no-fund
	@touch $@

build: deps
	npx tsc -p tsconfig.build.json

# The web app is its own npm project (web/): npm ci only when its lockfile changed, and a
# vite build into web/dist only when its sources (or the src/spec modules it imports) did.
web: web/dist/index.html
web/node_modules/.installed: web/package-lock.json web/package.json
	cd web && npm ci --no-audit --no-fund
	@touch $@
web/dist/index.html: web/node_modules/.installed web/index.html web/vite.config.ts \
  $(shell find web/src src/spec -type f 2>/dev/null)
	cd web && npx vite build

# The web app's typecheck, lint (its own config with React rules), unit tests, and its
# browser tests on the built app in Debian's Chromium.
webtest: web
	cd web && npx tsc -p tsconfig.json --noEmit && npx eslint . && npx vitest run && \
	  npx vitest run -c vitest.e2e.config.ts

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

# The updraft_airflow package's tests need no Airflow: Debian's python3 and pytest.
pytest:
	cd python/updraft_airflow && PYTHONDONTWRITEBYTECODE=1 /usr/bin/python3 -m pytest -q -p no:cacheprovider

test: setup typecheck lint webtest unit pytest

bench: setup
	npm run bench

clean:
	rm -rf dist node_modules/.installed
