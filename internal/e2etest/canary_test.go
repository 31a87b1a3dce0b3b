package e2etest

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/skyvern-mcp/skyvern-mcp/client/sandbox"
)

// Canaries: distinctive values that must never leave the server except
// towards Skyvern.
const (
	canaryKey      = "sk-canary-KEY-7f3a9e21c4b8"
	canaryWrongKey = "sk-canary-WRONGKEY-52d0e6a1"
	canaryPassword = "pw-canary-9b2e71d0Xq"
	canaryCard     = "4242424242429731"
	canaryCVV      = "cvv-canary-41d7"
	canaryTOTP     = "JBSWY3DPCANARYTOTP7Q"
	canarySecret   = "secret-canary-0c5e88"
)

var canaries = map[string]string{
	"API key": canaryKey, "wrong API key": canaryWrongKey, "password": canaryPassword,
	"card number": canaryCard, "CVV": canaryCVV, "TOTP secret": canaryTOTP, "secret value": canarySecret,
}

// echo is an upstream error body that repeats the given canaries, as a
// careless proxy or a verbose error might. A session can only redact what
// it was given, so each session's echoes hold its own key and the
// credential secrets it sent.
func echo(values ...string) string {
	b, _ := json.Marshal(map[string]string{"detail": "rejected request: " + strings.Join(values, " | ")})
	return string(b)
}

// session1Echo holds the first session's key and every credential secret.
var session1Echo = echo(canaryKey, canaryPassword, canaryCard, canaryCVV, canaryTOTP, canarySecret)

// echo422 is a FastAPI validation error whose messages and inputs repeat the
// credential's secrets.
var echo422 = fmt.Sprintf(`{"detail":[{"type":"value_error","loc":["body","credential","password"],"msg":"Value error, password %s is too weak","input":%q},`+
	`{"type":"value_error","loc":["body","credential","card_number"],"msg":"card %s with cvv %s declined","input":%q},`+
	`{"type":"value_error","loc":["body","credential","totp"],"msg":"bad totp %s","input":%q},`+
	`{"type":"value_error","loc":["body","credential","secret_value"],"msg":"bad secret %s","input":%q}]}`,
	canaryPassword, canaryPassword, canaryCard, canaryCVV, canaryCard, canaryTOTP, canaryTOTP, canarySecret, canarySecret)

func passwordCredential() map[string]any {
	return map[string]any{"name": "canary login", "credential_type": "password", "credential": map[string]any{
		"username": "canary-user@example.com", "password": canaryPassword, "totp": canaryTOTP, "totp_type": "authenticator"}}
}

func cardCredential() map[string]any {
	return map[string]any{"name": "canary card", "credential_type": "credit_card", "credential": map[string]any{
		"card_number": canaryCard, "card_cvv": canaryCVV, "card_exp_month": "07", "card_exp_year": "2031",
		"card_brand": "Visa", "card_holder_name": "Canary Holder"}}
}

func secretCredential() map[string]any {
	return map[string]any{"name": "canary secret", "credential_type": "secret", "credential": map[string]any{
		"secret_value": canarySecret, "secret_label": "api token"}}
}

