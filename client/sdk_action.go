package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
)

// SDKActionType selects what an SDK action does.
type SDKActionType string

// SDK action types, the discriminator values of RunSdkActionRequest.action.
const (
	SDKActionClick         SDKActionType = "ai_click"
	SDKActionInputText     SDKActionType = "ai_input_text"
	SDKActionSelectOption  SDKActionType = "ai_select_option"
	SDKActionUploadFile    SDKActionType = "ai_upload_file"
	SDKActionAct           SDKActionType = "ai_act"
	SDKActionExtract       SDKActionType = "extract"
	SDKActionLocateElement SDKActionType = "locate_element"
	SDKActionValidate      SDKActionType = "validate"
	SDKActionPrompt        SDKActionType = "prompt"
)

// EnumValues lists every SDK action type.
func (SDKActionType) EnumValues() []string {
	return []string{"ai_click", "ai_input_text", "ai_select_option", "ai_upload_file", "ai_act", "extract",
		"locate_element", "validate", "prompt"}
}

// SDKAction is the action of POST /v1/sdk/run_action: one of the schemas
// ClickAction, InputTextAction, SelectOptionAction, UploadFileAction,
// ActAction, ExtractAction, LocateElementAction, ValidateAction and
// PromptAction, told apart by Type. Only the fields of Type's schema may be
// set (see Fields); Validate checks that. Timeout is in MILLISECONDS
// (default 10000), unlike every other timeout of the API.
type SDKAction struct {
	Type SDKActionType `json:"type" jsonschema:"required" jsonschema_description:"Action kind; set only the fields it takes (each field says which kinds)."`
	// Selector is a CSS selector tried before the AI locates the element
	// (ai_click, ai_input_text, ai_select_option, ai_upload_file).
	Selector string `json:"selector,omitempty" jsonschema_description:"CSS selector to try first (click, input, select, upload)."`
	// Intention is what the action should achieve, in plain language; for
	// ai_act it is the whole instruction.
	Intention string `json:"intention,omitempty" jsonschema_description:"What to do, in plain language (all but locate_element, validate, prompt)."`
	// Value is the text to type (ai_input_text) or the option to choose
	// (ai_select_option).
	Value string `json:"value,omitempty" jsonschema_description:"Text to type (ai_input_text) or option to pick (ai_select_option)."`
	// FileURL is the file to upload (ai_upload_file).
	FileURL string `json:"file_url,omitempty" jsonschema_description:"URL of the file to upload (ai_upload_file)."`
	// Data is extra context: a string or an object.
	Data RawJSON `json:"data,omitempty" jsonschema_description:"Extra context: a string or an object."`
	// Timeout is in milliseconds (default 10000).
	Timeout *float64 `json:"timeout,omitempty" jsonschema:"minimum=0" jsonschema_description:"Timeout in MILLISECONDS (default 10000; click, input, select, upload)."`
	// TOTPIdentifier and TOTPURL let ai_input_text fill a 2FA code.
	TOTPIdentifier string `json:"totp_identifier,omitempty" jsonschema_description:"2FA code identifier, for ai_input_text of a code."`
	TOTPURL        string `json:"totp_url,omitempty" jsonschema_description:"URL to fetch a 2FA code from, for ai_input_text."`
	// Prompt is the instruction of extract, locate_element, validate and
	// prompt (required by validate and prompt).
	Prompt string `json:"prompt,omitempty" jsonschema_description:"Instruction for extract, locate_element, validate, prompt."`
	// ExtractSchema shapes extract's result: a JSON Schema object, a list
	// or a text description.
	ExtractSchema RawJSON `json:"extract_schema,omitempty" jsonschema_description:"Shape of extract's result, best a JSON Schema object."`
	// ErrorCodeMapping maps error codes to situations (extract).
	ErrorCodeMapping map[string]string `json:"error_code_mapping,omitempty" jsonschema_description:"extract: error code -> situation it describes."`
	// ResponseSchema is the JSON Schema of prompt's answer.
	ResponseSchema map[string]any `json:"response_schema,omitempty" jsonschema_description:"JSON Schema of prompt's answer."`
	// Model is an optional model configuration (validate, prompt).
	Model map[string]any `json:"model,omitempty" jsonschema_description:"Model configuration (validate, prompt)."`
}

// sdkActionFields lists the JSON fields each action type accepts besides
// type, from the spec's schemas.
var sdkActionFields = map[SDKActionType][]string{
	SDKActionClick:         {"selector", "intention", "data", "timeout"},
	SDKActionInputText:     {"selector", "value", "intention", "data", "totp_identifier", "totp_url", "timeout"},
	SDKActionSelectOption:  {"selector", "value", "intention", "data", "timeout"},
	SDKActionUploadFile:    {"selector", "file_url", "intention", "data", "timeout"},
	SDKActionAct:           {"intention", "data"},
	SDKActionExtract:       {"prompt", "extract_schema", "error_code_mapping", "intention", "data"},
	SDKActionLocateElement: {"prompt"},
	SDKActionValidate:      {"prompt", "model"},
	SDKActionPrompt:        {"prompt", "response_schema", "model"},
}

// Fields returns the JSON fields an action of type t accepts besides type,
// or nil for an unknown type.
func (t SDKActionType) Fields() []string { return slices.Clone(sdkActionFields[t]) }

