package tools

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var toolNameRE = regexp.MustCompile(`^[a-zA-Z0-9_-]{1,64}$`)

// The 30 operations of Skyvern's SDK reference, named as the Python SDK methods.
var sdkToolNames = []string{"run_task", "get_run", "cancel_run", "get_run_timeline", "get_run_artifacts", "get_artifact",
	"retry_run_webhook", "run_workflow", "create_workflow", "get_workflows", "get_workflow", "get_workflow_versions",
	"update_workflow", "delete_workflow", "create_browser_session", "get_browser_session", "get_browser_sessions",
	"close_browser_session", "create_browser_profile", "list_browser_profiles", "get_browser_profile",
	"delete_browser_profile", "create_credential", "get_credentials", "get_credential", "delete_credential",
	"send_totp_code", "login", "download_files", "upload_file"}

// extraToolNames are the core toolsets' tools beyond the SDK reference's
// 30 (set in tools_test.go).
var extraToolNames []string

// cleanupToolNames are the cleanup toolset's tools.
var cleanupToolNames = []string{"delete_file", "get_browser_profile_usage"}

// allToolNames are every tool: the reference's 30 plus the other SDK
// methods, whose lists live beside their tests.
func allToolNames() []string {
	return slices.Concat(sdkToolNames, extraToolNames, folderToolNames, tagToolNames, schedScriptToolNames, browserToolNames, cleanupToolNames)
}

func TestAllSDKToolsRegistered(t *testing.T) {
	var names []string
	for _, tl := range All() {
		names = append(names, tl.Tool.Name)
	}
	assert.ElementsMatch(t, allToolNames(), names)
}

// TestToolPortability checks every tool against the rules that keep schemas
// usable by every major MCP client.
func TestToolPortability(t *testing.T) {
	for _, tl := range All() {
		t.Run(tl.Tool.Name, func(t *testing.T) {
			name := tl.Tool.Name
			assert.Regexp(t, toolNameRE, name)
			assert.LessOrEqual(t, len(name), 40, "tool name too long for some clients")
			assert.NotEmpty(t, tl.Tool.Title)
			assert.GreaterOrEqual(t, len(tl.Tool.Description), 60, "description should help a model choose the tool")

			// The whole tool must marshal: one failure breaks tools/list.
			b, err := json.Marshal(tl.Tool)
			require.NoError(t, err)
			var wire map[string]any
			require.NoError(t, json.Unmarshal(b, &wire))
			ann, ok := wire["annotations"].(map[string]any)
			require.True(t, ok, "annotations missing")
			_, isBool := ann["readOnlyHint"].(bool)
			assert.True(t, isBool, "readOnlyHint must be set explicitly")
			for _, h := range []string{"destructiveHint", "idempotentHint", "openWorldHint"} {
				if v, present := ann[h]; present {
					_, isBool := v.(bool)
					assert.True(t, isBool, "annotation %s must be a boolean", h)
				}
			}
			want := tl.declared
			if want.readOnly {
				want.destructive, want.idempotent = false, true
			}
			assert.Equal(t, want, effectiveHints(tl.Tool.Annotations), "published annotations mean the declared hints")

			for _, kind := range []string{"inputSchema", "outputSchema"} {
				s, ok := wire[kind].(map[string]any)
				require.True(t, ok, "%s missing", kind)
				assert.Equal(t, "object", s["type"], "%s root must be an object", kind)
				assert.Contains(t, s, "properties", "%s root must have properties", kind)
				for _, comb := range []string{"anyOf", "oneOf", "allOf", "not", "if"} {
					assert.NotContains(t, s, comb, "%s root must not use %s", kind, comb)
				}
				checkNode(t, kind, s, kind == "inputSchema")
				compile2020(t, name+"."+kind, s)
			}
			in := wire["inputSchema"].(map[string]any)
			assert.Equal(t, false, in["additionalProperties"], "input schema must be closed")
			if tl.in != reflect.TypeFor[NoInput]() { // only tools declared without parameters have none
				assert.NotEmpty(t, propertyNames(in), "input schema has no properties")
			}
			assert.NotEmpty(t, propertyNames(wire["outputSchema"].(map[string]any)), "output schema has no properties")
			for _, p := range propertyNames(in) {
				lower := strings.ToLower(strings.ReplaceAll(p, "-", "_"))
				assert.NotContains(t, lower, "api_key", "the API key is never a tool parameter")
				assert.NotEqual(t, "apikey", lower, "the API key is never a tool parameter")
			}
		})
	}
}

