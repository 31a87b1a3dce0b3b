package httpserver

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// testIssuer is a local OAuth authorization server: OpenID discovery and a
// JWKS of keys generated in the test, which the test can rotate.
type testIssuer struct {
	t         *testing.T
	srv       *httptest.Server
	mu        sync.Mutex
	keys      map[string]*ecdsa.PrivateKey // kid -> key
	published []string                     // kids in the JWKS
	jwksHits  atomic.Int32
}

func newTestIssuer(t *testing.T) *testIssuer {
	is := &testIssuer{t: t, keys: map[string]*ecdsa.PrivateKey{}}
	mux := http.NewServeMux()
	mux.HandleFunc("/.well-known/openid-configuration", func(w http.ResponseWriter, _ *http.Request) {
		_ = json.NewEncoder(w).Encode(map[string]any{"issuer": is.srv.URL, "jwks_uri": is.srv.URL + "/jwks",
			"id_token_signing_alg_values_supported": []string{"ES256", "HS256", "none"}})
	})
	mux.HandleFunc("/jwks", func(w http.ResponseWriter, _ *http.Request) {
		is.jwksHits.Add(1)
		is.mu.Lock()
		var set jose.JSONWebKeySet
		for _, kid := range is.published {
			set.Keys = append(set.Keys, jose.JSONWebKey{Key: &is.keys[kid].PublicKey, KeyID: kid, Algorithm: "ES256", Use: "sig"})
		}
		is.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(set)
	})
	is.srv = httptest.NewServer(mux)
	t.Cleanup(is.srv.Close)
	is.addKey("k1", true)
	return is
}

// addKey generates a key; published puts it in the JWKS.
func (is *testIssuer) addKey(kid string, published bool) {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(is.t, err)
	is.mu.Lock()
	defer is.mu.Unlock()
	is.keys[kid] = k
	if published {
		is.published = append(is.published, kid)
	}
}

func (is *testIssuer) publish(kid string) {
	is.mu.Lock()
	defer is.mu.Unlock()
	is.published = append(is.published, kid)
}

const testAudience = "https://mcp.example.com/mcp"

// claims are a valid token's claims for sub with scope; edit lets a test
// spoil them.
func (is *testIssuer) claims(sub, scope string) map[string]any {
	now := time.Now()
	return map[string]any{"iss": is.srv.URL, "aud": testAudience, "sub": sub, "scope": scope,
		"iat": now.Unix(), "nbf": now.Add(-time.Minute).Unix(), "exp": now.Add(time.Hour).Unix()}
}

func (is *testIssuer) sign(kid string, claims map[string]any) string {
	is.mu.Lock()
	k := is.keys[kid]
	is.mu.Unlock()
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: jose.JSONWebKey{Key: k, KeyID: kid}},
		(&jose.SignerOptions{}).WithType("at+jwt"))
	require.NoError(is.t, err)
	raw, err := jwt.Signed(signer).Claims(claims).Serialize()
	require.NoError(is.t, err)
	return raw
}

func (is *testIssuer) token(sub, scope string) string { return is.sign("k1", is.claims(sub, scope)) }

// algNone is an unsigned token ("alg": "none") with otherwise valid claims.
func algNone(claims map[string]any) string {
	h, _ := json.Marshal(map[string]string{"alg": "none", "typ": "JWT", "kid": "k1"})
	p, _ := json.Marshal(claims)
	enc := base64.RawURLEncoding
	return enc.EncodeToString(h) + "." + enc.EncodeToString(p) + "."
}

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

func startOAuth(t *testing.T, is *testIssuer, o Options) *running {
	t.Helper()
	o.OAuth = &OAuthOptions{Issuer: is.srv.URL, Audience: testAudience}
	return start(t, scopeTools(), o)
}

func bearer(tok string) []string { return []string{"Authorization", "Bearer " + tok} }

const metaURL = "https://mcp.example.com/.well-known/oauth-protected-resource/mcp"

