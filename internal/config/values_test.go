package config

import (
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A value that does not parse names the flag, its variable, the value and
// the values expected, wherever it comes from.
func TestValuesThatDoNotParseNameTheValidValues(t *testing.T) {
	for _, tc := range []struct {
		env  map[string]string
		args []string
		want []string
	}{
		{env: map[string]string{"SKYVERN_SANDBOX": "yes"}, want: []string{`SKYVERN_SANDBOX="yes"`, "--sandbox", "expected true or false"}},
		{args: []string{"--sandbox=yes"}, want: []string{"--sandbox", `"yes"`, "expected true or false"}},
		{env: map[string]string{"SKYVERN_READ_ONLY": "on"}, want: []string{`SKYVERN_READ_ONLY="on"`, "expected true or false"}},
		{env: map[string]string{"SKYVERN_MAX_TASKS": "lots"}, want: []string{`SKYVERN_MAX_TASKS="lots"`, "--max-tasks", "expected a whole number"}},
		{args: []string{"--max-resource-bytes=1.5"}, want: []string{"--max-resource-bytes", `"1.5"`, "expected a whole number"}},
		{args: []string{"--request-timeout=abc"}, want: []string{"--request-timeout", `"abc"`, "expected a number", "in seconds"}},
		{env: map[string]string{"SKYVERN_REQUEST_TIMEOUT": "1m"}, want: []string{`SKYVERN_REQUEST_TIMEOUT="1m"`, "expected a number", "in seconds"}},
		{env: map[string]string{"SKYVERN_SHUTDOWN_GRACE": "soon"}, want: []string{"shutdown-grace", "soon", "duration"}},
		{args: []string{"--transport=websocket"}, want: []string{"--transport", "expected stdio, http or sse", "websocket"}},
		{env: map[string]string{"SKYVERN_TRANSPORT": "ws"}, want: []string{"--transport", "expected stdio, http or sse"}},
		{args: []string{"--log-level=verbose"}, want: []string{"--log-level", "expected debug, info, warn or error"}},
		{args: []string{"--environment=prod"}, want: []string{"--environment", "expected cloud or local"}},
	} {
		for k, v := range tc.env {
			t.Setenv(k, v)
		}
		_, err := Load(tc.args, "", io.Discard)
		require.Error(t, err, "%v %v", tc.env, tc.args)
		for _, w := range tc.want {
			assert.Contains(t, err.Error(), w, "%v %v", tc.env, tc.args)
		}
		assert.NotContains(t, err.Error(), "parse error")
		for k := range tc.env {
			require.NoError(t, os.Unsetenv(k))
		}
	}

	dir := t.TempDir()
	cfg := filepath.Join(dir, "c.json")
	require.NoError(t, os.WriteFile(cfg, []byte(`{"sandbox": "yes"}`), 0o600))
	_, err := Load([]string{"--config", cfg}, "", io.Discard)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "sandbox")
	assert.Contains(t, err.Error(), "expected true or false")
}

// An empty or blank --api-key-file is a start-up error, not a server
// without a key.
func TestEmptyAPIKeyFileIsAnError(t *testing.T) {
	t.Setenv("SKYVERN_API_KEY", "")
	for _, content := range []string{"", " \n\t\n"} {
		f := filepath.Join(t.TempDir(), "key")
		require.NoError(t, os.WriteFile(f, []byte(content), 0o600))
		_, err := Load([]string{"--api-key-file", f}, "", io.Discard)
		require.Error(t, err, "%q", content)
		assert.Contains(t, err.Error(), "--api-key-file")
		assert.Contains(t, err.Error(), "is empty")
	}
	f := filepath.Join(t.TempDir(), "key")
	require.NoError(t, os.WriteFile(f, []byte("sk-real\n"), 0o600))
	c, err := Load([]string{"--api-key-file", f}, "", io.Discard)
	require.NoError(t, err)
	assert.Equal(t, "sk-real", c.APIKey)
}
