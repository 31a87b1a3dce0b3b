package main

import (
	"bytes"
	"context"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/skyvern-mcp/skyvern-mcp/internal/setup"
)

func TestDoctorOnSandbox(t *testing.T) {
	env := setup.Env{GOOS: "linux", Home: t.TempDir()}
	var out, errOut bytes.Buffer
	code := doctorWith(context.Background(), []string{"--sandbox"}, env, &out, &errOut)
	assert.Equal(t, 0, code, out.String()+errOut.String())
	assert.Regexp(t, `(?m)^ok    base URL       http://127\.0\.0\.1:\d+ answers like Skyvern: version sandbox-`, out.String())
	assert.Contains(t, out.String(), "ok    API key        accepted (key from the sandbox (--sandbox); GET /v1/folders?page_size=1)\n")
	assert.Contains(t, out.String(), "All checks passed.\n")
	assert.NotContains(t, out.String(), sandboxKey)
}

func TestDoctorExitCodes(t *testing.T) {
	t.Setenv("SKYVERN_API_KEY", "")
	env := setup.Env{GOOS: "linux", Home: t.TempDir()}
	var out, errOut bytes.Buffer
	// Nothing listens on port 9 of loopback.
	assert.Equal(t, 1, doctorWith(context.Background(), []string{"--base-url", "http://127.0.0.1:9"}, env, &out, &errOut))
	assert.Contains(t, out.String(), "FAIL  base URL       http://127.0.0.1:9 did not answer: connection refused\n")
	assert.Contains(t, out.String(), "FAIL  API key        no API key")
	out.Reset()
	assert.Equal(t, 2, doctorWith(context.Background(), []string{"--toolsets", "nope"}, env, &out, &errOut))
	assert.Contains(t, out.String(), "FAIL  config")
	// The subcommand is reached from run.
	out.Reset()
	assert.Equal(t, 0, run(context.Background(), []string{"doctor", "--help"}, nil, &out, &errOut))
}
