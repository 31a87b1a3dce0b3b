package httpserver

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// inProcess is a Server driven through its Handler, without a listener.
type inProcess struct {
	t   *testing.T
	srv *Server
}

func newInProcess(t *testing.T, o Options) *inProcess {
	t.Helper()
	if o.Transport == "" {
		o.Transport = TransportHTTP
	}
	o.MaxBodyBytes = 1 << 20
	o.Log = zerolog.Nop()
	srv, err := New(newTestTools().mcp, o)
	require.NoError(t, err)
	t.Cleanup(func() { srv.closeStreams() })
	return &inProcess{t: t, srv: srv}
}

// post sends body to /mcp from addr; headers are name, value pairs.
func (p *inProcess) post(addr, body string, headers ...string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodPost, "http://127.0.0.1/mcp", strings.NewReader(body))
	req.RemoteAddr = addr
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	rec := httptest.NewRecorder()
	p.srv.Handler().ServeHTTP(rec, req)
	return rec
}

// flood sends n initialize requests and counts the answers by status.
func (p *inProcess) flood(n int, addr string, headers ...string) map[int]int {
	counts := map[int]int{}
	for range n {
		counts[p.post(addr, initBody, headers...).Code]++
	}
	return counts
}

// assertRetryAfter checks a Retry-After of whole seconds in [1, most]: the
// time until the caller's oldest session has been idle DefaultPressureIdle.
func assertRetryAfter(t *testing.T, got string, most int) {
	t.Helper()
	n, err := strconv.Atoi(got)
	require.NoError(t, err, "Retry-After %q", got)
	assert.True(t, n >= 1 && n <= most, "Retry-After %d not in [1, %d]", n, most)
}

// TestOneCallerCannotLockOthersOut: a caller sending 10,000 initialize
// requests gets its share (DefaultMaxSessionsPerCaller sessions), then 429
// with Retry-After; a second caller still gets a session. Before, the first
// caller filled all 10,000 slots and everyone else got 503 for 30 minutes.
func TestOneCallerCannotLockOthersOut(t *testing.T) {
	t.Run("own keys", func(t *testing.T) {
		p := newInProcess(t, Options{Keys: KeysRequired, CheckKey: func(context.Context, string) error { return nil }})
		counts := p.flood(10000, "203.0.113.9:4000", "x-api-key", "sk-mallory-000001")
		assert.Equal(t, map[int]int{http.StatusOK: DefaultMaxSessionsPerCaller, http.StatusTooManyRequests: 10000 - DefaultMaxSessionsPerCaller}, counts)
		over := p.post("203.0.113.9:4000", initBody, "x-api-key", "sk-mallory-000001")
		require.Equal(t, http.StatusTooManyRequests, over.Code)
		assertRetryAfter(t, over.Header().Get("Retry-After"), int(DefaultPressureIdle.Seconds()))
		assert.Contains(t, over.Body.String(), "share")

		// Another key, from the same address: a session.
		alice := p.post("203.0.113.9:4001", initBody, "x-api-key", "sk-alice-000002")
		require.Equal(t, http.StatusOK, alice.Code, alice.Body.String())
		id := alice.Header().Get("Mcp-Session-Id")
		require.NotEmpty(t, id)
		a := p.post("198.51.100.7:1", listTools, "x-api-key", "sk-alice-000002", "Mcp-Session-Id", id)
		assert.Equal(t, http.StatusOK, a.Code, a.Body.String())
		n, _ := p.srv.Sessions()
		assert.Equal(t, DefaultMaxSessionsPerCaller+1, n)
	})
	t.Run("bearer token, no keys: per address", func(t *testing.T) {
		const token = "token-0123456789abcdef"
		p := newInProcess(t, Options{AuthToken: token, MaxSessionsPerCaller: 5})
		counts := p.flood(10000, "203.0.113.9:4000", "Authorization", "Bearer "+token)
		assert.Equal(t, map[int]int{http.StatusOK: 5, http.StatusTooManyRequests: 9995}, counts)
		counts = p.flood(100, "[2001:db8:1:2::9]:4000", "Authorization", "Bearer "+token)
		assert.Equal(t, map[int]int{http.StatusOK: 5, http.StatusTooManyRequests: 95}, counts)
		over := p.post("[2001:db8:1:2:ffff::1]:1", initBody, "Authorization", "Bearer "+token)
		assert.Equal(t, http.StatusTooManyRequests, over.Code, "an IPv6 caller is its /64")
		other := p.post("198.51.100.7:1", initBody, "Authorization", "Bearer "+token)
		assert.Equal(t, http.StatusOK, other.Code, other.Body.String())
	})
}

