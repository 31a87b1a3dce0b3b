package httpserver

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net"
	"net/http"
	"strconv"
	"time"

	lru "github.com/hashicorp/golang-lru/v2"
	"github.com/mark3labs/mcp-go/server"
	"golang.org/x/sync/singleflight"
)

// Session admission: how many sessions one caller may hold, what happens
// when the table is full, and the check of a caller's own key.
const (
	// DefaultMaxSessionsPerCaller bounds the streamable HTTP sessions (or
	// SSE streams) one caller holds at once; initialize beyond it gets 429
	// with Retry-After. A caller is its x-api-key (by HMAC) when it sends one
	// the server uses, else its remote IP address (its /64 for IPv6).
	DefaultMaxSessionsPerCaller = 100
	// DefaultPressureIdle is how long a session must have been idle (no
	// request in progress, no open stream, no answer pending) before it may
	// be evicted to make room: a caller at its share loses its own longest
	// idle session; when the table is full, the longest idle session of
	// any caller goes.
	DefaultPressureIdle = 2 * time.Minute

	// keyCacheSize bounds the key verdicts remembered (by caller ID).
	keyCacheSize = 10000
	// keyValidTTL is how long a key Skyvern accepted is trusted for new
	// sessions without asking again.
	keyValidTTL = 10 * time.Minute
	// keyInvalidTTL is how long a key Skyvern refused is refused without
	// asking again.
	keyInvalidTTL = time.Minute
	// keyCheckTimeout bounds one key check with Skyvern.
	keyCheckTimeout = 10 * time.Second
	// maxKeyChecks bounds the key checks in flight to Skyvern at once.
	maxKeyChecks = 8
	// keyCheckQueue is how long a check waits for one of maxKeyChecks
	// before the caller gets 503 (many new keys at once).
	keyCheckQueue = 2 * time.Second
	// keyCheckRetry is the Retry-After (seconds) when too many keys are
	// being checked.
	keyCheckRetry = 5
)

// errChecksBusy: maxKeyChecks checks were running for keyCheckQueue.
var errChecksBusy = errors.New("too many key checks in flight")

// ErrKeyRefused is what Options.CheckKey returns (wrapped or not) when
// Skyvern refuses a caller's key (401 or 403).
var ErrKeyRefused = errors.New("Skyvern refused the API key")

// reservation is a place in the session table granted to one caller
// before mcp-go has minted the session's ID.
type reservation struct {
	quota string
	used  bool
}

// scopeKey carries a *requestScope in a request's context.
type scopeKey struct{}

// requestScope is what the checks of one MCP request leave for the end
// of the request: a reservation to give back if no session was minted,
// and the streamable HTTP session the request was working in.
type requestScope struct {
	res     *reservation
	session string
	// stop ends a GET stream's request (shared state: the session was
	// deleted on another replica); nil for other requests.
	stop context.CancelFunc
}

func scopeOf(ctx context.Context) *requestScope {
	sc, _ := ctx.Value(scopeKey{}).(*requestScope)
	return sc
}

