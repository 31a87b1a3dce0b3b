// Package config reads skyvern-mcp's settings from flags, the environment,
// a .env file and a JSON config file, in that order of precedence:
//
//	flag > environment variable > .env file > --config file > default
//
// Every flag has an environment variable: SKYVERN_ followed by the flag name
// in upper case with dashes as underscores (--base-url is SKYVERN_BASE_URL).
// The API key is never a flag (command lines are visible to other users):
// it comes from SKYVERN_API_KEY or from the file named by --api-key-file.
// Likewise the HTTP transports' bearer token comes from MCP_AUTH_TOKEN or
// the file named by --auth-token-file.
package config

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/joho/godotenv"
	"github.com/peterbourgon/ff/v3"

	"github.com/skyvern-mcp/skyvern-mcp/client"
	"github.com/skyvern-mcp/skyvern-mcp/tools"
)

// EnvPrefix prefixes every environment variable.
const EnvPrefix = "SKYVERN"

// AuthTokenEnv is the environment variable holding the bearer token callers
// of the HTTP transports must present (see --auth-token-file).
const AuthTokenEnv = "MCP_AUTH_TOKEN"

// Transports.
const (
	TransportStdio = "stdio"
	// TransportHTTP is MCP's streamable HTTP transport, served at /mcp.
	TransportHTTP = "http"
	// TransportSSE is the older HTTP+SSE transport, served at /sse and
	// /message.
	TransportSSE = "sse"
)

// HTTP transport defaults.
const (
	// DefaultAddr is where the HTTP transports listen: loopback only.
	DefaultAddr = "127.0.0.1:8787"
	// DefaultShutdownGrace is how long a shutdown waits for calls in flight.
	DefaultShutdownGrace = 10 * time.Second
	// DefaultMaxRequestBytes is the largest HTTP request body: a tool call's
	// largest arguments (tools.MaxArgumentBytes, 4 MiB) plus 1 MiB for the
	// JSON-RPC envelope and escaping.
	DefaultMaxRequestBytes = tools.MaxArgumentBytes + 1<<20
	// DefaultMaxSessionsPerCaller is --max-sessions-per-caller's default
	// (httpserver.DefaultMaxSessionsPerCaller).
	DefaultMaxSessionsPerCaller = 100
	// MinAuthTokenLen is the shortest bearer token accepted.
	MinAuthTokenLen = 16
)

// Config is the server's configuration.
type Config struct {
	Transport   string
	BaseURL     string // normalized API root, without /v1
	Environment string
	APIKey      string `json:"-"`
	APIKeyFile  string
	Sandbox     bool
	// SandboxRunDuration is how long a sandbox run takes.
	SandboxRunDuration time.Duration
	ReadOnly           bool
	Toolsets           []string
	// Tools, when set, are exactly the tools served; ExcludeTools are
	// hidden. See tools.Filter.
	Tools, ExcludeTools []string
	UploadDir           string
	ConfigFile          string
	LogLevel            string
	LogFile             string
	// RequestTimeout bounds one HTTP request to Skyvern.
	RequestTimeout time.Duration
	// WaitTimeout bounds a wait_for_completion call without a timeout
	// argument (default tools.DefaultWaitTimeout, 45 s).
	WaitTimeout      time.Duration
	CancelRunOnAbort bool
	// MaxResourceBytes caps a resource's content in bytes (before base64
	// or JSON escaping).
	MaxResourceBytes int64
	// MaxResultBytes caps one tool result, in bytes of its JSON (see
	// tools.Deps.MaxResultBytes).
	MaxResultBytes int
	// ResourceLinks adds resource_link content items to run and artifact
	// results (on by default); the URIs are named in the text either way.
	ResourceLinks bool
	// MaxResponseBytes bounds one JSON answer read from Skyvern.
	MaxResponseBytes int64
	// SandboxRecordingBytes is the size of each sandbox recording (0: the
	// sandbox's default, 64 KiB).
	SandboxRecordingBytes int64
	// SandboxChromium gives sandbox browser sessions a real Chromium:
	// "auto" (found in PATH), a path, or "off" (simulated browser_address).
	SandboxChromium string
	// TaskTTL is the lifetime of an MCP task when the client asks for none,
	// and the longest granted (0: the client's, or unlimited).
	TaskTTL time.Duration
	// MaxTasks is the most MCP tasks running at once (0: no limit).
	MaxTasks int
	Version  bool

	// HTTP transports (--transport http or sse).

	// Addr is the listen address (host:port; port 0 picks a free port).
	Addr string
	// Stateless serves streamable HTTP without sessions (--transport http).
	Stateless bool
	// AllowedOrigins are the browser origins (scheme://host[:port], lower
	// case) allowed besides loopback ones.
	AllowedOrigins []string
	// AuthToken is the bearer token callers must present ("" for none),
	// from MCP_AUTH_TOKEN or --auth-token-file.
	AuthToken     string `json:"-"`
	AuthTokenFile string
	// ShutdownGrace bounds how long a shutdown drains calls in flight.
	ShutdownGrace time.Duration
	// RedisURL, when set, keeps sessions, tasks and stream events in Redis
	// so that replicas behind a balancer act as one server (--transport
	// http in session mode). It may hold a password: never logged.
	RedisURL string `json:"-"`
	// MaxRequestBytes is the largest HTTP request body accepted.
	MaxRequestBytes int64
	// MaxSessionsPerCaller bounds the sessions (or SSE streams) one caller
	// (its x-api-key, else its address) holds at once.
	MaxSessionsPerCaller int
	// OAuth makes the HTTP transports an OAuth 2.1 protected resource
	// (OAuth.Issuer set); see oauth.go.
	OAuth OAuth
}

