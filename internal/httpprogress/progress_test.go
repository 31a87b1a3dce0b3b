package httpprogress

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/skyvern-mcp/skyvern-mcp/internal/testrun"

	mcpclient "github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/client/transport"
	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	// calls is how many tool calls each client setup makes.
	calls = 100
	// perCall is how many progress notifications each call sends.
	perCall = 10
)

// newServer serves, over streamable HTTP on loopback, a "progress" tool that
// sends perCall progress notifications with the request's progress token
// (as tools.call.sendProgress does) and returns at once: the notifications
// most at risk are those sent just before the result.
func newServer(t *testing.T) string {
	testrun.Always() // the TypeScript SDK client test runs node
	t.Helper()
	s := server.NewMCPServer("httpprogress", "1", server.WithToolCapabilities(false))
	s.AddTool(mcp.NewTool("progress", mcp.WithDescription("Sends progress notifications, then returns.")),
		func(ctx context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
			if req.Params.Meta == nil || req.Params.Meta.ProgressToken == nil {
				return mcp.NewToolResultError("no progress token"), nil
			}
			srv := server.ServerFromContext(ctx)
			for i := 1; i <= perCall; i++ {
				// The result never depends on a notification: errors are ignored.
				_ = srv.SendNotificationToClient(ctx, "notifications/progress", map[string]any{
					"progressToken": req.Params.Meta.ProgressToken,
					"progress":      i,
					"total":         perCall,
					"message":       fmt.Sprintf("step %d of %d", i, perCall),
				})
			}
			return mcp.NewToolResultText("done"), nil
		})
	hs := httptest.NewServer(server.NewStreamableHTTPServer(s))
	t.Cleanup(hs.Close)
	return hs.URL + "/mcp"
}

// setup is one way of connecting mcp-go's client.
type setup struct {
	name string
	// legacy keeps the client on protocol 2025-11-25 (sessions) rather than
	// 2026-07-28, where every request is served on its own.
	legacy bool
	// listen opens the standalone GET stream (2025-11-25), as the
	// TypeScript SDK's client does.
	listen bool
	// parallel is how many calls run at once on the one session.
	parallel int
}

// TestProgressBeforeResult: over streamable HTTP, each of 100 calls receives
// all its progress notifications before its result, whatever the protocol
// version, with or without a standalone GET stream, and with calls running
// concurrently on one session.
func TestProgressBeforeResult(t *testing.T) {
	url := newServer(t)
	for _, s := range []setup{
		{name: "protocol 2026-07-28", parallel: 1},
		{name: "protocol 2025-11-25", legacy: true, parallel: 1},
		{name: "protocol 2025-11-25 with a GET stream", legacy: true, listen: true, parallel: 1},
		{name: "protocol 2025-11-25 with a GET stream, 4 calls at once", legacy: true, listen: true, parallel: 4},
	} {
		t.Run(s.name, func(t *testing.T) {
			complete, late := callMCPGo(t, url, s)
			t.Logf("%d/%d calls received all %d progress notifications before the result; %d notifications arrived after their result",
				complete, calls, perCall, late)
			assert.Equal(t, calls, complete, "calls whose notifications all arrived before the result")
			assert.Zero(t, late, "notifications that arrived after their call's result")
		})
	}
}

