package main

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	mcpclient "github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/client/transport"
	"github.com/mark3labs/mcp-go/mcp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/skyvern-mcp/skyvern-mcp/client"
	"github.com/skyvern-mcp/skyvern-mcp/internal/config"
	"github.com/skyvern-mcp/skyvern-mcp/internal/httpserver"
)

// httpServer is run() serving HTTP in process.
type httpServer struct {
	t      *testing.T
	base   string
	stderr *syncBuf
	cancel context.CancelFunc
	code   chan int
}

var listeningRe = regexp.MustCompile(`"addr":"([^"]+)"[^\n]*"message":"listening"`)

// serveHTTP runs the server with args (plus --addr 127.0.0.1:0) and only
// the given SKYVERN_/MCP_ variables, and waits until it listens.
func serveHTTP(t *testing.T, args []string, env map[string]string) *httpServer {
	t.Helper()
	for _, kv := range os.Environ() {
		if k, _, _ := strings.Cut(kv, "="); strings.HasPrefix(k, "SKYVERN_") || k == "MCP_AUTH_TOKEN" {
			t.Setenv(k, "")
			require.NoError(t, os.Unsetenv(k))
		}
	}
	for k, v := range env {
		t.Setenv(k, v)
	}
	t.Chdir(t.TempDir())
	ctx, cancel := context.WithCancel(context.Background())
	s := &httpServer{t: t, stderr: &syncBuf{}, cancel: cancel, code: make(chan int, 1)}
	args = append(args, "--addr", "127.0.0.1:0")
	go func() { s.code <- run(ctx, args, strings.NewReader(""), io.Discard, s.stderr) }()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if m := listeningRe.FindStringSubmatch(s.stderr.String()); m != nil {
			s.base = "http://" + m[1]
			break
		}
		select {
		case code := <-s.code:
			t.Fatalf("the server exited with %d before listening:\n%s", code, s.stderr.String())
		case <-time.After(10 * time.Millisecond):
		}
	}
	require.NotEmpty(t, s.base, "no listening line:\n%s", s.stderr.String())
	t.Cleanup(func() { s.stop() })
	return s
}

// stop shuts the server down and returns its exit code.
func (s *httpServer) stop() int {
	s.cancel()
	select {
	case code := <-s.code:
		s.code <- code
		return code
	case <-time.After(15 * time.Second):
		s.t.Fatal("the server did not stop within 15 s")
		return -1
	}
}

type caller struct {
	t *testing.T
	c *mcpclient.Client
}

func connect(t *testing.T, base string, headers map[string]string) *caller {
	t.Helper()
	c, err := mcpclient.NewStreamableHttpClient(base+"/mcp", transport.WithHTTPHeaders(headers),
		transport.WithHTTPLogger(slog.New(slog.NewTextHandler(io.Discard, nil))))
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	require.NoError(t, c.Start(context.Background()))
	t.Cleanup(func() { _ = c.Close() })
	_, err = c.Initialize(ctx, mcp.InitializeRequest{Params: mcp.InitializeParams{
		ProtocolVersion: "2025-06-18", ClientInfo: mcp.Implementation{Name: "test", Version: "1"}}})
	require.NoError(t, err)
	return &caller{t: t, c: c}
}

func (c *caller) ctx() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), 15*time.Second)
}

// call calls a tool and returns its result (a tool failure is a result).
func (c *caller) call(name string, args map[string]any) *mcp.CallToolResult {
	c.t.Helper()
	ctx, cancel := c.ctx()
	defer cancel()
	res, err := c.c.CallTool(ctx, mcp.CallToolRequest{Params: mcp.CallToolParams{Name: name, Arguments: args}})
	require.NoError(c.t, err, "%s: a tool failure must be an isError result", name)
	return res
}

func text(res *mcp.CallToolResult) string {
	var parts []string
	for _, c := range res.Content {
		if tc, ok := c.(mcp.TextContent); ok {
			parts = append(parts, tc.Text)
		}
	}
	return strings.Join(parts, "\n")
}

func (c *caller) runTask(prompt string) string {
	c.t.Helper()
	res := c.call("run_task", map[string]any{"prompt": prompt})
	require.False(c.t, res.IsError, text(res))
	var run client.Run
	b, err := json.Marshal(res.StructuredContent)
	require.NoError(c.t, err)
	require.NoError(c.t, json.Unmarshal(b, &run))
	require.NotEmpty(c.t, run.RunID)
	return run.RunID
}

func (c *caller) resourceURIs() []string {
	c.t.Helper()
	ctx, cancel := c.ctx()
	defer cancel()
	res, err := c.c.ListResources(ctx, mcp.ListResourcesRequest{})
	require.NoError(c.t, err)
	var uris []string
	for _, r := range res.Resources {
		uris = append(uris, r.URI)
	}
	return uris
}

