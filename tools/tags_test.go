package tools

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// tagToolNames are the 15 tag tools, named as the Python SDK methods.
var tagToolNames = []string{"apply_run_tags", "get_run_tags", "delete_run_tag", "get_run_tag_history",
	"apply_workflow_tags", "get_workflow_tags", "delete_workflow_tag", "get_workflow_tag_history",
	"list_tag_keys", "update_tag_key", "delete_tag_key", "list_tag_values", "update_tag_value", "delete_tag_value",
	"rename_tag_value", "get_run_tag_suggestions", "create_tag_value"}

// pairs renders a result's tags as key:value (value for a standalone label).
func pairs(t *testing.T, tags any) []string {
	t.Helper()
	list, ok := tags.([]any)
	require.True(t, ok, "tags: %v", tags)
	out := make([]string, len(list))
	for i, x := range list {
		m := x.(map[string]any)
		out[i] = m["value"].(string)
		if k, ok := m["key"].(string); ok {
			out[i] = k + ":" + out[i]
		}
	}
	return out
}

// outputChecker validates structured results against each tool's output
// schema, as strict MCP clients do.
type outputChecker struct {
	t       *testing.T
	h       *harness
	schemas map[string]*jsonschema.Schema
}

func newOutputChecker(t *testing.T, h *harness) *outputChecker {
	c := &outputChecker{t: t, h: h, schemas: map[string]*jsonschema.Schema{}}
	for _, tl := range All() {
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(tl.Tool.RawOutputSchema))
		require.NoError(t, err)
		comp := jsonschema.NewCompiler()
		url := "mem:///" + tl.Tool.Name + ".out.json"
		require.NoError(t, comp.AddResource(url, doc))
		c.schemas[tl.Tool.Name], err = comp.Compile(url)
		require.NoError(t, err)
	}
	return c
}

// call calls a tool and returns its structured result, which must succeed
// and match the tool's output schema.
func (c *outputChecker) call(name string, args map[string]any) map[string]any {
	c.t.Helper()
	out := c.h.structured(c.h.call(name, args, nil))
	b, err := json.Marshal(out)
	require.NoError(c.t, err)
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	require.NoError(c.t, err)
	require.NoError(c.t, c.schemas[name].Validate(inst), "%s result does not match its output schema: %s", name, b)
	return out
}

