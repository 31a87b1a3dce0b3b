package tools

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// FollowTaskRun (a replica taking over another's task, --redis-url) ends
// with what the task would have: the run tool's result for a completed run,
// a failure for one that failed, context.Canceled for a canceled one; it
// reports the run's status messages and starts no run.
func TestFollowTaskRun(t *testing.T) {
	h := newHarness(t, harnessOpts{runDuration: 300 * time.Millisecond})
	c, err := h.deps.Client(context.Background())
	require.NoError(t, err)
	started := h.structured(h.call("run_task", map[string]any{"prompt": "find the price"}, nil))
	runID := started["run_id"].(string)
	runsBefore := h.sandbox.Calls("POST", "/v1/run/tasks")
	require.Equal(t, 1, runsBefore)

	var mu sync.Mutex
	var messages []string
	res, err := h.deps.FollowTaskRun(context.Background(), c, "run_task", runID, func(_ context.Context, id, msg string) {
		mu.Lock()
		defer mu.Unlock()
		assert.Equal(t, runID, id)
		messages = append(messages, msg)
	})
	require.NoError(t, err)
	out := h.structured(res)
	assert.Equal(t, runID, out["run_id"])
	assert.Equal(t, "completed", out["status"])
	mu.Lock()
	require.NotEmpty(t, messages)
	assert.Contains(t, messages[len(messages)-1], "Skyvern run "+runID+" is completed")
	mu.Unlock()
	assert.Equal(t, runsBefore, h.sandbox.Calls("POST", "/v1/run/tasks"), "no run started")

	failing := h.structured(h.call("run_task", map[string]any{"prompt": "[sandbox:fail] never"}, nil))
	_, err = h.deps.FollowTaskRun(context.Background(), c, "run_task", failing["run_id"].(string), nil)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "failed")

	_, err = h.deps.FollowTaskRun(context.Background(), c, "get_run", runID, nil)
	assert.ErrorContains(t, err, "not a run tool")
}
