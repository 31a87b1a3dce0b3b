package shared

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"
	"github.com/rs/zerolog"
	"github.com/skyvern-mcp/skyvern-mcp/internal/testenv"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func open(t *testing.T, url string) *Store {
	t.Helper()
	s, err := Open(context.Background(), Options{URL: url, SessionTTL: time.Minute, Log: zerolog.Nop()})
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func TestOpenRefusesBadURLWithoutEchoingIt(t *testing.T) {
	_, err := Open(context.Background(), Options{URL: "http://user:hunter2@example.com"})
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "hunter2")
	assert.Contains(t, err.Error(), "--redis-url")
}

func TestCallerHash(t *testing.T) {
	assert.Equal(t, "-", CallerHash(""))
	h := CallerHash("sk-secret-key")
	assert.Len(t, h, 32)
	assert.Equal(t, h, CallerHash("sk-secret-key"))
	assert.NotEqual(t, h, CallerHash("sk-secret-key2"))
	assert.NotContains(t, h, "secret")
}

func TestSessionsSharedAndDeletedEverywhere(t *testing.T) {
	url := testenv.Redis(t)
	a, b := open(t, url), open(t, url)
	ctx := context.Background()
	got := make(chan Message, 4)
	b.OnMessage(func(m Message) { got <- m })

	require.NoError(t, a.CreateSession(ctx, "s1", CallerHash("k1")))
	ok, err := b.TouchSession(ctx, "s1", CallerHash("k1"))
	require.NoError(t, err)
	assert.True(t, ok, "a session made by one replica is valid on another")
	ok, err = b.TouchSession(ctx, "s1", CallerHash("k2"))
	require.NoError(t, err)
	assert.False(t, ok, "another caller's session is refused")
	ttl := a.rdb.PTTL(ctx, "skyvern-mcp:s:s1").Val()
	assert.True(t, ttl > 50*time.Second && ttl <= time.Minute, "session TTL %v", ttl)

	require.NoError(t, b.DeleteSession(ctx, "s1"))
	ok, err = a.TouchSession(ctx, "s1", CallerHash("k1"))
	require.NoError(t, err)
	assert.False(t, ok)
	select {
	case m := <-got:
		assert.Equal(t, "deleted", m.Kind)
		assert.Equal(t, "s1", m.Session)
	case <-time.After(5 * time.Second):
		t.Fatal("no deletion message")
	}
}

func TestEventStoreReplayBoundsAndPurge(t *testing.T) {
	url := testenv.Redis(t)
	a, b := open(t, url), open(t, url)
	ctx := context.Background()
	require.NoError(t, a.CreateSession(ctx, "s1", "-"))
	ea, eb := a.EventStore(), b.EventStore()
	var ids []string
	for i := range 4 {
		id, err := ea.StoreEvent(ctx, "s1", "streamA", json.RawMessage(fmt.Sprintf(`{"n":%d}`, i)))
		require.NoError(t, err)
		ids = append(ids, id)
		_, err = ea.StoreEvent(ctx, "s1", "streamB", json.RawMessage(`{"other":true}`))
		require.NoError(t, err)
	}
	var replayed []string
	stream, err := eb.ReplayEventsAfter(ctx, "s1", ids[1], func(id string, m json.RawMessage) error {
		replayed = append(replayed, id+" "+string(m))
		return nil
	})
	require.NoError(t, err)
	assert.Equal(t, "streamA", stream)
	assert.Equal(t, []string{ids[2] + ` {"n":2}`, ids[3] + ` {"n":3}`}, replayed, "only the later events of the same stream, on another replica")

	_, err = eb.ReplayEventsAfter(ctx, "s1", "99999999999999-0", func(string, json.RawMessage) error { return nil })
	assert.ErrorIs(t, err, server.ErrUnknownEventID)
	_, err = eb.ReplayEventsAfter(ctx, "s1", "not an id", func(string, json.RawMessage) error { return nil })
	assert.ErrorIs(t, err, server.ErrUnknownEventID)
	_, err = eb.ReplayEventsAfter(ctx, "s2", ids[1], func(string, json.RawMessage) error { return nil })
	assert.ErrorIs(t, err, server.ErrUnknownEventID, "another session's event IDs are unknown")

	for range MaxEventsPerSession {
		_, err := ea.StoreEvent(ctx, "s1", "streamA", json.RawMessage(`{}`))
		require.NoError(t, err)
	}
	assert.Equal(t, int64(MaxEventsPerSession), a.rdb.XLen(ctx, "skyvern-mcp:ev:s1").Val())
	assert.Greater(t, a.rdb.PTTL(ctx, "skyvern-mcp:ev:s1").Val(), time.Duration(0))

	require.NoError(t, eb.PurgeSession(ctx, "s1"))
	assert.Equal(t, int64(1), a.rdb.Exists(ctx, "skyvern-mcp:ev:s1").Val(), "kept while the session lives elsewhere")
	require.NoError(t, a.rdb.Del(ctx, "skyvern-mcp:s:s1").Err())
	require.NoError(t, eb.PurgeSession(ctx, "s1"))
	assert.Equal(t, int64(0), a.rdb.Exists(ctx, "skyvern-mcp:ev:s1").Val())
}

