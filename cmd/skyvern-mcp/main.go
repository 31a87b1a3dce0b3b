// Command skyvern-mcp is an MCP server that gives AI agents the Skyvern
// browser-automation API as tools. It speaks MCP over stdio: stdout carries
// JSON-RPC only; logs go to stderr or --log-file.
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
	"github.com/skyvern-mcp/skyvern-mcp/internal/config"
	"github.com/skyvern-mcp/skyvern-mcp/resources"
	"github.com/skyvern-mcp/skyvern-mcp/tools"
)

const instructions = `skyvern-mcp drives Skyvern, a cloud browser agent. Typical flow: run_task with a plain-language prompt (and a data_extraction_schema for structured output), then get_run until the status is final, then get_run_artifacts / get_artifact for screenshots and recordings. Runs cost money: never start the same run twice; follow an existing run with get_run instead. Saved workflows: get_workflows, then run_workflow. Logged-in work: create_credential once, then login, ideally inside a browser session (create_browser_session, close it when done).
IDs: task runs tsk_ / tsk_v2_, workflow runs wr_, workflows wpid_ (permanent) and w_ (one version), browser sessions pbs_, browser profiles bp_, credentials cred_, artifacts a_.
Waiting: wait_for_completion waits up to timeout SECONDS (default 1800) and sends progress notifications; many clients abort a call after about 60 s, so for long runs start without waiting and poll get_run. A wait that times out never cancels the run.
2FA: start the run with totp_identifier (the email or phone the site sends codes to) and pass each code with send_totp_code, or give totp_url for Skyvern to fetch codes, or store a TOTP secret in a password credential.
Units: task timeout and download_timeout are seconds; browser session timeout and max_elapsed_time_minutes are minutes.`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run is main without process globals, for tests. It returns the exit code.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	cfg, err := config.Load(args, ".env", stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintln(stderr, "skyvern-mcp:", err)
		return 2
	}
	if cfg.Version {
		fmt.Fprintln(stdout, "skyvern-mcp", client.Version)
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
	var w io.Writer = stderr
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
	return zerolog.New(w).Level(level).With().Timestamp().Logger(), closeFn, nil
}

// serve runs the MCP server over stdio until stdin closes or ctx ends.
func serve(ctx context.Context, cfg *config.Config, logger zerolog.Logger, stdin io.Reader, stdout io.Writer) error {
	baseURL, apiKey := cfg.BaseURL, cfg.APIKey
	if cfg.Sandbox {
		sb := sandbox.New(sandbox.Options{RunDuration: cfg.SandboxRunDuration, RecordingSize: cfg.SandboxRecordingBytes})
		url, shutdown, err := sb.Listen("127.0.0.1:0")
		if err != nil {
			return fmt.Errorf("starting the sandbox: %w", err)
		}
		defer func() {
			sctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			defer cancel()
			_ = shutdown(sctx)
		}()
		baseURL, apiKey = url, "sandbox"
		logger.Info().Str("url", url).Msg("sandbox: simulated Skyvern API; no real browser runs")
	}
	c, err := client.New(client.WithBaseURL(baseURL), client.WithAPIKey(apiKey), client.WithTimeout(cfg.RequestTimeout),
		client.WithHTTPClient(&http.Client{Transport: debugTransport{next: http.DefaultTransport, log: logger}}))
	if err != nil {
		return err
	}
	deps := &tools.Deps{
		Client: func(context.Context) (*client.Client, error) {
			if !c.HasAPIKey() {
				return nil, tools.ErrNoAPIKey
			}
			return c, nil
		},
		Log:              logger,
		UploadDir:        cfg.UploadDir,
		CancelRunOnAbort: cfg.CancelRunOnAbort,
		Secrets:          []string{cfg.APIKey},
		// One poller per run for tasks, subscriptions and waits.
		Watcher: client.NewWatcher(client.WatchOptions{}),
	}
	defer deps.Watcher.Close()
	res := resources.New(resources.Options{Deps: deps, MaxResourceBytes: cfg.MaxResourceBytes})
	defer res.Close()
	deps.OnRun, deps.ResourceLinks = res.SeeRun, true
	deps.Tasks = tools.NewTasks(tools.TaskOptions{TTL: cfg.TaskTTL, MaxTasks: cfg.MaxTasks})
	filter := cfg.Filter()
	selected, err := tools.Select(filter)
	if err != nil {
		return err
	}
	opts := append([]server.ServerOption{
		server.WithToolCapabilities(false),
		server.WithRecovery(),
		server.WithResourceRecovery(),
		server.WithInstructions(instructions),
	}, res.ServerOptions()...)
	hooks := res.Hooks()
	tools.RefuseHidden(hooks, selected, tools.SelectionReason(filter))
	opts = append(opts, deps.Tasks.ServerOptions(hooks)...)
	s := server.NewMCPServer("skyvern-mcp", client.Version, opts...)
	tools.Register(s, deps, selected)
	res.Register(s)
	if !c.HasAPIKey() {
		logger.Warn().Msg("no Skyvern API key: tools are listed, but calls will ask for SKYVERN_API_KEY (or use --sandbox)")
	}
	logger.Info().Str("transport", cfg.Transport).Str("base_url", baseURL).Int("tools", len(selected)).Bool("read_only", cfg.ReadOnly).Msg("skyvern-mcp ready")

	stdio := server.NewStdioServer(s)
	stdio.SetErrorLogger(log.New(logWriter{logger}, "", 0))
	err = stdio.Listen(ctx, stdin, stdout)
	if err == nil || errors.Is(err, context.Canceled) || errors.Is(err, io.EOF) {
		return nil
	}
	return err
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
