package sandbox

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"net/http"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/skyvern-mcp/skyvern-mcp/client"
)

// Trigger markers recognised in a run's text (see the package doc).
const (
	TriggerFail      = "[sandbox:fail]"
	TriggerTerminate = "[sandbox:terminate]"
	TriggerTimeout   = "[sandbox:timeout]"
	TriggerSlow      = "[sandbox:slow]"
	TriggerPause     = "[sandbox:pause]"
)

type triggers struct{ fail, terminate, timeout, slow, pause bool }

func scanTriggers(texts ...string) triggers {
	all := strings.ToLower(strings.Join(texts, "\n"))
	return triggers{
		fail:      strings.Contains(all, TriggerFail),
		terminate: strings.Contains(all, TriggerTerminate),
		timeout:   strings.Contains(all, TriggerTimeout),
		slow:      strings.Contains(all, TriggerSlow),
		pause:     strings.Contains(all, TriggerPause),
	}
}

// run is a task run or a workflow run. Its status is computed from its
// timestamps whenever it is read; nothing runs in the background.
type run struct {
	id       string
	runType  client.RunType
	created  time.Time
	total    time.Duration
	final    client.RunStatus // the status it ends in unless canceled
	failure  string
	errors   []map[string]any
	pause    bool
	canceled time.Time
	steps    int

	request    client.RunRequest
	schema     any // task: data_extraction_schema as sent
	summary    string
	blocks     []runBlock
	webhookURL string
	sessionID  string
	profileID  string
	maxScrolls *int
	runWith    string
	aiFallback *bool
	output     client.RawJSON // cached once computed

	art        runArtifacts
	stepID     string
	innerRunID string // the workflow run behind a task_v2 run
	thoughtIDs [2]string
	fileName   string

	// Run listings (GET /v1/runs, the workflow run listings).
	taskRunID   string   // tr_..., the run-history row of GET /v1/runs
	trig        triggers // the markers the run was started with (a retry reuses them)
	wfVersionID string   // w_..., the workflow version a workflow run ran
	wfTitle     string   // the title of that workflow
}

type runBlock struct {
	id, label, blockType string
	def                  map[string]any
}

type runArtifacts struct{ screenshot, html, llm, recording, download string }

// artifactKind says how an artifact's bytes are produced.
type artifactKind int

const (
	artScreenshot artifactKind = iota
	artHTML
	artLLM
	artRecording
	artDownload
	artSessionRecording
	artUpload
)

var artifactTypes = map[artifactKind]client.ArtifactType{
	artScreenshot:       client.ArtifactScreenshotFinal,
	artHTML:             client.ArtifactHTMLScrape,
	artLLM:              client.ArtifactLLMResponse,
	artRecording:        client.ArtifactRecording,
	artDownload:         client.ArtifactDownload,
	artSessionRecording: client.ArtifactRecording,
	artUpload:           client.ArtifactDownload,
}

type artifactRef struct {
	id        string
	kind      artifactKind
	runID     string
	sessionID string
	created   time.Time
	upload    *uploadedFile
}

type uploadedFile struct {
	name, contentType string
	data              []byte
}

// snap is a run as seen at one instant.
type snap struct {
	status                                      client.RunStatus
	queuedAt, startedAt, finishedAt, modifiedAt time.Time
	steps                                       int
	progress                                    float64 // share of the active running time done
	started, final                              bool
}

func (r *run) phases() (queued, started, pause, resume, end time.Time) {
	at := func(f float64) time.Time { return r.created.Add(time.Duration(float64(r.total) * f)) }
	return at(0.1), at(0.2), at(1.0 / 3), at(2.0 / 3), r.created.Add(r.total)
}

