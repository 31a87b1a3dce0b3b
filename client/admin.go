package client

import (
	"context"
	"net/http"
)

// ServerVersion is the answer of GET /v1/version: string keys and values,
// with the server's version (a git SHA for official builds) under "version".
type ServerVersion map[string]string

// Version returns the "version" entry ("" when absent).
func (v ServerVersion) Version() string { return v["version"] }

// GetVersion returns the Skyvern server's version: GET /v1/version. The
// endpoint needs no API key (the key is sent anyway when configured).
func (c *Client) GetVersion(ctx context.Context) (ServerVersion, error) {
	return doValue(ctx, c, &request{method: http.MethodGet, path: "/version"}, ServerVersion{})
}
