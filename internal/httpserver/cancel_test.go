package httpserver

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A tools/call the client cancels gets no response over streamable HTTP,
// whether its answer would be a JSON body or an event stream (a call that
// sent progress); later requests are answered.
func TestCancelledCallGetsNoResponseOverStreamableHTTP(t *testing.T) {
	started := make(chan struct{}, 4)
	ms := server.NewMCPServer("test", "1", server.WithToolCapabilities(false))
	ms.AddTool(mcp.NewTool("wait"), func(ctx context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		if req.Params.Meta != nil && req.Params.Meta.ProgressToken != nil {
			_ = server.ServerFromContext(ctx).SendNotificationToClient(ctx, "notifications/progress",
				map[string]any{"progressToken": req.Params.Meta.ProgressToken, "progress": 1, "message": "waiting"})
		}
		started <- struct{}{}
		<-ctx.Done()
		return mcp.NewToolResultError("cancelled"), nil
	})
	ms.AddTool(mcp.NewTool("ping"), func(context.Context, mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		return mcp.NewToolResultText("pong"), nil
	})
	r := start(t, ms, Options{})
	sid := r.initialize()
	r.do(http.MethodPost, "/mcp", `{"jsonrpc":"2.0","method":"notifications/initialized"}`, "Mcp-Session-Id", sid)

	for _, tc := range []struct {
		name, call, sse string
	}{
		{"json answer", `{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"wait","arguments":{}}}`, ""},
		{"event stream answer", `{"jsonrpc":"2.0","id":"p8","method":"tools/call","params":{"name":"wait","arguments":{},"_meta":{"progressToken":"tok"}}}`, "progress"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := make(chan answer, 1)
			go func() { got <- r.do(http.MethodPost, "/mcp", tc.call, "Mcp-Session-Id", sid) }()
			select {
			case <-started:
			case <-time.After(10 * time.Second):
				t.Fatal("the tool did not start")
			}
			id := `7`
			if tc.sse != "" {
				id = `"p8"`
			}
			c := r.do(http.MethodPost, "/mcp", `{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":`+id+`}}`, "Mcp-Session-Id", sid)
			assert.Equal(t, http.StatusAccepted, c.status)
			var a answer
			select {
			case a = <-got:
			case <-time.After(10 * time.Second):
				t.Fatal("the cancelled call's HTTP request did not end")
			}
			require.Equal(t, http.StatusOK, a.status)
			assert.NotContains(t, a.body, `"id":`+id, "no response to the cancelled request")
			assert.NotContains(t, a.body, `"result"`)
			assert.NotContains(t, a.body, `"error"`)
			if tc.sse != "" {
				assert.Contains(t, a.body, "notifications/progress", "other events still go out")
			}
			p := r.do(http.MethodPost, "/mcp", `{"jsonrpc":"2.0","id":9,"method":"tools/call","params":{"name":"ping","arguments":{}}}`, "Mcp-Session-Id", sid)
			assert.Contains(t, p.body, "pong")
			assert.Contains(t, p.body, `"id":9`)
		})
	}
}
