package tools

import (
	"encoding/base64"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestEveryToolOutputValidates drives every tool through the sandbox once
// with valid arguments and checks (in harness.call) that its structured
// content validates against its outputSchema as JSON Schema 2020-12, as the
// TypeScript SDK's callTool does. A tool added without a call here fails.
func TestEveryToolOutputValidates(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	called := map[string]bool{}
	ok := func(name string, args map[string]any) map[string]any {
		t.Helper()
		res := h.call(name, args, nil)
		require.False(t, res.IsError, "%s: %s", name, text(res))
		called[name] = true
		return h.structured(res)
	}
	str := func(m map[string]any, k string) string {
		t.Helper()
		s, isStr := m[k].(string)
		require.True(t, isStr, "%s in %v", k, m)
		return s
	}

	// Admin.
	ok("get_version", nil)

	// Folders and workflows.
	folder := str(ok("create_folder", map[string]any{"title": "Billing", "description": "Invoices"}), "folder_id")
	ok("get_folders", nil)
	ok("get_folder", map[string]any{"folder_id": folder})
	ok("update_folder", map[string]any{"folder_id": folder, "title": "Billing 2"})
	def := map[string]any{"title": "Invoices", "workflow_definition": map[string]any{
		"parameters": []any{map[string]any{"parameter_type": "workflow", "key": "month", "workflow_parameter_type": "string"}},
		"blocks": []any{map[string]any{"block_type": "extraction", "label": "total", "url": "https://example.com",
			"data_extraction_goal": "The total", "data_schema": map[string]any{"type": "number"}}},
	}}
	wpid := str(ok("create_workflow", map[string]any{"json_definition": def}), "workflow_permanent_id")
	ok("update_workflow", map[string]any{"workflow_id": wpid, "json_definition": def})
	ok("get_workflows", nil)
	ok("get_workflow", map[string]any{"workflow_permanent_id": wpid})
	ok("get_workflow_versions", map[string]any{"workflow_permanent_id": wpid})
	ok("update_workflow_folder", map[string]any{"workflow_permanent_id": wpid, "folder_id": folder})
	ok("reset_workflow_browser_profile", map[string]any{"workflow_permanent_id": wpid})

	// Runs.
	task := ok("run_task", map[string]any{"prompt": "Find the price", "url": "https://example.com", "wait_for_completion": true,
		"data_extraction_schema": map[string]any{"type": "object", "properties": map[string]any{"price": map[string]any{"type": "number"}}}})
	taskID := str(task, "run_id")
	ok("get_run", map[string]any{"run_id": taskID})
	ok("get_run_timeline", map[string]any{"run_id": taskID})
	arts := ok("get_run_artifacts", map[string]any{"run_id": taskID})
	artifacts, _ := arts["artifacts"].([]any)
	require.NotEmpty(t, artifacts)
	ok("get_artifact", map[string]any{"artifact_id": str(artifacts[0].(map[string]any), "artifact_id")})
	ok("retry_run_webhook", map[string]any{"run_id": taskID, "webhook_url": "https://hooks.example.com/skyvern"})
	ok("get_runs_v2", nil)
	wr := str(ok("run_workflow", map[string]any{"workflow_id": wpid, "parameters": map[string]any{"month": "May"}, "wait_for_completion": true}), "run_id")
	ok("retry_workflow_run", map[string]any{"workflow_run_id": wr})
	ok("get_workflow_runs", nil)
	ok("get_workflow_runs_by_id", map[string]any{"workflow_id": wpid})
	pending := str(ok("run_task", map[string]any{"prompt": "Slow", "engine": "skyvern-1.0"}), "run_id")
	ok("bulk_cancel_runs", map[string]any{"run_ids": []any{pending}})
	pending = str(ok("run_task", map[string]any{"prompt": "Slow"}), "run_id")
	ok("cancel_run", map[string]any{"run_id": pending})
	ok("download_files", map[string]any{"navigation_goal": "Download the invoice", "url": "https://example.com", "wait_for_completion": true})

	// Tags.
	ok("apply_workflow_tags", map[string]any{"workflow_permanent_id": wpid, "tags": []any{map[string]any{"key": "env", "value": "prod"}}})
	ok("get_workflow_tags", map[string]any{"workflow_permanent_id": wpid})
	ok("get_workflow_tag_history", map[string]any{"workflow_permanent_id": wpid})
	ok("apply_run_tags", map[string]any{"workflow_run_id": wr, "tags": []any{map[string]any{"key": "team", "value": "qa"}}})
	ok("get_run_tags", map[string]any{"workflow_run_id": wr})
	ok("get_run_tag_history", map[string]any{"workflow_run_id": wr})
	ok("list_tag_keys", nil)
	ok("list_tag_values", map[string]any{"key": "env"})
	ok("update_tag_key", map[string]any{"key": "env", "description": "Environment"})
	ok("update_tag_value", map[string]any{"key": "env", "value": "prod", "color": "blue"})
	ok("rename_tag_value", map[string]any{"key": "env", "value": "prod", "new_value": "live"})
	ok("delete_tag_value", map[string]any{"key": "env", "value": "live"})
	ok("delete_run_tag", map[string]any{"workflow_run_id": wr, "key": "team"})
	ok("apply_workflow_tags", map[string]any{"workflow_permanent_id": wpid, "tags": []any{map[string]any{"key": "owner", "value": "ann"}}})
	ok("delete_workflow_tag", map[string]any{"workflow_permanent_id": wpid, "key": "owner"})
	ok("delete_tag_key", map[string]any{"key": "team"})
	ok("create_tag_value", map[string]any{"key": "stage", "value": "beta", "color": "green"})
	ok("get_run_tag_suggestions", nil)

	// Schedules.
	sched := ok("schedules_create", map[string]any{"workflow_permanent_id": wpid, "cron_expression": "0 7 * * 1", "timezone": "UTC",
		"parameters": map[string]any{"month": "May"}})
	sid := str(sched["schedule"].(map[string]any), "workflow_schedule_id")
	ids := map[string]any{"workflow_permanent_id": wpid, "workflow_schedule_id": sid}
	ok("schedules_list", map[string]any{"workflow_permanent_id": wpid})
	ok("schedules_list_all", nil)
	ok("schedules_get", ids)
	ok("schedules_update", map[string]any{"workflow_permanent_id": wpid, "workflow_schedule_id": sid, "cron_expression": "0 8 * * 1", "timezone": "UTC",
		"parameters": map[string]any{"month": "June"}})
	ok("schedules_disable", ids)
	ok("schedules_enable", ids)
	ok("schedules_delete", ids)

	// Scripts and SDK actions.
	script := str(ok("create_script", map[string]any{"files": []any{map[string]any{"path": "main.py", "content": "print('hi')\n", "encoding": "utf-8"}}}), "script_id")
	ok("get_scripts", nil)
	ok("get_script", map[string]any{"script_id": script})
	ok("deploy_script", map[string]any{"script_id": script, "files": []any{map[string]any{"path": "main.py", "content": "print('v2')\n", "encoding": "utf-8"}}})
	ok("run_script", map[string]any{"script_id": script})

	// Browser sessions and profiles.
	session := str(ok("create_browser_session", map[string]any{"timeout": 10}), "browser_session_id")
	ok("get_browser_session", map[string]any{"browser_session_id": session})
	ok("get_browser_sessions", nil)
	ok("update_browser_session", map[string]any{"browser_session_id": session, "generate_browser_profile": true})
	ok("run_sdk_action", map[string]any{"url": "https://shop.example.com", "browser_session_id": session,
		"action": map[string]any{"type": "extract", "prompt": "the total", "extract_schema": map[string]any{"type": "number"}}})
	profile := str(ok("create_browser_profile", map[string]any{"name": "one", "description": "first"}), "browser_profile_id")
	ok("list_browser_profiles", nil)
	ok("get_browser_profile", map[string]any{"profile_id": profile})
	ok("update_browser_profile", map[string]any{"profile_id": profile, "name": "two"})
	ok("get_browser_profile_usage", map[string]any{"profile_id": profile})
	ok("delete_browser_profile", map[string]any{"profile_id": profile})
	ok("close_browser_session", map[string]any{"browser_session_id": session})

	// Credentials and agent.
	cred := str(ok("create_credential", map[string]any{"name": "site", "credential_type": "password",
		"credential": map[string]any{"username": "ann", "password": "pw-1a2b3c"}}), "credential_id")
	ok("get_credentials", nil)
	ok("get_credential", map[string]any{"credential_id": cred})
	ok("update_credential", map[string]any{"credential_id": cred, "name": "site 2", "credential": map[string]any{"username": "bea", "password": "pw-4d5e6f"}})
	ok("login", map[string]any{"credential_type": "skyvern", "credential_id": cred, "url": "https://example.com/login", "wait_for_completion": true})
	ok("send_totp_code", map[string]any{"totp_identifier": "ann@example.com", "content": "Your code is 123456"})
	file := str(ok("upload_file", map[string]any{"content": base64.StdEncoding.EncodeToString([]byte("hello")), "filename": "a.txt", "retention_days": 7}), "file_id")
	ok("delete_file", map[string]any{"file_id": file})
	ok("delete_credential", map[string]any{"credential_id": cred})

	// Custom LLMs.
	llm := str(ok("create_custom_llm", map[string]any{"config": map[string]any{"display_name": "Router", "provider": "openrouter",
		"model_name": "openai/gpt-4o", "api_key": "sk-or-v1-abcdef0123456789"}}), "id")
	ok("list_custom_llms", nil)
	ok("update_custom_llm", map[string]any{"custom_llm_id": llm, "config": map[string]any{"display_name": "Router 2", "provider": "openrouter",
		"model_name": "openai/gpt-4o", "api_key": "sk-or-v1-abcdef0123456789"}})
	ok("delete_custom_llm", map[string]any{"custom_llm_id": llm})

	// Deletions last.
	ok("delete_workflow", map[string]any{"workflow_id": wpid})
	ok("delete_folder", map[string]any{"folder_id": folder})

	for _, tl := range All() {
		if tl.Toolset == ToolsetBrowser {
			continue // on a real browser: TestBrowserToolsOnChromium
		}
		assert.True(t, called[tl.Tool.Name], "%s is not called here: add a call", tl.Tool.Name)
	}
}
