package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"sync"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/skyvern-mcp/skyvern-mcp/internal/httpserver"
)

// maxOwnedObjects bounds the run and artifact IDs isolation remembers.
const maxOwnedObjects = 20000

// isolation keeps HTTP callers with different Skyvern keys apart in what
// the server remembers across calls. Package resources keeps one list of
// the runs the server has seen (resources/list, the skyvern://runs index,
// run_id and artifact_id completions); when callers bring their own keys,
// each must see only the runs and artifacts that came back to it (through
// a tool result or a resource read made with its key). isolation records
// who saw what, from tool results and resource contents, and filters those
// three answers by it. Reading a run or artifact itself always goes to
// Skyvern with the caller's key, so it needs no filter.
type isolation struct {
	mu     sync.Mutex
	owners map[string]map[string]struct{} // run or artifact ID -> caller IDs
	order  []string                       // IDs, oldest first, for eviction
}

func newIsolation() *isolation {
	return &isolation{owners: map[string]map[string]struct{}{}}
}

// serverOptions wraps tool and resource handlers and adds hooks to hooks
// (which the server must receive through WithHooks).
func (iso *isolation) serverOptions(hooks *server.Hooks) []server.ServerOption {
	hooks.AddAfterListResources(iso.afterListResources)
	hooks.AddAfterComplete(iso.afterComplete)
	return []server.ServerOption{
		server.WithToolHandlerMiddleware(iso.toolMiddleware),
		server.WithResourceHandlerMiddleware(iso.resourceMiddleware),
	}
}

func (iso *isolation) see(caller, id string) {
	if id == "" {
		return
	}
	iso.mu.Lock()
	defer iso.mu.Unlock()
	set, ok := iso.owners[id]
	if !ok {
		set = map[string]struct{}{}
		iso.owners[id] = set
		iso.order = append(iso.order, id)
		if len(iso.order) > maxOwnedObjects {
			delete(iso.owners, iso.order[0])
			iso.order = iso.order[1:]
		}
	}
	set[caller] = struct{}{}
}

func (iso *isolation) owns(caller, id string) bool {
	iso.mu.Lock()
	defer iso.mu.Unlock()
	_, ok := iso.owners[id][caller]
	return ok
}

// seeJSON records every run_id and artifact_id string in a JSON value.
func (iso *isolation) seeJSON(caller string, v any) {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			if s, ok := e.(string); ok && (k == "run_id" || k == "artifact_id") {
				iso.see(caller, s)
				continue
			}
			iso.seeJSON(caller, e)
		}
	case []any:
		for _, e := range x {
			iso.seeJSON(caller, e)
		}
	}
}

func (iso *isolation) seeValue(caller string, v any) {
	if v == nil {
		return
	}
	b, ok := v.(json.RawMessage) // what the tools return: no need to encode it again
	if !ok {
		var err error
		if b, err = json.Marshal(v); err != nil {
			return
		}
	}
	iso.seeText(caller, b)
}

var (
	runIDKey      = []byte(`"run_id"`)
	artifactIDKey = []byte(`"artifact_id"`)
)

// seeText records the IDs in a JSON text. It runs after every tool call and
// resource read, so it decodes only text that names such an ID.
func (iso *isolation) seeText(caller string, b []byte) {
	if !bytes.Contains(b, runIDKey) && !bytes.Contains(b, artifactIDKey) {
		return
	}
	var doc any
	if json.Unmarshal(b, &doc) == nil {
		iso.seeJSON(caller, doc)
	}
}

func (iso *isolation) toolMiddleware(next server.ToolHandlerFunc) server.ToolHandlerFunc {
	return func(ctx context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		res, err := next(ctx, req)
		if err == nil && res != nil && !res.IsError {
			iso.seeValue(httpserver.CallerID(ctx), res.StructuredContent)
		}
		return res, err
	}
}

const (
	runsIndexURI = "skyvern://runs"
	runURIPrefix = "skyvern://runs/"
)

func (iso *isolation) resourceMiddleware(next server.ResourceHandlerFunc) server.ResourceHandlerFunc {
	return func(ctx context.Context, req mcp.ReadResourceRequest) ([]mcp.ResourceContents, error) {
		contents, err := next(ctx, req)
		if err != nil {
			return contents, err
		}
		caller := httpserver.CallerID(ctx)
		if req.Params.URI == runsIndexURI {
			return iso.filterIndex(caller, contents), nil
		}
		if id, ok := strings.CutPrefix(req.Params.URI, runURIPrefix); ok {
			id, _, _ = strings.Cut(id, "/")
			iso.see(caller, id) // read with the caller's key: it is theirs
		}
		for _, c := range contents {
			if t, ok := c.(mcp.TextResourceContents); ok && t.MIMEType == "application/json" {
				iso.seeText(caller, []byte(t.Text))
			}
		}
		return contents, nil
	}
}

// filterIndex keeps the caller's runs in the skyvern://runs index.
func (iso *isolation) filterIndex(caller string, contents []mcp.ResourceContents) []mcp.ResourceContents {
	out := make([]mcp.ResourceContents, 0, len(contents))
	for _, c := range contents {
		t, ok := c.(mcp.TextResourceContents)
		if !ok {
			continue
		}
		var index map[string]any
		if json.Unmarshal([]byte(t.Text), &index) != nil {
			continue // not the shape expected: show nothing rather than everything
		}
		runs, _ := index["runs"].([]any)
		kept := []any{}
		for _, r := range runs {
			if m, ok := r.(map[string]any); ok {
				if id, _ := m["run_id"].(string); iso.owns(caller, id) {
					kept = append(kept, r)
				}
			}
		}
		index["runs"], index["count"] = kept, len(kept)
		b, err := json.Marshal(index)
		if err != nil {
			continue
		}
		t.Text = string(b)
		out = append(out, t)
	}
	return out
}

// afterListResources drops the runs the caller has not seen.
func (iso *isolation) afterListResources(ctx context.Context, _ any, _ *mcp.ListResourcesRequest, res *mcp.ListResourcesResult) {
	if res == nil {
		return
	}
	caller := httpserver.CallerID(ctx)
	kept := res.Resources[:0:0]
	for _, r := range res.Resources {
		if id, ok := strings.CutPrefix(r.URI, runURIPrefix); ok && !iso.owns(caller, id) {
			continue
		}
		kept = append(kept, r)
	}
	res.Resources = kept
}

// afterComplete drops run and artifact IDs the caller has not seen.
func (iso *isolation) afterComplete(ctx context.Context, _ any, req *mcp.CompleteRequest, res *mcp.CompleteResult) {
	if res == nil || req == nil {
		return
	}
	if name := req.Params.Argument.Name; name != "run_id" && name != "artifact_id" {
		return
	}
	caller := httpserver.CallerID(ctx)
	kept := []string{}
	for _, v := range res.Completion.Values {
		if iso.owns(caller, v) {
			kept = append(kept, v)
		}
	}
	res.Completion.Values = kept
	res.Completion.Total = len(kept)
	res.Completion.HasMore = false
}
