package tools

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// outputValidators are the compiled output schemas of every tool, as JSON
// Schema 2020-12 (what MCP clients such as the TypeScript SDK validate
// structuredContent with).
var outputValidators = sync.OnceValues(func() (map[string]*jsonschema.Schema, error) {
	out := map[string]*jsonschema.Schema{}
	for _, tl := range All() {
		sch, err := compileSchema(tl.Tool.Name+".out", tl.Tool.RawOutputSchema)
		if err != nil {
			return nil, err
		}
		out[tl.Tool.Name] = sch
	}
	return out, nil
})

func compileSchema(name string, raw json.RawMessage) (*jsonschema.Schema, error) {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		return nil, err
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	url := "mem:///" + name + ".json"
	if err := c.AddResource(url, doc); err != nil {
		return nil, err
	}
	return c.Compile(url)
}

// validatedOutputs records the tools whose structured content some test
// validated against their output schema (see harness.call).
var validatedOutputs sync.Map

// checkOutputSchema validates structured content, as sent on the wire,
// against tool's output schema.
func checkOutputSchema(t *testing.T, tool string, structured any) {
	t.Helper()
	vals, err := outputValidators()
	require.NoError(t, err)
	sch, ok := vals[tool]
	require.True(t, ok, "no tool %s", tool)
	b, err := json.Marshal(structured)
	require.NoError(t, err)
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	require.NoError(t, err)
	if assert.NoError(t, sch.Validate(inst), "%s: structuredContent does not validate against outputSchema: %s", tool, truncate(string(b), 2000)) {
		validatedOutputs.Store(tool, true)
	}
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}

// TestOutputSchemasAcceptZeroValues: a tool's result type with nothing set
// (every list, map and pointer nil) encodes to JSON that its output schema
// accepts; a nil field without omitempty is written as null.
func TestOutputSchemasAcceptZeroValues(t *testing.T) {
	vals, err := outputValidators()
	require.NoError(t, err)
	for _, tl := range All() {
		b, err := json.Marshal(reflect.New(tl.out).Interface())
		require.NoError(t, err)
		inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
		require.NoError(t, err)
		assert.NoError(t, vals[tl.Tool.Name].Validate(inst), "%s: %s", tl.Tool.Name, b)
	}
}

// TestEverySchemaArrayHasItems walks every tool's input and output schema:
// each node that allows arrays ("type": "array" or a type list with
// "array") has an items schema object.
func TestEverySchemaArrayHasItems(t *testing.T) {
	for _, tl := range All() {
		for kind, raw := range map[string]json.RawMessage{"inputSchema": tl.Tool.RawInputSchema, "outputSchema": tl.Tool.RawOutputSchema} {
			var s any
			require.NoError(t, json.Unmarshal(raw, &s))
			walkArrays(t, tl.Tool.Name+"."+kind, s)
		}
	}
}

func walkArrays(t *testing.T, path string, node any) {
	t.Helper()
	switch n := node.(type) {
	case map[string]any:
		allowsArray := n["type"] == "array"
		if ts, ok := n["type"].([]any); ok {
			for _, x := range ts {
				allowsArray = allowsArray || x == "array"
			}
		}
		if allowsArray {
			_, ok := n["items"].(map[string]any)
			assert.True(t, ok, "%s: an array without an items schema object", path)
		}
		for k, v := range n {
			walkArrays(t, path+"."+k, v)
		}
	case []any:
		for i, v := range n {
			walkArrays(t, fmt.Sprintf("%s[%d]", path, i), v)
		}
	}
}

// TestRunOutputOfEveryJSONType runs tasks whose extraction schema asks for
// a number, an integer, a boolean, null, a string, an array and an object
// (the sandbox extracts a value valid against it, as Skyvern does), and
// checks that run_task's and get_run's results carry that output and
// validate against their outputSchema (harness.call). The spec documents
// only object, array, string or null outputs, but the real Skyvern returns
// numbers and booleans: the sandbox's answers are not checked against it.
func TestRunOutputOfEveryJSONType(t *testing.T) {
	h := newHarness(t, harnessOpts{offSpec: true})
	for _, tc := range []struct {
		schema map[string]any
		check  func(any) bool
	}{
		{map[string]any{"type": "number"}, func(v any) bool { _, ok := v.(float64); return ok }},
		{map[string]any{"type": "integer", "minimum": 3}, func(v any) bool { f, ok := v.(float64); return ok && f >= 3 && f == float64(int(f)) }},
		{map[string]any{"type": "boolean"}, func(v any) bool { _, ok := v.(bool); return ok }},
		{map[string]any{"type": "null"}, func(v any) bool { return v == nil }},
		{map[string]any{"type": "string"}, func(v any) bool { _, ok := v.(string); return ok }},
		{map[string]any{"type": "array", "items": map[string]any{"type": "number"}}, func(v any) bool { _, ok := v.([]any); return ok }},
		{map[string]any{"type": "object", "properties": map[string]any{"ok": map[string]any{"type": "boolean"}}, "required": []any{"ok"}},
			func(v any) bool { m, ok := v.(map[string]any); return ok && m["ok"] != nil }},
	} {
		name := fmt.Sprint(tc.schema["type"])
		run := h.structured(h.call("run_task", map[string]any{"prompt": "Extract it", "data_extraction_schema": tc.schema, "wait_for_completion": true}, nil))
		require.Equal(t, "completed", run["status"], name)
		assert.True(t, tc.check(run["output"]), "%s: run_task output %#v", name, run["output"])
		got := h.structured(h.call("get_run", map[string]any{"run_id": run["run_id"]}, nil))
		assert.True(t, tc.check(got["output"]), "%s: get_run output %#v", name, got["output"])
	}
	vals, err := outputValidators()
	require.NoError(t, err)
	// A number and a boolean as the real Skyvern sends them, checked
	// directly against get_run's output schema.
	for _, body := range []string{`{"run_id":"tsk_1","status":"completed","output":7}`, `{"run_id":"tsk_1","status":"completed","output":false}`,
		`{"run_id":"tsk_1","status":"completed","output":null}`} {
		inst, err := jsonschema.UnmarshalJSON(strings.NewReader(body))
		require.NoError(t, err)
		assert.NoError(t, vals["get_run"].Validate(inst), body)
	}
}
