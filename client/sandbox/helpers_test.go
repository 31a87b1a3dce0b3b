package sandbox_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"testing/iotest"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/skyvern-mcp/skyvern-mcp/client"
	"github.com/skyvern-mcp/skyvern-mcp/client/sandbox"
)

const testKey = "sk-test-key"

// fakeClock is a settable clock for Options.Now.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{t: time.Date(2026, 11, 29, 19, 43, 32, 123456000, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// env is a sandbox behind an httptest server and a real client for it.
type env struct {
	sb     *sandbox.Server
	srv    *httptest.Server
	c      *client.Client
	clock  *fakeClock
	ctx    context.Context
	bodies *bodyRecorder
}

// newEnv starts a sandbox with opts (APIKey defaults to testKey). When
// opts.Now is nil and fake is true, a fake clock drives it.
func newEnv(t *testing.T, opts sandbox.Options, fake bool, copts ...client.Option) *env {
	t.Helper()
	e := &env{ctx: context.Background(), bodies: &bodyRecorder{next: http.DefaultTransport}}
	if opts.APIKey == "" {
		opts.APIKey = testKey
	}
	if fake && opts.Now == nil {
		e.clock = newFakeClock()
		opts.Now = e.clock.Now
	}
	e.sb = sandbox.New(opts)
	e.srv = httptest.NewServer(e.sb)
	t.Cleanup(e.srv.Close)
	all := append([]client.Option{
		client.WithBaseURL(e.srv.URL), client.WithAPIKey(opts.APIKey),
		client.WithHTTPClient(&http.Client{Transport: e.bodies}), client.WithRetries(0, 0),
	}, copts...)
	c, err := client.New(all...)
	require.NoError(t, err)
	e.c = c
	return e
}

// raw sends a request with the test key and returns the status and body.
func (e *env) raw(t *testing.T, method, path, contentType, body string) (int, http.Header, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, e.srv.URL+path, strings.NewReader(body))
	require.NoError(t, err)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	req.Header.Set("x-api-key", testKey)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, resp.Header, b
}

// validation decodes a FastAPI 422 body.
func validation(t *testing.T, body []byte) []client.ValidationError {
	t.Helper()
	var v struct {
		Detail []client.ValidationError `json:"detail"`
	}
	require.NoError(t, json.Unmarshal(body, &v), "body: %s", body)
	require.NotEmpty(t, v.Detail, "body: %s", body)
	return v.Detail
}

// findLoc returns the error at loc, failing when there is none.
func findLoc(t *testing.T, errs []client.ValidationError, loc ...any) client.ValidationError {
	t.Helper()
	want, _ := json.Marshal(loc)
	for _, e := range errs {
		got, _ := json.Marshal(e.Loc)
		if bytes.Equal(got, want) {
			return e
		}
	}
	t.Fatalf("no validation error at %s in %+v", want, errs)
	return client.ValidationError{}
}

// bodyRecorder keeps every response body the client receives.
type bodyRecorder struct {
	next http.RoundTripper
	mu   sync.Mutex
	all  bytes.Buffer
}

func (b *bodyRecorder) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := b.next.RoundTrip(req)
	if err != nil || resp.Body == nil {
		return resp, err
	}
	data, readErr := io.ReadAll(resp.Body)
	resp.Body.Close()
	b.mu.Lock()
	b.all.Write(data)
	b.all.WriteByte('\n')
	b.mu.Unlock()
	var rest io.Reader = bytes.NewReader(nil)
	if readErr != nil {
		rest = iotest.ErrReader(readErr)
	}
	resp.Body = io.NopCloser(io.MultiReader(bytes.NewReader(data), rest))
	return resp, nil
}

func (b *bodyRecorder) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.all.String()
}

var dateTime = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$`)

// requireDateTime checks Skyvern's timestamp format; empty is allowed when
// optional.
func requireDateTime(t *testing.T, v string, optional bool) {
	t.Helper()
	if v == "" && optional {
		return
	}
	require.Regexp(t, dateTime, v)
}

func ids[T any](items []T, id func(T) string) []string {
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = id(it)
	}
	return out
}

func itemID(it client.TaskRunListItem) string { return it.RunID }

func wrID(it client.WorkflowRun) string { return it.WorkflowRunID }

func newExtraWorkflow(t *testing.T, e *env, title string) *client.Workflow {
	t.Helper()
	wf, err := e.c.CreateWorkflow(e.ctx, &client.WorkflowRequest{JSONDefinition: map[string]any{"title": title, "workflow_definition": map[string]any{
		"parameters": []any{map[string]any{"parameter_type": "workflow", "key": "city", "workflow_parameter_type": "string"}},
		"blocks": []any{map[string]any{"block_type": "navigation", "label": "go", "navigation_goal": "Open {{city}}",
			"error_code_mapping": map[string]any{"NO_RESULTS": "nothing found", "BLOCKED": "blocked by the site"}}},
	}}}, "")
	require.NoError(t, err)
	return wf
}

func mustCred(t *testing.T, e *env) string {
	t.Helper()
	c, err := e.c.CreateCredential(e.ctx, &client.CreateCredentialRequest{Name: "n",
		Credential: client.CredentialData{Password: &client.PasswordCredential{Username: "u", Password: "p-extra"}}})
	require.NoError(t, err)
	return c.CredentialID
}

func ptrInt(v int) *int { return &v }

// doRaw sends a request without a body and returns the status.
func doRaw(t *testing.T, method, url string, header map[string]string) int {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	require.NoError(t, err)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}