// checkNode walks a schema: no references, every array has items, enums are
// arrays, every anyOf branch has a type, and (for inputs) every required
// property has a description. Optional properties with self-explanatory
// names go without one: every byte of a schema is sent in each tools/list.
func checkNode(t *testing.T, path string, node map[string]any, wantDescriptions bool) {
	t.Helper()
	for _, k := range []string{"$ref", "$defs", "definitions", "$dynamicRef"} {
		assert.NotContains(t, node, k, "%s: schemas must be fully inlined", path)
	}
	if node["type"] == "array" {
		_, isObject := node["items"].(map[string]any)
		assert.True(t, isObject, "%s: array items must be a schema object (not missing, not a bare true)", path)
	}
	if e, ok := node["enum"]; ok {
		_, isArr := e.([]any)
		assert.True(t, isArr, "%s: enum must be an array", path)
	}
	if branches, ok := node["anyOf"].([]any); ok {
		for i, b := range branches {
			bm, ok := b.(map[string]any)
			require.True(t, ok)
			assert.Contains(t, bm, "type", "%s.anyOf[%d]: branch without type", path, i)
			checkNode(t, fmt.Sprintf("%s.anyOf[%d]", path, i), bm, wantDescriptions)
		}
	}
	assert.NotContains(t, node, "oneOf", "%s: use anyOf with typed branches", path)
	required := map[string]bool{}
	if req, ok := node["required"].([]any); ok {
		for _, r := range req {
			required[r.(string)] = true
		}
	}
	if props, ok := node["properties"].(map[string]any); ok {
		for name, p := range props {
			pm, ok := p.(map[string]any)
			require.True(t, ok, "%s.%s", path, name)
			if wantDescriptions && required[name] {
				d, _ := pm["description"].(string)
				assert.NotEmpty(t, d, "%s.%s: property without description", path, name)
			}
			checkNode(t, path+"."+name, pm, wantDescriptions)
		}
	}
	if items, ok := node["items"].(map[string]any); ok {
		checkNode(t, path+"[]", items, wantDescriptions)
	}
	if ap, ok := node["additionalProperties"].(map[string]any); ok {
		checkNode(t, path+"{}", ap, wantDescriptions)
	}
}

func propertyNames(s map[string]any) []string {
	var out []string
	if props, ok := s["properties"].(map[string]any); ok {
		for k := range props {
			out = append(out, k)
		}
	}
	return out
}

// compile2020 compiles a schema as JSON Schema 2020-12, which validates it
// against the 2020-12 meta-schema.
func compile2020(t *testing.T, name string, s map[string]any) {
	t.Helper()
	b, err := json.Marshal(s)
	require.NoError(t, err)
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	require.NoError(t, err)
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	url := "mem:///" + name + ".json"
	require.NoError(t, c.AddResource(url, doc))
	_, err = c.Compile(url)
	assert.NoError(t, err, "%s is not a valid JSON Schema 2020-12", name)
}

// effectiveHints reads published annotations with MCP's defaults for the
// hints left out (destructive true, idempotent false, open world true); a
// read-only tool is neither destructive nor anything but idempotent.
func effectiveHints(a mcp.ToolAnnotation) hints {
	h := hints{readOnly: Hint(a.ReadOnlyHint, false), openWorld: Hint(a.OpenWorldHint, true)}
	if h.readOnly {
		h.idempotent = true
		return h
	}
	h.destructive = Hint(a.DestructiveHint, true)
	h.idempotent = Hint(a.IdempotentHint, false)
	return h
}
