package tools

import (
	"testing"

	"github.com/skyvern-mcp/skyvern-mcp/schema"
)

// BenchmarkCatalogReflect generates every tool's schemas by reflection, as
// start-up did before they were embedded.
func BenchmarkCatalogReflect(b *testing.B) {
	all := buildCatalog()
	b.ReportAllocs()
	for b.Loop() {
		for _, tl := range all {
			if _, err := schema.Of(tl.in); err != nil {
				b.Fatal(err)
			}
			if _, err := schema.OutputOf(tl.out); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// BenchmarkCatalogEmbedded builds every tool from the embedded schemas, as
// start-up does now.
func BenchmarkCatalogEmbedded(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if len(buildCatalog()) == 0 {
			b.Fatal("no tools")
		}
	}
}
