// Package resources serves what Skyvern runs produce as MCP resources:
// runs, their timelines, artifact lists and artifact contents (screenshots,
// HTML, LLM responses, recordings), browser sessions and their recordings,
// and workflow definitions, under skyvern:// URIs.
//
// Every read goes through the typed client (tools.Deps.Client), so it uses
// the same API key and base URL as the tools and only ever calls Skyvern's
// API: a URL that a client or a Skyvern answer supplies (recording_url,
// signed_url) is never fetched. URIs are parsed strictly and IDs must have
// Skyvern's shape before any request is made.
//
// resources/list returns a "recent runs" index plus one concrete resource
// per run this server has seen (started, read or followed), newest first,
// bounded and paginated. resources/subscribe on skyvern://runs/{run_id}
// polls the run (one poller per run, whatever the number of subscribed
// sessions) and sends notifications/resources/updated when its status or
// step count changes.
package resources

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/skyvern-mcp/skyvern-mcp/client"
	"github.com/skyvern-mcp/skyvern-mcp/internal/redact"
	"github.com/skyvern-mcp/skyvern-mcp/internal/splice"
	"github.com/skyvern-mcp/skyvern-mcp/tools"
)

// DefaultMaxResourceBytes is the default cap on one resource's content, in
// bytes before base64 or JSON escaping: 20 MiB. Over stdio, the official
// TypeScript SDK's client drops any message over 10 MiB (and its
// connection): with such a client, set about 7 MiB (base64 adds a third).
const DefaultMaxResourceBytes = 20 << 20

// Options configure a Registry.
type Options struct {
	// Deps gives the Skyvern client (Deps.Client), the logger and the
	// secrets to redact, shared with the tools.
	Deps *tools.Deps
	// MaxResourceBytes caps a resource's content in bytes (an artifact's
	// size, a run's JSON), before base64 or JSON escaping; 0 means
	// DefaultMaxResourceBytes.
	MaxResourceBytes int64
	// RecentRuns bounds how many runs resources/list remembers (default 200).
	RecentRuns int
	// PageSize is how many runs one resources/list page holds (default 50).
	PageSize int
	// Watcher follows subscribed runs: one poller per run, shared with the
	// tools' tasks and waits. Nil: Deps.Watcher, or else a watcher of the
	// Registry's own polling every PollInterval.
	Watcher *client.Watcher
	// PollInterval is how often a subscribed run is polled when neither
	// Watcher nor Deps.Watcher is set (default 1 s).
	PollInterval time.Duration
	// NoSubscriptions advertises neither resource subscriptions nor
	// list-changed notifications: a stateless HTTP server has no session to
	// deliver them to.
	NoSubscriptions bool
	// Notify, when set, sends a subscribed session its
	// notifications/resources/updated instead of the server (shared state:
	// the session's stream may be held by another replica).
	Notify func(sessionID, method string, params map[string]any) error
}

// Registry holds the resource handlers, the recent runs and the
// subscription pollers. Create it with New, pass ServerOptions to
// server.NewMCPServer, then call Register.
type Registry struct {
	o      Options
	srv    *server.MCPServer
	hooks  *server.Hooks
	recent *recentRuns
	subs   *subscriptions
	// ownWatcher is set when the Registry made o.Watcher (Close stops it).
	ownWatcher bool
}

// New returns a Registry. It panics without Deps (a programmer error).
func New(o Options) *Registry {
	if o.Deps == nil || o.Deps.Client == nil {
		panic("resources: Options.Deps with a Client is required")
	}
	if o.MaxResourceBytes <= 0 {
		o.MaxResourceBytes = DefaultMaxResourceBytes
	}
	if o.RecentRuns <= 0 {
		o.RecentRuns = 200
	}
	if o.PageSize <= 0 {
		o.PageSize = 50
	}
	if o.PollInterval <= 0 {
		o.PollInterval = time.Second
	}
	r := &Registry{o: o, hooks: &server.Hooks{}}
	if r.o.Watcher == nil {
		r.o.Watcher = o.Deps.Watcher
	}
	if r.o.Watcher == nil {
		r.o.Watcher = client.NewWatcher(client.WatchOptions{PollInitial: o.PollInterval, PollMax: o.PollInterval})
		r.ownWatcher = true
	}
	r.recent = newRecentRuns(o.RecentRuns)
	r.subs = newSubscriptions(r)
	r.hooks.AddAfterListResources(r.afterListResources)
	r.hooks.AddAfterSubscribe(r.subs.afterSubscribe)
	r.hooks.AddAfterUnsubscribe(r.subs.afterUnsubscribe)
	r.hooks.AddOnUnregisterSession(r.subs.sessionEnded)
	return r
}

