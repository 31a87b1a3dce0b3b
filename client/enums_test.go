package client_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/skyvern-mcp/skyvern-mcp/client"
	"github.com/skyvern-mcp/skyvern-mcp/internal/contracttest"
)

// TestEnumsMatchSpec proves that each Go enum offers exactly the values of
// its schema in the server's document (a new engine, run type, artifact
// type or provider there fails here until it reaches the Go type, and so
// the tool schemas).
func TestEnumsMatchSpec(t *testing.T) {
	spec := contracttest.Load(t)
	for schema, values := range map[string][]string{
		"RunEngine":              client.RunEngine("").EnumValues(),
		"RunType":                client.RunType("").EnumValues(),
		"RunStatus":              client.RunStatus("").EnumValues(),
		"ArtifactType":           client.ArtifactType("").EnumValues(),
		"CustomLLMProvider":      client.CustomLLMProvider("").EnumValues(),
		"ProxyLocation":          client.ProxyPreset("").EnumValues(),
		"Extensions":             client.BrowserExtension("").EnumValues(),
		"PersistentBrowserType":  client.BrowserType("").EnumValues(),
		"CredentialVaultType":    client.CredentialVaultType("").EnumValues(),
		"TotpType":               client.TOTPType("").EnumValues(),
		"OTPType":                client.OTPType("").EnumValues(),
		"FileEncoding":           client.FileEncoding("").EnumValues(),
		"WorkflowStatus":         client.WorkflowStatus("").EnumValues(),
		"WorkflowRunTriggerType": client.WorkflowRunTriggerType("").EnumValues(),
		"BrowserSeedSource":      client.BrowserSeedSource("").EnumValues(),
		"CredentialType-Output":  client.CredentialType("").EnumValues(),
		"skyvern__schemas__credential_type__CredentialType": client.LoginCredentialType("").EnumValues(),
	} {
		assert.ElementsMatch(t, spec.Enum(schema), values, "components.schemas[%q].enum", schema)
	}
}