func (c *caller) read(uri string) string {
	c.t.Helper()
	ctx, cancel := c.ctx()
	defer cancel()
	res, err := c.c.ReadResource(ctx, mcp.ReadResourceRequest{Params: mcp.ReadResourceParams{URI: uri}})
	require.NoError(c.t, err, uri)
	require.NotEmpty(c.t, res.Contents)
	tc, ok := res.Contents[0].(mcp.TextResourceContents)
	require.True(c.t, ok)
	return tc.Text
}

func (c *caller) completeRunID(prefix string) []string {
	c.t.Helper()
	ctx, cancel := c.ctx()
	defer cancel()
	res, err := c.c.Complete(ctx, mcp.CompleteRequest{Params: mcp.CompleteParams{
		Ref:      mcp.ResourceReference{Type: "ref/resource", URI: "skyvern://runs/{run_id}"},
		Argument: mcp.CompleteArgument{Name: "run_id", Value: prefix}}})
	require.NoError(c.t, err)
	return res.Completion.Values
}

// TestHTTPCallersSeeOnlyTheirRuns: with --sandbox over HTTP, each
// x-api-key has its own sandbox, and what the server remembers of runs
// (resources/list, skyvern://runs, completions) is shown only to the caller
// that saw them.
func TestHTTPCallersSeeOnlyTheirRuns(t *testing.T) {
	s := serveHTTP(t, []string{"--sandbox", "--sandbox-run-seconds", "0.2", "--transport", "http"}, nil)
	alice := connect(t, s.base, map[string]string{"x-api-key": "sk-alice-0001"})
	bob := connect(t, s.base, map[string]string{"x-api-key": "sk-bob-0002"})
	anon := connect(t, s.base, nil)

	runID := alice.runTask("alice's secret task")
	res := alice.call("get_run", map[string]any{"run_id": runID})
	require.False(t, res.IsError, text(res))
	assert.Contains(t, text(res), "alice's secret task")

	for name, other := range map[string]*caller{"bob": bob, "no key": anon} {
		res = other.call("get_run", map[string]any{"run_id": runID})
		assert.True(t, res.IsError, name)
		assert.Contains(t, text(res), "404", name)
		assert.NotContains(t, text(res), "alice's secret task", name)
		assert.NotContains(t, other.resourceURIs(), "skyvern://runs/"+runID, name)
		assert.NotContains(t, other.read("skyvern://runs"), runID, name)
		assert.NotContains(t, other.completeRunID("tsk_"), runID, name)
	}
	assert.Contains(t, alice.resourceURIs(), "skyvern://runs/"+runID)
	assert.Contains(t, alice.read("skyvern://runs"), runID)
	assert.Contains(t, alice.completeRunID("tsk_"), runID)

	bobRun := bob.runTask("bob's task")
	assert.NotContains(t, alice.resourceURIs(), "skyvern://runs/"+bobRun)
	assert.Contains(t, bob.resourceURIs(), "skyvern://runs/"+bobRun)

	// A second connection with alice's key is alice.
	again := connect(t, s.base, map[string]string{"x-api-key": "sk-alice-0001"})
	res = again.call("get_run", map[string]any{"run_id": runID})
	assert.False(t, res.IsError, text(res))
	assert.Contains(t, again.resourceURIs(), "skyvern://runs/"+runID)
}

