package client_test

import (
	"slices"
	"sort"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/skyvern-mcp/skyvern-mcp/internal/contracttest"
)

// leftOut are the spec's operations with no client method, and why.
var leftOut = map[string]string{
	"GET /v1/workflow-tags":  "x-hidden batch look-up of workflow tags; get_workflow_tags covers one workflow",
	"POST /v1/workflow-tags": "x-hidden batch look-up of workflow tags (POST form)",
	"GET /v1/run-tags":       "x-hidden batch look-up of run tags; get_run_tags covers one run",
	"POST /v1/run-tags":      "x-hidden batch look-up of run tags (POST form)",
}

// TestEverySpecOperationIsCovered proves that each operation of Skyvern's
// spec is exercised by one of the contract tests (each list is checked
// there against the validator's record) or is left out for a stated reason.
func TestEverySpecOperationIsCovered(t *testing.T) {
	spec := contracttest.Load(t)
	covered := slices.Concat(sdkOperations, coreExtraOperations, folderOperations, customLLMOperations,
		tagOperations, scheduleOperations, scriptOperations, sdkActionOperations, serverOnlyOperations)
	var missing, unknown []string
	for _, op := range spec.Operations() {
		if !slices.Contains(covered, op) && leftOut[op] == "" {
			missing = append(missing, op)
		}
	}
	for _, op := range covered {
		if !slices.Contains(spec.Operations(), op) {
			unknown = append(unknown, op)
		}
	}
	sort.Strings(missing)
	assert.Empty(t, missing, "spec operations without a client method and contract test")
	assert.Empty(t, unknown, "listed operations the spec does not have")
	assert.Len(t, covered, len(spec.Operations())-len(leftOut), "each operation is listed once")
}

// serverOnlyOperations are the operations of the server's document that the
// SDK's lacks.
var serverOnlyOperations = []string{
	"DELETE /v1/files/{file_id}", "GET /v1/browser_profiles/{profile_id}/usage",
	"GET /v1/run-tag-suggestions", "POST /v1/tag-values",
}

// The server's document has the SDK's 83 operations and these 4.
func TestServerOnlyOperationsAreTheDifference(t *testing.T) {
	server, sdk := contracttest.Load(t), contracttest.LoadSDK(t)
	var extra []string
	for _, op := range server.Operations() {
		if !contains(sdk.Operations(), op) {
			extra = append(extra, op)
		}
	}
	assert.ElementsMatch(t, serverOnlyOperations, extra)
	for _, op := range sdk.Operations() {
		assert.Contains(t, server.Operations(), op, "the server's document is a superset of the SDK's")
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
