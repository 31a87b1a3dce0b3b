package tools

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var extractionSchema = map[string]any{
	"type": "object",
	"properties": map[string]any{
		"title": map[string]any{"type": "string"},
		"price": map[string]any{"type": "number"},
		"tags":  map[string]any{"type": "array", "items": map[string]any{"type": "string"}},
	},
	"required": []any{"title", "price", "tags"},
}

func TestRunTaskWaitsWithProgress(t *testing.T) {
	h := newHarness(t, harnessOpts{runDuration: 1500 * time.Millisecond})
	res := h.call("run_task", map[string]any{
		"prompt": "Find the price", "url": "https://example.com",
		"data_extraction_schema": extractionSchema, "wait_for_completion": true, "timeout": 20,
	}, 42)
	out := h.structured(res)
	assert.Equal(t, "completed", out["status"])
	runID, _ := out["run_id"].(string)
	assert.True(t, strings.HasPrefix(runID, "tsk_v2_"), "default engine skyvern-2.0 gives tsk_v2_, got %q", runID)
	assert.Equal(t, "task_v2", out["run_type"])

	// The output validates against the schema given.
	c := jsonschema.NewCompiler()
	require.NoError(t, c.AddResource("mem:///s.json", extractionSchema))
	sch, err := c.Compile("mem:///s.json")
	require.NoError(t, err)
	assert.NoError(t, sch.Validate(out["output"]))

	// Progress: the token keeps its JSON type, progress strictly increases,
	// the message names status and step.
	ps := h.progress()
	require.GreaterOrEqual(t, len(ps), 2)
	last := 0.0
	for _, p := range ps {
		assert.EqualValues(t, 42, p["progressToken"])
		v, _ := p["progress"].(float64)
		assert.Greater(t, v, last)
		last = v
		assert.Contains(t, p["message"], runID)
	}
	assert.NotContains(t, ps[len(ps)-1]["message"], "completed", "the final state is in the result, not a late notification")
	assert.Equal(t, 1, h.sandbox.Calls("POST", "/v1/run/tasks"))
}

func TestRunTaskReturnsAtOnceByDefault(t *testing.T) {
	h := newHarness(t, harnessOpts{runDuration: 5 * time.Second})
	out := h.structured(h.call("run_task", map[string]any{"prompt": "x", "engine": "skyvern-1.0"}, nil))
	assert.Contains(t, []any{"created", "queued"}, out["status"])
	assert.True(t, strings.HasPrefix(out["run_id"].(string), "tsk_"))
	assert.NotEmpty(t, out["app_url"])
	assert.Contains(t, out["message"], "get_run")
	assert.Empty(t, h.progress(), "no progress without a token or a wait")
}

func TestWaitTimeoutIsAResultNotAnError(t *testing.T) {
	h := newHarness(t, harnessOpts{runDuration: 10 * time.Second})
	out := h.structured(h.call("run_task", map[string]any{"prompt": "x", "wait_for_completion": true, "timeout": 1}, nil))
	assert.NotContains(t, []any{"completed", "failed"}, out["status"])
	assert.Contains(t, out["message"], "still")
	assert.Contains(t, out["message"], "get_run")
	run := h.structured(h.call("get_run", map[string]any{"run_id": out["run_id"]}, nil))
	assert.NotEqual(t, "canceled", run["status"], "a wait that ends never cancels the run")
}

func TestFailedRunAndFailureReason(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	out := h.structured(h.call("run_task", map[string]any{"prompt": "do it [sandbox:fail]", "wait_for_completion": true}, nil))
	assert.Equal(t, "failed", out["status"])
	assert.NotEmpty(t, out["failure_reason"])
	assert.Contains(t, out["message"], "failed")
}

