package httpserver

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type callResult struct {
	text string
	err  error
}

func callAsync(c *mcpClient, name string) chan callResult {
	out := make(chan callResult, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		text, err := c.callErr(ctx, name)
		out <- callResult{text, err}
	}()
	return out
}

func waitStarted(t *testing.T, tt *testTools) {
	t.Helper()
	select {
	case <-tt.started:
	case <-time.After(5 * time.Second):
		t.Fatal("the blocking tool did not start")
	}
}

// TestGracefulShutdownLetsACallFinish: once Serve's context ends, a call in
// flight still gets its result (over both transports), new connections are
// refused, and Serve returns after it.
func TestGracefulShutdownLetsACallFinish(t *testing.T) {
	for _, transport := range []string{TransportHTTP, TransportSSE} {
		t.Run(transport, func(t *testing.T) {
			tt := newTestTools()
			r := start(t, tt.mcp, Options{Transport: transport, ShutdownGrace: 10 * time.Second})
			var c *mcpClient
			if transport == TransportHTTP {
				c = newHTTPClient(t, r.base)
			} else {
				c = newSSEClient(t, r.base)
			}
			res := callAsync(c, "block")
			waitStarted(t, tt)
			// (Over SSE the POST that carried the call counts too, until its
			// 202 is written.)
			require.Eventually(t, func() bool { return r.srv.inflight.count() == 1 }, 5*time.Second, time.Millisecond)

			r.cancel()
			require.Eventually(t, func() bool { return r.srv.draining.Load() }, 5*time.Second, 5*time.Millisecond)
			time.Sleep(100 * time.Millisecond)
			select {
			case err := <-r.done:
				t.Fatalf("Serve returned (%v) while a call was in flight", err)
			default:
			}
			_, err := http.Get(r.base + "/healthz") //nolint:noctx // test
			assert.Error(t, err, "no new connections while draining")

			close(tt.release)
			select {
			case got := <-res:
				require.NoError(t, got.err, "the call in flight finishes")
				assert.Equal(t, "released", got.text)
			case <-time.After(5 * time.Second):
				t.Fatal("the call in flight got no answer")
			}
			assert.NoError(t, r.stop(5*time.Second), "Serve returns once the call is answered")
			assert.Contains(t, r.logs.String(), `"calls_in_flight":1`)
			assert.NotContains(t, r.logs.String(), "shutdown grace expired")
		})
	}
}

func TestShutdownGraceExpires(t *testing.T) {
	tt := newTestTools()
	r := start(t, tt.mcp, Options{ShutdownGrace: 300 * time.Millisecond})
	c := newHTTPClient(t, r.base)
	res := callAsync(c, "block")
	waitStarted(t, tt)
	begin := time.Now()
	require.NoError(t, r.stop(5*time.Second))
	assert.Less(t, time.Since(begin), 3*time.Second, "Serve gives up after the grace period")
	assert.GreaterOrEqual(t, time.Since(begin), 300*time.Millisecond)
	assert.Contains(t, r.logs.String(), "shutdown grace expired")
	select {
	case got := <-res:
		assert.Error(t, got.err, "the call was cut off")
	case <-time.After(5 * time.Second):
		t.Fatal("the cut-off call never returned")
	}
}

func TestShutdownClosesStreams(t *testing.T) {
	r := start(t, newTestTools().mcp, Options{Transport: TransportSSE})
	s := openSSE(t, r)
	require.NoError(t, r.stop(5*time.Second))
	select {
	case <-s.ended:
	case <-time.After(5 * time.Second):
		t.Fatal("the SSE stream stayed open after shutdown")
	}
}
