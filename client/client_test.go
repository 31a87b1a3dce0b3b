package client

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNormalizeBaseURL(t *testing.T) {
	for in, want := range map[string]string{
		"":                                  "https://api.skyvern.com",
		"cloud":                             "https://api.skyvern.com",
		"LOCAL":                             "http://localhost:8000",
		"https://api.skyvern.com/":          "https://api.skyvern.com",
		"https://api.skyvern.com/v1":        "https://api.skyvern.com",
		"https://api.skyvern.com/v1/":       "https://api.skyvern.com",
		"https://api.skyvern.com/v1/v1//":   "https://api.skyvern.com",
		"http://127.0.0.1:9/proxy/skyvern/": "http://127.0.0.1:9/proxy/skyvern",
		"http://127.0.0.1:9/proxy/v1":       "http://127.0.0.1:9/proxy",
		" http://localhost:8000 ":           "http://localhost:8000",
		"http://host/v10":                   "http://host/v10",
	} {
		got, err := NormalizeBaseURL(in)
		require.NoError(t, err, in)
		assert.Equal(t, want, got, in)
	}
	for _, bad := range []string{"ftp://x", "api.skyvern.com", "http://", "http://h/?a=b", "http://u:p@h"} {
		_, err := NormalizeBaseURL(bad)
		assert.Error(t, err, bad)
	}
}

// recorded holds the requests a recorder saw.
type recorded struct {
	mu   sync.Mutex
	reqs []*http.Request
}

func (r *recorded) all() []*http.Request {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]*http.Request(nil), r.reqs...)
}

// recorder is an httptest server that answers with fn (n counts requests
// from 1) and records the requests.
func recorder(t *testing.T, fn func(w http.ResponseWriter, r *http.Request, n int)) (*httptest.Server, *recorded) {
	rec := &recorded{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec.mu.Lock()
		rec.reqs = append(rec.reqs, r.Clone(context.Background()))
		n := len(rec.reqs)
		rec.mu.Unlock()
		fn(w, r, n)
	}))
	t.Cleanup(srv.Close)
	return srv, rec
}

func TestRequestsGoToV1WithHeaders(t *testing.T) {
	for _, suffix := range []string{"", "/", "/v1", "/v1/"} {
		srv, reqs := recorder(t, func(w http.ResponseWriter, r *http.Request, _ int) {
			_, _ = w.Write([]byte(`{"run_id":"tsk_1","status":"queued","created_at":"x","modified_at":"x","run_type":"task_v1"}`))
		})
		c, err := New(WithBaseURL(srv.URL+suffix), WithAPIKey("key-123"), WithUserAgent("tests/1"))
		require.NoError(t, err)
		run, err := c.GetRun(context.Background(), "tsk_1")
		require.NoError(t, err)
		assert.Equal(t, "tsk_1", run.RunID)
		r := reqs.all()[0]
		assert.Equal(t, "/v1/runs/tsk_1", r.URL.Path, "suffix %q", suffix)
		assert.Equal(t, "key-123", r.Header.Get("x-api-key"))
		assert.Equal(t, "skyvern-mcp/"+Version+" tests/1", r.Header.Get("User-Agent"))
	}
}

// TestPathSegmentsAreEscaped: the path builder escapes each ID as one
// segment, and refuses (without a request) a segment that a server or a
// proxy would read as another path: "", ".", "..", or one holding a slash.
func TestPathSegmentsAreEscaped(t *testing.T) {
	srv, reqs := recorder(t, func(w http.ResponseWriter, r *http.Request, _ int) { w.WriteHeader(404) })
	c, _ := New(WithBaseURL(srv.URL), WithRetries(0, 0))
	ctx := context.Background()
	for _, id := range []string{"../agents/x?y", "..", ".", "", `a\b`} {
		_, err := c.GetRun(ctx, id)
		require.Error(t, err, id)
		err = c.CancelRun(ctx, id)
		require.Error(t, err, id)
		err = c.DeleteCredential(ctx, id)
		require.Error(t, err, id)
	}
	_, err := c.GetRun(ctx, "..")
	var idErr *InvalidIDError
	require.ErrorAs(t, err, &idErr)
	assert.Equal(t, "skyvern: refusing GET /v1/runs/..: path segment: \"..\" is not a Skyvern ID: IDs are letters, digits, '_' and '-' (for example tsk_v2_123, wr_123, wpid_123, cred_123), at most 128 characters", err.Error())
	assert.Empty(t, reqs.all(), "no request reached the server")

	// A tag key with a space is still one escaped segment.
	_, _ = c.DeleteTagKey(ctx, "cost center")
	require.Len(t, reqs.all(), 1)
	assert.Equal(t, "/v1/tag-keys/cost%20center", reqs.all()[0].URL.EscapedPath())
}

