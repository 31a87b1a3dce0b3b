package sandbox_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/skyvern-mcp/skyvern-mcp/client"
	"github.com/skyvern-mcp/skyvern-mcp/client/sandbox"
)

func newTaggedWorkflow(t *testing.T, e *env) string {
	t.Helper()
	wf, err := e.c.CreateWorkflow(e.ctx, &client.WorkflowRequest{YAMLDefinition: "title: Tagged\nworkflow_definition:\n  parameters: []\n  blocks: []\n"}, "")
	require.NoError(t, err)
	return wf.WorkflowPermanentID
}

func TestApplyTagsValidation(t *testing.T) {
	e := newEnv(t, sandbox.Options{}, false)
	wpid := newTaggedWorkflow(t, e)
	path := "/v1/agents/" + wpid + "/tags"
	for _, tc := range []struct {
		body string
		loc  []any
		msg  string
	}{
		{`{"tags":[{"key":"skyvern.run","value":"x"}]}`, []any{"body", "tags", 0, "key"}, "reserved 'skyvern.' prefix"},
		{`{"tags":[{"key":"-env","value":"x"}]}`, []any{"body", "tags", 0, "key"}, "must start with alphanumeric"},
		{`{"tags":[{"key":"` + strings.Repeat("k", 65) + `","value":"x"}]}`, []any{"body", "tags", 0, "key"}, "at most 64 characters"},
		{`{"tags":[{"key":"env","value":"a,b"}]}`, []any{"body", "tags", 0, "value"}, "must not contain ','"},
		{`{"tags":[{"key":"env","value":"  "}]}`, []any{"body", "tags", 0, "value"}, "tag value is required"},
		{`{"tags":[{"key":"env","value":"` + strings.Repeat("v", 257) + `"}]}`, []any{"body", "tags", 0, "value"}, "at most 256 characters"},
		{`{"tags":[{"value":"__untagged__"}]}`, []any{"body", "tags", 0, "value"}, "reserved as an analytics bucket marker"},
		{`{"tags":[{"value":"env:prod"}]}`, []any{"body", "tags", 0}, "standalone label values must not contain ':'"},
		{`{"tags":[{"key":"env","value":"*"}]}`, []any{"body", "tags", 0}, "must not be exactly '*'"},
		{`{"tags":[{"key":"env"}]}`, []any{"body", "tags", 0, "value"}, "Field required"},
		{`{"tags":{"env":"prod"}}`, []any{"body", "tags"}, "must be a JSON array"},
		{`{"tags":["env:prod"]}`, []any{"body", "tags", 0}, "valid dictionary"},
		{`{"tags_to_delete":[{}]}`, []any{"body", "tags_to_delete", 0}, "must specify a key (group) or a value (label)"},
		{`{"tags_to_delete":[{"key":"env","value":"prod"}]}`, []any{"body", "tags_to_delete", 0}, "not both"},
		{`{"colors":{"env":"magenta"}}`, []any{"body", "colors", "env"}, "tag color must be one of: gray, red"},
		{`{"colors":["blue"]}`, []any{"body", "colors"}, "valid dictionary"},
		{``, []any{"body"}, "Field required"},
	} {
		code, _, body := e.raw(t, "POST", path, "application/json", tc.body)
		require.Equal(t, 422, code, tc.body)
		ve := findLoc(t, validation(t, body), tc.loc...)
		assert.Contains(t, ve.Msg, tc.msg, tc.body)
	}
	many := make([]string, 21)
	for i := range many {
		many[i] = `{"value":"l` + string(rune('a'+i)) + `"}`
	}
	code, _, body := e.raw(t, "POST", path, "application/json", `{"tags":[`+strings.Join(many, ",")+`]}`)
	require.Equal(t, 422, code)
	assert.Contains(t, findLoc(t, validation(t, body), "body", "tags").Msg, "at most 20 entries")

	// 20 tags fit; one more, added later, does not.
	_, err := e.c.ApplyWorkflowTags(e.ctx, wpid, &client.TagApplyRequest{Tags: func() []client.TagInput {
		out := make([]client.TagInput, 20)
		for i := range out {
			out[i] = client.TagInput{Key: "k" + string(rune('a'+i)), Value: "v"}
		}
		return out
	}()})
	require.NoError(t, err)
	code, _, body = e.raw(t, "POST", path, "application/json", `{"tags":[{"value":"one-more"}]}`)
	require.Equal(t, 422, code)
	assert.JSONEq(t, `{"detail":"workflow `+wpid+` would have 21 user-writable tags; max is 20"}`, string(body))
	// Replacing a value, or swapping one tag for another, stays within the cap.
	_, err = e.c.ApplyWorkflowTags(e.ctx, wpid, &client.TagApplyRequest{Tags: []client.TagInput{{Key: "ka", Value: "w"}, {Value: "one-more"}},
		TagsToDelete: []client.TagDeleteInput{{Key: "kb"}}})
	require.NoError(t, err)

	// Body validation comes before the lookup, as in FastAPI.
	code, _, _ = e.raw(t, "POST", "/v1/agents/wpid_missing/tags", "application/json", `{"tags":[{"value":"a,b"}]}`)
	assert.Equal(t, 422, code)
	code, _, body = e.raw(t, "POST", "/v1/agents/wpid_missing/tags", "application/json", `{}`)
	assert.Equal(t, 404, code)
	assert.JSONEq(t, `{"detail":"Workflow wpid_missing not found"}`, string(body))
}

