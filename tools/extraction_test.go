package tools

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestMalformedExtractionSchemaStartsNoRun: a data_extraction_schema that
// is not a valid JSON Schema, or a string that looks like JSON but does not
// parse, is an isError result naming the field and the problem, and no run
// is started (no POST reaches Skyvern).
func TestMalformedExtractionSchemaStartsNoRun(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	for _, tc := range []struct {
		schema any
		want   []string
	}{
		{`{"type": "object", "properties": {`, []string{"data_extraction_schema is a string that starts with \"{\" but is not valid JSON", "ends before the JSON is complete"}},
		{` [{"name": "string"}`, []string{"data_extraction_schema is a string that starts with \"[\" but is not valid JSON"}},
		{map[string]any{"type": "objekt"}, []string{"data_extraction_schema is not a valid JSON Schema", "type: value must be one of 'array', 'boolean'"}},
		{`{"type": "objekt"}`, []string{"data_extraction_schema is not a valid JSON Schema", "type: value must be one of"}},
		{map[string]any{"type": "object", "properties": map[string]any{"price": map[string]any{"type": "nummer"}}},
			[]string{"data_extraction_schema is not a valid JSON Schema", "properties.price.type: value must be one of"}},
		{map[string]any{"type": "object", "required": "price"}, []string{"data_extraction_schema is not a valid JSON Schema", "required: got string, want array"}},
		{map[string]any{"type": "array", "minItems": -1}, []string{"minItems"}},
		{map[string]any{"$ref": "file:///etc/passwd"}, []string{"file:///etc/passwd, which is not loaded", "keep every $ref inside the schema"}},
		{map[string]any{"$ref": "https://example.com/schema.json"}, []string{"https://example.com/schema.json, which is not loaded"}},
		{[]any{"name", 3}, []string{"data_extraction_schema[1] is a number", "field names"}},
		{[]any{map[string]any{"type": "strin"}}, []string{"data_extraction_schema[0] is not a valid JSON Schema"}},
	} {
		res := h.call("run_task", map[string]any{"prompt": "Extract it", "data_extraction_schema": tc.schema}, nil)
		require.True(t, res.IsError, "%v was accepted", tc.schema)
		assert.Contains(t, text(res), "run_task: invalid arguments: ")
		for _, w := range tc.want {
			assert.Contains(t, text(res), w, "%v", tc.schema)
		}
	}
	assert.Zero(t, h.sandbox.Calls("POST", "/v1/run/tasks"), "no run started")
}

// TestExtractionSchemaFormsKeepWorking: the forms Skyvern and the tool's
// description accept still start a run: a JSON Schema (2020-12, draft-07 or
// draft-04 style), the same as JSON text, a {"field": "type"} shorthand, a
// list of field names, and a plain-text description.
func TestExtractionSchemaFormsKeepWorking(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	forms := []any{
		extractionSchema,
		`{"type": "object", "properties": {"price": {"type": "number"}}}`,
		map[string]any{"$schema": "http://json-schema.org/draft-07/schema#", "type": "array", "items": []any{map[string]any{"type": "string"}}},
		map[string]any{"type": "number", "minimum": 0, "exclusiveMinimum": true},
		map[string]any{"type": "string", "pattern": `^(?!N/A$).+`},
		map[string]any{"$ref": "#/definitions/price", "definitions": map[string]any{"price": map[string]any{"type": "number"}}},
		map[string]any{"name": "string", "price": "number"},
		map[string]any{"price": "number", "items": []any{map[string]any{"name": "string"}}},
		[]any{"name", "price"},
		"The product's name and its price in euros",
		"[Optional] fields are fine to skip",
	}
	for i, f := range forms {
		if i == len(forms)-1 {
			// A string that starts with [ but is not JSON is refused: it
			// looks like a schema given as text.
			res := h.call("run_task", map[string]any{"prompt": "Extract it", "data_extraction_schema": f}, nil)
			require.True(t, res.IsError)
			continue
		}
		res := h.call("run_task", map[string]any{"prompt": "Extract it", "data_extraction_schema": f}, nil)
		require.False(t, res.IsError, "%v: %s", f, text(res))
	}
	assert.Equal(t, len(forms)-1, h.sandbox.Calls("POST", "/v1/run/tasks"))
}
