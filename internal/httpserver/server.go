package httpserver

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"github.com/mark3labs/mcp-go/server"
	"github.com/rs/zerolog"

	"github.com/skyvern-mcp/skyvern-mcp/internal/shared"
)

// Transports served.
const (
	// TransportHTTP is streamable HTTP at /mcp.
	TransportHTTP = "http"
	// TransportSSE is HTTP+SSE at /sse (stream) and /message (requests).
	TransportSSE = "sse"
)

// KeyPolicy says what the server does with a caller's x-api-key header.
type KeyPolicy int

const (
	// KeysIgnored: the server calls Skyvern with its own key; a caller's
	// x-api-key is ignored.
	KeysIgnored KeyPolicy = iota
	// KeysOptional: a caller's x-api-key, when present, is used for that
	// caller's calls; without one the server's own key is used (--sandbox).
	KeysOptional
	// KeysRequired: the server has no key; every request must carry its
	// caller's Skyvern key in x-api-key (401 without one).
	KeysRequired
)

// Defaults.
const (
	// DefaultKeepAlive is the interval of keep-alive pings on SSE streams
	// (both transports): well below the 30 s after which proxies commonly
	// drop an idle stream.
	DefaultKeepAlive = 15 * time.Second
	// DefaultSessionIdleTTL is how long a streamable HTTP session may stay
	// idle (no request, no event on its stream) before it expires.
	DefaultSessionIdleTTL = 30 * time.Minute
	// DefaultMaxSessions bounds the live sessions (streamable HTTP and SSE
	// each); initialize beyond it evicts the longest idle session (idle at
	// least DefaultPressureIdle) or gets 503 with Retry-After.
	DefaultMaxSessions = 10000
	// readHeaderTimeout bounds reading a request's headers.
	readHeaderTimeout = 10 * time.Second
	// idleTimeout closes keep-alive connections idle this long.
	idleTimeout = 120 * time.Second
	// maxHeaderBytes bounds a request's headers.
	maxHeaderBytes = 64 << 10
	// readyTimeout bounds one readiness check.
	readyTimeout = 3 * time.Second
	// readyCache is how long a readiness answer is reused, so that probes
	// (which need no authentication) cannot make the server hammer Skyvern.
	readyCache = 2 * time.Second
)

// bodyReadTimeout bounds reading one request body (a variable for tests).
var bodyReadTimeout = 30 * time.Second

// Options configure a Server.
type Options struct {
	// Transport is TransportHTTP or TransportSSE.
	Transport string
	// Addr is the listen address (host:port), used by ListenAndServe and
	// checked by New: a non-loopback host needs authentication.
	Addr string
	// Stateless serves streamable HTTP without sessions.
	Stateless bool
	// AllowedOrigins are browser origins (scheme://host[:port], lower case)
	// allowed besides loopback ones.
	AllowedOrigins []string
	// AuthToken, when set, is the bearer token every MCP request must carry.
	AuthToken string
	// OAuth, when set, makes the MCP endpoints an OAuth 2.1 protected
	// resource (see oauth.go); it excludes AuthToken.
	OAuth *OAuthOptions
	// Keys is what to do with a caller's x-api-key.
	Keys KeyPolicy
	// MaxBodyBytes is the largest request body (required, > 0).
	MaxBodyBytes int64
	// ShutdownGrace is how long Serve waits for calls in flight once its
	// context ends.
	ShutdownGrace time.Duration
	// Ready reports whether Skyvern (or the sandbox) answers; nil means
	// always ready. Its error text is shown by /readyz: it must hold no
	// secret.
	Ready func(context.Context) error
	// Log receives the server's own lines; never a header, a body or a key.
	Log zerolog.Logger

	// KeepAlive overrides DefaultKeepAlive (tests).
	KeepAlive time.Duration
	// SessionIdleTTL overrides DefaultSessionIdleTTL (tests).
	SessionIdleTTL time.Duration
	// MaxSessions overrides DefaultMaxSessions (tests).
	MaxSessions int
	// MaxSessionsPerCaller bounds the sessions one caller holds (see
	// DefaultMaxSessionsPerCaller, used when 0).
	MaxSessionsPerCaller int
	// PressureIdle overrides DefaultPressureIdle (tests).
	PressureIdle time.Duration
	// CheckKey, when set, asks Skyvern whether a caller's own key (from
	// x-api-key) is valid before the caller gets a session (streamable
	// HTTP initialize, GET /sse); answers are cached (see keyChecker). It
	// returns nil for a valid key, an error wrapping ErrKeyRefused for a
	// key Skyvern refuses (the caller gets 401), any other error when it
	// could not tell (503 with Retry-After, not cached). Set it when every
	// caller brings its own key (KeysRequired).
	CheckKey func(ctx context.Context, key string) error
	// Shared, when set (--redis-url), keeps sessions and stream events in
	// Redis so that replicas behind a balancer serve every session
	// (shared.go); streamable HTTP in session mode only.
	Shared *shared.Store
	// SharedTasks, with Shared, answers tasks/* from Redis.
	SharedTasks *shared.Tasks
}

