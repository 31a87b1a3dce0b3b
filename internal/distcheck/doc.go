// Package distcheck holds the tests of the ways skyvern-mcp reaches its
// users: go install from a module proxy, the release configuration
// (GoReleaser, make dist, the Dockerfile) and the MCP Bundle manifest. It has
// no code of its own besides the helpers its tests share.
package distcheck
