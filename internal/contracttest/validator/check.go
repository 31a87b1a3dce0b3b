package main

import (
	"bytes"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"

	verrors "github.com/pb33f/libopenapi-validator/errors"
	v3 "github.com/pb33f/libopenapi/datamodel/high/v3"
)

// maxBodyInReport bounds how much of a body is quoted in a violation report.
const maxBodyInReport = 1024

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

// httpRequest rebuilds the request of x, with a body the validator may
// consume.
func httpRequest(x *exchange) (*http.Request, error) {
	req, err := http.NewRequest(x.Method, x.URL, nil)
	if err != nil {
		return nil, err
	}
	req.Header = http.Header(x.Header)
	if req.Header == nil {
		req.Header = http.Header{}
	}
	if x.HasBody {
		req.Body = io.NopCloser(bytes.NewReader(x.Body))
		req.ContentLength = int64(len(x.Body))
		if len(x.Body) == 0 {
			req.Body = http.NoBody
		}
	}
	return req, nil
}

// checkRequest locates the operation of x's request and validates the
// request against it. An undocumented operation gives "" and one violation.
func (s *spec) checkRequest(x *exchange) (string, []string) {
	req, err := httpRequest(x)
	if err != nil {
		return "", []string{fmt.Sprintf("contract: cannot read request %s %s: %v", x.Method, x.URL, err)}
	}
	op := s.find(req)
	if op == nil {
		return "", []string{fmt.Sprintf("contract: undocumented operation %s %s: the spec (%s) has no such method and path",
			req.Method, req.URL.EscapedPath(), s.path)}
	}
	if ok, errs := s.validator.ValidateHttpRequestWithPathItem(req, op.item, op.path); !ok {
		return op.key, report("request", op, errs, x.Body)
	}
	return op.key, nil
}

// find returns the documented operation of req, or nil.
func (s *spec) find(req *http.Request) *operation {
	path, item, method := s.resolve(req)
	// Path-only matching ignores a trailing-slash difference
	// ("/v1/run/tasks/" matches "/v1/run/tasks"); Skyvern's FastAPI server
	// does not (it redirects or 404s), so treat it as undocumented.
	if method == nil || strings.HasSuffix(path, "/") != strings.HasSuffix(req.URL.Path, "/") {
		return nil
	}
	return &operation{key: opKey(req.Method, path), op: method, path: path, item: item}
}

// resolve finds the path template, path item and operation of req. The
// validator's router looks up one template per concrete path, so where the
// spec has the same path under two parameter names with different methods
// (GET /v1/agents/{workflow_permanent_id} and POST /v1/agents/{workflow_id})
// it can miss the operation; resolve then tries every template that matches.
func (s *spec) resolve(req *http.Request) (string, *v3.PathItem, *v3.Operation) {
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

// checkResponse validates x's response to its request.
func (s *spec) checkResponse(x *exchange) []string {
	req, err := httpRequest(x)
	if err != nil {
		return []string{fmt.Sprintf("contract: cannot read request %s %s: %v", x.Method, x.URL, err)}
	}
	op := s.find(req)
	if op == nil {
		return nil // reported by the request check
	}
	status, header, body := x.Status, http.Header(x.ResponseHeader), x.ResponseBody
	documented := documentedResponse(op.op, status)
	if documented == nil {
		for _, allowed := range x.AllowedStatus {
			if allowed == status {
				return nil
			}
		}
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
		return nil
	}
	resp := &http.Response{
		StatusCode:    status,
		Status:        fmt.Sprintf("%d %s", status, http.StatusText(status)),
		Header:        header,
		Body:          http.NoBody,
		ContentLength: int64(len(body)),
		Request:       req,
	}
	if len(body) > 0 {
		resp.Body = io.NopCloser(bytes.NewReader(body))
	}
	if ok, errs := s.responses.ValidateResponseBodyWithPathItem(req, resp, op.item, op.path); !ok {
		return report("response "+strconv.Itoa(status), op, errs, body)
	}
	return nil
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

// report turns validator errors into one message each, naming the
// operation, the JSON location of each schema failure and its reason.
func report(what string, op *operation, errs []*verrors.ValidationError, body []byte) []string {
	var out []string
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
		out = append(out, b.String())
	}
	return out
}
