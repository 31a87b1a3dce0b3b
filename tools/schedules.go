package tools

import (
	"context"
	"fmt"

	"github.com/skyvern-mcp/skyvern-mcp/client"
)

// ScheduleWorkflowInput names the workflow whose schedules a tool reads.
type ScheduleWorkflowInput struct {
	WorkflowPermanentID string `json:"workflow_permanent_id" jsonschema:"required" jsonschema_description:"Workflow permanent ID (wpid_...)."`
}

// ScheduleIDInput names one schedule of a workflow.
type ScheduleIDInput struct {
	ScheduleWorkflowInput
	WorkflowScheduleID string `json:"workflow_schedule_id" jsonschema:"required" jsonschema_description:"Schedule ID (wfs_...)."`
}

// ScheduleCreateInput is schedules_create's input.
type ScheduleCreateInput struct {
	ScheduleWorkflowInput
	client.WorkflowScheduleUpsertRequest
}

// ScheduleUpdateInput is schedules_update's input.
type ScheduleUpdateInput struct {
	ScheduleIDInput
	client.WorkflowScheduleUpsertRequest
}

// SchedulesResult is schedules_list's output.
type SchedulesResult struct {
	WorkflowPermanentID string                    `json:"workflow_permanent_id"`
	Count               int                       `json:"count"`
	Schedules           []client.WorkflowSchedule `json:"schedules"`
}

func scheduleTools() []Tool {
	return []Tool{
		define(spec{name: "schedules_list_all", title: "List all schedules", toolset: ToolsetSchedules, hints: readHints,
			description: "List the schedules of every workflow, newest first, a page at a time; filter by status (active, paused) or search workflow titles and schedule names. Enabled ones show next_run (UTC)."},
			func(ctx context.Context, c *call, in *client.ListAllSchedulesParams) (*client.OrganizationScheduleListResponse, error) {
				return c.client.ListAllSchedules(ctx, in)
			}),
		define(spec{name: "schedules_create", title: "Schedule a workflow", toolset: ToolsetSchedules, hints: hints{},
			description: "Run a workflow (wpid_...) on a cron schedule in a time zone; this COSTS MONEY, as every firing is a billed workflow run, so create it once. Returns the schedule (wfs_...) and its next 5 run times (UTC)."},
			func(ctx context.Context, c *call, in *ScheduleCreateInput) (*client.WorkflowScheduleResponse, error) {
				return c.client.CreateSchedule(ctx, in.WorkflowPermanentID, &in.WorkflowScheduleUpsertRequest)
			}),
		define(spec{name: "schedules_list", title: "List a workflow's schedules", toolset: ToolsetSchedules, hints: readHints,
			description: "List the schedules of one workflow (wpid_...), newest first: cron expression, time zone, enabled, parameters, name."},
			func(ctx context.Context, c *call, in *ScheduleWorkflowInput) (*SchedulesResult, error) {
				ss, err := c.client.ListSchedules(ctx, in.WorkflowPermanentID)
				if err != nil {
					return nil, err
				}
				return &SchedulesResult{WorkflowPermanentID: in.WorkflowPermanentID, Count: len(ss), Schedules: ss}, nil
			}),
		define(spec{name: "schedules_get", title: "Get a schedule", toolset: ToolsetSchedules, hints: readHints,
			description: "Get one schedule (wfs_...) of a workflow (wpid_...) with its next 5 run times (UTC)."},
			func(ctx context.Context, c *call, in *ScheduleIDInput) (*client.WorkflowScheduleResponse, error) {
				return c.client.GetSchedule(ctx, in.WorkflowPermanentID, in.WorkflowScheduleID)
			}),
		define(spec{name: "schedules_update", title: "Update a schedule", toolset: ToolsetSchedules,
			hints:       hints{destructive: true, idempotent: true},
			description: "Replace all of a schedule's settings (wfs_...): omitted name, description and parameters are cleared, an omitted enabled means true. Returns it with its next 5 run times (UTC)."},
			func(ctx context.Context, c *call, in *ScheduleUpdateInput) (*client.WorkflowScheduleResponse, error) {
				return c.client.UpdateSchedule(ctx, in.WorkflowPermanentID, in.WorkflowScheduleID, &in.WorkflowScheduleUpsertRequest)
			}),
		define(spec{name: "schedules_delete", title: "Delete a schedule", toolset: ToolsetSchedules,
			hints:       hints{destructive: true, idempotent: true},
			description: "Delete a schedule (wfs_...) of a workflow (wpid_...). Runs it already started are not affected; to only pause it use schedules_disable."},
			func(ctx context.Context, c *call, in *ScheduleIDInput) (*OKResult, error) {
				if _, err := c.client.DeleteSchedule(ctx, in.WorkflowPermanentID, in.WorkflowScheduleID); err != nil {
					return nil, err
				}
				return &OKResult{OK: true, Message: fmt.Sprintf("Schedule %s deleted.", in.WorkflowScheduleID)}, nil
			}),
		define(spec{name: "schedules_enable", title: "Enable a schedule", toolset: ToolsetSchedules, hints: hints{idempotent: true},
			description: "Turn a paused schedule (wfs_...) back on; every firing is then a billed workflow run. Returns it with its next 5 run times (UTC)."},
			func(ctx context.Context, c *call, in *ScheduleIDInput) (*client.WorkflowScheduleResponse, error) {
				return c.client.EnableSchedule(ctx, in.WorkflowPermanentID, in.WorkflowScheduleID)
			}),
		define(spec{name: "schedules_disable", title: "Pause a schedule", toolset: ToolsetSchedules, hints: hints{idempotent: true},
			description: "Pause a schedule (wfs_...) without deleting it: it stops firing until schedules_enable. Runs already started go on."},
			func(ctx context.Context, c *call, in *ScheduleIDInput) (*client.WorkflowScheduleResponse, error) {
				return c.client.DisableSchedule(ctx, in.WorkflowPermanentID, in.WorkflowScheduleID)
			}),
	}
}