// TestHTTPCanaryKeyNeverLogged calls tools that succeed and fail with a
// canary key in x-api-key, at --log-level debug, and checks the logs and
// every answer.
func TestHTTPCanaryKeyNeverLogged(t *testing.T) {
	const canary = "sk-canary-x-api-key-7f3a9c"
	// An upstream that echoes the key it receives in its error details, as
	// a misbehaving proxy might.
	echo := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Path == "/v1/version" {
			_, _ = io.WriteString(w, `{"version":"1"}`)
			return
		}
		if r.URL.Path == "/v1/folders" {
			// The key check before a session: accepted, so that the
			// calls reach the echoing errors.
			_, _ = io.WriteString(w, `[]`)
			return
		}
		w.WriteHeader(http.StatusForbidden)
		_, _ = io.WriteString(w, `{"detail":"Invalid credentials: `+r.Header.Get("x-api-key")+`"}`)
	}))
	defer echo.Close()

	for _, tc := range []struct {
		name string
		args []string
	}{
		{"sandbox", []string{"--sandbox", "--sandbox-run-seconds", "0.2"}},
		{"caller keys, echoing upstream", []string{"--base-url", echo.URL}},
		{"caller keys, unreachable upstream", []string{"--base-url", "http://127.0.0.1:1", "--request-timeout", "2"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := serveHTTP(t, append(tc.args, "--transport", "http", "--log-level", "debug"), nil)
			c := connect(t, s.base, map[string]string{"x-api-key": canary})
			var answers []string
			for _, call := range []struct {
				name string
				args map[string]any
			}{
				{"run_task", map[string]any{"prompt": "canary task"}},
				{"get_run", map[string]any{"run_id": "tsk_100000000000000001"}},
				{"get_workflows", map[string]any{}},
				{"get_run", map[string]any{"run_id": 42}},
				{"create_credential", map[string]any{"name": "c", "credential_type": "password",
					"credential": map[string]any{"username": "u", "password": "pw-canary-1234"}}},
			} {
				res := c.call(call.name, call.args)
				b, err := json.Marshal(res)
				require.NoError(t, err)
				answers = append(answers, string(b))
			}
			for _, uri := range []string{"skyvern://runs/tsk_100000000000000001", "skyvern://runs", "skyvern://workflows/wpid_100000000000000001"} {
				ctx, cancel := c.ctx()
				res, err := c.c.ReadResource(ctx, mcp.ReadResourceRequest{Params: mcp.ReadResourceParams{URI: uri}})
				cancel()
				b, _ := json.Marshal(res)
				answers = append(answers, string(b))
				if err != nil {
					answers = append(answers, err.Error())
				}
			}
			joined := strings.Join(answers, "\n")
			if tc.name == "sandbox" {
				assert.Contains(t, joined, `"isError":true`, "some calls fail")
				assert.Contains(t, joined, "canary task", "some succeed")
			} else {
				assert.Contains(t, joined, `"isError":true`)
			}
			if tc.name == "caller keys, echoing upstream" {
				assert.Contains(t, joined, "[REDACTED]", "the echoed key is redacted from the error")
			}
			resp, err := http.Get(s.base + "/readyz")
			require.NoError(t, err)
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			assert.Equal(t, 0, s.stop())
			logs := s.stderr.String()
			assert.Contains(t, logs, `"message":"http request"`, "debug logs each HTTP request")
			assert.Contains(t, logs, `"tool":"run_task"`)
			for what, out := range map[string]string{"logs": logs, "answers": joined, "readyz": string(body)} {
				assert.NotContains(t, out, canary, "the caller's key appears in the %s", what)
			}
		})
	}
}

func TestHTTPWithoutServerKeyRequiresCallerKey(t *testing.T) {
	s := serveHTTP(t, []string{"--transport", "http", "--base-url", "http://127.0.0.1:1"}, nil)
	req, err := http.NewRequest(http.MethodPost, s.base+"/mcp", strings.NewReader(initialize))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)
	assert.Contains(t, s.stderr.String(), "every HTTP caller must send its own key")
	assert.Contains(t, s.stderr.String(), `"caller_keys":"required"`)
}

func TestHTTPServerKeyAndBearer(t *testing.T) {
	const token = "bearer-token-0123456789abcdef"
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.Header.Get("x-api-key") != "sk-server-key-1" {
			w.WriteHeader(http.StatusForbidden)
			_, _ = io.WriteString(w, `{"detail":"Invalid credentials"}`)
			return
		}
		_, _ = io.WriteString(w, `[]`)
	}))
	defer upstream.Close()
	s := serveHTTP(t, []string{"--transport", "http", "--base-url", upstream.URL},
		map[string]string{"SKYVERN_API_KEY": "sk-server-key-1", "MCP_AUTH_TOKEN": token})
	_, err := mcpclient.NewStreamableHttpClient(s.base + "/mcp")
	require.NoError(t, err)
	c := connect(t, s.base, map[string]string{"Authorization": "Bearer " + token, "x-api-key": "sk-ignored"})
	res := c.call("get_workflows", map[string]any{})
	assert.False(t, res.IsError, "the server's key is used, the caller's ignored: %s", text(res))

	req, err := http.NewRequest(http.MethodPost, s.base+"/mcp", strings.NewReader(initialize))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer wrong-token-0123456789")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)
	assert.NotContains(t, s.stderr.String(), token)
	assert.NotContains(t, s.stderr.String(), "sk-server-key-1")
}

