package httpserver

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const listTools = `{"jsonrpc":"2.0","id":2,"method":"tools/list"}`

func TestStreamableSessions(t *testing.T) {
	r := start(t, newTestTools().mcp, Options{Keys: KeysOptional})
	id := r.initialize()
	assert.Regexp(t, `^mcp-session-[0-9a-f]{32}$`, id)

	a := r.do(http.MethodPost, "/mcp", listTools, "Mcp-Session-Id", id)
	assert.Equal(t, http.StatusOK, a.status, a.body)
	assert.Contains(t, a.body, `"whoami"`)

	a = r.do(http.MethodPost, "/mcp", listTools)
	assert.Equal(t, http.StatusBadRequest, a.status, "missing session on a request other than initialize")
	assert.Contains(t, a.body, "Mcp-Session-Id")
	a = r.do(http.MethodPost, "/mcp", `{"jsonrpc":"2.0","method":"notifications/initialized"}`)
	assert.Equal(t, http.StatusBadRequest, a.status, "notifications need the session too")
	a = r.do(http.MethodGet, "/mcp", "")
	assert.Equal(t, http.StatusBadRequest, a.status, "a GET stream needs a session")
	a = r.do(http.MethodDelete, "/mcp", "")
	assert.Equal(t, http.StatusBadRequest, a.status)

	for name, stale := range map[string]string{
		"well-formed but unknown": "mcp-session-00000000000000000000000000000000",
		"mcp-go's own format":     "mcp-session-8a7c6f0e-1b2c-4d5e-9f00-112233445566",
		"garbage":                 "nope",
	} {
		a = r.do(http.MethodPost, "/mcp", listTools, "Mcp-Session-Id", stale)
		assert.Equal(t, http.StatusNotFound, a.status, name)
		a = r.do(http.MethodGet, "/mcp", "", "Mcp-Session-Id", stale)
		assert.Equal(t, http.StatusNotFound, a.status, "GET with a stale session: %s", name)
	}

	// A session belongs to the caller key that opened it.
	a = r.do(http.MethodPost, "/mcp", listTools, "Mcp-Session-Id", id, "x-api-key", "sk-someone-else")
	assert.Equal(t, http.StatusNotFound, a.status)
	keyed := r.initialize("x-api-key", "sk-alice-1234")
	a = r.do(http.MethodPost, "/mcp", listTools, "Mcp-Session-Id", keyed, "x-api-key", "sk-alice-1234")
	assert.Equal(t, http.StatusOK, a.status)
	a = r.do(http.MethodPost, "/mcp", listTools, "Mcp-Session-Id", keyed)
	assert.Equal(t, http.StatusNotFound, a.status, "nor without the key")
	a = r.do(http.MethodDelete, "/mcp", "", "Mcp-Session-Id", keyed, "x-api-key", "sk-mallory")
	assert.Equal(t, http.StatusNotFound, a.status, "another key cannot end the session")

	// DELETE ends a session: it is then unknown.
	streamable, _ := r.srv.Sessions()
	assert.Equal(t, 2, streamable)
	a = r.do(http.MethodDelete, "/mcp", "", "Mcp-Session-Id", id)
	assert.Equal(t, http.StatusOK, a.status)
	a = r.do(http.MethodPost, "/mcp", listTools, "Mcp-Session-Id", id)
	assert.Equal(t, http.StatusNotFound, a.status, "a terminated session")
	streamable, _ = r.srv.Sessions()
	assert.Equal(t, 1, streamable)
}

func TestStreamableSessionExpiresWhenIdle(t *testing.T) {
	r := start(t, newTestTools().mcp, Options{SessionIdleTTL: 500 * time.Millisecond})
	id := r.initialize()
	assert.Equal(t, http.StatusOK, r.do(http.MethodPost, "/mcp", listTools, "Mcp-Session-Id", id).status)
	require.Eventually(t, func() bool {
		n, _ := r.srv.Sessions()
		return n == 0
	}, 5*time.Second, 50*time.Millisecond, "mcp-go's sweeper expires the idle session")
	a := r.do(http.MethodPost, "/mcp", listTools, "Mcp-Session-Id", id)
	assert.Equal(t, http.StatusNotFound, a.status, "an expired session")
}

