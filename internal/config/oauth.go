package config

import (
	"errors"
	"flag"
	"fmt"
	"net/url"
	"strings"
)

// OAuth defaults (the same as internal/httpserver's).
const (
	DefaultOAuthScopesClaim = "scope"
	DefaultOAuthReadScope   = "skyvern:read"
	DefaultOAuthRunScope    = "skyvern:run"
)

// OAuth configures the HTTP transports as an OAuth 2.1 protected resource:
// callers send access tokens (JWTs) issued by Issuer for Audience.
type OAuth struct {
	// Issuer is the authorization server's issuer URL ("" turns OAuth off).
	Issuer string
	// Audience is this server's resource URL, as clients reach it (for
	// example https://mcp.example.com/mcp).
	Audience string
	// ScopesClaim names the token claim holding its scopes.
	ScopesClaim string
	// ReadScope grants the read-only tools; RunScope every tool.
	ReadScope, RunScope string
}

func oauthFlags(fs *flag.FlagSet, o *OAuth) {
	fs.StringVar(&o.Issuer, "oauth-issuer", "", "with --transport http or sse: sign callers in with OAuth: the authorization server's issuer URL (its discovery document names the token-signing keys); needs --oauth-audience; excludes "+AuthTokenEnv)
	fs.StringVar(&o.Audience, "oauth-audience", "", "with --oauth-issuer: this server's resource URL as clients reach it, e.g. https://mcp.example.com/mcp; access tokens' aud must hold it")
	fs.StringVar(&o.ScopesClaim, "oauth-scopes-claim", DefaultOAuthScopesClaim, "with --oauth-issuer: the access token claim holding its scopes (a space-separated string or an array), e.g. scp")
	fs.StringVar(&o.ReadScope, "oauth-read-scope", DefaultOAuthReadScope, "with --oauth-issuer: the scope that grants the read-only tools")
	fs.StringVar(&o.RunScope, "oauth-run-scope", DefaultOAuthRunScope, "with --oauth-issuer: the scope that grants every tool, run-starting ones included")
}

// checkOAuth validates the OAuth settings (after the bearer token is read).
func (c *Config) checkOAuth() error {
	o := &c.OAuth
	o.Issuer, o.Audience = strings.TrimSpace(o.Issuer), strings.TrimSpace(o.Audience)
	o.ScopesClaim, o.ReadScope, o.RunScope = strings.TrimSpace(o.ScopesClaim), strings.TrimSpace(o.ReadScope), strings.TrimSpace(o.RunScope)
	if o.Issuer == "" {
		if o.Audience != "" {
			return errors.New("--oauth-audience needs --oauth-issuer (the authorization server that issues the tokens)")
		}
		return nil
	}
	if c.Transport == TransportStdio {
		return errors.New("--oauth-issuer applies to --transport http or sse only (over stdio the process's owner is the only caller)")
	}
	if c.AuthToken != "" {
		return fmt.Errorf("--oauth-issuer and %s / --auth-token-file exclude each other: callers sign in with OAuth, or all share the one static token", AuthTokenEnv)
	}
	if err := checkOAuthURL("--oauth-issuer", o.Issuer); err != nil {
		return err
	}
	if o.Audience == "" {
		return errors.New("--oauth-issuer needs --oauth-audience: this server's URL as clients reach it, e.g. https://mcp.example.com/mcp")
	}
	if err := checkOAuthURL("--oauth-audience", o.Audience); err != nil {
		return err
	}
	if o.ScopesClaim == "" || o.ReadScope == "" || o.RunScope == "" || o.ReadScope == o.RunScope ||
		strings.ContainsAny(o.ReadScope+o.RunScope, " \"\\") {
		return errors.New("--oauth-scopes-claim, --oauth-read-scope and --oauth-run-scope must not be empty, and the two scopes must differ and hold no space, quote or backslash")
	}
	return nil
}

// checkOAuthURL accepts an https URL, or an http one on a loopback host
// (for local testing): no query, no fragment, no user info.
func checkOAuthURL(flagName, raw string) error {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil ||
		(u.Scheme != "https" && u.Scheme != "http") {
		return fmt.Errorf("%s: expected an absolute https URL without query or fragment, got %q", flagName, raw)
	}
	if u.Scheme == "http" {
		switch h := strings.ToLower(u.Hostname()); {
		case h == "localhost", strings.HasPrefix(h, "127."), h == "::1":
		default:
			return fmt.Errorf("%s: %q must use https (http only for localhost)", flagName, raw)
		}
	}
	return nil
}