func TestRunWorkflowAndWorkflowTools(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	def := map[string]any{"title": "Invoices", "workflow_definition": map[string]any{
		"parameters": []any{map[string]any{"parameter_type": "workflow", "key": "month", "workflow_parameter_type": "string"}},
		"blocks":     []any{map[string]any{"block_type": "task", "label": "open", "url": "https://example.com", "navigation_goal": "Open invoices"}},
	}}
	wf := h.structured(h.call("create_workflow", map[string]any{"json_definition": def}, nil))
	wpid := wf["workflow_permanent_id"].(string)
	assert.True(t, strings.HasPrefix(wpid, "wpid_"))
	assert.EqualValues(t, 1, wf["version"])

	up := h.structured(h.call("update_workflow", map[string]any{"workflow_id": wpid, "json_definition": def}, nil))
	assert.EqualValues(t, 2, up["version"])
	vs := h.structured(h.call("get_workflow_versions", map[string]any{"workflow_permanent_id": wpid}, nil))
	assert.EqualValues(t, 2, vs["count"])
	got := h.structured(h.call("get_workflow", map[string]any{"workflow_permanent_id": wpid, "version": 1}, nil))
	assert.EqualValues(t, 1, got["version"])
	list := h.structured(h.call("get_workflows", map[string]any{"search_key": "Invoices"}, nil))
	assert.EqualValues(t, 1, list["count"])

	run := h.structured(h.call("run_workflow", map[string]any{"workflow_id": wpid, "parameters": map[string]any{"month": "May"}, "wait_for_completion": true}, nil))
	assert.Equal(t, "completed", run["status"])
	assert.Equal(t, "workflow_run", run["run_type"])
	tl := h.structured(h.call("get_run_timeline", map[string]any{"run_id": run["run_id"]}, nil))
	assert.NotEmpty(t, tl["timeline"])

	bad := h.call("run_workflow", map[string]any{"agent_id": wpid}, nil)
	assert.True(t, bad.IsError)
	assert.Contains(t, text(bad), "workflow_id")

	h.structured(h.call("delete_workflow", map[string]any{"workflow_id": wpid}, nil))
	gone := h.call("get_workflow", map[string]any{"workflow_permanent_id": wpid}, nil)
	assert.True(t, gone.IsError)
	assert.Contains(t, text(gone), "404")
}

func TestArtifacts(t *testing.T) {
	h := newHarness(t, harnessOpts{recording: 3 << 20})
	run := h.structured(h.call("run_task", map[string]any{"prompt": "x", "wait_for_completion": true}, nil))
	arts := h.structured(h.call("get_run_artifacts", map[string]any{"run_id": run["run_id"]}, nil))
	byType := map[string]string{}
	for _, a := range arts["artifacts"].([]any) {
		m := a.(map[string]any)
		byType[m["artifact_type"].(string)] = m["artifact_id"].(string)
	}
	require.Contains(t, byType, "screenshot_final")
	require.Contains(t, byType, "recording")

	filtered := h.structured(h.call("get_run_artifacts", map[string]any{"run_id": run["run_id"], "artifact_type": []any{"recording"}}, nil))
	assert.EqualValues(t, 1, filtered["count"])

	// get_artifact is the artifact's metadata with a fresh signed_url; a
	// screenshot comes as an image too, a recording does not.
	img := h.call("get_artifact", map[string]any{"artifact_id": byType["screenshot_final"]}, nil)
	meta := h.structured(img)
	assert.Equal(t, byType["screenshot_final"], meta["artifact_id"])
	assert.Equal(t, "screenshot_final", meta["artifact_type"])
	assert.Equal(t, true, meta["inline_image"])
	assert.Contains(t, meta["signed_url"], "/v1/artifacts/"+byType["screenshot_final"]+"/content")
	require.Len(t, img.Content, 2)
	ic, ok := img.Content[1].(mcp.ImageContent)
	require.True(t, ok)
	assert.Equal(t, "image/png", ic.MIMEType)
	png, err := base64.StdEncoding.DecodeString(ic.Data)
	require.NoError(t, err)
	assert.True(t, bytes.HasPrefix(png, []byte("\x89PNG\r\n\x1a\n")))
	assert.EqualValues(t, len(png), meta["file_size"])

	rec := h.call("get_artifact", map[string]any{"artifact_id": byType["recording"]}, nil)
	rm := h.structured(rec)
	assert.Equal(t, "recording", rm["artifact_type"])
	assert.Equal(t, false, rm["inline_image"])
	assert.EqualValues(t, 3<<20, rm["file_size"])
	assert.Equal(t, "skyvern://artifacts/"+byType["recording"], rm["resource_uri"])
	assert.Contains(t, rm["message"], "read the resource skyvern://artifacts/"+byType["recording"])
	assert.Less(t, len(text(rec)), 2000, "metadata only: the content is not read")

	h.deps.ResourceLinks = true
	linked := h.call("get_artifact", map[string]any{"artifact_id": byType["recording"]}, nil)
	require.Len(t, linked.Content, 2)
	link, isLink := linked.Content[1].(mcp.ResourceLink)
	require.True(t, isLink, "%T", linked.Content[1])
	assert.Equal(t, "skyvern://artifacts/"+byType["recording"], link.URI)
	assert.Equal(t, "video/webm", link.MIMEType)
}

