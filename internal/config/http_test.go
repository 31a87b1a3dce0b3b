package config

import (
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestHTTPDefaults(t *testing.T) {
	clearEnv(t)
	t.Setenv(AuthTokenEnv, "")
	c, err := Load([]string{"--transport", "http"}, "", io.Discard)
	require.NoError(t, err)
	assert.Equal(t, TransportHTTP, c.Transport)
	assert.Equal(t, "127.0.0.1:8787", c.Addr)
	assert.False(t, c.Stateless)
	assert.Empty(t, c.AllowedOrigins)
	assert.Empty(t, c.AuthToken)
	assert.Equal(t, 10*time.Second, c.ShutdownGrace)
	assert.Equal(t, int64(5<<20), c.MaxRequestBytes)
}

func TestHTTPFlagsAndEnvironment(t *testing.T) {
	clearEnv(t)
	t.Setenv(AuthTokenEnv, "  env-token-0123456789abcdef \n")
	t.Setenv("SKYVERN_ALLOWED_ORIGINS", "https://App.Example.com/, http://10.0.0.1:3000")
	t.Setenv("SKYVERN_SHUTDOWN_GRACE", "2.5")
	t.Setenv("SKYVERN_STATELESS", "true")
	c, err := Load([]string{"--transport", "http", "--addr", "0.0.0.0:0"}, "", io.Discard)
	require.NoError(t, err)
	assert.Equal(t, "0.0.0.0:0", c.Addr)
	assert.True(t, c.Stateless)
	assert.Equal(t, []string{"https://app.example.com", "http://10.0.0.1:3000"}, c.AllowedOrigins)
	assert.Equal(t, "env-token-0123456789abcdef", c.AuthToken)
	assert.Equal(t, 2500*time.Millisecond, c.ShutdownGrace)

	// The token file wins over the environment; durations take Go syntax.
	t.Setenv("SKYVERN_STATELESS", "false")
	f := filepath.Join(t.TempDir(), "token")
	require.NoError(t, os.WriteFile(f, []byte("file-token-0123456789abcdef\n"), 0o600))
	c, err = Load([]string{"--transport", "sse", "--auth-token-file", f, "--shutdown-grace", "1m30s"}, "", io.Discard)
	require.NoError(t, err)
	assert.Equal(t, "file-token-0123456789abcdef", c.AuthToken)
	assert.Equal(t, 90*time.Second, c.ShutdownGrace)
}

func TestHTTPBadInputNamesTheFlag(t *testing.T) {
	clearEnv(t)
	t.Setenv(AuthTokenEnv, "")
	empty := filepath.Join(t.TempDir(), "empty")
	require.NoError(t, os.WriteFile(empty, nil, 0o600))
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--transport", "websocket"}, "--transport: expected stdio, http or sse"},
		{[]string{"--transport", "sse", "--stateless"}, "--stateless"},
		{[]string{"--stateless"}, "--stateless"},
		{[]string{"--transport", "http", "--addr", "8787"}, "--addr: expected host:port"},
		{[]string{"--transport", "http", "--allowed-origins", "*"}, "--allowed-origins"},
		{[]string{"--transport", "http", "--allowed-origins", "https://a.example/path"}, "--allowed-origins"},
		{[]string{"--transport", "http", "--allowed-origins", "ftp://a.example"}, "--allowed-origins"},
		{[]string{"--transport", "http", "--shutdown-grace", "soon"}, "shutdown-grace"},
		{[]string{"--transport", "http", "--shutdown-grace", "-1s"}, "--shutdown-grace"},
		{[]string{"--transport", "http", "--max-request-bytes", "100"}, "--max-request-bytes"},
		{[]string{"--transport", "http", "--auth-token-file", "/nonexistent/token"}, "--auth-token-file"},
		{[]string{"--transport", "http", "--auth-token-file", empty}, "--auth-token-file"},
		{[]string{"--auth-token", "abc"}, AuthTokenEnv},
		{[]string{"--token=abc"}, AuthTokenEnv},
	} {
		_, err := Load(tc.args, "", io.Discard)
		require.Error(t, err, "%v", tc.args)
		assert.Contains(t, err.Error(), tc.want, "%v", tc.args)
	}
}

func TestAuthTokenTooShort(t *testing.T) {
	clearEnv(t)
	t.Setenv(AuthTokenEnv, "short")
	_, err := Load([]string{"--transport", "http"}, "", io.Discard)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "at least 16")
	assert.NotContains(t, err.Error(), "short", "the error never echoes the token")
	t.Setenv(AuthTokenEnv, "has a space in it, 0123456789")
	_, err = Load([]string{"--transport", "http"}, "", io.Discard)
	require.Error(t, err)
}