// Server serves one MCPServer over one HTTP transport. Create it with New.
type Server struct {
	o          Options
	streamable *server.StreamableHTTPServer
	sse        *server.SSEServer
	sessions   *sessionStore
	inflight   *inflight
	ready      *readiness
	draining   atomic.Bool
	secret     []byte // keys caller IDs (HMAC)
	keys       *keyChecker
	handler    http.Handler
	mcp        *server.MCPServer
	oauth      *oauthGuard // nil without OAuth
}

// New checks o and builds the handlers for s. It refuses a non-loopback
// Addr without authentication.
func New(s *server.MCPServer, o Options) (*Server, error) {
	if s == nil {
		return nil, errors.New("httpserver: nil MCPServer")
	}
	if o.Transport != TransportHTTP && o.Transport != TransportSSE {
		return nil, fmt.Errorf("httpserver: transport %q: expected %s or %s", o.Transport, TransportHTTP, TransportSSE)
	}
	if o.Stateless && o.Transport != TransportHTTP {
		return nil, errors.New("--stateless applies to --transport http only")
	}
	if o.MaxBodyBytes <= 0 {
		return nil, errors.New("httpserver: MaxBodyBytes must be positive")
	}
	if o.Shared != nil && (o.Transport != TransportHTTP || o.Stateless) {
		return nil, errors.New("--redis-url applies to --transport http in session mode (not with --stateless or --transport sse)")
	}
	if o.Addr != "" {
		if err := CheckBind(o.Addr, o.AuthToken != "" || o.OAuth != nil || o.Keys == KeysRequired); err != nil {
			return nil, err
		}
	}
	if o.KeepAlive <= 0 {
		o.KeepAlive = DefaultKeepAlive
	}
	if o.SessionIdleTTL <= 0 {
		o.SessionIdleTTL = DefaultSessionIdleTTL
	}
	if o.MaxSessions <= 0 {
		o.MaxSessions = DefaultMaxSessions
	}
	if o.MaxSessionsPerCaller <= 0 {
		o.MaxSessionsPerCaller = DefaultMaxSessionsPerCaller
	}
	if o.PressureIdle <= 0 {
		o.PressureIdle = DefaultPressureIdle
	}
	if o.ShutdownGrace < 0 {
		o.ShutdownGrace = 0
	}
	srv := &Server{o: o, sessions: newSessionStore(o.MaxSessions, o.MaxSessionsPerCaller, o.PressureIdle),
		inflight: newInflight(), secret: make([]byte, 32), mcp: s}
	if o.OAuth != nil {
		if o.AuthToken != "" {
			return nil, errors.New("httpserver: OAuth and a static bearer token exclude each other")
		}
		g, err := newOAuthGuard(*o.OAuth)
		if err != nil {
			return nil, err
		}
		srv.oauth = g
		applyOAuth(s)
	}
	srv.sessions.log = o.Log
	if o.CheckKey != nil {
		srv.keys = newKeyChecker(o.CheckKey, time.Now)
	}
	if _, err := rand.Read(srv.secret); err != nil {
		return nil, fmt.Errorf("httpserver: crypto/rand: %w", err)
	}
	srv.ready = &readiness{check: o.Ready}
	slogger := slog.New(zerolog.NewSlogHandler(o.Log.With().Str("component", "mcp-go").Logger()))
	mux := http.NewServeMux()
	mux.HandleFunc("/healthz", srv.healthz)
	mux.HandleFunc("/readyz", srv.readyz)
	switch o.Transport {
	case TransportHTTP:
		opts := []server.StreamableHTTPOption{
			server.WithStreamableHTTPLogger(slogger),
			server.WithHeartbeatInterval(o.KeepAlive),
			// mcp-go caps bodies at 4 MiB by default; ours (readBody) is
			// the one limit, so pass it through.
			server.WithMaxRequestBodyBytes(o.MaxBodyBytes),
		}
		if o.Stateless {
			// Without sessions a GET stream has nothing to carry (and
			// mcp-go would share one among all callers): 405, as the spec
			// allows.
			opts = append(opts, server.WithStateLess(true), server.WithDisableStreaming(true))
		} else {
			opts = append(opts, server.WithSessionIdManagerResolver(srv.sessions), server.WithSessionIdleTTL(o.SessionIdleTTL))
		}
		if o.Shared != nil {
			srv.sessions.shared = o.Shared
			opts = append(opts, server.WithEventStore(o.Shared.EventStore()))
			o.Shared.OnMessage(srv.onShared)
		}
		srv.streamable = server.NewStreamableHTTPServer(s, opts...)
		mux.Handle("/mcp", srv.mcpChain(srv.streamableCheck, newCancelFilter().wrap(srv.streamable)))
	case TransportSSE:
		srv.sse = server.NewSSEServer(s,
			server.WithKeepAliveInterval(o.KeepAlive),
			server.WithSessionIDGenerator(srv.sessions.generateSSE),
			server.WithSSEMaxRequestBodyBytes(o.MaxBodyBytes),
		)
		mux.Handle("/sse", srv.mcpChain(nil, srv.sseStream(srv.sse.SSEHandler())))
		mux.Handle("/message", srv.mcpChain(srv.sseMessageCheck, srv.sse.MessageHandler()))
	}
	root := srv.checkOrigin(mux)
	if srv.oauth != nil {
		// The protected resource metadata is public: any origin may read it
		// (browser-based clients discover the authorization server there).
		endpoints := []string{"/mcp"}
		if o.Transport == TransportSSE {
			endpoints = []string{"/sse", "/message"}
		}
		root = srv.oauth.publicMetadata(root, endpoints...)
	}
	srv.handler = srv.accessLog(root)
	return srv, nil
}

