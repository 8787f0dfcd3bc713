# Reelvault. On a fresh Debian 12 machine, as root:
#
#   make run    installs what is missing, builds build/bin/reelvault and starts it
#   make test   installs what is missing, then checks formatting, vets and runs every test suite
#
# Every target installs only what is missing, so repeated runs are quick.

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := build

# Go lives in /usr/local/go on these machines; `go install`ed tools in ~/go/bin.
export PATH := /usr/local/go/bin:$(HOME)/go/bin:$(PATH)
export DEBIAN_FRONTEND := noninteractive

BIN       := build/bin/reelvault
ARTIFACTS := .artifacts
# The version: a v-tag's name (v1.2.0 → 1.2.0, with -N-gCOMMIT after it),
# else wails.json's productVersion + dev.COMMIT (.dirty with local changes).
# `reelvault version` prints it with the commit and the build date.
BASE_VERSION := $(shell sed -n 's/.*"productVersion": *"\([0-9.]*\)".*/\1/p' wails.json)
# Each is computed once per make run (:=), so every artifact carries the same.
ifndef COMMIT
COMMIT       := $(shell git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
endif
ifndef VERSION
VERSION      := $(shell v=$$(git describe --tags --match 'v[0-9]*' --dirty 2>/dev/null) && echo "$${v#v}" || echo "$(BASE_VERSION)+dev.$(COMMIT)$$(git diff --quiet HEAD -- 2>/dev/null || echo .dirty)")
endif
ifndef BUILD_DATE
BUILD_DATE   := $(shell date -u +%Y-%m-%dT%H:%M:%SZ)
endif
LDFLAGS      := -X main.version=$(VERSION) -X main.commit=$(COMMIT) -X main.buildDate=$(BUILD_DATE)

# Debian packages: cgo and the desktop window (WebKitGTK; gstreamer1.0-libav
# so H.264 MP4 videos play in it; WebKit's own dependencies bring
# gstreamer1.0-plugins-base and -good, named here all the same: the MP4 and
# WebM demuxers and the VP8/VP9 decoder), the window smoke test under Xvfb
# (xvfb, xauth, x11-utils to read the window title, imagemagick for
# screenshots, ffmpeg to make its test videos),
# the browser tests (chromium, and a CJK font so Chinese prompts render in
# screenshots) and the PostgreSQL suite (postgresql).
APT_PACKAGES := build-essential pkg-config libgtk-3-dev libwebkit2gtk-4.0-dev gstreamer1.0-libav \
	gstreamer1.0-plugins-base gstreamer1.0-plugins-good \
	xvfb xauth x11-utils imagemagick ffmpeg chromium fonts-wqy-microhei postgresql \
	$(EXAMPLE_APT_PACKAGES)

# Debian packages test-go needs: python3 (standard library only), curl and
# jq for the examples in examples/, run against the real binary, and ffmpeg
# for the test videos the probe and poster tests make. None of them the
# window, the browser or PostgreSQL.
EXAMPLE_APT_PACKAGES := python3 curl jq ffmpeg

# Debian packages only `make dist` needs: makensis for the Windows installer
# and 7z to list it. `make test` does not install them.
DIST_APT_PACKAGES := nsis p7zip-full

# Go files to format-check: everything but installed node modules.
GO_FILES = $(shell find . -name '*.go' -not -path './.git/*' -not -path '*/node_modules/*')

# has_npm_script NAME succeeds when frontend/package.json defines that script.
has_npm_script = [ -f frontend/package.json ] && node -e 'const s = require("./frontend/package.json").scripts || {}; process.exit(s[process.argv[1]] ? 0 : 1)' $(1)

.PHONY: all bench-growth deps deps-apt deps-dist deps-examples deps-go deps-lint deps-node deps-wails frontend build run icon docs \
	dist dist-linux dist-windows dist-test dist-macos \
	test test-lint test-go test-reliability test-frontend test-e2e test-desktop test-postgres \
	bench bench-desktop soak cover fmt vet clean

all: build

## ---- set-up ----------------------------------------------------------------

# What building and every suite but the lint need: the Debian packages,
# Go modules, the Wails CLI and the frontend's npm packages (make run needs
# no linter; test-lint installs staticcheck with deps-lint). test-lint and
# test-go need only a part (no WebKit, Chromium or PostgreSQL), so they name
# their own.
deps: deps-apt deps-go deps-node deps-wails

# Installs the Debian packages that are missing; a machine that has them all
# skips apt entirely. Waits for a dpkg lock held by another apt run.
deps-apt:
	@$(call apt_install,$(APT_PACKAGES))

deps-dist:
	@$(call apt_install,$(DIST_APT_PACKAGES))

deps-examples:
	@$(call apt_install,$(EXAMPLE_APT_PACKAGES))

# apt_install PACKAGES installs those of PACKAGES that are missing.
apt_install = missing=""; \
	for p in $(1); do \
		dpkg-query -W -f='$${db:Status-Abbrev}' "$$p" 2>/dev/null | grep -q '^ii' || missing="$$missing $$p"; \
	done; \
	if [ -z "$$missing" ]; then echo "deps: Debian packages present"; exit 0; fi; \
	echo "deps: installing$$missing"; \
	sudo=""; [ "$$(id -u)" -eq 0 ] || sudo=sudo; \
	for i in 1 2 3 4 5 6; do \
		$$sudo apt-get -o DPkg::Lock::Timeout=600 update -q && break; \
		echo "deps: apt-get update failed, retrying in 10 s"; sleep 10; \
	done; \
	$$sudo apt-get -o DPkg::Lock::Timeout=600 install -y -q --no-install-recommends $$missing

deps-go:
	@command -v go >/dev/null || { echo "deps: go is not installed (expected in /usr/local/go)"; exit 1; }
	go mod download

# The Wails CLI at the version of the library in go.mod. `go install` builds
# it in about a minute under Go 1.26; skipped when that version is present.
WAILS_VERSION := v2.16.0
deps-wails: deps-go
	@if command -v wails >/dev/null && [[ "$$(wails version 2>/dev/null)" == *"$(WAILS_VERSION)"* ]]; then \
		echo "deps: wails $(WAILS_VERSION) present"; \
	else \
		echo "deps: installing the wails CLI $(WAILS_VERSION)"; \
		go install github.com/wailsapp/wails/v2/cmd/wails@$(WAILS_VERSION); \
	fi

# staticcheck at a pinned version, with go install; skipped when present.
STATICCHECK_VERSION := v0.8.2
deps-lint: deps-go
	@if command -v staticcheck >/dev/null && [[ "$$(staticcheck -version 2>/dev/null)" == *"($(STATICCHECK_VERSION:v%=%))"* ]]; then \
		echo "deps: staticcheck $(STATICCHECK_VERSION) present"; \
	else \
		echo "deps: installing staticcheck $(STATICCHECK_VERSION)"; \
		go install honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION); \
	fi

