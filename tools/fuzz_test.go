package tools

import (
	"context"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/rs/zerolog"

	"github.com/skyvern-mcp/skyvern-mcp/client"
)

// FuzzToolArguments calls a tool's handler, picked by index from All(), with
// the fuzzed bytes as its raw arguments. The Deps' Client returns
// ErrNoAPIKey, so nothing reaches the network: the handler checks the
// limits, validates and decodes, then stops. Seeds: testdata/fuzz/FuzzToolArguments.
func FuzzToolArguments(f *testing.F) {
	f.Add(uint(0), []byte(`{"prompt":"Find the price"}`))
	f.Add(uint(1), []byte(`{"run_id":7}`))
	all := All()
	handlers := make([]func(context.Context, mcp.CallToolRequest) (*mcp.CallToolResult, error), len(all))
	deps := &Deps{
		Client:  func(context.Context) (*client.Client, error) { return nil, ErrNoAPIKey },
		Log:     zerolog.New(io.Discard),
		Secrets: []string{"sk-fuzz-canary"},
	}
	for i, t := range all {
		handlers[i] = t.bind(deps)
	}
	f.Fuzz(func(t *testing.T, index uint, args []byte) {
		i := int(index % uint(len(all)))
		name := all[i].Tool.Name
		req := mcp.CallToolRequest{}
		req.Params.Name = name
		req.Params.RawArguments = args
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		res, err := handlers[i](ctx, req)
		if err != nil {
			t.Fatalf("%s: protocol error %v; failures must be results", name, err)
		}
		if res == nil {
			t.Fatalf("%s: nil result", name)
		}
		if !res.IsError {
			t.Fatalf("%s: success without a client: %+v", name, res)
		}
		if len(res.Content) == 0 {
			t.Fatalf("%s: error result without content", name)
		}
		tc, ok := res.Content[0].(mcp.TextContent)
		if !ok {
			t.Fatalf("%s: error content is %T, want text", name, res.Content[0])
		}
		msg := tc.Text
		if strings.Contains(msg, "internal error") {
			t.Fatalf("%s: handler panicked on %q: %s", name, args, msg)
		}
		if !strings.HasPrefix(msg, name+": ") || len(msg) <= len(name)+2 {
			t.Fatalf("%s: unclear error message %q", name, msg)
		}
		// Either the arguments were refused with a reason, or they were
		// accepted and the call stopped at the missing key.
		if !strings.Contains(msg, "invalid arguments: ") && !strings.Contains(msg, "arguments are not JSON") &&
			msg != name+": "+ErrNoAPIKey.Error() {
			t.Fatalf("%s: unexpected message %q", name, msg)
		}
	})
}
