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

func folderWorkflowDef(title string) *client.WorkflowRequest {
	return &client.WorkflowRequest{YAMLDefinition: "title: " + title + "\nworkflow_definition:\n  parameters: []\n  blocks: []\n"}
}

func TestFoldersCountTheirWorkflows(t *testing.T) {
	e := newEnv(t, sandbox.Options{}, true)
	f, err := e.c.CreateFolder(e.ctx, &client.FolderCreate{Title: "Invoices", Description: "AP automation"})
	require.NoError(t, err)
	assert.Regexp(t, `^fld_\d{18}$`, f.FolderID)
	assert.Equal(t, sandbox.OrganizationID, f.OrganizationID)
	requireDateTime(t, f.CreatedAt, false)
	assert.Equal(t, "2026-11-29T19:43:32.123456Z", f.CreatedAt)

	a, err := e.c.CreateWorkflow(e.ctx, folderWorkflowDef("A"), f.FolderID)
	require.NoError(t, err)
	b, err := e.c.CreateWorkflow(e.ctx, folderWorkflowDef("B"), f.FolderID)
	require.NoError(t, err)
	_, err = e.c.CreateWorkflow(e.ctx, folderWorkflowDef("C"), "")
	require.NoError(t, err)
	got, err := e.c.GetFolder(e.ctx, f.FolderID)
	require.NoError(t, err)
	assert.Equal(t, 2, got.WorkflowCount)

	// Only the latest version counts, and deleted workflows do not.
	_, err = e.c.UpdateWorkflow(e.ctx, a.WorkflowPermanentID, folderWorkflowDef("A2"))
	require.NoError(t, err)
	require.NoError(t, e.c.DeleteWorkflow(e.ctx, b.WorkflowPermanentID))
	list, err := e.c.GetFolders(e.ctx, nil)
	require.NoError(t, err)
	require.Len(t, list, 1)
	assert.Equal(t, 1, list[0].WorkflowCount)

	// Deleting the folder without its workflows moves them out of it.
	res, err := e.c.DeleteFolder(e.ctx, f.FolderID, false)
	require.NoError(t, err)
	assert.False(t, res.WorkflowsDeleted)
	versions, err := e.c.GetWorkflowVersions(e.ctx, a.WorkflowPermanentID, false)
	require.NoError(t, err)
	require.Len(t, versions, 2)
	for _, v := range versions {
		assert.Empty(t, v.FolderID, "version %d", v.Version)
	}
	inFolder, err := e.c.GetWorkflows(e.ctx, &client.GetWorkflowsParams{FolderID: f.FolderID})
	require.NoError(t, err)
	assert.Empty(t, inFolder)
}

func TestFolderDeleteWithWorkflows(t *testing.T) {
	e := newEnv(t, sandbox.Options{}, true)
	f, err := e.c.CreateFolder(e.ctx, &client.FolderCreate{Title: "Scratch"})
	require.NoError(t, err)
	other, err := e.c.CreateFolder(e.ctx, &client.FolderCreate{Title: "Keep"})
	require.NoError(t, err)
	doomed, err := e.c.CreateWorkflow(e.ctx, folderWorkflowDef("Doomed"), f.FolderID)
	require.NoError(t, err)
	kept, err := e.c.CreateWorkflow(e.ctx, folderWorkflowDef("Kept"), other.FolderID)
	require.NoError(t, err)

	code, _, body := e.raw(t, http.MethodDelete, "/v1/folders/"+f.FolderID+"?delete_workflows=true", "", "")
	require.Equal(t, http.StatusOK, code)
	assert.JSONEq(t, `{"status":"deleted","folder_id":"`+f.FolderID+`","workflows_deleted":true}`, string(body))
	_, err = e.c.GetWorkflow(e.ctx, doomed.WorkflowPermanentID, 0, false)
	assert.True(t, client.IsNotFound(err))
	still, err := e.c.GetWorkflow(e.ctx, kept.WorkflowPermanentID, 0, false)
	require.NoError(t, err)
	assert.Equal(t, other.FolderID, still.FolderID)
	o, err := e.c.GetFolder(e.ctx, other.FolderID)
	require.NoError(t, err)
	assert.Equal(t, 1, o.WorkflowCount)

	code, _, body = e.raw(t, http.MethodDelete, "/v1/folders/"+f.FolderID, "", "")
	assert.Equal(t, http.StatusNotFound, code)
	assert.JSONEq(t, `{"detail":"Folder `+f.FolderID+` not found"}`, string(body))
}

