package httpserver

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/rs/zerolog"
)

// maxKeyLen bounds an x-api-key header value.
const maxKeyLen = 512

type ctxKey int

const callerKeyCtx ctxKey = 0

// caller is who made a request: the Skyvern key it brought (if the policy
// uses it) and an ID derived from it.
type caller struct {
	key string
	id  string
	// who is what id is made from (the key, or the OAuth subject and the
	// key): stable across replicas, unlike id, whose HMAC secret is per
	// process. Never logged; the shared store keeps only its digest.
	who string
}

// CallerKey returns the Skyvern API key the caller of this request sent in
// x-api-key, when the server's KeyPolicy uses callers' keys; "" otherwise.
// The context of an MCP request (and of anything a tool starts from it)
// carries it.
func CallerKey(ctx context.Context) string {
	if c, ok := ctx.Value(callerKeyCtx).(caller); ok {
		return c.key
	}
	return ""
}

// CallerID returns a stable, non-reversible ID of the caller's key (an
// HMAC with a per-process secret, 32 hex digits), or "" when the request
// carried no key used by the server. With OAuth it covers the token's
// subject and the key (if any), and is never "". Use it to key per-caller state: it
// is safe to keep and compare, unlike the key.
func CallerID(ctx context.Context) string {
	if c, ok := ctx.Value(callerKeyCtx).(caller); ok {
		return c.id
	}
	return ""
}

// callerWho is the material of the request's CallerID, the same on every
// replica ("" for none): the shared store keys sessions by its digest.
func callerWho(ctx context.Context) string {
	if c, ok := ctx.Value(callerKeyCtx).(caller); ok {
		return c.who
	}
	return ""
}

func callerID(secret []byte, key string) string {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(key))
	return hex.EncodeToString(m.Sum(nil)[:16])
}

// statusWriter records the status of a response and passes Flush through
// (SSE needs it).
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(p)
}

func (w *statusWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// accessLog logs each request at debug level: method, path (no query: SSE
// session IDs travel there), status and duration; never a header.
func (s *Server) accessLog(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.o.Log.GetLevel() > zerolog.DebugLevel {
			next.ServeHTTP(w, r)
			return
		}
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r)
		s.o.Log.Debug().Str("method", r.Method).Str("path", r.URL.Path).Int("status", sw.status).
			Dur("duration", time.Since(start)).Msg("http request")
	})
}

// httpError answers a plain-text error, as mcp-go does.
func httpError(w http.ResponseWriter, code int, msg string) {
	h := w.Header()
	h.Del("Content-Length")
	h.Set("Content-Type", "text/plain; charset=utf-8")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(code)
	_, _ = io.WriteString(w, msg+"\n")
}

// checkOrigin refuses browser origins that are neither loopback nor listed
// (403), and adds CORS headers for listed origins.
func (s *Server) checkOrigin(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		origin := r.Header.Get("Origin")
		if origin == "" {
			next.ServeHTTP(w, r)
			return
		}
		norm, loopback := normalizeOrigin(origin)
		listed := norm != "" && slices.Contains(s.o.AllowedOrigins, norm)
		if !listed && !loopback {
			httpError(w, http.StatusForbidden, fmt.Sprintf("Forbidden: Origin %q is not allowed (the server operator can list it with --allowed-origins)", truncate(origin, 200)))
			return
		}
		if listed {
			h := w.Header()
			h.Add("Vary", "Origin")
			h.Set("Access-Control-Allow-Origin", origin)
			h.Set("Access-Control-Expose-Headers", "Mcp-Session-Id")
			if r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != "" {
				h.Set("Access-Control-Allow-Methods", "GET, POST, DELETE, OPTIONS")
				h.Set("Access-Control-Allow-Headers", "Content-Type, Authorization, x-api-key, Mcp-Session-Id, Mcp-Protocol-Version, Last-Event-ID")
				h.Set("Access-Control-Max-Age", "600")
				w.WriteHeader(http.StatusNoContent)
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// normalizeOrigin returns origin as scheme://host[:port] in lower case
// ("" when it is not an http(s) origin) and whether its host is loopback.
func normalizeOrigin(origin string) (string, bool) {
	u, err := url.Parse(strings.ToLower(strings.TrimSpace(origin)))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil ||
		(u.Path != "" && u.Path != "/") || u.RawQuery != "" {
		return "", false
	}
	return u.Scheme + "://" + u.Host, IsLoopbackHost(u.Hostname())
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n] + "..."
	}
	return s
}

// checkFunc checks a request to an MCP endpoint once its caller is known
// and its body read (nil unless POST); it answers and returns false to stop.
type checkFunc func(w http.ResponseWriter, r *http.Request, body []byte) bool

// mcpChain applies what every MCP endpoint needs: refusal while draining,
// authentication, the caller's key, the body limit, the transport's
// session checks and in-flight counting.
func (s *Server) mcpChain(check checkFunc, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.draining.Load() {
			w.Header().Set("Connection", "close")
			w.Header().Set("Retry-After", "1")
			httpError(w, http.StatusServiceUnavailable, "Service Unavailable: the server is shutting down")
			return
		}
		if s.o.AuthToken != "" && !s.bearerOK(w, r) {
			return
		}
		var p *principal
		if s.oauth != nil {
			if p = s.authenticate(w, r); p == nil {
				return
			}
		}
		c, ok := s.callerOf(w, r)
		if !ok {
			return
		}
		if p != nil {
			// A signed-in caller's sessions and runs are its own: its ID
			// covers its subject and the key it brought (if any).
			c.who = "sub\x00" + p.subject + "\x00" + c.key
			c.id = callerID(s.secret, c.who)
		}
		// mcp-go hands request headers to handlers (CallToolRequest.Header):
		// the credentials end here, the key travels only in the context.
		r.Header.Del("Authorization")
		r.Header.Del("x-api-key")
		ctx := r.Context()
		if c.id != "" {
			ctx = context.WithValue(ctx, callerKeyCtx, c)
		}
		if p != nil {
			ctx = context.WithValue(ctx, principalKey{}, p)
		}
		// The session checks leave here what ends with the request.
		scope := &requestScope{}
		defer s.sessions.finish(scope)
		ctx = context.WithValue(ctx, scopeKey{}, scope)
		if s.o.Shared != nil {
			ctx = s.sharedContext(ctx, r, scope)
		}
		r = r.WithContext(ctx)
		var body []byte
		if r.Method == http.MethodPost {
			if body, ok = s.readBody(w, r); !ok {
				return
			}
			r.Body = io.NopCloser(bytes.NewReader(body))
			r.ContentLength = int64(len(body))
		}
		if p != nil && !s.scopeOK(w, p, body) {
			return
		}
		if check != nil && !check(w, r, body) {
			return
		}
		if r.Method == http.MethodPost {
			s.inflight.add(1)
			defer s.inflight.add(-1)
		}
		next.ServeHTTP(w, r)
	})
}

