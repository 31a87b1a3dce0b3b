package resources

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	mcpclient "github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/client/transport"
	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"
	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/skyvern-mcp/skyvern-mcp/client"
	"github.com/skyvern-mcp/skyvern-mcp/client/sandbox"
	"github.com/skyvern-mcp/skyvern-mcp/internal/testenv"
	"github.com/skyvern-mcp/skyvern-mcp/tools"
)

const testKey = "sk-test-resources-4f2a"

var pngSignature = []byte{0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'}

type harness struct {
	t   testing.TB
	sb  *sandbox.Server
	srv *server.MCPServer
	reg *Registry
	c   *client.Client
	mcp *mcpclient.Client

	mu      sync.Mutex
	updates []string
}

type opts struct {
	runDuration time.Duration
	recording   int64
	maxBytes    int64
	pageSize    int
	// watcher sets Deps.Watcher, shared by the tools and the registry.
	watcher bool
	// unchecked skips the contract check (for faults that answer outside
	// the spec, as the real server does).
	unchecked bool
}

// newHarness builds the MCP server as main does (tools + resources) against
// a sandbox, with every request and response validated against Skyvern's
// OpenAPI spec, and connects an in-process client.
func newHarness(t testing.TB, o opts) *harness {
	t.Helper()
	if o.runDuration == 0 {
		o.runDuration = 150 * time.Millisecond
	}
	sbo := sandbox.Options{APIKey: testKey, RunDuration: o.runDuration, RecordingSize: o.recording}
	var sb *sandbox.Server
	var c *client.Client
	if o.unchecked {
		sb, c = testenv.SandboxUnchecked(t, sbo, testKey)
	} else {
		sb, c = testenv.Sandbox(t, sbo, testKey, 400, 403, 404)
	}
	deps := &tools.Deps{
		Client:      func(context.Context) (*client.Client, error) { return c, nil },
		Log:         zerolog.Nop(),
		PollInitial: 10 * time.Millisecond,
		PollMax:     50 * time.Millisecond,
		Secrets:     []string{testKey},
	}
	if o.watcher {
		deps.Watcher = client.NewWatcher(client.WatchOptions{PollInitial: 10 * time.Millisecond, PollMax: 50 * time.Millisecond})
		t.Cleanup(deps.Watcher.Close)
	}
	reg := New(Options{Deps: deps, MaxResourceBytes: o.maxBytes, PageSize: o.pageSize, PollInterval: 20 * time.Millisecond})
	deps.OnRun, deps.ResourceLinks = reg.SeeRun, true
	s := server.NewMCPServer("skyvern-mcp", "test", append([]server.ServerOption{server.WithToolCapabilities(false)}, reg.ServerOptions()...)...)
	tools.Register(s, deps, tools.All())
	reg.Register(s)
	t.Cleanup(reg.Close)
	h := &harness{t: t, sb: sb, srv: s, reg: reg, c: c}
	h.mcp = h.connect()
	return h
}

func (h *harness) connect() *mcpclient.Client {
	h.t.Helper()
	mc, err := mcpclient.NewInProcessClient(h.srv)
	require.NoError(h.t, err)
	mc.OnNotification(func(n mcp.JSONRPCNotification) {
		if n.Method == mcp.MethodNotificationResourceUpdated {
			h.mu.Lock()
			h.updates = append(h.updates, n.Params.AdditionalFields["uri"].(string))
			h.mu.Unlock()
		}
	})
	ctx := context.Background()
	require.NoError(h.t, mc.Start(ctx))
	init := mcp.InitializeRequest{}
	init.Params.ProtocolVersion = mcp.LATEST_PROTOCOL_VERSION
	init.Params.ClientInfo = mcp.Implementation{Name: "resources-test", Version: "1"}
	_, err = mc.Initialize(ctx, init)
	require.NoError(h.t, err)
	h.t.Cleanup(func() { _ = mc.Close() })
	return mc
}

func (h *harness) read(uri string) (mcp.ResourceContents, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	req := mcp.ReadResourceRequest{}
	req.Params.URI = uri
	res, err := h.mcp.ReadResource(ctx, req)
	if err != nil {
		return nil, err
	}
	require.Len(h.t, res.Contents, 1)
	return res.Contents[0], nil
}

func (h *harness) readJSON(uri string) map[string]any {
	h.t.Helper()
	rc, err := h.read(uri)
	require.NoError(h.t, err, uri)
	tc, ok := rc.(mcp.TextResourceContents)
	require.True(h.t, ok, "%s: not text: %T", uri, rc)
	assert.Equal(h.t, "application/json", tc.MIMEType)
	assert.Equal(h.t, uri, tc.URI)
	var m map[string]any
	require.NoError(h.t, json.Unmarshal([]byte(tc.Text), &m))
	return m
}

func (h *harness) callTool(name string, args map[string]any) *mcp.CallToolResult {
	h.t.Helper()
	req := mcp.CallToolRequest{}
	req.Params.Name = name
	req.Params.Arguments = args
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	res, err := h.mcp.CallTool(ctx, req)
	require.NoError(h.t, err)
	require.False(h.t, res.IsError, "%v", res.Content)
	return res
}

func (h *harness) startRun(wait bool, prompt string) string {
	h.t.Helper()
	res := h.callTool("run_task", map[string]any{"prompt": prompt, "wait_for_completion": wait})
	b, _ := json.Marshal(res.StructuredContent)
	var m map[string]any
	require.NoError(h.t, json.Unmarshal(b, &m))
	return m["run_id"].(string)
}

func (h *harness) rpc(mc *mcpclient.Client, method, uri string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	resp, err := mc.GetTransport().SendRequest(ctx, transport.JSONRPCRequest{JSONRPC: mcp.JSONRPC_VERSION,
		ID: mcp.NewRequestId(time.Now().UnixNano()), Method: method, Params: map[string]any{"uri": uri}})
	if err != nil {
		return err
	}
	if resp.Error != nil {
		return assert.AnError
	}
	return nil
}

func TestParseURI(t *testing.T) {
	good := map[string]ref{
		"skyvern://runs":                                 {kind: kindRecentRuns},
		"skyvern://runs/tsk_123":                         {kind: kindRun, id: "tsk_123"},
		"skyvern://runs/tsk_v2_123/timeline":             {kind: kindTimeline, id: "tsk_v2_123"},
		"skyvern://runs/wr_9/artifacts":                  {kind: kindArtifacts, id: "wr_9"},
		"skyvern://runs/wr_9/recording":                  {kind: kindRecording, id: "wr_9"},
		"skyvern://artifacts/a_77":                       {kind: kindArtifact, id: "a_77"},
		"skyvern://browser_sessions/pbs_5":               {kind: kindSession, id: "pbs_5"},
		"skyvern://browser_sessions/pbs_5/recordings/0":  {kind: kindSessionRecording, id: "pbs_5"},
		"skyvern://browser_sessions/pbs_5/recordings/12": {kind: kindSessionRecording, id: "pbs_5", index: 12},
		"skyvern://workflows/wpid_1":                     {kind: kindWorkflow, id: "wpid_1"},
		"skyvern://workflows/wpid_1?version=3":           {kind: kindWorkflow, id: "wpid_1", version: 3},
	}
	for uri, want := range good {
		got, err := parseURI(uri)
		require.NoError(t, err, uri)
		assert.Equal(t, want, got, uri)
	}
	bad := []string{
		"http://runs/tsk_1", "skyvern://runs/run_1", "skyvern://runs/tsk_", "skyvern://runs/tsk_1/steps",
		"skyvern://runs/tsk_1/timeline/x", "skyvern://runs/tsk_1?x=1", "skyvern://runs/tsk_1#f", "skyvern://runs/tsk_1%2Fx",
		"skyvern://runs/tsk_1/../a_1", "skyvern://runs/tsk_1.json", "skyvern://artifacts/tsk_1", "skyvern://artifacts/a_1/content",
		"skyvern://artifacts/a_..%2f", "skyvern://browser_sessions/bs_1", "skyvern://browser_sessions/pbs_1/recordings/-1",
		"skyvern://browser_sessions/pbs_1/recordings/01", "skyvern://browser_sessions/pbs_1/recordings/x",
		"skyvern://workflows/wf_1", "skyvern://workflows/wpid_1?version=0", "skyvern://workflows/wpid_1?version=a",
		"skyvern://workflows/wpid_1?version=1&version=2", "skyvern://workflows/wpid_1?v=1", "skyvern://user@runs/tsk_1",
		"skyvern://runs:80/tsk_1", "skyvern://credentials/cred_1", "skyvern:runs/tsk_1", "skyvern://runs/tsk_1 ",
		"skyvern://artifacts/" + "a_" + strings.Repeat("1", 200),
	}
	for _, uri := range bad {
		_, err := parseURI(uri)
		assert.Error(t, err, uri)
	}
}

func TestTemplatesAndCapabilities(t *testing.T) {
	h := newHarness(t, opts{})
	ctx := context.Background()
	res, err := h.mcp.ListResourceTemplates(ctx, mcp.ListResourceTemplatesRequest{})
	require.NoError(t, err)
	require.Len(t, res.ResourceTemplates, len(templates()))
	for _, tpl := range res.ResourceTemplates {
		assert.NotEmpty(t, tpl.Name)
		assert.NotEmpty(t, tpl.Title, tpl.Name)
		assert.NotEmpty(t, tpl.Description, tpl.Name)
		if tpl.Name != "artifact" {
			assert.NotEmpty(t, tpl.MIMEType, tpl.Name)
		}
	}
}

// TestReadEveryKind reads every template kind of a finished run, a closed
// browser session and a workflow, checking MIME types and content.
func TestReadEveryKind(t *testing.T) {
	h := newHarness(t, opts{})
	runID := h.startRun(true, "Find the cheapest flight")
	require.True(t, strings.HasPrefix(runID, "tsk_v2_"), runID)

	run := h.readJSON("skyvern://runs/" + runID)
	assert.Equal(t, "completed", run["status"])
	tl := h.readJSON("skyvern://runs/" + runID + "/timeline")
	assert.NotEmpty(t, tl["timeline"])

	list := h.readJSON("skyvern://runs/" + runID + "/artifacts")
	arts := list["artifacts"].([]any)
	require.Len(t, arts, 4)
	seen := map[string]bool{}
	for _, a := range arts {
		item := a.(map[string]any)
		uri := item["uri"].(string)
		require.Equal(t, "skyvern://artifacts/"+item["artifact_id"].(string), uri)
		rc, err := h.read(uri)
		require.NoError(t, err, uri)
		switch c := rc.(type) {
		case mcp.BlobResourceContents:
			b, err := base64.StdEncoding.DecodeString(c.Blob)
			require.NoError(t, err)
			switch c.MIMEType {
			case "image/png":
				assert.True(t, bytes.HasPrefix(b, pngSignature), "PNG signature")
			case "video/webm":
				assert.True(t, bytes.HasPrefix(b, []byte{0x1a, 0x45, 0xdf, 0xa3}), "EBML magic")
				assert.EqualValues(t, sandbox.DefaultRecordingSize, len(b))
			default:
				t.Errorf("unexpected blob type %s", c.MIMEType)
			}
			seen[c.MIMEType] = true
			assert.Equal(t, item["mime_type"], c.MIMEType)
		case mcp.TextResourceContents:
			switch c.MIMEType {
			case "text/html":
				assert.Contains(t, c.Text, "<!DOCTYPE html>")
			case "application/json":
				assert.True(t, json.Valid([]byte(c.Text)))
			default:
				t.Errorf("unexpected text type %s", c.MIMEType)
			}
			seen[c.MIMEType] = true
			assert.Equal(t, item["mime_type"], c.MIMEType)
		}
	}
	assert.Len(t, seen, 4, "png, html, json and webm")

	rc, err := h.read("skyvern://runs/" + runID + "/recording")
	require.NoError(t, err)
	blob := rc.(mcp.BlobResourceContents)
	assert.Equal(t, "video/webm", blob.MIMEType)
	assert.Equal(t, "skyvern://runs/"+runID+"/recording", blob.URI)

	// Browser session and its recording.
	bs, err := h.c.CreateBrowserSession(context.Background(), &client.CreateBrowserSessionRequest{})
	require.NoError(t, err)
	sess := h.readJSON("skyvern://browser_sessions/" + bs.BrowserSessionID)
	assert.Equal(t, bs.BrowserSessionID, sess["browser_session_id"])
	_, err = h.read("skyvern://browser_sessions/" + bs.BrowserSessionID + "/recordings/0")
	require.ErrorContains(t, err, "no recordings yet")
	require.NoError(t, h.c.CloseBrowserSession(context.Background(), bs.BrowserSessionID))
	rc, err = h.read("skyvern://browser_sessions/" + bs.BrowserSessionID + "/recordings/0")
	require.NoError(t, err)
	assert.Equal(t, "video/webm", rc.(mcp.BlobResourceContents).MIMEType)
	_, err = h.read("skyvern://browser_sessions/" + bs.BrowserSessionID + "/recordings/1")
	require.ErrorContains(t, err, "index from 0 to 0")

	// Workflow, latest and a given version.
	wf, err := h.c.CreateWorkflow(context.Background(), &client.WorkflowRequest{YAMLDefinition: `
title: Invoices
workflow_definition:
  parameters: []
  blocks:
    - block_type: navigation
      label: open_billing
      url: https://example.com
      navigation_goal: Open the billing page
`}, "")
	require.NoError(t, err)
	w := h.readJSON("skyvern://workflows/" + wf.WorkflowPermanentID)
	assert.Equal(t, "Invoices", w["title"])
	w = h.readJSON("skyvern://workflows/" + wf.WorkflowPermanentID + "?version=1")
	assert.EqualValues(t, 1, w["version"])
}

func TestReadErrors(t *testing.T) {
	h := newHarness(t, opts{})
	for uri, want := range map[string]string{
		"skyvern://runs/run_1":              "not a Skyvern run ID",
		"skyvern://runs/tsk_1/steps":        "not found", // no template matches: mcp-go's resource-not-found
		"skyvern://runs/tsk_1":              "not found",
		"skyvern://artifacts/a_1":           "not found",
		"skyvern://workflows/wpid_1?x=1":    "not found", // mcp-go v1.6 matches query parameters against the template
		"skyvern://browser_sessions/pbs_1/": "not found",
		"skyvern://runs/tsk_1.json":         "not a Skyvern run ID",
		"skyvern://artifacts/x_1":           "not a Skyvern artifact ID",
	} {
		_, err := h.read(uri)
		require.Error(t, err, uri)
		assert.Contains(t, err.Error(), want, uri)
		assert.NotContains(t, err.Error(), testKey)
	}
	_, err := h.read("skyvern://nothing/here")
	require.Error(t, err)
}

// TestTooLarge: a recording above the cap is refused with its signed URL
// and the run's app_url, before its body is read.
func TestTooLarge(t *testing.T) {
	h := newHarness(t, opts{recording: 3 << 20, maxBytes: 1 << 20})
	runID := h.startRun(true, "Record something")
	_, err := h.read("skyvern://runs/" + runID + "/recording")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "too large")
	assert.Contains(t, err.Error(), "/content?token=", "offers the signed URL")
	assert.Contains(t, err.Error(), "3145728 bytes")

	list := h.readJSON("skyvern://runs/" + runID + "/artifacts")
	for _, a := range list["artifacts"].([]any) {
		item := a.(map[string]any)
		if item["artifact_type"] == "recording" {
			_, err := h.read(item["uri"].(string))
			require.Error(t, err)
			assert.Contains(t, err.Error(), "signed URL")
		}
	}
}

