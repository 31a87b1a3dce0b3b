package httpserver

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/skyvern-mcp/skyvern-mcp/internal/shared"
	"github.com/skyvern-mcp/skyvern-mcp/internal/testenv"
)

func sharedReplica(t *testing.T, url string) *running {
	t.Helper()
	st, err := shared.Open(context.Background(), shared.Options{URL: url, SessionTTL: time.Minute, Log: zerolog.Nop()})
	require.NoError(t, err)
	t.Cleanup(func() { _ = st.Close() })
	return start(t, newTestTools().mcp, Options{Keys: KeysOptional, Shared: st})
}

const whoami = `{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"whoami","arguments":{}}}`

// A session opened on one replica is valid on the others, for its caller
// only; a DELETE on any replica ends it on all and closes its streams.
func TestSharedSessionsAcrossReplicas(t *testing.T) {
	url := testenv.Redis(t)
	a, b := sharedReplica(t, url), sharedReplica(t, url)
	id := a.initialize("x-api-key", "key-one-123")

	got := b.do(http.MethodPost, "/mcp", whoami, "Mcp-Session-Id", id, "x-api-key", "key-one-123")
	require.Equal(t, http.StatusOK, got.status, got.body)
	assert.Contains(t, got.body, "key=key-one-123")
	other := b.do(http.MethodPost, "/mcp", whoami, "Mcp-Session-Id", id, "x-api-key", "key-two-456")
	assert.Equal(t, http.StatusNotFound, other.status, "another caller's session")

	// A GET stream on a, then the DELETE on b.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, a.base+"/mcp", nil)
	require.NoError(t, err)
	req.Header.Set("Accept", "text/event-stream")
	req.Header.Set("Mcp-Session-Id", id)
	req.Header.Set("x-api-key", "key-one-123")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	ended := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(resp.Body)
		for sc.Scan() {
		}
		close(ended)
	}()

	del := b.do(http.MethodDelete, "/mcp", "", "Mcp-Session-Id", id, "x-api-key", "key-one-123")
	require.Equal(t, http.StatusOK, del.status, del.body)
	select {
	case <-ended:
	case <-time.After(5 * time.Second):
		t.Fatal("the session's stream on the other replica stayed open")
	}
	for name, r := range map[string]*running{"a": a, "b": b} {
		got := r.do(http.MethodPost, "/mcp", whoami, "Mcp-Session-Id", id, "x-api-key", "key-one-123")
		assert.Equal(t, http.StatusNotFound, got.status, fmt.Sprintf("replica %s: %s", name, got.body))
	}
	n, _ := a.srv.Sessions()
	assert.Zero(t, n, "the replica forgot the deleted session")
}

func TestSharedStateNeedsStreamableHTTPSessions(t *testing.T) {
	st := &shared.Store{}
	for _, o := range []Options{{Transport: TransportSSE, Shared: st}, {Transport: TransportHTTP, Stateless: true, Shared: st}} {
		o.MaxBodyBytes = 1 << 20
		_, err := New(newTestTools().mcp, o)
		require.Error(t, err)
		assert.Contains(t, err.Error(), "--redis-url applies to --transport http in session mode")
	}
}

// With OAuth and the server's own key (no caller keys), sessions in Redis
// belong to the token's subject: Bob cannot use Alice's session on another
// replica, Alice can.
func TestSharedSessionsBelongToTheOAuthSubject(t *testing.T) {
	url := testenv.Redis(t)
	is := newTestIssuer(t)
	replica := func() *running {
		st, err := shared.Open(context.Background(), shared.Options{URL: url, SessionTTL: time.Minute, Log: zerolog.Nop()})
		require.NoError(t, err)
		t.Cleanup(func() { _ = st.Close() })
		return startOAuth(t, is, Options{Shared: st})
	}
	a, b := replica(), replica()
	alice, bob := is.Token("alice", "skyvern:run"), is.Token("bob", "skyvern:run")
	const look = `{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"look","arguments":{}}}`
	id := a.initialize(bearer(alice)...)

	// Bob first: replica b has not adopted the session yet, so only what
	// Redis holds can refuse him.
	other := b.do(http.MethodPost, "/mcp", look, append([]string{"Mcp-Session-Id", id}, bearer(bob)...)...)
	assert.Equal(t, http.StatusNotFound, other.status, "another subject's session: %s", other.body)
	got := b.do(http.MethodPost, "/mcp", look, append([]string{"Mcp-Session-Id", id}, bearer(alice)...)...)
	require.Equal(t, http.StatusOK, got.status, got.body)
	assert.Contains(t, got.body, "looked as alice")
}
