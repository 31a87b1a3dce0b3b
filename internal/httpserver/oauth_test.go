package httpserver

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/skyvern-mcp/skyvern-mcp/internal/oauthtest"
)

const testAudience = "https://mcp.example.com/mcp"

func newTestIssuer(t *testing.T) *oauthtest.Issuer { return oauthtest.NewIssuer(t, testAudience) }

// scopeTools has a read-only tool and one that changes things.
func scopeTools() *server.MCPServer {
	ms := server.NewMCPServer("test", "1", server.WithToolCapabilities(false))
	ms.AddTool(mcp.NewTool("look", mcp.WithReadOnlyHintAnnotation(true)), func(ctx context.Context, _ mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		return mcp.NewToolResultText("looked as " + Subject(ctx)), nil
	})
	ms.AddTool(mcp.NewTool("change", mcp.WithReadOnlyHintAnnotation(false)), func(ctx context.Context, _ mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		return mcp.NewToolResultText("changed as " + Subject(ctx)), nil
	})
	return ms
}

func startOAuth(t *testing.T, is *oauthtest.Issuer, o Options) *running {
	t.Helper()
	o.OAuth = &OAuthOptions{Issuer: is.URL, Audience: testAudience}
	return start(t, scopeTools(), o)
}

func bearer(tok string) []string { return []string{"Authorization", "Bearer " + tok} }

const metaURL = "https://mcp.example.com/.well-known/oauth-protected-resource/mcp"

func TestOAuthRefusesBadTokens(t *testing.T) {
	is := newTestIssuer(t)
	is.AddKey("unpublished", false)
	r := startOAuth(t, is, Options{})

	a := r.do(http.MethodPost, "/mcp", initBody)
	require.Equal(t, http.StatusUnauthorized, a.status, a.body)
	assert.Equal(t, `Bearer resource_metadata="`+metaURL+`", scope="skyvern:read skyvern:run"`, a.header.Get("WWW-Authenticate"))

	spoil := func(f func(c map[string]any)) map[string]any {
		c := is.Claims("alice", "skyvern:run")
		f(c)
		return c
	}
	cases := []struct {
		name, token, why string
	}{
		{"expired", is.Sign("k1", spoil(func(c map[string]any) { c["exp"] = time.Now().Add(-time.Minute).Unix() })), "expired"},
		{"no expiry", is.Sign("k1", spoil(func(c map[string]any) { delete(c, "exp") })), "expired"},
		{"not yet valid", is.Sign("k1", spoil(func(c map[string]any) { c["nbf"] = time.Now().Add(time.Hour).Unix() })), "not valid yet"},
		{"wrong audience", is.Sign("k1", spoil(func(c map[string]any) { c["aud"] = "https://other.example.com/mcp" })), "not meant for this resource"},
		{"wrong issuer", is.Sign("k1", spoil(func(c map[string]any) { c["iss"] = "https://evil.example.com" })), "another issuer"},
		{"unknown kid", is.Sign("unpublished", is.Claims("alice", "skyvern:run")), "signature could not be verified"},
		{"alg none", oauthtest.AlgNone(is.Claims("alice", "skyvern:run")), "algorithm"},
		{"no subject", is.Sign("k1", spoil(func(c map[string]any) { delete(c, "sub") })), "no subject"},
		{"garbage", "not-a-jwt", "malformed"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a := r.do(http.MethodPost, "/mcp", initBody, bearer(c.token)...)
			require.Equal(t, http.StatusUnauthorized, a.status, a.body)
			h := a.header.Get("WWW-Authenticate")
			assert.True(t, strings.HasPrefix(h, `Bearer resource_metadata="`+metaURL+`", error="invalid_token", error_description="`), h)
			assert.Contains(t, h, c.why)
			assert.Empty(t, a.header.Get("Mcp-Session-Id"))
		})
	}
	// A valid token passes, and no token ever reaches the logs.
	good := is.Token("alice", "skyvern:run")
	r.initialize(bearer(good)...)
	for _, c := range cases {
		assert.NotContains(t, r.logs.String(), c.token)
	}
	assert.NotContains(t, r.logs.String(), good)
}

