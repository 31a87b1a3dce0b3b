package client_test

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/skyvern-mcp/skyvern-mcp/client"
	"github.com/skyvern-mcp/skyvern-mcp/client/sandbox"
	"github.com/skyvern-mcp/skyvern-mcp/internal/contracttest"
)

// tagOperations are the 15 tag operations of the SDK, as "METHOD /path/template".
// The x-hidden batch look-ups (/v1/workflow-tags, /v1/run-tags) are left out.
var tagOperations = []string{
	"POST /v1/runs/{workflow_run_id}/tags", "GET /v1/runs/{workflow_run_id}/tags",
	"DELETE /v1/runs/{workflow_run_id}/tags/{key}", "GET /v1/runs/{workflow_run_id}/tags/history",
	"POST /v1/agents/{workflow_permanent_id}/tags", "GET /v1/agents/{workflow_permanent_id}/tags",
	"DELETE /v1/agents/{workflow_permanent_id}/tags/{key}", "GET /v1/agents/{workflow_permanent_id}/tags/history",
	"GET /v1/tag-keys", "PATCH /v1/tag-keys/{key}", "DELETE /v1/tag-keys/{key}",
	"GET /v1/tag-values", "PATCH /v1/tag-values/{key}", "DELETE /v1/tag-values/{key}",
	"PATCH /v1/tag-values/{key}/rename",
}

func TestTagOperationsExistInSpec(t *testing.T) {
	ops := contracttest.Load(t).Operations()
	for _, op := range tagOperations {
		assert.Contains(t, ops, op)
	}
	assert.Len(t, tagOperations, 15)
}

// tagPairs renders tags as "key:value" (or "value" for a standalone label),
// in the order given.
func tagPairs(tags []client.Tag) []string {
	out := make([]string, len(tags))
	for i, tg := range tags {
		out[i] = tg.Value
		if tg.Key != "" {
			out[i] = tg.Key + ":" + tg.Value
		}
	}
	return out
}

func historyPairs(events []client.TagHistoryItem) []string {
	out := make([]string, len(events))
	for i, e := range events {
		out[i] = e.EventType + " " + e.Key + ":" + e.Value
	}
	return out
}