func TestListRecentRuns(t *testing.T) {
	h := newHarness(t, opts{pageSize: 2, runDuration: -1})
	var ids []string
	for i := 0; i < 5; i++ {
		ids = append(ids, h.startRun(false, "run"))
	}
	ctx := context.Background()
	var got []string
	var cursor mcp.Cursor
	pages := 0
	for {
		req := mcp.ListResourcesRequest{}
		req.Params.Cursor = cursor
		res, err := h.mcp.ListResourcesByPage(ctx, req)
		require.NoError(t, err)
		pages++
		for _, r := range res.Resources {
			if r.URI == recentRunsURI {
				require.Equal(t, 1, pages, "the index is on the first page")
				continue
			}
			assert.Equal(t, "application/json", r.MIMEType)
			assert.NotEmpty(t, r.Title)
			got = append(got, strings.TrimPrefix(r.URI, "skyvern://runs/"))
		}
		if res.NextCursor == "" {
			break
		}
		cursor = res.NextCursor
	}
	assert.Equal(t, 3, pages)
	want := []string{ids[4], ids[3], ids[2], ids[1], ids[0]}
	assert.Equal(t, want, got, "newest first")

	index := h.readJSON(recentRunsURI)
	assert.EqualValues(t, 5, index["count"])

	// Bounded.
	rr := newRecentRuns(3)
	for i := 0; i < 10; i++ {
		rr.see(&client.Run{RunID: "tsk_" + string(rune('a'+i))})
	}
	page, next := rr.page(^uint64(0), 10)
	assert.Len(t, page, 3)
	assert.Zero(t, next)
	assert.Equal(t, "tsk_j", page[0].id)
}

