package config

import (
	"io"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestRedisURLFlag: --redis-url and SKYVERN_REDIS_URL, for streamable HTTP
// in session mode only.
func TestRedisURLFlag(t *testing.T) {
	clearEnv(t)
	c, err := Load([]string{"--transport", "http"}, "", io.Discard)
	require.NoError(t, err)
	assert.Empty(t, c.RedisURL, "in memory by default")

	c, err = Load([]string{"--transport", "http", "--redis-url", "redis://r:6379/0"}, "", io.Discard)
	require.NoError(t, err)
	assert.Equal(t, "redis://r:6379/0", c.RedisURL)

	t.Setenv("SKYVERN_REDIS_URL", "redis://:pw@env:6379/1")
	c, err = Load([]string{"--transport", "http"}, "", io.Discard)
	require.NoError(t, err)
	assert.Equal(t, "redis://:pw@env:6379/1", c.RedisURL)

	for _, args := range [][]string{{"--transport", "http", "--stateless"}, {"--transport", "sse"}, {}} {
		_, err = Load(args, "", io.Discard)
		require.Error(t, err, "%v", args)
		assert.Contains(t, err.Error(), "--redis-url applies to --transport http in session mode")
		assert.NotContains(t, err.Error(), "pw@", "the URL (it may hold a password) is not echoed")
	}
}