// TestContractTags runs every tag operation against the sandbox through the
// spec-validating transport, with the error answers the spec documents.
func TestContractTags(t *testing.T) {
	e := newContractEnv(t)
	ctx := e.ctx
	seenBefore := e.spec.Seen()

	def := map[string]any{"title": "Tagged WF", "workflow_definition": map[string]any{"parameters": []any{}, "blocks": []any{}}}
	wf, err := e.c.CreateWorkflow(ctx, &client.WorkflowRequest{JSONDefinition: def}, "")
	require.NoError(t, err)
	other, err := e.c.CreateWorkflow(ctx, &client.WorkflowRequest{JSONDefinition: def}, "")
	require.NoError(t, err)
	wpid := wf.WorkflowPermanentID
	wr, err := e.c.RunWorkflow(ctx, &client.WorkflowRunRequest{WorkflowID: wpid})
	require.NoError(t, err)
	task, err := e.c.RunTask(ctx, &client.TaskRunRequest{Prompt: "x", Engine: client.EngineSkyvern1})
	require.NoError(t, err)
	start := time.Now().UTC()

	t.Run("apply_workflow_tags", func(t *testing.T) {
		got, err := e.c.ApplyWorkflowTags(ctx, wpid, &client.TagApplyRequest{
			Tags:   []client.TagInput{{Key: "env", Value: "prod"}, {Key: "team", Value: "qa"}, {Value: "urgent"}},
			Colors: map[string]client.TagColor{"env": "blue"},
		})
		require.NoError(t, err)
		assert.Equal(t, wpid, got.WorkflowPermanentID)
		assert.Equal(t, []string{"env:prod", "team:qa", "urgent"}, tagPairs(got.Tags))
		for _, tg := range got.Tags {
			assert.Equal(t, "manual", tg.Source)
			assert.Equal(t, sandbox.OrganizationID, tg.SetBy)
			assert.NotEmpty(t, tg.SetAt)
		}
		// A key holds one value: a new value replaces it. Set wins over a
		// delete of the same key; a label is removed by its value.
		got, err = e.c.ApplyWorkflowTags(ctx, wpid, &client.TagApplyRequest{
			Tags:         []client.TagInput{{Key: "env", Value: "staging"}, {Value: "nightly"}},
			TagsToDelete: []client.TagDeleteInput{{Key: "env"}, {Key: "team"}, {Value: "urgent"}, {Key: "absent"}},
		})
		require.NoError(t, err)
		assert.Equal(t, []string{"env:staging", "nightly"}, tagPairs(got.Tags))
		// The other workflow carries env:prod, so that value stays in use.
		_, err = e.c.ApplyWorkflowTags(ctx, other.WorkflowPermanentID, &client.TagApplyRequest{Tags: []client.TagInput{{Key: "env", Value: "prod"}}})
		require.NoError(t, err)

		_, err = e.c.ApplyWorkflowTags(ctx, "wpid_missing", &client.TagApplyRequest{Tags: []client.TagInput{{Value: "x"}}})
		assert.True(t, client.IsNotFound(err), "unknown workflow: %v", err)
		_, err = e.c.ApplyWorkflowTags(ctx, wpid, &client.TagApplyRequest{Tags: []client.TagInput{{Key: "skyvern.internal", Value: "x"}, {Key: "env", Value: "a,b"}}})
		var apiErr *client.APIError
		require.ErrorAs(t, err, &apiErr)
		assert.Equal(t, 422, apiErr.StatusCode)
		assert.Contains(t, apiErr.Detail, "tags.0.key")
		assert.Contains(t, apiErr.Detail, "reserved")
		assert.Contains(t, apiErr.Detail, "tags.1.value")
		many := make([]client.TagInput, 21)
		for i := range many {
			many[i] = client.TagInput{Value: "label" + string(rune('a'+i))}
		}
		_, err = e.c.ApplyWorkflowTags(ctx, wpid, &client.TagApplyRequest{Tags: many})
		assert.True(t, client.IsValidation(err), "21 tags: %v", err)
	})
	t.Run("get_workflow_tags", func(t *testing.T) {
		got, err := e.c.GetWorkflowTags(ctx, wpid)
		require.NoError(t, err)
		assert.Equal(t, []string{"env:staging", "nightly"}, tagPairs(got.Tags))
		_, err = e.c.GetWorkflowTags(ctx, "wpid_missing")
		assert.True(t, client.IsNotFound(err))
	})
	t.Run("delete_workflow_tag", func(t *testing.T) {
		got, err := e.c.DeleteWorkflowTag(ctx, wpid, "env")
		require.NoError(t, err)
		assert.Equal(t, []string{"nightly"}, tagPairs(got.Tags))
		got, err = e.c.DeleteWorkflowTag(ctx, wpid, "env")
		require.NoError(t, err, "deleting an absent tag is a no-op")
		assert.Equal(t, []string{"nightly"}, tagPairs(got.Tags))
		_, err = e.c.DeleteWorkflowTag(ctx, "wpid_missing", "env")
		assert.True(t, client.IsNotFound(err))
	})
	t.Run("get_workflow_tag_history", func(t *testing.T) {
		h, err := e.c.GetWorkflowTagHistory(ctx, wpid, nil)
		require.NoError(t, err)
		assert.Equal(t, wpid, h.WorkflowPermanentID)
		assert.Equal(t, []string{"delete env:", "delete :urgent", "delete team:", "set :nightly", "set env:staging",
			"set :urgent", "set team:qa", "set env:prod"}, historyPairs(h.Events), "newest first")
		for _, ev := range h.Events {
			assert.Equal(t, ev.EventType == "set", ev.SupersededAt != "" || ev.Value == "nightly", "%+v", ev)
			assert.True(t, strings.HasPrefix(ev.TagEventID, "tev_"))
		}
		h, err = e.c.GetWorkflowTagHistory(ctx, wpid, &client.TagHistoryParams{Key: "env", Limit: 2})
		require.NoError(t, err)
		assert.Equal(t, []string{"delete env:", "set env:staging"}, historyPairs(h.Events))
		h, err = e.c.GetWorkflowTagHistory(ctx, wpid, &client.TagHistoryParams{Since: start.Add(time.Hour).Format(time.RFC3339)})
		require.NoError(t, err)
		assert.Empty(t, h.Events)
		h, err = e.c.GetWorkflowTagHistory(ctx, wpid, &client.TagHistoryParams{Since: start.Add(-time.Minute).Format(time.RFC3339Nano)})
		require.NoError(t, err)
		assert.Len(t, h.Events, 8)
		_, err = e.c.GetWorkflowTagHistory(ctx, wpid, &client.TagHistoryParams{Limit: 501})
		assert.ErrorContains(t, err, "limit must be between 1 and 500")
		_, err = e.c.GetWorkflowTagHistory(ctx, "wpid_missing", nil)
		assert.True(t, client.IsNotFound(err))
	})

	t.Run("apply_run_tags", func(t *testing.T) {
		got, err := e.c.ApplyRunTags(ctx, wr.RunID, &client.TagApplyRequest{Tags: []client.TagInput{{Key: "env", Value: "prod"}, {Value: "smoke"}}})
		require.NoError(t, err)
		assert.Equal(t, wr.RunID, got.WorkflowRunID)
		assert.Equal(t, []string{"env:prod", "smoke"}, tagPairs(got.Tags))
		_, err = e.c.ApplyRunTags(ctx, task.RunID, &client.TagApplyRequest{Tags: []client.TagInput{{Value: "x"}}})
		var apiErr *client.APIError
		require.ErrorAs(t, err, &apiErr)
		assert.Equal(t, 404, apiErr.StatusCode, "task runs have no run tags")
		assert.Contains(t, apiErr.Detail, "task run")
		_, err = e.c.ApplyRunTags(ctx, wr.RunID, &client.TagApplyRequest{TagsToDelete: []client.TagDeleteInput{{Key: "env", Value: "prod"}}})
		require.ErrorAs(t, err, &apiErr)
		assert.Equal(t, 422, apiErr.StatusCode)
		assert.Contains(t, apiErr.Detail, "not both")
	})
	t.Run("get_run_tags", func(t *testing.T) {
		got, err := e.c.GetRunTags(ctx, wr.RunID)
		require.NoError(t, err)
		assert.Equal(t, []string{"env:prod", "smoke"}, tagPairs(got.Tags))
		_, err = e.c.GetRunTags(ctx, "wr_missing")
		assert.True(t, client.IsNotFound(err))
	})
	t.Run("delete_run_tag", func(t *testing.T) {
		_, err := e.c.ApplyRunTags(ctx, wr.RunID, &client.TagApplyRequest{Tags: []client.TagInput{{Key: "team", Value: "qa"}}})
		require.NoError(t, err)
		got, err := e.c.DeleteRunTag(ctx, wr.RunID, "team")
		require.NoError(t, err)
		assert.Equal(t, []string{"env:prod", "smoke"}, tagPairs(got.Tags))
		_, err = e.c.DeleteRunTag(ctx, wr.RunID, "bad key")
		assert.True(t, client.IsValidation(err), "a key outside [A-Za-z0-9_.-]: %v", err)
		_, err = e.c.DeleteRunTag(ctx, task.RunID, "team")
		assert.True(t, client.IsNotFound(err))
	})
	t.Run("get_run_tag_history", func(t *testing.T) {
		h, err := e.c.GetRunTagHistory(ctx, wr.RunID, &client.TagHistoryParams{Key: "team"})
		require.NoError(t, err)
		assert.Equal(t, wr.RunID, h.WorkflowRunID)
		assert.Equal(t, []string{"delete team:", "set team:qa"}, historyPairs(h.Events))
		assert.NotEmpty(t, h.Events[1].SupersededAt)
		h, err = e.c.GetRunTagHistory(ctx, wr.RunID, &client.TagHistoryParams{Limit: 1})
		require.NoError(t, err)
		assert.Len(t, h.Events, 1)
		_, err = e.c.GetRunTagHistory(ctx, "wr_missing", nil)
		assert.True(t, client.IsNotFound(err))
	})

	t.Run("list_tag_keys", func(t *testing.T) {
		keys, err := e.c.ListTagKeys(ctx)
		require.NoError(t, err)
		// Keys are registered when first applied and stay after their tags
		// are removed; workflow_count counts the workflows carrying them.
		assert.Equal(t, []client.TagKey{{Key: "env", WorkflowCount: 1}, {Key: "team", WorkflowCount: 0}}, keys)
	})
	t.Run("update_tag_key", func(t *testing.T) {
		got, err := e.c.UpdateTagKey(ctx, "env", &client.TagKeyUpdate{Description: ptr("  Deployment environment ")})
		require.NoError(t, err)
		assert.Equal(t, client.TagKey{Key: "env", Description: "Deployment environment", WorkflowCount: 1}, *got)
		keys, err := e.c.ListTagKeys(ctx)
		require.NoError(t, err)
		assert.Equal(t, "Deployment environment", keys[0].Description)
		got, err = e.c.UpdateTagKey(ctx, "team", nil)
		require.NoError(t, err)
		assert.Empty(t, got.Description)
		_, err = e.c.UpdateTagKey(ctx, "nokey", &client.TagKeyUpdate{Description: ptr("x")})
		assert.True(t, client.IsNotFound(err))
		_, err = e.c.UpdateTagKey(ctx, "env", &client.TagKeyUpdate{Description: ptr(strings.Repeat("d", 501))})
		assert.True(t, client.IsValidation(err))
	})
	t.Run("list_tag_values", func(t *testing.T) {
		vals, err := e.c.ListTagValues(ctx, "")
		require.NoError(t, err)
		require.Len(t, vals, 3)
		assert.Equal(t, client.TagValue{Key: "env", Value: "prod", Color: "blue", WorkflowCount: 1}, vals[0])
		assert.Equal(t, []string{"env:staging", "team:qa"}, []string{vals[1].Key + ":" + vals[1].Value, vals[2].Key + ":" + vals[2].Value})
		assert.Zero(t, vals[1].WorkflowCount)
		for _, v := range vals {
			assert.Contains(t, client.TagColor("").EnumValues(), v.Color)
		}
		only, err := e.c.ListTagValues(ctx, "team")
		require.NoError(t, err)
		require.Len(t, only, 1)
		assert.Equal(t, "qa", only[0].Value)
	})
	t.Run("update_tag_value", func(t *testing.T) {
		got, err := e.c.UpdateTagValue(ctx, "env", &client.TagValueUpdate{Value: "prod", Color: "green"})
		require.NoError(t, err)
		assert.Equal(t, client.TagValue{Key: "env", Value: "prod", Color: "green", WorkflowCount: 1}, *got)
		_, err = e.c.UpdateTagValue(ctx, "env", &client.TagValueUpdate{Value: "prod", Color: "magenta"})
		assert.True(t, client.IsValidation(err))
		_, err = e.c.UpdateTagValue(ctx, "env", &client.TagValueUpdate{Value: "dev", Color: "red"})
		assert.True(t, client.IsNotFound(err))
	})
	t.Run("rename_tag_value", func(t *testing.T) {
		got, err := e.c.RenameTagValue(ctx, "env", &client.TagValueRename{Value: "prod", NewValue: "production"})
		require.NoError(t, err)
		assert.Equal(t, client.TagValueRenameResult{Key: "env", Value: "production", Color: "green", RenamedWorkflowCount: 1}, *got)
		// The rename reached the workflow and the run that carried env:prod.
		wtags, err := e.c.GetWorkflowTags(ctx, other.WorkflowPermanentID)
		require.NoError(t, err)
		assert.Equal(t, []string{"env:production"}, tagPairs(wtags.Tags))
		rtags, err := e.c.GetRunTags(ctx, wr.RunID)
		require.NoError(t, err)
		assert.Equal(t, []string{"smoke", "env:production"}, tagPairs(rtags.Tags))

		_, err = e.c.RenameTagValue(ctx, "env", &client.TagValueRename{Value: "staging", NewValue: "production"})
		assert.True(t, isConflict(err), "the new value exists: %v", err)
		_, err = e.c.RenameTagValue(ctx, "env", &client.TagValueRename{Value: "prod", NewValue: "live"})
		assert.True(t, client.IsNotFound(err), "prod was renamed away: %v", err)
		_, err = e.c.RenameTagValue(ctx, "env", &client.TagValueRename{Value: "staging", NewValue: "__other__"})
		assert.True(t, client.IsValidation(err))
	})
	t.Run("delete_tag_value", func(t *testing.T) {
		_, err := e.c.ApplyWorkflowTags(ctx, wpid, &client.TagApplyRequest{Tags: []client.TagInput{{Key: "env", Value: "production"}}})
		require.NoError(t, err)
		got, err := e.c.DeleteTagValue(ctx, "env", &client.TagValueDelete{Value: "production"})
		require.NoError(t, err)
		assert.Equal(t, client.TagValueDeleteResult{Key: "env", Value: "production", RemovedFromWorkflowCount: 2,
			RemovedFromRunCount: 1, RemovedCount: 3}, *got)
		rtags, err := e.c.GetRunTags(ctx, wr.RunID)
		require.NoError(t, err)
		assert.Equal(t, []string{"smoke"}, tagPairs(rtags.Tags))
		vals, err := e.c.ListTagValues(ctx, "env")
		require.NoError(t, err)
		assert.Len(t, vals, 1, "only env:staging is left")
		_, err = e.c.DeleteTagValue(ctx, "env", &client.TagValueDelete{Value: "production"})
		assert.True(t, client.IsNotFound(err))
	})
	t.Run("delete_tag_key", func(t *testing.T) {
		_, err := e.c.ApplyRunTags(ctx, wr.RunID, &client.TagApplyRequest{Tags: []client.TagInput{{Key: "team", Value: "ops"}}})
		require.NoError(t, err)
		_, err = e.c.ApplyWorkflowTags(ctx, wpid, &client.TagApplyRequest{Tags: []client.TagInput{{Key: "team", Value: "qa"}}})
		require.NoError(t, err)
		got, err := e.c.DeleteTagKey(ctx, "team")
		require.NoError(t, err)
		assert.Equal(t, client.TagKeyDeleteResult{Key: "team", RemovedFromWorkflowCount: 1, RemovedFromRunCount: 1, RemovedCount: 2}, *got)
		keys, err := e.c.ListTagKeys(ctx)
		require.NoError(t, err)
		assert.Equal(t, []client.TagKey{{Key: "env", Description: "Deployment environment"}}, keys)
		vals, err := e.c.ListTagValues(ctx, "team")
		require.NoError(t, err)
		assert.Empty(t, vals, "the key's values go with it")
		wtags, err := e.c.GetWorkflowTags(ctx, wpid)
		require.NoError(t, err)
		assert.Equal(t, []string{"nightly"}, tagPairs(wtags.Tags))
		_, err = e.c.DeleteTagKey(ctx, "team")
		assert.True(t, client.IsNotFound(err))
	})

	e.assertExercised(t, seenBefore, tagOperations)
}

