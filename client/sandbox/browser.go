package sandbox

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/skyvern-mcp/skyvern-mcp/client"
)

// browserSession is a persistent browser session. It is running from its
// creation until it is closed or its timeout (minutes) passes.
type browserSession struct {
	resp        client.BrowserSession // fields fixed at creation
	created     time.Time
	timeout     time.Duration
	closed      time.Time
	recordingID string
	// live is the real browser of the session (Options.Chromium), nil
	// when browser_address is simulated; owner is the digest of the key
	// that created it, the only key its CDP proxy accepts.
	live  *liveBrowser
	owner [32]byte
}

// completedAt reports when the session ended, if it has at now.
func (b *browserSession) completedAt(now time.Time) (time.Time, bool) {
	if !b.closed.IsZero() && !now.Before(b.closed) {
		return b.closed, true
	}
	if end := b.created.Add(b.timeout); !now.Before(end) {
		return end, true
	}
	return time.Time{}, false
}

func (s *Server) sessionView(b *browserSession, now time.Time, base string) client.BrowserSession {
	out := b.resp
	out.AppURL = base + "/app/browser_sessions/" + b.resp.BrowserSessionID
	out.Extensions = append([]client.BrowserExtension(nil), b.resp.Extensions...)
	if end, done := b.completedAt(now); done {
		out.Status = "completed"
		out.CompletedAt = ts(end)
		out.ModifiedAt = ts(end)
		out.BrowserAddress = ""
		size := s.opts.RecordingSize
		out.Recordings = []client.FileInfo{{URL: s.signedURL(base, b.recordingID), Checksum: s.recordingChecksum(),
			Filename: "recording.webm", FileSize: &size, ModifiedAt: ts(end), ArtifactID: b.recordingID}}
	}
	return out
}

var createSessionFields = []field{
	opt("url", kString), opt("timeout", kInt).min(5), opt("proxy_location", kProxy),
	opt("proxy_session_id", kString), {name: "extensions", kind: kEnumList, enum: client.BrowserExtension("").EnumValues()},
	enumField("browser_type", client.BrowserType("").EnumValues()), opt("browser_profile_id", kString).must("^bp_"),
	opt("generate_browser_profile", kBool).nn(),
}

