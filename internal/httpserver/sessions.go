package httpserver

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"sync"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"
)

// sessionStore tracks live sessions and the caller each belongs to: the
// streamable HTTP sessions (as mcp-go's SessionIdManager, through
// ResolveSessionIdManager) and the SSE streams.
//
// mcp-go's default manager accepts any well-formed session ID
// (unknown ones included), and its stateful one answers 404 where the spec
// wants 400 (missing ID) and never forgets a session that is not deleted.
// This one knows exactly the live sessions, forgets them on DELETE, on
// mcp-go's idle sweep (WithSessionIdleTTL) and on shutdown, and refuses a
// session to any caller key but the one that opened it.
type sessionStore struct {
	max  int
	mu   sync.Mutex
	http map[string]string      // session ID -> caller ID
	sse  map[string]*sseSession // session ID -> stream
}

// sseSession is one open SSE stream and the requests posted to it whose
// answer it has not carried yet.
type sseSession struct {
	id, caller string
	pending    map[string]int // JSON-RPC request ID (canonical JSON) -> count
	flushable  []string       // answered IDs written but not flushed yet
}

func newSessionStore(max int) *sessionStore {
	return &sessionStore{max: max, http: map[string]string{}, sse: map[string]*sseSession{}}
}

func newSessionID() string {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		panic("httpserver: crypto/rand: " + err.Error())
	}
	return "mcp-session-" + hex.EncodeToString(b)
}

// ResolveSessionIdManager implements server.SessionIdManagerResolver: the
// manager it returns binds new sessions to r's caller and validates
// sessions against it. r is nil for mcp-go's idle sweeper.
func (st *sessionStore) ResolveSessionIdManager(r *http.Request) server.SessionIdManager {
	if r == nil {
		return boundManager{st: st, unbound: true}
	}
	return boundManager{st: st, caller: CallerID(r.Context())}
}

type boundManager struct {
	st      *sessionStore
	caller  string
	unbound bool
}

var errUnknownSession = errors.New("unknown or expired session")

func (m boundManager) Generate() string {
	id := newSessionID()
	m.st.mu.Lock()
	m.st.http[id] = m.caller
	m.st.mu.Unlock()
	return id
}

func (m boundManager) Validate(id string) (bool, error) {
	if !m.st.validHTTP(id, m.caller, m.unbound) {
		return false, errUnknownSession
	}
	return false, nil
}

func (m boundManager) Terminate(id string) (bool, error) {
	m.st.mu.Lock()
	defer m.st.mu.Unlock()
	if owner, ok := m.st.http[id]; ok && (m.unbound || owner == m.caller) {
		delete(m.st.http, id)
	}
	return false, nil
}

func (st *sessionStore) validHTTP(id, caller string, anyCaller bool) bool {
	st.mu.Lock()
	defer st.mu.Unlock()
	owner, ok := st.http[id]
	return ok && (anyCaller || owner == caller)
}

func (st *sessionStore) full(sse bool) bool {
	st.mu.Lock()
	defer st.mu.Unlock()
	if sse {
		return len(st.sse) >= st.max
	}
	return len(st.http) >= st.max
}

// Sessions is how many streamable HTTP sessions and SSE streams are live.
func (s *Server) Sessions() (streamable, sse int) {
	s.sessions.mu.Lock()
	defer s.sessions.mu.Unlock()
	return len(s.sessions.http), len(s.sessions.sse)
}

// streamableCheck enforces the session rules of streamable HTTP in session
// mode: 400 without Mcp-Session-Id (but for initialize), 404 for a session
// that is unknown, expired, terminated or another caller's.
func (s *Server) streamableCheck(w http.ResponseWriter, r *http.Request, body []byte) bool {
	if s.o.Stateless || mcp.IsModernProtocol(r.Header.Get(mcp.HeaderProtocolVersion)) {
		// Protocol 2026-07-28 has no sessions: mcp-go serves each such
		// request on its own, under its own caller key.
		return true
	}
	switch r.Method {
	case http.MethodPost:
		if isInitialize(body) {
			if s.sessions.full(false) {
				httpError(w, http.StatusServiceUnavailable, "Service Unavailable: too many open sessions; try again later")
				return false
			}
			return true
		}
	case http.MethodGet, http.MethodDelete:
	default:
		return true
	}
	id := r.Header.Get(server.HeaderKeySessionID)
	if id == "" {
		httpError(w, http.StatusBadRequest, "Bad Request: Mcp-Session-Id header is required (send initialize first to get one)")
		return false
	}
	if !s.sessions.validHTTP(id, CallerID(r.Context()), false) {
		httpError(w, http.StatusNotFound, "Not Found: unknown or expired session (sessions belong to the x-api-key that opened them); send initialize to start a new one")
		return false
	}
	return true
}

