package client_test

import (
	"context"
	"errors"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/skyvern-mcp/skyvern-mcp/client"
	"github.com/skyvern-mcp/skyvern-mcp/client/sandbox"
)

// TestWaitForRunCancelLeavesNoGoroutines cancels WaitForRun mid-poll (by
// context, by timeout, and during a slow poll) and checks with goleak that
// nothing it started is left running once the HTTP server and its idle
// connections are closed.
func TestWaitForRunCancelLeavesNoGoroutines(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	sb := sandbox.New(sandbox.Options{APIKey: "leak-key", RunDuration: time.Hour})
	ts := httptest.NewServer(sb)
	defer ts.Close() // runs before VerifyNone: closes the client's idle connections too
	c, err := client.New(client.WithBaseURL(ts.URL), client.WithAPIKey("leak-key"), client.WithHTTPClient(ts.Client()))
	require.NoError(t, err)
	run, err := c.RunTask(context.Background(), &client.TaskRunRequest{Prompt: "never ends"})
	require.NoError(t, err)
	opts := client.WaitOptions{PollInitial: 10 * time.Millisecond, PollMax: 20 * time.Millisecond}

	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	_, err = c.WaitForRun(ctx, run.RunID, opts)
	var nf *client.RunNotFinishedError
	require.ErrorAs(t, err, &nf)
	assert.ErrorIs(t, err, context.Canceled)

	opts.Timeout = 100 * time.Millisecond
	_, err = c.WaitForRun(context.Background(), run.RunID, opts)
	require.ErrorAs(t, err, &nf)
	assert.True(t, errors.Is(err, context.DeadlineExceeded))

	// Cancelled while a poll is held up by the server.
	sb.AddFault(sandbox.Fault{Method: "GET", Path: "/v1/runs/{run_id}", Latency: time.Minute})
	ctx, cancel = context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	start := time.Now()
	_, err = c.WaitForRun(ctx, run.RunID, client.WaitOptions{})
	require.ErrorAs(t, err, &nf)
	assert.Less(t, time.Since(start), 5*time.Second)
	sb.ClearFaults()
}
