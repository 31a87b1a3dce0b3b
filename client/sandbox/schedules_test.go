package sandbox_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/skyvern-mcp/skyvern-mcp/client"
	"github.com/skyvern-mcp/skyvern-mcp/client/sandbox"
)

// newScheduleEnv starts a fake-clock sandbox (Sunday 2026-11-29
// 19:43:32 UTC) with a workflow that has one optional parameter.
func newScheduleEnv(t *testing.T) (*env, string) {
	t.Helper()
	e := newEnv(t, sandbox.Options{RunDuration: -1}, true)
	wf, err := e.c.CreateWorkflow(e.ctx, &client.WorkflowRequest{JSONDefinition: map[string]any{"title": "Prices", "workflow_definition": map[string]any{
		"parameters": []any{map[string]any{"parameter_type": "workflow", "key": "q", "workflow_parameter_type": "string", "default_value": "tv"}},
		"blocks":     []any{},
	}}}, "")
	require.NoError(t, err)
	return e, wf.WorkflowPermanentID
}

func TestScheduleNextRuns(t *testing.T) {
	e, wpid := newScheduleEnv(t)
	for _, tc := range []struct {
		cron, tz string
		want     []string
	}{
		// 14:43 on a Sunday in New York (UTC-5): weekdays at 9:30 local.
		{"30 9 * * 1-5", "America/New_York", []string{"2026-11-30T14:30:00.000000Z", "2026-12-01T14:30:00.000000Z",
			"2026-12-02T14:30:00.000000Z", "2026-12-03T14:30:00.000000Z", "2026-12-04T14:30:00.000000Z"}},
		// Already 01:13 on Monday in India (UTC+5:30).
		{"0 9 * * *", "Asia/Kolkata", []string{"2026-11-30T03:30:00.000000Z", "2026-12-01T03:30:00.000000Z",
			"2026-12-02T03:30:00.000000Z", "2026-12-03T03:30:00.000000Z", "2026-12-04T03:30:00.000000Z"}},
		{"@monthly", "UTC", []string{"2026-12-01T00:00:00.000000Z", "2027-01-01T00:00:00.000000Z", "2027-02-01T00:00:00.000000Z",
			"2027-03-01T00:00:00.000000Z", "2027-04-01T00:00:00.000000Z"}},
		{"*/5 * * * *", "UTC", []string{"2026-11-29T19:45:00.000000Z", "2026-11-29T19:50:00.000000Z", "2026-11-29T19:55:00.000000Z",
			"2026-11-29T20:00:00.000000Z", "2026-11-29T20:05:00.000000Z"}},
	} {
		res, err := e.c.CreateSchedule(e.ctx, wpid, &client.WorkflowScheduleUpsertRequest{CronExpression: tc.cron, Timezone: tc.tz})
		require.NoError(t, err, tc.cron)
		assert.Equal(t, tc.want, res.NextRuns, "%s in %s", tc.cron, tc.tz)
		requireDateTime(t, res.Schedule.CreatedAt, false)
		assert.Regexp(t, `^wfs_\d{18}$`, res.Schedule.WorkflowScheduleID)
		assert.Nil(t, res.Schedule.Parameters, "no parameters: the default applies")
	}
}

func TestScheduleNextRunsFollowDST(t *testing.T) {
	now := time.Date(2026, 3, 7, 12, 0, 0, 0, time.UTC) // the day before New York moves to UTC-4
	e := newEnv(t, sandbox.Options{RunDuration: -1, Now: func() time.Time { return now }}, false)
	wf, err := e.c.CreateWorkflow(e.ctx, &client.WorkflowRequest{JSONDefinition: jsonDef("DST")}, "")
	require.NoError(t, err)
	res, err := e.c.CreateSchedule(e.ctx, wf.WorkflowPermanentID, &client.WorkflowScheduleUpsertRequest{CronExpression: "0 9 * * *", Timezone: "America/New_York"})
	require.NoError(t, err)
	assert.Equal(t, []string{"2026-03-07T14:00:00.000000Z", "2026-03-08T13:00:00.000000Z", "2026-03-09T13:00:00.000000Z",
		"2026-03-10T13:00:00.000000Z", "2026-03-11T13:00:00.000000Z"}, res.NextRuns)
}

