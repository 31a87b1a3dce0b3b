package tools

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/skyvern-mcp/skyvern-mcp/client"
)

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

// UpdateCredentialInput is update_credential's input. Credential is taken
// as a plain object (its three shapes are in create_credential's schema)
// and checked by client.CredentialData, which names what is wrong; the
// credential_type is the one of its shape.
type UpdateCredentialInput struct {
	CredentialIDInput
	Name       string         `json:"name" jsonschema:"required" jsonschema_description:"Credential name."`
	Credential map[string]any `json:"credential" jsonschema:"required" jsonschema_description:"New secret data, shaped as in create_credential."`
}

func updateTools() []Tool {
	return []Tool{
		define(spec{name: "update_browser_session", title: "Update a browser session", toolset: ToolsetBrowserSessions,
			hints:       hints{idempotent: true},
			description: "Choose whether a live browser session saves its profile when it ends (409 once it has ended)."},
			true, func(ctx context.Context, c *call, in *UpdateBrowserSessionInput) (*client.BrowserSession, error) {
				return c.client.UpdateBrowserSession(ctx, in.BrowserSessionID, &client.UpdateBrowserSessionRequest{GenerateBrowserProfile: in.GenerateBrowserProfile})
			}),
		define(spec{name: "update_browser_profile", title: "Update a browser profile", toolset: ToolsetBrowserProfiles,
			hints:       hints{idempotent: true},
			description: "Rename a browser profile or change its description (409 if the name is taken)."},
			true, func(ctx context.Context, c *call, in *UpdateBrowserProfileInput) (*client.BrowserProfile, error) {
				return c.client.UpdateBrowserProfile(ctx, in.ProfileID, &client.UpdateBrowserProfileRequest{Name: in.Name, Description: in.Description})
			}),
		define(spec{name: "update_credential", title: "Update a credential", toolset: ToolsetCredentials,
			hints:       hints{destructive: true, idempotent: true},
			description: "Overwrite a credential's name and secret data, keeping its ID; secrets are never returned."},
			true, func(ctx context.Context, c *call, in *UpdateCredentialInput) (*client.Credential, error) {
				var data client.CredentialData
				raw, err := json.Marshal(in.Credential)
				if err == nil {
					err = json.Unmarshal(raw, &data)
				}
				if err != nil {
					return nil, fmt.Errorf("invalid arguments: %v", err)
				}
				return c.client.UpdateCredential(ctx, in.CredentialID, &client.CreateCredentialRequest{
					Name: in.Name, Credential: data})
			}),
	}
}
