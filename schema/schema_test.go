package schema

import (
	"encoding/json"
	"reflect"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/skyvern-mcp/skyvern-mcp/client"
)

func decode(t *testing.T, raw json.RawMessage) map[string]any {
	t.Helper()
	var m map[string]any
	require.NoError(t, json.Unmarshal(raw, &m))
	return m
}

func TestRootIsAClosedObjectWithItsFields(t *testing.T) {
	type in struct {
		ID    string `json:"id" jsonschema:"required" jsonschema_description:"The ID."`
		Count int    `json:"count,omitempty" jsonschema:"minimum=1" jsonschema_description:"How many."`
	}
	s := decode(t, must(For[in]()))
	assert.Equal(t, "object", s["type"])
	assert.Equal(t, false, s["additionalProperties"])
	assert.Equal(t, []any{"id"}, s["required"], "required only from tags")
	props := s["properties"].(map[string]any)
	require.Len(t, props, 2)
	assert.Equal(t, "The ID.", props["id"].(map[string]any)["description"])
	assert.EqualValues(t, 1, props["count"].(map[string]any)["minimum"])
	assert.NotContains(t, s, "$schema")
	assert.NotContains(t, s, "$defs")
}

func TestEmptyStructHasProperties(t *testing.T) {
	s := decode(t, must(For[struct{}]()))
	assert.Equal(t, map[string]any{}, s["properties"])
}

func TestPolymorphicShapes(t *testing.T) {
	s := decode(t, must(For[client.CreateCredentialRequest]()))
	props := s["properties"].(map[string]any)
	cred := props["credential"].(map[string]any)
	assert.Equal(t, "object", cred["type"])
	for _, field := range []string{"username", "password", "card_number", "card_cvv", "secret_value"} {
		assert.Contains(t, cred["description"], field, "the description names each shape's fields")
	}
	proxy := props["proxy_location"].(map[string]any)["anyOf"].([]any)
	assert.Equal(t, "string", proxy[0].(map[string]any)["type"])
	assert.Equal(t, ProxyPresetPattern, proxy[0].(map[string]any)["pattern"])
	assert.Equal(t, []any{"country"}, proxy[1].(map[string]any)["required"])
	assert.Equal(t, []any{"password", "credit_card", "secret"}, props["credential_type"].(map[string]any)["enum"])
}

func TestRecursiveTypeIsInlinedOnce(t *testing.T) {
	type out struct {
		Timeline []client.TimelineEntry `json:"timeline"`
	}
	s := decode(t, must(For[out]()))
	entry := s["properties"].(map[string]any)["timeline"].(map[string]any)["items"].(map[string]any)
	eprops := entry["properties"].(map[string]any)
	assert.Contains(t, eprops, "block")
	children := eprops["children"].(map[string]any)
	assert.Equal(t, "array", children["type"])
	nested := children["items"].(map[string]any)
	assert.Equal(t, "object", nested["type"])
	assert.NotContains(t, nested, "properties", "the nested entry is a plain object, not an infinite expansion")
}

func TestNonStructRootIsRefused(t *testing.T) {
	_, err := For[[]string]()
	assert.ErrorContains(t, err, "not a struct")
}

func must(b json.RawMessage, err error) json.RawMessage {
	if err != nil {
		panic(err)
	}
	return b
}

func TestProxyPresetPatternMatchesEveryPreset(t *testing.T) {
	re := regexp.MustCompile(ProxyPresetPattern)
	for _, p := range client.ProxyPresets() {
		assert.True(t, re.MatchString(p), p)
	}
	for _, bad := range []string{"residential", "RESIDENTIAL_", "US-CALIFORNIA", "", "NONE "} {
		assert.False(t, re.MatchString(bad), bad)
	}
}

func TestOutputOfAcceptsWhatEncodingJSONWrites(t *testing.T) {
	type inner struct {
		Message string `json:"message"`
	}
	type out struct {
		inner
		Output   client.RawJSON    `json:"output,omitempty"`
		Result   any               `json:"result,omitempty"`
		List     []string          `json:"list"`
		Kept     []string          `json:"kept,omitempty"`
		Maps     []map[string]any  `json:"maps,omitempty"`
		Meta     map[string]string `json:"meta"`
		Ptr      *int              `json:"ptr"`
		Count    int               `json:"count"`
		Message2 string            `json:"message2"`
	}
	raw := must(OutputOf(reflect.TypeFor[out]()))
	assert.JSONEq(t, `{"type":"object","properties":{
		"message":{"type":"string"},
		"output":{},
		"result":{},
		"list":{"type":["array","null"],"items":{"type":"string"}},
		"kept":{"type":"array","items":{"type":"string"}},
		"maps":{"type":"array","items":{"type":["object","null"]}},
		"meta":{"type":["object","null"]},
		"ptr":{"type":["integer","null"]},
		"count":{"type":"integer"},
		"message2":{"type":"string"}}}`, string(raw))
	// The input side keeps RawJSON's three shapes.
	in := decode(t, must(For[out]()))
	assert.Len(t, in["properties"].(map[string]any)["output"].(map[string]any)["anyOf"], 3)
}
