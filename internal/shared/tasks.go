package shared

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"sort"
	"strconv"
	"sync"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"
	"github.com/redis/go-redis/v9"
)

// Task keys: <prefix>t:<task ID>, a hash
//
//	sess  session ID          st   status (MCP task status)
//	msg   status message      ca   createdAt   ua  lastUpdatedAt
//	ttl   ms ("" for none)    run  Skyvern run ID, once known
//	res   final CallToolResult JSON (completed)
//	code  JSON-RPC error code (failed, cancelled)   tool  the run tool
//
// expiring with the task's TTL (DefaultTaskTTL without one);
// <prefix>ts:<session ID>, a sorted set of the session's task IDs; and
// <prefix>tl:<task ID>, the lease of the replica following the task.

// FollowFunc follows a Skyvern run (already started) until it is final and
// returns what the run tool's task ends with: the tool result, or an error
// (wrapping context.Canceled when following was stopped). observe receives
// each new status message. ctx carries the caller of the request that
// triggered the takeover (its key, when callers bring their own).
type FollowFunc func(ctx context.Context, tool, runID string, observe func(ctx context.Context, runID, message string)) (*mcp.CallToolResult, error)

// CancelRunFunc cancels a Skyvern run with the client of ctx's caller.
type CancelRunFunc func(ctx context.Context, runID string) error

// TaskOptions configure shared tasks.
type TaskOptions struct {
	// Follow takes over the following of a run whose replica went away.
	Follow FollowFunc
	// CancelRun cancels a run whose task nobody follows any more.
	CancelRun CancelRunFunc
	// PollInterval is the pollInterval published (ms; default 1000).
	PollInterval int64
}

// Tasks serves MCP tasks from Redis. Create it with Store.Tasks.
type Tasks struct {
	s   *Store
	o   TaskOptions
	srv *server.MCPServer

	mu    sync.Mutex
	local map[string]follower // tasks this replica follows (takeovers)
	owned map[string]string   // tasks run by this replica's mcp-go -> session
}

// Tasks returns the store's task support (one per store).
func (s *Store) Tasks(o TaskOptions) *Tasks {
	if o.PollInterval <= 0 {
		o.PollInterval = 1000
	}
	t := &Tasks{s: s, o: o, local: map[string]follower{}, owned: map[string]string{}}
	s.tasks = t
	s.OnMessage(t.onMessage)
	return t
}

// SetServer gives the MCP server whose tasks this replica runs (for
// cancellations arriving from other replicas).
func (t *Tasks) SetServer(srv *server.MCPServer) { t.srv = srv }

// follower is a task this replica took over: ctx carries the caller whose
// request triggered the takeover (its key, for cancelling the run).
type follower struct {
	ctx  context.Context
	stop context.CancelFunc
}

type slotKey struct{}

// slot carries a tools/call request's task ID from the task-created hook
// to the tool middleware (both see the request's context values).
type slot struct {
	mu     sync.Mutex
	taskID string
}

// WithSlot prepares ctx (an HTTP request's) for a possible task.
func WithSlot(ctx context.Context) context.Context {
	return context.WithValue(ctx, slotKey{}, &slot{})
}

func taskIDOf(ctx context.Context) string {
	if sl, ok := ctx.Value(slotKey{}).(*slot); ok {
		sl.mu.Lock()
		defer sl.mu.Unlock()
		return sl.taskID
	}
	return ""
}

func now() string { return time.Now().UTC().Format(time.RFC3339) }

// TaskHooks records each task mcp-go creates.
func (t *Tasks) TaskHooks() *server.TaskHooks {
	h := &server.TaskHooks{}
	h.AddOnTaskCreated(func(ctx context.Context, m server.TaskMetrics) {
		sl, ok := ctx.Value(slotKey{}).(*slot)
		if !ok || m.SessionID == "" {
			return
		}
		sl.mu.Lock()
		sl.taskID = m.TaskID
		sl.mu.Unlock()
		t.mu.Lock()
		t.owned[m.TaskID] = m.SessionID
		t.mu.Unlock()
		bg := context.WithoutCancel(ctx)
		k := t.s.key("t", m.TaskID)
		_, err := t.s.rdb.TxPipelined(bg, func(p redis.Pipeliner) error {
			p.HSet(bg, k, "sess", m.SessionID, "st", string(mcp.TaskStatusWorking), "ca", m.CreatedAt.UTC().Format(time.RFC3339), "ua", now(), "ttl", "", "tool", m.ToolName)
			p.PExpire(bg, k, DefaultTaskTTL)
			p.Set(bg, t.s.key("tl", m.TaskID), t.s.replica, LeaseTTL)
			p.ZAdd(bg, t.s.key("ts", m.SessionID), redis.Z{Score: float64(m.CreatedAt.UnixMilli()), Member: m.TaskID})
			p.PExpire(bg, t.s.key("ts", m.SessionID), DefaultTaskTTL)
			return nil
		})
		if err != nil {
			t.s.log.Warn().Err(err).Str("task", m.TaskID).Msg("task not recorded in Redis")
		}
	})
	return h
}

