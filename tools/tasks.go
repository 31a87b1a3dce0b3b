package tools

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/skyvern-mcp/skyvern-mcp/client"
)

// Task support (MCP 2025-11-25 tasks) for the run-starting tools run_task,
// run_workflow, login and download_files. They declare taskSupport
// "optional": a call without the task parameter behaves as before; a call
// with it returns a task at once (mcp-go's hybrid mode runs the ordinary
// handler in the background), and the handler then follows the Skyvern run
// until it is final.
//
// mcp-go has no API to change a working task's statusMessage or to tell a
// handler its task ID, so Tasks uses hooks: before tools/call it
// tags the request's _meta with a call token, after tools/call it learns the
// task ID from the CreateTaskResult, after tasks/get and tasks/list it
// writes the run's status into the working task's statusMessage, and before
// tasks/cancel it cancels the Skyvern run.

// taskCallMetaKey is the _meta key Tasks tags task-augmented calls with.
const taskCallMetaKey = "io.github.skyvern-mcp/task-call"

// taskPollInterval is the pollInterval suggested to clients, in ms.
const taskPollInterval = 1000

// TaskOptions configure task support.
type TaskOptions struct {
	// TTL is the task lifetime applied when the client asks for none, and
	// the longest one granted (0: the client's TTL, or none).
	TTL time.Duration
	// MaxTasks is the most tasks running at once (0: no limit).
	MaxTasks int
	// Observe, when set, receives each new status message of a task's
	// Skyvern run, with the task handler's context (shared task state,
	// --redis-url).
	Observe func(ctx context.Context, runID, message string)
}

// Tasks tracks task-augmented calls of the run tools.
type Tasks struct {
	opts TaskOptions

	mu     sync.Mutex
	next   uint64
	byCall map[string]*taskState // by call token
	byTask map[string]*taskState // by MCP task ID
}

type taskState struct {
	token, taskID, session string
	createdAt              string
	ttl                    *int64
	srv                    *server.MCPServer
	client                 *client.Client
	runID                  string
	status                 client.RunStatus
	message                string
	stop                   context.CancelFunc
	cancelRequested        bool
	runCancelled           bool
	done                   bool
}

// NewTasks returns task support with the given options.
func NewTasks(o TaskOptions) *Tasks {
	return &Tasks{opts: o, byCall: map[string]*taskState{}, byTask: map[string]*taskState{}}
}

// taskTools are the tools that support tasks.
var taskTools = map[string]bool{"run_task": true, "run_workflow": true, "login": true, "download_files": true}

// SupportsTasks reports whether the named tool declares task support.
func SupportsTasks(name string) bool { return taskTools[name] }

// ServerOptions returns the server options of task support. hooks are the
// server's hooks (add to them, WithHooks replaces).
func (t *Tasks) ServerOptions(hooks *server.Hooks) []server.ServerOption {
	hooks.AddBeforeCallTool(t.beforeCallTool)
	hooks.AddAfterCallTool(t.afterCallTool)
	hooks.AddOnError(t.onError)
	hooks.AddAfterGetTask(func(_ context.Context, _ any, _ *mcp.GetTaskRequest, res *mcp.GetTaskResult) {
		if res != nil {
			t.decorate(&res.Task)
		}
	})
	hooks.AddAfterListTasks(func(_ context.Context, _ any, _ *mcp.ListTasksRequest, res *mcp.ListTasksResult) {
		if res != nil {
			for i := range res.Tasks {
				t.decorate(&res.Tasks[i])
			}
		}
	})
	hooks.AddBeforeCancelTask(t.beforeCancelTask)
	hooks.AddOnUnregisterSession(func(_ context.Context, session server.ClientSession) {
		t.mu.Lock()
		defer t.mu.Unlock()
		for _, st := range t.byCall {
			if st.session == session.SessionID() && st.stop != nil {
				st.stop()
			}
		}
	})
	opts := []server.ServerOption{server.WithTaskCapabilities(true, true, true)}
	if t.opts.MaxTasks > 0 {
		opts = append(opts, server.WithMaxConcurrentTasks(t.opts.MaxTasks))
	}
	return opts
}

func callToken(req *mcp.CallToolRequest) string {
	if req.Params.Meta == nil || req.Params.Meta.AdditionalFields == nil {
		return ""
	}
	s, _ := req.Params.Meta.AdditionalFields[taskCallMetaKey].(string)
	return s
}