func TestToolResourceLinks(t *testing.T) {
	h := newHarness(t, opts{})
	res := h.callTool("run_task", map[string]any{"prompt": "x", "wait_for_completion": true})
	var links []string
	for _, c := range res.Content {
		if l, ok := c.(mcp.ResourceLink); ok {
			links = append(links, l.URI)
		}
	}
	require.NotEmpty(t, links)
	b, _ := json.Marshal(res.StructuredContent)
	var run map[string]any
	require.NoError(t, json.Unmarshal(b, &run))
	id := run["run_id"].(string)
	assert.Equal(t, []string{"skyvern://runs/" + id, "skyvern://runs/" + id + "/artifacts", "skyvern://runs/" + id + "/timeline", "skyvern://runs/" + id + "/recording"}, links)
	for _, l := range links {
		_, err := h.read(l)
		require.NoError(t, err, l)
	}

	res = h.callTool("get_run_artifacts", map[string]any{"run_id": id})
	n := 0
	for _, c := range res.Content {
		if l, ok := c.(mcp.ResourceLink); ok {
			n++
			assert.True(t, strings.HasPrefix(l.URI, "skyvern://artifacts/a_"), l.URI)
			assert.NotEmpty(t, l.MIMEType)
			_, err := h.read(l.URI)
			require.NoError(t, err, l.URI)
		}
	}
	assert.Equal(t, 4, n)
}

