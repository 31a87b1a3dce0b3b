package sandbox_test

import (
	"encoding/json"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/skyvern-mcp/skyvern-mcp/client"
	"github.com/skyvern-mcp/skyvern-mcp/client/sandbox"
)

func TestBrowserSessions(t *testing.T) {
	e := newEnv(t, sandbox.Options{}, true)
	timeout := 30
	bs, err := e.c.CreateBrowserSession(e.ctx, &client.CreateBrowserSessionRequest{Timeout: &timeout,
		Extensions: []client.BrowserExtension{"ad-blocker"}})
	require.NoError(t, err)
	assert.Regexp(t, `^pbs_\d{18}$`, bs.BrowserSessionID)
	assert.Equal(t, "running", bs.Status)
	assert.Equal(t, 30, *bs.Timeout)
	assert.Empty(t, bs.CompletedAt)
	assert.Empty(t, bs.Recordings)
	requireDateTime(t, bs.StartedAt, false)

	other, err := e.c.CreateBrowserSession(e.ctx, nil)
	require.NoError(t, err)
	assert.Equal(t, 60, *other.Timeout, "the default timeout is 60 minutes")

	live, err := e.c.GetBrowserSessions(e.ctx)
	require.NoError(t, err)
	assert.Len(t, live, 2)

	e.clock.Advance(time.Minute)
	code, _, body := e.raw(t, "POST", "/v1/browser_sessions/"+bs.BrowserSessionID+"/close", "", "")
	assert.Equal(t, 200, code)
	assert.JSONEq(t, `{"message":"Browser session closed"}`, string(body))

	closed, err := e.c.GetBrowserSession(e.ctx, bs.BrowserSessionID)
	require.NoError(t, err)
	assert.Equal(t, "completed", closed.Status)
	requireDateTime(t, closed.CompletedAt, false)
	require.Len(t, closed.Recordings, 1)
	resp, err := http.Get(closed.Recordings[0].URL)
	require.NoError(t, err)
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Equal(t, "video/webm", resp.Header.Get("Content-Type"))
	assert.Equal(t, []byte{0x1A, 0x45, 0xDF, 0xA3}, b[:4])

	live, err = e.c.GetBrowserSessions(e.ctx)
	require.NoError(t, err)
	require.Len(t, live, 1)
	assert.Equal(t, other.BrowserSessionID, live[0].BrowserSessionID)

	// The timeout (minutes) ends a session too.
	e.clock.Advance(2 * time.Hour)
	live, err = e.c.GetBrowserSessions(e.ctx)
	require.NoError(t, err)
	assert.Empty(t, live)

	_, err = e.c.GetBrowserSession(e.ctx, "pbs_000000000000000001")
	assert.True(t, client.IsNotFound(err))
	_, err = e.c.CreateBrowserSession(e.ctx, &client.CreateBrowserSessionRequest{BrowserProfileID: "bp_000000000000000001"})
	assert.True(t, client.IsNotFound(err))

	code, _, body = e.raw(t, "POST", "/v1/browser_sessions", "application/json", `{"timeout": 3}`)
	require.Equal(t, 422, code, "%s", body)
	assert.Equal(t, "greater_than_equal", findLoc(t, validation(t, body), "body", "timeout").Type)
}

