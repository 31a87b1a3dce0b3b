package tools

import (
	"context"
	"fmt"

	"github.com/skyvern-mcp/skyvern-mcp/client"
)

// CredentialIDInput names a credential.
type CredentialIDInput struct {
	CredentialID string `json:"credential_id" jsonschema:"required" jsonschema_description:"ID of the credential (cred_...)."`
}

// CredentialsResult is get_credentials' output.
type CredentialsResult struct {
	Count       int                 `json:"count"`
	Credentials []client.Credential `json:"credentials"`
}

func credentialTools() []Tool {
	return []Tool{
		define(spec{name: "create_credential", title: "Store a credential", toolset: ToolsetCredentials,
			hints: hints{},
			description: "Store a password (with optional TOTP secret), a credit card or a secret in Skyvern's vault, for login and runs to use without the values passing through the conversation again. " +
				"Returns the credential_id (cred_...) and non-secret details only; secrets are never returned by any tool."},
			true, func(ctx context.Context, c *call, in *client.CreateCredentialRequest) (*client.Credential, error) {
				return c.client.CreateCredential(ctx, in)
			}),
		define(spec{name: "get_credentials", title: "List credentials", toolset: ToolsetCredentials, hints: readHints,
			description: "List stored credentials (without secrets) a page at a time, optionally filtered by vault_type, credential_type or a search term."},
			true, func(ctx context.Context, c *call, in *client.GetCredentialsParams) (*CredentialsResult, error) {
				cs, err := c.client.GetCredentials(ctx, in)
				if err != nil {
					return nil, err
				}
				return &CredentialsResult{Count: len(cs), Credentials: cs}, nil
			}),
		define(spec{name: "get_credential", title: "Get a credential", toolset: ToolsetCredentials, hints: readHints,
			description: "Get a stored credential (cred_...) without its secret: name, type, username or card's last four digits."},
			true, func(ctx context.Context, c *call, in *CredentialIDInput) (*client.Credential, error) {
				return c.client.GetCredential(ctx, in.CredentialID)
			}),
		define(spec{name: "delete_credential", title: "Delete a credential", toolset: ToolsetCredentials,
			hints:       hints{destructive: true, idempotent: true},
			description: "Delete a stored credential (cred_...) from the vault. Workflows and logins that use it will fail."},
			true, func(ctx context.Context, c *call, in *CredentialIDInput) (*OKResult, error) {
				if err := c.client.DeleteCredential(ctx, in.CredentialID); err != nil {
					return nil, err
				}
				return &OKResult{OK: true, Message: fmt.Sprintf("Credential %s deleted.", in.CredentialID)}, nil
			}),
		define(spec{name: "send_totp_code", title: "Send a 2FA code", toolset: ToolsetCredentials,
			hints: hints{},
			description: "Give Skyvern a 2FA/TOTP code for a run that is waiting for one: pass the message that contains it (email or SMS text) or the code as content, and the totp_identifier the run was started with. " +
				"Skyvern extracts the code and the run continues."},
			true, func(ctx context.Context, c *call, in *client.TOTPCodeCreate) (*client.TOTPCode, error) {
				return c.client.SendTOTPCode(ctx, in)
			}),
	}
}
