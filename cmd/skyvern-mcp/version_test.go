package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/skyvern-mcp/skyvern-mcp/internal/mcpb"
)

func TestVersionNamesCommitAndDate(t *testing.T) {
	oldCommit, oldDate := commit, date
	t.Cleanup(func() { commit, date = oldCommit, oldDate })
	commit, date = "0123456789abcdef", "2026-12-05T18:00:00Z"
	var out, errOut bytes.Buffer
	assert.Equal(t, 0, run(context.Background(), []string{"--version"}, strings.NewReader(""), &out, &errOut))
	assert.Equal(t, "skyvern-mcp 0.1.0-dev (commit 0123456789abcdef, built 2026-12-05T18:00:00Z, "+runtime.Version()+" "+runtime.GOOS+"/"+runtime.GOARCH+")\n", out.String())
}

// TestMCPBManifestListsToolsList checks the MCP Bundle lists exactly the
// tools the server serves with the bundle's configuration (the default tool
// set), in tools/list's order, with the first sentence of each description.
func TestMCPBManifestListsToolsList(t *testing.T) {
	raw, err := os.ReadFile("../../mcpb/manifest.json")
	require.NoError(t, err)
	stdout, _, _ := session(t, []string{"--sandbox"}, nil, []string{
		initialize, initialized, `{"jsonrpc":"2.0","id":2,"method":"tools/list"}`,
	}, 2)
	var resp struct {
		Result struct {
			Tools []mcpb.Tool `json:"tools"`
		} `json:"result"`
	}
	for _, l := range strings.Split(stdout, "\n") {
		if strings.Contains(l, `"id":2`) {
			require.NoError(t, json.Unmarshal([]byte(l), &resp))
		}
	}
	require.NotEmpty(t, resp.Result.Tools)
	for i := range resp.Result.Tools {
		resp.Result.Tools[i].Description = mcpb.FirstSentence(resp.Result.Tools[i].Description)
	}
	var manifest struct{ Tools []mcpb.Tool }
	require.NoError(t, json.Unmarshal(raw, &manifest))
	assert.Equal(t, resp.Result.Tools, manifest.Tools)
}