// Applying tags is a POST: under an injected 503 it is sent once, never
// retried; reading tags is retried.
func TestApplyTagsIsNeverRetried(t *testing.T) {
	e := newContractEnv(t, contracttest.AllowStatus(503))
	wf, err := e.c.CreateWorkflow(e.ctx, &client.WorkflowRequest{YAMLDefinition: "title: T\nworkflow_definition:\n  parameters: []\n  blocks: []\n"}, "")
	require.NoError(t, err)
	e.sb.AddFault(sandbox.Fault{Method: "POST", Path: "/v1/agents/{workflow_permanent_id}/tags", Status: 503, RetryAfter: "0", Times: 1})
	_, err = e.c.ApplyWorkflowTags(e.ctx, wf.WorkflowPermanentID, &client.TagApplyRequest{Tags: []client.TagInput{{Value: "x"}}})
	assert.Equal(t, 503, client.StatusCode(err))
	assert.Equal(t, 1, e.sb.Calls("POST", "/v1/agents/{workflow_permanent_id}/tags"))

	e.sb.AddFault(sandbox.Fault{Method: "GET", Path: "/v1/agents/{workflow_permanent_id}/tags", Status: 503, RetryAfter: "0", Times: 1})
	got, err := e.c.GetWorkflowTags(e.ctx, wf.WorkflowPermanentID)
	require.NoError(t, err)
	assert.Empty(t, got.Tags, "the failed apply changed nothing")
	assert.Equal(t, 2, e.sb.Calls("GET", "/v1/agents/{workflow_permanent_id}/tags"))
}

