package sandbox_test

import (
	"errors"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/skyvern-mcp/skyvern-mcp/client"
	"github.com/skyvern-mcp/skyvern-mcp/client/sandbox"
)

func TestFaultDrop(t *testing.T) {
	e := newEnv(t, sandbox.Options{RunDuration: -1}, false, client.WithRetries(2, time.Millisecond))
	run, err := e.c.RunTask(e.ctx, &client.TaskRunRequest{Prompt: "x"})
	require.NoError(t, err)

	// A GET is retried after a dropped connection.
	e.sb.AddFault(sandbox.Fault{Method: "GET", Path: "/v1/runs/{run_id}", Drop: true, Times: 1})
	got, err := e.c.GetRun(e.ctx, run.RunID)
	require.NoError(t, err)
	assert.Equal(t, run.RunID, got.RunID)
	assert.Equal(t, 2, e.sb.Calls("GET", "/v1/runs/{run_id}"))
	assert.Equal(t, 2, e.sb.Calls("GET", "/v1/runs/"+run.RunID), "literal paths are counted too")

	// A POST is sent exactly once, even when its connection drops.
	e.sb.AddFault(sandbox.Fault{Method: "POST", Path: "/v1/run/tasks", Drop: true})
	_, err = e.c.RunTask(e.ctx, &client.TaskRunRequest{Prompt: "y"})
	require.Error(t, err)
	assert.Equal(t, 2, e.sb.Calls("POST", "/v1/run/tasks"))
	e.sb.ClearFaults()
	_, err = e.c.RunTask(e.ctx, &client.TaskRunRequest{Prompt: "z"})
	require.NoError(t, err)
	assert.Equal(t, 3, e.sb.Calls("POST", "/v1/run/tasks"))
	assert.Equal(t, 3, e.sb.Calls("", "/v1/run/tasks"), "an empty method counts every method")
}

func TestFaultStatusAndRetryAfter(t *testing.T) {
	e := newEnv(t, sandbox.Options{RunDuration: -1}, false)
	e.sb.AddFault(sandbox.Fault{Path: "/v1/agents", Status: 503, RetryAfter: "7", Times: 2})
	for i := 0; i < 2; i++ {
		_, err := e.c.GetWorkflows(e.ctx, nil)
		var apiErr *client.APIError
		require.ErrorAs(t, err, &apiErr)
		assert.Equal(t, 503, apiErr.StatusCode)
		assert.Equal(t, 7*time.Second, apiErr.RetryAfter)
	}
	_, err := e.c.GetWorkflows(e.ctx, nil)
	require.NoError(t, err, "Times: 2 lets the third request through")
	assert.Equal(t, 3, e.sb.Calls("GET", "/v1/agents"))

	// Retries honour the fault's count: 503 twice, then success.
	retrying, err := client.New(client.WithBaseURL(e.srv.URL), client.WithAPIKey(testKey), client.WithRetries(3, time.Millisecond))
	require.NoError(t, err)
	e.sb.AddFault(sandbox.Fault{Method: "GET", Path: "/v1/agents", Status: 503, RetryAfter: "0", Times: 2,
		Body: `{"detail":"maintenance"}`})
	_, err = retrying.GetWorkflows(e.ctx, nil)
	require.NoError(t, err)
	assert.Equal(t, 6, e.sb.Calls("GET", "/v1/agents"))

	// Faults are applied before authentication, and the request is still counted.
	wrongKey, err := client.New(client.WithBaseURL(e.srv.URL), client.WithAPIKey("nope"), client.WithRetries(0, 0))
	require.NoError(t, err)
	e.sb.AddFault(sandbox.Fault{Status: 429, Times: 1})
	_, err = wrongKey.GetWorkflows(e.ctx, nil)
	assert.Equal(t, 429, client.StatusCode(err))
	_, err = wrongKey.GetWorkflows(e.ctx, nil)
	assert.Equal(t, 403, client.StatusCode(err))
	assert.Equal(t, 8, e.sb.Calls("GET", "/v1/agents"))
}

func TestFaultTruncate(t *testing.T) {
	e := newEnv(t, sandbox.Options{RunDuration: -1}, false)
	e.sb.AddFault(sandbox.Fault{Method: "POST", Path: "/v1/run/tasks", Truncate: true, Times: 1})
	_, err := e.c.RunTask(e.ctx, &client.TaskRunRequest{Prompt: "lost answer"})
	require.Error(t, err)
	assert.True(t, errors.Is(err, io.ErrUnexpectedEOF), "%v", err)
	assert.Equal(t, 1, e.sb.Calls("POST", "/v1/run/tasks"))

	// With a Body, that body is cut instead (the request is not processed).
	e.sb.AddFault(sandbox.Fault{Path: "/v1/runs/{run_id}", Truncate: true, Body: `{"run_id":"tsk_1","status":"running"}`})
	resp, err := http.Get(e.srv.URL + "/v1/runs/tsk_1")
	require.NoError(t, err)
	defer resp.Body.Close()
	assert.Equal(t, int64(37), resp.ContentLength)
	b, err := io.ReadAll(resp.Body)
	assert.ErrorIs(t, err, io.ErrUnexpectedEOF)
	assert.Equal(t, `{"run_id":"tsk_1",`, string(b))
}

func TestFaultHTML(t *testing.T) {
	e := newEnv(t, sandbox.Options{RunDuration: -1}, false)
	e.sb.AddFault(sandbox.Fault{Method: "GET", Path: "/v1/browser_sessions", HTML: true, Times: 1})
	_, err := e.c.GetBrowserSessions(e.ctx)
	var dec *client.DecodeError
	require.ErrorAs(t, err, &dec)
	assert.Equal(t, 200, dec.StatusCode)
	assert.Contains(t, dec.ContentType, "text/html")

	e.sb.AddFault(sandbox.Fault{Path: "/v1/browser_sessions", HTML: true, Status: 502, Times: 1})
	_, err = e.c.GetBrowserSessions(e.ctx)
	assert.Equal(t, 502, client.StatusCode(err))
	_, err = e.c.GetBrowserSessions(e.ctx)
	assert.NoError(t, err)
}

func TestFaultLatency(t *testing.T) {
	e := newEnv(t, sandbox.Options{RunDuration: -1}, false)
	e.sb.AddFault(sandbox.Fault{Method: "GET", Path: "/v1/credentials", Latency: 150 * time.Millisecond, Times: 1})
	start := time.Now()
	_, err := e.c.GetCredentials(e.ctx, nil)
	require.NoError(t, err, "latency alone lets the request through")
	assert.GreaterOrEqual(t, time.Since(start), 150*time.Millisecond)

	impatient, err := client.New(client.WithBaseURL(e.srv.URL), client.WithAPIKey(testKey),
		client.WithTimeout(30*time.Millisecond), client.WithRetries(0, 0))
	require.NoError(t, err)
	e.sb.AddFault(sandbox.Fault{Path: "/v1/credentials", Latency: time.Second, Times: 1})
	start = time.Now()
	_, err = impatient.GetCredentials(e.ctx, nil)
	require.Error(t, err)
	assert.Less(t, time.Since(start), 900*time.Millisecond, "the server stops waiting when the client gives up")
}
