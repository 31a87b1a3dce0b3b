package httpserver

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"
	"github.com/rs/zerolog"
	"github.com/stretchr/testify/require"
)

const initBody = `{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"test","version":"1"}}}`

// testTools is an MCP server with tools that show what the transport gives
// a handler: whoami returns the caller key it sees, block waits until the
// test releases it (or its context ends).
type testTools struct {
	mcp     *server.MCPServer
	started chan struct{}
	release chan struct{}
}

func newTestTools() *testTools {
	tt := &testTools{started: make(chan struct{}, 16), release: make(chan struct{})}
	tt.mcp = server.NewMCPServer("test", "1", server.WithToolCapabilities(false))
	tt.mcp.AddTool(mcp.NewTool("whoami"), func(ctx context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		if req.Header.Get("x-api-key") != "" || req.Header.Get("Authorization") != "" {
			return mcp.NewToolResultError("credentials reached the handler in headers"), nil
		}
		return mcp.NewToolResultText("key=" + CallerKey(ctx) + " id=" + CallerID(ctx)), nil
	})
	tt.mcp.AddTool(mcp.NewTool("size"), func(_ context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		pad, _ := req.GetArguments()["pad"].(string)
		return mcp.NewToolResultText("pad=" + strconv.Itoa(len(pad))), nil
	})
	tt.mcp.AddTool(mcp.NewTool("block"), func(ctx context.Context, _ mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		tt.started <- struct{}{}
		select {
		case <-tt.release:
			return mcp.NewToolResultText("released"), nil
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	})
	return tt
}

// syncBuffer is a goroutine-safe log sink.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// running is a Server serving on 127.0.0.1:0.
type running struct {
	t      *testing.T
	srv    *Server
	base   string
	logs   *syncBuffer
	cancel context.CancelFunc
	done   chan error
}

// start serves ms with o on a free loopback port until the test ends.
func start(t *testing.T, ms *server.MCPServer, o Options) *running {
	t.Helper()
	logs := &syncBuffer{}
	o.Log = zerolog.New(logs).Level(zerolog.DebugLevel)
	if o.Transport == "" {
		o.Transport = TransportHTTP
	}
	if o.MaxBodyBytes == 0 {
		o.MaxBodyBytes = 1 << 20
	}
	if o.ShutdownGrace == 0 {
		o.ShutdownGrace = 5 * time.Second
	}
	o.Addr = "127.0.0.1:0"
	srv, err := New(ms, o)
	require.NoError(t, err)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	r := &running{t: t, srv: srv, base: "http://" + ln.Addr().String(), logs: logs, cancel: cancel, done: make(chan error, 1)}
	go func() { r.done <- srv.Serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-r.done:
		case <-time.After(15 * time.Second):
			t.Errorf("Serve did not return within 15 s of its context ending")
		}
	})
	return r
}

// stop ends Serve's context and returns its result.
func (r *running) stop(timeout time.Duration) error {
	r.t.Helper()
	r.cancel()
	select {
	case err := <-r.done:
		r.done <- err // for Cleanup
		return err
	case <-time.After(timeout):
		r.t.Fatalf("Serve did not return within %s", timeout)
		return nil
	}
}

type answer struct {
	status int
	header http.Header
	body   string
}

// do sends one request; headers are name, value pairs.
func (r *running) do(method, path, body string, headers ...string) answer {
	r.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, r.base+path, rd)
	require.NoError(r.t, err)
	if method == http.MethodPost {
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", "application/json, text/event-stream")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(r.t, err)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return answer{status: resp.StatusCode, header: resp.Header, body: string(b)}
}

// initialize opens a session and returns its ID.
func (r *running) initialize(headers ...string) string {
	r.t.Helper()
	a := r.do(http.MethodPost, "/mcp", initBody, headers...)
	require.Equal(r.t, http.StatusOK, a.status, a.body)
	id := a.header.Get("Mcp-Session-Id")
	require.NotEmpty(r.t, id)
	return id
}
