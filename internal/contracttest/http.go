package contracttest

import (
	"bytes"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"

	verrors "github.com/pb33f/libopenapi-validator/errors"
	v3 "github.com/pb33f/libopenapi/datamodel/high/v3"
)

// maxBodyInReport bounds how much of a body is quoted in a violation report.
const maxBodyInReport = 1024

// Option configures [Spec.Transport] and [Spec.Middleware].
type Option func(*httpOptions)

type httpOptions struct {
	allowedStatus map[int]bool
}

// AllowStatus accepts responses with the given status codes even when the
// operation does not document them, e.g. 429 or 503 in retry tests (Skyvern's
// spec documents only the statuses FastAPI knows about). Their bodies are not
// validated. A status the operation does document is still validated in full.
func AllowStatus(codes ...int) Option {
	return func(o *httpOptions) {
		for _, c := range codes {
			o.allowedStatus[c] = true
		}
	}
}

func newHTTPOptions(opts []Option) *httpOptions {
	o := &httpOptions{allowedStatus: map[int]bool{}}
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
	// RoundTrippers must not modify the caller's request: send a clone
	// and validate another (the validator consumes the body it is given).
	out := withBody(req.Clone(req.Context()), req.Body != nil, body)
	check := withBody(req.Clone(req.Context()), req.Body != nil, body)

	op := t.spec.checkRequest(t.tb, check, body)

	resp, err := t.next.RoundTrip(out)
	if err != nil {
		return resp, err
	}
	respBody, err := drain(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("contracttest: reading response body: %w", err)
	}
	resp.Body = io.NopCloser(bytes.NewReader(respBody))
	if op != nil {
		t.spec.checkResponse(t.tb, t.opts, check, op, resp.StatusCode, resp.Header, respBody)
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
		check := withBody(r.Clone(r.Context()), true, body)

		op := s.checkRequest(tb, check, body)

		rec := httptest.NewRecorder()
		next.ServeHTTP(rec, in)
		res := rec.Result()
		respBody := rec.Body.Bytes()
		if op != nil {
			s.checkResponse(tb, o, check, op, res.StatusCode, res.Header, respBody)
		}

		for k, v := range res.Header {
			w.Header()[k] = v
		}
		w.WriteHeader(res.StatusCode)
		_, _ = w.Write(respBody)
	})
}

// operation is a documented operation matched by a request.
type operation struct {
	key  string // "METHOD /path/template"
	op   *v3.Operation
	path string // the path template
	item *v3.PathItem
}

func (o *operation) String() string {
	if o.op.OperationId == "" {
		return o.key
	}
	return fmt.Sprintf("%s (operationId %s)", o.key, o.op.OperationId)
}

// checkRequest locates the operation of req and validates req against it.
// It returns nil, after reporting, when the operation is undocumented.
func (s *Spec) checkRequest(tb Reporter, req *http.Request, body []byte) *operation {
	tb.Helper()
	path, item, method := s.resolve(req)
	// Path-only matching ignores a trailing-slash difference
	// ("/v1/run/tasks/" matches "/v1/run/tasks"); Skyvern's FastAPI server
	// does not (it redirects or 404s), so treat it as undocumented.
	if method == nil || strings.HasSuffix(path, "/") != strings.HasSuffix(req.URL.Path, "/") {
		tb.Errorf("contract: undocumented operation %s %s: the spec (%s) has no such method and path",
			req.Method, req.URL.EscapedPath(), s.path)
		return nil
	}
	op := &operation{key: opKey(req.Method, path), op: method, path: path, item: item}
	s.markSeen(op.key)
	s.validateMu.Lock()
	ok, errs := s.validator.ValidateHttpRequestWithPathItem(req, item, path)
	s.validateMu.Unlock()
	if !ok {
		report(tb, "request", op, errs, body)
	}
	return op
}

// resolve finds the path template, path item and operation of req. The
// validator's router looks up one template per concrete path, so where the
// spec has the same path under two parameter names with different methods
// (GET /v1/agents/{workflow_permanent_id} and POST /v1/agents/{workflow_id})
// it can miss the operation; resolve then tries every template that matches.
func (s *Spec) resolve(req *http.Request) (string, *v3.PathItem, *v3.Operation) {
	if route, err := s.router.FindRoute(req); err == nil && route != nil && route.Operation != nil {
		return route.Path, route.PathItem, route.Operation
	}
	for pair := s.model.Paths.PathItems.First(); pair != nil; pair = pair.Next() {
		if !templateMatches(pair.Key(), req.URL.EscapedPath()) {
			continue
		}
		if op := operationFor(pair.Value(), req.Method); op != nil {
			return pair.Key(), pair.Value(), op
		}
	}
	return "", nil, nil
}

// templateMatches reports whether an escaped request path fits an OpenAPI
// path template segment by segment ({param} matches one non-empty segment).
func templateMatches(template, path string) bool {
	ts, ps := strings.Split(template, "/"), strings.Split(path, "/")
	if len(ts) != len(ps) {
		return false
	}
	for i := range ts {
		if strings.HasPrefix(ts[i], "{") && strings.HasSuffix(ts[i], "}") {
			if ps[i] == "" {
				return false
			}
			continue
		}
		if ts[i] != ps[i] {
			return false
		}
	}
	return true
}

