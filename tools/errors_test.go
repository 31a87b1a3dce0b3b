package tools

import (
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/skyvern-mcp/skyvern-mcp/client"
	"github.com/skyvern-mcp/skyvern-mcp/client/sandbox"
)

// Errors keep the server's own words and status, and advise only what is
// true of the error.
func TestErrorsSayWhatHappened(t *testing.T) {
	h := newHarness(t, harnessOpts{unchecked: true, clientOpts: []client.Option{client.WithRetries(3, time.Millisecond)}})
	base, err := h.deps.Client(t.Context())
	require.NoError(t, err)
	baseURL := base.BaseURL()
	const runPath = "/v1/runs/{run_id}"
	const keyAdvice = "SKYVERN_API_KEY"
	const wrongBase = "base URL looks wrong"
	for _, tc := range []struct {
		name  string
		fault sandbox.Fault
		tool  string
		args  map[string]any
		want  []string
		never []string
	}{
		{name: "500 error body keeps the message; no retries claimed",
			fault: sandbox.Fault{Path: runPath, Status: 500, Body: `{"error": "Database connection lost"}`},
			want:  []string{"HTTP 500", "Database connection lost", "server error; try again later"},
			never: []string{"retries", "retried", "attempts", keyAdvice, wrongBase}},
		{name: "500 message body",
			fault: sandbox.Fault{Path: runPath, Status: 500, Body: `{"message": "worker crashed"}`},
			want:  []string{"HTTP 500", "worker crashed"}},
		{name: "500 raw body, bounded and redacted",
			fault: sandbox.Fault{Path: runPath, Status: 500, ContentType: "text/plain", Body: "boom key=" + testKey + " " + strings.Repeat("x", 5000)},
			want:  []string{"HTTP 500", "boom key=[REDACTED]"},
			never: []string{testKey, strings.Repeat("x", 400)}},
		{name: "503 retried: the attempts are counted",
			fault: sandbox.Fault{Path: runPath, Status: 503, Body: `{"detail": "overloaded"}`},
			want:  []string{"HTTP 503", "4 attempts", "overloaded"}},
		{name: "POST 500 is not retried and says so",
			fault: sandbox.Fault{Method: http.MethodPost, Path: "/v1/runs/{run_id}/cancel", Status: 500, Body: `{"error": "cancel failed"}`},
			tool:  "cancel_run",
			want:  []string{"HTTP 500", "cancel failed", "not retried automatically"},
			never: []string{"attempts"}},
		{name: "403 invalid credentials: API key advice",
			fault: sandbox.Fault{Path: runPath, Status: 403, Body: `{"detail": "Invalid credentials"}`},
			want:  []string{"HTTP 403", "Invalid credentials", keyAdvice}},
		{name: "401: API key advice",
			fault: sandbox.Fault{Path: runPath, Status: 401, Body: `{"detail": "Unauthorized"}`},
			want:  []string{"HTTP 401", keyAdvice}},
		{name: "403 localhost only: no API key advice",
			fault: sandbox.Fault{Path: runPath, Status: 403, Body: `{"detail": "Endpoint requires localhost access"}`},
			want:  []string{"HTTP 403", "Endpoint requires localhost access", "not about the API key"},
			never: []string{keyAdvice}},
		{name: "403 workflow not public: no API key advice",
			fault: sandbox.Fault{Path: runPath, Status: 403, Body: `{"detail": "This workflow is not public"}`},
			want:  []string{"HTTP 403", "workflow is not public"},
			never: []string{keyAdvice}},
		{name: "404 from Skyvern: check the ID",
			want:  []string{"HTTP 404", "not found", "Check the ID"},
			never: []string{wrongBase}},
		{name: "404 generic FastAPI route miss: base URL",
			fault: sandbox.Fault{Path: runPath, Status: 404, Body: `{"detail": "Not Found"}`},
			want:  []string{"HTTP 404", wrongBase, baseURL, "--base-url"},
			never: []string{"Check the ID"}},
		{name: "404 not Skyvern's JSON: base URL",
			fault: sandbox.Fault{Path: runPath, Status: 404, ContentType: "text/plain; charset=utf-8", Body: "404 page not found\n"},
			want:  []string{"HTTP 404", "404 page not found", wrongBase, baseURL},
			never: []string{"Check the ID"}},
		{name: "HTML error page: base URL",
			fault: sandbox.Fault{Path: runPath, Status: 502, HTML: true},
			want:  []string{"HTTP 502", "HTML", wrongBase, baseURL}},
		{name: "HTML 200: base URL",
			fault: sandbox.Fault{Path: runPath, HTML: true},
			want:  []string{wrongBase, baseURL}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h.sandbox.ClearFaults()
			if tc.fault.Status != 0 || tc.fault.HTML {
				h.sandbox.AddFault(tc.fault)
			}
			tool, args := tc.tool, tc.args
			if tool == "" {
				tool = "get_run"
			}
			if args == nil {
				args = map[string]any{"run_id": "tsk_404"}
			}
			res := h.call(tool, args, nil)
			require.True(t, res.IsError)
			msg := text(res)
			for _, w := range tc.want {
				assert.Contains(t, msg, w)
			}
			for _, n := range append(tc.never, testKey) {
				assert.NotContains(t, msg, n)
			}
		})
	}
}

// A host that does not answer: the base URL is named as looking wrong.
func TestUnreachableBaseURL(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	closed := "http://" + l.Addr().String()
	require.NoError(t, l.Close())
	h := newHarness(t, harnessOpts{unchecked: true, clientOpts: []client.Option{client.WithBaseURL(closed), client.WithRetries(1, time.Millisecond)}})
	res := h.call("get_run", map[string]any{"run_id": "tsk_1"}, nil)
	require.True(t, res.IsError)
	msg := text(res)
	assert.Contains(t, msg, "base URL looks wrong")
	assert.Contains(t, msg, closed)
	assert.Contains(t, msg, "2 attempts")
	assert.NotContains(t, msg, "Check the ID")

	// No retry for a POST: no attempts counted.
	res = h.call("cancel_run", map[string]any{"run_id": "tsk_1"}, nil)
	require.True(t, res.IsError)
	assert.Contains(t, text(res), "base URL looks wrong")
	assert.NotContains(t, text(res), "attempts")

	// A name that does not resolve.
	h2 := newHarness(t, harnessOpts{unchecked: true, clientOpts: []client.Option{client.WithBaseURL("http://skyvern.invalid"), client.WithRetries(0, 0)}})
	res = h2.call("get_run", map[string]any{"run_id": "tsk_1"}, nil)
	require.True(t, res.IsError)
	assert.Contains(t, text(res), "base URL looks wrong")
	assert.Contains(t, text(res), "http://skyvern.invalid")
}
