// Package e2etest holds end-to-end tests of the built skyvern-mcp binary over
// stdio (secret canaries, fault injection during a session, stdio
// robustness) and over HTTP (both transports with per-key sandboxes and a
// canary key, graceful shutdown on SIGTERM, the non-loopback bind rule).
// The tests build cmd/skyvern-mcp into a temporary directory (or use
// E2E_SKYVERN_MCP_BIN), start a sandbox Skyvern API in the test process,
// and drive the binary with raw JSON-RPC lines (stdio) or mcp-go's HTTP
// clients, recording everything it writes to stdout, stderr and its log file.
//
// The package has no non-test code besides this comment.
package e2etest