func isInitialize(body []byte) bool {
	var m struct {
		Method string `json:"method"`
	}
	return json.Unmarshal(body, &m) == nil && m.Method == string(mcp.MethodInitialize)
}

// requestID returns the canonical JSON of a JSON-RPC request's id, or ""
// when body is not a request (a notification, a response, not JSON).
func requestID(body []byte) string {
	var m struct {
		ID     json.RawMessage `json:"id"`
		Method string          `json:"method"`
	}
	if json.Unmarshal(body, &m) != nil || m.Method == "" {
		return ""
	}
	return canonicalID(m.ID)
}

func canonicalID(raw json.RawMessage) string {
	if len(raw) == 0 {
		return ""
	}
	var v any
	if json.Unmarshal(raw, &v) != nil || v == nil {
		return ""
	}
	b, err := json.Marshal(v)
	if err != nil {
		return ""
	}
	return string(b)
}

type sseCtxKey struct{}

// sseStream wraps the SSE stream handler: it gives mcp-go's session ID
// generator (generateSSE) a place to record the stream, watches the stream
// for answers to posted requests (for draining), and forgets the stream
// when it ends.
func (s *Server) sseStream(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet {
			next.ServeHTTP(w, r) // mcp-go answers 405
			return
		}
		if s.sessions.full(true) {
			httpError(w, http.StatusServiceUnavailable, "Service Unavailable: too many open SSE streams; try again later")
			return
		}
		sess := &sseSession{pending: map[string]int{}}
		defer s.dropSSE(sess)
		ctx := context.WithValue(r.Context(), sseCtxKey{}, sess)
		sw := &sseWriter{ResponseWriter: w, s: s, sess: sess, cors: w.Header().Get("Access-Control-Allow-Origin")}
		next.ServeHTTP(sw, r.WithContext(ctx))
	})
}

// generateSSE is mcp-go's SSE session ID generator: it registers the
// stream under a new ID, bound to the caller.
func (st *sessionStore) generateSSE(ctx context.Context, _ *http.Request) (string, error) {
	sess, ok := ctx.Value(sseCtxKey{}).(*sseSession)
	if !ok {
		return "", errors.New("httpserver: SSE stream outside the middleware")
	}
	id := newSessionID()
	st.mu.Lock()
	sess.id, sess.caller = id, CallerID(ctx)
	st.sse[id] = sess
	st.mu.Unlock()
	return id, nil
}

// dropSSE forgets an ended stream and its unanswered requests.
func (s *Server) dropSSE(sess *sseSession) {
	st := s.sessions
	st.mu.Lock()
	n := 0
	for _, c := range sess.pending {
		n += c
	}
	sess.pending = map[string]int{}
	if sess.id != "" && st.sse[sess.id] == sess {
		delete(st.sse, sess.id)
	}
	st.mu.Unlock()
	s.inflight.add(-n)
}