func TestSessionLimit(t *testing.T) {
	r := start(t, newTestTools().mcp, Options{MaxSessions: 2})
	r.initialize()
	r.initialize()
	a := r.do(http.MethodPost, "/mcp", initBody)
	assert.Equal(t, http.StatusServiceUnavailable, a.status)
	assert.Contains(t, a.body, "too many open sessions")
}

func TestStatelessNeedsNoSession(t *testing.T) {
	r := start(t, newTestTools().mcp, Options{Stateless: true})
	a := r.do(http.MethodPost, "/mcp", initBody)
	require.Equal(t, http.StatusOK, a.status)
	assert.Empty(t, a.header.Get("Mcp-Session-Id"), "no session is minted")
	a = r.do(http.MethodPost, "/mcp", listTools)
	assert.Equal(t, http.StatusOK, a.status, a.body)
	assert.Contains(t, a.body, `"block"`)
	a = r.do(http.MethodPost, "/mcp", listTools, "Mcp-Session-Id", "anything")
	assert.Equal(t, http.StatusOK, a.status, "a session ID is ignored")
	a = r.do(http.MethodGet, "/mcp", "")
	assert.Equal(t, http.StatusMethodNotAllowed, a.status, "no GET stream without sessions")
	assert.Equal(t, "key= id=", newHTTPClient(t, r.base).call(t, "whoami"))
}

func TestSSESessions(t *testing.T) {
	r := start(t, newTestTools().mcp, Options{Transport: TransportSSE, Keys: KeysOptional})
	s := openSSE(t, r, "x-api-key", "sk-alice-1234")
	_, sse := r.srv.Sessions()
	assert.Equal(t, 1, sse)

	a := r.do(http.MethodPost, "/message", initBody)
	assert.Equal(t, http.StatusBadRequest, a.status)
	assert.Contains(t, a.body, "sessionId")
	a = r.do(http.MethodPost, "/message?sessionId=mcp-session-00000000000000000000000000000000", initBody)
	assert.Equal(t, http.StatusNotFound, a.status)
	a = r.do(http.MethodPost, s.message, initBody, "x-api-key", "sk-mallory")
	assert.Equal(t, http.StatusNotFound, a.status, "the stream belongs to alice's key")
	a = r.do(http.MethodPost, s.message, initBody)
	assert.Equal(t, http.StatusNotFound, a.status, "nor to no key")

	a = r.do(http.MethodPost, s.message, initBody, "x-api-key", "sk-alice-1234")
	assert.Equal(t, http.StatusAccepted, a.status, a.body)
	s.waitFor(t, `"serverInfo"`, 5*time.Second)
	assert.Eventually(t, func() bool { return r.srv.inflight.count() == 0 }, 2*time.Second, 5*time.Millisecond,
		"the request is no longer in flight once its answer is flushed")

	s.close()
	require.Eventually(t, func() bool {
		_, n := r.srv.Sessions()
		return n == 0
	}, 5*time.Second, 20*time.Millisecond, "a closed stream is forgotten")
	a = r.do(http.MethodPost, s.message, initBody, "x-api-key", "sk-alice-1234")
	assert.Equal(t, http.StatusNotFound, a.status, "a closed stream")

	// A whole session through mcp-go's SSE client, with a caller key.
	c := newSSEClient(t, r.base, "x-api-key", "sk-bob-5678")
	assert.True(t, strings.HasPrefix(c.call(t, "whoami"), "key=sk-bob-5678 id="))
}

func TestKeepAlive(t *testing.T) {
	r := start(t, newTestTools().mcp, Options{Transport: TransportSSE, KeepAlive: 100 * time.Millisecond})
	s := openSSE(t, r)
	s.waitFor(t, `"method":"ping"`, 3*time.Second)
	assert.Equal(t, DefaultKeepAlive, 15*time.Second, "keep-alive at most every 30 s by default")
}
