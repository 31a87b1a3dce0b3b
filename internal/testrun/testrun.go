// Package testrun lets a test package opt out of go test's result cache when
// make test runs it, for tests whose inputs the cache cannot see.
//
// go test takes a package's result from its cache when the test binary, its
// flags, the environment variables its tests read and the files they open are
// unchanged. A test that starts another program (bin/skyvern-mcp, go install,
// an npm CLI) depends on more than that. make test sets [EnvVar] to a new
// value on each run, and [Always] reads it, so the packages that call it run
// every time while the others may come from the cache, all in one go test
// invocation (one -race build, one run).
package testrun

import "os"

// EnvVar is the environment variable make test sets to a new value on each
// run (the time in nanoseconds).
const EnvVar = "SKYVERN_MCP_TEST_RUN"

// Always makes go test re-run the calling package whenever [EnvVar] changes.
// Call it from a test or a helper a test calls, not from TestMain or init:
// go test records only the variables read while tests run.
func Always() { _ = os.Getenv(EnvVar) }