func TestReadiness(t *testing.T) {
	forbidden := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusForbidden)
	}))
	defer forbidden.Close()
	broken := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusBadGateway)
	}))
	defer broken.Close()
	hc := &http.Client{}
	ctx := context.Background()
	assert.NoError(t, readiness(hc, forbidden.URL, "", true)(ctx), "callers bring keys: a 403 without one still means Skyvern answers")
	err := readiness(hc, forbidden.URL, "sk-server-key-1", false)(ctx)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "refused the server's API key (403)")
	assert.NotContains(t, err.Error(), "sk-server-key-1")
	err = readiness(hc, broken.URL, "k", false)(ctx)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "answered 502")
	err = readiness(hc, "http://127.0.0.1:1", "sk-server-key-1", false)(ctx)
	require.Error(t, err)
	assert.Equal(t, "Skyvern did not answer: connection refused", err.Error(), "the reason does not show the upstream URL")
	err = readiness(hc, "http://nonexistent.invalid", "", false)(ctx)
	require.Error(t, err)
	assert.True(t, strings.HasPrefix(err.Error(), "Skyvern did not answer: "), err.Error()) // DNS failure or timeout, depending on the resolver
	assert.NotContains(t, err.Error(), "nonexistent")
}

func TestStatelessServesNoTasks(t *testing.T) {
	s := serveHTTP(t, []string{"--sandbox", "--transport", "http", "--stateless"}, nil)
	req, err := http.NewRequest(http.MethodPost, s.base+"/mcp", strings.NewReader(initialize))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Contains(t, string(b), `"tools":{}`)
	assert.NotContains(t, string(b), `"tasks"`, "MCP tasks would be shared by every caller without sessions")
	assert.NotContains(t, string(b), `"subscribe":true`, "no session to deliver resource updates to")
	assert.Empty(t, resp.Header.Get("Mcp-Session-Id"))

	// A run tool called with a task parameter runs as a plain call: its
	// run_id comes back, rather than a task nobody could follow.
	call := `{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"run_task","arguments":{"prompt":"Find the price"},"task":{"ttl":60000}}}`
	req, err = http.NewRequest(http.MethodPost, s.base+"/mcp", strings.NewReader(call))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	req.Header.Set("Mcp-Protocol-Version", "2025-11-25")
	resp, err = http.DefaultClient.Do(req)
	require.NoError(t, err)
	b, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode, string(b))
	assert.Contains(t, string(b), `"run_id":"tsk_`, string(b))
	assert.NotContains(t, string(b), `"taskId"`)
}

func TestHTTPNonLoopbackBindRefused(t *testing.T) {
	t.Chdir(t.TempDir())
	for _, k := range []string{"SKYVERN_API_KEY", "MCP_AUTH_TOKEN"} {
		t.Setenv(k, "")
	}
	var stderr syncBuf
	code := run(context.Background(), []string{"--sandbox", "--transport", "sse", "--addr", "0.0.0.0:0"}, strings.NewReader(""), io.Discard, &stderr)
	assert.Equal(t, 1, code)
	assert.Contains(t, stderr.String(), "MCP_AUTH_TOKEN")
	assert.NotContains(t, stderr.String(), `"message":"listening"`)
	assert.NotContains(t, stderr.String(), "skyvern-mcp ready", "refused before anything is built")
}

func TestClientCacheIsBounded(t *testing.T) {
	made := 0
	cc := newClientCache(2, func(key string) (*client.Client, error) {
		made++
		return client.New(client.WithAPIKey(key))
	})
	a1, err := cc.get("a", "ka")
	require.NoError(t, err)
	a2, _ := cc.get("a", "ka")
	assert.Same(t, a1, a2, "one client per caller")
	_, _ = cc.get("b", "kb")
	_, _ = cc.get("a", "ka") // a is the most recent
	_, _ = cc.get("c", "kc") // evicts b
	assert.Equal(t, 2, cc.len())
	a3, _ := cc.get("a", "ka")
	assert.Same(t, a1, a3)
	_, _ = cc.get("b", "kb")
	assert.Equal(t, 4, made, "b was made again after its eviction")
}

func TestKeyPolicy(t *testing.T) {
	for _, tc := range []struct {
		cfg  config.Config
		want httpserver.KeyPolicy
	}{
		{config.Config{Transport: config.TransportStdio}, httpserver.KeysIgnored},
		{config.Config{Transport: config.TransportStdio, Sandbox: true}, httpserver.KeysIgnored},
		{config.Config{Transport: config.TransportHTTP, Sandbox: true, APIKey: "k"}, httpserver.KeysOptional},
		{config.Config{Transport: config.TransportSSE, Sandbox: true}, httpserver.KeysOptional},
		{config.Config{Transport: config.TransportHTTP}, httpserver.KeysRequired},
		{config.Config{Transport: config.TransportSSE, APIKey: "k"}, httpserver.KeysIgnored},
	} {
		assert.Equal(t, tc.want, keyPolicy(&tc.cfg), "%+v", tc.cfg)
	}
}
