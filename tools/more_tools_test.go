package tools

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/skyvern-mcp/skyvern-mcp/client"
	"github.com/skyvern-mcp/skyvern-mcp/client/sandbox"
)

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

func TestCoreExtraToolSizes(t *testing.T) {
	byName := map[string]Tool{}
	for _, tl := range All() {
		byName[tl.Tool.Name] = tl
	}
	total := 0
	for _, name := range append(append([]string{}, coreExtraToolNames...), "get_version") {
		tl, ok := byName[name]
		require.True(t, ok, name)
		if tl.Toolset != ToolsetAdmin {
			total += len(tl.Tool.Name) + len(tl.Tool.Title) + len(tl.Tool.Description) + len(tl.Tool.RawInputSchema)
		}
	}
	assert.LessOrEqual(t, total, coreExtraBudget, "the ten core extra tools grew")
	t.Logf("core extra tools: %d bytes of name+title+description+inputSchema", total)

	// Hints: reads are read-only; a retry starts a billed run; writes are
	// never read-only.
	for name, want := range map[string]hints{
		"get_runs_v2": readHints, "get_workflow_runs": readHints, "get_workflow_runs_by_id": readHints, "get_version": readHints,
		"bulk_cancel_runs": {destructive: true, idempotent: true}, "retry_workflow_run": {destructive: true, openWorld: true},
		"update_workflow_folder": {idempotent: true}, "reset_workflow_browser_profile": {destructive: true, idempotent: true},
		"update_browser_session": {idempotent: true}, "update_browser_profile": {idempotent: true},
		"update_credential": {destructive: true, idempotent: true},
	} {
		a := byName[name].Tool.Annotations
		assert.Equal(t, want, effectiveHints(a), name)
	}
	assert.Contains(t, byName["retry_workflow_run"].Tool.Description, "COSTS MONEY")
	assert.Contains(t, byName["get_runs_v2"].Tool.Description, "List and filter")
	assert.Equal(t, ToolsetAdmin, byName["get_version"].Toolset)
	assert.Equal(t, ToolsetAdmin, Toolsets()[len(Toolsets())-1])
}

// The tools stay grouped by toolset, in Toolsets() order.
func TestCatalogGroupedByToolset(t *testing.T) {
	order := Toolsets()
	last := 0
	for _, tl := range All() {
		i := indexOf(order, tl.Toolset)
		require.GreaterOrEqual(t, i, last, "%s (%s) is out of its toolset's place", tl.Tool.Name, tl.Toolset)
		last = i
	}
}

func indexOf(list []string, s string) int {
	for i, v := range list {
		if v == s {
			return i
		}
	}
	return -1
}

func runIDsOf(t *testing.T, list any) []string {
	t.Helper()
	items, ok := list.([]any)
	require.True(t, ok, "%T", list)
	out := []string{}
	for _, it := range items {
		m := it.(map[string]any)
		id, _ := m["run_id"].(string)
		if id == "" {
			id, _ = m["workflow_run_id"].(string)
		}
		out = append(out, id)
	}
	return out
}

