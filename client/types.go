package client

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// RawJSON is a JSON value kept verbatim: Skyvern fields that may be an object,
// an array or a string (a run's output, a data extraction schema). Nothing in
// it is lost on a round trip. The zero value is absent (omitted with
// omitempty); JSON null decodes to the zero value.
type RawJSON json.RawMessage

// MarshalJSON returns the value verbatim ("null" when empty).
func (r RawJSON) MarshalJSON() ([]byte, error) {
	if len(r) == 0 {
		return []byte("null"), nil
	}
	return r, nil
}

// UnmarshalJSON keeps a copy of the value; JSON null becomes the zero
// value (absent), so that it is omitted when encoded with omitempty.
func (r *RawJSON) UnmarshalJSON(b []byte) error {
	if bytes.Equal(bytes.TrimSpace(b), []byte("null")) {
		*r = nil
		return nil
	}
	*r = append((*r)[:0], b...)
	return nil
}

// IsNull reports whether the value is absent or JSON null.
func (r RawJSON) IsNull() bool {
	t := bytes.TrimSpace(r)
	return len(t) == 0 || bytes.Equal(t, []byte("null"))
}

// Decode unmarshals the value into v.
func (r RawJSON) Decode(v any) error { return json.Unmarshal(r, v) }

// JSONOf encodes v as RawJSON (for building requests).
func JSONOf(v any) (RawJSON, error) {
	b, err := json.Marshal(v)
	return RawJSON(b), err
}

// enumValues lets schema generators list the values of an enum type.
type enumValues interface{ EnumValues() []string }

var _ enumValues = RunStatus("")

// RunStatus is the status of a run. Final statuses: timed_out, failed,
// terminated, completed, canceled; paused is not final.
type RunStatus string

// Run statuses, from the RunStatus schema.
const (
	RunStatusCreated    RunStatus = "created"
	RunStatusQueued     RunStatus = "queued"
	RunStatusRunning    RunStatus = "running"
	RunStatusPaused     RunStatus = "paused"
	RunStatusTimedOut   RunStatus = "timed_out"
	RunStatusFailed     RunStatus = "failed"
	RunStatusTerminated RunStatus = "terminated"
	RunStatusCompleted  RunStatus = "completed"
	RunStatusCanceled   RunStatus = "canceled"
)

// IsFinal reports whether a run in this status will not change any more.
func (s RunStatus) IsFinal() bool {
	switch s {
	case RunStatusTimedOut, RunStatusFailed, RunStatusTerminated, RunStatusCompleted, RunStatusCanceled:
		return true
	}
	return false
}

// EnumValues lists every run status.
func (RunStatus) EnumValues() []string {
	return []string{"created", "queued", "running", "paused", "timed_out", "failed", "terminated", "completed", "canceled"}
}

// RunEngine selects the agent that performs a task.
type RunEngine string

// Run engines, from the RunEngine schema.
const (
	EngineSkyvern1        RunEngine = "skyvern-1.0"
	EngineSkyvern2        RunEngine = "skyvern-2.0"
	EngineSkyvern3        RunEngine = "skyvern-3.0"
	EngineOpenAICUA       RunEngine = "openai-cua"
	EngineAnthropicCUA    RunEngine = "anthropic-cua"
	EngineUITars          RunEngine = "ui-tars"
	EngineYutoriNavigator RunEngine = "yutori-navigator"
)

// EnumValues lists every engine.
func (RunEngine) EnumValues() []string {
	return []string{"skyvern-1.0", "skyvern-2.0", "skyvern-3.0", "openai-cua", "anthropic-cua", "ui-tars", "yutori-navigator"}
}

// RunType tells a task run from a workflow run in GET /v1/runs/{run_id}.
type RunType string

// Run types: the task_* and *_cua ones are task runs (TaskRunResponse),
// workflow_run is a workflow run (WorkflowRunResponse). task_v3 is a run of
// engine skyvern-3.0.
const (
	RunTypeTaskV1          RunType = "task_v1"
	RunTypeTaskV2          RunType = "task_v2"
	RunTypeTaskV3          RunType = "task_v3"
	RunTypeOpenAICUA       RunType = "openai_cua"
	RunTypeAnthropicCUA    RunType = "anthropic_cua"
	RunTypeUITars          RunType = "ui_tars"
	RunTypeYutoriNavigator RunType = "yutori_navigator"
	RunTypeWorkflowRun     RunType = "workflow_run"
)

// EnumValues lists every run type.
func (RunType) EnumValues() []string {
	return []string{"task_v1", "task_v2", "task_v3", "openai_cua", "anthropic_cua", "ui_tars", "yutori_navigator", "workflow_run"}
}

// IsWorkflow reports whether the run is a workflow run.
func (t RunType) IsWorkflow() bool { return t == RunTypeWorkflowRun }

// BrowserSeedSource says which saved browser state seeded a run's browser
// (BrowserSeedSource schema): override (the request's browser_profile_id),
// picked (the workflow's chosen profile), own_memory (the workflow's own
// saved profile), credential (the login credential's saved profile), fresh
// (none) or degraded_fresh (a profile failed to load; the run started fresh).
type BrowserSeedSource string

