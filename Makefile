# skyvern-mcp. `make test` is the test command CI runs (see README.md).
GO        ?= go
BIN       := bin/skyvern-mcp
VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
COMMIT    ?= $(shell git rev-parse HEAD 2>/dev/null || echo unknown)
DATE      ?= $(shell git log -1 --format=%cI 2>/dev/null || echo unknown)
LDFLAGS   := -s -w -X github.com/skyvern-mcp/skyvern-mcp/client.Version=$(VERSION) -X main.commit=$(COMMIT) -X main.date=$(DATE)
E2E_DIR   := e2e

.PHONY: spec all build contract-validator generate vuln test test-go test-clients lint-tool lint-tool-nice test-e2e test-conformance e2e-deps demo lint cover snapshots docs bench bench-readme bench-http bench-size bench-browser bench-replicas fuzz clean

all: build

build: ## Build bin/skyvern-mcp (static, no cgo), and bin/skyvern-sandbox (the simulator on its own, for the multi-replica tests).
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/skyvern-mcp
	CGO_ENABLED=0 $(GO) build -trimpath -o bin/skyvern-sandbox ./cmd/skyvern-sandbox

# The contract tests' OpenAPI validator (pb33f/libopenapi-validator) runs as a program of its own, a module of its own
# (internal/contracttest/validator), so it is compiled once, without -race, and never by go test/vet ./... or lint's
# -race build: its packages have 40-70 MB of export data each. Without inlining in pb33f's packages (-l) compiling it
# takes 208 s of CPU instead of 390 s (2 cores, measured), and validating is as fast (the client and contracttest
# tests: 12 s either way). internal/contracttest starts it; without SKYVERN_MCP_CONTRACT_VALIDATOR it builds this
# same file itself, with these flags.
VALIDATOR       := bin/contract-validator
VALIDATOR_FLAGS := -trimpath -gcflags=github.com/pb33f/...=-l
contract-validator: ## Build bin/contract-validator, the OpenAPI validator process the contract tests talk to.
	cd internal/contracttest/validator && CGO_ENABLED=0 $(GO) build $(VALIDATOR_FLAGS) -o $(abspath $(VALIDATOR)).new .
	@# Replaced only when it changed: Go's test cache counts the program a test runs among its inputs, by file time.
	@if cmp -s $(VALIDATOR).new $(VALIDATOR); then rm $(VALIDATOR).new; else mv $(VALIDATOR).new $(VALIDATOR); fi

# Everything CI runs, arranged for a 2-core machine with an empty build cache (README, Development, gives the times):
# 1. bin/skyvern-mcp, bin/contract-validator and the npm packages side by side (the go install test reuses make build's
#    compiled packages);
# 2. three jobs side by side (--output-sync: each job's output in one piece when it ends): golangci-lint's own build
#    (make build's flags, so the standard library compiled in step 1 serves it; at nice 19, so the -race build on the
#    critical path goes first), the Go tests under -race (one go test invocation, see test-go), and the
#    end-to-end and conformance suites, which mostly wait on processes and fill the CPU time the other two leave;
# 3. lint, which type-checks from the -race packages step 2 compiled (make lint), so it only analyses (~20 s).
test: ## Everything CI runs: lint, Go tests under -race, end-to-end tests with real MCP clients, the MCP conformance suite.
	$(MAKE) --no-print-directory -j3 build contract-validator e2e-deps mcpb-deps
	$(MAKE) --no-print-directory -j3 --output-sync=target lint-tool-nice test-go test-clients
	$(MAKE) --no-print-directory lint

test-clients: test-e2e ## The end-to-end suite, then the conformance suite (both drive bin/skyvern-mcp).
	$(E2E_DIR)/conformance.sh

# -vet=off: `make lint` runs go vet's analyzers (golangci-lint's govet), so go test does not run them again.
# Go's test cache re-runs a package when its code, the environment variables or the files its tests read change,
# so a second `make test` with nothing changed takes its results from the cache. The packages whose tests run programs
# the cache cannot see (bin/skyvern-mcp, go install, the npm CLIs: internal/e2etest, distcheck, mcpb, httpprogress)
# read SKYVERN_MCP_TEST_RUN, set here to a new value each time (internal/testrun), so they always run, in the same
# go test invocation as the rest. internal/e2etest drives bin/skyvern-mcp instead of building its own copy.
test-go: build contract-validator mcpb-deps
	@[ -n "$$SKYVERN_OPENAPI" ] || [ -f "$(SKYVERN_OPENAPI_DIR)/server-openapi.json" ] || \
	  echo "*** CONTRACT TESTS WILL SKIP: no $(SKYVERN_OPENAPI_DIR)/server-openapi.json; run 'make spec' (under CI=true they fail) ***" >&2
	SKYVERN_MCP_TEST_RUN=$$(date +%s%N) E2E_SKYVERN_MCP_BIN=$(abspath $(BIN)) SKYVERN_MCP_CONTRACT_VALIDATOR=$(abspath $(VALIDATOR)) \
	  $(GO) test -race -vet=off ./...

