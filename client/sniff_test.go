package client_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/skyvern-mcp/skyvern-mcp/client"
	"github.com/skyvern-mcp/skyvern-mcp/internal/testenv"
)

func TestDetectMIMETrustsBytesOverLabels(t *testing.T) {
	for _, s := range testenv.Samples() {
		for _, label := range []string{"application/json", "video/mp4", "text/plain; charset=utf-8", ""} {
			assert.Equal(t, s.MIMEType, client.DetectMIME(s.Data, "", label), "%s labelled %q", s.Name, label)
		}
	}
	// Text the bytes cannot type more precisely: artifact type, then label.
	assert.Equal(t, "text/markdown", client.DetectMIME([]byte("# Title\nsome words\n"), "", "text/markdown"))
	assert.Equal(t, "text/plain", client.DetectMIME([]byte("some words\n"), "", "image/png"))
	assert.Equal(t, "text/html", client.DetectMIME([]byte("<p>partial"), client.ArtifactHTMLScrape, "application/json"))
	assert.Equal(t, "application/json", client.DetectMIME([]byte(`{"a": 1}`), "", "video/mp4"))
	assert.Equal(t, "text/html", client.DetectMIME([]byte("<!DOCTYPE html><html><body>x</body></html>"), "", "application/json"))
	// Unknown binary: artifact type, then a binary label, never a text label.
	bin := []byte{0x00, 0x01, 0xfe, 0xff, 0x10, 0x80, 0x00, 0x00}
	assert.Equal(t, "application/zip", client.DetectMIME(bin, client.ArtifactTrace, "application/json"))
	assert.Equal(t, "application/x-custom", client.DetectMIME(bin, "", "application/x-custom"))
	assert.Equal(t, "application/octet-stream", client.DetectMIME(bin, "", "application/json"))
	// Nothing to read.
	assert.Equal(t, "video/webm", client.DetectMIME(nil, client.ArtifactRecording, "video/mp4"))
}