func TestBrowserProfiles(t *testing.T) {
	e := newEnv(t, sandbox.Options{}, true)
	bs, err := e.c.CreateBrowserSession(e.ctx, &client.CreateBrowserSessionRequest{GenerateBrowserProfile: true})
	require.NoError(t, err)
	require.NoError(t, e.c.CloseBrowserSession(e.ctx, bs.BrowserSessionID))
	p, err := e.c.CreateBrowserProfile(e.ctx, &client.CreateBrowserProfileRequest{Name: "Acme login",
		Description: "Logged in to Acme", BrowserSessionID: bs.BrowserSessionID})
	require.NoError(t, err)
	assert.Regexp(t, `^bp_\d{18}$`, p.BrowserProfileID)
	assert.Equal(t, sandbox.OrganizationID, p.OrganizationID)

	_, err = e.c.CreateBrowserProfile(e.ctx, &client.CreateBrowserProfileRequest{Name: "Acme login"})
	assert.ErrorIs(t, err, client.ErrConflict)
	var apiErr *client.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Contains(t, apiErr.Detail, "already exists")

	e.clock.Advance(time.Second)
	_, err = e.c.CreateBrowserProfile(e.ctx, &client.CreateBrowserProfileRequest{Name: "Blank"})
	require.NoError(t, err)
	_, err = e.c.CreateBrowserProfile(e.ctx, &client.CreateBrowserProfileRequest{Name: "From nowhere", BrowserSessionID: "pbs_000000000000000001"})
	assert.True(t, client.IsNotFound(err), "an unknown session is 404: %v", err)

	list, err := e.c.ListBrowserProfiles(e.ctx, nil)
	require.NoError(t, err)
	require.Len(t, list, 2)
	assert.Equal(t, "Blank", list[0].Name, "newest first")
	list, err = e.c.ListBrowserProfiles(e.ctx, &client.ListBrowserProfilesParams{SearchKey: "acme"})
	require.NoError(t, err)
	require.Len(t, list, 1)
	managed := true
	list, err = e.c.ListBrowserProfiles(e.ctx, &client.ListBrowserProfilesParams{Managed: &managed})
	require.NoError(t, err)
	assert.Empty(t, list)

	got, err := e.c.GetBrowserProfile(e.ctx, p.BrowserProfileID)
	require.NoError(t, err)
	assert.Equal(t, p, got)

	code, _, body := e.raw(t, "DELETE", "/v1/browser_profiles/"+p.BrowserProfileID, "", "")
	assert.Equal(t, 204, code)
	assert.Empty(t, body)
	_, err = e.c.GetBrowserProfile(e.ctx, p.BrowserProfileID)
	assert.True(t, client.IsNotFound(err))
	assert.True(t, client.IsNotFound(e.c.DeleteBrowserProfile(e.ctx, p.BrowserProfileID)))
	list, err = e.c.ListBrowserProfiles(e.ctx, &client.ListBrowserProfilesParams{IncludeDeleted: true})
	require.NoError(t, err)
	assert.Len(t, list, 2)
	_, err = e.c.CreateBrowserProfile(e.ctx, &client.CreateBrowserProfileRequest{Name: "Acme login"})
	assert.NoError(t, err, "a deleted profile's name is free again")
}

func TestUpdateBrowserSessionUntilItEnds(t *testing.T) {
	e := newEnv(t, sandbox.Options{}, true)
	s, err := e.c.CreateBrowserSession(e.ctx, &client.CreateBrowserSessionRequest{Timeout: ptrInt(5), GenerateBrowserProfile: true})
	require.NoError(t, err)
	e.clock.Advance(time.Minute)
	up, err := e.c.UpdateBrowserSession(e.ctx, s.BrowserSessionID, &client.UpdateBrowserSessionRequest{GenerateBrowserProfile: false})
	require.NoError(t, err)
	assert.False(t, up.GenerateBrowserProfile)
	assert.NotEqual(t, s.ModifiedAt, up.ModifiedAt)
	assert.Equal(t, "running", up.Status)

	code, _, body := e.raw(t, "PATCH", "/v1/browser_sessions/"+s.BrowserSessionID, "application/json", `{}`)
	require.Equal(t, 422, code)
	assert.Equal(t, "missing", findLoc(t, validation(t, body), "body", "generate_browser_profile").Type)
	code, _, body = e.raw(t, "PATCH", "/v1/browser_sessions/"+s.BrowserSessionID, "application/json", `{"generate_browser_profile":"maybe"}`)
	require.Equal(t, 422, code)
	assert.Equal(t, "bool_parsing", findLoc(t, validation(t, body), "body", "generate_browser_profile").Type)

	e.clock.Advance(5 * time.Minute) // the 5-minute timeout passes
	_, err = e.c.UpdateBrowserSession(e.ctx, s.BrowserSessionID, &client.UpdateBrowserSessionRequest{GenerateBrowserProfile: true})
	assert.Equal(t, 409, client.StatusCode(err), "%v", err)
	assert.Contains(t, err.Error(), "already ended")
}

