package httpserver

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	lru "github.com/hashicorp/golang-lru/v2"
	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"
)

// OAuth: the MCP endpoints as an OAuth 2.1 protected resource (MCP
// authorization spec 2025-06-18 and 2025-11-25, RFC 9728, RFC 6750).
//
// Access tokens are JWTs issued by one authorization server (the issuer).
// Each is verified with github.com/coreos/go-oidc/v3: signature with a key
// from the issuer's JWKS (jwks_uri of its discovery document, fetched on
// first use; keys cached and fetched again when a token names an unknown
// kid, at most once per jwksMinRefresh), issuer, audience (the resource
// URL), exp (required) and nbf; alg "none" and HMAC algorithms are refused.
// The token's subject is the caller: it owns the sessions it opens and
// its share of sessions (admission.go) is counted by subject.
//
// Scopes (from OAuthOptions.ScopesClaim, a space-separated string or an
// array of strings): ReadScope gives the read-only tools (annotation
// readOnlyHint true), resources, prompts and completions; RunScope gives
// every tool (it includes ReadScope). A token with neither gets 403
// insufficient_scope on every MCP request; a read-only token calling
// another tool gets 403 insufficient_scope naming RunScope, as the MCP
// authorization spec's scope challenge says, so that a client can ask the
// user for more (step-up authorization). tools/list shows a read-only token
// only the read-only tools (an mcp-go tool filter, which also gates
// tools/call).

// Defaults of OAuthOptions.
const (
	// DefaultScopesClaim is the claim holding the token's scopes (RFC 9068).
	DefaultScopesClaim = "scope"
	// DefaultReadScope grants the read-only tools.
	DefaultReadScope = "skyvern:read"
	// DefaultRunScope grants every tool (runs that cost money included).
	DefaultRunScope = "skyvern:run"

	// wellKnownPRM is RFC 9728's well-known path.
	wellKnownPRM = "/.well-known/oauth-protected-resource"
	// jwksMinRefresh is the shortest time between two JWKS fetches: a flood
	// of tokens naming unknown kids cannot make the server hammer the
	// issuer.
	jwksMinRefresh = 10 * time.Second
	// discoveryRetry is the shortest time between two failed discoveries.
	discoveryRetry = 5 * time.Second
	// oauthFetchTimeout bounds one request to the issuer.
	oauthFetchTimeout = 10 * time.Second
	// maxTokenLen bounds an access token.
	maxTokenLen = 16 << 10
	// tokenCacheSize bounds the verified tokens remembered (by SHA-256).
	tokenCacheSize = 10000
	// tokenCacheTTL is the longest a verified token is remembered without
	// verifying it again (never beyond its exp).
	tokenCacheTTL = time.Minute
)

// OAuthOptions make the MCP endpoints an OAuth 2.1 protected resource.
type OAuthOptions struct {
	// Issuer is the authorization server's issuer URL; its discovery
	// document is at Issuer + "/.well-known/openid-configuration" (or RFC
	// 8414's oauth-authorization-server form) and names the jwks_uri.
	Issuer string
	// Audience is this server's resource URL (for example
	// https://mcp.example.com/mcp): tokens' aud must hold it, and it is
	// the resource of the protected resource metadata.
	Audience string
	// ScopesClaim names the claim holding the scopes (DefaultScopesClaim).
	ScopesClaim string
	// ReadScope and RunScope name the scopes (DefaultReadScope,
	// DefaultRunScope).
	ReadScope, RunScope string
	// HTTPClient fetches discovery and JWKS (nil: a client with a 10 s
	// timeout).
	HTTPClient *http.Client
	// OnToken is called with each token accepted, so that the caller can
	// redact it from logs (nil: nothing).
	OnToken func(token string)
}

// principal is a signed-in caller.
type principal struct {
	subject string
	id      string // HMAC of the subject (Server.secret): safe to keep
	read    bool
	run     bool
}

type principalKey struct{}

func principalOf(ctx context.Context) *principal {
	p, _ := ctx.Value(principalKey{}).(*principal)
	return p
}

// Subject returns the subject (sub claim) of the OAuth access token the
// request carried, or "" without OAuth.
func Subject(ctx context.Context) string {
	if p := principalOf(ctx); p != nil {
		return p.subject
	}
	return ""
}

