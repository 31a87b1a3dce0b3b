package contracttest

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	validTaskResponse = `{"run_id":"tsk_1","status":"created","created_at":"2025-01-01T00:00:00Z",` +
		`"modified_at":"2025-01-01T00:00:00Z","run_type":"task_v2"}`
	bogusTaskResponse = `{"run_id":"tsk_1","status":"bogus","created_at":"2025-01-01T00:00:00Z",` +
		`"modified_at":"2025-01-01T00:00:00Z","run_type":"task_v2"}`
)

// reply is what the fake server answers to one request.
type reply struct {
	status      int
	contentType string
	body        string
}

// fakeSkyvern serves the reply registered for "METHOD /path" and records the
// request bodies it receives.
type fakeSkyvern struct {
	mu       sync.Mutex
	replies  map[string]reply
	received []string
}

func (f *fakeSkyvern) set(key string, r reply) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.replies[key] = r
}

func (f *fakeSkyvern) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	f.mu.Lock()
	f.received = append(f.received, string(body))
	rep, ok := f.replies[r.Method+" "+r.URL.Path]
	f.mu.Unlock()
	if !ok {
		rep = reply{status: http.StatusOK, contentType: "application/json", body: validTaskResponse}
	}
	if rep.contentType != "" {
		w.Header().Set("Content-Type", rep.contentType)
	}
	w.WriteHeader(rep.status)
	_, _ = w.Write([]byte(rep.body))
}

func (f *fakeSkyvern) lastReceived() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.received) == 0 {
		return ""
	}
	return f.received[len(f.received)-1]
}

// clientSetup starts a fake server on 127.0.0.1:random and returns a client
// whose transport is checked against the spec, reporting to rec.
func clientSetup(t *testing.T, opts ...Option) (*Spec, *fakeSkyvern, *httptest.Server, *http.Client, *recorder) {
	t.Helper()
	spec := Load(t)
	fake := &fakeSkyvern{replies: map[string]reply{}}
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	rec := &recorder{}
	client := &http.Client{Transport: spec.Transport(rec, srv.Client().Transport, opts...)}
	return spec, fake, srv, client, rec
}

func do(t *testing.T, c *http.Client, method, url, body string) (*http.Response, string) {
	t.Helper()
	var rd *strings.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	var req *http.Request
	var err error
	if rd != nil {
		req, err = http.NewRequest(method, url, rd)
		req.Header.Set("Content-Type", "application/json")
	} else {
		req, err = http.NewRequest(method, url, nil)
	}
	require.NoError(t, err)
	req.Header.Set("x-api-key", "sk-test")
	resp, err := c.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	return resp, readAll(t, resp.Body)
}

func TestTransportRequestBodyViolation(t *testing.T) {
	_, fake, srv, client, rec := clientSetup(t)

	resp, body := do(t, client, http.MethodPost, srv.URL+"/v1/run/tasks", `{"max_steps":"five"}`)

	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.JSONEq(t, validTaskResponse, body, "the caller still gets the real response")
	assert.JSONEq(t, `{"max_steps":"five"}`, fake.lastReceived(), "the server still gets the request body")

	msgs := rec.all()
	require.Len(t, msgs, 1)
	msg := msgs[0]
	assert.Contains(t, msg, "request of POST /v1/run/tasks (operationId run_task_v1_run_tasks_post)")
	assert.Contains(t, msg, "missing property 'prompt'")
	assert.Contains(t, msg, "at $.max_steps: got string, want integer")
	assert.Contains(t, msg, `body: {"max_steps":"five"}`)
}

func TestTransportValidExchange(t *testing.T) {
	spec, fake, srv, client, rec := clientSetup(t)
	before := spec.Seen()["POST /v1/run/tasks"]

	resp, body := do(t, client, http.MethodPost, srv.URL+"/v1/run/tasks", `{"prompt":"x"}`)

	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.JSONEq(t, validTaskResponse, body)
	assert.JSONEq(t, `{"prompt":"x"}`, fake.lastReceived())
	assert.Empty(t, rec.all(), "a valid exchange on 127.0.0.1 must not be reported (host-agnostic matching)")
	assert.Equal(t, before+1, spec.Seen()["POST /v1/run/tasks"])
}

func TestTransportResponseViolation(t *testing.T) {
	_, fake, srv, client, rec := clientSetup(t)
	fake.set("POST /v1/run/tasks", reply{http.StatusOK, "application/json", bogusTaskResponse})

	resp, body := do(t, client, http.MethodPost, srv.URL+"/v1/run/tasks", `{"prompt":"x"}`)

	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.JSONEq(t, bogusTaskResponse, body)
	msgs := rec.all()
	require.Len(t, msgs, 1)
	assert.Contains(t, msgs[0], "response 200 of POST /v1/run/tasks (operationId run_task_v1_run_tasks_post)")
	assert.Contains(t, msgs[0], "at $.status: value must be one of")
}