func TestOAuthKeyRotationRefreshesJWKS(t *testing.T) {
	is := newTestIssuer(t)
	r := startOAuth(t, is, Options{})
	clock := time.Now()
	var mu sync.Mutex
	r.srv.oauth.keysClient.Transport.(*jwksThrottle).now = func() time.Time { mu.Lock(); defer mu.Unlock(); return clock }

	r.initialize(bearer(is.Token("alice", "skyvern:run"))...)
	require.Equal(t, int32(1), is.JWKSHits.Load(), "keys fetched once")
	r.initialize(bearer(is.Token("alice", "skyvern:run"))...)
	require.Equal(t, int32(1), is.JWKSHits.Load(), "known kid: keys from the cache")

	// The issuer rotates to k2 but has not published it yet: refused, and
	// a flood of such tokens does not hammer the issuer.
	is.AddKey("k2", false)
	rotated := is.Sign("k2", is.Claims("alice", "skyvern:run"))
	for range 20 {
		a := r.do(http.MethodPost, "/mcp", initBody, bearer(rotated)...)
		require.Equal(t, http.StatusUnauthorized, a.status)
	}
	assert.Equal(t, int32(1), is.JWKSHits.Load(), "unknown kids within 10 s reuse the last key set")

	// Published, and the 10 s are over: the unknown kid makes the server
	// fetch the keys again, and the token is accepted.
	is.Publish("k2")
	mu.Lock()
	clock = clock.Add(jwksMinRefresh + time.Second)
	mu.Unlock()
	// (go-oidc clears its finished fetch a moment after answering: a
	// request in that moment reuses the previous key set, hence Eventually.)
	require.Eventually(t, func() bool {
		return r.do(http.MethodPost, "/mcp", initBody, bearer(rotated)...).status == http.StatusOK
	}, 5*time.Second, 10*time.Millisecond)
	assert.Equal(t, int32(2), is.JWKSHits.Load())
}

// TestOAuthVerifiedTokensExpire: a verified token is remembered (no
// signature check per request) but never past its exp.
func TestOAuthVerifiedTokensExpire(t *testing.T) {
	is := newTestIssuer(t)
	r := startOAuth(t, is, Options{})
	var mu sync.Mutex
	clock := time.Now()
	r.srv.oauth.now = func() time.Time { mu.Lock(); defer mu.Unlock(); return clock }
	advance := func(d time.Duration) { mu.Lock(); clock = clock.Add(d); mu.Unlock() }

	c := is.Claims("alice", "skyvern:run")
	c["exp"] = time.Now().Add(30 * time.Second).Unix()
	short := is.Sign("k1", c)
	long := is.Token("bob", "skyvern:run")
	r.initialize(bearer(short)...)
	r.initialize(bearer(long)...)
	_, cached := r.srv.oauth.verified.Get(sha256.Sum256([]byte(short)))
	require.True(t, cached)

	advance(31 * time.Second)
	a := r.do(http.MethodPost, "/mcp", initBody, bearer(short)...)
	require.Equal(t, http.StatusUnauthorized, a.status, "an expired token, even one verified before")
	assert.Contains(t, a.header.Get("WWW-Authenticate"), "expired")
	r.initialize(bearer(long)...)

	// Past the minute, the token is verified again (and still valid).
	advance(tokenCacheTTL)
	r.initialize(bearer(long)...)
}

