package tools

import (
	"encoding/base64"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// nested returns n levels of {"a": ...} around a leaf.
func nested(n int) any {
	var v any = "leaf"
	for range n {
		v = map[string]any{"a": v}
	}
	return v
}

func TestOversizedArgumentsAreRefusedBeforeAnyRequest(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	res := h.call("run_task", map[string]any{"prompt": strings.Repeat("x", MaxArgumentBytes)}, nil)
	require.True(t, res.IsError)
	msg := text(res)
	assert.Contains(t, msg, "run_task: invalid arguments: arguments are ")
	assert.Contains(t, msg, "the limit is 4194304 bytes (4 MiB) per call")
	assert.Contains(t, msg, "the largest field, prompt, is ")
	assert.Zero(t, h.sandbox.Calls("", "/v1/run/tasks"), "nothing reaches Skyvern")

	// The limit is on the JSON sent: a string of escapes counts as sent.
	res = h.call("create_credential", map[string]any{"name": strings.Repeat("\n", MaxArgumentBytes/2+1)}, nil)
	require.True(t, res.IsError)
	assert.Contains(t, text(res), "4194304 bytes (4 MiB)")
	assert.Contains(t, text(res), "the largest field, name, is ")
	assert.Zero(t, h.sandbox.Calls("", "/v1/credentials"))
}

func TestOneMiBPromptStillWorks(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	prompt := "Find the price. " + strings.Repeat("Context line for the task. ", (1<<20)/27)
	require.GreaterOrEqual(t, len(prompt), 1<<20-32)
	out := h.structured(h.call("run_task", map[string]any{"prompt": prompt, "engine": "skyvern-1.0"}, nil))
	assert.True(t, strings.HasPrefix(out["run_id"].(string), "tsk_"))
	assert.Equal(t, 1, h.sandbox.Calls("POST", "/v1/run/tasks"))
}

func TestUploadFileHasItsOwnArgumentLimit(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	content := base64.StdEncoding.EncodeToString(make([]byte, 4<<20)) // 5.3 MiB of arguments
	out := h.structured(h.call("upload_file", map[string]any{"content": content, "filename": "big.bin"}, nil))
	assert.EqualValues(t, 4<<20, out["size_bytes"])
	assert.Equal(t, 1, h.sandbox.Calls("POST", "/v1/upload_file"))
}

func TestDeeplyNestedArgumentsAreRefusedBeforeAnyRequest(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	// The arguments object is level 1, the 64 objects of model are levels
	// 2 to 65.
	res := h.call("run_task", map[string]any{"prompt": "x", "model": nested(64)}, nil)
	require.True(t, res.IsError)
	assert.Contains(t, text(res), "run_task: invalid arguments: arguments are nested more than 64 levels deep in model")
	assert.Contains(t, text(res), "the limit is 64 levels")
	assert.Zero(t, h.sandbox.Calls("", "/v1/run/tasks"))

	// Arrays count too, in every tool.
	var arr any = []any{}
	for range MaxArgumentDepth {
		arr = []any{arr}
	}
	res = h.call("run_workflow", map[string]any{"workflow_id": "wpid_1", "parameters": map[string]any{"p": arr}}, nil)
	require.True(t, res.IsError)
	assert.Contains(t, text(res), "nested more than 64 levels deep in parameters")
	assert.Zero(t, h.sandbox.Calls("", "/v1/run/agents"))

	// Exactly 64 levels is fine.
	out := h.structured(h.call("run_task", map[string]any{"prompt": "x", "engine": "skyvern-1.0", "model": nested(63)}, nil))
	assert.NotEmpty(t, out["run_id"])
	assert.Equal(t, 1, h.sandbox.Calls("POST", "/v1/run/tasks"))
}

func TestHugeExtractionSchemaIsRefusedBeforeAnyRequest(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	schema := map[string]any{"type": "object", "properties": map[string]any{
		"price": map[string]any{"type": "number", "description": strings.Repeat("d", MaxExtractionSchemaBytes)},
	}}
	res := h.call("run_task", map[string]any{"prompt": "x", "data_extraction_schema": schema}, nil)
	require.True(t, res.IsError)
	assert.Contains(t, text(res), "run_task: invalid arguments: data_extraction_schema is ")
	assert.Contains(t, text(res), "the limit is 262144 bytes (256 KiB)")
	assert.Zero(t, h.sandbox.Calls("", "/v1/run/tasks"))

	// A plain-text description counts as its JSON string.
	res = h.call("run_task", map[string]any{"prompt": "x", "data_extraction_schema": strings.Repeat("p", MaxExtractionSchemaBytes-1)}, nil)
	require.True(t, res.IsError, "%d characters plus two quotes is over the limit", MaxExtractionSchemaBytes-1)
	assert.Contains(t, text(res), "data_extraction_schema is 262145 bytes")
	assert.Zero(t, h.sandbox.Calls("", "/v1/run/tasks"))

	// Just under the limit works.
	out := h.structured(h.call("run_task", map[string]any{"prompt": "x", "engine": "skyvern-1.0",
		"data_extraction_schema": strings.Repeat("p", MaxExtractionSchemaBytes-2)}, nil))
	assert.NotEmpty(t, out["run_id"])
	assert.Equal(t, 1, h.sandbox.Calls("POST", "/v1/run/tasks"))
}

func TestScanJSON(t *testing.T) {
	for _, tc := range []struct {
		raw         string
		depth       int
		deepKey     string
		largestKey  string
		largestSize int
	}{
		{raw: `{}`, depth: 1},
		{raw: `{"a":1,"bb":"xyz"}`, depth: 1, largestKey: "bb", largestSize: 5},
		{raw: `{"a":[[1]],"b":2}`, depth: 3, largestKey: "a", largestSize: 5},
		// Brackets, quotes and escapes inside strings are not structure.
		{raw: `{"k\"[{":"[[[[\\\"{{{","z":{}}`, depth: 2, largestKey: `k"[{`, largestSize: 13},
		{raw: `{"a":[[[[[]]]]]}`, depth: 4, deepKey: "a", largestKey: ""}, // stops at limit 3
		{raw: `[[[[`, depth: 4},
		{raw: `"just a string"`, depth: 0},
	} {
		sc := scanJSON([]byte(tc.raw), 3)
		assert.Equal(t, tc.depth, sc.depth, tc.raw)
		assert.Equal(t, tc.deepKey, sc.deepKey, tc.raw)
		assert.Equal(t, tc.largestKey, sc.largestKey, tc.raw)
		if tc.largestKey != "" {
			assert.Equal(t, tc.largestSize, sc.largestSize, tc.raw)
		}
	}
}

func TestLimitsApplyToTheRightTools(t *testing.T) {
	for _, tool := range All() {
		l := limitsFor(spec{name: tool.Tool.Name}, tool.in)
		assert.Equal(t, tool.Tool.Name == "run_task", l.extractionSchema, tool.Tool.Name)
	}
}
