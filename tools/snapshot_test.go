package tools

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/skyvern-mcp/skyvern-mcp/schema"
)

// TestToolSnapshots keeps every tool's full JSON (name, title, description,
// schemas, annotations) in toolsnaps/, so any change to what clients see
// shows as a diff, and the embedded schemas are byte for byte what package
// schema generates from the tools' Go types now. It fails on a missing,
// changed or stale file. UPDATE_TOOLSNAPS=true (make generate) rewrites
// them.
func TestToolSnapshots(t *testing.T) {
	dir := "toolsnaps"
	update := os.Getenv("UPDATE_TOOLSNAPS") == "true"
	if update {
		require.NoError(t, os.RemoveAll(dir))
		require.NoError(t, os.MkdirAll(dir, 0o755))
	}
	expected := map[string]bool{}
	for _, tl := range buildCatalog() {
		in, err := schema.Of(tl.in)
		require.NoError(t, err, tl.Tool.Name)
		out, err := schema.OutputOf(tl.out)
		require.NoError(t, err, tl.Tool.Name)
		tool := tl.Tool
		tool.RawInputSchema, tool.RawOutputSchema = in, out
		got, err := json.MarshalIndent(tool, "", "  ")
		require.NoError(t, err)
		got = append(got, '\n')
		name := tl.Tool.Name + ".json"
		expected[name] = true
		path := filepath.Join(dir, name)
		if update {
			require.NoError(t, os.WriteFile(path, got, 0o644))
			continue
		}
		want, err := os.ReadFile(path)
		if !assert.NoError(t, err, "snapshot %s missing: run make generate", path) {
			continue
		}
		assert.JSONEq(t, string(want), string(got), "tool %s changed; if intended, run make generate and commit the diff", tl.Tool.Name)
		embIn, embOut, ok := embeddedSchemas(tl.Tool.Name)
		require.True(t, ok, "tool %s has no embedded schema: run make generate", tl.Tool.Name)
		assert.Equal(t, string(in), string(embIn), "embedded input schema of %s differs from what reflection produces: run make generate", tl.Tool.Name)
		assert.Equal(t, string(out), string(embOut), "embedded output schema of %s differs from what reflection produces: run make generate", tl.Tool.Name)
		assert.False(t, tl.missing, "tool %s was built without its embedded schemas", tl.Tool.Name)
	}
	if update {
		return
	}
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".json") {
			assert.True(t, expected[e.Name()], "stale snapshot %s (no such tool): run make generate", e.Name())
		}
	}
}