// Handler is the server's http.Handler (health endpoints and the MCP
// endpoints with all checks).
func (s *Server) Handler() http.Handler { return s.handler }

// ListenAndServe listens on o.Addr, logs the actual address ("listening",
// field addr) and serves until ctx ends, then shuts down gracefully.
func ListenAndServe(ctx context.Context, s *server.MCPServer, o Options) error {
	srv, err := New(s, o)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", o.Addr)
	if err != nil {
		return fmt.Errorf("--addr %s: %w", o.Addr, err)
	}
	return srv.Serve(ctx, ln)
}

// Serve serves on ln until ctx ends, then stops accepting connections,
// waits up to ShutdownGrace for calls in flight and closes everything. It
// returns nil after a shutdown, or the error that stopped the listener.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	hs := &http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: readHeaderTimeout,
		IdleTimeout:       idleTimeout,
		MaxHeaderBytes:    maxHeaderBytes,
		// No ReadTimeout or WriteTimeout: they would cut SSE streams and
		// long calls. Bodies get their own read deadline (bodyReadTimeout).
		ErrorLog: log.New(logWriter{s.o.Log}, "", 0),
	}
	paths := "/mcp"
	if s.o.Transport == TransportSSE {
		paths = "/sse /message"
	}
	s.o.Log.Info().Str("addr", ln.Addr().String()).Str("transport", s.o.Transport).Str("paths", paths).
		Bool("stateless", s.o.Stateless).Bool("bearer_auth", s.o.AuthToken != "").Bool("oauth", s.oauth != nil).Str("caller_keys", s.o.Keys.String()).
		Msg("listening")
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		s.closeStreams()
		return err
	case <-ctx.Done():
	}
	return s.shutdown(hs, errc)
}

