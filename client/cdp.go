package client

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
)

// CDPHeader returns the headers to send when connecting to a browser
// session's browser_address over the Chrome DevTools Protocol: x-api-key
// with the client's key, as Skyvern's SDK sends. The key is a secret: never
// log the header.
func (c *Client) CDPHeader() http.Header {
	h := http.Header{}
	if c.apiKey != "" {
		h.Set("x-api-key", c.apiKey)
	}
	return h
}

// KeyDigest identifies the client's API key without revealing it (hex
// SHA-256), e.g. to keep one browser connection per caller.
func (c *Client) KeyDigest() string {
	d := sha256.Sum256([]byte(c.apiKey))
	return hex.EncodeToString(d[:])
}
