package e2etest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/skyvern-mcp/skyvern-mcp/client/sandbox"
)

// TestFaultInjectionSession runs one stdio session of the built binary while
// the sandbox injects latency, 5xx, 429 with Retry-After, dropped
// connections, truncated bodies, non-JSON bodies and 200 HTML error pages on
// runs, workflows and artifacts. Every call must end in a result (success
// or a clear isError) within a bound, no run may be started twice, a
// waiting run_task must ride out transient poll failures, and the server
// must still answer ping at the end.
func TestFaultInjectionSession(t *testing.T) {
	t.Parallel()
	sb, url := startSandbox(t, canaryKey, 1500*time.Millisecond)
	p := start(t, []string{"--base-url", url, "--request-timeout", "5"}, map[string]string{"SKYVERN_API_KEY": canaryKey})
	p.initialize()
	const bound = 20 * time.Second
	runTasks := 0
	runTask := func(args map[string]any) *toolResult {
		runTasks++
		return p.callTool("run_task", args, bound)
	}
	type run struct {
		RunID  string `json:"run_id"`
		Status string `json:"status"`
	}

	// 1. wait_for_completion survives transient GET failures while polling.
	// Poll 1 is retried inside the client through a 503, a 429 with
	// Retry-After and a dropped connection; poll 2 meets a truncated body,
	// then a 200 HTML page; poll 3 a 200 non-JSON body; poll 4 succeeds.
	for _, f := range []sandbox.Fault{
		{Status: 503, Times: 1},
		{Status: 429, RetryAfter: "1", Times: 1},
		{Drop: true, Times: 1},
		{Truncate: true, Times: 1},
		{HTML: true, Times: 1},
		{Status: 200, Body: "upstream exploded", ContentType: "text/plain", Times: 1},
	} {
		f.Method, f.Path = "GET", "/v1/runs/{run_id}"
		sb.AddFault(f)
	}
	start := time.Now()
	r := runTask(map[string]any{"prompt": "find the price", "wait_for_completion": true})
	var waited run
	r.structured(t, &waited)
	assert.Equal(t, "completed", waited.Status, "the wait rode out the poll failures")
	t.Logf("run_task with wait_for_completion through 6 GET faults: %s", time.Since(start).Round(time.Millisecond))
	sb.ClearFaults()

	// 2. Faults on the POST that starts a run: an error result, and the
	// POST is sent exactly once (never retried: a run costs money).
	for _, f := range []sandbox.Fault{
		{Status: 500},
		{Status: 503, RetryAfter: "1"},
		{Status: 429, RetryAfter: "2"},
		{Drop: true},
		{Truncate: true}, // processed by the sandbox: the run exists, the answer is lost
		{HTML: true},
		{Status: 200, Body: "<<not json>>", ContentType: "application/json"},
		{Latency: 200 * time.Millisecond, Status: 502, HTML: true},
	} {
		f.Method, f.Path, f.Times = "POST", "/v1/run/tasks", 1
		sb.AddFault(f)
		before := sb.Calls("POST", "/v1/run/tasks")
		r := runTask(map[string]any{"prompt": "buy one item"})
		assert.True(t, r.IsError, "fault %+v", f)
		assert.Equal(t, before+1, sb.Calls("POST", "/v1/run/tasks"), "a run-starting POST is sent once: fault %+v", f)
		if f.Status == 429 {
			assert.Contains(t, r.text(), "wait 2 seconds")
		}
		if f.Status >= 500 && !f.HTML {
			assert.Contains(t, r.text(), "not retried")
		}
	}
	sb.ClearFaults()

	// 3. Workflows: GET faults are retried; POST faults are reported.
	wf := map[string]any{"title": "fault wf", "workflow_definition": map[string]any{
		"parameters": []any{},
		"blocks":     []any{map[string]any{"block_type": "navigation", "label": "open", "url": "https://example.com", "navigation_goal": "open it"}},
	}}
	r = p.callTool("create_workflow", map[string]any{"json_definition": wf}, bound)
	var created struct {
		WorkflowPermanentID string `json:"workflow_permanent_id"`
	}
	r.structured(t, &created)
	wpid := created.WorkflowPermanentID
	sb.AddFault(sandbox.Fault{Method: "GET", Path: "/v1/agents/{workflow_permanent_id}", Status: 503, RetryAfter: "1", Times: 1})
	sb.AddFault(sandbox.Fault{Method: "GET", Path: "/v1/agents/{workflow_permanent_id}", Drop: true, Times: 1})
	assert.False(t, p.callTool("get_workflow", map[string]any{"workflow_permanent_id": wpid}, bound).IsError, "GET retried through 503 and a dropped connection")
	sb.AddFault(sandbox.Fault{Method: "GET", Path: "/v1/agents", HTML: true})
	r = p.callTool("get_workflows", map[string]any{}, bound)
	assert.True(t, r.IsError)
	assert.Contains(t, r.text(), "not the expected JSON")
	sb.ClearFaults()
	for _, f := range []sandbox.Fault{{Status: 500}, {Truncate: true}, {Status: 200, Body: "oops", ContentType: "text/plain"}, {Drop: true}} {
		f.Method, f.Path, f.Times = "POST", "/v1/run/agents", 1
		sb.AddFault(f)
		before := sb.Calls("POST", "/v1/run/agents")
		assert.True(t, p.callTool("run_workflow", map[string]any{"workflow_id": wpid}, bound).IsError, "run_workflow with %+v", f)
		assert.Equal(t, before+1, sb.Calls("POST", "/v1/run/agents"), "run_workflow POST sent once with %+v", f)
	}
	sb.ClearFaults()

	// 4. Artifacts: listing and content through faults.
	sb.AddFault(sandbox.Fault{Method: "GET", Path: "/v1/runs/{run_id}/artifacts", Drop: true, Times: 1})
	sb.AddFault(sandbox.Fault{Method: "GET", Path: "/v1/runs/{run_id}/artifacts", Status: 504, Times: 1})
	r = p.callTool("get_run_artifacts", map[string]any{"run_id": waited.RunID}, bound)
	var arts struct {
		Artifacts []struct {
			ArtifactID   string `json:"artifact_id"`
			ArtifactType string `json:"artifact_type"`
		} `json:"artifacts"`
	}
	r.structured(t, &arts)
	require.NotEmpty(t, arts.Artifacts)
	for _, f := range []sandbox.Fault{
		{Truncate: true, Times: 4}, // every attempt truncated: an error result
		{Latency: 300 * time.Millisecond, Times: 1},
		{Status: 500, Times: 4},
		{HTML: true, Status: 502, Times: 1},
		{Drop: true, Times: 1},
	} {
		f.Method, f.Path = "GET", "/v1/artifacts/{artifact_id}/content"
		sb.AddFault(f)
		for _, a := range arts.Artifacts {
			if a.ArtifactType == "screenshot_final" || a.ArtifactType == "html_scrape" {
				p.callTool("get_artifact", map[string]any{"artifact_id": a.ArtifactID}, bound)
				m := p.request("resources/read", map[string]any{"uri": "skyvern://artifacts/" + a.ArtifactID}, bound)
				if m.Error != nil {
					assert.NotEmpty(t, m.Error.Message)
				}
			}
		}
		sb.ClearFaults()
	}

	// 5. A get_run that can never succeed ends with a clear error, bounded.
	sb.AddFault(sandbox.Fault{Method: "GET", Path: "/v1/runs/{run_id}", Status: 503})
	start = time.Now()
	r = p.callTool("get_run", map[string]any{"run_id": waited.RunID}, bound)
	assert.True(t, r.IsError)
	assert.Contains(t, r.text(), "503")
	assert.Less(t, time.Since(start), 10*time.Second)
	sb.ClearFaults()

	// The server is still up and answers at once; no run started twice.
	assert.Less(t, p.ping(5*time.Second), time.Second)
	assert.Equal(t, runTasks, sb.Calls("POST", "/v1/run/tasks"), "each run_task sent its POST exactly once")
	assert.Equal(t, 0, p.close())
	assert.NotContains(t, p.stderr.String(), "panic")
}