// UsageHeader starts `skyvern-mcp --help`: the commands, then where flags
// can be set.
const UsageHeader = `Usage:
  skyvern-mcp [flags]                 serve MCP over stdio (default), streamable HTTP or SSE
  skyvern-mcp setup [flags] <client>  add skyvern-mcp to an MCP client's config (setup --help lists the clients)
  skyvern-mcp doctor [flags]          check the configuration and API key, and that Skyvern answers (the server's flags)
  skyvern-mcp --version

Every flag can also be set as SKYVERN_<FLAG> (e.g. SKYVERN_BASE_URL) in the environment or a .env file, or as a
key of the --config file.

Flags:
`

// Load parses args (without the program name). envFile is the .env file to
// read ("" for none; a missing file is fine). It returns flag.ErrHelp when
// -h was given (usage is written to usage).
func Load(args []string, envFile string, usage io.Writer) (*Config, error) {
	if envFile != "" {
		if err := godotenv.Load(envFile); err != nil && !errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("reading %s: %w", envFile, err)
		}
	}
	c := &Config{}
	fs := flag.NewFlagSet("skyvern-mcp", flag.ContinueOnError)
	fs.SetOutput(usage)
	fs.Usage = func() {
		fmt.Fprint(usage, UsageHeader)
		fs.PrintDefaults()
	}
	var toolsets, toolNames, excludeTools, environment string
	var runSeconds, timeoutSeconds, taskTTLSeconds float64
	var waitSeconds float64
	var allowedOrigins string
	grace := durationValue(DefaultShutdownGrace)
	fs.StringVar(&c.Transport, "transport", TransportStdio, "MCP transport: stdio, http (streamable HTTP at /mcp) or sse (/sse and /message)")
	fs.StringVar(&c.BaseURL, "base-url", "", "Skyvern API base URL (default: from --environment)")
	fs.StringVar(&environment, "environment", "cloud", "Skyvern environment when --base-url is not set: cloud (https://api.skyvern.com) or local (http://localhost:8000)")
	fs.StringVar(&c.APIKeyFile, "api-key-file", "", "file holding the Skyvern API key (else SKYVERN_API_KEY)")
	fs.BoolVar(&c.Sandbox, "sandbox", false, "use the embedded Skyvern simulator instead of the real API (no key needed)")
	fs.Float64Var(&runSeconds, "sandbox-run-seconds", 3, "with --sandbox: how long a simulated run takes, in seconds")
	fs.BoolVar(&c.ReadOnly, "read-only", false, "only register tools that do not change anything (readOnlyHint true)")
	fs.StringVar(&toolsets, "toolsets", "default", tools.ToolsetsHelp())
	fs.StringVar(&toolNames, "tools", "", "comma-separated tool names: serve exactly these (overrides --toolsets)")
	fs.StringVar(&excludeTools, "exclude-tools", "", "comma-separated tool names to hide")
	fs.StringVar(&c.UploadDir, "upload-dir", "", "directory upload_file may read local files from (off when empty)")
	fs.StringVar(&c.ConfigFile, "config", "", "JSON config file; keys are flag names, e.g. {\"base-url\": \"...\"}")
	fs.StringVar(&c.LogLevel, "log-level", "info", "log level: debug, info, warn, error")
	fs.StringVar(&c.LogFile, "log-file", "", "write logs to this file instead of stderr")
	fs.Float64Var(&timeoutSeconds, "request-timeout", client.DefaultTimeout.Seconds(), "timeout of one HTTP request to Skyvern, in seconds")
	fs.Float64Var(&waitSeconds, "wait-timeout", tools.DefaultWaitTimeout.Seconds(), "how long wait_for_completion waits when the call gives no timeout, in seconds; keep it under the clients' 60 s limit (the run goes on after)")
	fs.BoolVar(&c.CancelRunOnAbort, "cancel-run-on-abort", false, "cancel the Skyvern run when the MCP client cancels a call that waits for it")
	fs.Int64Var(&c.MaxResourceBytes, "max-resource-bytes", 20<<20, "largest resource content read, in bytes (an artifact's size, before base64); larger ones are refused with their download URL")
	fs.IntVar(&c.MaxResultBytes, "max-result-bytes", tools.DefaultMaxResultBytes, "largest tool result in bytes of JSON (all content and structuredContent); larger ones are shortened, saying what was cut and where the rest is; at least 65536")
	fs.BoolVar(&c.ResourceLinks, "resource-links", true, "add resource_link content items (skyvern:// URIs) to run and artifact results; the URIs are in the text either way")
	fs.Int64Var(&c.MaxResponseBytes, "max-response-bytes", client.DefaultMaxResponseBytes, "largest JSON answer read from Skyvern, in bytes; a larger one fails the call")
	fs.Int64Var(&c.SandboxRecordingBytes, "sandbox-recording-bytes", 0, "with --sandbox: size of each run's recording in bytes (0: 64 KiB), e.g. for memory benchmarks")
	fs.StringVar(&c.SandboxChromium, "sandbox-chromium", "auto", "with --sandbox: Chromium for browser sessions: auto (found in PATH), a path, or off (simulated browser_address)")
	fs.Float64Var(&taskTTLSeconds, "task-ttl", 3600, "lifetime of an MCP task (run tools called with the task parameter) in seconds, when the client asks for none, and the longest granted; 0: the client's, unlimited")
	fs.IntVar(&c.MaxTasks, "max-tasks", 32, "most MCP tasks running at once; 0: no limit")
	fs.BoolVar(&c.Version, "version", false, "print the version and exit")
	fs.StringVar(&c.Addr, "addr", DefaultAddr, "with --transport http or sse: listen address host:port (port 0: any free port); a non-loopback host needs authentication")
	fs.BoolVar(&c.Stateless, "stateless", false, "with --transport http: no sessions, each request stands alone (for several replicas behind a load balancer)")
	fs.StringVar(&allowedOrigins, "allowed-origins", "", "with --transport http or sse: comma-separated browser origins (scheme://host[:port]) allowed besides loopback ones")
	fs.StringVar(&c.AuthTokenFile, "auth-token-file", "", "with --transport http or sse: file holding the bearer token callers must send (else "+AuthTokenEnv+")")
	fs.Var(&grace, "shutdown-grace", "with --transport http or sse: how long SIGINT/SIGTERM waits for calls in flight, a `duration` such as 10s or 1m (a bare number is seconds)")
	fs.Int64Var(&c.MaxRequestBytes, "max-request-bytes", DefaultMaxRequestBytes, "with --transport http or sse: largest request body in bytes (raise it for upload_file content over ~3.5 MiB)")
	fs.StringVar(&c.RedisURL, "redis-url", "", "with --transport http (not --stateless): redis://[user:password@]host:port[/db] (rediss:// for TLS) holding sessions, tasks and stream events shared by every replica; unset: all in this process")
	fs.IntVar(&c.MaxSessionsPerCaller, "max-sessions-per-caller", DefaultMaxSessionsPerCaller, "with --transport http or sse: most sessions (or SSE streams) one caller holds at once; a caller is its x-api-key, else its IP address (behind a proxy, all callers without a key share one)")
	oauthFlags(fs, &c.OAuth)
	for _, a := range args {
		switch name := strings.TrimLeft(strings.SplitN(a, "=", 2)[0], "-"); name {
		case "api-key", "key":
			return nil, errors.New("there is no --api-key flag, because command lines are visible to other users: set SKYVERN_API_KEY (in the environment or a .env file) or use --api-key-file")
		case "auth-token", "token":
			return nil, errors.New("there is no --auth-token flag, because command lines are visible to other users: set " + AuthTokenEnv + " (in the environment or a .env file) or use --auth-token-file")
		}
	}
	err := ff.Parse(fs, args,
		ff.WithEnvVarPrefix(EnvPrefix),
		ff.WithConfigFileFlag("config"),
		ff.WithConfigFileParser(ff.JSONParser),
	)
	if err != nil {
		return nil, valueError(configFileError(err, c.ConfigFile), fs)
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected arguments: %s", strings.Join(fs.Args(), " "))
	}
	if c.Version {
		return c, nil
	}
	if err := c.loadHTTP(allowedOrigins, time.Duration(grace)); err != nil {
		return nil, err
	}
	c.Environment = strings.ToLower(strings.TrimSpace(environment))
	if c.Environment != "cloud" && c.Environment != "local" {
		return nil, fmt.Errorf("--environment: expected cloud or local, got %q", environment)
	}
	raw := c.BaseURL
	if raw == "" {
		raw = c.Environment
	}
	if c.BaseURL, err = client.NormalizeBaseURL(raw); err != nil {
		return nil, fmt.Errorf("--base-url: %w", err)
	}
	if runSeconds < 0 || timeoutSeconds < 0 {
		return nil, errors.New("--sandbox-run-seconds and --request-timeout must not be negative")
	}
	if c.RedisURL != "" && (c.Transport != TransportHTTP || c.Stateless) {
		return nil, errors.New("--redis-url applies to --transport http in session mode (not with --stateless, --transport sse or stdio)")
	}
	if taskTTLSeconds < 0 || c.MaxTasks < 0 {
		return nil, errors.New("--task-ttl and --max-tasks must not be negative")
	}
	c.TaskTTL = time.Duration(taskTTLSeconds * float64(time.Second))
	if waitSeconds <= 0 {
		return nil, errors.New("--wait-timeout must be positive")
	}
	c.WaitTimeout = time.Duration(waitSeconds * float64(time.Second))
	c.SandboxRunDuration = time.Duration(runSeconds * float64(time.Second))
	c.RequestTimeout = time.Duration(timeoutSeconds * float64(time.Second))
	if c.Toolsets, err = parseToolsets(toolsets); err != nil {
		return nil, err
	}
	c.Tools, c.ExcludeTools = splitList(toolNames), splitList(excludeTools)
	if err := tools.CheckTools(c.Tools); err != nil {
		return nil, fmt.Errorf("--tools: %w", err)
	}
	if err := tools.CheckTools(c.ExcludeTools); err != nil {
		return nil, fmt.Errorf("--exclude-tools: %w", err)
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		return nil, fmt.Errorf("--log-level: expected debug, info, warn or error, got %q", c.LogLevel)
	}
	if c.MaxResultBytes < tools.MinMaxResultBytes {
		return nil, fmt.Errorf("--max-result-bytes: at least %d, got %d", tools.MinMaxResultBytes, c.MaxResultBytes)
	}
	if c.MaxResponseBytes <= 0 {
		return nil, errors.New("--max-response-bytes must be positive")
	}
	if c.MaxResourceBytes <= 0 || c.SandboxRecordingBytes < 0 {
		return nil, errors.New("--max-resource-bytes must be positive and --sandbox-recording-bytes not negative")
	}
	if c.UploadDir != "" {
		if st, err := os.Stat(c.UploadDir); err != nil || !st.IsDir() {
			return nil, fmt.Errorf("--upload-dir: %q is not a directory", c.UploadDir)
		}
	}
	c.APIKey = strings.TrimSpace(os.Getenv(EnvPrefix + "_API_KEY"))
	if c.APIKeyFile != "" {
		b, err := readSmallFile(c.APIKeyFile, maxAPIKeyFileBytes)
		if err != nil {
			return nil, fmt.Errorf("--api-key-file: %w", err)
		}
		c.APIKey = strings.TrimSpace(string(b))
		if c.APIKey == "" {
			return nil, fmt.Errorf("--api-key-file: %q is empty: put the Skyvern API key in it (Settings > API Keys at https://app.skyvern.com), or leave --api-key-file out to use %s_API_KEY", c.APIKeyFile, EnvPrefix)
		}
	}
	return c, nil
}

