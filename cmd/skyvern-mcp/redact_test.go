package main

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/skyvern-mcp/skyvern-mcp/client/sandbox"
)

// exitKey is the canary key: its '/', '+', '&' and '=' make every escaped
// and encoded form differ from the clear one.
const exitKey = "sk-canary/KEY+7f3a&9e21=c4b8Zq"

// canaryForms are the forms of exitKey counted in every way out.
func canaryForms(key string) map[string]string {
	forms := map[string]string{
		"clear":        key,
		"query-escape": url.QueryEscape(key),
		"path-escape":  url.PathEscape(key),
	}
	jb, _ := json.Marshal(key)
	forms["json-escaped"] = string(jb[1 : len(jb)-1])
	for name, enc := range map[string]*base64.Encoding{"base64": base64.RawStdEncoding, "base64url": base64.RawURLEncoding} {
		for off := 0; off < 3; off++ {
			// the part of the encoding of (off bytes + key + more) that
			// depends on the key only
			skip := (3 - off) % 3
			rest := key[skip:]
			forms[fmt.Sprintf("%s@%d", name, off)] = enc.EncodeToString([]byte(rest[:len(rest)/3*3]))
		}
	}
	return forms
}

// canaryHits counts the forms of key in s.
func canaryHits(s, key string) map[string]int {
	hits := map[string]int{}
	for name, f := range canaryForms(key) {
		if n := strings.Count(s, f); n > 0 {
			hits[name] = n
		}
	}
	return hits
}

// echoes are the key in every form, as an upstream that echoes a header
// might put it in a 2xx body (as JSON string content).
func echoes(key string) []string {
	var out []string
	for _, pre := range []string{"", "x", "xy"} {
		out = append(out, base64.StdEncoding.EncodeToString([]byte(pre+"x-api-key: "+key+"\r\n")),
			base64.URLEncoding.EncodeToString([]byte(pre+key)), base64.RawStdEncoding.EncodeToString([]byte(pre+key)))
	}
	return append(out, key, "https://x.test/cb?key="+url.QueryEscape(key), "/echo/"+url.PathEscape(key))
}

// uEscaped spells s with \u escapes only (valid inside a JSON string).
func uEscaped(s string) string {
	var b strings.Builder
	for _, c := range s {
		fmt.Fprintf(&b, `\u%04x`, c)
	}
	return b.String()
}