func TestScheduleValidation(t *testing.T) {
	e, wpid := newScheduleEnv(t)
	path := "/v1/agents/" + wpid + "/schedules"
	for _, tc := range []struct {
		body, field, msg string
	}{
		{`{"cron_expression":"0 9 * *","timezone":"UTC"}`, "cron_expression", "Value error, Invalid cron expression: expected 5 fields (minute hour day-of-month month day-of-week), got 4"},
		{`{"cron_expression":"0 0 9 * * *","timezone":"UTC"}`, "cron_expression", "got 6"},
		{`{"cron_expression":"0 25 * * *","timezone":"UTC"}`, "cron_expression", "Invalid cron expression"},
		{`{"cron_expression":"@every 1h","timezone":"UTC"}`, "cron_expression", "@every is not supported"},
		{`{"cron_expression":"CRON_TZ=UTC 0 9 * * *","timezone":"UTC"}`, "cron_expression", "not in the expression"},
		{`{"cron_expression":"0 0 30 2 *","timezone":"UTC"}`, "cron_expression", "it never fires"},
		{`{"cron_expression":"*/4 * * * *","timezone":"UTC"}`, "cron_expression", "Value error, Cron interval must be at least 5 minutes"},
		// 19:43 now: the next two firings are 20:00 and 20:01.
		{`{"cron_expression":"0,1 * * * *","timezone":"UTC"}`, "cron_expression", "at least 5 minutes"},
		{`{"cron_expression":"0 9 * * *","timezone":"Mars/Olympus"}`, "timezone", "Value error, Invalid timezone 'Mars/Olympus'"},
		{`{"cron_expression":"0 9 * * *","timezone":"Local"}`, "timezone", "Invalid timezone 'Local'"},
		{`{"cron_expression":"0 9 * * *","timezone":""}`, "timezone", "Invalid timezone ''"},
		{`{"cron_expression":"0 9 * * *"}`, "timezone", "Field required"},
		{`{"cron_expression":9,"timezone":"UTC"}`, "cron_expression", "Input should be a valid string"},
		{`{"cron_expression":"0 9 * * *","timezone":"UTC","enabled":"maybe"}`, "enabled", "Input should be a valid boolean"},
		{`{"cron_expression":"0 9 * * *","timezone":"UTC","parameters":[1]}`, "parameters", "Input should be a valid dictionary"},
	} {
		code, _, body := e.raw(t, "POST", path, "application/json", tc.body)
		require.Equal(t, 422, code, "%s: %s", tc.body, body)
		v := findLoc(t, validation(t, body), "body", tc.field)
		assert.Contains(t, v.Msg, tc.msg, tc.body)
	}
	// Both a bad cron and a bad zone are reported at once.
	code, _, body := e.raw(t, "POST", path, "application/json", `{"cron_expression":"nope","timezone":"Nope/Nope"}`)
	require.Equal(t, 422, code)
	assert.Len(t, validation(t, body), 2)

	// Parameters are checked against the workflow's: unknown keys and
	// missing required ones are a 400, as Skyvern answers.
	code, _, body = e.raw(t, "POST", path, "application/json", `{"cron_expression":"0 9 * * *","timezone":"UTC","parameters":{"q":"x","zz":1}}`)
	assert.Equal(t, 400, code)
	assert.JSONEq(t, `{"detail":"Unknown schedule parameters for workflow `+wpid+`: zz"}`, string(body))
	assert.Empty(t, mustList(t, e, wpid), "nothing is created by a refused request")

	// A missing workflow is a 404, after the body is validated.
	code, _, body = e.raw(t, "POST", "/v1/agents/wpid_000000000000000001/schedules", "application/json", `{"cron_expression":"0 9 * * *","timezone":"UTC"}`)
	assert.Equal(t, 404, code)
	assert.JSONEq(t, `{"detail":"Workflow wpid_000000000000000001 not found"}`, string(body))
}

func mustList(t *testing.T, e *env, wpid string) []client.WorkflowSchedule {
	t.Helper()
	list, err := e.c.ListSchedules(e.ctx, wpid)
	require.NoError(t, err)
	return list
}