func TestAPIErrorKeepsStatusDetailAndHidesKey(t *testing.T) {
	const key = "sk-canary-5e8f0c"
	srv, _ := recorder(t, func(w http.ResponseWriter, r *http.Request, _ int) {
		switch r.URL.Path {
		case "/v1/runs/a":
			w.WriteHeader(403)
			_, _ = w.Write([]byte(`{"detail":"Invalid credentials for ` + key + `"}`))
		case "/v1/runs/b":
			w.WriteHeader(422)
			_, _ = w.Write([]byte(`{"detail":[{"loc":["body","max_steps"],"msg":"Input should be a valid integer","type":"int_parsing","input":"five"},{"loc":["body","prompt"],"msg":"Field required","type":"missing"}]}`))
		default:
			w.WriteHeader(404)
			_, _ = w.Write([]byte(`{"detail":"Run not found"}`))
		}
	})
	c, _ := New(WithBaseURL(srv.URL), WithAPIKey(key))
	_, err := c.GetRun(context.Background(), "a")
	var apiErr *APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, 403, apiErr.StatusCode)
	assert.True(t, IsForbidden(err))
	assert.NotContains(t, err.Error(), key)
	assert.NotContains(t, string(apiErr.Body), key)
	assert.Contains(t, apiErr.Detail, "Invalid credentials")

	_, err = c.GetRun(context.Background(), "b")
	require.ErrorAs(t, err, &apiErr)
	assert.True(t, IsValidation(err))
	require.Len(t, apiErr.ValidationErrors, 2)
	assert.Equal(t, "max_steps", apiErr.ValidationErrors[0].Field())
	assert.Equal(t, "max_steps: Input should be a valid integer; prompt: Field required", apiErr.Detail)

	_, err = c.GetRun(context.Background(), "c")
	assert.True(t, IsNotFound(err))
	assert.True(t, errors.Is(err, ErrNotFound))
	assert.Equal(t, 404, StatusCode(err))
	assert.Equal(t, "skyvern: GET /v1/runs/c: 404 Not Found: Run not found", err.Error())
}

func TestGETRetriesHonourRetryAfter(t *testing.T) {
	srv, reqs := recorder(t, func(w http.ResponseWriter, r *http.Request, n int) {
		if n == 1 {
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(503)
			return
		}
		if n == 2 {
			w.WriteHeader(502)
			return
		}
		_, _ = w.Write([]byte(`[]`))
	})
	c, _ := New(WithBaseURL(srv.URL), WithRetries(3, time.Millisecond))
	start := time.Now()
	sessions, err := c.GetBrowserSessions(context.Background())
	require.NoError(t, err)
	assert.Empty(t, sessions)
	assert.Len(t, reqs.all(), 3)
	assert.GreaterOrEqual(t, time.Since(start), time.Second, "Retry-After: 1 must be honoured")
}

func TestPOSTThatStartsWorkIsNeverRetried(t *testing.T) {
	for _, status := range []int{429, 500, 502, 503, 504} {
		srv, reqs := recorder(t, func(w http.ResponseWriter, r *http.Request, n int) {
			w.Header().Set("Retry-After", "0")
			w.WriteHeader(status)
		})
		c, _ := New(WithBaseURL(srv.URL), WithRetries(5, time.Millisecond))
		_, err := c.RunTask(context.Background(), &TaskRunRequest{Prompt: "buy one thing"})
		require.Error(t, err)
		assert.Equal(t, status, StatusCode(err))
		assert.Len(t, reqs.all(), 1, "POST /v1/run/tasks sent more than once on %d", status)
	}
}

func TestRetriesGiveUpWithTheLastError(t *testing.T) {
	srv, reqs := recorder(t, func(w http.ResponseWriter, r *http.Request, n int) {
		w.WriteHeader(503)
		_, _ = w.Write([]byte(`{"detail":"busy"}`))
	})
	c, _ := New(WithBaseURL(srv.URL), WithRetries(2, time.Millisecond))
	_, err := c.GetRun(context.Background(), "x")
	assert.Equal(t, 503, StatusCode(err))
	assert.Len(t, reqs.all(), 3)
}

