package sandbox

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/skyvern-mcp/skyvern-mcp/client"
)

// Run listings, bulk cancel and workflow run retries. Every list is built
// from s.runs, so it always agrees with get_run.

var (
	runStatuses = client.RunStatus("").EnumValues()
	runTypes    = client.RunType("").EnumValues()
)

// intMax checks an integer query parameter's upper bound (q.int checks the
// lower one).
func (q *query) intMax(name string, n int, le float64) int {
	if float64(n) > le {
		q.errs = append(q.errs, verr{Type: "less_than_equal", Loc: loc("query", name),
			Msg: "Input should be less than or equal to " + fmtNum(le), Input: q.q.Get(name), Ctx: map[string]any{"le": le}})
	}
	return n
}

// strLen checks a string query parameter's length bounds (0: no bound).
func (q *query) strLen(name string, minLen, maxLen int) string {
	v, ok := q.q[name]
	if !ok || len(v) == 0 {
		return ""
	}
	s, n := v[0], utf8.RuneCountInString(v[0])
	l := loc("query", name)
	switch {
	case minLen > 0 && n < minLen:
		q.errs = append(q.errs, verr{Type: "string_too_short", Loc: l, Input: s, Ctx: map[string]any{"min_length": minLen},
			Msg: fmt.Sprintf("String should have at least %d character%s", minLen, plural(minLen))})
	case maxLen > 0 && n > maxLen:
		q.errs = append(q.errs, verr{Type: "string_too_long", Loc: l, Input: s, Ctx: map[string]any{"max_length": maxLen},
			Msg: fmt.Sprintf("String should have at most %d character%s", maxLen, plural(maxLen))})
	}
	return s
}

// dateTime reads an optional date-time query parameter.
func (q *query) dateTime(name string) *time.Time {
	v := q.q.Get(name)
	if v == "" {
		return nil
	}
	t, err := parseDateTime(v)
	if err != nil {
		q.errs = append(q.errs, verr{Type: "datetime_from_date_parsing", Loc: loc("query", name),
			Msg: "Input should be a valid datetime or date, " + err.Error(), Input: v})
		return nil
	}
	return &t
}

// ---- bulk cancel ----

var bulkCancelFields = []field{req("run_ids", kStringList)}

func (s *Server) bulkCancelRuns(w http.ResponseWriter, r *http.Request) {
	obj, _, errs := readBody(w, r, true)
	if len(errs) == 0 {
		errs = validateObject(obj, bulkCancelFields, loc("body"))
	}
	if len(errs) == 0 {
		if ids := obj["run_ids"].([]any); len(ids) > client.MaxBulkCancelRuns {
			errs = append(errs, verr{Type: "too_long", Loc: loc("body", "run_ids"), Input: ids,
				Msg: fmt.Sprintf("List should have at most %d items after validation, not %d", client.MaxBulkCancelRuns, len(ids)),
				Ctx: map[string]any{"field_type": "List", "max_length": client.MaxBulkCancelRuns, "actual_length": len(ids)}})
		}
	}
	if len(errs) > 0 {
		writeValidation(w, errs)
		return
	}
	out := client.BulkCancelRunsResponse{Cancelled: []string{}, Failed: []string{}}
	seen := map[string]bool{}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	for _, v := range obj["run_ids"].([]any) {
		id := v.(string)
		if seen[id] {
			continue
		}
		seen[id] = true
		run, ok := s.runs[id]
		if !ok || run.at(now).final {
			out.Failed = append(out.Failed, id)
			continue
		}
		run.canceled = now
		out.Cancelled = append(out.Cancelled, id)
	}
	writeJSON(w, http.StatusOK, out)
}

// ---- GET /v1/runs ----

func (s *Server) getRunsV2(w http.ResponseWriter, r *http.Request) {
	q := newQuery(r)
	page := q.intMax("page", q.int("page", 1, 1), client.MaxRunsPage)
	size := q.intMax("page_size", q.int("page_size", 10, 1), client.MaxRunsPage)
	statuses := q.enumList("status", runStatuses)
	types := q.enumList("run_type", runTypes)
	search := strings.ToLower(q.strLen("search_key", client.MinRunsSearchKey, 0))
	if len(q.errs) > 0 {
		writeValidation(w, q.errs)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	var all []*run
	for _, run := range s.runs {
		switch {
		case len(statuses) > 0 && !slices.Contains(statuses, string(run.at(now).status)):
		case len(types) > 0 && !slices.Contains(types, string(run.runType)):
		case search != "" && !s.runMatches(run, search):
		default:
			all = append(all, run)
		}
	}
	newestFirst(all, func(r *run) (time.Time, string) { return r.created, r.id })
	out := []client.TaskRunListItem{}
	for _, run := range paginate(all, page, size) {
		out = append(out, s.runListItem(run, run.at(now)))
	}
	writeJSON(w, http.StatusOK, out)
}

// runMatches searches a run's ID, title, prompt, URL, workflow and
// parameters.
func (s *Server) runMatches(run *run, needle string) bool {
	params, _ := json.Marshal(run.request.Parameters)
	hay := []string{run.id, run.request.Title, run.request.Prompt, run.request.URL, run.request.WorkflowID, s.workflowTitle(run), string(params)}
	for _, h := range hay {
		if strings.Contains(strings.ToLower(h), needle) {
			return true
		}
	}
	return false
}

func (s *Server) runListItem(run *run, sn snap) client.TaskRunListItem {
	item := client.TaskRunListItem{
		TaskRunID: run.taskRunID, RunID: run.id, TaskRunType: string(run.runType), Status: string(sn.status),
		Title: run.request.Title, StartedAt: ts(sn.startedAt), FinishedAt: ts(sn.finishedAt), CreatedAt: ts(run.created),
	}
	if run.runType.IsWorkflow() {
		item.WorkflowPermanentID = run.request.WorkflowID
		if wf, ok := s.workflows[run.request.WorkflowID]; ok {
			item.WorkflowDeleted = wf.deleted
		}
		item.TriggerType = "api"
		if item.Title == "" {
			item.Title = s.workflowTitle(run)
		}
	}
	return item
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
	if len(errs) > 0 {
		writeValidation(w, errs)
		return
	}
	s.mu.Lock()
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
			ps, _ := v.WorkflowDefinition["parameters"].([]any)
			for _, p := range ps {
				if m, ok := p.(map[string]any); ok && m["parameter_type"] == "workflow" {
					hay = append(hay, fmt.Sprint(m["key"]), fmt.Sprint(m["description"]))
				}
			}
		}
	}
	for _, h := range hay {
		if strings.Contains(strings.ToLower(h), needle) {
			return true
		}
	}
	return false
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