func TestUpdateBrowserProfileFields(t *testing.T) {
	e := newEnv(t, sandbox.Options{}, true)
	p, err := e.c.CreateBrowserProfile(e.ctx, &client.CreateBrowserProfileRequest{Name: "shop", Description: "d", ProxyLocation: client.Proxy("RESIDENTIAL"), ProxySessionID: "pxs_1"})
	require.NoError(t, err)
	e.clock.Advance(time.Second)

	// Same name: no conflict with itself. null clears the proxy, not the
	// description (Skyvern skips a None description).
	code, _, body := e.raw(t, "PATCH", "/v1/browser_profiles/"+p.BrowserProfileID, "application/json",
		`{"name":"shop","description":null,"proxy_location":null,"proxy_session_id":null}`)
	require.Equal(t, 200, code, "%s", body)
	var got client.BrowserProfile
	require.NoError(t, json.Unmarshal(body, &got))
	assert.Equal(t, "shop", got.Name)
	assert.Equal(t, "d", got.Description)
	assert.Nil(t, got.ProxyLocation)
	assert.Empty(t, got.ProxySessionID)
	assert.NotEqual(t, p.ModifiedAt, got.ModifiedAt)
	assert.Equal(t, p.CreatedAt, got.CreatedAt)

	geo := &client.ProxyLocation{Geo: &client.GeoTarget{Country: "DE", City: "Berlin"}}
	up, err := e.c.UpdateBrowserProfile(e.ctx, p.BrowserProfileID, &client.UpdateBrowserProfileRequest{ProxyLocation: geo})
	require.NoError(t, err)
	assert.Equal(t, "Berlin", up.ProxyLocation.Geo.City)

	for _, tc := range []struct{ body, typ string }{
		{`{"name":""}`, "string_too_short"},
		{`{"rotate_proxy_session_id":null}`, "bool_type"},
		{`{"proxy_location":"MARS"}`, "enum"},
	} {
		code, _, body := e.raw(t, "PATCH", "/v1/browser_profiles/"+p.BrowserProfileID, "application/json", tc.body)
		require.Equal(t, 422, code, tc.body)
		assert.Equal(t, tc.typ, validation(t, body)[0].Type, tc.body)
	}
	require.NoError(t, e.c.DeleteBrowserProfile(e.ctx, p.BrowserProfileID))
	_, err = e.c.UpdateBrowserProfile(e.ctx, p.BrowserProfileID, &client.UpdateBrowserProfileRequest{Name: "again"})
	assert.True(t, client.IsNotFound(err), "a deleted profile cannot be updated")
	// Its name is free again.
	_, err = e.c.CreateBrowserProfile(e.ctx, &client.CreateBrowserProfileRequest{Name: "shop"})
	require.NoError(t, err)
}

