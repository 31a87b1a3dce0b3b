package sandbox

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Defaults applied by New.
const (
	// DefaultRunDuration is how long a run takes from created to its final
	// status when Options.RunDuration is zero.
	DefaultRunDuration = 3 * time.Second
	// DefaultRecordingSize is the size in bytes of a run's recording when
	// Options.RecordingSize is zero: 64 KiB.
	DefaultRecordingSize = 64 << 10
)

// OrganizationID is the organization every sandbox object belongs to.
const OrganizationID = "o_sandbox"

const (
	maxBodySize   = 16 << 20 // JSON request bodies
	maxUploadSize = 10 << 20 // upload_file: Skyvern's MAX_UPLOAD_FILE_SIZE (10 MB), 413 beyond
)

// Options configures a Server. The zero value is a usable sandbox that
// accepts any API key.
type Options struct {
	// APIKey, when set, is the only x-api-key accepted: any other key, or
	// none, gets 403 {"detail":"Invalid credentials"}. Empty accepts anything.
	APIKey string
	// RunDuration is how long a run takes from created to final (10× with
	// [sandbox:slow]). Zero means DefaultRunDuration (3 s); a negative value
	// makes every run final as soon as it is created.
	RunDuration time.Duration
	// RecordingSize is the size in bytes of every recording (video/webm
	// placeholder). Zero means DefaultRecordingSize (64 KiB). The bytes are
	// generated on the fly, so a large size costs no memory.
	RecordingSize int64
	// BaseURL is the sandbox's own root URL (scheme://host[/prefix], without
	// /v1) used in app_url, signed artifact URLs and recording URLs. Empty
	// derives it from each request's Host header and TLS state.
	BaseURL string
	// Now is the clock (default time.Now). Tests can pass a fake clock to
	// step runs through their statuses without sleeping.
	Now func() time.Time
	// Chromium, when set, gives every browser session a real headless
	// Chromium (a path, or ChromiumAuto to find one in PATH) served at
	// browser_address behind a CDP proxy that takes only the creator's
	// x-api-key, and run_sdk_action acts on its page (see doc.go). Empty
	// simulates browser_address (wss://browser.sandbox.invalid/...).
	Chromium string
}

// Server is an in-memory Skyvern API simulator. It is an http.Handler that
// serves the /v1 API (plus small HTML pages under /app/) and is safe for
// concurrent use. Create it with New.
type Server struct {
	opts   Options
	mux    *http.ServeMux
	secret []byte // signs artifact URLs

	mu          sync.Mutex
	calls       map[string]int
	faults      []*activeFault
	runs        map[string]*run
	artifacts   map[string]*artifactRef
	files       map[string]string // upload file_id -> artifact ID
	workflows   map[string]*workflow
	sessions    map[string]*browserSession
	profiles    map[string]*browserProfile
	credentials map[string]*credential
	folders     map[string]*folder
	customLLMs  map[string]*customLLM
	builtin     map[string]string // built-in workflow (login, download_files) -> wpid
	tags        tagStore          // applied tags, tag keys and tag values (tags.go)
	schedules   map[string]*schedule
	scripts     map[string]*script

	recordingOnce sync.Once
	recordingSum  string
}

// New returns a sandbox configured by opts.
func New(opts Options) *Server {
	if opts.RunDuration == 0 {
		opts.RunDuration = DefaultRunDuration
	}
	if opts.RunDuration < 0 {
		opts.RunDuration = 0
	}
	if opts.RecordingSize <= 0 {
		opts.RecordingSize = DefaultRecordingSize
	}
	if opts.RecordingSize < minRecordingSize {
		opts.RecordingSize = minRecordingSize
	}
	opts.BaseURL = strings.TrimRight(opts.BaseURL, "/")
	if opts.Now == nil {
		opts.Now = time.Now
	}
	s := &Server{
		opts:        opts,
		mux:         http.NewServeMux(),
		secret:      make([]byte, 32),
		calls:       map[string]int{},
		runs:        map[string]*run{},
		artifacts:   map[string]*artifactRef{},
		files:       map[string]string{},
		workflows:   map[string]*workflow{},
		sessions:    map[string]*browserSession{},
		profiles:    map[string]*browserProfile{},
		credentials: map[string]*credential{},
		folders:     map[string]*folder{},
		customLLMs:  map[string]*customLLM{},
		builtin:     map[string]string{},
		schedules:   map[string]*schedule{},
		scripts:     map[string]*script{},
	}
	if _, err := rand.Read(s.secret); err != nil {
		panic("sandbox: crypto/rand: " + err.Error())
	}
	s.routes()
	return s
}