// TestSecretsNeverLeaveInSuccessfulAnswers: Skyvern answers 2xx with the
// key echoed (clear, base64 at every alignment in both alphabets, URL- and
// JSON-escaped, \u-spelled) in a run's output and failure_reason, a
// timeline, a workflow title and artifact contents; the key appears in no
// way out: tool result text and structured content, resources/read of a
// run and of artifacts (text and binary), prompts/get debug_run, error
// texts and stderr.
func TestSecretsNeverLeaveInSuccessfulAnswers(t *testing.T) {
	sb := sandbox.New(sandbox.Options{APIKey: exitKey})
	srv := httptest.NewServer(sb)
	defer srv.Close()
	ech := echoes(exitKey)
	echoJSON, _ := json.Marshal(ech)
	run := `{"run_id":"tsk_v2_1","status":"failed","run_type":"task_v2","created_at":"2026-01-01T00:00:00Z","modified_at":"2026-01-01T00:00:00Z",` +
		`"output":{"echo":` + string(echoJSON) + `,"spelled":"` + uEscaped(exitKey) + `","headers":"x-api-key: ` + uEscaped(exitKey) + `"},` +
		`"failure_reason":"upstream said: Authorization: Basic ` + base64.StdEncoding.EncodeToString([]byte("user:"+exitKey)) + ` x-api-key=` + url.QueryEscape(exitKey) + `"}`
	joined, _ := json.Marshal(strings.Join(ech, " "))
	timeline := `[{"type":"block","created_at":"x","modified_at":"x","block":{"label":"` + uEscaped(exitKey) + `","block_type":"task","status":"failed","failure_reason":` + string(joined) + `}}]`
	arts := `[{"artifact_id":"a_2","artifact_type":"screenshot_final","uri":"s3://x","created_at":"2026-01-01T00:00:00Z","modified_at":"2026-01-01T00:00:00Z","archived":false}]`
	binary := "\x89PNG\r\n\x1a\n\x00\x00" + exitKey + "\x00\x01\x02" + "z" + exitKey + "\x00"
	workflows := `[{"workflow_id":"w_1","workflow_permanent_id":"wpid_1","version":1,"title":"` + exitKey + `","description":"` + strings.Join(ech, " ") + `","created_at":"x","modified_at":"x","workflow_definition":{"parameters":[],"blocks":[]}}]`
	for _, f := range []sandbox.Fault{
		{Method: "GET", Path: "/v1/runs/tsk_v2_1", Status: 200, Body: run},
		{Method: "GET", Path: "/v1/runs/tsk_v2_1/timeline", Status: 200, Body: timeline},
		{Method: "GET", Path: "/v1/runs/tsk_v2_1/artifacts", Status: 200, Body: arts},
		// get_artifact's metadata, as Skyvern echoes what it is sent.
		{Method: "GET", Path: "/v1/artifacts/a_1", Status: 200, Body: `{"artifact_id":"a_1","artifact_type":"llm_response","uri":"s3://x/` + exitKey + `","signed_url":"https://x/?k=` + exitKey + `","created_at":"2026-01-01T00:00:00Z","modified_at":"2026-01-01T00:00:00Z","archived":false,"organization_id":"o_1"}`},
		{Method: "GET", Path: "/v1/artifacts/a_2", Status: 200, Body: `{"artifact_id":"a_2","artifact_type":"screenshot_final","uri":"s3://x","created_at":"2026-01-01T00:00:00Z","modified_at":"2026-01-01T00:00:00Z","archived":false,"organization_id":"o_1"}`},
		{Method: "GET", Path: "/v1/artifacts/a_1/content", Status: 200, ContentType: "text/plain", Body: "headers echoed: " + strings.Join(ech, "\n")},
		{Method: "GET", Path: "/v1/artifacts/a_2/content", Status: 200, ContentType: "image/png", Body: binary},
		{Method: "GET", Path: "/v1/artifacts/a_3/content", Status: 200, ContentType: "application/octet-stream", Body: binary},
		{Method: "GET", Path: "/v1/agents", Status: 200, Body: workflows},
		{Method: "GET", Path: "/v1/browser_sessions/pbs_1", Status: 400, Body: `{"detail":"bad key ` + base64.StdEncoding.EncodeToString([]byte("k="+exitKey)) + `"}`},
	} {
		sb.AddFault(f)
	}

	req := func(id int, method, params string) string {
		return fmt.Sprintf(`{"jsonrpc":"2.0","id":%d,"method":%q,"params":%s}`, id, method, params)
	}
	exits := map[int]string{
		2: "tools/call get_run", 3: "tools/call get_artifact (metadata)", 4: "tools/call get_artifact (image)",
		5: "tools/call get_workflows", 6: "resources/read run", 7: "resources/read artifact (text)",
		8: "resources/read artifact (binary)", 9: "prompts/get debug_run", 10: "tools/call error text",
		11: "resources/read timeline",
	}
	lines := []string{initialize, initialized,
		req(2, "tools/call", `{"name":"get_run","arguments":{"run_id":"tsk_v2_1"}}`),
		req(3, "tools/call", `{"name":"get_artifact","arguments":{"artifact_id":"a_1"}}`),
		req(4, "tools/call", `{"name":"get_artifact","arguments":{"artifact_id":"a_2"}}`),
		req(5, "tools/call", `{"name":"get_workflows","arguments":{}}`),
		req(6, "resources/read", `{"uri":"skyvern://runs/tsk_v2_1"}`),
		req(7, "resources/read", `{"uri":"skyvern://artifacts/a_1"}`),
		req(8, "resources/read", `{"uri":"skyvern://artifacts/a_3"}`),
		req(9, "prompts/get", `{"name":"debug_run","arguments":{"run_id":"tsk_v2_1"}}`),
		req(10, "tools/call", `{"name":"get_browser_session","arguments":{"browser_session_id":"pbs_1"}}`),
		req(11, "resources/read", `{"uri":"skyvern://runs/tsk_v2_1/timeline"}`),
	}
	stdout, stderr, code := session(t, []string{"--base-url", srv.URL, "--log-level", "debug"},
		map[string]string{"SKYVERN_API_KEY": exitKey}, lines, len(lines)-1)
	require.Equal(t, 0, code, stderr)

	seen := map[int]bool{}
	for _, line := range strings.Split(strings.TrimSpace(stdout), "\n") {
		var m struct {
			ID     int             `json:"id"`
			Result json.RawMessage `json:"result"`
			Error  json.RawMessage `json:"error"`
		}
		require.NoError(t, json.Unmarshal([]byte(line), &m), line)
		name, ok := exits[m.ID]
		if !ok {
			continue
		}
		seen[m.ID] = true
		// Decode once (undoing JSON escapes), then count in the text and
		// in every base64 blob decoded.
		var doc any
		require.NoError(t, json.Unmarshal([]byte(line), &doc))
		texts := collectStrings(doc)
		total := map[string]int{}
		for _, s := range texts {
			for k, n := range canaryHits(s, exitKey) {
				total[k] += n
			}
			if b, err := base64.StdEncoding.DecodeString(s); err == nil && len(s) > 16 {
				for k, n := range canaryHits(string(b), exitKey) {
					total["in blob: "+k] += n
				}
			}
		}
		assert.Empty(t, total, "%s: canary hits per form in %s", name, line)
		if testing.Verbose() {
			t.Logf("%s: %.300s", name, line)
		}
		t.Logf("%-36s canary hits: %d", name, sum(total))
		switch m.ID {
		case 4:
			assert.Contains(t, line, `"type":"image"`, "the screenshot is inlined, redacted")
			assert.Contains(t, line, `"inline_image":true`)
		case 3:
			assert.Contains(t, line, "[REDACTED]")
			assert.Contains(t, line, `"artifact_type":"llm_response"`)
			assert.NotContains(t, line, `"isError":true`)
		case 10:
			assert.Contains(t, line, "[REDACTED]", "the error still says what happened")
		case 9:
			assert.Contains(t, line, "Timeline:", "debug_run embeds the timeline")
			assert.Contains(t, line, "image/png", "and the screenshot")
			fallthrough
		case 2, 6, 11:
			assert.NotContains(t, line, `"error"`)
			assert.Contains(t, line, "[REDACTED]")
			assert.Contains(t, line, "tsk_v2_1", "the rest of the answer is intact")
		}
		if m.ID == 2 {
			var res struct {
				Result struct {
					StructuredContent map[string]any `json:"structuredContent"`
				} `json:"result"`
			}
			require.NoError(t, json.Unmarshal([]byte(line), &res))
			assert.Equal(t, "failed", res.Result.StructuredContent["status"], "structured content is still a valid object")
		}
	}
	assert.Len(t, seen, len(exits), stdout)
	hits := canaryHits(stderr, exitKey)
	assert.Empty(t, hits, "stderr: %s", stderr)
	t.Logf("%-36s canary hits: %d", "stderr (debug logs)", sum(hits))
}

