package client

import (
	"context"
	"errors"
	"fmt"
	"net/http"
)

// WorkflowScheduleUpsertRequest is the body of POST
// /v1/agents/{workflow_permanent_id}/schedules and of PUT
// /v1/agents/{workflow_permanent_id}/schedules/{workflow_schedule_id}
// (WorkflowScheduleUpsertRequest schema). CronExpression has five fields
// (minute hour day-of-month month day-of-week) and is read in Timezone, an
// IANA name such as "Europe/Paris". Skyvern refuses expressions that fire
// more often than every 5 minutes. A PUT replaces every field: an omitted
// Enabled means true (the API's default), omitted Parameters, Name or
// Description are cleared.
type WorkflowScheduleUpsertRequest struct {
	CronExpression string         `json:"cron_expression" jsonschema:"required" jsonschema_description:"5-field cron (min hour day month weekday), e.g. 0 9 * * 1-5; at least 5 min apart."`
	Timezone       string         `json:"timezone" jsonschema:"required" jsonschema_description:"IANA time zone the cron is read in, e.g. UTC or America/New_York."`
	Enabled        *bool          `json:"enabled,omitempty" jsonschema_description:"Whether the schedule fires. Default true."`
	Parameters     map[string]any `json:"parameters,omitempty" jsonschema_description:"The workflow's parameter values by key; each one without a default is required."`
	Name           string         `json:"name,omitempty" jsonschema_description:"Name of the schedule."`
	Description    string         `json:"description,omitempty" jsonschema_description:"What the schedule is for."`
}

// WorkflowSchedule is a schedule of a workflow (WorkflowSchedule schema), ID
// wfs_... Timestamps are ISO 8601 strings.
type WorkflowSchedule struct {
	WorkflowScheduleID  string         `json:"workflow_schedule_id"`
	OrganizationID      string         `json:"organization_id"`
	WorkflowPermanentID string         `json:"workflow_permanent_id"`
	CronExpression      string         `json:"cron_expression"`
	Timezone            string         `json:"timezone"`
	Enabled             bool           `json:"enabled"`
	Parameters          map[string]any `json:"parameters,omitempty"`
	TemporalScheduleID  string         `json:"temporal_schedule_id,omitempty"`
	Name                string         `json:"name,omitempty"`
	Description         string         `json:"description,omitempty"`
	CreatedAt           string         `json:"created_at"`
	ModifiedAt          string         `json:"modified_at"`
	DeletedAt           string         `json:"deleted_at,omitempty"`
}

// WorkflowScheduleResponse is a schedule with its next fire times
// (WorkflowScheduleResponse schema): NextRuns are ISO 8601 date-times in
// UTC, the next five in Skyvern's answers, computed whether or not the
// schedule is enabled.
type WorkflowScheduleResponse struct {
	Schedule WorkflowSchedule `json:"schedule"`
	NextRuns []string         `json:"next_runs,omitempty"`
}

func (r *WorkflowScheduleResponse) validate() error {
	if r.Schedule.WorkflowScheduleID == "" {
		return errors.New("the answer is not a schedule: schedule.workflow_schedule_id is missing")
	}
	return nil
}

// WorkflowScheduleListResponse is the answer of GET
// /v1/agents/{workflow_permanent_id}/schedules (WorkflowScheduleListResponse
// schema).
type WorkflowScheduleListResponse struct {
	Schedules []WorkflowSchedule `json:"schedules"`
}

// ScheduleStatus filters GET /v1/schedules: active (enabled) or paused
// (disabled) schedules.
type ScheduleStatus string

// EnumValues lists every schedule status filter.
func (ScheduleStatus) EnumValues() []string { return []string{"active", "paused"} }

// OrganizationScheduleItem is one schedule in the organization-wide list
// (OrganizationScheduleItem schema): the schedule with its workflow's
// title and, when it is enabled, its next fire time in UTC (NextRun). It
// has no temporal_schedule_id.
type OrganizationScheduleItem struct {
	WorkflowScheduleID  string         `json:"workflow_schedule_id"`
	OrganizationID      string         `json:"organization_id"`
	WorkflowPermanentID string         `json:"workflow_permanent_id"`
	WorkflowTitle       string         `json:"workflow_title"`
	CronExpression      string         `json:"cron_expression"`
	Timezone            string         `json:"timezone"`
	Enabled             bool           `json:"enabled"`
	Parameters          map[string]any `json:"parameters,omitempty"`
	Name                string         `json:"name,omitempty"`
	Description         string         `json:"description,omitempty"`
	NextRun             string         `json:"next_run,omitempty"`
	CreatedAt           string         `json:"created_at"`
	ModifiedAt          string         `json:"modified_at"`
}

