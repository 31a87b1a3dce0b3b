package tools

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func runIDsOf(t *testing.T, list any) []string {
	t.Helper()
	items, ok := list.([]any)
	require.True(t, ok, "%T", list)
	out := []string{}
	for _, it := range items {
		m := it.(map[string]any)
		id, _ := m["run_id"].(string)
		if id == "" {
			id, _ = m["workflow_run_id"].(string)
		}
		out = append(out, id)
	}
	return out
}

func TestRunListAndRetryTools(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	def := map[string]any{"title": "Tool runs", "workflow_definition": map[string]any{
		"parameters":         []any{map[string]any{"parameter_type": "workflow", "key": "city", "workflow_parameter_type": "string"}},
		"blocks":             []any{map[string]any{"block_type": "task", "label": "open", "url": "https://example.com", "navigation_goal": "Open {{city}}"}},
		"error_code_mapping": map[string]any{"CITY_UNKNOWN": "The city does not exist"},
	}}
	wf := h.structured(h.call("create_workflow", map[string]any{"json_definition": def}, nil))
	wpid := wf["workflow_permanent_id"].(string)
	ok := h.structured(h.call("run_workflow", map[string]any{"workflow_id": wpid, "parameters": map[string]any{"city": "Lima"}, "wait_for_completion": true}, nil))
	time.Sleep(2 * time.Millisecond)
	bad := h.structured(h.call("run_workflow", map[string]any{"workflow_id": wpid, "parameters": map[string]any{"city": "Atlantis [sandbox:fail]"}, "wait_for_completion": true}, nil))
	require.Equal(t, "failed", bad["status"])
	time.Sleep(2 * time.Millisecond)
	task := h.structured(h.call("run_task", map[string]any{"prompt": "x", "title": "plain task", "engine": "skyvern-1.0", "wait_for_completion": true}, nil))

	all := h.structured(h.call("get_runs_v2", map[string]any{}, nil))
	assert.Equal(t, []string{task["run_id"].(string), bad["run_id"].(string), ok["run_id"].(string)}, runIDsOf(t, all["runs"]))
	assert.EqualValues(t, 3, all["count"])
	assert.EqualValues(t, 10, all["page_size"])
	failed := h.structured(h.call("get_runs_v2", map[string]any{"status": []any{"failed"}, "run_type": []any{"workflow_run"}}, nil))
	assert.Equal(t, []string{bad["run_id"].(string)}, runIDsOf(t, failed["runs"]))
	byTitle := h.structured(h.call("get_runs_v2", map[string]any{"search_key": "plain"}, nil))
	assert.Equal(t, []string{task["run_id"].(string)}, runIDsOf(t, byTitle["runs"]))

	wrs := h.structured(h.call("get_workflow_runs", map[string]any{"error_code": "CITY_UNKNOWN"}, nil))
	assert.Equal(t, []string{bad["run_id"].(string)}, runIDsOf(t, wrs["workflow_runs"]))
	first := wrs["workflow_runs"].([]any)[0].(map[string]any)
	assert.Equal(t, wpid, first["workflow_permanent_id"])
	assert.Equal(t, "Tool runs", first["workflow_title"])
	assert.NotEmpty(t, first["failure_reason"])
	lima := h.structured(h.call("get_workflow_runs", map[string]any{"search_key": "lima"}, nil))
	assert.Equal(t, []string{ok["run_id"].(string)}, runIDsOf(t, lima["workflow_runs"]))

	mine := h.structured(h.call("get_workflow_runs_by_id", map[string]any{"workflow_id": wpid, "page_size": 1, "page": 2}, nil))
	assert.Equal(t, []string{ok["run_id"].(string)}, runIDsOf(t, mine["workflow_runs"]))
	assert.Empty(t, mine["message"])
	future := time.Now().Add(time.Hour).UTC().Format(time.RFC3339)
	none := h.structured(h.call("get_workflow_runs_by_id", map[string]any{"workflow_id": wpid, "created_at_start": future}, nil))
	assert.EqualValues(t, 0, none["count"])
	assert.Contains(t, none["message"], "wpid_")

	re := h.structured(h.call("retry_workflow_run", map[string]any{"workflow_run_id": bad["run_id"]}, nil))
	newID := re["run_id"].(string)
	assert.True(t, strings.HasPrefix(newID, "wr_"))
	assert.NotEqual(t, bad["run_id"], newID)
	assert.Contains(t, re["message"], bad["run_id"])
	assert.Contains(t, re["message"], "get_run")
	assert.Equal(t, map[string]any{"city": "Atlantis [sandbox:fail]"}, re["run_request"].(map[string]any)["parameters"])
	assert.Equal(t, 1, h.sandbox.Calls("POST", "/v1/agents/runs/{workflow_run_id}/retry"))

	// Skyvern's 404 keeps its status and detail.
	res := h.call("retry_workflow_run", map[string]any{"workflow_run_id": "wr_404"}, nil)
	require.True(t, res.IsError)
	assert.Contains(t, text(res), "HTTP 404")
	assert.Contains(t, text(res), "Workflow run wr_404 not found")

	slow := h.structured(h.call("run_task", map[string]any{"prompt": "slow [sandbox:slow]"}, nil))
	cancel := h.structured(h.call("bulk_cancel_runs", map[string]any{"run_ids": []any{slow["run_id"], ok["run_id"], task["run_id"]}}, nil))
	assert.Equal(t, []any{slow["run_id"], ok["run_id"]}, cancel["cancelled"], "an ended workflow run counts as cancelled")
	assert.Equal(t, []any{task["run_id"]}, cancel["failed"], "an ended task run cannot be canceled")
	assert.Equal(t, "2 cancelled, 1 not cancelled.", cancel["message"])
	got := h.structured(h.call("get_run", map[string]any{"run_id": slow["run_id"]}, nil))
	assert.Equal(t, "canceled", got["status"])
	got = h.structured(h.call("get_run", map[string]any{"run_id": ok["run_id"]}, nil))
	assert.Equal(t, "completed", got["status"], "and keeps its status")
}

