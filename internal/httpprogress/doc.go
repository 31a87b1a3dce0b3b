// Package httpprogress holds the tests that progress notifications sent
// during a tool call over streamable HTTP reach the client before the call's
// result, none lost and none sent to the standalone GET stream after it
// (mcp-go releases before v1.5.0 did both). The tests use a tool
// that sends ten notifications and returns at once, the worst case, and
// call it 100 times per client setup, with mcp-go's client and, when
// e2e/node_modules is installed (make e2e-deps), the TypeScript SDK's.
package httpprogress