func TestApplyTagsNormalizesAndKeepsOneValuePerKey(t *testing.T) {
	e := newEnv(t, sandbox.Options{}, false)
	wpid := newTaggedWorkflow(t, e)
	got, err := e.c.ApplyWorkflowTags(e.ctx, wpid, &client.TagApplyRequest{
		Tags: []client.TagInput{{Key: " env ", Value: " dev "}, {Key: "env", Value: "prod"}, {Value: "beta"}, {Value: "beta"}, {Key: "  ", Value: "alpha"}},
	})
	require.NoError(t, err)
	require.Len(t, got.Tags, 3)
	assert.Equal(t, client.Tag{Key: "env", Value: "prod", Source: "manual", SetAt: got.Tags[0].SetAt, SetBy: sandbox.OrganizationID}, got.Tags[0],
		"keys and values are trimmed; the last value of a key wins")
	assert.Equal(t, "beta", got.Tags[1].Value)
	assert.Equal(t, "alpha", got.Tags[2].Value, "a blank key is a standalone label")
	assert.Empty(t, got.Tags[2].Key)

	// Setting the value a key already has writes no event.
	_, err = e.c.ApplyWorkflowTags(e.ctx, wpid, &client.TagApplyRequest{Tags: []client.TagInput{{Key: "env", Value: "prod"}, {Value: "beta"}}})
	require.NoError(t, err)
	h, err := e.c.GetWorkflowTagHistory(e.ctx, wpid, nil)
	require.NoError(t, err)
	assert.Len(t, h.Events, 3)
}

func TestTagColors(t *testing.T) {
	e := newEnv(t, sandbox.Options{}, false)
	a, b := newTaggedWorkflow(t, e), newTaggedWorkflow(t, e)
	_, err := e.c.ApplyWorkflowTags(e.ctx, a, &client.TagApplyRequest{Tags: []client.TagInput{{Key: "env", Value: "prod"}}, Colors: map[string]client.TagColor{"env": "Teal "}})
	require.NoError(t, err)
	color := func() string {
		vals, err := e.c.ListTagValues(e.ctx, "env")
		require.NoError(t, err)
		require.Len(t, vals, 1)
		return vals[0].Color
	}
	assert.Equal(t, "teal", color(), "colors are trimmed and lowercased")
	// Another workflow with the same value keeps the color unless one is given.
	_, err = e.c.ApplyWorkflowTags(e.ctx, b, &client.TagApplyRequest{Tags: []client.TagInput{{Key: "env", Value: "prod"}}})
	require.NoError(t, err)
	assert.Equal(t, "teal", color())
	_, err = e.c.ApplyWorkflowTags(e.ctx, b, &client.TagApplyRequest{Tags: []client.TagInput{{Key: "env", Value: "prod"}}, Colors: map[string]client.TagColor{"env": "pink"}})
	require.NoError(t, err)
	assert.Equal(t, "pink", color(), "an explicit color recolors even when the tag is unchanged")
	vals, err := e.c.ListTagValues(e.ctx, "env")
	require.NoError(t, err)
	assert.Equal(t, 2, vals[0].WorkflowCount)
}

