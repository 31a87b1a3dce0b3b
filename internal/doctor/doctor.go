// Package doctor checks a skyvern-mcp installation (skyvern-mcp doctor):
// the Skyvern base URL (reachable, answering like Skyvern, its version), the
// clock against Skyvern's, the API key (a cheap authenticated call), and
// which MCP clients are configured to run skyvern-mcp and at which version.
// Each check says what to do when it fails; the API key is never printed.
package doctor

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/skyvern-mcp/skyvern-mcp/client"
	"github.com/skyvern-mcp/skyvern-mcp/internal/setup"
)

// Status is a check's outcome.
type Status string

const (
	OK   Status = "ok"
	Warn Status = "warn" // worth knowing; not an error
	Fail Status = "FAIL" // something is wrong: doctor exits non-zero
	Skip Status = "skip" // could not run because an earlier check failed
)

// Check is one line of the report.
type Check struct {
	Name   string
	Status Status
	// Detail says what was found; Fix what to do (for Warn and Fail).
	Detail, Fix string
}

// Options are the inputs of Run.
type Options struct {
	// BaseURL is Skyvern's API root (client.NormalizeBaseURL form, without
	// /v1); APIKey the key ("" for none) and KeySource where it came from
	// ("SKYVERN_API_KEY", "--api-key-file /path", "the sandbox").
	BaseURL, APIKey, KeySource string
	// Sandbox is true when BaseURL is the embedded sandbox.
	Sandbox bool
	// Build is this binary's --version line; Executable its path.
	Build, Executable string
	// Env locates the clients' config files.
	Env setup.Env
	// HTTPClient sends the requests (http.DefaultClient when nil);
	// Timeout bounds each (10 s when 0).
	HTTPClient *http.Client
	Timeout    time.Duration
	// Now is the local clock (time.Now when nil).
	Now func() time.Time
	// ClockTolerance is the skew accepted silently (30 s when 0); over
	// MaxClockSkew (5 min when 0) the check fails.
	ClockTolerance, MaxClockSkew time.Duration
}