// at computes the run's state at now: created → queued → running (paused in
// the middle third with [sandbox:pause]) → final, or canceled.
func (r *run) at(now time.Time) snap {
	tq, ts0, tp, tr, te := r.phases()
	canceled := !r.canceled.IsZero() && !now.Before(r.canceled)
	if !now.Before(te) && (!canceled || !r.canceled.Before(te)) {
		sn := snap{status: r.final, queuedAt: tq, startedAt: ts0, finishedAt: te, modifiedAt: te,
			steps: r.steps, progress: 1, started: true, final: true}
		if canceled { // a skyvern-2.0 task canceled after it ended (see cancelOutcome)
			sn.status, sn.modifiedAt = client.RunStatusCanceled, r.canceled
		}
		return sn
	}
	cut := now
	if canceled {
		cut = r.canceled
	}
	s := snap{status: client.RunStatusCreated, modifiedAt: r.created}
	if !cut.Before(tq) {
		s.status, s.queuedAt, s.modifiedAt = client.RunStatusQueued, tq, tq
	}
	if !cut.Before(ts0) {
		s.status, s.startedAt, s.modifiedAt, s.started = client.RunStatusRunning, ts0, ts0, true
		active, runLen := cut.Sub(ts0), te.Sub(ts0)
		if r.pause {
			runLen -= tr.Sub(tp)
			switch {
			case !cut.Before(tr):
				s.modifiedAt = tr
				active -= tr.Sub(tp)
			case !cut.Before(tp):
				s.status, s.modifiedAt = client.RunStatusPaused, tp
				active = tp.Sub(ts0)
			}
		}
		if runLen > 0 {
			s.progress = min(max(float64(active)/float64(runLen), 0), 0.999999)
		}
		s.steps = 1 + int(s.progress*float64(r.steps-1))
	}
	if canceled {
		s.status, s.final, s.finishedAt, s.modifiedAt = client.RunStatusCanceled, true, r.canceled, r.canceled
	}
	return s
}

// artifactExists: screenshots and HTML once the run is running, all four
// (plus the download) once it is final.
func (sn snap) artifactExists(k artifactKind) bool {
	if sn.final {
		return true
	}
	return sn.started && (k == artScreenshot || k == artHTML)
}

// newRun registers a run with its artifacts. Call with s.mu held.
func (s *Server) newRun(prefix string, rt client.RunType, trig triggers, now time.Time) *run {
	r := &run{id: newID(prefix), runType: rt, created: now, total: s.opts.RunDuration, final: client.RunStatusCompleted, steps: 5,
		taskRunID: newID("tr_"), trig: trig}
	if trig.slow {
		r.total *= 10
	}
	r.pause = trig.pause
	switch {
	case trig.fail:
		r.final = client.RunStatusFailed
		r.failure = "Sandbox: the run failed as requested by " + TriggerFail + "."
	case trig.terminate:
		r.final = client.RunStatusTerminated
		r.failure = "Sandbox: the agent terminated the run (" + TriggerTerminate + "): the goal cannot be achieved on this site."
	case trig.timeout:
		r.final = client.RunStatusTimedOut
		r.failure = "Sandbox: the run exceeded its time limit (" + TriggerTimeout + ")."
	}
	r.stepID = newID("stp_")
	r.art = runArtifacts{screenshot: newID("a_"), html: newID("a_"), llm: newID("a_"), recording: newID("a_")}
	for k, id := range map[artifactKind]string{artScreenshot: r.art.screenshot, artHTML: r.art.html, artLLM: r.art.llm, artRecording: r.art.recording} {
		s.artifacts[id] = &artifactRef{id: id, kind: k, runID: r.id}
	}
	s.runs[r.id] = r
	return r
}

func (s *Server) addDownload(r *run) {
	r.art.download = newID("a_")
	s.artifacts[r.art.download] = &artifactRef{id: r.art.download, kind: artDownload, runID: r.id}
}

func (s *Server) signedURL(base, artifactID string) string {
	return base + "/v1/artifacts/" + artifactID + "/content?token=" + s.token(artifactID)
}

// runView renders a run as the API returns it. Call with s.mu held.
func (s *Server) runView(r *run, sn snap, base string) client.Run {
	out := client.Run{
		RunID:            r.id,
		Status:           sn.status,
		CreatedAt:        ts(r.created),
		ModifiedAt:       ts(sn.modifiedAt),
		QueuedAt:         ts(sn.queuedAt),
		StartedAt:        ts(sn.startedAt),
		FinishedAt:       ts(sn.finishedAt),
		AppURL:           base + "/app/runs/" + r.id,
		BrowserSessionID: r.sessionID,
		BrowserProfileID: r.profileID,
		RunType:          r.runType,
		RunRequest:       &r.request,
	}
	if r.maxScrolls != nil {
		v := *r.maxScrolls
		out.MaxScreenshotScrolls = &v
	}
	steps := sn.steps
	out.StepCount = &steps
	if sn.artifactExists(artScreenshot) {
		out.ScreenshotURLs = []string{s.signedURL(base, r.art.screenshot)}
	}
	if sn.artifactExists(artRecording) {
		out.RecordingURL = s.signedURL(base, r.art.recording)
	}
	switch sn.status {
	case client.RunStatusCompleted:
		out.Output = s.runOutput(r)
		if r.art.download != "" {
			out.DownloadedFiles = []client.FileInfo{s.downloadInfo(r, sn, base)}
		}
	case client.RunStatusFailed, client.RunStatusTerminated, client.RunStatusTimedOut:
		out.FailureReason = r.failure
		out.Errors = r.errors
	}
	if r.runType.IsWorkflow() {
		out.RunWith = r.runWith
		if out.RunWith == "" {
			out.RunWith = "agent"
		}
		out.AIFallback = r.aiFallback
	}
	return out
}

