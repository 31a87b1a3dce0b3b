package tools

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	mcpclient "github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"
	"github.com/rs/zerolog"
	"github.com/stretchr/testify/require"

	"github.com/skyvern-mcp/skyvern-mcp/client"
	"github.com/skyvern-mcp/skyvern-mcp/client/sandbox"
	"github.com/skyvern-mcp/skyvern-mcp/internal/testenv"
)

const testKey = "sk-test-canary-7d1e9b"

// harness is an MCP server with every tool, talking to a sandbox through a
// client whose requests and responses are validated against Skyvern's
// OpenAPI spec, and an MCP client connected to it in process.
type harness struct {
	t       *testing.T
	sandbox *sandbox.Server
	deps    *Deps
	mcp     *mcpclient.Client
	logs    *syncBuffer

	mu            sync.Mutex
	notifications []mcp.JSONRPCNotification
}

type harnessOpts struct {
	noKey       bool
	key         string
	runDuration time.Duration
	uploadDir   string
	recording   int64
	// tasks enables MCP task support with these options.
	tasks *TaskOptions
	// protocol is the protocol version the client asks for (default: latest).
	protocol string
	// offSpec turns off the check of the sandbox's answers against
	// Skyvern's OpenAPI spec, for answers the real Skyvern gives but its
	// spec does not document (a run output that is a number or a boolean).
	// unchecked does the same, for faults that answer outside the spec, as
	// the real server does.
	offSpec, unchecked bool
	// clientOpts are extra client options (with unchecked or offSpec only).
	clientOpts []client.Option
	// chromium gives browser sessions a real Chromium (sandbox.Options.Chromium).
	chromium string
}

func newHarness(t *testing.T, o harnessOpts) *harness {
	t.Helper()
	if o.runDuration == 0 {
		o.runDuration = 150 * time.Millisecond
	}
	key := testKey
	if o.key != "" {
		key = o.key
	}
	if o.noKey {
		key = ""
	}
	sbOpts := sandbox.Options{APIKey: testKey, RunDuration: o.runDuration, RecordingSize: o.recording, Chromium: o.chromium}
	var sb *sandbox.Server
	var c *client.Client
	if o.offSpec || o.unchecked {
		sb, c = testenv.SandboxUnchecked(t, sbOpts, key, o.clientOpts...)
	} else {
		sb, c = testenv.Sandbox(t, sbOpts, key, 403, 404)
	}
	logs := &syncBuffer{}
	deps := &Deps{
		Client: func(context.Context) (*client.Client, error) {
			if !c.HasAPIKey() {
				return nil, ErrNoAPIKey
			}
			return c, nil
		},
		Log:       zerolog.New(logs),
		UploadDir: o.uploadDir,
		Watcher:   client.NewWatcher(client.WatchOptions{PollInitial: 10 * time.Millisecond, PollMax: 50 * time.Millisecond}),
		Secrets:   []string{key},
	}
	t.Cleanup(deps.Watcher.Close)
	t.Cleanup(func() { deps.CloseBrowsers(); sb.CloseBrowsers() })
	opts := []server.ServerOption{server.WithToolCapabilities(false), server.WithRecovery()}
	if o.tasks != nil {
		deps.Tasks = NewTasks(*o.tasks)
		hooks := &server.Hooks{}
		opts = append(opts, server.WithHooks(hooks))
		opts = append(opts, deps.Tasks.ServerOptions(hooks)...)
	}
	s := server.NewMCPServer("skyvern-mcp", "test", opts...)
	Register(s, deps, All())
	mc, err := mcpclient.NewInProcessClient(s)
	require.NoError(t, err)
	h := &harness{t: t, sandbox: sb, deps: deps, mcp: mc, logs: logs}
	mc.OnNotification(func(n mcp.JSONRPCNotification) {
		h.mu.Lock()
		h.notifications = append(h.notifications, n)
		h.mu.Unlock()
	})
	ctx := context.Background()
	require.NoError(t, mc.Start(ctx))
	init := mcp.InitializeRequest{}
	init.Params.ProtocolVersion = mcp.LATEST_PROTOCOL_VERSION
	if o.protocol != "" {
		init.Params.ProtocolVersion = o.protocol
	}
	init.Params.ClientInfo = mcp.Implementation{Name: "harness", Version: "1"}
	_, err = mc.Initialize(ctx, init)
	require.NoError(t, err)
	t.Cleanup(func() { _ = mc.Close() })
	return h
}

// call invokes a tool and returns the result; protocol errors fail the test.
func (h *harness) call(name string, args map[string]any, progressToken any) *mcp.CallToolResult {
	h.t.Helper()
	req := mcp.CallToolRequest{}
	req.Params.Name = name
	req.Params.Arguments = args
	if progressToken != nil {
		req.Params.Meta = &mcp.Meta{ProgressToken: progressToken}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	res, err := h.mcp.CallTool(ctx, req)
	require.NoError(h.t, err, "tool failures must be results, not protocol errors")
	if !res.IsError && res.StructuredContent != nil {
		// What an MCP client such as the TypeScript SDK checks.
		checkOutputSchema(h.t, name, res.StructuredContent)
	}
	return res
}

// structured decodes a successful result's structured content.
func (h *harness) structured(res *mcp.CallToolResult) map[string]any {
	h.t.Helper()
	require.False(h.t, res.IsError, "unexpected tool error: %s", text(res))
	var m map[string]any
	b, err := json.Marshal(res.StructuredContent)
	require.NoError(h.t, err)
	require.NoError(h.t, json.Unmarshal(b, &m))
	if len(b) <= MaxTextCopyBytes {
		// The text copy is the same JSON.
		require.JSONEq(h.t, string(b), text(res))
	} else {
		// A large result's text is a note and a shortened copy.
		require.True(h.t, strings.HasPrefix(text(res), "This result is "), "%.200s", text(res))
	}
	return m
}

func (h *harness) progress() []map[string]any {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []map[string]any
	for _, n := range h.notifications {
		if n.Method == "notifications/progress" {
			out = append(out, n.Params.AdditionalFields)
		}
	}
	return out
}

// text returns the first text content of a result.
func text(res *mcp.CallToolResult) string {
	for _, c := range res.Content {
		if tc, ok := c.(mcp.TextContent); ok {
			return tc.Text
		}
	}
	return ""
}

type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