func TestOAuthRefusesBadTokens(t *testing.T) {
	is := newTestIssuer(t)
	is.addKey("unpublished", false)
	r := startOAuth(t, is, Options{})

	a := r.do(http.MethodPost, "/mcp", initBody)
	require.Equal(t, http.StatusUnauthorized, a.status, a.body)
	assert.Equal(t, `Bearer resource_metadata="`+metaURL+`", scope="skyvern:read skyvern:run"`, a.header.Get("WWW-Authenticate"))

	spoil := func(f func(c map[string]any)) map[string]any {
		c := is.claims("alice", "skyvern:run")
		f(c)
		return c
	}
	cases := []struct {
		name, token, why string
	}{
		{"expired", is.sign("k1", spoil(func(c map[string]any) { c["exp"] = time.Now().Add(-time.Minute).Unix() })), "expired"},
		{"no expiry", is.sign("k1", spoil(func(c map[string]any) { delete(c, "exp") })), "expired"},
		{"not yet valid", is.sign("k1", spoil(func(c map[string]any) { c["nbf"] = time.Now().Add(time.Hour).Unix() })), "not valid yet"},
		{"wrong audience", is.sign("k1", spoil(func(c map[string]any) { c["aud"] = "https://other.example.com/mcp" })), "not meant for this resource"},
		{"wrong issuer", is.sign("k1", spoil(func(c map[string]any) { c["iss"] = "https://evil.example.com" })), "another issuer"},
		{"unknown kid", is.sign("unpublished", is.claims("alice", "skyvern:run")), "signature could not be verified"},
		{"alg none", algNone(is.claims("alice", "skyvern:run")), "algorithm"},
		{"no subject", is.sign("k1", spoil(func(c map[string]any) { delete(c, "sub") })), "no subject"},
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
	good := is.token("alice", "skyvern:run")
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

	r.initialize(bearer(is.token("alice", "skyvern:run"))...)
	require.Equal(t, int32(1), is.jwksHits.Load(), "keys fetched once")
	r.initialize(bearer(is.token("alice", "skyvern:run"))...)
	require.Equal(t, int32(1), is.jwksHits.Load(), "known kid: keys from the cache")

	// The issuer rotates to k2 but has not published it yet: refused, and
	// a flood of such tokens does not hammer the issuer.
	is.addKey("k2", false)
	rotated := is.sign("k2", is.claims("alice", "skyvern:run"))
	for range 20 {
		a := r.do(http.MethodPost, "/mcp", initBody, bearer(rotated)...)
		require.Equal(t, http.StatusUnauthorized, a.status)
	}
	assert.Equal(t, int32(1), is.jwksHits.Load(), "unknown kids within 10 s reuse the last key set")

	// Published, and the 10 s are over: the unknown kid makes the server
	// fetch the keys again, and the token is accepted.
	is.publish("k2")
	mu.Lock()
	clock = clock.Add(jwksMinRefresh + time.Second)
	mu.Unlock()
	// (go-oidc clears its finished fetch a moment after answering: a
	// request in that moment reuses the previous key set, hence Eventually.)
	require.Eventually(t, func() bool {
		return r.do(http.MethodPost, "/mcp", initBody, bearer(rotated)...).status == http.StatusOK
	}, 5*time.Second, 10*time.Millisecond)
	assert.Equal(t, int32(2), is.jwksHits.Load())
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
		assert.Equal(t, []any{is.srv.URL}, doc["authorization_servers"])
		assert.Equal(t, []any{"skyvern:read", "skyvern:run"}, doc["scopes_supported"])
		assert.Equal(t, []any{"header"}, doc["bearer_methods_supported"])
	}
	// SSE: the endpoints' suffixed forms, and the stream needs a token.
	s := start(t, scopeTools(), Options{Transport: TransportSSE,
		OAuth: &OAuthOptions{Issuer: is.srv.URL, Audience: "https://mcp.example.com/sse"}})
	a := s.do(http.MethodGet, "/.well-known/oauth-protected-resource/sse", "")
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

	read := is.token("reader", "openid skyvern:read")
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

	// The tool filter refuses it too, should a call get past the check.
	ctx := context.WithValue(context.Background(), principalKey{}, &principal{subject: "reader", read: true})
	assert.Empty(t, toolFilter(ctx, []mcp.Tool{mcp.NewTool("change", mcp.WithReadOnlyHintAnnotation(false))}))

	run := is.token("runner", "skyvern:run")
	sid = r.initialize(bearer(run)...)
	a = call(r, sid, run, "tools/list", `{}`)
	assert.Contains(t, a.body, `"look"`)
	assert.Contains(t, a.body, `"change"`)
	a = call(r, sid, run, "tools/call", `{"name":"change","arguments":{}}`)
	require.Equal(t, http.StatusOK, a.status)
	assert.Contains(t, a.body, "changed as runner")

	// Scopes as an array (scp-style claims) work too.
	c := is.claims("arr", "")
	c["scope"] = []string{"skyvern:read"}
	arr := is.sign("k1", c)
	sid = r.initialize(bearer(arr)...)
	a = call(r, sid, arr, "tools/call", `{"name":"change","arguments":{}}`)
	assert.Equal(t, http.StatusForbidden, a.status)

	// Neither scope: nothing at all.
	none := is.token("nobody", "openid profile")
	a = r.do(http.MethodPost, "/mcp", initBody, bearer(none)...)
	require.Equal(t, http.StatusForbidden, a.status, a.body)
	assert.Contains(t, a.header.Get("WWW-Authenticate"), `error="insufficient_scope", scope="skyvern:read"`)
}

func TestOAuthSessionsBelongToTheSubject(t *testing.T) {
	is := newTestIssuer(t)
	r := startOAuth(t, is, Options{MaxSessionsPerCaller: 1})
	alice, bob := is.token("alice", "skyvern:run"), is.token("bob", "skyvern:run")
	sid := r.initialize(bearer(alice)...)
	// Another token of the same subject reaches the session; another
	// subject does not.
	alice2 := is.sign("k1", is.claims("alice", "skyvern:read skyvern:run"))
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
	is.srv.Close()
	r := startOAuth(t, is, Options{})
	a := r.do(http.MethodPost, "/mcp", initBody, bearer("eyJhbGciOiJFUzI1NiJ9.e30.sig")...)
	assert.Equal(t, http.StatusServiceUnavailable, a.status, a.body)
	assert.Equal(t, "5", a.header.Get("Retry-After"))
}