// Middleware wraps each tool handler: a task-augmented call records its
// TTL, holds the task's lease while it runs and stores its end in Redis.
func (t *Tasks) Middleware() server.ToolHandlerMiddleware {
	return func(next server.ToolHandlerFunc) server.ToolHandlerFunc {
		return func(ctx context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
			id := ""
			if req.Params.Task != nil {
				id = taskIDOf(ctx)
			}
			if id == "" {
				return next(ctx, req)
			}
			bg := context.WithoutCancel(ctx)
			if ttl := req.Params.Task.TTL; ttl != nil && *ttl > 0 {
				k := t.s.key("t", id)
				t.s.rdb.HSet(bg, k, "ttl", strconv.FormatInt(*ttl, 10))
				t.s.rdb.PExpire(bg, k, time.Duration(*ttl)*time.Millisecond)
			}
			stop := t.hold(id)
			res, err := next(ctx, req)
			// The end is recorded before the lease goes: a task seen
			// working without a lease is one whose replica went away.
			t.end(bg, id, res, err)
			stop()
			t.mu.Lock()
			delete(t.owned, id)
			t.mu.Unlock()
			return res, err
		}
	}
}

// Observe records a task's run and status message (tools.TaskOptions.Observe).
func (t *Tasks) Observe(ctx context.Context, runID, message string) {
	id := taskIDOf(ctx)
	if id == "" {
		return
	}
	t.observe(context.WithoutCancel(ctx), id, runID, message)
}

func (t *Tasks) observe(ctx context.Context, id, runID, message string) {
	_ = setIfWorking.Run(ctx, t.s.rdb, []string{t.s.key("t", id)}, "run", runID, "msg", message, "ua", now()).Err()
}

// hold keeps the task's lease until stop.
func (t *Tasks) hold(id string) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	k := t.s.key("tl", id)
	go func() {
		defer close(done)
		tick := time.NewTicker(LeaseTTL / 3)
		defer tick.Stop()
		for {
			t.s.rdb.Set(ctx, k, t.s.replica, LeaseTTL)
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
		}
	}()
	return func() {
		cancel()
		<-done
		_ = releaseLease.Run(context.Background(), t.s.rdb, []string{k}, t.s.replica).Err()
	}
}

// setIfWorking sets fields of a task still working; 1 when set, 0 when the
// task already ended, -1 when it is unknown.
var setIfWorking = redis.NewScript(`
local st = redis.call('HGET', KEYS[1], 'st')
if not st then return -1 end
if st ~= 'working' and st ~= 'input_required' then return 0 end
redis.call('HSET', KEYS[1], unpack(ARGV))
return 1`)