// quotaOf names the caller of r for the per-caller limit: "key:" and its
// caller ID when it sends a key the server uses; else "addr:" and its
// remote IP (the /64 network for IPv6, which one host usually holds whole).
// Behind a reverse proxy every caller without a key has the proxy's address.
func quotaOf(r *http.Request, id string) string {
	if p := principalOf(r.Context()); p != nil {
		return "sub:" + p.id // a signed-in caller: its token's subject
	}
	if id != "" {
		return "key:" + id
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	if ip := net.ParseIP(host); ip != nil {
		if ip.To4() == nil {
			ip = ip.Mask(net.CIDRMask(64, 128))
		}
		host = ip.String()
	}
	return "addr:" + host
}

// refusal is why a session was not granted.
type refusal struct {
	code  int
	retry time.Duration
	msg   string
}

// admit reserves a session (sse: an SSE stream) for quota, evicting idle
// sessions when the caller is at its share or the table is full. It
// returns the reservation, the streamable HTTP sessions and SSE streams it
// evicted (to be closed outside the lock), or why not.
func (st *sessionStore) admit(quota string) (*reservation, []string, []*sseSession, *refusal) {
	st.mu.Lock()
	defer st.mu.Unlock()
	now := st.now()
	var httpGone []string
	var sseGone []*sseSession
	evict := func(id string, sse *sseSession) {
		if sse != nil {
			st.removeSSELocked(sse)
			sseGone = append(sseGone, sse)
			return
		}
		st.removeHTTPLocked(id)
		httpGone = append(httpGone, id)
	}
	q := st.quotas[quota]
	if q != nil && q.held >= st.perCaller {
		id, sse, wait := st.idlest(q.ids, now)
		if wait > 0 {
			return nil, nil, nil, &refusal{code: http.StatusTooManyRequests, retry: wait,
				msg: fmt.Sprintf("Too Many Requests: this caller already holds %d sessions, its share of this server; end one (DELETE /mcp, or close the SSE stream) or retry later", st.perCaller)}
		}
		evict(id, sse)
	}
	if st.total() >= st.max {
		id, sse, wait := st.idlest(nil, now)
		if wait > 0 {
			return nil, httpGone, sseGone, &refusal{code: http.StatusServiceUnavailable, retry: wait,
				msg: "Service Unavailable: too many open sessions; try again later"}
		}
		evict(id, sse)
	}
	q = st.quotas[quota]
	if q == nil {
		q = &quotaState{ids: map[string]struct{}{}}
		st.quotas[quota] = q
	}
	q.held++
	st.reserved++
	return &reservation{quota: quota}, httpGone, sseGone, nil
}

// idlest finds, among ids (nil: every session), the session idle longest
// if it has been idle at least pressureIdle. Otherwise it returns how long
// until one may be (pressureIdle when none is idle at all).
func (st *sessionStore) idlest(ids map[string]struct{}, now time.Time) (string, *sseSession, time.Duration) {
	var bestID string
	var bestSSE *sseSession
	var bestLast time.Time
	found := false
	consider := func(id string) {
		last, idle, sse := st.lastUse(id)
		if !idle || (found && !last.Before(bestLast)) {
			return
		}
		bestID, bestSSE, bestLast, found = id, sse, last, true
	}
	if ids != nil {
		for id := range ids {
			consider(id)
		}
	} else {
		for id := range st.http {
			consider(id)
		}
		for id := range st.sse {
			consider(id)
		}
	}
	if !found {
		return "", nil, st.pressureIdle
	}
	if wait := st.pressureIdle - now.Sub(bestLast); wait > 0 {
		return "", nil, wait
	}
	return bestID, bestSSE, 0
}

// lastUse returns when session id was last used and whether it is idle
// now (nothing in progress on it).
func (st *sessionStore) lastUse(id string) (time.Time, bool, *sseSession) {
	if h, ok := st.http[id]; ok {
		return h.last, h.active == 0, nil
	}
	if s, ok := st.sse[id]; ok {
		return s.last, len(s.pending) == 0 && s.id != "", s
	}
	return time.Time{}, false, nil
}

// release gives back a reservation no session was made from.
func (st *sessionStore) release(res *reservation) {
	if res == nil {
		return
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	if res.used {
		return
	}
	res.used = true
	st.reserved--
	st.unholdLocked(res.quota, "")
}

// claimLocked turns a reservation into session id (nil: a session minted
// without admission, counted for no caller).
func (st *sessionStore) claimLocked(res *reservation, id string) string {
	quota := ""
	if res != nil {
		quota = res.quota
		if !res.used {
			res.used = true
			st.reserved--
			if q := st.quotas[quota]; q != nil {
				q.ids[id] = struct{}{}
				return quota
			}
		}
	}
	q := st.quotas[quota]
	if q == nil {
		q = &quotaState{ids: map[string]struct{}{}}
		st.quotas[quota] = q
	}
	q.held++
	q.ids[id] = struct{}{}
	return quota
}

func (st *sessionStore) unholdLocked(quota, id string) {
	q := st.quotas[quota]
	if q == nil {
		return
	}
	q.held--
	if id != "" {
		delete(q.ids, id)
	}
	if q.held <= 0 {
		delete(st.quotas, quota)
	}
}

func (st *sessionStore) removeHTTPLocked(id string) {
	if h, ok := st.http[id]; ok {
		delete(st.http, id)
		st.unholdLocked(h.quota, id)
	}
}

func (st *sessionStore) removeSSELocked(sess *sseSession) {
	if sess.id != "" && st.sse[sess.id] == sess {
		delete(st.sse, sess.id)
		st.unholdLocked(sess.quota, sess.id)
	}
}

func (st *sessionStore) total() int { return len(st.http) + len(st.sse) + st.reserved }

// refuse answers a refused session with its status and Retry-After.
func refuse(w http.ResponseWriter, why *refusal) {
	w.Header().Set("Retry-After", strconv.Itoa(retrySeconds(why.retry)))
	httpError(w, why.code, why.msg)
}

func retrySeconds(d time.Duration) int {
	return max(1, int(math.Ceil(d.Seconds())))
}

// closeEvicted ends sessions evicted to make room: mcp-go forgets a
// streamable HTTP session's state (as on DELETE), an SSE stream is closed.
func (s *Server) closeEvicted(httpIDs []string, sse []*sseSession) {
	for _, sess := range sse {
		if sess.cancel != nil {
			sess.cancel()
		}
	}
	if s.streamable == nil {
		return
	}
	for _, id := range httpIDs {
		req, err := http.NewRequestWithContext(context.WithValue(context.Background(), evictKey{}, true),
			http.MethodDelete, "http://localhost/mcp", nil)
		if err != nil {
			continue
		}
		req.RemoteAddr = "127.0.0.1:0"
		req.Header.Set(server.HeaderKeySessionID, id)
		s.streamable.ServeHTTP(discardWriter{h: http.Header{}}, req)
	}
	if n := len(httpIDs) + len(sse); n > 0 {
		s.o.Log.Info().Int("sessions", n).Msg("evicted idle sessions to make room")
	}
}

// evictKey marks the internal DELETE that makes mcp-go forget an evicted
// session.
type evictKey struct{}

type discardWriter struct{ h http.Header }

func (d discardWriter) Header() http.Header         { return d.h }
func (d discardWriter) Write(p []byte) (int, error) { return len(p), nil }
func (d discardWriter) WriteHeader(int)             {}

// keyChecker asks Skyvern whether a caller's key is valid before the
// caller gets a session, and remembers the answer: an LRU of caller ID
// (HMAC of the key, never the key) to verdict, valid for keyValidTTL,
// invalid for keyInvalidTTL. Concurrent checks of one key make one request;
// at most maxKeyChecks run at once.
type keyChecker struct {
	check func(context.Context, string) error
	cache *lru.Cache[string, keyVerdict]
	group singleflight.Group
	sem   chan struct{}
	now   func() time.Time
}

type keyVerdict struct {
	valid bool
	until time.Time
}

func newKeyChecker(check func(context.Context, string) error, now func() time.Time) *keyChecker {
	cache, _ := lru.New[string, keyVerdict](keyCacheSize)
	return &keyChecker{check: check, cache: cache, sem: make(chan struct{}, maxKeyChecks), now: now}
}

// valid reports whether Skyvern accepts key (id is its caller ID). An
// error means it could not be checked (not remembered): errChecksBusy
// when too many checks are running, else Skyvern's failure.
func (k *keyChecker) valid(ctx context.Context, id, key string) (bool, error) {
	if v, ok := k.cache.Get(id); ok && k.now().Before(v.until) {
		return v.valid, nil
	}
	ch := k.group.DoChan(id, func() (any, error) {
		if v, ok := k.cache.Get(id); ok && k.now().Before(v.until) {
			return v.valid, nil
		}
		// The check is shared by every request waiting for this key: it
		// must not end with the first one's context.
		wait := time.NewTimer(keyCheckQueue)
		defer wait.Stop()
		select {
		case k.sem <- struct{}{}:
			defer func() { <-k.sem }()
		case <-wait.C:
			return false, errChecksBusy
		}
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), keyCheckTimeout)
		defer cancel()
		err := k.check(cctx, key)
		switch {
		case err == nil:
			k.cache.Add(id, keyVerdict{valid: true, until: k.now().Add(keyValidTTL)})
			return true, nil
		case errors.Is(err, ErrKeyRefused):
			k.cache.Add(id, keyVerdict{valid: false, until: k.now().Add(keyInvalidTTL)})
			return false, nil
		}
		return false, err
	})
	select {
	case res := <-ch:
		if res.Err != nil {
			return false, res.Err
		}
		return res.Val.(bool), nil
	case <-ctx.Done():
		return false, ctx.Err()
	}
}