func TestRunListAndRetryTools(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	def := map[string]any{"title": "Tool runs", "workflow_definition": map[string]any{
		"parameters":         []any{map[string]any{"parameter_type": "workflow", "key": "city", "workflow_parameter_type": "string"}},
		"blocks":             []any{map[string]any{"block_type": "task", "label": "open", "url": "https://example.com", "navigation_goal": "Open {{city}}"}},
		"error_code_mapping": map[string]any{"CITY_UNKNOWN": "The city does not exist"},
	}}
	wf := h.structured(h.call("create_workflow", map[string]any{"json_definition": def}, nil))
	wpid := wf["workflow_permanent_id"].(string)
	ok := h.structured(h.call("run_workflow", map[string]any{"workflow_id": wpid, "parameters": map[string]any{"city": "Lima"}, "wait_for_completion": true}, nil))
	time.Sleep(2 * time.Millisecond)
	bad := h.structured(h.call("run_workflow", map[string]any{"workflow_id": wpid, "parameters": map[string]any{"city": "Atlantis [sandbox:fail]"}, "wait_for_completion": true}, nil))
	require.Equal(t, "failed", bad["status"])
	time.Sleep(2 * time.Millisecond)
	task := h.structured(h.call("run_task", map[string]any{"prompt": "x", "title": "plain task", "engine": "skyvern-1.0", "wait_for_completion": true}, nil))

	all := h.structured(h.call("get_runs_v2", map[string]any{}, nil))
	assert.Equal(t, []string{task["run_id"].(string), bad["run_id"].(string), ok["run_id"].(string)}, runIDsOf(t, all["runs"]))
	assert.EqualValues(t, 3, all["count"])
	assert.EqualValues(t, 10, all["page_size"])
	failed := h.structured(h.call("get_runs_v2", map[string]any{"status": []any{"failed"}, "run_type": []any{"workflow_run"}}, nil))
	assert.Equal(t, []string{bad["run_id"].(string)}, runIDsOf(t, failed["runs"]))
	byTitle := h.structured(h.call("get_runs_v2", map[string]any{"search_key": "plain"}, nil))
	assert.Equal(t, []string{task["run_id"].(string)}, runIDsOf(t, byTitle["runs"]))

	wrs := h.structured(h.call("get_workflow_runs", map[string]any{"error_code": "CITY_UNKNOWN"}, nil))
	assert.Equal(t, []string{bad["run_id"].(string)}, runIDsOf(t, wrs["workflow_runs"]))
	first := wrs["workflow_runs"].([]any)[0].(map[string]any)
	assert.Equal(t, wpid, first["workflow_permanent_id"])
	assert.Equal(t, "Tool runs", first["workflow_title"])
	assert.NotEmpty(t, first["failure_reason"])
	lima := h.structured(h.call("get_workflow_runs", map[string]any{"search_key": "lima"}, nil))
	assert.Equal(t, []string{ok["run_id"].(string)}, runIDsOf(t, lima["workflow_runs"]))

	mine := h.structured(h.call("get_workflow_runs_by_id", map[string]any{"workflow_id": wpid, "page_size": 1, "page": 2}, nil))
	assert.Equal(t, []string{ok["run_id"].(string)}, runIDsOf(t, mine["workflow_runs"]))
	assert.Empty(t, mine["message"])
	future := time.Now().Add(time.Hour).UTC().Format(time.RFC3339)
	none := h.structured(h.call("get_workflow_runs_by_id", map[string]any{"workflow_id": wpid, "created_at_start": future}, nil))
	assert.EqualValues(t, 0, none["count"])
	assert.Contains(t, none["message"], "wpid_")

	re := h.structured(h.call("retry_workflow_run", map[string]any{"workflow_run_id": bad["run_id"]}, nil))
	newID := re["run_id"].(string)
	assert.True(t, strings.HasPrefix(newID, "wr_"))
	assert.NotEqual(t, bad["run_id"], newID)
	assert.Contains(t, re["message"], bad["run_id"])
	assert.Contains(t, re["message"], "get_run")
	assert.Equal(t, map[string]any{"city": "Atlantis [sandbox:fail]"}, re["run_request"].(map[string]any)["parameters"])
	assert.Equal(t, 1, h.sandbox.Calls("POST", "/v1/agents/runs/{workflow_run_id}/retry"))

	// Skyvern's 404 keeps its status and detail.
	res := h.call("retry_workflow_run", map[string]any{"workflow_run_id": "wr_404"}, nil)
	require.True(t, res.IsError)
	assert.Contains(t, text(res), "HTTP 404")
	assert.Contains(t, text(res), "Workflow run wr_404 not found")

	slow := h.structured(h.call("run_task", map[string]any{"prompt": "slow [sandbox:slow]"}, nil))
	cancel := h.structured(h.call("bulk_cancel_runs", map[string]any{"run_ids": []any{slow["run_id"], ok["run_id"]}}, nil))
	assert.Equal(t, []any{slow["run_id"]}, cancel["cancelled"])
	assert.Equal(t, []any{ok["run_id"]}, cancel["failed"])
	assert.Equal(t, "1 cancelled, 1 not cancelled.", cancel["message"])
	got := h.structured(h.call("get_run", map[string]any{"run_id": slow["run_id"]}, nil))
	assert.Equal(t, "canceled", got["status"])
}

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