// fakeSession is a ClientSession for tasks created outside HTTP.
type fakeSession struct{ id string }

func (f *fakeSession) Initialize()       {}
func (f *fakeSession) Initialized() bool { return true }
func (f *fakeSession) NotificationChannel() chan<- mcp.JSONRPCNotification {
	return make(chan mcp.JSONRPCNotification, 10)
}
func (f *fakeSession) SessionID() string { return f.id }

// replica is one MCP server whose run tool waits for release (or its
// context) and whose tasks live in Redis.
type replica struct {
	store   *Store
	tasks   *Tasks
	srv     *server.MCPServer
	release chan struct{}
	follows atomic.Int32
	// cancels receives "<caller> <run ID>" for each run cancelled.
	cancels chan string
}

type callerKey struct{}

func newReplica(t *testing.T, url string, follow FollowFunc) *replica {
	r := &replica{store: open(t, url), release: make(chan struct{}), cancels: make(chan string, 4)}
	var runs CancelRunFunc = func(ctx context.Context, runID string) error {
		caller, _ := ctx.Value(callerKey{}).(string)
		r.cancels <- caller + " " + runID
		return nil
	}
	r.tasks = r.store.Tasks(TaskOptions{Follow: func(ctx context.Context, tool, runID string, observe func(context.Context, string, string)) (*mcp.CallToolResult, error) {
		r.follows.Add(1)
		return follow(ctx, tool, runID, observe)
	}, CancelRun: runs})
	r.srv = server.NewMCPServer("t", "1", server.WithTaskCapabilities(true, true, true),
		server.WithTaskHooks(r.tasks.TaskHooks()), server.WithToolHandlerMiddleware(r.tasks.Middleware()))
	r.tasks.SetServer(r.srv)
	tool := mcp.NewTool("run_task", mcp.WithTaskSupport(mcp.TaskSupportOptional))
	r.srv.AddTool(tool, func(ctx context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		r.tasks.Observe(ctx, "tsk_1", "Skyvern run tsk_1 is running, step 1.")
		select {
		case <-r.release:
			return mcp.NewToolResultText("done"), nil
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	})
	return r
}

// start makes a task-augmented call in session sid and returns the task ID.
func (r *replica) start(t *testing.T, sid string) string {
	ctx := WithSlot(r.srv.WithContext(context.Background(), &fakeSession{id: sid}))
	msg := r.srv.HandleMessage(ctx, []byte(`{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"run_task","arguments":{},"task":{"ttl":60000}}}`))
	b, err := json.Marshal(msg)
	require.NoError(t, err)
	var out struct {
		Result mcp.CreateTaskResult `json:"result"`
	}
	require.NoError(t, json.Unmarshal(b, &out), string(b))
	require.NotEmpty(t, out.Result.Task.TaskId, string(b))
	return out.Result.Task.TaskId
}

// ask sends a tasks/* request to r's Serve and returns the JSON-RPC answer.
func (r *replica) ask(t *testing.T, sid, method, taskID string) map[string]any {
	return r.askAs(t, "", sid, method, taskID)
}

// askAs asks as caller (a context value CancelRun sees).
func (r *replica) askAs(t *testing.T, caller, sid, method, taskID string) map[string]any {
	body := fmt.Sprintf(`{"jsonrpc":"2.0","id":7,"method":%q,"params":{"taskId":%q}}`, method, taskID)
	w := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodPost, "/mcp", strings.NewReader(body))
	req = req.WithContext(context.WithValue(req.Context(), callerKey{}, caller))
	r.tasks.Serve(w, req, []byte(body), sid)
	var out map[string]any
	require.NoError(t, json.Unmarshal(w.Body.Bytes(), &out), w.Body.String())
	return out
}

func status(t *testing.T, answer map[string]any) string {
	res, ok := answer["result"].(map[string]any)
	require.True(t, ok, "%v", answer)
	s, _ := res["status"].(string)
	return s
}

