package tools

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The toolset metadata is the one source: the lists, the catalog order and
// the flag help come from it.
func TestToolsetsDescribedOnce(t *testing.T) {
	var ids, defaults []string
	for _, ts := range ToolsetInfos() {
		assert.NotEmpty(t, ts.Description, ts.ID)
		ids = append(ids, ts.ID)
		if ts.Default {
			defaults = append(defaults, ts.ID)
		}
	}
	assert.Equal(t, ids, Toolsets())
	assert.Equal(t, defaults, DefaultToolsets())
	assert.Equal(t, []string{ToolsetRuns, ToolsetWorkflows, ToolsetBrowserSessions, ToolsetBrowserProfiles, ToolsetCredentials, ToolsetAgent}, DefaultToolsets())

	// The catalog is the toolsets' tools, toolset after toolset.
	var fromSets []string
	total := 0
	for _, ts := range ToolsetInfos() {
		tl := ts.Tools()
		require.NotEmpty(t, tl, ts.ID)
		total += len(tl)
		for _, x := range tl {
			fromSets = append(fromSets, x.Tool.Name)
		}
	}
	var all []string
	for _, x := range All() {
		all = append(all, x.Tool.Name)
	}
	assert.Equal(t, all, fromSets)
	assert.Equal(t, len(All()), total)

	admin := ToolsetInfos()[len(ToolsetInfos())-1]
	assert.Equal(t, ToolsetAdmin, admin.ID)
	assert.Equal(t, []string{"get_version"}, admin.ReadOnlyTools())

	help := ToolsetsHelp()
	assert.True(t, strings.HasPrefix(help, "comma-separated toolsets to enable, from: runs, workflows,"), help)
	assert.Contains(t, help, "default (runs, workflows, browser_sessions, browser_profiles, credentials, agent, combinable")
}