func TestTagHistoryShapeAndFilters(t *testing.T) {
	e := newEnv(t, sandbox.Options{}, true)
	wpid := newTaggedWorkflow(t, e)
	t0 := e.clock.Now()
	_, err := e.c.ApplyWorkflowTags(e.ctx, wpid, &client.TagApplyRequest{Tags: []client.TagInput{{Key: "env", Value: "prod"}, {Value: "urgent"}}})
	require.NoError(t, err)
	e.clock.Advance(time.Minute)
	t1 := e.clock.Now()
	_, err = e.c.ApplyWorkflowTags(e.ctx, wpid, &client.TagApplyRequest{TagsToDelete: []client.TagDeleteInput{{Key: "env"}, {Value: "urgent"}}})
	require.NoError(t, err)

	code, _, body := e.raw(t, "GET", "/v1/agents/"+wpid+"/tags/history", "", "")
	require.Equal(t, 200, code)
	var raw struct {
		WorkflowPermanentID string           `json:"workflow_permanent_id"`
		Events              []map[string]any `json:"events"`
	}
	require.NoError(t, json.Unmarshal(body, &raw))
	require.Len(t, raw.Events, 4)
	// Newest first; within one apply, the last event first. key and value
	// are always present, null where there is none.
	del := raw.Events[0]
	assert.Equal(t, "delete", del["event_type"])
	assert.Nil(t, del["key"])
	assert.Equal(t, "urgent", del["value"])
	assert.Contains(t, del, "key")
	delEnv := raw.Events[1]
	assert.Equal(t, "env", delEnv["key"])
	assert.Contains(t, delEnv, "value")
	assert.Nil(t, delEnv["value"])
	assert.NotContains(t, delEnv, "superseded_at")
	set := raw.Events[3]
	assert.Equal(t, "set", set["event_type"])
	assert.Equal(t, "prod", set["value"])
	requireDateTime(t, set["set_at"].(string), false)
	assert.Equal(t, t0.UTC().Format("2006-01-02T15:04:05.000000Z"), set["set_at"])
	assert.Equal(t, t1.UTC().Format("2006-01-02T15:04:05.000000Z"), set["superseded_at"])

	h, err := e.c.GetWorkflowTagHistory(e.ctx, wpid, &client.TagHistoryParams{Since: t1.Format(time.RFC3339Nano)})
	require.NoError(t, err)
	assert.Len(t, h.Events, 2, "since is inclusive")
	h, err = e.c.GetWorkflowTagHistory(e.ctx, wpid, &client.TagHistoryParams{Since: t1.Add(time.Microsecond).Format(time.RFC3339Nano)})
	require.NoError(t, err)
	assert.Empty(t, h.Events)

	for _, tc := range []struct{ query, typ string }{
		{"limit=0", "greater_than_equal"}, {"limit=501", "less_than_equal"}, {"limit=ten", "int_parsing"},
		{"since=yesterday", "datetime_from_date_parsing"},
	} {
		code, _, body := e.raw(t, "GET", "/v1/agents/"+wpid+"/tags/history?"+tc.query, "", "")
		require.Equal(t, 422, code, tc.query)
		errs := validation(t, body)
		assert.Equal(t, tc.typ, errs[0].Type, tc.query)
		assert.Equal(t, "query", errs[0].Loc[0])
	}
}