// TestSubscribe: two sessions subscribe to one running run; one poller
// serves both; each gets updates; the poller stops at the final status.
func TestSubscribe(t *testing.T) {
	h := newHarness(t, opts{runDuration: 1500 * time.Millisecond})
	runID := h.startRun(false, "slow enough")
	uri := "skyvern://runs/" + runID
	second := h.connect()
	require.NoError(t, h.rpc(h.mcp, "resources/subscribe", uri))
	require.NoError(t, h.rpc(second, "resources/subscribe", uri))
	assert.Equal(t, 1, h.reg.subs.active(), "one poller per run")
	require.Eventually(t, func() bool { return h.reg.subs.active() == 0 }, 10*time.Second, 10*time.Millisecond, "poller stops at a final status")
	h.mu.Lock()
	updates := append([]string(nil), h.updates...)
	h.mu.Unlock()
	assert.GreaterOrEqual(t, len(updates), 4, "at least two updates per session: %v", updates)
	for _, u := range updates {
		assert.Equal(t, uri, u)
	}
	run, err := h.c.GetRun(context.Background(), runID)
	require.NoError(t, err)
	assert.Equal(t, client.RunStatusCompleted, run.Status)
}

func TestUnsubscribeAndSessionEndStopPolling(t *testing.T) {
	h := newHarness(t, opts{runDuration: time.Hour})
	runID := h.startRun(false, "long")
	uri := "skyvern://runs/" + runID
	require.NoError(t, h.rpc(h.mcp, "resources/subscribe", uri))
	second := h.connect()
	require.NoError(t, h.rpc(second, "resources/subscribe", uri))
	assert.Equal(t, 1, h.reg.subs.active())
	require.NoError(t, h.rpc(h.mcp, "resources/unsubscribe", uri))
	assert.Equal(t, 1, h.reg.subs.active(), "the other session still listens")
	require.NoError(t, second.Close())
	require.Eventually(t, func() bool { return h.reg.subs.active() == 0 }, 5*time.Second, 10*time.Millisecond, "session end stops the poller")
}

