package sandbox

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/skyvern-mcp/skyvern-mcp/client"
)

// workflow is a workflow (agent) with all its versions, oldest first.
type workflow struct {
	wpid     string
	versions []*client.Workflow
	created  time.Time
	deleted  bool
}

func (wf *workflow) latest() *client.Workflow { return wf.versions[len(wf.versions)-1] }

var workflowStatuses = client.WorkflowStatus("").EnumValues()

// blockTypes lists the BlockType values in the spec's order.
var blockTypes = []string{"task", "task_v2", "for_loop", "while_loop", "conditional", "code", "text_prompt",
	"download_to_s3", "upload_to_s3", "file_upload", "send_email", "file_url_parser", "validation", "action",
	"navigation", "extraction", "login", "wait", "file_download", "goto_url", "pdf_parser", "http_request",
	"human_interaction", "print_page", "workflow_trigger", "google_sheets_read", "google_sheets_write", "pdf_fill",
	"split_pdf", "email_inbox"}

// blockRequired lists the fields each YAML block type requires beyond label.
var blockRequired = map[string][]string{
	"task_v2": {"prompt"}, "for_loop": {"loop_blocks"}, "while_loop": {"loop_blocks", "condition"}, "code": {"code"},
	"text_prompt": {"prompt"}, "download_to_s3": {"url"}, "send_email": {"sender", "recipients", "subject", "body"},
	"file_url_parser": {"file_url"}, "navigation": {"navigation_goal"}, "extraction": {"data_extraction_goal"},
	"file_download": {"navigation_goal"}, "goto_url": {"url"}, "pdf_parser": {"file_url"},
	"human_interaction": {"recipients"}, "workflow_trigger": {"workflow_permanent_id"},
	"google_sheets_read": {"spreadsheet_url"}, "google_sheets_write": {"spreadsheet_url"},
	"pdf_fill": {"file_url", "prompt"}, "split_pdf": {"file_url", "prompt"}, "email_inbox": {"email_client"},
}

// blockFields type-checks the block fields used most.
var blockFields = []field{
	req("label", kString),
	opt("url", kString), opt("title", kString), opt("navigation_goal", kString), opt("data_extraction_goal", kString),
	opt("prompt", kString), opt("code", kString), opt("complete_criterion", kString), opt("terminate_criterion", kString),
	opt("workflow_permanent_id", kString), opt("file_url", kString), opt("spreadsheet_url", kString),
	opt("loop_over_parameter_key", kString), opt("next_block_label", kString),
	opt("wait_sec", kInt), opt("max_retries", kInt), opt("max_steps_per_run", kInt),
	opt("continue_on_failure", kBool).nn(), opt("next_loop_on_failure", kBool).nn(),
	opt("engine", kEnum), opt("data_schema", kSchemaLike), opt("json_schema", kObject),
	opt("parameter_keys", kStringList), opt("loop_blocks", kList), opt("error_code_mapping", kStringMap),
}

func init() {
	for i := range blockFields {
		if blockFields[i].name == "engine" {
			blockFields[i].enum = engines
		}
	}
}

var parameterTypes = []string{"aws_secret", "azure_vault_credential", "bitwarden_credit_card_data",
	"bitwarden_login_credential", "bitwarden_sensitive_information", "context", "credential", "onepassword",
	"output", "workflow"}

var bitwardenKeys = []string{"bitwarden_client_id_aws_secret_key", "bitwarden_client_secret_aws_secret_key", "bitwarden_master_password_aws_secret_key"}

// parameterRequired lists what each YAML parameter type requires beyond key.
var parameterRequired = map[string][]string{
	"workflow":                        {"workflow_parameter_type"},
	"context":                         {"source_parameter_key"},
	"aws_secret":                      {"aws_key"},
	"bitwarden_login_credential":      bitwardenKeys,
	"bitwarden_sensitive_information": append(append([]string{}, bitwardenKeys...), "bitwarden_collection_id", "bitwarden_identity_key", "bitwarden_identity_fields"),
	"bitwarden_credit_card_data":      append(append([]string{}, bitwardenKeys...), "bitwarden_collection_id", "bitwarden_item_id"),
	"onepassword":                     {"vault_id", "item_id"},
	"azure_vault_credential":          {"vault_name", "username_key", "password_key"},
	"credential":                      {"credential_id"},
}

// parameterIDField names the ID field of each stored parameter type.
var parameterIDField = map[string]string{
	"workflow": "workflow_parameter_id", "aws_secret": "aws_secret_parameter_id",
	"bitwarden_login_credential":      "bitwarden_login_credential_parameter_id",
	"bitwarden_sensitive_information": "bitwarden_sensitive_information_parameter_id",
	"bitwarden_credit_card_data":      "bitwarden_credit_card_data_parameter_id",
	"onepassword":                     "onepassword_credential_parameter_id",
	"azure_vault_credential":          "azure_vault_credential_parameter_id",
	"output":                          "output_parameter_id", "credential": "credential_parameter_id",
}

var workflowParameterTypes = []string{"string", "integer", "float", "boolean", "json", "file_url", "credential_id"}

