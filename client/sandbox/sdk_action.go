package sandbox

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/skyvern-mcp/skyvern-mcp/client"
)

var sdkActionTypes = client.SDKActionType("").EnumValues()

// sdkActionFields type-checks each action schema's fields.
var sdkActionFields = func() map[string][]field {
	selector, intention, data := opt("selector", kString), opt("intention", kString).nn(), opt("data", kAny)
	timeout := opt("timeout", kNumber).nn()
	return map[string][]field{
		"ai_click": {selector, intention, data, timeout},
		"ai_input_text": {selector, opt("value", kString), intention, data, opt("totp_identifier", kString),
			opt("totp_url", kString), timeout},
		"ai_select_option": {selector, opt("value", kString), intention, data, timeout},
		"ai_upload_file":   {selector, opt("file_url", kString), intention, data, timeout},
		"ai_act":           {intention, data},
		"extract": {opt("prompt", kString).nn(), opt("extract_schema", kSchemaLike), opt("error_code_mapping", kStringMap),
			opt("intention", kString), data},
		"locate_element": {opt("prompt", kString).nn()},
		"validate":       {req("prompt", kString), opt("model", kObject)},
		"prompt":         {req("prompt", kString), opt("response_schema", kObject), opt("model", kObject)},
	}
}()

var sdkRequestFields = []field{
	req("url", kString), opt("browser_session_id", kString), opt("browser_address", kString),
	opt("workflow_run_id", kString), req("action", kObject),
}

// readSDKAction validates a RunSdkActionRequest body: the request, the
// action's type tag, then the fields of that action type.
func readSDKAction(w http.ResponseWriter, r *http.Request) (*client.RunSDKActionRequest, map[string]any, []verr) {
	obj, _, errs := readBody(w, r, true)
	if len(errs) == 0 {
		errs = validateObject(obj, sdkRequestFields, loc("body"))
	}
	if len(errs) > 0 {
		return nil, nil, errs
	}
	action := obj["action"].(map[string]any)
	al := loc("body", "action")
	tag, _ := action["type"].(string)
	fields, ok := sdkActionFields[tag]
	if !ok {
		return nil, nil, []verr{unionTagError(al, action, "type", sdkActionTypes)}
	}
	tl := with(al, tag)
	errs = validateObject(action, fields, tl)
	if d, ok := action["data"]; ok && d != nil {
		switch d.(type) {
		case string, map[string]any:
		default:
			errs = append(errs, verr{Type: "dict_type", Loc: with(tl, "data"), Msg: "Input should be a valid string or dictionary", Input: d})
		}
	}
	if len(errs) > 0 {
		return nil, nil, errs
	}
	var in client.RunSDKActionRequest
	if err := remarshal(obj, &in); err != nil {
		return nil, nil, []verr{valueError(loc("body"), obj, err.Error())}
	}
	return &in, action, nil
}

// sdkActionResult is the deterministic result of an action: the selector
// of the element acted on, the option or file used, data shaped by the
// extraction or response schema, true for validate (false with
// [sandbox:fail] in the prompt), or null for ai_act. The text typed by
// ai_input_text is never echoed.
func sdkActionResult(a *client.SDKAction, raw map[string]any) any {
	sel := func(def string) string {
		if a.Selector != "" {
			return a.Selector
		}
		return def
	}
	switch a.Type {
	case client.SDKActionClick:
		return sel("xpath=/html/body/main//button[1]")
	case client.SDKActionInputText:
		return sel("xpath=/html/body/main//input[1]")
	case client.SDKActionSelectOption:
		if a.Value != "" {
			return a.Value
		}
		return "option-1"
	case client.SDKActionUploadFile:
		if a.FileURL != "" {
			return a.FileURL
		}
		return sel("xpath=/html/body/main//input[@type='file'][1]")
	case client.SDKActionExtract:
		return extractionOutput(raw["extract_schema"], "Sandbox data extracted: "+truncateText(a.Prompt+a.Intention, 200))
	case client.SDKActionLocateElement:
		return "xpath=/html/body/main//*[1]"
	case client.SDKActionValidate:
		return !strings.Contains(strings.ToLower(a.Prompt), TriggerFail)
	case client.SDKActionPrompt:
		if sch, ok := raw["response_schema"]; ok && sch != nil {
			return extractionOutput(sch, "Sandbox answer")
		}
		return "Sandbox answer to: " + truncateText(a.Prompt, 200)
	}
	return nil // ai_act
}

func (s *Server) runSDKAction(w http.ResponseWriter, r *http.Request) {
	in, raw, errs := readSDKAction(w, r)
	if len(errs) > 0 {
		writeValidation(w, errs)
		return
	}
	a := &in.Action
	// A session with a real browser: the action happens on its page.
	var live any
	haveLive := false
	if in.BrowserSessionID != "" && !strings.Contains(strings.ToLower(a.Intention+a.Prompt), TriggerFail) {
		if l := s.sessionBrowser(in.BrowserSessionID); l != nil {
			v, err := l.actOnPage(r.Context(), in.URL, a, raw)
			switch {
			case errors.Is(err, errNoLiveResult):
			case err != nil:
				writeDetail(w, http.StatusBadRequest, err.Error())
				return
			default:
				live, haveLive = v, true
			}
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	var wr *run
	if in.WorkflowRunID != "" {
		if found, ok := s.runs[in.WorkflowRunID]; ok && found.runType.IsWorkflow() {
			wr = found
		} else {
			writeDetail(w, http.StatusNotFound, fmt.Sprintf("Workflow run %s not found", in.WorkflowRunID))
			return
		}
	}
	if in.BrowserSessionID != "" {
		b, ok := s.sessions[in.BrowserSessionID]
		if !ok {
			writeDetail(w, http.StatusNotFound, fmt.Sprintf("Browser session %s not found", in.BrowserSessionID))
			return
		}
		if _, done := b.completedAt(now); done {
			writeDetail(w, http.StatusBadRequest, fmt.Sprintf("Browser session %s is no longer running", in.BrowserSessionID))
			return
		}
	}
	goal := a.Intention
	if goal == "" {
		goal = a.Prompt
	}
	if a.Type != client.SDKActionValidate && strings.Contains(strings.ToLower(goal), TriggerFail) {
		writeDetail(w, http.StatusBadRequest, "Sandbox: the action failed as requested by "+TriggerFail+".")
		return
	}
	block := runBlock{id: newID("wrb_"), label: string(a.Type), blockType: "action",
		def: map[string]any{"navigation_goal": goal, "url": in.URL}}
	if wr == nil {
		// Skyvern records the action in a new workflow run of an empty
		// "SDK Workflow", marked completed at once.
		wr = s.newRun("wr_", client.RunTypeWorkflowRun, triggers{}, now)
		wr.total = 0
		wr.steps = 1
		wr.summary = "Sandbox SDK action " + string(a.Type) + " completed"
		wr.runWith = "agent"
		wr.sessionID = in.BrowserSessionID
		wr.request = client.RunRequest{WorkflowID: s.builtinWorkflow("sdk"), BrowserSessionID: in.BrowserSessionID,
			BrowserAddress: in.BrowserAddress}
	} else {
		wr.output = nil // recomputed with the new block
	}
	wr.blocks = append(wr.blocks, block)
	result := sdkActionResult(a, raw)
	if haveLive {
		result = live
	}
	writeJSON(w, http.StatusOK, map[string]any{"workflow_run_id": wr.id, "result": result})
}