// loadHTTP checks the transport and the HTTP transports' settings, and
// reads the bearer token.
func (c *Config) loadHTTP(allowedOrigins string, grace time.Duration) error {
	switch c.Transport {
	case TransportStdio, TransportHTTP, TransportSSE:
	default:
		return fmt.Errorf("--transport: expected stdio, http or sse, got %q", c.Transport)
	}
	if c.Stateless && c.Transport != TransportHTTP {
		return fmt.Errorf("--stateless: only --transport http has sessions to turn off (transport is %s)", c.Transport)
	}
	if _, _, err := net.SplitHostPort(c.Addr); err != nil {
		return fmt.Errorf("--addr: expected host:port such as %s, got %q", DefaultAddr, c.Addr)
	}
	if grace < 0 {
		return errors.New("--shutdown-grace must not be negative")
	}
	c.ShutdownGrace = grace
	if c.MaxSessionsPerCaller < 1 {
		return fmt.Errorf("--max-sessions-per-caller: at least 1, got %d", c.MaxSessionsPerCaller)
	}
	if c.MaxRequestBytes < 64<<10 {
		return fmt.Errorf("--max-request-bytes: at least 65536 (64 KiB), got %d", c.MaxRequestBytes)
	}
	var err error
	if c.AllowedOrigins, err = parseOrigins(allowedOrigins); err != nil {
		return err
	}
	c.AuthToken = strings.TrimSpace(os.Getenv(AuthTokenEnv))
	if c.AuthTokenFile != "" {
		b, err := readSmallFile(c.AuthTokenFile, maxAPIKeyFileBytes)
		if err != nil {
			return fmt.Errorf("--auth-token-file: %w", err)
		}
		c.AuthToken = strings.TrimSpace(string(b))
		if c.AuthToken == "" {
			return fmt.Errorf("--auth-token-file: %q is empty", c.AuthTokenFile)
		}
	}
	if err := c.checkOAuth(); err != nil {
		return err
	}
	if c.AuthToken != "" && (len(c.AuthToken) < MinAuthTokenLen || strings.ContainsFunc(c.AuthToken, notTokenChar)) {
		return fmt.Errorf("%s / --auth-token-file: the token must be at least %d printable ASCII characters without spaces (for example the output of `openssl rand -hex 32`)", AuthTokenEnv, MinAuthTokenLen)
	}
	return nil
}