// oauthGuard verifies tokens and answers refusals.
type oauthGuard struct {
	o        OAuthOptions
	metaURL  string // absolute URL of the metadata document for Audience
	metadata []byte // the protected resource metadata document
	// keysClient fetches the JWKS (through jwksThrottle).
	keysClient *http.Client

	mu       sync.Mutex
	verifier *oidc.IDTokenVerifier
	lastTry  time.Time
	now      func() time.Time

	// verified remembers tokens already verified (SHA-256 of the token ->
	// who, until when), so that each request does not pay a signature
	// check (about 100 µs for ES256).
	verified *lru.Cache[[sha256.Size]byte, verifiedToken]
}

type verifiedToken struct {
	p     principal
	until time.Time
}

func newOAuthGuard(o OAuthOptions) (*oauthGuard, error) {
	if o.ScopesClaim == "" {
		o.ScopesClaim = DefaultScopesClaim
	}
	if o.ReadScope == "" {
		o.ReadScope = DefaultReadScope
	}
	if o.RunScope == "" {
		o.RunScope = DefaultRunScope
	}
	if o.HTTPClient == nil {
		o.HTTPClient = &http.Client{Timeout: oauthFetchTimeout}
	}
	aud, err := url.Parse(o.Audience)
	if err != nil || (aud.Scheme != "https" && aud.Scheme != "http") || aud.Host == "" {
		return nil, fmt.Errorf("httpserver: OAuth audience %q: expected the resource's absolute URL", o.Audience)
	}
	iss, err := url.Parse(o.Issuer)
	if err != nil || (iss.Scheme != "https" && iss.Scheme != "http") || iss.Host == "" {
		return nil, fmt.Errorf("httpserver: OAuth issuer %q: expected an absolute URL", o.Issuer)
	}
	g := &oauthGuard{o: o, now: time.Now}
	g.verified, _ = lru.New[[sha256.Size]byte, verifiedToken](tokenCacheSize)
	g.metaURL = aud.Scheme + "://" + aud.Host + wellKnownPRM + strings.TrimRight(aud.EscapedPath(), "/")
	g.metadata, err = json.Marshal(map[string]any{
		"resource":                 o.Audience,
		"authorization_servers":    []string{o.Issuer},
		"scopes_supported":         []string{o.ReadScope, o.RunScope},
		"bearer_methods_supported": []string{"header"},
		"resource_name":            "skyvern-mcp",
	})
	if err != nil {
		return nil, err
	}
	// Keys are fetched through a client that reuses a JWKS answer younger
	// than jwksMinRefresh (go-oidc fetches on every unknown kid).
	g.keysClient = &http.Client{Transport: &jwksThrottle{next: o.HTTPClient, now: time.Now}}
	return g, nil
}

// metadataPaths are where the metadata document is served: RFC 9728's
// root form, and the path-suffixed forms for the audience's path and for
// each MCP endpoint (clients try the suffixed form first).
func (g *oauthGuard) metadataPaths(endpoints ...string) []string {
	paths := []string{wellKnownPRM}
	add := func(p string) {
		p = strings.TrimRight(p, "/")
		if p != "" && !slices.Contains(paths, wellKnownPRM+p) {
			paths = append(paths, wellKnownPRM+p)
		}
	}
	if u, err := url.Parse(g.o.Audience); err == nil {
		add(u.EscapedPath())
	}
	for _, e := range endpoints {
		add(e)
	}
	return paths
}

