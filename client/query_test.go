package client

import (
	"context"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestQueryEncoding pins the query string of every listing's parameters:
// zero values left out, a pointer bool sent when set (false too), a slice
// as one key per value, nil parameters as no query.
func TestQueryEncoding(t *testing.T) {
	yes, no := true, false
	start := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	for _, c := range []struct {
		name string
		got  url.Values
		want string
	}{
		{"nil runs", queryOf((*GetRunsParams)(nil)), ""},
		{"zero runs", queryOf(&GetRunsParams{}), ""},
		{"runs", queryOf(&GetRunsParams{Page: 2, PageSize: 50, Status: []RunStatus{"running", "queued"}, RunType: []RunType{"task_v2"}, SearchKey: "inv oice"}),
			"page=2&page_size=50&run_type=task_v2&search_key=inv+oice&status=running&status=queued"},
		{"workflow runs", queryOf(&GetWorkflowRunsParams{Page: 1, Status: []RunStatus{"failed"}, SearchKey: "x", ErrorCode: "E1"}),
			"error_code=E1&page=1&search_key=x&status=failed"},
		{"workflows", queryOf(&GetWorkflowsParams{Page: 3, PageSize: 10, OnlySavedTasks: true, OnlyWorkflows: true, OnlyTemplates: true, SearchKey: "s",
			Title: "t", FolderID: "fld_1", Status: []WorkflowStatus{"published", "draft"}, Tags: []string{"env:prod", "team"}, Template: true}),
			"folder_id=fld_1&only_saved_tasks=true&only_templates=true&only_workflows=true&page=3&page_size=10&search_key=s&status=published&status=draft&tags=env%3Aprod&tags=team&template=true&title=t"},
		{"workflows false bools", queryOf(&GetWorkflowsParams{OnlyWorkflows: false, Template: false}), ""},
		{"browser profiles managed false", queryOf(&ListBrowserProfilesParams{Managed: &no}), "managed=false"},
		{"browser profiles", queryOf(&ListBrowserProfilesParams{Page: 1, PageSize: 5, IncludeDeleted: true, SearchKey: "a b", Managed: &yes}),
			"include_deleted=true&managed=true&page=1&page_size=5&search_key=a+b"},
		{"nil browser profiles", queryOf((*ListBrowserProfilesParams)(nil)), ""},
		{"credentials", queryOf(&GetCredentialsParams{Page: 1, PageSize: 2, VaultType: "skyvern", CredentialType: "password", Search: "bank"}),
			"credential_type=password&page=1&page_size=2&search=bank&vault_type=skyvern"},
		{"folders", queryOf(&GetFoldersParams{Page: 4, PageSize: 100, Search: "bills"}), "page=4&page_size=100&search=bills"},
		{"schedules", queryOf(&ListAllSchedulesParams{Page: 1, PageSize: 10, Status: "active", Search: "nightly"}),
			"page=1&page_size=10&search=nightly&status=active"},
		{"scripts", queryOf(&GetScriptsParams{PageSize: 7}), "page_size=7"},
		{"nil scripts", queryOf((*GetScriptsParams)(nil)), ""},
		{"workflow runs by ID (times set by the caller)", queryOf(&GetWorkflowRunsByIDParams{GetWorkflowRunsParams: GetWorkflowRunsParams{Page: 2, ErrorCode: "E"},
			CreatedAtStart: &start}), "error_code=E&page=2"},
	} {
		assert.Equal(t, c.want, c.got.Encode(), c.name)
	}
	q, err := (&TagHistoryParams{Limit: 20, Since: "2026-01-01T00:00:00Z", Key: "env"}).values("get_run_tag_history")
	require.NoError(t, err)
	assert.Equal(t, "key=env&limit=20&since=2026-01-01T00%3A00%3A00Z", q.Encode())
	_, err = (&TagHistoryParams{Limit: 501}).values("get_run_tag_history")
	assert.EqualError(t, err, "get_run_tag_history: limit must be between 1 and 500, got 501")
	q, err = (*TagHistoryParams)(nil).values("x")
	require.NoError(t, err)
	assert.Empty(t, q)
}

// TestScalarQueryParams pins the query string of the operations that take
// their query parameters as plain arguments.
func TestScalarQueryParams(t *testing.T) {
	srv, reqs := recorder(t, func(w http.ResponseWriter, _ *http.Request, _ int) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusNotFound)
		_, _ = w.Write([]byte(`{"detail":"not found"}`))
	})
	c, err := New(WithBaseURL(srv.URL), WithRetries(0, 0))
	require.NoError(t, err)
	ctx := context.Background()
	start := time.Date(2026, 1, 2, 3, 4, 5, 600, time.FixedZone("X", 3600))
	end := start.Add(time.Hour)
	calls := []struct {
		call func()
		want string
	}{
		{func() { _, _ = c.GetWorkflow(ctx, "wpid_1", 0, false) }, ""},
		{func() { _, _ = c.GetWorkflow(ctx, "wpid_1", 3, true) }, "template=true&version=3"},
		{func() { _, _ = c.GetWorkflowVersions(ctx, "wpid_1", false) }, ""},
		{func() { _, _ = c.GetWorkflowVersions(ctx, "wpid_1", true) }, "template=true"},
		{func() { _, _ = c.DeleteFolder(ctx, "fld_1", false) }, ""},
		{func() { _, _ = c.DeleteFolder(ctx, "fld_1", true) }, "delete_workflows=true"},
		{func() { _, _ = c.ListTagValues(ctx, "") }, ""},
		{func() { _, _ = c.ListTagValues(ctx, "team") }, "key=team"},
		{func() { _, _ = c.GetWorkflowRunsByID(ctx, "wpid_1", nil) }, ""},
		{func() {
			_, _ = c.GetWorkflowRunsByID(ctx, "wpid_1", &GetWorkflowRunsByIDParams{
				GetWorkflowRunsParams: GetWorkflowRunsParams{Page: 2, Status: []RunStatus{RunStatusQueued, RunStatusRunning}},
				CreatedAtStart:        &start, CreatedAtEnd: &end})
		}, "created_at_end=2026-01-02T03%3A04%3A05.0000006Z&created_at_start=2026-01-02T02%3A04%3A05.0000006Z&page=2&status=queued&status=running"},
	}
	for _, tc := range calls {
		tc.call()
	}
	all := reqs.all()
	require.Len(t, all, len(calls))
	for i, tc := range calls {
		assert.Equal(t, tc.want, all[i].URL.Query().Encode(), "%s %s", all[i].Method, all[i].URL.Path)
	}
}
