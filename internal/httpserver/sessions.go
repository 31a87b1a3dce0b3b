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
	"github.com/rs/zerolog"

	"github.com/skyvern-mcp/skyvern-mcp/internal/shared"
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
// session to any caller key but the one that opened it. It also counts the
// sessions each caller holds (admission.go): at most max in all, at most
// perCaller per caller, idle ones evicted under pressure.
type sessionStore struct {
	max, perCaller int
	pressureIdle   time.Duration
	now            func() time.Time
	mu             sync.Mutex
	http           map[string]*httpSession // session ID -> session
	sse            map[string]*sseSession  // session ID -> stream
	quotas         map[string]*quotaState  // caller (quotaOf) -> its sessions
	reserved       int                     // admitted, not minted yet
	// shared, when set, holds the sessions of every replica (shared.go).
	shared *shared.Store
	log    zerolog.Logger
	// streams are the GET streams in progress here, by session.
	streams map[string]map[*requestScope]struct{}
}

// httpSession is one streamable HTTP session.
type httpSession struct {
	caller, quota string
	last          time.Time // last request began or ended
	active        int       // requests (and GET streams) in progress
}

// quotaState is what one caller holds: sessions and reservations.
type quotaState struct {
	held int
	ids  map[string]struct{}
}

// sseSession is one open SSE stream and the requests posted to it whose
// answer it has not carried yet.
type sseSession struct {
	id, caller, quota string
	pending           map[string]int // JSON-RPC request ID (canonical JSON) -> count
	flushable         []string       // answered IDs written but not flushed yet
	last              time.Time      // opened, or last message or answer
	res               *reservation   // its place, until generateSSE claims it
	cancel            context.CancelFunc
}

func newSessionStore(max, perCaller int, pressureIdle time.Duration) *sessionStore {
	return &sessionStore{max: max, perCaller: perCaller, pressureIdle: pressureIdle, now: time.Now,
		http: map[string]*httpSession{}, sse: map[string]*sseSession{}, quotas: map[string]*quotaState{},
		streams: map[string]map[*requestScope]struct{}{}}
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
	if r == nil || r.Context().Value(evictKey{}) != nil {
		return boundManager{st: st, unbound: true}
	}
	return boundManager{st: st, caller: CallerID(r.Context()), scope: scopeOf(r.Context()), ctx: r.Context()}
}

type boundManager struct {
	st      *sessionStore
	caller  string
	unbound bool
	scope   *requestScope // nil outside mcpChain
	ctx     context.Context
}

var errUnknownSession = errors.New("unknown or expired session")

func (m boundManager) Generate() string {
	id := newSessionID()
	var res *reservation
	if m.scope != nil {
		res = m.scope.res
	}
	m.st.mu.Lock()
	quota := m.st.claimLocked(res, id)
	m.st.http[id] = &httpSession{caller: m.caller, quota: quota, last: m.st.now()}
	m.st.mu.Unlock()
	if m.st.shared != nil && m.ctx != nil {
		m.st.createShared(m.ctx, id)
	}
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
	h, ok := m.st.http[id]
	if ok && (m.unbound || h.caller == m.caller) {
		m.st.removeHTTPLocked(id)
	}
	m.st.mu.Unlock()
	if ok && !m.unbound && m.st.shared != nil && m.ctx != nil {
		// A client's DELETE ends the session everywhere; this replica's
		// idle sweep and evictions (unbound) end only its own copy.
		return false, m.st.deleteShared(m.ctx, id)
	}
	return false, nil
}

func (st *sessionStore) validHTTP(id, caller string, anyCaller bool) bool {
	st.mu.Lock()
	defer st.mu.Unlock()
	h, ok := st.http[id]
	return ok && (anyCaller || h.caller == caller)
}

// enter validates a request in session id and counts it in progress until
// finish.
func (st *sessionStore) enter(ctx context.Context, id, caller string, sc *requestScope) bool {
	if st.shared != nil && !st.enterShared(ctx, id, caller) {
		return false
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	h, ok := st.http[id]
	if !ok || h.caller != caller {
		return false
	}
	if sc != nil && sc.stop != nil {
		if st.streams[id] == nil {
			st.streams[id] = map[*requestScope]struct{}{}
		}
		st.streams[id][sc] = struct{}{}
	}
	h.active++
	h.last = st.now()
	if sc != nil {
		sc.session = id
	}
	return true
}

// finish ends what a request's checks started: it gives back a reservation
// no session was minted from, and counts the request's session idle again.
func (st *sessionStore) finish(sc *requestScope) {
	st.release(sc.res)
	if sc.session == "" {
		return
	}
	st.mu.Lock()
	if h, ok := st.http[sc.session]; ok {
		h.active--
		h.last = st.now()
	}
	if ss := st.streams[sc.session]; ss != nil {
		delete(ss, sc)
		if len(ss) == 0 {
			delete(st.streams, sc.session)
		}
	}
	st.mu.Unlock()
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
			return s.admitSession(w, r)
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
	if !s.sessions.enter(r.Context(), id, CallerID(r.Context()), scopeOf(r.Context())) {
		httpError(w, http.StatusNotFound, "Not Found: unknown or expired session (sessions belong to the x-api-key that opened them); send initialize to start a new one")
		return false
	}
	if s.o.SharedTasks != nil && r.Method == http.MethodPost {
		if m := methodOf(body); shared.IsTaskMethod(m) {
			// Tasks live in Redis: any replica answers for all.
			s.o.SharedTasks.Serve(w, r, body, id)
			return false
		}
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
		if !s.grantable(w, r) {
			return
		}
		res, httpGone, sseGone, why := s.sessions.admit(quotaOf(r, CallerID(r.Context())))
		s.closeEvicted(httpGone, sseGone)
		if why != nil {
			refuse(w, why)
			return
		}
		ctx, cancel := context.WithCancel(r.Context())
		defer cancel()
		sess := &sseSession{pending: map[string]int{}, res: res, cancel: cancel}
		defer s.dropSSE(sess)
		ctx = context.WithValue(ctx, sseCtxKey{}, sess)
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
	sess.id, sess.caller, sess.last = id, CallerID(ctx), st.now()
	sess.quota = st.claimLocked(sess.res, id)
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
	st.removeSSELocked(sess)
	st.mu.Unlock()
	st.release(sess.res)
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
	if ok {
		sess.last = st.now()
	}
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
	if done > 0 {
		w.sess.last = st.now()
	}
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