// publicMetadata serves the metadata document at metadataPaths, before
// next (and so before the Origin check).
func (g *oauthGuard) publicMetadata(next http.Handler, endpoints ...string) http.Handler {
	paths := g.metadataPaths(endpoints...)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if slices.Contains(paths, r.URL.Path) {
			g.serveMetadata(w, r)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// serveMetadata answers the protected resource metadata (RFC 9728). It
// needs no token; browsers may read it from any origin.
func (g *oauthGuard) serveMetadata(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Access-Control-Allow-Origin", "*")
	if r.Method == http.MethodOptions {
		h.Set("Access-Control-Allow-Methods", "GET, OPTIONS")
		w.WriteHeader(http.StatusNoContent)
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		h.Set("Allow", "GET, HEAD, OPTIONS")
		httpError(w, http.StatusMethodNotAllowed, "Method Not Allowed")
		return
	}
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "public, max-age=3600")
	_, _ = w.Write(g.metadata)
}

// challenge answers 401 (or 403 for insufficient_scope) with RFC 6750's
// WWW-Authenticate, pointing at the metadata document.
func (g *oauthGuard) challenge(w http.ResponseWriter, code int, errCode, desc, scope string) {
	var b strings.Builder
	fmt.Fprintf(&b, `Bearer resource_metadata=%q`, g.metaURL)
	if errCode != "" {
		fmt.Fprintf(&b, `, error=%q`, errCode)
	}
	if scope != "" {
		fmt.Fprintf(&b, `, scope=%q`, scope)
	}
	if desc != "" {
		fmt.Fprintf(&b, `, error_description=%q`, desc)
	}
	w.Header().Set("WWW-Authenticate", b.String())
	msg := "Unauthorized: sign in: send \"Authorization: Bearer <access token>\" from the authorization server named in " + g.metaURL
	switch {
	case code == http.StatusForbidden:
		msg = "Forbidden: " + desc
	case desc != "":
		msg = "Unauthorized: " + desc
	}
	httpError(w, code, msg)
}

// authenticate verifies the request's access token. It answers 401 (no
// token, or one not valid), 403 (a token with neither scope) or 503 (the
// issuer cannot be reached) and returns nil to stop.
func (s *Server) authenticate(w http.ResponseWriter, r *http.Request) *principal {
	g := s.oauth
	auth := r.Header.Get("Authorization")
	scheme, token, found := strings.Cut(auth, " ")
	token = strings.TrimSpace(token)
	if auth == "" || !found || !strings.EqualFold(scheme, "Bearer") || token == "" {
		g.challenge(w, http.StatusUnauthorized, "", "", g.o.ReadScope+" "+g.o.RunScope)
		return nil
	}
	if len(token) > maxTokenLen {
		g.challenge(w, http.StatusUnauthorized, "invalid_token", "the access token is too long", "")
		return nil
	}
	digest := sha256.Sum256([]byte(token))
	if e, ok := g.verified.Get(digest); ok && g.now().Before(e.until) {
		p := e.p
		return &p
	}
	v, err := g.verifierFor(r.Context())
	if err != nil {
		s.o.Log.Warn().Str("reason", err.Error()).Msg("oauth: cannot reach the authorization server")
		w.Header().Set("Retry-After", "5")
		httpError(w, http.StatusServiceUnavailable, "Service Unavailable: the authorization server's keys cannot be fetched; try again later")
		return nil
	}
	ctx, cancel := context.WithTimeout(oidc.ClientContext(r.Context(), g.keysClient), oauthFetchTimeout)
	defer cancel()
	tok, err := v.Verify(ctx, token)
	if err != nil {
		why := tokenFailure(err)
		s.o.Log.Debug().Str("reason", why).Msg("oauth: access token refused")
		g.challenge(w, http.StatusUnauthorized, "invalid_token", why, "")
		return nil
	}
	var claims map[string]any
	if err := tok.Claims(&claims); err != nil || tok.Subject == "" {
		g.challenge(w, http.StatusUnauthorized, "invalid_token", "the access token has no subject (sub)", "")
		return nil
	}
	scopes := scopeList(claims[g.o.ScopesClaim])
	p := &principal{subject: tok.Subject, id: callerID(s.secret, "sub\x00"+tok.Subject),
		run: slices.Contains(scopes, g.o.RunScope)}
	p.read = p.run || slices.Contains(scopes, g.o.ReadScope)
	if !p.read {
		g.challenge(w, http.StatusForbidden, "insufficient_scope",
			fmt.Sprintf("the access token grants neither %s (read-only tools) nor %s (every tool)", g.o.ReadScope, g.o.RunScope),
			g.o.ReadScope)
		return nil
	}
	if g.o.OnToken != nil {
		g.o.OnToken(token)
	}
	until := g.now().Add(tokenCacheTTL)
	if tok.Expiry.Before(until) {
		until = tok.Expiry
	}
	g.verified.Add(digest, verifiedToken{p: *p, until: until})
	return p
}

// scopeOK refuses (403 insufficient_scope) a read-only caller's tools/call
// of a tool that is not read-only, and its tasks/cancel (which cancels a
// Skyvern run). Tools that do not exist pass: mcp-go answers them as
// unknown.
func (s *Server) scopeOK(w http.ResponseWriter, p *principal, body []byte) bool {
	if p.run || len(body) == 0 {
		return true
	}
	for _, m := range requests(body) {
		what := ""
		switch m.Method {
		case string(mcp.MethodToolsCall):
			if t := s.mcp.GetTool(m.Params.Name); t != nil && !toolReadOnly(t.Tool) {
				what = m.Params.Name + " changes things in Skyvern or starts a run"
			}
		case string(mcp.MethodTasksCancel):
			what = "tasks/cancel cancels a Skyvern run"
		}
		if what != "" {
			s.oauth.challenge(w, http.StatusForbidden, "insufficient_scope",
				fmt.Sprintf("%s: it needs the %s scope; this token grants %s only", what, s.oauth.o.RunScope, s.oauth.o.ReadScope),
				s.oauth.o.RunScope)
			return false
		}
	}
	return true
}

// toolFilter hides from a read-only caller the tools that are not
// read-only (tools/list; mcp-go applies it to tools/call too).
func toolFilter(ctx context.Context, tools []mcp.Tool) []mcp.Tool {
	p := principalOf(ctx)
	if p == nil || p.run {
		return tools
	}
	out := make([]mcp.Tool, 0, len(tools))
	for _, t := range tools {
		if toolReadOnly(t) {
			out = append(out, t)
		}
	}
	return out
}

func toolReadOnly(t mcp.Tool) bool {
	return t.Annotations.ReadOnlyHint != nil && *t.Annotations.ReadOnlyHint
}

// rpcRequest is the part of a JSON-RPC request the scope check reads.
type rpcRequest struct {
	Method string `json:"method"`
	Params struct {
		Name string `json:"name"`
	} `json:"params"`
}

// requests returns the requests of a JSON-RPC message or batch (none when
// it does not parse: mcp-go answers that).
func requests(body []byte) []rpcRequest {
	var msgs []rpcRequest
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) > 0 && trimmed[0] == '[' {
		if json.Unmarshal(trimmed, &msgs) != nil {
			return nil
		}
		return msgs
	}
	var m rpcRequest
	if json.Unmarshal(trimmed, &m) != nil {
		return nil
	}
	return []rpcRequest{m}
}