// OrganizationScheduleListResponse is a page of GET /v1/schedules
// (OrganizationScheduleListResponse schema); TotalCount counts every
// matching schedule, not only this page.
type OrganizationScheduleListResponse struct {
	Schedules  []OrganizationScheduleItem `json:"schedules"`
	TotalCount int                        `json:"total_count"`
	Page       int                        `json:"page"`
	PageSize   int                        `json:"page_size"`
}

func (r *OrganizationScheduleListResponse) validate() error {
	if r.Schedules == nil || r.Page == 0 {
		return errors.New("the answer is not a schedule list: schedules or page is missing")
	}
	return nil
}

// ListAllSchedulesParams filters GET /v1/schedules. Page starts at 1
// (default 1); PageSize is 1-100 (default 10).
type ListAllSchedulesParams struct {
	Page     int            `url:"page,omitempty" json:"page,omitempty" jsonschema:"minimum=1" jsonschema_description:"Page number, from 1. Default 1."`
	PageSize int            `url:"page_size,omitempty" json:"page_size,omitempty" jsonschema:"minimum=1,maximum=100" jsonschema_description:"Schedules per page, 1-100. Default 10."`
	Status   ScheduleStatus `url:"status,omitempty" json:"status,omitempty" jsonschema_description:"active (enabled) or paused (disabled) only."`
	Search   string         `url:"search,omitempty" json:"search,omitempty" jsonschema_description:"Search workflow titles and schedule names."`
}

// DeleteScheduleResponse is the answer of a schedule delete
// (DeleteScheduleResponse schema).
type DeleteScheduleResponse struct {
	OK bool `json:"ok"`
}

func validateScheduleRequest(op string, req *WorkflowScheduleUpsertRequest) error {
	switch {
	case req == nil:
		return fmt.Errorf("%s: cron_expression and timezone are required", op)
	case req.CronExpression == "":
		return fmt.Errorf("%s: cron_expression is required (5 fields: minute hour day-of-month month day-of-week, e.g. \"0 9 * * 1-5\")", op)
	case req.Timezone == "":
		return fmt.Errorf("%s: timezone is required (an IANA name such as \"UTC\" or \"America/New_York\")", op)
	}
	return nil
}

func scheduleIDs(op, workflowPermanentID, scheduleID string) error {
	if workflowPermanentID == "" {
		return fmt.Errorf("%s: workflow_permanent_id is required (wpid_...)", op)
	}
	if scheduleID == "" {
		return fmt.Errorf("%s: workflow_schedule_id is required (wfs_...)", op)
	}
	return nil
}

// CreateSchedule adds a schedule to a workflow: POST
// /v1/agents/{workflow_permanent_id}/schedules. Every firing starts a
// billed workflow run. Skyvern answers 404 for an unknown workflow and an
// error naming the field for a bad cron expression, time zone or parameter.
// Never retried.
func (c *Client) CreateSchedule(ctx context.Context, workflowPermanentID string, req *WorkflowScheduleUpsertRequest) (*WorkflowScheduleResponse, error) {
	if workflowPermanentID == "" {
		return nil, fmt.Errorf("schedules_create: workflow_permanent_id is required (wpid_...)")
	}
	if err := validateScheduleRequest("schedules_create", req); err != nil {
		return nil, err
	}
	r := &request{method: http.MethodPost, path: pathf("/agents/%s/schedules", workflowPermanentID), body: req}
	return doJSON[WorkflowScheduleResponse](ctx, c, r)
}

// ListSchedules lists a workflow's schedules: GET
// /v1/agents/{workflow_permanent_id}/schedules (404 for an unknown
// workflow).
func (c *Client) ListSchedules(ctx context.Context, workflowPermanentID string) ([]WorkflowSchedule, error) {
	if workflowPermanentID == "" {
		return nil, fmt.Errorf("schedules_list: workflow_permanent_id is required (wpid_...)")
	}
	var out WorkflowScheduleListResponse
	if _, err := c.do(ctx, &request{method: http.MethodGet, path: pathf("/agents/%s/schedules", workflowPermanentID)}, &out); err != nil {
		return nil, err
	}
	if out.Schedules == nil {
		out.Schedules = []WorkflowSchedule{}
	}
	return out.Schedules, nil
}

