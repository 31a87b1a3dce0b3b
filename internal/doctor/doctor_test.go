package doctor

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/skyvern-mcp/skyvern-mcp/internal/setup"
)

const goodKey = "sk-good-5e1c"

// fakeSkyvern answers GET /v1/version and GET /v1/folders like Skyvern
// (FastAPI's {"detail": ...} for a refused key), its clock shifted by skew.
func fakeSkyvern(t *testing.T, skew time.Duration) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Date", time.Now().Add(skew).UTC().Format(http.TimeFormat))
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case "/v1/version":
			_, _ = io.WriteString(w, `{"version":"3f2a1b0"}`)
		case "/v1/folders":
			if r.Header.Get("x-api-key") != goodKey {
				w.WriteHeader(http.StatusForbidden)
				_, _ = io.WriteString(w, `{"detail":"Could not validate credentials"}`)
				return
			}
			assert.Equal(t, "1", r.URL.Query().Get("page_size"))
			_, _ = io.WriteString(w, `[]`)
		default:
			w.WriteHeader(http.StatusNotFound)
			_, _ = io.WriteString(w, `{"detail":"Not Found"}`)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

func byName(checks []Check) map[string]Check {
	m := map[string]Check{}
	for _, c := range checks {
		m[c.Name] = c
	}
	return m
}

func emptyHome(t *testing.T) setup.Env { return setup.Env{GOOS: "linux", Home: t.TempDir()} }

func TestDoctorAllGood(t *testing.T) {
	srv := fakeSkyvern(t, 0)
	checks, ok := Run(context.Background(), Options{BaseURL: srv.URL, APIKey: goodKey, KeySource: "SKYVERN_API_KEY", Build: "skyvern-mcp v1.0.0 (commit x)", Env: emptyHome(t)})
	assert.True(t, ok)
	m := byName(checks)
	assert.Equal(t, OK, m["base URL"].Status)
	assert.Contains(t, m["base URL"].Detail, "answers like Skyvern: version 3f2a1b0")
	assert.Equal(t, Check{Name: "clock", Status: OK, Detail: "within 1 s of Skyvern's clock (Date header)"}, m["clock"])
	assert.Equal(t, OK, m["API key"].Status)
	assert.Equal(t, Warn, m["clients"].Status, "no client configured is worth a warning, not a failure")
	var out bytes.Buffer
	Print(&out, checks)
	assert.NotContains(t, out.String(), goodKey)
	assert.Contains(t, out.String(), "ok    version        skyvern-mcp v1.0.0 (commit x)\n")
}

func TestDoctorRefusedKey(t *testing.T) {
	srv := fakeSkyvern(t, 0)
	checks, ok := Run(context.Background(), Options{BaseURL: srv.URL, APIKey: "sk-wrong-9d2f", KeySource: "SKYVERN_API_KEY", Env: emptyHome(t)})
	assert.False(t, ok)
	c := byName(checks)["API key"]
	assert.Equal(t, Fail, c.Status)
	assert.Equal(t, "Skyvern refused the key from SKYVERN_API_KEY (HTTP 403: Could not validate credentials)", c.Detail)
	assert.Contains(t, c.Fix, "Settings → API Keys")
	var out bytes.Buffer
	Print(&out, checks)
	assert.NotContains(t, out.String(), "sk-wrong-9d2f")
}

func TestDoctorNoKey(t *testing.T) {
	srv := fakeSkyvern(t, 0)
	checks, ok := Run(context.Background(), Options{BaseURL: srv.URL, Env: emptyHome(t)})
	assert.False(t, ok)
	assert.Equal(t, Fail, byName(checks)["API key"].Status)
	assert.Contains(t, byName(checks)["API key"].Fix, "--sandbox")
}

func TestDoctorNotSkyvern(t *testing.T) {
	// The web app's address instead of the API's: an HTML page.
	app := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = io.WriteString(w, "<!doctype html><title>Skyvern</title>")
	}))
	defer app.Close()
	checks, ok := Run(context.Background(), Options{BaseURL: app.URL, APIKey: goodKey, KeySource: "SKYVERN_API_KEY", Env: emptyHome(t)})
	assert.False(t, ok)
	m := byName(checks)
	assert.Equal(t, Fail, m["base URL"].Status)
	assert.Equal(t, app.URL+" answers, but not like Skyvern's API (GET /v1/version: HTTP 200, text/html)", m["base URL"].Detail)
	assert.Contains(t, m["base URL"].Fix, "not https://app.skyvern.com")
	assert.Equal(t, Skip, m["API key"].Status)
}

