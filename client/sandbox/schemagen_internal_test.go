package sandbox

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestExtractionOutputValid generates values for schemas of every draft
// the generator knows and validates them with an independent validator.
func TestExtractionOutputValid(t *testing.T) {
	schemas := []string{
		`true`,
		`{}`,
		`{"type":"integer","exclusiveMinimum":7,"exclusiveMaximum":9}`,
		`{"$schema":"http://json-schema.org/draft-04/schema#","type":"number","minimum":1,"exclusiveMinimum":true,"maximum":2}`,
		`{"$schema":"http://json-schema.org/draft-07/schema#","type":"array","items":[{"type":"string","format":"uuid"},{"type":"boolean"}],"minItems":2}`,
		`{"type":"object","minProperties":3,"additionalProperties":{"type":"integer","minimum":100}}`,
		`{"type":"object","properties":{"a":{"type":"integer"}},"allOf":[{"properties":{"a":{"minimum":50}}},{"type":["object","null"],"required":["b"]}]}`,
		`{"definitions":{"node":{"type":"object","properties":{"name":{"type":"string"},"children":{"type":"array","maxItems":0,"items":{"$ref":"#/definitions/node"}}},"required":["name"]}},"$ref":"#/definitions/node"}`,
		`{"type":"object","properties":{"ip":{"format":"ipv4","type":"string"},"host":{"type":"string","format":"hostname"},"day":{"type":"string","format":"date"},"site":{"type":"string","format":"uri"},"phone":{"type":"string","pattern":"^\\+[0-9]+$"}}}`,
		`{"type":"array","minItems":3,"uniqueItems":true,"items":{"type":"string","enum":["x","y","z"]}}`,
		`{"type":"object","properties":{"price":{"type":"number","multipleOf":0.5,"minimum":3}},"required":["price","currency"],"additionalProperties":{"type":"string","maxLength":3}}`,
		`{"anyOf":[{"type":"string","minLength":3},{"type":"integer"}]}`,
		`{"type":["integer","null"],"maximum":-5}`,
		`{"not":{"type":"string"},"type":"integer"}`,
	}
	for _, raw := range schemas {
		var s any
		require.NoError(t, json.Unmarshal([]byte(raw), &s), raw)
		out := extractionOutput(s, "summary")
		enc, err := json.Marshal(out)
		require.NoError(t, err)

		c := jsonschema.NewCompiler()
		c.AssertFormat()
		doc, err := jsonschema.UnmarshalJSON(strings.NewReader(raw))
		require.NoError(t, err)
		require.NoError(t, c.AddResource("s.json", doc), raw)
		sch, err := c.Compile("s.json")
		require.NoError(t, err, raw)
		inst, err := jsonschema.UnmarshalJSON(strings.NewReader(string(enc)))
		require.NoError(t, err)
		assert.NoError(t, sch.Validate(inst), "value %s for schema %s", enc, raw)
	}
}

func TestExtractionOutputShapes(t *testing.T) {
	assert.Equal(t, map[string]any{"summary": "s"}, extractionOutput(nil, "s"))
	got := extractionOutput(`{"type":"object","properties":{"n":{"type":"integer"}}}`, "s")
	assert.Equal(t, map[string]any{"n": 42}, got, "a schema sent as JSON text is used as a schema")
	got = extractionOutput(map[string]any{"rating": "integer", "ok": "boolean", "info": map[string]any{"city": "where"}}, "s")
	assert.Equal(t, map[string]any{"rating": 4, "ok": true, "info": map[string]any{"city": "Example City"}}, got)
	got = extractionOutput([]any{map[string]any{"type": "object", "properties": map[string]any{"a": map[string]any{"type": "boolean"}}}}, "s")
	assert.Equal(t, map[string]any{"items": []any{map[string]any{"a": true}}}, got)
}
