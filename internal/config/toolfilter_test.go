package config

import (
	"io"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestToolFilterFlags(t *testing.T) {
	clearEnv(t)
	t.Setenv("SKYVERN_EXCLUDE_TOOLS", "cancel_run")
	c, err := Load([]string{"--tools", " get_run, run_task ,cancel_run", "--read-only"}, "", io.Discard)
	require.NoError(t, err)
	assert.Equal(t, []string{"get_run", "run_task", "cancel_run"}, c.Tools)
	assert.Equal(t, []string{"cancel_run"}, c.ExcludeTools, "from SKYVERN_EXCLUDE_TOOLS")
	f := c.Filter()
	assert.True(t, f.ReadOnly)
	assert.Equal(t, c.Tools, f.Tools)

	c, err = Load([]string{"--toolsets", "all"}, "", io.Discard)
	require.NoError(t, err)
	assert.Contains(t, c.Toolsets, "agent")
	assert.Empty(t, c.Tools)
}

func TestToolFilterUnknownNamesFailAtStartWithTheValidOnes(t *testing.T) {
	clearEnv(t)
	_, err := Load([]string{"--tools", "get_runs"}, "", io.Discard)
	require.Error(t, err)
	assert.Contains(t, err.Error(), `--tools: unknown tool "get_runs"; valid tools: run_task, get_run`)
	_, err = Load([]string{"--exclude-tools", "x,y"}, "", io.Discard)
	assert.ErrorContains(t, err, `--exclude-tools: unknown tool "x", "y"`)
	_, err = Load([]string{"--toolsets", "runs,bogus"}, "", io.Discard)
	assert.ErrorContains(t, err, `--toolsets: unknown toolset "bogus"; valid toolsets: runs`)
	_, err = Load([]string{"--toolsets", " , "}, "", io.Discard)
	assert.ErrorContains(t, err, "--toolsets: no toolset given")
}