// Validate checks that the type is known, that every field set belongs to
// it, and that validate and prompt have their required prompt. Errors name
// the field.
func (a *SDKAction) Validate() error {
	if a == nil || a.Type == "" {
		return fmt.Errorf("action.type is required: one of %s", strings.Join(SDKActionType("").EnumValues(), ", "))
	}
	allowed, ok := sdkActionFields[a.Type]
	if !ok {
		return fmt.Errorf("action.type %q is not one of %s", a.Type, strings.Join(SDKActionType("").EnumValues(), ", "))
	}
	b, err := json.Marshal(a)
	if err != nil {
		return fmt.Errorf("action: %v", err)
	}
	var set map[string]json.RawMessage
	if err := json.Unmarshal(b, &set); err != nil {
		return fmt.Errorf("action: %v", err)
	}
	var extra []string
	for k := range set {
		if k != "type" && !slices.Contains(allowed, k) {
			extra = append(extra, "action."+k)
		}
	}
	if len(extra) > 0 {
		slices.Sort(extra)
		return fmt.Errorf("%s not accepted by %s actions, which take: %s", strings.Join(extra, ", "), a.Type, strings.Join(allowed, ", "))
	}
	if (a.Type == SDKActionValidate || a.Type == SDKActionPrompt) && a.Prompt == "" {
		return fmt.Errorf("action.prompt is required for %s actions", a.Type)
	}
	if !a.Data.IsNull() {
		if t := bytes.TrimSpace(a.Data); len(t) > 0 && t[0] != '"' && t[0] != '{' {
			return errors.New("action.data must be a string or an object")
		}
	}
	return nil
}

// RunSDKActionRequest is the body of POST /v1/sdk/run_action
// (RunSdkActionRequest schema). URL is the page the action runs on.
// BrowserSessionID (pbs_...) runs it in that persistent session, where the
// page state of earlier actions is kept; without it (and without
// BrowserAddress) Skyvern opens a browser for the action. WorkflowRunID
// (wr_...) records the action in an existing workflow run instead of a new
// one.
type RunSDKActionRequest struct {
	URL              string    `json:"url" jsonschema:"required" jsonschema_description:"URL of the page the action runs on."`
	BrowserSessionID string    `json:"browser_session_id,omitempty" jsonschema_description:"Browser session (pbs_...) to act in; its page state is kept between actions."`
	BrowserAddress   string    `json:"browser_address,omitempty" jsonschema_description:"CDP address of your own browser, instead of a session."`
	WorkflowRunID    string    `json:"workflow_run_id,omitempty" jsonschema_description:"Workflow run (wr_...) to record the action in; default a new one."`
	Action           SDKAction `json:"action" jsonschema:"required" jsonschema_description:"The action: type plus the fields that type takes."`
}

// RunSDKActionResponse is the answer of POST /v1/sdk/run_action
// (RunSdkActionResponse schema): the workflow run the action was recorded
// in (wr_..., readable with GetRun) and the action's result, whose shape
// depends on the action type: a selector string (ai_click,
// ai_input_text, ai_select_option, ai_upload_file, locate_element), the
// extracted data (extract), a boolean (validate), the answer (prompt), or
// nothing (ai_act).
type RunSDKActionResponse struct {
	WorkflowRunID string  `json:"workflow_run_id"`
	Result        RawJSON `json:"result,omitempty"`
}

func (r *RunSDKActionResponse) validate() error {
	if r.WorkflowRunID == "" {
		return errors.New("the answer is not an SDK action result: workflow_run_id is missing")
	}
	return nil
}

// RunSDKAction runs one AI action in a browser: POST /v1/sdk/run_action.
// It uses the LLM and a browser, so it costs money, and it is never
// retried. The text typed by an ai_input_text action (it may be a
// password) is registered with RedactSecrets, so no error repeats it; the
// registered secrets and the API key are also removed from every result
// (an extract that reads a password field back, say).
func (c *Client) RunSDKAction(ctx context.Context, req *RunSDKActionRequest) (*RunSDKActionResponse, error) {
	if req == nil || req.URL == "" {
		return nil, fmt.Errorf("run_sdk_action: url is required (the page the action runs on)")
	}
	if err := req.Action.Validate(); err != nil {
		return nil, fmt.Errorf("run_sdk_action: %w", err)
	}
	if req.Action.Type == SDKActionInputText && req.Action.Value != "" {
		c.RedactSecrets(req.Action.Value)
	}
	var out RunSDKActionResponse
	if _, err := c.do(ctx, &request{method: http.MethodPost, path: "/sdk/run_action", body: req}, &out); err != nil {
		return nil, err
	}
	if len(out.Result) > 0 {
		out.Result = c.redactJSON(out.Result)
	}
	return &out, nil
}

// redactJSON removes the registered secrets from a JSON value. Should the
// replacement break the JSON (a secret that was part of a number), the
// redacted text is returned as a JSON string.
func (c *Client) redactJSON(v RawJSON) RawJSON {
	red := c.redact(bytes.Clone(v))
	if bytes.Equal(red, v) || json.Valid(red) {
		return RawJSON(red)
	}
	s, _ := json.Marshal(string(red))
	return RawJSON(s)
}