// access says how a route is authenticated.
type access int

const (
	needKey     access = iota // x-api-key (when Options.APIKey is set)
	keyOrToken                // x-api-key or the signed URL's token
	publicRoute               // no key (HTML pages)
)

func (s *Server) routes() {
	// Runs.
	s.handle("POST /v1/run/tasks", needKey, s.runTask)
	s.handle("GET /v1/runs/{run_id}", needKey, s.getRun)
	s.handle("POST /v1/runs/{run_id}/cancel", needKey, s.cancelRun)
	s.handle("GET /v1/runs/{run_id}/timeline", needKey, s.getRunTimeline)
	s.handle("GET /v1/runs/{run_id}/artifacts", needKey, s.getRunArtifacts)
	s.handle("GET /v1/artifacts/{artifact_id}", needKey, s.getArtifact)
	s.handle("GET /v1/artifacts/{artifact_id}/content", keyOrToken, s.getArtifactContent)
	s.handle("POST /v1/runs/{run_id}/retry_webhook", needKey, s.retryRunWebhook)
	s.handle("POST /v1/runs/cancel", needKey, s.bulkCancelRuns)
	s.handle("GET /v1/runs", needKey, s.getRunsV2)
	// Workflows (agents).
	s.handle("POST /v1/run/agents", needKey, s.runWorkflow)
	s.handle("POST /v1/agents", needKey, s.createWorkflow)
	s.handle("GET /v1/agents", needKey, s.getWorkflows)
	s.handle("GET /v1/agents/{workflow_permanent_id}", needKey, s.getWorkflow)
	s.handle("GET /v1/agents/{workflow_permanent_id}/versions", needKey, s.getWorkflowVersions)
	s.handle("POST /v1/agents/{workflow_id}", needKey, s.updateWorkflow)
	s.handle("POST /v1/agents/{workflow_id}/delete", needKey, s.deleteWorkflow)
	s.handle("GET /v1/agents/runs", needKey, s.getWorkflowRuns)
	s.handle("GET /v1/agents/{workflow_id}/runs", needKey, s.getWorkflowRunsByID)
	s.handle("POST /v1/agents/runs/{workflow_run_id}/retry", needKey, s.retryWorkflowRun)
	s.handle("PUT /v1/agents/{workflow_permanent_id}/folder", needKey, s.updateWorkflowFolder)
	s.handle("POST /v1/agents/{workflow_permanent_id}/browser_session/reset_profile", needKey, s.resetWorkflowBrowserProfile)
	// Browser sessions and profiles.
	s.handle("POST /v1/browser_sessions", needKey, s.createBrowserSession)
	s.handle("GET /v1/browser_sessions", needKey, s.getBrowserSessions)
	s.handle("GET /v1/browser_sessions/{browser_session_id}", needKey, s.getBrowserSession)
	s.handle("POST /v1/browser_sessions/{browser_session_id}/close", needKey, s.closeBrowserSession)
	s.handle("PATCH /v1/browser_sessions/{browser_session_id}", needKey, s.updateBrowserSession)
	s.handle("POST /v1/browser_profiles", needKey, s.createBrowserProfile)
	s.handle("GET /v1/browser_profiles", needKey, s.listBrowserProfiles)
	s.handle("GET /v1/browser_profiles/{profile_id}", needKey, s.getBrowserProfile)
	s.handle("DELETE /v1/browser_profiles/{profile_id}", needKey, s.deleteBrowserProfile)
	s.handle("PATCH /v1/browser_profiles/{profile_id}", needKey, s.updateBrowserProfile)
	// Credentials.
	s.handle("POST /v1/credentials", needKey, s.createCredential)
	s.handle("GET /v1/credentials", needKey, s.getCredentials)
	s.handle("GET /v1/credentials/{credential_id}", needKey, s.getCredential)
	s.handle("POST /v1/credentials/{credential_id}/delete", needKey, s.deleteCredential)
	s.handle("POST /v1/credentials/{credential_id}/update", needKey, s.updateCredential)
	s.handle("POST /v1/credentials/totp", needKey, s.sendTOTPCode)
	// Folders and custom LLMs.
	s.handle("POST /v1/folders", needKey, s.createFolder)
	s.handle("GET /v1/folders", needKey, s.getFolders)
	s.handle("GET /v1/folders/{folder_id}", needKey, s.getFolder)
	s.handle("PUT /v1/folders/{folder_id}", needKey, s.updateFolder)
	s.handle("DELETE /v1/folders/{folder_id}", needKey, s.deleteFolder)
	s.handle("GET /v1/custom-llms", needKey, s.listCustomLLMs)
	s.handle("POST /v1/custom-llms", needKey, s.createCustomLLM)
	s.handle("PUT /v1/custom-llms/{custom_llm_id}", needKey, s.updateCustomLLM)
	s.handle("DELETE /v1/custom-llms/{custom_llm_id}", needKey, s.deleteCustomLLM)
	// Agent helpers.
	s.handle("POST /v1/run/tasks/login", needKey, s.login)
	s.handle("POST /v1/run/tasks/download_files", needKey, s.downloadFiles)
	s.handle("POST /v1/upload_file", needKey, s.uploadFile)
	s.handle("DELETE /v1/files/{file_id}", needKey, s.deleteFile)
	s.handle("GET /v1/browser_profiles/{profile_id}/usage", needKey, s.getBrowserProfileUsage)
	s.handle("GET /v1/run-tag-suggestions", needKey, s.getRunTagSuggestions)
	s.handle("POST /v1/tag-values", needKey, s.createTagValue)
	s.handle("GET /v1/version", publicRoute, s.version) // the spec asks for no x-api-key here
	// Tags.
	s.handle("POST /v1/runs/{workflow_run_id}/tags", needKey, s.applyTags(runTags))
	s.handle("GET /v1/runs/{workflow_run_id}/tags", needKey, s.getTags(runTags))
	s.handle("DELETE /v1/runs/{workflow_run_id}/tags/{key}", needKey, s.deleteTag(runTags))
	s.handle("GET /v1/runs/{workflow_run_id}/tags/history", needKey, s.tagHistory(runTags))
	s.handle("POST /v1/agents/{workflow_permanent_id}/tags", needKey, s.applyTags(workflowTags))
	s.handle("GET /v1/agents/{workflow_permanent_id}/tags", needKey, s.getTags(workflowTags))
	s.handle("DELETE /v1/agents/{workflow_permanent_id}/tags/{key}", needKey, s.deleteTag(workflowTags))
	s.handle("GET /v1/agents/{workflow_permanent_id}/tags/history", needKey, s.tagHistory(workflowTags))
	s.handle("GET /v1/tag-keys", needKey, s.listTagKeys)
	s.handle("PATCH /v1/tag-keys/{key}", needKey, s.updateTagKey)
	s.handle("DELETE /v1/tag-keys/{key}", needKey, s.deleteTagKey)
	s.handle("GET /v1/tag-values", needKey, s.listTagValues)
	s.handle("PATCH /v1/tag-values/{key}", needKey, s.updateTagValue)
	s.handle("DELETE /v1/tag-values/{key}", needKey, s.deleteTagValue)
	s.handle("PATCH /v1/tag-values/{key}/rename", needKey, s.renameTagValue)
	// Schedules, scripts and SDK actions.
	s.handle("GET /v1/schedules", needKey, s.listAllSchedules)
	s.handle("POST /v1/agents/{workflow_permanent_id}/schedules", needKey, s.createSchedule)
	s.handle("GET /v1/agents/{workflow_permanent_id}/schedules", needKey, s.listSchedules)
	s.handle("GET /v1/agents/{workflow_permanent_id}/schedules/{workflow_schedule_id}", needKey, s.getSchedule)
	s.handle("PUT /v1/agents/{workflow_permanent_id}/schedules/{workflow_schedule_id}", needKey, s.updateSchedule)
	s.handle("DELETE /v1/agents/{workflow_permanent_id}/schedules/{workflow_schedule_id}", needKey, s.deleteSchedule)
	s.handle("POST /v1/agents/{workflow_permanent_id}/schedules/{workflow_schedule_id}/enable", needKey, s.enableSchedule)
	s.handle("POST /v1/agents/{workflow_permanent_id}/schedules/{workflow_schedule_id}/disable", needKey, s.disableSchedule)
	s.handle("POST /v1/scripts", needKey, s.createScript)
	s.handle("GET /v1/scripts", needKey, s.getScripts)
	s.handle("GET /v1/scripts/{script_id}", needKey, s.getScript)
	s.handle("POST /v1/scripts/{script_id}/deploy", needKey, s.deployScript)
	s.handle("POST /v1/scripts/{script_id}/run", needKey, s.runScript)
	s.handle("POST /v1/sdk/run_action", needKey, s.runSDKAction)
	// A session's real browser (Options.Chromium), unbuffered for the
	// WebSocket; the handler checks the key itself.
	s.mux.HandleFunc("GET /cdp/{browser_session_id}/{rest...}", s.serveCDP)
	// HTML pages linked from app_url.
	s.handle("GET /app/runs/{run_id}", publicRoute, s.appRunPage)
	s.handle("GET /app/browser_sessions/{browser_session_id}", publicRoute, s.appSessionPage)
	s.handle("GET /{$}", publicRoute, s.indexPage)
	s.mux.HandleFunc("/", s.noRoute)
}

