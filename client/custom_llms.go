package client

import (
	"context"
	"fmt"
	"net/http"
)

// CustomLLMAPIKeyMask is what Skyvern answers in place of a custom LLM's
// stored API key. Sent back as api_key in UpdateCustomLLM, it keeps the
// stored key.
const CustomLLMAPIKeyMask = "********"

// CustomLLMProvider is the kind of endpoint a custom LLM is served by.
type CustomLLMProvider string

// Custom LLM providers, from the CustomLLMProvider schema.
const (
	CustomLLMOpenAICompatible CustomLLMProvider = "openai_compatible"
	CustomLLMOllama           CustomLLMProvider = "ollama"
	CustomLLMOpenRouter       CustomLLMProvider = "openrouter"
	CustomLLMGemini           CustomLLMProvider = "gemini"
)

// EnumValues lists every provider.
func (CustomLLMProvider) EnumValues() []string {
	return []string{"openai_compatible", "ollama", "openrouter", "gemini"}
}

// CustomLLMConfig is a custom LLM's configuration (CustomLLMConfig schema).
// DisplayName (1-120 characters), Provider and ModelName (1-250) are
// required. APIKey is the provider's secret key: it is sent to Skyvern but
// never comes back (answers carry CustomLLMAPIKeyMask instead), and String
// hides it. Temperature is 0-2; MaxCompletionTokens 1-1,000,000.
type CustomLLMConfig struct {
	DisplayName         string            `json:"display_name" jsonschema:"required,minLength=1,maxLength=120" jsonschema_description:"Name shown in Skyvern."`
	Provider            CustomLLMProvider `json:"provider" jsonschema:"required" jsonschema_description:"Endpoint type."`
	ModelName           string            `json:"model_name" jsonschema:"required,minLength=1,maxLength=250" jsonschema_description:"Model name at the provider, e.g. llama3.1."`
	APIBase             string            `json:"api_base,omitempty" jsonschema:"maxLength=500" jsonschema_description:"Endpoint URL; required for openai_compatible."`
	APIKey              string            `json:"api_key,omitempty" jsonschema:"maxLength=1000" jsonschema_description:"Provider API key (required for openrouter); never returned."`
	APIVersion          string            `json:"api_version,omitempty" jsonschema:"maxLength=100" jsonschema_description:"API version, if the endpoint needs one."`
	SupportsVision      *bool             `json:"supports_vision,omitempty" jsonschema_description:"Whether the model accepts images. Default true."`
	AddAssistantPrefix  *bool             `json:"add_assistant_prefix,omitempty" jsonschema_description:"Prefix prompts with an assistant message. Default false."`
	MaxCompletionTokens *int              `json:"max_completion_tokens,omitempty" jsonschema:"minimum=1,maximum=1000000" jsonschema_description:"Most tokens per completion."`
	Temperature         *float64          `json:"temperature,omitempty" jsonschema:"minimum=0,maximum=2" jsonschema_description:"Sampling temperature."`
	ReasoningEffort     string            `json:"reasoning_effort,omitempty" jsonschema:"maxLength=50" jsonschema_description:"Reasoning effort, e.g. low, medium or high."`
	ExtraParameters     map[string]any    `json:"extra_parameters,omitempty" jsonschema_description:"Additional provider-specific request parameters, passed through to the model call."`
}

// String shows the configuration's names, never its API key.
func (c CustomLLMConfig) String() string {
	key := ""
	if c.APIKey != "" {
		key = " api_key:[REDACTED]"
	}
	return fmt.Sprintf("{display_name:%q provider:%s model_name:%q api_base:%q%s}", c.DisplayName, c.Provider, c.ModelName, c.APIBase, key)
}

// GoString hides the API key from %#v.
func (c CustomLLMConfig) GoString() string { return "client.CustomLLMConfig" + c.String() }

// CustomLLMCreateRequest is the body of POST /v1/custom-llms
// (CustomLLMCreateRequest schema).
type CustomLLMCreateRequest struct {
	Config CustomLLMConfig `json:"config" jsonschema:"required" jsonschema_description:"The model's configuration."`
}

// CustomLLMUpdateRequest is the body of PUT /v1/custom-llms/{custom_llm_id}
// (CustomLLMUpdateRequest schema). Config replaces the whole stored
// configuration: an omitted optional field is reset, and an omitted api_key
// removes the stored key; api_key CustomLLMAPIKeyMask keeps it.
type CustomLLMUpdateRequest struct {
	Config CustomLLMConfig `json:"config" jsonschema:"required" jsonschema_description:"The full new configuration; api_key \"********\" keeps the stored key."`
}

// CustomLLM is a stored custom LLM configuration (CustomLLM schema), ID
// oat_... Config.APIKey is CustomLLMAPIKeyMask when a key is stored, else
// empty: this client masks any other value Skyvern might send. CreatedAt
// and ModifiedAt are ISO 8601 timestamps.
type CustomLLM struct {
	ID             string          `json:"id"`
	OrganizationID string          `json:"organization_id"`
	Config         CustomLLMConfig `json:"config"`
	CreatedAt      string          `json:"created_at"`
	ModifiedAt     string          `json:"modified_at"`
	Valid          bool            `json:"valid"`
}

// maskKey makes sure a stored key never leaves the client.
func (l *CustomLLM) maskKey() {
	if l != nil && l.Config.APIKey != "" {
		l.Config.APIKey = CustomLLMAPIKeyMask
	}
}

// customLLMResponse is the CustomLLMResponse schema.
type customLLMResponse struct {
	CustomLLM *CustomLLM `json:"custom_llm"`
}