// MaxResourceBytes is the effective content cap in bytes.
func (r *Registry) MaxResourceBytes() int64 { return r.o.MaxResourceBytes }

// ServerOptions are the options server.NewMCPServer needs: the resources
// capability (subscribe and listChanged, both implemented) and the hooks
// that list recent runs and drive subscriptions. If the server needs other
// hooks, add them to Hooks() instead of passing a second WithHooks.
func (r *Registry) ServerOptions() []server.ServerOption {
	return append([]server.ServerOption{
		server.WithResourceCapabilities(!r.o.NoSubscriptions, !r.o.NoSubscriptions),
		server.WithPromptCapabilities(false),
		server.WithHooks(r.hooks),
	}, r.CompletionOptions()...)
}

// Hooks returns the hooks passed by ServerOptions.
func (r *Registry) Hooks() *server.Hooks { return r.hooks }

// SeeRun remembers a run for resources/list. Tools call it (Deps.OnRun)
// for every run they return.
func (r *Registry) SeeRun(run *client.Run) {
	if run == nil || !runIDRe.MatchString(run.RunID) {
		return
	}
	if r.recent.see(run) && r.srv != nil {
		// A new concrete resource exists: tell clients that cache the list.
		r.srv.SendNotificationToAllClients(mcp.MethodNotificationResourcesListChanged, nil)
	}
}

// Close stops every subscription.
func (r *Registry) Close() {
	r.subs.closeAll()
	if r.ownWatcher {
		r.o.Watcher.Close()
	}
}

// template describes one resource template.
type template struct {
	uri, name, title, mime, description string
}

func templates() []template {
	return []template{
		{"skyvern://runs/{run_id}", "run", "Skyvern run", "application/json",
			"A task run (tsk_..., tsk_v2_...) or workflow run (wr_...): status, step_count, output, failure_reason, app_url, as get_run returns it. Subscribe to be notified when its status or step count changes."},
		{"skyvern://runs/{run_id}/output", "run_output", "Run output", "application/json",
			"Only the output of a run (the data it extracted), as JSON: the whole of it when a tool result had to shorten it."},
		{"skyvern://runs/{run_id}/timeline", "run_timeline", "Run timeline", "application/json",
			"The timeline of a workflow run (wr_...) or skyvern-2.0 task run (tsk_v2_...): blocks and thoughts, nested, in order."},
		{"skyvern://runs/{run_id}/artifacts", "run_artifacts", "Run artifacts", "application/json",
			"The list of a run's artifacts, each with its own skyvern://artifacts/{artifact_id} URI, artifact_type, size and MIME type."},
		{"skyvern://runs/{run_id}/recording", "run_recording", "Run recording", "video/webm",
			"The video recording of a run, fetched through Skyvern's artifact content endpoint (base64 blob; usually video/webm). Large recordings are refused with a link instead."},
		{"skyvern://artifacts/{artifact_id}", "artifact", "Artifact content", "",
			"One artifact's content (a_...) with its real MIME type: text, HTML and JSON as text; images, video, archives and other binary data as a base64 blob. The MIME type varies with the artifact, so the template declares none."},
		{"skyvern://browser_sessions/{browser_session_id}", "browser_session", "Browser session", "application/json",
			"A persistent browser session (pbs_...): status, timeout in minutes, app_url, downloaded files and recordings."},
		{"skyvern://browser_sessions/{browser_session_id}/recordings/{index}", "browser_session_recording", "Browser session recording", "video/webm",
			"Recording number {index} (from 0) of a closed browser session, as a base64 blob."},
		{"skyvern://workflows/{workflow_permanent_id}{?version}", "workflow", "Workflow definition", "application/json",
			"A workflow (wpid_...) with its definition, parameters and settings; the latest version, or ?version=N."},
	}
}