var releaseLease = redis.NewScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`)

// end records how a task ended, unless it already had (cancelled).
func (t *Tasks) end(ctx context.Context, id string, res *mcp.CallToolResult, err error) {
	k := []string{t.s.key("t", id)}
	switch {
	case err != nil && (errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)):
		setIfWorking.Run(ctx, t.s.rdb, k, "st", string(mcp.TaskStatusCancelled), "msg", err.Error(), "ua", now(), "code", strconv.Itoa(mcp.REQUEST_INTERRUPTED))
	case err != nil:
		setIfWorking.Run(ctx, t.s.rdb, k, "st", string(mcp.TaskStatusFailed), "msg", err.Error(), "ua", now(), "code", strconv.Itoa(mcp.INTERNAL_ERROR))
	case res == nil:
		setIfWorking.Run(ctx, t.s.rdb, k, "st", string(mcp.TaskStatusFailed), "msg", "the tool returned no result", "ua", now(), "code", strconv.Itoa(mcp.INTERNAL_ERROR))
	default:
		b, merr := json.Marshal(res)
		if merr != nil {
			setIfWorking.Run(ctx, t.s.rdb, k, "st", string(mcp.TaskStatusFailed), "msg", "encoding the result: "+merr.Error(), "ua", now(), "code", strconv.Itoa(mcp.INTERNAL_ERROR))
			return
		}
		setIfWorking.Run(ctx, t.s.rdb, k, "st", string(mcp.TaskStatusCompleted), "res", string(b), "ua", now())
	}
}

// record is one task as stored.
type record map[string]string

func (r record) task(id string, poll int64) mcp.Task {
	tk := mcp.Task{TaskId: id, Status: mcp.TaskStatus(r["st"]), StatusMessage: r["msg"], CreatedAt: r["ca"], LastUpdatedAt: r["ua"]}
	if v, err := strconv.ParseInt(r["ttl"], 10, 64); err == nil {
		tk.TTL = &v
	}
	if !tk.Status.IsTerminal() {
		tk.PollInterval = &poll
	}
	return tk
}

func (t *Tasks) load(ctx context.Context, id, session string) (record, error) {
	r, err := t.s.rdb.HGetAll(ctx, t.s.key("t", id)).Result()
	if err != nil {
		return nil, err
	}
	if len(r) == 0 || r["sess"] != session {
		return nil, nil
	}
	return r, nil
}

// rpc is the JSON-RPC envelope of a tasks/* request.
type rpc struct {
	ID     json.RawMessage `json:"id"`
	Method string          `json:"method"`
	Params struct {
		TaskID string  `json:"taskId"`
		Cursor *string `json:"cursor"`
	} `json:"params"`
}

// IsTaskMethod reports whether method is one Serve answers.
func IsTaskMethod(method string) bool {
	switch mcp.MCPMethod(method) {
	case mcp.MethodTasksGet, mcp.MethodTasksList, mcp.MethodTasksResult, mcp.MethodTasksCancel:
		return true
	}
	return false
}

// Serve answers a tasks/get, tasks/list, tasks/result or tasks/cancel
// request of session (body is the JSON-RPC request) from Redis, taking over
// a task whose replica went away. r's context carries the caller.
func (t *Tasks) Serve(w http.ResponseWriter, r *http.Request, body []byte, session string) {
	var m rpc
	if err := json.Unmarshal(body, &m); err != nil || len(m.ID) == 0 {
		writeRPC(w, m.ID, nil, mcp.INVALID_REQUEST, "invalid request")
		return
	}
	ctx := r.Context()
	if mcp.MCPMethod(m.Method) == mcp.MethodTasksList {
		tasks, err := t.list(ctx, session)
		if err != nil {
			writeRPC(w, m.ID, nil, mcp.INTERNAL_ERROR, "reading tasks: "+err.Error())
			return
		}
		writeRPC(w, m.ID, mcp.ListTasksResult{Tasks: tasks}, 0, "")
		return
	}
	if m.Params.TaskID == "" {
		writeRPC(w, m.ID, nil, mcp.INVALID_PARAMS, "taskId is required")
		return
	}
	rec, err := t.load(ctx, m.Params.TaskID, session)
	if err != nil {
		writeRPC(w, m.ID, nil, mcp.INTERNAL_ERROR, "reading the task: "+err.Error())
		return
	}
	if rec == nil {
		writeRPC(w, m.ID, nil, mcp.INVALID_PARAMS, "task not found")
		return
	}
	id := m.Params.TaskID
	switch mcp.MCPMethod(m.Method) {
	case mcp.MethodTasksGet:
		if t.adopt(ctx, id, rec) {
			rec, _ = t.load(ctx, id, session)
		}
		writeRPC(w, m.ID, mcp.NewGetTaskResult(rec.task(id, t.o.PollInterval)), 0, "")
	case mcp.MethodTasksCancel:
		t.cancel(w, r, m.ID, id, session, rec)
	case mcp.MethodTasksResult:
		for !mcp.TaskStatus(rec["st"]).IsTerminal() {
			t.adopt(ctx, id, rec)
			select {
			case <-ctx.Done():
				writeRPC(w, m.ID, nil, mcp.REQUEST_INTERRUPTED, ctx.Err().Error())
				return
			case <-time.After(200 * time.Millisecond):
			}
			if rec, err = t.load(ctx, id, session); err != nil || rec == nil {
				writeRPC(w, m.ID, nil, mcp.INVALID_PARAMS, "task not found")
				return
			}
		}
		if mcp.TaskStatus(rec["st"]) != mcp.TaskStatusCompleted {
			code, _ := strconv.Atoi(rec["code"])
			if code == 0 {
				code = mcp.INTERNAL_ERROR
			}
			writeRPC(w, m.ID, nil, code, rec["msg"])
			return
		}
		var res map[string]any
		if err := json.Unmarshal([]byte(rec["res"]), &res); err != nil {
			writeRPC(w, m.ID, nil, mcp.INTERNAL_ERROR, "reading the result: "+err.Error())
			return
		}
		meta, _ := res["_meta"].(map[string]any)
		if meta == nil {
			meta = map[string]any{}
		}
		meta[mcp.RelatedTaskMetaKey] = mcp.RelatedTaskMeta(id)
		res["_meta"] = meta
		if _, ok := res["content"]; !ok {
			res["content"] = []any{}
		}
		writeRPC(w, m.ID, res, 0, "")
	}
}

func (t *Tasks) list(ctx context.Context, session string) ([]mcp.Task, error) {
	ids, err := t.s.rdb.ZRange(ctx, t.s.key("ts", session), 0, -1).Result()
	if err != nil {
		return nil, err
	}
	cmds := make([]*redis.MapStringStringCmd, len(ids))
	_, err = t.s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, id := range ids {
			cmds[i] = p.HGetAll(ctx, t.s.key("t", id))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	tasks := []mcp.Task{}
	for i, c := range cmds {
		rec := record(c.Val())
		if len(rec) == 0 || rec["sess"] != session {
			t.s.rdb.ZRem(ctx, t.s.key("ts", session), ids[i])
			continue
		}
		t.adopt(ctx, ids[i], rec)
		tasks = append(tasks, rec.task(ids[i], t.o.PollInterval))
	}
	sort.Slice(tasks, func(i, j int) bool { return tasks[i].TaskId < tasks[j].TaskId })
	return tasks, nil
}

// adopt takes over a working task whose lease lapsed (its replica went
// away): this replica follows its run from now on, with the caller of ctx.
// It reports whether it changed the task.
func (t *Tasks) adopt(ctx context.Context, id string, rec record) bool {
	if mcp.TaskStatus(rec["st"]).IsTerminal() || t.o.Follow == nil {
		return false
	}
	ok, err := t.s.rdb.SetNX(ctx, t.s.key("tl", id), t.s.replica, LeaseTTL).Result()
	if err != nil || !ok {
		return false
	}
	bg := context.WithoutCancel(ctx)
	// rec may be stale: the task can have ended, and its replica released
	// the lease, since it was read. Only a task still working is taken over.
	if st, err := t.s.rdb.HGet(bg, t.s.key("t", id), "st").Result(); err != nil || mcp.TaskStatus(st).IsTerminal() {
		_ = releaseLease.Run(bg, t.s.rdb, []string{t.s.key("tl", id)}, t.s.replica).Err()
		return false
	}
	runID := rec["run"]
	if runID == "" {
		// The run may or may not have started: never start it again.
		_ = releaseLease.Run(bg, t.s.rdb, []string{t.s.key("tl", id)}, t.s.replica).Err()
		n, _ := setIfWorking.Run(bg, t.s.rdb, []string{t.s.key("t", id)}, "st", string(mcp.TaskStatusFailed),
			"msg", "the server replica running this task stopped before its Skyvern run was recorded; look for the run with get_runs before starting it again",
			"ua", now(), "code", strconv.Itoa(mcp.INTERNAL_ERROR)).Int()
		return n == 1
	}
	t.s.log.Info().Str("task", id).Str("run_id", runID).Msg("taking over a task whose replica went away")
	fctx, cancel := context.WithCancel(bg)
	t.mu.Lock()
	t.local[id] = follower{ctx: bg, stop: cancel}
	t.mu.Unlock()
	go func() {
		defer cancel()
		stop := t.hold(id)
		res, err := t.o.Follow(fctx, rec["tool"], runID, func(_ context.Context, run, msg string) { t.observe(bg, id, run, msg) })
		t.end(bg, id, res, err)
		stop()
		t.mu.Lock()
		delete(t.local, id)
		t.mu.Unlock()
	}()
	return true
}

func (t *Tasks) cancel(w http.ResponseWriter, r *http.Request, rid json.RawMessage, id, session string, rec record) {
	ctx := r.Context()
	st := mcp.TaskStatus(rec["st"])
	if st.IsTerminal() {
		writeRPC(w, rid, nil, mcp.INVALID_PARAMS, "cannot cancel task in terminal status: "+string(st))
		return
	}
	held, _ := t.s.rdb.Exists(ctx, t.s.key("tl", id)).Result()
	n, err := setIfWorking.Run(ctx, t.s.rdb, []string{t.s.key("t", id)}, "st", string(mcp.TaskStatusCancelled),
		"msg", "Task cancelled by request", "ua", now(), "code", strconv.Itoa(mcp.REQUEST_INTERRUPTED)).Int()
	if err != nil || n != 1 {
		rec, _ = t.load(ctx, id, session)
		if rec != nil {
			writeRPC(w, rid, nil, mcp.INVALID_PARAMS, "cannot cancel task in terminal status: "+rec["st"])
			return
		}
		writeRPC(w, rid, nil, mcp.INVALID_PARAMS, "task not found")
		return
	}
	if held > 0 {
		// The replica following it cancels the run and stops.
		_ = t.s.publish(ctx, Message{Kind: "cancel", Task: id, Session: session})
	} else if rec["run"] != "" && t.o.CancelRun != nil {
		cctx, stop := context.WithTimeout(context.WithoutCancel(ctx), 15*time.Second)
		if err := t.o.CancelRun(cctx, rec["run"]); err != nil {
			t.s.log.Warn().Str("task", id).Str("run_id", rec["run"]).Msg("cancelling the run of an orphaned task failed")
		}
		stop()
	}
	rec, _ = t.load(ctx, id, session)
	if rec == nil {
		writeRPC(w, rid, nil, mcp.INVALID_PARAMS, "task not found")
		return
	}
	writeRPC(w, rid, mcp.NewCancelTaskResult(rec.task(id, t.o.PollInterval)), 0, "")
}

// onMessage acts on cancellations for the tasks this replica follows.
func (t *Tasks) onMessage(m Message) {
	if m.Kind != "cancel" {
		return
	}
	t.mu.Lock()
	f, followed := t.local[m.Task]
	session, owned := t.owned[m.Task]
	t.mu.Unlock()
	if followed {
		// A takeover: cancel the run with the client of the caller that
		// triggered it, then stop following.
		rec, _ := t.s.rdb.HGetAll(context.Background(), t.s.key("t", m.Task)).Result()
		if rec["run"] != "" && t.o.CancelRun != nil {
			go func() {
				ctx, cancel := context.WithTimeout(f.ctx, 15*time.Second)
				defer cancel()
				if err := t.o.CancelRun(ctx, rec["run"]); err != nil {
					t.s.log.Warn().Str("task", m.Task).Str("run_id", rec["run"]).Msg("cancelling a taken-over task's run failed")
				}
				f.stop()
			}()
		} else {
			f.stop()
		}
	}
	if owned && t.srv != nil {
		// mcp-go runs it here: cancel it as a local tasks/cancel would,
		// so the tools' hook cancels the Skyvern run with the task's client.
		go func() {
			ctx := t.srv.WithContext(context.Background(), &cancelSession{id: session})
			req, _ := json.Marshal(map[string]any{"jsonrpc": "2.0", "id": 1, "method": mcp.MethodTasksCancel, "params": map[string]any{"taskId": m.Task}})
			t.srv.HandleMessage(ctx, req)
		}()
	}
}

// cancelSession stands for a task's session when another replica cancels
// the task.
type cancelSession struct{ id string }

func (c *cancelSession) Initialize()                                         {}
func (c *cancelSession) Initialized() bool                                   { return true }
func (c *cancelSession) NotificationChannel() chan<- mcp.JSONRPCNotification { return nil }
func (c *cancelSession) SessionID() string                                   { return c.id }

func writeRPC(w http.ResponseWriter, id json.RawMessage, result any, code int, msg string) {
	if len(id) == 0 {
		id = json.RawMessage("null")
	}
	out := map[string]any{"jsonrpc": "2.0", "id": id}
	if code != 0 {
		out["error"] = map[string]any{"code": code, "message": msg}
	} else {
		out["result"] = result
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	_ = json.NewEncoder(w).Encode(out)
}