func (t *Tasks) beforeCallTool(ctx context.Context, _ any, req *mcp.CallToolRequest) {
	if req.Params.Meta != nil && req.Params.Meta.AdditionalFields != nil {
		delete(req.Params.Meta.AdditionalFields, taskCallMetaKey) // never trust the client's
	}
	if req.Params.Task == nil || !taskTools[req.Params.Name] {
		return
	}
	if t.opts.TTL > 0 {
		max := t.opts.TTL.Milliseconds()
		if req.Params.Task.TTL == nil || *req.Params.Task.TTL <= 0 || *req.Params.Task.TTL > max {
			req.Params.Task.TTL = &max
		}
	}
	t.mu.Lock()
	t.next++
	token := strconv.FormatUint(t.next, 10)
	t.byCall[token] = &taskState{token: token, session: sessionOf(ctx)}
	t.mu.Unlock()
	if req.Params.Meta == nil {
		req.Params.Meta = &mcp.Meta{}
	}
	if req.Params.Meta.AdditionalFields == nil {
		req.Params.Meta.AdditionalFields = map[string]any{}
	}
	req.Params.Meta.AdditionalFields[taskCallMetaKey] = token
}

func (t *Tasks) afterCallTool(_ context.Context, _ any, req *mcp.CallToolRequest, result any) {
	token := callToken(req)
	if token == "" {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	st := t.byCall[token]
	if st == nil {
		return
	}
	res, ok := result.(*mcp.CreateTaskResult)
	if !ok || st.done {
		delete(t.byCall, token)
		return
	}
	if res.Task.PollInterval == nil {
		res.Task.PollInterval = mcp.ToInt64Ptr(taskPollInterval)
	}
	st.taskID, st.createdAt, st.ttl = res.Task.TaskId, res.Task.CreatedAt, res.Task.TTL
	t.byTask[st.taskID] = st
}

func (t *Tasks) onError(_ context.Context, _ any, method mcp.MCPMethod, message any, _ error) {
	req, ok := message.(*mcp.CallToolRequest)
	if method != mcp.MethodToolsCall || !ok {
		return
	}
	if token := callToken(req); token != "" {
		t.mu.Lock()
		delete(t.byCall, token)
		t.mu.Unlock()
	}
}

// state returns the task state of a task-augmented call, or nil.
func (t *Tasks) state(req mcp.CallToolRequest) *taskState {
	if t == nil || req.Params.Task == nil {
		return nil
	}
	token := callToken(&req)
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.byCall[token]
}

// detach returns the context of a task's handler. mcp-go already runs a
// task's handler under a context detached from the tools/call request and
// ended by tasks/cancel and the task's TTL; this one also ends when the
// task's session ends (OnUnregisterSession).
func (t *Tasks) detach(ctx context.Context, st *taskState) context.Context {
	tctx, stop := context.WithCancel(ctx)
	t.mu.Lock()
	st.stop = stop
	t.mu.Unlock()
	return tctx
}

// finish forgets a task whose handler returned.
func (t *Tasks) finish(st *taskState) {
	t.mu.Lock()
	defer t.mu.Unlock()
	st.done = true
	if st.stop != nil {
		st.stop()
	}
	if st.taskID != "" {
		delete(t.byCall, st.token)
		delete(t.byTask, st.taskID)
	}
}

// decorate writes the run's status into a working task's statusMessage.
func (t *Tasks) decorate(task *mcp.Task) {
	if task.Status != mcp.TaskStatusWorking {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if st := t.byTask[task.TaskId]; st != nil {
		if st.message != "" {
			task.StatusMessage = st.message
		}
		if task.PollInterval == nil {
			task.PollInterval = mcp.ToInt64Ptr(taskPollInterval)
		}
	}
}

func (t *Tasks) beforeCancelTask(ctx context.Context, _ any, req *mcp.CancelTaskRequest) {
	t.mu.Lock()
	st := t.byTask[req.Params.TaskId]
	if st == nil || st.session != sessionOf(ctx) {
		t.mu.Unlock()
		return
	}
	st.cancelRequested = true
	// The task's context is not cancelled here: mcp-go cancels it right
	// after this hook, once it has marked the task cancelled. Cancelling it
	// first would let the handler end the task and make tasks/cancel fail
	// with "cannot cancel task in terminal status".
	runID, c := st.runID, st.client
	cancel := runID != "" && c != nil && !st.status.IsFinal() && !st.runCancelled
	st.runCancelled = st.runCancelled || cancel
	t.mu.Unlock()
	if cancel {
		cctx, stop := context.WithTimeout(context.WithoutCancel(ctx), 15*time.Second)
		defer stop()
		_ = c.CancelRun(cctx, runID)
	}
}

func sessionOf(ctx context.Context) string {
	if s := server.ClientSessionFromContext(ctx); s != nil {
		return s.SessionID()
	}
	return ""
}

// taskMessage is a working task's statusMessage: the run ID, Skyvern's
// status and the step count.
func taskMessage(r *client.Run) string {
	msg := fmt.Sprintf("Skyvern run %s is %s, step %d.", r.RunID, r.Status, r.Steps())
	if r.Status == client.RunStatusPaused {
		msg += " It waits for a human in Skyvern's UI (MCP input_required does not apply: Skyvern takes no input through this client), so the task stays working."
	}
	if r.AppURL != "" {
		msg += " Watch it at " + r.AppURL
	}
	return msg
}

// update records the run as seen and notifies the task's session when the
// status message changed.
func (st *taskState) update(t *Tasks, r *client.Run) {
	msg := taskMessage(r)
	t.mu.Lock()
	st.runID, st.status = r.RunID, r.Status
	changed := msg != st.message
	st.message = msg
	taskID, session, created, ttl, srv := st.taskID, st.session, st.createdAt, st.ttl, st.srv
	t.mu.Unlock()
	if !changed || taskID == "" || srv == nil || r.Status.IsFinal() {
		return
	}
	params := map[string]any{
		"taskId":        taskID,
		"status":        mcp.TaskStatusWorking,
		"statusMessage": msg,
		"createdAt":     created,
		"lastUpdatedAt": time.Now().UTC().Format(time.RFC3339),
	}
	if ttl != nil {
		params["ttl"] = *ttl
	}
	if session != "" {
		_ = srv.SendNotificationToSpecificClient(session, string(mcp.MethodNotificationTasksStatus), params)
	}
}

// taskEndError ends a task with an error (failed, or cancelled when it wraps
// context.Canceled) rather than a tool result.
type taskEndError struct{ err error }

func (e *taskEndError) Error() string { return e.err.Error() }
func (e *taskEndError) Unwrap() error { return e.err }

// followTask follows a run started by a task-augmented call until it is
// final, as wait_for_completion does without a timeout (the task's TTL
// bounds it).
func followTask(ctx context.Context, c *call, run *client.Run) (*RunResult, error) {
	t, st := c.deps.Tasks, c.task
	t.mu.Lock()
	st.client, st.srv = c.client, server.ServerFromContext(ctx)
	t.mu.Unlock()
	see := func(r *client.Run) {
		st.update(t, r)
		if t.opts.Observe != nil {
			t.opts.Observe(ctx, r.RunID, taskMessage(r))
		}
	}
	see(run)
	t.mu.Lock()
	cancelNow := st.cancelRequested && !st.runCancelled
	st.runCancelled = st.runCancelled || cancelNow
	t.mu.Unlock()
	if cancelNow {
		cctx, stop := context.WithTimeout(context.WithoutCancel(ctx), 15*time.Second)
		_ = c.client.CancelRun(cctx, run.RunID)
		stop()
	}
	final := run
	if !run.Status.IsFinal() {
		var err error
		final, err = followRun(ctx, c, run, 0, see)
		if ctx.Err() != nil {
			return nil, &taskEndError{fmt.Errorf("stopped following Skyvern run %s: %w", run.RunID, context.Canceled)}
		}
		if err != nil {
			return nil, &taskEndError{fmt.Errorf("run %s was started but following it failed: %s", run.RunID, c.deps.redact(describeError(err, c.client.BaseURL())))}
		}
	}
	see(final)
	switch final.Status {
	case client.RunStatusCompleted:
		return &RunResult{Run: final}, nil
	case client.RunStatusCanceled:
		t.mu.Lock()
		requested := st.cancelRequested
		t.mu.Unlock()
		if requested {
			// tasks/cancel cancelled this run; leave ending the task to
			// mcp-go, which does so right after its hook returns.
			select {
			case <-ctx.Done():
			case <-time.After(15 * time.Second):
			}
		}
		return nil, &taskEndError{fmt.Errorf("Skyvern run %s was canceled: %w", final.RunID, context.Canceled)}
	}
	return nil, &taskEndError{errors.New(finalMessage(final) + " Read the whole run with get_run.")}
}
