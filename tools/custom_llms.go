package tools

import (
	"context"
	"fmt"

	"github.com/skyvern-mcp/skyvern-mcp/client"
)

// CustomLLMIDInput names a custom LLM.
type CustomLLMIDInput struct {
	CustomLLMID string `json:"custom_llm_id" jsonschema:"required" jsonschema_description:"ID of the custom LLM (oat_...)."`
}

// UpdateCustomLLMInput is update_custom_llm's input.
type UpdateCustomLLMInput struct {
	CustomLLMIDInput
	client.CustomLLMUpdateRequest
}

// CustomLLMsResult is list_custom_llms' output.
type CustomLLMsResult struct {
	Count      int                `json:"count"`
	CustomLLMs []client.CustomLLM `json:"custom_llms"`
}

func customLLMTools() []Tool {
	return []Tool{
		define(spec{name: "list_custom_llms", title: "List custom LLMs", toolset: ToolsetCustomLLMs, hints: readHints,
			description: "List the organization's custom LLM configurations (oat_...): provider, model, endpoint. API keys are never shown (\"********\")."},
			func(ctx context.Context, c *call, _ *NoInput) (*CustomLLMsResult, error) {
				ls, err := c.client.ListCustomLLMs(ctx)
				if err != nil {
					return nil, err
				}
				return &CustomLLMsResult{Count: len(ls), CustomLLMs: ls}, nil
			}),
		define(spec{name: "create_custom_llm", title: "Add a custom LLM", toolset: ToolsetCustomLLMs, hints: hints{},
			description: "Add a model Skyvern can use: an OpenAI-compatible endpoint (api_base), Ollama or OpenRouter (api_key). Skyvern stores the API key; it is never returned."},
			func(ctx context.Context, c *call, in *client.CustomLLMCreateRequest) (*client.CustomLLM, error) {
				return c.client.CreateCustomLLM(ctx, in)
			}),
		define(spec{name: "update_custom_llm", title: "Update a custom LLM", toolset: ToolsetCustomLLMs,
			hints:       hints{destructive: true, idempotent: true},
			description: "Replace a custom LLM's whole config (omitted fields are reset; no api_key removes the stored key). Pass api_key \"********\" to keep the key."},
			func(ctx context.Context, c *call, in *UpdateCustomLLMInput) (*client.CustomLLM, error) {
				return c.client.UpdateCustomLLM(ctx, in.CustomLLMID, &in.CustomLLMUpdateRequest)
			}),
		define(spec{name: "delete_custom_llm", title: "Delete a custom LLM", toolset: ToolsetCustomLLMs,
			hints:       hints{destructive: true, idempotent: true},
			description: "Delete a custom LLM configuration (oat_...) and its stored API key. Skyvern can no longer use that model."},
			func(ctx context.Context, c *call, in *CustomLLMIDInput) (*OKResult, error) {
				if err := c.client.DeleteCustomLLM(ctx, in.CustomLLMID); err != nil {
					return nil, err
				}
				return &OKResult{OK: true, Message: fmt.Sprintf("Custom LLM %s deleted.", in.CustomLLMID)}, nil
			}),
	}
}