// sseMessageCheck checks /message?sessionId=: 400 without it, 404 for a
// stream that is unknown, closed or another caller's. A request (not a
// notification or response) is counted in flight until its answer is
// flushed on the stream.
func (s *Server) sseMessageCheck(w http.ResponseWriter, r *http.Request, body []byte) bool {
	if r.Method != http.MethodPost {
		return true // mcp-go answers
	}
	id := r.URL.Query().Get("sessionId")
	if id == "" {
		httpError(w, http.StatusBadRequest, "Bad Request: the sessionId query parameter is required (open /sse first)")
		return false
	}
	// Decode outside the lock: a body can be megabytes of tool arguments.
	reqID := requestID(body)
	st := s.sessions
	st.mu.Lock()
	sess, ok := st.sse[id]
	ok = ok && sess.caller == CallerID(r.Context())
	if ok && reqID != "" {
		sess.pending[reqID]++
	}
	st.mu.Unlock()
	if !ok {
		httpError(w, http.StatusNotFound, "Not Found: unknown or closed SSE session (sessions belong to the x-api-key that opened them); open /sse again")
		return false
	}
	if reqID != "" {
		s.inflight.add(1)
	}
	return true
}

// sseWriter sees each event mcp-go writes on an SSE stream (one Write per
// event) and counts an answer done once it is flushed. It also undoes the
// "Access-Control-Allow-Origin: *" mcp-go's SSE handler sets on every
// stream: only the origins checkOrigin allowed (--allowed-origins) get CORS
// headers, as on every other route.
type sseWriter struct {
	http.ResponseWriter
	s    *Server
	sess *sseSession
	// cors is the Access-Control-Allow-Origin checkOrigin set ("" for none).
	cors         string
	headersFixed bool
}

// fixHeaders restores the CORS header checkOrigin chose, before the
// headers are sent.
func (w *sseWriter) fixHeaders() {
	if w.headersFixed {
		return
	}
	w.headersFixed = true
	if w.cors == "" {
		w.Header().Del("Access-Control-Allow-Origin")
	} else {
		w.Header().Set("Access-Control-Allow-Origin", w.cors)
	}
}

func (w *sseWriter) WriteHeader(code int) {
	w.fixHeaders()
	w.ResponseWriter.WriteHeader(code)
}

var dataPrefix = []byte("\ndata:")

func (w *sseWriter) Write(p []byte) (int, error) {
	w.fixHeaders()
	n, err := w.ResponseWriter.Write(p)
	if err == nil {
		if id := answerID(p); id != "" {
			w.s.sessions.mu.Lock()
			if w.sess.pending[id] > 0 {
				w.sess.flushable = append(w.sess.flushable, id)
			}
			w.s.sessions.mu.Unlock()
		}
	}
	return n, err
}

func (w *sseWriter) Flush() {
	w.fixHeaders()
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
	st := w.s.sessions
	st.mu.Lock()
	done := 0
	for _, id := range w.sess.flushable {
		if w.sess.pending[id] > 0 {
			w.sess.pending[id]--
			if w.sess.pending[id] == 0 {
				delete(w.sess.pending, id)
			}
			done++
		}
	}
	w.sess.flushable = w.sess.flushable[:0]
	st.mu.Unlock()
	if done > 0 {
		w.s.inflight.add(-done)
	}
}

func (w *sseWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// answerID returns the canonical id of the JSON-RPC response an SSE event
// carries, or "".
func answerID(event []byte) string {
	i := bytes.Index(event, dataPrefix)
	if i < 0 {
		return ""
	}
	data := bytes.TrimSpace(event[i+len(dataPrefix):])
	var m struct {
		ID     json.RawMessage `json:"id"`
		Method string          `json:"method"`
		Result json.RawMessage `json:"result"`
		Error  json.RawMessage `json:"error"`
	}
	if json.Unmarshal(data, &m) != nil || m.Method != "" || (m.Result == nil && m.Error == nil) {
		return ""
	}
	return canonicalID(m.ID)
}

// inflight counts calls in flight: streamable HTTP POSTs being handled and
// SSE requests whose answer has not been flushed.
type inflight struct {
	mu sync.Mutex
	n  int
}

func newInflight() *inflight { return &inflight{} }

func (f *inflight) add(d int) {
	f.mu.Lock()
	f.n += d
	f.mu.Unlock()
}

func (f *inflight) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.n
}

// wait returns true once nothing is in flight, false when ctx ends first.
func (f *inflight) wait(ctx context.Context) bool {
	for {
		if f.count() <= 0 {
			return true
		}
		select {
		case <-ctx.Done():
			return f.count() <= 0
		case <-time.After(10 * time.Millisecond):
		}
	}
}
