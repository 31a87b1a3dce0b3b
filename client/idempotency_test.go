package client_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/skyvern-mcp/skyvern-mcp/client"
	"github.com/skyvern-mcp/skyvern-mcp/client/sandbox"
)

// A lost response to create_workflow (the sandbox creates the workflow, then
// the connection dies mid-answer) is retried with the same Idempotency-Key,
// and the retry returns the same workflow: there is exactly one.
func TestCreateWorkflowLostResponseNoDuplicate(t *testing.T) {
	e := newContractEnv(t)
	var seen []string
	e.sb.AddFault(sandbox.Fault{Method: "POST", Path: "/v1/agents", Truncate: true, Times: 1})
	def := map[string]any{"title": "Once", "workflow_definition": map[string]any{"parameters": []any{}, "blocks": []any{}}}
	wf, err := e.c.CreateWorkflow(e.ctx, &client.WorkflowRequest{JSONDefinition: def}, "")
	require.NoError(t, err)
	assert.Equal(t, 2, e.sb.Calls("POST", "/v1/agents"), "the lost response was retried")
	list, err := e.c.GetWorkflows(e.ctx, &client.GetWorkflowsParams{PageSize: 100})
	require.NoError(t, err)
	for _, w := range list {
		seen = append(seen, w.WorkflowPermanentID)
	}
	assert.Equal(t, []string{wf.WorkflowPermanentID}, seen, "one workflow, not two")
}

// The same key returns the first workflow's version 1, whatever the body and
// even after an update; a bad key is refused before sending.
func TestCreateWorkflowIdempotencyKey(t *testing.T) {
	e := newContractEnv(t)
	def := func(title string) map[string]any {
		return map[string]any{"title": title, "workflow_definition": map[string]any{"parameters": []any{}, "blocks": []any{}}}
	}
	first, err := e.c.CreateWorkflow(e.ctx, &client.WorkflowRequest{JSONDefinition: def("First"), IdempotencyKey: "order-42"}, "")
	require.NoError(t, err)
	_, err = e.c.UpdateWorkflow(e.ctx, first.WorkflowPermanentID, &client.WorkflowRequest{JSONDefinition: def("Edited")})
	require.NoError(t, err)
	again, err := e.c.CreateWorkflow(e.ctx, &client.WorkflowRequest{JSONDefinition: def("Second"), IdempotencyKey: "order-42"}, "")
	require.NoError(t, err)
	assert.Equal(t, first.WorkflowPermanentID, again.WorkflowPermanentID)
	assert.Equal(t, 1, again.Version)
	assert.Equal(t, "First", again.Title)

	other, err := e.c.CreateWorkflow(e.ctx, &client.WorkflowRequest{JSONDefinition: def("Other")}, "")
	require.NoError(t, err)
	assert.NotEqual(t, first.WorkflowPermanentID, other.WorkflowPermanentID, "no key given: a fresh random one")

	calls := e.sb.Calls("POST", "/v1/agents")
	_, err = e.c.CreateWorkflow(e.ctx, &client.WorkflowRequest{JSONDefinition: def("X"), IdempotencyKey: "has space"}, "")
	assert.ErrorContains(t, err, "visible ASCII")
	assert.Equal(t, calls, e.sb.Calls("POST", "/v1/agents"), "a bad key is not sent")
}

// While the first creation with a key is in progress Skyvern answers 409;
// the client retries with the same key.
func TestCreateWorkflowRetries409InProgress(t *testing.T) {
	e := newContractEnv(t)
	e.sb.AddFault(sandbox.Fault{Method: "POST", Path: "/v1/agents", Status: http.StatusConflict,
		Body: `{"detail":"Workflow creation with this idempotency key is still in progress."}`, Times: 1})
	wf, err := e.c.CreateWorkflow(e.ctx, &client.WorkflowRequest{JSONDefinition: map[string]any{"title": "T",
		"workflow_definition": map[string]any{"parameters": []any{}, "blocks": []any{}}}}, "")
	require.NoError(t, err)
	assert.NotEmpty(t, wf.WorkflowPermanentID)
	assert.Equal(t, 2, e.sb.Calls("POST", "/v1/agents"))
}
