package e2etest

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/skyvern-mcp/skyvern-mcp/client"
	"github.com/skyvern-mcp/skyvern-mcp/client/sandbox"
)

// TestStdioLargeMessages sends a 1 MiB argument and receives a 5 MiB
// result over stdio, each answered under its own id. The result cap is
// raised to 16 MiB for it (by default results are shortened to 1 MiB: see
// tools/result_test.go and e2e/sizes.test.mjs).
func TestStdioLargeMessages(t *testing.T) {
	t.Parallel()
	sb, url := startSandbox(t, canaryKey, 300*time.Millisecond)
	p := start(t, []string{"--base-url", url, "--max-result-bytes", strconv.Itoa(16 << 20)}, map[string]string{"SKYVERN_API_KEY": canaryKey})
	p.initialize()

	// 1 MiB prompt. If an input limit refuses it, that is a clear error
	// result under the right id; either way Skyvern is not called twice.
	prompt := strings.Repeat("find the cheapest flight; ", (1<<20)/26+1)[:1<<20]
	ch := p.expect(`"big-request"`)
	p.send(requestLine(`"big-request"`, "tools/call", map[string]any{"name": "run_task", "arguments": map[string]any{"prompt": prompt}}))
	m := p.wait(ch, "1 MiB run_task", 20*time.Second)
	assert.JSONEq(t, `"big-request"`, string(m.ID))
	r := p.toolResultOf("run_task", m)
	assert.LessOrEqual(t, sb.Calls("POST", "/v1/run/tasks"), 1)
	if !r.IsError {
		assert.Equal(t, 1, sb.Calls("POST", "/v1/run/tasks"))
	}

	// 5 MiB result: a workflow stored directly in the sandbox (so that no
	// argument limit is involved) with a 5 MiB navigation goal, read back
	// with get_workflow.
	c, err := client.New(client.WithBaseURL(url), client.WithAPIKey(canaryKey))
	require.NoError(t, err)
	goal := strings.Repeat("open the page and read every row. ", (5<<20)/34+1)[:5<<20]
	wf, err := c.CreateWorkflow(context.Background(), &client.WorkflowRequest{JSONDefinition: map[string]any{
		"title": "huge", "workflow_definition": map[string]any{"parameters": []any{}, "blocks": []any{
			map[string]any{"block_type": "navigation", "label": "open", "url": "https://example.com", "navigation_goal": goal}}}}}, "")
	require.NoError(t, err)
	ch = p.expect(`9007199254740991`)
	p.send(requestLine(`9007199254740991`, "tools/call", map[string]any{"name": "get_workflow",
		"arguments": map[string]any{"workflow_permanent_id": wf.WorkflowPermanentID}}))
	m = p.wait(ch, "5 MiB get_workflow", 20*time.Second)
	assert.Equal(t, "9007199254740991", string(m.ID))
	assert.Greater(t, len(m.raw), 5<<20, "the answer line carries the 5 MiB definition")
	r = p.toolResultOf("get_workflow", m)
	require.False(t, r.IsError, r.text())
	assert.Contains(t, string(r.StructuredContent), goal[:1000])
	var got struct {
		WorkflowDefinition struct {
			Blocks []struct {
				NavigationGoal string `json:"navigation_goal"`
			} `json:"blocks"`
		} `json:"workflow_definition"`
	}
	require.NoError(t, json.Unmarshal(r.StructuredContent, &got))
	require.Len(t, got.WorkflowDefinition.Blocks, 1)
	assert.Equal(t, goal, got.WorkflowDefinition.Blocks[0].NavigationGoal, "5 MiB round trip intact")
	assert.Less(t, p.ping(5*time.Second), time.Second)
	assert.Equal(t, 0, p.close())
}