func TestOAuthProtectedResourceMetadata(t *testing.T) {
	is := newTestIssuer(t)
	r := startOAuth(t, is, Options{})
	for _, path := range []string{"/.well-known/oauth-protected-resource/mcp", "/.well-known/oauth-protected-resource"} {
		a := r.do(http.MethodGet, path, "")
		require.Equal(t, http.StatusOK, a.status, path)
		assert.Equal(t, "application/json", a.header.Get("Content-Type"))
		var doc map[string]any
		require.NoError(t, json.Unmarshal([]byte(a.body), &doc))
		assert.Equal(t, testAudience, doc["resource"])
		assert.Equal(t, []any{is.URL}, doc["authorization_servers"])
		assert.Equal(t, []any{"skyvern:read", "skyvern:run"}, doc["scopes_supported"])
		assert.Equal(t, []any{"header"}, doc["bearer_methods_supported"])
	}
	// Any origin may read it (it is public); the MCP endpoint keeps its
	// Origin check.
	a := r.do(http.MethodGet, "/.well-known/oauth-protected-resource/mcp", "", "Origin", "https://client.example.org")
	assert.Equal(t, http.StatusOK, a.status)
	assert.Equal(t, "*", a.header.Get("Access-Control-Allow-Origin"))
	a = r.do(http.MethodPost, "/mcp", initBody, "Origin", "https://client.example.org")
	assert.Equal(t, http.StatusForbidden, a.status)

	// SSE: the endpoints' suffixed forms, and the stream needs a token.
	s := start(t, scopeTools(), Options{Transport: TransportSSE,
		OAuth: &OAuthOptions{Issuer: is.URL, Audience: "https://mcp.example.com/sse"}})
	a = s.do(http.MethodGet, "/.well-known/oauth-protected-resource/sse", "")
	require.Equal(t, http.StatusOK, a.status)
	a = s.do(http.MethodGet, "/sse", "")
	require.Equal(t, http.StatusUnauthorized, a.status)
	assert.Contains(t, a.header.Get("WWW-Authenticate"), `resource_metadata="https://mcp.example.com/.well-known/oauth-protected-resource/sse"`)
}

// call sends a tools method in session sid and returns the answer.
func call(r *running, sid, tok, method, params string) answer {
	r.t.Helper()
	return r.do(http.MethodPost, "/mcp", `{"jsonrpc":"2.0","id":2,"method":"`+method+`","params":`+params+`}`,
		append(bearer(tok), "Mcp-Session-Id", sid)...)
}

func TestOAuthScopes(t *testing.T) {
	is := newTestIssuer(t)
	r := startOAuth(t, is, Options{})

	read := is.Token("reader", "openid skyvern:read")
	sid := r.initialize(bearer(read)...)
	a := call(r, sid, read, "tools/list", `{}`)
	require.Equal(t, http.StatusOK, a.status, a.body)
	assert.Contains(t, a.body, `"look"`)
	assert.NotContains(t, a.body, `"change"`, "a read token lists only read-only tools")
	a = call(r, sid, read, "tools/call", `{"name":"look","arguments":{}}`)
	require.Equal(t, http.StatusOK, a.status)
	assert.Contains(t, a.body, "looked as reader")
	a = call(r, sid, read, "tools/call", `{"name":"change","arguments":{}}`)
	require.Equal(t, http.StatusForbidden, a.status, a.body)
	assert.True(t, strings.HasPrefix(a.header.Get("WWW-Authenticate"),
		`Bearer resource_metadata="`+metaURL+`", error="insufficient_scope", scope="skyvern:run"`), a.header.Get("WWW-Authenticate"))
	assert.NotContains(t, a.body, "changed")
	// In a batch too.
	a = r.do(http.MethodPost, "/mcp", `[{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"look"}},{"jsonrpc":"2.0","id":4,"method":"tools/call","params":{"name":"change"}}]`,
		append(bearer(read), "Mcp-Session-Id", sid)...)
	assert.Equal(t, http.StatusForbidden, a.status)

	// Cancelling a task cancels a Skyvern run: not for a read token.
	a = call(r, sid, read, "tasks/cancel", `{"taskId":"t-1"}`)
	assert.Equal(t, http.StatusForbidden, a.status, a.body)

	// The tool filter refuses it too, should a call get past the check.
	ctx := context.WithValue(context.Background(), principalKey{}, &principal{subject: "reader", read: true})
	assert.Empty(t, toolFilter(ctx, []mcp.Tool{mcp.NewTool("change", mcp.WithReadOnlyHintAnnotation(false))}))

	run := is.Token("runner", "skyvern:run")
	sid = r.initialize(bearer(run)...)
	a = call(r, sid, run, "tools/list", `{}`)
	assert.Contains(t, a.body, `"look"`)
	assert.Contains(t, a.body, `"change"`)
	a = call(r, sid, run, "tools/call", `{"name":"change","arguments":{}}`)
	require.Equal(t, http.StatusOK, a.status)
	assert.Contains(t, a.body, "changed as runner")

	// Scopes as an array (scp-style claims) work too.
	c := is.Claims("arr", "")
	c["scope"] = []string{"skyvern:read"}
	arr := is.Sign("k1", c)
	sid = r.initialize(bearer(arr)...)
	a = call(r, sid, arr, "tools/call", `{"name":"change","arguments":{}}`)
	assert.Equal(t, http.StatusForbidden, a.status)

	// Neither scope: nothing at all.
	none := is.Token("nobody", "openid profile")
	a = r.do(http.MethodPost, "/mcp", initBody, bearer(none)...)
	require.Equal(t, http.StatusForbidden, a.status, a.body)
	assert.Contains(t, a.header.Get("WWW-Authenticate"), `error="insufficient_scope", scope="skyvern:read"`)
}

