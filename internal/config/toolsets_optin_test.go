package config

import (
	"io"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestOptInToolsets: folders and custom_llms are only enabled when named,
// alone or beside "default", or with "all".
func TestOptInToolsets(t *testing.T) {
	clearEnv(t)
	core := []string{"runs", "workflows", "browser_sessions", "browser_profiles", "credentials", "agent"}
	for _, tc := range []struct {
		flag string
		want []string
	}{
		{"default", core},
		{"default,folders", append(append([]string{}, core...), "folders")},
		{"folders, default ,custom_llms,folders", append(append([]string{"folders"}, core...), "custom_llms")},
		{"custom_llms", []string{"custom_llms"}},
	} {
		c, err := Load([]string{"--toolsets", tc.flag}, "", io.Discard)
		require.NoError(t, err, tc.flag)
		assert.Equal(t, tc.want, c.Toolsets, tc.flag)
	}
	c, err := Load([]string{"--toolsets", "all"}, "", io.Discard)
	require.NoError(t, err)
	assert.Subset(t, c.Toolsets, append(append([]string{}, core...), "folders", "custom_llms"))
}
