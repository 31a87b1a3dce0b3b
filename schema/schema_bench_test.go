package schema_test

import (
	"testing"

	"github.com/skyvern-mcp/skyvern-mcp/client"
	"github.com/skyvern-mcp/skyvern-mcp/schema"
)

// BenchmarkForTaskRunRequest reflects the largest input type (run_task's
// request, with proxy and extraction-schema shapes). Tools embed their
// schemas generated at build time, so this runs in go generate and tests,
// not at start-up; it guards the generator's cost.
func BenchmarkForTaskRunRequest(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := schema.For[client.TaskRunRequest](); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkForRun reflects the largest output type (a run, with its request).
func BenchmarkForRun(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := schema.For[client.Run](); err != nil {
			b.Fatal(err)
		}
	}
}