func TestDoctorUnreachable(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close()
	checks, ok := Run(context.Background(), Options{BaseURL: url, APIKey: goodKey, KeySource: "SKYVERN_API_KEY", Env: emptyHome(t)})
	assert.False(t, ok)
	assert.Equal(t, Check{Name: "base URL", Status: Fail, Detail: url + " did not answer: connection refused", Fix: baseURLFix}, byName(checks)["base URL"])
}

func TestDoctorClockSkew(t *testing.T) {
	for _, tc := range []struct {
		skew   time.Duration
		status Status
		detail string
	}{
		{2 * time.Minute, Warn, "this machine's clock is 2m0s behind Skyvern's (Date header)"},
		{-10 * time.Minute, Fail, "this machine's clock is 10m0s ahead of Skyvern's (Date header)"},
	} {
		srv := fakeSkyvern(t, tc.skew)
		checks, ok := Run(context.Background(), Options{BaseURL: srv.URL, APIKey: goodKey, KeySource: "k", Env: emptyHome(t)})
		c := byName(checks)["clock"]
		assert.Equal(t, tc.status, c.Status)
		// The header drops fractions of a second: allow one either way.
		assert.Contains(t, []string{tc.detail, replaceDuration(tc.detail, tc.skew, time.Second), replaceDuration(tc.detail, tc.skew, -time.Second)}, c.Detail)
		assert.Contains(t, c.Fix, "NTP")
		assert.Equal(t, tc.status != Fail, ok)
	}
}

func replaceDuration(s string, skew, delta time.Duration) string {
	if skew < 0 {
		skew = -skew
	}
	return string(bytes.Replace([]byte(s), []byte(skew.String()), []byte((skew + delta).String()), 1))
}

// TestDoctorFindsConfiguredClients writes client configs into a temp HOME:
// one entry runs this binary, one an older skyvern-mcp, one a binary that
// is gone, and one another server (ignored).
func TestDoctorFindsConfiguredClients(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("the fake binaries are shell scripts")
	}
	env := emptyHome(t)
	bin := t.TempDir()
	self := filepath.Join(bin, "self", "skyvern-mcp")
	old := filepath.Join(bin, "old", "skyvern-mcp")
	for p, v := range map[string]string{self: "v1.2.0", old: "v1.1.0"} {
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, []byte("#!/bin/sh\necho 'skyvern-mcp "+v+" (commit abc, built x, go1.26 linux/amd64)'\n"), 0o755))
	}
	write := func(client, body string) {
		p := setup.Clients[client].Path(env)
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, []byte(body), 0o644))
	}
	write("cursor", `{"mcpServers":{"skyvern":{"command":"`+self+`","env":{"SKYVERN_API_KEY":"${env:SKYVERN_API_KEY}"}},"github":{"command":"npx"}}}`)
	write("claude-desktop", `{"mcpServers":{"skyvern":{"command":"`+old+`","args":["--sandbox"]}}}`)
	write("windsurf", `{"mcpServers":{"sky":{"command":"`+filepath.Join(bin, "gone", "skyvern-mcp")+`"}}}`)
	write("vscode", "{ // comment\n}")

	srv := fakeSkyvern(t, 0)
	checks, ok := Run(context.Background(), Options{BaseURL: srv.URL, APIKey: goodKey, KeySource: "k", Env: env,
		Build: "skyvern-mcp v1.2.0 (commit abc)", Executable: self})
	assert.False(t, ok, "a configured binary that is gone is a failure")
	m := byName(checks)
	assert.Equal(t, Check{Name: "Cursor", Status: OK, Detail: `"skyvern" in ` + setup.Clients["cursor"].Path(env) + " runs " + self + " (this binary)"}, m["Cursor"])
	assert.Equal(t, Warn, m["Claude Desktop"].Status)
	assert.Equal(t, `"skyvern" in `+setup.Clients["claude-desktop"].Path(env)+" runs "+old+": v1.1.0, not this binary's version v1.2.0", m["Claude Desktop"].Detail)
	assert.Equal(t, Fail, m["Windsurf"].Status)
	assert.Contains(t, m["Windsurf"].Fix, "skyvern-mcp setup windsurf")
	assert.Equal(t, Warn, m["VS Code"].Status)
	_, listed := m["clients"]
	assert.False(t, listed)
}