func (s *Server) downloadInfo(r *run, sn snap, base string) client.FileInfo {
	data := samplePDF()
	size := int64(len(data))
	name := "sandbox-download.pdf"
	if r.fileName != "" {
		name = r.fileName
	}
	return client.FileInfo{URL: s.signedURL(base, r.art.download), Checksum: sha256Hex(data), Filename: name,
		FileSize: &size, ModifiedAt: ts(sn.finishedAt), ArtifactID: r.art.download}
}

// runOutput is the output of a completed run, computed once.
func (s *Server) runOutput(r *run) client.RawJSON {
	if r.output != nil {
		return r.output
	}
	var v any
	if r.runType.IsWorkflow() {
		m := map[string]any{}
		for _, b := range r.blocks {
			m[b.label] = blockOutput(b, r.summary)
		}
		v = m
	} else {
		v = extractionOutput(r.schema, r.summary)
	}
	r.output = client.RawJSON(encodeJSON(v))
	return r.output
}

func blockOutput(b runBlock, summary string) any {
	for _, k := range []string{"data_schema", "json_schema"} {
		if sch, ok := b.def[k]; ok && sch != nil {
			return extractionOutput(sch, summary)
		}
	}
	if b.blockType == "file_download" {
		return map[string]any{"summary": "Sandbox: downloaded 1 file.", "downloaded_file_count": 1}
	}
	return map[string]any{"summary": fmt.Sprintf("Sandbox: block %s (%s) completed.", b.label, b.blockType)}
}

// ---- handlers ----

var engines = client.RunEngine("").EnumValues()

var taskRunFields = []field{
	req("prompt", kString),
	opt("url", kString), opt("title", kString), opt("webhook_url", kString), opt("totp_identifier", kString),
	opt("totp_url", kString), opt("browser_session_id", kString), opt("browser_address", kString), opt("run_with", kString),
	enumField("engine", engines).nn(),
	opt("proxy_location", kProxy),
	opt("data_extraction_schema", kSchemaLike),
	opt("error_code_mapping", kStringMap), opt("extra_http_headers", kStringMap), opt("cdp_connect_headers", kStringMap),
	opt("max_steps", kInt), opt("max_screenshot_scrolls", kInt),
	opt("model", kObject),
	opt("publish_workflow", kBool).nn(),
	opt("include_action_history_in_verification", kBool),
	opt("browser_profile_id", kString), opt("start_fresh_browser", kBool).nn(),
}

