package tools

import (
	"context"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/skyvern-mcp/skyvern-mcp/client"
)

// TestOnePollerPerRun: an MCP task, a resource subscription (which follows
// the run through Deps.Watcher.Watch, as resources/subscribe.go does) and
// wait_for_completion's wait on the SAME run share one poller: the watcher
// polls one run, and the sandbox sees about as many GET /v1/runs/{run_id}
// as one poller makes, not three pollers' worth.
func TestOnePollerPerRun(t *testing.T) {
	const runDuration = 2 * time.Second
	h := newHarness(t, harnessOpts{runDuration: runDuration, tasks: taskOpts(), protocol: taskProtocol})
	w := h.deps.Watcher
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	c, err := h.deps.Client(ctx)
	require.NoError(t, err)

	// Warm up the spec validation of POST /v1/run/tasks and GET
	// /v1/runs/{run_id} (slow the first time), so the run below is still
	// going when its three followers join.
	warm, err := c.RunTask(ctx, &client.TaskRunRequest{Prompt: "warm up"})
	require.NoError(t, err)
	_, err = c.GetRun(ctx, warm.RunID)
	require.NoError(t, err)

	task := h.startTask("run_task", map[string]any{"prompt": "followed three times"}, nil)
	var runID string
	require.Eventually(t, func() bool {
		tk, err := h.getTask(task.TaskId)
		if sm := stepRE.FindStringSubmatch(tk.StatusMessage); err == nil && sm != nil {
			runID = sm[1]
		}
		return runID != ""
	}, 5*time.Second, 5*time.Millisecond)
	require.Equal(t, 1, w.Pollers(), "the task's poller")

	// The resource subscription's follower.
	sub := w.Watch(ctx, c, runID)
	defer sub.Stop()
	// wait_for_completion's wait on the same run.
	run, err := c.GetRun(ctx, runID)
	require.NoError(t, err)
	waited := make(chan *RunResult, 1)
	go func() {
		res, err := waitRun(ctx, &call{deps: h.deps, client: c}, run, WaitArgs{WaitForCompletion: true})
		assert.NoError(t, err)
		waited <- res
	}()

	var final *client.Run
	states := 0
	for final == nil {
		states++
		assert.Equal(t, 1, w.Pollers(), "one poller while task, subscription and wait follow")
		u, err := sub.Next(ctx)
		require.NoError(t, err)
		require.NoError(t, u.Err)
		if u.Final() {
			final = u.Run
		}
	}
	assert.Equal(t, client.RunStatusCompleted, final.Status)
	assert.Greater(t, states, 1, "the run was still going while followed")
	res := <-waited
	require.NotNil(t, res)
	assert.Equal(t, client.RunStatusCompleted, res.Status)
	done, _ := h.followTask(task.TaskId)
	assert.Equal(t, mcp.TaskStatusCompleted, done.Status)
	require.Eventually(t, func() bool { return w.Pollers() == 0 }, 5*time.Second, 5*time.Millisecond)

	// One poller backing off from 10 ms to 50 ms polls about 45 times in
	// 2 s; three independent pollers would poll about 130 times.
	gets := h.sandbox.Calls("GET", "/v1/runs/"+runID)
	t.Logf("GET /v1/runs/%s: %d requests (one more by the test)", runID, gets)
	assert.Less(t, gets, 75, "one poller, not three")
}