func (s *Server) handle(pattern string, a access, h http.HandlerFunc) {
	s.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		switch a {
		case needKey:
			if !s.keyOK(r) {
				writeDetail(w, http.StatusForbidden, "Invalid credentials")
				return
			}
		case keyOrToken:
			if s.opts.APIKey == "" {
				break
			}
			if tok := r.URL.Query().Get("token"); tok != "" {
				if !s.tokenOK(r.PathValue("artifact_id"), tok) {
					writeDetail(w, http.StatusForbidden, "Invalid or expired artifact URL")
					return
				}
			} else if !s.keyOK(r) {
				writeDetail(w, http.StatusForbidden, "Invalid credentials")
				return
			}
		}
		if a == keyOrToken { // streams bytes, without holding the lock
			h(w, r)
			return
		}
		// Buffer the answer so that no handler writes to the network while
		// it holds s.mu: a slow client never blocks the sandbox.
		buf := &bufferedResponse{header: w.Header()}
		h(buf, r)
		if buf.status == 0 {
			buf.status = http.StatusOK
		}
		w.WriteHeader(buf.status)
		_, _ = w.Write(buf.body.Bytes())
	})
}

// bufferedResponse collects an answer before it is sent.
type bufferedResponse struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (b *bufferedResponse) Header() http.Header { return b.header }

