// Package client is a typed Go client for the Skyvern REST API
// (https://api.skyvern.com, OpenAPI 3.1), one method per operation of
// Skyvern's Python SDK, named after it (RunTask for run_task, GetRun for
// get_run, ...).
//
// Every method documents the endpoint it calls. Errors from Skyvern come back
// as *APIError with the HTTP status and Skyvern's detail; the API key is never
// part of an error. Only requests that cannot start work twice (GET) are
// retried automatically; a POST that starts a run, creates or deletes
// something is sent exactly once.
//
// Units follow the API: a task's timeout is in seconds, a browser session's
// timeout in minutes, a workflow's max_elapsed_time_minutes in minutes.
package client

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"mime/multipart"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/cenkalti/backoff/v5"
	"github.com/google/go-querystring/query"

	"github.com/skyvern-mcp/skyvern-mcp/internal/redact"
)

// Version is this project's version, sent in the User-Agent header. It is set
// at build time with -ldflags "-X github.com/skyvern-mcp/skyvern-mcp/client.Version=...".
var Version = "0.1.0-dev"

// Base URLs of Skyvern's published environments.
const (
	// CloudBaseURL is Skyvern Cloud, the default.
	CloudBaseURL = "https://api.skyvern.com"
	// LocalBaseURL is a self-hosted Skyvern on this machine.
	LocalBaseURL = "http://localhost:8000"
)

// Defaults used by New.
const (
	// DefaultTimeout bounds one HTTP request (headers and body), in seconds: 60.
	DefaultTimeout = 60 * time.Second
	// DefaultMaxRetries is how many times a retryable request is retried after
	// the first attempt.
	DefaultMaxRetries = 3
	// maxRetryAfter caps how long a Retry-After header may make us wait.
	maxRetryAfter = 30 * time.Second
	// maxErrorBody caps how much of an error body is kept in an APIError.
	maxErrorBody = 64 << 10
)

// Client calls the Skyvern API. It is safe for concurrent use. Create it with
// New.
type Client struct {
	root       string // scheme://host[/prefix], without a trailing "/" or "/v1"
	apiKey     string
	httpClient *http.Client
	userAgent  string
	timeout    time.Duration
	maxRetries uint
	retryBase  time.Duration

	// keySet holds the API key and secrets the values sent to Skyvern that
	// must never come back (credential passwords, card numbers, ...); see
	// RedactSecrets.
	keySet, secrets *redact.Set

	// maxResponse and maxContent bound the bodies read (bounds.go).
	maxResponse, maxContent int64
}

// Option configures a Client.
type Option func(*Client) error

// WithBaseURL sets the Skyvern API root. It accepts "cloud" (CloudBaseURL),
// "local" (LocalBaseURL) or any http(s) URL; a trailing "/" or "/v1" is
// removed so that requests always go to <root>/v1/...
func WithBaseURL(raw string) Option {
	return func(c *Client) error {
		root, err := NormalizeBaseURL(raw)
		if err != nil {
			return err
		}
		c.root = root
		return nil
	}
}

// WithAPIKey sets the Skyvern API key, sent as the x-api-key header. An empty
// key sends no header (calls then fail with 403 against Skyvern Cloud).
func WithAPIKey(key string) Option {
	return func(c *Client) error { c.apiKey = key; return nil }
}

// WithHTTPClient sets the *http.Client used for every request (for proxies,
// custom transports or tests). Its own Timeout, if any, also applies.
func WithHTTPClient(h *http.Client) Option {
	return func(c *Client) error {
		if h == nil {
			return errors.New("client: WithHTTPClient: nil *http.Client")
		}
		c.httpClient = h
		return nil
	}
}

// WithTimeout bounds each HTTP request attempt, including reading the body;
// 0 disables it. Default DefaultTimeout. Artifact content streams are bounded
// by the caller's context instead.
func WithTimeout(d time.Duration) Option {
	return func(c *Client) error {
		if d < 0 {
			return fmt.Errorf("client: WithTimeout: negative timeout %s", d)
		}
		c.timeout = d
		return nil
	}
}