// workflowFields are the top-level fields of WorkflowCreateYAMLRequest.
var workflowFields = []field{
	req("title", kString), req("workflow_definition", kObject),
	opt("description", kString), opt("proxy_location", kProxy), opt("webhook_callback_url", kString),
	opt("totp_verification_url", kString), opt("totp_identifier", kString), opt("browser_profile_id", kString),
	opt("browser_profile_key", kString), opt("cache_key", kString), opt("sequential_key", kString),
	opt("folder_id", kString), opt("run_with", kString).nn(),
	opt("persist_browser_session", kBool).nn(), opt("pin_saved_session_ip", kBool).nn(), opt("is_saved_task", kBool).nn(),
	opt("adaptive_caching", kBool).nn(), opt("generate_script_on_terminal", kBool).nn(), opt("run_sequentially", kBool).nn(),
	opt("ai_fallback", kBool).nn(), opt("enable_self_healing", kBool),
	opt("model", kObject), opt("max_screenshot_scrolls", kInt), opt("max_elapsed_time_minutes", kInt).min(1).max(480),
	opt("code_version", kInt).min(1).max(2), opt("extra_http_headers", kStringMap), opt("cdp_connect_headers", kStringMap),
	enumField("status", workflowStatuses).nn(),
}

var definitionFields = []field{
	req("parameters", kList), req("blocks", kList),
	opt("version", kInt), opt("finally_block_label", kString), opt("error_code_mapping", kStringMap),
	opt("workflow_system_prompt", kString),
}

var workflowRequestFields = []field{opt("json_definition", kObject), opt("yaml_definition", kString)}

// definitionFromRequest reads a WorkflowRequest body: the json_definition
// object or the parsed yaml_definition.
func definitionFromRequest(w http.ResponseWriter, r *http.Request) (map[string]any, []any, []verr) {
	obj, _, errs := readBody(w, r, true)
	if len(errs) == 0 {
		errs = validateObject(obj, workflowRequestFields, loc("body"))
	}
	if len(errs) > 0 {
		return nil, nil, errs
	}
	if def, ok := obj["json_definition"].(map[string]any); ok {
		return def, loc("body", "json_definition"), nil
	}
	text, ok := obj["yaml_definition"].(string)
	if !ok {
		return nil, nil, []verr{valueError(loc("body"), obj, "one of json_definition or yaml_definition is required")}
	}
	var parsed any
	if err := yaml.Unmarshal([]byte(text), &parsed); err != nil {
		return nil, nil, []verr{valueError(loc("body", "yaml_definition"), text, "invalid YAML: "+err.Error())}
	}
	def, ok := jsonCompatible(parsed).(map[string]any)
	if !ok {
		return nil, nil, []verr{{Type: "model_attributes_type", Loc: loc("body", "yaml_definition"),
			Msg: "Input should be a valid dictionary or object to extract fields from", Input: text}}
	}
	return def, loc("body", "yaml_definition"), nil
}

// jsonCompatible converts YAML-decoded values (map[any]any, timestamps) to
// what encoding/json produces.
func jsonCompatible(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			x[k] = jsonCompatible(e)
		}
		return x
	case map[any]any:
		m := make(map[string]any, len(x))
		for k, e := range x {
			m[fmt.Sprint(k)] = jsonCompatible(e)
		}
		return m
	case []any:
		for i, e := range x {
			x[i] = jsonCompatible(e)
		}
		return x
	case time.Time:
		return x.Format(time.RFC3339Nano)
	}
	return v
}

// buildWorkflow validates a WorkflowCreateYAMLRequest and turns it into the
// stored Workflow, with the definition expanded as Skyvern stores it (IDs on
// parameters, an output parameter per block). Call with s.mu held.
func buildWorkflow(def map[string]any, base []any, wpid string, version int, now time.Time) (*client.Workflow, []verr) {
	errs := validateObject(def, workflowFields, base)
	if len(errs) > 0 {
		return nil, errs
	}
	wd := def["workflow_definition"].(map[string]any)
	wdLoc := with(base, "workflow_definition")
	if errs := validateObject(wd, definitionFields, wdLoc); len(errs) > 0 {
		return nil, errs
	}
	wid := newID("w_")
	c := &converter{wid: wid, now: ts(now), params: map[string]map[string]any{}, labels: map[string]bool{}}
	params := c.parameters(wd["parameters"].([]any), with(wdLoc, "parameters"))
	blocks := c.blocks(wd["blocks"].([]any), with(wdLoc, "blocks"))
	if len(c.errs) > 0 {
		return nil, c.errs
	}
	stored := map[string]any{"version": 1, "parameters": append(params, c.outputs...), "blocks": blocks}
	if v, ok := wd["version"].(int); ok {
		stored["version"] = v
	}
	for _, k := range []string{"finally_block_label", "error_code_mapping", "workflow_system_prompt"} {
		if v, ok := wd[k]; ok && v != nil {
			stored[k] = v
		}
	}
	var wf client.Workflow
	if err := remarshal(without(def, "workflow_definition"), &wf); err != nil {
		return nil, []verr{valueError(base, def, err.Error())}
	}
	wf.WorkflowID, wf.WorkflowPermanentID, wf.AgentID = wid, wpid, wpid
	wf.OrganizationID, wf.Version, wf.IsTemplate = OrganizationID, version, false
	wf.WorkflowDefinition = stored
	wf.CreatedAt, wf.ModifiedAt = ts(now), ts(now)
	if wf.Status == "" {
		wf.Status = "published"
	}
	if wf.RunWith == "" {
		wf.RunWith = "agent"
	}
	if wf.AIFallback == nil {
		t := true
		wf.AIFallback = &t
	}
	if _, ok := def["cache_key"]; !ok {
		wf.CacheKey = "default"
	}
	return &wf, nil
}

// converter expands YAML parameters and blocks into their stored form.
type converter struct {
	wid, now string
	params   map[string]map[string]any // by key
	outputs  []any                     // output parameters added for blocks
	labels   map[string]bool
	errs     []verr
}

