// Command skyvern-mcp is an MCP server that gives AI agents the Skyvern
// browser-automation API as tools. It speaks MCP over stdio (stdout carries
// JSON-RPC only; logs go to stderr or --log-file), or with --transport http
// or sse over HTTP (see package internal/httpserver for its security).
//
// Run `skyvern-mcp --help` for the flags; each has an environment variable
// (SKYVERN_<FLAG>). With --sandbox it uses an embedded Skyvern simulator and
// needs no account.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/mark3labs/mcp-go/server"
	"github.com/mattn/go-isatty"
	"github.com/rs/zerolog"

	"github.com/skyvern-mcp/skyvern-mcp/client"
	"github.com/skyvern-mcp/skyvern-mcp/client/sandbox"
	"github.com/skyvern-mcp/skyvern-mcp/internal/cancelfilter"
	"github.com/skyvern-mcp/skyvern-mcp/internal/config"
	"github.com/skyvern-mcp/skyvern-mcp/internal/httpserver"
	"github.com/skyvern-mcp/skyvern-mcp/internal/redact"
	"github.com/skyvern-mcp/skyvern-mcp/internal/shared"
	"github.com/skyvern-mcp/skyvern-mcp/internal/splice"
	"github.com/skyvern-mcp/skyvern-mcp/resources"
	"github.com/skyvern-mcp/skyvern-mcp/tools"
)

const instructions = `skyvern-mcp drives Skyvern, a cloud browser agent. Typical flow: run_task with a plain-language prompt (and a data_extraction_schema for structured output), then get_run until the status is final, then get_run_artifacts / get_artifact for screenshots and recordings. Runs cost money: never start the same run twice; follow an existing run with get_run instead. Saved workflows: get_workflows, then run_workflow. Logged-in work: create_credential once, then login, ideally inside a browser session (create_browser_session, close it when done).
IDs: task runs tsk_ / tsk_v2_, workflow runs wr_, workflows wpid_ (permanent) and w_ (one version), browser sessions pbs_, browser profiles bp_, credentials cred_, artifacts a_.
Waiting: wait_for_completion waits up to timeout SECONDS (default 45, under the 60 s after which many clients abort a call) and sends progress notifications; when it stops first, the result is the run still going, with its run_id: follow it with get_run, never start it again. A wait that times out never cancels the run.
2FA: start the run with totp_identifier (the email or phone the site sends codes to) and pass each code with send_totp_code, or give totp_url for Skyvern to fetch codes, or store a TOTP secret in a password credential.
Units: task timeout and download_timeout are seconds; browser session timeout and max_elapsed_time_minutes are minutes.
Proxies: proxy_location takes RESIDENTIAL (the default), RESIDENTIAL_<ISO country code> such as RESIDENTIAL_GB, RESIDENTIAL_ISP, US-CA, US-NY, US-TX, US-FL, US-WA or NONE, or a geo target {country, subdivision, city} (Skyvern Cloud only).
Workflows: json_definition is {title, workflow_definition: {parameters, blocks}, ...}; block types include task, navigation, extraction, action, login, for_loop, code, text_prompt, file_download, send_email, wait and http_request; the build_workflow prompt walks through it.`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run is main without process globals, for tests. It returns the exit code.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	build := currentBuild()
	if code, ok := runCommand(ctx, args, stdout, stderr); ok {
		return code
	}
	cfg, err := config.Load(args, ".env", stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintln(stderr, "skyvern-mcp:", err)
		return 2
	}
	if cfg.Version {
		fmt.Fprintln(stdout, build)
		return 0
	}
	logger, closeLog, err := newLogger(cfg, stderr)
	if err != nil {
		fmt.Fprintln(stderr, "skyvern-mcp:", err)
		return 2
	}
	defer closeLog()
	if err := serve(ctx, cfg, logger, stdin, stdout); err != nil {
		logger.Error().Err(err).Msg("server stopped")
		return 1
	}
	return 0
}