func TestTagTools(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	oc := newOutputChecker(t, h)
	wf := h.structured(h.call("create_workflow", map[string]any{"yaml_definition": "title: Tagged\nworkflow_definition:\n  parameters: []\n  blocks: []\n"}, nil))
	wpid := wf["workflow_permanent_id"].(string)
	run := h.structured(h.call("run_workflow", map[string]any{"workflow_id": wpid}, nil))
	wr := run["run_id"].(string)

	got := oc.call("apply_workflow_tags", map[string]any{"workflow_permanent_id": wpid,
		"tags": []any{map[string]any{"key": "env", "value": "prod"}, map[string]any{"value": "urgent"}}, "colors": map[string]any{"env": "blue"}})
	assert.Equal(t, wpid, got["workflow_permanent_id"])
	assert.Equal(t, []string{"env:prod", "urgent"}, pairs(t, got["tags"]))
	first := got["tags"].([]any)[0].(map[string]any)
	assert.Equal(t, "manual", first["source"])
	assert.NotEmpty(t, first["set_at"])
	assert.NotContains(t, got["tags"].([]any)[1], "key", "a standalone label has no key")

	got = oc.call("get_workflow_tags", map[string]any{"workflow_permanent_id": wpid})
	assert.Equal(t, []string{"env:prod", "urgent"}, pairs(t, got["tags"]))

	got = oc.call("apply_run_tags", map[string]any{"workflow_run_id": wr,
		"tags": []any{map[string]any{"key": "env", "value": "prod"}, map[string]any{"key": "team", "value": "qa"}}})
	assert.Equal(t, wr, got["workflow_run_id"])
	assert.Equal(t, []string{"env:prod", "team:qa"}, pairs(t, got["tags"]))
	got = oc.call("get_run_tags", map[string]any{"workflow_run_id": wr})
	assert.Equal(t, []string{"env:prod", "team:qa"}, pairs(t, got["tags"]))
	got = oc.call("delete_run_tag", map[string]any{"workflow_run_id": wr, "key": "team"})
	assert.Equal(t, []string{"env:prod"}, pairs(t, got["tags"]))
	hist := oc.call("get_run_tag_history", map[string]any{"workflow_run_id": wr, "key": "team", "limit": 5})
	events := hist["events"].([]any)
	require.Len(t, events, 2)
	assert.Equal(t, "delete", events[0].(map[string]any)["event_type"])
	assert.NotContains(t, events[0], "value", "a grouped tag's delete event has no value")
	assert.Equal(t, "qa", events[1].(map[string]any)["value"])
	assert.NotEmpty(t, events[1].(map[string]any)["superseded_at"])

	got = oc.call("delete_workflow_tag", map[string]any{"workflow_permanent_id": wpid, "key": "env"})
	assert.Equal(t, []string{"urgent"}, pairs(t, got["tags"]))
	hist = oc.call("get_workflow_tag_history", map[string]any{"workflow_permanent_id": wpid})
	assert.Equal(t, wpid, hist["workflow_permanent_id"])
	assert.Len(t, hist["events"], 3)

	keys := oc.call("list_tag_keys", map[string]any{})
	assert.EqualValues(t, 2, keys["count"])
	assert.Equal(t, map[string]any{"key": "env", "workflow_count": 0.0}, keys["tag_keys"].([]any)[0])
	key := oc.call("update_tag_key", map[string]any{"key": "env", "description": "Deployment environment"})
	assert.Equal(t, "Deployment environment", key["description"])
	key = oc.call("update_tag_key", map[string]any{"key": "env"})
	assert.NotContains(t, key, "description", "omitting the description clears it")

	vals := oc.call("list_tag_values", map[string]any{"key": "env"})
	assert.EqualValues(t, 1, vals["count"])
	assert.Equal(t, map[string]any{"key": "env", "value": "prod", "color": "blue", "workflow_count": 0.0}, vals["tag_values"].([]any)[0])
	val := oc.call("update_tag_value", map[string]any{"key": "env", "value": "prod", "color": "green"})
	assert.Equal(t, "green", val["color"])
	ren := oc.call("rename_tag_value", map[string]any{"key": "env", "value": "prod", "new_value": "production"})
	assert.Equal(t, map[string]any{"key": "env", "value": "production", "color": "green", "renamed_workflow_count": 0.0}, ren)
	got = oc.call("get_run_tags", map[string]any{"workflow_run_id": wr})
	assert.Equal(t, []string{"env:production"}, pairs(t, got["tags"]), "the rename reached the run")
	del := oc.call("delete_tag_value", map[string]any{"key": "env", "value": "production"})
	assert.EqualValues(t, 1, del["removed_from_run_count"])
	assert.EqualValues(t, 1, del["removed_count"])
	dk := oc.call("delete_tag_key", map[string]any{"key": "team"})
	assert.Equal(t, map[string]any{"key": "team", "removed_from_workflow_count": 0.0, "removed_from_run_count": 0.0, "removed_count": 0.0}, dk)
	keys = oc.call("list_tag_keys", map[string]any{})
	assert.EqualValues(t, 1, keys["count"])
}

func TestTagToolsBadArguments(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	for _, tc := range []struct {
		tool string
		args map[string]any
		want []string
	}{
		{"apply_run_tags", map[string]any{"tags": []any{map[string]any{"value": "x"}}}, []string{"workflow_run_id"}},
		{"apply_workflow_tags", map[string]any{"workflow_permanent_id": "wpid_1", "tags": []any{map[string]any{"key": "env"}}}, []string{"tags.0", "value"}},
		{"apply_workflow_tags", map[string]any{"workflow_permanent_id": "wpid_1", "colors": map[string]any{"env": "magenta"}}, []string{"colors.env"}},
		{"apply_workflow_tags", map[string]any{"workflow_permanent_id": "wpid_1", "tags": "env:prod"}, []string{"tags", "array"}},
		{"get_workflow_tag_history", map[string]any{"workflow_permanent_id": "wpid_1", "limit": 0}, []string{"limit"}},
		{"update_tag_value", map[string]any{"key": "env", "value": "prod"}, []string{"color"}},
		{"update_tag_key", map[string]any{"key": "env", "description": strings.Repeat("d", 501)}, []string{"description"}},
		{"rename_tag_value", map[string]any{"key": "env", "value": "prod", "new": "x"}, []string{"new"}},
	} {
		res := h.call(tc.tool, tc.args, nil)
		require.True(t, res.IsError, "%s %v", tc.tool, tc.args)
		for _, w := range tc.want {
			assert.Contains(t, text(res), w, "%s %v", tc.tool, tc.args)
		}
	}
	for _, p := range []string{"/v1/runs/{workflow_run_id}/tags", "/v1/agents/{workflow_permanent_id}/tags"} {
		assert.Zero(t, h.sandbox.Calls("POST", p), "invalid arguments never reach Skyvern")
	}
}

