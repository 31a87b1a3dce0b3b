package tools

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestUploadPathNoExistenceOracle: upload_file answers the same for a host
// file that exists outside --upload-dir, one that does not exist, a link
// out of the directory (to an existing and to a missing target), and a
// missing file inside: it cannot be used to probe which files exist.
func TestUploadPathNoExistenceOracle(t *testing.T) {
	dir := t.TempDir()
	elsewhere := t.TempDir()
	existing := filepath.Join(elsewhere, "secret.txt")
	require.NoError(t, os.WriteFile(existing, []byte("no"), 0o600))
	require.NoError(t, os.Symlink(existing, filepath.Join(dir, "link.txt")))
	require.NoError(t, os.Symlink(filepath.Join(elsewhere, "missing.txt"), filepath.Join(dir, "dangling.txt")))
	h := newHarness(t, harnessOpts{uploadDir: dir})

	up := "../" + filepath.Base(elsewhere)
	paths := []string{
		existing, filepath.Join(elsewhere, "missing.txt"), // absolute, outside
		up + "/secret.txt", up + "/missing.txt", // relative, outside
		"link.txt", "dangling.txt", // links out
		"missing.txt", // inside, missing
		"/etc/passwd", "/etc/no-such-file-here",
	}
	var answers []string
	for _, p := range paths {
		res := h.call("upload_file", map[string]any{"path": p}, nil)
		require.True(t, res.IsError, p)
		answers = append(answers, strings.ReplaceAll(text(res), `"`+p+`"`, `"PATH"`))
	}
	for i, a := range answers {
		assert.Equal(t, answers[0], a, "the answer for %s differs from the one for %s", paths[i], paths[0])
	}
	assert.Contains(t, answers[0], "--upload-dir")
	assert.Equal(t, 0, h.sandbox.Calls("POST", "/v1/upload_file"))
}
