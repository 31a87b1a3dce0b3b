package resources

import (
	"context"
	"encoding/base64"
	"strings"
	"testing"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func (h *harness) prompt(name string, args map[string]string) (*mcp.GetPromptResult, error) {
	req := mcp.GetPromptRequest{}
	req.Params.Name = name
	req.Params.Arguments = args
	return h.mcp.GetPrompt(context.Background(), req)
}

func TestPromptsListed(t *testing.T) {
	h := newHarness(t, opts{})
	res, err := h.mcp.ListPrompts(context.Background(), mcp.ListPromptsRequest{})
	require.NoError(t, err)
	var names []string
	for _, p := range res.Prompts {
		names = append(names, p.Name)
		assert.NotEmpty(t, p.Description)
		assert.NotEmpty(t, p.Arguments)
	}
	assert.ElementsMatch(t, []string{"extract_data", "debug_run", "build_workflow"}, names)
}

func TestExtractDataPrompt(t *testing.T) {
	h := newHarness(t, opts{})
	res, err := h.prompt("extract_data", map[string]string{"url": "https://example.com/p/1", "what": "Title, Price (USD), rating"})
	require.NoError(t, err)
	require.Len(t, res.Messages, 1)
	text := res.Messages[0].Content.(mcp.TextContent).Text
	assert.Contains(t, text, "run_task")
	assert.Contains(t, text, `"price_usd"`)
	assert.Contains(t, text, `"rating"`)
	assert.Contains(t, text, "https://example.com/p/1")
	s := extractionSchema("Title, Price (USD), rating")
	assert.Equal(t, []string{"title", "price_usd", "rating"}, s["required"])

	_, err = h.prompt("extract_data", map[string]string{"url": "https://example.com"})
	assert.Error(t, err)
}

func TestDebugRunPrompt(t *testing.T) {
	h := newHarness(t, opts{})
	runID := h.startRun(true, "checkout [sandbox:fail]")
	res, err := h.prompt("debug_run", map[string]string{"run_id": runID})
	require.NoError(t, err)
	require.GreaterOrEqual(t, len(res.Messages), 3)
	intro := res.Messages[0].Content.(mcp.TextContent).Text
	assert.Contains(t, intro, "failed")
	assert.Contains(t, intro, "Failure reason: ")
	assert.NotContains(t, intro, "Failure reason: none")
	embedded := res.Messages[1].Content.(mcp.EmbeddedResource)
	runRes := embedded.Resource.(mcp.TextResourceContents)
	assert.Equal(t, "skyvern://runs/"+runID, runRes.URI)
	assert.Contains(t, runRes.Text, runID)
	last := res.Messages[len(res.Messages)-1].Content.(mcp.EmbeddedResource)
	blob := last.Resource.(mcp.BlobResourceContents)
	assert.Equal(t, "image/png", blob.MIMEType)
	assert.True(t, strings.HasPrefix(blob.URI, "skyvern://artifacts/a_"))
	png, err := base64.StdEncoding.DecodeString(blob.Blob)
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(string(png), "\x89PNG"))

	_, err = h.prompt("debug_run", map[string]string{"run_id": "https://evil.example/x"})
	assert.ErrorContains(t, err, "run_id")
}

func TestBuildWorkflowPrompt(t *testing.T) {
	h := newHarness(t, opts{})
	res, err := h.prompt("build_workflow", map[string]string{"goal": "download the latest invoice"})
	require.NoError(t, err)
	text := res.Messages[0].Content.(mcp.TextContent).Text
	assert.Contains(t, text, "download the latest invoice")
	assert.Contains(t, text, "create_workflow")
	assert.Contains(t, text, "create_credential")
}

func TestCompletions(t *testing.T) {
	h := newHarness(t, opts{})
	runID := h.startRun(true, "x")
	other := h.startRun(false, "y")
	ctx := context.Background()

	complete := func(ref any, name, value string) *mcp.CompleteResult {
		req := mcp.CompleteRequest{}
		req.Params.Ref = ref
		req.Params.Argument.Name = name
		req.Params.Argument.Value = value
		res, err := h.mcp.Complete(ctx, req)
		require.NoError(t, err)
		return res
	}
	tmpl := mcp.ResourceReference{Type: "ref/resource", URI: "skyvern://runs/{run_id}"}
	res := complete(tmpl, "run_id", runID[:len(runID)-3])
	assert.Equal(t, []string{runID}, res.Completion.Values)
	res = complete(tmpl, "run_id", "")
	assert.Equal(t, []string{other, runID}, res.Completion.Values, "newest first")
	res = complete(mcp.PromptReference{Type: "ref/prompt", Name: "debug_run"}, "run_id", "tsk_")
	assert.Len(t, res.Completion.Values, 2)

	_, err := h.read("skyvern://runs/" + runID + "/artifacts") // artifacts are remembered when listed
	require.NoError(t, err)
	res = complete(mcp.ResourceReference{Type: "ref/resource", URI: "skyvern://artifacts/{artifact_id}"}, "artifact_id", "a_")
	assert.NotEmpty(t, res.Completion.Values)

	wf := h.callTool("create_workflow", map[string]any{"yaml_definition": "title: Complete me\nworkflow_definition:\n  parameters: []\n  blocks: []\n"})
	require.False(t, wf.IsError)
	res = complete(mcp.ResourceReference{Type: "ref/resource", URI: "skyvern://workflows/{workflow_permanent_id}"}, "workflow_permanent_id", "wpid_")
	assert.Len(t, res.Completion.Values, 1)
	res = complete(tmpl, "run_id", "zzz")
	assert.Empty(t, res.Completion.Values)
}