func TestBadArgumentsNameTheField(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	for _, tc := range []struct {
		tool string
		args map[string]any
		want []string
	}{
		{"run_task", map[string]any{}, []string{"prompt"}},
		{"run_task", map[string]any{"prompt": "x", "max_steps": "five"}, []string{"max_steps", "integer"}},
		{"run_task", map[string]any{"prompt": "x", "engine": "skyvern-9"}, []string{"engine"}},
		{"run_task", map[string]any{"prompt": "x", "promt": "typo"}, []string{"promt"}},
		{"create_browser_session", map[string]any{"timeout": 2}, []string{"timeout", "5"}},
		{"create_credential", map[string]any{"name": "n", "credential_type": "password", "credential": map[string]any{"username": "u"}}, []string{"credential"}},
	} {
		res := h.call(tc.tool, tc.args, nil)
		require.True(t, res.IsError, "%s %v", tc.tool, tc.args)
		for _, w := range tc.want {
			assert.Contains(t, text(res), w, "%s %v", tc.tool, tc.args)
		}
	}
	assert.Zero(t, h.sandbox.Calls("POST", "/v1/run/tasks"), "invalid arguments never reach Skyvern")
}

func TestSkyvernErrorsAreActionable(t *testing.T) {
	h := newHarness(t, harnessOpts{key: "sk-wrong-key-0000"})
	res := h.call("get_run", map[string]any{"run_id": "tsk_1"}, nil)
	require.True(t, res.IsError)
	assert.Contains(t, text(res), "HTTP 403")
	assert.Contains(t, text(res), "SKYVERN_API_KEY")
	assert.Contains(t, text(res), "not an OpenAI")
	assert.NotContains(t, text(res), "sk-wrong-key-0000")

	h = newHarness(t, harnessOpts{})
	res = h.call("get_run", map[string]any{"run_id": "tsk_does_not_exist"}, nil)
	require.True(t, res.IsError)
	assert.Contains(t, text(res), "HTTP 404")
	assert.Contains(t, text(res), "tsk_")
}

func TestNoKeySaysHowToSetIt(t *testing.T) {
	h := newHarness(t, harnessOpts{noKey: true})
	res := h.call("get_run", map[string]any{"run_id": "tsk_1"}, nil)
	require.True(t, res.IsError)
	assert.Contains(t, text(res), "SKYVERN_API_KEY")
	assert.Contains(t, text(res), "--sandbox")
	assert.Zero(t, h.sandbox.Calls("GET", "/v1/runs/{run_id}"))
}

func TestCredentialsNeverReturnSecrets(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	const pw, totp, card, cvv = "pw-canary-91f2", "JBSWY3DPEHPKCANARY", "4111111111119999", "987"
	r1 := h.call("create_credential", map[string]any{"name": "site", "credential_type": "password",
		"credential": map[string]any{"username": "ann", "password": pw, "totp": totp}}, nil)
	r2 := h.call("create_credential", map[string]any{"name": "card", "credential_type": "credit_card",
		"credential": map[string]any{"card_number": card, "card_cvv": cvv, "card_exp_month": "01", "card_exp_year": "2030", "card_brand": "visa", "card_holder_name": "Ann"}}, nil)
	c1 := h.structured(r1)
	c2 := h.structured(r2)
	assert.Equal(t, "9999", c2["credential"].(map[string]any)["last_four"])
	r3 := h.call("get_credentials", map[string]any{}, nil)
	r4 := h.call("get_credential", map[string]any{"credential_id": c1["credential_id"]}, nil)
	for _, res := range []*mcp.CallToolResult{r1, r2, r3, r4} {
		b, _ := json.Marshal(res)
		for _, secret := range []string{pw, totp, card, cvv + `"`} {
			assert.NotContains(t, string(b), secret)
		}
	}
	h.structured(h.call("delete_credential", map[string]any{"credential_id": c1["credential_id"]}, nil))
	for _, secret := range []string{pw, totp, card, testKey} {
		assert.NotContains(t, h.logs.String(), secret)
	}
}

func TestBrowserSessionsAndProfiles(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	s := h.structured(h.call("create_browser_session", map[string]any{"timeout": 30, "generate_browser_profile": true}, nil))
	id := s["browser_session_id"].(string)
	assert.True(t, strings.HasPrefix(id, "pbs_"))
	assert.EqualValues(t, 30, s["timeout"])
	list := h.structured(h.call("get_browser_sessions", map[string]any{}, nil))
	assert.EqualValues(t, 1, list["count"])
	h.structured(h.call("close_browser_session", map[string]any{"browser_session_id": id}, nil))
	got := h.structured(h.call("get_browser_session", map[string]any{"browser_session_id": id}, nil))
	assert.NotEmpty(t, got["completed_at"])

	p := h.structured(h.call("create_browser_profile", map[string]any{"name": "shop", "browser_session_id": id}, nil))
	pid := p["browser_profile_id"].(string)
	dup := h.call("create_browser_profile", map[string]any{"name": "shop"}, nil)
	require.True(t, dup.IsError)
	assert.Contains(t, text(dup), "409")
	ps := h.structured(h.call("list_browser_profiles", map[string]any{}, nil))
	assert.EqualValues(t, 1, ps["count"])
	h.structured(h.call("get_browser_profile", map[string]any{"profile_id": pid}, nil))
	h.structured(h.call("delete_browser_profile", map[string]any{"profile_id": pid}, nil))
	assert.True(t, h.call("get_browser_profile", map[string]any{"profile_id": pid}, nil).IsError)
}