// cancel_run says what Skyvern did to a run that had ended, by run type
// (run_service.cancel_run): a task run (tsk_) is refused, a workflow run
// stays as it is, a skyvern-2.0 task is marked canceled.
func TestCancelRunOfEndedRunSaysWhatSkyvernDid(t *testing.T) {
	// unchecked: Skyvern's 400 and 500 for cancel_run are not in its spec.
	h := newHarness(t, harnessOpts{unchecked: true, runDuration: -1})
	task := h.structured(h.call("run_task", map[string]any{"prompt": "x", "engine": "skyvern-1.0"}, nil))
	res := h.call("cancel_run", map[string]any{"run_id": task["run_id"]}, nil)
	require.True(t, res.IsError)
	assert.Equal(t, "cancel_run: run "+task["run_id"].(string)+" had already ended (completed), so there was nothing to cancel: Skyvern refused with HTTP 400 (Bad Request): "+
		"Invalid task status transition from completed to canceled for "+task["run_id"].(string), text(res))

	timedOut := h.structured(h.call("run_task", map[string]any{"prompt": "[sandbox:timeout]", "engine": "skyvern-1.0"}, nil))
	res = h.call("cancel_run", map[string]any{"run_id": timedOut["run_id"]}, nil)
	require.True(t, res.IsError)
	assert.Contains(t, text(res), "had already ended (timed_out)")
	assert.Contains(t, text(res), "HTTP 500 (Internal Server Error): Unexpected error: TaskAlreadyTimeout")

	wf := h.structured(h.call("create_workflow", map[string]any{"json_definition": map[string]any{"title": "t", "workflow_definition": map[string]any{
		"parameters": []any{}, "blocks": []any{map[string]any{"block_type": "navigation", "label": "go", "navigation_goal": "Open"}}}}}, nil))
	wr := h.structured(h.call("run_workflow", map[string]any{"workflow_id": wf["workflow_permanent_id"]}, nil))
	ok := h.structured(h.call("cancel_run", map[string]any{"run_id": wr["run_id"]}, nil))
	assert.Equal(t, "Run "+wr["run_id"].(string)+" had already ended (completed); Skyvern leaves a finished workflow run as it is, so nothing was canceled.", ok["message"])

	v2 := h.structured(h.call("run_task", map[string]any{"prompt": "x", "engine": "skyvern-2.0"}, nil))
	ok = h.structured(h.call("cancel_run", map[string]any{"run_id": v2["run_id"]}, nil))
	assert.Equal(t, "Run "+v2["run_id"].(string)+" is canceled.", ok["message"])

	// Any other error is Skyvern's, as it is.
	res = h.call("cancel_run", map[string]any{"run_id": "tsk_404"}, nil)
	require.True(t, res.IsError)
	assert.Contains(t, text(res), "HTTP 404")
	assert.Contains(t, text(res), "Run not found tsk_404")
}

// Skyvern's get_run_artifacts answers [] for an unknown run; the tool checks
// the run then, so a wrong ID is a 404, not "no artifacts".
func TestGetRunArtifactsOfUnknownRunIs404(t *testing.T) {
	h := newHarness(t, harnessOpts{runDuration: time.Minute})
	res := h.call("get_run_artifacts", map[string]any{"run_id": "tsk_404"}, nil)
	require.True(t, res.IsError)
	assert.Contains(t, text(res), "HTTP 404")
	assert.Contains(t, text(res), "Task run not found tsk_404")
	run := h.structured(h.call("run_task", map[string]any{"prompt": "x"}, nil))
	got := h.structured(h.call("get_run_artifacts", map[string]any{"run_id": run["run_id"]}, nil))
	assert.EqualValues(t, 0, got["count"], "a run not yet running has none, and says so")
}
