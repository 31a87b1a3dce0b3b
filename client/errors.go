package client

import (
	"bytes"
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
	// Detail is the server's own words: Skyvern's "detail" (the message of
	// a 4xx, or the validation errors of a 422 joined as "loc: msg" pairs),
	// else the body's "error" or "message" string (a 500 from Skyvern is
	// {"error": "..."}), else the start of a non-HTML body (at most 300
	// bytes). Empty for an HTML page or an empty body.
	Detail string
	// HTML is set when the body is an HTML page: a proxy, a load balancer
	// or a web site answered, not Skyvern's API.
	HTML bool
	// SkyvernDetail is set when the body is JSON with a "detail" field, the
	// shape of every error Skyvern's API (FastAPI) sends for a 4xx.
	SkyvernDetail bool
	// Attempts is how many times the request was sent: 1 unless it was
	// retried (only GET and HEAD are, see WithRetries).
	Attempts int
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

// maxErrorDetail bounds the raw body kept in APIError.Detail, in bytes.
const maxErrorDetail = 300

// jsonText is a JSON string's value, or the JSON itself for other values
// (an object, a number), "" for null.
func jsonText(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	if string(raw) == "null" {
		return ""
	}
	return string(raw)
}

// looksLikeHTML reports whether a body starts like an HTML page.
func looksLikeHTML(b []byte) bool {
	b = bytes.ToLower(truncate(b, 64))
	return bytes.HasPrefix(b, []byte("<!doctype html")) || bytes.HasPrefix(b, []byte("<html")) ||
		bytes.HasPrefix(b, []byte("<head")) || bytes.HasPrefix(b, []byte("<body"))
}

// NotSkyvern reports whether the answer did not come from Skyvern's API:
// an HTML page, or a 404 without Skyvern's JSON {"detail": "..."} body or
// with FastAPI's generic {"detail": "Not Found"} for a route that does not
// exist. Either way the base URL is probably wrong.
func (e *APIError) NotSkyvern() bool {
	if e.HTML {
		return true
	}
	return e.StatusCode == http.StatusNotFound && (!e.SkyvernDetail || e.Detail == "Not Found")
}

// InvalidCredentials reports whether the error is about the API key: a 401,
// or a 403 whose detail is about credentials (Skyvern's "Invalid
// credentials", FastAPI's "Not authenticated", or an empty body). Other
// 403s ("Endpoint requires localhost access", "workflow is not public")
// are not.
func (e *APIError) InvalidCredentials() bool {
	if e.StatusCode == http.StatusUnauthorized {
		return true
	}
	if e.StatusCode != http.StatusForbidden || e.HTML {
		return false
	}
	d := strings.ToLower(e.Detail)
	return d == "" || strings.Contains(d, "credentials") || strings.Contains(d, "api key") || strings.Contains(d, "api_key") ||
		strings.Contains(d, "x-api-key") || strings.Contains(d, "not authenticated")
}

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
		Detail  json.RawMessage `json:"detail"`
		Error   json.RawMessage `json:"error"`
		Message json.RawMessage `json:"message"`
	}
	ct := strings.ToLower(resp.Header.Get("Content-Type"))
	trimmed := bytes.TrimSpace(body)
	switch {
	case json.Unmarshal(body, &parsed) == nil && len(parsed.Detail) > 0 && string(parsed.Detail) != "null":
		e.SkyvernDetail = true
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
	case len(parsed.Error) > 0 || len(parsed.Message) > 0:
		e.Detail = jsonText(parsed.Error)
		if e.Detail == "" {
			e.Detail = jsonText(parsed.Message)
		}
	case strings.Contains(ct, "html") || looksLikeHTML(trimmed):
		e.HTML = true
	case len(trimmed) > 0:
		e.Detail = strings.ToValidUTF8(string(truncate(trimmed, maxErrorDetail)), "?")
		if len(trimmed) > maxErrorDetail {
			e.Detail += "..."
		}
	}
	if len(e.Detail) > maxErrorDetail*4 {
		e.Detail = strings.ToValidUTF8(e.Detail[:maxErrorDetail*4], "") + "..."
	}
	e.Detail = c.redactString(e.Detail)
	return e
}