# Skyvern's OpenAPI documents, read by the contract tests and never copied into the repository (AGPL-3.0):
# the server's (docs/api-reference/openapi.json, the contract) and the SDK's (fern/openapi/skyvern_openapi.json),
# pinned to one commit; see internal/contracttest.
SKYVERN_OPENAPI_DIR ?= ../shared/skyvern
SKYVERN_COMMIT      := 07222e7a7caae79aacd5908c30e4a4445fce5f9b
SKYVERN_RAW         := https://raw.githubusercontent.com/Skyvern-AI/skyvern/$(SKYVERN_COMMIT)
SERVER_SPEC_SHA256  := 0e47a2ae6398718439f2b19b440fbaa79b251f5d6dac4c5b3f1f0ed22551d395
SDK_SPEC_SHA256     := 5299cc7d0a712703a93ce636b2e1b2421f1876ba75d0d3d13e436fc21b68abd1

spec: ## Download Skyvern's OpenAPI documents at the pinned commit into SKYVERN_OPENAPI_DIR (default ../shared/skyvern) and check their SHA-256.
	@mkdir -p "$(SKYVERN_OPENAPI_DIR)"
	@set -e; fetch() { \
	  if [ -f "$(SKYVERN_OPENAPI_DIR)/$$1" ] && echo "$$3  $(SKYVERN_OPENAPI_DIR)/$$1" | sha256sum -c --status; then echo "$$1: present, SHA-256 ok"; return; fi; \
	  curl -fsSL --retry 3 -o "$(SKYVERN_OPENAPI_DIR)/$$1.part" "$(SKYVERN_RAW)/$$2"; \
	  if ! echo "$$3  $(SKYVERN_OPENAPI_DIR)/$$1.part" | sha256sum -c --status; then \
	    rm -f "$(SKYVERN_OPENAPI_DIR)/$$1.part"; echo "$$1: SHA-256 mismatch for $(SKYVERN_RAW)/$$2" >&2; exit 1; fi; \
	  mv "$(SKYVERN_OPENAPI_DIR)/$$1.part" "$(SKYVERN_OPENAPI_DIR)/$$1"; echo "$$1: downloaded, SHA-256 ok"; }; \
	fetch server-openapi.json docs/api-reference/openapi.json $(SERVER_SPEC_SHA256); \
	fetch openapi.json fern/openapi/skyvern_openapi.json $(SDK_SPEC_SHA256)

e2e-deps: $(E2E_DIR)/node_modules/.installed ## Install the npm packages of the end-to-end clients (official MCP TypeScript SDK, inspector).

# npm ci runs again only when the lock file changes.
$(E2E_DIR)/node_modules/.installed: $(E2E_DIR)/package-lock.json $(E2E_DIR)/package.json
	cd $(E2E_DIR) && npm ci --no-audit --no-fund --loglevel=error
	touch $@

test-e2e: build e2e-deps ## End-to-end: drive bin/skyvern-mcp --sandbox with the official TypeScript SDK client.
	cd $(E2E_DIR) && node --test --test-concurrency=3 --test-reporter=spec

test-conformance: build e2e-deps ## The official MCP conformance suite against bin/skyvern-mcp --sandbox --transport http (skips: e2e/conformance-skip.txt).
	$(E2E_DIR)/conformance.sh

demo: build e2e-deps ## Run a browser task on the sandbox through the MCP inspector CLI and print the finished run.
	@$(E2E_DIR)/demo.sh

GOLANGCI_VERSION := v2.15.0
GOLANGCI  ?= bin/golangci-lint
GOVULN    ?= $(GO) run golang.org/x/vuln/cmd/govulncheck@v1.9.0

# make test builds it at the lowest priority, beside the -race build: CPU time the tests' build leaves.
lint-tool-nice:
	nice -n 19 $(MAKE) --no-print-directory lint-tool