func TestFolderResetAndUpdateTools(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	wf := h.structured(h.call("create_workflow", map[string]any{"yaml_definition": "title: Folder me\nworkflow_definition:\n  parameters: []\n  blocks: []\n"}, nil))
	wpid := wf["workflow_permanent_id"]
	folder := h.structured(h.call("create_folder", map[string]any{"title": "Billing"}, nil))["folder_id"]
	moved := h.structured(h.call("update_workflow_folder", map[string]any{"workflow_permanent_id": wpid, "folder_id": folder}, nil))
	assert.Equal(t, folder, moved["folder_id"])
	got := h.structured(h.call("get_folder", map[string]any{"folder_id": folder}, nil))
	assert.EqualValues(t, 1, got["workflow_count"], "the folder counts the workflow moved into it")
	bad := h.call("update_workflow_folder", map[string]any{"workflow_permanent_id": wpid, "folder_id": "fld_missing"}, nil)
	assert.True(t, bad.IsError)
	assert.Contains(t, text(bad), "Folder fld_missing not found")
	list := h.structured(h.call("get_workflows", map[string]any{"folder_id": folder}, nil))
	assert.EqualValues(t, 1, list["count"])
	out := h.structured(h.call("update_workflow_folder", map[string]any{"workflow_permanent_id": wpid}, nil))
	assert.NotContains(t, out, "folder_id")
	res := h.call("update_workflow_folder", map[string]any{"workflow_permanent_id": wpid, "folder_id": "bogus"}, nil)
	require.True(t, res.IsError)
	assert.Contains(t, text(res), "HTTP 400")
	assert.Contains(t, text(res), "Folder bogus not found")

	reset := h.structured(h.call("reset_workflow_browser_profile", map[string]any{"workflow_permanent_id": wpid}, nil))
	assert.Equal(t, true, reset["ok"])
	res = h.call("reset_workflow_browser_profile", map[string]any{"workflow_permanent_id": "wpid_404"}, nil)
	require.True(t, res.IsError)
	assert.Contains(t, text(res), "HTTP 404")
	assert.Contains(t, text(res), "Workflow wpid_404 not found")

	s := h.structured(h.call("create_browser_session", map[string]any{}, nil))
	up := h.structured(h.call("update_browser_session", map[string]any{"browser_session_id": s["browser_session_id"], "generate_browser_profile": true}, nil))
	assert.Equal(t, true, up["generate_browser_profile"])
	h.structured(h.call("close_browser_session", map[string]any{"browser_session_id": s["browser_session_id"]}, nil))
	res = h.call("update_browser_session", map[string]any{"browser_session_id": s["browser_session_id"], "generate_browser_profile": false}, nil)
	require.True(t, res.IsError)
	assert.Contains(t, text(res), "HTTP 409")
	assert.Contains(t, text(res), "already ended")

	p := h.structured(h.call("create_browser_profile", map[string]any{"name": "one", "description": "first"}, nil))
	h.structured(h.call("create_browser_profile", map[string]any{"name": "two"}, nil))
	renamed := h.structured(h.call("update_browser_profile", map[string]any{"profile_id": p["browser_profile_id"], "name": "uno"}, nil))
	assert.Equal(t, "uno", renamed["name"])
	assert.Equal(t, "first", renamed["description"], "fields not given are kept")
	cleared := h.structured(h.call("update_browser_profile", map[string]any{"profile_id": p["browser_profile_id"], "description": ""}, nil))
	assert.NotContains(t, cleared, "description")
	res = h.call("update_browser_profile", map[string]any{"profile_id": p["browser_profile_id"], "name": "two"}, nil)
	require.True(t, res.IsError)
	assert.Contains(t, text(res), "HTTP 409")
}