// callMCPGo makes the calls through mcp-go's client and returns how many
// received every notification before their result, and how many
// notifications arrived after their call's result.
func callMCPGo(t *testing.T, url string, s setup) (complete, late int) {
	t.Helper()
	var opts []transport.StreamableHTTPCOption
	if s.listen {
		opts = append(opts, transport.WithContinuousListening()) //nolint:staticcheck // SA1019: the legacy GET stream is what this case tests
	}
	tr, err := transport.NewStreamableHTTP(url, opts...)
	require.NoError(t, err)
	var copts []mcpclient.ClientOption
	if s.legacy {
		copts = append(copts, mcpclient.WithLegacyProtocolOnly()) //nolint:staticcheck // SA1019: a legacy client is what this case tests
	}
	c := mcpclient.NewClient(tr, copts...)
	t.Cleanup(func() { _ = c.Close() })

	var mu sync.Mutex
	received := map[string]int{} // progress token -> notifications received
	finished := map[string]bool{}
	var lateCount atomic.Int64
	c.OnNotification(func(n mcp.JSONRPCNotification) {
		if n.Method != "notifications/progress" {
			return
		}
		tok := fmt.Sprint(n.Params.AdditionalFields["progressToken"])
		mu.Lock()
		defer mu.Unlock()
		if finished[tok] {
			lateCount.Add(1)
		}
		received[tok]++
	})

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	require.NoError(t, c.Start(ctx))
	init := mcp.InitializeRequest{}
	init.Params.ProtocolVersion = mcp.LATEST_PROTOCOL_VERSION
	init.Params.ClientInfo = mcp.Implementation{Name: "httpprogress", Version: "1"}
	res, err := c.Initialize(ctx, init)
	require.NoError(t, err)
	if s.legacy {
		require.Equal(t, mcp.LATEST_LEGACY_PROTOCOL_VERSION, res.ProtocolVersion)
	} else {
		require.Equal(t, mcp.LATEST_PROTOCOL_VERSION, res.ProtocolVersion)
	}

	var completeCount atomic.Int64
	var wg sync.WaitGroup
	next := make(chan int)
	errs := make(chan error, s.parallel)
	for range s.parallel {
		wg.Go(func() {
			for i := range next {
				tok := "call-" + strconv.Itoa(i)
				req := mcp.CallToolRequest{}
				req.Params.Name = "progress"
				req.Params.Meta = &mcp.Meta{ProgressToken: tok}
				res, err := c.CallTool(ctx, req)
				if err == nil && (res.IsError || len(res.Content) != 1) {
					err = fmt.Errorf("call %d: unexpected result %+v", i, res)
				}
				if err != nil {
					errs <- err
					cancel()
					return
				}
				mu.Lock()
				finished[tok] = true
				if received[tok] == perCall {
					completeCount.Add(1)
				}
				mu.Unlock()
			}
		})
	}
feed:
	for i := range calls {
		select {
		case next <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	// Notifications sent to the GET stream can arrive after the result.
	time.Sleep(50 * time.Millisecond)
	return int(completeCount.Load()), int(lateCount.Load())
}

// TestProgressBeforeResultTypeScriptSDK runs the same calls through the
// official MCP TypeScript SDK client (protocol 2025-11-25, with its GET
// stream), when node and e2e/node_modules are there (make e2e-deps).
func TestProgressBeforeResultTypeScriptSDK(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not installed")
	}
	_, file, _, _ := runtime.Caller(0)
	modules := filepath.Join(filepath.Dir(file), "..", "..", "e2e", "node_modules")
	if _, err := os.Stat(filepath.Join(modules, "@modelcontextprotocol", "sdk", "package.json")); err != nil {
		t.Skip("the TypeScript SDK is not installed: run make e2e-deps")
	}
	url := newServer(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, filepath.Join("testdata", "progress-client.mjs"), url, strconv.Itoa(calls), strconv.Itoa(perCall))
	cmd.Env = append(os.Environ(), "NODE_MODULES="+modules)
	out, err := cmd.Output()
	var stderr []byte
	if ee, ok := err.(*exec.ExitError); ok {
		stderr = ee.Stderr
	}
	require.NoError(t, err, "%s", stderr)
	var got struct {
		Protocol       string
		Complete, Late int
	}
	require.NoError(t, json.Unmarshal(out, &got), "%s", out)
	t.Logf("TypeScript SDK (protocol %s): %d/%d calls received all %d progress notifications before the result; %d arrived after their result",
		got.Protocol, got.Complete, calls, perCall, got.Late)
	assert.Equal(t, calls, got.Complete)
	assert.Zero(t, got.Late)
}
