package tools

import (
	"context"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/skyvern-mcp/skyvern-mcp/client"
	"github.com/skyvern-mcp/skyvern-mcp/client/sandbox"
)

// TestCancelledWaitLeavesNoGoroutines cancels run_task's wait_for_completion
// through the call's context, with and without CancelRunOnAbort, and checks
// with goleak that the handler left nothing running (no poller, no cancel
// request in flight) once the HTTP server is closed.
func TestCancelledWaitLeavesNoGoroutines(t *testing.T) {
	for _, cancelRun := range []bool{false, true} {
		t.Run(map[bool]string{false: "wait only", true: "cancel run on abort"}[cancelRun], func(t *testing.T) {
			defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
			sb := sandbox.New(sandbox.Options{APIKey: testKey, RunDuration: time.Hour})
			ts := httptest.NewServer(sb)
			defer ts.Close() // before VerifyNone: also closes idle client connections
			c, err := client.New(client.WithBaseURL(ts.URL), client.WithAPIKey(testKey), client.WithHTTPClient(ts.Client()))
			require.NoError(t, err)
			deps := &Deps{
				Client:           func(context.Context) (*client.Client, error) { return c, nil },
				Log:              zerolog.Nop(),
				PollInitial:      10 * time.Millisecond,
				PollMax:          20 * time.Millisecond,
				CancelRunOnAbort: cancelRun,
				Secrets:          []string{testKey},
			}
			var handler func(context.Context, mcp.CallToolRequest) (*mcp.CallToolResult, error)
			for _, tl := range All() {
				if tl.Tool.Name == "run_task" {
					handler = tl.Handler(deps)
				}
			}
			require.NotNil(t, handler)
			req := mcp.CallToolRequest{}
			req.Params.Name = "run_task"
			req.Params.Arguments = map[string]any{"prompt": "never ends", "wait_for_completion": true}
			ctx, cancel := context.WithCancel(context.Background())
			time.AfterFunc(150*time.Millisecond, cancel)
			res, err := handler(ctx, req)
			require.NoError(t, err)
			require.NotNil(t, res)
			assert.Positive(t, sb.Calls("GET", "/v1/runs/{run_id}"), "it was polling")
			if cancelRun {
				require.Eventually(t, func() bool { return sb.Calls("POST", "/v1/runs/{run_id}/cancel") == 1 },
					5*time.Second, 10*time.Millisecond, "the run is cancelled")
			}
		})
	}
}