func (s *Server) runTask(w http.ResponseWriter, r *http.Request) {
	obj, ok := readValidBody(w, r, taskRunFields)
	if !ok {
		return
	}
	var in client.TaskRunRequest
	if err := remarshal(obj, &in); err != nil {
		writeValidation(w, []verr{valueError(loc("body"), obj, err.Error())})
		return
	}
	if in.Engine == "" {
		in.Engine = client.EngineSkyvern1
	}
	// agent_protocol.py run_task: only skyvern-2.0 honours the browser-memory fields.
	if in.Engine != client.EngineSkyvern2 && (in.BrowserProfileID != "" || in.StartFreshBrowser) {
		name := "browser_profile_id"
		if in.BrowserProfileID == "" {
			name = "start_fresh_browser"
		}
		writeDetail(w, http.StatusBadRequest, name+" is not supported for the skyvern_v1 or CUA task engines; use engine=skyvern_v2.")
		return
	}
	prefix, rt := "tsk_", client.RunTypeTaskV1
	switch in.Engine {
	case client.EngineSkyvern2:
		prefix, rt = "tsk_v2_", client.RunTypeTaskV2
	case client.EngineSkyvern3:
		rt = client.RunTypeTaskV3
	case client.EngineOpenAICUA:
		rt = client.RunTypeOpenAICUA
	case client.EngineAnthropicCUA:
		rt = client.RunTypeAnthropicCUA
	case client.EngineUITars:
		rt = client.RunTypeUITars
	case client.EngineYutoriNavigator:
		rt = client.RunTypeYutoriNavigator
	}
	proxy := in.ProxyLocation
	if proxy == nil {
		proxy = client.Proxy("RESIDENTIAL")
	}
	publish := in.PublishWorkflow
	include := in.IncludeActionHistoryInVerification
	if include == nil {
		f := false
		include = &f
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	run := s.newRun(prefix, rt, scanTriggers(in.Prompt, in.Title), now)
	run.schema = obj["data_extraction_schema"]
	run.summary = "Sandbox run completed: " + truncateText(in.Prompt, 200)
	run.webhookURL = in.WebhookURL
	run.sessionID = in.BrowserSessionID
	run.maxScrolls = in.MaxScreenshotScrolls
	run.profileID = in.BrowserProfileID
	if in.MaxSteps != nil && *in.MaxSteps > 0 && *in.MaxSteps < run.steps {
		run.steps = *in.MaxSteps
	}
	if run.final == client.RunStatusFailed && len(in.ErrorCodeMapping) > 0 {
		code := sortedKeys(in.ErrorCodeMapping)[0]
		run.errors = []map[string]any{{"error_code": code, "reasoning": "Sandbox: " + in.ErrorCodeMapping[code], "confidence_float": 0.9}}
	}
	if rt == client.RunTypeTaskV2 {
		run.innerRunID = newID("wr_")
		run.thoughtIDs = [2]string{newID("ot_"), newID("ot_")}
		run.blocks = []runBlock{
			{id: newID("wrb_"), label: "navigate", blockType: "navigation", def: map[string]any{"navigation_goal": in.Prompt, "url": in.URL}},
			{id: newID("wrb_"), label: "extract", blockType: "extraction", def: map[string]any{"data_extraction_goal": in.Prompt}},
		}
	}
	run.request = client.RunRequest{
		Prompt: in.Prompt, URL: in.URL, Engine: in.Engine, Title: in.Title, ProxyLocation: proxy,
		DataExtractionSchema: in.DataExtractionSchema, ErrorCodeMapping: in.ErrorCodeMapping, MaxSteps: in.MaxSteps,
		WebhookURL: in.WebhookURL, TOTPIdentifier: in.TOTPIdentifier, TOTPURL: in.TOTPURL,
		BrowserSessionID: in.BrowserSessionID, Model: in.Model, ExtraHTTPHeaders: in.ExtraHTTPHeaders,
		CDPConnectHeaders: in.CDPConnectHeaders, PublishWorkflow: &publish,
		IncludeActionHistoryInVerification: include, MaxScreenshotScrolls: in.MaxScreenshotScrolls,
		BrowserAddress: in.BrowserAddress, RunWith: in.RunWith, BrowserProfileID: in.BrowserProfileID,
		StartFreshBrowser: &in.StartFreshBrowser,
	}
	writeJSON(w, http.StatusOK, s.runView(run, run.at(now), s.baseURL(r)))
}

// lookupRun finds a run or answers 404 with the detail Skyvern's route
// gives (format takes the run ID). Call with s.mu held.
func (s *Server) lookupRun(w http.ResponseWriter, id, format string) *run {
	if run, ok := s.runs[id]; ok {
		return run
	}
	writeDetail(w, http.StatusNotFound, fmt.Sprintf(format, id))
	return nil
}

func (s *Server) getRun(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	run := s.lookupRun(w, r.PathValue("run_id"), "Task run not found %s")
	if run == nil {
		return
	}
	writeJSON(w, http.StatusOK, s.runView(run, run.at(s.now()), s.baseURL(r)))
}

// cancelOutcome cancels run at now as Skyvern's run_service.cancel_run does
// and returns the error it answers, if any. A run still going is canceled.
// A finished run depends on its type:
//   - task_v1 and the other engines behind a tsk_ ID (the task's status
//     transition is refused): 400 for completed, failed, terminated and
//     canceled, and a 500 {"error": ...} for timed_out (TaskAlreadyTimeout is
//     not an HTTP exception on the server);
//   - task_v2: its status is overwritten to canceled (update_task_v2 has no
//     final-state check), 200;
//   - workflow_run: nothing changes (mark_workflow_run_as_canceled leaves a
//     final run alone), 200.
//
// Call with s.mu held.
func cancelOutcome(run *run, now time.Time) (status int, body any) {
	sn := run.at(now)
	switch {
	case !sn.final, run.runType == client.RunTypeTaskV2:
		if sn.status != client.RunStatusCanceled {
			run.canceled = now
		}
	case run.runType.IsWorkflow():
	case sn.status == client.RunStatusCanceled:
		return http.StatusBadRequest, map[string]string{"detail": fmt.Sprintf(
			"Invalid task status transition to canceled for %s because task is already canceled", run.id)}
	case sn.status == client.RunStatusTimedOut:
		return http.StatusInternalServerError, map[string]string{"error": "Unexpected error: TaskAlreadyTimeout"}
	default:
		return http.StatusBadRequest, map[string]string{"detail": fmt.Sprintf(
			"Invalid task status transition from %s to canceled for %s", sn.status, run.id)}
	}
	return 0, nil
}

func (s *Server) cancelRun(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	id := r.PathValue("run_id")
	run, ok := s.runs[id]
	if !ok {
		writeDetail(w, http.StatusNotFound, "Run not found "+id)
		return
	}
	if status, body := cancelOutcome(run, s.now()); status != 0 {
		writeJSON(w, status, body)
		return
	}
	writeNull(w)
}

func (s *Server) getRunTimeline(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	run := s.lookupRun(w, r.PathValue("run_id"), "Run not found %s")
	if run == nil {
		return
	}
	if !run.runType.IsWorkflow() && run.runType != client.RunTypeTaskV2 {
		writeDetail(w, http.StatusBadRequest, fmt.Sprintf("Timeline not available for run type %s", run.runType))
		return
	}
	writeJSON(w, http.StatusOK, s.timeline(run, run.at(s.now())))
}

// timeline lists a block entry per block that has started (and, for
// task_v2 runs, the planner's thoughts), oldest first.
func (s *Server) timeline(run *run, sn snap) []client.TimelineEntry {
	out := []client.TimelineEntry{}
	if !sn.started {
		return out
	}
	_, ts0, _, _, te := run.phases()
	wrID := run.id
	if run.innerRunID != "" {
		wrID = run.innerRunID
	}
	thought := func(id string, at time.Time, typ, scenario, text string) client.TimelineEntry {
		return client.TimelineEntry{Type: "thought", Children: []client.TimelineEntry{}, CreatedAt: ts(at), ModifiedAt: ts(at),
			Thought: map[string]any{"thought_id": id, "task_id": run.id, "organization_id": OrganizationID,
				"workflow_run_id": wrID, "thought": text, "thought_type": typ, "thought_scenario": scenario,
				"created_at": ts(at), "modified_at": ts(at)}}
	}
	if run.runType == client.RunTypeTaskV2 {
		out = append(out, thought(run.thoughtIDs[0], ts0, "plan", "generate_plan", "Sandbox plan: open the page, then do what the prompt asks."))
	}
	n := len(run.blocks)
	span := te.Sub(ts0)
	naturalFinal := sn.final && sn.status != client.RunStatusCanceled
	at := func(frac float64) time.Time { return ts0.Add(time.Duration(float64(span) * frac)) }
	for i, b := range run.blocks {
		startFrac, endFrac := float64(i)/float64(n), float64(i+1)/float64(n)
		if !naturalFinal && sn.progress < startFrac {
			break
		}
		created := at(startFrac)
		current := i == n-1
		if !naturalFinal {
			current = sn.progress < endFrac
		}
		var status string
		var modified time.Time
		switch {
		case !current:
			status, modified = "completed", at(endFrac)
		case sn.final:
			status, modified = string(sn.status), sn.finishedAt
		default:
			status, modified = "running", created
		}
		blk := map[string]any{
			"workflow_run_block_id": b.id, "workflow_run_id": wrID, "organization_id": OrganizationID,
			"block_type": b.blockType, "label": b.label, "status": status,
			"continue_on_failure": false, "created_at": ts(created), "modified_at": ts(modified),
		}
		for _, k := range []string{"url", "navigation_goal", "data_extraction_goal", "prompt"} {
			if v, ok := b.def[k].(string); ok && v != "" {
				blk[k] = v
			}
		}
		if status == "completed" {
			blk["output"] = blockOutput(b, run.summary)
			blk["duration"] = modified.Sub(created).Seconds()
		}
		if status == string(client.RunStatusFailed) || status == string(client.RunStatusTerminated) || status == string(client.RunStatusTimedOut) {
			blk["failure_reason"] = run.failure
		}
		out = append(out, client.TimelineEntry{Type: "block", Block: blk, Children: []client.TimelineEntry{},
			CreatedAt: ts(created), ModifiedAt: ts(modified)})
	}
	if run.runType == client.RunTypeTaskV2 && sn.status == client.RunStatusCompleted {
		out = append(out, thought(run.thoughtIDs[1], sn.finishedAt, "user_goal_check", "user_goal_check", "Sandbox: the user goal is achieved."))
	}
	return out
}

func (s *Server) getRunArtifacts(w http.ResponseWriter, r *http.Request) {
	q := newQuery(r)
	types := q.enumList("artifact_type", client.ArtifactType("").EnumValues())
	if !s.lockIfValid(w, q.errs) {
		return
	}
	defer s.mu.Unlock()
	out := []client.Artifact{}
	run, ok := s.runs[r.PathValue("run_id")]
	if !ok { // the server queries artifacts by run ID: none for an unknown run
		writeJSON(w, http.StatusOK, out)
		return
	}
	sn := run.at(s.now())
	base := s.baseURL(r)
	for _, id := range []string{run.art.screenshot, run.art.html, run.art.llm, run.art.recording, run.art.download} {
		ref := s.artifacts[id]
		if ref == nil || !sn.artifactExists(ref.kind) {
			continue
		}
		if len(types) > 0 && !slices.Contains(types, string(artifactTypes[ref.kind])) {
			continue
		}
		out = append(out, s.artifactView(ref, run, sn, base))
	}
	writeJSON(w, http.StatusOK, out)
}

// artifactTime is when a run artifact appeared.
func artifactTime(k artifactKind, sn snap) time.Time {
	if (k == artScreenshot || k == artHTML) && !sn.startedAt.IsZero() {
		return sn.startedAt
	}
	return sn.finishedAt
}

func (s *Server) artifactView(ref *artifactRef, run *run, sn snap, base string) client.Artifact {
	c := s.content(ref, run)
	size := c.size
	at := ts(artifactTime(ref.kind, sn))
	a := client.Artifact{
		CreatedAt: at, ModifiedAt: at, ArtifactID: ref.id, ArtifactType: artifactTypes[ref.kind],
		URI:      fmt.Sprintf("s3://skyvern-sandbox/%s/%s/%s", OrganizationID, run.id, c.name),
		Checksum: c.sum, FileSize: &size, RunID: run.id, SignedURL: s.signedURL(base, ref.id),
		OrganizationID: OrganizationID,
	}
	if run.runType.IsWorkflow() {
		a.WorkflowRunID = run.id
	} else {
		a.TaskID = run.id
		a.StepID = run.stepID
	}
	return a
}

// content describes an artifact's bytes.
type content struct {
	name, ctype string
	size        int64
	sum         string
	open        func() io.ReadSeeker
}

// content returns an artifact's bytes. Call with s.mu held.
func (s *Server) content(ref *artifactRef, run *run) content {
	fixed := func(name, ctype string, b []byte) content {
		return content{name: name, ctype: ctype, size: int64(len(b)), sum: sha256Hex(b), open: func() io.ReadSeeker { return bytes.NewReader(b) }}
	}
	switch ref.kind {
	case artScreenshot:
		b, sum := screenshotPNG()
		c := fixed("screenshot_final.png", "image/png", b)
		c.sum = sum
		return c
	case artHTML:
		return fixed("scrape.html", "text/html; charset=utf-8", runHTML(run))
	case artLLM:
		return fixed("llm_response.json", "application/json", encodeJSON(map[string]any{
			"model": "sandbox-llm", "run_id": run.id,
			"response": map[string]any{"user_goal_achieved": run.final == client.RunStatusCompleted,
				"actions": []any{map[string]any{"action_type": "complete", "reasoning": "Sandbox: no model was called; this response is generated."}}},
			"usage": map[string]any{"input_tokens": 1234, "output_tokens": 56},
		}))
	case artDownload:
		name := "sandbox-download.pdf"
		if run != nil && run.fileName != "" {
			name = run.fileName
		}
		return fixed(name, "application/pdf", samplePDF())
	case artUpload:
		return fixed(ref.upload.name, ref.upload.contentType, ref.upload.data)
	}
	size := s.opts.RecordingSize
	return content{name: "recording.webm", ctype: "video/webm", size: size, sum: s.recordingChecksum(),
		open: func() io.ReadSeeker { return newRecording(size) }}
}

func runHTML(run *run) []byte {
	goal := run.request.Prompt
	if goal == "" {
		goal = run.request.Title
	}
	return []byte(fmt.Sprintf(`<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>Skyvern sandbox page</title></head>
<body><h1>Skyvern sandbox</h1>
<p>Run <code>%s</code> (%s)</p>
<p>Goal: %s</p>
<p>This page was produced by the Skyvern API sandbox; no browser ran.</p>
</body></html>
`, html.EscapeString(run.id), html.EscapeString(string(run.runType)), html.EscapeString(goal)))
}

func (s *Server) getArtifactContent(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("artifact_id")
	s.mu.Lock()
	ref := s.artifacts[id]
	var c content
	var modified time.Time
	ok := ref != nil
	if ok {
		switch {
		case ref.runID != "":
			run := s.runs[ref.runID]
			sn := run.at(s.now())
			ok = sn.artifactExists(ref.kind)
			modified = artifactTime(ref.kind, sn)
			if ok {
				c = s.content(ref, run)
			}
		case ref.sessionID != "":
			sess := s.sessions[ref.sessionID]
			end, closed := sess.completedAt(s.now())
			ok, modified = closed, end
			if ok {
				c = s.content(ref, nil)
			}
		default:
			modified = ref.created
			c = s.content(ref, nil)
		}
	}
	s.mu.Unlock()
	if !ok {
		writeDetail(w, http.StatusNotFound, fmt.Sprintf("Artifact %s not found", id))
		return
	}
	// agent_protocol.py _artifact_response_config and
	// _artifact_content_response_headers: a download is served as
	// application/octet-stream with an attachment disposition (browsers never
	// render user-supplied bytes inline); every other type inline, with no
	// file name.
	h := w.Header()
	h.Set("Content-Type", c.ctype)
	h.Set("Content-Disposition", "inline")
	if artifactTypes[ref.kind] == client.ArtifactDownload {
		h.Set("Content-Type", "application/octet-stream")
		h.Set("Content-Disposition", attachmentDisposition(c.name))
	}
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "private, no-cache")
	if r.URL.Query().Get("token") != "" {
		h.Set("Cache-Control", fmt.Sprintf("private, max-age=%d", signedURLMaxAge))
	}
	http.ServeContent(w, r, c.name, modified, c.open())
}

