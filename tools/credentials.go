package tools

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/skyvern-mcp/skyvern-mcp/client"
)

// CredentialIDInput names a credential.
type CredentialIDInput struct {
	CredentialID string `json:"credential_id" jsonschema:"required" jsonschema_description:"cred_..."`
}

// CredentialsResult is get_credentials' output.
type CredentialsResult struct {
	Count       int                 `json:"count"`
	Credentials []client.Credential `json:"credentials"`
}

func credentialTools() []Tool {
	return []Tool{
		define(spec{name: "create_credential", title: "Store a credential", toolset: ToolsetCredentials,
			hints:       hints{},
			description: "Store a password (optionally with TOTP), credit card or secret in Skyvern's vault for logins and runs. Returns credential_id; secrets are never returned."},
			func(ctx context.Context, c *call, in *client.CreateCredentialRequest) (*client.Credential, error) {
				return c.client.CreateCredential(ctx, in)
			}),
		define(spec{name: "get_credentials", title: "List credentials", toolset: ToolsetCredentials, hints: readHints,
			description: "List stored credentials (never their secrets) a page at a time, optionally filtered."},
			func(ctx context.Context, c *call, in *client.GetCredentialsParams) (*CredentialsResult, error) {
				cs, err := c.client.GetCredentials(ctx, in)
				if err != nil {
					return nil, err
				}
				return &CredentialsResult{Count: len(cs), Credentials: cs}, nil
			}),
		define(spec{name: "get_credential", title: "Get a credential", toolset: ToolsetCredentials, hints: readHints,
			description: "Get a stored credential's name, type and non-secret details; never its secret."},
			func(ctx context.Context, c *call, in *CredentialIDInput) (*client.Credential, error) {
				return c.client.GetCredential(ctx, in.CredentialID)
			}),
		define(spec{name: "delete_credential", title: "Delete a credential", toolset: ToolsetCredentials,
			hints:       hints{destructive: true, idempotent: true},
			description: "Delete a stored credential from the vault; runs that use it will fail."},
			func(ctx context.Context, c *call, in *CredentialIDInput) (*OKResult, error) {
				if err := c.client.DeleteCredential(ctx, in.CredentialID); err != nil {
					return nil, err
				}
				return &OKResult{OK: true, Message: fmt.Sprintf("Credential %s deleted.", in.CredentialID)}, nil
			}),
		define(spec{name: "send_totp_code", title: "Send a 2FA code", toolset: ToolsetCredentials,
			hints:       hints{},
			description: "Give a run waiting for 2FA its code: the message containing it (or the code) and the run's totp_identifier."},
			func(ctx context.Context, c *call, in *client.TOTPCodeCreate) (*client.TOTPCode, error) {
				return c.client.SendTOTPCode(ctx, in)
			}),
	}
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

// credentialUpdateTools is update_credential.
func credentialUpdateTools() []Tool {
	return []Tool{
		define(spec{name: "update_credential", title: "Update a credential", toolset: ToolsetCredentials,
			hints:       hints{destructive: true, idempotent: true},
			description: "Overwrite a credential's name and secret data, keeping its ID; secrets are never returned."},
			func(ctx context.Context, c *call, in *UpdateCredentialInput) (*client.Credential, error) {
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