// browser_sessions.py create_browser_session: the request model has no upper
// bound; a timeout above MAX_TIMEOUT (240) is capped and the answer carries
// a warning.
func TestBrowserSessionTimeoutAboveMaximumIsCappedWithWarning(t *testing.T) {
	e := newEnv(t, sandbox.Options{}, true)
	code, _, body := e.raw(t, "POST", "/v1/browser_sessions", "application/json", `{"timeout": 1440}`)
	require.Equal(t, 200, code, "%s", body)
	var got struct {
		ID      string  `json:"browser_session_id"`
		Timeout int     `json:"timeout"`
		Warning *string `json:"warning"`
	}
	require.NoError(t, json.Unmarshal(body, &got))
	assert.Equal(t, sandbox.MaxSessionTimeout, got.Timeout)
	require.NotNil(t, got.Warning)
	assert.Equal(t, "Requested timeout of 1440 minutes exceeds the maximum of 240 minutes (4 hours); this session was capped at 240 minutes. "+
		"Longer browser durations are available on our enterprise plan, please contact sales@skyvern.com", *got.Warning)
	e.clock.Advance(240*time.Minute - time.Second)
	s, err := e.c.GetBrowserSession(e.ctx, got.ID)
	require.NoError(t, err)
	assert.Equal(t, "running", s.Status)
	e.clock.Advance(time.Second)
	s, err = e.c.GetBrowserSession(e.ctx, got.ID)
	require.NoError(t, err)
	assert.Equal(t, "completed", s.Status, "the session ends at the capped timeout")

	// At the maximum: no warning.
	code, _, body = e.raw(t, "POST", "/v1/browser_sessions", "application/json", `{"timeout": 240}`)
	require.Equal(t, 200, code, "%s", body)
	assert.NotContains(t, string(body), "warning")

	// The client no longer refuses what the server accepts.
	long := 1440
	bs, err := e.c.CreateBrowserSession(e.ctx, &client.CreateBrowserSessionRequest{Timeout: &long})
	require.NoError(t, err)
	assert.Equal(t, 240, *bs.Timeout)
}

// close_browser_session answers {"message": "Browser session closed"}, for a
// session already ended too.
func TestCloseBrowserSessionAnswersMessage(t *testing.T) {
	e := newEnv(t, sandbox.Options{}, true)
	bs, err := e.c.CreateBrowserSession(e.ctx, nil)
	require.NoError(t, err)
	for range 2 {
		code, hdr, body := e.raw(t, "POST", "/v1/browser_sessions/"+bs.BrowserSessionID+"/close", "", "")
		assert.Equal(t, 200, code)
		assert.Equal(t, "application/json", hdr.Get("Content-Type"))
		assert.JSONEq(t, `{"message":"Browser session closed"}`, string(body))
	}
	code, _, body := e.raw(t, "POST", "/v1/browser_sessions/pbs_000000000000000001/close", "", "")
	assert.Equal(t, 404, code)
	assert.JSONEq(t, `{"detail":"Browser session pbs_000000000000000001 not found"}`, string(body))
}