func notTokenChar(r rune) bool { return r <= ' ' || r > '~' }

// parseOrigins parses --allowed-origins: comma-separated
// scheme://host[:port] origins, returned in lower case.
func parseOrigins(s string) ([]string, error) {
	var out []string
	for _, part := range splitList(s) {
		o := strings.ToLower(strings.TrimRight(part, "/"))
		u, err := url.Parse(o)
		if o == "*" || o == "null" || err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" ||
			u.Path != "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
			return nil, fmt.Errorf("--allowed-origins: %q is not an origin; list each as scheme://host[:port], e.g. https://app.example.com (no wildcard, no path)", part)
		}
		if u.Port() != "" {
			if p, err := strconv.Atoi(u.Port()); err != nil || p < 1 || p > 65535 {
				return nil, fmt.Errorf("--allowed-origins: %q has an invalid port", part)
			}
		}
		out = append(out, u.Scheme+"://"+u.Host)
	}
	return out, nil
}

// durationValue is a flag.Value for a duration written as Go duration
// ("10s", "1m30s") or as a bare number of seconds ("10", "2.5").
type durationValue time.Duration

func (d *durationValue) String() string { return time.Duration(*d).String() }

func (d *durationValue) Set(s string) error {
	s = strings.TrimSpace(s)
	if secs, err := strconv.ParseFloat(s, 64); err == nil {
		*d = durationValue(time.Duration(secs * float64(time.Second)))
		return nil
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("expected a duration such as 10s or a number of seconds, got %q", s)
	}
	*d = durationValue(v)
	return nil
}

