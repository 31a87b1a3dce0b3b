// Package testenv starts a Skyvern sandbox for tests, behind a typed client
// whose every request and response is validated against Skyvern's OpenAPI
// spec (internal/contracttest). Tool, resource and client tests share it.
package testenv

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/skyvern-mcp/skyvern-mcp/client"
	"github.com/skyvern-mcp/skyvern-mcp/client/sandbox"
	"github.com/skyvern-mcp/skyvern-mcp/internal/contracttest"
)

// Sandbox starts sandbox.New(o) on an httptest server closed at the end of
// the test, and returns it with a client that sends clientKey (none when
// empty). Statuses the spec does not document for an operation fail the
// test unless listed in allowStatus (e.g. 404 for unknown IDs).
func Sandbox(tb testing.TB, o sandbox.Options, clientKey string, allowStatus ...int) (*sandbox.Server, *client.Client) {
	tb.Helper()
	spec := contracttest.Load(tb)
	sb := sandbox.New(o)
	srv := httptest.NewServer(sb)
	tb.Cleanup(srv.Close)
	c, err := client.New(client.WithBaseURL(srv.URL), client.WithAPIKey(clientKey),
		client.WithHTTPClient(&http.Client{Transport: spec.Transport(tb, nil, contracttest.AllowStatus(allowStatus...))}))
	if err != nil {
		tb.Fatalf("testenv: %v", err)
	}
	return sb, c
}