func TestRunTagsOnlyOnWorkflowRuns(t *testing.T) {
	e := newEnv(t, sandbox.Options{}, false)
	wpid := newTaggedWorkflow(t, e)
	wr, err := e.c.RunWorkflow(e.ctx, &client.WorkflowRunRequest{WorkflowID: wpid})
	require.NoError(t, err)
	dl, err := e.c.DownloadFiles(e.ctx, &client.DownloadFilesRequest{NavigationGoal: "Download the invoice",
		AgentRunOptions: client.AgentRunOptions{URL: "https://example.com"}})
	require.NoError(t, err)
	for _, id := range []string{wr.RunID, dl.RunID} {
		got, err := e.c.ApplyRunTags(e.ctx, id, &client.TagApplyRequest{Tags: []client.TagInput{{Key: "env", Value: "prod"}}})
		require.NoError(t, err, id)
		assert.Equal(t, id, got.WorkflowRunID)
	}
	for _, engine := range []client.RunEngine{client.EngineSkyvern1, client.EngineSkyvern2} {
		task, err := e.c.RunTask(e.ctx, &client.TaskRunRequest{Prompt: "x", Engine: engine})
		require.NoError(t, err)
		code, _, body := e.raw(t, "GET", "/v1/runs/"+task.RunID+"/tags", "", "")
		assert.Equal(t, 404, code)
		assert.JSONEq(t, `{"detail":"Workflow run `+task.RunID+` not found: `+task.RunID+` is a task run; tags apply to workflow runs (wr_...)"}`, string(body))
	}
	code, _, body := e.raw(t, "GET", "/v1/runs/wr_missing/tags/history", "", "")
	assert.Equal(t, 404, code)
	assert.JSONEq(t, `{"detail":"Workflow run wr_missing not found"}`, string(body))

	// Tag keys and values count workflows, not runs.
	keys, err := e.c.ListTagKeys(e.ctx)
	require.NoError(t, err)
	assert.Equal(t, []client.TagKey{{Key: "env"}}, keys)
	res, err := e.c.DeleteTagKey(e.ctx, "env")
	require.NoError(t, err)
	assert.Equal(t, 2, res.RemovedFromRunCount)
	assert.Equal(t, 2, res.RemovedCount)
}

func TestDeletedWorkflowsLeaveTheCounts(t *testing.T) {
	e := newEnv(t, sandbox.Options{}, false)
	a, b := newTaggedWorkflow(t, e), newTaggedWorkflow(t, e)
	for _, id := range []string{a, b} {
		_, err := e.c.ApplyWorkflowTags(e.ctx, id, &client.TagApplyRequest{Tags: []client.TagInput{{Key: "env", Value: "prod"}}})
		require.NoError(t, err)
	}
	require.NoError(t, e.c.DeleteWorkflow(e.ctx, b))
	_, err := e.c.GetWorkflowTags(e.ctx, b)
	assert.True(t, client.IsNotFound(err))
	keys, err := e.c.ListTagKeys(e.ctx)
	require.NoError(t, err)
	assert.Equal(t, 1, keys[0].WorkflowCount)
	vals, err := e.c.ListTagValues(e.ctx, "")
	require.NoError(t, err)
	assert.Equal(t, 1, vals[0].WorkflowCount)
	got, err := e.c.RenameTagValue(e.ctx, "env", &client.TagValueRename{Value: "prod", NewValue: "live"})
	require.NoError(t, err)
	assert.Equal(t, 1, got.RenamedWorkflowCount)
	res, err := e.c.DeleteTagValue(e.ctx, "env", &client.TagValueDelete{Value: "live"})
	require.NoError(t, err)
	assert.Equal(t, client.TagValueDeleteResult{Key: "env", Value: "live", RemovedFromWorkflowCount: 1, RemovedCount: 1}, *res)
	// The key stays registered, unused, until it is deleted.
	keys, err = e.c.ListTagKeys(e.ctx)
	require.NoError(t, err)
	assert.Equal(t, []client.TagKey{{Key: "env"}}, keys)
}

