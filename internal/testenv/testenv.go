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

// SandboxUnchecked is Sandbox without the contract check, for tests whose
// faults make the sandbox answer what the real server answers outside its
// spec (a PDF labelled application/json, an HTML error page, ...).
func SandboxUnchecked(tb testing.TB, o sandbox.Options, clientKey string, opts ...client.Option) (*sandbox.Server, *client.Client) {
	tb.Helper()
	sb := sandbox.New(o)
	srv := httptest.NewServer(sb)
	tb.Cleanup(srv.Close)
	c, err := client.New(append([]client.Option{client.WithBaseURL(srv.URL), client.WithAPIKey(clientKey)}, opts...)...)
	if err != nil {
		tb.Fatalf("testenv: %v", err)
	}
	return sb, c
}