// maxAPIKeyFileBytes bounds what --api-key-file reads, so that a device such
// as /dev/zero cannot exhaust memory.
const maxAPIKeyFileBytes = 64 << 10

// readSmallFile reads a file of at most max bytes (it may be a pipe).
func readSmallFile(path string, max int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > max {
		return nil, fmt.Errorf("%q is larger than %d KiB; it must hold only the API key", path, max>>10)
	}
	return b, nil
}

// configFileError names the --config file in errors about reading or
// parsing it, which ff reports without the flag or the path.
func configFileError(err error, path string) error {
	var perr *fs.PathError
	var jerr ff.JSONParseError
	switch {
	case path == "":
		return err
	case errors.As(err, &jerr):
		return fmt.Errorf("--config %q: expected a JSON object whose keys are flag names (see config.example.json): %w", path, jerr.Inner)
	case errors.As(err, &perr) && perr.Path == path:
		return fmt.Errorf("--config: %w", err)
	}
	return err
}

var (
	envValueRe  = regexp.MustCompile(`flag "([a-z0-9-]+)" from environment variable "([A-Z0-9_]+)"`)
	flagValueRe = regexp.MustCompile(`value "((?:[^"\\]|\\.)*)" for (?:flag )?-([a-z0-9-]+)`)
	fileValueRe = regexp.MustCompile(`flag "([a-z0-9-]+)"`)
)

