package contracttest

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// hiddenRoute is a route Skyvern's server serves but keeps out of its
// published document (FastAPI include_in_schema=False), described here so
// traffic to it is validated like any documented operation.
type hiddenRoute struct {
	method, path string
	// source names the server code that shows the route.
	source string
	// op is the OpenAPI operation object, in the shape FastAPI would emit.
	op map[string]any
}

// hiddenRoutes are the server's hidden routes the SDK calls.
var hiddenRoutes = []hiddenRoute{{
	method: "get", path: "/v1/artifacts/{artifact_id}",
	source: "skyvern/forge/sdk/routes/agent_protocol.py get_artifact (response_model=Artifact, x-fern-sdk-method-name get_artifact, include_in_schema=False)",
	op: map[string]any{
		"operationId": "get_artifact_v1_artifacts__artifact_id__get",
		"summary":     "Get an artifact",
		"parameters": []any{map[string]any{
			"name": "artifact_id", "in": "path", "required": true,
			"schema": map[string]any{"type": "string", "title": "Artifact Id"},
		}},
		"responses": map[string]any{
			"200": map[string]any{"description": "Successfully retrieved artifact", "content": map[string]any{
				"application/json": map[string]any{"schema": map[string]any{"$ref": "#/components/schemas/Artifact"}},
			}},
			"404": map[string]any{"description": "Artifact not found"},
			"422": map[string]any{"description": "Validation Error", "content": map[string]any{
				"application/json": map[string]any{"schema": map[string]any{"$ref": "#/components/schemas/HTTPValidationError"}},
			}},
		},
	},
}}

// HiddenOperations returns the server routes [Load] validates although the
// server's document leaves them out, as "METHOD /path/template" mapped to
// the server code that shows them.
func HiddenOperations() map[string]string {
	out := make(map[string]string, len(hiddenRoutes))
	for _, h := range hiddenRoutes {
		out[opKey(h.method, h.path)] = h.source
	}
	return out
}

// addHidden returns the document raw with hiddenRoutes added to its paths
// (in memory only; the file is never changed), and their operation keys.
// A route the document already has is left as the document says.
func addHidden(raw []byte) ([]byte, map[string]bool, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var doc map[string]any
	if err := dec.Decode(&doc); err != nil {
		return nil, nil, err
	}
	paths, ok := doc["paths"].(map[string]any)
	if !ok {
		return nil, nil, fmt.Errorf("document has no paths object")
	}
	added := map[string]bool{}
	for _, h := range hiddenRoutes {
		item, _ := paths[h.path].(map[string]any)
		if item == nil {
			item = map[string]any{}
			paths[h.path] = item
		}
		if _, exists := item[h.method]; exists {
			continue
		}
		item[h.method] = h.op
		added[opKey(h.method, h.path)] = true
	}
	out, err := json.Marshal(doc)
	return out, added, err
}
