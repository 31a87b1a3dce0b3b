package cdp_test

import (
	"context"
	"crypto/subtle"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/skyvern-mcp/skyvern-mcp/internal/cdp"
	"github.com/skyvern-mcp/skyvern-mcp/internal/chromium"
	"github.com/skyvern-mcp/skyvern-mcp/internal/chromium/chromiumtest"
)

const formPage = `<!doctype html><title>Form</title><h1>Sign up</h1>
<form action="/done"><label>Name <input name="name"></label>
<select name="plan"><option value="free">Free</option><option value="pro">Pro plan</option></select>
<button type="submit">Send</button></form>
<iframe src="/inner" title="inner"></iframe>`

func pages(t *testing.T) *httptest.Server {
	mux := http.NewServeMux()
	mux.HandleFunc("/form", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, formPage) })
	mux.HandleFunc("/inner", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `<!doctype html><button onclick="this.textContent='pressed'">Inner</button>`)
	})
	mux.HandleFunc("/done", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `<!doctype html><title>Done</title><p id="result">Thanks, %s (%s)</p>`, r.URL.Query().Get("name"), r.URL.Query().Get("plan"))
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

// browser starts Chromium behind a proxy that wants x-api-key: key, and
// returns the proxy's http:// address.
func browser(t *testing.T, key string) (string, *chromium.Browser) {
	bin := chromiumtest.Require(t)
	b, err := chromium.Launch(context.Background(), bin, "")
	require.NoError(t, err)
	t.Cleanup(b.Close)
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if subtle.ConstantTimeCompare([]byte(r.Header.Get("x-api-key")), []byte(key)) != 1 {
			http.Error(w, `{"detail":"Invalid credentials"}`, http.StatusForbidden)
			return
		}
		b.ServeCDP(w, r, "/cdp/pbs_1")
	}))
	t.Cleanup(proxy.Close)
	return proxy.URL + "/cdp/pbs_1", b
}

func dialer(addr, key string) cdp.Dial {
	return func(context.Context) (string, http.Header, error) {
		return addr, http.Header{"X-Api-Key": {key}}, nil
	}
}

func TestFormThroughProxy(t *testing.T) {
	addr, _ := browser(t, "k1")
	site := pages(t)
	pool := &cdp.Pool{}
	t.Cleanup(pool.Close)
	ctx := context.Background()
	c, err := pool.Get(ctx, "caller", "pbs_1", dialer(addr, "k1"))
	require.NoError(t, err)
	again, err := pool.Get(ctx, "caller", "pbs_1", dialer(addr, "k1"))
	require.NoError(t, err)
	assert.Same(t, c, again, "the connection is reused")

	info, err := cdp.Navigate(ctx, c, site.URL+"/form", cdp.WaitLoad)
	require.NoError(t, err)
	assert.Equal(t, "Form", info.Title)
	snap, err := cdp.TakeSnapshot(ctx, c, 500)
	require.NoError(t, err)
	text := strings.Join(snap.Lines, "\n")
	assert.Contains(t, text, `- heading "Sign up" [level=1]`)
	assert.Contains(t, text, `- textbox "Name" [ref=e1] value=""`)
	assert.Contains(t, text, `- button "Send" [ref=e3]`)
	assert.Contains(t, text, `- iframe "inner":`)
	assert.Contains(t, text, `  - button "Inner" [ref=e4]`)
	snap2, err := cdp.TakeSnapshot(ctx, c, 500)
	require.NoError(t, err)
	assert.Equal(t, snap.Lines, snap2.Lines, "refs are stable")

	_, err = cdp.Click(ctx, c, cdp.Element{Ref: "e4"})
	require.NoError(t, err)
	txt, err := cdp.Text(ctx, c)
	require.NoError(t, err)
	assert.Contains(t, txt, "pressed", "the click inside the iframe landed")

	_, err = cdp.Type(ctx, c, cdp.Element{Ref: "e1"}, "Ada", true, false)
	require.NoError(t, err)
	got, err := cdp.SelectOption(ctx, c, cdp.Element{Selector: "select"}, []string{"pro plan"})
	require.NoError(t, err)
	assert.Equal(t, []string{"pro"}, got)
	info, err = cdp.Click(ctx, c, cdp.Element{Ref: "e3"})
	require.NoError(t, err)
	assert.Equal(t, "Done", info.Title)
	txt, err = cdp.Text(ctx, c)
	require.NoError(t, err)
	assert.Contains(t, txt, "Thanks, Ada (pro)")

	shot, err := cdp.Screenshot(ctx, c, cdp.ShotViewport, cdp.Element{}, 0, 1<<20)
	require.NoError(t, err)
	assert.Equal(t, "image/png", shot.MIMEType)
	assert.Equal(t, 1280, shot.Width)

	_, err = cdp.Click(ctx, c, cdp.Element{Ref: "e99"})
	require.ErrorContains(t, err, "no element has ref e99")
}

func TestProxyRefusesWrongKey(t *testing.T) {
	addr, _ := browser(t, "k1")
	pool := &cdp.Pool{}
	t.Cleanup(pool.Close)
	for _, key := range []string{"", "k2"} {
		_, err := pool.Get(context.Background(), "caller", "pbs_1", dialer(addr, key))
		require.Error(t, err)
		assert.Contains(t, err.Error(), "HTTP 403")
		assert.NotContains(t, err.Error(), "k1")
	}
}

func TestCancelStopsWait(t *testing.T) {
	addr, _ := browser(t, "k1")
	pool := &cdp.Pool{}
	t.Cleanup(pool.Close)
	c, err := pool.Get(context.Background(), "caller", "pbs_1", dialer(addr, "k1"))
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- cdp.WaitFor(ctx, c, "", "never there") }()
	cancel()
	select {
	case err := <-done:
		require.ErrorIs(t, err, context.Canceled)
	case <-time.After(10 * time.Second):
		t.Fatal("WaitFor went on after its context was cancelled")
	}
	// The connection still works.
	_, err = cdp.Info(context.Background(), c)
	require.NoError(t, err)
}

func TestBrowserCloseKillsTree(t *testing.T) {
	_, b := browser(t, "k1")
	require.Greater(t, b.RSS(), int64(10<<20), "a running browser holds memory")
	b.Close()
	<-b.Exited()
	assert.Zero(t, b.RSS(), "no process of the browser's group is left")
}
