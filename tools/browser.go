package tools

import (
	"context"
	"fmt"

	"github.com/skyvern-mcp/skyvern-mcp/client"
)

// BrowserSessionIDInput names a browser session.
type BrowserSessionIDInput struct {
	BrowserSessionID string `json:"browser_session_id" jsonschema:"required" jsonschema_description:"pbs_..."`
}

// ProfileIDInput names a browser profile.
type ProfileIDInput struct {
	ProfileID string `json:"profile_id" jsonschema:"required" jsonschema_description:"bp_..."`
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
			hints:       hints{openWorld: true},
			description: "Start a persistent cloud browser that keeps pages, cookies and logins across runs (browser_session_id). Billed while open: close it when done."},
			func(ctx context.Context, c *call, in *client.CreateBrowserSessionRequest) (*client.BrowserSession, error) {
				return c.client.CreateBrowserSession(ctx, in)
			}),
		define(spec{name: "get_browser_session", title: "Get a browser session", toolset: ToolsetBrowserSessions, hints: readHints,
			description: "Get a browser session: status, timeout (minutes), app_url, browser_address, downloads, recordings."},
			func(ctx context.Context, c *call, in *BrowserSessionIDInput) (*client.BrowserSession, error) {
				return c.client.GetBrowserSession(ctx, in.BrowserSessionID)
			}),
		define(spec{name: "get_browser_sessions", title: "List browser sessions", toolset: ToolsetBrowserSessions, hints: readHints,
			description: "List the organization's active browser sessions, which are billed while open."},
			func(ctx context.Context, c *call, _ *NoInput) (*BrowserSessionsResult, error) {
				ss, err := c.client.GetBrowserSessions(ctx)
				if err != nil {
					return nil, err
				}
				return &BrowserSessionsResult{Count: len(ss), BrowserSessions: ss}, nil
			}),
		define(spec{name: "close_browser_session", title: "Close a browser session", toolset: ToolsetBrowserSessions,
			hints:       hints{destructive: true, idempotent: true},
			description: "Close a browser session: billing stops and its recording becomes available."},
			func(ctx context.Context, c *call, in *BrowserSessionIDInput) (*OKResult, error) {
				if err := c.client.CloseBrowserSession(ctx, in.BrowserSessionID); err != nil {
					return nil, err
				}
				c.deps.BrowserPool().CloseSession(in.BrowserSessionID)
				return &OKResult{OK: true, Message: fmt.Sprintf("Browser session %s closed.", in.BrowserSessionID)}, nil
			}),
	}
}

func browserProfileTools() []Tool {
	return []Tool{
		define(spec{name: "create_browser_profile", title: "Create a browser profile", toolset: ToolsetBrowserProfiles,
			hints:       hints{},
			description: "Save a browser profile (cookies, storage) from a browser session or workflow run, for later runs to start logged in."},
			func(ctx context.Context, c *call, in *client.CreateBrowserProfileRequest) (*client.BrowserProfile, error) {
				return c.client.CreateBrowserProfile(ctx, in)
			}),
		define(spec{name: "list_browser_profiles", title: "List browser profiles", toolset: ToolsetBrowserProfiles, hints: readHints,
			description: "List browser profiles a page at a time, optionally searching name and description."},
			func(ctx context.Context, c *call, in *client.ListBrowserProfilesParams) (*BrowserProfilesResult, error) {
				ps, err := c.client.ListBrowserProfiles(ctx, in)
				if err != nil {
					return nil, err
				}
				return &BrowserProfilesResult{Count: len(ps), BrowserProfiles: ps}, nil
			}),
		define(spec{name: "get_browser_profile", title: "Get a browser profile", toolset: ToolsetBrowserProfiles, hints: readHints,
			description: "Get a browser profile: name, description, proxy identity and creation time."},
			func(ctx context.Context, c *call, in *ProfileIDInput) (*client.BrowserProfile, error) {
				return c.client.GetBrowserProfile(ctx, in.ProfileID)
			}),
		define(spec{name: "delete_browser_profile", title: "Delete a browser profile", toolset: ToolsetBrowserProfiles,
			hints:       hints{destructive: true, idempotent: true},
			description: "Delete a browser profile (bp_...); later runs can no longer start from it."},
			func(ctx context.Context, c *call, in *ProfileIDInput) (*OKResult, error) {
				if err := c.client.DeleteBrowserProfile(ctx, in.ProfileID); err != nil {
					return nil, err
				}
				return &OKResult{OK: true, Message: fmt.Sprintf("Browser profile %s deleted.", in.ProfileID)}, nil
			}),
		define(spec{name: "get_browser_profile_usage", title: "What uses a browser profile", toolset: ToolsetCleanup, hints: readHints,
			description: "List what depends on a browser profile (bp_...): the workflows set to start from it, the credentials whose saved sign-in it holds, and how many runs it seeded in the last 30 days. Check it before delete_browser_profile."},
			func(ctx context.Context, c *call, in *ProfileIDInput) (*BrowserProfileUsageResult, error) {
				u, err := c.client.GetBrowserProfileUsage(ctx, in.ProfileID)
				if err != nil {
					return nil, err
				}
				return &BrowserProfileUsageResult{ProfileID: in.ProfileID, BrowserProfileUsage: *u}, nil
			}),
	}
}

// UpdateBrowserSessionInput is update_browser_session's input.
type UpdateBrowserSessionInput struct {
	BrowserSessionIDInput
	GenerateBrowserProfile bool `json:"generate_browser_profile" jsonschema:"required" jsonschema_description:"Save its profile when it ends."`
}

// UpdateBrowserProfileInput is update_browser_profile's input.
type UpdateBrowserProfileInput struct {
	ProfileIDInput
	Name        string  `json:"name,omitempty" jsonschema:"minLength=1" jsonschema_description:"New unique name."`
	Description *string `json:"description,omitempty" jsonschema_description:"\"\" clears it."`
}

// browserUpdateTools are the update tools of the browser session and
// browser profile toolsets.
func browserUpdateTools() []Tool {
	return []Tool{
		define(spec{name: "update_browser_session", title: "Update a browser session", toolset: ToolsetBrowserSessions,
			hints:       hints{idempotent: true},
			description: "Choose whether a live browser session saves its profile when it ends (409 once it has ended)."},
			func(ctx context.Context, c *call, in *UpdateBrowserSessionInput) (*client.BrowserSession, error) {
				return c.client.UpdateBrowserSession(ctx, in.BrowserSessionID, &client.UpdateBrowserSessionRequest{GenerateBrowserProfile: in.GenerateBrowserProfile})
			}),
		define(spec{name: "update_browser_profile", title: "Update a browser profile", toolset: ToolsetBrowserProfiles,
			hints:       hints{idempotent: true},
			description: "Rename a browser profile or change its description (409 if the name is taken)."},
			func(ctx context.Context, c *call, in *UpdateBrowserProfileInput) (*client.BrowserProfile, error) {
				return c.client.UpdateBrowserProfile(ctx, in.ProfileID, &client.UpdateBrowserProfileRequest{Name: in.Name, Description: in.Description})
			}),
	}
}

// BrowserProfileUsageResult is get_browser_profile_usage's output.
type BrowserProfileUsageResult struct {
	ProfileID string `json:"profile_id"`
	client.BrowserProfileUsage
}