// shutdown drains calls in flight within the grace period, then closes the
// streams and the server.
func (s *Server) shutdown(hs *http.Server, errc chan error) error {
	s.draining.Store(true)
	grace := s.o.ShutdownGrace
	gctx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	s.o.Log.Info().Int("calls_in_flight", s.inflight.count()).Str("grace", grace.String()).Msg("shutting down: no new connections; waiting for calls in flight")
	// Shutdown closes the listener and idle connections at once, then waits
	// for the active ones: calls in flight and open streams.
	done := make(chan error, 1)
	go func() { done <- hs.Shutdown(gctx) }()
	drained := s.inflight.wait(gctx)
	// The streams never end by themselves: end them now that their answers
	// are written.
	s.closeStreams()
	select {
	case <-done:
	case <-gctx.Done():
	}
	if !drained || gctx.Err() != nil {
		s.o.Log.Warn().Int("calls_cut_off", s.inflight.count()).Str("grace", grace.String()).Msg("shutdown grace expired: closing the remaining connections")
	}
	_ = hs.Close()
	<-errc
	s.o.Log.Info().Msg("http server stopped")
	return nil
}

func (s *Server) closeStreams() {
	if s.streamable != nil {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		s.streamable.CloseSessions(ctx)
		cancel()
	}
	if s.sse != nil {
		s.sse.CloseSessions()
	}
}

// CheckBind refuses a listen address that is not loopback when no
// authentication is configured.
func CheckBind(addr string, authenticated bool) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("--addr: expected host:port, got %q", addr)
	}
	if authenticated || IsLoopbackHost(host) {
		return nil
	}
	shown := host
	if shown == "" {
		shown = "all interfaces"
	}
	return fmt.Errorf("--addr %s listens on %s, beyond this machine, and no authentication is configured: "+
		"set MCP_AUTH_TOKEN (or --auth-token-file) so that callers must send \"Authorization: Bearer <token>\", "+
		"or sign callers in with OAuth (--oauth-issuer and --oauth-audience), "+
		"or run without SKYVERN_API_KEY and --sandbox so that every caller must send its own Skyvern key in x-api-key; "+
		"or listen on loopback only (--addr 127.0.0.1:PORT)", addr, shown)
}

// IsLoopbackHost reports whether host (a name or an IP, without port) is
// loopback: "localhost" or a loopback IP. An empty host (all interfaces) and
// other names are not.
func IsLoopbackHost(host string) bool {
	host = strings.TrimSuffix(strings.ToLower(strings.Trim(host, "[]")), ".")
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func (p KeyPolicy) String() string {
	switch p {
	case KeysOptional:
		return "optional"
	case KeysRequired:
		return "required"
	}
	return "ignored"
}

// logWriter sends net/http's own error lines to zerolog.
type logWriter struct{ l zerolog.Logger }

func (w logWriter) Write(p []byte) (int, error) {
	w.l.Warn().Str("component", "http").Msg(strings.TrimRight(string(p), "\r\n"))
	return len(p), nil
}