// ListAllSchedules lists the schedules of every workflow of the
// organization, newest first, a page at a time: GET /v1/schedules.
func (c *Client) ListAllSchedules(ctx context.Context, params *ListAllSchedulesParams) (*OrganizationScheduleListResponse, error) {
	if params != nil && (params.PageSize < 0 || params.PageSize > 100) {
		return nil, fmt.Errorf("schedules_list_all: page_size must be between 1 and 100, got %d", params.PageSize)
	}
	return doJSON[OrganizationScheduleListResponse](ctx, c, &request{method: http.MethodGet, path: "/schedules", query: queryOf(params)})
}

// GetSchedule returns one schedule with its next fire times: GET
// /v1/agents/{workflow_permanent_id}/schedules/{workflow_schedule_id} (404
// when either is unknown or the schedule belongs to another workflow).
func (c *Client) GetSchedule(ctx context.Context, workflowPermanentID, scheduleID string) (*WorkflowScheduleResponse, error) {
	if err := scheduleIDs("schedules_get", workflowPermanentID, scheduleID); err != nil {
		return nil, err
	}
	r := &request{method: http.MethodGet, path: pathf("/agents/%s/schedules/%s", workflowPermanentID, scheduleID)}
	return doJSON[WorkflowScheduleResponse](ctx, c, r)
}

// UpdateSchedule replaces a schedule's settings: PUT
// /v1/agents/{workflow_permanent_id}/schedules/{workflow_schedule_id}.
// Every field is replaced: a nil Enabled means true. Not retried.
func (c *Client) UpdateSchedule(ctx context.Context, workflowPermanentID, scheduleID string, req *WorkflowScheduleUpsertRequest) (*WorkflowScheduleResponse, error) {
	if err := scheduleIDs("schedules_update", workflowPermanentID, scheduleID); err != nil {
		return nil, err
	}
	if err := validateScheduleRequest("schedules_update", req); err != nil {
		return nil, err
	}
	r := &request{method: http.MethodPut, path: pathf("/agents/%s/schedules/%s", workflowPermanentID, scheduleID), body: req}
	return doJSON[WorkflowScheduleResponse](ctx, c, r)
}

// DeleteSchedule deletes a schedule: DELETE
// /v1/agents/{workflow_permanent_id}/schedules/{workflow_schedule_id}
// (200 {"ok": true}; 404 when it is already gone).
func (c *Client) DeleteSchedule(ctx context.Context, workflowPermanentID, scheduleID string) (*DeleteScheduleResponse, error) {
	if err := scheduleIDs("schedules_delete", workflowPermanentID, scheduleID); err != nil {
		return nil, err
	}
	r := &request{method: http.MethodDelete, path: pathf("/agents/%s/schedules/%s", workflowPermanentID, scheduleID)}
	return doJSON[DeleteScheduleResponse](ctx, c, r)
}

// EnableSchedule turns a schedule on: POST
// /v1/agents/{workflow_permanent_id}/schedules/{workflow_schedule_id}/enable.
// Enabling an enabled schedule changes nothing.
func (c *Client) EnableSchedule(ctx context.Context, workflowPermanentID, scheduleID string) (*WorkflowScheduleResponse, error) {
	return c.setScheduleEnabled(ctx, "schedules_enable", "enable", workflowPermanentID, scheduleID)
}

// DisableSchedule pauses a schedule: POST
// /v1/agents/{workflow_permanent_id}/schedules/{workflow_schedule_id}/disable.
// Runs already started are not affected.
func (c *Client) DisableSchedule(ctx context.Context, workflowPermanentID, scheduleID string) (*WorkflowScheduleResponse, error) {
	return c.setScheduleEnabled(ctx, "schedules_disable", "disable", workflowPermanentID, scheduleID)
}

func (c *Client) setScheduleEnabled(ctx context.Context, op, verb, workflowPermanentID, scheduleID string) (*WorkflowScheduleResponse, error) {
	if err := scheduleIDs(op, workflowPermanentID, scheduleID); err != nil {
		return nil, err
	}
	r := &request{method: http.MethodPost, path: pathf("/agents/%s/schedules/%s/"+verb, workflowPermanentID, scheduleID)}
	return doJSON[WorkflowScheduleResponse](ctx, c, r)
}
