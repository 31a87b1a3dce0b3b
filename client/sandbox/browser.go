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
	opt("url", kString), opt("timeout", kInt).min(5).max(240), opt("proxy_location", kProxy),
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
	timeout := 60
	if in.Timeout != nil {
		timeout = *in.Timeout
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
	writeJSON(w, http.StatusOK, s.sessionView(b, now, s.baseURL(r)))
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
	s.mu.Lock()
	defer s.mu.Unlock()
	b := s.lookupSession(w, r.PathValue("browser_session_id"))
	if b == nil {
		return
	}
	writeJSON(w, http.StatusOK, s.sessionView(b, s.now(), s.baseURL(r)))
}

func (s *Server) closeBrowserSession(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b := s.lookupSession(w, r.PathValue("browser_session_id"))
	if b == nil {
		return
	}
	now := s.now()
	if _, done := b.completedAt(now); !done {
		b.closed = now
	}
	if b.live != nil {
		b.live.close() // SIGKILL to the process group: milliseconds
	}
	writeNull(w)
}

// ---- browser profiles ----

type browserProfile struct {
	resp    client.BrowserProfile
	created time.Time
	deleted bool
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
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, p := range s.profiles {
		if !p.deleted && p.resp.Name == in.Name {
			writeDetail(w, http.StatusConflict, fmt.Sprintf("Browser profile with name %q already exists", in.Name))
			return
		}
	}
	source := ""
	switch {
	case in.BrowserSessionID != "" && in.WorkflowRunID != "":
		writeDetail(w, http.StatusBadRequest, "Provide either browser_session_id or workflow_run_id, not both")
		return
	case in.BrowserSessionID != "":
		b, ok := s.sessions[in.BrowserSessionID]
		if !ok {
			writeDetail(w, http.StatusBadRequest, fmt.Sprintf("Browser session %s not found", in.BrowserSessionID))
			return
		}
		source = string(b.resp.BrowserType)
	case in.WorkflowRunID != "":
		if run, ok := s.runs[in.WorkflowRunID]; !ok || !run.runType.IsWorkflow() {
			writeDetail(w, http.StatusBadRequest, fmt.Sprintf("Workflow run %s not found", in.WorkflowRunID))
			return
		}
		source = "chrome"
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

func (s *Server) listBrowserProfiles(w http.ResponseWriter, r *http.Request) {
	q := newQuery(r)
	page, size := q.int("page", 1, 1), q.int("page_size", 10, 1)
	includeDeleted := q.bool("include_deleted")
	managed := q.optBool("managed")
	search := strings.ToLower(q.str("search_key"))
	if len(q.errs) > 0 {
		writeValidation(w, q.errs)
		return
	}
	s.mu.Lock()
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
	id := r.PathValue("profile_id")
	p := s.liveProfile(id)
	if p == nil {
		writeDetail(w, http.StatusNotFound, fmt.Sprintf("Browser profile %s not found", id))
		return
	}
	writeJSON(w, http.StatusOK, p.resp)
}

func (s *Server) deleteBrowserProfile(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	id := r.PathValue("profile_id")
	p := s.liveProfile(id)
	if p == nil {
		writeDetail(w, http.StatusNotFound, fmt.Sprintf("Browser profile %s not found", id))
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
	s.mu.Lock()
	defer s.mu.Unlock()
	b := s.lookupSession(w, r.PathValue("browser_session_id"))
	if b == nil {
		return
	}
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
	id := r.PathValue("profile_id")
	p := s.liveProfile(id)
	if p == nil {
		writeDetail(w, http.StatusNotFound, fmt.Sprintf("Browser profile %s not found", id))
		return
	}
	if name, ok := obj["name"].(string); ok && name != p.resp.Name {
		for _, o := range s.profiles {
			if !o.deleted && o.resp.Name == name {
				writeDetail(w, http.StatusConflict, fmt.Sprintf("Browser profile with name %q already exists", name))
				return
			}
		}
		p.resp.Name = name
	}
	if v, ok := obj["description"]; ok {
		p.resp.Description, _ = v.(string)
	}
	if _, ok := obj["proxy_location"]; ok {
		p.resp.ProxyLocation = proxy
	}
	if v, ok := obj["proxy_session_id"]; ok {
		p.resp.ProxySessionID, _ = v.(string)
	}
	if rotate, _ := obj["rotate_proxy_session_id"].(bool); rotate {
		p.resp.ProxySessionID = newID("pxs_")
	}
	p.resp.ModifiedAt = ts(s.now())
	writeJSON(w, http.StatusOK, p.resp)
}