// signedURLMaxAge is the Cache-Control max-age of content fetched through a
// signed URL: Skyvern's default signed URL lifetime, 12 hours, in seconds.
const signedURLMaxAge = 12 * 60 * 60

// attachmentDisposition is Skyvern's Content-Disposition for a download:
// attachment with an ASCII filename and the full name percent-encoded in
// RFC 5987's filename* (UTF-8).
func attachmentDisposition(name string) string {
	clean := strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r <= 0x9f) || r == '"' || r == '\\' || unicode.In(r, unicode.Cf, unicode.Zl, unicode.Zp) {
			return -1
		}
		return r
	}, name)
	if clean == "" {
		clean = "download"
	}
	ascii := strings.Map(func(r rune) rune {
		if r > unicode.MaxASCII {
			return -1
		}
		return r
	}, clean)
	if ascii == "" || strings.HasPrefix(ascii, ".") && !strings.Contains(ascii[1:], ".") {
		ascii = "download" + ascii
	}
	var enc strings.Builder
	for _, b := range []byte(clean) { // Python's quote(name, safe="")
		if 'A' <= b && b <= 'Z' || 'a' <= b && b <= 'z' || '0' <= b && b <= '9' || strings.IndexByte("_.-~", b) >= 0 {
			enc.WriteByte(b)
		} else {
			fmt.Fprintf(&enc, "%%%02X", b)
		}
	}
	return fmt.Sprintf("attachment; filename=%q; filename*=UTF-8''%s", ascii, enc.String())
}

