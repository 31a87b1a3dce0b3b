package sandbox_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/skyvern-mcp/skyvern-mcp/client"
	"github.com/skyvern-mcp/skyvern-mcp/client/sandbox"
)

// llmKey is a provider API key the sandbox must never send back.
const llmKey = "sk-or-CANARY-llm-key-7f3a"

// TestCustomLLMKeyNeverEchoed stores, lists, updates and rejects configs
// carrying a provider key, through the client and raw: no answer of the
// sandbox contains the key, not even a 422 about the key itself.
func TestCustomLLMKeyNeverEchoed(t *testing.T) {
	e := newEnv(t, sandbox.Options{}, true)
	cfg := client.CustomLLMConfig{DisplayName: "Router", Provider: client.CustomLLMOpenRouter, ModelName: "openai/gpt-4o", APIKey: llmKey}
	l, err := e.c.CreateCustomLLM(e.ctx, &client.CustomLLMCreateRequest{Config: cfg})
	require.NoError(t, err)
	assert.Equal(t, client.CustomLLMAPIKeyMask, l.Config.APIKey)
	_, err = e.c.ListCustomLLMs(e.ctx)
	require.NoError(t, err)
	_, err = e.c.UpdateCustomLLM(e.ctx, l.ID, &client.CustomLLMUpdateRequest{Config: cfg})
	require.NoError(t, err)

	var raw []string
	for _, body := range []string{
		`{"config":{"display_name":"d","provider":"openrouter","model_name":"m","api_key":"` + strings.Repeat(llmKey, 50) + `"}}`, // too long
		`{"config":{"display_name":"d","provider":"openrouter","model_name":"m","api_key":["` + llmKey + `"]}}`,                   // not a string
		`{"config":{"provider":"openrouter","model_name":"m","api_key":"` + llmKey + `"}}`,                                        // missing display_name: input is the config
		`{"config":{"display_name":"d","provider":"openai_compatible","model_name":"m","api_key":"` + llmKey + `"}}`,              // model validator
		`{"config":{"display_name":"d","provider":"bogus","model_name":"m","api_key":"` + llmKey + `"}}`,                          // enum
		`{"api_key":"` + llmKey + `"}`, // missing config: input is the body
		`{"config":"` + llmKey + `"}`,  // config not an object
		`{"config":{"display_name":"d","provider":"openrouter","model_name":"m","api_key":"` + llmKey + `"`, // invalid JSON
	} {
		for _, target := range []struct{ method, path string }{{"POST", "/v1/custom-llms"}, {"PUT", "/v1/custom-llms/" + l.ID}} {
			code, _, b := e.raw(t, target.method, target.path, "application/json", body)
			require.Equal(t, http.StatusUnprocessableEntity, code, "%s: %s", body, b)
			raw = append(raw, string(b))
		}
	}
	for _, b := range append(raw, e.bodies.String()) {
		assert.NotContains(t, b, "CANARY", "the sandbox echoed the key")
	}
	// The 422s still say what is wrong.
	assert.Contains(t, raw[0], `"string_too_long"`)
	assert.Contains(t, raw[0], `"api_key"`)
	assert.Contains(t, raw[6], "api_base is required for OpenAI-compatible models")
}