// TestConcurrentFloodStaysWithinShare: concurrent initializes of one caller
// cannot slip past its share between the check and the session's creation.
func TestConcurrentFloodStaysWithinShare(t *testing.T) {
	p := newInProcess(t, Options{Keys: KeysOptional, MaxSessionsPerCaller: 7})
	var ok, limited atomic.Int64
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 25 {
				switch p.post("203.0.113.9:1", initBody, "x-api-key", "sk-mallory-000001").Code {
				case http.StatusOK:
					ok.Add(1)
				case http.StatusTooManyRequests:
					limited.Add(1)
				}
			}
		})
	}
	wg.Wait()
	assert.EqualValues(t, 7, ok.Load())
	assert.EqualValues(t, 193, limited.Load())
	n, _ := p.srv.Sessions()
	assert.Equal(t, 7, n)
	p.srv.sessions.mu.Lock()
	assert.Zero(t, p.srv.sessions.reserved, "every reservation was claimed or given back")
	p.srv.sessions.mu.Unlock()
}

// TestIdleSessionsEvictedUnderPressure: a caller at its share loses its
// own longest idle session (idle at least PressureIdle) instead of getting
// 429; a full table evicts the longest idle session of any caller instead
// of answering 503. Sessions in use are never evicted.
func TestIdleSessionsEvictedUnderPressure(t *testing.T) {
	p := newInProcess(t, Options{Keys: KeysOptional, MaxSessions: 3, MaxSessionsPerCaller: 2})
	now := time.Unix(1_700_000_000, 0)
	var clock sync.Mutex
	p.srv.sessions.now = func() time.Time { clock.Lock(); defer clock.Unlock(); return now }
	advance := func(d time.Duration) { clock.Lock(); now = now.Add(d); clock.Unlock() }
	open := func(key string) string {
		rec := p.post("203.0.113.9:1", initBody, "x-api-key", key)
		require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
		return rec.Header().Get("Mcp-Session-Id")
	}
	use := func(key, id string) int {
		return p.post("203.0.113.9:1", listTools, "x-api-key", key, "Mcp-Session-Id", id).Code
	}

	a1, a2 := open("sk-a-00000001"), open("sk-a-00000001")
	b1 := open("sk-b-00000002")
	rec := p.post("203.0.113.9:1", initBody, "x-api-key", "sk-c-00000003")
	assert.Equal(t, http.StatusServiceUnavailable, rec.Code, "full, nothing idle long enough")
	assert.Equal(t, "120", rec.Header().Get("Retry-After"))
	rec = p.post("203.0.113.9:1", initBody, "x-api-key", "sk-a-00000001")
	assert.Equal(t, http.StatusTooManyRequests, rec.Code)

	advance(time.Minute)
	assert.Equal(t, http.StatusOK, use("sk-a-00000001", a2))
	assert.Equal(t, http.StatusOK, use("sk-b-00000002", b1))
	rec = p.post("203.0.113.9:1", initBody, "x-api-key", "sk-c-00000003")
	assert.Equal(t, http.StatusServiceUnavailable, rec.Code)
	assert.Equal(t, "60", rec.Header().Get("Retry-After"), "a1 becomes evictable in a minute")

	advance(90 * time.Second)
	c1 := open("sk-c-00000003")
	assert.Equal(t, http.StatusNotFound, use("sk-a-00000001", a1), "the longest idle session made room")
	assert.Equal(t, http.StatusOK, use("sk-a-00000001", a2))
	assert.Equal(t, http.StatusOK, use("sk-b-00000002", b1))
	assert.Equal(t, http.StatusOK, use("sk-c-00000003", c1))
	n, _ := p.srv.Sessions()
	assert.Equal(t, 3, n)

	// The table is full again: the idlest session goes, if idle long enough.
	advance(3 * time.Minute)
	assert.Equal(t, http.StatusOK, use("sk-c-00000003", c1))
	assert.Equal(t, http.StatusOK, use("sk-b-00000002", b1))
	open("sk-d-00000004")
	assert.Equal(t, http.StatusNotFound, use("sk-a-00000001", a2), "a2 was the idlest")
}