var retryWebhookFields = []field{opt("webhook_url", kString)}

func (s *Server) retryRunWebhook(w http.ResponseWriter, r *http.Request) {
	obj, present, errs := readBody(w, r, false)
	if len(errs) == 0 && present {
		errs = validateObject(obj, retryWebhookFields, loc("body"))
	}
	if len(errs) > 0 {
		writeValidation(w, errs)
		return
	}
	target, _ := obj["webhook_url"].(string)
	s.mu.Lock()
	defer s.mu.Unlock()
	run := s.lookupRun(w, r.PathValue("run_id"), "Run %s not found")
	if run == nil {
		return
	}
	if target == "" {
		target = run.webhookURL
	}
	if target == "" { // webhook_service.replay_run_webhook: MissingWebhookTarget
		writeDetail(w, http.StatusBadRequest, "No webhook URL configured for the run.")
		return
	}
	payload := encodeJSON(s.runView(run, run.at(s.now()), s.baseURL(r)))
	writeJSON(w, http.StatusOK, client.RunWebhookReplay{
		RunID:             run.id,
		RunType:           string(run.runType),
		DefaultWebhookURL: run.webhookURL,
		TargetWebhookURL:  target,
		Payload:           string(payload),
		Headers: map[string]string{
			"Content-Type":        "application/json",
			"x-skyvern-timestamp": fmt.Sprint(s.now().Unix()),
			"x-skyvern-signature": s.token("webhook:" + run.id),
		},
		Error: "the Skyvern sandbox does not deliver webhooks; nothing was sent",
	})
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
		// run_service.bulk_cancel_runs: whatever cancel_run raises is "failed".
		run, ok := s.runs[id]
		if !ok {
			out.Failed = append(out.Failed, id)
			continue
		}
		if status, _ := cancelOutcome(run, now); status != 0 {
			out.Failed = append(out.Failed, id)
			continue
		}
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
	if !s.lockIfValid(w, q.errs) {
		return
	}
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

// The run statuses and run types the run listings accept as filters. Every
// list is built from s.runs, so it always agrees with get_run.
var (
	runStatuses = client.RunStatus("").EnumValues()
	runTypes    = client.RunType("").EnumValues()
)

// getArtifact is the server's hidden GET /v1/artifacts/{artifact_id}
// (agent_protocol.py get_artifact, the SDK's get_artifact): the artifact's
// metadata with a freshly signed signed_url; 404 "Artifact not found {id}".
func (s *Server) getArtifact(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("artifact_id")
	s.mu.Lock()
	defer s.mu.Unlock()
	ref := s.artifacts[id]
	var a client.Artifact
	switch {
	case ref == nil:
	case ref.runID != "":
		run := s.runs[ref.runID]
		if sn := run.at(s.now()); sn.artifactExists(ref.kind) {
			a = s.artifactView(ref, run, sn, s.baseURL(r))
		}
	case ref.sessionID != "":
		if end, closed := s.sessions[ref.sessionID].completedAt(s.now()); closed {
			c := s.content(ref, nil)
			a = client.Artifact{CreatedAt: ts(end), ModifiedAt: ts(end), ArtifactID: id, ArtifactType: artifactTypes[ref.kind],
				URI: fmt.Sprintf("s3://skyvern-sandbox/%s/%s/%s", OrganizationID, ref.sessionID, c.name), Checksum: c.sum,
				FileSize: &c.size, BrowserSessionID: ref.sessionID, SignedURL: s.signedURL(s.baseURL(r), id), OrganizationID: OrganizationID}
		}
	default:
		c := s.content(ref, nil)
		a = client.Artifact{CreatedAt: ts(ref.created), ModifiedAt: ts(ref.created), ArtifactID: id, ArtifactType: artifactTypes[ref.kind],
			URI: fmt.Sprintf("s3://skyvern-uploads/%s/%s/%s", OrganizationID, id, c.name), Checksum: c.sum,
			FileSize: &c.size, SignedURL: s.signedURL(s.baseURL(r), id), OrganizationID: OrganizationID}
	}
	if a.ArtifactID == "" {
		writeDetail(w, http.StatusNotFound, "Artifact not found "+id)
		return
	}
	writeJSON(w, http.StatusOK, a)
}
