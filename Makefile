# as2-agent — build, test, run, benchmark and package.
# Every target installs what it needs on a fresh Debian 12 machine with the Swift toolchain.

SHELL := /bin/bash
SWIFT ?= swift
VENV := .venv
PYTHON := $(VENV)/bin/python
DEB_PACKAGES := libssl-dev libinotifytools0-dev zlib1g-dev libsqlite3-dev python3-venv openssl
PYAS2LIB_VERSION := 1.4.4

export AS2_INTEROP_PYTHON := $(abspath $(PYTHON))

.PHONY: all deps venv build release test run bench deb test-deb clean

all: build

## Debian packages the build and the tests need (installed only when missing; needs root).
deps:
	@missing=""; for p in $(DEB_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi

## Python venv with pyas2lib, the interop peer of the tests and benchmarks.
venv: $(VENV)/.ok
$(VENV)/.ok: Tests/InteropTests/peer/requirements.txt | deps
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install -q --disable-pip-version-check -r Tests/InteropTests/peer/requirements.txt
	touch $@

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release

test: deps venv
	$(SWIFT) build --build-tests
	rm -f .build/xunit*.xml
	$(SWIFT) test --skip-build --parallel --num-workers 2 --xunit-output .build/xunit.xml; status=$$?; \
	  python3 scripts/test-summary.py .build/xunit*.xml || status=1; exit $$status

run: deps
	$(SWIFT) build
	./scripts/demo.sh

bench: deps venv
	$(SWIFT) build -c release
	./scripts/bench.sh

## Debian package dist/as2-agent_<version>_<arch>.deb: release build with the Swift runtime
## linked statically, debhelper, lintian (scripts/build-deb.sh; needs root for apt-get).
deb: deps
	./scripts/build-deb.sh

## The package on a fresh Debian 12 root (debootstrap): install, run two partners, upgrade,
## remove, purge (scripts/test-deb.sh; needs root and the Debian mirror).
test-deb: deb
	./scripts/test-deb.sh

clean:
	rm -rf .build $(VENV)