func TestFolderUpdateAndOrder(t *testing.T) {
	e := newEnv(t, sandbox.Options{}, true)
	first, err := e.c.CreateFolder(e.ctx, &client.FolderCreate{Title: "First", Description: "alpha"})
	require.NoError(t, err)
	e.clock.Advance(time.Second)
	second, err := e.c.CreateFolder(e.ctx, &client.FolderCreate{Title: "Second"})
	require.NoError(t, err)

	ids := func(p *client.GetFoldersParams) []string {
		t.Helper()
		list, err := e.c.GetFolders(e.ctx, p)
		require.NoError(t, err)
		var out []string
		for _, f := range list {
			out = append(out, f.FolderID)
		}
		return out
	}
	assert.Equal(t, []string{second.FolderID, first.FolderID}, ids(nil), "newest modification first")

	e.clock.Advance(time.Second)
	// null and absent fields are left as they are; the update is a modification.
	code, _, body := e.raw(t, http.MethodPut, "/v1/folders/"+first.FolderID, "application/json", `{"title":null}`)
	require.Equal(t, http.StatusOK, code, "%s", body)
	var up client.Folder
	require.NoError(t, json.Unmarshal(body, &up))
	assert.Equal(t, "First", up.Title)
	assert.Equal(t, "alpha", up.Description)
	assert.Equal(t, first.CreatedAt, up.CreatedAt)
	assert.Equal(t, "2026-11-29T19:43:34.123456Z", up.ModifiedAt)
	assert.Equal(t, []string{first.FolderID, second.FolderID}, ids(nil))

	assert.Equal(t, []string{first.FolderID}, ids(&client.GetFoldersParams{Search: "ALPH"}), "search looks at descriptions")
	assert.Equal(t, []string{second.FolderID}, ids(&client.GetFoldersParams{Search: "sec"}))
	assert.Equal(t, []string{second.FolderID}, ids(&client.GetFoldersParams{Page: 2, PageSize: 1}))
	assert.Empty(t, ids(&client.GetFoldersParams{Page: 3, PageSize: 1}))
}

func TestFolderValidation(t *testing.T) {
	e := newEnv(t, sandbox.Options{}, false)
	f, err := e.c.CreateFolder(e.ctx, &client.FolderCreate{Title: "Valid"})
	require.NoError(t, err)
	for _, tc := range []struct {
		method, path, body string
		loc                []any
		typ                string
	}{
		{"POST", "/v1/folders", `{}`, []any{"body", "title"}, "missing"},
		{"POST", "/v1/folders", `{"title":""}`, []any{"body", "title"}, "string_too_short"},
		{"POST", "/v1/folders", `{"title":"` + strings.Repeat("x", 256) + `"}`, []any{"body", "title"}, "string_too_long"},
		{"POST", "/v1/folders", `{"title":"t","description":5}`, []any{"body", "description"}, "string_type"},
		{"POST", "/v1/folders", ``, []any{"body"}, "missing"},
		{"PUT", "/v1/folders/" + f.FolderID, `{"title":""}`, []any{"body", "title"}, "string_too_short"},
		{"PUT", "/v1/folders/" + f.FolderID, `{"title":"` + strings.Repeat("x", 300) + `"}`, []any{"body", "title"}, "string_too_long"},
		{"GET", "/v1/folders?page_size=501", ``, []any{"query", "page_size"}, "less_than_equal"},
		{"GET", "/v1/folders?page=0", ``, []any{"query", "page"}, "greater_than_equal"},
		{"DELETE", "/v1/folders/" + f.FolderID + "?delete_workflows=maybe", ``, []any{"query", "delete_workflows"}, "bool_parsing"},
	} {
		code, _, body := e.raw(t, tc.method, tc.path, "application/json", tc.body)
		require.Equal(t, http.StatusUnprocessableEntity, code, "%s %s %s: %s", tc.method, tc.path, tc.body, body)
		assert.Equal(t, tc.typ, findLoc(t, validation(t, body), tc.loc...).Type, "%s %s", tc.method, tc.path)
	}
	// The folder survived the rejected update and delete.
	got, err := e.c.GetFolder(e.ctx, f.FolderID)
	require.NoError(t, err)
	assert.Equal(t, "Valid", got.Title)

	code, _, body := e.raw(t, http.MethodGet, "/v1/folders/fld_nope", "", "")
	assert.Equal(t, http.StatusNotFound, code)
	assert.JSONEq(t, `{"detail":"Folder fld_nope not found"}`, string(body))
	code, _, _ = e.raw(t, http.MethodPut, "/v1/folders/fld_nope", "application/json", `{"title":"x"}`)
	assert.Equal(t, http.StatusNotFound, code)
}