func TestDroppedConnectionIsRetriedForGET(t *testing.T) {
	srv, reqs := recorder(t, func(w http.ResponseWriter, r *http.Request, n int) {
		if n == 1 {
			conn, _, err := w.(http.Hijacker).Hijack()
			require.NoError(t, err)
			_ = conn.Close()
			return
		}
		_, _ = w.Write([]byte(`{"run_id":"wr_1","status":"running","created_at":"x","modified_at":"x","run_type":"workflow_run"}`))
	})
	c, _ := New(WithBaseURL(srv.URL), WithRetries(2, time.Millisecond))
	run, err := c.GetRun(context.Background(), "wr_1")
	require.NoError(t, err)
	assert.True(t, run.RunType.IsWorkflow())
	assert.Len(t, reqs.all(), 2)
}

func TestNonJSONSuccessIsADecodeError(t *testing.T) {
	srv, _ := recorder(t, func(w http.ResponseWriter, r *http.Request, n int) {
		w.Header().Set("Content-Type", "text/html")
		_, _ = w.Write([]byte(`<html>Bad gateway</html>`))
	})
	c, _ := New(WithBaseURL(srv.URL))
	_, err := c.GetRun(context.Background(), "x")
	var de *DecodeError
	require.ErrorAs(t, err, &de)
	assert.Contains(t, err.Error(), "text/html")
}

func TestPerRequestTimeout(t *testing.T) {
	srv, reqs := recorder(t, func(w http.ResponseWriter, r *http.Request, n int) {
		select {
		case <-r.Context().Done():
		case <-time.After(2 * time.Second):
		}
	})
	c, _ := New(WithBaseURL(srv.URL), WithTimeout(50*time.Millisecond), WithRetries(1, time.Millisecond))
	_, err := c.GetRun(context.Background(), "x")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "no answer within 50ms")
	assert.Len(t, reqs.all(), 2, "a timed-out GET is retried once")
}

func TestProxyLocationJSON(t *testing.T) {
	var p ProxyLocation
	require.NoError(t, json.Unmarshal([]byte(`"RESIDENTIAL_GB"`), &p))
	assert.Equal(t, "RESIDENTIAL_GB", p.Preset)
	b, _ := json.Marshal(p)
	assert.JSONEq(t, `"RESIDENTIAL_GB"`, string(b))

	require.NoError(t, json.Unmarshal([]byte(`{"country":"US","subdivision":"CA","city":"Los Angeles","isp":"x"}`), &p))
	require.NotNil(t, p.Geo)
	assert.Equal(t, GeoTarget{Country: "US", Subdivision: "CA", City: "Los Angeles"}, *p.Geo)
	b, _ = json.Marshal(p)
	assert.JSONEq(t, `{"country":"US","subdivision":"CA","city":"Los Angeles","isp":"x"}`, string(b), "unknown keys survive")
}

func TestCredentialDataShapes(t *testing.T) {
	var d CredentialData
	require.NoError(t, json.Unmarshal([]byte(`{"username":"u","password":"p","totp":"JBSWY3DPEHPK3PXP"}`), &d))
	assert.Equal(t, CredentialPassword, d.Type())
	assert.NotContains(t, d.String(), "JBSWY3DPEHPK3PXP")
	require.NoError(t, json.Unmarshal([]byte(`{"card_number":"4111111111111111","card_cvv":"123","card_exp_month":"01","card_exp_year":"2030","card_brand":"visa","card_holder_name":"A"}`), &d))
	assert.Equal(t, CredentialCreditCard, d.Type())
	require.NoError(t, json.Unmarshal([]byte(`{"secret_value":"s"}`), &d))
	assert.Equal(t, CredentialSecret, d.Type())
	b, _ := json.Marshal(d)
	assert.JSONEq(t, `{"secret_value":"s"}`, string(b))

	err := json.Unmarshal([]byte(`{"username":"u","pasword":"typo"}`), &d)
	require.Error(t, err, "a misspelt field is not silently dropped")
	assert.Contains(t, err.Error(), "pasword")
	assert.Error(t, json.Unmarshal([]byte(`{"foo":1}`), &d))
}

func TestRunWorkflowAcceptsWorkflowIDAlias(t *testing.T) {
	var body map[string]any
	srv, reqs := recorder(t, func(w http.ResponseWriter, r *http.Request, n int) {
		require.NoError(t, json.NewDecoder(r.Body).Decode(&body))
		_, _ = w.Write([]byte(`{"run_id":"wr_1","status":"queued","created_at":"x","modified_at":"x","run_type":"workflow_run"}`))
	})
	c, _ := New(WithBaseURL(srv.URL))
	mx := 7
	_, err := c.RunWorkflow(context.Background(), &WorkflowRunRequest{WorkflowID: "wpid_1", Template: true, MaxStepsOverride: &mx, UserAgent: "UA/1"})
	require.NoError(t, err)
	assert.Equal(t, "wpid_1", body["agent_id"])
	assert.NotContains(t, body, "workflow_id")
	r := reqs.all()[0]
	assert.Equal(t, "true", r.URL.Query().Get("template"))
	assert.Equal(t, "7", r.Header.Get("x-max-steps-override"))
	assert.Equal(t, "UA/1", r.Header.Get("x-user-agent"))
}