// die stops replica a as a crash would: it no longer reaches Redis (so it
// can neither renew its lease on task id nor hear cancellations) and its
// handler never ends; the lease it held lapses (here: is dropped by other).
func die(t *testing.T, a, other *replica, id string) {
	t.Helper()
	_ = a.store.Close()
	require.NoError(t, other.store.rdb.Del(context.Background(), "skyvern-mcp:tl:"+id).Err())
	a.tasks.mu.Lock()
	delete(a.tasks.owned, id)
	a.tasks.mu.Unlock()
}

func eventually(t *testing.T, f func() bool, what string) {
	t.Helper()
	for i := 0; i < 100; i++ {
		if f() {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatal(what)
}

func TestTaskSeenAndFinishedOnAnotherReplica(t *testing.T) {
	url := testenv.Redis(t)
	none := func(context.Context, string, string, func(context.Context, string, string)) (*mcp.CallToolResult, error) {
		return nil, errors.New("no takeover expected")
	}
	a, b := newReplica(t, url, none), newReplica(t, url, none)
	id := a.start(t, "s1")
	eventually(t, func() bool {
		res, _ := b.ask(t, "s1", "tasks/get", id)["result"].(map[string]any)
		return res != nil && strings.Contains(fmt.Sprint(res["statusMessage"]), "tsk_1 is running")
	}, "the run's status message never reached the other replica")
	assert.Equal(t, "working", status(t, b.ask(t, "s1", "tasks/get", id)))
	assert.Contains(t, b.ask(t, "s2", "tasks/get", id), "error", "another session's task is not found")

	done := make(chan map[string]any)
	go func() { done <- b.ask(t, "s1", "tasks/result", id) }()
	close(a.release)
	res := <-done
	result, _ := res["result"].(map[string]any)
	require.NotNil(t, result, "%v", res)
	assert.Equal(t, "done", result["content"].([]any)[0].(map[string]any)["text"])
	assert.Equal(t, map[string]any{"taskId": id}, result["_meta"].(map[string]any)[mcp.RelatedTaskMetaKey])
	assert.Equal(t, "completed", status(t, b.ask(t, "s1", "tasks/get", id)))
	assert.Zero(t, b.follows.Load()+a.follows.Load(), "a live replica's task is not taken over")

	// Every key is namespaced and expires; no caller key is stored.
	keys := a.store.rdb.Keys(context.Background(), "*").Val()
	require.NotEmpty(t, keys)
	for _, k := range keys {
		assert.True(t, strings.HasPrefix(k, DefaultPrefix), k)
		// PTTL: -1 ns for a key without expiry (the failure), -2 ns for a key
		// gone since KEYS (the task's lease is given back after its end).
		if ttl := a.store.rdb.PTTL(context.Background(), k).Val(); ttl != -2*time.Nanosecond {
			assert.Greater(t, ttl, time.Duration(0), k)
		}
	}
}

func TestTaskCancelledFromAnotherReplica(t *testing.T) {
	url := testenv.Redis(t)
	a, b := newReplica(t, url, nil), newReplica(t, url, nil)
	id := a.start(t, "s1")
	eventually(t, func() bool {
		return a.store.rdb.HGet(context.Background(), "skyvern-mcp:t:"+id, "run").Val() == "tsk_1"
	}, "run never recorded")
	ans := b.ask(t, "s1", "tasks/cancel", id)
	assert.Equal(t, "cancelled", status(t, ans))
	// The replica running it stops it: its local task ends cancelled too.
	ctx := a.srv.WithContext(context.Background(), &fakeSession{id: "s1"})
	eventually(t, func() bool {
		b, _ := json.Marshal(a.srv.HandleMessage(ctx, []byte(fmt.Sprintf(`{"jsonrpc":"2.0","id":3,"method":"tasks/get","params":{"taskId":%q}}`, id))))
		return bytes.Contains(b, []byte(`"status":"cancelled"`))
	}, "the running replica did not cancel its task")
	again := b.ask(t, "s1", "tasks/cancel", id)
	assert.Contains(t, fmt.Sprint(again["error"]), "terminal status")
}

func TestTaskTakenOverOnceWhenItsReplicaDies(t *testing.T) {
	url := testenv.Redis(t)
	var mu sync.Mutex
	var seen []string
	follow := func(ctx context.Context, tool, runID string, observe func(context.Context, string, string)) (*mcp.CallToolResult, error) {
		mu.Lock()
		seen = append(seen, tool+" "+runID)
		mu.Unlock()
		observe(ctx, runID, "Skyvern run "+runID+" is running, step 4.")
		return mcp.NewToolResultText("followed to the end"), nil
	}
	a := newReplica(t, url, follow)
	b, c := newReplica(t, url, follow), newReplica(t, url, follow)
	id := a.start(t, "s1")
	eventually(t, func() bool {
		return a.store.rdb.HGet(context.Background(), "skyvern-mcp:t:"+id, "run").Val() == "tsk_1"
	}, "run never recorded")
	die(t, a, b, id)
	var wg sync.WaitGroup
	for _, r := range []*replica{b, c, b, c} {
		wg.Add(1)
		go func() { defer wg.Done(); r.ask(t, "s1", "tasks/get", id) }()
	}
	wg.Wait()
	res := c.ask(t, "s1", "tasks/result", id)
	result, _ := res["result"].(map[string]any)
	require.NotNil(t, result, "%v", res)
	assert.Equal(t, "followed to the end", result["content"].([]any)[0].(map[string]any)["text"])
	mu.Lock()
	assert.Equal(t, []string{"run_task tsk_1"}, seen, "taken over exactly once")
	mu.Unlock()
}

func TestTaskWithoutRunFailsInsteadOfStartingAgain(t *testing.T) {
	url := testenv.Redis(t)
	b := newReplica(t, url, nil)
	ctx := context.Background()
	k := "skyvern-mcp:t:orphan"
	require.NoError(t, b.store.rdb.HSet(ctx, k, "sess", "s1", "st", "working", "ca", now(), "ua", now(), "tool", "run_task").Err())
	require.NoError(t, b.store.rdb.Expire(ctx, k, time.Minute).Err())
	ans := b.ask(t, "s1", "tasks/get", "orphan")
	assert.Equal(t, "failed", status(t, ans))
	assert.Contains(t, fmt.Sprint(ans["result"]), "get_runs")
	assert.Zero(t, b.follows.Load())
}

func TestTakenOverTaskCancelledWithTheCallersClient(t *testing.T) {
	url := testenv.Redis(t)
	follow := func(ctx context.Context, tool, runID string, observe func(context.Context, string, string)) (*mcp.CallToolResult, error) {
		<-ctx.Done()
		return nil, ctx.Err()
	}
	a := newReplica(t, url, follow)
	b, c := newReplica(t, url, follow), newReplica(t, url, follow)
	id := a.start(t, "s1")
	eventually(t, func() bool {
		return a.store.rdb.HGet(context.Background(), "skyvern-mcp:t:"+id, "run").Val() == "tsk_1"
	}, "run never recorded")
	die(t, a, b, id)
	assert.Equal(t, "working", status(t, b.askAs(t, "alice", "s1", "tasks/get", id)))
	// b follows the run in its own goroutine: it starts soon after the answer.
	eventually(t, func() bool { return b.follows.Load() == 1 }, "b took the task over")

	assert.Equal(t, "cancelled", status(t, c.askAs(t, "bob", "s1", "tasks/cancel", id)))
	select {
	case got := <-b.cancels:
		assert.Equal(t, "alice tsk_1", got, "the follower cancels the run with the client of the caller it follows for")
	case <-time.After(5 * time.Second):
		t.Fatal("the run was not cancelled")
	}
	eventually(t, func() bool {
		b.tasks.mu.Lock()
		defer b.tasks.mu.Unlock()
		return len(b.tasks.local) == 0
	}, "the follower did not stop")
	assert.Empty(t, c.cancels, "the replica asked leaves the run to its follower")
}

// A record read while the task was working can be stale when it is acted
// on: the task ended and its replica released the lease in between (the
// tasks/result loop once took over a task that had just completed). adopt
// takes over only a task still working, and gives the lease back otherwise.
func TestStaleRecordDoesNotTakeOverAnEndedTask(t *testing.T) {
	url := testenv.Redis(t)
	b := newReplica(t, url, func(context.Context, string, string, func(context.Context, string, string)) (*mcp.CallToolResult, error) {
		return nil, errors.New("no takeover expected")
	})
	ctx := context.Background()
	k := "skyvern-mcp:t:ended"
	require.NoError(t, b.store.rdb.HSet(ctx, k, "sess", "s1", "st", "completed", "run", "tsk_1", "tool", "run_task", "ca", now(), "ua", now()).Err())
	require.NoError(t, b.store.rdb.Expire(ctx, k, time.Minute).Err())
	stale := record{"sess": "s1", "st": "working", "run": "tsk_1", "tool": "run_task"}
	assert.False(t, b.tasks.adopt(ctx, "ended", stale))
	time.Sleep(100 * time.Millisecond) // a follower, had one started, would have run by now
	assert.Zero(t, b.follows.Load(), "an ended task is not taken over")
	assert.Zero(t, b.store.rdb.Exists(ctx, "skyvern-mcp:tl:ended").Val(), "the lease is given back")
	assert.Equal(t, "completed", b.store.rdb.HGet(ctx, k, "st").Val())
}
