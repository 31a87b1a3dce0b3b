package client_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/skyvern-mcp/skyvern-mcp/client"
	"github.com/skyvern-mcp/skyvern-mcp/internal/contracttest"
)

// TestServerBehavioursFollowTheContract drives the answers the sandbox took
// from Skyvern's server code (issue 15) through the contract transport: the
// 200 answers validate against the spec; the statuses Skyvern sends that its
// spec does not list (400, 413, 500) are allowed.
func TestServerBehavioursFollowTheContract(t *testing.T) {
	e := newContractEnv(t, contracttest.AllowStatus(400, 404, 413, 500))
	ctx := e.ctx

	long := 1440
	s, err := e.c.CreateBrowserSession(ctx, &client.CreateBrowserSessionRequest{Timeout: &long, GenerateBrowserProfile: true})
	require.NoError(t, err, "a timeout above the maximum is capped, not refused")
	assert.Equal(t, 240, *s.Timeout)
	require.NoError(t, e.c.CloseBrowserSession(ctx, s.BrowserSessionID))
	require.NoError(t, e.c.CloseBrowserSession(ctx, s.BrowserSessionID), "closing again is 200 too")
	_, err = e.c.CreateBrowserProfile(ctx, &client.CreateBrowserProfileRequest{Name: "from closed", BrowserSessionID: s.BrowserSessionID})
	require.NoError(t, err)

	vs, err := e.c.GetWorkflowVersions(ctx, "wpid_000000000000000001", false)
	require.NoError(t, err)
	assert.Empty(t, vs)
	require.NoError(t, e.c.DeleteWorkflow(ctx, "wpid_000000000000000001"))
	arts, err := e.c.GetRunArtifacts(ctx, "wr_000000000000000001")
	require.NoError(t, err)
	assert.Empty(t, arts)

	task, err := e.c.RunTask(ctx, &client.TaskRunRequest{Prompt: "x"})
	require.NoError(t, err)
	_, err = e.c.WaitForRun(ctx, task.RunID, client.WaitOptions{PollInitial: 10 * time.Millisecond, Timeout: 10 * time.Second})
	require.NoError(t, err)
	assert.Equal(t, http.StatusBadRequest, client.StatusCode(e.c.CancelRun(ctx, task.RunID)))
	_, err = e.c.RetryRunWebhook(ctx, task.RunID, nil)
	assert.Equal(t, http.StatusBadRequest, client.StatusCode(err))
	_, err = e.c.UploadFile(ctx, "big.bin", "application/octet-stream", strings.NewReader(strings.Repeat("x", 10<<20+1)))
	assert.Equal(t, http.StatusRequestEntityTooLarge, client.StatusCode(err))
}