func TestTagRegistryValidationAndErrors(t *testing.T) {
	e := newEnv(t, sandbox.Options{}, false)
	wpid := newTaggedWorkflow(t, e)
	_, err := e.c.ApplyWorkflowTags(e.ctx, wpid, &client.TagApplyRequest{Tags: []client.TagInput{{Key: "env", Value: "prod"}, {Key: "tier", Value: "gold"}}})
	require.NoError(t, err)

	for _, tc := range []struct {
		method, path, body string
		status             int
		loc                []any
	}{
		{"PATCH", "/v1/tag-keys/skyvern.x", `{"description":"d"}`, 422, []any{"path", "key"}},
		{"DELETE", "/v1/tag-keys/_x", ``, 422, []any{"path", "key"}},
		{"DELETE", "/v1/agents/" + wpid + "/tags/a%20b", ``, 422, []any{"path", "key"}},
		{"PATCH", "/v1/tag-keys/env", ``, 422, []any{"body"}},
		{"PATCH", "/v1/tag-keys/env", `{"description":5}`, 422, []any{"body", "description"}},
		{"PATCH", "/v1/tag-values/env", `{"value":"prod"}`, 422, []any{"body", "color"}},
		{"PATCH", "/v1/tag-values/env", `{"value":"prod","color":"#ff0000"}`, 422, []any{"body", "color"}},
		{"DELETE", "/v1/tag-values/env", `{}`, 422, []any{"body", "value"}},
		{"PATCH", "/v1/tag-values/env/rename", `{"value":"prod","new_value":"*"}`, 422, []any{"body", "new_value"}},
		{"PATCH", "/v1/tag-values/env/rename", `{"value":"prod","new_value":"a,b"}`, 422, []any{"body", "new_value"}},
		{"PATCH", "/v1/tag-values/env/rename", `{"value":"prod"}`, 422, []any{"body", "new_value"}},
	} {
		code, _, body := e.raw(t, tc.method, tc.path, "application/json", tc.body)
		require.Equal(t, tc.status, code, "%s %s %s: %s", tc.method, tc.path, tc.body, body)
		findLoc(t, validation(t, body), tc.loc...)
	}
	for _, tc := range []struct {
		method, path, body string
		status             int
		detail             string
	}{
		{"PATCH", "/v1/tag-keys/owner", `{}`, 404, "Tag key owner not found"},
		{"DELETE", "/v1/tag-keys/owner", ``, 404, "Tag key owner not found"},
		{"PATCH", "/v1/tag-values/env", `{"value":"dev","color":"red"}`, 404, "Tag value env:dev not found"},
		{"DELETE", "/v1/tag-values/tier", `{"value":"silver"}`, 404, "Tag value tier:silver not found"},
		{"PATCH", "/v1/tag-values/env/rename", `{"value":"dev","new_value":"qa"}`, 404, "Tag value env:dev not found"},
		{"PATCH", "/v1/tag-values/env/rename", `{"value":"prod","new_value":"prod"}`, 409, "Tag value env:prod already exists; renaming would merge two values, which is not supported"},
	} {
		code, _, body := e.raw(t, tc.method, tc.path, "application/json", tc.body)
		require.Equal(t, tc.status, code, "%s %s", tc.method, tc.path)
		assert.JSONEq(t, `{"detail":"`+tc.detail+`"}`, string(body))
	}

	// An empty object or a blank description clears it.
	_, err = e.c.UpdateTagKey(e.ctx, "env", &client.TagKeyUpdate{Description: ptrTo("Where it runs")})
	require.NoError(t, err)
	code, _, body := e.raw(t, "PATCH", "/v1/tag-keys/env", "application/json", `{}`)
	require.Equal(t, 200, code)
	assert.JSONEq(t, `{"key":"env","workflow_count":1}`, string(body))
	got, err := e.c.UpdateTagKey(e.ctx, "env", &client.TagKeyUpdate{Description: ptrTo("  ")})
	require.NoError(t, err)
	assert.Empty(t, got.Description)

	// Without the API key, tag routes answer 403 like the rest.
	req, err := http.NewRequest("GET", e.srv.URL+"/v1/tag-keys", nil)
	require.NoError(t, err)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, 403, resp.StatusCode)
}

func ptrTo[T any](v T) *T { return &v }
