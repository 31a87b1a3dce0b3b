package sandbox

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"
	_ "time/tzdata" // time zones resolve even where the system has no zoneinfo

	"github.com/robfig/cron/v3"

	"github.com/skyvern-mcp/skyvern-mcp/client"
)

// Schedule rules, as Skyvern applies them (croniter and zoneinfo).
const (
	// minCronInterval is the shortest time allowed between the next two
	// firings of a schedule.
	minCronInterval = 5 * time.Minute
	// nextRunsCount is how many fire times next_runs lists.
	nextRunsCount = 5
	// maxSchedulePageSize bounds page_size of GET /v1/schedules.
	maxSchedulePageSize = 100
)

// schedule is a workflow schedule; deleted ones are kept, hidden.
type schedule struct {
	resp    client.WorkflowSchedule
	created time.Time
	deleted bool
}

// cronParser reads the standard 5-field expressions and the @yearly ...
// @hourly descriptors, as croniter does.
var cronParser = cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

// parseCron parses a 5-field cron expression or a descriptor, refusing
// what croniter would not read (@every, a TZ= prefix, seconds or years).
func parseCron(expr string) (cron.Schedule, error) {
	e := strings.TrimSpace(expr)
	switch {
	case e == "":
		return nil, errors.New("it is empty")
	case strings.HasPrefix(e, "@every"):
		return nil, errors.New("@every is not supported; use 5 fields: minute hour day-of-month month day-of-week")
	case strings.HasPrefix(e, "TZ=") || strings.HasPrefix(e, "CRON_TZ="):
		return nil, errors.New("give the time zone in timezone, not in the expression")
	case !strings.HasPrefix(e, "@"):
		if n := len(strings.Fields(e)); n != 5 {
			return nil, fmt.Errorf("expected 5 fields (minute hour day-of-month month day-of-week), got %d", n)
		}
	}
	return cronParser.Parse(e)
}

// loadZone resolves an IANA time zone name as Python's ZoneInfo does.
func loadZone(name string) (*time.Location, error) {
	if name == "" || name == "Local" || strings.TrimSpace(name) != name {
		return nil, fmt.Errorf("Invalid timezone '%s'", name)
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, fmt.Errorf("Invalid timezone '%s'", name)
	}
	return loc, nil
}

// checkCron validates an expression as Skyvern does: it must parse, and
// its next two firings after now must be at least 5 minutes apart.
func checkCron(expr string, now time.Time) error {
	sched, err := parseCron(expr)
	if err != nil {
		return fmt.Errorf("Invalid cron expression: %v", err)
	}
	first := sched.Next(now.UTC())
	if first.IsZero() {
		return errors.New("Invalid cron expression: it never fires")
	}
	if second := sched.Next(first); second.Sub(first) < minCronInterval {
		return fmt.Errorf("Cron interval must be at least %d minutes", int(minCronInterval/time.Minute))
	}
	return nil
}

// nextRuns returns the next n fire times after now, in UTC, with the
// expression read in the schedule's time zone.
func nextRuns(expr, tz string, now time.Time, n int) []string {
	sched, err := parseCron(expr)
	if err != nil {
		return []string{}
	}
	loc, err := loadZone(tz)
	if err != nil {
		return []string{}
	}
	out := make([]string, 0, n)
	t := now.In(loc)
	for range n {
		t = sched.Next(t)
		if t.IsZero() {
			break
		}
		out = append(out, ts(t))
	}
	return out
}

var scheduleFields = []field{
	req("cron_expression", kString), req("timezone", kString), opt("enabled", kBool), opt("parameters", kObject),
	opt("name", kString), opt("description", kString),
}

// readScheduleRequest reads a WorkflowScheduleUpsertRequest and checks its
// shape, as FastAPI does before the handler runs.
func readScheduleRequest(w http.ResponseWriter, r *http.Request) (*client.WorkflowScheduleUpsertRequest, []verr) {
	obj, _, errs := readBody(w, r, true)
	if len(errs) == 0 {
		errs = validateObject(obj, scheduleFields, loc("body"))
	}
	if len(errs) > 0 {
		return nil, errs
	}
	var in client.WorkflowScheduleUpsertRequest
	if err := remarshal(obj, &in); err != nil {
		return nil, []verr{valueError(loc("body"), obj, err.Error())}
	}
	return &in, nil
}

