package resources

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/client/transport"
	"github.com/mark3labs/mcp-go/mcp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A missing resource is JSON-RPC error -32002 (the clients here negotiate
// 2025-11-25) naming the URI, in the message and in data.uri; other
// failures stay internal errors.
func TestMissingResourceIsResourceNotFound(t *testing.T) {
	h := newHarness(t, opts{runDuration: time.Minute})
	runID := h.startRun(false, "x")
	for _, tc := range []struct {
		uri     string
		want    string
		hasData bool
	}{
		{"skyvern://runs/tsk_404", "run tsk_404 not found in Skyvern (404): Task run not found tsk_404", true},
		{"skyvern://runs/tsk_404/timeline", "not found", true},
		{"skyvern://runs/tsk_404/artifacts", "not found", true},
		{"skyvern://runs/tsk_404/recording", "not found", true},
		{"skyvern://artifacts/a_404", "Artifact a_404 not found", true},
		{"skyvern://browser_sessions/pbs_404", "not found", true},
		{"skyvern://workflows/wpid_404", "not found", true},
		{"skyvern://runs/run_1", "not a Skyvern run ID", true},
		{"skyvern://runs/" + runID + "/recording", "no recording yet", true},
		// No template matches: mcp-go's own -32002, URI in the message.
		{"skyvern://runs/tsk_1/steps", "skyvern://runs/tsk_1/steps", false},
		{"skyvern://nothing/here", "skyvern://nothing/here", false},
	} {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		resp, err := h.mcp.GetTransport().SendRequest(ctx, transport.JSONRPCRequest{JSONRPC: mcp.JSONRPC_VERSION,
			ID: mcp.NewRequestId(1), Method: string(mcp.MethodResourcesRead), Params: map[string]any{"uri": tc.uri}})
		cancel()
		require.NoError(t, err, tc.uri)
		require.NotNil(t, resp.Error, tc.uri)
		assert.Equal(t, mcp.RESOURCE_NOT_FOUND, resp.Error.Code, tc.uri)
		assert.Contains(t, resp.Error.Message, tc.uri)
		assert.Contains(t, resp.Error.Message, tc.want, tc.uri)
		assert.NotContains(t, resp.Error.Message, testKey)
		if tc.hasData {
			b, err := json.Marshal(resp.Error.Data)
			require.NoError(t, err)
			var data map[string]any
			require.NoError(t, json.Unmarshal(b, &data), tc.uri)
			assert.Equal(t, tc.uri, data["uri"])
		}
	}
}
