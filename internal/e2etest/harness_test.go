package e2etest

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/skyvern-mcp/skyvern-mcp/internal/testrun"

	"github.com/stretchr/testify/require"

	"github.com/skyvern-mcp/skyvern-mcp/client/sandbox"
)

// binPath is the skyvern-mcp binary under test.
var binPath string

// TestMain builds cmd/skyvern-mcp once (without -race: the race detector
// covers this test process, which does all the concurrent work of the test),
// unless E2E_SKYVERN_MCP_BIN names a binary to test instead.
func TestMain(m *testing.M) {
	if p := os.Getenv("E2E_SKYVERN_MCP_BIN"); p != "" {
		binPath = p
		os.Exit(m.Run())
	}
	dir, err := os.MkdirTemp("", "skyvern-mcp-e2etest-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binPath = filepath.Join(dir, "skyvern-mcp")
	build := exec.Command("go", "build", "-o", binPath, "github.com/skyvern-mcp/skyvern-mcp/cmd/skyvern-mcp")
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "building skyvern-mcp: %v\n%s", err, out)
		_ = os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	_ = os.RemoveAll(dir)
	os.Exit(code)
}

// startSandbox serves a sandbox Skyvern API that accepts only apiKey.
func startSandbox(t *testing.T, apiKey string, runDuration time.Duration) (*sandbox.Server, string) {
	testrun.Always()
	t.Helper()
	sb := sandbox.New(sandbox.Options{APIKey: apiKey, RunDuration: runDuration})
	ts := httptest.NewServer(sb)
	t.Cleanup(ts.Close)
	return sb, ts.URL
}

// message is one JSON-RPC line from the server.
type message struct {
	ID     json.RawMessage `json:"id"`
	Method string          `json:"method"`
	Params json.RawMessage `json:"params"`
	Result json.RawMessage `json:"result"`
	Error  *struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
	raw []byte
}

// proc is a running skyvern-mcp talking JSON-RPC over its stdin and stdout.
type proc struct {
	t       *testing.T
	cmd     *exec.Cmd
	stdin   io.WriteCloser
	wmu     sync.Mutex
	stderr  lockedBuffer
	logFile string
	nextID  atomic.Int64

	mu            sync.Mutex
	stdout        bytes.Buffer // every byte written to stdout
	waiters       map[string]chan *message
	answers       map[string]int // responses per id
	notifications []*message
	nonJSON       []string
	readDone      chan struct{}
	exited        chan struct{}
	exitCode      int
}

// start runs the binary with args and only the given SKYVERN_* variables,
// in an empty working directory (no .env).
func start(t *testing.T, args []string, env map[string]string) *proc {
	testrun.Always() // it runs bin/skyvern-mcp, which go test's cache cannot see
	t.Helper()
	p := &proc{t: t, waiters: map[string]chan *message{}, answers: map[string]int{},
		readDone: make(chan struct{}), exited: make(chan struct{})}
	p.nextID.Store(1000)
	p.cmd = exec.Command(binPath, args...)
	p.cmd.Dir = t.TempDir()
	for _, kv := range os.Environ() {
		if k, _, _ := strings.Cut(kv, "="); !strings.HasPrefix(strings.ToUpper(k), "SKYVERN_") {
			p.cmd.Env = append(p.cmd.Env, kv)
		}
	}
	for k, v := range env {
		p.cmd.Env = append(p.cmd.Env, k+"="+v)
	}
	p.cmd.Stderr = &p.stderr
	var err error
	p.stdin, err = p.cmd.StdinPipe()
	require.NoError(t, err)
	stdout, err := p.cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, p.cmd.Start())
	go p.read(stdout)
	go func() {
		<-p.readDone // Wait closes stdout: read it all first
		err := p.cmd.Wait()
		p.exitCode = 0
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			p.exitCode = ee.ExitCode()
		} else if err != nil {
			p.exitCode = -1
		}
		close(p.exited)
	}()
	t.Cleanup(func() {
		_ = p.stdin.Close()
		select {
		case <-p.exited:
		case <-time.After(10 * time.Second):
			_ = p.cmd.Process.Kill()
			<-p.exited
			t.Errorf("skyvern-mcp did not exit within 10 s of stdin closing")
		}
	})
	return p
}

func (p *proc) read(r io.Reader) {
	defer close(p.readDone)
	br := bufio.NewReaderSize(r, 1<<20)
	for {
		line, err := br.ReadBytes('\n')
		if len(line) > 0 {
			p.mu.Lock()
			p.stdout.Write(line)
			p.mu.Unlock()
			p.dispatch(bytes.TrimSpace(line))
		}
		if err != nil {
			return
		}
	}
}

func (p *proc) dispatch(line []byte) {
	m := &message{raw: line}
	p.mu.Lock()
	defer p.mu.Unlock()
	if err := json.Unmarshal(line, m); err != nil {
		p.nonJSON = append(p.nonJSON, string(line))
		return
	}
	if m.Method != "" {
		p.notifications = append(p.notifications, m)
		return
	}
	id := string(m.ID)
	p.answers[id]++
	if ch, ok := p.waiters[id]; ok {
		delete(p.waiters, id)
		ch <- m
	}
}