// checkSchedule validates the cron expression and the time zone.
func checkSchedule(in *client.WorkflowScheduleUpsertRequest, now time.Time) []verr {
	var errs []verr
	if err := checkCron(in.CronExpression, now); err != nil {
		errs = append(errs, valueError(loc("body", "cron_expression"), in.CronExpression, err.Error()))
	}
	if _, err := loadZone(in.Timezone); err != nil {
		errs = append(errs, valueError(loc("body", "timezone"), in.Timezone, err.Error()))
	}
	return errs
}

// checkScheduleParameters is scheduleParameters answering 400 with the
// message when the parameters do not fit.
func checkScheduleParameters(w http.ResponseWriter, wf *workflow, params map[string]any) (map[string]any, bool) {
	out, msg := scheduleParameters(wf, params)
	if msg != "" {
		writeDetail(w, http.StatusBadRequest, msg)
		return nil, false
	}
	return out, true
}

// scheduleParameters checks a schedule's parameters against the workflow's
// input parameters (unknown keys and missing required ones are refused, as
// Skyvern does with 400) and returns them without null values. Call with
// s.mu held.
func scheduleParameters(wf *workflow, params map[string]any) (map[string]any, string) {
	defined := map[string]bool{}
	var required []string
	if ps, ok := wf.latest().WorkflowDefinition["parameters"].([]any); ok {
		for _, p := range ps {
			m, _ := p.(map[string]any)
			if m["parameter_type"] != "workflow" {
				continue
			}
			key := fmt.Sprint(m["key"])
			defined[key] = true
			if m["default_value"] == nil {
				required = append(required, key)
			}
		}
	}
	var unknown, missing []string
	for _, k := range sortedKeys(params) {
		if !defined[k] {
			unknown = append(unknown, k)
		}
	}
	if len(unknown) > 0 {
		return nil, fmt.Sprintf("Unknown schedule parameters for workflow %s: %s", wf.wpid, strings.Join(unknown, ", "))
	}
	for _, k := range required {
		if params[k] == nil {
			missing = append(missing, k)
		}
	}
	if len(missing) > 0 {
		slices.Sort(missing)
		return nil, fmt.Sprintf("Missing schedule parameters for workflow %s: %s", wf.wpid, strings.Join(missing, ", "))
	}
	stored := map[string]any{}
	for k, v := range params {
		if v != nil {
			stored[k] = v
		}
	}
	if len(stored) == 0 {
		return nil, ""
	}
	return stored, ""
}

func (s *Server) scheduleView(sc *schedule, now time.Time) client.WorkflowScheduleResponse {
	out := sc.resp
	out.Parameters = copyMap(sc.resp.Parameters)
	if len(out.Parameters) == 0 {
		out.Parameters = nil
	}
	return client.WorkflowScheduleResponse{Schedule: out, NextRuns: nextRuns(out.CronExpression, out.Timezone, now, nextRunsCount)}
}

// lookupSchedule finds a live schedule of wf or answers 404. Call with
// s.mu held.
func (s *Server) lookupSchedule(w http.ResponseWriter, wf *workflow, id string) *schedule {
	if sc, ok := s.schedules[id]; ok && !sc.deleted && sc.resp.WorkflowPermanentID == wf.wpid {
		return sc
	}
	writeDetail(w, http.StatusNotFound, fmt.Sprintf("Schedule %s not found", id))
	return nil
}

// lockSchedule locks s and returns the schedule named by the path, s
// still locked (the caller unlocks); or answers 404 and returns nil, s
// unlocked.
func (s *Server) lockSchedule(w http.ResponseWriter, r *http.Request) *schedule {
	s.mu.Lock()
	_, sc := s.workflowAndSchedule(w, r)
	if sc == nil {
		s.mu.Unlock()
	}
	return sc
}