// TestSubscriptionSharesToolsWatcher: a subscription follows its run
// through Deps.Watcher, so another follower of the run (a task or a wait)
// adds no poller.
func TestSubscriptionSharesToolsWatcher(t *testing.T) {
	h := newHarness(t, opts{runDuration: time.Hour, watcher: true})
	w := h.reg.o.Watcher
	require.NotNil(t, w)
	runID := h.startRun(false, "shared")
	require.NoError(t, h.rpc(h.mcp, "resources/subscribe", "skyvern://runs/"+runID))
	require.Eventually(t, func() bool { return w.Pollers() == 1 }, 5*time.Second, 5*time.Millisecond)
	f := w.Watch(context.Background(), h.c, runID) // as a task or wait_for_completion does
	_, err := f.Next(context.Background())
	require.NoError(t, err)
	assert.Equal(t, 1, w.Pollers(), "one poller for the subscription and the other follower")
	f.Stop()
	assert.Equal(t, 1, w.Pollers(), "the subscription still follows")
	require.NoError(t, h.rpc(h.mcp, "resources/unsubscribe", "skyvern://runs/"+runID))
	require.Eventually(t, func() bool { return w.Pollers() == 0 }, 5*time.Second, 5*time.Millisecond)
}

// TestRunListedWhileItsWaitGoesOn: a run started with wait_for_completion
// shows in resources/list and in run_id completions while the call still
// waits, so a client that cuts the call still finds it.
func TestRunListedWhileItsWaitGoesOn(t *testing.T) {
	h := newHarness(t, opts{runDuration: time.Hour})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan struct{})
	go func() {
		defer close(done)
		req := mcp.CallToolRequest{}
		req.Params.Name = "run_task"
		req.Params.Arguments = map[string]any{"prompt": "long", "wait_for_completion": true, "timeout": 3600}
		_, _ = h.mcp.CallTool(ctx, req)
	}()
	var runURI string
	require.Eventually(t, func() bool {
		res, err := h.mcp.ListResources(context.Background(), mcp.ListResourcesRequest{})
		require.NoError(t, err)
		for _, r := range res.Resources {
			if strings.HasPrefix(r.URI, "skyvern://runs/tsk_") {
				runURI = r.URI
				return true
			}
		}
		return false
	}, 10*time.Second, 20*time.Millisecond, "the run is listed while its call waits")
	runID := strings.TrimPrefix(runURI, "skyvern://runs/")
	req := mcp.CompleteRequest{}
	req.Params.Ref = mcp.ResourceReference{Type: "ref/resource", URI: "skyvern://runs/{run_id}"}
	req.Params.Argument.Name, req.Params.Argument.Value = "run_id", "tsk_"
	comp, err := h.mcp.Complete(context.Background(), req)
	require.NoError(t, err)
	assert.Contains(t, comp.Completion.Values, runID)
	select {
	case <-done:
		t.Fatal("the call ended: the run was listed only when the wait ended")
	default:
	}
	cancel()
	<-done
}
