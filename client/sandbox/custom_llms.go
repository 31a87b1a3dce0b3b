package sandbox

import (
	"net/http"
	"net/url"
	"time"

	"github.com/skyvern-mcp/skyvern-mcp/client"
)

// customLLM is a stored custom LLM configuration. The sandbox never keeps
// the API key: config.APIKey is client.CustomLLMAPIKeyMask when one was
// given (what Skyvern answers in its place), else empty.
type customLLM struct {
	id                string
	config            client.CustomLLMConfig
	created, modified time.Time
}

// Provider defaults Skyvern applies when api_base is not given.
const (
	ollamaDefaultAPIBase     = "http://localhost:11434"
	openRouterDefaultAPIBase = "https://openrouter.ai/api/v1"
)

var customLLMConfigFields = []field{
	req("display_name", kString).minLength(1), enumField("provider", client.CustomLLMProvider("").EnumValues()).mandatory(),
	req("model_name", kString).minLength(1), opt("api_base", kString), opt("api_key", kString), opt("api_version", kString),
	opt("supports_vision", kBool).nn(), opt("add_assistant_prefix", kBool).nn(),
	opt("max_completion_tokens", kInt).min(1).max(1_000_000), opt("temperature", kNumber).min(0).max(2),
	opt("reasoning_effort", kString), opt("extra_parameters", kObject),
}

// customLLMMaxLengths are the CustomLLMConfig strings' maxLength.
var customLLMMaxLengths = map[string]int{
	"display_name": 120, "model_name": 250, "api_base": 500, "api_key": 1000, "api_version": 100, "reasoning_effort": 50,
}

// readCustomLLMConfig validates a CustomLLMCreateRequest or
// CustomLLMUpdateRequest body and returns its config with Skyvern's
// defaults. Validation errors never carry the API key: inputs that are
// objects (the body, the config) or the key itself are left out.
func readCustomLLMConfig(w http.ResponseWriter, r *http.Request) (*client.CustomLLMConfig, []verr) {
	obj, _, errs := readBody(w, r, true)
	if len(errs) > 0 {
		return nil, redactKeyInputs(errs)
	}
	errs = validateObject(obj, []field{req("config", kObject)}, loc("body"))
	if len(errs) > 0 {
		return nil, redactKeyInputs(errs)
	}
	raw := obj["config"].(map[string]any)
	base := loc("body", "config")
	errs = append(validateObject(raw, customLLMConfigFields, base), maxLengthErrors(raw, base, customLLMMaxLengths)...)
	if len(errs) > 0 {
		return nil, redactKeyInputs(errs)
	}
	var cfg client.CustomLLMConfig
	if err := remarshal(raw, &cfg); err != nil {
		return nil, []verr{valueError(base, nil, err.Error())}
	}
	// Skyvern's model validator: what each provider needs, and defaults.
	switch cfg.Provider {
	case client.CustomLLMOpenAICompatible:
		if cfg.APIBase == "" {
			return nil, []verr{valueError(base, nil, "api_base is required for OpenAI-compatible models")}
		}
	case client.CustomLLMOpenRouter:
		if cfg.APIKey == "" {
			return nil, []verr{valueError(base, nil, "api_key is required for OpenRouter models")}
		}
		if cfg.APIBase == "" {
			cfg.APIBase = openRouterDefaultAPIBase
		}
	case client.CustomLLMGemini:
		// Google's fixed endpoint: an API key and no api_base.
		if cfg.APIKey == "" {
			return nil, []verr{valueError(base, nil, "api_key is required for Gemini models")}
		}
	case client.CustomLLMOllama:
		if cfg.APIBase == "" {
			cfg.APIBase = ollamaDefaultAPIBase
		}
	}
	if u, err := url.Parse(cfg.APIBase); cfg.APIBase != "" && (err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "") {
		return nil, []verr{valueError(base, nil, "api_base must be an HTTP(S) URL")}
	}
	if cfg.SupportsVision == nil {
		cfg.SupportsVision = ptrTo(true)
	}
	if cfg.AddAssistantPrefix == nil {
		cfg.AddAssistantPrefix = ptrTo(false)
	}
	return &cfg, nil
}

func ptrTo[T any](v T) *T { return &v }

// redactKeyInputs keeps an error's input only when it is a plain value of
// a config field that is not the key: the body, the config, the api_key
// and anything misplaced (a string where the config should be) could hold
// the key.
func redactKeyInputs(errs []verr) []verr {
	out := make([]verr, len(errs))
	for i, e := range errs {
		keep := len(e.Loc) == 3 && e.Loc[1] == "config" && e.Loc[2] != "api_key"
		switch e.Input.(type) {
		case map[string]any, []any:
			keep = false
		}
		if !keep {
			e.Input = nil
		}
		out[i] = e
	}
	return out
}

func (s *Server) customLLMResponse(l *customLLM) client.CustomLLM {
	return client.CustomLLM{ID: l.id, OrganizationID: OrganizationID, Config: l.config,
		CreatedAt: ts(l.created), ModifiedAt: ts(l.modified), Valid: true}
}

func (s *Server) listCustomLLMs(w http.ResponseWriter, _ *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	all := make([]*customLLM, 0, len(s.customLLMs))
	for _, l := range s.customLLMs {
		all = append(all, l)
	}
	newestFirst(all, func(l *customLLM) (time.Time, string) { return l.created, l.id })
	out := make([]client.CustomLLM, 0, len(all))
	for _, l := range all {
		out = append(out, s.customLLMResponse(l))
	}
	writeJSON(w, http.StatusOK, map[string]any{"custom_llms": out})
}

func (s *Server) createCustomLLM(w http.ResponseWriter, r *http.Request) {
	cfg, errs := readCustomLLMConfig(w, r)
	if len(errs) > 0 {
		writeValidation(w, errs)
		return
	}
	if cfg.APIKey != "" {
		cfg.APIKey = client.CustomLLMAPIKeyMask // the key itself is dropped here
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	l := &customLLM{id: newID("oat_"), config: *cfg, created: now, modified: now}
	s.customLLMs[l.id] = l
	writeJSON(w, http.StatusOK, map[string]any{"custom_llm": s.customLLMResponse(l)})
}

func (s *Server) updateCustomLLM(w http.ResponseWriter, r *http.Request) {
	cfg, errs := readCustomLLMConfig(w, r)
	if !s.lockIfValid(w, errs) {
		return
	}
	defer s.mu.Unlock()
	l, ok := s.customLLMs[r.PathValue("custom_llm_id")]
	if !ok {
		writeDetail(w, http.StatusNotFound, "Custom LLM not found")
		return
	}
	// The whole config is replaced. The mask keeps the stored key (if any);
	// a new key is stored (as the mask); none removes it.
	if cfg.APIKey == client.CustomLLMAPIKeyMask {
		cfg.APIKey = l.config.APIKey
	} else if cfg.APIKey != "" {
		cfg.APIKey = client.CustomLLMAPIKeyMask
	}
	l.config = *cfg
	l.modified = s.now()
	writeJSON(w, http.StatusOK, map[string]any{"custom_llm": s.customLLMResponse(l)})
}

func (s *Server) deleteCustomLLM(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	id := r.PathValue("custom_llm_id")
	if _, ok := s.customLLMs[id]; !ok {
		writeDetail(w, http.StatusNotFound, "Custom LLM not found")
		return
	}
	delete(s.customLLMs, id)
	writeJSON(w, http.StatusOK, map[string]bool{"success": true})
}