// workflowAndSchedule resolves both path IDs or answers 404. Call with
// s.mu held.
func (s *Server) workflowAndSchedule(w http.ResponseWriter, r *http.Request) (*workflow, *schedule) {
	wf := s.lookupWorkflow(w, r.PathValue("workflow_permanent_id"))
	if wf == nil {
		return nil, nil
	}
	sc := s.lookupSchedule(w, wf, r.PathValue("workflow_schedule_id"))
	if sc == nil {
		return nil, nil
	}
	return wf, sc
}

func (s *Server) createSchedule(w http.ResponseWriter, r *http.Request) {
	in, errs := readScheduleRequest(w, r)
	if len(errs) == 0 {
		errs = checkSchedule(in, s.now())
	}
	if !s.lockIfValid(w, errs) {
		return
	}
	defer s.mu.Unlock()
	wf := s.lookupWorkflow(w, r.PathValue("workflow_permanent_id"))
	if wf == nil {
		return
	}
	params, ok := checkScheduleParameters(w, wf, in.Parameters)
	if !ok {
		return
	}
	now := s.now()
	id := newID("wfs_")
	sc := &schedule{created: now, resp: client.WorkflowSchedule{
		WorkflowScheduleID: id, OrganizationID: OrganizationID, WorkflowPermanentID: wf.wpid,
		CronExpression: in.CronExpression, Timezone: in.Timezone, Enabled: in.Enabled == nil || *in.Enabled,
		Parameters: params, TemporalScheduleID: "sandbox-" + id, Name: in.Name, Description: in.Description,
		CreatedAt: ts(now), ModifiedAt: ts(now),
	}}
	s.schedules[id] = sc
	writeJSON(w, http.StatusOK, s.scheduleView(sc, now))
}

func (s *Server) listSchedules(w http.ResponseWriter, r *http.Request) {
	wf := s.lockWorkflow(w, r, "workflow_permanent_id")
	if wf == nil {
		return
	}
	defer s.mu.Unlock()
	var live []*schedule
	for _, sc := range s.schedules {
		if !sc.deleted && sc.resp.WorkflowPermanentID == wf.wpid {
			live = append(live, sc)
		}
	}
	newestFirst(live, func(sc *schedule) (time.Time, string) { return sc.created, sc.resp.WorkflowScheduleID })
	out := make([]client.WorkflowSchedule, 0, len(live))
	for _, sc := range live {
		out = append(out, s.scheduleView(sc, s.now()).Schedule)
	}
	writeJSON(w, http.StatusOK, client.WorkflowScheduleListResponse{Schedules: out})
}

func (s *Server) getSchedule(w http.ResponseWriter, r *http.Request) {
	sc := s.lockSchedule(w, r)
	if sc == nil {
		return
	}
	defer s.mu.Unlock()
	writeJSON(w, http.StatusOK, s.scheduleView(sc, s.now()))
}

func (s *Server) updateSchedule(w http.ResponseWriter, r *http.Request) {
	in, errs := readScheduleRequest(w, r)
	if !s.lockIfValid(w, errs) {
		return
	}
	defer s.mu.Unlock()
	// Skyvern looks the workflow and the schedule up before it checks the
	// cron expression and the time zone.
	wf, sc := s.workflowAndSchedule(w, r)
	if sc == nil {
		return
	}
	if errs := checkSchedule(in, s.now()); len(errs) > 0 {
		writeValidation(w, errs)
		return
	}
	params, ok := checkScheduleParameters(w, wf, in.Parameters)
	if !ok {
		return
	}
	now := s.now()
	sc.resp.CronExpression, sc.resp.Timezone = in.CronExpression, in.Timezone
	sc.resp.Enabled = in.Enabled == nil || *in.Enabled
	sc.resp.Parameters, sc.resp.Name, sc.resp.Description = params, in.Name, in.Description
	sc.resp.ModifiedAt = ts(now)
	writeJSON(w, http.StatusOK, s.scheduleView(sc, now))
}

