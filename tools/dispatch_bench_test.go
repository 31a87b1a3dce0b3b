package tools

import (
	"context"
	"encoding/json"
	"io"
	"net/http/httptest"
	"testing"

	"github.com/mark3labs/mcp-go/server"
	"github.com/rs/zerolog"

	"github.com/skyvern-mcp/skyvern-mcp/client"
	"github.com/skyvern-mcp/skyvern-mcp/client/sandbox"
)

// benchEnv is an MCP server with every tool, bound to a client of an
// httptest sandbox, with a finished run to read. Logging is on (info, to
// io.Discard) as in production.
type benchEnv struct {
	srv    *server.MCPServer
	client *client.Client
	runID  string
}

func newBenchEnv(b *testing.B) *benchEnv {
	b.Helper()
	sb := sandbox.New(sandbox.Options{APIKey: testKey, RunDuration: -1})
	hs := httptest.NewServer(sb)
	b.Cleanup(hs.Close)
	c, err := client.New(client.WithBaseURL(hs.URL), client.WithAPIKey(testKey))
	if err != nil {
		b.Fatal(err)
	}
	run, err := c.RunTask(context.Background(), &client.TaskRunRequest{Prompt: "benchmark"})
	if err != nil {
		b.Fatal(err)
	}
	deps := &Deps{
		Client:  func(context.Context) (*client.Client, error) { return c, nil },
		Log:     zerolog.New(io.Discard).Level(zerolog.InfoLevel),
		Secrets: []string{testKey},
	}
	s := server.NewMCPServer("skyvern-mcp", "bench", server.WithToolCapabilities(false), server.WithRecovery())
	Register(s, deps, All())
	return &benchEnv{srv: s, client: c, runID: run.RunID}
}

// handle sends one JSON-RPC message through the server and encodes the
// answer, as the stdio transport does.
func (e *benchEnv) handle(b *testing.B, msg []byte) int {
	resp := e.srv.HandleMessage(context.Background(), msg)
	out, err := json.Marshal(resp)
	if err != nil {
		b.Fatal(err)
	}
	return len(out)
}

// BenchmarkDispatchGetRun is one tools/call get_run through
// MCPServer.HandleMessage: JSON-RPC decoding, argument validation and
// decoding, the HTTP call to the sandbox, result encoding. Compare with
// BenchmarkDirectGetRun for the MCP layer's own cost.
func BenchmarkDispatchGetRun(b *testing.B) {
	e := newBenchEnv(b)
	msg := []byte(`{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"get_run","arguments":{"run_id":"` + e.runID + `"}}}`)
	e.handle(b, msg) // compiles the argument validator
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		e.handle(b, msg)
	}
}

// BenchmarkDispatchInvalidArgs is a tools/call rejected by the argument
// validator: the MCP layer's cost alone, without HTTP.
func BenchmarkDispatchInvalidArgs(b *testing.B) {
	e := newBenchEnv(b)
	msg := []byte(`{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"get_run","arguments":{"run_id":7}}}`)
	e.handle(b, msg)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		e.handle(b, msg)
	}
}

// BenchmarkDirectGetRun is the same get_run as a direct client call.
func BenchmarkDirectGetRun(b *testing.B) {
	e := newBenchEnv(b)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := e.client.GetRun(ctx, e.runID); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkToolsList answers tools/list with every tool and encodes it.
func BenchmarkToolsList(b *testing.B) {
	e := newBenchEnv(b)
	msg := []byte(`{"jsonrpc":"2.0","id":3,"method":"tools/list"}`)
	var n int
	b.ReportAllocs()
	for b.Loop() {
		n = e.handle(b, msg)
	}
	b.SetBytes(int64(n))
}