// WithUserAgent appends a product token (for example "my-app/1.2") to the
// User-Agent header, which always starts with "skyvern-mcp/<Version>".
func WithUserAgent(product string) Option {
	return func(c *Client) error {
		if product != "" {
			c.userAgent = "skyvern-mcp/" + Version + " " + product
		}
		return nil
	}
}

// WithRetries sets how many times a retryable request (GET) is retried after
// a 429, 502, 503 or 504 answer or a dropped connection, and the first
// backoff interval (it grows exponentially, and a Retry-After header of up to
// 30 s takes precedence). maxRetries 0 disables retries.
func WithRetries(maxRetries int, initialBackoff time.Duration) Option {
	return func(c *Client) error {
		if maxRetries < 0 || initialBackoff < 0 {
			return errors.New("client: WithRetries: negative value")
		}
		c.maxRetries = uint(maxRetries)
		if initialBackoff > 0 {
			c.retryBase = initialBackoff
		}
		return nil
	}
}

// New returns a Client for Skyvern Cloud unless WithBaseURL says otherwise.
// It returns an error only for invalid options (for example a base URL that
// is not http or https).
func New(opts ...Option) (*Client, error) {
	c := &Client{
		root:        CloudBaseURL,
		httpClient:  http.DefaultClient,
		userAgent:   "skyvern-mcp/" + Version,
		timeout:     DefaultTimeout,
		maxRetries:  DefaultMaxRetries,
		retryBase:   250 * time.Millisecond,
		secrets:     redact.NewSet(maxSecrets),
		maxResponse: DefaultMaxResponseBytes,
		maxContent:  DefaultMaxContentBytes,
	}
	for _, o := range opts {
		if err := o(c); err != nil {
			return nil, err
		}
	}
	c.keySet = redact.NewSet(0, c.apiKey)
	return c, nil
}

// BaseURL returns the API root requests are sent to (without "/v1").
func (c *Client) BaseURL() string { return c.root }

// HasAPIKey reports whether an API key is configured.
func (c *Client) HasAPIKey() bool { return c.apiKey != "" }

// NormalizeBaseURL turns "cloud", "local" or an http(s) URL into the API root
// without a trailing "/" or "/v1" (any number of them), so that appending
// "/v1/..." never gives "/v1/v1". Query strings and fragments are refused.
func NormalizeBaseURL(raw string) (string, error) {
	s := strings.TrimSpace(raw)
	switch strings.ToLower(s) {
	case "", "cloud":
		return CloudBaseURL, nil
	case "local":
		return LocalBaseURL, nil
	}
	u, err := url.Parse(s)
	if err != nil {
		return "", fmt.Errorf("base URL %q: %w", raw, err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return "", fmt.Errorf("base URL %q: expected an http:// or https:// URL, or \"cloud\" or \"local\"", raw)
	}
	if u.Host == "" {
		return "", fmt.Errorf("base URL %q: no host", raw)
	}
	if u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return "", fmt.Errorf("base URL %q: must not contain a query, fragment or user info", raw)
	}
	p := u.Path
	for {
		trimmed := strings.TrimSuffix(strings.TrimRight(p, "/"), "/v1")
		if trimmed == p {
			break
		}
		p = trimmed
	}
	u.Path = strings.TrimRight(p, "/")
	u.RawPath = ""
	return u.String(), nil
}

// request describes one API call.
type request struct {
	method string
	path   string // after /v1, already escaped, e.g. "/runs/tsk_1"
	query  url.Values
	body   any // JSON-encoded unless nil
	// form, when set, is sent as multipart/form-data instead of body.
	form *multipartFile
	// header adds request headers (for example Range).
	header http.Header
	// stream leaves the response body open (for artifact content).
	stream bool
	// idempotent marks a POST the server deduplicates by its
	// Idempotency-Key header (set in header): it may be retried like a GET.
	idempotent bool
}