func TestTransportQueryParameterViolation(t *testing.T) {
	_, fake, srv, client, rec := clientSetup(t)
	fake.set("GET /v1/runs", reply{http.StatusOK, "application/json", `[]`})

	do(t, client, http.MethodGet, srv.URL+"/v1/runs?page=0", "")

	msgs := rec.all()
	require.NotEmpty(t, msgs)
	assert.Contains(t, rec.joined(), "request of GET /v1/runs")
	assert.Contains(t, rec.joined(), "page")

	rec.reset()
	do(t, client, http.MethodGet, srv.URL+"/v1/runs?page=2&page_size=5", "")
	assert.Empty(t, rec.all())
}

func TestTransportUndocumentedOperation(t *testing.T) {
	spec, fake, srv, client, rec := clientSetup(t)
	fake.set("POST /v1/nope", reply{http.StatusOK, "application/json", `{}`})

	tests := []struct{ method, path string }{
		{http.MethodPost, "/v1/nope"},
		{http.MethodPost, "/v1/run/tasks/"},    // trailing slash: path-only matching would accept it
		{http.MethodDelete, "/v1/run/tasks"},   // documented path, undocumented method
		{http.MethodPost, "/api/v1/run/tasks"}, // wrong base path
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			rec.reset()
			do(t, client, tt.method, srv.URL+tt.path, `{"prompt":"x"}`)
			msgs := rec.all()
			require.Len(t, msgs, 1, "only the undocumented operation is reported, not its response")
			assert.Contains(t, msgs[0], "undocumented operation "+tt.method+" "+tt.path)
		})
	}
	for k := range spec.Seen() {
		assert.NotContains(t, k, "nope")
	}
}

func TestTransportStatusCodes(t *testing.T) {
	_, fake, srv, _, rec := clientSetup(t)
	fake.set("POST /v1/run/tasks", reply{http.StatusServiceUnavailable, "text/plain", "try later"})

	client := &http.Client{Transport: Load(t).Transport(rec, srv.Client().Transport)}
	do(t, client, http.MethodPost, srv.URL+"/v1/run/tasks", `{"prompt":"x"}`)
	assert.Contains(t, rec.joined(), "response code '503' does not exist")

	rec.reset()
	allowing := &http.Client{Transport: Load(t).Transport(rec, srv.Client().Transport, AllowStatus(503))}
	do(t, allowing, http.MethodPost, srv.URL+"/v1/run/tasks", `{"prompt":"x"}`)
	assert.Empty(t, rec.all(), "AllowStatus accepts an undocumented status")

	// A documented status is still validated even when allowed.
	rec.reset()
	fake.set("POST /v1/run/tasks", reply{http.StatusUnprocessableEntity, "application/json", `{"detail":"oops"}`})
	allowing = &http.Client{Transport: Load(t).Transport(rec, srv.Client().Transport, AllowStatus(422))}
	do(t, allowing, http.MethodPost, srv.URL+"/v1/run/tasks", `{"prompt":"x"}`)
	assert.Contains(t, rec.joined(), "response 422 of POST /v1/run/tasks")
	assert.Contains(t, rec.joined(), "$.detail")
}

func TestTransportContentTypes(t *testing.T) {
	_, fake, srv, client, rec := clientSetup(t)
	png := "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"
	artifact := "/v1/artifacts/a_1/content"

	tests := []struct {
		name    string
		path    string
		reply   reply
		wantErr string // "" = no report expected
	}{
		{"binary 200 for schema-less artifact content", artifact, reply{200, "image/png", png}, ""},
		{"sniffed binary 200", artifact, reply{200, "", png}, ""},
		{"206 partial content", artifact, reply{206, "video/webm", "\x1a\x45\xdf\xa3"}, ""},
		{"JSON 200 artifact", artifact, reply{200, "application/json", `{"a":1}`}, ""},
		{"416 documented without content", artifact, reply{416, "text/plain", "bad range"}, ""},
		{"undocumented 500 on artifact", artifact, reply{500, "text/plain", "boom"}, "response code '500' does not exist"},
		{"HTML where a schema is documented", "/v1/run/tasks", reply{200, "text/html", "<html></html>"},
			"content type 'text/html' does not exist"},
		{"empty body where JSON is documented", "/v1/run/tasks", reply{200, "application/json", ""},
			"response object is missing"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec.reset()
			method := http.MethodGet
			body := ""
			if tt.path == "/v1/run/tasks" {
				method, body = http.MethodPost, `{"prompt":"x"}`
			}
			fake.set(method+" "+tt.path, tt.reply)
			resp, got := do(t, client, method, srv.URL+tt.path, body)
			assert.Equal(t, tt.reply.status, resp.StatusCode)
			assert.Equal(t, tt.reply.body, got, "body must reach the caller byte for byte")
			if tt.wantErr == "" {
				assert.Empty(t, rec.all())
			} else {
				assert.Contains(t, rec.joined(), tt.wantErr)
			}
		})
	}
}

