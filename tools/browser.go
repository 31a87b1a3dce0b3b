package tools

import (
	"context"
	"fmt"

	"github.com/skyvern-mcp/skyvern-mcp/client"
)

// BrowserSessionIDInput names a browser session.
type BrowserSessionIDInput struct {
	BrowserSessionID string `json:"browser_session_id" jsonschema:"required" jsonschema_description:"ID of the browser session (pbs_...)."`
}

// ProfileIDInput names a browser profile.
type ProfileIDInput struct {
	ProfileID string `json:"profile_id" jsonschema:"required" jsonschema_description:"ID of the browser profile (bp_...)."`
}

// NoInput is the input of tools without parameters.
type NoInput struct{}

// BrowserSessionsResult is get_browser_sessions' output.
type BrowserSessionsResult struct {
	Count           int                     `json:"count"`
	BrowserSessions []client.BrowserSession `json:"browser_sessions"`
}

// BrowserProfilesResult is list_browser_profiles' output.
type BrowserProfilesResult struct {
	Count           int                     `json:"count"`
	BrowserProfiles []client.BrowserProfile `json:"browser_profiles"`
}

func browserSessionTools() []Tool {
	return []Tool{
		define(spec{name: "create_browser_session", title: "Create a browser session", toolset: ToolsetBrowserSessions,
			hints: hints{openWorld: true},
			description: "Start a persistent cloud browser session (pbs_...) that keeps its pages, cookies and login state between runs: pass its browser_session_id to run_task or run_workflow. " +
				"COSTS MONEY while open: timeout is in MINUTES (5-240, default 60); close it with close_browser_session when done."},
			true, func(ctx context.Context, c *call, in *client.CreateBrowserSessionRequest) (*client.BrowserSession, error) {
				return c.client.CreateBrowserSession(ctx, in)
			}),
		define(spec{name: "get_browser_session", title: "Get a browser session", toolset: ToolsetBrowserSessions, hints: readHints,
			description: "Get a browser session (pbs_...): status, timeout in minutes, app_url, browser_address, downloaded files and recordings."},
			true, func(ctx context.Context, c *call, in *BrowserSessionIDInput) (*client.BrowserSession, error) {
				return c.client.GetBrowserSession(ctx, in.BrowserSessionID)
			}),
		define(spec{name: "get_browser_sessions", title: "List browser sessions", toolset: ToolsetBrowserSessions, hints: readHints,
			description: "List the active browser sessions of the organization. Open sessions are billed; close unused ones with close_browser_session."},
			true, func(ctx context.Context, c *call, _ *NoInput) (*BrowserSessionsResult, error) {
				ss, err := c.client.GetBrowserSessions(ctx)
				if err != nil {
					return nil, err
				}
				return &BrowserSessionsResult{Count: len(ss), BrowserSessions: ss}, nil
			}),
		define(spec{name: "close_browser_session", title: "Close a browser session", toolset: ToolsetBrowserSessions,
			hints:       hints{destructive: true, idempotent: true},
			description: "Close a browser session (pbs_...): the browser shuts down, billing stops, and its recording becomes available."},
			true, func(ctx context.Context, c *call, in *BrowserSessionIDInput) (*OKResult, error) {
				if err := c.client.CloseBrowserSession(ctx, in.BrowserSessionID); err != nil {
					return nil, err
				}
				return &OKResult{OK: true, Message: fmt.Sprintf("Browser session %s closed.", in.BrowserSessionID)}, nil
			}),
	}
}

func browserProfileTools() []Tool {
	return []Tool{
		define(spec{name: "create_browser_profile", title: "Create a browser profile", toolset: ToolsetBrowserProfiles,
			hints: hints{},
			description: "Save a browser profile (bp_...): the cookies and storage of a browser session (browser_session_id) or of a workflow run's browser (workflow_run_id), or a blank one. " +
				"Reuse it with browser_profile_id to start later runs already logged in. Names are unique (a duplicate gives HTTP 409)."},
			true, func(ctx context.Context, c *call, in *client.CreateBrowserProfileRequest) (*client.BrowserProfile, error) {
				return c.client.CreateBrowserProfile(ctx, in)
			}),
		define(spec{name: "list_browser_profiles", title: "List browser profiles", toolset: ToolsetBrowserProfiles, hints: readHints,
			description: "List browser profiles a page at a time (page from 1, page_size default 10), optionally searching name and description."},
			true, func(ctx context.Context, c *call, in *client.ListBrowserProfilesParams) (*BrowserProfilesResult, error) {
				ps, err := c.client.ListBrowserProfiles(ctx, in)
				if err != nil {
					return nil, err
				}
				return &BrowserProfilesResult{Count: len(ps), BrowserProfiles: ps}, nil
			}),
		define(spec{name: "get_browser_profile", title: "Get a browser profile", toolset: ToolsetBrowserProfiles, hints: readHints,
			description: "Get one browser profile (bp_...) by profile_id: name, description, proxy identity and when it was created."},
			true, func(ctx context.Context, c *call, in *ProfileIDInput) (*client.BrowserProfile, error) {
				return c.client.GetBrowserProfile(ctx, in.ProfileID)
			}),
		define(spec{name: "delete_browser_profile", title: "Delete a browser profile", toolset: ToolsetBrowserProfiles,
			hints:       hints{destructive: true, idempotent: true},
			description: "Delete a browser profile (bp_...). Runs can no longer start from it."},
			true, func(ctx context.Context, c *call, in *ProfileIDInput) (*OKResult, error) {
				if err := c.client.DeleteBrowserProfile(ctx, in.ProfileID); err != nil {
					return nil, err
				}
				return &OKResult{OK: true, Message: fmt.Sprintf("Browser profile %s deleted.", in.ProfileID)}, nil
			}),
	}
}
