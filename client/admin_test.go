package client_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/skyvern-mcp/skyvern-mcp/client"
	"github.com/skyvern-mcp/skyvern-mcp/client/sandbox"
	"github.com/skyvern-mcp/skyvern-mcp/internal/contracttest"
)

// The version endpoint needs no API key, as the spec says.
func TestGetVersionWithoutKey(t *testing.T) {
	spec := contracttest.Load(t)
	srv := httptest.NewServer(sandbox.New(sandbox.Options{APIKey: contractKey}))
	t.Cleanup(srv.Close)
	c, err := client.New(client.WithBaseURL(srv.URL), client.WithHTTPClient(&http.Client{Transport: spec.Transport(t, nil)}))
	require.NoError(t, err)
	v, err := c.GetVersion(context.Background())
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(v.Version(), "sandbox-"))
}
