package tools

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/client/transport"
	"github.com/mark3labs/mcp-go/mcp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// startTask calls a tool with the task parameter and returns the task.
func (h *harness) startTask(name string, args map[string]any, ttl *int64) mcp.Task {
	h.t.Helper()
	params := map[string]any{"name": name, "arguments": args, "task": map[string]any{}}
	if ttl != nil {
		params["task"] = map[string]any{"ttl": *ttl}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	resp, err := h.mcp.GetTransport().SendRequest(ctx, transport.JSONRPCRequest{
		JSONRPC: mcp.JSONRPC_VERSION, ID: mcp.NewRequestId(int64(time.Now().UnixNano())), Method: "tools/call", Params: params,
	})
	require.NoError(h.t, err)
	require.Nil(h.t, resp.Error, "tools/call with task: %+v", resp.Error)
	var res mcp.CreateTaskResult
	require.NoError(h.t, json.Unmarshal(resp.Result, &res), string(resp.Result))
	require.NotEmpty(h.t, res.Task.TaskId, string(resp.Result))
	return res.Task
}

func (h *harness) getTask(id string) (mcp.Task, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req := mcp.GetTaskRequest{}
	req.Params.TaskId = id
	res, err := h.mcp.GetTask(ctx, req)
	if err != nil {
		return mcp.Task{}, err
	}
	return res.Task, nil
}

var stepRE = regexp.MustCompile(`Skyvern run (\S+) is (\w+), step (\d+)`)

// followTask polls tasks/get until the task is terminal, returning the
// statuses and messages seen.
func (h *harness) followTask(id string) (final mcp.Task, messages []string) {
	h.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		task, err := h.getTask(id)
		require.NoError(h.t, err)
		if task.Status.IsTerminal() {
			return task, messages
		}
		require.Equal(h.t, mcp.TaskStatusWorking, task.Status)
		if task.StatusMessage != "" && (len(messages) == 0 || messages[len(messages)-1] != task.StatusMessage) {
			messages = append(messages, task.StatusMessage)
		}
		time.Sleep(20 * time.Millisecond)
	}
	h.t.Fatal("task did not end")
	return
}

// taskProtocol is the protocol revision that has tasks/result (2026-07-28
// removed it).
const taskProtocol = "2025-11-25"

func taskOpts() *TaskOptions { return &TaskOptions{TTL: time.Hour, MaxTasks: 8} }

func TestTaskSupportDeclared(t *testing.T) {
	h := newHarness(t, harnessOpts{tasks: taskOpts(), protocol: taskProtocol})
	res, err := h.mcp.ListTools(context.Background(), mcp.ListToolsRequest{})
	require.NoError(t, err)
	n := 0
	for _, tool := range res.Tools {
		if SupportsTasks(tool.Name) {
			n++
			require.NotNil(t, tool.Execution, tool.Name)
			require.Equal(t, mcp.TaskSupportOptional, tool.Execution.TaskSupport, tool.Name)
		} else {
			require.Nil(t, tool.Execution, tool.Name)
		}
	}
	require.Equal(t, 4, n)
}

func TestTaskRunTaskCompletes(t *testing.T) {
	h := newHarness(t, harnessOpts{runDuration: 1500 * time.Millisecond, tasks: taskOpts(), protocol: taskProtocol})
	task := h.startTask("run_task", map[string]any{"prompt": "find the price"}, nil)
	require.Equal(t, mcp.TaskStatusWorking, task.Status)
	require.NotNil(t, task.TTL)
	require.Equal(t, time.Hour.Milliseconds(), *task.TTL, "default TTL applied")

	final, messages := h.followTask(task.TaskId)
	require.Equal(t, mcp.TaskStatusCompleted, final.Status, final.StatusMessage)
	var runID string
	var steps []int
	for _, m := range messages {
		sm := stepRE.FindStringSubmatch(m)
		require.NotNil(t, sm, m)
		runID = sm[1]
		n, _ := strconv.Atoi(sm[3])
		steps = append(steps, n)
	}
	require.NotEmpty(t, runID)
	require.GreaterOrEqual(t, len(steps), 2, "status messages: %v", messages)
	for i := 1; i < len(steps); i++ {
		require.GreaterOrEqual(t, steps[i], steps[i-1])
	}
	require.Greater(t, steps[len(steps)-1], steps[0], "step count rises: %v", messages)

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	rreq := mcp.TaskResultRequest{}
	rreq.Params.TaskId = task.TaskId
	res, err := h.mcp.TaskResult(ctx, rreq)
	require.NoError(t, err)
	require.False(t, res.IsError)
	b, _ := json.Marshal(res.StructuredContent)
	var run map[string]any
	require.NoError(t, json.Unmarshal(b, &run))
	require.Equal(t, "completed", run["status"])
	require.Equal(t, runID, run["run_id"])

	// The same run as get_run returns.
	got := h.structured(h.call("get_run", map[string]any{"run_id": runID}, nil))
	require.Equal(t, "completed", got["status"])

	// notifications/tasks/status: working updates with the run, then completed.
	assert.Eventually(t, func() bool {
		h.mu.Lock()
		defer h.mu.Unlock()
		working, completed := 0, 0
		for _, n := range h.notifications {
			if n.Method != string(mcp.MethodNotificationTasksStatus) || fmt.Sprint(n.Params.AdditionalFields["taskId"]) != task.TaskId {
				continue
			}
			switch fmt.Sprint(n.Params.AdditionalFields["status"]) {
			case "working":
				if strings.Contains(fmt.Sprint(n.Params.AdditionalFields["statusMessage"]), runID) {
					working++
				}
			case "completed":
				completed++
			}
		}
		return working >= 2 && completed == 1
	}, 5*time.Second, 20*time.Millisecond)
	if t.Failed() {
		t.Logf("notifications: %v", h.taskNotifications())
	}
}