func operationFor(item *v3.PathItem, method string) *v3.Operation {
	switch method {
	case http.MethodGet:
		return item.Get
	case http.MethodPost:
		return item.Post
	case http.MethodPut:
		return item.Put
	case http.MethodPatch:
		return item.Patch
	case http.MethodDelete:
		return item.Delete
	case http.MethodHead:
		return item.Head
	case http.MethodOptions:
		return item.Options
	}
	return nil
}

// checkResponse validates a response to req, which matched op.
func (s *Spec) checkResponse(tb Reporter, o *httpOptions, req *http.Request, op *operation,
	status int, header http.Header, body []byte,
) {
	tb.Helper()
	documented := documentedResponse(op.op, status)
	if documented == nil && o.allowedStatus[status] {
		return
	}
	// A non-JSON body for a response whose documented content is a
	// schema-less placeholder is deliberately accepted once the status is
	// known to be documented. FastAPI emits `application/json: {schema: {}}`
	// for endpoints that return a raw Response, e.g. the 200 of
	// GET /v1/artifacts/{artifact_id}/content, which really serves
	// image/png, video/webm, application/zip, ...; the validator would
	// report "content type 'image/png' does not exist" there. Responses that
	// document no content at all (its 206 Partial Content, 204s) need no
	// special case: the validator then only checks the status code. A
	// non-JSON body where the spec documents a real schema is still
	// reported as an undocumented content type.
	if documented != nil && !isJSON(header.Get("Content-Type")) && schemaless(documented) {
		return
	}
	resp := &http.Response{
		StatusCode:    status,
		Status:        fmt.Sprintf("%d %s", status, http.StatusText(status)),
		Header:        header.Clone(),
		Body:          http.NoBody,
		ContentLength: int64(len(body)),
		Request:       req,
	}
	if len(body) > 0 {
		resp.Body = io.NopCloser(bytes.NewReader(body))
	}
	s.validateMu.Lock()
	ok, errs := s.responses.ValidateResponseBodyWithPathItem(req, resp, op.item, op.path)
	s.validateMu.Unlock()
	if !ok {
		report(tb, "response "+strconv.Itoa(status), op, errs, body)
	}
}

// documentedResponse returns the response op documents for status, trying
// the exact code, then the range ("4XX"), then default, as the validator
// does; nil if there is none.
func documentedResponse(op *v3.Operation, status int) *v3.Response {
	if op.Responses == nil {
		return nil
	}
	if codes := op.Responses.Codes; codes != nil {
		if r := codes.GetOrZero(strconv.Itoa(status)); r != nil {
			return r
		}
		if r := codes.GetOrZero(fmt.Sprintf("%dXX", status/100)); r != nil {
			return r
		}
	}
	return op.Responses.Default
}

// schemaless reports whether every media type of r has no schema or the
// empty schema {}, i.e. the spec does not describe the body at all.
func schemaless(r *v3.Response) bool {
	if r.Content == nil {
		return true
	}
	for mt := range r.Content.ValuesFromOldest() {
		if mt == nil || mt.Schema == nil {
			continue
		}
		if mt.Schema.IsReference() {
			return false
		}
		if n := mt.Schema.GetValueNode(); n == nil || len(n.Content) > 0 {
			return false
		}
	}
	return true
}

func isJSON(contentType string) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return false
	}
	return mt == "application/json" || strings.HasSuffix(mt, "+json")
}

// report turns validator errors into one tb.Errorf each, naming the
// operation, the JSON location of each schema failure and its reason.
func report(tb Reporter, what string, op *operation, errs []*verrors.ValidationError, body []byte) {
	tb.Helper()
	for _, e := range errs {
		var b strings.Builder
		fmt.Fprintf(&b, "contract: %s of %s violates the spec: %s", what, op, e.Message)
		if e.Reason != "" {
			fmt.Fprintf(&b, "\n\treason: %s", e.Reason)
		}
		if e.ParameterName != "" {
			fmt.Fprintf(&b, "\n\tparameter: %s", e.ParameterName)
		}
		for _, f := range e.SchemaValidationErrors {
			loc := f.FieldPath
			switch {
			case loc != "":
			case e.ParameterName != "":
				loc = "parameter " + e.ParameterName
			default:
				loc = "$"
			}
			fmt.Fprintf(&b, "\n\tat %s: %s", loc, f.Reason)
			if f.KeywordLocation != "" {
				fmt.Fprintf(&b, " (schema %s)", f.KeywordLocation)
			}
		}
		if len(body) > 0 {
			quoted := body
			suffix := ""
			if len(quoted) > maxBodyInReport {
				quoted, suffix = quoted[:maxBodyInReport], "...(truncated)"
			}
			fmt.Fprintf(&b, "\n\tbody: %s%s", quoted, suffix)
		}
		tb.Errorf("%s", b.String())
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