func TestTagToolsKeepSkyvernErrors(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	task := h.structured(h.call("run_task", map[string]any{"prompt": "x", "engine": "skyvern-1.0"}, nil))
	res := h.call("get_run_tags", map[string]any{"workflow_run_id": task["run_id"]}, nil)
	require.True(t, res.IsError)
	assert.Contains(t, text(res), "HTTP 404")
	assert.Contains(t, text(res), "is a task run; tags apply to workflow runs (wr_...)")
	assert.Contains(t, text(res), "Only workflow runs (wr_...) have tags")

	res = h.call("update_tag_key", map[string]any{"key": "owner", "description": "x"}, nil)
	require.True(t, res.IsError)
	assert.Contains(t, text(res), "HTTP 404")
	assert.Contains(t, text(res), "Tag key owner not found")
	assert.Contains(t, text(res), "list_tag_keys and list_tag_values show the existing tag keys")

	wf := h.structured(h.call("create_workflow", map[string]any{"yaml_definition": "title: T\nworkflow_definition:\n  parameters: []\n  blocks: []\n"}, nil))
	res = h.call("apply_workflow_tags", map[string]any{"workflow_permanent_id": wf["workflow_permanent_id"],
		"tags": []any{map[string]any{"key": "skyvern.internal", "value": "x"}}}, nil)
	require.True(t, res.IsError)
	assert.Contains(t, text(res), "HTTP 422")
	assert.Contains(t, text(res), "tags.0.key")
	assert.Contains(t, text(res), "reserved")

	h.structured(h.call("apply_workflow_tags", map[string]any{"workflow_permanent_id": wf["workflow_permanent_id"],
		"tags": []any{map[string]any{"key": "env", "value": "prod"}, map[string]any{"key": "tier", "value": "gold"}}}, nil))
	h.structured(h.call("apply_run_tags", map[string]any{"workflow_run_id": h.structured(h.call("run_workflow",
		map[string]any{"workflow_id": wf["workflow_permanent_id"]}, nil))["run_id"], "tags": []any{map[string]any{"key": "env", "value": "dev"}}}, nil))
	res = h.call("rename_tag_value", map[string]any{"key": "env", "value": "prod", "new_value": "dev"}, nil)
	require.True(t, res.IsError)
	assert.Contains(t, text(res), "HTTP 409")
	assert.Contains(t, text(res), "Tag value env:dev already exists")
}

// The tag tools say truthfully what they do: reads are read-only, writes overwrite or remove (destructive)
// and change nothing more when repeated (idempotent), create_tag_value adds
// (not destructive; a second call is a 409, not idempotent); none reaches
// beyond Skyvern (openWorld false).
func TestTagToolsHints(t *testing.T) {
	byName := map[string]Tool{}
	for _, tl := range All() {
		byName[tl.Tool.Name] = tl
	}
	reads := []string{"get_run_tags", "get_run_tag_history", "get_workflow_tags", "get_workflow_tag_history", "list_tag_keys", "list_tag_values", "get_run_tag_suggestions"}
	creates := []string{"create_tag_value"}
	for _, name := range tagToolNames {
		tl, ok := byName[name]
		require.True(t, ok, name)
		assert.Equal(t, ToolsetTags, tl.Toolset)
		a := tl.Tool.Annotations
		read := slices.Contains(reads, name)
		h := effectiveHints(a)
		assert.Equal(t, read, h.readOnly, name)
		create := slices.Contains(creates, name)
		assert.Equal(t, !read && !create, h.destructive, name)
		assert.Equal(t, !create, h.idempotent, name)
		assert.False(t, h.openWorld, name)
	}
	// Each description names what it acts on: applied tags of one workflow
	// or run, or the organization's tag keys or tag values.
	assert.Contains(t, byName["list_tag_keys"].Tool.Description, "tag keys (groups")
	assert.Contains(t, byName["list_tag_values"].Tool.Description, "tag values (key:value labels")
	assert.Contains(t, byName["get_run_tags"].Tool.Description, "tags applied to a workflow run")
}
