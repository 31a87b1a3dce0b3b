// Package httpprogress holds the tests that progress notifications sent
// during a tool call over streamable HTTP reach the client before the call's
// result. mcp-go v1.2.1 loses some of them (upstream PR #969) and sends
// others to the standalone GET stream, where they arrive after the result;
// third_party/mcp-go (go.mod's replace) fixes both. The tests use a tool
// that sends ten notifications and returns at once, the worst case, and
// call it 100 times per client setup, with mcp-go's client and, when
// e2e/node_modules is installed (make e2e-deps), the TypeScript SDK's.
package httpprogress