func TestTaskRunFails(t *testing.T) {
	h := newHarness(t, harnessOpts{runDuration: 300 * time.Millisecond, tasks: taskOpts(), protocol: taskProtocol})
	task := h.startTask("run_task", map[string]any{"prompt": "do it [sandbox:fail]"}, nil)
	final, messages := h.followTask(task.TaskId)
	require.Equal(t, mcp.TaskStatusFailed, final.Status)
	require.NotEmpty(t, messages)
	runID := stepRE.FindStringSubmatch(messages[0])[1]
	run := h.structured(h.call("get_run", map[string]any{"run_id": runID}, nil))
	require.Equal(t, "failed", run["status"])
	reason, _ := run["failure_reason"].(string)
	require.NotEmpty(t, reason)
	require.Contains(t, final.StatusMessage, reason)

	rreq := mcp.TaskResultRequest{}
	rreq.Params.TaskId = task.TaskId
	_, err := h.mcp.TaskResult(context.Background(), rreq)
	require.Error(t, err)
	require.Contains(t, err.Error(), reason)
}

func TestTaskCancelCancelsRun(t *testing.T) {
	h := newHarness(t, harnessOpts{runDuration: 10 * time.Second, tasks: taskOpts(), protocol: taskProtocol})
	task := h.startTask("run_task", map[string]any{"prompt": "x"}, nil)
	var runID string
	require.Eventually(t, func() bool {
		got, err := h.getTask(task.TaskId)
		require.NoError(t, err)
		if sm := stepRE.FindStringSubmatch(got.StatusMessage); sm != nil {
			runID = sm[1]
		}
		return runID != ""
	}, 5*time.Second, 10*time.Millisecond)
	creq := mcp.CancelTaskRequest{}
	creq.Params.TaskId = task.TaskId
	res, err := h.mcp.CancelTask(context.Background(), creq)
	require.NoError(t, err)
	require.Equal(t, mcp.TaskStatusCancelled, res.Status)
	got, err := h.getTask(task.TaskId)
	require.NoError(t, err)
	require.Equal(t, mcp.TaskStatusCancelled, got.Status)
	run := h.structured(h.call("get_run", map[string]any{"run_id": runID}, nil))
	require.Equal(t, "canceled", run["status"])
}

func TestTaskTTLExpires(t *testing.T) {
	h := newHarness(t, harnessOpts{runDuration: 10 * time.Second, tasks: &TaskOptions{TTL: 400 * time.Millisecond}, protocol: taskProtocol})
	long := int64(time.Hour.Milliseconds())
	task := h.startTask("run_task", map[string]any{"prompt": "x"}, &long)
	require.NotNil(t, task.TTL)
	require.Equal(t, int64(400), *task.TTL, "the TTL is capped")
	var runID string
	require.Eventually(t, func() bool {
		got, err := h.getTask(task.TaskId)
		if err != nil {
			return false
		}
		if sm := stepRE.FindStringSubmatch(got.StatusMessage); sm != nil {
			runID = sm[1]
		}
		return runID != ""
	}, 2*time.Second, 10*time.Millisecond)
	require.Eventually(t, func() bool {
		_, err := h.getTask(task.TaskId)
		return err != nil && strings.Contains(err.Error(), "expired")
	}, 3*time.Second, 20*time.Millisecond)
	// An expired task stops being followed but does not cancel the run.
	run := h.structured(h.call("get_run", map[string]any{"run_id": runID}, nil))
	require.NotEqual(t, "canceled", run["status"])
}

func (h *harness) taskNotifications() []map[string]any {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []map[string]any
	for _, n := range h.notifications {
		if n.Method == string(mcp.MethodNotificationTasksStatus) {
			out = append(out, n.Params.AdditionalFields)
		}
	}
	return out
}

func TestTaskMaxConcurrent(t *testing.T) {
	h := newHarness(t, harnessOpts{runDuration: 10 * time.Second, tasks: &TaskOptions{TTL: time.Minute, MaxTasks: 1}, protocol: taskProtocol})
	first := h.startTask("run_task", map[string]any{"prompt": "x"}, nil)
	resp, err := h.mcp.GetTransport().SendRequest(context.Background(), transport.JSONRPCRequest{
		JSONRPC: mcp.JSONRPC_VERSION, ID: mcp.NewRequestId(int64(2)), Method: "tools/call",
		Params: map[string]any{"name": "run_task", "arguments": map[string]any{"prompt": "y"}, "task": map[string]any{}},
	})
	require.NoError(t, err)
	require.NotNil(t, resp.Error)
	require.Contains(t, resp.Error.Message, "max concurrent tasks")
	// A plain call still works while the task runs.
	out := h.structured(h.call("run_task", map[string]any{"prompt": "z"}, nil))
	require.NotEmpty(t, out["run_id"])
	creq := mcp.CancelTaskRequest{}
	creq.Params.TaskId = first.TaskId
	_, err = h.mcp.CancelTask(context.Background(), creq)
	require.NoError(t, err)
}