func TestOAuthSessionsBelongToTheSubject(t *testing.T) {
	is := newTestIssuer(t)
	r := startOAuth(t, is, Options{MaxSessionsPerCaller: 1})
	alice, bob := is.Token("alice", "skyvern:run"), is.Token("bob", "skyvern:run")
	sid := r.initialize(bearer(alice)...)
	// Another token of the same subject reaches the session; another
	// subject does not.
	alice2 := is.Sign("k1", is.Claims("alice", "skyvern:read skyvern:run"))
	assert.Equal(t, http.StatusOK, call(r, sid, alice2, "tools/list", `{}`).status)
	assert.Equal(t, http.StatusNotFound, call(r, sid, bob, "tools/list", `{}`).status)
	// The share is counted per subject, not per address: alice is at hers,
	// bob (same address) still gets a session.
	a := r.do(http.MethodPost, "/mcp", initBody, bearer(alice)...)
	assert.Equal(t, http.StatusTooManyRequests, a.status, a.body)
	r.initialize(bearer(bob)...)
}

func TestOAuthExcludesStaticToken(t *testing.T) {
	_, err := New(scopeTools(), Options{Transport: TransportHTTP, MaxBodyBytes: 1 << 20, AuthToken: "0123456789abcdef0123",
		OAuth: &OAuthOptions{Issuer: "https://issuer.example.com", Audience: testAudience}})
	require.ErrorContains(t, err, "exclude each other")
	// OAuth counts as authentication for a non-loopback address.
	_, err = New(scopeTools(), Options{Transport: TransportHTTP, MaxBodyBytes: 1 << 20, Addr: "0.0.0.0:8787",
		OAuth: &OAuthOptions{Issuer: "https://issuer.example.com", Audience: testAudience}})
	require.NoError(t, err)
}

func TestOAuthIssuerUnreachable(t *testing.T) {
	is := newTestIssuer(t)
	is.Close()
	r := startOAuth(t, is, Options{})
	a := r.do(http.MethodPost, "/mcp", initBody, bearer("eyJhbGciOiJFUzI1NiJ9.e30.sig")...)
	assert.Equal(t, http.StatusServiceUnavailable, a.status, a.body)
	assert.Equal(t, "5", a.header.Get("Retry-After"))
}

// BenchmarkOAuthAuthenticate is the cost of checking one access token on
// each MCP request: a token verified before (the usual case).
func BenchmarkOAuthAuthenticate(b *testing.B) {
	is := oauthtest.NewIssuer(b, testAudience)
	srv, err := New(scopeTools(), Options{Transport: TransportHTTP, MaxBodyBytes: 1 << 20,
		OAuth: &OAuthOptions{Issuer: is.URL, Audience: testAudience}})
	require.NoError(b, err)
	req := httptest.NewRequest(http.MethodPost, "/mcp", nil)
	req.Header.Set("Authorization", "Bearer "+is.Token("alice", "skyvern:run"))
	require.NotNil(b, srv.authenticate(httptest.NewRecorder(), req))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if srv.authenticate(httptest.NewRecorder(), req) == nil {
			b.Fatal("refused")
		}
	}
}