# npm ci only when node_modules is older than the manifest or the lock file.
deps-node:
	@if [ ! -f frontend/package.json ]; then echo "deps: no frontend/package.json, skipping npm ci"; exit 0; fi; \
	command -v npm >/dev/null || { echo "deps: npm is not installed (Node 20 is part of the machine image)"; exit 1; }; \
	stamp=frontend/node_modules/.package-lock.json; \
	if [ -f "$$stamp" ] && [ "$$stamp" -nt frontend/package.json ] && { [ ! -f frontend/package-lock.json ] || [ "$$stamp" -nt frontend/package-lock.json ]; }; then \
		echo "deps: frontend/node_modules up to date"; \
	elif [ -f frontend/package-lock.json ]; then \
		cd frontend && npm ci --no-audit --no-fund; \
	else \
		cd frontend && npm install --no-audit --no-fund; \
	fi

## ---- build -----------------------------------------------------------------

# Builds frontend/dist when its sources changed since the last build: a hash
# of their contents (not their times, which `git clone` and the generated
# Wails bindings reset) is kept in frontend/node_modules/.dist-sources, out
# of the embedded dist. Without a frontend the placeholder in frontend/dist
# keeps //go:embed working.
FRONTEND_HASH = find frontend -path frontend/node_modules -prune -o -path frontend/dist -prune \
	-o -path frontend/e2e -prune -o -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum | sha256sum | cut -d' ' -f1
frontend: deps-node
	@if [ ! -f frontend/package.json ]; then \
		echo "frontend: no package.json, keeping the placeholder in frontend/dist"; \
	else \
		hash="$$($(FRONTEND_HASH))"; \
		if [ -f frontend/dist/index.html ] && [ "$$(cat frontend/node_modules/.dist-sources 2>/dev/null)" = "$$hash" ]; then \
			echo "frontend: frontend/dist up to date"; \
		else \
			(cd frontend && npm run build) && echo "$$hash" > frontend/node_modules/.dist-sources; \
		fi; \
	fi
	@mkdir -p frontend/dist && touch frontend/dist/.gitkeep

