package e2etest

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	mcpclient "github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/client/transport"
	"github.com/mark3labs/mcp-go/mcp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// httpProc is the binary serving HTTP.
type httpProc struct {
	t      *testing.T
	cmd    *exec.Cmd
	stderr lockedBuffer
	base   string
	exited chan struct{}
	code   int
}

var listeningRe = regexp.MustCompile(`"addr":"([^"]+)"[^\n]*"message":"listening"`)

// startHTTP runs the binary with args and only the given SKYVERN_ and
// MCP_ variables. With wantListen it waits for the "listening" line and
// reads the address from it.
func startHTTP(t *testing.T, args []string, env map[string]string, wantListen bool) *httpProc {
	t.Helper()
	p := &httpProc{t: t, exited: make(chan struct{})}
	p.cmd = exec.Command(binPath, args...)
	p.cmd.Dir = t.TempDir()
	for _, kv := range os.Environ() {
		if k, _, _ := strings.Cut(kv, "="); !strings.HasPrefix(strings.ToUpper(k), "SKYVERN_") && k != "MCP_AUTH_TOKEN" {
			p.cmd.Env = append(p.cmd.Env, kv)
		}
	}
	for k, v := range env {
		p.cmd.Env = append(p.cmd.Env, k+"="+v)
	}
	p.cmd.Stderr = &p.stderr
	require.NoError(t, p.cmd.Start())
	go func() {
		err := p.cmd.Wait()
		p.code = 0
		if ee, ok := err.(*exec.ExitError); ok {
			p.code = ee.ExitCode()
		} else if err != nil {
			p.code = -1
		}
		close(p.exited)
	}()
	t.Cleanup(func() {
		_ = p.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-p.exited:
		case <-time.After(15 * time.Second):
			_ = p.cmd.Process.Kill()
			<-p.exited
			t.Errorf("skyvern-mcp did not exit within 15 s of SIGTERM")
		}
	})
	if !wantListen {
		return p
	}
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		if m := listeningRe.FindStringSubmatch(p.stderr.String()); m != nil {
			p.base = "http://" + m[1]
			return p
		}
		select {
		case <-p.exited:
			t.Fatalf("skyvern-mcp exited with %d before listening:\n%s", p.code, tail(p.stderr.String()))
		case <-time.After(20 * time.Millisecond):
		}
	}
	t.Fatalf("no listening line within 15 s:\n%s", tail(p.stderr.String()))
	return nil
}

// waitExit waits for the process to exit and returns its code.
func (p *httpProc) waitExit(timeout time.Duration) int {
	p.t.Helper()
	select {
	case <-p.exited:
		return p.code
	case <-time.After(timeout):
		p.t.Fatalf("skyvern-mcp did not exit within %s:\n%s", timeout, tail(p.stderr.String()))
		return -1
	}
}

func quietLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// mcpSession is an initialized streamable HTTP or SSE client.
func mcpSession(t *testing.T, p *httpProc, sse bool, headers map[string]string) *mcpclient.Client {
	t.Helper()
	var c *mcpclient.Client
	var err error
	if sse {
		c, err = mcpclient.NewSSEMCPClient(p.base+"/sse", mcpclient.WithHeaders(headers), transport.WithSSELogger(quietLogger()))
	} else {
		c, err = mcpclient.NewStreamableHttpClient(p.base+"/mcp", transport.WithHTTPHeaders(headers), transport.WithHTTPLogger(quietLogger()))
	}
	require.NoError(t, err)
	require.NoError(t, c.Start(context.Background()))
	t.Cleanup(func() { _ = c.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err = c.Initialize(ctx, mcp.InitializeRequest{Params: mcp.InitializeParams{
		ProtocolVersion: "2025-06-18", ClientInfo: mcp.Implementation{Name: "e2etest", Version: "1"}}})
	require.NoError(t, err)
	return c
}

func callTool(t *testing.T, c *mcpclient.Client, name string, args map[string]any, timeout time.Duration) (*mcp.CallToolResult, map[string]any) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	res, err := c.CallTool(ctx, mcp.CallToolRequest{Params: mcp.CallToolParams{Name: name, Arguments: args}})
	require.NoError(t, err, "%s: a tool failure is an isError result", name)
	var structured map[string]any
	if res.StructuredContent != nil {
		b, err := json.Marshal(res.StructuredContent)
		require.NoError(t, err)
		require.NoError(t, json.Unmarshal(b, &structured))
	}
	return res, structured
}

func resultText(res *mcp.CallToolResult) string {
	var parts []string
	for _, c := range res.Content {
		if tc, ok := c.(mcp.TextContent); ok {
			parts = append(parts, tc.Text)
		}
	}
	return strings.Join(parts, "\n")
}

// TestHTTPBinarySessions drives the binary over both HTTP transports on a
// port chosen by the system (--addr 127.0.0.1:0), with a canary key in
// x-api-key at --log-level debug: each key has its own sandbox, and the key
// never reaches the logs.
func TestHTTPBinarySessions(t *testing.T) {
	const canary = "sk-e2e-canary-3b1d7e"
	for _, transportName := range []string{"http", "sse"} {
		t.Run(transportName, func(t *testing.T) {
			p := startHTTP(t, []string{"--sandbox", "--sandbox-run-seconds", "0.3", "--transport", transportName,
				"--addr", "127.0.0.1:0", "--log-level", "debug"}, nil, true)
			assert.NotContains(t, p.base, ":0", "the actual port is logged")
			resp, err := http.Get(p.base + "/readyz")
			require.NoError(t, err)
			resp.Body.Close()
			assert.Equal(t, http.StatusOK, resp.StatusCode)

			sse := transportName == "sse"
			mine := mcpSession(t, p, sse, map[string]string{"x-api-key": canary})
			other := mcpSession(t, p, sse, map[string]string{"x-api-key": "sk-e2e-someone-else"})
			res, run := callTool(t, mine, "run_task", map[string]any{"prompt": "e2e over " + transportName, "wait_for_completion": true, "timeout": 20}, 30*time.Second)
			require.False(t, res.IsError, resultText(res))
			assert.Equal(t, "completed", run["status"])
			runID, _ := run["run_id"].(string)
			res, _ = callTool(t, other, "get_run", map[string]any{"run_id": runID}, 10*time.Second)
			assert.True(t, res.IsError, "another key's sandbox has no such run")
			assert.Contains(t, resultText(res), "404")
			res, _ = callTool(t, mine, "get_run", map[string]any{"run_id": "tsk_100000000000000001"}, 10*time.Second)
			assert.True(t, res.IsError)

			require.NoError(t, p.cmd.Process.Signal(syscall.SIGTERM))
			assert.Equal(t, 0, p.waitExit(15*time.Second))
			logs := p.stderr.String()
			assert.Contains(t, logs, `"tool":"run_task"`)
			assert.Contains(t, logs, `"message":"http request"`)
			assert.NotContains(t, logs, canary)
		})
	}
}

// TestHTTPBinaryGracefulShutdown sends SIGTERM while a waiting run_task is
// in flight: the call still gets its completed run, then the process exits 0.
func TestHTTPBinaryGracefulShutdown(t *testing.T) {
	p := startHTTP(t, []string{"--sandbox", "--sandbox-run-seconds", "2", "--transport", "http", "--addr", "127.0.0.1:0",
		"--shutdown-grace", "20s", "--log-level", "debug"}, nil, true)
	c := mcpSession(t, p, false, nil)
	type outcome struct {
		res *mcp.CallToolResult
		run map[string]any
	}
	done := make(chan outcome, 1)
	go func() {
		res, run := callTool(t, c, "run_task", map[string]any{"prompt": "finish me", "wait_for_completion": true, "timeout": 30}, 30*time.Second)
		done <- outcome{res, run}
	}()
	// The run has started (the debug log has the request that started it):
	// the call is now waiting for it.
	require.Eventually(t, func() bool { return strings.Contains(p.stderr.String(), `"path":"/v1/run/tasks"`) },
		15*time.Second, 10*time.Millisecond)
	require.NoError(t, p.cmd.Process.Signal(syscall.SIGTERM))
	select {
	case o := <-done:
		require.False(t, o.res.IsError, resultText(o.res))
		assert.Equal(t, "completed", o.run["status"], "the call in flight finished")
	case <-time.After(20 * time.Second):
		t.Fatal("the call in flight got no answer")
	}
	assert.Equal(t, 0, p.waitExit(10*time.Second))
	logs := p.stderr.String()
	assert.Contains(t, logs, `"calls_in_flight":1`)
	assert.Contains(t, logs, "http server stopped")
	assert.NotContains(t, logs, "shutdown grace expired")
}

// TestHTTPBinaryRefusesNonLoopbackWithoutAuth: binding beyond loopback
// needs a bearer token (or callers' own keys); the error says how.
func TestHTTPBinaryRefusesNonLoopbackWithoutAuth(t *testing.T) {
	p := startHTTP(t, []string{"--sandbox", "--transport", "http", "--addr", "0.0.0.0:0"}, nil, false)
	assert.Equal(t, 1, p.waitExit(10*time.Second))
	logs := p.stderr.String()
	assert.Contains(t, logs, "MCP_AUTH_TOKEN")
	assert.Contains(t, logs, "x-api-key")
	assert.NotContains(t, logs, `"message":"listening"`)

	const token = "e2e-bearer-token-5c2f8a9e01"
	p = startHTTP(t, []string{"--sandbox", "--transport", "http", "--addr", "0.0.0.0:0"}, map[string]string{"MCP_AUTH_TOKEN": token}, true)
	port := p.base[strings.LastIndex(p.base, ":"):]
	p.base = "http://127.0.0.1" + port
	req, err := http.NewRequest(http.MethodPost, p.base+"/mcp", strings.NewReader(`{"jsonrpc":"2.0","id":1,"method":"ping"}`))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)
	c := mcpSession(t, p, false, map[string]string{"Authorization": "Bearer " + token})
	res, _ := callTool(t, c, "get_workflows", map[string]any{}, 10*time.Second)
	assert.False(t, res.IsError, resultText(res))
	assert.NotContains(t, p.stderr.String(), token)
}
