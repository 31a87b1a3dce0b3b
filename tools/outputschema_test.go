package tools

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
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
