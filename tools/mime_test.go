package tools

import (
	"encoding/base64"
	"net/http"
	"strings"
	"testing"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/skyvern-mcp/skyvern-mcp/client/sandbox"
	"github.com/skyvern-mcp/skyvern-mcp/internal/testenv"
)

// Skyvern labels some screenshots application/json (and webm recordings
// video/mp4): get_artifact inlines a screenshot only when its bytes are an
// image, typed by the bytes, and never passes other bytes off as an image.
func TestGetArtifactInlinesOnlyImageBytes(t *testing.T) {
	h := newHarness(t, harnessOpts{unchecked: true})
	run := h.structured(h.call("run_task", map[string]any{"prompt": "x", "wait_for_completion": true}, nil))
	shot := ""
	for _, a := range h.structured(h.call("get_run_artifacts", map[string]any{"run_id": run["run_id"],
		"artifact_type": []any{"screenshot_final"}}, nil))["artifacts"].([]any) {
		shot = a.(map[string]any)["artifact_id"].(string)
	}
	require.NotEmpty(t, shot)
	for _, s := range testenv.Samples() {
		for _, label := range []string{"application/json", "video/mp4"} {
			h.sandbox.ClearFaults()
			h.sandbox.AddFault(sandbox.Fault{Method: http.MethodGet, Path: "/v1/artifacts/{artifact_id}/content",
				Status: http.StatusOK, ContentType: label, Body: string(s.Data)})
			res := h.call("get_artifact", map[string]any{"artifact_id": shot}, nil)
			meta := h.structured(res)
			assert.Equal(t, "skyvern://artifacts/"+shot, meta["resource_uri"])
			if !strings.HasPrefix(s.MIMEType, "image/") {
				assert.Equal(t, false, meta["inline_image"], "%s labelled %s", s.Name, label)
				assert.Contains(t, meta["message"], "is "+s.MIMEType+", not an image")
				for _, c := range res.Content {
					_, isImage := c.(mcp.ImageContent)
					assert.False(t, isImage, "%s labelled %s came back as an image", s.Name, label)
				}
				continue
			}
			assert.Equal(t, true, meta["inline_image"], "%s labelled %s", s.Name, label)
			require.GreaterOrEqual(t, len(res.Content), 2)
			img, ok := res.Content[1].(mcp.ImageContent)
			require.True(t, ok, "%T", res.Content[1])
			assert.Equal(t, s.MIMEType, img.MIMEType)
			data, err := base64.StdEncoding.DecodeString(img.Data)
			require.NoError(t, err)
			assert.Equal(t, s.Data, data)
		}
	}
}