// Run runs every check in order and returns them; ok is false when one
// failed.
func Run(ctx context.Context, o Options) (checks []Check, ok bool) {
	if o.HTTPClient == nil {
		o.HTTPClient = http.DefaultClient
	}
	if o.Timeout == 0 {
		o.Timeout = 10 * time.Second
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.ClockTolerance == 0 {
		o.ClockTolerance = 30 * time.Second
	}
	if o.MaxClockSkew == 0 {
		o.MaxClockSkew = 5 * time.Minute
	}
	checks = append(checks, Check{Name: "version", Status: OK, Detail: o.Build})
	base, reached := o.checkBaseURL(ctx)
	checks = append(checks, base...)
	checks = append(checks, o.checkKey(ctx, reached))
	checks = append(checks, o.checkClients(ctx)...)
	ok = true
	for _, c := range checks {
		if c.Status == Fail {
			ok = false
		}
	}
	return checks, ok
}

// Print writes the checks, one per line, with the fix under each that is
// not OK.
func Print(w io.Writer, checks []Check) {
	for _, c := range checks {
		fmt.Fprintf(w, "%-4s  %-14s %s\n", c.Status, c.Name, c.Detail)
		if c.Fix != "" && c.Status != OK {
			fmt.Fprintf(w, "      %-14s → %s\n", "", c.Fix)
		}
	}
}

const baseURLFix = "set --base-url (SKYVERN_BASE_URL) to Skyvern's API root: https://api.skyvern.com for Skyvern Cloud, http://localhost:8000 for a local Skyvern; check proxies (HTTPS_PROXY) and firewalls"

// checkBaseURL sends GET /v1/version (no key needed) and reads the clock
// from its Date header. reached is true when Skyvern answered.
func (o Options) checkBaseURL(ctx context.Context) (checks []Check, reached bool) {
	ctx, cancel := context.WithTimeout(ctx, o.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, o.BaseURL+"/v1/version", nil)
	if err != nil {
		return []Check{{Name: "base URL", Status: Fail, Detail: fmt.Sprintf("%q is not a URL", o.BaseURL), Fix: baseURLFix}}, false
	}
	req.Header.Set("User-Agent", "skyvern-mcp/"+client.Version+" doctor")
	sent := o.Now()
	resp, err := o.HTTPClient.Do(req)
	if err != nil {
		return []Check{{Name: "base URL", Status: Fail, Detail: fmt.Sprintf("%s did not answer: %s", o.BaseURL, transportFailure(err)), Fix: baseURLFix}}, false
	}
	received := o.Now()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	_ = resp.Body.Close()
	elapsed := received.Sub(sent).Round(time.Millisecond)

	ct, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	var v client.ServerVersion
	switch {
	case resp.StatusCode == http.StatusOK && ct == "application/json" && json.Unmarshal(body, &v) == nil && v.Version() != "":
		checks = append(checks, Check{Name: "base URL", Status: OK, Detail: fmt.Sprintf("%s answers like Skyvern: version %s (GET /v1/version, %s)", o.BaseURL, v.Version(), elapsed)})
	case resp.StatusCode >= 500:
		return []Check{{Name: "base URL", Status: Fail, Detail: fmt.Sprintf("%s answered HTTP %d to GET /v1/version", o.BaseURL, resp.StatusCode),
			Fix: "Skyvern (or a proxy in front of it) has a problem: try again later; for a local Skyvern, read its logs"}}, true
	default:
		what := fmt.Sprintf("HTTP %d", resp.StatusCode)
		if ct != "" {
			what += ", " + ct
		}
		return []Check{{Name: "base URL", Status: Fail, Detail: fmt.Sprintf("%s answers, but not like Skyvern's API (GET /v1/version: %s)", o.BaseURL, what),
			Fix: "the base URL must be the API root, not the web app (https://api.skyvern.com, not https://app.skyvern.com), without a path beyond an optional /v1; " + baseURLFix}}, false
	}
	checks = append(checks, o.checkClock(resp.Header.Get("Date"), sent, received))
	return checks, true
}

// checkClock compares the server's Date header with the local clock at the
// middle of the request. The header has a one-second resolution.
func (o Options) checkClock(dateHeader string, sent, received time.Time) Check {
	serverTime, err := http.ParseTime(dateHeader)
	if err != nil {
		return Check{Name: "clock", Status: Warn, Detail: "Skyvern's answer has no Date header: the clock was not compared", Fix: "none needed unless 2FA codes (TOTP) fail: then sync the clock (NTP)"}
	}
	local := sent.Add(received.Sub(sent) / 2)
	skew := serverTime.Sub(local)
	abs := skew
	if abs < 0 {
		abs = -abs
	}
	// The Date header drops the fraction of a second.
	if abs <= time.Second+received.Sub(sent)/2 {
		return Check{Name: "clock", Status: OK, Detail: "within 1 s of Skyvern's clock (Date header)"}
	}
	dir := "ahead of"
	if skew > 0 {
		dir = "behind"
	}
	detail := fmt.Sprintf("this machine's clock is %s %s Skyvern's (Date header)", abs.Round(time.Second), dir)
	const fix = "sync the clock (NTP: timedatectl set-ntp true, or the OS's date & time settings); a wrong clock breaks TOTP codes and makes signed artifact URLs look expired"
	switch {
	case abs > o.MaxClockSkew:
		return Check{Name: "clock", Status: Fail, Detail: detail, Fix: fix}
	case abs > o.ClockTolerance:
		return Check{Name: "clock", Status: Warn, Detail: detail, Fix: fix}
	}
	return Check{Name: "clock", Status: OK, Detail: detail}
}

const keyFix = "get a key at Settings → API Keys on https://app.skyvern.com (your Skyvern organization key, not an OpenAI or Anthropic key); set SKYVERN_API_KEY or --api-key-file (skyvern-mcp setup <client> wires it into a client), or use --sandbox to try without an account"

// checkKey makes the cheapest read that needs a valid key: GET
// /v1/folders?page_size=1 (GET /v1/version needs none).
func (o Options) checkKey(ctx context.Context, reached bool) Check {
	if o.APIKey == "" {
		return Check{Name: "API key", Status: Fail, Detail: "no API key (SKYVERN_API_KEY is empty and no --api-key-file)", Fix: keyFix}
	}
	if !reached {
		return Check{Name: "API key", Status: Skip, Detail: "not checked: Skyvern did not answer (key from " + o.KeySource + ")"}
	}
	c, err := client.New(client.WithBaseURL(o.BaseURL), client.WithAPIKey(o.APIKey), client.WithHTTPClient(o.HTTPClient),
		client.WithTimeout(o.Timeout), client.WithUserAgent("skyvern-mcp/"+client.Version+" doctor"))
	if err != nil {
		return Check{Name: "API key", Status: Fail, Detail: err.Error(), Fix: baseURLFix}
	}
	_, err = c.GetFolders(ctx, &client.GetFoldersParams{PageSize: 1})
	var apiErr *client.APIError
	switch {
	case err == nil:
		return Check{Name: "API key", Status: OK, Detail: "accepted (key from " + o.KeySource + "; GET /v1/folders?page_size=1)"}
	case errors.As(err, &apiErr) && (apiErr.StatusCode == http.StatusUnauthorized || apiErr.StatusCode == http.StatusForbidden):
		detail := fmt.Sprintf("Skyvern refused the key from %s (HTTP %d", o.KeySource, apiErr.StatusCode)
		if apiErr.Detail != "" {
			detail += ": " + apiErr.Detail
		}
		return Check{Name: "API key", Status: Fail, Detail: detail + ")", Fix: keyFix}
	}
	return Check{Name: "API key", Status: Fail, Detail: "could not check the key from " + o.KeySource + ": " + err.Error(), Fix: "try again; if it persists, " + baseURLFix}
}

// checkClients finds the server entries of every known client that run a
// skyvern-mcp binary, and asks each binary its version.
func (o Options) checkClients(ctx context.Context) []Check {
	var checks []Check
	for _, name := range setup.ClientNames() {
		c := setup.Clients[name]
		path := c.Path(o.Env)
		raw, err := os.ReadFile(path)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		label := c.Title
		if err != nil {
			checks = append(checks, Check{Name: label, Status: Warn, Detail: fmt.Sprintf("%s: %v", path, err)})
			continue
		}
		servers, err := setup.Servers(c, raw)
		if err != nil {
			checks = append(checks, Check{Name: label, Status: Warn, Detail: fmt.Sprintf("%s: %v", path, err), Fix: "fix the file's JSON; the client cannot read it either"})
			continue
		}
		for _, s := range servers {
			if !isSkyvernMCP(s.Command, o.Executable) {
				continue
			}
			checks = append(checks, o.checkEntry(ctx, label, path, s))
		}
	}
	if len(checks) == 0 {
		return []Check{{Name: "clients", Status: Warn, Detail: "no MCP client is configured to run skyvern-mcp (looked at Claude Desktop, Claude Code, Cursor, VS Code, Windsurf user configs)",
			Fix: "skyvern-mcp setup <client> (claude-desktop, claude-code, cursor, vscode, windsurf)"}}
	}
	return checks
}

func (o Options) checkEntry(ctx context.Context, label, path string, s setup.Server) Check {
	where := fmt.Sprintf("%q in %s runs %s", s.Name, path, s.Command)
	fix := "skyvern-mcp setup " + strings.ToLower(strings.ReplaceAll(label, " ", "-")) + " writes this binary's path"
	if s.Command == "" || !filepath.IsAbs(s.Command) {
		resolved, err := exec.LookPath(s.Command)
		if err != nil {
			return Check{Name: label, Status: Fail, Detail: where + ": not found on PATH", Fix: fix}
		}
		s.Command = resolved
	}
	ctx, cancel := context.WithTimeout(ctx, o.Timeout)
	defer cancel()
	out, err := exec.CommandContext(ctx, s.Command, "--version").Output()
	if err != nil {
		return Check{Name: label, Status: Fail, Detail: fmt.Sprintf("%s: %s --version failed: %v", where, s.Command, err), Fix: fix}
	}
	theirs := strings.TrimSpace(string(out))
	if same(s.Command, o.Executable) {
		return Check{Name: label, Status: OK, Detail: where + " (this binary)"}
	}
	if versionOf(theirs) == versionOf(o.Build) {
		return Check{Name: label, Status: OK, Detail: where + " (" + versionOf(theirs) + ", the same version)"}
	}
	return Check{Name: label, Status: Warn, Detail: fmt.Sprintf("%s: %s, not this binary's version %s", where, versionOf(theirs), versionOf(o.Build)), Fix: fix + " if you meant to upgrade"}
}

// versionOf is the version word of a --version line ("skyvern-mcp v1.2.0
// (commit ...)" gives "v1.2.0").
func versionOf(line string) string {
	f := strings.Fields(line)
	if len(f) >= 2 && f[0] == "skyvern-mcp" {
		return f[1]
	}
	return line
}

// isSkyvernMCP reports whether command starts a skyvern-mcp binary: its
// base name (without .exe) is skyvern-mcp, or it is exe itself.
func isSkyvernMCP(command, exe string) bool {
	base := strings.TrimSuffix(strings.ToLower(filepath.Base(filepath.FromSlash(command))), ".exe")
	return base == "skyvern-mcp" || same(command, exe)
}

func same(a, b string) bool {
	if a == "" || b == "" {
		return false
	}
	if a == b {
		return true
	}
	ra, err1 := filepath.EvalSymlinks(a)
	rb, err2 := filepath.EvalSymlinks(b)
	return err1 == nil && err2 == nil && ra == rb
}

// transportFailure names the kind of a failed request (else its error).
func transportFailure(err error) string {
	if kind := client.TransportFailure(err); kind != "" {
		return kind
	}
	return err.Error()
}
