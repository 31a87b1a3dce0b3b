package client_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/skyvern-mcp/skyvern-mcp/client"
	"github.com/skyvern-mcp/skyvern-mcp/internal/contracttest"
)

// folderOperations are the folder operations, as "METHOD /path/template".
var folderOperations = []string{
	"POST /v1/folders", "GET /v1/folders", "GET /v1/folders/{folder_id}", "PUT /v1/folders/{folder_id}",
	"DELETE /v1/folders/{folder_id}",
}

// customLLMOperations are the custom LLM operations.
var customLLMOperations = []string{
	"GET /v1/custom-llms", "POST /v1/custom-llms", "PUT /v1/custom-llms/{custom_llm_id}",
	"DELETE /v1/custom-llms/{custom_llm_id}",
}

// llmKeyCanary is a provider API key that must never come back.
const llmKeyCanary = "sk-llm-canary-5e0c1d9a"

func folderWorkflowDef(title string) *client.WorkflowRequest {
	return &client.WorkflowRequest{YAMLDefinition: "title: " + title + "\nworkflow_definition:\n  parameters: []\n  blocks: []\n"}
}

// TestContractFolders runs every folder and custom LLM operation against the
// sandbox; the transport validates each request and response against the
// spec. Custom LLM 404s are allowed: Skyvern answers them, the spec omits them.
func TestContractFolders(t *testing.T) {
	e := newContractEnv(t, contracttest.AllowStatus(404))
	ctx := e.ctx
	seenBefore := e.spec.Seen()

	var reports, archive *client.Folder
	t.Run("create_folder", func(t *testing.T) {
		var err error
		reports, err = e.c.CreateFolder(ctx, &client.FolderCreate{Title: "Reports", Description: "Monthly reporting agents"})
		require.NoError(t, err)
		assert.True(t, strings.HasPrefix(reports.FolderID, "fld_"), reports.FolderID)
		assert.Equal(t, "Reports", reports.Title)
		assert.Equal(t, "Monthly reporting agents", reports.Description)
		assert.Equal(t, 0, reports.WorkflowCount)
		assert.NotEmpty(t, reports.OrganizationID)
		assert.Equal(t, reports.CreatedAt, reports.ModifiedAt)
		archive, err = e.c.CreateFolder(ctx, &client.FolderCreate{Title: "Archive"})
		require.NoError(t, err)
		assert.Empty(t, archive.Description)

		_, err = e.c.CreateFolder(ctx, &client.FolderCreate{})
		require.ErrorContains(t, err, "title is required")
		// Out-of-bounds values (a 256-character title, ...) would break the
		// spec on the way in: client/sandbox/folders_test.go sends them raw.
	})

	// Two workflows in Reports, one in Archive, one in no folder.
	var inReports []*client.Workflow
	for i := range 2 {
		wf, err := e.c.CreateWorkflow(ctx, folderWorkflowDef(fmt.Sprintf("Report %d", i)), reports.FolderID)
		require.NoError(t, err)
		inReports = append(inReports, wf)
	}
	archived, err := e.c.CreateWorkflow(ctx, folderWorkflowDef("Old"), archive.FolderID)
	require.NoError(t, err)
	loose, err := e.c.CreateWorkflow(ctx, folderWorkflowDef("Loose"), "")
	require.NoError(t, err)

	t.Run("get_folder", func(t *testing.T) {
		f, err := e.c.GetFolder(ctx, reports.FolderID)
		require.NoError(t, err)
		assert.Equal(t, 2, f.WorkflowCount)
		assert.Equal(t, "Reports", f.Title)
		f, err = e.c.GetFolder(ctx, archive.FolderID)
		require.NoError(t, err)
		assert.Equal(t, 1, f.WorkflowCount)

		// A new version stays in the folder; a deleted workflow is not counted.
		_, err = e.c.UpdateWorkflow(ctx, inReports[0].WorkflowPermanentID, folderWorkflowDef("Report 0 v2"))
		require.NoError(t, err)
		require.NoError(t, e.c.DeleteWorkflow(ctx, inReports[1].WorkflowPermanentID))
		f, err = e.c.GetFolder(ctx, reports.FolderID)
		require.NoError(t, err)
		assert.Equal(t, 1, f.WorkflowCount)

		_, err = e.c.GetFolder(ctx, "fld_missing")
		assert.True(t, client.IsNotFound(err))
		assert.Contains(t, err.Error(), "Folder fld_missing not found")
	})
	t.Run("update_folder", func(t *testing.T) {
		empty := ""
		up, err := e.c.UpdateFolder(ctx, reports.FolderID, &client.FolderUpdate{Title: "Reporting"})
		require.NoError(t, err)
		assert.Equal(t, "Reporting", up.Title)
		assert.Equal(t, "Monthly reporting agents", up.Description, "an omitted description is kept")
		assert.Equal(t, 1, up.WorkflowCount)
		assert.GreaterOrEqual(t, up.ModifiedAt, reports.ModifiedAt)
		up, err = e.c.UpdateFolder(ctx, reports.FolderID, &client.FolderUpdate{Description: &empty})
		require.NoError(t, err)
		assert.Equal(t, "Reporting", up.Title, "an omitted title is kept")
		assert.Empty(t, up.Description)

		_, err = e.c.UpdateFolder(ctx, "fld_missing", &client.FolderUpdate{Title: "x"})
		assert.Equal(t, 404, client.StatusCode(err))
	})
	t.Run("get_folders", func(t *testing.T) {
		all, err := e.c.GetFolders(ctx, nil)
		require.NoError(t, err)
		require.Len(t, all, 2)
		assert.Equal(t, reports.FolderID, all[0].FolderID, "most recently modified first")
		assert.Equal(t, 1, all[0].WorkflowCount)
		assert.Equal(t, archive.FolderID, all[1].FolderID)

		found, err := e.c.GetFolders(ctx, &client.GetFoldersParams{Search: "ARCH"})
		require.NoError(t, err)
		require.Len(t, found, 1)
		assert.Equal(t, "Archive", found[0].Title)

		page2, err := e.c.GetFolders(ctx, &client.GetFoldersParams{Page: 2, PageSize: 1})
		require.NoError(t, err)
		require.Len(t, page2, 1)
		assert.Equal(t, archive.FolderID, page2[0].FolderID)
	})
	t.Run("delete_folder", func(t *testing.T) {
		// Without delete_workflows the workflow stays, out of the folder.
		res, err := e.c.DeleteFolder(ctx, reports.FolderID, false)
		require.NoError(t, err)
		assert.Equal(t, &client.DeleteFolderResult{Status: "deleted", FolderID: reports.FolderID, WorkflowsDeleted: false}, res)
		wf, err := e.c.GetWorkflow(ctx, inReports[0].WorkflowPermanentID, 0, false)
		require.NoError(t, err)
		assert.Empty(t, wf.FolderID)
		_, err = e.c.GetFolder(ctx, reports.FolderID)
		assert.True(t, client.IsNotFound(err))

		// With delete_workflows the folder's workflows go too; others stay.
		res, err = e.c.DeleteFolder(ctx, archive.FolderID, true)
		require.NoError(t, err)
		assert.True(t, res.WorkflowsDeleted)
		_, err = e.c.GetWorkflow(ctx, archived.WorkflowPermanentID, 0, false)
		assert.True(t, client.IsNotFound(err))
		_, err = e.c.GetWorkflow(ctx, loose.WorkflowPermanentID, 0, false)
		require.NoError(t, err)

		_, err = e.c.DeleteFolder(ctx, archive.FolderID, false)
		assert.True(t, client.IsNotFound(err), "a deleted folder is gone")
		left, err := e.c.GetFolders(ctx, nil)
		require.NoError(t, err)
		assert.Empty(t, left)
	})

	var llm *client.CustomLLM
	t.Run("create_custom_llm", func(t *testing.T) {
		var err error
		llm, err = e.c.CreateCustomLLM(ctx, &client.CustomLLMCreateRequest{Config: client.CustomLLMConfig{
			DisplayName: "Router Llama", Provider: client.CustomLLMOpenRouter, ModelName: "meta-llama/llama-3.1-70b",
			APIKey: llmKeyCanary, Temperature: ptr(0.2), MaxCompletionTokens: ptr(4096), SupportsVision: ptr(false),
		}})
		require.NoError(t, err)
		assert.True(t, strings.HasPrefix(llm.ID, "oat_"), llm.ID)
		assert.True(t, llm.Valid)
		assert.Equal(t, "Router Llama", llm.Config.DisplayName)
		assert.Equal(t, client.CustomLLMAPIKeyMask, llm.Config.APIKey, "the key comes back masked")
		assert.Equal(t, "https://openrouter.ai/api/v1", llm.Config.APIBase, "openrouter's default api_base")
		assert.Equal(t, 0.2, *llm.Config.Temperature)
		assert.Equal(t, 4096, *llm.Config.MaxCompletionTokens)
		assert.False(t, *llm.Config.SupportsVision)
		assert.False(t, *llm.Config.AddAssistantPrefix)

		ollama, err := e.c.CreateCustomLLM(ctx, &client.CustomLLMCreateRequest{Config: client.CustomLLMConfig{
			DisplayName: "Local", Provider: client.CustomLLMOllama, ModelName: "llama3.1"}})
		require.NoError(t, err)
		assert.Equal(t, "http://localhost:11434", ollama.Config.APIBase)
		assert.Empty(t, ollama.Config.APIKey)
		assert.True(t, *ollama.Config.SupportsVision, "supports_vision defaults to true")
		require.NoError(t, e.c.DeleteCustomLLM(ctx, ollama.ID))

		// Skyvern's provider rules are 422s.
		_, err = e.c.CreateCustomLLM(ctx, &client.CustomLLMCreateRequest{Config: client.CustomLLMConfig{
			DisplayName: "x", Provider: client.CustomLLMOpenAICompatible, ModelName: "m", APIKey: llmKeyCanary}})
		var apiErr *client.APIError
		require.ErrorAs(t, err, &apiErr)
		assert.Equal(t, 422, apiErr.StatusCode)
		assert.Contains(t, apiErr.Detail, "api_base is required")
		_, err = e.c.CreateCustomLLM(ctx, &client.CustomLLMCreateRequest{Config: client.CustomLLMConfig{Provider: client.CustomLLMOllama, ModelName: "m"}})
		require.ErrorContains(t, err, "config.display_name is required")
	})
	t.Run("list_custom_llms", func(t *testing.T) {
		list, err := e.c.ListCustomLLMs(ctx)
		require.NoError(t, err)
		require.Len(t, list, 1)
		assert.Equal(t, llm.ID, list[0].ID)
		assert.Equal(t, client.CustomLLMAPIKeyMask, list[0].Config.APIKey)
	})
	t.Run("update_custom_llm", func(t *testing.T) {
		cfg := llm.Config // api_key is the mask: the stored key is kept
		cfg.DisplayName = "Router Llama 2"
		cfg.Temperature = nil
		up, err := e.c.UpdateCustomLLM(ctx, llm.ID, &client.CustomLLMUpdateRequest{Config: cfg})
		require.NoError(t, err)
		assert.Equal(t, "Router Llama 2", up.Config.DisplayName)
		assert.Equal(t, client.CustomLLMAPIKeyMask, up.Config.APIKey)
		assert.Nil(t, up.Config.Temperature, "the whole config is replaced")
		assert.Equal(t, llm.CreatedAt, up.CreatedAt)

		// Without api_key the stored key is removed (openrouter then needs one).
		cfg.APIKey = ""
		_, err = e.c.UpdateCustomLLM(ctx, llm.ID, &client.CustomLLMUpdateRequest{Config: cfg})
		assert.True(t, client.IsValidation(err))
		cfg.Provider, cfg.APIBase = client.CustomLLMOpenAICompatible, "https://llm.example.com/v1"
		up, err = e.c.UpdateCustomLLM(ctx, llm.ID, &client.CustomLLMUpdateRequest{Config: cfg})
		require.NoError(t, err)
		assert.Empty(t, up.Config.APIKey)
		assert.Equal(t, client.CustomLLMOpenAICompatible, up.Config.Provider)

		_, err = e.c.UpdateCustomLLM(ctx, "oat_missing", &client.CustomLLMUpdateRequest{Config: cfg})
		assert.True(t, client.IsNotFound(err))
		assert.Contains(t, err.Error(), "Custom LLM not found")
	})
	t.Run("delete_custom_llm", func(t *testing.T) {
		require.NoError(t, e.c.DeleteCustomLLM(ctx, llm.ID))
		list, err := e.c.ListCustomLLMs(ctx)
		require.NoError(t, err)
		assert.Empty(t, list)
		assert.True(t, client.IsNotFound(e.c.DeleteCustomLLM(ctx, llm.ID)))
	})

	e.assertExercised(t, seenBefore, slices.Concat(folderOperations, customLLMOperations))
}