func TestUpdateCredentialToolNeverShowsSecrets(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	const pw, totp, card, cvv, secret = "tool-upd-pw-3c9d", "TOOLUPDTOTPCANARY", "4000056655665556", "8642", "tool-upd-secret-b7"
	c := h.structured(h.call("create_credential", map[string]any{"name": "site", "credential_type": "password",
		"credential": map[string]any{"username": "ann", "password": "first-pw"}}, nil))
	id := c["credential_id"]
	r1 := h.call("update_credential", map[string]any{"credential_id": id, "name": "site 2",
		"credential": map[string]any{"username": "bea", "password": pw, "totp": totp, "totp_type": "authenticator"}}, nil)
	u1 := h.structured(r1)
	assert.Equal(t, id, u1["credential_id"])
	assert.Equal(t, "site 2", u1["name"])
	assert.Equal(t, "password", u1["credential_type"])
	assert.Equal(t, "bea", u1["credential"].(map[string]any)["username"])
	r2 := h.call("update_credential", map[string]any{"credential_id": id, "name": "card",
		"credential": map[string]any{"card_number": card, "card_cvv": cvv, "card_exp_month": "02", "card_exp_year": "2032", "card_brand": "visa", "card_holder_name": "Bea"}}, nil)
	u2 := h.structured(r2)
	assert.Equal(t, "credit_card", u2["credential_type"])
	assert.Equal(t, "5556", u2["credential"].(map[string]any)["last_four"])
	r3 := h.call("update_credential", map[string]any{"credential_id": "cred_404", "name": "x", "credential": map[string]any{"secret_value": secret}}, nil)
	require.True(t, r3.IsError)
	assert.Contains(t, text(r3), "HTTP 404")
	// A 422 from Skyvern (or a proxy) that echoes the secret: it is redacted.
	h.sandbox.AddFault(sandbox.Fault{Method: "POST", Path: "/v1/credentials/{credential_id}/update", Status: 422, Times: 1,
		Body: `{"detail":[{"loc":["body","credential","password"],"msg":"rejected ` + pw + `","type":"value_error","input":"` + pw + `"}]}`})
	r4 := h.call("update_credential", map[string]any{"credential_id": id, "name": "x", "credential": map[string]any{"username": "u", "password": pw}}, nil)
	require.True(t, r4.IsError)
	assert.Contains(t, text(r4), "HTTP 422")
	assert.Contains(t, text(r4), "[REDACTED]")
	for _, res := range []any{r1, r2, r3, r4} {
		b, err := json.Marshal(res)
		require.NoError(t, err)
		for _, s := range []string{pw, totp, card, `"` + cvv + `"`, secret} {
			assert.NotContains(t, string(b), s)
		}
	}
	for _, s := range []string{pw, totp, card, secret, testKey} {
		assert.NotContains(t, h.logs.String(), s)
	}
}

func TestGetVersionTool(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	v := h.structured(h.call("get_version", map[string]any{}, nil))
	assert.Equal(t, "sandbox-"+client.Version, v["version"])
	assert.Equal(t, map[string]any{"version": "sandbox-" + client.Version}, v["server"])
	assert.Equal(t, client.Version, v["skyvern_mcp_version"])
	only, err := Select(Filter{Toolsets: []string{ToolsetAdmin}})
	require.NoError(t, err)
	require.Len(t, only, 1)
	assert.Equal(t, "get_version", only[0].Tool.Name)
}