type multipartFile struct {
	field, filename, contentType string
	content                      io.Reader
	// fields are plain form fields sent before the file part.
	fields map[string]string
}

// pathf escapes each argument as one path segment.
func pathf(format string, ids ...string) string {
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = url.PathEscape(id)
	}
	return fmt.Sprintf(format, args...)
}

// retryable reports whether a request may be sent again: only requests that
// cannot start work twice: GET and HEAD, and a POST that carries an
// Idempotency-Key the server honours (only POST /v1/agents does).
func (r *request) retryable() bool {
	return r.method == http.MethodGet || r.method == http.MethodHead || r.idempotent
}

// doJSON sends r (see do) and returns its JSON answer decoded into a new T,
// or nil and the error.
func doJSON[T any](ctx context.Context, c *Client, r *request) (*T, error) {
	var out T
	if _, err := c.do(ctx, r, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// doValue sends r (see do) and returns its JSON answer decoded into out
// (an empty slice or map when the answer leaves it untouched), or the zero
// T and the error.
func doValue[T any](ctx context.Context, c *Client, r *request, out T) (T, error) {
	if _, err := c.do(ctx, r, &out); err != nil {
		var zero T
		return zero, err
	}
	return out, nil
}

// do sends the request, retrying if allowed, and decodes a JSON answer into
// out (unless out is nil). It returns the response with its body closed
// (or open, with stream).
func (c *Client) do(ctx context.Context, r *request, out any) (*http.Response, error) {
	if err := checkPath(r.method, r.path); err != nil {
		return nil, err
	}
	var payload []byte
	var contentType string
	switch {
	case r.form != nil:
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		for _, k := range slices.Sorted(maps.Keys(r.form.fields)) {
			if err := mw.WriteField(k, r.form.fields[k]); err != nil {
				return nil, err
			}
		}
		h := make(map[string][]string)
		h["Content-Disposition"] = []string{fmt.Sprintf(`form-data; name=%q; filename=%q`, r.form.field, r.form.filename)}
		ct := r.form.contentType
		if ct == "" {
			ct = "application/octet-stream"
		}
		h["Content-Type"] = []string{ct}
		part, err := mw.CreatePart(h)
		if err != nil {
			return nil, err
		}
		if _, err := io.Copy(part, r.form.content); err != nil {
			return nil, fmt.Errorf("client: reading upload: %w", err)
		}
		if err := mw.Close(); err != nil {
			return nil, err
		}
		payload, contentType = buf.Bytes(), mw.FormDataContentType()
	case r.body != nil:
		b, err := json.Marshal(r.body)
		if err != nil {
			return nil, fmt.Errorf("client: encoding %s %s body: %w", r.method, r.path, err)
		}
		payload, contentType = b, "application/json"
	}

	attempts := 0
	attempt := func() (*http.Response, error) {
		attempts++
		return c.send(ctx, r, payload, contentType, out)
	}
	if !r.retryable() || c.maxRetries == 0 {
		resp, err := attempt()
		return resp, withAttempts(err, attempts)
	}
	var last error
	eb := backoff.NewExponentialBackOff()
	eb.InitialInterval = c.retryBase
	eb.MaxInterval = 5 * time.Second
	resp, err := backoff.Retry(ctx, func() (*http.Response, error) {
		resp, err := attempt()
		if err == nil {
			return resp, nil
		}
		last = err
		d, ok := retryDelay(err)
		if !ok && r.idempotent && StatusCode(err) == http.StatusConflict {
			// The first request with this Idempotency-Key is still being
			// processed; the retry returns its result.
			ok = true
		}
		if ok {
			if d > 0 {
				return resp, &backoff.RetryAfterError{Duration: d}
			}
			return resp, err
		}
		return resp, backoff.Permanent(err)
	}, backoff.WithBackOff(eb), backoff.WithMaxTries(c.maxRetries+1), backoff.WithMaxElapsedTime(2*time.Minute))
	if err != nil && last != nil && ctx.Err() == nil {
		return resp, withAttempts(last, attempts)
	}
	return resp, withAttempts(err, attempts)
}

// withAttempts records how many times the request was sent: in an
// *APIError's Attempts, or in a wrapper that keeps err's text and chain.
func withAttempts(err error, n int) error {
	if err == nil {
		return nil
	}
	var apiErr *APIError
	if errors.As(err, &apiErr) {
		apiErr.Attempts = n
		return err
	}
	return &attemptsError{err: err, n: n}
}

type attemptsError struct {
	err error
	n   int
}

func (e *attemptsError) Error() string { return e.err.Error() }
func (e *attemptsError) Unwrap() error { return e.err }

// Attempts returns how many times the request that failed with err was
// sent (more than 1 only when it was retried), or 0 when err did not come
// from sending a request.
func Attempts(err error) int {
	var apiErr *APIError
	if errors.As(err, &apiErr) {
		return apiErr.Attempts
	}
	var ae *attemptsError
	if errors.As(err, &ae) {
		return ae.n
	}
	return 0
}

// IsUnreachable reports whether err means the host did not answer at
// all: its name does not resolve, or the connection was refused or could
// not be made.
func IsUnreachable(err error) bool {
	var dnsErr *net.DNSError
	var opErr *net.OpError
	switch {
	case errors.As(err, &dnsErr):
		return true
	case errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.EHOSTUNREACH), errors.Is(err, syscall.ENETUNREACH):
		return true
	case errors.As(err, &opErr) && opErr.Op == "dial":
		return true
	}
	return false
}

// TransportFailure names the kind of a request that got no HTTP answer,
// without URL, host or address: "timed out", "DNS lookup failed",
// "connection refused" or "TLS certificate not trusted"; "" for another
// kind of error.
func TransportFailure(err error) string {
	var dnsErr *net.DNSError
	var netErr net.Error
	var certErr *tls.CertificateVerificationError
	switch {
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &netErr) && netErr.Timeout():
		return "timed out"
	case errors.As(err, &dnsErr):
		return "DNS lookup failed"
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused"
	case errors.As(err, &certErr):
		return "TLS certificate not trusted"
	}
	return ""
}