lint-tool: ## Build golangci-lint $(GOLANGCI_VERSION) into bin/ (from the Go module proxy; a no-op when built), with make build's flags so they share compiled packages.
	CGO_ENABLED=0 GOFLAGS="$$GOFLAGS -trimpath" GOBIN=$(abspath bin) $(GO) install github.com/golangci/golangci-lint/v2/cmd/golangci-lint@$(GOLANGCI_VERSION)

# GOFLAGS=-race: golangci-lint type-checks from `go list -export`, which compiles every package (the tests' too) with
# these flags; -race makes them the packages go test -race compiles, so after the tests (or before them) one build
# serves both. With plain flags lint compiled everything a second time: 4.5 min of a cold make test on 2 cores.
# The contract-validator's module is linted with make contract-validator's flags, for the same reason.
lint: lint-tool contract-validator ## golangci-lint (.golangci.yml: gofmt, go vet, staticcheck, errcheck, unused, ineffassign, misspell).
	GOFLAGS="$$GOFLAGS -race" $(GOLANGCI) run --allow-parallel-runners --timeout 10m ./...
	cd internal/contracttest/validator && CGO_ENABLED=0 GOFLAGS="$$GOFLAGS $(VALIDATOR_FLAGS)" $(if $(findstring /,$(GOLANGCI)),$(abspath $(GOLANGCI)),$(GOLANGCI)) run --allow-parallel-runners --timeout 10m ./...

vuln: ## govulncheck against vuln.go.dev; skips, saying so, when that host cannot be reached.
	@if getent hosts vuln.go.dev >/dev/null 2>&1; then $(GOVULN) ./...; else echo "SKIPPED: govulncheck needs https://vuln.go.dev, which this machine cannot reach"; fi

cover: ## Coverage report (coverage.out).
	$(GO) test -count=1 -coverprofile=coverage.out ./...
	$(GO) tool cover -func=coverage.out | tail -1

generate: ## Regenerate everything derived from code: the tool snapshots (with their schemas), the README's toolset and tool tables, mcpb/manifest.json, THIRD_PARTY_NOTICES.md.
	$(MAKE) snapshots docs manifest notices

snapshots: ## Regenerate tools/toolsnaps: each tool's JSON with the schemas generated from its Go types (go generate ./tools).
	$(GO) generate ./tools

docs: ## Regenerate the tool table in README.md.
	UPDATE_README=true $(GO) test ./tools/ -run TestReadmeToolTable -count=1

bench: build ## Benchmarks (loopback only, ~1 min): cold start, tools/list size, per-call overhead, peak RSS, allocations; prints a markdown table.
	$(GO) run ./bench/skybench -bin $(BIN)

bench-readme: build ## make bench, and write its table into README.md's Performance section.
	$(GO) run ./bench/skybench -bin $(BIN) -readme README.md

bench-browser: build e2e-deps ## Browser actions (navigate, snapshot, type, screenshot, click) through skyvern-mcp vs Playwright MCP on the same page and Chromium (~1 min): medians, ratio, RSS of one session. Not part of make test.
	cd $(E2E_DIR) && node bench-browser.mjs

bench-size: build ## Result and resource sizes (~30 s): the JSON-RPC bytes of get_run on an 11 MB output, peak RSS reading 7 MiB and 20 MiB recordings. Not part of make test.
	$(GO) run ./bench/resultsize -bin $(BIN)

bench-http: build ## HTTP load benchmark on loopback (~30 s): N concurrent streamable-HTTP sessions calling get_run (calls/s, p50, p99), then RSS with 1,000 idle sessions. Not part of make test.
	$(GO) run ./bench/httpload -bin $(BIN)

bench-replicas: build ## Replicas sharing Redis behind a round-robin proxy (~1 min, needs redis-server): calls/s and p99 for 1 vs 3 replicas, memory and Redis keys per 1,000 idle sessions, task takeover time after a replica is killed. Not part of make test.
	$(GO) run ./bench/replicas -bin $(BIN)

FUZZTIME ?= 20s

fuzz: ## Run each fuzz target for FUZZTIME (default 20s), one after the other; crashers land in the package's testdata/fuzz.
	$(GO) test -run '^$$' -fuzz '^FuzzToolArguments$$' -fuzztime $(FUZZTIME) ./tools
	$(GO) test -run '^$$' -fuzz '^FuzzParseURI$$' -fuzztime $(FUZZTIME) ./resources
	$(GO) test -run '^$$' -fuzz '^FuzzResponseDecoding$$' -fuzztime $(FUZZTIME) ./client
	$(GO) test -run '^$$' -fuzz '^FuzzLoad$$' -fuzztime $(FUZZTIME) ./internal/config

