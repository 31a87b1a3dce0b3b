package client

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

const fuzzKey = "sk-fuzz-canary-key"

// fuzzTransport answers every request with the same status and body.
type fuzzTransport struct {
	status      int
	contentType string
	body        []byte
}

func (t *fuzzTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil {
		_ = req.Body.Close()
	}
	h := http.Header{}
	h.Set("Content-Type", t.contentType)
	return &http.Response{
		StatusCode: t.status, Status: http.StatusText(t.status), Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: h, Body: io.NopCloser(bytes.NewReader(t.body)), ContentLength: int64(len(t.body)), Request: req,
	}, nil
}

// FuzzResponseDecoding feeds GetRun, GetWorkflow and GetRunArtifacts an
// answer with a fuzzed status and body. op%3 picks the call, op/3%3 the
// Content-Type (JSON, plain text, HTML). No panic, no hang; every error is an
// *APIError, a *DecodeError or a message that names the request, and the
// API key never appears in it. Seeds: testdata/fuzz/FuzzResponseDecoding.
func FuzzResponseDecoding(f *testing.F) {
	f.Add(uint(0), 200, []byte(`{"run_id":"tsk_1","status":"running"}`))
	f.Add(uint(2), 404, []byte(`{"detail":"Not found"}`))
	f.Fuzz(func(t *testing.T, op uint, status int, body []byte) {
		code := 100 + int(uint(status)%500) // 100..599
		ct := []string{"application/json", "text/plain; charset=utf-8", "text/html"}[op/3%3]
		c, err := New(WithBaseURL("https://skyvern.invalid"), WithAPIKey(fuzzKey),
			WithHTTPClient(&http.Client{Transport: &fuzzTransport{status: code, contentType: ct, body: body}}),
			WithRetries(1, time.Microsecond))
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		start := time.Now()
		var name string
		switch op % 3 {
		case 0:
			name = "GET /runs/tsk_1"
			_, err = c.GetRun(ctx, "tsk_1")
		case 1:
			name = "GET /workflows/wpid_1"
			_, err = c.GetWorkflow(ctx, "wpid_1", 2, false)
		default:
			name = "GET /runs/tsk_1/artifacts"
			_, err = c.GetRunArtifacts(ctx, "tsk_1", ArtifactScreenshot)
		}
		if ctx.Err() != nil {
			t.Fatalf("%s with HTTP %d: no answer within 5 s (%v after %s)", name, code, err, time.Since(start))
		}
		if code >= 400 && err == nil {
			t.Fatalf("%s: HTTP %d gave no error", name, code)
		}
		if err == nil {
			return
		}
		msg := err.Error()
		if strings.Contains(msg, fuzzKey) {
			t.Fatalf("%s: the API key leaked into the error: %s", name, msg)
		}
		var apiErr *APIError
		var decErr *DecodeError
		switch {
		case errors.As(err, &apiErr):
			if apiErr.StatusCode != code {
				t.Fatalf("%s: APIError status %d, answer %d", name, apiErr.StatusCode, code)
			}
			if bytes.Contains(apiErr.Body, []byte(fuzzKey)) || strings.Contains(apiErr.Detail, fuzzKey) {
				t.Fatalf("%s: the API key leaked into the APIError: %+v", name, apiErr)
			}
		case errors.As(err, &decErr):
			if bytes.Contains(decErr.Body, []byte(fuzzKey)) {
				t.Fatalf("%s: the API key leaked into the DecodeError body", name)
			}
		default:
			if !strings.HasPrefix(msg, "skyvern: GET /") || len(msg) < 20 {
				t.Fatalf("%s with HTTP %d: unclear error %T %q", name, code, err, msg)
			}
		}
	})
}