func (r *customLLMResponse) validate() error {
	if r.CustomLLM == nil || r.CustomLLM.ID == "" {
		return fmt.Errorf("no custom_llm with an id in the answer")
	}
	return nil
}

// result is the custom LLM of an answer, its key masked; an empty answer
// is an error.
func (r *customLLMResponse) result(op string) (*CustomLLM, error) {
	if r.CustomLLM == nil {
		return nil, fmt.Errorf("%s: Skyvern's answer has no custom_llm", op)
	}
	r.CustomLLM.maskKey()
	return r.CustomLLM, nil
}

// customLLMListResponse is the CustomLLMListResponse schema.
type customLLMListResponse struct {
	CustomLLMs *[]CustomLLM `json:"custom_llms"`
}

func (r *customLLMListResponse) validate() error {
	if r.CustomLLMs == nil {
		return fmt.Errorf("no custom_llms list in the answer")
	}
	return nil
}

// clearTokenResponse is the ClearOrganizationAuthTokenResponse schema.
type clearTokenResponse struct {
	Success *bool `json:"success"`
}

func (r *clearTokenResponse) validate() error {
	if r.Success == nil {
		return fmt.Errorf("no success field in the answer")
	}
	return nil
}

// registerKey keeps a custom LLM's API key out of every error.
func (c *Client) registerKey(cfg *CustomLLMConfig) {
	if cfg.APIKey != "" && cfg.APIKey != CustomLLMAPIKeyMask {
		c.RedactSecrets(cfg.APIKey)
	}
}

func checkCustomLLMConfig(op string, cfg *CustomLLMConfig) error {
	switch {
	case cfg.DisplayName == "":
		return fmt.Errorf("%s: config.display_name is required", op)
	case cfg.Provider == "":
		return fmt.Errorf("%s: config.provider is required (openai_compatible, ollama or openrouter)", op)
	case cfg.ModelName == "":
		return fmt.Errorf("%s: config.model_name is required", op)
	}
	return nil
}

// ListCustomLLMs lists the organization's custom LLM configurations: GET
// /v1/custom-llms. API keys come back masked.
func (c *Client) ListCustomLLMs(ctx context.Context) ([]CustomLLM, error) {
	var out customLLMListResponse
	if _, err := c.do(ctx, &request{method: http.MethodGet, path: "/custom-llms"}, &out); err != nil {
		return nil, err
	}
	list := []CustomLLM{}
	if out.CustomLLMs != nil {
		list = *out.CustomLLMs
	}
	for i := range list {
		list[i].maskKey()
	}
	return list, nil
}

// CreateCustomLLM stores a custom LLM configuration: POST /v1/custom-llms.
// The API key is registered with RedactSecrets first, so no error of this
// client repeats it, and the answer carries it masked. Never retried. A 422
// *APIError names an invalid field (Skyvern also requires api_base for
// openai_compatible and api_key for openrouter).
func (c *Client) CreateCustomLLM(ctx context.Context, req *CustomLLMCreateRequest) (*CustomLLM, error) {
	if req == nil {
		return nil, fmt.Errorf("create_custom_llm: config is required")
	}
	c.registerKey(&req.Config)
	if err := checkCustomLLMConfig("create_custom_llm", &req.Config); err != nil {
		return nil, err
	}
	var out customLLMResponse
	if _, err := c.do(ctx, &request{method: http.MethodPost, path: "/custom-llms", body: req}, &out); err != nil {
		return nil, err
	}
	return out.result("create_custom_llm")
}

// UpdateCustomLLM replaces a custom LLM's configuration: PUT
// /v1/custom-llms/{custom_llm_id}. The whole configuration is replaced:
// send api_key CustomLLMAPIKeyMask to keep the stored key (omitting it
// removes the key). The key is registered with RedactSecrets; the answer
// carries it masked. Not retried automatically. An unknown ID gives a 404
// *APIError (not listed in the spec, but what Skyvern answers).
func (c *Client) UpdateCustomLLM(ctx context.Context, customLLMID string, req *CustomLLMUpdateRequest) (*CustomLLM, error) {
	if customLLMID == "" {
		return nil, fmt.Errorf("update_custom_llm: custom_llm_id is required")
	}
	if req == nil {
		return nil, fmt.Errorf("update_custom_llm: config is required")
	}
	c.registerKey(&req.Config)
	if err := checkCustomLLMConfig("update_custom_llm", &req.Config); err != nil {
		return nil, err
	}
	var out customLLMResponse
	if _, err := c.do(ctx, &request{method: http.MethodPut, path: pathf("/custom-llms/%s", customLLMID), body: req}, &out); err != nil {
		return nil, err
	}
	return out.result("update_custom_llm")
}

// DeleteCustomLLM deletes a custom LLM configuration: DELETE
// /v1/custom-llms/{custom_llm_id}. An answer {"success": false} is returned
// as an error. Never retried. An unknown ID gives a 404 *APIError (not
// listed in the spec, but what Skyvern answers).
func (c *Client) DeleteCustomLLM(ctx context.Context, customLLMID string) error {
	if customLLMID == "" {
		return fmt.Errorf("delete_custom_llm: custom_llm_id is required")
	}
	var out clearTokenResponse
	if _, err := c.do(ctx, &request{method: http.MethodDelete, path: pathf("/custom-llms/%s", customLLMID)}, &out); err != nil {
		return err
	}
	if out.Success != nil && !*out.Success {
		return fmt.Errorf("delete_custom_llm: Skyvern answered success=false for custom LLM %s", customLLMID)
	}
	return nil
}