func (s *Server) deleteSchedule(w http.ResponseWriter, r *http.Request) {
	sc := s.lockSchedule(w, r)
	if sc == nil {
		return
	}
	defer s.mu.Unlock()
	now := s.now()
	sc.deleted = true
	sc.resp.DeletedAt, sc.resp.ModifiedAt = ts(now), ts(now)
	writeJSON(w, http.StatusOK, client.DeleteScheduleResponse{OK: true})
}

func (s *Server) enableSchedule(w http.ResponseWriter, r *http.Request) {
	s.setScheduleEnabled(w, r, true)
}
func (s *Server) disableSchedule(w http.ResponseWriter, r *http.Request) {
	s.setScheduleEnabled(w, r, false)
}

func (s *Server) setScheduleEnabled(w http.ResponseWriter, r *http.Request, enabled bool) {
	sc := s.lockSchedule(w, r)
	if sc == nil {
		return
	}
	defer s.mu.Unlock()
	now := s.now()
	if sc.resp.Enabled != enabled {
		sc.resp.Enabled = enabled
		sc.resp.ModifiedAt = ts(now)
	}
	writeJSON(w, http.StatusOK, s.scheduleView(sc, now))
}

var scheduleStatuses = client.ScheduleStatus("").EnumValues()

func (s *Server) listAllSchedules(w http.ResponseWriter, r *http.Request) {
	q := newQuery(r)
	page, size := q.int("page", 1, 1), q.int("page_size", 10, 1)
	if size > maxSchedulePageSize {
		q.errs = append(q.errs, verr{Type: "less_than_equal", Loc: loc("query", "page_size"), Msg: fmt.Sprintf("Input should be less than or equal to %d", maxSchedulePageSize),
			Input: q.str("page_size"), Ctx: map[string]any{"le": maxSchedulePageSize}})
	}
	status := q.enum("status", scheduleStatuses)
	search := strings.ToLower(q.str("search"))
	if !s.lockIfValid(w, q.errs) {
		return
	}
	defer s.mu.Unlock()
	now := s.now()
	var all []*schedule
	for _, sc := range s.schedules {
		wf, ok := s.workflows[sc.resp.WorkflowPermanentID]
		switch {
		case sc.deleted, !ok, wf.deleted: // a deleted workflow's schedules are deleted with it
		case status == "active" && !sc.resp.Enabled, status == "paused" && sc.resp.Enabled:
		case search != "" && !strings.Contains(strings.ToLower(wf.latest().Title), search) &&
			!strings.Contains(strings.ToLower(sc.resp.Name), search):
		default:
			all = append(all, sc)
		}
	}
	newestFirst(all, func(sc *schedule) (time.Time, string) { return sc.created, sc.resp.WorkflowScheduleID })
	items := make([]client.OrganizationScheduleItem, 0, len(all))
	for _, sc := range paginate(all, page, size) {
		v := s.scheduleView(sc, now).Schedule
		title := s.workflows[v.WorkflowPermanentID].latest().Title
		if title == "" {
			title = "Untitled Workflow"
		}
		item := client.OrganizationScheduleItem{
			WorkflowScheduleID: v.WorkflowScheduleID, OrganizationID: v.OrganizationID,
			WorkflowPermanentID: v.WorkflowPermanentID, WorkflowTitle: title, CronExpression: v.CronExpression,
			Timezone: v.Timezone, Enabled: v.Enabled, Parameters: v.Parameters, Name: v.Name,
			Description: v.Description, CreatedAt: v.CreatedAt, ModifiedAt: v.ModifiedAt,
		}
		if v.Enabled {
			if next := nextRuns(v.CronExpression, v.Timezone, now, 1); len(next) == 1 {
				item.NextRun = next[0]
			}
		}
		items = append(items, item)
	}
	writeJSON(w, http.StatusOK, client.OrganizationScheduleListResponse{Schedules: items, TotalCount: len(all), Page: page, PageSize: size})
}
