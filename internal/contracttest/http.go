package contracttest

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
)

// Option configures [Spec.Transport] and [Spec.Middleware].
type Option func(*httpOptions)

type httpOptions struct {
	allowedStatus []int
}

// AllowStatus accepts responses with the given status codes even when the
// operation does not document them, e.g. 429 or 503 in retry tests (Skyvern's
// spec documents only the statuses FastAPI knows about). Their bodies are not
// validated. A status the operation does document is still validated in full.
func AllowStatus(codes ...int) Option {
	return func(o *httpOptions) {
		o.allowedStatus = append(o.allowedStatus, codes...)
	}
}

func newHTTPOptions(opts []Option) *httpOptions {
	o := &httpOptions{}
	for _, opt := range opts {
		opt(o)
	}
	return o
}

// Transport returns a RoundTripper for client-side tests that forwards every
// request to next (http.DefaultTransport if nil) and reports through
// tb.Errorf every way in which the request, or the response next returns,
// departs from the spec: a method+path the spec does not document, invalid
// path/query/header parameters, an invalid request body, an undocumented
// status code, an undocumented Content-Type, or an invalid response body.
// Violations never alter the traffic: the caller sees next's response with
// its body intact. Every documented operation is counted in [Spec.Seen].
//
// The returned RoundTripper is safe for concurrent use.
func (s *Spec) Transport(tb Reporter, next http.RoundTripper, opts ...Option) http.RoundTripper {
	if next == nil {
		next = http.DefaultTransport
	}
	return &transport{spec: s, tb: tb, next: next, opts: newHTTPOptions(opts)}
}

type transport struct {
	spec *Spec
	tb   Reporter
	next http.RoundTripper
	opts *httpOptions
}

// RoundTrip implements http.RoundTripper.
func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	t.tb.Helper()
	body, err := drain(req.Body)
	if err != nil {
		return nil, fmt.Errorf("contracttest: reading request body: %w", err)
	}
	// RoundTrippers must not modify the caller's request: send a clone,
	// and a description of it (body included) to the validator.
	out := withBody(req.Clone(req.Context()), req.Body != nil, body)
	x := newExchange(req, req.Body != nil, body)

	documented := t.spec.checkRequest(t.tb, x)

	resp, err := t.next.RoundTrip(out)
	if err != nil {
		return resp, err
	}
	respBody, err := drain(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("contracttest: reading response body: %w", err)
	}
	resp.Body = io.NopCloser(bytes.NewReader(respBody))
	if documented {
		t.spec.checkResponse(t.tb, t.opts, x, resp.StatusCode, resp.Header, respBody)
	}
	return resp, nil
}

// Middleware wraps the handler of a fake Skyvern server for server-side
// tests. It checks every incoming request and the response next writes with
// the same rules as [Spec.Transport], then replays the response to the real
// writer unchanged. The response is buffered in full, so streaming handlers
// only deliver their output once they return.
//
// The returned handler is safe for concurrent use.
func (s *Spec) Middleware(tb Reporter, next http.Handler, opts ...Option) http.Handler {
	o := newHTTPOptions(opts)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tb.Helper()
		body, err := drain(r.Body)
		if err != nil {
			tb.Errorf("contract: reading request body of %s %s: %v", r.Method, r.URL.Path, err)
			http.Error(w, "contracttest: unreadable request body", http.StatusBadRequest)
			return
		}
		in := withBody(r.WithContext(r.Context()), true, body)
		x := newExchange(r, true, body)

		documented := s.checkRequest(tb, x)

		rec := httptest.NewRecorder()
		next.ServeHTTP(rec, in)
		res := rec.Result()
		respBody := rec.Body.Bytes()
		if documented {
			s.checkResponse(tb, o, x, res.StatusCode, res.Header, respBody)
		}

		for k, v := range res.Header {
			w.Header()[k] = v
		}
		w.WriteHeader(res.StatusCode)
		_, _ = w.Write(respBody)
	})
}

// newExchange describes req, whose body (if hasBody) is body, for the
// contract-validator.
func newExchange(req *http.Request, hasBody bool, body []byte) *validatorExchange {
	return &validatorExchange{
		Method:  req.Method,
		URL:     req.URL.String(),
		Header:  req.Header.Clone(),
		Body:    body,
		HasBody: hasBody,
	}
}

// checkRequest has the contract-validator locate the operation of x and
// validate the request against it, reports each violation (an undocumented
// operation among them), counts the operation in [Spec.Seen], and reports
// whether the operation is documented.
func (s *Spec) checkRequest(tb Reporter, x *validatorExchange) bool {
	tb.Helper()
	resp, err := s.v.call(&validatorRequest{Op: "request", Spec: s.id, Exchange: x})
	if err != nil {
		tb.Errorf("contract: checking request %s %s: %v", x.Method, x.URL, err)
		return false
	}
	for _, v := range resp.Violations {
		tb.Errorf("%s", v)
	}
	if resp.Operation == "" {
		return false
	}
	s.markSeen(resp.Operation)
	return true
}

// checkResponse has the contract-validator validate a response to x's
// request, and reports each violation.
func (s *Spec) checkResponse(tb Reporter, o *httpOptions, x *validatorExchange,
	status int, header http.Header, body []byte,
) {
	tb.Helper()
	withResponse := *x
	withResponse.Status, withResponse.ResponseHeader, withResponse.ResponseBody = status, header, body
	withResponse.AllowedStatus = o.allowedStatus
	resp, err := s.v.call(&validatorRequest{Op: "response", Spec: s.id, Exchange: &withResponse})
	if err != nil {
		tb.Errorf("contract: checking response %d to %s %s: %v", status, x.Method, x.URL, err)
		return
	}
	for _, v := range resp.Violations {
		tb.Errorf("%s", v)
	}
}

// drain reads and closes rc, which may be nil.
func drain(rc io.ReadCloser) ([]byte, error) {
	if rc == nil || rc == http.NoBody {
		return nil, nil
	}
	defer rc.Close()
	return io.ReadAll(rc)
}

// withBody gives r a fresh, replayable copy of body. If hadBody is false
// the request had a nil Body, which is preserved.
func withBody(r *http.Request, hadBody bool, body []byte) *http.Request {
	if !hadBody {
		return r
	}
	if len(body) == 0 {
		r.Body, r.GetBody = http.NoBody, func() (io.ReadCloser, error) { return http.NoBody, nil }
		return r
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
	return r
}