// recentRunsURI is the concrete index resource of recent runs.
const recentRunsURI = "skyvern://runs"

// Register adds the templates and the recent-runs index to s. s must have
// been created with ServerOptions.
func (r *Registry) Register(s *server.MCPServer) {
	r.srv = s
	for _, t := range templates() {
		opts := []mcp.ResourceTemplateOption{mcp.WithTemplateTitle(t.title), mcp.WithTemplateDescription(t.description)}
		if t.mime != "" {
			opts = append(opts, mcp.WithTemplateMIMEType(t.mime))
		}
		s.AddResourceTemplate(mcp.NewResourceTemplate(t.uri, t.name, opts...), r.read)
	}
	s.AddResource(mcp.Resource{
		URI: recentRunsURI, Name: "recent_runs", Title: "Recent Skyvern runs", MIMEType: "application/json",
		Description: "The runs this server has started or seen, newest first, each with its skyvern://runs/{run_id} URI and status.",
	}, r.read)
	r.RegisterPrompts(s)
}

// read serves every resource: one strict parser decides what the URI
// names, whichever template mcp-go matched.
func (r *Registry) read(ctx context.Context, req mcp.ReadResourceRequest) (_ []mcp.ResourceContents, err error) {
	start := time.Now()
	uri := req.Params.URI
	defer func() {
		if err != nil {
			err = protocolError(ctx, uri, r.redact(err.Error()), err)
		}
		ev := r.o.Deps.Log.Info()
		if err != nil {
			ev = r.o.Deps.Log.Warn()
		}
		ev.Str("resource", uri).Dur("duration", time.Since(start)).Bool("is_error", err != nil).Msg("resource read")
	}()
	ref, err := parseURI(uri)
	if err != nil {
		return nil, err
	}
	if ref.kind == kindRecentRuns {
		return r.jsonContents(ctx, uri, r.recent.index(r.o.RecentRuns))
	}
	c, err := r.o.Deps.Client(ctx)
	if err != nil {
		return nil, err
	}
	switch ref.kind {
	case kindRun:
		run, err := c.GetRun(ctx, ref.id)
		if err != nil {
			return nil, describe(err, "run", ref.id)
		}
		r.SeeRun(run)
		return r.jsonContents(ctx, uri, run)
	case kindOutput:
		run, err := c.GetRun(ctx, ref.id)
		if err != nil {
			return nil, describe(err, "run", ref.id)
		}
		r.SeeRun(run)
		return r.jsonContents(ctx, uri, run.Output)
	case kindTimeline:
		tl, err := c.GetRunTimeline(ctx, ref.id)
		if err != nil {
			return nil, describe(err, "run", ref.id)
		}
		return r.jsonContents(ctx, uri, map[string]any{"run_id": ref.id, "timeline": tl})
	case kindArtifacts:
		arts, err := c.GetRunArtifacts(ctx, ref.id)
		if err != nil {
			return nil, describe(err, "run", ref.id)
		}
		if len(arts) == 0 {
			// Skyvern lists artifacts by run ID without looking the run
			// up: an unknown run gets [] too. Tell the two apart.
			if _, err := c.GetRun(ctx, ref.id); err != nil {
				return nil, describe(err, "run", ref.id)
			}
		}
		list := make([]ArtifactItem, len(arts))
		for i := range arts {
			list[i] = artifactItem(&arts[i])
			r.recent.seeArtifact(arts[i].ArtifactID, arts[i].SignedURL, ref.id, arts[i].ArtifactType)
		}
		return r.jsonContents(ctx, uri, ArtifactList{RunID: ref.id, Count: len(list), Artifacts: list})
	case kindArtifact:
		return r.readArtifact(ctx, c, uri, ref.id, r.recent.artifactHint(ref.id))
	case kindRecording:
		return r.readRunRecording(ctx, c, uri, ref.id)
	case kindSession:
		bs, err := c.GetBrowserSession(ctx, ref.id)
		if err != nil {
			return nil, describe(err, "browser session", ref.id)
		}
		return r.jsonContents(ctx, uri, bs)
	case kindSessionRecording:
		return r.readSessionRecording(ctx, c, uri, ref.id, ref.index)
	case kindWorkflow:
		wf, err := c.GetWorkflow(ctx, ref.id, ref.version, false)
		if err != nil {
			return nil, describe(err, "workflow", ref.id)
		}
		return r.jsonContents(ctx, uri, wf)
	}
	return nil, fmt.Errorf("resource %q is not readable", uri)
}