func TestScheduleLifecycle(t *testing.T) {
	e, wpid := newScheduleEnv(t)
	off := false
	created, err := e.c.CreateSchedule(e.ctx, wpid, &client.WorkflowScheduleUpsertRequest{CronExpression: "0 8 * * *", Timezone: "UTC",
		Enabled: &off, Name: "Morning", Parameters: map[string]any{"q": "laptops"}})
	require.NoError(t, err)
	id := created.Schedule.WorkflowScheduleID
	assert.False(t, created.Schedule.Enabled)
	assert.Len(t, created.NextRuns, 5, "next_runs are computed even while disabled")

	// enable flips the state and modified_at; a second enable changes nothing.
	e.clock.Advance(time.Minute)
	on, err := e.c.EnableSchedule(e.ctx, wpid, id)
	require.NoError(t, err)
	assert.True(t, on.Schedule.Enabled)
	assert.NotEqual(t, created.Schedule.ModifiedAt, on.Schedule.ModifiedAt)
	e.clock.Advance(time.Minute)
	again, err := e.c.EnableSchedule(e.ctx, wpid, id)
	require.NoError(t, err)
	assert.Equal(t, on.Schedule.ModifiedAt, again.Schedule.ModifiedAt)
	disabled, err := e.c.DisableSchedule(e.ctx, wpid, id)
	require.NoError(t, err)
	assert.False(t, disabled.Schedule.Enabled)

	// PUT replaces everything; an omitted enabled means true.
	up, err := e.c.UpdateSchedule(e.ctx, wpid, id, &client.WorkflowScheduleUpsertRequest{CronExpression: "15 8 * * *", Timezone: "Europe/Paris"})
	require.NoError(t, err)
	assert.True(t, up.Schedule.Enabled)
	assert.Empty(t, up.Schedule.Name)
	assert.Nil(t, up.Schedule.Parameters)
	assert.Equal(t, "2026-11-30T07:15:00.000000Z", up.NextRuns[0])
	assert.Equal(t, created.Schedule.CreatedAt, up.Schedule.CreatedAt)

	// Update checks the IDs before the cron expression; the body's shape
	// comes first of all.
	code, _, body := e.raw(t, "PUT", "/v1/agents/"+wpid+"/schedules/wfs_000000000000000001", "application/json", `{"cron_expression":"bad","timezone":"UTC"}`)
	assert.Equal(t, 404, code, "%s", body)
	code, _, _ = e.raw(t, "PUT", "/v1/agents/"+wpid+"/schedules/wfs_000000000000000001", "application/json", `{"timezone":"UTC"}`)
	assert.Equal(t, 422, code)

	// A schedule is only reachable through its own workflow.
	other, err := e.c.CreateWorkflow(e.ctx, &client.WorkflowRequest{JSONDefinition: jsonDef("Other")}, "")
	require.NoError(t, err)
	_, err = e.c.GetSchedule(e.ctx, other.WorkflowPermanentID, id)
	assert.True(t, client.IsNotFound(err))
	assert.Empty(t, mustList(t, e, other.WorkflowPermanentID))

	del, err := e.c.DeleteSchedule(e.ctx, wpid, id)
	require.NoError(t, err)
	assert.True(t, del.OK)
	assert.Empty(t, mustList(t, e, wpid))
	_, err = e.c.DisableSchedule(e.ctx, wpid, id)
	assert.True(t, client.IsNotFound(err))
}

func TestListAllSchedules(t *testing.T) {
	e, wpid := newScheduleEnv(t)
	var ids []string
	for i, name := range []string{"alpha", "beta", "gamma"} {
		e.clock.Advance(time.Second)
		enabled := i != 1
		res, err := e.c.CreateSchedule(e.ctx, wpid, &client.WorkflowScheduleUpsertRequest{CronExpression: "0 12 * * *", Timezone: "UTC", Name: name, Enabled: &enabled})
		require.NoError(t, err)
		ids = append(ids, res.Schedule.WorkflowScheduleID)
	}
	page, err := e.c.ListAllSchedules(e.ctx, &client.ListAllSchedulesParams{Page: 2, PageSize: 2})
	require.NoError(t, err)
	assert.Equal(t, 3, page.TotalCount)
	assert.Equal(t, 2, page.Page)
	require.Len(t, page.Schedules, 1)
	assert.Equal(t, ids[0], page.Schedules[0].WorkflowScheduleID, "newest first: the oldest is on page 2")
	item := page.Schedules[0]
	assert.Equal(t, "Prices", item.WorkflowTitle)
	assert.Equal(t, "2026-11-30T12:00:00.000000Z", item.NextRun)

	paused, err := e.c.ListAllSchedules(e.ctx, &client.ListAllSchedulesParams{Status: "paused"})
	require.NoError(t, err)
	require.Len(t, paused.Schedules, 1)
	assert.Equal(t, "beta", paused.Schedules[0].Name)
	assert.Empty(t, paused.Schedules[0].NextRun)
	byTitle, err := e.c.ListAllSchedules(e.ctx, &client.ListAllSchedulesParams{Search: "PRICES"})
	require.NoError(t, err)
	assert.Equal(t, 3, byTitle.TotalCount, "search matches the workflow title, case-insensitively")

	code, _, body := e.raw(t, "GET", "/v1/schedules?page_size=101", "", "")
	require.Equal(t, 422, code)
	assert.Equal(t, "less_than_equal", findLoc(t, validation(t, body), "query", "page_size").Type)
	code, _, body = e.raw(t, "GET", "/v1/schedules?status=running", "", "")
	require.Equal(t, 422, code)
	assert.Equal(t, "enum", findLoc(t, validation(t, body), "query", "status").Type)

	// The raw item has no temporal_schedule_id; the per-workflow view has.
	_, _, raw := e.raw(t, "GET", "/v1/schedules", "", "")
	var m map[string]any
	require.NoError(t, json.Unmarshal(raw, &m))
	first := m["schedules"].([]any)[0].(map[string]any)
	assert.NotContains(t, first, "temporal_schedule_id")
	got, err := e.c.GetSchedule(e.ctx, wpid, ids[0])
	require.NoError(t, err)
	assert.NotEmpty(t, got.Schedule.TemporalScheduleID)
}
