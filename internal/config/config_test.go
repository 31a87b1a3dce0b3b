package config

import (
	"bytes"
	"encoding/json"
	"flag"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// clearEnv unsets every SKYVERN_ variable for the test.
func clearEnv(t *testing.T) {
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "SKYVERN_") {
			t.Setenv(k, "") // restores the old value after the test
			require.NoError(t, os.Unsetenv(k))
		}
	}
}

func TestDefaults(t *testing.T) {
	clearEnv(t)
	c, err := Load(nil, "", io.Discard)
	require.NoError(t, err)
	assert.Equal(t, "https://api.skyvern.com", c.BaseURL)
	assert.Equal(t, "stdio", c.Transport)
	assert.Equal(t, []string{"runs", "workflows", "browser_sessions", "browser_profiles", "credentials", "agent"}, c.Toolsets)
	assert.Equal(t, 60*time.Second, c.RequestTimeout)
	assert.Equal(t, 3*time.Second, c.SandboxRunDuration)
	assert.Empty(t, c.APIKey)
}

// TestPrecedence proves flag > env > .env > config file > default.
func TestPrecedence(t *testing.T) {
	clearEnv(t)
	dir := t.TempDir()
	cfgFile := filepath.Join(dir, "config.json")
	require.NoError(t, os.WriteFile(cfgFile, []byte(`{"base-url":"http://from-config:1","log-level":"debug","toolsets":"runs","read-only":true,"request-timeout":5}`), 0o600))
	envFile := filepath.Join(dir, ".env")
	require.NoError(t, os.WriteFile(envFile, []byte("SKYVERN_BASE_URL=http://from-dotenv:2\nSKYVERN_LOG_LEVEL=warn\nSKYVERN_API_KEY=dotenv-key\n"), 0o600))
	t.Setenv("SKYVERN_BASE_URL", "http://from-env:3/v1/")
	t.Cleanup(func() { _ = os.Unsetenv("SKYVERN_LOG_LEVEL"); _ = os.Unsetenv("SKYVERN_API_KEY") })

	c, err := Load([]string{"--config", cfgFile}, envFile, io.Discard)
	require.NoError(t, err)
	assert.Equal(t, "http://from-env:3", c.BaseURL, "env beats .env and config; /v1/ trimmed")
	assert.Equal(t, "warn", c.LogLevel, ".env beats config")
	assert.Equal(t, []string{"runs"}, c.Toolsets, "config beats default")
	assert.True(t, c.ReadOnly)
	assert.Equal(t, 5*time.Second, c.RequestTimeout)
	assert.Equal(t, "dotenv-key", c.APIKey)

	c, err = Load([]string{"--config", cfgFile, "--base-url", "http://from-flag:4", "--log-level", "error"}, envFile, io.Discard)
	require.NoError(t, err)
	assert.Equal(t, "http://from-flag:4", c.BaseURL, "flag beats everything")
	assert.Equal(t, "error", c.LogLevel)
}

func TestAPIKeyFile(t *testing.T) {
	clearEnv(t)
	f := filepath.Join(t.TempDir(), "key")
	require.NoError(t, os.WriteFile(f, []byte("  file-key\n"), 0o600))
	t.Setenv("SKYVERN_API_KEY", "env-key")
	c, err := Load([]string{"--api-key-file", f}, "", io.Discard)
	require.NoError(t, err)
	assert.Equal(t, "file-key", c.APIKey)
}

func TestEnvironmentLocal(t *testing.T) {
	clearEnv(t)
	c, err := Load([]string{"--environment", "local"}, "", io.Discard)
	require.NoError(t, err)
	assert.Equal(t, "http://localhost:8000", c.BaseURL)
}