func (s *Server) createBrowserSession(w http.ResponseWriter, r *http.Request) {
	obj, present, errs := readBody(w, r, false)
	if len(errs) == 0 && present {
		errs = validateObject(obj, createSessionFields, loc("body"))
	}
	if len(errs) > 0 {
		writeValidation(w, errs)
		return
	}
	var in client.CreateBrowserSessionRequest
	if present {
		if err := remarshal(obj, &in); err != nil {
			writeValidation(w, []verr{valueError(loc("body"), obj, err.Error())})
			return
		}
	}
	timeout, warning := 60, ""
	if in.Timeout != nil {
		timeout = *in.Timeout
	}
	if timeout > MaxSessionTimeout { // browser_sessions.py create_browser_session caps and warns
		warning = fmt.Sprintf("Requested timeout of %d minutes exceeds the maximum of %d minutes (%d hours); "+
			"this session was capped at %d minutes. Longer browser durations are available on our enterprise plan, "+
			"please contact sales@skyvern.com", timeout, MaxSessionTimeout, MaxSessionTimeout/60, MaxSessionTimeout)
		timeout = MaxSessionTimeout
	}
	id := newID("pbs_")
	address := "wss://browser.sandbox.invalid/" + id
	var live *liveBrowser
	if s.opts.Chromium != "" {
		// Started before taking the lock: a browser takes up to seconds.
		var err error
		if live, err = s.startBrowser(r.Context(), id, in.URL, time.Duration(timeout)*time.Minute); err != nil {
			writeDetail(w, http.StatusServiceUnavailable, "Sandbox: the session's browser did not start: "+err.Error())
			return
		}
		address = s.baseURL(r) + "/cdp/" + id
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if in.BrowserProfileID != "" && s.liveProfile(in.BrowserProfileID) == nil {
		live.close()
		writeDetail(w, http.StatusNotFound, fmt.Sprintf("Browser profile %s not found", in.BrowserProfileID))
		return
	}
	now := s.now()
	b := &browserSession{created: now, timeout: time.Duration(timeout) * time.Minute, recordingID: newID("a_"),
		live: live, owner: keyDigest(r)}
	b.resp = client.BrowserSession{
		BrowserSessionID: id, OrganizationID: OrganizationID, Status: "running", Timeout: &timeout,
		BrowserAddress: address, Extensions: in.Extensions, BrowserType: in.BrowserType,
		BrowserProfileID: in.BrowserProfileID, GenerateBrowserProfile: in.GenerateBrowserProfile,
		DownloadPath: "downloads/" + id, StartedAt: ts(now), CreatedAt: ts(now), ModifiedAt: ts(now),
	}
	if b.resp.BrowserType == "" {
		b.resp.BrowserType = "chrome"
	}
	s.sessions[id] = b
	s.artifacts[b.recordingID] = &artifactRef{id: b.recordingID, kind: artSessionRecording, sessionID: id}
	writeJSON(w, http.StatusOK, sessionWithWarning{s.sessionView(b, now, s.baseURL(r)), warning})
}

// MaxSessionTimeout is the longest browser session timeout, in minutes,
// Skyvern grants (MAX_TIMEOUT, 4 hours). A longer timeout is not refused:
// the session is capped at this and the create answer carries a warning.
const MaxSessionTimeout = 240

// sessionWithWarning is the create answer: the session and the server's
// warning (null unless the timeout was capped).
type sessionWithWarning struct {
	client.BrowserSession
	Warning string `json:"warning,omitempty"`
}

// lockSession locks s and returns the session named by the
// {browser_session_id} path parameter, s still locked (the caller
// unlocks); or answers 404 and returns nil, s unlocked.
func (s *Server) lockSession(w http.ResponseWriter, r *http.Request) *browserSession {
	s.mu.Lock()
	b := s.lookupSession(w, r.PathValue("browser_session_id"))
	if b == nil {
		s.mu.Unlock()
	}
	return b
}

func (s *Server) lookupSession(w http.ResponseWriter, id string) *browserSession {
	if b, ok := s.sessions[id]; ok {
		return b
	}
	writeDetail(w, http.StatusNotFound, fmt.Sprintf("Browser session %s not found", id))
	return nil
}

func (s *Server) getBrowserSessions(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now, base := s.now(), s.baseURL(r)
	var live []*browserSession
	for _, b := range s.sessions {
		if _, done := b.completedAt(now); !done {
			live = append(live, b)
		}
	}
	newestFirst(live, func(b *browserSession) (time.Time, string) { return b.created, b.resp.BrowserSessionID })
	out := make([]client.BrowserSession, 0, len(live))
	for _, b := range live {
		out = append(out, s.sessionView(b, now, base))
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) getBrowserSession(w http.ResponseWriter, r *http.Request) {
	b := s.lockSession(w, r)
	if b == nil {
		return
	}
	defer s.mu.Unlock()
	writeJSON(w, http.StatusOK, s.sessionView(b, s.now(), s.baseURL(r)))
}

func (s *Server) closeBrowserSession(w http.ResponseWriter, r *http.Request) {
	b := s.lockSession(w, r)
	if b == nil {
		return
	}
	defer s.mu.Unlock()
	now := s.now()
	if _, done := b.completedAt(now); !done {
		b.closed = now
	}
	if b.live != nil {
		b.live.close() // SIGKILL to the process group: milliseconds
	}
	writeJSON(w, http.StatusOK, map[string]string{"message": "Browser session closed"})
}

// ---- browser profiles ----

type browserProfile struct {
	resp    client.BrowserProfile
	created time.Time
	deleted bool
}

// lookupProfile returns the live profile named by the {profile_id} path
// parameter, or answers 404 and returns nil. Call with s.mu held.
func (s *Server) lookupProfile(w http.ResponseWriter, r *http.Request) *browserProfile {
	id := r.PathValue("profile_id")
	p := s.liveProfile(id)
	if p == nil {
		writeDetail(w, http.StatusNotFound, fmt.Sprintf("Browser profile %s not found", id))
	}
	return p
}

// liveProfile returns a profile that is not deleted. Call with s.mu held.
func (s *Server) liveProfile(id string) *browserProfile {
	if p, ok := s.profiles[id]; ok && !p.deleted {
		return p
	}
	return nil
}

var createProfileFields = []field{
	req("name", kString).minLength(1), opt("description", kString),
	opt("browser_session_id", kString).minLength(1), opt("workflow_run_id", kString).minLength(1),
	opt("proxy_location", kProxy), opt("proxy_session_id", kString),
}

func (s *Server) createBrowserProfile(w http.ResponseWriter, r *http.Request) {
	obj, ok := readValidBody(w, r, createProfileFields)
	if !ok {
		return
	}
	var in client.CreateBrowserProfileRequest
	if err := remarshal(obj, &in); err != nil {
		writeValidation(w, []verr{valueError(loc("body"), obj, err.Error())})
		return
	}
	if in.BrowserSessionID != "" && in.WorkflowRunID != "" { // the request model's validator
		writeValidation(w, []verr{valueError(loc("body"), obj, "Provide only one of browser_session_id or workflow_run_id")})
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	source := ""
	var status int
	var detail string
	switch {
	case in.BrowserSessionID != "":
		source, status, detail = s.profileFromSession(in.BrowserSessionID)
	case in.WorkflowRunID != "":
		source, status, detail = s.profileFromWorkflowRun(in.WorkflowRunID)
	}
	if status != 0 {
		writeDetail(w, status, detail)
		return
	}
	for _, p := range s.profiles {
		if !p.deleted && p.resp.Name == in.Name {
			writeDetail(w, http.StatusConflict, fmt.Sprintf(
				"A browser profile named '%s' already exists. Use a different name or delete the existing profile.", in.Name))
			return
		}
	}
	now := s.now()
	p := &browserProfile{created: now, resp: client.BrowserProfile{
		BrowserProfileID: newID("bp_"), OrganizationID: OrganizationID, Name: in.Name, Description: in.Description,
		SourceBrowserType: source, ProxyLocation: in.ProxyLocation, ProxySessionID: in.ProxySessionID,
		CreatedAt: ts(now), ModifiedAt: ts(now),
	}}
	s.profiles[p.resp.BrowserProfileID] = p
	writeJSON(w, http.StatusOK, p.resp)
}

// profileFromSession checks that a browser session has a profile archive to
// capture, as browser_profiles.py _create_profile_from_session does: the
// session must exist, have been started with generate_browser_profile (or
// reuse a saved profile), and, unless it reuses a profile, have ended (its
// archive is uploaded when it closes). It returns the source browser type, or
// the status and detail of the refusal. Call with s.mu held.
func (s *Server) profileFromSession(id string) (source string, status int, detail string) {
	b, ok := s.sessions[id]
	switch {
	case !ok:
		return "", http.StatusNotFound, fmt.Sprintf("Browser session %s does not exist or is not live.", id)
	case !b.resp.GenerateBrowserProfile && b.resp.BrowserProfileID == "":
		return "", http.StatusBadRequest, "This browser session was not configured to generate a browser profile. " +
			"Start a session with generate_browser_profile enabled to capture a profile."
	case !b.resp.GenerateBrowserProfile: // reuses a saved profile: its archive is that profile's
		if s.liveProfile(b.resp.BrowserProfileID) == nil {
			return "", http.StatusBadRequest, fmt.Sprintf("This browser session reused profile %s, whose archive is unavailable. "+
				"Create a profile from that session's source profile instead, or start a session with "+
				"generate_browser_profile enabled to capture a new profile.", b.resp.BrowserProfileID)
		}
	default:
		if _, ended := b.completedAt(s.now()); !ended {
			return "", http.StatusBadRequest, "Browser session does not have a persisted profile archive. " +
				"Close the session and wait for upload before creating a browser profile."
		}
	}
	return string(b.resp.BrowserType), 0, ""
}

// profileFromWorkflowRun checks that a workflow run left a persisted browser
// session, as browser_profiles.py _create_profile_from_workflow_run does:
// the run must exist, its workflow version must persist browser sessions,
// and the run must have ended (the session is persisted after it). Call with
// s.mu held.
func (s *Server) profileFromWorkflowRun(id string) (source string, status int, detail string) {
	run, ok := s.runs[id]
	if !ok || !run.runType.IsWorkflow() {
		return "", http.StatusNotFound, fmt.Sprintf("WorkflowRun %s not found", id)
	}
	var version *client.Workflow
	if wf, ok := s.workflows[run.request.WorkflowID]; ok && !wf.deleted {
		for _, v := range wf.versions {
			if v.WorkflowID == run.wfVersionID {
				version = v
			}
		}
	}
	switch {
	case version == nil:
		return "", http.StatusNotFound, "Workflow not found. workflow_id=" + run.wfVersionID
	case !version.PersistBrowserSession:
		return "", http.StatusBadRequest, "Workflow does not persist browser sessions"
	case !run.at(s.now()).final:
		return "", http.StatusBadRequest, "Workflow run does not have a persisted session"
	}
	return "", 0, "" // the server records no source browser type for these
}

func (s *Server) listBrowserProfiles(w http.ResponseWriter, r *http.Request) {
	q := newQuery(r)
	page, size := q.int("page", 1, 1), q.int("page_size", 10, 1)
	includeDeleted := q.bool("include_deleted")
	managed := q.optBool("managed")
	search := strings.ToLower(q.str("search_key"))
	if !s.lockIfValid(w, q.errs) {
		return
	}
	defer s.mu.Unlock()
	var all []*browserProfile
	for _, p := range s.profiles {
		switch {
		case p.deleted && !includeDeleted:
		case managed != nil && p.resp.IsManaged != *managed:
		case search != "" && !strings.Contains(strings.ToLower(p.resp.Name+"\n"+p.resp.Description), search):
		default:
			all = append(all, p)
		}
	}
	newestFirst(all, func(p *browserProfile) (time.Time, string) { return p.created, p.resp.BrowserProfileID })
	out := make([]client.BrowserProfile, 0, len(all))
	for _, p := range all {
		out = append(out, p.resp)
	}
	writeJSON(w, http.StatusOK, paginate(out, page, size))
}

func (s *Server) getBrowserProfile(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.lookupProfile(w, r)
	if p == nil {
		return
	}
	writeJSON(w, http.StatusOK, p.resp)
}

func (s *Server) deleteBrowserProfile(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.lookupProfile(w, r)
	if p == nil {
		return
	}
	now := s.now()
	p.deleted = true
	p.resp.DeletedAt, p.resp.ModifiedAt = ts(now), ts(now)
	writeNoContent(w)
}

var updateSessionFields = []field{req("generate_browser_profile", kBool)}

// updateBrowserSession toggles generate_browser_profile of a live session.
func (s *Server) updateBrowserSession(w http.ResponseWriter, r *http.Request) {
	obj, ok := readValidBody(w, r, updateSessionFields)
	if !ok {
		return
	}
	b := s.lockSession(w, r)
	if b == nil {
		return
	}
	defer s.mu.Unlock()
	now := s.now()
	if _, done := b.completedAt(now); done {
		writeDetail(w, http.StatusConflict, fmt.Sprintf("Browser session %s has already ended and can no longer be updated", b.resp.BrowserSessionID))
		return
	}
	b.resp.GenerateBrowserProfile = obj["generate_browser_profile"].(bool)
	b.resp.ModifiedAt = ts(now)
	writeJSON(w, http.StatusOK, s.sessionView(b, now, s.baseURL(r)))
}

var updateProfileFields = []field{
	opt("name", kString).minLength(1), opt("description", kString), opt("proxy_location", kProxy),
	opt("proxy_session_id", kString), opt("rotate_proxy_session_id", kBool).nn(),
}

// updateBrowserProfile changes the fields present in the body; null clears
// description, proxy_location and proxy_session_id.
func (s *Server) updateBrowserProfile(w http.ResponseWriter, r *http.Request) {
	obj, ok := readValidBody(w, r, updateProfileFields)
	if !ok {
		return
	}
	var proxy *client.ProxyLocation
	if v := obj["proxy_location"]; v != nil {
		proxy = &client.ProxyLocation{}
		if err := remarshal(v, proxy); err != nil {
			writeValidation(w, []verr{valueError(loc("body", "proxy_location"), v, err.Error())})
			return
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.lookupProfile(w, r)
	if p == nil {
		return
	}
	if name, ok := obj["name"].(string); ok && name != p.resp.Name {
		for _, o := range s.profiles {
			if !o.deleted && o.resp.Name == name {
				writeDetail(w, http.StatusConflict, fmt.Sprintf(
					"A browser profile named '%s' already exists. Use a different name or delete the existing profile.", name))
				return
			}
		}
		p.resp.Name = name
	}
	// The repository's update_browser_profile skips a None description:
	// null leaves it as it is.
	if v, ok := obj["description"].(string); ok {
		p.resp.Description = v
	}
	// proxy_pinning.apply_proxy_pin_update: a sticky session ID goes with
	// RESIDENTIAL_ISP only.
	sid, sidSet := obj["proxy_session_id"]
	session, _ := sid.(string)
	if _, ok := obj["proxy_location"]; ok {
		p.resp.ProxyLocation = proxy
		if proxy == nil || proxy.Preset != "RESIDENTIAL_ISP" {
			p.resp.ProxySessionID = ""
		} else if session != "" {
			p.resp.ProxySessionID = session
		}
	} else if sidSet {
		p.resp.ProxyLocation, p.resp.ProxySessionID = nil, ""
		if session != "" {
			p.resp.ProxyLocation, p.resp.ProxySessionID = client.Proxy("RESIDENTIAL_ISP"), session
		}
	}
	if rotate, _ := obj["rotate_proxy_session_id"].(bool); rotate {
		p.resp.ProxySessionID = newID("pxs_")
	}
	p.resp.ModifiedAt = ts(s.now())
	writeJSON(w, http.StatusOK, p.resp)
}

// recentSeedWindow is how far back get_browser_profile_usage counts runs
// (skyvern/forge/sdk/routes/browser_profiles.py get_browser_profile_usage:
// its repository counts seeded runs over the last 30 days).
const recentSeedWindow = 30 * 24 * time.Hour

func (s *Server) getBrowserProfileUsage(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	id := r.PathValue("profile_id")
	if s.liveProfile(id) == nil {
		writeDetail(w, http.StatusNotFound, fmt.Sprintf("Browser profile %s not found", id))
		return
	}
	out := client.BrowserProfileUsage{Workflows: []client.BrowserProfileUsageWorkflow{}, Credentials: []client.BrowserProfileUsageCredential{}}
	for _, wpid := range sortedKeys(s.workflows) {
		wf := s.workflows[wpid]
		if !wf.deleted && wf.latest().BrowserProfileID == id {
			out.Workflows = append(out.Workflows, client.BrowserProfileUsageWorkflow{WorkflowPermanentID: wpid, Title: wf.latest().Title, Via: "browser_profile_id"})
		}
	}
	for _, cid := range sortedKeys(s.credentials) {
		if c := s.credentials[cid]; c.resp.BrowserProfileID == id {
			out.Credentials = append(out.Credentials, client.BrowserProfileUsageCredential{CredentialID: cid, Name: c.resp.Name})
		}
	}
	since := s.now().Add(-recentSeedWindow)
	for _, run := range s.runs {
		if run.profileID == id && run.created.After(since) {
			out.RecentSeededRunCount++
		}
	}
	writeJSON(w, http.StatusOK, out)
}