# `wails build` writes frontend/wailsjs from the bound Go methods, then
# compiles with the tags desktop,production,webkit2_40 (webkit2_40: Debian
# 12's WebKitGTK; without a webkit tag <video> cannot seek in the window).
# -s: the frontend target has built frontend/dist; -m -nosyncgomod: never
# rewrite go.mod.
build: deps frontend
	wails build -s -m -nosyncgomod -skipembedcreate -trimpath -nocolour \
		-tags webkit2_40 -ldflags "$(LDFLAGS)" -o reelvault

# Starts the app on the default data dir ($REELVAULT_DATA_DIR, else
# $XDG_DATA_HOME/reelvault). Pass arguments with ARGS="task list".
run: build
	./$(BIN) $(ARGS)

# Regenerates the application icon (build/appicon.png).
icon:
	go run build/appicon.go build/appicon.png

## ---- distribution ----------------------------------------------------------

# `make dist` builds what a creator downloads into dist/: the Linux .deb and
# .tar.gz (build/linux/package.sh), the Windows reelvault.exe cross-built by
# wails with its version resource, its NSIS installer
# (build/windows/installer/project.nsi), and SHA256SUMS. `make dist-test`
# checks them (build/dist_test.go).
DIST := dist
dist: dist-linux dist-windows
	cd $(DIST) && rm -f SHA256SUMS && sha256sum -- *.deb *.tar.gz *.exe > SHA256SUMS
	@echo "dist: $$(ls $(DIST) | tr '\n' ' ')"