func (c *converter) stamp(m map[string]any) map[string]any {
	m["workflow_id"] = c.wid
	m["created_at"] = c.now
	m["modified_at"] = c.now
	return m
}

// object returns v as a JSON object, or records a model_attributes_type
// error at l.
func (c *converter) object(v any, l []any) (map[string]any, bool) {
	m, ok := v.(map[string]any)
	if !ok {
		c.errs = append(c.errs, verr{Type: "model_attributes_type", Loc: l, Msg: "Input should be a valid dictionary or object to extract fields from", Input: v})
	}
	return m, ok
}

func (c *converter) parameters(list []any, l []any) []any {
	out := make([]any, 0, len(list))
	var contexts []int
	for i, p := range list {
		pl := with(l, i)
		m, ok := c.object(p, pl)
		if !ok {
			continue
		}
		pt, ok := m["parameter_type"].(string)
		if !ok {
			c.errs = append(c.errs, unionTagError(pl, m, "parameter_type", parameterTypes))
			continue
		}
		if !slices.Contains(parameterTypes, pt) {
			c.errs = append(c.errs, unionTagError(pl, m, "parameter_type", parameterTypes))
			continue
		}
		fields := []field{req("key", kString)}
		for _, name := range parameterRequired[pt] {
			fields = append(fields, req(name, kAny))
		}
		if pt == "workflow" {
			fields[1] = field{name: "workflow_parameter_type", kind: kEnum, required: true, enum: workflowParameterTypes}
		}
		if errs := validateObject(m, fields, with(pl, pt)); len(errs) > 0 {
			c.errs = append(c.errs, errs...)
			continue
		}
		key := m["key"].(string)
		if _, dup := c.params[key]; dup {
			c.errs = append(c.errs, valueError(with(pl, pt, "key"), key, fmt.Sprintf("duplicate parameter key %q", key)))
			continue
		}
		np := copyMap(m)
		c.params[key] = np
		out = append(out, np)
		if pt == "context" {
			contexts = append(contexts, i)
			continue
		}
		np[parameterIDField[pt]] = newID(idPrefix(pt))
		c.stamp(np)
	}
	for _, i := range contexts {
		m := list[i].(map[string]any)
		np := c.params[m["key"].(string)]
		src := c.params[fmt.Sprint(m["source_parameter_key"])]
		if src == nil || src["parameter_type"] == "context" {
			c.errs = append(c.errs, valueError(with(l, i, "context", "source_parameter_key"), m["source_parameter_key"],
				fmt.Sprintf("source parameter %q is not defined", fmt.Sprint(m["source_parameter_key"]))))
			continue
		}
		np["source"] = src
	}
	return out
}

func idPrefix(parameterType string) string {
	switch parameterType {
	case "workflow":
		return "wp_"
	case "output":
		return "op_"
	case "credential":
		return "cp_"
	case "aws_secret":
		return "aws_"
	}
	return "p_"
}

func unionTagError(l []any, input map[string]any, disc string, tags []string) verr {
	quoted := make([]string, len(tags))
	for i, t := range tags {
		quoted[i] = "'" + t + "'"
	}
	expected := strings.Join(quoted, ", ")
	tag, ok := input[disc]
	if !ok || tag == nil {
		return verr{Type: "union_tag_not_found", Loc: l, Input: input,
			Msg: fmt.Sprintf("Unable to extract tag using discriminator '%s'", disc),
			Ctx: map[string]any{"discriminator": "'" + disc + "'"}}
	}
	return verr{Type: "union_tag_invalid", Loc: l, Input: input,
		Msg: fmt.Sprintf("Input tag '%v' found using '%s' does not match any of the expected tags: %s", tag, disc, expected),
		Ctx: map[string]any{"discriminator": "'" + disc + "'", "tag": fmt.Sprint(tag), "expected_tags": expected}}
}

func (c *converter) blocks(list []any, l []any) []any {
	out := make([]any, 0, len(list))
	for i, b := range list {
		bl := with(l, i)
		m, ok := c.object(b, bl)
		if !ok {
			continue
		}
		bt, ok := m["block_type"].(string)
		if !ok || !slices.Contains(blockTypes, bt) {
			c.errs = append(c.errs, unionTagError(bl, m, "block_type", blockTypes))
			continue
		}
		tl := with(bl, bt)
		fields := append([]field{}, blockFields...)
		for _, name := range blockRequired[bt] {
			fields = append(fields, req(name, kAny))
		}
		if errs := validateObject(m, fields, tl); len(errs) > 0 {
			c.errs = append(c.errs, errs...)
			continue
		}
		label := m["label"].(string)
		if c.labels[label] {
			c.errs = append(c.errs, valueError(with(tl, "label"), label, fmt.Sprintf("duplicate block label %q", label)))
			continue
		}
		c.labels[label] = true
		out = append(out, c.block(m, bt, tl))
	}
	return out
}