func TestFolderOperationsExistInSpec(t *testing.T) {
	ops := contracttest.Load(t).Operations()
	for _, op := range append(append([]string{}, folderOperations...), customLLMOperations...) {
		assert.Contains(t, ops, op)
	}
}

// TestCustomLLMKeyNeverReturned sends a provider key to a server that
// echoes it everywhere it can (in a 422's message and input, in clear in a
// 200's config): the key never appears in a result or an error, nor when a
// request is formatted. (client/sandbox/custom_llms_test.go shows that the
// sandbox never echoes it.)
func TestCustomLLMKeyNeverReturned(t *testing.T) {
	cfg := client.CustomLLMConfig{DisplayName: "d", Provider: client.CustomLLMOpenRouter, ModelName: "m", APIKey: llmKeyCanary}

	t.Run("echoing server", func(t *testing.T) {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			body, _ := io.ReadAll(r.Body)
			w.Header().Set("Content-Type", "application/json")
			if strings.HasSuffix(r.URL.Path, "/custom-llms") && r.Method == http.MethodPost {
				w.WriteHeader(422)
				fmt.Fprintf(w, `{"detail":[{"type":"value_error","loc":["body","config"],"msg":"bad %s","input":%s}]}`, llmKeyCanary, body)
				return
			}
			fmt.Fprintf(w, `{"custom_llm":{"id":"oat_1","organization_id":"o_1","created_at":"x","modified_at":"x","valid":true,"config":{"display_name":"d","provider":"openrouter","model_name":"m","api_key":%q}}}`, llmKeyCanary)
		}))
		defer srv.Close()
		c, err := client.New(client.WithBaseURL(srv.URL), client.WithAPIKey("sk-test-key"))
		require.NoError(t, err)
		_, err = c.CreateCustomLLM(context.Background(), &client.CustomLLMCreateRequest{Config: cfg})
		var apiErr *client.APIError
		require.ErrorAs(t, err, &apiErr)
		assert.NotContains(t, err.Error(), llmKeyCanary)
		assert.NotContains(t, string(apiErr.Body), llmKeyCanary)
		assert.NotContains(t, fmt.Sprint(apiErr.ValidationErrors), llmKeyCanary)
		assert.Contains(t, err.Error(), "[REDACTED]")

		got, err := c.UpdateCustomLLM(context.Background(), "oat_1", &client.CustomLLMUpdateRequest{Config: cfg})
		require.NoError(t, err)
		assert.Equal(t, client.CustomLLMAPIKeyMask, got.Config.APIKey, "a key sent in clear is masked by the client")
	})

	t.Run("formatting", func(t *testing.T) {
		req := client.CustomLLMCreateRequest{Config: cfg}
		for _, s := range []string{fmt.Sprint(cfg), fmt.Sprintf("%+v", req), fmt.Sprintf("%#v", cfg), fmt.Sprintf("%v", &req)} {
			assert.NotContains(t, s, llmKeyCanary)
			assert.Contains(t, s, "[REDACTED]")
		}
	})
}

// TestStructsMatchSpecFolders checks the folder and custom LLM structs
// against their spec schemas, property by property.
func TestStructsMatchSpecFolders(t *testing.T) {
	spec := contracttest.Load(t)
	for _, tc := range []struct {
		v      any
		schema string
	}{
		{client.Folder{}, "Folder"},
		{client.FolderCreate{}, "FolderCreate"},
		{client.FolderUpdate{}, "FolderUpdate"},
		{client.CustomLLM{}, "CustomLLM"},
		{client.CustomLLMConfig{}, "CustomLLMConfig"},
		{client.CustomLLMCreateRequest{}, "CustomLLMCreateRequest"},
		{client.CustomLLMUpdateRequest{}, "CustomLLMUpdateRequest"},
	} {
		t.Run(tc.schema, func(t *testing.T) {
			spec.CheckStruct(t, reflect.TypeOf(tc.v), tc.schema)
		})
	}
}