dist-linux: build
	@mkdir -p $(DIST)
	rm -f $(DIST)/*.deb $(DIST)/*.tar.gz
	build/linux/package.sh "$(VERSION)" $(BIN) $(DIST)

# The version resource: wails fills build/windows/info.json's templates from
# wails.json; this one also carries the build's full version, which the
# numeric file version (BASE_VERSION) cannot. Windows' webview needs no cgo.
dist-windows: deps deps-dist frontend
	@mkdir -p $(DIST) build/windows
	@printf '%s\n' '{' \
		'  "fixed": {"file_version": "$(BASE_VERSION)"},' \
		'  "info": {"0000": {' \
		'    "ProductVersion": "$(VERSION)", "FileVersion": "$(VERSION)", "CompanyName": "Reelvault",' \
		'    "FileDescription": "Reelvault", "ProductName": "Reelvault", "OriginalFilename": "reelvault.exe",' \
		'    "LegalCopyright": "", "Comments": "{{.Info.Comments}}"' \
		'  }}' '}' > build/windows/info.json
	rm -f $(DIST)/*.exe build/bin/reelvault*.exe
	CGO_ENABLED=0 wails build -s -m -nosyncgomod -skipembedcreate -trimpath -nocolour \
		-platform windows/amd64 -nsis -ldflags "$(LDFLAGS)" -o reelvault.exe
	cp build/bin/reelvault.exe $(DIST)/reelvault.exe
	cp build/bin/reelvault-amd64-installer.exe $(DIST)/reelvault_$(VERSION)_windows_amd64_setup.exe

# The package checks: the .deb's metadata and contents, its Depends resolved
# by apt on this Debian 12 machine, the unpacked binary's window under Xvfb
# (.artifacts/screenshots/deb-window.png), the .exe's PE header, subsystem
# and version resource, and the installer's contents.
dist-test: dist
	@mkdir -p $(ARTIFACTS)
	go vet -tags disttest ./build
	DIST_DIR="$(abspath $(DIST))" DIST_VERSION="$(VERSION)" ARTIFACTS_DIR="$(abspath $(ARTIFACTS))" \
		go test -tags disttest -count=1 -v -timeout 10m ./build 2>&1 | tee $(ARTIFACTS)/dist-test.log

# A macOS build needs Xcode's toolchain (the window links WebKit through
# cgo), so it runs on a Mac only.
dist-macos:
	@if [ "$$(uname -s)" != Darwin ]; then \
		echo "dist-macos: building the macOS app needs a Mac (Xcode command line tools, Go, Node, wails $(WAILS_VERSION)); run make dist-macos there." >&2; \
		exit 1; \
	fi
	@mkdir -p $(DIST)
	cd frontend && npm ci --no-audit --no-fund && npm run build
	wails build -s -m -nosyncgomod -skipembedcreate -trimpath -nocolour -platform darwin/universal -ldflags "$(LDFLAGS)"
	cd build/bin && ditto -c -k --keepParent reelvault.app "$(abspath $(DIST))/reelvault_$(VERSION)_macos.zip"

## ---- tests -----------------------------------------------------------------

# Each suite is its own target; one whose parts do not exist yet says so and
# passes. Logs and screenshots go to .artifacts/.
# dist-test (make dist and the package checks, about 3.5 min on 2 cores)
# fits in the budget, so CI proves the installers on every submission.
test: test-lint test-go test-reliability test-frontend test-e2e test-desktop test-postgres dist-test
	@echo "make test: all suites passed"

# gofmt, go vet, staticcheck (app/desktop/staticcheck.conf explains its
# one exception) and ESLint's rules of hooks over the frontend. Needs Go and
# Node only.
test-lint: deps-go deps-lint deps-node
	@echo "== gofmt"; \
	out="$$(gofmt -l $(GO_FILES))"; \
	if [ -n "$$out" ]; then echo "gofmt: these files need formatting (run make fmt):"; echo "$$out"; exit 1; fi
	@echo "== go vet"
	go vet ./...
	@echo "== staticcheck"
	staticcheck ./...
	@if $(call has_npm_script,lint); then echo "== eslint"; cd frontend && npm run --silent lint; \
	else echo "test-lint: no frontend lint script yet, skipping"; fi

# Every package's tests but the whole-binary ones of app/crashtest, on
# SQLite: needs Go and the examples' python3, curl and jq, no WebKit,
# Chromium or PostgreSQL (the PostgreSQL tests skip without it; test-postgres
# runs them).
test-go: deps-go deps-examples
	@mkdir -p $(ARTIFACTS)
	go test -count=1 -timeout 10m $(GOTESTFLAGS) $$(go list ./... | grep -v '/app/crashtest$$') 2>&1 | tee $(ARTIFACTS)/go-test.log

# The whole-binary reliability tests (app/crashtest, see RELIABILITY.md):
# kill -9 during writes, backups and restores; full, read-only and missing
# disks (tmpfs mounts need root, skipped otherwise); injection, traversal,
# brute force and secrets in logs; a short soak. The fuzz targets' seed
# corpora run with their packages in test-go.
test-reliability: deps
	@mkdir -p $(ARTIFACTS)
	go test -count=1 -v -timeout 10m ./app/crashtest 2>&1 | tee $(ARTIFACTS)/reliability-test.log

test-frontend: deps-node
	@if $(call has_npm_script,test); then cd frontend && npm run typecheck && npm test; \
	else echo "test-frontend: no frontend test script yet, skipping"; fi

# Browser tests drive Debian's chromium against the real binary.
test-e2e: build
	@mkdir -p $(ARTIFACTS)
	@if $(call has_npm_script,e2e); then \
		cd frontend && REELVAULT_BIN="$(abspath $(BIN))" ARTIFACTS_DIR="$(abspath $(ARTIFACTS))" npm run e2e; \
	else echo "test-e2e: no e2e script yet, skipping"; fi

# The window smoke test: the built binary in a real window on Xvfb over a
# seeded data dir, with a screenshot in .artifacts/screenshots/window.png.
# The window's code builds only with the desktop tag, so it is vetted here,
# and Run's display fallbacks are tested with that tag.
test-desktop: build
	@mkdir -p $(ARTIFACTS)
	go vet -tags desktop,production,webkit2_40,desktopsmoke ./app/desktop
	REELVAULT_BIN="$(abspath $(BIN))" ARTIFACTS_DIR="$(abspath $(ARTIFACTS))" \
		go test -tags desktop,webkit2_40,desktopsmoke -run '^(TestWindowSmoke|TestWindowSmokeLocale|TestWindowOpenError|TestWindowUpgrade|TestWindowLibrary|TestRun)$$' -count=1 -v -timeout 5m ./app/desktop 2>&1 \
		| tee $(ARTIFACTS)/desktop-test.log

# The whole store suite again on PostgreSQL, plus the PostgreSQL tests of the
# CLI (migrate --to postgres://, serve --db postgres://) and of backups. The tests start
# their own throwaway cluster (initdb into a temp dir, 127.0.0.1 and a free
# port, removed afterwards); REELVAULT_REQUIRE_POSTGRES turns a missing
# PostgreSQL installation into a failure instead of a skip.
test-postgres: deps
	@mkdir -p $(ARTIFACTS)
	REELVAULT_TEST_DB=postgres REELVAULT_REQUIRE_POSTGRES=1 \
		go test -count=1 -timeout 10m ./store/... 2>&1 | tee $(ARTIFACTS)/postgres-test.log
	REELVAULT_REQUIRE_POSTGRES=1 \
		go test -count=1 -timeout 10m -run 'Postgres' ./app/... ./backup/ 2>&1 | tee -a $(ARTIFACTS)/postgres-test.log

## ---- measurements ----------------------------------------------------------

# Benchmarks are not part of `make test`. Narrow them with BENCH=regexp,
# BENCH_PKGS=./store/... and BENCHTIME=5s. The store's benchmarks run on
# PostgreSQL as its tests do, on a throwaway durable cluster:
#   REELVAULT_TEST_DB=postgres make bench BENCH_PKGS=./store/ BENCHTIME=300x
# (they skip without PostgreSQL unless REELVAULT_REQUIRE_POSTGRES=1).
BENCH      ?= .
BENCH_PKGS ?= ./...
BENCHTIME  ?= 1s
bench: deps
	@mkdir -p $(ARTIFACTS)
	go test -run '^$$' -bench '$(BENCH)' -benchtime $(BENCHTIME) -timeout 60m $(BENCH_PKGS) 2>&1 | tee $(ARTIFACTS)/bench.txt

# The same phases at growing history sizes: for each of GROWTH_SIZES the
# store's reads and writes and the import, export and verified backup, one
# output per size in $(ARTIFACTS)/growth/, then one Markdown table of all
# sizes (internal/benchgrowth). Each size's histories are seeded once into
# the temp folder and reused; the raw import baseline is left out at 1M
# tasks and above (it alone takes minutes).
GROWTH_SIZES ?= 250000 500000 1000000
GROWTH_STORE  = ^Benchmark(TaskService_(FindTaskByID|FindTasks_History|CountByStatus|FindTasks_SearchEnglish|FindTasks_SearchChinese|FindTasks_SearchZipf|CreateTask|CreateConcurrent8|LifecycleStep)|StatsService_Status)$$
# (two patterns: a benchmark without sub-benchmarks is not reported when the
# pattern has a second level)
GROWTH_BACKUP = ^Benchmark(Import|Export)$$
GROWTH_COPY   = ^BenchmarkBackup$$/^backup-api$$
bench-growth: deps
	@mkdir -p $(ARTIFACTS)/growth
	@set -e; for n in $(GROWTH_SIZES); do \
		echo "== $$n tasks"; \
		REELVAULT_BENCH_TASKS=$$n go test -run '^$$' -bench '$(GROWTH_STORE)' -benchtime 2000x -timeout 90m ./store/ > $(ARTIFACTS)/growth/$$n.txt; \
		if [ $$n -ge 1000000 ]; then noraw=1; else noraw=; fi; \
		REELVAULT_BENCH_NO_RAW=$$noraw REELVAULT_BENCH_TASKS=$$n go test -run '^$$' -bench '$(GROWTH_BACKUP)' -benchtime 1x -timeout 90m ./backup/ >> $(ARTIFACTS)/growth/$$n.txt; \
		REELVAULT_BENCH_TASKS=$$n go test -run '^$$' -bench '$(GROWTH_COPY)' -benchtime 1x -timeout 90m ./backup/ >> $(ARTIFACTS)/growth/$$n.txt; \
	done
	go run ./internal/benchgrowth $(foreach n,$(GROWTH_SIZES),$(ARTIFACTS)/growth/$(n).txt) | tee $(ARTIFACTS)/growth/table.md

# The window's first history page after launch, over 10,000 tasks, on Xvfb:
# one launch per iteration (DESKTOP_RUNS), p50/p99 in ms and the binary size.
# BENCH_DESKTOP=BenchmarkWindowLiveUpdate: a task created by the command line
# to its row in the open window.
DESKTOP_RUNS  ?= 10x
BENCH_DESKTOP ?= BenchmarkWindowFirstPage
bench-desktop: build
	@mkdir -p $(ARTIFACTS)
	REELVAULT_BIN="$(abspath $(BIN))" go test -tags desktopsmoke -run '^$$' -bench '^$(BENCH_DESKTOP)$$' \
		-benchtime $(DESKTOP_RUNS) -timeout 30m ./app/desktop 2>&1 | tee $(ARTIFACTS)/bench-desktop.txt

# The long variants of the reliability tests: SOAK of load, CRASH_ROUNDS
# kill -9 rounds, then a FUZZTIME go test -fuzz pass per fuzz target.
SOAK         ?= 5m
CRASH_ROUNDS ?= 200
FUZZTIME     ?= 30s
soak: deps
	@mkdir -p $(ARTIFACTS)
	REELVAULT_SOAK=$(SOAK) REELVAULT_CRASH_ROUNDS=$(CRASH_ROUNDS) REELVAULT_BACKUP_CRASH_ROUNDS=40 \
		go test -count=1 -v -timeout 3h -run '^(TestSoak|TestCrash_.*)$$' ./app/crashtest 2>&1 | tee $(ARTIFACTS)/soak.log
	@: > $(ARTIFACTS)/fuzz.log; \
	for pkg in $$(go list ./...); do \
		for fz in $$(go test -list '^Fuzz' $$pkg 2>/dev/null | grep '^Fuzz' || true); do \
			echo "== fuzz $$fz ($$pkg, $(FUZZTIME))" | tee -a $(ARTIFACTS)/fuzz.log; \
			go test -run '^$$' -fuzz "^$$fz$$" -fuzztime $(FUZZTIME) -fuzzminimizetime 10s $$pkg 2>&1 \
				| tee -a $(ARTIFACTS)/fuzz.log | tail -n 2; \
		done; \
	done

# Go statement coverage over both engines: every package's tests on SQLite,
# the store suite on PostgreSQL, and the whole-binary tests of app/crashtest
# run against a binary built with -cover, merged block by block (a statement
# counts as covered when any run covered it). The figure is the last line.
cover: deps
	@mkdir -p $(ARTIFACTS)
	go test -count=1 -timeout 15m -covermode=set -coverpkg=./... -coverprofile=$(ARTIFACTS)/cover-sqlite.out \
		$$(go list ./... | grep -v '/app/crashtest$$') >/dev/null
	REELVAULT_TEST_DB=postgres REELVAULT_REQUIRE_POSTGRES=1 go test -count=1 -timeout 15m -covermode=set \
		-coverpkg=./... -coverprofile=$(ARTIFACTS)/cover-postgres.out ./store/... >/dev/null
	@tmp="$$(mktemp -d)"; chmod 755 "$$tmp"; mkdir -m 1777 "$$tmp/covdata"; \
	go build -cover -covermode=set -coverpkg=./... -o "$$tmp/reelvault" . && \
	GOCOVERDIR="$$tmp/covdata" REELVAULT_TEST_BIN="$$tmp/reelvault" go test -count=1 -timeout 15m ./app/crashtest >/dev/null && \
	go tool covdata textfmt -i="$$tmp/covdata" -o $(ARTIFACTS)/cover-binary.out; rc=$$?; rm -rf "$$tmp"; exit $$rc
	@awk 'FNR == 1 { next } { split($$0, f, " "); k = f[1] " " f[2]; if (!(k in c) || f[3] > c[k]) c[k] = f[3] } \
		END { print "mode: set"; for (k in c) print k, c[k] }' \
		$(ARTIFACTS)/cover-sqlite.out $(ARTIFACTS)/cover-postgres.out $(ARTIFACTS)/cover-binary.out > $(ARTIFACTS)/cover.out
	go tool cover -func=$(ARTIFACTS)/cover.out | tail -n 1

## ---- housekeeping ----------------------------------------------------------

# Regenerates the generated blocks of docs/cli.md (from the command table)
# and docs/api.md (from app/server/openapi.json); TestDocs, part of test-go,
# fails when they are out of date.
docs: deps-go
	go test -count=1 -run '^TestDocs' ./app/cli ./app/server -update

fmt:
	gofmt -w $(GO_FILES)

vet: deps-go
	go vet ./...

clean:
	rm -rf build/bin $(ARTIFACTS) $(DIST)
	find frontend/dist -mindepth 1 -not -name .gitkeep -delete 2>/dev/null || true