func (b *bufferedResponse) WriteHeader(code int) {
	if b.status == 0 {
		b.status = code
	}
}

func (b *bufferedResponse) Write(p []byte) (int, error) {
	b.WriteHeader(http.StatusOK)
	return b.body.Write(p)
}

// keyOK checks the x-api-key header in constant time.
func (s *Server) keyOK(r *http.Request) bool {
	if s.opts.APIKey == "" {
		return true
	}
	got := r.Header.Get("x-api-key")
	return subtle.ConstantTimeCompare([]byte(got), []byte(s.opts.APIKey)) == 1
}

// token signs an artifact ID for its signed_url.
func (s *Server) token(artifactID string) string {
	m := hmac.New(sha256.New, s.secret)
	m.Write([]byte("artifact:" + artifactID))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:18])
}

func (s *Server) tokenOK(artifactID, tok string) bool {
	return hmac.Equal([]byte(tok), []byte(s.token(artifactID)))
}

// ServeHTTP counts the request (see Calls), applies any matching fault (see
// AddFault) and serves it.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	_, pattern := s.mux.Handler(r)
	tmpl := pattern
	if i := strings.IndexByte(tmpl, ' '); i >= 0 {
		tmpl = tmpl[i+1:]
	}
	if tmpl == "" || tmpl == "/" {
		tmpl = r.URL.Path
	}
	f := s.record(r.Method, tmpl, r.URL.Path)
	if f != nil && s.applyFault(w, r, f) {
		return
	}
	s.mux.ServeHTTP(w, r)
}

