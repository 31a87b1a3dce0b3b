package client

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"unicode/utf8"
)

// Bounds of the run operations, from the spec.
const (
	// MaxBulkCancelRuns is the most run IDs one bulk cancel accepts
	// (BulkCancelRunsRequest.run_ids maxItems).
	MaxBulkCancelRuns = 100
	// MaxRunsPage bounds page and page_size of GET /v1/runs.
	MaxRunsPage = 100
	// MinRunsSearchKey is the shortest search_key GET /v1/runs accepts.
	MinRunsSearchKey = 3
)

// BulkCancelRunsRequest is the body of POST /v1/runs/cancel
// (BulkCancelRunsRequest schema).
type BulkCancelRunsRequest struct {
	RunIDs []string `json:"run_ids"`
}

// BulkCancelRunsResponse is the answer of POST /v1/runs/cancel
// (BulkCancelRunsResponse schema): the run IDs Skyvern cancelled, and those
// it could not cancel (unknown, or already finished).
type BulkCancelRunsResponse struct {
	Cancelled []string `json:"cancelled"`
	Failed    []string `json:"failed"`
}

// TaskRunListItem is one run of GET /v1/runs (TaskRunListItem schema): a
// lightweight history entry for a task run or a workflow run. TaskRunID
// names the history row; RunID is the run (tsk_..., tsk_v2_..., wr_...).
// TaskRunType is a RunType value and Status a RunStatus value, kept as
// strings as the spec types them. Timestamps are ISO 8601.
type TaskRunListItem struct {
	TaskRunID           string `json:"task_run_id"`
	RunID               string `json:"run_id"`
	TaskRunType         string `json:"task_run_type"`
	Status              string `json:"status"`
	Title               string `json:"title,omitempty"`
	StartedAt           string `json:"started_at,omitempty"`
	FinishedAt          string `json:"finished_at,omitempty"`
	CreatedAt           string `json:"created_at"`
	WorkflowPermanentID string `json:"workflow_permanent_id,omitempty"`
	WorkflowDeleted     bool   `json:"workflow_deleted"`
	ScriptRun           bool   `json:"script_run"`
	// TriggerType is how a workflow run was started (manual, mcp, api,
	// scheduled, webhook).
	TriggerType WorkflowRunTriggerType `json:"trigger_type,omitempty"`
}

// GetRunsParams filters GET /v1/runs. Page starts at 1 (default 1) and
// PageSize defaults to 10; both are at most 100. SearchKey needs at least 3
// characters.
type GetRunsParams struct {
	Page      int
	PageSize  int
	Status    []RunStatus
	RunType   []RunType
	SearchKey string
}

func (p *GetRunsParams) validate() error {
	if p == nil {
		return nil
	}
	for _, f := range []struct {
		name string
		v    int
	}{{"page", p.Page}, {"page_size", p.PageSize}} {
		if f.v < 0 || f.v > MaxRunsPage {
			return fmt.Errorf("get_runs_v2: %s must be between 1 and %d, got %d", f.name, MaxRunsPage, f.v)
		}
	}
	if err := checkEnum("get_runs_v2", "status", p.Status); err != nil {
		return err
	}
	if err := checkEnum("get_runs_v2", "run_type", p.RunType); err != nil {
		return err
	}
	if n := utf8.RuneCountInString(p.SearchKey); n > 0 && n < MinRunsSearchKey {
		return fmt.Errorf("get_runs_v2: search_key needs at least %d characters, got %q", MinRunsSearchKey, p.SearchKey)
	}
	return nil
}

func (p *GetRunsParams) values() url.Values {
	q := url.Values{}
	if p == nil {
		return q
	}
	setInt(q, "page", p.Page)
	setInt(q, "page_size", p.PageSize)
	for _, s := range p.Status {
		q.Add("status", string(s))
	}
	for _, t := range p.RunType {
		q.Add("run_type", string(t))
	}
	setString(q, "search_key", p.SearchKey)
	return q
}

// BulkCancelRuns cancels up to 100 task or workflow runs in one request:
// POST /v1/runs/cancel. Duplicate IDs count once. The answer lists the runs
// cancelled and those that could not be (an unknown ID does not fail the
// request). It returns an error without calling Skyvern when runIDs is
// empty, longer than 100 or holds an empty ID. Never retried.
func (c *Client) BulkCancelRuns(ctx context.Context, runIDs []string) (*BulkCancelRunsResponse, error) {
	if len(runIDs) == 0 {
		return nil, fmt.Errorf("bulk_cancel_runs: run_ids is required: give 1 to %d run IDs", MaxBulkCancelRuns)
	}
	if len(runIDs) > MaxBulkCancelRuns {
		return nil, fmt.Errorf("bulk_cancel_runs: run_ids holds %d IDs; at most %d per call", len(runIDs), MaxBulkCancelRuns)
	}
	for i, id := range runIDs {
		if id == "" {
			return nil, fmt.Errorf("bulk_cancel_runs: run_ids[%d] is empty", i)
		}
	}
	out := BulkCancelRunsResponse{Cancelled: []string{}, Failed: []string{}}
	body := &BulkCancelRunsRequest{RunIDs: runIDs}
	if _, err := c.do(ctx, &request{method: http.MethodPost, path: "/runs/cancel", body: body}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// GetRunsV2 lists task and workflow runs, newest first, a page at a time,
// optionally filtered by status, run type and a search key: GET /v1/runs
// (hidden in Skyvern's API reference, exposed by the Python SDK as
// get_runs_v2). Out-of-range page or page_size and a search key shorter
// than 3 characters give an error without calling Skyvern.
func (c *Client) GetRunsV2(ctx context.Context, params *GetRunsParams) ([]TaskRunListItem, error) {
	if err := params.validate(); err != nil {
		return nil, err
	}
	out := []TaskRunListItem{}
	if _, err := c.do(ctx, &request{method: http.MethodGet, path: "/runs", query: params.values()}, &out); err != nil {
		return nil, err
	}
	return out, nil
}

// checkEnum reports the first value of vals that is not one of its type's
// EnumValues.
func checkEnum[T interface {
	~string
	EnumValues() []string
}](op, field string, vals []T) error {
	for i, v := range vals {
		allowed := v.EnumValues()
		if !slices.Contains(allowed, string(v)) {
			return fmt.Errorf("%s: %s[%d] is %q; expected one of %s", op, field, i, string(v), strings.Join(allowed, ", "))
		}
	}
	return nil
}