// bearerOK checks "Authorization: Bearer <token>" in constant time and
// answers 401 when it is missing or wrong.
func (s *Server) bearerOK(w http.ResponseWriter, r *http.Request) bool {
	const realm = `Bearer realm="skyvern-mcp"`
	auth := r.Header.Get("Authorization")
	scheme, token, found := strings.Cut(auth, " ")
	if auth == "" || !found || !strings.EqualFold(scheme, "Bearer") {
		w.Header().Set("WWW-Authenticate", realm)
		httpError(w, http.StatusUnauthorized, "Unauthorized: send \"Authorization: Bearer <token>\" with the server's MCP auth token")
		return false
	}
	// Compare digests, so that the comparison's time depends on neither the
	// token's content nor its length.
	got, want := sha256.Sum256([]byte(strings.TrimSpace(token))), sha256.Sum256([]byte(s.o.AuthToken))
	if subtle.ConstantTimeCompare(got[:], want[:]) != 1 {
		w.Header().Set("WWW-Authenticate", realm+`, error="invalid_token"`)
		httpError(w, http.StatusUnauthorized, "Unauthorized: the bearer token is not valid")
		return false
	}
	return true
}

// callerOf reads the caller's x-api-key according to the key policy. It
// answers 401 when a required key is missing or malformed.
func (s *Server) callerOf(w http.ResponseWriter, r *http.Request) (caller, bool) {
	if s.o.Keys == KeysIgnored {
		return caller{}, true
	}
	key := strings.TrimSpace(r.Header.Get("x-api-key"))
	if key == "" {
		if s.o.Keys == KeysRequired {
			w.Header().Set("WWW-Authenticate", `ApiKey realm="skyvern-mcp", header="x-api-key"`)
			httpError(w, http.StatusUnauthorized, "Unauthorized: this server has no Skyvern API key of its own; send yours in the x-api-key header")
			return caller{}, false
		}
		return caller{}, true
	}
	if len(key) > maxKeyLen || strings.ContainsFunc(key, func(r rune) bool { return r <= ' ' || r > '~' }) {
		w.Header().Set("WWW-Authenticate", `ApiKey realm="skyvern-mcp", header="x-api-key"`)
		httpError(w, http.StatusUnauthorized, fmt.Sprintf("Unauthorized: x-api-key must be at most %d printable ASCII characters", maxKeyLen))
		return caller{}, false
	}
	return caller{key: key, id: callerID(s.secret, key), who: key}, true
}

// readBody reads a POST body of at most MaxBodyBytes within
// bodyReadTimeout; beyond the limit it answers 413.
func (s *Server) readBody(w http.ResponseWriter, r *http.Request) ([]byte, bool) {
	max := s.o.MaxBodyBytes
	tooLarge := func() {
		w.Header().Set("Connection", "close")
		httpError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("Request Entity Too Large: the body is larger than %d bytes", max))
	}
	if r.ContentLength > max {
		tooLarge()
		return nil, false
	}
	rc := http.NewResponseController(w)
	_ = rc.SetReadDeadline(time.Now().Add(bodyReadTimeout))
	body, err := io.ReadAll(io.LimitReader(r.Body, max+1))
	_ = rc.SetReadDeadline(time.Time{})
	if err != nil {
		// Closing the connection spares net/http from reading (and waiting
		// for) the rest of the body before it answers.
		w.Header().Set("Connection", "close")
		httpError(w, http.StatusBadRequest, "Bad Request: reading the body failed or took longer than "+strconv.Itoa(int(bodyReadTimeout.Seconds()))+" s")
		return nil, false
	}
	if int64(len(body)) > max {
		tooLarge()
		return nil, false
	}
	return body, true
}