clean:
	rm -rf bin coverage.out $(E2E_DIR)/node_modules

# ---- Release builds (see .goreleaser.yaml; internal/distcheck keeps them in step) ----

DIST_TARGETS := linux/amd64 linux/arm64 darwin/amd64 darwin/arm64 windows/amd64 windows/arm64

.PHONY: dist
dist: ## Cross-compile the six release targets into dist/<os>_<arch>/ with dist/checksums.txt (SHA-256); needs only Go.
	rm -rf dist
	@set -e; for t in $(DIST_TARGETS); do \
	  os=$${t%/*}; arch=$${t#*/}; ext=; [ $$os = windows ] && ext=.exe; \
	  echo "dist/$${os}_$${arch}/skyvern-mcp$$ext"; \
	  CGO_ENABLED=0 GOOS=$$os GOARCH=$$arch $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o dist/$${os}_$${arch}/skyvern-mcp$$ext ./cmd/skyvern-mcp; \
	done
	cd dist && (sha256sum */skyvern-mcp* 2>/dev/null || shasum -a 256 */skyvern-mcp*) > checksums.txt
	@cat dist/checksums.txt

# ---- MCP Bundle (Claude Desktop extension; see internal/mcpb) ----

MCPB_DIR := mcpb

.PHONY: mcpb mcpb-deps manifest
mcpb-deps: $(MCPB_DIR)/node_modules/.installed ## Install @anthropic-ai/mcpb (npm, mcpb/).

$(MCPB_DIR)/node_modules/.installed: $(MCPB_DIR)/package-lock.json $(MCPB_DIR)/package.json
	cd $(MCPB_DIR) && npm ci --no-audit --no-fund --loglevel=error
	touch $@

manifest: ## Regenerate mcpb/manifest.json from the code (tool list, user_config).
	UPDATE_MANIFEST=true $(GO) test ./internal/mcpb -run TestManifestUpToDate -count=1

mcpb: dist mcpb-deps ## Build one MCP Bundle per release target into bin/mcpb/ (skyvern-mcp-<version>-<os>-<arch>.mcpb).
	rm -rf bin/mcpb
	@set -e; for t in $(DIST_TARGETS); do \
	  os=$${t%/*}; arch=$${t#*/}; ext=; [ $$os = windows ] && ext=.exe; \
	  stage=bin/mcpb/stage/$${os}_$${arch}; mkdir -p $$stage/server; \
	  cp dist/$${os}_$${arch}/skyvern-mcp$$ext $$stage/server/; cp LICENSE THIRD_PARTY_NOTICES.md $$stage/; \
	  $(GO) run ./internal/mcpb/gen -version '$(VERSION)' -goos $$os -o $$stage/manifest.json; \
	  $(MCPB_DIR)/node_modules/.bin/mcpb pack $$stage bin/mcpb/skyvern-mcp-$(VERSION)-$${os}-$${arch}.mcpb >/dev/null; \
	  echo bin/mcpb/skyvern-mcp-$(VERSION)-$${os}-$${arch}.mcpb; \
	done
	rm -rf bin/mcpb/stage

.PHONY: notices
notices: ## Regenerate THIRD_PARTY_NOTICES.md (the license of every module in the binary) from the module cache.
	UPDATE_NOTICES=true $(GO) test ./internal/notices -run TestNoticesUpToDate -count=1

.PHONY: check
check: ## The edit loop (under a minute when warm): gofmt and go vet on the changed packages, go test -short without -race (unchanged packages' results come from the test cache).
	@files=$$( { git diff --name-only --diff-filter=d HEAD -- '*.go'; git ls-files --others --exclude-standard -- '*.go'; } | sort -u); \
	if [ -n "$$files" ]; then \
	  out=$$(gofmt -l $$files); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi; \
	  pkgs=$$(for f in $$files; do case $$f in internal/contracttest/validator/*) ;; *) echo ./$$(dirname $$f);; esac; done | sort -u); \
	  if [ -n "$$pkgs" ]; then echo "go vet $$pkgs" | tr '\n' ' '; echo; $(GO) vet $$pkgs; fi; \
	  if echo "$$files" | grep -q '^internal/contracttest/validator/'; then \
	    echo "go vet (internal/contracttest/validator)"; (cd internal/contracttest/validator && $(GO) vet ./...); fi; \
	fi
	$(GO) test -short ./...
