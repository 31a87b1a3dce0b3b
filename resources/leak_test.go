package resources

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

// TestClosedSessionsLeaveNoGoroutines subscribes two sessions to a run that
// never ends, closes one session, then everything (sessions, registry, HTTP
// server), and checks with goleak that no poller or session goroutine is
// left. The check runs as the first-registered cleanup, so after every
// cleanup of the harness.
func TestClosedSessionsLeaveNoGoroutines(t *testing.T) {
	ignore := goleak.IgnoreCurrent()
	t.Cleanup(func() {
		// A stopped poller may still be finishing its last request (slow
		// under load: the contract-validating transport checks every
		// response); give it time before calling what is left a leak.
		deadline := time.Now().Add(30 * time.Second)
		for goleak.Find(ignore) != nil && time.Now().Before(deadline) {
			time.Sleep(100 * time.Millisecond)
		}
		goleak.VerifyNone(t, ignore)
	})
	h := newHarness(t, opts{runDuration: time.Hour})
	runID := h.startRun(false, "long")
	uri := "skyvern://runs/" + runID
	second := h.connect()
	require.NoError(t, h.rpc(h.mcp, "resources/subscribe", uri))
	require.NoError(t, h.rpc(second, "resources/subscribe", uri))
	require.Equal(t, 1, h.reg.subs.active())
	require.NoError(t, second.Close())
	time.Sleep(50 * time.Millisecond) // the poller keeps going for the first session
	require.Equal(t, 1, h.reg.subs.active())
	require.NoError(t, h.mcp.Close())
	require.Eventually(t, func() bool { return h.reg.subs.active() == 0 }, 5*time.Second, 10*time.Millisecond, "session end stops the poller")
}