// send writes one raw line.
func (p *proc) send(line string) {
	p.wmu.Lock()
	defer p.wmu.Unlock()
	_, err := io.WriteString(p.stdin, line+"\n")
	require.NoError(p.t, err)
}

// expect registers interest in the answer to id (a JSON value such as 7 or
// "a"); call it before sending the request.
func (p *proc) expect(id string) chan *message {
	ch := make(chan *message, 1)
	p.mu.Lock()
	p.waiters[id] = ch
	p.mu.Unlock()
	return ch
}

// wait returns the answer on ch, failing the test after timeout.
func (p *proc) wait(ch chan *message, what string, timeout time.Duration) *message {
	p.t.Helper()
	select {
	case m := <-ch:
		return m
	case <-p.readDone:
		select {
		case m := <-ch:
			return m
		default:
		}
		p.t.Fatalf("%s: the server closed stdout without answering; stderr:\n%s", what, tail(p.stderr.String()))
	case <-time.After(timeout):
		p.t.Fatalf("%s: no answer within %s", what, timeout)
	}
	return nil
}

// request sends a request with a fresh numeric id and waits for its answer.
func (p *proc) request(method string, params any, timeout time.Duration) *message {
	p.t.Helper()
	id := strconv.FormatInt(p.nextID.Add(1), 10)
	ch := p.expect(id)
	p.send(requestLine(id, method, params))
	return p.wait(ch, method+" #"+id, timeout)
}

func requestLine(id, method string, params any) string {
	b, err := json.Marshal(map[string]any{"jsonrpc": "2.0", "id": json.RawMessage(id), "method": method, "params": params})
	if err != nil {
		panic(err)
	}
	return string(b)
}

func (p *proc) initialize() {
	p.t.Helper()
	m := p.request("initialize", map[string]any{"protocolVersion": "2025-06-18", "capabilities": map[string]any{},
		"clientInfo": map[string]any{"name": "e2etest", "version": "1"}}, 10*time.Second)
	require.Nil(p.t, m.Error, "initialize")
	p.send(`{"jsonrpc":"2.0","method":"notifications/initialized"}`)
}

// toolResult is a tools/call result.
type toolResult struct {
	IsError           bool             `json:"isError"`
	Content           []map[string]any `json:"content"`
	StructuredContent json.RawMessage  `json:"structuredContent"`
}

// text joins the text content items.
func (r *toolResult) text() string {
	var parts []string
	for _, c := range r.Content {
		if s, ok := c["text"].(string); ok {
			parts = append(parts, s)
		}
	}
	return strings.Join(parts, "\n")
}

// callTool calls a tool and requires a result (never a JSON-RPC error)
// within timeout.
func (p *proc) callTool(name string, args any, timeout time.Duration) *toolResult {
	p.t.Helper()
	return p.callToolMeta(name, args, nil, timeout)
}

func (p *proc) callToolMeta(name string, args any, meta map[string]any, timeout time.Duration) *toolResult {
	p.t.Helper()
	params := map[string]any{"name": name, "arguments": args}
	if meta != nil {
		params["_meta"] = meta
	}
	m := p.request("tools/call", params, timeout)
	return p.toolResultOf(name, m)
}

func (p *proc) toolResultOf(name string, m *message) *toolResult {
	p.t.Helper()
	require.Nil(p.t, m.Error, "%s: a tool failure must be a result with isError, not a JSON-RPC error", name)
	var r toolResult
	require.NoError(p.t, json.Unmarshal(m.Result, &r), "%s result", name)
	require.NotEmpty(p.t, r.Content, "%s: a result has content", name)
	if r.IsError {
		require.True(p.t, strings.HasPrefix(r.text(), name+": "), "%s: an error result names the tool: %q", name, r.text())
		require.Greater(p.t, len(r.text()), len(name)+20, "%s: an error result says what happened", name)
	}
	return &r
}

// structured decodes a successful result's structured content.
func (r *toolResult) structured(t *testing.T, v any) {
	t.Helper()
	require.False(t, r.IsError, "unexpected error result: %s", r.text())
	require.NoError(t, json.Unmarshal(r.StructuredContent, v))
}

// ping sends a ping and returns how long the answer took.
func (p *proc) ping(timeout time.Duration) time.Duration {
	p.t.Helper()
	start := time.Now()
	m := p.request("ping", nil, timeout)
	require.Nil(p.t, m.Error, "ping")
	return time.Since(start)
}

// close closes stdin and returns the exit code.
func (p *proc) close() int {
	p.t.Helper()
	_ = p.stdin.Close()
	select {
	case <-p.exited:
	case <-time.After(10 * time.Second):
		p.t.Fatalf("skyvern-mcp did not exit within 10 s of stdin closing")
	}
	return p.exitCode
}

func (p *proc) stdoutText() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.stdout.String()
}

func (p *proc) notificationsOf(method string) []*message {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []*message
	for _, n := range p.notifications {
		if n.Method == method {
			out = append(out, n)
		}
	}
	return out
}

func (p *proc) answerCount(id string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.answers[id]
}

func (p *proc) logText() string {
	if p.logFile == "" {
		return ""
	}
	b, err := os.ReadFile(p.logFile)
	require.NoError(p.t, err)
	return string(b)
}

type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func tail(s string) string {
	if len(s) > 4000 {
		return "..." + s[len(s)-4000:]
	}
	return s
}