func (c *converter) block(m map[string]any, bt string, l []any) map[string]any {
	nb := copyMap(m)
	label := m["label"].(string)
	key := label + "_output"
	op := c.params[key]
	if op == nil || op["parameter_type"] != "output" {
		op = c.stamp(map[string]any{"parameter_type": "output", "key": key, "output_parameter_id": newID("op_"),
			"description": fmt.Sprintf("Output of block %s", label)})
		c.params[key] = op
		c.outputs = append(c.outputs, op)
	}
	nb["output_parameter"] = op
	params := []any{}
	if keys, ok := m["parameter_keys"].([]any); ok {
		for _, k := range keys {
			if p := c.params[fmt.Sprint(k)]; p != nil {
				params = append(params, p)
			}
		}
	}
	nb["parameters"] = params
	switch bt {
	case "for_loop", "while_loop":
		if lb, ok := m["loop_blocks"].([]any); ok {
			nb["loop_blocks"] = c.blocks(lb, with(l, "loop_blocks"))
		}
		if p := c.params[fmt.Sprint(m["loop_over_parameter_key"])]; p != nil && bt == "for_loop" {
			nb["loop_over"] = p
		}
		if cond, ok := m["condition"].(map[string]any); ok {
			nb["condition"] = withDefault(cond, "criteria_type", "jinja2_template")
		}
	case "conditional":
		if branches, ok := m["branch_conditions"].([]any); ok {
			nbs := make([]any, 0, len(branches))
			for _, b := range branches {
				bm, ok := b.(map[string]any)
				if !ok {
					nbs = append(nbs, b)
					continue
				}
				nbm := withDefault(bm, "id", newID("bc_"))
				if crit, ok := bm["criteria"].(map[string]any); ok {
					nbm["criteria"] = withDefault(crit, "criteria_type", "jinja2_template")
				}
				nbs = append(nbs, nbm)
			}
			nb["branch_conditions"] = nbs
		}
	case "wait":
		if _, ok := m["wait_sec"]; !ok || m["wait_sec"] == nil {
			nb["wait_sec"] = 0
		}
	case "send_email":
		for _, k := range []string{"smtp_host", "smtp_port", "smtp_username", "smtp_password"} {
			if _, ok := m[k]; !ok {
				nb[k] = c.stamp(map[string]any{"parameter_type": "aws_secret", "key": k, "aws_secret_parameter_id": newID("aws_"),
					"aws_key": "SKYVERN_" + strings.ToUpper(k) + "_AWS_SES"})
			}
		}
	}
	return nb
}

func withDefault(m map[string]any, k string, v any) map[string]any {
	out := copyMap(m)
	if x, ok := out[k]; !ok || x == nil {
		out[k] = v
	}
	return out
}