func newLogger(cfg *config.Config, stderr io.Writer) (zerolog.Logger, func(), error) {
	level, _ := zerolog.ParseLevel(cfg.LogLevel)
	w := stderr
	closeFn := func() {}
	if cfg.LogFile != "" {
		f, err := os.OpenFile(cfg.LogFile, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
		if err != nil {
			return zerolog.Nop(), nil, fmt.Errorf("--log-file: %w", err)
		}
		w, closeFn = f, func() { _ = f.Close() }
	} else if f, ok := stderr.(*os.File); ok && isatty.IsTerminal(f.Fd()) {
		w = zerolog.ConsoleWriter{Out: stderr, TimeFormat: time.TimeOnly}
	}
	// The last line of defence: every log line loses the server's secrets
	// and the keys callers brought, in every form package redact knows.
	static := redact.NewSet(0, cfg.APIKey, cfg.AuthToken)
	w = redact.NewWriter(w, func() redact.Redactor { return redact.Join(static, callerKeys, accessTokens) })
	return zerolog.New(w).Level(level).With().Timestamp().Logger(), closeFn, nil
}

// sandboxKey is the key the server sends to its embedded sandbox.
const sandboxKey = "sandbox-server-key-0b7d3f"

// callerKeys are the Skyvern keys HTTP callers brought (the most recent
// ones, as many as the client cache keeps), removed from every log line.
var callerKeys = redact.NewSet(maxCallerClients)

// accessTokens are the OAuth access tokens accepted lately, removed from
// every log line like callerKeys.
var accessTokens = redact.NewSet(maxCallerClients)

// serve builds the MCP server once, then serves it over the configured
// transport until stdin closes (stdio) or ctx ends.
func serve(ctx context.Context, cfg *config.Config, logger zerolog.Logger, stdin io.Reader, stdout io.Writer) error {
	if cfg.Transport != config.TransportStdio {
		// Refuse an unauthenticated non-loopback address before building
		// anything.
		if err := httpserver.CheckBind(cfg.Addr, cfg.AuthToken != "" || cfg.OAuth.Issuer != "" || keyPolicy(cfg) == httpserver.KeysRequired); err != nil {
			return err
		}
	}
	a, err := newApp(cfg, logger)
	if err != nil {
		return err
	}
	defer a.close()
	switch cfg.Transport {
	case config.TransportHTTP, config.TransportSSE:
		return httpserver.ListenAndServe(ctx, a.mcp, httpserver.Options{
			Transport:      cfg.Transport,
			Addr:           cfg.Addr,
			Stateless:      cfg.Stateless,
			AllowedOrigins: cfg.AllowedOrigins,
			AuthToken:      cfg.AuthToken,
			OAuth:          oauthOptions(cfg),
			Keys:           a.keys,
			MaxBodyBytes:   cfg.MaxRequestBytes,
			ShutdownGrace:  cfg.ShutdownGrace,
			Ready:          a.ready,
			Log:            logger,

			MaxSessionsPerCaller: cfg.MaxSessionsPerCaller,
			CheckKey:             a.checkKey,
			Shared:               a.shared,
			SharedTasks:          a.sharedTasks,
		})
	}
	stdio := server.NewStdioServer(a.mcp)
	stdio.SetErrorLogger(log.New(logWriter{logger}, "", 0))
	for _, o := range stdioOptions() {
		o(stdio)
	}
	// Large resource contents are written straight into their response
	// lines rather than encoded with the rest of the message (package
	// splice): a recording is held once, not six times. No response to a
	// request the client cancelled (mcp-go still sends one): see
	// internal/cancelfilter.
	sp := splice.NewWriter(stdout)
	cancels := cancelfilter.New()
	err = stdio.Listen(splice.NewContext(ctx, sp), cancels.Reader(stdin), cancels.Writer(sp))
	if err == nil || errors.Is(err, context.Canceled) || errors.Is(err, io.EOF) {
		return nil
	}
	return err
}

// oauthOptions are the HTTP transports' OAuth settings (nil without
// --oauth-issuer). Accepted tokens are redacted from the logs.
func oauthOptions(cfg *config.Config) *httpserver.OAuthOptions {
	if cfg.OAuth.Issuer == "" {
		return nil
	}
	return &httpserver.OAuthOptions{Issuer: cfg.OAuth.Issuer, Audience: cfg.OAuth.Audience, ScopesClaim: cfg.OAuth.ScopesClaim,
		ReadScope: cfg.OAuth.ReadScope, RunScope: cfg.OAuth.RunScope, OnToken: func(t string) { accessTokens.Add(t) }}
}

// Stdio worker pool: mcp-go runs each tools/call on a pool of workers
// (default 5, with 100 queued), so a sixth call waited behind five
// wait_for_completion calls, up to their whole wait. 64 workers let dozens
// of waits (each at most --wait-timeout, 45 s, unless the call asks for
// more) go on while quick calls still answer at once; the pool and the queue
// stay bounded. mcp-go serves other requests (ping, resources/read, ...)
// on their own goroutines.
const (
	stdioWorkers   = 64
	stdioQueueSize = 256
)

func stdioOptions() []server.StdioOption {
	return []server.StdioOption{server.WithWorkerPoolSize(stdioWorkers), server.WithQueueSize(stdioQueueSize)}
}

// app is the MCP server with everything it depends on, built once for
// whichever transport serves it.
type app struct {
	mcp     *server.MCPServer
	keys    httpserver.KeyPolicy
	ready   func(context.Context) error
	closers []func()

	// checkKey checks a caller's own key before it gets a session (nil
	// unless every caller brings its own key).
	checkKey func(context.Context, string) error
	// shared and sharedTasks hold state in Redis (--redis-url).
	shared      *shared.Store
	sharedTasks *shared.Tasks
}

func (a *app) close() {
	for i := len(a.closers) - 1; i >= 0; i-- {
		a.closers[i]()
	}
}

// keyPolicy says whose Skyvern key a call uses. Over stdio, and over HTTP
// when the server holds a key, the server's; with --sandbox a caller's
// x-api-key when it sends one (one sandbox per key); over HTTP without a
// server key, each caller's own, which it must send.
func keyPolicy(cfg *config.Config) httpserver.KeyPolicy {
	switch {
	case cfg.Transport == config.TransportStdio:
		return httpserver.KeysIgnored
	case cfg.Sandbox:
		return httpserver.KeysOptional
	case cfg.APIKey == "":
		return httpserver.KeysRequired
	}
	return httpserver.KeysIgnored
}

func newApp(cfg *config.Config, logger zerolog.Logger) (_ *app, err error) {
	a := &app{keys: keyPolicy(cfg)}
	defer func() {
		if err != nil {
			a.close()
		}
	}()
	baseURL, apiKey := cfg.BaseURL, cfg.APIKey
	if cfg.Sandbox {
		// One sandbox per caller key, so that HTTP callers with different
		// keys never see each other's runs.
		sb := sandbox.NewMulti(sandbox.Options{RunDuration: cfg.SandboxRunDuration, RecordingSize: cfg.SandboxRecordingBytes,
			Chromium: sandboxChromium(cfg.SandboxChromium)}, 0)
		a.closers = append(a.closers, sb.CloseBrowsers)
		url, shutdown, err := sb.Listen("127.0.0.1:0")
		if err != nil {
			return nil, fmt.Errorf("starting the sandbox: %w", err)
		}
		a.closers = append(a.closers, func() {
			sctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			defer cancel()
			_ = shutdown(sctx)
		})
		// Not a secret, but redacted like any key: a value that no
		// answer holds by chance (a plain "sandbox" would blank the
		// sandbox's own "[sandbox:fail]" triggers and log lines).
		baseURL, apiKey = url, sandboxKey
		logger.Info().Str("url", url).Msg("sandbox: simulated Skyvern API; no real browser runs")
	}
	// One transport for every call to Skyvern, keeping enough idle
	// connections for many concurrent callers: http.DefaultTransport keeps 2
	// per host, so under load almost every call paid a new connection (and
	// against api.skyvern.com a TLS handshake).
	upstream := http.DefaultTransport.(*http.Transport).Clone()
	upstream.MaxIdleConns, upstream.MaxIdleConnsPerHost = 256, 64
	httpClient := &http.Client{Transport: debugTransport{next: upstream, log: logger}}
	newClient := func(key string) (*client.Client, error) {
		callerKeys.Add(key) // for the log writer (newLogger)
		return client.New(client.WithBaseURL(baseURL), client.WithAPIKey(key), client.WithTimeout(cfg.RequestTimeout),
			client.WithHTTPClient(httpClient), client.WithMaxResponseBytes(cfg.MaxResponseBytes, 0))
	}
	c, err := newClient(apiKey)
	if err != nil {
		return nil, err
	}
	clients := newClientCache(maxCallerClients, newClient)
	deps := &tools.Deps{
		Client: func(ctx context.Context) (*client.Client, error) {
			if key := httpserver.CallerKey(ctx); key != "" {
				return clients.get(httpserver.CallerID(ctx), key)
			}
			if !c.HasAPIKey() {
				return nil, tools.ErrNoAPIKey
			}
			return c, nil
		},
		Log:              logger,
		UploadDir:        cfg.UploadDir,
		CancelRunOnAbort: cfg.CancelRunOnAbort,
		WaitTimeout:      cfg.WaitTimeout,
		Secrets:          []string{cfg.APIKey, cfg.AuthToken},
		// One poller per run (and per client, so per caller key) for
		// tasks, subscriptions and waits.
		Watcher: client.NewWatcher(client.WatchOptions{}),
	}
	a.closers = append(a.closers, deps.Watcher.Close, deps.CloseBrowsers)
	var sharedOpts []server.ServerOption
	if cfg.RedisURL != "" {
		if a.shared, a.sharedTasks, sharedOpts, err = sharedState(cfg, logger, deps); err != nil {
			return nil, err
		}
		a.closers = append(a.closers, func() { _ = a.shared.Close() })
	}
	res := resources.New(resources.Options{Deps: deps, MaxResourceBytes: cfg.MaxResourceBytes, NoSubscriptions: cfg.Stateless, Notify: a.notifier()})
	a.closers = append(a.closers, res.Close)
	deps.OnRun, deps.ResourceLinks = res.SeeRun, true
	deps.NoResourceLinkItems, deps.MaxResultBytes = !cfg.ResourceLinks, cfg.MaxResultBytes
	// MCP tasks live in one process and, without sessions, would be shared
	// by every caller: --stateless serves none.
	if !cfg.Stateless && deps.Tasks == nil {
		deps.Tasks = tools.NewTasks(tools.TaskOptions{TTL: cfg.TaskTTL, MaxTasks: cfg.MaxTasks})
	}
	filter := cfg.Filter()
	selected, err := tools.Select(filter)
	if err != nil {
		return nil, err
	}
	if deps.Tasks == nil {
		// No MCP tasks (--stateless): a run tool called with a task
		// parameter runs as a plain call, so its run_id is never lost in a
		// task nobody can follow.
		for i := range selected {
			selected[i].Tool.Execution = nil
		}
	}
	opts := append(sharedOpts,
		server.WithToolCapabilities(false),
		server.WithRecovery(),
		server.WithResourceRecovery(),
		// logging/setLevel is accepted (per session); the server's own logs
		// go to stderr or --log-file, not to the client.
		server.WithLogging(),
		server.WithInstructions(instructions),
		// A last resort: the tools shape their results to fit
		// --max-result-bytes (tools/result.go); anything still larger
		// becomes an error result rather than a message clients choke on.
		server.WithToolResultSizeLimit(cfg.MaxResultBytes),
	)
	opts = append(opts, res.ServerOptions()...)
	// Every way out (tool results, resource contents, prompts and their
	// errors) loses the secrets it may echo, successful answers included.
	opts = append(opts, deps.RedactOptions()...)
	if deps.Tasks != nil {
		opts = append(opts, deps.Tasks.ServerOptions(res.Hooks())...)
	}
	if a.keys != httpserver.KeysIgnored {
		// Callers bring their own keys: what the server remembers of runs
		// (resources/list, skyvern://runs, completions) is shown to each
		// only for the runs it has seen itself.
		opts = append(opts, newIsolation().serverOptions(res.Hooks())...)
	}
	a.mcp = server.NewMCPServer("skyvern-mcp", client.Version, opts...)
	if a.sharedTasks != nil {
		a.sharedTasks.SetServer(a.mcp)
	}
	tools.Register(a.mcp, deps, selected)
	tools.RefuseHidden(a.mcp, res.Hooks(), selected, filter)
	res.Register(a.mcp)
	a.ready = readiness(httpClient, baseURL, apiKey, a.keys == httpserver.KeysRequired)
	if a.keys == httpserver.KeysRequired {
		a.checkKey = keyCheck(newClient)
	}
	switch {
	case a.keys == httpserver.KeysRequired:
		logger.Info().Msg("no Skyvern API key: every HTTP caller must send its own key in the x-api-key header")
	case !c.HasAPIKey():
		logger.Warn().Msg("no Skyvern API key: tools are listed, but calls will ask for SKYVERN_API_KEY (or use --sandbox)")
	}
	logger.Info().Str("transport", cfg.Transport).Str("base_url", baseURL).Int("tools", len(selected)).Bool("read_only", cfg.ReadOnly).Msg("skyvern-mcp ready")
	return a, nil
}

// readiness returns /readyz's check: GET /v1/version answers. A 401 or
// 403 means not ready when the server's own key is used, and ready when
// callers bring their keys (Skyvern answers; the server has none to send).
func readiness(hc *http.Client, baseURL, apiKey string, callerKeys bool) func(context.Context) error {
	return func(ctx context.Context) error {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, baseURL+"/v1/version", nil)
		if err != nil {
			return errors.New("invalid Skyvern base URL")
		}
		if apiKey != "" {
			req.Header.Set("x-api-key", apiKey)
		}
		req.Header.Set("User-Agent", "skyvern-mcp/"+client.Version+" readiness")
		resp, err := hc.Do(req)
		if err != nil {
			return fmt.Errorf("Skyvern did not answer: %s", transportFailure(err))
		}
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		_ = resp.Body.Close()
		switch {
		case resp.StatusCode >= 500:
			return fmt.Errorf("Skyvern answered %d", resp.StatusCode)
		case (resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden) && !callerKeys:
			return fmt.Errorf("Skyvern refused the server's API key (%d): check SKYVERN_API_KEY", resp.StatusCode)
		}
		return nil
	}
}