// browser_profiles.py _create_profile_from_session: the session must exist
// (404), have been configured to generate a profile (400) and have ended,
// its archive uploaded (400 before), unless it reuses a saved profile.
func TestCreateBrowserProfileFromSessionNeedsPersistedArchive(t *testing.T) {
	e := newEnv(t, sandbox.Options{}, true)
	create := func(name, session string) (int, string) {
		t.Helper()
		code, _, body := e.raw(t, "POST", "/v1/browser_profiles", "application/json",
			`{"name":"`+name+`","browser_session_id":"`+session+`"}`)
		return code, string(body)
	}
	code, body := create("a", "pbs_000000000000000001")
	assert.Equal(t, 404, code)
	assert.JSONEq(t, `{"detail":"Browser session pbs_000000000000000001 does not exist or is not live."}`, body)

	plain, err := e.c.CreateBrowserSession(e.ctx, nil)
	require.NoError(t, err)
	require.NoError(t, e.c.CloseBrowserSession(e.ctx, plain.BrowserSessionID))
	code, body = create("a", plain.BrowserSessionID)
	assert.Equal(t, 400, code)
	assert.JSONEq(t, `{"detail":"This browser session was not configured to generate a browser profile. `+
		`Start a session with generate_browser_profile enabled to capture a profile."}`, body)

	gen, err := e.c.CreateBrowserSession(e.ctx, &client.CreateBrowserSessionRequest{GenerateBrowserProfile: true, BrowserType: "msedge"})
	require.NoError(t, err)
	code, body = create("a", gen.BrowserSessionID)
	assert.Equal(t, 400, code, "still running: no archive yet")
	assert.JSONEq(t, `{"detail":"Browser session does not have a persisted profile archive. `+
		`Close the session and wait for upload before creating a browser profile."}`, body)
	require.NoError(t, e.c.CloseBrowserSession(e.ctx, gen.BrowserSessionID))
	p, err := e.c.CreateBrowserProfile(e.ctx, &client.CreateBrowserProfileRequest{Name: "a", BrowserSessionID: gen.BrowserSessionID})
	require.NoError(t, err)
	assert.Equal(t, "msedge", p.SourceBrowserType)

	// A name taken is 409 in the server's words, once the source is good.
	code, body = create("a", gen.BrowserSessionID)
	assert.Equal(t, 409, code)
	assert.JSONEq(t, `{"detail":"A browser profile named 'a' already exists. Use a different name or delete the existing profile."}`, body)

	// A session reusing a saved profile writes back over it: its archive
	// exists while the profile does.
	reuse, err := e.c.CreateBrowserSession(e.ctx, &client.CreateBrowserSessionRequest{BrowserProfileID: p.BrowserProfileID})
	require.NoError(t, err)
	_, err = e.c.CreateBrowserProfile(e.ctx, &client.CreateBrowserProfileRequest{Name: "b", BrowserSessionID: reuse.BrowserSessionID})
	require.NoError(t, err)
	require.NoError(t, e.c.DeleteBrowserProfile(e.ctx, p.BrowserProfileID))
	code, body = create("c", reuse.BrowserSessionID)
	assert.Equal(t, 400, code)
	assert.Contains(t, body, "This browser session reused profile "+p.BrowserProfileID+", whose archive is unavailable.")
}

// browser_profiles.py _create_profile_from_workflow_run: the workflow run
// must exist (404), its workflow persist browser sessions (400) and the
// session have been persisted after the run (400 before).
func TestCreateBrowserProfileFromWorkflowRunNeedsPersistedSession(t *testing.T) {
	e := newEnv(t, sandbox.Options{RunDuration: time.Second}, true)
	create := func(name, runID string) (int, string) {
		t.Helper()
		code, _, body := e.raw(t, "POST", "/v1/browser_profiles", "application/json",
			`{"name":"`+name+`","workflow_run_id":"`+runID+`"}`)
		return code, string(body)
	}
	code, body := create("a", "wr_000000000000000001")
	assert.Equal(t, 404, code)
	assert.JSONEq(t, `{"detail":"WorkflowRun wr_000000000000000001 not found"}`, body)
	task, err := e.c.RunTask(e.ctx, &client.TaskRunRequest{Prompt: "x"})
	require.NoError(t, err)
	code, _ = create("a", task.RunID)
	assert.Equal(t, 404, code, "a task run is no workflow run")

	plainRun := finishedRun(t, e, "", "no persistence")
	code, body = create("a", plainRun)
	assert.Equal(t, 400, code)
	assert.JSONEq(t, `{"detail":"Workflow does not persist browser sessions"}`, body)

	wf, err := e.c.CreateWorkflow(e.ctx, &client.WorkflowRequest{JSONDefinition: map[string]any{"title": "Persisting",
		"persist_browser_session": true, "workflow_definition": map[string]any{"parameters": []any{},
			"blocks": []any{map[string]any{"block_type": "navigation", "label": "go", "navigation_goal": "Log in"}}}}}, "")
	require.NoError(t, err)
	require.True(t, wf.PersistBrowserSession)
	run, err := e.c.RunWorkflow(e.ctx, &client.WorkflowRunRequest{WorkflowID: wf.WorkflowPermanentID})
	require.NoError(t, err)
	code, body = create("a", run.RunID)
	assert.Equal(t, 400, code, "the session is persisted once the run has ended")
	assert.JSONEq(t, `{"detail":"Workflow run does not have a persisted session"}`, body)
	e.clock.Advance(2 * time.Second)
	p, err := e.c.CreateBrowserProfile(e.ctx, &client.CreateBrowserProfileRequest{Name: "a", WorkflowRunID: run.RunID})
	require.NoError(t, err)
	assert.Regexp(t, `^bp_\d{18}$`, p.BrowserProfileID)
}