// scopeList reads a scopes claim: a space-separated string (RFC 9068's
// scope) or an array of strings (scp, as some issuers send).
func scopeList(v any) []string {
	switch v := v.(type) {
	case string:
		return strings.Fields(v)
	case []any:
		var out []string
		for _, s := range v {
			if s, ok := s.(string); ok {
				out = append(out, strings.Fields(s)...)
			}
		}
		return out
	}
	return nil
}

// tokenFailure says why a token was refused, in words safe to send back
// (never the token, never a claim's value).
func tokenFailure(err error) string {
	var exp *oidc.TokenExpiredError
	msg := err.Error()
	switch {
	case errors.As(err, &exp):
		return "the access token has expired"
	case strings.Contains(msg, "different provider"):
		return "the access token was issued by another issuer"
	case strings.Contains(msg, "audience"):
		return "the access token is not meant for this resource (aud)"
	case strings.Contains(msg, "before"):
		return "the access token is not valid yet (nbf)"
	case strings.Contains(msg, "malformed"), strings.Contains(msg, "unexpected signature algorithm"),
		strings.Contains(msg, "signing algorithm"):
		return "the access token is malformed or uses an algorithm that is not accepted"
	}
	return "the access token's signature could not be verified"
}

// verifierFor returns the verifier, discovering the issuer's metadata on
// first use (and again after a failure, at most every discoveryRetry).
func (g *oauthGuard) verifierFor(ctx context.Context) (*oidc.IDTokenVerifier, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.verifier != nil {
		return g.verifier, nil
	}
	if !g.lastTry.IsZero() && g.now().Sub(g.lastTry) < discoveryRetry {
		return nil, errors.New("discovery failed moments ago")
	}
	g.lastTry = g.now()
	dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), oauthFetchTimeout)
	defer cancel()
	jwksURL, algs, err := g.discover(dctx)
	if err != nil {
		return nil, err
	}
	// Asymmetric algorithms only: never "none", never HMAC (a public key
	// used as an HMAC secret).
	algs = slices.DeleteFunc(algs, func(a string) bool { return !slices.Contains(asymmetricAlgs, a) })
	if len(algs) == 0 {
		// RFC 8414 metadata rarely lists them.
		algs = asymmetricAlgs
	}
	keys := oidc.NewRemoteKeySet(oidc.ClientContext(context.Background(), g.keysClient), jwksURL)
	g.verifier = oidc.NewVerifier(g.o.Issuer, keys, &oidc.Config{ClientID: g.o.Audience, SupportedSigningAlgs: algs, Now: g.now})
	return g.verifier, nil
}