// valueError rewrites the flag package's "parse error" for a value that
// does not parse (from the command line, the environment or --config) into
// one that names the flag, its environment variable, the value and the
// values expected, e.g. `SKYVERN_SANDBOX="yes" (--sandbox): expected true
// or false`. Other errors are returned as they are.
func valueError(err error, fs *flag.FlagSet) error {
	msg := err.Error()
	var name, source, value string
	if m := envValueRe.FindStringSubmatch(msg); m != nil {
		name, source = m[1], m[2]
		value = os.Getenv(m[2])
	} else if m := flagValueRe.FindStringSubmatch(msg); m != nil {
		name, value = m[2], m[1]
		if strings.Contains(msg, "config file") {
			source = "--config"
		}
	} else if m := fileValueRe.FindStringSubmatch(msg); m != nil && strings.Contains(msg, "config") {
		name, source = m[1], "--config"
	}
	f := fs.Lookup(name)
	if f == nil {
		return err
	}
	want := ""
	if g, ok := f.Value.(flag.Getter); ok {
		switch g.Get().(type) {
		case bool:
			want = "true or false (or 1 or 0)"
		case int, int64:
			want = "a whole number"
		case float64:
			want = "a number"
		}
	}
	if _, ok := f.Value.(*durationValue); ok {
		want = "a duration such as 10s or 1m, or a number of seconds"
	}
	if want == "" {
		return err
	}
	env := EnvPrefix + "_" + strings.ToUpper(strings.ReplaceAll(name, "-", "_"))
	switch source {
	case "--config":
		return fmt.Errorf("--config: key %q: expected %s: %s", name, want, f.Usage)
	case "":
		return fmt.Errorf("--%s: expected %s, got %q (%s)", name, want, value, f.Usage)
	}
	return fmt.Errorf("%s=%q (--%s): expected %s (%s)", env, value, name, want, f.Usage)
}

// Filter is the tool selection the flags ask for.
func (c *Config) Filter() tools.Filter {
	return tools.Filter{Toolsets: c.Toolsets, Tools: c.Tools, ExcludeTools: c.ExcludeTools, ReadOnly: c.ReadOnly}
}

// splitList splits a comma-separated flag value, dropping blanks.
func splitList(s string) []string {
	var out []string
	for _, part := range strings.Split(s, ",") {
		if part = strings.TrimSpace(part); part != "" {
			out = append(out, part)
		}
	}
	return out
}

func parseToolsets(s string) ([]string, error) {
	var out []string
	add := func(ts string) {
		if !slices.Contains(out, ts) {
			out = append(out, ts)
		}
	}
	for _, part := range splitList(s) {
		switch part {
		case tools.AllToolsets:
			return tools.Toolsets(), nil
		case "default": // combines with others: "default,folders"
			for _, ts := range tools.DefaultToolsets() {
				add(ts)
			}
			continue
		}
		if err := tools.CheckToolsets([]string{part}); err != nil {
			return nil, fmt.Errorf("--toolsets: %w", err)
		}
		add(part)
	}
	if len(out) == 0 {
		return nil, errors.New("--toolsets: no toolset given; use default or all")
	}
	return out, nil
}