// TestSecretCanaries runs whole stdio sessions of the built binary with
// canary secrets everywhere a client or Skyvern can put them, and asserts
// that none of them appears on stdout (results, resources, notifications,
// errors), on stderr or in the debug log file.
func TestSecretCanaries(t *testing.T) {
	t.Parallel()
	sb, url := startSandbox(t, canaryKey, 400*time.Millisecond)
	logFile := filepath.Join(t.TempDir(), "server.log")
	p := start(t, []string{"--base-url", url, "--log-level", "debug", "--log-file", logFile},
		map[string]string{"SKYVERN_API_KEY": canaryKey})
	p.logFile = logFile
	p.initialize()
	const bound = 15 * time.Second

	// Credentials of every kind are stored, listed and read back.
	var credIDs []string
	for _, args := range []map[string]any{passwordCredential(), cardCredential(), secretCredential()} {
		r := p.callTool("create_credential", args, bound)
		var cred struct {
			CredentialID string `json:"credential_id"`
		}
		r.structured(t, &cred)
		credIDs = append(credIDs, cred.CredentialID)
	}
	p.callTool("get_credentials", map[string]any{}, bound)
	for _, id := range credIDs {
		p.callTool("get_credential", map[string]any{"credential_id": id}, bound)
	}

	// A run that uses the credential, followed to the end with progress
	// notifications; its artifacts, resources and a subscription.
	r := p.callToolMeta("run_task", map[string]any{"prompt": "log in with the stored credential", "wait_for_completion": true},
		map[string]any{"progressToken": "canary-progress"}, bound)
	var run struct {
		RunID  string `json:"run_id"`
		Status string `json:"status"`
	}
	r.structured(t, &run)
	assert.Equal(t, "completed", run.Status)
	assert.NotEmpty(t, p.notificationsOf("notifications/progress"), "progress notifications were sent")
	p.callTool("get_run", map[string]any{"run_id": run.RunID}, bound)
	ar := p.callTool("get_run_artifacts", map[string]any{"run_id": run.RunID}, bound)
	var arts struct {
		Artifacts []struct {
			ArtifactID   string `json:"artifact_id"`
			ArtifactType string `json:"artifact_type"`
		} `json:"artifacts"`
	}
	ar.structured(t, &arts)
	for _, a := range arts.Artifacts {
		if a.ArtifactType != "recording" {
			p.callTool("get_artifact", map[string]any{"artifact_id": a.ArtifactID}, bound)
			m := p.request("resources/read", map[string]any{"uri": "skyvern://artifacts/" + a.ArtifactID}, bound)
			require.Nil(t, m.Error)
		}
	}
	for _, uri := range []string{"skyvern://runs/" + run.RunID, "skyvern://runs/" + run.RunID + "/artifacts"} {
		m := p.request("resources/read", map[string]any{"uri": uri}, bound)
		require.Nil(t, m.Error, uri)
	}
	require.Nil(t, p.request("resources/list", map[string]any{}, bound).Error)

	r = p.callTool("run_task", map[string]any{"prompt": "a run to subscribe to"}, bound)
	var run2 struct {
		RunID string `json:"run_id"`
	}
	r.structured(t, &run2)
	require.Nil(t, p.request("resources/subscribe", map[string]any{"uri": "skyvern://runs/" + run2.RunID}, bound).Error)

	// Upstream errors that echo every canary: a 500 and a 400 on GET
	// /v1/runs/{run_id} (tool and resource), and 4xx/5xx/HTML/truncated
	// answers to POST /v1/credentials.
	for _, f := range []sandbox.Fault{
		{Method: "GET", Path: "/v1/runs/{run_id}", Status: 500, Body: session1Echo},
		{Method: "GET", Path: "/v1/runs/{run_id}", Status: 400, Body: session1Echo},
		{Method: "GET", Path: "/v1/runs/{run_id}", Status: 200, Body: session1Echo[:60], ContentType: "text/plain"},
	} {
		sb.AddFault(f)
		r := p.callTool("get_run", map[string]any{"run_id": run.RunID}, bound)
		assert.True(t, r.IsError, "get_run with fault %d", f.Status)
		m := p.request("resources/read", map[string]any{"uri": "skyvern://runs/" + run.RunID}, bound)
		assert.NotNil(t, m.Error, "resources/read with fault %d", f.Status)
		sb.ClearFaults()
	}
	for _, f := range []sandbox.Fault{
		{Method: "POST", Path: "/v1/credentials", Status: 500, Body: session1Echo},
		{Method: "POST", Path: "/v1/credentials", Status: 400, Body: session1Echo},
		{Method: "POST", Path: "/v1/credentials", Status: 422, Body: echo422},
		{Method: "POST", Path: "/v1/credentials", Status: 502, HTML: true, Body: "<html><body>" + session1Echo + "</body></html>"},
		{Method: "POST", Path: "/v1/credentials", Truncate: true, Body: session1Echo + session1Echo},
		{Method: "POST", Path: "/v1/credentials", Status: 200, Body: session1Echo[:40], ContentType: "text/plain"},
	} {
		sb.AddFault(f)
		for _, args := range []map[string]any{passwordCredential(), cardCredential(), secretCredential()} {
			r := p.callTool("create_credential", args, bound)
			assert.True(t, r.IsError, "create_credential with fault %+v", f.Status)
		}
		sb.ClearFaults()
	}
	time.Sleep(1200 * time.Millisecond) // let the subscription poll (and notify) at least once
	p.ping(bound)
	assert.Equal(t, 0, p.close())

	// A second session with the wrong key: every call is refused, the key
	// is not repeated.
	logFile2 := filepath.Join(t.TempDir(), "wrong-key.log")
	q := start(t, []string{"--base-url", url, "--log-level", "debug", "--log-file", logFile2},
		map[string]string{"SKYVERN_API_KEY": canaryWrongKey})
	q.logFile = logFile2
	q.initialize()
	r = q.callTool("get_run", map[string]any{"run_id": run.RunID}, bound)
	assert.True(t, r.IsError)
	assert.Contains(t, r.text(), "403")
	assert.True(t, q.callTool("create_credential", passwordCredential(), bound).IsError)
	sb.AddFault(sandbox.Fault{Method: "GET", Path: "/v1/runs/{run_id}", Status: 403, Body: echo(canaryWrongKey, canaryPassword, canaryTOTP)})
	assert.True(t, q.callTool("get_run", map[string]any{"run_id": run.RunID}, bound).IsError)
	assert.NotNil(t, q.request("resources/read", map[string]any{"uri": "skyvern://runs/" + run.RunID}, bound).Error)
	sb.ClearFaults()
	assert.Equal(t, 0, q.close())

	checks := 0
	for _, s := range []*proc{p, q} {
		outputs := map[string]string{"stdout": s.stdoutText(), "stderr": s.stderr.String(), "log file": s.logText()}
		require.Contains(t, outputs["log file"], `"message":"skyvern request"`, "the debug log was written")
		for where, text := range outputs {
			for name, canary := range canaries {
				checks++
				if i := strings.Index(text, canary); i >= 0 {
					t.Errorf("the %s canary leaked to %s: ...%s...", name, where, text[max(0, i-300):min(len(text), i+100)])
				}
			}
		}
	}
	// Each canary also reached Skyvern (the sandbox): the test really sent them.
	assert.GreaterOrEqual(t, sb.Calls("POST", "/v1/credentials"), 3+6*3+1)
	t.Logf("%d canary checks over %d stdout bytes, %d notifications", checks, len(p.stdoutText())+len(q.stdoutText()), len(p.notifications))
}