func copyMap(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// ---- handlers ----

// createWorkflow is POST /v1/agents. Like the server
// (agent_protocol.py create_workflow), an Idempotency-Key header of 1-255
// visible ASCII characters (422 otherwise) fixes the workflow_permanent_id
// (wpid_ + SHA-256 of "create_workflow", the organization and the key): a
// repeat returns version 1 of the workflow the key created, deleted or not,
// whatever its body.
func (s *Server) createWorkflow(w http.ResponseWriter, r *http.Request) {
	folderID := r.URL.Query().Get("folder_id")
	key, hasKey := r.Header[http.CanonicalHeaderKey(client.IdempotencyKeyHeader)]
	if hasKey && client.CheckIdempotencyKey(key[0]) != nil {
		writeDetail(w, http.StatusUnprocessableEntity, fmt.Sprintf("Idempotency-Key must contain 1 to %d visible ASCII bytes.", client.MaxIdempotencyKeyLength))
		return
	}
	def, base, errs := definitionFromRequest(w, r)
	if !s.lockIfValid(w, errs) {
		return
	}
	defer s.mu.Unlock()
	now := s.now()
	wpid := newID("wpid_")
	if hasKey {
		sum := sha256.Sum256([]byte("create_workflow\x00" + OrganizationID + "\x00" + key[0]))
		wpid = "wpid_" + hex.EncodeToString(sum[:])
		if prior, ok := s.workflows[wpid]; ok {
			writeJSON(w, http.StatusOK, prior.versions[0])
			return
		}
	}
	wf, errs := buildWorkflow(def, base, wpid, 1, now)
	if len(errs) > 0 {
		writeValidation(w, errs)
		return
	}
	if folderID != "" {
		wf.FolderID = folderID
	}
	s.workflows[wpid] = &workflow{wpid: wpid, versions: []*client.Workflow{wf}, created: now}
	writeJSON(w, http.StatusOK, wf)
}

// lockWorkflow locks s and returns the workflow named by the path
// parameter param, s still locked (the caller unlocks); or answers 404 and
// returns nil, s unlocked.
func (s *Server) lockWorkflow(w http.ResponseWriter, r *http.Request, param string) *workflow {
	s.mu.Lock()
	wf := s.lookupWorkflow(w, r.PathValue(param))
	if wf == nil {
		s.mu.Unlock()
	}
	return wf
}

// lookupWorkflow finds a live workflow or answers 404. Call with s.mu held.
func (s *Server) lookupWorkflow(w http.ResponseWriter, id string) *workflow {
	if wf, ok := s.workflows[id]; ok && !wf.deleted {
		return wf
	}
	writeDetail(w, http.StatusNotFound, fmt.Sprintf("Workflow %s not found", id))
	return nil
}

func (s *Server) updateWorkflow(w http.ResponseWriter, r *http.Request) {
	def, base, errs := definitionFromRequest(w, r)
	if !s.lockIfValid(w, errs) {
		return
	}
	defer s.mu.Unlock()
	wf := s.lookupWorkflow(w, r.PathValue("workflow_id"))
	if wf == nil {
		return
	}
	prev := wf.latest()
	next, errs := buildWorkflow(def, base, wf.wpid, prev.Version+1, s.now())
	if len(errs) > 0 {
		writeValidation(w, errs)
		return
	}
	if next.FolderID == "" {
		next.FolderID = prev.FolderID
	}
	wf.versions = append(wf.versions, next)
	writeJSON(w, http.StatusOK, next)
}

func (s *Server) deleteWorkflow(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	// delete_workflow_by_permanent_id soft-deletes whatever matches: an
	// unknown or already deleted workflow is 200 too.
	if wf, ok := s.workflows[r.PathValue("workflow_id")]; ok {
		wf.deleted = true
	}
	writeNull(w)
}

// invalidTemplate answers get_workflow's and get_workflow_versions' 400 for
// template=true: the sandbox has no global workflow templates.
func invalidTemplate(w http.ResponseWriter, id string) {
	writeDetail(w, http.StatusBadRequest, fmt.Sprintf(
		"Invalid template workflow permanent id: %s. Please make sure the workflow is a valid template.", id))
}

func (s *Server) getWorkflow(w http.ResponseWriter, r *http.Request) {
	q := newQuery(r)
	version := q.optInt("version")
	template := q.bool("template")
	if len(q.errs) > 0 {
		writeValidation(w, q.errs)
		return
	}
	id := r.PathValue("workflow_permanent_id")
	s.mu.Lock()
	defer s.mu.Unlock()
	if template {
		invalidTemplate(w, id)
		return
	}
	wf := s.lookupWorkflow(w, id)
	if wf == nil {
		return
	}
	if version == nil {
		writeJSON(w, http.StatusOK, wf.latest())
		return
	}
	for _, v := range wf.versions {
		if v.Version == *version {
			writeJSON(w, http.StatusOK, v)
			return
		}
	}
	writeDetail(w, http.StatusNotFound, fmt.Sprintf("Workflow %s version %d not found", id, *version))
}

func (s *Server) getWorkflowVersions(w http.ResponseWriter, r *http.Request) {
	q := newQuery(r)
	template := q.bool("template")
	if !s.lockIfValid(w, q.errs) {
		return
	}
	defer s.mu.Unlock()
	id := r.PathValue("workflow_permanent_id")
	if template {
		invalidTemplate(w, id)
		return
	}
	// get_workflow_versions_by_permanent_id: [] when nothing matches (an
	// unknown or deleted workflow), not 404.
	versions := []*client.Workflow{}
	if wf, ok := s.workflows[id]; ok && !wf.deleted {
		versions = wf.versions
	}
	writeJSON(w, http.StatusOK, versions)
}

func (s *Server) getWorkflows(w http.ResponseWriter, r *http.Request) {
	q := newQuery(r)
	page, size := q.int("page", 1, 1), q.int("page_size", 10, 1)
	onlySaved, onlyWorkflows, onlyTemplates := q.bool("only_saved_tasks"), q.bool("only_workflows"), q.bool("only_templates")
	template := q.bool("template")
	search, title, folder := strings.ToLower(q.str("search_key")), strings.ToLower(q.str("title")), q.str("folder_id")
	statuses := q.enumList("status", workflowStatuses)
	tags := q.q["tags"]
	if !s.lockIfValid(w, q.errs) {
		return
	}
	defer s.mu.Unlock()
	out := []*client.Workflow{}
	if template || onlyTemplates || len(tags) > 0 { // the sandbox has no templates and no tags
		writeJSON(w, http.StatusOK, out)
		return
	}
	var all []*workflow
	for _, wf := range s.workflows {
		if !wf.deleted {
			all = append(all, wf)
		}
	}
	newestFirst(all, func(wf *workflow) (time.Time, string) { return wf.created, wf.wpid })
	for _, wf := range all {
		v := wf.latest()
		switch {
		case onlySaved && !v.IsSavedTask, onlyWorkflows && v.IsSavedTask:
			continue
		case folder != "" && v.FolderID != folder:
			continue
		case len(statuses) > 0 && !slices.Contains(statuses, string(v.Status)):
			continue
		case search != "" && !workflowMatches(v, search):
			continue
		case search == "" && title != "" && !strings.Contains(strings.ToLower(v.Title), title):
			continue
		}
		out = append(out, v)
	}
	writeJSON(w, http.StatusOK, paginate(out, page, size))
}

// workflowMatches searches the title, folder and workflow parameter keys and
// descriptions.
func workflowMatches(v *client.Workflow, needle string) bool {
	hay := append([]string{v.Title, v.FolderID, v.Description}, parameterTexts(v)...)
	return anyContains(hay, needle)
}

// parameterTexts are the keys and descriptions of a workflow version's
// workflow parameters.
func parameterTexts(v *client.Workflow) []string {
	var out []string
	ps, _ := v.WorkflowDefinition["parameters"].([]any)
	for _, p := range ps {
		if m, ok := p.(map[string]any); ok && m["parameter_type"] == "workflow" {
			out = append(out, fmt.Sprint(m["key"]), fmt.Sprint(m["description"]))
		}
	}
	return out
}

// anyContains reports whether any of hay contains needle (lower case),
// ignoring case.
func anyContains(hay []string, needle string) bool {
	for _, h := range hay {
		if strings.Contains(strings.ToLower(h), needle) {
			return true
		}
	}
	return false
}

var workflowRunFields = []field{
	req("agent_id", kString),
	opt("parameters", kObject), opt("title", kString), opt("proxy_location", kProxy), opt("webhook_url", kString),
	opt("totp_url", kString), opt("totp_identifier", kString), opt("browser_session_id", kString),
	opt("browser_profile_id", kString), opt("max_screenshot_scrolls", kInt),
	opt("max_elapsed_time_minutes", kInt).min(1).max(480), opt("extra_http_headers", kStringMap),
	opt("cdp_connect_headers", kStringMap), opt("browser_address", kString), opt("ai_fallback", kBool),
	opt("run_with", kString), opt("run_metadata", kStringMap),
}

func (s *Server) runWorkflow(w http.ResponseWriter, r *http.Request) {
	q := newQuery(r)
	template := q.bool("template")
	errs := q.errs
	var maxSteps *int
	if h := r.Header.Get("x-max-steps-override"); h != "" {
		n, e := toInt(h, loc("header", "x-max-steps-override"))
		if e != nil {
			errs = append(errs, *e)
		} else {
			maxSteps = &n
		}
	}
	obj, _, berrs := readBody(w, r, true)
	errs = append(errs, berrs...)
	if len(berrs) == 0 {
		if _, ok := obj["agent_id"]; !ok { // workflow_id is accepted as an alias
			if id, ok := obj["workflow_id"]; ok {
				obj["agent_id"] = id
			}
		}
		errs = append(errs, validateObject(obj, workflowRunFields, loc("body"))...)
	}
	if len(errs) > 0 {
		writeValidation(w, errs)
		return
	}
	var in client.WorkflowRunRequest
	if err := remarshal(obj, &in); err != nil {
		writeValidation(w, []verr{valueError(loc("body"), obj, err.Error())})
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if template {
		writeDetail(w, http.StatusNotFound, fmt.Sprintf("Workflow template %s not found", in.AgentID))
		return
	}
	wf := s.lookupWorkflow(w, in.AgentID)
	if wf == nil {
		return
	}
	if in.BrowserProfileID != "" && s.liveProfile(in.BrowserProfileID) == nil {
		writeDetail(w, http.StatusNotFound, fmt.Sprintf("Browser profile %s not found", in.BrowserProfileID))
		return
	}
	v := wf.latest()
	paramsJSON, _ := json.Marshal(in.Parameters)
	texts := []string{in.Title, v.Title, string(paramsJSON)}
	var blocks []runBlock
	if bs, ok := v.WorkflowDefinition["blocks"].([]any); ok {
		for _, b := range bs {
			m, _ := b.(map[string]any)
			label, _ := m["label"].(string)
			bt, _ := m["block_type"].(string)
			blocks = append(blocks, runBlock{id: newID("wrb_"), label: label, blockType: bt, def: m})
			for _, k := range []string{"navigation_goal", "prompt", "data_extraction_goal", "title"} {
				if t, ok := m[k].(string); ok {
					texts = append(texts, t)
				}
			}
		}
	}
	now := s.now()
	run := s.newRun("wr_", client.RunTypeWorkflowRun, scanTriggers(texts...), now)
	run.blocks = blocks
	run.steps = min(max(2*len(blocks), 2), 10)
	if maxSteps != nil && *maxSteps > 0 && *maxSteps < run.steps {
		run.steps = *maxSteps
	}
	run.summary = "Sandbox workflow run of " + v.Title
	run.wfVersionID, run.wfTitle = v.WorkflowID, v.Title
	if run.final == client.RunStatusFailed {
		run.errors = workflowErrors(v)
	}
	run.webhookURL = in.WebhookURL
	if run.webhookURL == "" {
		run.webhookURL = v.WebhookCallbackURL
	}
	run.sessionID, run.profileID, run.maxScrolls = in.BrowserSessionID, in.BrowserProfileID, in.MaxScreenshotScrolls
	run.runWith = in.RunWith
	if run.runWith == "" {
		run.runWith = v.RunWith
	}
	run.aiFallback = in.AIFallback
	if run.aiFallback == nil {
		run.aiFallback = v.AIFallback
	}
	proxy := in.ProxyLocation
	if proxy == nil {
		proxy = client.Proxy("RESIDENTIAL")
	}
	var meta map[string]any
	if len(in.RunMetadata) > 0 {
		meta = map[string]any{}
		for k, val := range in.RunMetadata {
			meta[k] = val
		}
	}
	run.request = client.RunRequest{
		WorkflowID: wf.wpid, Parameters: in.Parameters, Title: in.Title, ProxyLocation: proxy,
		WebhookURL: in.WebhookURL, TOTPURL: in.TOTPURL, TOTPIdentifier: in.TOTPIdentifier,
		BrowserSessionID: in.BrowserSessionID, BrowserProfileID: in.BrowserProfileID,
		MaxScreenshotScrolls: in.MaxScreenshotScrolls, MaxElapsedTimeMinutes: in.MaxElapsedTimeMinutes,
		ExtraHTTPHeaders: in.ExtraHTTPHeaders, CDPConnectHeaders: in.CDPConnectHeaders,
		BrowserAddress: in.BrowserAddress, AIFallback: in.AIFallback, RunWith: in.RunWith, RunMetadata: meta,
	}
	writeJSON(w, http.StatusOK, s.runView(run, run.at(now), s.baseURL(r)))
}

// workflowErrors is the errors entry of a failed run of v: the first code
// of the error_code_mapping of its definition or, failing that, of its
// first block that has one (nil when there is none).
func workflowErrors(v *client.Workflow) []map[string]any {
	mapping, _ := v.WorkflowDefinition["error_code_mapping"].(map[string]any)
	if len(mapping) == 0 {
		blocks, _ := v.WorkflowDefinition["blocks"].([]any)
		for _, b := range blocks {
			m, _ := b.(map[string]any)
			if ecm, ok := m["error_code_mapping"].(map[string]any); ok && len(ecm) > 0 {
				mapping = ecm
				break
			}
		}
	}
	if len(mapping) == 0 {
		return nil
	}
	code := sortedKeys(mapping)[0]
	return []map[string]any{{"error_code": code, "reasoning": fmt.Sprintf("Sandbox: %v", mapping[code]), "confidence_float": 0.9}}
}

// folderExists says whether a folder ID names a folder. The sandbox keeps
// no folders yet: any ID of the form fld_... exists.
// folderExists reports whether a live folder has this ID. Call with s.mu held.
func (s *Server) folderExists(id string) bool { return s.liveFolder(id) != nil }

var updateFolderFields = []field{opt("folder_id", kString)}

// updateWorkflowFolder moves the latest version of a workflow into a folder
// (or out of any, with folder_id null or absent).
func (s *Server) updateWorkflowFolder(w http.ResponseWriter, r *http.Request) {
	obj, ok := readValidBody(w, r, updateFolderFields)
	if !ok {
		return
	}
	folder, _ := obj["folder_id"].(string)
	wf := s.lockWorkflow(w, r, "workflow_permanent_id")
	if wf == nil {
		return
	}
	defer s.mu.Unlock()
	if folder != "" && !s.folderExists(folder) {
		writeDetail(w, http.StatusBadRequest, fmt.Sprintf("Folder %s not found", folder))
		return
	}
	v := wf.latest()
	old := v.FolderID
	v.FolderID = folder
	v.ModifiedAt = ts(s.now())
	s.touchFolder(old)
	s.touchFolder(folder)
	writeJSON(w, http.StatusOK, v)
}

// resetWorkflowBrowserProfile forgets the browser state a workflow saved:
// the Skyvern-managed profiles of the workflow are deleted.
func (s *Server) resetWorkflowBrowserProfile(w http.ResponseWriter, r *http.Request) {
	wf := s.lockWorkflow(w, r, "workflow_permanent_id")
	if wf == nil {
		return
	}
	defer s.mu.Unlock()
	now := ts(s.now())
	for _, p := range s.profiles {
		if !p.deleted && p.resp.IsManaged && p.resp.WorkflowPermanentID == wf.wpid {
			p.deleted = true
			p.resp.DeletedAt, p.resp.ModifiedAt = now, now
		}
	}
	writeNoContent(w)
}

// ---- workflow run listings ----

// workflowRunFilter holds the filters of GET /v1/agents/runs and GET
// /v1/agents/{workflow_id}/runs.
type workflowRunFilter struct {
	page, size         int
	statuses           []string
	search, errorCode  string
	wpid               string // by-id listing only
	createdFrom, until *time.Time
}

func readWorkflowRunFilter(r *http.Request, byID bool) (*workflowRunFilter, []verr) {
	q := newQuery(r)
	f := &workflowRunFilter{
		page: q.int("page", 1, 1), size: q.int("page_size", 10, 1),
		statuses:  q.enumList("status", runStatuses),
		search:    strings.ToLower(q.strLen("search_key", 0, client.MaxWorkflowRunsFilter)),
		errorCode: q.strLen("error_code", 0, client.MaxWorkflowRunsFilter),
	}
	if byID {
		f.wpid = r.PathValue("workflow_id")
		f.createdFrom, f.until = q.dateTime("created_at_start"), q.dateTime("created_at_end")
	}
	return f, q.errs
}

func (s *Server) getWorkflowRuns(w http.ResponseWriter, r *http.Request) {
	s.listWorkflowRuns(w, r, false)
}

func (s *Server) getWorkflowRunsByID(w http.ResponseWriter, r *http.Request) {
	s.listWorkflowRuns(w, r, true)
}

// listWorkflowRuns lists the workflow runs (wr_...) matching every filter,
// newest first. An unknown workflow has no runs: the answer is an empty
// list, as the spec documents no 404 here.
func (s *Server) listWorkflowRuns(w http.ResponseWriter, r *http.Request, byID bool) {
	f, errs := readWorkflowRunFilter(r, byID)
	if !s.lockIfValid(w, errs) {
		return
	}
	defer s.mu.Unlock()
	now := s.now()
	var all []*run
	for _, run := range s.runs {
		if !run.runType.IsWorkflow() || (byID && run.request.WorkflowID != f.wpid) {
			continue
		}
		sn := run.at(now)
		switch {
		case len(f.statuses) > 0 && !slices.Contains(f.statuses, string(sn.status)):
		case f.createdFrom != nil && run.created.Before(*f.createdFrom):
		case f.until != nil && !run.created.Before(*f.until):
		case f.search != "" && !s.workflowRunMatches(run, f.search):
		case f.errorCode != "" && !hasErrorCode(run, sn, f.errorCode):
		default:
			all = append(all, run)
		}
	}
	newestFirst(all, func(r *run) (time.Time, string) { return r.created, r.id })
	out := []client.WorkflowRun{}
	for _, run := range paginate(all, f.page, f.size) {
		out = append(out, s.workflowRunView(run, run.at(now)))
	}
	writeJSON(w, http.StatusOK, out)
}

// workflowRunMatches searches what Skyvern searches: the run ID, the keys
// and descriptions of the workflow's parameters, the run's parameter values
// and its extra HTTP headers (as JSON text).
func (s *Server) workflowRunMatches(run *run, needle string) bool {
	hay := []string{run.id}
	for k, v := range run.request.Parameters {
		b, _ := json.Marshal(v)
		hay = append(hay, k, fmt.Sprint(v), string(b))
	}
	if len(run.request.ExtraHTTPHeaders) > 0 {
		b, _ := json.Marshal(run.request.ExtraHTTPHeaders)
		hay = append(hay, string(b))
	}
	if wf, ok := s.workflows[run.request.WorkflowID]; ok {
		for _, v := range wf.versions {
			if v.WorkflowID != run.wfVersionID {
				continue
			}
			hay = append(hay, parameterTexts(v)...)
		}
	}
	return anyContains(hay, needle)
}

// hasErrorCode matches error_code exactly in the errors of a run that has
// failed (they are not visible before).
func hasErrorCode(run *run, sn snap, code string) bool {
	if !sn.final || sn.status == client.RunStatusCanceled || sn.status == client.RunStatusCompleted {
		return false
	}
	for _, e := range run.errors {
		if e["error_code"] == code {
			return true
		}
	}
	return false
}

// workflowTitle is the title of the workflow a workflow run ran ("" for
// task runs).
func (s *Server) workflowTitle(run *run) string {
	if run.wfTitle != "" || !run.runType.IsWorkflow() {
		return run.wfTitle
	}
	for name, wpid := range s.builtin { // login and download_files runs
		if wpid == run.request.WorkflowID {
			t := strings.ReplaceAll(name, "_", " ")
			return strings.ToUpper(t[:1]) + t[1:]
		}
	}
	return ""
}

// workflowVersionID is the w_... ID of the workflow version a run ran. The
// hidden workflows behind login and download_files have one version whose
// ID follows from their permanent ID.
func workflowVersionID(run *run) string {
	if run.wfVersionID != "" {
		return run.wfVersionID
	}
	return "w_" + strings.TrimPrefix(run.request.WorkflowID, "wpid_")
}

// workflowRunView renders a workflow run as the WorkflowRun schema. Call
// with s.mu held.
func (s *Server) workflowRunView(run *run, sn snap) client.WorkflowRun {
	req := &run.request
	out := client.WorkflowRun{
		WorkflowRunID: run.id, WorkflowID: workflowVersionID(run), WorkflowPermanentID: req.WorkflowID,
		OrganizationID: OrganizationID, BrowserSessionID: run.sessionID, BrowserProfileID: run.profileID,
		Status: sn.status, ExtraHTTPHeaders: req.ExtraHTTPHeaders, CDPConnectHeaders: req.CDPConnectHeaders,
		ProxyLocation: req.ProxyLocation, WebhookCallbackURL: run.webhookURL, TOTPVerificationURL: req.TOTPURL,
		TOTPIdentifier: req.TOTPIdentifier, WorkflowTitle: s.workflowTitle(run), MaxScreenshotScrolls: run.maxScrolls,
		MaxElapsedTimeMinutes: req.MaxElapsedTimeMinutes, BrowserAddress: req.BrowserAddress, RunWith: run.runWith,
		AIFallback: run.aiFallback, TriggerType: "api",
		QueuedAt: ts(sn.queuedAt), StartedAt: ts(sn.startedAt), FinishedAt: ts(sn.finishedAt),
		CreatedAt: ts(run.created), ModifiedAt: ts(sn.modifiedAt),
	}
	if out.RunWith == "" {
		out.RunWith = "agent"
	}
	switch sn.status {
	case client.RunStatusFailed, client.RunStatusTerminated, client.RunStatusTimedOut:
		out.FailureReason = run.failure
	}
	return out
}

// ---- retry ----

// retryWorkflowRun starts a new run of a finished workflow run's workflow
// with the same parameters, blocks and markers (so a run that failed with
// [sandbox:fail] fails again).
func (s *Server) retryWorkflowRun(w http.ResponseWriter, r *http.Request) {
	var maxSteps *int
	if h := r.Header.Get("x-max-steps-override"); h != "" {
		n, e := toInt(h, loc("header", "x-max-steps-override"))
		if e != nil {
			writeValidation(w, []verr{*e})
			return
		}
		maxSteps = &n
	}
	id := r.PathValue("workflow_run_id")
	s.mu.Lock()
	defer s.mu.Unlock()
	orig, ok := s.runs[id]
	if !ok || !orig.runType.IsWorkflow() {
		writeDetail(w, http.StatusNotFound, fmt.Sprintf("Workflow run %s not found", id))
		return
	}
	now := s.now()
	if sn := orig.at(now); !sn.final {
		writeDetail(w, http.StatusBadRequest, fmt.Sprintf("Workflow run %s is %s and cannot be retried until it has finished; cancel it first or wait", id, sn.status))
		return
	}
	if wf, ok := s.workflows[orig.request.WorkflowID]; ok && wf.deleted {
		writeDetail(w, http.StatusNotFound, fmt.Sprintf("Workflow %s not found", orig.request.WorkflowID))
		return
	}
	run := s.newRun("wr_", client.RunTypeWorkflowRun, orig.trig, now)
	for _, b := range orig.blocks {
		run.blocks = append(run.blocks, runBlock{id: newID("wrb_"), label: b.label, blockType: b.blockType, def: b.def})
	}
	run.steps = orig.steps
	if maxSteps != nil && *maxSteps > 0 && *maxSteps < run.steps {
		run.steps = *maxSteps
	}
	run.summary, run.webhookURL, run.schema = orig.summary, orig.webhookURL, orig.schema
	run.sessionID, run.profileID, run.maxScrolls = orig.sessionID, orig.profileID, orig.maxScrolls
	run.runWith, run.aiFallback, run.fileName = orig.runWith, orig.aiFallback, orig.fileName
	run.wfVersionID, run.wfTitle = orig.wfVersionID, orig.wfTitle
	run.errors = orig.errors
	run.request = orig.request
	if orig.art.download != "" {
		s.addDownload(run)
	}
	writeJSON(w, http.StatusOK, s.runView(run, run.at(now), s.baseURL(r)))
}