// CreateBrowserProfileRequest's model validator: one source at most (422).
func TestCreateBrowserProfileWithBothSourcesIs422(t *testing.T) {
	e := newEnv(t, sandbox.Options{}, false)
	code, _, body := e.raw(t, "POST", "/v1/browser_profiles", "application/json",
		`{"name":"a","browser_session_id":"pbs_1","workflow_run_id":"wr_1"}`)
	require.Equal(t, 422, code, "%s", body)
	ve := findLoc(t, validation(t, body), "body")
	assert.Equal(t, "value_error", ve.Type)
	assert.Equal(t, "Value error, Provide only one of browser_session_id or workflow_run_id", ve.Msg)
}

// update_browser_profile: a null description is no change (the
// repository skips None), a sticky proxy session goes with RESIDENTIAL_ISP
// only (proxy_pinning.apply_proxy_pin_update), a taken name is 409 in the
// server's words.
func TestUpdateBrowserProfileFollowsServerRules(t *testing.T) {
	e := newEnv(t, sandbox.Options{}, false)
	p, err := e.c.CreateBrowserProfile(e.ctx, &client.CreateBrowserProfileRequest{Name: "shop", Description: "kept"})
	require.NoError(t, err)
	_, err = e.c.CreateBrowserProfile(e.ctx, &client.CreateBrowserProfileRequest{Name: "taken"})
	require.NoError(t, err)
	patch := func(body string) (int, client.BrowserProfile, string) {
		t.Helper()
		code, _, b := e.raw(t, "PATCH", "/v1/browser_profiles/"+p.BrowserProfileID, "application/json", body)
		var got client.BrowserProfile
		_ = json.Unmarshal(b, &got)
		return code, got, string(b)
	}
	code, got, _ := patch(`{"description":null}`)
	require.Equal(t, 200, code)
	assert.Equal(t, "kept", got.Description)

	code, got, _ = patch(`{"proxy_session_id":"pxs_sticky"}`)
	require.Equal(t, 200, code)
	require.NotNil(t, got.ProxyLocation)
	assert.Equal(t, "RESIDENTIAL_ISP", got.ProxyLocation.Preset, "a session ID alone pins RESIDENTIAL_ISP")
	assert.Equal(t, "pxs_sticky", got.ProxySessionID)
	code, got, _ = patch(`{"proxy_location":"RESIDENTIAL_GB","proxy_session_id":"pxs_other"}`)
	require.Equal(t, 200, code)
	assert.Equal(t, "RESIDENTIAL_GB", got.ProxyLocation.Preset)
	assert.Empty(t, got.ProxySessionID, "no sticky session outside RESIDENTIAL_ISP")
	code, got, _ = patch(`{"proxy_location":"RESIDENTIAL_ISP","proxy_session_id":"pxs_isp"}`)
	require.Equal(t, 200, code)
	assert.Equal(t, "pxs_isp", got.ProxySessionID)
	code, got, _ = patch(`{"proxy_session_id":""}`)
	require.Equal(t, 200, code)
	assert.Nil(t, got.ProxyLocation, "an empty session ID unpins both")
	assert.Empty(t, got.ProxySessionID)

	code, _, body := patch(`{"name":"taken"}`)
	assert.Equal(t, 409, code)
	assert.JSONEq(t, `{"detail":"A browser profile named 'taken' already exists. Use a different name or delete the existing profile."}`, body)
}
