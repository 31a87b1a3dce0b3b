package tools

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"image/png"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/skyvern-mcp/skyvern-mcp/internal/chromium/chromiumtest"
)

// testSite serves the pages the browser tools are tried on.
func testSite(t *testing.T) *httptest.Server {
	mux := http.NewServeMux()
	mux.HandleFunc("/form", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `<!doctype html><title>Form</title><h1>Sign up</h1>
<form action="/done"><label>Name <input name="name"></label>
<select name="plan"><option value="free">Free</option><option value="pro">Pro</option></select>
<button type="submit">Send</button></form><a href="/tab" target="_blank">Open tab</a>
<p onmouseover="this.textContent='hovered'" id="hover">hover me</p><div style="height:3000px"></div>`)
	})
	mux.HandleFunc("/done", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `<!doctype html><title>Done</title><p id="result">Thanks, %s</p><p>Plan: %s</p>`, r.URL.Query().Get("name"), r.URL.Query().Get("plan"))
	})
	mux.HandleFunc("/tab", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, `<!doctype html><title>Tab</title>second`) })
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

// TestBrowserToolsOnChromium drives every browser tool once on a real
// Chromium session of the sandbox; harness.call checks each structured
// result against the tool's outputSchema.
func TestBrowserToolsOnChromium(t *testing.T) {
	bin := chromiumtest.Require(t)
	h := newHarness(t, harnessOpts{chromium: bin})
	site := testSite(t)
	called := map[string]bool{}
	ok := func(name string, args map[string]any) (map[string]any, *mcp.CallToolResult) {
		t.Helper()
		res := h.call(name, args, nil)
		require.False(t, res.IsError, "%s: %s", name, text(res))
		called[name] = true
		return h.structured(res), res
	}
	sess, _ := ok("create_browser_session", map[string]any{"url": site.URL + "/form"})
	id := sess["browser_session_id"].(string)
	with := func(m map[string]any) map[string]any { m["browser_session_id"] = id; return m }

	snap, _ := ok("browser_snapshot", with(map[string]any{}))
	assert.Equal(t, "Form", snap["title"])
	assert.Contains(t, snap["snapshot"], `- textbox "Name" [ref=e1] value=""`)
	assert.Contains(t, snap["snapshot"], `- button "Send" [ref=e3]`)
	ok("browser_type", with(map[string]any{"ref": "e1", "text": "Ada"}))
	sel, _ := ok("browser_select_option", with(map[string]any{"selector": "select", "values": []any{"Pro"}}))
	assert.Equal(t, []any{"pro"}, sel["selected"])
	ok("browser_hover", with(map[string]any{"selector": "#hover"}))
	ev, _ := ok("browser_evaluate", with(map[string]any{"expression": "document.getElementById('hover').textContent"}))
	assert.Equal(t, "hovered", ev["result"])
	sc, _ := ok("browser_scroll", with(map[string]any{"direction": "down", "amount": 500}))
	assert.Equal(t, 500.0, sc["y"])
	shot, res := ok("browser_screenshot", with(map[string]any{}))
	assert.Equal(t, "image/png", shot["mime_type"])
	var img mcp.ImageContent
	for _, c := range res.Content {
		if ic, isImg := c.(mcp.ImageContent); isImg {
			img = ic
		}
	}
	raw, err := base64.StdEncoding.DecodeString(img.Data)
	require.NoError(t, err)
	decoded, err := png.Decode(bytes.NewReader(raw))
	require.NoError(t, err)
	assert.Equal(t, 1280, decoded.Bounds().Dx())
	assert.EqualValues(t, len(raw), shot["size_bytes"])

	page, _ := ok("browser_click", with(map[string]any{"ref": "e3"}))
	assert.Equal(t, "Done", page["title"])
	ok("browser_wait_for", with(map[string]any{"text": "Thanks, Ada"}))
	ex, _ := ok("browser_extract", with(map[string]any{"prompt": "the result", "schema": map[string]any{"type": "object",
		"properties": map[string]any{"result": map[string]any{"type": "string"}, "plan": map[string]any{"type": "string"}}}}))
	assert.Equal(t, map[string]any{"result": "Thanks, Ada", "plan": "pro"}, ex["result"])
	wr := ex["workflow_run_id"]
	v, _ := ok("browser_validate", with(map[string]any{"prompt": `the page says "Thanks, Ada"`}))
	assert.Equal(t, true, v["result"])
	assert.Equal(t, wr, v["workflow_run_id"], "the session's AI actions share one workflow run")
	ok("browser_act", with(map[string]any{"prompt": "do nothing"}))

	back, _ := ok("browser_back", with(map[string]any{}))
	assert.Equal(t, "Form", back["title"])
	fwd, _ := ok("browser_forward", with(map[string]any{}))
	assert.Equal(t, "Done", fwd["title"])
	nav, _ := ok("browser_navigate", with(map[string]any{"url": site.URL + "/form", "wait_until": "networkidle"}))
	assert.Equal(t, "Form", nav["title"])
	ok("browser_press_key", with(map[string]any{"key": "Tab"}))

	// A link with target=_blank opens a tab; switch to it, then close it.
	ok("browser_click", with(map[string]any{"selector": "a"}))
	tabs, _ := ok("browser_tabs", with(map[string]any{"action": "list"}))
	list := tabs["tabs"].([]any)
	require.Len(t, list, 2)
	var newID string
	for _, tb := range list {
		if m := tb.(map[string]any); m["current"] != true {
			newID = m["id"].(string)
		}
	}
	ok("browser_tabs", with(map[string]any{"action": "switch", "tab_id": newID}))
	p, _ := ok("browser_wait_for", with(map[string]any{"text": "second"}))
	assert.Equal(t, "Tab", p["title"])
	closed, _ := ok("browser_tabs", with(map[string]any{"action": "close", "tab_id": newID}))
	assert.Len(t, closed["tabs"], 1)

	// Bad input names the field.
	bad := h.call("browser_click", with(map[string]any{}), nil)
	require.True(t, bad.IsError)
	assert.Contains(t, text(bad), "ref or selector is required")
	gone := h.call("browser_click", with(map[string]any{"ref": "e999"}), nil)
	require.True(t, gone.IsError)
	assert.Contains(t, text(gone), "no element has ref e999")

	ok("close_browser_session", map[string]any{"browser_session_id": id})
	assert.Zero(t, h.deps.BrowserPool().Len(), "closing the session closes its connection")
	after := h.call("browser_snapshot", with(map[string]any{}), nil)
	require.True(t, after.IsError)
	assert.Contains(t, text(after), "it is not running")

	for _, tl := range All() {
		if tl.Toolset == ToolsetBrowser {
			assert.True(t, called[tl.Tool.Name], "%s is not called here: add a call", tl.Tool.Name)
		}
	}
}