func TestBadInputNamesTheField(t *testing.T) {
	clearEnv(t)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--toolsets", "runs,bogus"}, `unknown toolset "bogus"`},
		{[]string{"--environment", "mars"}, "--environment: expected cloud or local"},
		{[]string{"--base-url", "ftp://x"}, "--base-url"},
		{[]string{"--log-level", "loud"}, "--log-level"},
		{[]string{"--transport", "carrier-pigeon"}, "--transport"},
		{[]string{"--api-key-file", "/nonexistent/key"}, "--api-key-file"},
		{[]string{"extra"}, "unexpected arguments"},
		{[]string{"--api-key", "sk-123"}, "SKYVERN_API_KEY"},
		{[]string{"--upload-dir", "/nonexistent/dir"}, "--upload-dir"},
		{[]string{"--max-resource-bytes", "0"}, "--max-resource-bytes"},
		{[]string{"--wait-timeout", "0"}, "--wait-timeout"},
	} {
		_, err := Load(tc.args, "", io.Discard)
		require.Error(t, err, "%v", tc.args)
		assert.Contains(t, err.Error(), tc.want)
	}
}

// TestWaitTimeout: a wait without a timeout argument stops at 45 s by
// default, under the 60 s after which common MCP clients cut a call;
// --wait-timeout and SKYVERN_WAIT_TIMEOUT change it (seconds).
func TestWaitTimeout(t *testing.T) {
	clearEnv(t)
	c, err := Load(nil, "", io.Discard)
	require.NoError(t, err)
	assert.Equal(t, 45*time.Second, c.WaitTimeout)
	t.Setenv("SKYVERN_WAIT_TIMEOUT", "3")
	c, err = Load(nil, "", io.Discard)
	require.NoError(t, err)
	assert.Equal(t, 3*time.Second, c.WaitTimeout)
	c, err = Load([]string{"--wait-timeout", "0.5"}, "", io.Discard)
	require.NoError(t, err)
	assert.Equal(t, 500*time.Millisecond, c.WaitTimeout)
}

func TestConfigExampleHasEveryFlag(t *testing.T) {
	clearEnv(t)
	// Every key of the example is a known flag: it loads.
	c, err := Load([]string{"--config", "../../config.example.json", "--api-key-file", ""}, "", io.Discard)
	require.NoError(t, err)
	assert.Equal(t, "https://api.skyvern.com", c.BaseURL)

	// Every flag but --config and --version is a key of the example.
	raw, err := os.ReadFile("../../config.example.json")
	require.NoError(t, err)
	var example map[string]any
	require.NoError(t, json.Unmarshal(raw, &example))
	var usage bytes.Buffer
	_, err = Load([]string{"-h"}, "", &usage)
	require.ErrorIs(t, err, flag.ErrHelp)
	assert.True(t, strings.HasPrefix(usage.String(), UsageHeader), "--help starts with the commands")
	for _, cmd := range []string{"skyvern-mcp setup [flags] <client>", "skyvern-mcp doctor [flags]", "SKYVERN_BASE_URL"} {
		assert.Contains(t, usage.String(), cmd)
	}
	flags := regexp.MustCompile(`(?m)^\s+-([a-z-]+)`).FindAllStringSubmatch(usage.String(), -1)
	require.Greater(t, len(flags), 10)
	for _, f := range flags {
		if f[1] == "config" || f[1] == "version" {
			continue
		}
		assert.Contains(t, example, f[1], "config.example.json lacks the key %q", f[1])
	}
}

// TestResultFlags: --max-result-bytes and --resource-links, with their
// environment variables and defaults.
func TestResultFlags(t *testing.T) {
	clearEnv(t)
	c, err := Load(nil, "", io.Discard)
	require.NoError(t, err)
	assert.Equal(t, 1<<20, c.MaxResultBytes)
	assert.True(t, c.ResourceLinks)
	assert.EqualValues(t, 20<<20, c.MaxResourceBytes)

	t.Setenv("SKYVERN_MAX_RESULT_BYTES", "200000")
	t.Setenv("SKYVERN_RESOURCE_LINKS", "false")
	c, err = Load(nil, "", io.Discard)
	require.NoError(t, err)
	assert.Equal(t, 200000, c.MaxResultBytes)
	assert.False(t, c.ResourceLinks)

	c, err = Load([]string{"--max-result-bytes", "65536", "--resource-links=true"}, "", io.Discard)
	require.NoError(t, err)
	assert.Equal(t, 65536, c.MaxResultBytes)
	assert.True(t, c.ResourceLinks)

	_, err = Load([]string{"--max-result-bytes", "1000"}, "", io.Discard)
	require.ErrorContains(t, err, "--max-result-bytes: at least 65536")
}
