package tools

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestToolSnapshots keeps every tool's full JSON (name, title, description,
// schemas, annotations) under testdata/toolsnaps, so any change to what
// clients see shows as a diff. Regenerate with `make snapshots`
// (UPDATE_TOOLSNAPS=true). A missing snapshot fails under CI.
func TestToolSnapshots(t *testing.T) {
	dir := filepath.Join("testdata", "toolsnaps")
	update := os.Getenv("UPDATE_TOOLSNAPS") == "true"
	for _, tl := range All() {
		got, err := json.MarshalIndent(tl.Tool, "", "  ")
		require.NoError(t, err)
		got = append(got, '\n')
		path := filepath.Join(dir, tl.Tool.Name+".json")
		want, err := os.ReadFile(path)
		if update || (os.IsNotExist(err) && os.Getenv("CI") != "true") {
			require.NoError(t, os.MkdirAll(dir, 0o755))
			require.NoError(t, os.WriteFile(path, got, 0o644))
			continue
		}
		require.NoError(t, err, "snapshot %s missing: run make generate", path)
		assert.JSONEq(t, string(want), string(got), "tool %s changed; if intended, run make generate and commit the diff", tl.Tool.Name)
	}
}