func TestAgentTools(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "report.pdf"), []byte("%PDF-1.4 test"), 0o600))
	outside := filepath.Join(t.TempDir(), "secret.txt")
	require.NoError(t, os.WriteFile(outside, []byte("no"), 0o600))
	require.NoError(t, os.Symlink(outside, filepath.Join(dir, "link.txt")))
	h := newHarness(t, harnessOpts{uploadDir: dir})

	up := h.structured(h.call("upload_file", map[string]any{"path": "report.pdf"}, nil))
	assert.Equal(t, "report.pdf", up["filename"])
	assert.NotEmpty(t, up["s3_uri"])
	up = h.structured(h.call("upload_file", map[string]any{"content": base64.StdEncoding.EncodeToString([]byte("hi")), "filename": "a.txt"}, nil))
	assert.EqualValues(t, 2, up["size_bytes"])
	for _, p := range []string{outside, "../" + filepath.Base(filepath.Dir(outside)) + "/secret.txt", "link.txt", "/etc/passwd"} {
		res := h.call("upload_file", map[string]any{"path": p}, nil)
		require.True(t, res.IsError, p)
		assert.Contains(t, text(res), "path", p)
	}
	assert.Equal(t, 2, h.sandbox.Calls("POST", "/v1/upload_file"))

	cred := h.structured(h.call("create_credential", map[string]any{"name": "site", "credential_type": "password",
		"credential": map[string]any{"username": "ann", "password": "pw"}}, nil))
	login := h.structured(h.call("login", map[string]any{"credential_type": "skyvern", "credential_id": cred["credential_id"], "url": "https://example.com/login", "wait_for_completion": true}, nil))
	assert.Equal(t, "completed", login["status"])
	assert.Equal(t, "workflow_run", login["run_type"])
	dl := h.structured(h.call("download_files", map[string]any{"navigation_goal": "Download the invoice", "url": "https://example.com", "download_timeout": 30}, nil))
	assert.True(t, strings.HasPrefix(dl["run_id"].(string), "wr_"))

	totp := h.structured(h.call("send_totp_code", map[string]any{"totp_identifier": "ann@example.com", "content": "Your code is 123456"}, nil))
	assert.Equal(t, "123456", totp["code"])
}

func TestUploadDisabledWithoutUploadDir(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	res := h.call("upload_file", map[string]any{"path": "/etc/hostname"}, nil)
	require.True(t, res.IsError)
	assert.Contains(t, text(res), "--upload-dir")
}

func TestCancelRun(t *testing.T) {
	h := newHarness(t, harnessOpts{runDuration: 10 * time.Second})
	run := h.structured(h.call("run_task", map[string]any{"prompt": "x"}, nil))
	h.structured(h.call("cancel_run", map[string]any{"run_id": run["run_id"]}, nil))
	got := h.structured(h.call("get_run", map[string]any{"run_id": run["run_id"]}, nil))
	assert.Equal(t, "canceled", got["status"])
}

// extraReadOnlyToolNames are the read-only tools beyond the SDK reference's;
// each toolset's test file appends its own in an init function.
var extraReadOnlyToolNames []string

func TestReadOnlySelection(t *testing.T) {
	ro, err := Select(Filter{ReadOnly: true, Toolsets: DefaultToolsets()})
	require.NoError(t, err)
	var names []string
	for _, tl := range ro {
		names = append(names, tl.Tool.Name)
		assert.True(t, *tl.Tool.Annotations.ReadOnlyHint)
		assert.False(t, effectiveHints(tl.Tool.Annotations).destructive)
	}
	assert.ElementsMatch(t, append([]string{"get_run", "get_run_timeline", "get_run_artifacts", "get_artifact", "get_workflows",
		"get_workflow", "get_workflow_versions", "get_browser_session", "get_browser_sessions", "list_browser_profiles",
		"get_browser_profile", "get_credentials", "get_credential"}, extraReadOnlyToolNames...), names)
	some, err := Select(Filter{Toolsets: []string{"credentials", "agent"}})
	require.NoError(t, err)
	assert.Len(t, some, 9, "6 credentials tools (with update_credential) and 3 agent tools")
	_, err = Select(Filter{Toolsets: []string{"nope"}})
	assert.ErrorContains(t, err, `unknown toolset "nope"`)
}