func TestTransportConcurrent(t *testing.T) {
	spec, _, srv, client, rec := clientSetup(t)
	const n = 25
	before := spec.Seen()["GET /v1/runs/{run_id}"]

	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			req, err := http.NewRequest(http.MethodGet, fmt.Sprintf("%s/v1/runs/tsk_%d", srv.URL, i), nil)
			if !assert.NoError(t, err) {
				return
			}
			resp, err := client.Do(req)
			if assert.NoError(t, err) {
				_ = resp.Body.Close()
			}
		})
	}
	wg.Wait()
	// GET /v1/runs/{run_id} returns a oneOf of run responses; the fake's
	// task response is one of them.
	assert.Empty(t, rec.all())
	assert.Equal(t, before+n, spec.Seen()["GET /v1/runs/{run_id}"])
}

func TestMiddleware(t *testing.T) {
	spec := Load(t)
	fake := &fakeSkyvern{replies: map[string]reply{}}
	rec := &recorder{}
	srv := httptest.NewServer(spec.Middleware(rec, fake))
	t.Cleanup(srv.Close)
	client := srv.Client() // unchecked client: only the server side validates

	t.Run("valid", func(t *testing.T) {
		rec.reset()
		resp, body := do(t, client, http.MethodPost, srv.URL+"/v1/run/tasks", `{"prompt":"x"}`)
		assert.Equal(t, http.StatusOK, resp.StatusCode)
		assert.Equal(t, "application/json", resp.Header.Get("Content-Type"))
		assert.JSONEq(t, validTaskResponse, body)
		assert.JSONEq(t, `{"prompt":"x"}`, fake.lastReceived(), "handler sees the request body")
		assert.Empty(t, rec.all())
	})
	t.Run("bad request and bad response", func(t *testing.T) {
		rec.reset()
		fake.set("POST /v1/run/tasks", reply{http.StatusOK, "application/json", bogusTaskResponse})
		t.Cleanup(func() { fake.set("POST /v1/run/tasks", reply{200, "application/json", validTaskResponse}) })
		resp, body := do(t, client, http.MethodPost, srv.URL+"/v1/run/tasks", `{"max_steps":"five"}`)
		assert.Equal(t, http.StatusOK, resp.StatusCode)
		assert.JSONEq(t, bogusTaskResponse, body, "the response is replayed unchanged")
		all := rec.joined()
		assert.Contains(t, all, "request of POST /v1/run/tasks")
		assert.Contains(t, all, "prompt")
		assert.Contains(t, all, "max_steps")
		assert.Contains(t, all, "response 200 of POST /v1/run/tasks")
		assert.Contains(t, all, "at $.status")
	})
	t.Run("undocumented", func(t *testing.T) {
		rec.reset()
		resp, _ := do(t, client, http.MethodGet, srv.URL+"/v2/whatever", "")
		assert.Equal(t, http.StatusOK, resp.StatusCode, "the handler still runs")
		assert.Contains(t, rec.joined(), "undocumented operation GET /v2/whatever")
	})
	t.Run("binary artifact", func(t *testing.T) {
		rec.reset()
		fake.set("GET /v1/artifacts/a_1/content", reply{200, "", "\x89PNG\r\n\x1a\n"})
		resp, body := do(t, client, http.MethodGet, srv.URL+"/v1/artifacts/a_1/content", "")
		assert.Equal(t, "image/png", resp.Header.Get("Content-Type"), "sniffed like a real server")
		assert.Equal(t, "\x89PNG\r\n\x1a\n", body)
		assert.Empty(t, rec.all())
	})
}

// The spec has GET /v1/agents/{workflow_permanent_id} and POST
// /v1/agents/{workflow_id}: the same path under two parameter names. Both
// operations must be found, and their bodies validated.
func TestTransportSamePathTwoTemplates(t *testing.T) {
	spec, fake, srv, client, rec := clientSetup(t)
	fake.set("POST /v1/agents/wpid_1", reply{http.StatusOK, "application/json", `{"workflow_id":"w_1"}`})
	fake.set("GET /v1/agents/wpid_1", reply{http.StatusOK, "application/json", `{"workflow_id":"w_1"}`})

	do(t, client, http.MethodPost, srv.URL+"/v1/agents/wpid_1", `{"yaml_definition":"title: x"}`)
	msgs := rec.all()
	require.NotEmpty(t, msgs, "the incomplete Workflow response is reported")
	for _, m := range msgs {
		assert.NotContains(t, m, "undocumented")
		assert.Contains(t, m, "POST /v1/agents/{workflow_id}")
	}
	rec.reset()
	do(t, client, http.MethodGet, srv.URL+"/v1/agents/wpid_1", "")
	for _, m := range rec.all() {
		assert.Contains(t, m, "GET /v1/agents/{workflow_permanent_id}")
	}
	assert.Positive(t, spec.Seen()["POST /v1/agents/{workflow_id}"])
	assert.Positive(t, spec.Seen()["GET /v1/agents/{workflow_permanent_id}"])
}
