package tools

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/skyvern-mcp/skyvern-mcp/client"
)

// TestDefaultWaitFitsUnderAClientCut: without a timeout argument a wait
// stops at 45 s, under the 60 s after which Claude Desktop, Cursor and the
// TypeScript SDK cut a call, and progress comes at least every 10 s.
func TestDefaultWaitFitsUnderAClientCut(t *testing.T) {
	assert.Equal(t, 45*time.Second, time.Duration(DefaultWaitTimeout))
	assert.LessOrEqual(t, time.Duration(DefaultProgressInterval), 10*time.Second)
	assert.Positive(t, time.Duration(DefaultProgressInterval))
	d := &Deps{}
	assert.Equal(t, 45*time.Second, d.waitTimeout())
	d.WaitTimeout = 3 * time.Second
	assert.Equal(t, 3*time.Second, d.waitTimeout())
}

// TestWaitWithoutTimeoutReturnsTheRunGoingOn: every run tool's wait with no
// timeout argument stops at Deps.WaitTimeout and returns the run as it is:
// not an error, valid against the tool's output schema, with a message
// that names the run ID and the ways to follow it. The run goes on.
func TestWaitWithoutTimeoutReturnsTheRunGoingOn(t *testing.T) {
	h := newHarness(t, harnessOpts{runDuration: time.Hour})
	h.deps.WaitTimeout = 300 * time.Millisecond
	oc := newOutputChecker(t, h)
	def := map[string]any{"title": "Slow", "workflow_definition": map[string]any{"parameters": []any{},
		"blocks": []any{map[string]any{"block_type": "task", "label": "open", "url": "https://example.com", "navigation_goal": "Open it"}}}}
	wpid := h.structured(h.call("create_workflow", map[string]any{"json_definition": def}, nil))["workflow_permanent_id"]
	cred := h.structured(h.call("create_credential", map[string]any{"name": "site", "credential_type": "password",
		"credential": map[string]any{"username": "u", "password": "p4ssw0rd-not-logged"}}, nil))

	for name, args := range map[string]map[string]any{
		"run_task":       {"prompt": "never ends"},
		"run_workflow":   {"workflow_id": wpid},
		"login":          {"credential_type": "skyvern", "credential_id": cred["credential_id"], "url": "https://example.com/login"},
		"download_files": {"navigation_goal": "download the invoice", "url": "https://example.com"},
	} {
		t.Run(name, func(t *testing.T) {
			args["wait_for_completion"] = true
			out := oc.call(name, args)
			runID, _ := out["run_id"].(string)
			require.NotEmpty(t, runID)
			st := client.RunStatus(out["status"].(string))
			assert.False(t, st.IsFinal(), "status %s", st)
			msg := out["message"].(string)
			for _, want := range []string{runID, "still " + string(st), "goes on", "get_run", "skyvern://runs/" + runID, "MCP task", "do not start it again"} {
				assert.Contains(t, msg, want)
			}
			run := h.structured(h.call("get_run", map[string]any{"run_id": runID}, nil))
			assert.False(t, client.RunStatus(run["status"].(string)).IsFinal(), "the run goes on")
		})
	}
	assert.Equal(t, 1, h.sandbox.Calls("POST", "/v1/run/tasks"), "run_task started one run")
}

// TestExplicitTimeoutIsHonoured: a timeout argument longer than
// Deps.WaitTimeout is waited for in full (the run finishes in it).
func TestExplicitTimeoutIsHonoured(t *testing.T) {
	h := newHarness(t, harnessOpts{runDuration: 600 * time.Millisecond})
	h.deps.WaitTimeout = 50 * time.Millisecond
	out := h.structured(h.call("run_task", map[string]any{"prompt": "x", "wait_for_completion": true, "timeout": 20}, nil))
	assert.Equal(t, "completed", out["status"])
	short := h.structured(h.call("run_task", map[string]any{"prompt": "x", "wait_for_completion": true}, nil))
	assert.NotEqual(t, "completed", short["status"], "without timeout the 50 ms bound applies")
	assert.Contains(t, short["message"], short["run_id"])
}