// coreExtraToolNames are the extra tools of the core toolsets, which are in
// the default tool set; get_version is in the admin toolset.
var coreExtraToolNames = []string{"bulk_cancel_runs", "get_runs_v2", "get_workflow_runs", "get_workflow_runs_by_id",
	"retry_workflow_run", "update_workflow_folder", "reset_workflow_browser_profile", "update_browser_session",
	"update_browser_profile", "update_credential"}

func init() {
	extraToolNames = append(extraToolNames, coreExtraToolNames...)
	extraToolNames = append(extraToolNames, "get_version")
	extraReadOnlyToolNames = append(extraReadOnlyToolNames, "get_runs_v2", "get_workflow_runs", "get_workflow_runs_by_id")
}

// coreExtraBudget caps name+title+description+inputSchema of the ten core
// extra tools together, in bytes: they join the default tool set, which has
// a byte budget of its own. Measured: 4,953.
const coreExtraBudget = 5000

func TestCoreExtraBadArguments(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	for _, tc := range []struct {
		tool string
		args map[string]any
		want []string
	}{
		{"bulk_cancel_runs", map[string]any{"run_ids": []any{}}, []string{"run_ids"}},
		{"bulk_cancel_runs", map[string]any{}, []string{"run_ids"}},
		{"get_runs_v2", map[string]any{"search_key": "ab"}, []string{"search_key"}},
		{"get_runs_v2", map[string]any{"status": []any{"done"}}, []string{"status[0]", `"done"`, "timed_out"}},
		{"get_runs_v2", map[string]any{"run_type": []any{"task"}}, []string{"run_type[0]", "workflow_run"}},
		{"get_runs_v2", map[string]any{"page_size": 500}, []string{"page_size"}},
		{"get_workflow_runs", map[string]any{"status": []any{"finished"}}, []string{"status[0]", "completed"}},
		{"get_workflow_runs", map[string]any{"search_key": strings.Repeat("x", 501)}, []string{"search_key", "500"}},
		{"get_workflow_runs_by_id", map[string]any{"page": 1}, []string{"workflow_id"}},
		{"get_workflow_runs_by_id", map[string]any{"workflow_id": "wpid_1", "created_at_start": "yesterday"}, []string{"yesterday"}},
		{"retry_workflow_run", map[string]any{"workflow_run_id": "wr_1", "max_steps_override": 0}, []string{"max_steps_override"}},
		{"update_workflow_folder", map[string]any{"folder_id": "fld_1"}, []string{"workflow_permanent_id"}},
		{"update_browser_session", map[string]any{"browser_session_id": "pbs_1"}, []string{"generate_browser_profile"}},
		{"update_browser_profile", map[string]any{"profile_id": "bp_1"}, []string{"nothing to update"}},
		{"update_browser_profile", map[string]any{"profile_id": "bp_1", "name": ""}, []string{"name"}},
		{"update_credential", map[string]any{"credential_id": "cred_1", "name": "n", "credential": map[string]any{"username": "u", "pasword": "typo"}}, []string{"pasword"}},
		{"update_credential", map[string]any{"credential_id": "cred_1", "name": "n", "credential": map[string]any{"token": "t"}}, []string{"credential", "secret_value"}},
		{"get_version", map[string]any{"verbose": true}, []string{"verbose"}},
	} {
		res := h.call(tc.tool, tc.args, nil)
		require.True(t, res.IsError, "%s %v", tc.tool, tc.args)
		for _, w := range tc.want {
			assert.Contains(t, text(res), w, "%s %v", tc.tool, tc.args)
		}
		assert.True(t, strings.HasPrefix(text(res), tc.tool+": "), text(res))
	}
	for _, op := range []struct{ method, path string }{
		{"POST", "/v1/runs/cancel"}, {"GET", "/v1/runs"}, {"GET", "/v1/agents/runs"}, {"GET", "/v1/agents/{workflow_id}/runs"},
		{"POST", "/v1/agents/runs/{workflow_run_id}/retry"}, {"PATCH", "/v1/browser_profiles/{profile_id}"},
		{"POST", "/v1/credentials/{credential_id}/update"},
	} {
		assert.Zero(t, h.sandbox.Calls(op.method, op.path), "invalid arguments never reach Skyvern: %s %s", op.method, op.path)
	}
}