// jsonContents encodes v as an application/json text resource, within the
// cap. Over stdio the encoded bytes go into the response line as they are
// (package splice), without another copy.
func (r *Registry) jsonContents(ctx context.Context, uri string, v any) ([]mcp.ResourceContents, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("encoding %s: %w", uri, err)
	}
	if n := int64(len(b)); n > r.o.MaxResourceBytes {
		return nil, fmt.Errorf("%s is %d bytes of JSON, above the %d-byte resource limit (--max-resource-bytes, SKYVERN_MAX_RESOURCE_BYTES); use the matching tool (get_run, get_run_timeline, get_workflow) instead", uri, n, r.o.MaxResourceBytes)
	}
	t := mcp.TextResourceContents{URI: uri, MIMEType: "application/json"}
	if sp := splice.FromContext(ctx); sp != nil {
		// Spliced text bypasses the redacting resource middleware.
		t.Text = sp.Text(r.redactor(ctx).JSON(b))
	} else {
		t.Text = string(b)
	}
	return []mcp.ResourceContents{t}, nil
}

// describe turns a client error into a message naming the object; a 404
// is a missing resource (notFound).
func describe(err error, what, id string) error {
	var apiErr *client.APIError
	if errors.As(err, &apiErr) {
		switch {
		case apiErr.StatusCode == 404 && !apiErr.NotSkyvern():
			return notFound(fmt.Errorf("%s %s not found in Skyvern (404): %s", what, id, apiErr.Detail))
		case apiErr.NotSkyvern():
			return fmt.Errorf("%w: the Skyvern base URL looks wrong (it answers like no Skyvern API): check --base-url (SKYVERN_BASE_URL)", err)
		case apiErr.InvalidCredentials():
			return fmt.Errorf("Skyvern refused the API key (%d %s): check SKYVERN_API_KEY", apiErr.StatusCode, apiErr.Detail)
		}
	}
	return err
}

func (r *Registry) redact(s string) string { return r.o.Deps.RedactString(s) }

// cursor encodes "runs seen before sequence number n" as base64 (mcp-go
// requires a base64 cursor before the hook sees it).
func encodeCursor(seq uint64) mcp.Cursor {
	return mcp.Cursor(base64.StdEncoding.EncodeToString([]byte(fmt.Sprintf("runs-before:%d", seq))))
}

func decodeCursor(c mcp.Cursor) (uint64, bool) {
	b, err := base64.StdEncoding.DecodeString(string(c))
	if err != nil {
		return 0, false
	}
	var seq uint64
	if _, err := fmt.Sscanf(string(b), "runs-before:%d", &seq); err != nil {
		return 0, false
	}
	return seq, true
}

// afterListResources replaces mcp-go's static list with the index resource
// (first page only) plus a page of recent runs, newest first.
func (r *Registry) afterListResources(_ context.Context, _ any, req *mcp.ListResourcesRequest, res *mcp.ListResourcesResult) {
	if res == nil {
		return
	}
	before := ^uint64(0)
	var static []mcp.Resource
	if req.Params.Cursor == "" {
		static = res.Resources
	} else if seq, ok := decodeCursor(req.Params.Cursor); ok {
		before = seq
	} else {
		before = 0 // an unknown cursor gives an empty page
	}
	page, next := r.recent.page(before, r.o.PageSize)
	out := make([]mcp.Resource, 0, len(static)+len(page))
	out = append(out, static...)
	for _, e := range page {
		out = append(out, e.resource())
	}
	res.Resources = out
	res.NextCursor = ""
	if next != 0 {
		res.NextCursor = encodeCursor(next)
	}
}

// redactor is the call's redactor (tools.Deps.Redactor), for content that
// reaches the client without passing the redacting middleware (the stdio
// splice).
func (r *Registry) redactor(ctx context.Context) redact.Redactor {
	return r.o.Deps.Redactor(ctx)
}