// TestWaitSendsProgressWhileNothingChanges: while a run's state stays the
// same, a waiting call still sends progress every Deps.ProgressInterval,
// with strictly increasing progress and a message giving the run ID, its
// status, its step count and the seconds waited.
func TestWaitSendsProgressWhileNothingChanges(t *testing.T) {
	h := newHarness(t, harnessOpts{runDuration: time.Hour})
	h.deps.WaitTimeout = 600 * time.Millisecond
	h.deps.ProgressInterval = 20 * time.Millisecond
	out := h.structured(h.call("run_task", map[string]any{"prompt": "stays queued", "wait_for_completion": true}, "tok-1"))
	runID := out["run_id"].(string)
	ps := h.progress()
	// Only the start and a state change or two would give 1 to 3.
	require.GreaterOrEqual(t, len(ps), 8, "progress while nothing changes: %v", ps)
	prev := 0.0
	for _, p := range ps {
		assert.Equal(t, "tok-1", p["progressToken"])
		v, ok := p["progress"].(float64)
		require.True(t, ok, "%v", p)
		assert.Greater(t, v, prev, "progress strictly increases")
		prev = v
		msg := p["message"].(string)
		assert.Regexp(t, `^`+runID+`: (created|queued|running), step \d+, \d+ s waited$`, msg)
	}
}

// TestOnRunAsSoonAsTheRunStarts: a waiting call tells Deps.OnRun of its run
// (resources/list, completions) before the wait ends, and when the client
// cuts the call the run ID is logged.
func TestOnRunAsSoonAsTheRunStarts(t *testing.T) {
	h := newHarness(t, harnessOpts{runDuration: time.Hour})
	seen := make(chan string, 8)
	var once sync.Once
	h.deps.OnRun = func(r *client.Run) {
		once.Do(func() { seen <- r.RunID })
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() {
		req := mcp.CallToolRequest{}
		req.Params.Name = "run_task"
		req.Params.Arguments = map[string]any{"prompt": "long", "wait_for_completion": true, "timeout": 3600}
		_, err := h.mcp.CallTool(ctx, req)
		done <- err
	}()
	var runID string
	select {
	case runID = <-seen:
	case err := <-done:
		t.Fatalf("the call ended (%v) before OnRun was called", err)
	case <-time.After(15 * time.Second):
		t.Fatal("OnRun was not called while the call waits")
	}
	require.True(t, strings.HasPrefix(runID, "tsk_"), runID)
	select {
	case err := <-done:
		t.Fatalf("the call ended (%v): OnRun came only at the end", err)
	default:
	}
	cancel() // the client cuts the call
	<-done
	require.Eventually(t, func() bool { return strings.Contains(h.logs.String(), runID) }, 10*time.Second, 10*time.Millisecond)
	var line map[string]any
	for _, l := range bytes.Split([]byte(h.logs.String()), []byte("\n")) {
		if bytes.Contains(l, []byte(runID)) {
			require.NoError(t, json.Unmarshal(l, &line))
			break
		}
	}
	assert.Equal(t, "warn", line["level"])
	assert.Equal(t, "run_task", line["tool"])
	assert.Equal(t, runID, line["run_id"])
	assert.Contains(t, line["message"], "goes on")
	assert.NotContains(t, h.logs.String(), testKey)
}

// TestTasksAreNotBoundByTheWaitTimeout: a task-augmented call follows its
// run to the end, however short Deps.WaitTimeout is.
func TestTasksAreNotBoundByTheWaitTimeout(t *testing.T) {
	h := newHarness(t, harnessOpts{runDuration: 800 * time.Millisecond, tasks: taskOpts(), protocol: taskProtocol})
	h.deps.WaitTimeout = 50 * time.Millisecond
	task := h.startTask("run_task", map[string]any{"prompt": "to the end", "wait_for_completion": true}, nil)
	final, _ := h.followTask(task.TaskId)
	assert.Equal(t, mcp.TaskStatusCompleted, final.Status, final.StatusMessage)
}
