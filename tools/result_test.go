package tools

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// bigOutputSchema asks the sandbox for an output of about kb KB.
func bigOutputSchema(kb int) map[string]any {
	return map[string]any{"type": "object", "properties": map[string]any{
		"rows": map[string]any{"type": "array", "minItems": kb, "items": map[string]any{"type": "string", "minLength": 1000}},
	}}
}

// validOutput checks structured content against the tool's output schema.
func validOutput(t *testing.T, tool string, res *mcp.CallToolResult) {
	t.Helper()
	var raw json.RawMessage
	for _, tl := range All() {
		if tl.Tool.Name == tool {
			raw = tl.Tool.RawOutputSchema
		}
	}
	require.NotNil(t, raw, tool)
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	require.NoError(t, err)
	c := jsonschema.NewCompiler()
	require.NoError(t, c.AddResource("mem:///out.json", doc))
	sch, err := c.Compile("mem:///out.json")
	require.NoError(t, err)
	b, err := json.Marshal(res.StructuredContent)
	require.NoError(t, err)
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	require.NoError(t, err)
	require.NoError(t, sch.Validate(inst))
}

func structuredMap(t *testing.T, res *mcp.CallToolResult) map[string]any {
	t.Helper()
	b, err := json.Marshal(res.StructuredContent)
	require.NoError(t, err)
	var m map[string]any
	require.NoError(t, json.Unmarshal(b, &m))
	return m
}

func resultBytes(t *testing.T, res *mcp.CallToolResult) int {
	b, err := json.Marshal(res)
	require.NoError(t, err)
	return len(b)
}

func startBigRun(h *harness, kb int) string {
	h.t.Helper()
	res := h.call("run_task", map[string]any{"prompt": "extract a table", "data_extraction_schema": bigOutputSchema(kb), "wait_for_completion": true}, nil)
	require.False(h.t, res.IsError, text(res))
	b, _ := json.Marshal(res.StructuredContent)
	var m map[string]any
	require.NoError(h.t, json.Unmarshal(b, &m))
	return m["run_id"].(string)
}

// TestOversizedResultIsShortened: a run whose output is far over the cap
// comes back within it, valid against get_run's output schema, with the
// output replaced by a marker string, and a text that says what was cut,
// how much, and which resource has the rest.
func TestOversizedResultIsShortened(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	h.deps.MaxResultBytes, h.deps.ResourceLinks = MinMaxResultBytes, true
	runID := startBigRun(h, 300) // ~300 KB of output
	res := h.call("get_run", map[string]any{"run_id": runID}, nil)
	require.False(t, res.IsError, text(res))
	assert.LessOrEqual(t, resultBytes(t, res), MinMaxResultBytes)
	validOutput(t, "get_run", res)
	m := structuredMap(t, res)
	assert.Equal(t, runID, m["run_id"])
	assert.Equal(t, "completed", m["status"])
	out, ok := m["output"].(string)
	require.True(t, ok, "output is a marker string: %T", m["output"])
	assert.True(t, strings.HasPrefix(out, `{"rows":["`), out[:40])
	assert.Contains(t, out, "cut by skyvern-mcp")
	txt := text(res)
	assert.Contains(t, txt, "over the server's 65536-byte result limit")
	assert.Regexp(t, `output: \d+ of \d+ bytes kept`, txt)
	assert.Contains(t, txt, "For all of output: read the resource skyvern://runs/"+runID+"/output")
	assert.Less(t, len(txt), MaxTextCopyBytes+2048, "the text is a shortened copy")
}

// TestTextCopyIsNotTheSamePayloadTwice: a result under the cap but over
// MaxTextCopyBytes keeps its structured content whole, and its text is a
// shortened copy that says so.
func TestTextCopyIsNotTheSamePayloadTwice(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	runID := startBigRun(h, 100) // ~100 KB
	res := h.call("get_run", map[string]any{"run_id": runID}, nil)
	require.False(t, res.IsError, text(res))
	validOutput(t, "get_run", res)
	m := structuredMap(t, res)
	rows := m["output"].(map[string]any)["rows"].([]any)
	assert.Len(t, rows, 100, "structured content is whole")
	txt := text(res)
	assert.Less(t, len(txt), MaxTextCopyBytes+1024)
	assert.Contains(t, txt, "structuredContent carries it whole")
	assert.Less(t, resultBytes(t, res), 100_000+MaxTextCopyBytes+8192)
}

// TestSmallResultTextIsTheJSON: small results are as before: the text is
// the structured content's JSON.
func TestSmallResultTextIsTheJSON(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	res := h.call("run_task", map[string]any{"prompt": "x"}, nil)
	h.structured(res) // asserts text == JSON
}

// TestResourceLinksInText: run results name the run's resource URIs in a
// text item; with NoResourceLinkItems there are no resource_link items but
// the text still has the URIs.
func TestResourceLinksInText(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	h.deps.ResourceLinks = true
	runID := startBigRun(h, 1)
	count := func(res *mcp.CallToolResult) (links int, texts []string) {
		for _, c := range res.Content {
			switch c := c.(type) {
			case mcp.ResourceLink:
				links++
			case mcp.TextContent:
				texts = append(texts, c.Text)
			}
		}
		return
	}
	res := h.call("get_run", map[string]any{"run_id": runID}, nil)
	links, texts := count(res)
	assert.Positive(t, links)
	require.Len(t, texts, 2)
	base := "skyvern://runs/" + runID
	assert.Equal(t, "Resources: "+base+" (the run), "+base+"/output, "+base+"/artifacts, "+base+"/timeline, "+base+"/recording", texts[1])

	h.deps.NoResourceLinkItems = true
	res = h.call("get_run", map[string]any{"run_id": runID}, nil)
	links, texts = count(res)
	assert.Zero(t, links)
	require.Len(t, texts, 2)
	assert.Contains(t, texts[1], base+"/recording")
}

// TestShrinkKeepsSchemaTypes: shrink truncates strings, cuts arrays and
// replaces an object by a string only where the schema allows a string.
func TestShrinkKeepsSchemaTypes(t *testing.T) {
	schema := map[string]any{"type": "object", "properties": map[string]any{
		"list": map[string]any{"type": "array", "items": map[string]any{"type": "object"}},
		"obj":  map[string]any{"type": "object"},
		"any":  map[string]any{},
	}}
	long := strings.Repeat("é", 3000)
	items := make([]any, 100)
	for i := range items {
		items[i] = map[string]any{"n": json.Number("1"), "s": strings.Repeat("x", 100)}
	}
	v := map[string]any{"list": items, "obj": map[string]any{"s": long}, "any": map[string]any{"s": long}, "id": "keep"}
	var cuts []cut
	got := shrink(v, schema, "", 4000, &cuts).(map[string]any)
	assert.LessOrEqual(t, jsonLen(got), 4000)
	assert.Equal(t, "keep", got["id"])
	_, isList := got["list"].([]any)
	_, isObj := got["obj"].(map[string]any)
	_, anyIsString := got["any"].(string)
	assert.True(t, isList, "arrays stay arrays")
	assert.True(t, isObj, "objects whose schema refuses strings stay objects")
	assert.True(t, anyIsString, "an any-typed object becomes a marker string")
	assert.NotEmpty(t, cuts)
	for _, s := range []string{got["any"].(string), got["obj"].(map[string]any)["s"].(string)} {
		assert.True(t, strings.HasSuffix(s, " bytes shown]"), s)
	}
}
