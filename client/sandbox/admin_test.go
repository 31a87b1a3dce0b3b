package sandbox_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/skyvern-mcp/skyvern-mcp/client/sandbox"
)

// GET /v1/version needs no key (the spec lists no x-api-key for it); every
// new route does.
func TestVersionIsPublicAndNewRoutesNeedTheKey(t *testing.T) {
	e := newEnv(t, sandbox.Options{}, true)
	assert.Equal(t, 200, doRaw(t, "GET", e.srv.URL+"/v1/version", nil))
	for _, r := range []struct{ method, path string }{
		{"POST", "/v1/runs/cancel"}, {"GET", "/v1/runs"}, {"GET", "/v1/agents/runs"}, {"GET", "/v1/agents/wpid_1/runs"},
		{"POST", "/v1/agents/runs/wr_1/retry"}, {"PUT", "/v1/agents/wpid_1/folder"},
		{"POST", "/v1/agents/wpid_1/browser_session/reset_profile"}, {"PATCH", "/v1/browser_sessions/pbs_1"},
		{"PATCH", "/v1/browser_profiles/bp_1"}, {"POST", "/v1/credentials/cred_1/update"},
	} {
		assert.Equal(t, 403, doRaw(t, r.method, e.srv.URL+r.path, map[string]string{"x-api-key": "wrong"}), "%s %s", r.method, r.path)
	}
	// /v1/agents/runs is not mistaken for a workflow ID.
	code, _, body := e.raw(t, "GET", "/v1/agents/runs", "", "")
	assert.Equal(t, 200, code)
	assert.True(t, strings.HasPrefix(string(body), "["))
}