func TestWaitForRun(t *testing.T) {
	statuses := []string{"queued", "running", "running", "paused", "running", "completed"}
	srv, _ := recorder(t, func(w http.ResponseWriter, r *http.Request, n int) {
		if n == 3 {
			w.WriteHeader(502) // a transient poll failure is survived
			return
		}
		i := min(n-1, len(statuses)-1)
		_, _ = w.Write([]byte(`{"run_id":"tsk_1","status":"` + statuses[i] + `","step_count":` + string(rune('0'+i)) + `,"created_at":"x","modified_at":"x","run_type":"task_v1"}`))
	})
	c, _ := New(WithBaseURL(srv.URL), WithRetries(0, 0))
	var seen []RunStatus
	run, err := c.WaitForRun(context.Background(), "tsk_1", WaitOptions{PollInitial: time.Millisecond, PollMax: 2 * time.Millisecond,
		OnPoll: func(r *Run) { seen = append(seen, r.Status) }})
	require.NoError(t, err)
	assert.Equal(t, RunStatusCompleted, run.Status)
	assert.Contains(t, seen, RunStatusPaused, "paused is not final")
	assert.Equal(t, RunStatusCompleted, seen[len(seen)-1])
}

func TestWaitForRunTimeoutReturnsLastRun(t *testing.T) {
	srv, _ := recorder(t, func(w http.ResponseWriter, r *http.Request, n int) {
		_, _ = w.Write([]byte(`{"run_id":"tsk_1","status":"running","step_count":2,"created_at":"x","modified_at":"x","run_type":"task_v1"}`))
	})
	c, _ := New(WithBaseURL(srv.URL))
	run, err := c.WaitForRun(context.Background(), "tsk_1", WaitOptions{Timeout: 50 * time.Millisecond, PollInitial: 5 * time.Millisecond})
	var nf *RunNotFinishedError
	require.ErrorAs(t, err, &nf)
	require.NotNil(t, run)
	assert.Equal(t, RunStatusRunning, run.Status)
	assert.Equal(t, RunStatusRunning, nf.Status)
	assert.True(t, errors.Is(err, context.DeadlineExceeded))
	assert.Contains(t, err.Error(), "still going")
}

func TestWaitForRunStopsOn404(t *testing.T) {
	srv, reqs := recorder(t, func(w http.ResponseWriter, r *http.Request, n int) { w.WriteHeader(404) })
	c, _ := New(WithBaseURL(srv.URL))
	_, err := c.WaitForRun(context.Background(), "tsk_x", WaitOptions{PollInitial: time.Millisecond})
	assert.True(t, IsNotFound(err))
	assert.Len(t, reqs.all(), 1)
}

func TestUploadFileSendsARealFilePart(t *testing.T) {
	var gotName, gotType, gotBody string
	srv, _ := recorder(t, func(w http.ResponseWriter, r *http.Request, n int) {
		f, hdr, err := r.FormFile("file")
		require.NoError(t, err)
		b := new(strings.Builder)
		_, _ = io.Copy(b, f)
		gotName, gotType, gotBody = hdr.Filename, hdr.Header.Get("Content-Type"), b.String()
		_, _ = w.Write([]byte(`{"s3_uri":"s3://b/k","presigned_url":"https://x"}`))
	})
	c, _ := New(WithBaseURL(srv.URL))
	res, err := c.UploadFile(context.Background(), "a.txt", "text/plain", strings.NewReader("hello"))
	require.NoError(t, err)
	assert.Equal(t, "s3://b/k", res.S3URI)
	assert.Equal(t, "a.txt", gotName)
	assert.Equal(t, "text/plain", gotType)
	assert.Equal(t, "hello", gotBody)
}

func TestAnswerOfTheWrongShapeIsADecodeError(t *testing.T) {
	srv, _ := recorder(t, func(w http.ResponseWriter, r *http.Request, n int) {
		_, _ = w.Write([]byte(`{"detail":"maintenance"}`))
	})
	c, _ := New(WithBaseURL(srv.URL))
	run, err := c.GetRun(context.Background(), "tsk_1")
	var de *DecodeError
	require.ErrorAs(t, err, &de)
	assert.Nil(t, run)
	assert.Contains(t, err.Error(), "not a run")
}
