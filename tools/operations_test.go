package tools

import (
	"os"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/skyvern-mcp/skyvern-mcp/internal/contracttest"
)

// toolOfUnnamedOperation names the tool of each operation of the server's
// document that declares no x-fern-sdk-method-name.
var toolOfUnnamedOperation = map[string]string{
	"GET /v1/schedules": "schedules_list_all",
	"POST /v1/agents/{workflow_permanent_id}/schedules":                                "schedules_create",
	"GET /v1/agents/{workflow_permanent_id}/schedules":                                 "schedules_list",
	"GET /v1/agents/{workflow_permanent_id}/schedules/{workflow_schedule_id}":          "schedules_get",
	"PUT /v1/agents/{workflow_permanent_id}/schedules/{workflow_schedule_id}":          "schedules_update",
	"DELETE /v1/agents/{workflow_permanent_id}/schedules/{workflow_schedule_id}":       "schedules_delete",
	"POST /v1/agents/{workflow_permanent_id}/schedules/{workflow_schedule_id}/enable":  "schedules_enable",
	"POST /v1/agents/{workflow_permanent_id}/schedules/{workflow_schedule_id}/disable": "schedules_disable",
	"POST /v1/agents/{workflow_permanent_id}/browser_session/reset_profile":            "reset_workflow_browser_profile",
	"POST /v1/scripts/{script_id}/run":                                                 "run_script",
}

// operationsWithoutTool are the server's operations no tool calls, each
// with the reason the README's "Operations without a tool" gives.
var operationsWithoutTool = map[string]string{
	"GET /v1/artifacts/{artifact_id}/content": "artifact bytes are the artifact resource (skyvern://artifacts/{artifact_id}), not a tool result; get_artifact returns the metadata with a signed_url",
	"GET /v1/workflow-tags":                   "x-hidden batch look-up of workflow tags; get_workflow_tags covers one workflow",
	"POST /v1/workflow-tags":                  "x-hidden batch look-up of workflow tags (POST form)",
	"GET /v1/run-tags":                        "x-hidden batch look-up of run tags; get_run_tags covers one run",
	"POST /v1/run-tags":                       "x-hidden batch look-up of run tags (POST form)",
}

// TestEveryServerOperationHasATool compares the tools of --toolsets all with
// the operations of Skyvern's server document: each operation has a tool,
// named as the SDK names the method (x-fern-sdk-method-name) where the
// document gives a name, or is left out for a reason the README states.
func TestEveryServerOperationHasATool(t *testing.T) {
	spec := contracttest.Load(t)
	all, err := Select(Filter{Toolsets: []string{AllToolsets}})
	require.NoError(t, err)
	// The browser toolset drives a page over CDP: no operation of the document.
	served := map[string]bool{}
	rest := 0
	for _, tl := range all {
		if tl.Toolset != ToolsetBrowser {
			served[tl.Tool.Name] = true
			rest++
		}
	}
	readme, err := os.ReadFile("../README.md")
	require.NoError(t, err)

	sdkNames := spec.SDKMethodNames()
	used := map[string]string{}
	var missing []string
	for _, op := range spec.Operations() {
		if why, ok := operationsWithoutTool[op]; ok {
			assert.True(t, strings.Contains(string(readme), "`"+op+"`"), "README lists %s among the operations without a tool", op)
			assert.NotEmpty(t, why)
			continue
		}
		name, ok := sdkNames[op]
		if !ok {
			name, ok = toolOfUnnamedOperation[op]
		}
		if !ok || !served[name] {
			missing = append(missing, op+" ("+name+")")
			continue
		}
		if prev, dup := used[name]; dup {
			t.Errorf("tool %s serves both %s and %s", name, prev, op)
		}
		used[name] = op
	}
	sort.Strings(missing)
	assert.Empty(t, missing, "operations of %s without a tool under --toolsets all", spec.Path())
	for op := range toolOfUnnamedOperation {
		assert.Contains(t, spec.Operations(), op)
		assert.NotContains(t, sdkNames, op, "%s now has an SDK method name: use it", op)
	}
	for op := range operationsWithoutTool {
		assert.Contains(t, spec.Operations(), op)
	}

	// Tools beyond the document's operations are the SDK's hidden get_artifact
	// route and convenience tools; name them so a new one is a decision.
	var extra []string
	for name := range served {
		if _, ok := used[name]; !ok {
			extra = append(extra, name)
		}
	}
	slices.Sort(extra)
	assert.Equal(t, []string{"get_artifact"}, extra, "tools that call no operation of the document")
	assert.Equal(t, "get_artifact", hiddenSDKName(spec), "get_artifact is the server's hidden GET /v1/artifacts/{artifact_id}")
	assert.Equal(t, len(spec.Operations())-len(operationsWithoutTool)+1, rest)
}

func hiddenSDKName(spec *contracttest.Spec) string {
	src := contracttest.HiddenOperations()["GET /v1/artifacts/{artifact_id}"]
	if strings.Contains(src, "x-fern-sdk-method-name get_artifact") {
		return "get_artifact"
	}
	return ""
}
