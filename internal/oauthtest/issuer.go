// Package oauthtest is a test helper: a local OAuth authorization server
// (an httptest server serving OpenID discovery and a JWKS of keys generated
// in the test) that signs access tokens (ES256 JWTs) and can rotate keys.
package oauthtest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
	"github.com/stretchr/testify/require"
)

// Issuer is a local authorization server. Create it with NewIssuer.
type Issuer struct {
	// URL is the issuer URL (the httptest server's root).
	URL string
	// Audience is put in the aud claim of Claims.
	Audience string
	// JWKSHits counts the JWKS requests served.
	JWKSHits atomic.Int32

	t         testing.TB
	srv       *httptest.Server
	mu        sync.Mutex
	keys      map[string]*ecdsa.PrivateKey // kid -> key
	published []string                     // kids in the JWKS
}

// NewIssuer starts an issuer for audience with one published key, "k1".
// It stops when the test ends.
func NewIssuer(t testing.TB, audience string) *Issuer {
	is := &Issuer{t: t, Audience: audience, keys: map[string]*ecdsa.PrivateKey{}}
	mux := http.NewServeMux()
	mux.HandleFunc("/.well-known/openid-configuration", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"issuer": is.URL, "jwks_uri": is.URL + "/jwks",
			"id_token_signing_alg_values_supported": []string{"ES256", "HS256", "none"}})
	})
	mux.HandleFunc("/jwks", func(w http.ResponseWriter, _ *http.Request) {
		is.JWKSHits.Add(1)
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
	is.URL = is.srv.URL
	t.Cleanup(is.srv.Close)
	is.AddKey("k1", true)
	return is
}

// Close stops the issuer (to test an unreachable one).
func (is *Issuer) Close() { is.srv.Close() }

// AddKey generates a key named kid; published puts it in the JWKS.
func (is *Issuer) AddKey(kid string, published bool) {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(is.t, err)
	is.mu.Lock()
	defer is.mu.Unlock()
	is.keys[kid] = k
	if published {
		is.published = append(is.published, kid)
	}
}

// Publish puts key kid in the JWKS (a rotation).
func (is *Issuer) Publish(kid string) {
	is.mu.Lock()
	defer is.mu.Unlock()
	is.published = append(is.published, kid)
}

// Claims are a valid token's claims for sub with scope (space-separated),
// valid for an hour.
func (is *Issuer) Claims(sub, scope string) map[string]any {
	now := time.Now()
	return map[string]any{"iss": is.URL, "aud": is.Audience, "sub": sub, "scope": scope,
		"iat": now.Unix(), "nbf": now.Add(-time.Minute).Unix(), "exp": now.Add(time.Hour).Unix()}
}

// Sign signs claims with key kid (ES256, typ at+jwt).
func (is *Issuer) Sign(kid string, claims map[string]any) string {
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

// Token is a valid access token for sub with scope, signed with "k1".
func (is *Issuer) Token(sub, scope string) string { return is.Sign("k1", is.Claims(sub, scope)) }

// AlgNone is an unsigned token ("alg": "none") with the given claims.
func AlgNone(claims map[string]any) string {
	h, _ := json.Marshal(map[string]string{"alg": "none", "typ": "JWT", "kid": "k1"})
	p, _ := json.Marshal(claims)
	enc := base64.RawURLEncoding
	return enc.EncodeToString(h) + "." + enc.EncodeToString(p) + "."
}
