// Package config reads skyvern-mcp's settings from flags, the environment,
// a .env file and a JSON config file, in that order of precedence:
//
//	flag > environment variable > .env file > --config file > default
//
// Every flag has an environment variable: SKYVERN_ followed by the flag name
// in upper case with dashes as underscores (--base-url is SKYVERN_BASE_URL).
// The API key is never a flag (command lines are visible to other users):
// it comes from SKYVERN_API_KEY or from the file named by --api-key-file.
package config

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"time"

	"github.com/joho/godotenv"
	"github.com/peterbourgon/ff/v3"

	"github.com/skyvern-mcp/skyvern-mcp/client"
	"github.com/skyvern-mcp/skyvern-mcp/tools"
)

// EnvPrefix prefixes every environment variable.
const EnvPrefix = "SKYVERN"

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
	UploadDir          string
	ConfigFile         string
	LogLevel           string
	LogFile            string
	// RequestTimeout bounds one HTTP request to Skyvern.
	RequestTimeout   time.Duration
	CancelRunOnAbort bool
	// MaxResourceBytes caps a resource's payload as sent (base64 or text).
	MaxResourceBytes int64
	// SandboxRecordingBytes is the size of each sandbox recording (0: the
	// sandbox's default, 64 KiB).
	SandboxRecordingBytes int64
	// TaskTTL is the lifetime of an MCP task when the client asks for none,
	// and the longest granted (0: the client's, or unlimited).
	TaskTTL time.Duration
	// MaxTasks is the most MCP tasks running at once (0: no limit).
	MaxTasks int
	Version  bool
}

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
	var toolsets, environment string
	var runSeconds, timeoutSeconds, taskTTLSeconds float64
	fs.StringVar(&c.Transport, "transport", "stdio", "transport: stdio")
	fs.StringVar(&c.BaseURL, "base-url", "", "Skyvern API base URL (default: from --environment)")
	fs.StringVar(&environment, "environment", "cloud", "Skyvern environment when --base-url is not set: cloud (https://api.skyvern.com) or local (http://localhost:8000)")
	fs.StringVar(&c.APIKeyFile, "api-key-file", "", "file holding the Skyvern API key (else SKYVERN_API_KEY)")
	fs.BoolVar(&c.Sandbox, "sandbox", false, "use the embedded Skyvern simulator instead of the real API (no key needed)")
	fs.Float64Var(&runSeconds, "sandbox-run-seconds", 3, "with --sandbox: how long a simulated run takes, in seconds")
	fs.BoolVar(&c.ReadOnly, "read-only", false, "only register tools that do not change anything (readOnlyHint true)")
	fs.StringVar(&toolsets, "toolsets", "default", "comma-separated toolsets to enable: "+strings.Join(tools.Toolsets(), ", ")+"; all; or default ("+strings.Join(tools.DefaultToolsets(), ", ")+")")
	fs.StringVar(&c.UploadDir, "upload-dir", "", "directory upload_file may read local files from (off when empty)")
	fs.StringVar(&c.ConfigFile, "config", "", "JSON config file; keys are flag names, e.g. {\"base-url\": \"...\"}")
	fs.StringVar(&c.LogLevel, "log-level", "info", "log level: debug, info, warn, error")
	fs.StringVar(&c.LogFile, "log-file", "", "write logs to this file instead of stderr")
	fs.Float64Var(&timeoutSeconds, "request-timeout", client.DefaultTimeout.Seconds(), "timeout of one HTTP request to Skyvern, in seconds")
	fs.BoolVar(&c.CancelRunOnAbort, "cancel-run-on-abort", false, "cancel the Skyvern run when the MCP client cancels a call that waits for it")
	fs.Int64Var(&c.MaxResourceBytes, "max-resource-bytes", 8<<20, "largest resource payload sent, in bytes as sent (base64 for binary); at most 10 MiB - 64 KiB")
	fs.Int64Var(&c.SandboxRecordingBytes, "sandbox-recording-bytes", 0, "with --sandbox: size of each run's recording in bytes (0: 64 KiB), e.g. for memory benchmarks")
	fs.Float64Var(&taskTTLSeconds, "task-ttl", 3600, "lifetime of an MCP task (run tools called with the task parameter) in seconds, when the client asks for none, and the longest granted; 0: the client's, unlimited")
	fs.IntVar(&c.MaxTasks, "max-tasks", 32, "most MCP tasks running at once; 0: no limit")
	fs.BoolVar(&c.Version, "version", false, "print the version and exit")
	for _, a := range args {
		if name := strings.TrimLeft(strings.SplitN(a, "=", 2)[0], "-"); name == "api-key" || name == "key" {
			return nil, errors.New("there is no --api-key flag, because command lines are visible to other users: set SKYVERN_API_KEY (in the environment or a .env file) or use --api-key-file")
		}
	}
	err := ff.Parse(fs, args,
		ff.WithEnvVarPrefix(EnvPrefix),
		ff.WithConfigFileFlag("config"),
		ff.WithConfigFileParser(ff.JSONParser),
	)
	if err != nil {
		return nil, configFileError(err, c.ConfigFile)
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected arguments: %s", strings.Join(fs.Args(), " "))
	}
	if c.Version {
		return c, nil
	}
	if c.Transport != "stdio" {
		return nil, fmt.Errorf("--transport: %q is not supported yet; use stdio", c.Transport)
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
	if taskTTLSeconds < 0 || c.MaxTasks < 0 {
		return nil, errors.New("--task-ttl and --max-tasks must not be negative")
	}
	c.TaskTTL = time.Duration(taskTTLSeconds * float64(time.Second))
	c.SandboxRunDuration = time.Duration(runSeconds * float64(time.Second))
	c.RequestTimeout = time.Duration(timeoutSeconds * float64(time.Second))
	if c.Toolsets, err = parseToolsets(toolsets); err != nil {
		return nil, err
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		return nil, fmt.Errorf("--log-level: expected debug, info, warn or error, got %q", c.LogLevel)
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
	}
	return c, nil
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

func parseToolsets(s string) ([]string, error) {
	var out []string
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		switch part {
		case "":
			continue
		case "all":
			return tools.Toolsets(), nil
		case "default":
			out = append(out, tools.DefaultToolsets()...)
			continue
		}
		if err := tools.CheckToolsets([]string{part}); err != nil {
			return nil, fmt.Errorf("--toolsets: %w", err)
		}
		out = append(out, part)
	}
	if len(out) == 0 {
		return nil, errors.New("--toolsets: no toolset given")
	}
	return out, nil
}
