package contracttest

// hiddenRoute is a route Skyvern's server serves but keeps out of its
// published document (FastAPI include_in_schema=False), described here so
// traffic to it is validated like any documented operation. [Load] sends
// them to the contract-validator, which adds them to the document it loads.
type hiddenRoute struct {
	Method string `json:"method"`
	Path   string `json:"path"`
	// Source names the server code that shows the route.
	Source string `json:"-"`
	// Operation is the OpenAPI operation object, in the shape FastAPI would emit.
	Operation map[string]any `json:"operation"`
}

// hiddenRoutes are the server's hidden routes the SDK calls.
var hiddenRoutes = []hiddenRoute{{
	Method: "get", Path: "/v1/artifacts/{artifact_id}",
	Source: "skyvern/forge/sdk/routes/agent_protocol.py get_artifact (response_model=Artifact, x-fern-sdk-method-name get_artifact, include_in_schema=False)",
	Operation: map[string]any{
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
		out[opKey(h.Method, h.Path)] = h.Source
	}
	return out
}
