package client

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// APIError is an error answer (HTTP 4xx or 5xx) from Skyvern. It keeps the
// status, Skyvern's detail and the raw body (at most 64 KiB). The API key is
// removed from every part of it.
type APIError struct {
	// Method and Path name the request, e.g. "POST" and "/v1/run/tasks".
	Method, Path string
	// StatusCode is the HTTP status, e.g. 404.
	StatusCode int
	// Detail is Skyvern's "detail" as text: the message of a 4xx, or the
	// validation errors of a 422 joined as "loc: msg" pairs.
	Detail string
	// ValidationErrors are the entries of a 422 FastAPI validation body, with
	// their field paths (loc), e.g. ["body", "prompt"].
	ValidationErrors []ValidationError
	// RetryAfter is the delay asked for by a Retry-After header (429, 503).
	RetryAfter time.Duration
	// Body is the raw body, at most 64 KiB.
	Body []byte
}

// ValidationError is one entry of FastAPI's 422 body
// {"detail":[{"loc":[...],"msg":"...","type":"..."}]}.
type ValidationError struct {
	// Loc is the path of the field, e.g. ["body","max_steps"]; entries are
	// strings or integers (list indexes).
	Loc []any `json:"loc"`
	// Msg is the message, e.g. "Field required".
	Msg string `json:"msg"`
	// Type is the error kind, e.g. "missing".
	Type string `json:"type"`
	// Input is the offending input, when Skyvern reports it.
	Input any `json:"input,omitempty"`
	// Ctx carries extra error context.
	Ctx map[string]any `json:"ctx,omitempty"`
}

// Field returns the dotted field path of a validation error without the
// leading "body"/"query"/"path" location, e.g. "credential.password".
func (v ValidationError) Field() string {
	parts := make([]string, 0, len(v.Loc))
	for i, l := range v.Loc {
		s := fmt.Sprint(l)
		if i == 0 && (s == "body" || s == "query" || s == "path" || s == "header") && len(v.Loc) > 1 {
			continue
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, ".")
}

func (e *APIError) Error() string {
	msg := fmt.Sprintf("skyvern: %s %s: %d %s", e.Method, e.Path, e.StatusCode, http.StatusText(e.StatusCode))
	if e.Detail != "" {
		msg += ": " + e.Detail
	}
	return msg
}

// Is lets errors.Is(err, ErrNotFound) and friends match by status.
func (e *APIError) Is(target error) bool {
	if s, ok := target.(statusError); ok {
		return e.StatusCode == int(s)
	}
	return false
}

type statusError int

func (s statusError) Error() string { return fmt.Sprintf("skyvern: HTTP %d", int(s)) }

// Sentinel errors matched by status code with errors.Is.
var (
	ErrBadRequest          error = statusError(http.StatusBadRequest)                   // 400
	ErrForbidden           error = statusError(http.StatusForbidden)                    // 403: wrong or missing API key
	ErrNotFound            error = statusError(http.StatusNotFound)                     // 404
	ErrConflict            error = statusError(http.StatusConflict)                     // 409: e.g. duplicate browser profile name
	ErrRangeNotSatisfiable error = statusError(http.StatusRequestedRangeNotSatisfiable) // 416
	ErrValidation          error = statusError(http.StatusUnprocessableEntity)          // 422
)

// StatusCode returns the HTTP status of an *APIError in err's chain, or 0.
func StatusCode(err error) int {
	var e *APIError
	if errors.As(err, &e) {
		return e.StatusCode
	}
	return 0
}

// IsNotFound reports whether err is a 404 from Skyvern.
func IsNotFound(err error) bool { return errors.Is(err, ErrNotFound) }

// IsForbidden reports whether err is a 403 from Skyvern (usually a wrong API key).
func IsForbidden(err error) bool { return errors.Is(err, ErrForbidden) }

// IsValidation reports whether err is a 422 from Skyvern.
func IsValidation(err error) bool { return errors.Is(err, ErrValidation) }

// newAPIError reads an error answer. The caller closes the body.
func (c *Client) newAPIError(r *request, resp *http.Response) *APIError {
	body, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	body = c.redact(body)
	e := &APIError{
		Method:     r.method,
		Path:       "/v1" + r.path,
		StatusCode: resp.StatusCode,
		RetryAfter: parseRetryAfter(resp.Header.Get("Retry-After")),
		Body:       body,
	}
	var parsed struct {
		Detail json.RawMessage `json:"detail"`
	}
	if json.Unmarshal(body, &parsed) == nil && len(parsed.Detail) > 0 {
		var s string
		var list []ValidationError
		switch {
		case json.Unmarshal(parsed.Detail, &s) == nil:
			e.Detail = s
		case json.Unmarshal(parsed.Detail, &list) == nil:
			e.ValidationErrors = list
			parts := make([]string, len(list))
			for i, v := range list {
				parts[i] = v.Field() + ": " + v.Msg
			}
			e.Detail = strings.Join(parts, "; ")
		default:
			e.Detail = string(parsed.Detail)
		}
	} else if ct := resp.Header.Get("Content-Type"); strings.HasPrefix(ct, "text/plain") {
		e.Detail = strings.TrimSpace(string(truncate(body, 300)))
	}
	e.Detail = c.redactString(e.Detail)
	return e
}
