package client_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/skyvern-mcp/skyvern-mcp/client"
	"github.com/skyvern-mcp/skyvern-mcp/internal/contracttest"
)

// Task runs take browser_profile_id and start_fresh_browser with
// skyvern-2.0 only (agent_protocol.py run_task: 400 for other engines);
// skyvern-3.0 runs are task_v3.
func TestRunTaskServerFields(t *testing.T) {
	e := newContractEnv(t, contracttest.AllowStatus(400))
	_, err := e.c.RunTask(e.ctx, &client.TaskRunRequest{Prompt: "p", StartFreshBrowser: true})
	assert.Equal(t, 400, client.StatusCode(err))
	assert.Contains(t, err.Error(), "start_fresh_browser is not supported")
	run, err := e.c.RunTask(e.ctx, &client.TaskRunRequest{Prompt: "p", Engine: client.EngineSkyvern2, StartFreshBrowser: true})
	require.NoError(t, err)
	require.NotNil(t, run.RunRequest)
	assert.True(t, *run.RunRequest.StartFreshBrowser)
	v3, err := e.c.RunTask(e.ctx, &client.TaskRunRequest{Prompt: "p", Engine: client.EngineSkyvern3})
	require.NoError(t, err)
	assert.Equal(t, client.RunTypeTaskV3, v3.RunType)
}