// browserToolNames are the browser toolset's tools.
var browserToolNames = []string{"browser_navigate", "browser_snapshot", "browser_click", "browser_type", "browser_select_option",
	"browser_press_key", "browser_hover", "browser_scroll", "browser_wait_for", "browser_screenshot", "browser_evaluate",
	"browser_tabs", "browser_back", "browser_forward", "browser_act", "browser_extract", "browser_validate"}

// TestToolsetSizes logs each toolset's size in tools/list (the README's
// per-toolset table) and keeps the browser toolset one flag away and small:
// the default set is at its budget already.
func TestToolsetSizes(t *testing.T) {
	for _, ts := range Toolsets() {
		sel, err := Select(Filter{Toolsets: []string{ts}})
		require.NoError(t, err)
		s, _ := measureToolsList(t, sel)
		t.Logf("| `%s` | %d | %d | %d |", ts, s.Tools, s.ModelFacing, s.Whole)
		if ts == ToolsetBrowser {
			assert.Len(t, sel, len(browserToolNames))
			assert.LessOrEqual(t, s.ModelFacing, 9000, "browser toolset: model-facing bytes")
		}
	}
	assert.NotContains(t, DefaultToolsets(), ToolsetBrowser)
	both, err := Select(Filter{Toolsets: []string{ToolsetBrowserSessions, ToolsetBrowser}})
	require.NoError(t, err)
	s, _ := measureToolsList(t, both)
	t.Logf("browser_sessions,browser: tools=%d model-facing=%d whole=%d", s.Tools, s.ModelFacing, s.Whole)
	assert.LessOrEqual(t, s.Tools, MaxDefaultTools)
	assert.LessOrEqual(t, s.ModelFacing, MaxDefaultModelFacingBytes)
	def, err := Select(Filter{})
	require.NoError(t, err)
	d, _ := measureToolsList(t, def)
	t.Logf("default: tools=%d model-facing=%d whole=%d", d.Tools, d.ModelFacing, d.Whole)
}
