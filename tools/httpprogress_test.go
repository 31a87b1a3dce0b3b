package tools

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	mcpclient "github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/client/transport"
	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"
	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/skyvern-mcp/skyvern-mcp/client"
	"github.com/skyvern-mcp/skyvern-mcp/client/sandbox"
)

// runStates records, per run, the states the sandbox answered to POST
// /v1/run/tasks and GET /v1/runs/{run_id}, in order: from them the test
// knows which progress notifications run_task sent.
type runStates struct {
	next http.Handler
	mu   sync.Mutex
	runs map[string][]client.Run
}

func (rs *runStates) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	record := (r.Method == http.MethodPost && r.URL.Path == "/v1/run/tasks") ||
		(r.Method == http.MethodGet && strings.HasPrefix(r.URL.Path, "/v1/runs/") && strings.Count(r.URL.Path, "/") == 3)
	if !record {
		rs.next.ServeHTTP(w, r)
		return
	}
	rec := httptest.NewRecorder()
	rs.next.ServeHTTP(rec, r)
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.WriteHeader(rec.Code)
	body := rec.Body.Bytes()
	_, _ = w.Write(body)
	var run client.Run
	if rec.Code == http.StatusOK && json.Unmarshal(body, &run) == nil && run.RunID != "" {
		rs.mu.Lock()
		rs.runs[run.RunID] = append(rs.runs[run.RunID], run)
		rs.mu.Unlock()
	}
}

// sent returns the progress messages run_task sent while waiting for run:
// the started run's state when it is not final, then (as the Watcher
// delivers them) the first polled state and each one whose status or step
// count changed, except the final one, which is in the result.
func (rs *runStates) sent(runID string) []string {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	states := rs.runs[runID]
	var out []string
	if len(states) == 0 || states[0].Status.IsFinal() {
		return out
	}
	out = append(out, progressMessage(&states[0], 0))
	var last *client.Run
	for i := 1; i < len(states); i++ {
		r := &states[i]
		if last == nil || r.Status != last.Status || r.Steps() != last.Steps() {
			if !r.Status.IsFinal() {
				out = append(out, progressMessage(r, 0))
			}
			last = r
		}
	}
	return out
}

var waitedRE = regexp.MustCompile(`\d+ s waited`)

