package client_test

import (
	"context"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/skyvern-mcp/skyvern-mcp/client"
	"github.com/skyvern-mcp/skyvern-mcp/client/sandbox"
)

func watchSandbox(t *testing.T, d time.Duration) (*sandbox.Server, *client.Client, func()) {
	t.Helper()
	sb := sandbox.New(sandbox.Options{APIKey: "watch-key", RunDuration: d})
	ts := httptest.NewServer(sb)
	c, err := client.New(client.WithBaseURL(ts.URL), client.WithAPIKey("watch-key"), client.WithHTTPClient(ts.Client()))
	require.NoError(t, err)
	return sb, c, ts.Close
}

// TestWatcherSharesOnePoller: three followers of one run share one poller;
// each gets the run's states in order and the final one; the poller ends
// at the final status and leaves no goroutine.
func TestWatcherSharesOnePoller(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	sb, c, closeServer := watchSandbox(t, 600*time.Millisecond)
	defer closeServer()
	run, err := c.RunTask(context.Background(), &client.TaskRunRequest{Prompt: "shared"})
	require.NoError(t, err)
	w := client.NewWatcher(client.WatchOptions{PollInitial: 10 * time.Millisecond, PollMax: 20 * time.Millisecond})
	defer w.Close()
	sb.ResetCalls()

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var wg sync.WaitGroup
	finals := make([]*client.Run, 3)
	for i := range finals {
		f := w.Watch(ctx, c, run.RunID)
		assert.Equal(t, 1, w.Pollers())
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer f.Stop()
			prev := -1
			for {
				u, err := f.Next(ctx)
				if !assert.NoError(t, err) || !assert.NoError(t, u.Err) {
					return
				}
				assert.GreaterOrEqual(t, u.Run.Steps(), prev, "states in order")
				prev = u.Run.Steps()
				if u.Final() {
					finals[i] = u.Run
					return
				}
			}
		}()
	}
	wg.Wait()
	for _, r := range finals {
		require.NotNil(t, r)
		assert.Equal(t, client.RunStatusCompleted, r.Status)
	}
	assert.Equal(t, 0, w.Pollers(), "the poller ends at the final status")
	// 600 ms at 10-20 ms per poll: one poller makes at most ~60 requests,
	// three would make about three times as many.
	assert.LessOrEqual(t, sb.Calls("GET", "/v1/runs/"+run.RunID), 70)
}

// TestWatcherStopsWithLastFollower: the poller of a run that never ends
// stops when its last follower stops, not before.
func TestWatcherStopsWithLastFollower(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	_, c, closeServer := watchSandbox(t, time.Hour)
	defer closeServer()
	run, err := c.RunTask(context.Background(), &client.TaskRunRequest{Prompt: "never ends"})
	require.NoError(t, err)
	w := client.NewWatcher(client.WatchOptions{PollInitial: 5 * time.Millisecond, PollMax: 10 * time.Millisecond})
	ctx := context.Background()
	a := w.Watch(ctx, c, run.RunID)
	b := w.Watch(ctx, c, run.RunID)
	u, err := a.Next(ctx)
	require.NoError(t, err)
	require.NotNil(t, u.Run)
	a.Stop()
	a.Stop() // idempotent
	assert.Equal(t, 1, w.Pollers(), "b still follows")
	late := w.Watch(ctx, c, run.RunID)
	u, err = late.Next(ctx)
	require.NoError(t, err)
	assert.Equal(t, run.RunID, u.Run.RunID, "a late follower gets the last state at once")
	late.Stop()
	tctx, cancel := context.WithTimeout(ctx, 30*time.Millisecond)
	defer cancel()
	for {
		if _, err := b.Next(tctx); err != nil {
			assert.ErrorIs(t, err, context.DeadlineExceeded)
			break
		}
	}
	b.Stop()
	assert.Equal(t, 0, w.Pollers())
}

// TestWatcherReportsLastingErrors: a run that cannot be read (404) ends
// every follower with the error.
func TestWatcherReportsLastingErrors(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	_, c, closeServer := watchSandbox(t, time.Hour)
	defer closeServer()
	w := client.NewWatcher(client.WatchOptions{PollInitial: 5 * time.Millisecond, PollMax: 10 * time.Millisecond})
	f := w.Watch(context.Background(), c, "tsk_v2_missing")
	defer f.Stop()
	u, err := f.Next(context.Background())
	require.NoError(t, err)
	require.Error(t, u.Err)
	assert.True(t, u.Final())
	assert.Equal(t, 404, client.StatusCode(u.Err))
	assert.Equal(t, 0, w.Pollers())
}