func TestCustomLLMLifecycle(t *testing.T) {
	e := newEnv(t, sandbox.Options{}, true)
	local, err := e.c.CreateCustomLLM(e.ctx, &client.CustomLLMCreateRequest{Config: client.CustomLLMConfig{
		DisplayName: "Local", Provider: client.CustomLLMOllama, ModelName: "llama3.1"}})
	require.NoError(t, err)
	assert.Regexp(t, `^oat_\d{18}$`, local.ID)
	assert.Equal(t, sandbox.OrganizationID, local.OrganizationID)
	assert.Equal(t, "2026-11-29T19:43:32.123456Z", local.CreatedAt)
	assert.Equal(t, local.CreatedAt, local.ModifiedAt)
	assert.True(t, local.Valid)
	assert.Equal(t, "http://localhost:11434", local.Config.APIBase)
	assert.Empty(t, local.Config.APIKey)

	e.clock.Advance(time.Minute)
	yes := true
	remote, err := e.c.CreateCustomLLM(e.ctx, &client.CustomLLMCreateRequest{Config: client.CustomLLMConfig{
		DisplayName: "Remote", Provider: client.CustomLLMOpenAICompatible, ModelName: "qwen", APIBase: "https://llm.example.com/v1",
		APIKey: llmKey, APIVersion: "2024-06-01", ReasoningEffort: "low", AddAssistantPrefix: &yes}})
	require.NoError(t, err)
	assert.Equal(t, "2024-06-01", remote.Config.APIVersion)
	assert.Equal(t, "low", remote.Config.ReasoningEffort)
	assert.True(t, *remote.Config.AddAssistantPrefix)
	assert.True(t, *remote.Config.SupportsVision)

	list, err := e.c.ListCustomLLMs(e.ctx)
	require.NoError(t, err)
	require.Len(t, list, 2)
	assert.Equal(t, []string{remote.ID, local.ID}, []string{list[0].ID, list[1].ID}, "newest first")

	// The mask keeps the stored key; a config without a key removes it.
	e.clock.Advance(time.Minute)
	cfg := remote.Config
	cfg.ModelName = "qwen2"
	up, err := e.c.UpdateCustomLLM(e.ctx, remote.ID, &client.CustomLLMUpdateRequest{Config: cfg})
	require.NoError(t, err)
	assert.Equal(t, client.CustomLLMAPIKeyMask, up.Config.APIKey)
	assert.Equal(t, "qwen2", up.Config.ModelName)
	assert.Equal(t, remote.CreatedAt, up.CreatedAt)
	assert.Equal(t, "2026-11-29T19:45:32.123456Z", up.ModifiedAt)
	cfg.APIKey = ""
	up, err = e.c.UpdateCustomLLM(e.ctx, remote.ID, &client.CustomLLMUpdateRequest{Config: cfg})
	require.NoError(t, err)
	assert.Empty(t, up.Config.APIKey)
	cfg.APIKey = client.CustomLLMAPIKeyMask // nothing stored: the mask keeps nothing
	up, err = e.c.UpdateCustomLLM(e.ctx, remote.ID, &client.CustomLLMUpdateRequest{Config: cfg})
	require.NoError(t, err)
	assert.Empty(t, up.Config.APIKey)

	code, _, body := e.raw(t, http.MethodDelete, "/v1/custom-llms/"+local.ID, "", "")
	require.Equal(t, http.StatusOK, code)
	assert.JSONEq(t, `{"success":true}`, string(body))
	for _, m := range []string{http.MethodDelete, http.MethodPut} {
		code, _, body = e.raw(t, m, "/v1/custom-llms/"+local.ID, "application/json",
			`{"config":{"display_name":"d","provider":"ollama","model_name":"m"}}`)
		assert.Equal(t, http.StatusNotFound, code, m)
		assert.JSONEq(t, `{"detail":"Custom LLM not found"}`, string(body), m)
	}
	list, err = e.c.ListCustomLLMs(e.ctx)
	require.NoError(t, err)
	require.Len(t, list, 1)
}

func TestCustomLLMValidation(t *testing.T) {
	e := newEnv(t, sandbox.Options{}, false)
	base := `"display_name":"d","provider":"ollama","model_name":"m"`
	for _, tc := range []struct {
		body string
		loc  []any
		typ  string
	}{
		{`{}`, []any{"body", "config"}, "missing"},
		{`{"config":{"provider":"ollama","model_name":"m"}}`, []any{"body", "config", "display_name"}, "missing"},
		{`{"config":{"display_name":"","provider":"ollama","model_name":"m"}}`, []any{"body", "config", "display_name"}, "string_too_short"},
		{`{"config":{"display_name":"` + strings.Repeat("d", 121) + `","provider":"ollama","model_name":"m"}}`, []any{"body", "config", "display_name"}, "string_too_long"},
		{`{"config":{"display_name":"d","provider":"bard","model_name":"m"}}`, []any{"body", "config", "provider"}, "enum"},
		{`{"config":{"display_name":"d","provider":"gemini","model_name":"m"}}`, []any{"body", "config"}, "value_error"},
		{`{"config":{"display_name":"d","provider":"ollama"}}`, []any{"body", "config", "model_name"}, "missing"},
		{`{"config":{` + base + `,"temperature":2.5}}`, []any{"body", "config", "temperature"}, "less_than_equal"},
		{`{"config":{` + base + `,"max_completion_tokens":0}}`, []any{"body", "config", "max_completion_tokens"}, "greater_than_equal"},
		{`{"config":{` + base + `,"supports_vision":null}}`, []any{"body", "config", "supports_vision"}, "bool_type"},
		{`{"config":{` + base + `,"reasoning_effort":"` + strings.Repeat("r", 51) + `"}}`, []any{"body", "config", "reasoning_effort"}, "string_too_long"},
		{`{"config":{` + base + `,"api_base":"localhost:11434"}}`, []any{"body", "config"}, "value_error"},
		{`{"config":{"display_name":"d","provider":"openrouter","model_name":"m"}}`, []any{"body", "config"}, "value_error"},
	} {
		code, _, body := e.raw(t, http.MethodPost, "/v1/custom-llms", "application/json", tc.body)
		require.Equal(t, http.StatusUnprocessableEntity, code, "%s: %s", tc.body, body)
		assert.Equal(t, tc.typ, findLoc(t, validation(t, body), tc.loc...).Type, tc.body)
	}
	// Lax values are coerced as pydantic does.
	code, _, body := e.raw(t, http.MethodPost, "/v1/custom-llms", "application/json", `{"config":{`+base+`,"temperature":"0.5","supports_vision":"no"}}`)
	require.Equal(t, http.StatusOK, code, "%s", body)
	assert.Contains(t, string(body), `"temperature":0.5`)
	assert.Contains(t, string(body), `"supports_vision":false`)
}