// keyCheck returns the check of a caller's own key made before it gets a
// session: GET /v1/folders?page_size=1, the cheapest read that needs a
// valid key (GET /v1/version needs none). A 401 or 403 is
// httpserver.ErrKeyRefused; any other failure means the key could not be
// checked.
func keyCheck(newClient func(key string) (*client.Client, error)) func(context.Context, string) error {
	return func(ctx context.Context, key string) error {
		c, err := newClient(key)
		if err != nil {
			return err
		}
		_, err = c.GetFolders(ctx, &client.GetFoldersParams{PageSize: 1})
		switch client.StatusCode(err) {
		case http.StatusUnauthorized, http.StatusForbidden:
			return httpserver.ErrKeyRefused
		}
		return err
	}
}

// transportFailure names the kind of a failed request without its URL or
// addresses (/readyz needs no authentication).
func transportFailure(err error) string {
	if kind := client.TransportFailure(err); kind != "" {
		return kind
	}
	return "connection failed"
}

// debugTransport logs each request to Skyvern at debug level: method, path
// (no query string, no headers, so never the key), status and duration.
type debugTransport struct {
	next http.RoundTripper
	log  zerolog.Logger
}

func (t debugTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if t.log.GetLevel() > zerolog.DebugLevel {
		return t.next.RoundTrip(req)
	}
	start := time.Now()
	resp, err := t.next.RoundTrip(req)
	ev := t.log.Debug().Str("method", req.Method).Str("path", req.URL.Path).Dur("duration", time.Since(start))
	if err != nil {
		ev.Str("error", "transport error").Msg("skyvern request")
		return resp, err
	}
	ev.Int("status", resp.StatusCode).Msg("skyvern request")
	return resp, nil
}

// logWriter sends the stdio server's own error log lines to zerolog.
type logWriter struct{ l zerolog.Logger }

func (w logWriter) Write(p []byte) (int, error) {
	w.l.Warn().Str("component", "stdio").Msg(string(trimNewline(p)))
	return len(p), nil
}

func trimNewline(p []byte) []byte {
	for len(p) > 0 && (p[len(p)-1] == '\n' || p[len(p)-1] == '\r') {
		p = p[:len(p)-1]
	}
	return p
}