// TestRunTaskProgressOverStreamableHTTP calls our real run_task with
// wait_for_completion 100 times over streamable HTTP (loopback, mcp-go's
// server and client) and checks that every call received every progress
// notification the tool sent before its result.
func TestRunTaskProgressOverStreamableHTTP(t *testing.T) {
	if testing.Short() {
		t.Skip("100 tool calls over HTTP")
	}
	const calls = 100
	rs := &runStates{next: sandbox.New(sandbox.Options{APIKey: testKey, RunDuration: 25 * time.Millisecond}), runs: map[string][]client.Run{}}
	sb := httptest.NewServer(rs)
	t.Cleanup(sb.Close)
	c, err := client.New(client.WithBaseURL(sb.URL), client.WithAPIKey(testKey))
	require.NoError(t, err)
	deps := &Deps{
		Client: func(context.Context) (*client.Client, error) { return c, nil },
		Log:    zerolog.Nop(),
		// Poll back to back, so the last progress notification is sent
		// just before the result, where a lost notification shows.
		Watcher: client.NewWatcher(client.WatchOptions{PollInitial: time.Microsecond, PollMax: time.Microsecond}),
		Secrets: []string{testKey},
	}
	t.Cleanup(deps.Watcher.Close)
	s := server.NewMCPServer("skyvern-mcp", "test", server.WithToolCapabilities(false), server.WithRecovery())
	var runTask []Tool
	for _, tl := range All() {
		if tl.Tool.Name == "run_task" {
			runTask = append(runTask, tl)
		}
	}
	require.Len(t, runTask, 1)
	Register(s, deps, runTask)
	hs := httptest.NewServer(server.NewStreamableHTTPServer(s))
	t.Cleanup(hs.Close)

	for _, tc := range []struct {
		name string
		// legacy keeps mcp-go's client on protocol 2025-11-25 (sessions)
		// and opens the standalone GET stream, as the TypeScript SDK's
		// client does; otherwise it speaks 2026-07-28.
		legacy bool
	}{{"protocol 2026-07-28", false}, {"protocol 2025-11-25 with a GET stream", true}} {
		t.Run(tc.name, func(t *testing.T) {
			var topts []transport.StreamableHTTPCOption
			var copts []mcpclient.ClientOption
			if tc.legacy {
				topts = append(topts, transport.WithContinuousListening()) //nolint:staticcheck // SA1019: the legacy GET stream is what this case tests
				copts = append(copts, mcpclient.WithLegacyProtocolOnly())  //nolint:staticcheck // SA1019: a legacy client is what this case tests
			}
			tr, err := transport.NewStreamableHTTP(hs.URL+"/mcp", topts...)
			require.NoError(t, err)
			mc := mcpclient.NewClient(tr, copts...)
			t.Cleanup(func() { _ = mc.Close() })
			var mu sync.Mutex
			got := map[string][]string{} // progress token -> messages received
			mc.OnNotification(func(n mcp.JSONRPCNotification) {
				if n.Method != "notifications/progress" {
					return
				}
				tok := fmt.Sprint(n.Params.AdditionalFields["progressToken"])
				mu.Lock()
				// The seconds waited depend on the machine's speed.
				msg := waitedRE.ReplaceAllString(fmt.Sprint(n.Params.AdditionalFields["message"]), "0 s waited")
				got[tok] = append(got[tok], msg)
				mu.Unlock()
			})
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			require.NoError(t, mc.Start(ctx))
			init := mcp.InitializeRequest{}
			init.Params.ProtocolVersion = mcp.LATEST_PROTOCOL_VERSION
			init.Params.ClientInfo = mcp.Implementation{Name: "httpprogress", Version: "1"}
			_, err = mc.Initialize(ctx, init)
			require.NoError(t, err)

			// Two calls at a time on the one session, 100 in all.
			var complete, notifications atomic.Int64
			var failMu sync.Mutex
			var failures []string
			var wg sync.WaitGroup
			next := make(chan int, calls)
			for i := range calls {
				next <- i
			}
			close(next)
			for range 2 {
				wg.Go(func() {
					for i := range next {
						tok := fmt.Sprintf("call-%d", i)
						req := mcp.CallToolRequest{}
						req.Params.Name = "run_task"
						req.Params.Arguments = map[string]any{"prompt": "report progress", "wait_for_completion": true}
						req.Params.Meta = &mcp.Meta{ProgressToken: tok}
						res, err := mc.CallTool(ctx, req)
						if !assert.NoError(t, err) || !assert.False(t, res.IsError, text(res)) {
							return
						}
						var out client.Run
						if !assert.NoError(t, json.Unmarshal([]byte(text(res)), &out)) ||
							!assert.Equal(t, client.RunStatusCompleted, out.Status, "the result never depends on a notification") {
							return
						}
						mu.Lock()
						received := append([]string(nil), got[tok]...)
						mu.Unlock()
						want := rs.sent(out.RunID)
						if !assert.NotEmpty(t, want, "run %s was final when started", out.RunID) {
							return
						}
						notifications.Add(int64(len(want)))
						if assert.ObjectsAreEqual(want, received) {
							complete.Add(1)
							continue
						}
						failMu.Lock()
						if len(failures) < 3 {
							failures = append(failures, fmt.Sprintf("run %s: sent %q, received %q before the result", out.RunID, want, received))
						}
						failMu.Unlock()
					}
				})
			}
			wg.Wait()
			t.Logf("%d/%d run_task calls received all their progress notifications before the result (%d sent)",
				complete.Load(), calls, notifications.Load())
			assert.EqualValues(t, calls, complete.Load(), "calls whose progress notifications all arrived before the result; first failures:\n%s",
				strings.Join(failures, "\n"))
		})
	}
}