// TestStdioConcurrencyAndMalformedInput sends 50 tools/call at once on one
// session (each held 500 ms by the sandbox), checks that ping is answered in
// under a second meanwhile and that each call is answered exactly once;
// malformed lines get -32700 and the session goes on.
func TestStdioConcurrencyAndMalformedInput(t *testing.T) {
	t.Parallel()
	sb, url := startSandbox(t, canaryKey, 300*time.Millisecond)
	p := start(t, []string{"--base-url", url}, map[string]string{"SKYVERN_API_KEY": canaryKey})
	p.initialize()
	r := p.callTool("run_task", map[string]any{"prompt": "x"}, 10*time.Second)
	var run struct {
		RunID string `json:"run_id"`
	}
	r.structured(t, &run)

	sb.AddFault(sandbox.Fault{Method: "GET", Path: "/v1/runs/{run_id}", Latency: 500 * time.Millisecond})
	const n = 50
	chans := make([]chan *message, n)
	lines := make([]string, n)
	for i := range n {
		id := strconv.Itoa(i + 1)
		chans[i] = p.expect(id)
		tool, args := "get_run", map[string]any{"run_id": run.RunID}
		if i%5 == 4 {
			tool, args = "get_run", map[string]any{"run_id": 42} // invalid: answered at once with isError
		}
		lines[i] = requestLine(id, "tools/call", map[string]any{"name": tool, "arguments": args})
	}
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { p.send(lines[i]) })
	}
	wg.Wait()
	time.Sleep(100 * time.Millisecond) // the calls are in flight
	pings := make([]time.Duration, 3)
	for i := range pings {
		pings[i] = p.ping(5 * time.Second)
	}
	for i := range n {
		m := p.wait(chans[i], "concurrent call "+strconv.Itoa(i+1), 20*time.Second)
		p.toolResultOf("get_run", m)
	}
	time.Sleep(200 * time.Millisecond) // a duplicate answer would have arrived by now
	for i := range n {
		assert.Equal(t, 1, p.answerCount(strconv.Itoa(i+1)), "request %d answered once", i+1)
	}
	for _, d := range pings {
		assert.Less(t, d, time.Second, "ping while 50 calls are in flight")
	}
	t.Logf("ping during 50 concurrent calls: %v", pings)
	sb.ClearFaults()

	// Malformed lines: a parse error each (id null), then the session
	// goes on.
	for _, bad := range []string{`{not json`, `{"jsonrpc":"2.0","id":77,"method":`, "\x00\x01garbage"} {
		ch := p.expect("null")
		p.send(bad)
		m := p.wait(ch, "parse error for "+strconv.Quote(bad), 5*time.Second)
		require.NotNil(t, m.Error, bad)
		assert.Equal(t, -32700, m.Error.Code, bad)
	}
	assert.Less(t, p.ping(5*time.Second), time.Second)
	assert.False(t, p.callTool("get_run", map[string]any{"run_id": run.RunID}, 10*time.Second).IsError)
	assert.Equal(t, 0, p.close())
}

// TestStdinClosedMidCall closes stdin while a run_task is waiting for its
// run: the server exits 0, promptly, without a panic or goroutine dump.
func TestStdinClosedMidCall(t *testing.T) {
	t.Parallel()
	sb, url := startSandbox(t, canaryKey, 30*time.Second)
	p := start(t, []string{"--base-url", url}, map[string]string{"SKYVERN_API_KEY": canaryKey})
	p.initialize()
	p.send(requestLine("5", "tools/call", map[string]any{"name": "run_task",
		"arguments": map[string]any{"prompt": "long", "wait_for_completion": true}}))
	deadline := time.Now().Add(5 * time.Second)
	for sb.Calls("GET", "/v1/runs/{run_id}") == 0 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond) // wait until the call is polling
	}
	require.Positive(t, sb.Calls("GET", "/v1/runs/{run_id}"), "the call is waiting")
	start := time.Now()
	assert.Equal(t, 0, p.close())
	assert.Less(t, time.Since(start), 5*time.Second)
	stderr := p.stderr.String()
	assert.NotContains(t, stderr, "goroutine ")
	assert.NotContains(t, stderr, "panic")
	assert.Equal(t, 1, sb.Calls("POST", "/v1/run/tasks"))
}

// TestStdioQuickCallBehindWaits: over stdio, a quick tools/call (get_run)
// is answered while 20 wait_for_completion calls are in flight, before any
// of them ends. mcp-go's default pool of 5 workers queued it behind the
// waits (up to their whole wait).
func TestStdioQuickCallBehindWaits(t *testing.T) {
	t.Parallel()
	sb, url := startSandbox(t, canaryKey, time.Hour)
	p := start(t, []string{"--base-url", url}, map[string]string{"SKYVERN_API_KEY": canaryKey})
	p.initialize()
	c, err := client.New(client.WithBaseURL(url), client.WithAPIKey(canaryKey))
	require.NoError(t, err)
	other, err := c.RunTask(context.Background(), &client.TaskRunRequest{Prompt: "started elsewhere"})
	require.NoError(t, err)

	const waits = 20
	ids := make([]string, waits)
	for i := range waits {
		ids[i] = strconv.Itoa(100 + i)
		p.expect(ids[i])
		p.send(requestLine(ids[i], "tools/call", map[string]any{"name": "run_task",
			"arguments": map[string]any{"prompt": "wait " + ids[i], "wait_for_completion": true, "timeout": 300},
			"_meta":     map[string]any{"progressToken": "wait-" + ids[i]}}))
	}
	// Each waiting call sends progress and starts its run (a first progress
	// notification can come before the run's POST has been answered).
	deadline := time.Now().Add(15 * time.Second)
	for (len(p.notificationsOf("notifications/progress")) < waits || sb.Calls("POST", "/v1/run/tasks")-1 < waits) &&
		time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	assert.Equal(t, waits, sb.Calls("POST", "/v1/run/tasks")-1, "every waiting call started its run")

	ch := p.expect(`"quick"`)
	p.send(requestLine(`"quick"`, "tools/call", map[string]any{"name": "get_run", "arguments": map[string]any{"run_id": other.RunID}}))
	m := p.wait(ch, "get_run behind 20 waiting calls", 30*time.Second)
	// Answers are read in order on one goroutine: any waiting call
	// answered before get_run would be counted by now.
	for _, id := range ids {
		assert.Equal(t, 0, p.answerCount(id), "waiting call %s answered before the quick call", id)
	}
	r := p.toolResultOf("get_run", m)
	assert.False(t, r.IsError, r.text())
	assert.Contains(t, r.text(), other.RunID)
	assert.Equal(t, 0, p.close())
}
