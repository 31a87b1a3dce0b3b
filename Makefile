# skyvern-mcp. `make test` is the test command CI runs (see README.md).
GO        ?= go
BIN       := bin/skyvern-mcp
VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS   := -s -w -X github.com/skyvern-mcp/skyvern-mcp/client.Version=$(VERSION)
E2E_DIR   := e2e

.PHONY: spec all build test test-go test-e2e test-conformance e2e-deps demo lint cover snapshots docs bench bench-http bench-size fuzz clean

all: build

build: ## Build bin/skyvern-mcp (static, no cgo).
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/skyvern-mcp

test: lint test-go test-e2e test-conformance ## Everything CI runs: lint, Go tests under -race, end-to-end tests with real MCP clients, the MCP conformance suite.

test-go: build
	@[ -n "$$SKYVERN_OPENAPI" ] || [ -f "$(SKYVERN_OPENAPI_DIR)/server-openapi.json" ] || \
	  echo "*** CONTRACT TESTS WILL SKIP: no $(SKYVERN_OPENAPI_DIR)/server-openapi.json; run 'make spec' (under CI=true they fail) ***" >&2
	$(GO) test -race -count=1 ./...

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
	cd $(E2E_DIR) && node --test --test-reporter=spec

test-conformance: build e2e-deps ## The official MCP conformance suite against bin/skyvern-mcp --sandbox --transport http (skips: e2e/conformance-skip.txt).
	$(E2E_DIR)/conformance.sh

demo: build e2e-deps ## Run a browser task on the sandbox through the MCP inspector CLI and print the finished run.
	@$(E2E_DIR)/demo.sh

lint: ## gofmt and go vet.
	@out=$$(gofmt -l $$(git ls-files '*.go') 2>/dev/null); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...

cover: ## Coverage report (coverage.out).
	$(GO) test -count=1 -coverprofile=coverage.out ./...
	$(GO) tool cover -func=coverage.out | tail -1

snapshots: ## Regenerate the tool snapshots under tools/testdata/toolsnaps.
	UPDATE_TOOLSNAPS=true $(GO) test ./tools/ -run TestToolSnapshots -count=1

docs: ## Regenerate the tool table in README.md.
	UPDATE_README=true $(GO) test ./tools/ -run TestReadmeToolTable -count=1

bench: build ## Benchmarks (loopback only, ~1 min): cold start, tools/list size, per-call overhead, peak RSS, allocations; prints a markdown table.
	$(GO) run ./bench/skybench -bin $(BIN)

bench-size: build ## Result and resource sizes (~30 s): the JSON-RPC bytes of get_run on an 11 MB output, peak RSS reading 7 MiB and 20 MiB recordings. Not part of make test.
	$(GO) run ./bench/resultsize -bin $(BIN)

bench-http: build ## HTTP load benchmark on loopback (~30 s): N concurrent streamable-HTTP sessions calling get_run (calls/s, p50, p99), then RSS with 1,000 idle sessions. Not part of make test.
	$(GO) run ./bench/httpload -bin $(BIN)

FUZZTIME ?= 20s

fuzz: ## Run each fuzz target for FUZZTIME (default 20s), one after the other; crashers land in the package's testdata/fuzz.
	$(GO) test -run '^$$' -fuzz '^FuzzToolArguments$$' -fuzztime $(FUZZTIME) ./tools
	$(GO) test -run '^$$' -fuzz '^FuzzParseURI$$' -fuzztime $(FUZZTIME) ./resources
	$(GO) test -run '^$$' -fuzz '^FuzzResponseDecoding$$' -fuzztime $(FUZZTIME) ./client
	$(GO) test -run '^$$' -fuzz '^FuzzLoad$$' -fuzztime $(FUZZTIME) ./internal/config

clean:
	rm -rf bin coverage.out $(E2E_DIR)/node_modules
