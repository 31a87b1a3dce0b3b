package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// session runs the server in process with the given args, feeds it the
// lines, waits until it has answered wantResponses requests, closes stdin
// and returns stdout, stderr and the exit code.
func session(t *testing.T, args []string, env map[string]string, lines []string, wantResponses int) (string, string, int) {
	t.Helper()
	for _, kv := range os.Environ() {
		if k, _, _ := strings.Cut(kv, "="); strings.HasPrefix(k, "SKYVERN_") {
			t.Setenv(k, "")
			require.NoError(t, os.Unsetenv(k))
		}
	}
	for k, v := range env {
		t.Setenv(k, v)
	}
	t.Chdir(t.TempDir()) // no .env from the developer's directory
	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	var stderr syncBuf
	done := make(chan int, 1)
	go func() {
		done <- run(context.Background(), args, inR, outW, &stderr)
		_ = outW.Close()
	}()
	// Write from another goroutine: the pipes are synchronous, and the
	// server blocks writing an answer until it is read.
	go func() {
		for _, l := range lines {
			if _, err := io.WriteString(inW, l+"\n"); err != nil {
				return
			}
		}
	}()
	var stdout strings.Builder
	sc := bufio.NewScanner(outR)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	responses := 0
	deadline := time.AfterFunc(20*time.Second, func() { _ = inW.Close() })
	defer deadline.Stop()
	for responses < wantResponses && sc.Scan() {
		line := sc.Text()
		stdout.WriteString(line + "\n")
		var m map[string]any
		if json.Unmarshal([]byte(line), &m) == nil && m["method"] == nil { // a response (a parse error's id is null)
			responses++
		}
	}
	_ = inW.Close()
	for sc.Scan() {
		stdout.WriteString(sc.Text() + "\n")
	}
	code := <-done
	return stdout.String(), stderr.String(), code
}

// syncBuf is a goroutine-safe buffer (the server writes logs while the
// test reads them).
type syncBuf struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (s *syncBuf) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.Write(p)
}

func (s *syncBuf) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.String()
}

const initialize = `{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"test","version":"1"}}}`
const initialized = `{"jsonrpc":"2.0","method":"notifications/initialized"}`

func TestStdoutCarriesOnlyJSONRPC(t *testing.T) {
	stdout, stderr, code := session(t, []string{"--sandbox", "--sandbox-run-seconds", "0.3", "--log-level", "debug"}, nil, []string{
		initialize, initialized,
		`{"jsonrpc":"2.0","id":2,"method":"tools/list"}`,
		`{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"run_task","arguments":{"prompt":"x","wait_for_completion":true},"_meta":{"progressToken":7}}}`,
		`this is not json`,
		`{"jsonrpc":"2.0","id":4,"method":"tools/call","params":{"name":"get_run","arguments":{"run_id":"tsk_nope"}}}`,
	}, 5)
	assert.Equal(t, 0, code)
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	require.GreaterOrEqual(t, len(lines), 5)
	ids := map[float64]bool{}
	sawParseError := false
	for _, l := range lines {
		var m map[string]any
		require.NoError(t, json.Unmarshal([]byte(l), &m), "stdout line is not JSON: %q", l)
		assert.Equal(t, "2.0", m["jsonrpc"], l)
		if id, ok := m["id"].(float64); ok {
			ids[id] = true
		}
		if e, ok := m["error"].(map[string]any); ok && e["code"] == float64(-32700) {
			sawParseError = true
		}
	}
	for _, id := range []float64{1, 2, 3, 4} {
		assert.True(t, ids[id], "no answer to request %v", id)
	}
	assert.True(t, sawParseError, "a malformed line gets a JSON-RPC parse error")
	assert.Contains(t, stderr, `"tool":"run_task"`, "logs go to stderr")
	assert.Contains(t, stderr, `"message":"skyvern request"`, "--log-level debug logs each Skyvern request")
	assert.NotContains(t, stderr, "\x1b[", "no colour codes when stderr is not a terminal")
}

func TestNoKeyStillListsToolsAndExplains(t *testing.T) {
	stdout, stderr, code := session(t, nil, nil, []string{
		initialize, initialized,
		`{"jsonrpc":"2.0","id":2,"method":"tools/list"}`,
		`{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"get_run","arguments":{"run_id":"tsk_1"}}}`,
	}, 3)
	assert.Equal(t, 0, code)
	assert.Contains(t, stdout, `"name":"run_task"`)
	assert.Contains(t, stdout, `"isError":true`)
	assert.Contains(t, stdout, "SKYVERN_API_KEY")
	assert.Contains(t, stderr, "no Skyvern API key")
}

func TestLogFileAndKeyNeverLogged(t *testing.T) {
	logFile := filepath.Join(t.TempDir(), "server.log")
	const key = "sk-canary-log-3f9d1c"
	stdout, stderr, code := session(t, []string{"--log-file", logFile, "--base-url", "http://127.0.0.1:1"},
		map[string]string{"SKYVERN_API_KEY": key}, []string{
			initialize, initialized,
			`{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"get_run","arguments":{"run_id":"tsk_1"}}}`,
		}, 2)
	assert.Equal(t, 0, code)
	logs, err := os.ReadFile(logFile)
	require.NoError(t, err)
	assert.Contains(t, string(logs), "skyvern-mcp ready")
	assert.Empty(t, stderr, "with --log-file nothing goes to stderr")
	for _, out := range []string{stdout, string(logs)} {
		assert.NotContains(t, out, key)
	}
	assert.Contains(t, stdout, `"isError":true`, "an unreachable Skyvern is a tool error")
}

func TestReadOnlyAndToolsets(t *testing.T) {
	stdout, _, _ := session(t, []string{"--sandbox", "--read-only", "--toolsets", "runs,credentials"}, nil, []string{
		initialize, initialized, `{"jsonrpc":"2.0","id":2,"method":"tools/list"}`,
	}, 2)
	var resp struct {
		Result struct {
			Tools []struct{ Name string } `json:"tools"`
		} `json:"result"`
	}
	for _, l := range strings.Split(stdout, "\n") {
		if strings.Contains(l, `"id":2`) {
			require.NoError(t, json.Unmarshal([]byte(l), &resp))
		}
	}
	var names []string
	for _, tl := range resp.Result.Tools {
		names = append(names, tl.Name)
	}
	assert.ElementsMatch(t, []string{"get_run", "get_run_timeline", "get_run_artifacts", "get_artifact", "get_runs_v2", "get_credentials", "get_credential"}, names)
}

func TestVersionAndBadFlags(t *testing.T) {
	var out, errOut bytes.Buffer
	assert.Equal(t, 0, run(context.Background(), []string{"--version"}, strings.NewReader(""), &out, &errOut))
	assert.True(t, strings.HasPrefix(out.String(), "skyvern-mcp "))
	out.Reset()
	assert.Equal(t, 2, run(context.Background(), []string{"--toolsets", "nope"}, strings.NewReader(""), &out, &errOut))
	assert.Empty(t, out.String(), "errors never go to stdout")
	assert.Contains(t, errOut.String(), `unknown toolset "nope"`)
}
