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
	assert.Equal(t, "null", string(body))

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

	for _, minutes := range []string{"3", "241"} {
		code, _, body := e.raw(t, "POST", "/v1/browser_sessions", "application/json", `{"timeout": `+minutes+`}`)
		require.Equal(t, 422, code, "%s", body)
		ve := findLoc(t, validation(t, body), "body", "timeout")
		assert.Contains(t, []string{"greater_than_equal", "less_than_equal"}, ve.Type)
	}
}

func TestBrowserProfiles(t *testing.T) {
	e := newEnv(t, sandbox.Options{}, true)
	bs, err := e.c.CreateBrowserSession(e.ctx, nil)
	require.NoError(t, err)
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
	assert.ErrorIs(t, err, client.ErrBadRequest)

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

	// Same name: no conflict with itself. null clears description and proxy.
	code, _, body := e.raw(t, "PATCH", "/v1/browser_profiles/"+p.BrowserProfileID, "application/json",
		`{"name":"shop","description":null,"proxy_location":null,"proxy_session_id":null}`)
	require.Equal(t, 200, code, "%s", body)
	var got client.BrowserProfile
	require.NoError(t, json.Unmarshal(body, &got))
	assert.Equal(t, "shop", got.Name)
	assert.Empty(t, got.Description)
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