func sum(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

func collectStrings(v any) []string {
	switch x := v.(type) {
	case string:
		return []string{x}
	case map[string]any:
		var out []string
		for k, e := range x {
			out = append(out, k)
			out = append(out, collectStrings(e)...)
		}
		return out
	case []any:
		var out []string
		for _, e := range x {
			out = append(out, collectStrings(e)...)
		}
		return out
	}
	return nil
}

// TestHTTPSecretsNeverLeaveInSuccessfulAnswers: over HTTP, a caller's own
// x-api-key, the bearer token and a credential's password, echoed by
// Skyvern in 2xx answers (run output and failure_reason, a workflow
// title), never come back in tool results, resource contents or logs.
func TestHTTPSecretsNeverLeaveInSuccessfulAnswers(t *testing.T) {
	const (
		callerKey = "sk-canary/CALLER+key=91d0e2"
		token     = "tok-canary-bearer-5a1f3e0c77"
		password  = "pw-canary/9b2e+71d0"
	)
	// An upstream that answers every GET with the caller's key (from its
	// x-api-key header), the token and the password in a 200 body, and
	// accepts credentials.
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		key := r.Header.Get("x-api-key")
		secrets := strings.Join(append(echoes(key), token, password, base64.StdEncoding.EncodeToString([]byte(password))), " ")
		s, _ := json.Marshal(secrets)
		switch {
		case r.URL.Path == "/v1/version":
			_, _ = io.WriteString(w, `{"version":"1"}`)
		case r.Method == "POST" && r.URL.Path == "/v1/credentials":
			w.WriteHeader(201)
			_, _ = io.WriteString(w, `{"credential_id":"cred_1","name":"c","credential_type":"password","credential":{"username":"u"}}`)
		case strings.HasPrefix(r.URL.Path, "/v1/runs/"):
			_, _ = io.WriteString(w, `{"run_id":"tsk_1","status":"failed","run_type":"task_v1","created_at":"x","modified_at":"x","output":{"echo":`+string(s)+`},"failure_reason":`+string(s)+`}`)
		case r.URL.Path == "/v1/agents":
			_, _ = io.WriteString(w, `[{"workflow_id":"w_1","workflow_permanent_id":"wpid_1","version":1,"title":`+string(s)+`,"created_at":"x","modified_at":"x","workflow_definition":{"parameters":[],"blocks":[]}}]`)
		default:
			w.WriteHeader(404)
			_, _ = io.WriteString(w, `{"detail":"not found: `+key+`"}`)
		}
	}))
	defer upstream.Close()

	s := serveHTTP(t, []string{"--transport", "http", "--log-level", "debug", "--base-url", upstream.URL}, map[string]string{"MCP_AUTH_TOKEN": token})
	c := connect(t, s.base, map[string]string{"x-api-key": callerKey, "Authorization": "Bearer " + token})
	res := c.call("create_credential", map[string]any{"name": "c", "credential_type": "password",
		"credential": map[string]any{"username": "u", "password": password}})
	require.False(t, res.IsError, text(res))
	var answers []string
	for _, call := range []struct {
		name string
		args map[string]any
	}{
		{"get_run", map[string]any{"run_id": "tsk_1"}},
		{"get_workflows", map[string]any{}},
		{"get_browser_session", map[string]any{"browser_session_id": "pbs_1"}},
	} {
		res := c.call(call.name, call.args)
		b, err := json.Marshal(res)
		require.NoError(t, err)
		answers = append(answers, string(b))
	}
	ctx, cancel := c.ctx()
	rr, err := c.c.ReadResource(ctx, mcp.ReadResourceRequest{Params: mcp.ReadResourceParams{URI: "skyvern://runs/tsk_1"}})
	cancel()
	require.NoError(t, err)
	b, _ := json.Marshal(rr)
	answers = append(answers, string(b))
	joined := strings.Join(answers, "\n")
	assert.Contains(t, joined, "[REDACTED]")
	assert.Contains(t, joined, `"status":"failed"`, "the answers themselves came through")
	require.Equal(t, 0, s.stop())
	for what, out := range map[string]string{"answers": joined, "logs": s.stderr.String()} {
		var doc any
		texts := []string{out}
		if json.Unmarshal([]byte("["+strings.Join(strings.Split(strings.TrimSpace(out), "\n"), ",")+"]"), &doc) == nil {
			texts = collectStrings(doc)
		}
		all := strings.Join(texts, "\n")
		for name, secret := range map[string]string{"caller key": callerKey, "bearer token": token, "password": password} {
			hits := canaryHits(all, secret)
			assert.Empty(t, hits, "%s: %s", what, name)
			t.Logf("%-8s %-13s canary hits: %d", what, name, sum(hits))
		}
	}
}

// TestSandboxKeyBlanksNothing: the key sent to the embedded sandbox is
// redacted like any key, so it must be a value no text holds by chance
// (a plain "sandbox" blanked the sandbox's own log line and triggers).
func TestSandboxKeyBlanksNothing(t *testing.T) {
	stdout, stderr, code := session(t, []string{"--sandbox", "--sandbox-run-seconds", "0"}, nil, []string{initialize, initialized,
		`{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"run_task","arguments":{"prompt":"fail please [sandbox:fail]","wait_for_completion":true,"timeout":20}}}`}, 2)
	require.Equal(t, 0, code, stderr)
	assert.Contains(t, stdout, "Sandbox: the run failed as requested by [sandbox:fail].")
	assert.NotContains(t, stdout, "[REDACTED]")
	assert.NotContains(t, stderr, "[REDACTED]")
}
