package tools

import (
	"encoding/base64"
	"net/http"
	"testing"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/skyvern-mcp/skyvern-mcp/client/sandbox"
	"github.com/skyvern-mcp/skyvern-mcp/internal/testenv"
)

// Skyvern labels PDFs, archives and some screenshots application/json and
// webm recordings video/mp4: get_artifact types content by its bytes and
// never returns binary as text.
func TestGetArtifactTypesContentByItsBytes(t *testing.T) {
	h := newHarness(t, harnessOpts{unchecked: true})
	for _, s := range testenv.Samples() {
		for _, label := range []string{"application/json", "video/mp4"} {
			h.sandbox.ClearFaults()
			h.sandbox.AddFault(sandbox.Fault{Method: http.MethodGet, Path: "/v1/artifacts/{artifact_id}/content",
				Status: http.StatusOK, ContentType: label, Body: string(s.Data)})
			res := h.call("get_artifact", map[string]any{"artifact_id": "a_" + s.Name}, nil)
			meta := h.structured(res)
			assert.Equal(t, s.MIMEType, meta["content_type"], "%s labelled %s", s.Name, label)
			require.Len(t, res.Content, 2)
			var got string
			switch c := res.Content[1].(type) {
			case mcp.ImageContent:
				assert.Equal(t, "image", meta["delivered_as"])
				assert.Equal(t, s.MIMEType, c.MIMEType)
				got = c.Data
			case mcp.EmbeddedResource:
				assert.Equal(t, "resource", meta["delivered_as"])
				blob, ok := c.Resource.(mcp.BlobResourceContents)
				require.True(t, ok, "%s labelled %s: binary as a blob, got %T", s.Name, label, c.Resource)
				assert.Equal(t, s.MIMEType, blob.MIMEType)
				assert.Equal(t, "skyvern://artifacts/a_"+s.Name, blob.URI)
				got = blob.Blob
			default:
				t.Fatalf("%s labelled %s: binary came back as %T", s.Name, label, c)
			}
			data, err := base64.StdEncoding.DecodeString(got)
			require.NoError(t, err)
			assert.Equal(t, s.Data, data)
		}
	}
	// Text stays text whatever the label says.
	h.sandbox.ClearFaults()
	h.sandbox.AddFault(sandbox.Fault{Method: http.MethodGet, Path: "/v1/artifacts/{artifact_id}/content",
		Status: http.StatusOK, ContentType: "video/mp4", Body: "<!DOCTYPE html><html><body>hi</body></html>"})
	res := h.call("get_artifact", map[string]any{"artifact_id": "a_html"}, nil)
	meta := h.structured(res)
	assert.Equal(t, "text/html", meta["content_type"])
	assert.Equal(t, "text", meta["delivered_as"])
	require.Len(t, res.Content, 2)
	assert.Equal(t, "<!DOCTYPE html><html><body>hi</body></html>", res.Content[1].(mcp.TextContent).Text)
}