var asymmetricAlgs = []string{oidc.RS256, oidc.RS384, oidc.RS512, oidc.ES256, oidc.ES384, oidc.ES512,
	oidc.PS256, oidc.PS384, oidc.PS512, oidc.EdDSA}

// discover reads the issuer's metadata: OpenID Connect discovery
// (Issuer/.well-known/openid-configuration), else RFC 8414
// (/.well-known/oauth-authorization-server inserted before the issuer's
// path). The document's issuer must be Issuer exactly.
func (g *oauthGuard) discover(ctx context.Context) (string, []string, error) {
	iss := strings.TrimSuffix(g.o.Issuer, "/")
	u, _ := url.Parse(g.o.Issuer)
	urls := []string{iss + "/.well-known/openid-configuration",
		u.Scheme + "://" + u.Host + "/.well-known/oauth-authorization-server" + strings.TrimSuffix(u.EscapedPath(), "/")}
	var firstErr error
	for _, du := range urls {
		var doc struct {
			Issuer  string   `json:"issuer"`
			JWKSURI string   `json:"jwks_uri"`
			Algs    []string `json:"id_token_signing_alg_values_supported"`
		}
		err := g.getJSON(ctx, du, &doc)
		switch {
		case err == nil && doc.Issuer != g.o.Issuer:
			err = fmt.Errorf("the discovery document names issuer %q, not %q", doc.Issuer, g.o.Issuer)
		case err == nil && doc.JWKSURI == "":
			err = errors.New("the discovery document has no jwks_uri")
		}
		if err == nil {
			return doc.JWKSURI, doc.Algs, nil
		}
		if firstErr == nil {
			firstErr = err
		}
	}
	return "", nil, firstErr
}

func (g *oauthGuard) getJSON(ctx context.Context, u string, v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Accept", "application/json")
	resp, err := g.o.HTTPClient.Do(req)
	if err != nil {
		return fmt.Errorf("GET %s: %s", u, transportError(err))
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return fmt.Errorf("GET %s: %w", u, err)
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: status %d", u, resp.StatusCode)
	}
	if err := json.Unmarshal(body, v); err != nil {
		return fmt.Errorf("GET %s: not JSON: %w", u, err)
	}
	return nil
}

func transportError(err error) string {
	if errors.Is(err, context.DeadlineExceeded) {
		return "timed out"
	}
	return "connection failed"
}

// jwksThrottle is the transport of JWKS fetches: a fetch within
// jwksMinRefresh of the last successful one gets that answer again
// instead of a new request.
type jwksThrottle struct {
	next *http.Client
	now  func() time.Time

	mu   sync.Mutex
	url  string
	at   time.Time
	body []byte
	ct   string
}

func (t *jwksThrottle) RoundTrip(req *http.Request) (*http.Response, error) {
	u := req.URL.String()
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.body != nil && t.url == u && t.now().Sub(t.at) < jwksMinRefresh {
		return t.cached(req), nil
	}
	out, err := http.NewRequestWithContext(req.Context(), req.Method, u, nil)
	if err != nil {
		return nil, err
	}
	out.Header = req.Header.Clone()
	resp, err := t.next.Do(out)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return &http.Response{StatusCode: resp.StatusCode, Status: resp.Status, Header: http.Header{},
			Body: io.NopCloser(bytes.NewReader(body)), Request: req}, nil
	}
	t.url, t.at, t.body, t.ct = u, t.now(), body, resp.Header.Get("Content-Type")
	return t.cached(req), nil
}

func (t *jwksThrottle) cached(req *http.Request) *http.Response {
	h := http.Header{}
	h.Set("Content-Type", t.ct)
	return &http.Response{StatusCode: http.StatusOK, Status: "200 OK", Header: h, ContentLength: int64(len(t.body)),
		Body: io.NopCloser(bytes.NewReader(t.body)), Request: req}
}

// applyOAuth adds the scope filter to s (tools/list and tools/call).
func applyOAuth(s *server.MCPServer) {
	server.WithToolFilter(toolFilter)(s)
}