// EnumValues lists every seed source.
func (BrowserSeedSource) EnumValues() []string {
	return []string{"override", "picked", "own_memory", "credential", "fresh", "degraded_fresh"}
}

// ProxyLocation routes a run's browser traffic (Skyvern Cloud only). It is
// either a preset name (Preset: "RESIDENTIAL", "US-CA", "RESIDENTIAL_GB",
// "NONE", ...) or a geographic target (Geo). In JSON it is a string or an
// object; object keys beyond country/subdivision/city are kept in Extra.
type ProxyLocation struct {
	Preset string
	Geo    *GeoTarget
	// Extra holds object keys that GeoTarget does not name.
	Extra map[string]any
}

// GeoTarget is a geographic proxy target.
type GeoTarget struct {
	// Country is an ISO 3166-1 alpha-2 code, e.g. "US".
	Country string `json:"country" jsonschema:"required" jsonschema_description:"ISO 3166-1 alpha-2."`
	// Subdivision is an ISO 3166-2 code without the country, e.g. "CA".
	Subdivision string `json:"subdivision,omitempty" jsonschema_description:"ISO 3166-2 without the country, e.g. CA."`
	// City is an English GeoNames city name, e.g. "New York".
	City string `json:"city,omitempty"`
}

// ProxyPresets lists the preset names of the ProxyLocation schema.
func ProxyPresets() []string {
	return []string{"RESIDENTIAL", "US-CA", "US-NY", "US-TX", "US-FL", "US-WA", "RESIDENTIAL_ES", "RESIDENTIAL_IE",
		"RESIDENTIAL_GB", "RESIDENTIAL_IN", "RESIDENTIAL_JP", "RESIDENTIAL_FR", "RESIDENTIAL_DE", "RESIDENTIAL_NZ",
		"RESIDENTIAL_ZA", "RESIDENTIAL_AR", "RESIDENTIAL_AU", "RESIDENTIAL_BR", "RESIDENTIAL_TR", "RESIDENTIAL_CA",
		"RESIDENTIAL_MX", "RESIDENTIAL_IT", "RESIDENTIAL_NL", "RESIDENTIAL_PH", "RESIDENTIAL_KR", "RESIDENTIAL_SA",
		"RESIDENTIAL_ISP", "NONE"}
}

// Proxy returns a preset ProxyLocation.
func Proxy(preset string) *ProxyLocation { return &ProxyLocation{Preset: preset} }

// MarshalJSON writes the preset string or the geo object.
func (p ProxyLocation) MarshalJSON() ([]byte, error) {
	if p.Geo == nil && len(p.Extra) == 0 {
		return json.Marshal(p.Preset)
	}
	m := make(map[string]any, len(p.Extra)+3)
	for k, v := range p.Extra {
		m[k] = v
	}
	if p.Geo != nil {
		m["country"] = p.Geo.Country
		if p.Geo.Subdivision != "" {
			m["subdivision"] = p.Geo.Subdivision
		}
		if p.Geo.City != "" {
			m["city"] = p.Geo.City
		}
	}
	return json.Marshal(m)
}

// UnmarshalJSON accepts a string or an object.
func (p *ProxyLocation) UnmarshalJSON(b []byte) error {
	*p = ProxyLocation{}
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '"' {
		return json.Unmarshal(b, &p.Preset)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		return fmt.Errorf("proxy_location: expected a preset name string or an object with country/subdivision/city: %w", err)
	}
	geo := &GeoTarget{}
	known := false
	for k, v := range m {
		s, isString := v.(string)
		switch {
		case k == "country" && isString:
			geo.Country, known = s, true
		case k == "subdivision" && isString:
			geo.Subdivision, known = s, true
		case k == "city" && isString:
			geo.City, known = s, true
		case k == "subdivision" || k == "city" || k == "country":
			if v == nil {
				continue
			}
			fallthrough
		default:
			if p.Extra == nil {
				p.Extra = map[string]any{}
			}
			p.Extra[k] = v
		}
	}
	if known {
		p.Geo = geo
	}
	return nil
}

// String describes the location for logs and messages.
func (p ProxyLocation) String() string {
	if p.Geo == nil && len(p.Extra) == 0 {
		return p.Preset
	}
	b, _ := p.MarshalJSON()
	return string(b)
}

// FileInfo describes a file a run or browser session produced.
type FileInfo struct {
	// URL is where the file can be fetched (often a signed URL).
	URL string `json:"url"`
	// Checksum is the SHA-256 of the file.
	Checksum string `json:"checksum,omitempty"`
	// Filename is the original file name.
	Filename string `json:"filename,omitempty"`
	// FileSize is the size in bytes.
	FileSize *int64 `json:"file_size,omitempty"`
	// ModifiedAt is an ISO 8601 timestamp.
	ModifiedAt string `json:"modified_at,omitempty"`
	// ArtifactID is the artifact row, when there is one.
	ArtifactID string `json:"artifact_id,omitempty"`
}
