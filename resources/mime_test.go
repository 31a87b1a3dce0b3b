package resources

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
// webm recordings video/mp4: artifact and recording resources are typed by
// their bytes, and binary is never a text resource.
func TestArtifactResourcesTypedByTheirBytes(t *testing.T) {
	h := newHarness(t, opts{unchecked: true})
	runID := h.startRun(true, "x")
	for _, s := range testenv.Samples() {
		for _, label := range []string{"application/json", "video/mp4", "text/plain"} {
			for _, uri := range []string{"skyvern://artifacts/a_" + s.Name, "skyvern://runs/" + runID + "/recording"} {
				h.sb.ClearFaults()
				h.sb.AddFault(sandbox.Fault{Method: http.MethodGet, Path: "/v1/artifacts/{artifact_id}/content",
					Status: http.StatusOK, ContentType: label, Body: string(s.Data)})
				rc, err := h.read(uri)
				require.NoError(t, err, uri)
				blob, ok := rc.(mcp.BlobResourceContents)
				require.True(t, ok, "%s labelled %s read as %s: binary must be a blob, got %T", s.Name, label, uri, rc)
				assert.Equal(t, s.MIMEType, blob.MIMEType, "%s labelled %s read as %s", s.Name, label, uri)
				data, err := base64.StdEncoding.DecodeString(blob.Blob)
				require.NoError(t, err)
				assert.Equal(t, s.Data, data)
			}
		}
	}
	h.sb.ClearFaults()
	h.sb.AddFault(sandbox.Fault{Method: http.MethodGet, Path: "/v1/artifacts/{artifact_id}/content",
		Status: http.StatusOK, ContentType: "application/octet-stream", Body: `{"llm": "response"}`})
	rc, err := h.read("skyvern://artifacts/a_json")
	require.NoError(t, err)
	tc, ok := rc.(mcp.TextResourceContents)
	require.True(t, ok, "JSON is text: %T", rc)
	assert.Equal(t, "application/json", tc.MIMEType)
}
