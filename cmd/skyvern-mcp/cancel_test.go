package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A tools/call the client cancels gets no response over stdio, while a
// later request's response does arrive.
func TestCancelledCallGetsNoResponseOverStdio(t *testing.T) {
	lines := []string{
		initialize, initialized,
		`{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"run_task","arguments":{"prompt":"wait for me","wait_for_completion":true}}}`,
		`{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":2,"reason":"user pressed stop"}}`,
		`{"jsonrpc":"2.0","id":"three","method":"tools/call","params":{"name":"get_browser_sessions","arguments":{}}}`,
	}
	stdout, _, code := session(t, []string{"--sandbox", "--sandbox-run-seconds", "60"}, nil, lines, 2)
	assert.Equal(t, 0, code)
	ids := map[string]bool{}
	for _, l := range strings.Split(strings.TrimSpace(stdout), "\n") {
		var m map[string]any
		require.NoError(t, json.Unmarshal([]byte(l), &m), l)
		if m["method"] == nil {
			b, _ := json.Marshal(m["id"])
			ids[string(b)] = true
		}
	}
	assert.True(t, ids[`1`], "initialize answered: %s", stdout)
	assert.True(t, ids[`"three"`], "the later call is answered: %s", stdout)
	assert.False(t, ids[`2`], "the cancelled call must get no response: %s", stdout)
}