func TestTagArgumentsCheckedBeforeSending(t *testing.T) {
	e := newContractEnv(t)
	for name, call := range map[string]func() error{
		"workflow_run_id": func() error { _, err := e.c.ApplyRunTags(e.ctx, " ", nil); return err },
		"workflow_permanent_id": func() error {
			_, err := e.c.GetWorkflowTagHistory(e.ctx, "", nil)
			return err
		},
		"key": func() error { _, err := e.c.DeleteWorkflowTag(e.ctx, "wpid_1", ""); return err },
		"color": func() error {
			_, err := e.c.UpdateTagValue(e.ctx, "env", &client.TagValueUpdate{Value: "prod"})
			return err
		},
		"new_value": func() error {
			_, err := e.c.RenameTagValue(e.ctx, "env", &client.TagValueRename{Value: "prod"})
			return err
		},
		"value": func() error { _, err := e.c.DeleteTagValue(e.ctx, "env", nil); return err },
	} {
		err := call()
		require.Error(t, err, name)
		assert.Contains(t, err.Error(), name)
		assert.Zero(t, client.StatusCode(err), "%s: no request sent", name)
	}
}

// TestStructsMatchSpecTags checks the tag structs against their schemas
// field by field.
func TestStructsMatchSpecTags(t *testing.T) {
	spec := contracttest.Load(t)
	for _, tc := range []struct {
		v      any
		schema string
	}{
		{client.TagInput{}, "TagInput"},
		{client.TagDeleteInput{}, "TagDeleteInput"},
		{client.TagApplyRequest{}, "TagApplyRequest"},
		{client.Tag{}, "TagResponse"},
		{client.RunTags{}, "RunTagsResponse"},
		{client.WorkflowTags{}, "TagsResponse"},
		{client.TagHistoryItem{}, "TagHistoryItem"},
		{client.RunTagHistory{}, "RunTagHistoryResponse"},
		{client.WorkflowTagHistory{}, "TagHistoryResponse"},
		{client.TagKey{}, "TagKey"},
		{client.TagKeyUpdate{}, "TagKeyUpdate"},
		{client.TagKeyDeleteResult{}, "TagKeyDeleteResponse"},
		{client.TagValue{}, "TagValue"},
		{client.TagValueUpdate{}, "TagValueUpdate"},
		{client.TagValueDelete{}, "TagValueDelete"},
		{client.TagValueDeleteResult{}, "TagValueDeleteResponse"},
		{client.TagValueRename{}, "TagValueRename"},
		{client.TagValueRenameResult{}, "TagValueRenameResponse"},
	} {
		t.Run(tc.schema, func(t *testing.T) {
			spec.CheckStruct(t, reflect.TypeOf(tc.v), tc.schema)
		})
	}
}
