package config

import (
	"io"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestOAuthFlagsAndEnvironment(t *testing.T) {
	clearEnv(t)
	t.Setenv(AuthTokenEnv, "")
	c, err := Load([]string{"--transport", "http"}, "", io.Discard)
	require.NoError(t, err)
	assert.Equal(t, OAuth{ScopesClaim: "scope", ReadScope: "skyvern:read", RunScope: "skyvern:run"}, c.OAuth)

	t.Setenv("SKYVERN_OAUTH_ISSUER", "https://login.example.com/realms/team")
	t.Setenv("SKYVERN_OAUTH_AUDIENCE", "https://mcp.example.com/mcp")
	t.Setenv("SKYVERN_OAUTH_SCOPES_CLAIM", "scp")
	c, err = Load([]string{"--transport", "sse", "--oauth-read-scope", "mcp.read", "--oauth-run-scope", "mcp.run"}, "", io.Discard)
	require.NoError(t, err)
	assert.Equal(t, OAuth{Issuer: "https://login.example.com/realms/team", Audience: "https://mcp.example.com/mcp",
		ScopesClaim: "scp", ReadScope: "mcp.read", RunScope: "mcp.run"}, c.OAuth)

	// http only for loopback (local testing).
	c, err = Load([]string{"--transport", "http", "--oauth-issuer", "http://127.0.0.1:9000", "--oauth-audience", "http://localhost:8787/mcp"}, "", io.Discard)
	require.NoError(t, err)
	assert.Equal(t, "http://127.0.0.1:9000", c.OAuth.Issuer)
}

func TestOAuthBadSettingsNameTheFlag(t *testing.T) {
	clearEnv(t)
	iss, aud := "--oauth-issuer=https://login.example.com", "--oauth-audience=https://mcp.example.com/mcp"
	for _, tc := range []struct {
		token string
		args  []string
		want  string
	}{
		{"", []string{"--transport", "http", aud}, "--oauth-audience needs --oauth-issuer"},
		{"", []string{"--transport", "http", iss}, "--oauth-issuer needs --oauth-audience"},
		{"", []string{iss, aud}, "applies to --transport http or sse only"},
		{"static-token-0123456789", []string{"--transport", "http", iss, aud}, "exclude each other"},
		{"", []string{"--transport", "http", "--oauth-issuer=http://login.example.com", aud}, "must use https"},
		{"", []string{"--transport", "http", iss, "--oauth-audience=/mcp"}, "--oauth-audience: expected an absolute https URL"},
		{"", []string{"--transport", "http", iss, aud, "--oauth-read-scope=skyvern:run"}, "the two scopes must differ"},
		{"", []string{"--transport", "http", iss, aud, "--oauth-scopes-claim="}, "must not be empty"},
	} {
		t.Setenv(AuthTokenEnv, tc.token)
		_, err := Load(tc.args, "", io.Discard)
		require.Error(t, err, tc.args)
		assert.Contains(t, err.Error(), tc.want, tc.args)
	}
}