// retryDelay says whether err is worth another try, and the delay the server
// asked for (0: use the backoff).
func retryDelay(err error) (time.Duration, bool) {
	var apiErr *APIError
	if errors.As(err, &apiErr) {
		switch apiErr.StatusCode {
		case http.StatusTooManyRequests, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
			if apiErr.RetryAfter > maxRetryAfter {
				return 0, false
			}
			return apiErr.RetryAfter, true
		}
		return 0, false
	}
	if errors.Is(err, errAttemptTimeout) {
		// One attempt timed out while the caller's context is still alive.
		return 0, true
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return 0, false
	}
	var netErr net.Error
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, syscall.ECONNREFUSED) || (errors.As(err, &netErr) && netErr.Timeout()) {
		return 0, true
	}
	return 0, false
}

var errAttemptTimeout = errors.New("request attempt timed out")

// send performs one attempt.
func (c *Client) send(ctx context.Context, r *request, payload []byte, contentType string, out any) (*http.Response, error) {
	actx, cancel := ctx, context.CancelFunc(func() {})
	if c.timeout > 0 && !r.stream {
		actx, cancel = context.WithTimeoutCause(ctx, c.timeout, errAttemptTimeout)
	}
	defer cancel()

	u := c.root + "/v1" + r.path
	if len(r.query) > 0 {
		u += "?" + r.query.Encode()
	}
	var body io.Reader
	if payload != nil {
		body = bytes.NewReader(payload)
	}
	req, err := http.NewRequestWithContext(actx, r.method, u, body)
	if err != nil {
		return nil, fmt.Errorf("client: building %s %s: %w", r.method, r.path, err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", c.userAgent)
	if c.apiKey != "" {
		req.Header.Set("x-api-key", c.apiKey)
	}
	for k, vs := range r.header {
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	resp, err := c.httpClient.Do(req)
	if err != nil {
		if cause := context.Cause(actx); cause == errAttemptTimeout && ctx.Err() == nil {
			return nil, fmt.Errorf("skyvern: %s %s: no answer within %s: %w", r.method, r.path, c.timeout, errAttemptTimeout)
		}
		return nil, fmt.Errorf("skyvern: %s %s: %w", r.method, r.path, c.redactErr(err))
	}
	if resp.StatusCode >= 400 {
		defer resp.Body.Close()
		return resp, c.newAPIError(r, resp)
	}
	if r.stream {
		if err := c.boundContent(r, resp); err != nil {
			resp.Body.Close()
			return resp, err
		}
		return resp, nil
	}
	defer resp.Body.Close()
	data, err := c.readBody(r, resp)
	var tooLarge *TooLargeError
	if errors.As(err, &tooLarge) {
		return resp, err
	}
	if err != nil {
		if cause := context.Cause(actx); cause == errAttemptTimeout && ctx.Err() == nil {
			return resp, fmt.Errorf("skyvern: %s %s: body not read within %s: %w", r.method, r.path, c.timeout, errAttemptTimeout)
		}
		return resp, fmt.Errorf("skyvern: %s %s: reading response: %w", r.method, r.path, err)
	}
	if out == nil || resp.StatusCode == http.StatusNoContent || len(bytes.TrimSpace(data)) == 0 {
		return resp, nil
	}
	err = json.Unmarshal(data, out)
	if v, ok := out.(validator); ok && err == nil {
		err = v.validate()
	}
	if err != nil {
		return resp, &DecodeError{Method: r.method, Path: r.path, StatusCode: resp.StatusCode,
			ContentType: resp.Header.Get("Content-Type"), Err: err, Body: c.redact(truncate(data, 512))}
	}
	return resp, nil
}

// validator is a decoded answer that can tell whether it is usable: valid
// JSON of the wrong shape (e.g. {"detail": "..."} with status 200) must not
// pass for an empty result.
type validator interface{ validate() error }

// DecodeError is returned when Skyvern answered 2xx with a body that is not
// the expected JSON (for example an HTML page from a proxy).
type DecodeError struct {
	Method, Path string
	StatusCode   int
	ContentType  string
	Err          error
	// Body is the start of the body, at most 512 bytes, with the API key removed.
	Body []byte
}

func (e *DecodeError) Error() string {
	return fmt.Sprintf("skyvern: %s %s: %d answer is not the expected JSON (Content-Type %q): %v",
		e.Method, e.Path, e.StatusCode, e.ContentType, e.Err)
}

func (e *DecodeError) Unwrap() error { return e.Err }

func truncate(b []byte, n int) []byte {
	if len(b) > n {
		return b[:n]
	}
	return b
}

// redact removes the API key and the registered secrets from b.
func (c *Client) redact(b []byte) []byte { return c.Redactor().Bytes(b) }

func (c *Client) redactString(s string) string { return c.Redactor().String(s) }

// redactErr keeps err's chain (for errors.Is) but removes the key and the
// registered secrets from its text.
func (c *Client) redactErr(err error) error { return c.Redactor().Error(err) }

// parseRetryAfter reads a Retry-After header (seconds or an HTTP date).
func parseRetryAfter(v string) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if s, err := strconv.Atoi(v); err == nil && s >= 0 {
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := time.Until(t); d > 0 {
			return d
		}
	}
	return 0
}

// queryOf encodes a listing's parameters (a struct or a pointer to one; nil:
// no query) from their `url` tags, with github.com/google/go-querystring:
// zero values with omitempty are left out, a pointer is sent when set (a
// false *bool too), a slice repeats its key (status=a&status=b).
func queryOf(params any) url.Values {
	q, err := query.Values(params)
	if err != nil { // only for a value that is not a struct: TestQueryEncoding covers every caller's type
		return url.Values{}
	}
	return q
}