// grantable checks, before a session is granted, that the caller's own key
// (if the server checks keys) is one Skyvern accepts. It answers 401 for a
// refused key and 503 with Retry-After when too many new keys are being
// checked at once. When Skyvern cannot be asked (unreachable, 5xx) the
// session is granted, unremembered: every call checks the key anyway, and
// the caller's share still bounds its sessions.
func (s *Server) grantable(w http.ResponseWriter, r *http.Request) bool {
	key := CallerKey(r.Context())
	if s.keys == nil || key == "" {
		return true
	}
	ok, err := s.keys.valid(r.Context(), CallerID(r.Context()), key)
	if errors.Is(err, errChecksBusy) || r.Context().Err() != nil {
		w.Header().Set("Retry-After", strconv.Itoa(keyCheckRetry))
		httpError(w, http.StatusServiceUnavailable, "Service Unavailable: too many new keys are being checked with Skyvern; try again shortly")
		return false
	}
	if err != nil {
		s.o.Log.Warn().Str("reason", "key check failed").Msg("could not check a caller's key with Skyvern; session granted")
		return true
	}
	if !ok {
		w.Header().Set("WWW-Authenticate", `ApiKey realm="skyvern-mcp", header="x-api-key", error="invalid_key"`)
		httpError(w, http.StatusUnauthorized, "Unauthorized: Skyvern does not accept the API key sent in x-api-key; no session was opened (check the key at https://app.skyvern.com/settings)")
		return false
	}
	return true
}

// admitSession grants a streamable HTTP initialize a place in the session
// table (429 or 503 with Retry-After when there is none), after checking
// the caller's key.
func (s *Server) admitSession(w http.ResponseWriter, r *http.Request) bool {
	if !s.grantable(w, r) {
		return false
	}
	res, httpGone, sseGone, why := s.sessions.admit(quotaOf(r, CallerID(r.Context())))
	s.closeEvicted(httpGone, sseGone)
	if why != nil {
		refuse(w, why)
		return false
	}
	if sc := scopeOf(r.Context()); sc != nil {
		sc.res = res
	} else {
		s.sessions.release(res)
	}
	return true
}
