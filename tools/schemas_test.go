package tools

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/skyvern-mcp/skyvern-mcp/schema"
)

// TestEmbeddedSchemas checks that the schemas embedded from schemas/ are
// byte for byte what package schema generates from the tools' Go types now,
// and that no stale file is left. UPDATE_SCHEMAS=true (go generate ./tools)
// rewrites them.
func TestEmbeddedSchemas(t *testing.T) {
	update := os.Getenv("UPDATE_SCHEMAS") == "true"
	dir := "schemas"
	if update {
		require.NoError(t, os.RemoveAll(dir))
		require.NoError(t, os.MkdirAll(dir, 0o755))
	}
	expected := map[string]bool{}
	for _, tl := range buildCatalog() {
		for _, side := range []struct {
			ext string
			typ reflect.Type
			gen func(reflect.Type) (json.RawMessage, error)
		}{{".in.json", tl.in, schema.Of}, {".out.json", tl.out, schema.OutputOf}} {
			name := tl.Tool.Name + side.ext
			expected[name] = true
			got, err := side.gen(side.typ)
			require.NoError(t, err, name)
			path := filepath.Join(dir, name)
			if update {
				require.NoError(t, os.WriteFile(path, append(got, '\n'), 0o644))
				continue
			}
			embedded, err := schemaFS.ReadFile("schemas/" + name)
			if !assert.NoError(t, err, "%s is not embedded: run make generate", name) {
				continue
			}
			assert.True(t, bytes.Equal(bytes.TrimSuffix(embedded, []byte("\n")), got),
				"embedded schema %s differs from what reflection produces: run make generate and commit the diff", name)
		}
		if !update {
			assert.False(t, tl.missing, "tool %s has no embedded schema", tl.Tool.Name)
		}
	}
	if update {
		return
	}
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".json") {
			assert.True(t, expected[e.Name()], "stale schema file %s: run make generate", e.Name())
		}
	}
}

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