// noRoute answers FastAPI's 404 or 405 for paths no route serves.
func (s *Server) noRoute(w http.ResponseWriter, r *http.Request) {
	var allow []string
	for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
		if m == r.Method {
			continue
		}
		c := r.Clone(r.Context())
		c.Method = m
		if _, p := s.mux.Handler(c); p != "" && p != "/" && p != "GET /{$}" {
			allow = append(allow, m)
		}
	}
	if len(allow) > 0 {
		w.Header().Set("Allow", strings.Join(allow, ", "))
		writeDetail(w, http.StatusMethodNotAllowed, "Method Not Allowed")
		return
	}
	writeDetail(w, http.StatusNotFound, "Not Found")
}

// Listen serves s on a real TCP listener at addr (for example
// "127.0.0.1:0") and returns its base URL (http://host:port, without /v1)
// and a function that shuts the server down.
func (s *Server) Listen(addr string) (baseURL string, shutdown func(context.Context) error, err error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return "", nil, err
	}
	srv := &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	return "http://" + ln.Addr().String(), srv.Shutdown, nil
}

// baseURL is the root URL the request came in on (or Options.BaseURL).
func (s *Server) baseURL(r *http.Request) string {
	if s.opts.BaseURL != "" {
		return s.opts.BaseURL
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	host := r.Host
	if host == "" {
		host = "localhost"
	}
	return scheme + "://" + host
}

func (s *Server) now() time.Time { return s.opts.Now().UTC() }

// ---- JSON helpers ----

// ts formats a time as Skyvern's ISO 8601 date-time with microseconds and Z.
func ts(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02T15:04:05.000000Z")
}

func encodeJSON(v any) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		panic("sandbox: encoding response: " + err.Error())
	}
	return bytes.TrimRight(buf.Bytes(), "\n")
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b := encodeJSON(v)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// writeNull answers 200 with the JSON null FastAPI sends for a handler that
// returns None (cancel_run, delete_workflow, close_browser_session: the spec
// declares application/json with an empty schema).
func writeNull(w http.ResponseWriter) { writeJSON(w, http.StatusOK, nil) }

func writeNoContent(w http.ResponseWriter) { w.WriteHeader(http.StatusNoContent) }

// writeDetail answers {"detail": msg}, FastAPI's HTTPException body.
func writeDetail(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"detail": msg})
}

// ---- IDs ----

var idLimit = big.NewInt(9e17)

// newID returns prefix + 18 random digits, like Skyvern's IDs.
func newID(prefix string) string {
	n, err := rand.Int(rand.Reader, idLimit)
	if err != nil {
		panic("sandbox: crypto/rand: " + err.Error())
	}
	return prefix + strconv.FormatInt(n.Int64()+1e17, 10)
}