// TestCallerAtShareReplacesItsOwnIdleSession: a client that never ends its
// sessions is not locked out for the idle TTL: at its share, its own
// longest idle session (idle PressureIdle) makes room.
func TestCallerAtShareReplacesItsOwnIdleSession(t *testing.T) {
	p := newInProcess(t, Options{Keys: KeysOptional, MaxSessionsPerCaller: 2})
	now := time.Unix(1_700_000_000, 0)
	p.srv.sessions.now = func() time.Time { return now }
	open := func() *httptest.ResponseRecorder {
		return p.post("203.0.113.9:1", initBody, "x-api-key", "sk-c-00000003")
	}
	use := func(id string) int {
		return p.post("203.0.113.9:1", listTools, "x-api-key", "sk-c-00000003", "Mcp-Session-Id", id).Code
	}
	c1, c2 := open().Header().Get("Mcp-Session-Id"), open().Header().Get("Mcp-Session-Id")
	assert.Equal(t, http.StatusTooManyRequests, open().Code)
	now = now.Add(3 * time.Minute)
	assert.Equal(t, http.StatusOK, use(c2))
	assert.Equal(t, http.StatusOK, open().Code)
	assert.Equal(t, http.StatusNotFound, use(c1), "its own idlest session made room")
	assert.Equal(t, http.StatusOK, use(c2))
	assert.Equal(t, http.StatusTooManyRequests, open().Code, "the others are in use")
}

// TestSSEStreamsPerCaller: SSE streams count against the same share.
func TestSSEStreamsPerCaller(t *testing.T) {
	r := start(t, newTestTools().mcp, Options{Transport: TransportSSE, Keys: KeysOptional, MaxSessionsPerCaller: 2})
	openSSE(t, r, "x-api-key", "sk-mallory-000001")
	openSSE(t, r, "x-api-key", "sk-mallory-000001")
	a := r.do(http.MethodGet, "/sse", "", "x-api-key", "sk-mallory-000001")
	assert.Equal(t, http.StatusTooManyRequests, a.status)
	assertRetryAfter(t, a.header.Get("Retry-After"), int(DefaultPressureIdle.Seconds()))
	openSSE(t, r, "x-api-key", "sk-alice-000002")
	_, n := r.srv.Sessions()
	assert.Equal(t, 3, n)
}

// TestKeyCheckedBeforeSession: with CheckKey, a key Skyvern refuses gets
// 401 and no session, on both transports; the verdict is cached, so many
// initializes with one key make one check; a check that cannot be made
// still grants the session.
func TestKeyCheckedBeforeSession(t *testing.T) {
	var calls atomic.Int64
	check := func(_ context.Context, key string) error {
		calls.Add(1)
		switch key {
		case "sk-valid-0000001":
			return nil
		case "sk-unreachable-01":
			return context.DeadlineExceeded
		}
		return ErrKeyRefused
	}
	p := newInProcess(t, Options{Keys: KeysRequired, CheckKey: check})
	for range 50 {
		rec := p.post("203.0.113.9:1", initBody, "x-api-key", "sk-made-up-0001")
		require.Equal(t, http.StatusUnauthorized, rec.Code)
		assert.Contains(t, rec.Body.String(), "Skyvern does not accept the API key")
		assert.Empty(t, rec.Header().Get("Mcp-Session-Id"))
	}
	assert.EqualValues(t, 1, calls.Load(), "one check for 50 initializes")
	n, _ := p.srv.Sessions()
	assert.Zero(t, n)
	for range 5 {
		assert.Equal(t, http.StatusOK, p.post("203.0.113.9:1", initBody, "x-api-key", "sk-valid-0000001").Code)
	}
	assert.EqualValues(t, 2, calls.Load())
	assert.Equal(t, http.StatusOK, p.post("203.0.113.9:1", initBody, "x-api-key", "sk-unreachable-01").Code)
	assert.Equal(t, http.StatusOK, p.post("203.0.113.9:1", initBody, "x-api-key", "sk-unreachable-01").Code)
	assert.EqualValues(t, 4, calls.Load(), "a failed check is not remembered")

	r := start(t, newTestTools().mcp, Options{Transport: TransportSSE, Keys: KeysRequired, CheckKey: check})
	a := r.do(http.MethodGet, "/sse", "", "x-api-key", "sk-made-up-0001")
	assert.Equal(t, http.StatusUnauthorized, a.status)
	_, n = r.srv.Sessions()
	assert.Zero(t, n)
	openSSE(t, r, "x-api-key", "sk-valid-0000001")
}
